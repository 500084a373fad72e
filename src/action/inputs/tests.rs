//! Tests of `action/inputs.rs`.

use super::*;

fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn names_like_the_runner() {
    assert_eq!(variable("fail-on"), "INPUT_FAIL-ON");
    assert_eq!(variable("github-token"), "INPUT_GITHUB-TOKEN");
    assert_eq!(variable("fail on"), "INPUT_FAIL_ON");
}

#[test]
fn defaults_when_unset_or_empty() {
    let inputs = Inputs::read(&env(&[("INPUT_PATHS", ""), ("INPUT_FAIL-ON", " ")])).unwrap();
    assert_eq!(inputs.paths, vec![PathBuf::from(".")]);
    assert_eq!(inputs.fail_on, None);
    assert_eq!(inputs.fail_on_unchecked, None);
    assert_eq!(inputs.sarif_file, PathBuf::from("imagegate.sarif"));
    assert_eq!(inputs.comment, CommentMode::OnFindings);
    assert!(inputs.summary && inputs.annotations);
    assert_eq!(inputs.namespace, None);
    assert_eq!(inputs.category, "imagegate");
    assert!(inputs.github_token.is_none() && inputs.config.is_none());
}

#[test]
fn reads_every_input() {
    let inputs = Inputs::read(&env(&[
        ("INPUT_PATHS", "deploy\ncharts/web, k8s"),
        ("INPUT_CONFIG", ".imagegate.yaml"),
        ("INPUT_BASELINE", "imagegate.baseline"),
        ("INPUT_FAIL-ON", "warning"),
        ("INPUT_FAIL-ON-UNCHECKED", "true"),
        ("INPUT_SARIF-FILE", "out/scan.sarif"),
        ("INPUT_COMMENT", "always"),
        ("INPUT_SUMMARY", "false"),
        ("INPUT_ANNOTATIONS", "FALSE"),
        (
            "INPUT_ALLOWED-REGISTRIES",
            "ghcr.io/acme/*\n\n*.dkr.ecr.*.amazonaws.com",
        ),
        (
            "INPUT_PRIVATE-REGISTRIES",
            "registry.example.com, ghcr.io/acme/*",
        ),
        ("INPUT_HELM-VALUES", "ci/values.yaml"),
        ("INPUT_NAMESPACE", "shop"),
        ("INPUT_CATEGORY", "images/"),
        ("INPUT_GITHUB-TOKEN", "ghs_secret"),
    ]))
    .unwrap();
    assert_eq!(
        inputs.paths,
        ["deploy", "charts/web", "k8s"].map(PathBuf::from).to_vec()
    );
    assert_eq!(inputs.config, Some(PathBuf::from(".imagegate.yaml")));
    assert_eq!(inputs.baseline, Some(PathBuf::from("imagegate.baseline")));
    assert_eq!(inputs.fail_on, Some(FailOn::Warning));
    assert_eq!(inputs.fail_on_unchecked, Some(true));
    assert_eq!(inputs.sarif_file, PathBuf::from("out/scan.sarif"));
    assert_eq!(inputs.comment, CommentMode::Always);
    assert!(!inputs.summary && !inputs.annotations);
    assert_eq!(
        inputs.allowed_registries,
        ["ghcr.io/acme/*", "*.dkr.ecr.*.amazonaws.com"]
    );
    assert_eq!(
        inputs.private_registries,
        ["registry.example.com", "ghcr.io/acme/*"]
    );
    assert_eq!(inputs.helm_values, vec![PathBuf::from("ci/values.yaml")]);
    assert_eq!(inputs.namespace.as_deref(), Some("shop"));
    assert_eq!(inputs.category, "images");
    assert_eq!(inputs.github_token.as_ref().unwrap().expose(), "ghs_secret");
    assert!(!format!("{inputs:?}").contains("ghs_secret"));
}

#[test]
fn wrong_values_name_the_input() {
    let err = Inputs::read(&env(&[("INPUT_FAIL-ON", "critical")])).unwrap_err();
    assert_eq!(
        err.to_string(),
        "input `fail-on`: `critical` is not one of error, warning, note, never"
    );
    let err = Inputs::read(&env(&[("INPUT_SUMMARY", "yes")])).unwrap_err();
    assert_eq!(
        err.to_string(),
        "input `summary`: `yes` is not `true` or `false`"
    );
    let err = Inputs::read(&env(&[("INPUT_COMMENT", "sometimes")])).unwrap_err();
    assert!(err.to_string().starts_with("input `comment`"));
    let err = Inputs::read(&env(&[("INPUT_CATEGORY", "///")])).unwrap_err();
    assert!(err.to_string().starts_with("input `category`"));
}

#[test]
fn unknown_inputs_are_named() {
    let e = env(&[
        ("INPUT_FAIL-ON", "error"),
        ("INPUT_FAIL_ON", "x"),
        ("PATH", "/bin"),
    ]);
    assert_eq!(unknown(&e), ["INPUT_FAIL_ON"]);
}

//! `.imagegate.yaml`: its schema, its error messages (each at the line and column of the
//! mistake), the effect of every key, the command line over the file, and where the file is
//! found. Every scan here runs the real binary on a small scratch repository.

// A test crate: an unwrap that fails is a failing test, and its helpers are `pub` for its
// modules.
#![allow(clippy::unwrap_used, unreachable_pub)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;
use std::process::Output;

use serde_json::Value;
use tempfile::TempDir;

use common::{command_in, json_of, run_in};

/// A digest to pin images with, so that only the rule under test fires.
const DIGEST: &str = "sha256:86a1768af4502fd86b4a35b59a19f1cb2b34ac94f6b77e077527977f9ba97c63";

/// A scratch repository holding `files` (path, text); folders are created as needed.
fn repo(files: &[(&str, &str)]) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        write(dir.path(), path, text);
    }
    dir
}

fn write(dir: &Path, path: &str, text: &str) {
    let path = dir.join(path);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

/// Copy the folder `from` (a fixture) to `to`.
fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `imagegate scan --format json ARGS` in `dir`: the report and the exit code.
fn scan_in(dir: &Path, args: &[&str]) -> (Value, i32) {
    let mut all = vec!["scan", "--format", "json"];
    all.extend(args);
    let out = run_in(dir, &all);
    (json_of(&out), out.status.code().unwrap_or(-1))
}

/// `imagegate scan . --config .imagegate.yaml --format json ARGS` in the repository `dir`.
fn scan_configured(dir: &Path, args: &[&str]) -> (Value, i32) {
    let mut all = vec![".", "--config", ".imagegate.yaml"];
    all.extend(args);
    scan_in(dir, &all)
}

/// The same scan without any configuration file.
fn scan_unconfigured(dir: &Path, args: &[&str]) -> (Value, i32) {
    let mut all = vec![".", "--no-config"];
    all.extend(args);
    scan_in(dir, &all)
}

/// The findings of `rule`, each as (level, path, line).
fn of_rule(report: &Value, rule: &str) -> Vec<(String, String, u64)> {
    list(report, "findings")
        .iter()
        .filter(|f| f["rule"] == rule)
        .map(|f| {
            (
                f["level"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["start"]["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// The paths `rule` fires on.
fn paths_of(report: &Value, rule: &str) -> BTreeSet<String> {
    of_rule(report, rule)
        .into_iter()
        .map(|(_, p, _)| p)
        .collect()
}

/// Which images `rule` fires on.
fn images_of(report: &Value, rule: &str) -> BTreeSet<String> {
    list(report, "findings")
        .iter()
        .filter(|f| f["rule"] == rule)
        .map(|f| f["image"]["reference"].as_str().unwrap().to_string())
        .collect()
}

fn list<'a>(report: &'a Value, key: &str) -> &'a [Value] {
    report[key].as_array().map_or(&[], Vec::as_slice)
}

/// A pod using `images` (one container each), with or without a pull secret.
fn pod(name: &str, images: &[&str], pull_secret: bool) -> String {
    let mut text = format!("apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}}}\nspec:\n");
    if pull_secret {
        text.push_str("  imagePullSecrets: [{name: regcred}]\n");
    }
    text.push_str("  containers:\n");
    for (i, image) in images.iter().enumerate() {
        text.push_str(&format!("  - name: c{i}\n    image: {image}\n"));
    }
    text
}

// ---------------------------------------------------------------------------------------------
// The schema and the error messages
// ---------------------------------------------------------------------------------------------

#[test]
fn schema_file_is_in_sync() {
    let out = common::imagegate(["config", "schema"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let printed = String::from_utf8(out.stdout).unwrap();
    let committed = fs::read_to_string(common::root().join("docs/config.schema.json"))
        .expect("docs/config.schema.json");
    assert!(
        printed == committed,
        "docs/config.schema.json is stale: run `imagegate config schema > docs/config.schema.json`"
    );

    let schema: Value = serde_json::from_str(&printed).unwrap();
    let keys: BTreeSet<&str> = schema["properties"]
        .as_object()
        .expect("top-level properties")
        .keys()
        .map(String::as_str)
        .collect();
    let want = BTreeSet::from([
        "registries",
        "rules",
        "ignore",
        "helm",
        "kustomize",
        "paths",
        "fail-on",
        "fail-on-unchecked",
        "namespace",
        "online",
        "online-timeout",
        "cache-dir",
    ]);
    assert_eq!(keys, want, "the schema's top-level keys");
    assert_eq!(
        schema["additionalProperties"],
        Value::Bool(false),
        "unknown top-level keys must be rejected by the schema, as by the loader"
    );
    // `rules:` names every rule, each with `level` and exactly its own options.
    let rules = &schema["properties"]["rules"];
    assert_eq!(rules["additionalProperties"], Value::Bool(false));
    let takes = |id: &str| -> BTreeSet<String> {
        let entry = &rules["properties"][id];
        assert_eq!(entry["additionalProperties"], Value::Bool(false), "{id}");
        entry["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("{id} has no properties"))
            .keys()
            .cloned()
            .collect()
    };
    let set = |keys: &[&str]| keys.iter().map(|k| k.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(takes("image-tag-latest"), set(&["level"]));
    assert_eq!(
        takes("secret-env-literal"),
        set(&["level", "credential-names", "allowed-names"])
    );
    assert_eq!(
        takes("base-image-not-minimal"),
        set(&["level", "minimal-images"])
    );
    assert_eq!(
        rules["properties"].as_object().map(|p| p.len()),
        Some(imagegate::rules::ALL.len())
    );
    // Every nested section with keys of its own rejects unknown keys too.
    for (name, def) in schema["$defs"].as_object().expect("$defs") {
        if def.get("properties").is_some() {
            assert_eq!(
                def["additionalProperties"],
                Value::Bool(false),
                "$defs/{name} accepts unknown keys"
            );
        }
    }
}

/// Each mistake is one line on stderr, `imagegate: error: FILE:LINE:COLUMN: message`, and
/// exit code 2. The snapshot shows each configuration (numbered lines) above its message, so
/// that every line:column can be checked by eye.
#[test]
fn config_errors_quote_file_line_and_column() {
    let cases: &[(&str, &str)] = &[
        ("unknown top-level key", "fail_on: never\n"),
        ("misspelt nested key", "registries: {alowed: [x]}\n"),
        (
            "misspelt key in a chart's settings",
            "helm:\n  charts:\n    charts/web:\n      valuez: [a.yaml]\n",
        ),
        ("not a boolean", "kustomize: maybe\n"),
        ("a number for a list", "registries: {allowed: 3}\n"),
        ("unknown fail-on level", "fail-on: critical\n"),
        (
            "unknown rule level",
            "rules:\n  image-tag-latest:\n    level: fatal\n",
        ),
        (
            "unknown rule id under rules",
            "rules:\n  image-tag-lates:\n    level: off\n",
        ),
        (
            "unknown rule id in an ignore entry",
            "ignore:\n  - rule: no-such-rule\n    paths: [a]\n    reason: x\n",
        ),
        (
            "bad registry pattern",
            "registries:\n  allowed:\n    - ghcr.io/**\n",
        ),
        (
            "a URL for a node-credentials pattern",
            "registries:\n  node-credentials: [\"https://registry.example.com\"]\n",
        ),
        (
            "bad glob in paths.exclude",
            "paths:\n  exclude: [\"a/[b\"]\n",
        ),
        (
            "an option on the wrong rule",
            "rules: {image-tag-latest: {minimal-images: [x]}}\n",
        ),
        (
            "ignore entry without a reason",
            "ignore:\n  - rule: image-tag-latest\n    paths: [a]\n",
        ),
        (
            "ignore entry with an empty reason",
            "ignore:\n  - rule: image-tag-latest\n    paths: [a]\n    reason: \"  \"\n",
        ),
        (
            "ignore entry without paths and objects",
            "ignore:\n  - rule: image-tag-latest\n    reason: old\n",
        ),
        (
            "bad objects selector",
            "ignore:\n  - rule: image-tag-latest\n    objects: [Deployment/web]\n    reason: x\n",
        ),
        (
            "expiry that is not a date",
            "ignore:\n  - rule: image-tag-latest\n    paths: [a]\n    reason: x\n    expires: 2027-02-30\n",
        ),
        (
            "public with both add and replace",
            "registries:\n  public:\n    add: [a.example.com]\n    replace: [b.example.com]\n",
        ),
        ("empty helm values path", "helm:\n  values: [\"\"]\n"),
        (
            "duplicate key",
            "namespace: shop\nkustomize: false\nnamespace: web\n",
        ),
        ("YAML syntax error", "registries:\n  allowed: [ghcr.io\n"),
        ("a list instead of a map", "- registries\n- rules\n"),
    ];
    assert!(cases.len() >= 12);
    let mut shown = Vec::new();
    for (what, text) in cases {
        let dir = repo(&[(".imagegate.yaml", text)]);
        let out = run_in(dir.path(), &["scan", ".", "--config", ".imagegate.yaml"]);
        let err = stderr(&out);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{what}: a configuration error exits with 2\n{text}\n{err}"
        );
        assert!(
            out.stdout.is_empty(),
            "{what}: no report is written for a bad configuration"
        );
        let lines: Vec<&str> = err.lines().collect();
        assert!(
            lines.len() == 1 && lines[0].starts_with("imagegate: error: .imagegate.yaml:"),
            "{what}: one `imagegate: error: .imagegate.yaml:LINE:COLUMN: message` line\n{err}"
        );
        let numbered: String = text
            .lines()
            .enumerate()
            .map(|(i, line)| format!("  {:>2} | {line}\n", i + 1))
            .collect();
        shown.push(format!("## {what}\n{numbered}{}", lines[0]));
    }
    insta::assert_snapshot!("config_errors", shown.join("\n\n"));

    // `config show` checks the file the same way.
    let dir = repo(&[(".imagegate.yaml", "fail-on: critical\n")]);
    let out = run_in(
        dir.path(),
        &["config", "show", "--config", ".imagegate.yaml"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with("imagegate: error: .imagegate.yaml:1:10: unknown variant"),
        "{}",
        stderr(&out)
    );

    // A file given with --config must exist.
    let out = run_in(dir.path(), &["scan", ".", "--config", "missing.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("missing.yaml:1:1: cannot read the configuration file"),
        "{}",
        stderr(&out)
    );

    // An empty file, or one of comments only, is a valid configuration of defaults.
    for text in ["", "# nothing configured yet\n"] {
        let dir = repo(&[(".imagegate.yaml", text)]);
        let out = run_in(
            dir.path(),
            &["config", "show", "--config", ".imagegate.yaml"],
        );
        assert_eq!(out.status.code(), Some(0), "{text:?}: {}", stderr(&out));
    }
}

// ---------------------------------------------------------------------------------------------
// Each key has an effect
// ---------------------------------------------------------------------------------------------

#[test]
fn registries_allowed() {
    let dir = repo(&[
        (
            "pod.yaml",
            &pod(
                "p",
                &[
                    "nginx:1.27",
                    "registry.example.com/team/app:1.0",
                    "registry.example.com/other/app:1.0",
                ],
                true,
            ),
        ),
        (
            ".imagegate.yaml",
            "registries:\n  allowed: [registry.example.com/team/*]\n",
        ),
    ]);
    let (before, _) = scan_unconfigured(dir.path(), &[]);
    assert!(
        of_rule(&before, "image-registry-not-allowed").is_empty(),
        "no allow-list, nothing is disallowed"
    );
    assert_eq!(
        images_of(&before, "image-registry-public"),
        BTreeSet::from(["nginx:1.27".to_string()]),
        "without an allow-list, the public image is reported as public"
    );

    let (after, code) = scan_configured(dir.path(), &[]);
    assert_eq!(
        images_of(&after, "image-registry-not-allowed"),
        BTreeSet::from([
            "nginx:1.27".to_string(),
            "registry.example.com/other/app:1.0".to_string()
        ]),
        "images outside registry.example.com/team/* are not allowed; team/app is"
    );
    assert!(
        of_rule(&after, "image-registry-not-allowed")
            .iter()
            .all(|(level, path, line)| level == "error" && path == "pod.yaml" && *line >= 7),
        "{after:#}"
    );
    assert!(
        of_rule(&after, "image-registry-public").is_empty(),
        "with an allow-list, image-registry-public gives way to image-registry-not-allowed"
    );
    assert_eq!(code, 1, "image-registry-not-allowed is an error");
}

#[test]
fn registries_public_add_and_replace() {
    let dir = repo(&[(
        "pod.yaml",
        &pod("p", &["nginx:1.27", "registry.example.com/app:1.0"], true),
    )]);
    let with = |config: &str| {
        write(dir.path(), ".imagegate.yaml", config);
        let (report, _) = scan_configured(dir.path(), &[]);
        images_of(&report, "image-registry-public")
    };
    let set =
        |images: &[&str]| -> BTreeSet<String> { images.iter().map(|s| s.to_string()).collect() };
    assert_eq!(with(""), set(&["nginx:1.27"]), "built-in list: docker.io");
    assert_eq!(
        with("registries:\n  public:\n    add: [registry.example.com]\n"),
        set(&["nginx:1.27", "registry.example.com/app:1.0"]),
        "`add` extends the built-in list"
    );
    assert_eq!(
        with("registries:\n  public:\n    replace: []\n"),
        set(&[]),
        "`replace: []` treats no registry as public, docker.io included"
    );
    assert_eq!(
        with("registries:\n  public:\n    replace: [registry.example.com]\n"),
        set(&["registry.example.com/app:1.0"]),
        "`replace` drops the built-in list"
    );
}

#[test]
fn registries_node_credentials() {
    let private = format!("registry.example.com/app:1.0@{DIGEST}");
    let ecr = format!("123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1.0@{DIGEST}");
    let gar = format!("europe-west1-docker.pkg.dev/acme/app/api:1.0@{DIGEST}");
    let dir = repo(&[
        ("pod.yaml", &pod("p", &[&private, &ecr, &gar], false)),
        (
            ".imagegate.yaml",
            "registries:\n  node-credentials: [registry.example.com]\n",
        ),
    ]);
    let (before, _) = scan_unconfigured(dir.path(), &[]);
    assert_eq!(
        images_of(&before, "pull-secret-missing"),
        BTreeSet::from([private.clone()]),
        "a registry without imagePullSecrets may need a pull secret; ECR and Artifact Registry are on the built-in node-credential list"
    );

    let (after, _) = scan_configured(dir.path(), &[]);
    assert_eq!(
        images_of(&after, "pull-secret-missing"),
        BTreeSet::from([ecr, gar]),
        "registry.example.com is now authenticated by the nodes, and the list replaces the built-in one (ECR and Artifact Registry included)"
    );
}

/// `registries.private` (and `--private-registry`, which replaces it): pull-secret-missing is an
/// error for a declared registry, a warning that says how to declare it for an unknown one,
/// and nothing for a node-credential registry, declared or not.
#[test]
fn registries_private() {
    let declared = "registry.example.com/app:1.0";
    let package = "ghcr.io/acme/billing:2.0";
    let unknown = "harbor.corp.internal/app:1.0";
    let acr = "contoso.azurecr.io/app:1.0";
    let public = "ghcr.io/other/tool:1.0";
    let dir = repo(&[
        (
            "pod.yaml",
            &pod("p", &[declared, package, unknown, acr, public], false),
        ),
        (
            ".imagegate.yaml",
            "registries:\n  private:\n    - registry.example.com\n    - ghcr.io/acme/*\n    - \"*.azurecr.io\"\n",
        ),
    ]);
    let levels = |report: &Value| -> BTreeMap<String, String> {
        list(report, "findings")
            .iter()
            .filter(|f| f["rule"] == "pull-secret-missing")
            .map(|f| {
                (
                    f["image"]["reference"].as_str().unwrap().to_string(),
                    f["level"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let level = |image: &str, level: &str| (image.to_string(), level.to_string());

    let (before, code) = scan_unconfigured(dir.path(), &["--fail-on", "error"]);
    assert_eq!(
        levels(&before),
        BTreeMap::from([level(declared, "warning"), level(unknown, "warning")]),
        "undeclared: a warning for registries neither public nor private; ghcr.io is public"
    );
    assert_eq!(
        code, 0,
        "an unknown registry's missing pull secret does not fail the gate"
    );
    let message = list(&before, "findings")
        .iter()
        .find(|f| f["rule"] == "pull-secret-missing" && f["image"]["reference"] == unknown)
        .unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.contains("`harbor.corp.internal`, a registry not known as public or private")
            && message.contains("`registries.private` (`--private-registry`)")
            && message.contains("`registries.public.add`"),
        "{message}"
    );

    let (after, code) = scan_configured(dir.path(), &["--fail-on", "error"]);
    assert_eq!(
        levels(&after),
        BTreeMap::from([
            level(declared, "error"),
            level(package, "error"),
            level(unknown, "warning"),
        ]),
        "declared: an error, also for a private package on a public registry; ACR is pulled by the nodes"
    );
    assert_eq!(code, 1);
    let message = list(&after, "findings")
        .iter()
        .find(|f| f["rule"] == "pull-secret-missing" && f["image"]["reference"] == package)
        .unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.contains("private registry `ghcr.io` (declared by `ghcr.io/acme/*`)"),
        "{message}"
    );

    let (flag, _) = scan_configured(dir.path(), &["--private-registry", "harbor.corp.internal"]);
    assert_eq!(
        levels(&flag),
        BTreeMap::from([level(declared, "warning"), level(unknown, "error")]),
        "--private-registry replaces registries.private (it does not add to it)"
    );

    let out = run_in(
        dir.path(),
        &[
            "scan",
            ".",
            "--no-config",
            "--private-registry",
            "https://harbor.corp.internal",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out)
            .contains("--private-registry `https://harbor.corp.internal`: registry pattern"),
        "{}",
        stderr(&out)
    );

    let out = run_in(
        dir.path(),
        &["config", "show", "--config", ".imagegate.yaml"],
    );
    let shown = json_of(&out);
    assert_eq!(
        shown["registries"]["private"],
        serde_json::json!(["registry.example.com", "ghcr.io/acme/*", "*.azurecr.io"])
    );
}

#[test]
fn rule_levels_and_off() {
    let dir = repo(&[(
        "pod.yaml",
        &pod("p", &["registry.example.com/app:latest"], true),
    )]);
    let (before, code) = scan_unconfigured(dir.path(), &[]);
    assert_eq!(
        of_rule(&before, "image-tag-latest"),
        [("error".to_string(), "pod.yaml".to_string(), 8)]
    );
    assert_eq!(code, 1, "an error fails the scan (default fail-on: error)");

    write(
        dir.path(),
        ".imagegate.yaml",
        "rules:\n  image-tag-latest:\n    level: warning\n",
    );
    let (warned, code) = scan_configured(dir.path(), &[]);
    assert_eq!(
        of_rule(&warned, "image-tag-latest"),
        [("warning".to_string(), "pod.yaml".to_string(), 8)]
    );
    assert_eq!(warned["summary"]["findings"]["error"], 0, "{warned:#}");
    assert_eq!(
        code, 0,
        "the only error is now a warning: below the default fail-on"
    );

    // SARIF: the result carries the configured level, the rule keeps its default.
    let out = run_in(
        dir.path(),
        &[
            "scan",
            ".",
            "--config",
            ".imagegate.yaml",
            "--format",
            "sarif",
        ],
    );
    let sarif = json_of(&out);
    let run = &sarif["runs"][0];
    let results: Vec<&Value> = list(run, "results")
        .iter()
        .filter(|r| r["ruleId"] == "image-tag-latest")
        .collect();
    assert_eq!(results.len(), 1, "{run:#}");
    assert_eq!(results[0]["level"], "warning");
    let rule = list(&run["tool"]["driver"], "rules")
        .iter()
        .find(|r| r["id"] == "image-tag-latest")
        .expect("the rule in tool.driver.rules");
    assert_eq!(rule["defaultConfiguration"]["level"], "error");

    write(
        dir.path(),
        ".imagegate.yaml",
        "rules:\n  image-tag-latest:\n    level: off\n",
    );
    let (off, code) = scan_configured(dir.path(), &[]);
    assert!(
        of_rule(&off, "image-tag-latest").is_empty(),
        "level off: the rule does not run"
    );
    assert!(
        !of_rule(&off, "image-digest-missing").is_empty(),
        "other rules still run"
    );
    assert_eq!(off["summary"]["suppressed"], 0, "off is not a suppression");
    assert_eq!(code, 0);
}

#[test]
fn secret_env_literal_options() {
    let manifest = format!(
        r#"apiVersion: v1
kind: Pod
metadata: {{name: p}}
spec:
  imagePullSecrets: [{{name: regcred}}]
  containers:
  - name: app
    image: registry.example.com/app:1.0@{DIGEST}
    env:
    - name: WEBHOOK_SIGNING_SEED
      value: "fake-seed-value-for-tests"
    - name: DB_PASSWORD
      value: "fake-password-for-tests"
    - name: FEATURE_SEED
      value: "true"
"#
    );
    let dir = repo(&[
        ("pod.yaml", &manifest),
        (
            ".imagegate.yaml",
            "rules:\n  secret-env-literal:\n    credential-names: [\"*_SEED\"]\n    allowed-names: [db_password]\n",
        ),
    ]);
    let env_names = |report: &Value| -> Vec<String> {
        list(report, "findings")
            .iter()
            .filter(|f| f["rule"] == "secret-env-literal")
            .map(|f| {
                let message = f["message"].as_str().unwrap();
                message.split('`').nth(1).unwrap().to_string()
            })
            .collect()
    };
    let (before, _) = scan_unconfigured(dir.path(), &[]);
    assert_eq!(
        env_names(&before),
        ["DB_PASSWORD"],
        "by default only the credential-like name is reported"
    );
    assert_eq!(of_rule(&before, "secret-env-literal")[0].2, 13);

    let (after, _) = scan_configured(dir.path(), &[]);
    assert_eq!(
        env_names(&after),
        ["WEBHOOK_SIGNING_SEED"],
        "credential-names adds `*_SEED` (FEATURE_SEED's `true` cannot be a credential); \
         allowed-names drops DB_PASSWORD, case-insensitively"
    );
    assert_eq!(of_rule(&after, "secret-env-literal")[0].2, 11);
    assert!(
        !after.to_string().contains("fake-seed-value-for-tests"),
        "the value itself is never printed"
    );
}

#[test]
fn base_image_minimal_images() {
    let dockerfile = format!(
        "FROM golang:1.23@{DIGEST} AS build\nRUN go version\nFROM ubuntu:24.04@{DIGEST}\nCOPY --from=build /go /go\n"
    );
    let dir = repo(&[("Dockerfile", &dockerfile)]);
    let with = |config: &str| {
        write(dir.path(), ".imagegate.yaml", config);
        let (report, _) = scan_configured(dir.path(), &[]);
        of_rule(&report, "base-image-not-minimal")
    };
    let fired = [("note".to_string(), "Dockerfile".to_string(), 3)];
    assert_eq!(
        with(""),
        fired,
        "the final stage's ubuntu is a full distribution (the build stage is not judged)"
    );
    assert_eq!(
        with("rules:\n  base-image-not-minimal:\n    minimal-images: [docker.io/library/ubuntu]\n"),
        [],
        "an exact repository pattern accepts it"
    );
    assert_eq!(
        with("rules:\n  base-image-not-minimal:\n    minimal-images: [ubuntu]\n"),
        [],
        "`ubuntu` is short for docker.io/library/ubuntu"
    );
    assert_eq!(
        with("rules:\n  base-image-not-minimal:\n    minimal-images: [docker.io/library/debian]\n"),
        fired,
        "a pattern for another image changes nothing"
    );
}

#[test]
fn ignore_entries() {
    let web = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  template:\n    spec:\n      imagePullSecrets: [{name: regcred}]\n      containers:\n      - name: web\n        image: nginx:latest\n";
    let config = r#"ignore:
  - rule: image-tag-latest
    paths: ["legacy/**"]
    reason: retired next quarter
  - rule: image-digest-missing
    objects: ["Deployment/*/web"]
    reason: web follows the nginx release train
  - rule: image-registry-public
    paths: ["legacy/**"]
    reason: was fine until 2020
    expires: 2020-01-01
  - rule: secret-plaintext
    paths: ["deploy/**"]
    reason: nothing to silence
  - rule: image-tag-latest
    paths: ["elsewhere/**"]
    reason: files this scan does not read
"#;
    let dir = repo(&[
        ("deploy/web.yaml", web),
        ("legacy/old.yaml", &pod("old", &["nginx:latest"], true)),
        (".imagegate.yaml", config),
    ]);
    let (report, code) = scan_configured(dir.path(), &[]);

    // Suppressed: listed with the entry's reason, never counted.
    let suppressed: Vec<(&str, &str, &str, &str, &str)> = list(&report, "suppressed")
        .iter()
        .map(|f| {
            let s = &f["suppression"];
            (
                f["rule"].as_str().unwrap(),
                f["path"].as_str().unwrap(),
                s["kind"].as_str().unwrap(),
                s["reason"].as_str().unwrap(),
                s["by"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        suppressed,
        [
            (
                "image-digest-missing",
                "deploy/web.yaml",
                "external",
                "web follows the nginx release train",
                ".imagegate.yaml"
            ),
            (
                "image-tag-latest",
                "legacy/old.yaml",
                "external",
                "retired next quarter",
                ".imagegate.yaml"
            ),
        ],
        "a paths glob and an objects selector each silence their findings"
    );
    assert_eq!(report["summary"]["suppressed"], 2);

    assert_eq!(
        paths_of(&report, "image-tag-latest"),
        BTreeSet::from(["deploy/web.yaml".to_string()]),
        "the paths glob silences legacy/ only"
    );
    assert_eq!(
        paths_of(&report, "image-digest-missing"),
        BTreeSet::from(["legacy/old.yaml".to_string()]),
        "the selector matches the Deployment web only"
    );
    assert_eq!(
        paths_of(&report, "image-registry-public"),
        BTreeSet::from(["deploy/web.yaml".to_string(), "legacy/old.yaml".to_string()]),
        "an expired entry no longer applies"
    );

    // Expired and unused entries are reported at their `rule:` line; the entry for files
    // that were not scanned is not.
    let unused: Vec<(String, u64, String)> = list(&report, "findings")
        .iter()
        .filter(|f| f["rule"] == "unused-suppression")
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["start"]["line"].as_u64().unwrap(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(unused.len(), 2, "{unused:#?}");
    assert_eq!((unused[0].0.as_str(), unused[0].1), (".imagegate.yaml", 8));
    assert!(
        unused[0].2.contains("`image-registry-public` has expired"),
        "{}",
        unused[0].2
    );
    assert_eq!((unused[1].0.as_str(), unused[1].1), (".imagegate.yaml", 12));
    assert!(
        unused[1].2.contains("`secret-plaintext` silences nothing"),
        "{}",
        unused[1].2
    );
    assert_eq!(code, 1, "deploy/web.yaml still uses latest");
}

#[test]
fn helm_settings() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    copy_dir(
        &common::root().join("fixtures/helm/map-image"),
        &d.join("charts/shop"),
    );
    // The chart pins a version itself; the values files under ci/ change it.
    let values = fs::read_to_string(d.join("charts/shop/values.yaml")).unwrap();
    let pinned_values: String = values
        .lines()
        .map(|l| {
            if l.trim_start().starts_with("tag:") {
                "  tag: \"2.4.0\"\n".to_string()
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    write(d, "charts/shop/values.yaml", &pinned_values);
    write(
        d,
        "ci/latest.yaml",
        "image:\n  repository: ghcr.io/example/shop\n  tag: latest\n",
    );
    write(
        d,
        "ci/pinned.yaml",
        "image:\n  repository: ghcr.io/example/shop\n  tag: \"2.5.0\"\n",
    );

    // Without helm on PATH, `enabled: false` also silences the warning that charts are not
    // rendered.
    let no_tools = tempfile::tempdir().unwrap();
    let without_helm = |config: &str| {
        write(d, ".imagegate.yaml", config);
        let out = command_in(d)
            .args(["scan", ".", "--config", ".imagegate.yaml"])
            .env("PATH", no_tools.path())
            .output()
            .unwrap();
        stderr(&out)
    };
    assert!(
        without_helm("").contains("`helm` is not on PATH"),
        "{}",
        without_helm("")
    );
    assert!(
        !without_helm("helm:\n  enabled: false\n").contains("helm"),
        "{}",
        without_helm("helm:\n  enabled: false\n")
    );

    if !common::have_tool("helm", "helm_settings") {
        return;
    }
    let with = |config: &str| {
        write(d, ".imagegate.yaml", config);
        let (report, _) = scan_configured(d, &[]);
        report
    };

    let report = with("");
    assert_eq!(report["summary"]["rendered_charts"], 1, "{report:#}");
    assert!(
        of_rule(&report, "image-tag-latest").is_empty(),
        "the chart's own values pin 2.4.0"
    );

    let report = with("helm:\n  values: [ci/latest.yaml]\n");
    assert_eq!(
        of_rule(&report, "image-tag-latest"),
        [("error".to_string(), "ci/latest.yaml".to_string(), 3)],
        "helm.values is rendered after the chart's values.yaml and the finding is traced to it"
    );

    let report = with("helm:\n  charts:\n    charts/shop:\n      values: [ci/latest.yaml]\n");
    assert_eq!(
        images_of(&report, "image-tag-latest"),
        BTreeSet::from(["ghcr.io/example/shop:latest".to_string()]),
        "helm.charts.<dir>.values is rendered for that chart"
    );

    let report = with(
        "helm:\n  values: [ci/latest.yaml]\n  charts:\n    charts/shop:\n      values: [ci/pinned.yaml]\n",
    );
    assert!(
        of_rule(&report, "image-tag-latest").is_empty(),
        "a chart's own values files come after the ones for every chart: {report:#}"
    );

    let report = with("helm:\n  enabled: false\n  values: [ci/latest.yaml]\n");
    assert_eq!(
        report["summary"]["rendered_charts"], 0,
        "enabled: false stops rendering"
    );
    assert!(
        of_rule(&report, "image-tag-latest").is_empty(),
        "not rendered: only the chart's values.yaml is checked, as written"
    );
    assert!(
        !of_rule(&report, "image-digest-missing").is_empty(),
        "the values image is still checked"
    );
}

/// Findings of a rendered chart land on the values file that set the value: a
/// `helm.charts.<dir>.values` file, and a file that overrides the tag only.
#[test]
fn helm_values_findings_are_traced_to_the_file_that_set_the_value() {
    if !common::have_tool(
        "helm",
        "helm_values_findings_are_traced_to_the_file_that_set_the_value",
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    copy_dir(
        &common::root().join("fixtures/helm/map-image"),
        &d.join("charts/shop"),
    );
    write(
        d,
        "charts/shop/values.yaml",
        "image:\n  repository: ghcr.io/example/shop\n  tag: \"2.4.0\"\n  pullPolicy: Always\nservice:\n  port: 8080\n",
    );
    write(
        d,
        "ci/latest.yaml",
        "image:\n  repository: ghcr.io/example/shop\n  tag: latest\n",
    );
    write(d, "ci/tag.yaml", "image:\n  tag: latest\n");
    let mut failures = Vec::new();
    for (config, want) in [
        (
            "helm:\n  charts:\n    charts/shop:\n      values: [ci/latest.yaml]\n",
            ("ci/latest.yaml", 3),
        ),
        ("helm:\n  values: [ci/tag.yaml]\n", ("ci/tag.yaml", 2)),
    ] {
        write(d, ".imagegate.yaml", config);
        let (report, _) = scan_configured(d, &[]);
        let got = of_rule(&report, "image-tag-latest");
        let want = vec![("error".to_string(), want.0.to_string(), want.1)];
        if got != want {
            failures.push(format!("{config}: want {want:?}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn kustomize_off() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    copy_dir(
        &common::root().join("fixtures/kustomize/shared-base"),
        &d.join("deploy"),
    );
    write(d, "off.yaml", "kustomize: false\n");

    // Without kustomize or kubectl on PATH, `kustomize: false` also silences the warning
    // that overlays are not built.
    let no_tools = tempfile::tempdir().unwrap();
    let warning = |args: &[&str]| {
        let out = command_in(d)
            .args(["scan", "deploy"])
            .args(args)
            .env("PATH", no_tools.path())
            .output()
            .unwrap();
        stderr(&out)
    };
    assert!(
        warning(&["--no-config"]).contains("overlay(s) are not built"),
        "{}",
        warning(&["--no-config"])
    );
    assert_eq!(warning(&["--config", "off.yaml"]), "");

    if !common::have_tool("kubectl", "kustomize_off") {
        return;
    }
    let related_overlays = |report: &Value| -> BTreeSet<String> {
        list(report, "findings")
            .iter()
            .filter(|f| f["path"] == "deploy/base/deployment.yaml")
            .flat_map(|f| list(f, "related"))
            .map(|r| r["path"].as_str().unwrap().to_string())
            .collect()
    };
    let (built, _) = scan_in(d, &["deploy", "--no-config"]);
    assert_eq!(
        built["summary"]["images"], 4,
        "the base and two overlays' images"
    );
    assert_eq!(
        related_overlays(&built),
        BTreeSet::from([
            "deploy/overlays/prod/kustomization.yaml".to_string(),
            "deploy/overlays/staging/kustomization.yaml".to_string(),
        ])
    );

    let (files_only, _) = scan_in(d, &["deploy", "--config", "off.yaml"]);
    assert_eq!(
        files_only["summary"]["images"], 2,
        "overlays not built: the base's image and the `images:` entry as written"
    );
    assert!(related_overlays(&files_only).is_empty(), "{files_only:#}");
    assert_eq!(
        of_rule(&files_only, "image-tag-latest"),
        [(
            "error".to_string(),
            "deploy/overlays/prod/kustomization.yaml".to_string(),
            8
        )],
        "the overlay's `newTag: latest` is still checked where it is written"
    );
}

#[test]
fn paths_include_exclude() {
    let latest = pod("p", &["nginx:latest"], true);
    let dir = repo(&[
        ("deploy/app.yaml", &latest),
        ("deploy/old/legacy.yaml", &latest),
        ("docs/example.yaml", &latest),
        (
            ".imagegate.yaml",
            "paths:\n  include: [\"deploy/**\"]\n  exclude: [\"deploy/old/**\"]\n",
        ),
    ]);
    let (all, _) = scan_unconfigured(dir.path(), &[]);
    assert_eq!(
        paths_of(&all, "image-tag-latest"),
        BTreeSet::from([
            "deploy/app.yaml".to_string(),
            "deploy/old/legacy.yaml".to_string(),
            "docs/example.yaml".to_string(),
        ])
    );
    let (filtered, _) = scan_configured(dir.path(), &[]);
    assert_eq!(
        paths_of(&filtered, "image-tag-latest"),
        BTreeSet::from(["deploy/app.yaml".to_string()]),
        "include keeps deploy/, exclude drops deploy/old/"
    );

    // The globs are relative to the configuration's directory, whatever is scanned: scanning
    // `deploy` (from the root, or from inside it, where the root's file is found) still skips
    // `deploy/old`, and `deploy/**` still includes `deploy/app.yaml`.
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    for (cwd, target) in [
        (dir.path().to_path_buf(), "deploy"),
        (dir.path().join("deploy"), "."),
    ] {
        let out = run_in(&cwd, &["scan", target, "--format", "json"]);
        let report = json_of(&out);
        let files: Vec<&str> = list(&report, "findings")
            .iter()
            .filter(|f| f["rule"] == "image-tag-latest")
            .map(|f| f["path"].as_str().unwrap())
            .collect();
        assert_eq!(files.len(), 1, "scan {target} from {cwd:?}: {files:?}");
        assert!(files[0].ends_with("app.yaml"), "{files:?}");
    }

    // Nor do they depend on the working directory.
    let elsewhere = tempfile::tempdir().unwrap();
    let root = dir.path().to_str().unwrap();
    let config = dir.path().join(".imagegate.yaml");
    let (report, _) = scan_in(
        elsewhere.path(),
        &[root, "--config", config.to_str().unwrap()],
    );
    let relative: BTreeSet<String> = paths_of(&report, "image-tag-latest")
        .iter()
        .map(|p| p.strip_prefix(root).unwrap_or(p).to_string())
        .collect();
    assert_eq!(relative, BTreeSet::from(["/deploy/app.yaml".to_string()]));
}

/// A key with nothing under it, and a file of only `---`, mean the defaults.
#[test]
fn empty_sections_mean_defaults() {
    let latest = pod("p", &["nginx:latest"], true);
    for config in [
        "registries:\nhelm:\npaths:\nignore:\nrules:\n",
        "---\n",
        "# nothing yet\n",
    ] {
        let dir = repo(&[("app.yaml", &latest), (".imagegate.yaml", config)]);
        let (report, code) = scan_configured(dir.path(), &[]);
        assert_eq!(code, 1, "{config:?}");
        assert!(
            !of_rule(&report, "image-tag-latest").is_empty(),
            "{config:?}"
        );
    }
}

#[test]
fn fail_on_and_namespace() {
    let dir = repo(&[
        (
            "pod.yaml",
            &pod("web", &["registry.example.com/web:latest"], false),
        ),
        ("never.yaml", "fail-on: never\n"),
        ("warning.yaml", "fail-on: warning\n"),
        ("shop.yaml", "namespace: shop\n"),
    ]);
    let d = dir.path();
    let (report, code) = scan_in(d, &["pod.yaml", "--no-config"]);
    assert!(report["summary"]["findings"]["error"].as_u64().unwrap() > 0);
    assert_eq!(code, 1);
    let (_, code) = scan_in(d, &["pod.yaml", "--config", "never.yaml"]);
    assert_eq!(code, 0, "fail-on: never exits 0 with errors present");

    // Warnings only: below the default, at `fail-on: warning`.
    write(d, "tagged.yaml", &pod("t", &["nginx:1.27"], true));
    let (report, code) = scan_in(d, &["tagged.yaml", "--no-config"]);
    assert_eq!(report["summary"]["findings"]["error"], 0, "{report:#}");
    assert_eq!(code, 0);
    let (_, code) = scan_in(d, &["tagged.yaml", "--config", "warning.yaml"]);
    assert_eq!(code, 1, "fail-on: warning fails on warnings");

    // A manifest that is not valid YAML fails the run only with `fail-on-unchecked: true`,
    // and the flag overrides the file either way.
    write(
        d,
        "broken.yaml",
        "apiVersion: v1\nkind: Pod\nspec: [unclosed\n",
    );
    write(d, "strict.yaml", "fail-on-unchecked: true\n");
    write(d, "lenient.yaml", "fail-on-unchecked: false\n");
    let cases: [(&[&str], i32); 6] = [
        (&["--no-config"], 0),
        (&["--no-config", "--fail-on-unchecked"], 1),
        (&["--config", "strict.yaml"], 1),
        (&["--config", "lenient.yaml"], 0),
        (&["--config", "strict.yaml", "--fail-on-unchecked=false"], 0),
        (&["--config", "lenient.yaml", "--fail-on-unchecked"], 1),
    ];
    for (args, want) in cases {
        let args: Vec<&str> = std::iter::once("broken.yaml")
            .chain(args.iter().copied())
            .collect();
        assert_eq!(scan_in(d, &args).1, want, "{args:?}");
    }

    // The namespace of objects that set none: where the pod's ServiceAccount is looked up.
    let message = |report: &Value| -> Option<String> {
        list(report, "findings")
            .iter()
            .find(|f| f["rule"] == "pull-secret-missing")
            .map(|f| f["message"].as_str().unwrap().to_string())
    };
    let (report, _) = scan_in(d, &["pod.yaml", "--no-config"]);
    assert!(
        message(&report).is_some_and(|m| m.contains("`default` (namespace `default`)")),
        "{:?}",
        message(&report)
    );
    let (report, _) = scan_in(d, &["pod.yaml", "--config", "shop.yaml"]);
    assert!(
        message(&report).is_some_and(|m| m.contains("`default` (namespace `shop`)")),
        "{:?}",
        message(&report)
    );
    write(
        d,
        "sa.yaml",
        "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: default, namespace: shop}\nimagePullSecrets: [{name: regcred}]\n",
    );
    let (report, _) = scan_in(d, &["pod.yaml", "sa.yaml", "--no-config"]);
    assert!(
        message(&report).is_some(),
        "the account with a pull secret is in `shop`, the pod in `default`"
    );
    let (report, _) = scan_in(d, &["pod.yaml", "sa.yaml", "--config", "shop.yaml"]);
    assert_eq!(
        message(&report),
        None,
        "with namespace: shop the pod uses shop's default ServiceAccount, which has a pull secret"
    );

    let out = run_in(d, &["config", "show", "--config", "shop.yaml"]);
    let shown = json_of(&out);
    assert_eq!(shown["namespace"], "shop");
    assert_eq!(
        shown["helm"]["namespace"], "shop",
        "charts render into it too"
    );
}

// ---------------------------------------------------------------------------------------------
// The command line, discovery, `config show`
// ---------------------------------------------------------------------------------------------

#[test]
fn command_line_overrides_the_file() {
    let dir = repo(&[
        (
            "pod.yaml",
            &pod(
                "web",
                &["nginx:latest", "registry.example.com/app:1.0"],
                false,
            ),
        ),
        (
            ".imagegate.yaml",
            "fail-on: never\nregistries:\n  allowed: [registry.example.com]\nnamespace: shop\n",
        ),
    ]);
    let d = dir.path();
    let (report, code) = scan_configured(d, &[]);
    assert_eq!(code, 0, "the file's fail-on: never");
    assert_eq!(
        images_of(&report, "image-registry-not-allowed"),
        BTreeSet::from(["nginx:latest".to_string()])
    );

    let (_, code) = scan_configured(d, &["--fail-on", "error"]);
    assert_eq!(code, 1, "--fail-on error beats fail-on: never");

    let (report, _) = scan_configured(d, &["--allowed-registry", "docker.io/library/*"]);
    assert_eq!(
        images_of(&report, "image-registry-not-allowed"),
        BTreeSet::from(["registry.example.com/app:1.0".to_string()]),
        "--allowed-registry replaces registries.allowed (it does not add to it)"
    );

    let namespaces = |report: &Value| -> Vec<bool> {
        list(report, "findings")
            .iter()
            .filter(|f| f["rule"] == "pull-secret-missing")
            .map(|f| {
                f["message"]
                    .as_str()
                    .unwrap()
                    .contains("(namespace `prod`)")
            })
            .collect()
    };
    let (report, _) = scan_configured(d, &["--namespace", "shop"]);
    assert!(!namespaces(&report).is_empty());
    let (report, _) = scan_configured(d, &["--namespace", "prod"]);
    assert!(
        namespaces(&report).iter().all(|&prod| prod) && !namespaces(&report).is_empty(),
        "--namespace beats namespace: {report:#}"
    );

    // Without --config the file in the working directory is found; --no-config ignores it.
    let (found, code) = scan_in(d, &["."]);
    assert_eq!(code, 0, "found: fail-on never");
    assert!(!of_rule(&found, "image-registry-not-allowed").is_empty());
    let (ignored, code) = scan_in(d, &[".", "--no-config"]);
    assert_eq!(code, 1, "default fail-on: error");
    assert!(
        of_rule(&ignored, "image-registry-not-allowed").is_empty(),
        "no allow-list"
    );
    assert!(!of_rule(&ignored, "image-registry-public").is_empty());
}

#[test]
fn discovered_at_the_repository_root() {
    let config = "registries:\n  allowed: [registry.example.com]\nignore:\n  - rule: image-tag-latest\n    paths: [\"deploy/**\"]\n    reason: repository-relative paths\n";
    let dir = repo(&[
        ("deploy/web.yaml", &pod("web", &["nginx:latest"], true)),
        (".imagegate.yaml", config),
    ]);
    let d = dir.path();
    let deploy = d.join("deploy");
    let root_config = d.canonicalize().unwrap().join(".imagegate.yaml");

    // Without `.git`, the root is the working directory: the parent's file is not found.
    let (report, _) = scan_in(&deploy, &["."]);
    assert!(
        of_rule(&report, "image-registry-not-allowed").is_empty()
            && !of_rule(&report, "image-tag-latest").is_empty(),
        "the parent's configuration must not apply: {report:#}"
    );
    let shown = json_of(&run_in(&deploy, &["config", "show"]));
    assert_ne!(
        shown["config-file"].as_str().map(Path::new),
        Some(root_config.as_path())
    );

    // `.git` marks the root, as a directory or as a file (a worktree or submodule).
    for git_is_a_file in [false, true] {
        if git_is_a_file {
            fs::remove_dir_all(d.join(".git")).unwrap();
            write(d, ".git", "gitdir: /elsewhere/.git/worktrees/x\n");
        } else {
            fs::create_dir(d.join(".git")).unwrap();
        }
        let (report, _) = scan_in(&deploy, &["."]);
        assert_eq!(
            of_rule(&report, "image-registry-not-allowed"),
            [("error".to_string(), "web.yaml".to_string(), 8)],
            "the root's allow-list applies from deploy/ (.git file: {git_is_a_file})"
        );
        let suppressed = list(&report, "suppressed");
        assert_eq!(suppressed.len(), 1, "{report:#}");
        assert_eq!(suppressed[0]["rule"], "image-tag-latest");
        assert_eq!(
            suppressed[0]["suppression"]["by"].as_str().map(Path::new),
            Some(root_config.as_path()),
            "the ignore entry's `deploy/**` is relative to the root"
        );

        let out = run_in(&deploy, &["config", "show"]);
        let shown = json_of(&out);
        assert_eq!(
            shown["config-file"].as_str().map(Path::new),
            Some(root_config.as_path()),
            "config show names the file it found"
        );
        assert_eq!(shown["registries"]["allowed"][0], "registry.example.com");
    }

    // `.imagegate.yml` is found too.
    fs::rename(d.join(".imagegate.yaml"), d.join(".imagegate.yml")).unwrap();
    let shown = json_of(&run_in(d, &["config", "show"]));
    assert_eq!(shown["config-file"], ".imagegate.yml");
}

#[test]
fn config_show_prints_the_effective_configuration() {
    let config = r#"registries:
  public:
    add: [registry.example-mirror.com]
rules:
  image-tag-latest: {level: warning}
  image-registry-implicit: {level: off}
ignore:
  - rule: image-digest-missing
    paths: ["legacy/**"]
    reason: retired soon
    expires: 2999-01-31
helm:
  values: [ci/values.yaml]
kustomize: false
paths:
  exclude: ["vendor/**"]
fail-on: warning
"#;
    let dir = repo(&[(".imagegate.yaml", config)]);
    let out = run_in(
        dir.path(),
        &["config", "show", "--config", ".imagegate.yaml"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let shown = json_of(&out);

    assert_eq!(shown["config-file"], ".imagegate.yaml");
    assert_eq!(shown["fail-on"], "warning");
    assert_eq!(shown["namespace"], "default", "the default");
    assert_eq!(shown["kustomize"], false);
    assert_eq!(shown["paths"]["exclude"][0], "vendor/**");
    assert_eq!(shown["helm"]["enabled"], true, "the default");
    assert_eq!(shown["helm"]["release"], "imagegate", "the default");
    assert_eq!(shown["helm"]["values"][0], "ci/values.yaml");
    assert_eq!(shown["ignore"][0]["rule"], "image-digest-missing");
    assert_eq!(shown["ignore"][0]["expires"], "2999-01-31");

    let public: Vec<&str> = list(&shown["registries"], "public")
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        public.contains(&"docker.io") && public.contains(&"registry.example-mirror.com"),
        "the built-in public registries plus the added one: {public:?}"
    );
    assert!(
        list(&shown["registries"], "node-credentials")
            .iter()
            .any(|v| v == "*.azurecr.io"),
        "the built-in node-credential registries"
    );

    // Every rule is listed, at its configured level or its default.
    let rules = common::imagegate(["rules", "--format", "json"]);
    let catalogue: Value = serde_json::from_slice(&rules.stdout).unwrap();
    let levels = shown["rules"].as_object().expect("rules");
    assert_eq!(levels.len(), catalogue.as_array().unwrap().len());
    for rule in catalogue.as_array().unwrap() {
        let id = rule["id"].as_str().unwrap();
        let want = match id {
            "image-tag-latest" => "warning",
            "image-registry-implicit" => "off",
            _ => rule["level"].as_str().unwrap(),
        };
        assert_eq!(levels[id], want, "{id}");
    }
}

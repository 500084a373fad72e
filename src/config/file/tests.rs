//! Tests of `config/file.rs`.

use super::*;

fn error(text: &str) -> String {
    parse(text, ".imagegate.yaml").unwrap_err().to_string()
}

#[test]
fn a_full_file_parses() {
    let file = parse(
        r#"
registries:
  allowed: [ghcr.io/acme/*, "*.dkr.ecr.*.amazonaws.com"]
  public:
    add: [registry.example-mirror.com]
  private: [registry.example.com, ghcr.io/acme/*]
  node-credentials: ["*.azurecr.io"]
rules:
  image-registry-implicit:
    level: off
  secret-env-literal:
    level: warning
    credential-names: ["*_SIGNING_KEY"]
    allowed-names: [PASSWORD_POLICY]
  base-image-not-minimal:
    minimal-images: [registry.example.com/base/*]
ignore:
  - rule: image-tag-latest
    paths: ["legacy/**"]
    objects: ["Deployment/*/old-*"]
    reason: retired next quarter
    expires: 2999-01-31
helm:
  release: web
  namespace: shop
  values: [ci/values.yaml]
  charts:
    charts/web:
      values: [charts/web/values-prod.yaml]
      release: web-prod
kustomize: false
paths:
  include: ["deploy/**"]
  exclude: ["deploy/old/**"]
fail-on: warning
namespace: shop
"#,
        "x",
    )
    .unwrap();
    assert_eq!(file.registries.allowed.len(), 2);
    assert_eq!(file.registries.private[1].value, "ghcr.io/acme/*");
    assert_eq!(file.rules.0.len(), 3);
    assert_eq!(file.ignore[0].rule.value, "image-tag-latest");
    assert_eq!(
        file.helm.charts["charts/web"].release.as_deref(),
        Some("web-prod")
    );
    assert_eq!(file.kustomize, Some(false));
    assert_eq!(file.fail_on, Some(FailOnSetting::Warning));
}

#[test]
fn mistakes_point_at_their_line() {
    assert_eq!(
        error("registries:\n  alowed: [x]\n"),
        ".imagegate.yaml:2:3: unknown field `alowed`, expected one of allowed, public, private, node-credentials, mirrors, insecure, signers"
    );
    assert_eq!(
        error("fail-on: critical\n"),
        ".imagegate.yaml:1:10: unknown variant `critical`, expected one of error, warning, note, never"
    );
    assert_eq!(
        error("rules:\n  image-tag-lates:\n    level: off\n"),
        ".imagegate.yaml:2:3: unknown rule `image-tag-lates` (`imagegate rules` lists them)"
    );
    assert_eq!(
        error("registries:\n  allowed:\n    - ghcr.io/**\n"),
        ".imagegate.yaml:3:7: registries.allowed: misplaced `*` in registry pattern `ghcr.io/**`: `*` must be a whole host label (as in `*.example.com`) or the whole last path component (as in `example.com/team/*`)"
    );
    assert_eq!(
        error(
            "registries:\n  private:\n    - registry.example.com\n    - https://harbor.corp.internal\n"
        ),
        ".imagegate.yaml:4:7: registries.private: registry pattern `https://harbor.corp.internal` has a URL scheme; write the registry host without `scheme://`, e.g. `registry.example.com`"
    );
    assert_eq!(
        error("ignore:\n  - rule: image-tag-latest\n    paths: [a]\n"),
        ".imagegate.yaml:3:5: missing field `reason`"
    );
    assert_eq!(
        error("ignore:\n  - rule: image-tag-latest\n    reason: old\n"),
        ".imagegate.yaml:2:11: an ignore entry needs `paths` or `objects` (to turn a rule off everywhere, set its level to `off`)"
    );
    assert_eq!(
        error(
            "ignore:\n  - rule: image-tag-latest\n    paths: [a]\n    reason: x\n    expires: 2027-02-30\n"
        ),
        ".imagegate.yaml:5:14: expires: `2027-02-30` is not a date (YYYY-MM-DD)"
    );
    assert_eq!(
        error(
            "ignore:\n  - rule: image-tag-latest\n    objects: [Deployment/web]\n    reason: x\n"
        ),
        ".imagegate.yaml:3:15: ignore.objects: `Deployment/web` is not `Kind/namespace/name` (use `*` for any part, e.g. `Deployment/*/web`)"
    );
    assert_eq!(
        error("rules:\n  image-tag-latest:\n    minimal-images: [x]\n"),
        ".imagegate.yaml:3:5: `minimal-images` is an option of `base-image-not-minimal`, not of `image-tag-latest`"
    );
    assert_eq!(
        error("rules:\n  secret-env-literal:\n    level: warning\n    minimal-images: [x]\n"),
        ".imagegate.yaml:4:5: `minimal-images` is an option of `base-image-not-minimal`, not of `secret-env-literal`"
    );
    assert_eq!(
        error("rules:\n  secret-env-literal:\n    credential-name: [x]\n"),
        ".imagegate.yaml:3:5: unknown key `credential-name`: `secret-env-literal` takes `level`, `allowed-names`, `credential-names`"
    );
    assert_eq!(
        error("rules:\n  image-tag-latest:\n    levle: off\n"),
        ".imagegate.yaml:3:5: unknown key `levle`: `image-tag-latest` takes `level` only"
    );
    assert_eq!(
        error(
            "rules:\n  base-image-not-minimal:\n    minimal-images:\n      - ok.example.com\n      - ghcr.io/**\n"
        ),
        ".imagegate.yaml:5:9: misplaced `*` in registry pattern `ghcr.io/**`: `*` must be a whole host label (as in `*.example.com`) or the whole last path component (as in `example.com/team/*`)"
    );
    assert_eq!(
        error("rules:\n  secret-env-literal:\n    credential-names: 3\n"),
        ".imagegate.yaml:3:23: expected sequence start"
    );
    assert_eq!(
        error("registries:\n  public:\n    add: [a.io]\n    replace: [b.io]\n"),
        ".imagegate.yaml:4:15: registries.public: give `add` or `replace`, not both"
    );
    assert_eq!(
        error("paths:\n  exclude: [\"a/[b\"]\n"),
        ".imagegate.yaml:2:13: paths: `a/[b` is not a glob: unclosed character class; missing ']'"
    );
    assert_eq!(
        error("- a\n"),
        ".imagegate.yaml:1:1: expected mapping start"
    );
}

#[test]
fn empty_entries_and_options_are_defaults() {
    let file = parse(
        "rules:\n  secret-env-literal:\n  image-tag-latest: {level: off}\n  base-image-not-minimal:\n    minimal-images:\n    level: warning\n",
        "x",
    )
    .unwrap();
    assert_eq!(file.rules.0.len(), 3);
    let entry = |i: usize| file.rules.0[i].1.as_ref().unwrap();
    assert!(entry(0).level.is_none() && entry(0).options.is_none());
    assert_eq!(entry(1).level, Some(LevelSetting::Off));
    assert_eq!(entry(2).level, Some(LevelSetting::Warning));
    assert!(entry(2).options.is_some());
}

#[test]
fn a_place_written_in_a_value_is_not_taken_for_the_error_place() {
    for (text, place) in [
        ("\"x at line 0, column 0\": 1\n", ".imagegate.yaml:1:1: "),
        (
            "fail-on: \"a at line 99, column 1\"\n",
            ".imagegate.yaml:1:10: ",
        ),
        (
            "rules:\n  secret-env-literal:\n    \"k at line 7, column 3\": 1\n",
            ".imagegate.yaml:3:5: ",
        ),
    ] {
        let message = error(text);
        assert!(message.starts_with(place), "{text:?}: {message}");
    }
}

#[test]
fn a_mirror_is_a_host_not_a_url() {
    assert!(check_mirror("mirror.example.com").is_ok());
    assert!(check_mirror("127.0.0.1:5000").is_ok());
    assert!(check_mirror("localhost:5000").is_ok());
    for wrong in [
        "https://mirror.example.com",
        "mirror.example.com/path",
        "",
        "a..b",
        "host:port",
    ] {
        assert!(check_mirror(wrong).is_err(), "{wrong}");
    }
    assert_eq!(
        error("registries:\n  mirrors:\n    docker.io: https://mirror.example.com\n"),
        ".imagegate.yaml:3:16: registries.mirrors: `https://mirror.example.com` is not a registry host (host or host:port, no scheme or path)"
    );
}

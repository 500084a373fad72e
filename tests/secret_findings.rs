//! What the secret rules report beyond the lines the rule fixtures mark: the level of each
//! `secret-plaintext` key, the container of env findings in JSON and SARIF, and fingerprints
//! that did not move when reports started naming that container.

// A test crate: an unwrap that fails is a failing test, and its helpers are `pub` for its
// modules.
#![allow(clippy::unwrap_used, unreachable_pub)]

mod common;

use std::collections::BTreeMap;

use common::{imagegate, json_of, scan_json};

/// `(object name, key) → level` of every finding of `rule` in `report`.
fn levels(report: &serde_json::Value, rule: &str) -> BTreeMap<(String, String), String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .map(|f| {
            (
                (
                    f["object"]["name"].as_str().unwrap().to_string(),
                    f["key"].as_str().unwrap().to_string(),
                ),
                f["level"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn secret_plaintext_levels_follow_what_keys_hold() {
    let (report, out) = scan_json(&[
        "fixtures/rules/secret-plaintext/fire-levels.yaml",
        "--fail-on",
        "never",
    ]);
    assert!(out.status.success());
    let got = levels(&report, "secret-plaintext");
    let want: BTreeMap<(String, String), String> = [
        // A database Secret: the password and the DSN with a password are errors.
        ("orders-db", "stringData.username", "note"),
        ("orders-db", "stringData.database", "note"),
        ("orders-db", "stringData.host", "note"),
        ("orders-db", "stringData.port", "note"),
        ("orders-db", "stringData.url", "note"),
        ("orders-db", "stringData.DATABASE_URL", "error"),
        ("orders-db", "stringData.password", "error"),
        ("orders-db", "stringData.DATABASE_USER", "note"),
        // TLS: certificates are public (also base64 in `data`), keys are not, and a private
        // key inside a bundle or under a "cert" name is still a private key.
        ("api-tls", "data.tls.crt", "note"),
        ("api-tls", "data.tls.key", "error"),
        ("api-tls", "stringData.ca.crt", "note"),
        ("api-tls", "stringData.ca-bundle.pem", "error"),
        ("api-tls", "stringData.server.cert", "error"),
        // SSH and signing public keys; a Bearer value, a credential-like name and an
        // unrecognised file stay errors.
        ("deploy-keys", "stringData.id_ed25519.pub", "note"),
        ("deploy-keys", "stringData.known_hosts", "note"),
        ("deploy-keys", "stringData.cosign.pub", "note"),
        ("deploy-keys", "stringData.bearer-token", "error"),
        ("deploy-keys", "stringData.AUTH", "error"),
        ("deploy-keys", "stringData.config.json", "error"),
        // A Secret with nothing secret in it gives notes only.
        ("repo-example-apps", "stringData.type", "note"),
        ("repo-example-apps", "stringData.url", "note"),
        ("repo-example-apps", "stringData.project", "note"),
        ("repo-example-apps", "stringData.insecure", "note"),
        ("repo-example-apps", "stringData.name", "note"),
        // A webhook URL is the secret; a user name (base64 in `data`) is not.
        ("webhook", "data.webhook.url", "error"),
        ("webhook", "data.github-username", "note"),
    ]
    .into_iter()
    .map(|(o, k, l)| ((o.to_string(), k.to_string()), l.to_string()))
    .collect();
    assert_eq!(got, want);

    // A note says which key and why, never the value.
    for f in report["findings"].as_array().unwrap() {
        if f["rule"] != "secret-plaintext" {
            continue;
        }
        let message = f["message"].as_str().unwrap();
        let key = f["key"].as_str().unwrap();
        assert!(message.contains(&format!("`{key}`")), "{message}");
        if f["level"] == "note" {
            assert!(message.contains("only a note: the key holds"), "{message}");
            assert!(message.ends_with("not a credential"), "{message}");
        }
        assert!(
            !message.contains("CANARY") && !message.contains("db.shop.svc"),
            "{message}"
        );
    }
}

/// The earlier fixtures: credentials stay errors, user names and certificates become notes.
#[test]
fn secret_plaintext_levels_in_earlier_fixtures() {
    let (report, _) = scan_json(&[
        "fixtures/rules/secret-plaintext/fire-opaque.yaml",
        "fixtures/rules/secret-plaintext/fire-files-and-aliases.yaml",
        "fixtures/rules/secret-plaintext/fire-dockerconfigjson.yaml",
        "--fail-on",
        "never",
    ]);
    let got = levels(&report, "secret-plaintext");
    let level = |object: &str, key: &str| got[&(object.to_string(), key.to_string())].as_str();
    assert_eq!(level("orders-db", "data.username"), "note");
    assert_eq!(level("orders-db", "data.password"), "error");
    assert_eq!(level("orders-db", "stringData.DATABASE_URL"), "error");
    assert_eq!(level("orders-db", "stringData.api-token"), "error");
    assert_eq!(level("app-config", "stringData.config.yaml"), "error");
    assert_eq!(level("app-config", "stringData.replica-password"), "error");
    assert_eq!(level("api-tls", "stringData.tls.crt"), "note");
    assert_eq!(level("api-tls", "stringData.tls.key"), "error");
    assert_eq!(level("regcred", "data..dockerconfigjson"), "error");
}

/// The container's name in `key` (`…containers[name=x].env[name=Y]`).
fn container_in_key(key: &str) -> &str {
    let start = key.find("[name=").unwrap() + 6;
    let end = start + key[start..].find(']').unwrap();
    &key[start..end]
}

#[test]
fn env_findings_name_their_container() {
    let files = [
        "fixtures/rules/secret-env-literal/fire-uri-auth-cloud.yaml",
        "fixtures/rules/secret-env-literal/fire-deployment.yaml",
        "fixtures/rules/registry-credentials-plaintext/fire-env.yaml",
    ];
    let mut args = files.to_vec();
    args.extend(["--fail-on", "never"]);
    let (report, _) = scan_json(&args);
    let mut seen = BTreeMap::new();
    for f in report["findings"].as_array().unwrap() {
        let Some(key) = f["key"].as_str() else {
            continue;
        };
        if !key.contains(".env[name=") {
            continue;
        }
        let name = container_in_key(key);
        assert_eq!(f["container"]["name"], name, "{f}");
        let field_path = f["container"]["fieldPath"].as_str().unwrap();
        assert!(
            field_path.ends_with(".value") && field_path.contains(".env["),
            "{field_path}"
        );
        let list = &key[..key.find("[name=").unwrap()];
        assert!(
            field_path.starts_with(&format!("{list}[")),
            "{field_path} / {key}"
        );
        *seen
            .entry(list.rsplit('.').next().unwrap().to_string())
            .or_insert(0) += 1;
    }
    for list in ["initContainers", "containers", "ephemeralContainers"] {
        assert!(
            seen.contains_key(list),
            "no env finding in {list}: {seen:?}"
        );
    }
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "registry-credentials-plaintext" && f["container"].is_object()),
        "registry-credentials-plaintext env findings name their container too"
    );

    // SARIF: `properties.object.container`, null for findings on no container.
    let mut sarif_args = vec!["scan", "--format", "sarif"];
    sarif_args.extend(args.iter().copied());
    sarif_args.push("fixtures/rules/secret-plaintext/fire-opaque.yaml");
    let sarif = json_of(&imagegate(&sarif_args));
    let mut checked = 0;
    for result in sarif["runs"][0]["results"].as_array().unwrap() {
        let rule = result["ruleId"].as_str().unwrap();
        let container = &result["properties"]["object"]["container"];
        match rule {
            "secret-env-literal" => {
                assert!(container.is_string(), "{result}");
                checked += 1;
            }
            "secret-plaintext" => assert!(container.is_null(), "{result}"),
            _ => {}
        }
    }
    assert!(checked >= 30, "only {checked} env findings in SARIF");
}

/// Fingerprints hash rule, path and the subject's identity; naming the container in reports
/// must not move them (these are the values from before it did).
#[test]
fn env_finding_fingerprints_are_unchanged() {
    let (report, _) = scan_json(&[
        "fixtures/rules/secret-env-literal/fire-deployment.yaml",
        "--fail-on",
        "never",
    ]);
    let got: BTreeMap<&str, &str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "secret-env-literal")
        .map(|f| {
            (
                f["key"].as_str().unwrap(),
                f["fingerprint"].as_str().unwrap(),
            )
        })
        .collect();
    let want = [
        (
            "spec.template.spec.initContainers[name=migrate].env[name=DB_PASSWORD]",
            "8eb8783617aadef4228b779ed9fa08ae",
        ),
        (
            "spec.template.spec.containers[name=api].env[name=PAYMENT_API_KEY]",
            "f46cecf2538827f7f1e87b87cf848fa0",
        ),
        (
            "spec.template.spec.containers[name=api].env[name=GITHUB_TOKEN]",
            "a92689898a0a647435bb612b4feb1f4b",
        ),
        (
            "spec.template.spec.containers[name=notifier].env[name=GIT_REMOTE]",
            "2ed577174f22bd2e32103b46edbc04a6",
        ),
    ];
    for (key, fingerprint) in want {
        assert_eq!(got.get(key).copied(), Some(fingerprint), "{key}");
    }
}

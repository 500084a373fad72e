//! `imagegate scan --online` (and the action with `online: "true"`) against a real registry on
//! loopback (`../shared/tools/registry/`): the online rules' fixtures, each authentication
//! mode, mirrors, faults, the cache, and no credential in any output. Skipped with a message
//! without `docker-registry`; required under `IMAGEGATE_REQUIRE_TOOLS`.

// A test crate: an unwrap that fails is a failing test, and its helpers are `pub` for its
// modules.
#![allow(clippy::unwrap_used, unreachable_pub)]

mod common;

use std::path::Path;
use std::process::Output;

use base64::Engine as _;
use common::registry::{Registry, available, proxy_log, set_proxy_rules};
use common::{json_of, marks, rel, root};
use serde_json::Value;

/// The online rules (from the catalog).
fn online_rules() -> Vec<&'static str> {
    imagegate::rules::ALL
        .iter()
        .map(|r| r.meta())
        .filter(|m| m.online)
        .map(|m| m.id)
        .collect()
}

/// Run `imagegate ARGS` in the repository root with no Docker configuration of the machine
/// in sight (`HOME`, `DOCKER_CONFIG`, `REGISTRY_AUTH_FILE` point at an empty folder).
fn imagegate_online(args: &[&str]) -> Output {
    let home = tempfile::tempdir().unwrap();
    let mut all: Vec<&str> = args.to_vec();
    if all.first() == Some(&"scan") && !all.iter().any(|a| *a == "--config" || *a == "--no-config")
    {
        all.insert(1, "--no-config");
    }
    common::command_in(&root())
        .env("HOME", home.path())
        .env("DOCKER_CONFIG", home.path())
        .env_remove("REGISTRY_AUTH_FILE")
        .args(&all)
        .output()
        .unwrap()
}

fn findings<'a>(report: &'a Value, rule: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

/// A registry with everything the online fixtures name: the kit's fixed set signed with the
/// trusted test key, and images signed well, with a copied signature, with a forged one, and
/// by an untrusted key.
fn fixtures_registry() -> Registry {
    let key = root().join("fixtures/online/cosign-test.key");
    let other = root().join("fixtures/online/other-test.key");
    let key = key.to_str().unwrap();
    let mut registry = Registry::start_with("anon", &["--cosign-key", key]);
    registry.push(&[
        "--cosign-key",
        key,
        "--sign",
        "--image",
        "team/good:1",
        "--image",
        "team/copied:1",
        "--tamper",
        "team/copied:1",
        "--image",
        "team/forged:1",
        "--bad-signature",
        "team/forged:1",
    ]);
    registry.push(&[
        "--cosign-key",
        other.to_str().unwrap(),
        "--sign",
        "--image",
        "team/stranger:1",
        "--image",
        "other/stranger:1",
    ]);
    registry
}

#[test]
fn online_rules_fire_exactly_on_marked_lines() {
    if !available("online_rules_fire_exactly_on_marked_lines") {
        return;
    }
    let registry = fixtures_registry();
    let mirror = format!("registry.test={}", registry.address);
    let mut failures = Vec::new();
    for rule in online_rules() {
        let dir = root().join("fixtures/rules").join(rule);
        let files = marks::fixture_files(&dir);
        let mut args: Vec<String> = vec![
            "scan".into(),
            "--format".into(),
            "json".into(),
            "--fail-on".into(),
            "never".into(),
            "--online".into(),
            "--registry-mirror".into(),
            mirror.clone(),
        ];
        args.extend(common::args_file(&dir));
        args.extend(files.iter().map(|f| rel(f)));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = imagegate_online(&args);
        assert!(out.status.success(), "{rule}: exit {:?}", out.status);
        let report = json_of(&out);
        failures.extend(marks::compare(rule, &files, &report));
        // Every reference was answered: nothing "not checked".
        let stats = &report["summary"]["online"];
        assert_eq!(stats["notChecked"], 0, "{rule}: {stats}");
        for f in findings(&report, rule) {
            assert!(
                f["online"]["registryAnswer"].is_string(),
                "{rule}: no registry answer in {f}"
            );
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn online_findings_say_what_the_registry_answered_in_sarif_and_text() {
    if !available("online_findings_say_what_the_registry_answered_in_sarif_and_text") {
        return;
    }
    let registry = fixtures_registry();
    let mirror = format!("registry.test={}", registry.address);
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("online.sarif");
    let out = imagegate_online(&[
        "scan",
        "--online",
        "--registry-mirror",
        &mirror,
        "--config",
        "fixtures/online/signers.yaml",
        "--format",
        "sarif",
        "--output",
        sarif.to_str().unwrap(),
        "fixtures/rules/image-digest-outdated/fire-moved.yaml",
        "fixtures/rules/image-signature-untrusted/fire-untrusted.yaml",
    ]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let log: Value = serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for id in online_rules() {
        let rule = rules.iter().find(|r| r["id"] == id).unwrap();
        assert_eq!(rule["properties"]["online"], true, "{id}");
    }
    let outdated: Vec<&Value> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ruleId"] == "image-digest-outdated")
        .collect();
    assert_eq!(outdated.len(), 2);
    for result in outdated {
        let props = &result["properties"];
        assert_eq!(props["online"], true);
        assert_eq!(props["registryAnswer"], "tag-moved");
        // Where `latest` points now: the kit's test/app:v2.
        assert_eq!(props["resolvedDigest"], registry.digest("test/app:v2"));
    }
    let copied = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["ruleId"] == "image-signature-untrusted"
                && r["properties"]["registryAnswer"] == "signature-for-another-digest"
        })
        .unwrap();
    assert!(
        copied["message"]["text"]
            .as_str()
            .unwrap()
            .contains("another digest"),
        "{copied}"
    );
    if common::have_tool(
        "validate-sarif",
        "online_findings_say_what_the_registry_answered_in_sarif_and_text",
    ) {
        let checked = std::process::Command::new("validate-sarif")
            .env("PATH", common::tools_path())
            .arg("--strict")
            .arg(&sarif)
            .output()
            .unwrap();
        assert!(checked.status.success(), "{checked:?}");
    }

    // The text report counts what was checked online.
    let out = imagegate_online(&[
        "scan",
        "--online",
        "--registry-mirror",
        &mirror,
        "--fail-on",
        "never",
        "fixtures/rules/image-digest-outdated/ok-current.yaml",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("4 checked online"), "{stdout}");
}

/// A pod without pull secrets, its images in `registry`.
fn pod(dir: &Path, images: &[&str]) -> String {
    let containers: String = images
        .iter()
        .enumerate()
        .map(|(i, image)| format!("    - name: c{i}\n      image: {image}\n"))
        .collect();
    let path = dir.join("pod.yaml");
    std::fs::write(
        &path,
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n{containers}"
        ),
    )
    .unwrap();
    path.to_str().unwrap().to_string()
}

fn docker_config(dir: &Path, registry: &str, user: &str, password: &str) -> String {
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    let path = dir.join("config.json");
    std::fs::write(
        &path,
        serde_json::json!({ "auths": { registry: { "auth": auth } } }).to_string(),
    )
    .unwrap();
    path.to_str().unwrap().to_string()
}

/// Nothing that could be a credential in `out`: the password, its base64 form, a bearer
/// token (the token server's JWTs start `eyJ`).
fn assert_no_credential(out: &Output, what: &str) {
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let encoded = base64::engine::general_purpose::STANDARD.encode("testuser:testpass");
    // (Rule documentation in SARIF mentions `Authorization` headers: the values are what
    // must never show.)
    for secret in ["testpass", "wrongpass", encoded.as_str(), "eyJ"] {
        if let Some(at) = all.find(secret) {
            let from = at.saturating_sub(200);
            panic!(
                "{what}: `{secret}` in the output: …{}…",
                &all[from..at + secret.len()]
            );
        }
    }
}

#[test]
fn registry_answers_decide_private_and_public_and_credentials_never_show() {
    if !available("registry_answers_decide_private_and_public_and_credentials_never_show") {
        return;
    }
    // Token mode: anonymous tokens pull everything but `private/`.
    let registry = Registry::start("token");
    let dir = tempfile::tempdir().unwrap();
    let public = format!("{}/test/app:v1", registry.address);
    let private = format!("{}/private/app:v1", registry.address);
    let manifest = pod(dir.path(), &[&public, &private]);
    let scan = |extra: &[&str], format: &str| {
        let mut args = vec!["scan", "--online", "--fail-on", "never", "--format", format];
        args.extend(extra);
        args.push(&manifest);
        imagegate_online(&args)
    };

    // No credentials: the public image is public, the private one private (and unreadable).
    let out = scan(&[], "json");
    assert_no_credential(&out, "anonymous");
    let report = json_of(&out);
    let missing = findings(&report, "pull-secret-missing");
    assert_eq!(missing.len(), 1, "{missing:?}");
    assert_eq!(missing[0]["level"], "error");
    assert!(missing[0]["message"].as_str().unwrap().contains(&private));
    assert!(
        missing[0]["message"]
            .as_str()
            .unwrap()
            .contains("refused to serve it without credentials")
    );
    let public_findings = findings(&report, "image-registry-public");
    assert_eq!(public_findings.len(), 1, "{public_findings:?}");
    assert!(
        public_findings[0]["message"]
            .as_str()
            .unwrap()
            .contains(&public)
    );
    let not_found = findings(&report, "image-not-found");
    assert_eq!(not_found.len(), 1);
    assert_eq!(not_found[0]["level"], "warning");
    assert!(
        not_found[0]["message"]
            .as_str()
            .unwrap()
            .contains("not readable without credentials")
    );

    // With the user's credentials: the private image exists (no image-not-found), and is
    // still private (an anonymous client is refused).
    let auth = docker_config(dir.path(), &registry.address, "testuser", "testpass");
    for format in ["json", "text", "sarif", "markdown"] {
        let out = scan(&["--registry-auth", &auth, "--verbose"], format);
        assert_no_credential(&out, format);
    }
    let report = json_of(&scan(&["--registry-auth", &auth], "json"));
    assert!(findings(&report, "image-not-found").is_empty(), "{report}");
    assert_eq!(findings(&report, "pull-secret-missing").len(), 1);
    assert_eq!(findings(&report, "image-unsigned").len(), 2, "both read");

    // A wrong password: a diagnostic for the references it refused, never a finding.
    let wrong_dir = tempfile::tempdir().unwrap();
    let wrong = docker_config(wrong_dir.path(), &registry.address, "testuser", "wrongpass");
    let out = scan(&["--registry-auth", &wrong], "json");
    assert_no_credential(&out, "wrong password");
    let report = json_of(&out);
    assert!(findings(&report, "image-not-found").is_empty(), "{report}");
    let diagnostics = report["diagnostics"].to_string();
    assert!(
        diagnostics.contains("refused the credentials configured for it"),
        "{diagnostics}"
    );
    assert_eq!(report["summary"]["online"]["notChecked"], 2);

    // A --registry-auth file that does not exist is said, and the scan goes on anonymously.
    let out = scan(&["--registry-auth", "/nonexistent/config.json"], "json");
    let report = json_of(&out);
    assert!(report["diagnostics"].to_string().contains("no such file"));
    assert_eq!(findings(&report, "image-not-found").len(), 1);
}

#[test]
fn basic_authentication_and_docker_hub_through_a_mirror() {
    if !available("basic_authentication_and_docker_hub_through_a_mirror") {
        return;
    }
    let mut registry = Registry::start("basic");
    registry.push(&["--image", "library/nginx:1.27"]);
    let dir = tempfile::tempdir().unwrap();
    let manifest = pod(
        dir.path(),
        &[
            "nginx:1.27",
            "docker.io/library/nginx:1.99",
            "index.docker.io/library/nginx:1.27",
            "registry-1.docker.io/library/nginx:1.27",
        ],
    );
    let auth = docker_config(dir.path(), &registry.address, "testuser", "testpass");
    let mirror = format!("docker.io={}", registry.address);
    let out = imagegate_online(&[
        "scan",
        "--online",
        "--registry-mirror",
        &mirror,
        "--registry-auth",
        &auth,
        "--fail-on",
        "never",
        "--format",
        "json",
        &manifest,
    ]);
    assert_no_credential(&out, "basic");
    let report = json_of(&out);
    let not_found = findings(&report, "image-not-found");
    assert_eq!(not_found.len(), 1, "{not_found:?}");
    assert!(not_found[0]["message"].as_str().unwrap().contains("1.99"));
    // Every spelling of Docker Hub is the one reference, asked once, answered by the mirror.
    let unsigned = findings(&report, "image-unsigned");
    assert_eq!(unsigned.len(), 3, "{unsigned:?}");
    for f in unsigned {
        assert_eq!(
            f["online"]["resolvedDigest"],
            registry.digest("library/nginx:1.27")
        );
    }
    assert_eq!(report["summary"]["online"]["checked"], 2);

    // The same mirror from the configuration file.
    let config = dir.path().join(".imagegate.yaml");
    std::fs::write(
        &config,
        format!(
            "online: true\nregistries:\n  mirrors:\n    docker.io: {}\n",
            registry.address
        ),
    )
    .unwrap();
    let out = imagegate_online(&[
        "scan",
        "--config",
        config.to_str().unwrap(),
        "--registry-auth",
        &auth,
        "--fail-on",
        "never",
        "--format",
        "json",
        &manifest,
    ]);
    let report = json_of(&out);
    assert_eq!(findings(&report, "image-unsigned").len(), 3, "{report}");
}

#[test]
fn faults_are_diagnostics_and_the_exit_code_does_not_change() {
    if !available("faults_are_diagnostics_and_the_exit_code_does_not_change") {
        return;
    }
    let mut registry = Registry::start("anon");
    let dir = tempfile::tempdir().unwrap();
    let proxy = registry.proxy("[]");
    let manifest = pod(
        dir.path(),
        &[&format!(
            "{proxy}/test/app:v1@{}",
            registry.digest("test/app:v1")
        )],
    );
    let scan = |extra: &[&str]| {
        let mut args = vec!["scan", "--format", "json"];
        args.extend(extra);
        args.push(&manifest);
        imagegate_online(&args)
    };
    let offline = scan(&[]);

    // A forged Docker-Content-Digest on every manifest answer: retried, then given up;
    // never reported as the image's digest.
    set_proxy_rules(
        &proxy,
        r#"[{"match": "manifests", "action": "digest", "value": "sha256:1111111111111111111111111111111111111111111111111111111111111111"}]"#,
    );
    let out = scan(&["--online"]);
    let report = json_of(&out);
    assert!(
        !out.stdout.windows(10).any(|w| w == b"sha256:111"),
        "{report}"
    );
    assert!(findings(&report, "image-unsigned").is_empty());
    assert_eq!(report["summary"]["online"]["notChecked"], 1);
    assert_eq!(out.status.code(), offline.status.code());

    // 503 twice then fine: retried, answered.
    set_proxy_rules(
        &proxy,
        r#"[{"match": "manifests", "times": 2, "action": "status", "code": 503}]"#,
    );
    let report = json_of(&scan(&["--online"]));
    assert_eq!(report["summary"]["online"]["checked"], 1, "{report}");
    assert_eq!(findings(&report, "image-unsigned").len(), 1);

    // A registry that never answers: the phase ends at --online-timeout, with one
    // diagnostic for the reference, and the scan finishes with the offline exit code.
    set_proxy_rules(
        &proxy,
        r#"[{"match": ".", "action": "stall", "seconds": 60}]"#,
    );
    let started = std::time::Instant::now();
    let out = scan(&["--online", "--online-timeout", "2"]);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(out.status.code(), offline.status.code());
    let report = json_of(&out);
    let diagnostics = report["diagnostics"].to_string();
    assert!(
        diagnostics.contains("was not checked online"),
        "{diagnostics}"
    );
    assert_eq!(report["summary"]["online"]["notChecked"], 1);
    let online = online_rules();
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| !online.contains(&f["rule"].as_str().unwrap())),
        "{report}"
    );
}

#[test]
fn the_cache_answers_the_second_run() {
    if !available("the_cache_answers_the_second_run") {
        return;
    }
    let mut registry = Registry::start("anon");
    let proxy = registry.proxy("[]");
    let dir = tempfile::tempdir().unwrap();
    let manifest = pod(
        dir.path(),
        &[
            &format!("{proxy}/test/app:v1"),
            &format!("{proxy}/test/signed:v1"),
        ],
    );
    let cache = dir.path().join("cache");
    let scan = || {
        json_of(&imagegate_online(&[
            "scan",
            "--online",
            "--cache-dir",
            cache.to_str().unwrap(),
            "--fail-on",
            "never",
            "--format",
            "json",
            &manifest,
        ]))
    };
    let first = scan();
    assert!(!proxy_log(&proxy).is_empty());
    // The registry now fails everything: the cached answers are used, nothing is asked.
    set_proxy_rules(
        &proxy,
        r#"[{"match": ".", "action": "status", "code": 500}]"#,
    );
    let second = scan();
    assert_eq!(first["findings"], second["findings"]);
    assert_eq!(second["summary"]["online"]["checked"], 2);
    assert!(proxy_log(&proxy).is_empty(), "{:?}", proxy_log(&proxy));
    // A damaged entry is a miss, asked again (and now not answered).
    for entry in std::fs::read_dir(cache.join("online")).unwrap() {
        std::fs::write(entry.unwrap().path(), "{").unwrap();
    }
    let third = scan();
    assert_eq!(third["summary"]["online"]["notChecked"], 2, "{third}");
}

#[test]
fn the_action_runs_online_with_its_inputs() {
    if !available("the_action_runs_online_with_its_inputs") {
        return;
    }
    let registry = Registry::start("token");
    let workspace = tempfile::tempdir().unwrap();
    let runner = tempfile::tempdir().unwrap();
    // One image asked directly (private: refused anonymously), one through the mirror input.
    let private = format!("{}/private/app:v1", registry.address);
    pod(workspace.path(), &[&private, "docker.io/test/app:v2"]);
    let auth = serde_json::json!({ "auths": { registry.address.as_str(): {
        "auth": base64::engine::general_purpose::STANDARD.encode("testuser:testpass")
    } } })
    .to_string();
    let output = runner.path().join("output");
    let summary = runner.path().join("summary.md");
    std::fs::write(&output, "").unwrap();
    std::fs::write(&summary, "").unwrap();
    let event = runner.path().join("event.json");
    std::fs::write(&event, r#"{"ref": "refs/heads/main"}"#).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_imagegate"))
        .arg("github")
        .current_dir(workspace.path())
        .env_clear()
        .env("PATH", common::tools_path())
        .env("HOME", runner.path())
        .env("RUNNER_TEMP", runner.path())
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_WORKSPACE", workspace.path())
        .env("GITHUB_EVENT_NAME", "push")
        .env("GITHUB_EVENT_PATH", &event)
        .env("GITHUB_OUTPUT", &output)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_REPOSITORY", "octo/demo")
        .env("GITHUB_SHA", "9999999999999999999999999999999999999999")
        .env("RUNNER_DEBUG", "1")
        .env("INPUT_ONLINE", "true")
        .env(
            "INPUT_REGISTRY-MIRRORS",
            format!("docker.io={}", registry.address),
        )
        .env("INPUT_REGISTRY-AUTH", &auth)
        .env("INPUT_COMMENT", "never")
        .env("INPUT_FAIL-ON", "never")
        .output()
        .unwrap();
    assert_no_credential(&out, "action");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let sarif: Value = serde_json::from_str(
        &std::fs::read_to_string(workspace.path().join("imagegate.sarif")).unwrap(),
    )
    .unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    // Both read with the credentials (unsigned, not "not found"); the private one private by
    // the anonymous answer.
    assert_eq!(
        results
            .iter()
            .filter(|r| r["ruleId"] == "image-unsigned")
            .count(),
        2,
        "{results:?}"
    );
    assert!(!results.iter().any(|r| r["ruleId"] == "image-not-found"));
    let missing = results
        .iter()
        .find(|r| r["ruleId"] == "pull-secret-missing")
        .unwrap();
    assert_eq!(missing["level"], "error");
    // The credentials file is gone with the run.
    let left: Vec<_> = std::fs::read_dir(runner.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains("registry-auth"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    let summary = std::fs::read_to_string(&summary).unwrap();
    assert!(summary.contains("checked online"), "{summary}");
}

#[test]
fn a_registry_with_tls_is_trusted_through_ssl_cert_file() {
    if !available("a_registry_with_tls_is_trusted_through_ssl_cert_file") {
        return;
    }
    let registry = Registry::start_tls("anon");
    let dir = tempfile::tempdir().unwrap();
    let manifest = pod(dir.path(), &[&format!("{}/test/app:v1", registry.address)]);
    let scan = |ca: Option<&Path>| {
        let home = tempfile::tempdir().unwrap();
        let mut command = common::command_in(&root());
        command
            .env("HOME", home.path())
            .env("DOCKER_CONFIG", home.path())
            .env_remove("SSL_CERT_FILE")
            .env_remove("SSL_CERT_DIR");
        if let Some(ca) = ca {
            command.env("SSL_CERT_FILE", ca);
        }
        let out = command
            .args([
                "scan",
                "--no-config",
                "--online",
                "--online-timeout",
                "20",
                "--fail-on",
                "never",
                "--format",
                "json",
                &manifest,
            ])
            .output()
            .unwrap();
        json_of(&out)
    };
    // Trusted: the loopback registry is asked over HTTPS (it speaks nothing else).
    let report = scan(Some(&registry.ca()));
    assert_eq!(report["summary"]["online"]["checked"], 1, "{report}");
    let unsigned = findings(&report, "image-unsigned");
    assert_eq!(
        unsigned[0]["online"]["resolvedDigest"],
        registry.digest("test/app:v1")
    );
    // Not trusted: not checked, with a diagnostic that says why; never a finding.
    let report = scan(None);
    assert_eq!(report["summary"]["online"]["notChecked"], 1, "{report}");
    assert!(findings(&report, "image-unsigned").is_empty());
    let diagnostics = report["diagnostics"].to_string();
    assert!(
        diagnostics.contains("TLS certificate is not trusted"),
        "{diagnostics}"
    );
}

#[test]
fn online_findings_of_a_chart_land_on_its_values_lines() {
    if !available("online_findings_of_a_chart_land_on_its_values_lines")
        || !common::have_tool(
            "helm",
            "online_findings_of_a_chart_land_on_its_values_lines",
        )
    {
        return;
    }
    let registry = Registry::start("anon");
    let mirror = format!("registry.test={}", registry.address);
    let out = imagegate_online(&[
        "scan",
        "--online",
        "--registry-mirror",
        &mirror,
        "--fail-on",
        "never",
        "--format",
        "json",
        "fixtures/online/chart",
    ]);
    let report = json_of(&out);
    let at = |f: &Value| {
        format!(
            "{}:{}:{}",
            f["path"].as_str().unwrap(),
            f["start"]["line"],
            f["start"]["column"]
        )
    };
    let not_found: Vec<String> = findings(&report, "image-not-found")
        .iter()
        .map(|f| at(f))
        .collect();
    assert_eq!(
        not_found,
        ["fixtures/online/chart/values.yaml:6:10"],
        "{report}"
    );
    // The worker's tag comes from Chart.yaml: it exists, unsigned, reported where the chart
    // sets it.
    let unsigned: Vec<String> = findings(&report, "image-unsigned")
        .iter()
        .map(|f| at(f))
        .collect();
    assert_eq!(unsigned.len(), 1, "{unsigned:?}");
    assert_eq!(report["summary"]["online"]["notChecked"], 0);
}

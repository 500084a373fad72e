//! Snapshots of the text, JSON and SARIF reports for the bundled demo, and SARIF validation
//! with GitHub's ingestion rules (`../shared/tools/validate-sarif --strict`). The demo holds a
//! chart, so the snapshots need `helm` (the `../shared/tools` stand-in, or one on PATH).

// A test crate: an unwrap that fails is a failing test, and its helpers are `pub` for its
// modules.
#![allow(clippy::unwrap_used, unreachable_pub)]

mod common;

use common::{imagegate, root};

/// Reports with the version number masked, so a release does not churn the snapshots.
fn run(args: &[&str]) -> String {
    let out = imagegate(args);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
    String::from_utf8(out.stdout)
        .unwrap()
        .replace(env!("CARGO_PKG_VERSION"), "[VERSION]")
}

#[test]
fn demo_text() {
    if common::have_tool("helm", "demo_text") {
        insta::assert_snapshot!(run(&["scan", "fixtures/demo"]));
    }
}

#[test]
fn demo_sarif() {
    if common::have_tool("helm", "demo_sarif") {
        insta::assert_snapshot!(run(&["scan", "fixtures/demo", "--format", "sarif"]));
    }
}

#[test]
fn demo_json() {
    if common::have_tool("helm", "demo_json") {
        insta::assert_snapshot!(run(&["scan", "fixtures/demo", "--format", "json"]));
    }
}

#[test]
fn demo_exits_1_on_errors() {
    assert_eq!(imagegate(["scan", "fixtures/demo"]).status.code(), Some(1));
}

/// Where `validate-sarif` is: next to the repository in `../shared/tools`, or on PATH.
fn validator() -> Option<std::path::PathBuf> {
    let shared = root().join("../shared/tools/validate-sarif");
    if shared.exists() {
        return Some(shared);
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join("validate-sarif"))
            .find(|p| p.exists())
    })
}

/// The SARIF of the demo and of every rule's fixtures passes GitHub's ingestion rules.
#[test]
fn sarif_passes_validate_sarif_strict() {
    let required = std::env::var_os("IMAGEGATE_REQUIRE_TOOLS").is_some();
    let Some(validator) = validator() else {
        assert!(
            !required,
            "validate-sarif is required here but was not found"
        );
        eprintln!("skipped: validate-sarif not found (../shared/tools or PATH)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo.sarif");
    let rules = dir.path().join("rules.sarif");
    let helm = dir.path().join("helm.sarif");
    let absolute_demo = root().join("fixtures/demo");
    for (target, file, extra) in [
        (absolute_demo.to_str().unwrap(), &demo, None),
        ("fixtures/rules", &rules, Some("docker.io/library/*")),
        ("fixtures/helm", &helm, None),
    ] {
        let mut args = vec!["scan", target, "--format", "sarif", "--fail-on", "never"];
        if let Some(pattern) = extra {
            args.extend(["--allowed-registry", pattern]);
        }
        args.extend(["--output", file.to_str().unwrap()]);
        assert!(imagegate(&args).status.success());
    }
    // One file a call: two files of one tool and category in one upload are rejected.
    for file in [&demo, &rules, &helm] {
        let out = std::process::Command::new("bash")
            .arg(&validator)
            .arg("--strict")
            .arg(file)
            .output()
            .expect("run validate-sarif");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        if out.status.code() == Some(2) && !required {
            eprintln!("skipped: validate-sarif could not run its tools here:\n{stderr}");
            return;
        }
        assert!(
            out.status.success(),
            "validate-sarif failed:\n{stdout}\n{stderr}"
        );
    }
}

/// GitHub rejects a run with more than 25,000 results: the most severe are kept and a
/// notification says how many were left out.
#[test]
fn sarif_keeps_within_githubs_result_limit() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("many.yaml");
    let mut text = String::new();
    // Each pod: image-digest-missing and image-registry-public (warnings), and
    // image-registry-implicit and image-signature-unverified (notes); one registry-policy-missing.
    for i in 0..8_400 {
        text.push_str(&format!(
            "---\napiVersion: v1\nkind: Pod\nmetadata: {{name: p{i}}}\nspec:\n  containers: [{{name: a, image: nginx:1.{i}}}]\n"
        ));
    }
    // And one error, last in the file.
    text.push_str("---\napiVersion: v1\nkind: Pod\nmetadata: {name: last}\nspec:\n  containers: [{name: a, image: nginx}]\n");
    std::fs::write(&file, text).unwrap();
    let out = imagegate([
        "scan",
        file.to_str().unwrap(),
        "--format",
        "sarif",
        "--max-file-size",
        "100M",
    ]);
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 25_000);
    assert!(
        results.iter().any(|r| r["ruleId"] == "image-tag-missing"),
        "the error is kept"
    );
    // 1 error and 16,801 warnings are all kept; the notes fill the rest.
    let notes = results.iter().filter(|r| r["level"] == "note").count();
    assert_eq!(notes, 25_000 - 16_802, "notes are the ones left out");
    let notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    let message = notes.last().unwrap()["message"]["text"].as_str().unwrap();
    assert!(
        message.starts_with("8605 of 33605 results were left out"),
        "{message}"
    );
}

/// Files that cannot be checked are SARIF tool execution notifications, at their line.
#[test]
fn sarif_notifications_name_unreadable_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("broken.yaml"),
        "apiVersion: v1\nkind: Pod\nspec: [oops\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("binary.yaml"), b"\0\0\0").unwrap();
    let out = imagegate(["scan", dir.path().to_str().unwrap(), "--format", "sarif"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "diagnostics do not fail the run"
    );
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert_eq!(notes.len(), 2, "{notes:#?}");
    let broken = notes
        .iter()
        .find(|n| {
            n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .ends_with("broken.yaml")
        })
        .unwrap();
    assert_eq!(broken["level"], "warning");
    assert_eq!(
        broken["locations"][0]["physicalLocation"]["region"]["startLine"],
        3
    );
    assert!(
        broken["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with("invalid YAML")
    );
}

/// However the paths are given, SARIF URIs are relative to the repository root, as GitHub
/// needs them.
#[test]
fn sarif_uris_are_repository_relative() {
    let demo = root().join("fixtures/demo");
    let mut cases = vec![(root(), demo.to_str().unwrap().to_string())];
    // From a subdirectory, the repository root is found through `.git` (a source tarball
    // has none, and then the working directory is the root).
    if root().join(".git").exists() {
        cases.push((root().join("src"), "../fixtures/demo".to_string()));
        cases.push((root().join("fixtures"), "./demo".to_string()));
    }
    for (cwd, path) in cases {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_imagegate"))
            .args(["scan", &path, "--format", "sarif"])
            .current_dir(&cwd)
            .output()
            .unwrap();
        let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let uris: Vec<&str> = log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let loc = &r["locations"][0]["physicalLocation"]["artifactLocation"];
                assert_eq!(loc["uriBaseId"], "%SRCROOT%", "{path}");
                loc["uri"].as_str().unwrap()
            })
            .collect();
        assert!(!uris.is_empty());
        assert!(
            uris.iter().all(|u| u.starts_with("fixtures/demo/")),
            "{path} from {}: {uris:?}",
            cwd.display()
        );
    }
}

/// `--format github` outside action mode: escaped workflow commands, errors first, capped at
/// GitHub's 10 a kind with one notice counting the rest; the exit code still follows `--fail-on`.
#[test]
fn github_format_prints_capped_annotations() {
    let out = imagegate(["scan", "fixtures/rules", "--format", "github", "--no-helm"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.iter().all(|l| l.starts_with("::")), "{text}");
    let kind = |k: &str| {
        lines
            .iter()
            .filter(|l| l.starts_with(&format!("::{k} ")))
            .count()
    };
    assert_eq!(kind("error"), 10);
    assert_eq!(kind("warning"), 10);
    assert!(kind("notice") <= 10);
    let first_warning = lines
        .iter()
        .position(|l| l.starts_with("::warning "))
        .unwrap();
    assert!(
        lines[..first_warning]
            .iter()
            .all(|l| l.starts_with("::error "))
    );
    assert!(lines.last().unwrap().contains("more not annotated"));
    // Paths are repository-relative, parameters escaped.
    assert!(
        lines[0].starts_with("::error file=fixtures/rules/"),
        "{}",
        lines[0]
    );
    assert!(lines.iter().all(|l| !l.contains('\r')));
}

/// `--format markdown`: the verdict first, a table row per finding, no source text.
#[test]
fn markdown_format_is_the_comment_renderer() {
    let out = imagegate(["scan", "fixtures/demo/k8s", "--format", "markdown"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("### ❌ imagegate: "), "{text}");
    assert!(text.contains("| 🔴 error | [`image-tag-latest`]("));
    assert!(text.contains("`fixtures/demo/k8s/deployment.yaml:22`"));
    let passing = imagegate([
        "scan",
        "fixtures/demo/k8s",
        "--format",
        "markdown",
        "--fail-on",
        "never",
    ]);
    assert_eq!(passing.status.code(), Some(0));
    assert!(
        String::from_utf8(passing.stdout)
            .unwrap()
            .contains("(passes: `fail-on` is `never`)")
    );
}

//! Snapshots of the text, JSON and SARIF reports for the bundled demo, and SARIF validation
//! with GitHub's ingestion rules (`../shared/tools/validate-sarif --strict`).

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
    insta::assert_snapshot!(run(&["scan", "fixtures/demo"]));
}

#[test]
fn demo_sarif() {
    insta::assert_snapshot!(run(&["scan", "fixtures/demo", "--format", "sarif"]));
}

#[test]
fn demo_json() {
    insta::assert_snapshot!(run(&["scan", "fixtures/demo", "--format", "json"]));
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
    for (target, file, extra) in [
        ("fixtures/demo", &demo, None),
        ("fixtures/rules", &rules, Some("docker.io/library/*")),
    ] {
        let mut args = vec!["scan", target, "--format", "sarif", "--fail-on", "never"];
        if let Some(pattern) = extra {
            args.extend(["--allowed-registry", pattern]);
        }
        args.extend(["--output", file.to_str().unwrap()]);
        assert!(imagegate(&args).status.success());
    }
    // One file a call: two files of one tool and category in one upload are rejected.
    for file in [&demo, &rules] {
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

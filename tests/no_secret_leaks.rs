//! A finding never prints a secret's value. Every fake secret seeded in the fixtures is listed
//! in `fixtures/secret-canaries.txt`; no byte of any output format, standard error included
//! (with `--verbose`), may contain one of them.

// A test crate: an unwrap that fails is a failing test, and its helpers are `pub` for its
// modules.
#![allow(clippy::unwrap_used, unreachable_pub)]

mod common;

use common::{imagegate, root};

fn canaries() -> Vec<String> {
    let text = std::fs::read_to_string(root().join("fixtures/secret-canaries.txt"))
        .expect("fixtures/secret-canaries.txt");
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect()
}

/// Every listed canary is really in a fixture, so the list cannot go stale unnoticed.
#[test]
fn canaries_are_seeded_in_the_fixtures() {
    let canaries = canaries();
    assert!(canaries.len() >= 20, "only {} canaries", canaries.len());
    let mut corpus = String::new();
    let mut files = walk(&root().join("fixtures/rules"));
    files.extend(walk(&root().join("fixtures/helm")));
    for entry in files {
        if let Ok(text) = std::fs::read_to_string(&entry) {
            corpus.push_str(&text);
        }
    }
    for canary in &canaries {
        assert!(
            corpus.contains(canary.as_str()),
            "canary not in any fixture: {canary}"
        );
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn no_output_format_prints_a_secret() {
    let canaries = canaries();
    let dir = tempfile::tempdir().unwrap();
    let mut outputs: Vec<(String, Vec<u8>)> = Vec::new();
    for format in ["text", "json", "sarif", "markdown", "github"] {
        for color in ["never", "always"] {
            let out = imagegate([
                "scan",
                "fixtures/rules",
                "fixtures/helm",
                "fixtures/kustomize",
                "--format",
                format,
                "--color",
                color,
                "--verbose",
                "--fail-on",
                "never",
            ]);
            assert!(out.status.success(), "{format}: {:?}", out.status);
            outputs.push((format!("{format} stdout"), out.stdout));
            outputs.push((format!("{format} stderr"), out.stderr));
        }
        let file = dir.path().join(format!("report.{format}"));
        let out = imagegate([
            "scan",
            "fixtures/rules",
            "fixtures/helm",
            "--format",
            format,
            "--output",
            file.to_str().unwrap(),
            "--allowed-registry",
            "registry.example.com",
        ]);
        outputs.push((format!("{format} --output"), std::fs::read(&file).unwrap()));
        outputs.push((format!("{format} --output stderr"), out.stderr));
    }
    // A baseline records messages, rules and paths: never a value either.
    let baseline = dir.path().join("secrets.baseline");
    let out = imagegate([
        "baseline",
        "write",
        baseline.to_str().unwrap(),
        "fixtures/rules",
        "fixtures/helm",
        "fixtures/kustomize",
        "--no-config",
        "--verbose",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    outputs.push(("baseline file".into(), std::fs::read(&baseline).unwrap()));
    outputs.push(("baseline stderr".into(), out.stderr));
    let mut leaks = Vec::new();
    for (name, bytes) in &outputs {
        let text = String::from_utf8_lossy(bytes);
        for canary in &canaries {
            if text.contains(canary.as_str()) {
                leaks.push(format!("{name} contains `{canary}`"));
            }
        }
        // Masked source is fine; the fixtures' canary marker itself must never appear.
        if text.contains("CANARY") {
            leaks.push(format!("{name} contains the word CANARY"));
        }
    }
    assert!(leaks.is_empty(), "\n{}", leaks.join("\n"));
}

/// The committed snapshots (reports, rule fixtures' messages) hold no secret either: a message
/// that printed one would be caught by the test above, and a snapshot is committed output.
#[test]
fn no_snapshot_holds_a_secret() {
    let canaries = canaries();
    let files = walk(&root().join("tests/snapshots"));
    assert!(files.len() > 100, "only {} snapshots", files.len());
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        for canary in &canaries {
            assert!(
                !text.contains(canary.as_str()),
                "{} holds a seeded secret",
                file.display()
            );
        }
    }
}

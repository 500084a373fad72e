//! Baselines: write one, then edit the repository the way a team does — move findings, fix
//! one, add one — and only the new finding is reported, the fixed one listed as fixed.

// A test crate: an unwrap that fails is a failing test, and its helpers are `pub` for its
// modules.
#![allow(clippy::unwrap_used, unreachable_pub)]

mod common;

use std::path::Path;

use common::{json_of as json, run_in as run};

const APP: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    spec:
      containers:
        - name: web
          image: nginx:latest
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  template:
    spec:
      containers:
        - name: api
          image: ghcr.io/example/api:2.1.0
";

const WORKER: &str = "\
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: worker
  namespace: shop
spec:
  template:
    spec:
      containers:
        - name: worker
          image: busybox
";

#[test]
fn only_new_findings_are_reported_and_fixed_ones_listed() {
    let repo = tempfile::tempdir().unwrap();
    std::fs::create_dir(repo.path().join(".git")).unwrap();
    std::fs::create_dir(repo.path().join("k8s")).unwrap();
    let app = repo.path().join("k8s/app.yaml");
    std::fs::write(&app, APP).unwrap();

    let out = run(
        repo.path(),
        &["baseline", "write", "imagegate.baseline", "k8s"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(repo.path().join("imagegate.baseline")).unwrap();
    assert!(text.starts_with("# imagegate baseline 1\n"));
    let entries: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    assert!(entries.len() >= 8, "{text}");
    let mut sorted = entries.clone();
    sorted.sort_by_key(|l| {
        let f: Vec<&str> = l.split('\t').collect();
        (f[2], f[1], f[0])
    });
    assert_eq!(
        entries, sorted,
        "entries are sorted by path, rule, fingerprint"
    );
    assert!(
        entries
            .iter()
            .all(|l| l.split('\t').nth(2) == Some("k8s/app.yaml"))
    );

    let scan = |dir: &Path| {
        let out = run(
            dir,
            &[
                "scan",
                "k8s",
                "--format",
                "json",
                "--baseline",
                "imagegate.baseline",
            ],
        );
        (out.status.code(), json(&out))
    };
    // Nothing new.
    let (code, report) = scan(repo.path());
    assert_eq!(code, Some(0));
    assert_eq!(report["findings"], serde_json::json!([]));
    assert_eq!(
        report["baseline"]["matched"].as_u64().unwrap() as usize,
        entries.len()
    );
    assert_eq!(report["baseline"]["fixed"], serde_json::json!([]));

    // Ten lines above every finding: they keep their identity.
    let moved = format!("{}{APP}", "# a comment\n".repeat(10));
    std::fs::write(&app, &moved).unwrap();
    let (code, report) = scan(repo.path());
    assert_eq!(code, Some(0));
    assert_eq!(
        report["findings"],
        serde_json::json!([]),
        "moving is not new"
    );

    // Fix one (`latest` becomes a version), add one (a new Deployment).
    let edited = moved.replace("image: nginx:latest", "image: nginx:1.27.3") + WORKER;
    std::fs::write(&app, edited).unwrap();
    let (code, report) = scan(repo.path());
    assert_eq!(code, Some(1), "the new busybox has no tag: an error");
    let findings = report["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    for f in findings {
        assert_eq!(
            f["object"]["name"], "worker",
            "only the new object is reported: {f}"
        );
    }
    let fixed = report["baseline"]["fixed"].as_array().unwrap();
    assert_eq!(fixed.len(), 1, "{fixed:?}");
    assert_eq!(fixed[0]["rule"], "image-tag-latest");
    assert_eq!(fixed[0]["path"], "k8s/app.yaml");

    // The text report says so too.
    let out = run(
        repo.path(),
        &["scan", "k8s", "--baseline", "imagegate.baseline"],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("fixed[image-tag-latest]: k8s/app.yaml"),
        "{text}"
    );
    assert!(text.contains("in the baseline, 1 fixed"), "{text}");

    // Run from a subdirectory: fingerprints use repository-relative paths.
    let out = run(
        &repo.path().join("k8s"),
        &[
            "scan",
            ".",
            "--format",
            "json",
            "--baseline",
            "../imagegate.baseline",
        ],
    );
    let report = json(&out);
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["object"]["name"] == "worker")
    );
}

#[test]
fn a_broken_baseline_is_a_usage_error() {
    let repo = tempfile::tempdir().unwrap();
    std::fs::write(repo.path().join("b.txt"), "not a baseline\n").unwrap();
    std::fs::write(repo.path().join("a.yaml"), APP).unwrap();
    let out = run(repo.path(), &["scan", ".", "--baseline", "b.txt"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("b.txt:1: not an imagegate baseline"),
        "{stderr}"
    );
    let out = run(repo.path(), &["scan", ".", "--baseline", "missing.txt"]);
    assert_eq!(out.status.code(), Some(2));
}

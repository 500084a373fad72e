//! Stable identity and clean output: the same finding has the same fingerprint in SARIF, JSON
//! and a baseline wherever the scan is started (the repository root, a subdirectory, file
//! arguments), and no output quotes an absolute path of the scanning machine or a leading
//! `./`.

// A test crate: an unwrap that fails is a failing test, and its helpers are `pub` for its
// modules.
#![allow(clippy::unwrap_used, unreachable_pub)]

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use common::{have_tool, json_of, run_in};

/// A repository with a manifest, a chart that renders, a chart that does not and an overlay
/// that does not build.
fn repository() -> tempfile::TempDir {
    let repo = tempfile::tempdir().unwrap();
    let write = |path: &str, text: &str| {
        let path = repo.path().join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    };
    fs::create_dir(repo.path().join(".git")).unwrap();
    write(
        "deploy/k8s/app.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: nginx:latest\n",
    );
    write(
        "deploy/chart/Chart.yaml",
        "apiVersion: v2\nname: web\nversion: 0.1.0\n",
    );
    write(
        "deploy/chart/values.yaml",
        "image:\n  repository: ghcr.io/example/web\n  tag: latest\n",
    );
    write(
        "deploy/chart/templates/deployment.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: \"{{ .Values.image.repository }}:{{ .Values.image.tag }}\"\n",
    );
    write(
        "deploy/broken/Chart.yaml",
        "apiVersion: v2\nname: broken\nversion: 0.1.0\n",
    );
    write(
        "deploy/broken/templates/pod.yaml",
        "kind: Pod\nmetadata:\n  name: {{ .Values.a.b.c }}\n",
    );
    write(
        "deploy/overlay/kustomization.yaml",
        "resources:\n  - missing.yaml\n",
    );
    repo
}

/// Fingerprint by (rule, repository-relative path, line) of a JSON report run in `dir`.
fn json_fingerprints(dir: &Path, prefix: &str, args: &[&str]) -> BTreeMap<String, String> {
    let mut all = vec![
        "scan",
        "--no-config",
        "--format",
        "json",
        "--fail-on",
        "never",
    ];
    all.extend(args);
    let report = json_of(&run_in(dir, &all));
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let key = format!(
                "{} {}{} {}",
                f["rule"].as_str().unwrap(),
                prefix,
                f["path"].as_str().unwrap(),
                f["start"]["line"]
            );
            (key, f["fingerprint"].as_str().unwrap().to_string())
        })
        .collect()
}

/// The same from SARIF (whose URIs are repository-relative already).
fn sarif_fingerprints(dir: &Path, args: &[&str]) -> BTreeMap<String, String> {
    let mut all = vec![
        "scan",
        "--no-config",
        "--format",
        "sarif",
        "--fail-on",
        "never",
    ];
    all.extend(args);
    let sarif = json_of(&run_in(dir, &all));
    sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let location = &r["locations"][0]["physicalLocation"];
            let key = format!(
                "{} {} {}",
                r["ruleId"].as_str().unwrap(),
                location["artifactLocation"]["uri"].as_str().unwrap(),
                location["region"]["startLine"]
            );
            let fingerprint = r["partialFingerprints"]["imagegate/v1"].as_str().unwrap();
            (key, fingerprint.to_string())
        })
        .collect()
}

#[test]
fn fingerprints_do_not_depend_on_where_the_scan_starts() {
    if !have_tool(
        "helm",
        "fingerprints_do_not_depend_on_where_the_scan_starts",
    ) {
        return;
    }
    let repo = repository();
    let root = repo.path();
    let deploy = root.join("deploy");
    let from_root = json_fingerprints(root, "", &["deploy"]);
    let from_subdir = json_fingerprints(&deploy, "deploy/", &["."]);
    let from_files = json_fingerprints(root, "", &["deploy/k8s/app.yaml", "deploy/chart"]);
    assert!(from_root.len() >= 4, "{from_root:?}");
    assert_eq!(from_root, from_subdir);
    for (key, fingerprint) in &from_files {
        assert_eq!(from_root.get(key), Some(fingerprint), "{key}");
    }
    // SARIF: the same fingerprints, from the root and from the subdirectory.
    let sarif_root = sarif_fingerprints(root, &["deploy"]);
    assert_eq!(sarif_root, sarif_fingerprints(&deploy, &["."]));
    let json: Vec<&String> = from_root.values().collect();
    let sarif: Vec<&String> = sarif_root.values().collect();
    assert_eq!(
        json.iter().collect::<std::collections::BTreeSet<_>>(),
        sarif.iter().collect::<std::collections::BTreeSet<_>>()
    );
    // A baseline written in the subdirectory accepts every finding of a scan from the root.
    let out = run_in(
        &deploy,
        &["baseline", "write", "../.baseline", "--no-config", "."],
    );
    assert!(out.status.success(), "{out:?}");
    let report = json_of(&run_in(
        root,
        &[
            "scan",
            "--no-config",
            "--format",
            "json",
            "--baseline",
            ".baseline",
            "deploy",
        ],
    ));
    assert_eq!(report["findings"].as_array().unwrap().len(), 0, "{report}");
}

#[test]
fn no_output_quotes_an_absolute_path_or_a_leading_dot_slash() {
    if !have_tool(
        "helm",
        "no_output_quotes_an_absolute_path_or_a_leading_dot_slash",
    ) || !have_tool(
        "kubectl",
        "no_output_quotes_an_absolute_path_or_a_leading_dot_slash",
    ) {
        return;
    }
    let repo = repository();
    let root = repo.path().canonicalize().unwrap();
    let machine = root.to_string_lossy().into_owned();
    for dir in [root.join("deploy/chart"), root.join("deploy"), root.clone()] {
        for format in ["text", "json", "sarif", "markdown", "github"] {
            let out = run_in(
                &dir,
                &[
                    "scan",
                    "--no-config",
                    "--format",
                    format,
                    "--fail-on",
                    "never",
                    "-v",
                    ".",
                ],
            );
            let all = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(
                !all.contains(&machine),
                "{format} in {}: an absolute path:\n{all}",
                dir.display()
            );
            assert!(
                !all.contains("./templates") && !all.contains("\"./"),
                "{format} in {}: a leading ./:\n{all}",
                dir.display()
            );
        }
    }
    // The chart that did not render: its templates are not said to be checked.
    let out = run_in(&root, &["scan", "--no-config", "-v", "deploy"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let note = stderr
        .lines()
        .find(|l| l.contains("deploy/broken/templates/pod.yaml: a Helm chart's template"))
        .unwrap_or_else(|| panic!("no note on the broken chart's template:\n{stderr}"));
    assert!(
        note.contains("not checked") && !note.contains("checked as rendered"),
        "{note}"
    );
    assert!(
        stderr.contains("deploy/broken/templates/pod.yaml:3"),
        "helm's message names the template by its path:\n{stderr}"
    );
}

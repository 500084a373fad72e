//! `--changed-since REF`: a scan limited to what a branch changes, in a real git repository,
//! with the real helm (behind a wrapper that logs each render) and the real kustomize.

// A test crate: an unwrap that fails is a failing test, and its helpers are `pub` for its
// modules.
#![allow(clippy::unwrap_used, unreachable_pub)]

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{have_tool, root};

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(["-c", "commit.gpgsign=false"])
        .args(args)
        .output()
        .expect("run git");
    assert!(out.status.success(), "git {args:?}: {out:?}");
}

fn append(path: &Path, text: &str) {
    let old = fs::read_to_string(path).unwrap();
    fs::write(path, old + text).unwrap();
}

const POD: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: deployer
  namespace: apps
spec:
  template:
    spec:
      serviceAccountName: deployer
      containers:
        - name: deployer
          image: registry.example.com/apps/deployer:latest
";

const SERVICE_ACCOUNT: &str = "apiVersion: v1
kind: ServiceAccount
metadata:
  name: deployer
  namespace: apps
imagePullSecrets:
  - name: regcred
";

/// (path, line, rule) of every finding.
fn findings(report: &serde_json::Value) -> Vec<(String, u64, String)> {
    let mut out: Vec<(String, u64, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["start"]["line"].as_u64().unwrap(),
                f["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

/// A repository with two charts, a kustomize base and two overlays, a Deployment and the
/// ServiceAccount that gives it its pull secret; a branch changes one chart's values and the
/// Deployment. The limited scan renders that chart alone and builds no overlay, and reports
/// exactly the whole scan's findings in the changed files: the ServiceAccount, unchanged, still
/// counts (no `pull-secret-missing`).
#[test]
fn a_branch_is_scanned_by_what_it_changes() {
    if !have_tool("helm", "a_branch_is_scanned_by_what_it_changes")
        || !have_tool("kubectl", "a_branch_is_scanned_by_what_it_changes")
        || !have_tool("git", "a_branch_is_scanned_by_what_it_changes")
    {
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let repo = work.path().join("repo");
    for chart in ["charts/a", "charts/b"] {
        common::copy_tree(&root().join("fixtures/helm/map-image"), &repo.join(chart));
    }
    common::copy_tree(
        &root().join("fixtures/kustomize/shared-base"),
        &repo.join("kz"),
    );
    fs::create_dir_all(repo.join("k8s")).unwrap();
    fs::write(repo.join("k8s/deployer.yaml"), POD).unwrap();
    fs::write(repo.join("k8s/serviceaccount.yaml"), SERVICE_ACCOUNT).unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "base"]);
    git(&repo, &["checkout", "-q", "-b", "change"]);
    append(&repo.join("charts/b/values.yaml"), "# reviewed\n");
    git(&repo, &["commit", "-q", "-am", "values"]);
    append(&repo.join("k8s/deployer.yaml"), "# uncommitted\n");

    // helm, logging each call's verb and chart.
    let log = work.path().join("helm.log");
    let wrapper = common::script(
        &work.path().join("helm-logged"),
        &format!(
            "echo \"$1 $3\" >> '{}'\nexec '{}' \"$@\"\n",
            log.display(),
            common::real_tool("helm").display()
        ),
    );
    let scan = |extra: &[&str]| {
        let out = common::command_in(&repo)
            .args([
                "scan",
                "--no-config",
                "--format",
                "json",
                "--fail-on",
                "never",
            ])
            .args(["--private-registry", "registry.example.com"])
            .arg("--helm-bin")
            .arg(&wrapper)
            .args(extra)
            .arg(".")
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let renders: Vec<String> = fs::read_to_string(&log)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.starts_with("template "))
            .map(|l| l.trim_start_matches("template ").to_string())
            .collect();
        fs::remove_file(&log).ok();
        (common::json_of(&out), renders)
    };

    let (whole, renders) = scan(&[]);
    assert_eq!(renders.len(), 2, "{renders:?}");
    let (limited, renders) = scan(&["--changed-since", "main"]);
    assert_eq!(renders.len(), 1, "{renders:?}");
    assert!(renders[0].ends_with("charts/b"), "{renders:?}");

    let changed = ["charts/b/values.yaml", "k8s/deployer.yaml"];
    let expected: Vec<_> = findings(&whole)
        .into_iter()
        .filter(|(path, _, _)| changed.contains(&path.as_str()))
        .collect();
    assert!(expected.iter().any(|f| f.0 == "charts/b/values.yaml"));
    assert!(expected.iter().any(|f| f.0 == "k8s/deployer.yaml"));
    assert_eq!(findings(&limited), expected);
    assert!(
        !findings(&limited)
            .iter()
            .any(|(_, _, rule)| rule == "pull-secret-missing"),
        "the ServiceAccount in an unchanged file was not read"
    );
    let stats = &limited["summary"]["limited"];
    assert_eq!(stats["changedFiles"], 2, "{stats}");
    assert_eq!(stats["chartsRendered"], 1, "{stats}");
    assert_eq!(stats["chartsUnchanged"], 1, "{stats}");
    assert_eq!(stats["overlaysBuilt"], 0, "{stats}");
    assert_eq!(stats["overlaysUnchanged"], 2, "{stats}");
    // Found in unchanged files, and not reported; what unrendered charts would find is not
    // known, so fewer than the whole scan has there.
    let left_out = stats["findingsLeftOut"].as_u64().unwrap() as usize;
    assert!(
        left_out > 0 && left_out < findings(&whole).len() - expected.len(),
        "{stats}"
    );
    assert!(
        stats["since"]
            .as_str()
            .unwrap()
            .starts_with("changes since main (merge base "),
        "{stats}"
    );

    // A change to the kustomize base builds both overlays, and no chart.
    git(&repo, &["stash", "-q"]);
    append(&repo.join("kz/base/deployment.yaml"), "# touched\n");
    let (limited, renders) = scan(&["--changed-since", "main"]);
    assert_eq!(renders.len(), 1, "the committed values change: {renders:?}");
    assert_eq!(limited["summary"]["limited"]["overlaysBuilt"], 2);
}

/// A reference git does not know stops the scan (exit 2) with what to do.
#[test]
fn an_unknown_reference_is_a_usage_error() {
    if !have_tool("git", "an_unknown_reference_is_a_usage_error") {
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let repo: PathBuf = work.path().to_path_buf();
    fs::write(repo.join("pod.yaml"), POD).unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "base"]);
    let out = common::command_in(&repo)
        .args(["scan", "--no-config", "--changed-since", "origin/nope", "."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("git fetch origin nope`"), "{stderr}");
}

//! Images outside Kubernetes: a Compose file, a GitHub workflow and GitLab CI
//! (`fixtures/sources`), each image and the Compose password found at its exact line.

// A test crate: an unwrap that fails is a failing test, and its helpers are `pub` for its
// modules.
#![allow(clippy::unwrap_used, unreachable_pub)]

mod common;

use common::marks::{self, fixture_files};
use common::{rel, root, scan_json};

#[test]
fn compose_workflow_and_gitlab_images_are_found_at_their_lines() {
    let dir = root().join("fixtures/sources");
    let files: Vec<_> = fixture_files(&dir)
        .into_iter()
        .filter(|f| !f.ends_with("README.md"))
        .collect();
    let (report, out) = scan_json(&["--no-config", "--fail-on", "never", &rel(&dir)]);
    assert!(out.status.success(), "{out:?}");
    let mut failures = Vec::new();
    for rule in [
        "image-tag-latest",
        "image-tag-missing",
        "image-registry-implicit",
        "secret-env-literal",
    ] {
        failures.extend(marks::compare(rule, &files, &report));
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    // Seven images in three files; pull-secret rules have no pod to judge here.
    assert_eq!(report["summary"]["images"], 7, "{}", report["summary"]);
    let findings = report["findings"].as_array().unwrap();
    assert!(
        !findings
            .iter()
            .any(|f| f["rule"].as_str().unwrap().starts_with("pull-secret"))
    );
    // The password is reported, never shown.
    let text = String::from_utf8(
        common::imagegate(["scan", "--no-config", "--fail-on", "never", &rel(&dir)]).stdout,
    )
    .unwrap();
    assert!(text.contains("POSTGRES_PASSWORD"), "{text}");
    assert!(!text.contains("hunter2hunter2"), "{text}");
}

/// imagegate's own pipeline passes its own pipeline rules: the release workflow scans the
/// pushed image before signing it, attests it, and logs in with `GITHUB_TOKEN` only.
#[test]
fn this_repository_s_pipeline_passes_the_pipeline_rules() {
    let (report, out) = scan_json(&["--no-config", "--fail-on", "never", ".github"]);
    assert!(out.status.success(), "{out:?}");
    let said: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            matches!(
                f["rule"].as_str(),
                Some("image-push-unscanned" | "image-push-unsigned" | "registry-login-static")
            )
        })
        .map(|f| format!("{}:{} {}", f["path"], f["start"]["line"], f["message"]))
        .collect();
    assert!(said.is_empty(), "{said:#?}");
    // The release workflow is read: it pushes, so the rules had something to judge.
    let release = std::fs::read_to_string(root().join(".github/workflows/release.yml")).unwrap();
    assert!(release.contains("docker/build-push-action"));
}

//! `imagegate fix` against a real registry on loopback (`../shared/tools/registry/`): golden
//! before/after files (`fixtures/fix/`), idempotence, `--check` and `--dry-run`, and a
//! registry that fails leaving every file untouched. Skipped with a message without
//! `docker-registry`; required under `IMAGEGATE_REQUIRE_TOOLS`.

// A test crate: an unwrap that fails is a failing test, and its helpers are `pub` for its
// modules.
#![allow(clippy::unwrap_used, unreachable_pub)]

mod common;

use std::path::Path;
use std::process::Output;

use common::registry::{Registry, available};
use common::root;

/// Copy `fixtures/fix/before` into a scratch folder.
fn scratch() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(root().join("fixtures/fix/before")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    dir
}

fn fix(dir: &Path, mirror: &str, extra: &[&str]) -> Output {
    let home = tempfile::tempdir().unwrap();
    common::command_in(dir)
        .env("HOME", home.path())
        .env("DOCKER_CONFIG", home.path())
        .args(["fix", "--no-config", "--registry-mirror", mirror])
        .args(extra)
        .arg(".")
        .output()
        .unwrap()
}

/// Every file of `dir` next to its golden version in `fixtures/fix/<golden>`.
fn assert_files(dir: &Path, golden: &str) {
    for entry in std::fs::read_dir(root().join("fixtures/fix").join(golden)).unwrap() {
        let entry = entry.unwrap();
        let want = std::fs::read(entry.path()).unwrap();
        let got = std::fs::read(dir.join(entry.file_name())).unwrap();
        assert!(
            want == got,
            "{:?} differs from fixtures/fix/{golden}:\n{}",
            entry.file_name(),
            String::from_utf8_lossy(&got)
        );
    }
}

#[test]
fn fix_pins_in_place_and_only_the_references_change() {
    if !available("fix_pins_in_place_and_only_the_references_change") {
        return;
    }
    let registry = Registry::start("anon");
    let mirror = format!("registry.test={}", registry.address);
    let dir = scratch();

    // --check and --dry-run write nothing; --check says something would change.
    let check = fix(dir.path(), &mirror, &["--check"]);
    assert_eq!(check.status.code(), Some(1), "{check:?}");
    let dry = fix(dir.path(), &mirror, &["--dry-run"]);
    assert_eq!(dry.status.code(), Some(0));
    let diff = String::from_utf8(dry.stdout).unwrap();
    assert!(diff.contains("+++ b/deploy.yaml"), "{diff}");
    assert_files(dir.path(), "before");

    let out = fix(dir.path(), &mirror, &[]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("pinned 8 references in 3 files, skipped 1, failed 1"),
        "{said}"
    );
    assert!(
        said.contains("deploy.yaml:22 `registry.test/test/app:v9`"),
        "{said}"
    );
    assert_files(dir.path(), "after");

    // Twice changes nothing; --check agrees.
    let again = fix(dir.path(), &mirror, &["--check"]);
    assert_eq!(again.status.code(), Some(0), "{again:?}");
    fix(dir.path(), &mirror, &[]);
    assert_files(dir.path(), "after");

    // The rescan reports image-digest-missing only for what fix did not pin.
    let (report, _) = common::scan_json(&[dir.path().to_str().unwrap(), "--fail-on", "never"]);
    let mut missing: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "image-digest-missing")
        .map(|f| f["image"]["reference"].as_str().unwrap_or_default())
        .collect();
    missing.sort_unstable();
    // `latest` (skipped) and the tag the registry does not have (v9).
    assert_eq!(
        missing,
        ["registry.test/test/app:latest", "registry.test/test/app:v9"]
    );
}

#[test]
fn a_registry_that_fails_leaves_every_file_untouched() {
    if !available("a_registry_that_fails_leaves_every_file_untouched") {
        return;
    }
    let mut registry = Registry::start("anon");
    let proxy = registry.proxy(r#"[{"match": ".", "action": "status", "code": 503}]"#);
    let dir = scratch();
    let out = fix(
        dir.path(),
        &format!("registry.test={proxy}"),
        &["--online-timeout", "5"],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("pinned 0 references in 0 files"), "{said}");
    assert_files(dir.path(), "before");
}

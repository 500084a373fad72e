//! Tests of `input/changed.rs`, against a real git repository.

use super::*;

fn run(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .output()
        .unwrap();
    assert!(status.status.success(), "git {args:?}: {status:?}");
}

fn write(dir: &Path, file: &str, text: &str) {
    let path = dir.join(file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A repository on `main` with three files, and a branch `feature` off it.
fn repository() -> Option<tempfile::TempDir> {
    if Command::new("git").arg("--version").output().is_err() {
        eprintln!("skipped: git is not on PATH");
        return None;
    }
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path();
    run(dir, &["init", "-q", "-b", "main"]);
    write(dir, "charts/web/values.yaml", "image: nginx\n");
    write(dir, "k8s/app.yaml", "kind: Pod\n");
    write(dir, "k8s/old.yaml", "kind: Pod\n");
    write(dir, ".gitignore", "ignored.yaml\n");
    run(dir, &["add", "-A"]);
    run(dir, &["commit", "-q", "-m", "base"]);
    run(dir, &["checkout", "-q", "-b", "feature"]);
    Some(temp)
}

#[test]
fn a_branch_change_is_what_it_touches_since_the_merge_base() {
    let Some(temp) = repository() else { return };
    let dir = temp.path();
    write(dir, "charts/web/values.yaml", "image: nginx:1.27\n");
    run(dir, &["commit", "-q", "-am", "pin"]);
    // main moves on after the branch left it: not this change's.
    run(dir, &["checkout", "-q", "main"]);
    write(dir, "k8s/app.yaml", "kind: Deployment\n");
    run(dir, &["commit", "-q", "-am", "elsewhere"]);
    run(dir, &["checkout", "-q", "feature"]);
    // Uncommitted: a deletion, a new file, an ignored file.
    std::fs::remove_file(dir.join("k8s/old.yaml")).unwrap();
    write(dir, "k8s/new.yaml", "kind: Pod\n");
    write(dir, "ignored.yaml", "kind: Pod\n");

    let changed = Changed::from_git("main", &dir.join("k8s")).unwrap();
    assert_eq!(
        changed.files.iter().map(String::as_str).collect::<Vec<_>>(),
        ["charts/web/values.yaml", "k8s/new.yaml", "k8s/old.yaml"]
    );
    assert!(
        changed.since.starts_with("changes since main (merge base "),
        "{}",
        changed.since
    );
    assert!(changed.contains(&dir.join("charts/web/values.yaml")));
    assert!(changed.contains(&dir.join("k8s/./new.yaml")));
    assert!(!changed.contains(&dir.join("k8s/app.yaml")));
    assert!(!changed.contains(&dir.join("ignored.yaml")));
    // A deleted file is still a change, and its folder holds one.
    assert!(changed.contains(&dir.join("k8s/old.yaml")));
    assert!(changed.touches(&dir.join("charts/web")));
    assert!(changed.touches(&dir.join("charts")));
    assert!(changed.touches(dir));
    assert!(
        !changed.touches(&dir.join("chart")),
        "a prefix of a name is not its folder"
    );
    assert!(!changed.touches(&dir.join("charts/web/templates")));
    assert!(!changed.contains(Path::new("/elsewhere/charts/web/values.yaml")));
}

#[test]
fn unknown_references_and_options_are_refused() {
    let Some(temp) = repository() else { return };
    let dir = temp.path();
    let err = Changed::from_git("no-such-branch", dir).unwrap_err();
    assert!(
        matches!(err, ChangedError::UnknownReference { .. }),
        "{err}"
    );
    assert!(
        err.to_string().contains("git fetch origin no-such-branch"),
        "{err}"
    );
    let err = Changed::from_git("--output=/tmp/x", dir).unwrap_err();
    assert!(matches!(err, ChangedError::Option { .. }), "{err}");
    let outside = tempfile::tempdir().unwrap();
    let err = Changed::from_git("main", outside.path()).unwrap_err();
    assert!(matches!(err, ChangedError::NotARepository(_)), "{err}");
}

#[test]
fn a_list_is_read_against_its_root() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path();
    write(dir, "a/b.yaml", "x: 1\n");
    let changed = Changed::from_list("pull request #1".into(), dir, ["a/b.yaml", "", "../out"]);
    assert_eq!(changed.len(), 1);
    assert!(changed.contains(&dir.join("a/b.yaml")));
    assert!(changed.touches(&dir.join("a")));
}

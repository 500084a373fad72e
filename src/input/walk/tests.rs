//! Tests of `input/walk.rs`.

use super::*;

#[test]
fn classifies_by_name() {
    let kind = |p: &str| classify(Path::new(p));
    assert_eq!(kind("a/deploy.yaml"), Some(FileKind::Manifest));
    assert_eq!(kind("a/x.YML"), Some(FileKind::Manifest));
    assert_eq!(kind("list.json"), Some(FileKind::Manifest));
    assert_eq!(kind("Dockerfile"), Some(FileKind::Dockerfile));
    assert_eq!(kind("Dockerfile.prod"), Some(FileKind::Dockerfile));
    assert_eq!(kind("api.Dockerfile"), Some(FileKind::Dockerfile));
    assert_eq!(kind("Containerfile"), Some(FileKind::Dockerfile));
    assert_eq!(kind(".dockerfile"), None);
    assert_eq!(kind("README.md"), None);
    assert_eq!(kind("Dockerfile-notes.txt"), None);
    assert_eq!(kind("deploy/release.sh"), Some(FileKind::Script));
    assert_eq!(kind("Makefile"), Some(FileKind::Script));
    assert_eq!(kind("tools/build.mk"), Some(FileKind::Script));
    assert_eq!(kind("Justfile"), Some(FileKind::Script));
}

#[test]
fn display_paths() {
    assert_eq!(display_path(Path::new("./a/b.yaml")), "a/b.yaml");
    assert_eq!(display_path(Path::new(".")), ".");
    assert_eq!(join_display(".", Path::new("k8s/a.yaml")), "k8s/a.yaml");
    assert_eq!(join_display("demo/", Path::new("a.yaml")), "demo/a.yaml");
}

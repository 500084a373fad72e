//! Tests of `render/helm/locate/`.

use super::*;

fn path_at(text: &str, needle: &str) -> String {
    let root = yaml::first_root(text).unwrap();
    let start = text.find(needle).unwrap();
    let span = Span::new(start, start + needle.len());
    key_path_at(&root, span).unwrap().path
}

#[test]
fn short_texts_supply_a_value_only_whole() {
    // `v1` is in this base64 text by chance, not because a template wrote it there.
    assert!(!supplies("v1", "dG9rZW4tdjEtYWJj"));
    assert!(supplies("token-v1-abc", "dG9rZW4tdjEtYWJj"));
    assert!(supplies("abc", "abc"));
    assert!(supplies("YWJj", "YWJj"));
    assert!(supplies("s3cr3t", "postgres://app:s3cr3t@db/x"));
    assert!(!supplies("app", "postgres://app:s3cr3t@db/x"));
    assert!(!supplies("  ", "x"));
}

#[test]
fn key_paths_of_rendered_places() {
    let deployment = "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.27\n        - image: redis:7\n";
    assert_eq!(
        path_at(deployment, "nginx:1.27"),
        "spec.template.spec.containers[name=web].image"
    );
    assert_eq!(
        path_at(deployment, "redis:7"),
        "spec.template.spec.containers[1].image"
    );
    let secret = "kind: Secret\ndata:\n  username: YXBw\n  password: cGFzcw==\n";
    assert_eq!(path_at(secret, "password"), "data.password");
    assert_eq!(path_at(secret, "kind"), "kind");
}

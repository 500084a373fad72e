//! Tests of `render/kustomize/trace.rs`.

use super::*;

#[test]
fn image_names_drop_tags_and_digests() {
    assert_eq!(image_name("nginx:1.27"), "nginx");
    assert_eq!(image_name("localhost:5000/app"), "localhost:5000/app");
    assert_eq!(image_name("ghcr.io/a/b:1@sha256:00"), "ghcr.io/a/b");
}

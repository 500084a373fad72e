//! Tests of `rules/image_reference_invalid.rs`.

use super::looks_like_placeholder;

#[test]
fn placeholders() {
    for p in [
        "$IMAGE_URL",
        "${IMAGE_URI}",
        "<DOCKER_REPO>/chatbot:1.0",
        "REGION-docker.pkg.dev/PROJECT_ID/x/y:1",
        "CONTAINER_IMAGE",
    ] {
        assert!(looks_like_placeholder(p), "{p}");
    }
    for p in [
        "Nginx:1",
        "nginx:",
        "alpine:invalid!",
        "spack/rockylinux8:sha256:abc",
    ] {
        assert!(!looks_like_placeholder(p), "{p}");
    }
}

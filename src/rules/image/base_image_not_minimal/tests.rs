//! Tests of `rules/base_image_not_minimal.rs`.

use super::full_distribution;

#[test]
fn full_and_minimal_bases() {
    for (repo, tag) in [
        ("library/ubuntu", Some("24.04")),
        ("library/debian", Some("12")),
        ("library/python", Some("3.12")),
        ("library/python", Some("3.12-bookworm")),
        ("library/node", None),
        ("ubi9/ubi", Some("9.4")),
        ("library/eclipse-temurin", Some("21-jre")),
    ] {
        assert!(full_distribution(repo, tag).is_some(), "{repo}:{tag:?}");
    }
    for (repo, tag) in [
        ("library/debian", Some("12-slim")),
        ("library/python", Some("3.12-slim")),
        ("library/node", Some("20-alpine")),
        ("library/alpine", Some("3.20")),
        ("distroless/static-debian12", Some("nonroot")),
        ("chainguard/python", Some("latest")),
        ("ubi9/ubi-minimal", Some("9.4")),
        ("ubi9/ubi-micro", None),
        ("library/busybox", Some("1.36")),
        ("library/golang", Some("1.23-alpine")),
        ("library/ruby", Some("4.0.5-alpine3.22")),
        ("library/python", Some("3.14.7-alpine3.24")),
        ("team/app", Some("1.0")),
    ] {
        assert!(full_distribution(repo, tag).is_none(), "{repo}:{tag:?}");
    }
}

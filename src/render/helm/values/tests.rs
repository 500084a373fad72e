//! Tests of `render/helm/values.rs`.

use super::*;
use crate::syntax::yaml;

fn uses(text: &str, chart: ChartFacts<'_>) -> Vec<ImageUse> {
    let root = yaml::first_root(text).unwrap();
    let mut out = Vec::new();
    images(0, &root, chart, &mut out);
    out
}

fn at(text: &str, span: Span) -> &str {
    &text[span.range()]
}

#[test]
fn map_blocks_point_each_part_at_its_key() {
    let text = "image:\n  repository: ghcr.io/stefanprodan/podinfo\n  tag: 6.14.1\n  pullPolicy: IfNotPresent\n";
    let found = uses(text, ChartFacts::default());
    assert_eq!(found.len(), 1);
    let image = &found[0];
    assert_eq!(image.text, "ghcr.io/stefanprodan/podinfo:6.14.1");
    assert_eq!(at(text, image.span_of(ImagePart::Tag)), "6.14.1");
    assert_eq!(
        at(text, image.span_of(ImagePart::Registry)),
        "ghcr.io/stefanprodan/podinfo"
    );
    assert_eq!(
        at(text, image.span_of(ImagePart::Digest)),
        "repository: ghcr.io/stefanprodan/podinfo\n  tag: 6.14.1"
    );
    assert_eq!(image.site.pull_policy(), Some("IfNotPresent"));
}

#[test]
fn bitnami_blocks_and_the_global_registry() {
    let text = "global:\n  imageRegistry: registry.corp.example\nimage:\n  registry: docker.io\n  repository: bitnami/nginx\n  tag: 1.29.1\n  digest: \"\"\n";
    let found = uses(text, ChartFacts::default());
    assert_eq!(found[0].text, "registry.corp.example/bitnami/nginx:1.29.1");
    assert_eq!(
        at(text, found[0].span_of(ImagePart::Registry)),
        "registry.corp.example"
    );
    let text = "global:\n  imageRegistry: \"\"\nmetrics:\n  image:\n    registry: docker.io\n    repository: bitnami/exporter\n    tag: 1.0.0\n";
    let found = uses(text, ChartFacts::default());
    assert_eq!(found[0].text, "docker.io/bitnami/exporter:1.0.0");
    assert_eq!(at(text, found[0].span_of(ImagePart::Registry)), "docker.io");
    assert!(found[0].site.decides(ImagePart::Registry));
}

#[test]
fn empty_tags_take_the_app_version_only_when_the_chart_reads_it() {
    let text = "image:\n  repository: ghcr.io/x/app\n  tag: \"\"\n";
    let with = uses(
        text,
        ChartFacts {
            app_version: Some("2.1.0"),
        },
    );
    assert_eq!(with[0].text, "ghcr.io/x/app:2.1.0");
    assert!(with[0].site.decides(ImagePart::Tag));
    let without = uses(text, ChartFacts::default());
    assert_eq!(without[0].text, "ghcr.io/x/app");
    assert!(!without[0].site.decides(ImagePart::Tag));
    assert_eq!(at(text, without[0].span_of(ImagePart::Tag)), "tag");
}

#[test]
fn strings_and_camel_case_keys() {
    let text = "sidecar:\n  initImage: busybox:latest\n  image: \"\"\nnotes:\n  image: \"{{ .Values.x }}\"\nlabel: image\n";
    let found = uses(text, ChartFacts::default());
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].text, "busybox:latest");
    assert!(!found[0].site.decides(ImagePart::Registry));
    assert!(found[0].site.decides(ImagePart::Tag));
}

#[test]
fn ingress_nginx_style_blocks_use_image_for_the_repository() {
    let text = "controller:\n  image:\n    chroot: false\n    image: ingress-nginx/controller\n    tag: \"v1.15.1\"\n    digest: sha256:0000000000000000000000000000000000000000000000000000000000000000\n";
    let found = uses(text, ChartFacts::default());
    assert_eq!(found.len(), 1);
    assert!(
        found[0]
            .text
            .starts_with("ingress-nginx/controller:v1.15.1@sha256:")
    );
    // The registry comes from elsewhere (`global.image.registry`): not judged here.
    assert!(!found[0].site.decides(ImagePart::Registry));
}

#[test]
fn nested_image_maps_and_digest_keys() {
    let text = "image:\n  busybox:\n    registry: r.example.com\n    repository: mirror/busybox\n    tag: latest\n  tools:\n    repository: r.example.com/tools\n    tag: \"1.0\"\n    sha: 0f7a6ef7a8b2b3c0e0f4d9e1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5\nimages:\n  repository: r.example.com/prefix\n  tag: \"2.0\"\n  web:\n    repository: r.example.com/web\n    imageDigest: sha256:0f7a6ef7a8b2b3c0e0f4d9e1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5\n";
    let found = uses(text, ChartFacts::default());
    let texts: Vec<&str> = found.iter().map(|u| u.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "r.example.com/mirror/busybox:latest",
            "r.example.com/tools:1.0@sha256:0f7a6ef7a8b2b3c0e0f4d9e1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5",
            "r.example.com/web@sha256:0f7a6ef7a8b2b3c0e0f4d9e1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5",
        ]
    );
    // The plural key's own `repository` is a prefix, not an image.
    assert!(!texts.iter().any(|t| t.contains("prefix")));
}

#[test]
fn maps_that_are_not_images_are_left_alone() {
    let text = "repo:\n  repository: https://charts.example\nimage:\n  pullPolicy: Always\n";
    assert!(uses(text, ChartFacts::default()).is_empty());
}

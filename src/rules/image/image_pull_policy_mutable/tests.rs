//! Tests of `rules/image_pull_policy_mutable.rs`.

use super::*;
use crate::render::helm::values::{ChartFacts, images};
use crate::rules::check_images;

fn findings_of(uses: Vec<ImageUse>) -> Vec<String> {
    let uses: Vec<Arc<ImageUse>> = uses.into_iter().map(Arc::new).collect();
    let mut out = Vec::new();
    check_images(&uses, &Context::default(), &mut out);
    out.into_iter()
        .filter(|f| f.rule.id == META.id)
        .map(|f| f.message)
        .collect()
}

fn values_uses(text: &str, app_version: Option<&str>) -> Vec<ImageUse> {
    let root = crate::syntax::yaml::first_root(text).unwrap();
    let mut out = Vec::new();
    images(0, &root, ChartFacts { app_version }, &mut out);
    out
}

#[test]
fn untagged_values_images_are_left_to_the_render() {
    // The template supplies the tag (`{{ .Values.image.tag | default .Chart.AppVersion }}`
    // or a hard-coded one): the values alone do not say the image is untagged.
    let text = "image:\n  repository: nginx\n  pullPolicy: IfNotPresent\n";
    assert_eq!(findings_of(values_uses(text, None)), Vec::<String>::new());
    let text = "image:\n  repository: nginx\n  tag: \"\"\n  pullPolicy: Never\n";
    assert_eq!(findings_of(values_uses(text, None)), Vec::<String>::new());
    // When the values decide the tag, the values image is judged.
    let text = "image:\n  repository: nginx\n  tag: latest\n  pullPolicy: IfNotPresent\n";
    assert_eq!(findings_of(values_uses(text, None)).len(), 1);
    let text = "image:\n  repository: nginx\n  tag: \"\"\n  pullPolicy: IfNotPresent\n";
    assert_eq!(
        findings_of(values_uses(text, Some("1.27.3"))).len(),
        1,
        "the chart's appVersion is a tag the values decide"
    );
}

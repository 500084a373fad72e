//! `image-registry-not-allowed`: no `--allowed-registry` pattern matches the image.

use crate::findings::finding::{Finding, Level};
use crate::rules::{Context, ImagePart, Rule, RuleMeta, quoted};
use crate::uses::ImageUse;
use std::sync::Arc;

pub(crate) struct ImageRegistryNotAllowed;

static META: RuleMeta = RuleMeta {
    id: "image-registry-not-allowed",
    name: "ImageRegistryNotAllowed",
    level: Level::Error,
    summary: "The image's registry and path match none of the allowed registry patterns.",
    hint: "Use an image from an allowed registry, or add a pattern for this one if you trust it.",
    precision: "very-high",
    security_severity: "8.0",
    part: ImagePart::Registry,
    shows_source: true,
    online: false,
    doc: include_str!("../../../docs/rules/image-registry-not-allowed.md"),
};

impl Rule for ImageRegistryNotAllowed {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_image(&self, image: &Arc<ImageUse>, ctx: &Context, out: &mut Vec<Finding>) {
        let patterns = &ctx.allowed_registries;
        let Ok(reference) = &image.reference else {
            return;
        };
        if patterns.is_empty() || patterns.iter().any(|p| p.matches(reference)) {
            return;
        }
        let listed: Vec<String> = patterns
            .iter()
            .map(|p| format!("`{}`", p.as_str()))
            .collect();
        out.push(Finding::new(
            &META,
            image,
            format!(
                "{} is `{}`, which matches none of the allowed registries ({})",
                quoted(image),
                reference.name(),
                listed.join(", ")
            ),
        ));
    }
}

//! `image-registry-public`: a well-known public registry, with no allow-list configured.

use crate::findings::finding::{Finding, Level};
use crate::rules::{Context, ImagePart, Rule, RuleMeta, quoted};
use crate::uses::ImageUse;
use std::sync::Arc;

pub(crate) struct ImageRegistryPublic;

static META: RuleMeta = RuleMeta {
    id: "image-registry-public",
    name: "ImageRegistryPublic",
    level: Level::Warning,
    summary: "The image comes from a public registry and no allow-list is configured.",
    hint: "Mirror the image to a registry you control, or name the registries you trust with `--allowed-registry`.",
    precision: "high",
    security_severity: "4.0",
    part: ImagePart::Registry,
    shows_source: true,
    doc: include_str!("../../../docs/rules/image-registry-public.md"),
};

impl Rule for ImageRegistryPublic {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_image(&self, image: &Arc<ImageUse>, ctx: &Context, out: &mut Vec<Finding>) {
        // NOTE: with an allow-list, `image-registry-not-allowed` decides instead.
        if !ctx.allowed_registries.is_empty() {
            return;
        }
        let Ok(reference) = &image.reference else {
            return;
        };
        if ctx.is_public(reference) {
            out.push(Finding::new(
                &META,
                image,
                format!(
                    "{} comes from the public registry `{}`; mirror it to a registry you control, or allow it with `--allowed-registry`",
                    quoted(image),
                    reference.registry
                ),
            ));
        }
    }
}

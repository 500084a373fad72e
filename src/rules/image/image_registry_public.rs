//! `image-registry-public`: a well-known public registry, with no allow-list configured; with
//! `--online`, also a registry that served the image to an anonymous request.

use crate::findings::finding::{Finding, Level};
use crate::rules::{Context, ImagePart, PullAccess, Rule, RuleMeta, ScanFacts, quoted};
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
    online: false,
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

    fn check_scan(&self, scan: &ScanFacts<'_>, ctx: &Context, out: &mut Vec<Finding>) {
        let Some(online) = scan.online else {
            return;
        };
        if !ctx.allowed_registries.is_empty() {
            return;
        }
        for image in scan.images {
            let Ok(reference) = &image.reference else {
                continue;
            };
            // The well-known ones are reported per image; node-credential and declared
            // private registries are not public whatever they answer.
            if !image.site.decides(META.part)
                || ctx.is_public(reference)
                || ctx.pull_access(reference) != PullAccess::Unknown
            {
                continue;
            }
            if online.of(reference).and_then(|f| f.anonymous) == Some(true) {
                out.push(
                    Finding::new(
                        &META,
                        image,
                        format!(
                            "{} is served without credentials by `{}` (checked online): anyone can pull it; mirror it to a registry that needs credentials, or allow it with `--allowed-registry`",
                            quoted(image),
                            reference.registry
                        ),
                    )
                    .with_property("registryAnswer", "served-anonymously"),
                );
            }
        }
    }
}

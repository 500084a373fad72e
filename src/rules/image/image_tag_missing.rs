//! `image-tag-missing`: neither a tag nor a digest.

use crate::findings::finding::{Finding, Level};
use crate::rules::{Context, ImagePart, Rule, RuleMeta, quoted};
use crate::uses::ImageUse;
use std::sync::Arc;

pub(crate) struct ImageTagMissing;

static META: RuleMeta = RuleMeta {
    id: "image-tag-missing",
    name: "ImageTagMissing",
    level: Level::Error,
    summary: "The image has neither a tag nor a digest, so it means `latest`.",
    hint: "Add a version tag and pin its digest, e.g. `busybox:1.36.1@sha256:…`.",
    precision: "very-high",
    security_severity: "7.0",
    part: ImagePart::Tag,
    shows_source: true,
    online: false,
    doc: include_str!("../../../docs/rules/image-tag-missing.md"),
};

impl Rule for ImageTagMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_image(&self, image: &Arc<ImageUse>, _: &Context, out: &mut Vec<Finding>) {
        let Ok(reference) = &image.reference else {
            return;
        };
        if reference.tag.is_some() || reference.digest.is_some() {
            return;
        }
        // `registry:5000/app` looks tagged to tools that split on the last `:`. The port
        // follows the host, after the `]` of an IPv6 address.
        let host_end = reference.registry.rfind(']').map_or(0, |i| i + 1);
        let port_hint = match reference.registry[host_end..].rsplit_once(':') {
            Some((_, port)) if !reference.registry_implied => {
                format!(" (`:{port}` is the registry's port, not a tag)")
            }
            _ => String::new(),
        };
        out.push(Finding::new(
            &META,
            image,
            format!(
                "{} has no tag or digest{port_hint}, so it pulls whatever `latest` is",
                quoted(image)
            ),
        ));
    }
}

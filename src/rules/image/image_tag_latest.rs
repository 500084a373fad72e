//! `image-tag-latest`: an explicit `:latest` tag.

use crate::findings::finding::{Finding, Level};
use crate::rules::{Context, ImagePart, Rule, RuleMeta, quoted};
use crate::uses::ImageUse;
use std::sync::Arc;

pub(crate) struct ImageTagLatest;

static META: RuleMeta = RuleMeta {
    id: "image-tag-latest",
    name: "ImageTagLatest",
    level: Level::Error,
    summary: "The image uses the mutable `latest` tag.",
    hint: "Use a version tag and pin its digest, e.g. `nginx:1.27.3@sha256:…`.",
    precision: "very-high",
    security_severity: "7.0",
    part: ImagePart::Tag,
    shows_source: true,
    online: false,
    doc: include_str!("../../../docs/rules/image-tag-latest.md"),
};

impl Rule for ImageTagLatest {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_image(&self, image: &Arc<ImageUse>, _: &Context, out: &mut Vec<Finding>) {
        let Ok(reference) = &image.reference else {
            return;
        };
        if reference.tag.as_deref() != Some("latest") {
            return;
        }
        out.push(match &reference.digest {
            // NOTE: the digest is what the runtime pulls; the tag is only a label then.
            Some(_) => Finding::new(
                &META,
                image,
                format!(
                    "{} is tagged `latest`, but its digest pins it; drop the tag or use a version tag so readers know what runs",
                    quoted(image)
                ),
            )
            .with_level(Level::Note),
            None => Finding::new(
                &META,
                image,
                format!(
                    "{} uses the mutable `latest` tag: what runs changes whenever it is pushed",
                    quoted(image)
                ),
            ),
        });
    }
}

//! `image-digest-missing`: a tag but no digest.

use crate::findings::finding::{Finding, Level};
use crate::rules::{Context, ImagePart, Rule, RuleMeta, quoted};
use crate::uses::ImageUse;
use std::sync::Arc;

pub(crate) struct ImageDigestMissing;

static META: RuleMeta = RuleMeta {
    id: "image-digest-missing",
    name: "ImageDigestMissing",
    level: Level::Warning,
    summary: "The image is pinned by a tag only; a tag can be moved to other content.",
    hint: "Keep the tag and add its digest: `imagegate fix` pins it in place (`crane digest IMAGE:TAG` prints it).",
    precision: "very-high",
    security_severity: "4.0",
    part: ImagePart::Digest,
    shows_source: true,
    online: false,
    doc: include_str!("../../../docs/rules/image-digest-missing.md"),
};

impl Rule for ImageDigestMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_image(&self, image: &Arc<ImageUse>, _: &Context, out: &mut Vec<Finding>) {
        let Ok(reference) = &image.reference else {
            return;
        };
        if let (Some(tag), None) = (&reference.tag, &reference.digest) {
            out.push(Finding::new(
                &META,
                image,
                format!(
                    "{} is pinned by its tag `{tag}` only; add the digest (`@sha256:…`) so the content cannot change",
                    quoted(image)
                ),
            ));
        }
    }
}

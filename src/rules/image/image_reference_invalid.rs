//! `image-reference-invalid`: the string is not an OCI image reference.

use crate::findings::finding::{Finding, Level};
use crate::rules::{Context, ImagePart, Rule, RuleMeta, quoted};
use crate::uses::ImageUse;
use std::sync::Arc;

pub(crate) struct ImageReferenceInvalid;

static META: RuleMeta = RuleMeta {
    id: "image-reference-invalid",
    name: "ImageReferenceInvalid",
    level: Level::Error,
    summary: "The image string does not parse as an OCI image reference.",
    hint: "Write it as `[registry/]repository[:tag][@digest]`, with a lowercase repository.",
    precision: "very-high",
    security_severity: "5.0",
    part: ImagePart::Reference,
    shows_source: true,
    online: false,
    doc: include_str!("../../../docs/rules/image-reference-invalid.md"),
};

impl Rule for ImageReferenceInvalid {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_image(&self, image: &Arc<ImageUse>, _: &Context, out: &mut Vec<Finding>) {
        if let Err(why) = &image.reference {
            let placeholder = if looks_like_placeholder(&image.text) {
                "; it looks like a placeholder that is substituted before deploying"
            } else {
                ""
            };
            out.push(Finding::new(
                &META,
                image,
                format!(
                    "{} is not a valid image reference: {why}{placeholder}",
                    quoted(image)
                ),
            ));
        }
    }
}

/// `$IMAGE`, `${IMAGE_URI}`, `<DOCKER_REPO>/app`, `REGION-docker.pkg.dev/PROJECT_ID/...`:
/// text for `envsubst`, `sed` or a human to fill in.
fn looks_like_placeholder(text: &str) -> bool {
    text.contains('$')
        || (text.contains('<') && text.contains('>'))
        || text.split(['/', '-', '.', ':']).any(|part| {
            part.len() >= 4
                && part.chars().all(|c| c.is_ascii_uppercase() || c == '_')
                && part.contains('_')
                || part == "PROJECT"
                || part == "REGION"
        })
}

#[cfg(test)]
mod tests;

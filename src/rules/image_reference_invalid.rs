//! `image-reference-invalid`: the string is not an OCI image reference.

use super::{Context, Rule, RuleMeta, quoted};
use crate::finding::{Finding, Level};
use crate::uses::ImageUse;

pub struct ImageReferenceInvalid;

static META: RuleMeta = RuleMeta {
    id: "image-reference-invalid",
    name: "ImageReferenceInvalid",
    level: Level::Error,
    summary: "The image string does not parse as an OCI image reference.",
    hint: "Write it as `[registry/]repository[:tag][@digest]`, with a lowercase repository.",
    precision: "very-high",
    security_severity: "5.0",
    doc: include_str!("../../docs/rules/image-reference-invalid.md"),
};

impl Rule for ImageReferenceInvalid {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_image(&self, image: &ImageUse, _: &Context, out: &mut Vec<Finding>) {
        if let Err(why) = &image.reference {
            out.push(Finding::new(
                &META,
                image,
                format!("{} is not a valid image reference: {why}", quoted(image)),
            ));
        }
    }
}

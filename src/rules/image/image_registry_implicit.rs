//! `image-registry-implicit`: the registry or `library/` is left for the runtime to fill in.

use crate::findings::finding::{Finding, Level};
use crate::rules::{Context, ImagePart, Rule, RuleMeta, quoted};
use crate::uses::ImageUse;
use std::sync::Arc;

pub(crate) struct ImageRegistryImplicit;

static META: RuleMeta = RuleMeta {
    id: "image-registry-implicit",
    name: "ImageRegistryImplicit",
    level: Level::Note,
    summary: "The image omits its registry (or `library/`); the full name is given.",
    hint: "Write the full name, so readers and allow-lists see where the image comes from.",
    precision: "very-high",
    security_severity: "1.0",
    part: ImagePart::Registry,
    shows_source: true,
    online: false,
    doc: include_str!("../../../docs/rules/image-registry-implicit.md"),
};

impl Rule for ImageRegistryImplicit {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_image(&self, image: &Arc<ImageUse>, _: &Context, out: &mut Vec<Finding>) {
        let Ok(reference) = &image.reference else {
            return;
        };
        let omitted = match (reference.registry_implied, reference.library_implied) {
            (true, true) => "the registry and `library/`",
            (true, false) => "the registry",
            (false, true) => "`library/`",
            (false, false) => return,
        };
        out.push(Finding::new(
            &META,
            image,
            format!(
                "{} omits {omitted}; its full name is `{}`",
                quoted(image),
                reference.full()
            ),
        ));
    }
}

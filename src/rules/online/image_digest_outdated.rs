//! `image-digest-outdated`: a `tag@digest` reference whose tag has moved on.

use crate::findings::finding::{Finding, Level};
use crate::rules::{Context, ImagePart, Rule, RuleMeta, ScanFacts, quoted};

use super::{answered, short};

pub(crate) struct ImageDigestOutdated;

static META: RuleMeta = RuleMeta {
    id: "image-digest-outdated",
    name: "ImageDigestOutdated",
    level: Level::Note,
    summary: "A `tag@digest` reference whose tag now points to another digest: the pin is doing its job, and an update is available.",
    hint: "Review the new image and move the pin to its digest (`crane digest IMAGE:TAG` prints it).",
    precision: "very-high",
    security_severity: "2.0",
    part: ImagePart::Digest,
    shows_source: true,
    online: true,
    doc: include_str!("../../../docs/rules/image-digest-outdated.md"),
};

impl Rule for ImageDigestOutdated {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_scan(&self, scan: &ScanFacts<'_>, _ctx: &Context, out: &mut Vec<Finding>) {
        for (image, reference, facts) in answered(scan, ImagePart::Digest) {
            let (Some(tag), Some(pinned), Some(now)) =
                (&reference.tag, &reference.digest, &facts.tag_now)
            else {
                continue;
            };
            if pinned == now {
                continue;
            }
            out.push(
                Finding::new(
                    &META,
                    image,
                    format!(
                        "{} is pinned to `{}`, but `{tag}` now points to `{}` in `{}` (checked online): an update is available",
                        quoted(image),
                        short(pinned),
                        short(now),
                        reference.registry
                    ),
                )
                .with_property("resolvedDigest", now)
                .with_property("registryAnswer", "tag-moved"),
            );
        }
    }
}

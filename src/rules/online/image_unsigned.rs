//! `image-unsigned`: no signature refers to the image's digest in its registry.

use crate::findings::finding::{Finding, Level};
use crate::rules::{Context, ImagePart, Rule, RuleMeta, ScanFacts, quoted};

use super::{answered, short};

pub(crate) struct ImageUnsigned;

static META: RuleMeta = RuleMeta {
    id: "image-unsigned",
    name: "ImageUnsigned",
    level: Level::Warning,
    summary: "The registry holds no signature for the image's digest: no cosign signature, no OCI 1.1 referrer that is a signature (cosign, sigstore bundle, Notary v2).",
    hint: "Sign the image in the pipeline that pushes it (`cosign sign`, `notation sign`), and verify signatures at admission.",
    precision: "high",
    security_severity: "5.0",
    part: ImagePart::Reference,
    shows_source: true,
    online: true,
    doc: include_str!("../../../docs/rules/image-unsigned.md"),
};

impl Rule for ImageUnsigned {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_scan(&self, scan: &ScanFacts<'_>, _ctx: &Context, out: &mut Vec<Finding>) {
        for (image, reference, facts) in answered(scan, ImagePart::Reference) {
            let (Some(digest), Some(signatures)) = (facts.digest(), &facts.signatures) else {
                continue;
            };
            // An absence counts only when every source was read.
            if signatures.any() || !signatures.complete {
                continue;
            }
            out.push(
                Finding::new(
                    &META,
                    image,
                    format!(
                        "{} is not signed: `{}` has no cosign signature and no signature referrer for its digest `{}` (checked online)",
                        quoted(image),
                        reference.registry,
                        short(digest)
                    ),
                )
                .with_property("resolvedDigest", digest)
                .with_property("registryAnswer", "unsigned"),
            );
        }
    }
}

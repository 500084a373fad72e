//! `image-signature-unverified`: no admission policy in the scan verifies the image's signature.

use crate::findings::finding::{Finding, Level, Location};
use crate::rules::{Context, ImagePart, Rule, RuleMeta, ScanFacts, quoted};
use crate::uses::Site;

pub(crate) struct ImageSignatureUnverified;

static META: RuleMeta = RuleMeta {
    id: "image-signature-unverified",
    name: "ImageSignatureUnverified",
    level: Level::Note,
    summary: "No image-verification admission policy in the scanned set covers the image.",
    hint: "Sign the image and add a policy that verifies it (Kyverno verifyImages, Sigstore ClusterImagePolicy).",
    precision: "medium",
    security_severity: "3.0",
    part: ImagePart::Reference,
    shows_source: true,
    online: false,
    doc: include_str!("../../../docs/rules/image-signature-unverified.md"),
};

impl Rule for ImageSignatureUnverified {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_scan(&self, scan: &ScanFacts<'_>, _: &Context, out: &mut Vec<Finding>) {
        let policies = &scan.inventory.signing_policies;
        for image in scan.images {
            let (Ok(reference), Site::Container { .. }) = (&image.reference, &image.site) else {
                continue;
            };
            if policies.iter().any(|p| p.policy.covers(reference)) {
                continue;
            }
            // The policy whose pattern comes closest helps when a glob is just a bit off.
            let closest = policies
                .iter()
                .filter_map(|p| Some((p, p.policy.closest_pattern(reference)?)))
                .max_by_key(|(_, pattern)| common_prefix(pattern, &reference.full()));
            let finding = match closest {
                Some((located, pattern)) => Finding::new(
                    &META,
                    image,
                    format!(
                        "{} is not covered by any image-verification policy in the scan; the closest is {} `{}` (`{pattern}`)",
                        quoted(image),
                        located.policy.kind,
                        located.policy.name
                    ),
                )
                .with_related(
                    Location {
                        file: located.file,
                        span: located.policy.span,
                    },
                    format!("{} {}", located.policy.kind, located.policy.name),
                ),
                None => Finding::new(
                    &META,
                    image,
                    format!(
                        "{} is not covered by any image-verification policy: the scan has none",
                        quoted(image)
                    ),
                ),
            };
            out.push(finding);
        }
    }
}

fn common_prefix(a: &str, b: &str) -> usize {
    a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count()
}

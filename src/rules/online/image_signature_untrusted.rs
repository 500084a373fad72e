//! `image-signature-untrusted`: the image has cosign signatures, but none verifies with a key
//! configured for it (`registries.signers`) over a payload that names its digest.

use crate::findings::finding::{Finding, Level};
use crate::rules::{Context, ImagePart, Rule, RuleMeta, ScanFacts, quoted};

use super::{answered, short};

pub(crate) struct ImageSignatureUntrusted;

static META: RuleMeta = RuleMeta {
    id: "image-signature-untrusted",
    name: "ImageSignatureUntrusted",
    level: Level::Error,
    summary: "The image has cosign signatures, but none verifies with a key that `registries.signers` trusts for it, or the signed payload names another digest.",
    hint: "Sign the image with a trusted key (`cosign sign --key`), or add its signer's public key to `registries.signers`.",
    precision: "very-high",
    security_severity: "8.0",
    part: ImagePart::Reference,
    shows_source: true,
    online: true,
    doc: include_str!("../../../docs/rules/image-signature-untrusted.md"),
};

impl Rule for ImageSignatureUntrusted {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_scan(&self, scan: &ScanFacts<'_>, ctx: &Context, out: &mut Vec<Finding>) {
        for (image, reference, facts) in answered(scan, ImagePart::Reference) {
            let signers: Vec<_> = ctx
                .signers
                .iter()
                .filter(|s| s.images.iter().any(|p| p.matches(reference)))
                .collect();
            let (Some(digest), Some(signatures)) = (facts.digest(), &facts.signatures) else {
                continue;
            };
            // No signature at all is `image-unsigned`.
            if signers.is_empty() || signatures.cosign.is_empty() {
                continue;
            }
            let keys = || signers.iter().flat_map(|s| &s.keys);
            if signatures
                .cosign
                .iter()
                .any(|sig| keys().any(|key| sig.verifies(key, digest)))
            {
                continue;
            }
            // "None verifies" holds only when every signature was read.
            if !signatures.complete {
                continue;
            }
            // A signature by a trusted key over another image's digest was copied.
            let copied = signatures.cosign.iter().find_map(|sig| {
                let named = sig.names_digest.as_deref()?;
                (named != digest && keys().any(|key| sig.verifies(key, named))).then_some(named)
            });
            let origins: Vec<&str> = signers.iter().map(|s| s.origin.as_str()).collect();
            let why = match copied {
                Some(named) => format!(
                    "its signature by a trusted key signs `{}`, another digest than the image's `{}`",
                    short(named),
                    short(digest)
                ),
                None => format!(
                    "none of its {} cosign signature(s) verifies with a key trusted for it ({})",
                    signatures.cosign.len(),
                    origins.join(", ")
                ),
            };
            out.push(
                Finding::new(
                    &META,
                    image,
                    format!(
                        "{} is signed, but not by a trusted signer: {why} (checked online)",
                        quoted(image)
                    ),
                )
                .with_property("resolvedDigest", digest)
                .with_property(
                    "registryAnswer",
                    if copied.is_some() {
                        "signature-for-another-digest"
                    } else {
                        "signature-untrusted"
                    },
                ),
            );
        }
    }
}

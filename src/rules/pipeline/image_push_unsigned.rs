//! `image-push-unsigned`: a pipeline pushes an image and neither signs it nor pushes a
//! signed attestation of it.

use super::{report_pushes, signs};
use crate::findings::finding::{Finding, Level};
use crate::rules::{Context, FileView, ImagePart, Rule, RuleMeta};

pub(crate) struct ImagePushUnsigned;

static META: RuleMeta = RuleMeta {
    id: "image-push-unsigned",
    name: "ImagePushUnsigned",
    level: Level::Warning,
    summary: "A pipeline pushes an image and neither signs it nor pushes a signed attestation.",
    hint: "Sign what you push (`cosign sign` with sigstore/cosign-installer, `notation sign`) or push a provenance attestation (actions/attest-build-provenance with `push-to-registry: true`).",
    precision: "medium",
    security_severity: "5.0",
    part: ImagePart::Reference,
    shows_source: false,
    online: false,
    doc: include_str!("../../../docs/rules/image-push-unsigned.md"),
};

impl Rule for ImagePushUnsigned {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, file: &FileView<'_>, _: &Context, out: &mut Vec<Finding>) {
        let Some(pipeline) = file.pipeline.filter(|p| !p.reusable_only) else {
            return;
        };
        if pipeline.steps.iter().any(signs) {
            return;
        }
        report_pushes(
            &META,
            file.id,
            pipeline,
            "this pipeline neither signs it nor pushes a signed attestation of it",
            out,
        );
    }
}

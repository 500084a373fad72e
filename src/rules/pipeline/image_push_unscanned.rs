//! `image-push-unscanned`: a pipeline pushes an image and nothing in it scans one.

use super::{report_pushes, scans};
use crate::findings::finding::{Finding, Level};
use crate::rules::{Context, FileView, ImagePart, Rule, RuleMeta};

pub(crate) struct ImagePushUnscanned;

static META: RuleMeta = RuleMeta {
    id: "image-push-unscanned",
    name: "ImagePushUnscanned",
    level: Level::Warning,
    summary: "A pipeline pushes an image and no job of it scans an image for vulnerabilities.",
    hint: "Scan the image in the same workflow (aquasecurity/trivy-action, anchore/scan-action, `docker scout cves`, `grype`) before or after the push.",
    precision: "medium",
    security_severity: "5.0",
    part: ImagePart::Reference,
    shows_source: false,
    online: false,
    doc: include_str!("../../../docs/rules/image-push-unscanned.md"),
};

impl Rule for ImagePushUnscanned {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, file: &FileView<'_>, _: &Context, out: &mut Vec<Finding>) {
        let Some(pipeline) = file.pipeline.filter(|p| !p.reusable_only) else {
            return;
        };
        if pipeline.steps.iter().any(scans) {
            return;
        }
        report_pushes(
            &META,
            file.id,
            pipeline,
            "no job of this pipeline scans an image for vulnerabilities",
            out,
        );
    }
}

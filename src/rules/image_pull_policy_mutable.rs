//! `image-pull-policy-mutable`: a mutable tag that nodes never re-pull.

use super::{Context, ImagePart, Rule, RuleMeta, quoted};
use crate::finding::{Finding, Level};
use crate::uses::ImageUse;
use std::sync::Arc;

pub struct ImagePullPolicyMutable;

static META: RuleMeta = RuleMeta {
    id: "image-pull-policy-mutable",
    name: "ImagePullPolicyMutable",
    level: Level::Warning,
    summary: "A tag without a digest is combined with `imagePullPolicy: IfNotPresent` or `Never`.",
    hint: "Pin a digest (and keep `IfNotPresent`), or set `imagePullPolicy: Always`.",
    precision: "high",
    security_severity: "5.0",
    part: ImagePart::PullPolicy,
    shows_source: true,
    doc: include_str!("../../docs/rules/image-pull-policy-mutable.md"),
};

impl Rule for ImagePullPolicyMutable {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_image(&self, image: &Arc<ImageUse>, _: &Context, out: &mut Vec<Finding>) {
        let Ok(reference) = &image.reference else {
            return;
        };
        let Some(policy) = image.site.pull_policy() else {
            return;
        };
        // NOTE: an image without a tag is already an error (`image-tag-missing`).
        let (Some(tag), None) = (&reference.tag, &reference.digest) else {
            return;
        };
        if !matches!(policy, "IfNotPresent" | "Never") {
            return;
        }
        out.push(Finding::new(
            &META,
            image,
            format!(
                "{} is the mutable tag `{tag}` with `imagePullPolicy: {policy}`: each node runs whatever it cached under that tag; pin a digest",
                quoted(image)
            ),
        ));
    }
}

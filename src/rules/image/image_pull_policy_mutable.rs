//! `image-pull-policy-mutable`: a mutable tag (written, or the `latest` of an untagged image)
//! that nodes never re-pull.

use crate::findings::finding::{Finding, Level};
use crate::rules::{Context, ImagePart, Rule, RuleMeta, quoted};
use crate::uses::ImageUse;
use std::sync::Arc;

pub(crate) struct ImagePullPolicyMutable;

static META: RuleMeta = RuleMeta {
    id: "image-pull-policy-mutable",
    name: "ImagePullPolicyMutable",
    level: Level::Warning,
    summary: "An image without a digest (a tag, or no tag: `latest`) is combined with `imagePullPolicy: IfNotPresent` or `Never`.",
    hint: "Pin a digest (and keep `IfNotPresent`), or set `imagePullPolicy: Always`.",
    precision: "high",
    security_severity: "5.0",
    part: ImagePart::PullPolicy,
    shows_source: true,
    online: false,
    doc: include_str!("../../../docs/rules/image-pull-policy-mutable.md"),
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
        if reference.digest.is_some() || !matches!(policy, "IfNotPresent" | "Never") {
            return;
        }
        // NOTE: an image without a tag or digest is `:latest` to the kubelet, as mutable as a
        // written `latest`. `rules::check_images` runs this rule only where the use decides the
        // tag (`ImagePart::Tag`), so a values image whose template adds the tag
        // (`tag_written: false`) is judged once rendered, never here.
        let message = match &reference.tag {
            Some(tag) => format!(
                "{} is the mutable tag `{tag}` with `imagePullPolicy: {policy}`: each node runs whatever it cached under that tag; pin a digest",
                quoted(image)
            ),
            None => format!(
                "{} has no tag, so the kubelet pulls it as `latest`, with `imagePullPolicy: {policy}`: each node runs whatever it cached as `latest`; pin a tag and digest",
                quoted(image)
            ),
        };
        out.push(Finding::new(&META, image, message));
    }
}

#[cfg(test)]
mod tests;

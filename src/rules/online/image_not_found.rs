//! `image-not-found`: the registry says the tag or digest does not exist.

use crate::findings::finding::{Finding, Level};
use crate::online::inspect::Lookup;
use crate::rules::{Context, ImagePart, Rule, RuleMeta, ScanFacts, quoted};

use super::answered;

pub(crate) struct ImageNotFound;

static META: RuleMeta = RuleMeta {
    id: "image-not-found",
    name: "ImageNotFound",
    level: Level::Error,
    summary: "The registry answers that the image's tag or digest does not exist (a warning when it refused an anonymous request and no credentials are configured).",
    hint: "Fix the tag or digest, push the image, or configure credentials for the registry (`--registry-auth`).",
    precision: "very-high",
    security_severity: "5.0",
    // Found at the tag: in a values file or a kustomize entry, the line to change.
    part: ImagePart::Tag,
    shows_source: true,
    online: true,
    doc: include_str!("../../../docs/rules/image-not-found.md"),
};

impl Rule for ImageNotFound {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_scan(&self, scan: &ScanFacts<'_>, _ctx: &Context, out: &mut Vec<Finding>) {
        for (image, reference, facts) in answered(scan, ImagePart::Reference) {
            let registry = &reference.registry;
            let what = match (&reference.digest, &reference.tag) {
                (Some(digest), _) => format!("digest `{digest}`"),
                (None, Some(tag)) => format!("tag `{tag}`"),
                (None, None) => "tag `latest` (implied)".to_string(),
            };
            let repository = &reference.repository;
            let finding = match &facts.lookup {
                Lookup::NotFound { .. } => Finding::new(
                    &META,
                    image,
                    format!(
                        "{} does not exist: `{registry}` answered that `{repository}` has no {what} (checked online)",
                        quoted(image)
                    ),
                )
                .with_property("registryAnswer", "not-found"),
                Lookup::CredentialsRequired => Finding::new(
                    &META,
                    image,
                    format!(
                        "{} does not exist or is not readable without credentials: `{registry}` refused an anonymous request for `{repository}` and no credentials are configured for it (`--registry-auth`)",
                        quoted(image)
                    ),
                )
                .with_level(Level::Warning)
                .with_property("registryAnswer", "credentials-required"),
                Lookup::Found { .. } | Lookup::CredentialsRefused | Lookup::Failed { .. } => {
                    continue;
                }
            };
            out.push(finding);
        }
    }
}

//! `image-unscanned`: no vulnerability-scan attestation and no SBOM for the image's digest,
//! or only a scan older than the rule's `max-age-days`.

use crate::findings::finding::{Finding, Level};
use crate::rules::options::{OptionsKind, OptionsOf};
use crate::rules::{Context, ImagePart, Rule, RuleMeta, ScanFacts, quoted};
use crate::syntax::date;

use super::{answered, short};

pub(crate) struct ImageUnscanned;

/// `rules.image-unscanned` options.
#[derive(Debug, serde::Deserialize, serde::Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct Options {
    /// A scan attestation older than this many days (by the finish time it records) counts
    /// as stale and is reported; 0 turns the age check off.
    #[serde(default = "default_max_age")]
    pub max_age_days: u32,
}

fn default_max_age() -> u32 {
    30
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_age_days: default_max_age(),
        }
    }
}

static OPTIONS: OptionsOf<Options> = OptionsOf::new();

static META: RuleMeta = RuleMeta {
    id: "image-unscanned",
    name: "ImageUnscanned",
    level: Level::Note,
    summary: "The registry holds no vulnerability-scan attestation and no SBOM for the image's digest, or its newest scan is older than `max-age-days`.",
    hint: "Scan the image in the pipeline that pushes it and attach the result (`trivy image --format cosign-vuln` then `cosign attest --type vuln`), or attach an SBOM.",
    precision: "high",
    security_severity: "3.0",
    part: ImagePart::Reference,
    shows_source: true,
    online: true,
    doc: include_str!("../../../docs/rules/image-unscanned.md"),
};

impl Rule for ImageUnscanned {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn options(&self) -> &'static dyn OptionsKind {
        &OPTIONS
    }

    fn check_scan(&self, scan: &ScanFacts<'_>, ctx: &Context, out: &mut Vec<Finding>) {
        let options = OPTIONS.get(ctx);
        let today = date::today();
        for (image, reference, facts) in answered(scan, ImagePart::Reference) {
            let (Some(digest), Some(attestations)) = (facts.digest(), &facts.attestations) else {
                continue;
            };
            // Absences and ages count only when every source was read.
            if !attestations.complete {
                continue;
            }
            let message = if attestations.scans.is_empty() && attestations.sboms.is_empty() {
                format!(
                    "{} (digest `{}`) has no vulnerability-scan attestation and no SBOM in `{}` (checked online)",
                    quoted(image),
                    short(digest),
                    reference.registry
                )
            } else {
                // The newest scan's age is known only when every scan says when it finished.
                let age = (!attestations.undated_scans)
                    .then_some(attestations.scan_finished.as_deref())
                    .flatten()
                    .and_then(|t| date::parse_date(t.get(..10)?))
                    .map(|day| today - day);
                match age {
                    Some(days)
                        if options.max_age_days > 0 && days > i64::from(options.max_age_days) =>
                    {
                        format!(
                            "{} (digest `{}`) was last scanned {days} days ago, by its newest scan attestation (more than {} days; checked online)",
                            quoted(image),
                            short(digest),
                            options.max_age_days
                        )
                    }
                    _ => continue,
                }
            };
            out.push(
                Finding::new(&META, image, message)
                    .with_property("resolvedDigest", digest)
                    .with_property("registryAnswer", "unscanned"),
            );
        }
    }
}

//! The rule catalog: every rule's metadata and check, in one table.
//!
//! A rule is one file (`src/rules/<id as snake_case>.rs`) with a unit struct implementing
//! [`Rule`], one line in [`ALL`], its page `docs/rules/<id>.md` and its fixtures
//! `fixtures/rules/<id>/`. A meta-test checks that all four exist for every rule.

mod image_digest_missing;
mod image_pull_policy_mutable;
mod image_reference_invalid;
mod image_registry_implicit;
mod image_registry_not_allowed;
mod image_registry_public;
mod image_tag_latest;
mod image_tag_missing;

use crate::finding::{Finding, Level};
use crate::registry::RegistryPattern;
use crate::uses::ImageUse;
use std::sync::Arc;

/// What a rule is, for the catalog, SARIF `tool.driver.rules` and the docs.
#[derive(Debug)]
pub struct RuleMeta {
    /// Stable id, the SARIF ruleId. Never rename one.
    pub id: &'static str,
    /// PascalCase name (SARIF `name`).
    pub name: &'static str,
    /// Default level.
    pub level: Level,
    /// One line: what it finds.
    pub summary: &'static str,
    /// One line: how to fix it (the text report's `help:`).
    pub hint: &'static str,
    /// How sure a finding is: `very-high`, `high`, `medium` or `low` (SARIF `precision`).
    pub precision: &'static str,
    /// GitHub's `security-severity`: a number in (0, 10], as a string.
    pub security_severity: &'static str,
    /// The rule's documentation page (`docs/rules/<id>.md`).
    pub doc: &'static str,
}

impl RuleMeta {
    /// The paragraph under the page title: the rule's full description.
    pub fn full_description(&self) -> String {
        self.doc
            .lines()
            .skip_while(|l| l.starts_with('#') || l.trim().is_empty())
            .take_while(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Where the rule's page is published.
    pub fn help_uri(&self) -> String {
        format!("{DOCS_BASE}/{}.md", self.id)
    }
}

/// Where rule documentation pages live on the web.
pub const DOCS_BASE: &str = "https://github.com/imagegate/imagegate/blob/main/docs/rules";

/// What rules may consult besides the use itself.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// `--allowed-registry` patterns; empty when no allow-list is configured.
    pub allowed_registries: Vec<RegistryPattern>,
}

/// A check. Rules override the hooks for what they look at.
pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;

    /// Look at one image use; push findings to `out`.
    fn check_image(&self, _image: &Arc<ImageUse>, _ctx: &Context, _out: &mut Vec<Finding>) {}
}

/// Every rule, in catalog order.
pub static ALL: &[&dyn Rule] = &[
    &image_reference_invalid::ImageReferenceInvalid,
    &image_tag_latest::ImageTagLatest,
    &image_tag_missing::ImageTagMissing,
    &image_digest_missing::ImageDigestMissing,
    &image_registry_implicit::ImageRegistryImplicit,
    &image_registry_public::ImageRegistryPublic,
    &image_registry_not_allowed::ImageRegistryNotAllowed,
    &image_pull_policy_mutable::ImagePullPolicyMutable,
];

/// Run every rule on every use.
pub fn check_images(images: Vec<ImageUse>, ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for image in images.into_iter().map(Arc::new) {
        for rule in ALL {
            rule.check_image(&image, ctx, &mut out);
        }
    }
    out
}

/// `image` in backticks for messages, as used.
pub(crate) fn quoted(image: &ImageUse) -> String {
    format!("`{}`", image.text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_unique_kebab_case_and_files_match() {
        let mut seen = HashSet::new();
        for rule in ALL {
            let m = rule.meta();
            assert!(seen.insert(m.id), "duplicate id {}", m.id);
            assert!(
                m.id.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{}",
                m.id
            );
            let file = format!("src/rules/{}.rs", m.id.replace('-', "_"));
            assert!(std::path::Path::new(&file).exists(), "missing {file}");
            assert!(
                m.doc.starts_with(&format!("# {}", m.id)),
                "doc title of {}",
                m.id
            );
            let sev: f64 = m
                .security_severity
                .parse()
                .expect("numeric security-severity");
            assert!(sev > 0.0 && sev <= 10.0);
            assert!(["very-high", "high", "medium", "low"].contains(&m.precision));
            assert!(!m.full_description().is_empty(), "{}", m.id);
            assert!(m.hint.ends_with('.') && !m.hint.contains('\n'), "{}", m.id);
        }
    }
}

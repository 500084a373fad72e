//! `unused-suppression`: a suppression that silences nothing (or a configuration `ignore`
//! entry that has expired). Made by the findings policy (`policy.rs`), which is where
//! suppressions are matched; the rule itself has no hooks.

use super::{ImagePart, Rule, RuleMeta};
use crate::findings::finding::Level;

pub struct UnusedSuppression;

static META: RuleMeta = RuleMeta {
    id: "unused-suppression",
    name: "UnusedSuppression",
    level: Level::Note,
    summary: "A suppression comment, annotation or configuration entry silences nothing, or has expired.",
    hint: "Remove the suppression, or renew an expired configuration entry once the findings are reviewed.",
    precision: "very-high",
    security_severity: "1.0",
    part: ImagePart::Reference,
    shows_source: true,
    online: false,
    doc: include_str!("../../docs/rules/unused-suppression.md"),
};

/// The rule's metadata, for the findings the policy makes.
pub fn meta() -> &'static RuleMeta {
    &META
}

impl Rule for UnusedSuppression {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
}

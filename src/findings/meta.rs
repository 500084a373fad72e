//! What a rule is, apart from what it checks: its stable id, default level, texts, SARIF
//! properties and documentation page. Findings carry a reference to their rule's metadata;
//! this module imports nothing of the findings, so the two do not depend on each other.

use serde::Serialize;

use crate::uses::ImagePart;

/// How serious a finding is. Ordered: `Note < Warning < Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Note,
    Warning,
    Error,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Note => "note",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

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
    /// Which part of an image reference the rule judges; a kustomize `images:` entry is
    /// checked only for the parts it sets, and findings point at the key that sets them.
    pub part: ImagePart,
    /// Whether reports may show the source around a finding. `false` for rules about
    /// secrets: their lines hold the values, which are never printed.
    pub shows_source: bool,
    /// Whether the rule asks the registry (`--online`): offline it never fires.
    pub online: bool,
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

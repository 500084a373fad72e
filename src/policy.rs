//! Findings policy in one place: levels from configuration, ignore rules, the order findings
//! are reported in, the counts by level, and the exit code.

use std::collections::BTreeMap;

use crate::config::ObjectSelector;
use crate::finding::{Finding, Level};

/// How findings are judged, from the configuration and the command line.
#[derive(Debug, Clone)]
pub struct Policy {
    pub fail_on: FailOn,
    /// Configured levels by rule id; `None` turns the rule off.
    pub levels: BTreeMap<&'static str, Option<Level>>,
    /// `ignore:` entries of the configuration file.
    pub ignores: Vec<IgnoreRule>,
    /// The configuration file, as shown in reports (where unused ignore entries are reported).
    pub config_path: Option<String>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            fail_on: FailOn::Error,
            levels: BTreeMap::new(),
            ignores: Vec::new(),
            config_path: None,
        }
    }
}

/// One `ignore:` entry of the configuration file.
#[derive(Debug, Clone)]
pub struct IgnoreRule {
    pub rule: String,
    /// Globs on repository-relative paths; empty means any path.
    pub paths: Vec<globset::GlobMatcher>,
    /// Object selectors; empty means any object (and findings not about an object).
    pub objects: Vec<ObjectSelector>,
    pub reason: String,
    /// Days since 1970-01-01 from which the entry no longer applies.
    pub expires: Option<i64>,
    /// Where the entry is in the configuration file.
    pub line: usize,
    pub column: usize,
}

impl Policy {
    /// Apply configured levels: findings of rules turned off are dropped, the others take
    /// their rule's configured level.
    pub fn apply_levels(&self, findings: &mut Vec<Finding>) {
        if self.levels.is_empty() {
            return;
        }
        findings.retain_mut(|f| match self.levels.get(f.rule.id) {
            Some(None) => false,
            Some(Some(level)) => {
                f.level = *level;
                true
            }
            None => true,
        });
    }

    /// Whether `rule` runs at all.
    pub fn enabled(&self, rule: &str) -> bool {
        !matches!(self.levels.get(rule), Some(None))
    }
}

/// The lowest level that fails the run (`--fail-on`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Note,
    Never,
}

impl FailOn {
    pub fn as_str(self) -> &'static str {
        match self {
            FailOn::Error => "error",
            FailOn::Warning => "warning",
            FailOn::Note => "note",
            FailOn::Never => "never",
        }
    }

    fn threshold(self) -> Option<Level> {
        match self {
            FailOn::Error => Some(Level::Error),
            FailOn::Warning => Some(Level::Warning),
            FailOn::Note => Some(Level::Note),
            FailOn::Never => None,
        }
    }
}

/// Exit code 1 when a finding is at or above `fail_on`, else 0.
pub fn exit_code(findings: &[Finding], fail_on: FailOn) -> u8 {
    match fail_on.threshold() {
        Some(threshold) if findings.iter().any(|f| f.level >= threshold) => 1,
        _ => 0,
    }
}

/// Findings by level.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub error: usize,
    pub warning: usize,
    pub note: usize,
}

impl Counts {
    pub fn of(findings: &[Finding]) -> Self {
        let mut counts = Counts::default();
        for f in findings {
            match f.level {
                Level::Error => counts.error += 1,
                Level::Warning => counts.warning += 1,
                Level::Note => counts.note += 1,
            }
        }
        counts
    }

    pub fn total(&self) -> usize {
        self.error + self.warning + self.note
    }
}

/// Report order: by file, then position, then the rule's place in the catalog.
pub fn sort_findings(findings: &mut [Finding]) {
    let rank = |id: &str| crate::rules::ALL.iter().position(|r| r.meta().id == id);
    findings.sort_by_key(|f| (f.location, rank(f.rule.id)));
}

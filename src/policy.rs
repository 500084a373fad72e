//! Findings policy in one place: the order findings are reported in, the counts by level,
//! and the exit code. (Levels from configuration, suppressions and baselines join here.)

use crate::finding::{Finding, Level};

/// The lowest level that fails the run (`--fail-on`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Note,
    Never,
}

impl FailOn {
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

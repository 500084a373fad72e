//! What a scan produced: its files, findings, suppressed findings, baseline outcome,
//! diagnostics and counts.

use crate::findings::baseline;
use crate::findings::finding::Finding;
use crate::input::diagnostic::Diagnostic;

use super::files::ScannedFile;

/// Counts of what was looked at.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    pub files: usize,
    pub documents: usize,
    pub objects: usize,
    pub images: usize,
    /// Helm charts rendered (or read from `--rendered`).
    pub rendered_charts: usize,
    /// With `--online`: the distinct references the registries answered for, and not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub online: Option<OnlineStats>,
}

/// How many distinct references the online phase checked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OnlineStats {
    pub checked: usize,
    /// Not answered in time, or the lookup failed: each has a diagnostic.
    pub not_checked: usize,
}

/// Everything a scan produced.
#[derive(Debug, Clone, Default)]
pub struct ScanReport {
    pub files: Vec<ScannedFile>,
    /// Sorted by file, position and rule.
    pub findings: Vec<Finding>,
    /// Findings silenced by a comment, annotation or configuration entry (each with its
    /// `suppression`): listed, never counted.
    pub suppressed: Vec<Finding>,
    /// What `--baseline` left out, and which of its entries are fixed.
    pub baseline: Option<baseline::Outcome>,
    pub diagnostics: Vec<Diagnostic>,
    pub stats: Stats,
}

impl ScanReport {
    pub fn file(&self, finding: &Finding) -> &ScannedFile {
        &self.files[finding.location.file]
    }
}

//! What a scan produced: its files, findings, suppressed findings, baseline outcome,
//! diagnostics and counts.

use crate::findings::baseline;
use crate::findings::finding::Finding;
use crate::input::diagnostic::Diagnostic;

use super::files::ScannedFile;

/// Counts of what was looked at.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
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
    /// With `--changed-since` (the action's `changed-only`): what the scan was limited to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limited: Option<Limited>,
}

/// A scan limited to what a change touches: every file read, only changed charts and overlays
/// rendered, only findings in changed files reported.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Limited {
    /// What the change is: `changes since main (merge base 1a2b3c4d5e6f)`, `the files pull
    /// request #12 changes`.
    pub since: String,
    /// Files the change touches (deleted ones included).
    pub changed_files: usize,
    /// Charts (top charts) and overlays rendered, and left unrendered as unchanged.
    pub charts_rendered: usize,
    pub charts_unchanged: usize,
    pub overlays_built: usize,
    pub overlays_unchanged: usize,
    /// Findings in files outside the change, not reported.
    pub findings_left_out: usize,
}

impl Limited {
    /// `Limited to 3 changed files (changes since main (merge base 1a2b3c4d5e6f)): 1 of 4
    /// charts and 0 of 2 overlays rendered, the rest unchanged; 12 findings in other files not
    /// reported.`
    pub fn describe(&self) -> String {
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        let mut text = format!(
            "Limited to {} ({}): {} of {} and {} of {} rendered, the rest unchanged",
            plural(self.changed_files, "changed file"),
            self.since,
            self.charts_rendered,
            plural(self.charts_rendered + self.charts_unchanged, "chart"),
            self.overlays_built,
            plural(self.overlays_built + self.overlays_unchanged, "overlay"),
        );
        if self.findings_left_out > 0 {
            text.push_str(&format!(
                "; {} in other files not reported",
                plural(self.findings_left_out, "finding")
            ));
        }
        text.push('.');
        text
    }
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

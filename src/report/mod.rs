//! Reports: the last stage of the pipeline. Each format is one module and reads only the
//! [`ScanReport`]; lines and columns are computed here, from byte spans, and nowhere earlier.

pub mod github;
pub mod json;
pub mod markdown;
pub mod sarif;
pub mod text;

use crate::ScanReport;
use crate::findings::finding::Finding;
use crate::input::paths::RepoPaths;

/// Output formats of `imagegate scan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Sarif,
    /// GitHub-flavoured Markdown: the job summary and pull-request comment of the action.
    Markdown,
    /// GitHub workflow commands (`::error file=…::`), which annotate a workflow run.
    Github,
}

/// A finding's fingerprint over its repository-relative path ([`Finding::fingerprint`]): SARIF
/// `partialFingerprints`, the JSON `fingerprint` and baseline entries all use this one.
pub fn fingerprint(report: &ScanReport, finding: &Finding, paths: &RepoPaths) -> String {
    finding.fingerprint(&paths.shown(&report.file(finding).path))
}

/// The tool's version, as reports show it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

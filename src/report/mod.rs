//! Reports: the last stage of the pipeline. Each format is one module and reads only the
//! [`ScanReport`]; lines and columns are computed here, from byte spans, and nowhere earlier.

pub mod github;
pub mod json;
pub mod markdown;
pub mod sarif;
pub mod text;

use sha2::{Digest, Sha256};

use crate::ScanReport;
use crate::finding::Finding;
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

/// A finding's stable fingerprint: a hash of rule, repository-relative path, object and
/// field (never a line), so it survives edits elsewhere in the file, and is the same whether
/// the scan starts at the repository root, in a subdirectory or with file arguments. SARIF
/// `partialFingerprints`, the JSON `fingerprint` and baseline entries all use this one.
pub fn fingerprint(report: &ScanReport, finding: &Finding, paths: &RepoPaths) -> String {
    let path = paths.shown(&report.file(finding).path);
    let key = finding.fingerprint_key(&path);
    let digest = Sha256::digest(key.as_bytes());
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// The tool's version, as reports show it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

//! Reports: the last stage of the pipeline. Each format is one module and reads only the
//! [`ScanReport`]; lines and columns are computed here, from byte spans, and nowhere earlier.

pub mod json;
pub mod sarif;
pub mod text;

use sha2::{Digest, Sha256};

use crate::ScanReport;
use crate::finding::Finding;

/// Output formats of `imagegate scan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Sarif,
}

/// A finding's stable fingerprint: a hash of rule, path, object and field (never a line), so
/// it survives edits elsewhere in the file.
pub fn fingerprint(report: &ScanReport, finding: &Finding) -> String {
    let key = finding.fingerprint_key(&report.file(finding).path);
    let digest = Sha256::digest(key.as_bytes());
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// The tool's version, as reports show it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

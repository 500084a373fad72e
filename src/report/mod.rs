//! Reports: the last stage of the pipeline. Each format is one module and reads only the
//! [`ScanReport`]; lines and columns are computed here, from byte spans, and nowhere earlier.

pub mod github;
pub mod json;
pub mod markdown;
pub mod sarif;
pub mod text;

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::ScanReport;
use crate::finding::Finding;

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

/// Repository-relative paths, as GitHub wants them in SARIF, annotations and links.
///
/// A report path is relative to the working directory (or absolute); it is resolved, symlinks
/// included, and made relative to the repository root: `root` when given (the action's
/// `GITHUB_WORKSPACE`), else the nearest directory above the working directory holding `.git`,
/// else the working directory.
#[derive(Debug, Clone)]
pub struct RepoPaths {
    cwd: Option<PathBuf>,
    root: Option<PathBuf>,
}

impl RepoPaths {
    pub fn new(root: Option<&Path>) -> Self {
        let cwd = std::env::current_dir().and_then(|d| d.canonicalize()).ok();
        let root = match root {
            Some(root) => Some(root.canonicalize().unwrap_or_else(|_| root.to_path_buf())),
            None => cwd.as_ref().map(|cwd| {
                cwd.ancestors()
                    .find(|dir| dir.join(".git").exists())
                    .unwrap_or(cwd)
                    .to_path_buf()
            }),
        };
        RepoPaths { cwd, root }
    }

    /// `Ok` with the path relative to the root (forward slashes), or `Err` with the absolute
    /// path of a file outside it.
    pub fn relative(&self, path: &str) -> Result<String, String> {
        let full = match &self.cwd {
            Some(cwd) => cwd.join(path),
            None => PathBuf::from(path),
        };
        let full = full.canonicalize().unwrap_or(full);
        match self
            .root
            .as_ref()
            .and_then(|root| full.strip_prefix(root).ok())
        {
            Some(relative) => Ok(crate::walk::display_path(relative)),
            None => Err(crate::walk::display_path(&full)),
        }
    }

    /// The repository-relative path when there is one, else the path as given.
    pub fn shown(&self, path: &str) -> String {
        self.relative(path).unwrap_or_else(|_| path.to_string())
    }
}

/// Percent-encode a repository path for a URI or URL, keeping `/` and the unreserved
/// characters.
pub fn percent_encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

//! Baselines: adopt imagegate on a repository with findings, and report only new ones.
//!
//! `imagegate baseline write FILE` records today's findings by their stable fingerprints (rule,
//! repository-relative path, object and field; never a line number, so edits above a finding do
//! not revive it); `--baseline FILE` then leaves those out, counts them, and lists the entries
//! that no longer match anything as fixed.
//!
//! The file is plain text, one finding per line, sorted by path, rule and fingerprint, so a
//! baseline diffs well in review:
//!
//! ```text
//! # imagegate baseline 1
//! <fingerprint>\t<rule>\t<path>\t<message>
//! ```
//!
//! Only the fingerprint is matched; rule, path and message are there for people (and for the
//! "fixed" list). Lines starting with `#` and blank lines are ignored. The same fingerprint may
//! appear several times (identical findings): each line accepts one finding.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

use crate::findings::finding::Finding;

/// The first line of every baseline file.
pub const HEADER: &str = "# imagegate baseline 1";

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Entry {
    // Field order is the sort order: path, rule, fingerprint.
    pub path: String,
    pub rule: String,
    pub fingerprint: String,
    pub message: String,
}

/// A baseline file's entries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Baseline {
    pub entries: Vec<Entry>,
}

/// What applying a baseline did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Outcome {
    /// The baseline file, as given.
    pub file: String,
    /// Findings left out because the baseline has them.
    pub matched: usize,
    /// Entries no finding matched: fixed since the baseline was written.
    pub fixed: Vec<Entry>,
}

/// A baseline file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("{path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}: {message}")]
    Format {
        path: String,
        line: usize,
        message: String,
    },
}

impl Baseline {
    /// The baseline of a report's findings (suppressed ones are not findings); `repo_path`
    /// gives each finding's file relative to the repository root, which its fingerprint is
    /// over, so a baseline written from one directory matches a scan run from another.
    pub fn of(findings: &[Finding], repo_path: impl Fn(&Finding) -> String) -> Baseline {
        let mut entries: Vec<Entry> = findings
            .iter()
            .map(|f| {
                let path = repo_path(f);
                Entry {
                    fingerprint: f.fingerprint(&path),
                    path,
                    rule: f.rule.id.to_string(),
                    message: f.message.replace(['\t', '\n', '\r'], " "),
                }
            })
            .collect();
        entries.sort();
        Baseline { entries }
    }

    /// The file's text.
    pub fn render(&self) -> String {
        let mut text = format!(
            "{HEADER}\n# One accepted finding per line: fingerprint, rule, path, message (only the fingerprint is matched).\n"
        );
        for e in &self.entries {
            let _ = writeln!(
                text,
                "{}\t{}\t{}\t{}",
                e.fingerprint, e.rule, e.path, e.message
            );
        }
        text
    }

    /// Parse a baseline file's text; `shown` names it in errors.
    pub fn parse(text: &str, shown: &str) -> Result<Baseline, BaselineError> {
        let fail = |line: usize, message: String| BaselineError::Format {
            path: shown.to_string(),
            line,
            message,
        };
        if !text.starts_with(HEADER) {
            return Err(fail(
                1,
                format!(
                    "not an imagegate baseline (it must start with `{HEADER}`; write one with `imagegate baseline write`)"
                ),
            ));
        }
        let mut entries = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let mut fields = line.splitn(4, '\t');
            let (Some(fingerprint), Some(rule), Some(path)) =
                (fields.next(), fields.next(), fields.next())
            else {
                return Err(fail(
                    i + 1,
                    "expected `fingerprint<TAB>rule<TAB>path<TAB>message`".into(),
                ));
            };
            if fingerprint.len() != 32 || !fingerprint.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(fail(
                    i + 1,
                    format!("`{fingerprint}` is not a fingerprint (32 hex digits)"),
                ));
            }
            entries.push(Entry {
                path: path.to_string(),
                rule: rule.to_string(),
                fingerprint: fingerprint.to_ascii_lowercase(),
                message: fields.next().unwrap_or_default().to_string(),
            });
        }
        Ok(Baseline { entries })
    }

    pub fn read(path: &Path) -> Result<Baseline, BaselineError> {
        let shown = crate::input::paths::display_path(path);
        let text = std::fs::read_to_string(path).map_err(|source| BaselineError::Read {
            path: shown.clone(),
            source,
        })?;
        Baseline::parse(&text, &shown)
    }

    /// Leave out the findings the baseline has (each entry accepts one finding) and list the
    /// entries nothing matched.
    pub fn apply(
        &self,
        findings: &mut Vec<Finding>,
        repo_path: impl Fn(&Finding) -> String,
        file: &str,
    ) -> Outcome {
        let mut open: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, e) in self.entries.iter().enumerate() {
            open.entry(e.fingerprint.as_str()).or_default().push(i);
        }
        let mut used = vec![false; self.entries.len()];
        let mut matched = 0;
        let mut kept = Vec::with_capacity(findings.len());
        for finding in std::mem::take(findings) {
            let key = finding.fingerprint(&repo_path(&finding));
            match open.get_mut(key.as_str()).and_then(Vec::pop) {
                Some(i) => {
                    used[i] = true;
                    matched += 1;
                }
                None => kept.push(finding),
            }
        }
        *findings = kept;
        Outcome {
            file: file.to_string(),
            matched,
            fixed: self
                .entries
                .iter()
                .zip(&used)
                .filter(|(_, used)| !**used)
                .map(|(e, _)| e.clone())
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests;

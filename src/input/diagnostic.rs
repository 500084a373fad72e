//! Diagnostics: what the scan could not check, and why (unreadable or unparsable files,
//! skipped templates, unresolvable Dockerfile variables). They are not findings, and the scan
//! always goes on; they change the exit code only through `--fail-on-unchecked`, for those
//! marked [`Diagnostic::unchecked`] (see `policy::Gate`).

use serde::Serialize;

use crate::syntax::source::Position;

/// How loud a diagnostic is. `Debug` ones are shown only with `--verbose`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Debug,
    Note,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Debug => "debug",
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// One diagnostic about one file (or a path given on the command line).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// The file, as shown in reports.
    pub path: String,
    /// Where in the file, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    pub message: String,
    /// A file, or a document in it, that was not checked at all: unreadable, over
    /// `--max-file-size`, binary, not UTF-8, a manifest that is not valid YAML, or past a
    /// parser limit. `--fail-on-unchecked` fails the scan on these.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub unchecked: bool,
}

impl Diagnostic {
    pub fn new(severity: Severity, path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            path: path.into(),
            line: None,
            column: None,
            message: message.into(),
            unchecked: false,
        }
    }

    /// Mark what this diagnostic is about as not checked at all.
    pub fn unchecked(mut self) -> Self {
        self.unchecked = true;
        self
    }

    pub fn at(mut self, position: Position) -> Self {
        self.line = Some(position.line);
        self.column = Some(position.column);
        self
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.severity.as_str(), self.path)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

//! Findings, their levels and where they are.
//!
//! A finding is always built from the use it is about ([`Finding::new`] takes the
//! [`ImageUse`]), so it cannot exist without a location; rules never compute line numbers.

use std::sync::Arc;

use serde::Serialize;

use crate::rules::RuleMeta;
use crate::source::Span;
use crate::uses::ImageUse;

/// How serious a finding is. Ordered: `Note < Warning < Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Note,
    Warning,
    Error,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Note => "note",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A byte range in one scanned file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Location {
    /// Index into [`crate::ScanReport::files`].
    pub file: usize,
    pub span: Span,
}

/// One problem a rule found.
#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: &'static RuleMeta,
    pub level: Level,
    pub message: String,
    pub location: Location,
    /// What the finding is about; carried into every report.
    /// Shared by all findings about the same use.
    pub image: Arc<ImageUse>,
}

impl Finding {
    /// A finding of `rule` at `image`'s location, at the rule's default level. Control
    /// characters from the source (`image: |` keeps a line break) are escaped, so a message is
    /// always one line.
    pub fn new(rule: &'static RuleMeta, image: &Arc<ImageUse>, message: impl Into<String>) -> Self {
        let message = one_line(message.into());
        Finding {
            rule,
            level: rule.level,
            message,
            location: Location {
                file: image.file,
                span: image.span,
            },
            image: Arc::clone(image),
        }
    }

    pub fn with_level(mut self, level: Level) -> Self {
        self.level = level;
        self
    }

    /// The stable identity of this finding across runs: rule, path, object and field, never a
    /// line number, so edits above a finding keep its identity.
    pub fn fingerprint_key(&self, path: &str) -> String {
        format!("{}|{}|{}", self.rule.id, path, self.image.site.identity())
    }
}

/// `message` with control characters escaped (`\n`, `\t`, `\u{1b}`).
fn one_line(message: String) -> String {
    if !message.contains(char::is_control) {
        return message;
    }
    let mut out = String::with_capacity(message.len() + 8);
    for c in message.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

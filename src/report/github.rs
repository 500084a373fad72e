//! GitHub workflow commands: `::error file=deploy/web.yaml,line=21,col=18,…::message` lines on
//! standard output annotate a workflow run and the pull request's changed files.
//!
//! GitHub shows at most [`PER_KIND`] annotations of each kind per step and drops the rest
//! silently, so errors come first, each kind is capped, and one notice says how many were left
//! out and where to find them. Every value is escaped the way the runner unescapes it, so text
//! from a scanned file can never end a command early or start a new one.

use std::fmt::Write as _;

use crate::ScanReport;
use crate::findings::finding::Level;
use crate::input::diagnostic::Severity;
use crate::input::paths::RepoPaths;

/// Annotations GitHub shows per kind (error, warning, notice) and step.
pub const PER_KIND: usize = 10;

/// The three annotation commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Error,
    Warning,
    Notice,
}

impl Kind {
    fn command(self) -> &'static str {
        match self {
            Kind::Error => "error",
            Kind::Warning => "warning",
            Kind::Notice => "notice",
        }
    }

    fn of(level: Level) -> Kind {
        match level {
            Level::Error => Kind::Error,
            Level::Warning => Kind::Warning,
            Level::Note => Kind::Notice,
        }
    }
}

/// One annotation, before escaping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    pub kind: Kind,
    /// Repository-relative path.
    pub file: Option<String>,
    pub line: Option<usize>,
    pub end_line: Option<usize>,
    pub col: Option<usize>,
    /// Inclusive, as GitHub reads it; only given on a one-line annotation.
    pub end_column: Option<usize>,
    pub title: String,
    pub message: String,
}

impl Annotation {
    /// A plain annotation without a place (`::warning title=…::message`).
    pub fn plain(kind: Kind, title: impl Into<String>, message: impl Into<String>) -> Self {
        Annotation {
            kind,
            file: None,
            line: None,
            end_line: None,
            col: None,
            end_column: None,
            title: title.into(),
            message: message.into(),
        }
    }

    /// The workflow command, one line without the line break.
    pub fn command(&self) -> String {
        let mut params = Vec::new();
        if let Some(file) = &self.file {
            params.push(format!("file={}", escape_property(file)));
        }
        let numbers = [
            ("line", self.line),
            ("endLine", self.end_line),
            ("col", self.col),
            ("endColumn", self.end_column),
        ];
        for (name, value) in numbers {
            if let Some(value) = value {
                params.push(format!("{name}={value}"));
            }
        }
        if !self.title.is_empty() {
            params.push(format!("title={}", escape_property(&self.title)));
        }
        let mut out = format!("::{}", self.kind.command());
        if !params.is_empty() {
            out.push(' ');
            out.push_str(&params.join(","));
        }
        let _ = write!(out, "::{}", escape_data(&self.message));
        out
    }
}

/// Escape a command's message: `%`, `\r` and `\n` (as `@actions/core` does).
pub fn escape_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push(c),
        }
    }
    out
}

/// Escape a command's parameter value: as [`escape_data`], plus `:` and `,`.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The annotations of a report, most severe first, at most [`PER_KIND`] of each kind when
/// `capped`.
#[derive(Debug, Clone, Default)]
pub struct Annotations {
    pub shown: Vec<Annotation>,
    /// How many were left out, by kind (error, warning, notice).
    pub omitted: [usize; 3],
}

impl Annotations {
    pub fn omitted_total(&self) -> usize {
        self.omitted.iter().sum()
    }

    /// The commands, one per line; a final notice counts what was left out.
    pub fn write(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        for annotation in &self.shown {
            writeln!(out, "{}", annotation.command())?;
        }
        if let Some(notice) = self.omitted_notice() {
            writeln!(out, "{}", notice.command())?;
        }
        Ok(())
    }

    fn omitted_notice(&self) -> Option<Annotation> {
        if self.omitted_total() == 0 {
            return None;
        }
        let [errors, warnings, notices] = self.omitted;
        let parts: Vec<String> = [
            (errors, "error"),
            (warnings, "warning"),
            (notices, "notice"),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}{}", if n == 1 { "" } else { "s" }))
        .collect();
        Some(Annotation::plain(
            Kind::Notice,
            "imagegate: more findings",
            format!(
                "{} more not annotated ({}): GitHub shows {PER_KIND} annotations of each kind per step. Every finding is in the job summary and the SARIF report.",
                self.omitted_total(),
                parts.join(", ")
            ),
        ))
    }
}

/// The annotations for `report`: findings by level (errors first, report order within a
/// level), then files that could not be checked as warnings.
pub fn annotations(report: &ScanReport, paths: &RepoPaths, capped: bool) -> Annotations {
    let mut all: Vec<Annotation> = Vec::new();
    for finding in &report.findings {
        let file = report.file(finding);
        let mut annotation = Annotation::plain(
            Kind::of(finding.level),
            finding.rule.id,
            finding.message.clone(),
        );
        annotation.file = Some(paths.shown(&file.path));
        match file.region(finding.location.span) {
            Some(region) => {
                annotation.line = Some(region.start.line);
                annotation.end_line = Some(region.end.line);
                // Columns only on one line: GitHub ignores them otherwise.
                if region.start.line == region.end.line {
                    annotation.col = Some(region.start.column);
                    annotation.end_column =
                        Some(region.end.column.saturating_sub(1).max(region.start.column));
                }
            }
            None => annotation.line = Some(1),
        }
        all.push(annotation);
    }
    for d in &report.diagnostics {
        if d.severity < Severity::Warning {
            continue;
        }
        let mut annotation = Annotation::plain(
            Kind::Warning,
            "imagegate: file not fully checked",
            d.message.clone(),
        );
        annotation.file = Some(paths.shown(&d.path));
        annotation.line = d.line;
        annotation.col = d.column;
        all.push(annotation);
    }
    if capped {
        cap(all)
    } else {
        Annotations {
            shown: all,
            omitted: [0; 3],
        }
    }
}

/// Most severe first (report order within a kind), at most [`PER_KIND`] of each kind; when
/// any are left out, one notice place is kept for the notice that counts them.
fn cap(mut all: Vec<Annotation>) -> Annotations {
    all.sort_by_key(|a| a.kind);
    let count = |kind: Kind| all.iter().filter(|a| a.kind == kind).count();
    let over = [Kind::Error, Kind::Warning, Kind::Notice]
        .into_iter()
        .any(|k| count(k) > PER_KIND);
    let mut result = Annotations::default();
    let mut used = [0usize; 3];
    for annotation in all {
        let i = annotation.kind as usize;
        let cap = if annotation.kind == Kind::Notice && over {
            PER_KIND - 1
        } else {
            PER_KIND
        };
        if used[i] < cap {
            used[i] += 1;
            result.shown.push(annotation);
        } else {
            result.omitted[i] += 1;
        }
    }
    result
}

/// `--format github`: the annotations, capped as GitHub would show them.
pub fn write(
    report: &ScanReport,
    paths: &RepoPaths,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    annotations(report, paths, true).write(out)
}

#[cfg(test)]
mod tests;

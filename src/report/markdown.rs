//! GitHub-flavoured Markdown: the action's job summary and sticky pull-request comment, and
//! `imagegate scan --format markdown` for other CI systems and for people.
//!
//! One renderer serves all three; [`Options`] says what differs (links to the commit, the
//! pull request's changed files first, a per-rule table, a hidden marker, a size limit). The
//! document always fits its limit: rows that do not fit are counted in a closing "…and N
//! more" line. Only finding messages, rule ids and paths are shown, never source text, so no
//! secret value can appear.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;

use crate::ScanReport;
use crate::findings::finding::{Finding, Level};
use crate::input::diagnostic::Severity;
use crate::input::paths::RepoPaths;
use crate::policy::{self, Counts, Gate};

/// Where findings link to: `{server}/{repository}/blob/{sha}/{path}#L{line}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Links {
    /// `https://github.com`, or a GitHub Enterprise server.
    pub server: String,
    /// `owner/repo`.
    pub repository: String,
    /// The commit the scanned files are at.
    pub sha: String,
}

impl Links {
    fn blob(&self, path: &str, line: usize) -> String {
        format!(
            "{}/{}/blob/{}/{}#L{line}",
            self.server.trim_end_matches('/'),
            self.repository,
            self.sha,
            crate::input::paths::percent_encode(path)
        )
    }
}

/// What differs between the summary, the comment and `--format markdown`.
#[derive(Debug, Clone)]
pub struct Options<'a> {
    /// What fails the run (the verdict line says whether this run does).
    pub gate: Gate,
    pub links: Option<Links>,
    /// Files the pull request changes (repository-relative): their findings are listed first,
    /// the others in a collapsed section.
    pub changed: Option<&'a HashSet<String>>,
    /// A table of findings by rule.
    pub by_rule: bool,
    /// A first line that is not shown (the sticky comment's marker).
    pub marker: Option<&'a str>,
    /// Most bytes the document may have (GitHub: 65,536 characters for a comment, 1 MiB for a
    /// step summary).
    pub limit: usize,
    /// Where the full list is, for the truncation note, as Markdown (e.g. a link to the run).
    pub full_report: Option<String>,
    /// Annotations left out because of GitHub's per-step limits.
    pub annotations_omitted: usize,
}

impl Default for Options<'_> {
    fn default() -> Self {
        Options {
            gate: Gate::default(),
            links: None,
            changed: None,
            by_rule: true,
            marker: None,
            limit: usize::MAX,
            full_report: None,
            annotations_omitted: 0,
        }
    }
}

/// GitHub's limit on a comment body, in characters.
pub const COMMENT_LIMIT: usize = 65_536;
/// GitHub's limit on one step's summary, in bytes.
pub const SUMMARY_LIMIT: usize = 1024 * 1024;
/// Files that could not be checked, listed one by one at most.
const MAX_DIAGNOSTICS: usize = 50;
/// Room kept for the closing lines after the last row that fits.
const RESERVE: usize = 600;

const HEADER: &str = "| Level | Rule | Location | Message |\n|---|---|---|---|\n";

/// Render `report` as one Markdown document.
pub fn render(report: &ScanReport, paths: &RepoPaths, options: &Options) -> String {
    let mut out = String::new();
    if let Some(marker) = options.marker {
        let _ = writeln!(out, "{marker}");
    }
    head(report, options, &mut out);
    if options.by_rule && !report.findings.is_empty() {
        rule_table(report, &mut out);
    }
    diagnostics(report, paths, &mut out);

    // Errors first, report order (file, position) within a level.
    let mut order: Vec<&Finding> = report.findings.iter().collect();
    order.sort_by_key(|f| std::cmp::Reverse(f.level));
    let row = |f: &Finding| finding_row(report, f, paths, options.links.as_ref());

    let budget = options.limit.saturating_sub(RESERVE);
    let mut left_out = 0;
    let mut push_rows = |out: &mut String, findings: &[&Finding]| {
        for f in findings {
            let line = row(f);
            if out.len() + line.len() > budget {
                left_out += 1;
            } else {
                out.push_str(&line);
            }
        }
    };
    match options.changed {
        Some(changed) => {
            let (mine, others): (Vec<&Finding>, Vec<&Finding>) = order
                .iter()
                .partition(|f| changed.contains(&paths.shown(&report.file(f).path)));
            if !report.findings.is_empty() {
                if mine.is_empty() {
                    out.push_str("No findings in the files this pull request changes.\n\n");
                } else {
                    let _ = writeln!(
                        out,
                        "#### In files this pull request changes ({})\n",
                        mine.len()
                    );
                    out.push_str(HEADER);
                    push_rows(&mut out, &mine);
                    out.push('\n');
                }
            }
            if !others.is_empty() {
                let _ = writeln!(
                    out,
                    "<details><summary>{} in other files</summary>\n",
                    plural(others.len(), "finding")
                );
                out.push_str(HEADER);
                push_rows(&mut out, &others);
                out.push_str("\n</details>\n\n");
            }
        }
        None if !order.is_empty() => {
            out.push_str("#### Findings\n\n");
            out.push_str(HEADER);
            push_rows(&mut out, &order);
            out.push('\n');
        }
        None => {}
    }
    if !report.suppressed.is_empty() {
        let _ = writeln!(
            out,
            "<details><summary>{} suppressed (not counted)</summary>\n\n| Rule | Location | Reason |\n|---|---|---|",
            plural(report.suppressed.len(), "finding")
        );
        for f in &report.suppressed {
            let file = report.file(f);
            let line = file.region(f.location.span).map_or(1, |r| r.start.line);
            let (reason, by) = f
                .suppression
                .as_ref()
                .map_or(("", ""), |s| (s.reason.as_str(), s.by.as_str()));
            let row = format!(
                "| `{}` | `{}` | {} ({}) |\n",
                f.rule.id,
                code(&format!("{}:{line}", paths.shown(&file.path))),
                cell(reason),
                cell(by)
            );
            if out.len() + row.len() > budget {
                left_out += 1;
            } else {
                out.push_str(&row);
            }
        }
        out.push_str("\n</details>\n\n");
    }
    if left_out > 0 {
        let _ = write!(
            out,
            "…and {} more, left out to stay within GitHub's size limit",
            plural(left_out, "finding")
        );
        match &options.full_report {
            Some(full) => {
                let _ = writeln!(out, ": see {full}.\n");
            }
            None => out.push_str(".\n\n"),
        }
    }
    if options.annotations_omitted > 0 {
        let _ = writeln!(
            out,
            "{} not annotated on the files: GitHub shows 10 annotations of each kind per step. All are listed here and in the SARIF report.\n",
            match options.annotations_omitted {
                1 => "1 finding was".to_string(),
                n => format!("{n} findings were"),
            }
        );
    }
    let _ = writeln!(
        out,
        "<sub>[imagegate](https://github.com/imagegate/imagegate) {}</sub>",
        super::VERSION
    );
    out
}

/// The verdict line and the counts.
fn head(report: &ScanReport, options: &Options, out: &mut String) {
    let counts = Counts::of(&report.findings);
    let gate = options.gate;
    let fail_on = gate.fail_on.as_str();
    let found = counts_text(&counts);
    let unchecked = policy::unchecked_files(report).len();
    let verdict = if gate.fails_on_unchecked(report) {
        let found = if counts.total() == 0 {
            String::new()
        } else {
            format!("{found}; ")
        };
        let why = if gate.fails_on_findings(report) {
            format!("fails at `{fail_on}` and `fail-on-unchecked`")
        } else {
            "fails: `fail-on-unchecked`".to_string()
        };
        format!(
            "❌ imagegate: {found}{} not checked ({why})",
            plural(unchecked, "file")
        )
    } else if counts.total() == 0 {
        "✅ imagegate: no image problems found".to_string()
    } else if gate.fails_on_findings(report) {
        format!("❌ imagegate: {found} (fails at `{fail_on}`)")
    } else {
        format!("⚠️ imagegate: {found} (passes: `fail-on` is `{fail_on}`)")
    };
    let _ = writeln!(out, "### {verdict}\n");
    let stats = &report.stats;
    let mut scanned = format!(
        "Checked {} and {}",
        plural(stats.files, "file"),
        plural(stats.images, "image reference")
    );
    if stats.rendered_charts > 0 {
        let _ = write!(
            scanned,
            " ({} rendered)",
            plural(stats.rendered_charts, "Helm chart")
        );
    }
    if let Some(online) = stats.online {
        let _ = write!(
            scanned,
            "; {} checked online",
            plural(online.checked, "reference")
        );
        if online.not_checked > 0 {
            let _ = write!(scanned, ", {} not checked", online.not_checked);
        }
    }
    if let Some(baseline) = &report.baseline {
        let _ = write!(
            scanned,
            "; {} in the baseline left out, {} of its entries fixed",
            plural(baseline.matched, "finding"),
            baseline.fixed.len()
        );
    }
    if unchecked > 0 && !gate.fails_on_unchecked(report) {
        let _ = write!(
            scanned,
            "; {} could not be checked (below)",
            plural(unchecked, "file")
        );
    }
    let _ = writeln!(out, "{scanned}.\n");
    if let Some(limited) = &stats.limited {
        let _ = writeln!(out, "{}\n", limited.describe());
    }
    if counts.total() > 0 {
        out.push_str("| 🔴 Errors | 🟡 Warnings | 🔵 Notes |\n|---:|---:|---:|\n");
        let _ = writeln!(
            out,
            "| {} | {} | {} |\n",
            counts.error, counts.warning, counts.note
        );
    }
}

/// Findings by rule: most severe rules first, then the most frequent.
fn rule_table(report: &ScanReport, out: &mut String) {
    let mut by_rule: BTreeMap<&str, (Level, usize, String)> = BTreeMap::new();
    for f in &report.findings {
        let entry = by_rule
            .entry(f.rule.id)
            .or_insert((f.level, 0, f.rule.help_uri()));
        entry.0 = entry.0.max(f.level);
        entry.1 += 1;
    }
    let mut rows: Vec<_> = by_rule.into_iter().collect();
    rows.sort_by_key(|(id, (level, n, _))| (std::cmp::Reverse(*level), std::cmp::Reverse(*n), *id));
    out.push_str("| Rule | Level | Findings |\n|---|---|---:|\n");
    for (id, (level, n, uri)) in rows {
        let _ = writeln!(out, "| [`{id}`]({uri}) | {} | {n} |", level_badge(level));
    }
    out.push('\n');
}

/// Files that could not be checked, collapsed.
fn diagnostics(report: &ScanReport, paths: &RepoPaths, out: &mut String) {
    let shown: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.severity >= Severity::Warning)
        .collect();
    if shown.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<details><summary>⚠️ {} not fully checked</summary>\n",
        match shown.len() {
            1 => "1 path was".to_string(),
            n => format!("{n} paths were"),
        }
    );
    for d in shown.iter().take(MAX_DIAGNOSTICS) {
        let place = match d.line {
            Some(line) => format!("{}:{line}", paths.shown(&d.path)),
            None => paths.shown(&d.path),
        };
        let _ = writeln!(out, "- `{}`: {}", code(&place), cell(&d.message));
    }
    if shown.len() > MAX_DIAGNOSTICS {
        let _ = writeln!(out, "- …and {} more", shown.len() - MAX_DIAGNOSTICS);
    }
    out.push_str("\n</details>\n\n");
}

fn finding_row(
    report: &ScanReport,
    finding: &Finding,
    paths: &RepoPaths,
    links: Option<&Links>,
) -> String {
    let file = report.file(finding);
    let line = file
        .region(finding.location.span)
        .map_or(1, |r| r.start.line);
    let location = match (paths.relative(&file.path), links) {
        (Ok(path), Some(links)) => format!(
            "[`{}`]({})",
            code(&format!("{path}:{line}")),
            links.blob(&path, line)
        ),
        (Ok(path), None) => format!("`{}`", code(&format!("{path}:{line}"))),
        (Err(path), _) => format!("`{}`", code(&format!("{path}:{line}"))),
    };
    format!(
        "| {} | [`{}`]({}) | {location} | {} |\n",
        level_badge(finding.level),
        finding.rule.id,
        finding.rule.help_uri(),
        cell(&finding.message)
    )
}

fn level_badge(level: Level) -> &'static str {
    match level {
        Level::Error => "🔴 error",
        Level::Warning => "🟡 warning",
        Level::Note => "🔵 note",
    }
}

fn counts_text(counts: &Counts) -> String {
    let parts: Vec<String> = [
        (counts.error, "error"),
        (counts.warning, "warning"),
        (counts.note, "note"),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| plural(n, what))
    .collect();
    parts.join(", ")
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// Text inside a code span in a table: only `|` needs escaping there (GFM splits cells
/// before it parses code spans); a backtick would end the span, so it becomes `'`.
fn code(s: &str) -> String {
    s.replace('`', "'")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
}

/// Text for a table cell: one line, `|` escaped, and outside code spans no HTML, no
/// emphasis, links or @-mentions made of scanned text.
fn cell(s: &str) -> String {
    let s = s.replace(['\n', '\r'], " ");
    let balanced = s.matches('`').count().is_multiple_of(2);
    let mut out = String::with_capacity(s.len() + 8);
    let mut in_code = false;
    for c in s.chars() {
        match c {
            '`' if balanced => {
                in_code = !in_code;
                out.push(c);
            }
            '|' => out.push_str("\\|"),
            _ if in_code => out.push(c),
            '`' => out.push_str("\\`"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '@' => out.push_str("&#64;"),
            '\\' | '*' | '_' | '[' | ']' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests;

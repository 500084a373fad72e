//! Human-readable output in the style of rustc: the location, the source line, a caret under
//! the image, the rule id and a one-line hint, then a summary line with counts by level.

use std::fmt::Write as _;

use owo_colors::OwoColorize as _;

use crate::ScanReport;
use crate::findings::finding::Subject;
use crate::findings::finding::{Finding, Level};
use crate::policy::Counts;
use crate::uses::{ObjectId, Site};

/// ANSI styling, on or off (the command line decides, with anstream's detection of the
/// terminal, `NO_COLOR`, `CLICOLOR` and `CLICOLOR_FORCE`).
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(self, paint: Paint, text: &str) -> String {
        if self.color {
            text.style(paint.style()).to_string()
        } else {
            text.to_string()
        }
    }
}

/// The few styles of the text report.
#[derive(Debug, Clone, Copy)]
enum Paint {
    Bold,
    Dim,
    Error,
    Warning,
    Note,
    Fixed,
    Gutter,
}

impl Paint {
    fn style(self) -> owo_colors::Style {
        let bold = owo_colors::Style::new().bold();
        match self {
            Paint::Bold => bold,
            Paint::Dim => owo_colors::Style::new().dimmed(),
            Paint::Error => bold.red(),
            Paint::Warning => bold.yellow(),
            Paint::Note => bold.cyan(),
            Paint::Fixed => bold.green(),
            Paint::Gutter => bold.blue(),
        }
    }
}

/// Write the whole report. Findings on the same image are shown together: their headlines,
/// then the source line once, then a hint for each.
pub fn write(
    report: &ScanReport,
    style: Style,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut block = String::new();
    for group in report.findings.chunk_by(|a, b| a.location == b.location) {
        block.clear();
        render_group(&mut block, report, group, style);
        block.push('\n');
        out.write_all(block.as_bytes())?;
    }
    for f in &report.suppressed {
        let file = report.file(f);
        let place = file.region(f.location.span).map_or(file.path.clone(), |r| {
            format!("{}:{}:{}", file.path, r.start.line, r.start.column)
        });
        if let Some(s) = &f.suppression {
            writeln!(
                out,
                "{} {place}: {} (by {}: {})",
                style.paint(Paint::Dim, &format!("suppressed[{}]:", f.rule.id)),
                f.message,
                s.by,
                s.reason
            )?;
        }
    }
    if !report.suppressed.is_empty() {
        writeln!(out)?;
    }
    if let Some(baseline) = &report.baseline {
        for e in &baseline.fixed {
            writeln!(
                out,
                "{} {}: {} (in the baseline, no longer found)",
                style.paint(Paint::Fixed, &format!("fixed[{}]:", e.rule)),
                e.path,
                e.message
            )?;
        }
        if !baseline.fixed.is_empty() {
            writeln!(out)?;
        }
    }
    if let Some(limited) = &report.stats.limited {
        writeln!(out, "{}", style.paint(Paint::Dim, &limited.describe()))?;
    }
    writeln!(out, "{}", summary(report, style))
}

/// Characters of context shown on each side of a place in a long line.
const WINDOW: usize = 80;

/// `line` cut to the place at 1-based `column` spanning `width` characters, with `…` where it
/// was cut; the place's column and width in what is shown.
fn window(line: &str, column: usize, width: usize) -> (String, usize, usize) {
    let chars: Vec<char> = line.chars().collect();
    if chars.len() <= 2 * WINDOW + width.min(WINDOW) {
        return (line.to_string(), column, width);
    }
    let at = column.saturating_sub(1).min(chars.len());
    let width = width.min(WINDOW);
    let start = at.saturating_sub(WINDOW);
    let end = (at + width + WINDOW).min(chars.len());
    let mut shown: String = chars[start..end].iter().collect();
    let mut column = at - start + 1;
    if start > 0 {
        shown.insert(0, '…');
        column += 1;
    }
    if end < chars.len() {
        shown.push('…');
    }
    (shown, column, width)
}

fn level_color(level: Level) -> Paint {
    match level {
        Level::Error => Paint::Error,
        Level::Warning => Paint::Warning,
        Level::Note => Paint::Note,
    }
}

fn render_group(out: &mut String, report: &ScanReport, group: &[Finding], style: Style) {
    let Some(first) = group.first() else { return };
    let file = report.file(first);
    let blue = |s: &str| style.paint(Paint::Gutter, s);
    for finding in group {
        let _ = writeln!(
            out,
            "{}{} {}",
            style.paint(level_color(finding.level), finding.level.as_str()),
            style.paint(Paint::Bold, &format!("[{}]:", finding.rule.id)),
            finding.message
        );
    }
    let region = file.region(first.location.span);
    let line_no = region.map_or(String::new(), |r| r.start.line.to_string());
    let gutter = " ".repeat(line_no.len().max(1));
    // NOTE: the lines of secrets are never shown, not even masked: where the key is is enough.
    let shows_source = group.iter().all(|f| f.rule.shows_source);
    let location = region.map_or(file.path.clone(), |r| {
        format!("{}:{}:{}", file.path, r.start.line, r.start.column)
    });
    let _ = writeln!(out, "{gutter}{} {location}", blue("-->"));
    match region {
        None => {}
        Some(_) if !shows_source => {}
        Some(region) => {
            let source_line = file.shown_line(region.start.line).replace('\t', " ");
            let width = if region.end.line == region.start.line {
                region.end.column.saturating_sub(region.start.column)
            } else {
                (source_line.chars().count() + 1).saturating_sub(region.start.column)
            }
            .max(1);
            // A long line (minified JSON) is shown as a window around the place, so output
            // does not grow with the line's length times its findings.
            let (source_line, column, width) = window(&source_line, region.start.column, width);
            let worst = group.iter().map(|f| f.level).max().unwrap_or(Level::Note);
            let _ = writeln!(out, "{gutter} {}", blue("|"));
            let _ = writeln!(out, "{} {} {source_line}", blue(&line_no), blue("|"));
            let _ = writeln!(
                out,
                "{gutter} {} {}{}",
                blue("|"),
                " ".repeat(column.saturating_sub(1)),
                style.paint(level_color(worst), &"^".repeat(width))
            );
        }
    }
    if let Some(context) = context_line(first) {
        let _ = writeln!(out, "{gutter} {} in {context}", blue("="));
    }
    let mut shown = Vec::new();
    for finding in group {
        for related in &finding.related {
            // Findings of one group often share a related place (the template line).
            if shown.contains(&(related.location, &related.message)) {
                continue;
            }
            shown.push((related.location, &related.message));
            let other = &report.files[related.location.file];
            let at = other
                .region(related.location.span)
                .map_or(String::new(), |r| {
                    format!(":{}:{}", r.start.line, r.start.column)
                });
            let _ = writeln!(
                out,
                "{gutter} {} see {}{at}: {}",
                blue("="),
                other.path,
                related.message
            );
        }
    }
    for finding in group {
        let label = if group.len() == 1 {
            "help".to_string()
        } else {
            format!("help[{}]", finding.rule.id)
        };
        let _ = writeln!(out, "{gutter} {} {label}: {}", blue("="), finding.rule.hint);
    }
}

/// What a finding is about, in words: `Deployment shop/web, container `web``.
pub fn context_line(finding: &Finding) -> Option<String> {
    let object_words = |object: &ObjectId| {
        let mut s = object.kind.clone();
        match (&object.namespace, &object.name) {
            (Some(ns), Some(name)) => s.push_str(&format!(" {ns}/{name}")),
            (None, Some(name)) => s.push_str(&format!(" {name}")),
            _ => {}
        }
        s
    };
    match &finding.subject {
        Subject::Image(image) => match &image.site {
            Site::Container {
                object, container, ..
            } => {
                let mut s = object_words(object);
                if let Some(c) = container {
                    s.push_str(&format!(", container `{c}`"));
                }
                Some(s)
            }
            Site::DockerfileFrom {
                stage_index,
                stage_name,
                written,
                ..
            } => {
                let mut s = format!("build stage {stage_index}");
                if let Some(name) = stage_name {
                    s.push_str(&format!(" (`{name}`)"));
                }
                if let Some(w) = written {
                    s.push_str(&format!(", FROM `{w}` with ARG defaults"));
                }
                Some(s)
            }
            Site::KustomizeImage { name, .. } => {
                Some(format!("kustomize `images:` entry for `{name}`"))
            }
            Site::HelmValues(values) => Some(format!("Helm values `{}`", values.key_path)),
            Site::Compose {
                service, written, ..
            } => Some(match written {
                Some(w) => format!("Compose service `{service}`, `{w}` with its defaults"),
                None => format!("Compose service `{service}`"),
            }),
            Site::Pipeline { key_path } => Some(format!("pipeline `{key_path}`")),
        },
        Subject::Object {
            object, key_path, ..
        } => Some(format!("{}, `{key_path}`", object_words(object))),
        Subject::Command { command, .. } => Some(format!("`{command}` command")),
        Subject::Suppression { .. } => None,
    }
}

/// `3 errors, 1 warning, 2 notes in 2 files (14 files, 20 images scanned)`.
pub fn summary(report: &ScanReport, style: Style) -> String {
    let counts = Counts::of(&report.findings);
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let mut files_with: Vec<usize> = report.findings.iter().map(|f| f.location.file).collect();
    files_with.dedup();
    let charts = match report.stats.rendered_charts {
        0 => String::new(),
        1 => ", 1 chart rendered".to_string(),
        n => format!(", {n} charts rendered"),
    };
    let scanned = format!(
        "{}{charts}, {} scanned",
        plural(report.stats.files, "file"),
        plural(report.stats.images, "image")
    );
    let scanned = match report.stats.online {
        Some(online) if online.not_checked > 0 => format!(
            "{scanned}, {} checked online ({} not checked)",
            online.checked, online.not_checked
        ),
        Some(online) => format!("{scanned}, {} checked online", online.checked),
        None => scanned,
    };
    let mut scanned = match report.suppressed.len() {
        0 => scanned,
        n => format!("{scanned}, {n} suppressed"),
    };
    if let Some(baseline) = &report.baseline {
        scanned.push_str(&format!(
            ", {} in the baseline, {} fixed",
            baseline.matched,
            baseline.fixed.len()
        ));
    }
    match crate::policy::unchecked_files(report).len() {
        0 => {}
        n => scanned.push_str(&format!(", {} not checked", plural(n, "file"))),
    }
    if counts.total() == 0 {
        return format!(
            "{}: no findings ({scanned})",
            style.paint(Paint::Fixed, "imagegate")
        );
    }
    format!(
        "{}: {}, {}, {} in {} ({scanned})",
        style.paint(Paint::Bold, "imagegate"),
        plural(counts.error, "error"),
        plural(counts.warning, "warning"),
        plural(counts.note, "note"),
        plural(files_with.len(), "file")
    )
}

#[cfg(test)]
mod tests;

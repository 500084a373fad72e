//! A scan limited to what a change touches (`--changed-since`, the action's `changed-only`):
//! which charts and overlays to render, and which findings and diagnostics to report.
//!
//! Every file is still read and checked, so the facts that span files (ServiceAccounts, pull
//! secrets, admission policies, RBAC) come from the whole tree; that costs no rendering. What
//! is left out is rendering what did not change, and reporting what is not in the change.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::ScanReport;
use crate::findings::report::Limited;
use crate::input::changed::Changed;
use crate::input::diagnostic::Diagnostic;
use crate::render::helm::{Charts, HelmOptions};
use crate::render::kustomize::{self, Kustomization};

/// Top charts none of whose inputs changed: no file under the chart's folder (its subcharts
/// and dependency archives included) and no values file it is rendered with.
pub(super) fn unchanged_charts(
    charts: &Charts,
    options: &HelmOptions,
    changed: &Changed,
) -> HashSet<usize> {
    (0..charts.list.len())
        .filter(|&i| charts.list[i].parent.is_none())
        .filter(|&i| {
            let chart = &charts.list[i];
            let (_, _, values) = options.settings(&chart.dir);
            !changed.touches(&chart.dir) && !values.iter().any(|v| changed.contains(v))
        })
        .collect()
}

/// Whether an overlay rooted at `root` reads a changed file. An overlay that would not be
/// built at all (a remote or outside reference) counts as changed when its own kustomization
/// is, so the reason is reported.
pub(super) fn overlay_changed(
    root: &Kustomization,
    all: &[Kustomization],
    boundary: &Path,
    changed: &Changed,
) -> bool {
    match kustomize::inputs(root, all, boundary) {
        Ok(files) => files.iter().any(|file| changed.contains(file)),
        Err(_) => changed.contains(&root.file),
    }
}

/// Keep the findings with their place, or a related place, in a changed file (a finding left
/// in a rendered stream belongs to a chart or overlay rendered because it changed); the
/// diagnostics about changed files and about the charts and overlays rendered (`rendered`:
/// their folders); the baseline's fixed entries in changed files. Records the limit in the
/// report's statistics.
pub(super) fn apply(
    report: &mut ScanReport,
    changed: &Changed,
    rendered: &[PathBuf],
    repo_root: Option<&Path>,
    mut limited: Limited,
) {
    let in_change: Vec<bool> = report
        .files
        .iter()
        .map(|file| {
            file.disk
                .as_deref()
                .is_none_or(|disk| changed.contains(disk))
        })
        .collect();
    let keep = |finding: &crate::findings::finding::Finding| {
        in_change[finding.location.file]
            || finding.related.iter().any(|r| in_change[r.location.file])
    };
    let before = report.findings.len();
    report.findings.retain(keep);
    report.suppressed.retain(keep);
    limited.findings_left_out = before - report.findings.len();
    let rendered: Vec<PathBuf> = rendered.iter().map(|d| kustomize::absolute(d)).collect();
    let scanned: HashSet<&str> = report.files.iter().map(|f| f.path.as_str()).collect();
    report
        .diagnostics
        .retain(|diagnostic| in_scope(diagnostic, &scanned, changed, &rendered));
    if let Some(baseline) = &mut report.baseline {
        baseline.fixed.retain(|entry| {
            let path = Path::new(&entry.path);
            changed.contains(&repo_root.map_or_else(|| path.to_path_buf(), |root| root.join(path)))
        });
    }
    report.stats.limited = Some(limited);
}

/// A diagnostic about a scanned file is kept when the file changed or lies in a chart or
/// overlay that was rendered; one about anything else (a path given on the command line, a
/// stream) is kept.
fn in_scope(
    diagnostic: &Diagnostic,
    scanned: &HashSet<&str>,
    changed: &Changed,
    rendered: &[PathBuf],
) -> bool {
    let path = Path::new(&diagnostic.path);
    if !scanned.contains(diagnostic.path.as_str()) && !path.exists() {
        return true;
    }
    if changed.contains(path) {
        return true;
    }
    let absolute = kustomize::absolute(path);
    rendered.iter().any(|dir| absolute.starts_with(dir))
}

#[cfg(test)]
mod tests;

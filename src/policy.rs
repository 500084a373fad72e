//! Findings policy in one place: levels from configuration, ignore rules, the order findings
//! are reported in, the counts by level, and the exit code.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use crate::findings::files::ScannedFile;
use crate::findings::finding::{Finding, Level, Location, Subject, Suppression};
use crate::findings::report::ScanReport;
use crate::input::paths::RepoPaths;
use crate::rules::RuleMeta;
use crate::syntax::date;
use crate::syntax::name_glob::ObjectSelector;
use crate::syntax::source::Span;
use crate::uses::{ObjectId, Site};

/// The annotation that silences rules for one object: `"rule-id, other-id"`.
pub const IGNORE_ANNOTATION: &str = "imagegate.dev/ignore";
/// Why: required with [`IGNORE_ANNOTATION`].
pub const IGNORE_REASON_ANNOTATION: &str = "imagegate.dev/ignore-reason";

/// How findings are judged, from the configuration and the command line.
#[derive(Debug, Clone)]
pub struct Policy {
    pub fail_on: FailOn,
    /// `--fail-on-unchecked`: a file the scan could not check fails the run too.
    pub fail_on_unchecked: bool,
    /// Configured levels by rule id; `None` turns the rule off.
    pub levels: BTreeMap<&'static str, Option<Level>>,
    /// `ignore:` entries of the configuration file.
    pub ignores: Vec<IgnoreRule>,
    /// The configuration file and the directory its paths are relative to (where unused
    /// ignore entries are reported).
    pub config: Option<(PathBuf, PathBuf)>,
    /// `--baseline FILE`: findings it accepts are left out (and counted).
    pub baseline: Option<(crate::findings::baseline::Baseline, String)>,
    /// The repository root that fingerprints' paths are relative to: the action's workspace,
    /// else (`None`) the git repository around the working directory.
    pub root: Option<PathBuf>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            fail_on: FailOn::Error,
            fail_on_unchecked: false,
            levels: BTreeMap::new(),
            ignores: Vec::new(),
            config: None,
            baseline: None,
            root: None,
        }
    }
}

/// One `ignore:` entry of the configuration file.
#[derive(Debug, Clone)]
pub struct IgnoreRule {
    pub rule: String,
    /// Globs on repository-relative paths; empty means any path.
    pub paths: Vec<globset::GlobMatcher>,
    /// Object selectors; empty means any object (and findings not about an object).
    pub objects: Vec<ObjectSelector>,
    pub reason: String,
    /// Days since 1970-01-01 from which the entry no longer applies.
    pub expires: Option<i64>,
    /// The entry's `rule:` value in the configuration file.
    pub span: Span,
}

impl Policy {
    /// Apply configured levels: findings of rules turned off are dropped, the others take
    /// their rule's configured level.
    pub fn apply_levels(&self, report: &mut ScanReport) {
        self.set_levels(&mut report.findings);
        self.set_levels(&mut report.suppressed);
    }

    fn set_levels(&self, findings: &mut Vec<Finding>) {
        if self.levels.is_empty() {
            return;
        }
        findings.retain_mut(|f| match self.levels.get(f.rule.id) {
            Some(None) => false,
            Some(Some(level)) => {
                f.level = *level;
                true
            }
            None => true,
        });
    }

    /// Leave out the findings of the baseline, if there is one (after suppressions and levels:
    /// what a baseline accepts is what `baseline write` reported).
    pub fn apply_baseline(&self, report: &mut ScanReport) {
        if let Some((baseline, shown)) = &self.baseline {
            let paths = RepoPaths::new(self.root.as_deref());
            let files = &report.files;
            let repo_path = |f: &Finding| paths.shown(&files[f.location.file].path);
            let outcome = baseline.apply(&mut report.findings, repo_path, shown);
            report.baseline = Some(outcome);
        }
    }

    /// Whether `rule` runs at all.
    pub fn enabled(&self, rule: &str) -> bool {
        !matches!(self.levels.get(rule), Some(None))
    }

    /// What fails the run.
    pub fn gate(&self) -> Gate {
        Gate {
            fail_on: self.fail_on,
            unchecked: self.fail_on_unchecked,
        }
    }
}

/// What fails the run (exit code 1): a finding at or above `fail_on`, and, with `unchecked`
/// (`--fail-on-unchecked`), a file the scan could not check at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gate {
    pub fail_on: FailOn,
    pub unchecked: bool,
}

impl Default for Gate {
    fn default() -> Self {
        Policy::default().gate()
    }
}

impl Gate {
    /// Exit code 1 when the run fails, else 0.
    pub fn exit_code(self, report: &ScanReport) -> u8 {
        u8::from(self.fails_on_findings(report) || self.fails_on_unchecked(report))
    }

    /// A finding is at or above `fail_on`.
    pub fn fails_on_findings(self, report: &ScanReport) -> bool {
        self.fail_on
            .threshold()
            .is_some_and(|threshold| report.findings.iter().any(|f| f.level >= threshold))
    }

    /// `--fail-on-unchecked` is set and a file was not checked.
    pub fn fails_on_unchecked(self, report: &ScanReport) -> bool {
        self.unchecked && !unchecked_files(report).is_empty()
    }
}

/// The files (as shown) that the scan could not check, or not all of, sorted, each once.
pub fn unchecked_files(report: &ScanReport) -> Vec<&str> {
    let mut files: Vec<&str> = report
        .diagnostics
        .iter()
        .filter(|d| d.unchecked)
        .map(|d| d.path.as_str())
        .collect();
    files.sort_unstable();
    files.dedup();
    files
}

/// The lowest level that fails the run (`--fail-on`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Note,
    Never,
}

impl FailOn {
    pub fn as_str(self) -> &'static str {
        match self {
            FailOn::Error => "error",
            FailOn::Warning => "warning",
            FailOn::Note => "note",
            FailOn::Never => "never",
        }
    }

    fn threshold(self) -> Option<Level> {
        match self {
            FailOn::Error => Some(Level::Error),
            FailOn::Warning => Some(Level::Warning),
            FailOn::Note => Some(Level::Note),
            FailOn::Never => None,
        }
    }
}

/// Findings by level.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub error: usize,
    pub warning: usize,
    pub note: usize,
}

impl Counts {
    pub fn of(findings: &[Finding]) -> Self {
        let mut counts = Counts::default();
        for f in findings {
            match f.level {
                Level::Error => counts.error += 1,
                Level::Warning => counts.warning += 1,
                Level::Note => counts.note += 1,
            }
        }
        counts
    }

    pub fn total(&self) -> usize {
        self.error + self.warning + self.note
    }
}

/// Report order: by file, then position, then the rule's place in the catalog.
pub fn sort_findings(findings: &mut [Finding]) {
    let rank = |id: &str| crate::rules::ALL.iter().position(|r| r.meta().id == id);
    findings.sort_by_key(|f| (f.location, rank(f.rule.id)));
}

/// The object a finding is about, with its document's place in the file.
fn object_of(finding: &Finding) -> Option<(&ObjectId, usize)> {
    match &finding.subject {
        Subject::Image(image) => match &image.site {
            Site::Container {
                object, document, ..
            } => Some((object, *document)),
            _ => None,
        },
        Subject::Object {
            object, document, ..
        } => Some((object, *document)),
        _ => None,
    }
}

/// Before tracing (while findings still sit in the files their objects are in): findings
/// about an object whose `imagegate.dev/ignore` annotation names their rule are suppressed.
/// Annotations survive `helm template`, so this also works for charts.
pub fn apply_annotations(report: &mut ScanReport) {
    if report.files.iter().all(|f| f.object_ignores.is_empty()) {
        return;
    }
    let mut used: Vec<Vec<bool>> = report
        .files
        .iter()
        .map(|f| vec![false; f.object_ignores.len()])
        .collect();
    let findings = std::mem::take(&mut report.findings);
    for mut finding in findings {
        let file = finding.location.file;
        let hit = object_of(&finding).and_then(|(object, document)| {
            report.files[file].object_ignores.iter().position(|o| {
                o.document == document
                    && &o.object == object
                    && o.rules.iter().any(|r| r == finding.rule.id)
            })
        });
        match hit {
            Some(i) => {
                used[file][i] = true;
                let o = &report.files[file].object_ignores[i];
                finding.suppression = Some(Suppression {
                    in_source: true,
                    reason: o.reason.clone(),
                    by: format!(
                        "{IGNORE_ANNOTATION} on {} {}",
                        o.object.kind,
                        o.object.name.as_deref().unwrap_or("(unnamed)")
                    ),
                });
                report.suppressed.push(finding);
            }
            None => report.findings.push(finding),
        }
    }
    // An annotation that silences nothing is reported where a person can edit it: in a file
    // on disk (one in rendered output would need tracing to its template line).
    let mut unused = Vec::new();
    for (id, file) in report.files.iter().enumerate() {
        if file.disk.is_none() {
            continue;
        }
        for (i, o) in file.object_ignores.iter().enumerate() {
            if !used[id][i] {
                unused.push(unused_finding(
                    Location { file: id, span: o.span },
                    &o.rules.join(", "),
                    i,
                    format!(
                        "`{IGNORE_ANNOTATION}: {}` silences nothing: no finding of {} is about this {}; remove it",
                        o.rules.join(", "),
                        o.rules.iter().map(|r| format!("`{r}`")).collect::<Vec<_>>().join(" or "),
                        o.object.kind
                    ),
                ));
            }
        }
    }
    report.findings.extend(unused);
}

/// After tracing: inline comments and the configuration's `ignore:` entries suppress
/// findings; suppressions that silenced nothing (and expired entries) become
/// `unused-suppression` findings at their own line.
/// `max_size`: the scan's file size limit, under which the configuration file is read when an
/// unused entry is reported in it.
pub fn apply_ignores(
    report: &mut ScanReport,
    policy: &Policy,
    default_namespace: &str,
    max_size: u64,
) {
    let today = date::today();
    let root = policy.config.as_ref().map(|(_, dir)| dir.clone());
    let paths = RepoPaths::new(root.as_deref());
    let mut relative: HashMap<usize, String> = HashMap::new();
    let mut rel = |report: &ScanReport, file: usize| -> String {
        relative
            .entry(file)
            .or_insert_with(|| paths.shown(&report.files[file].path))
            .clone()
    };
    let config_by = match &policy.config {
        Some((path, _)) => crate::input::paths::display_path(path),
        None => ".imagegate.yaml".to_string(),
    };
    let mut used_inline: std::collections::HashSet<(usize, usize, usize)> = Default::default();
    let mut used_config = vec![false; policy.ignores.len()];

    let findings = std::mem::take(&mut report.findings);
    for mut finding in findings {
        let id = finding.location.file;
        let file = &report.files[id];
        // The finding's line, needed only where an ignore comment could name it.
        let line = if file.ignores.is_empty() {
            0
        } else {
            file.region(finding.location.span)
                .map(|r| r.start.line)
                .unwrap_or(0)
        };
        let inline = file.ignores.iter().enumerate().find_map(|(k, ig)| {
            let r = ig
                .rules
                .iter()
                .position(|(rule, _)| rule == finding.rule.id)?;
            (ig.target_line == line).then_some((k, r))
        });
        if let Some((k, r)) = inline {
            used_inline.insert((id, k, r));
            let ig = &file.ignores[k];
            finding.suppression = Some(Suppression {
                in_source: true,
                reason: ig.reason.clone(),
                by: format!("{}:{}", file.path, ig.line),
            });
            report.suppressed.push(finding);
            continue;
        }
        let path = rel(report, id);
        let object = object_of(&finding);
        let entry = policy.ignores.iter().position(|rule| {
            rule.rule == finding.rule.id
                && rule.expires.is_none_or(|day| today < day)
                && (rule.paths.is_empty() || rule.paths.iter().any(|g| g.is_match(&path)))
                && (rule.objects.is_empty()
                    || object.is_some_and(|(o, _)| {
                        rule.objects.iter().any(|s| {
                            s.matches(
                                &o.kind,
                                o.namespace.as_deref().unwrap_or(default_namespace),
                                o.name.as_deref().unwrap_or_default(),
                            )
                        })
                    }))
        });
        match entry {
            Some(e) => {
                used_config[e] = true;
                finding.suppression = Some(Suppression {
                    in_source: false,
                    reason: policy.ignores[e].reason.clone(),
                    by: config_by.clone(),
                });
                report.suppressed.push(finding);
            }
            None => report.findings.push(finding),
        }
    }

    let mut unused = Vec::new();
    for (id, file) in report.files.iter().enumerate() {
        for (k, ig) in file.ignores.iter().enumerate() {
            for (r, (rule, span)) in ig.rules.iter().enumerate() {
                if used_inline.contains(&(id, k, r)) {
                    continue;
                }
                unused.push(unused_finding(
                    Location { file: id, span: *span },
                    rule,
                    k,
                    format!(
                        "`ignore[{rule}]` silences nothing: there is no `{rule}` finding on line {}; remove it",
                        ig.target_line
                    ),
                ));
            }
        }
    }
    if let Some((config_path, _)) = &policy.config {
        let scanned: Vec<String> = (0..report.files.len())
            .filter(|&i| report.files[i].disk.is_some())
            .map(|i| rel(report, i))
            .collect();
        let mut config_file = None;
        for (e, rule) in policy.ignores.iter().enumerate() {
            let expired = rule.expires.is_some_and(|day| today >= day);
            // An entry for files this scan did not read cannot have matched: not reported.
            let in_scope = rule.paths.is_empty()
                || scanned
                    .iter()
                    .any(|p| rule.paths.iter().any(|g| g.is_match(p)));
            let message = if expired {
                format!(
                    "this `ignore` entry for `{}` has expired and no longer applies; fix the findings or renew it",
                    rule.rule
                )
            } else if !used_config[e] && in_scope {
                format!(
                    "this `ignore` entry for `{}` silences nothing in the scanned files; remove it",
                    rule.rule
                )
            } else {
                continue;
            };
            let file = *config_file.get_or_insert_with(|| {
                report.files.push(ScannedFile::on_disk(
                    config_path.clone(),
                    crate::input::paths::display_path(config_path),
                    max_size,
                ));
                report.files.len() - 1
            });
            unused.push(unused_finding(
                Location {
                    file,
                    span: rule.span,
                },
                &rule.rule,
                e,
                message,
            ));
        }
    }
    report.findings.extend(unused);
}

fn unused_finding(location: Location, rules: &str, occurrence: usize, message: String) -> Finding {
    let meta: &'static RuleMeta = crate::rules::unused_suppression::meta();
    Finding::at(
        meta,
        location,
        Subject::Suppression {
            rules: rules.to_string(),
            occurrence,
        },
        message,
    )
}

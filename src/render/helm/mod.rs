//! Helm charts: found by the walk, rendered with `helm template`, and traced back.
//!
//! A chart's templates are not YAML, so they are never checked as written. Instead:
//! - each chart (not a subchart: its parent renders it) is rendered by the `helm` on PATH and the
//!   rendered stream goes through the same rules as any manifest ([`render_all`]);
//! - its `values*.yaml` files are checked without rendering ([`values`]);
//! - findings in rendered objects are moved to the line the user must change: the values line
//!   that supplied the value, else the template line, else the template's first line
//!   ([`locate`], [`template`]).

pub(crate) mod locate;
pub(crate) mod template;
pub(crate) mod values;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::input::diagnostic::{Diagnostic, Severity};
use crate::input::walk::ChartDir;
use crate::render::cache::{Kept, Key, RenderCache};
use crate::render::process::{self, Budget, RunError};
use crate::syntax::source::Span;
use crate::syntax::yaml;
use crate::workers::progress::{Progress, Stage};

/// A chart directory and what the rest of the scan needs to know about it.
#[derive(Debug, Clone)]
pub(crate) struct Chart {
    pub dir: PathBuf,
    /// The directory as shown in reports.
    pub display: String,
    /// `name` from `Chart.yaml` (what `# Source:` comments start with); the directory name
    /// when it has none.
    pub name: String,
    /// The span of the `name` value in `Chart.yaml`.
    pub name_span: Option<Span>,
    /// `appVersion` from `Chart.yaml` and the span of its value there.
    pub app_version: Option<(String, Span)>,
    /// `version` from `Chart.yaml`.
    pub version: Option<String>,
    /// The chart whose `charts/` folder holds this one.
    pub parent: Option<usize>,
    /// Whether a template reads `.Chart.AppVersion` (an empty image tag then means it).
    pub uses_app_version: bool,
}

impl Chart {
    /// `Chart.yaml` as shown in reports.
    pub(crate) fn chart_yaml(&self) -> String {
        self.file_display("Chart.yaml")
    }

    /// A file of this chart as shown in reports (`relative` to the chart directory).
    pub(crate) fn file_display(&self, relative: &str) -> String {
        match self.display.trim_end_matches('/') {
            "" | "." => relative.to_string(),
            display => format!("{display}/{relative}"),
        }
    }
}

/// Every chart of the scan.
#[derive(Debug, Clone, Default)]
pub(crate) struct Charts {
    pub list: Vec<Chart>,
}

impl Charts {
    /// Read each chart's `Chart.yaml` (name, `appVersion`) and note which charts are subcharts.
    /// Read every chart's `Chart.yaml` and look through its templates, on `jobs` threads.
    pub(crate) fn load(dirs: &[ChartDir], jobs: usize) -> Charts {
        let mut list: Vec<Chart> = if dirs.len() > 1 {
            crate::workers::parallel_map(dirs, jobs, |_, dir| load_chart(dir))
        } else {
            dirs.iter().map(load_chart).collect()
        };
        for chart in &mut list {
            let parent_dir = chart
                .dir
                .parent()
                .filter(|p| p.file_name().is_some_and(|n| n == "charts"))
                .and_then(Path::parent);
            chart.parent = parent_dir.and_then(|p| dirs.iter().position(|d| d.path == p));
        }
        Charts { list }
    }

    /// Whether chart `sub` is a subchart of `chart`, at any depth.
    pub(crate) fn is_below(&self, sub: usize, chart: usize) -> bool {
        let mut current = self.list.get(sub).and_then(|c| c.parent);
        let mut steps = 0;
        while let Some(parent) = current {
            if parent == chart {
                return true;
            }
            steps += 1;
            if steps > self.list.len() {
                return false;
            }
            current = self.list[parent].parent;
        }
        false
    }

    /// The chart whose directory holds the values file `path`.
    pub(crate) fn of_values_file(&self, path: &Path) -> Option<usize> {
        let dir = path.parent()?;
        self.list.iter().position(|chart| chart.dir == dir)
    }

    /// The chart that rendered `document` (a `helm template` document with a `# Source:`
    /// comment), found in `near`: a chart of the name the comment starts with, and, when the
    /// document carries the standard `helm.sh/chart: <name>-<version>` label, of that version
    /// (a same-named chart of another version did not render it).
    pub(crate) fn of_rendered_document(&self, document: &str, near: &str) -> Option<usize> {
        let name = source_comment(document)?.split('/').next()?;
        let label = document.lines().find_map(|line| {
            let value = line.trim().strip_prefix("helm.sh/chart:")?;
            Some(value.trim().trim_matches(|c| c == '"' || c == '\''))
        });
        let version = label.and_then(|l| l.strip_prefix(name)?.strip_prefix('-'));
        self.by_name_version_near(name, version, near)
    }

    /// Among the charts named `name` (of `version`, when known), the one whose directory
    /// shares the longest leading path with `near`.
    fn by_name_version_near(&self, name: &str, version: Option<&str>, near: &str) -> Option<usize> {
        self.list
            .iter()
            .enumerate()
            .filter(|(_, chart)| chart.name == name && chart.parent.is_none())
            .filter(|(_, chart)| match (version, &chart.version) {
                (Some(wanted), Some(have)) => wanted == have,
                _ => true,
            })
            .max_by_key(|(_, chart)| {
                let shared = chart
                    .display
                    .split('/')
                    .zip(near.split('/'))
                    .take_while(|(a, b)| a == b)
                    .count();
                // Earlier charts win ties.
                (shared, std::cmp::Reverse(chart.display.len()))
            })
            .map(|(i, _)| i)
    }

    /// The chart (this one or a subchart) that holds the template `source` of a rendered
    /// document of `chart`, and the template's path relative to that chart:
    /// `web/charts/redis/templates/x.yaml` → (the `redis` subchart, `templates/x.yaml`).
    pub(crate) fn template_of<'a>(&self, chart: usize, source: &'a str) -> (usize, &'a str) {
        let mut current = chart;
        let mut rest = source.split_once('/').map_or(source, |(_, rest)| rest);
        while let Some((sub, after)) = rest.strip_prefix("charts/").and_then(|r| r.split_once('/'))
        {
            let dir = self.list[current].dir.join("charts").join(sub);
            match self.list.iter().position(|c| c.dir == dir) {
                Some(next) => {
                    current = next;
                    rest = after;
                }
                None => break,
            }
        }
        (current, rest)
    }
}

fn load_chart(dir: &ChartDir) -> Chart {
    let dir_name = dir
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let text = std::fs::read_to_string(dir.path.join("Chart.yaml")).unwrap_or_default();
    let root = yaml::documents(&text, yaml::Limits::default())
        .find_map(|document| document.root.ok().flatten());
    let field = |key: &str| -> Option<(String, Span)> {
        let node = root.as_ref()?.get(key)?;
        let value = node.as_str()?.trim();
        (!value.is_empty()).then(|| (value.to_string(), node.span))
    };
    let name = field("name");
    Chart {
        name_span: name.as_ref().map(|(_, span)| *span),
        name: name.map_or(dir_name, |(name, _)| name),
        app_version: field("appVersion"),
        version: field("version").map(|(v, _)| v),
        dir: dir.path.clone(),
        display: dir.display.clone(),
        parent: None,
        uses_app_version: templates_use_app_version(&dir.path.join("templates")),
    }
}

/// Whether any file under `templates` mentions `.Chart.AppVersion`.
fn templates_use_app_version(templates: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(templates) else {
        return false;
    };
    entries.flatten().any(|entry| {
        let path = entry.path();
        match entry.file_type() {
            Ok(t) if t.is_dir() => templates_use_app_version(&path),
            Ok(t) if t.is_file() => std::fs::read_to_string(&path)
                .is_ok_and(|text| template::mentions_app_version(&text)),
            _ => false,
        }
    })
}

/// How charts are rendered.
#[derive(Debug, Clone)]
pub struct HelmOptions {
    /// `--no-helm` turns rendering off.
    pub enabled: bool,
    /// `--helm-bin`; else `helm` on PATH.
    pub bin: Option<PathBuf>,
    /// `--helm-values`, added to every chart after its own `values.yaml`.
    pub values: Vec<PathBuf>,
    pub release: String,
    pub namespace: String,
    /// Per chart.
    pub timeout: Duration,
    /// Per chart, in bytes.
    pub max_output: u64,
    /// `--rendered FILE` (`-` for standard input): `helm template` output made elsewhere.
    pub rendered: Option<PathBuf>,
    /// Settings for single charts (`helm.charts` in the configuration file).
    pub charts: Vec<ChartOverride>,
    /// `--cache-dir`: renders kept between scans ([`crate::render::cache`]).
    pub cache_dir: Option<PathBuf>,
}

/// One chart's own render settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartOverride {
    /// The chart directory.
    pub dir: PathBuf,
    /// Values files after the ones for every chart.
    pub values: Vec<PathBuf>,
    pub release: Option<String>,
    pub namespace: Option<String>,
}

impl HelmOptions {
    /// The settings for the chart in `dir`, if it has its own.
    /// What a chart is rendered with: its release name, namespace and values files (those
    /// for every chart, then its own).
    pub(crate) fn settings(&self, dir: &Path) -> (&str, &str, Vec<&PathBuf>) {
        let own = self.chart(dir);
        (
            own.and_then(|c| c.release.as_deref())
                .unwrap_or(&self.release),
            own.and_then(|c| c.namespace.as_deref())
                .unwrap_or(&self.namespace),
            self.values
                .iter()
                .chain(own.iter().flat_map(|c| &c.values))
                .collect(),
        )
    }

    pub fn chart(&self, dir: &Path) -> Option<&ChartOverride> {
        let dir = dir.canonicalize().ok()?;
        self.charts
            .iter()
            .find(|c| c.dir.canonicalize().is_ok_and(|d| d == dir))
    }
}

impl Default for HelmOptions {
    fn default() -> Self {
        HelmOptions {
            enabled: true,
            bin: None,
            values: Vec::new(),
            release: "imagegate".into(),
            namespace: "default".into(),
            timeout: Duration::from_secs(120),
            max_output: 64 * 1024 * 1024,
            rendered: None,
            charts: Vec::new(),
            cache_dir: None,
        }
    }
}

/// A rendered stream: `helm template` output, from a render or from `--rendered`.
#[derive(Debug, Clone)]
pub(crate) struct RenderedStream {
    /// The chart rendered, when one render made the whole stream; `None` for `--rendered`
    /// input, whose documents name their charts in `# Source:` comments.
    pub chart: Option<usize>,
    /// How the stream is named in diagnostics, e.g. `charts/web (rendered)` or `<stdin>`.
    pub display: String,
    pub text: String,
}

/// Render every chart that is not a subchart and not in `skip`, in parallel (`jobs` at a
/// time). Problems become diagnostics; the charts that rendered come back in chart order.
pub(crate) fn render_all(
    charts: &Charts,
    options: &HelmOptions,
    jobs: usize,
    skip: &HashSet<usize>,
    progress: &Progress,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<RenderedStream> {
    let wanted: Vec<usize> = (0..charts.list.len())
        .filter(|i| charts.list[*i].parent.is_none() && !skip.contains(i))
        .collect();
    if wanted.is_empty() || !options.enabled {
        return Vec::new();
    }
    let bin = match &options.bin {
        Some(bin) => bin.clone(),
        None => match process::find_on_path("helm") {
            Some(bin) => bin,
            None => {
                diagnostics.push(Diagnostic::new(
                    Severity::Warning,
                    &charts.list[wanted[0]].display,
                    format!(
                        "`helm` is not on PATH, so {} not rendered: only values files are checked \
                         (install helm, pass --helm-bin PATH, or --no-helm to silence this)",
                        count(wanted.len(), "chart is", "charts are")
                    ),
                ));
                return Vec::new();
            }
        },
    };
    // With a cache, each chart's render is looked up by the hash of what makes it, the helm
    // version first (asked once).
    let cache = options.cache_dir.as_deref().and_then(|dir| {
        let version = process::version(&bin, &["version", "--short"])?;
        Some((RenderCache::new(dir), version))
    });
    progress.expect(Stage::Charts, wanted.len());
    let outcomes = crate::workers::parallel_map(&wanted, jobs, |_, &chart| {
        let chart = &charts.list[chart];
        let _done = progress.done_on_drop(Stage::Charts);
        let key = cache
            .as_ref()
            .and_then(|(_, version)| render_key(chart, options, version));
        let refused =
            |message: String| Diagnostic::new(Severity::Warning, chart.chart_yaml(), message);
        if let (Some((cache, _)), Some(key)) = (&cache, &key)
            && let Some(kept) = cache.get(key)
        {
            return match kept {
                Kept::Output(text) => Ok(text),
                Kept::Failure(message) => Err(refused(message)),
            };
        }
        let rendered = render(&bin, chart, options);
        if let (Some((cache, _)), Some(key)) = (&cache, &key) {
            match &rendered {
                Ok(text) => cache.put(key, &Kept::Output(text.clone())),
                Err((diagnostic, true)) => {
                    cache.put(key, &Kept::Failure(diagnostic.message.clone()));
                }
                Err((_, false)) => {}
            }
        }
        rendered.map_err(|(diagnostic, _)| diagnostic)
    });
    let mut streams = Vec::new();
    for (&chart, outcome) in wanted.iter().zip(outcomes) {
        match outcome {
            Ok(text) => streams.push(RenderedStream {
                chart: Some(chart),
                display: format!("{} (rendered)", charts.list[chart].display),
                text,
            }),
            Err(diagnostic) => diagnostics.push(diagnostic),
        }
    }
    streams
}

/// Charts not rendered on purpose.
pub(crate) struct Skipped<'a> {
    /// Their output was given (`--rendered`): checked as rendered.
    pub given: &'a HashSet<usize>,
    /// Nothing they are made from changed, in a limited scan (`--changed-since`).
    pub unchanged: &'a HashSet<usize>,
}

/// Say of each template of a chart that did not render (or was not rendered) that it was not
/// checked, where the walk said it would be checked as rendered.
pub(crate) fn unrendered_templates(
    charts: &Charts,
    streams: &[RenderedStream],
    skipped: &Skipped<'_>,
    enabled: bool,
    diagnostics: &mut [Diagnostic],
) {
    let rendered: HashSet<usize> = streams
        .iter()
        .filter_map(|s| s.chart)
        .chain(skipped.given.iter().copied())
        .collect();
    // Each template belongs to the deepest chart whose `templates/` holds it; that chart is
    // rendered with its top chart.
    let top = |mut chart: usize| {
        while let Some(parent) = charts.list[chart].parent {
            chart = parent;
        }
        chart
    };
    // Each chart's `templates/` as shown, the deepest first.
    let mut folders: Vec<(String, usize)> = charts
        .list
        .iter()
        .enumerate()
        .map(|(i, c)| (c.file_display("templates/"), i))
        .collect();
    folders.sort_by_key(|(_, i)| std::cmp::Reverse(charts.list[*i].display.len()));
    for diagnostic in diagnostics
        .iter_mut()
        .filter(|d| d.message == crate::input::walk::TEMPLATE_NOTE)
    {
        let owner = folders
            .iter()
            .find(|(folder, _)| diagnostic.path.starts_with(folder.as_str()))
            .map(|(_, i)| top(*i));
        let Some(chart) = owner.filter(|c| !rendered.contains(c)) else {
            continue;
        };
        diagnostic.message = if skipped.unchanged.contains(&chart) {
            "a Helm chart's template; not rendered: nothing the chart is made from changed \
             (--changed-since)"
                .to_string()
        } else if enabled {
            format!(
                "a Helm chart's template; not checked: the chart did not render (see the warning on {})",
                charts.list[chart].chart_yaml()
            )
        } else {
            "a Helm chart's template; not checked: charts are not rendered (--no-helm); its \
             values files are checked as written"
                .to_string()
        };
    }
}

/// The cache key of a chart's render: the helm version, the release and namespace, every
/// values file given (by content), and every file of the chart's folder (its subcharts and
/// dependency archives included). `None` when something cannot be read.
fn render_key(chart: &Chart, options: &HelmOptions, version: &str) -> Option<String> {
    let (release, namespace, values) = options.settings(&chart.dir);
    let mut key = Key::new("helm template");
    // The chart's place: a failure's message names it.
    key.text(version)
        .text(release)
        .text(namespace)
        .text(&chart.display);
    for values in values {
        key.file("values", values)?;
    }
    key.tree(&chart.dir)?;
    Some(key.finish())
}

/// `helm template <release> <chart> --namespace <ns> [-f values]...`.
/// `Err` with whether the failure lasts: helm ran and refused (it will again for the same
/// inputs), not a timeout or a helm that could not start.
fn render(bin: &Path, chart: &Chart, options: &HelmOptions) -> Result<String, (Diagnostic, bool)> {
    let (release, namespace, values) = options.settings(&chart.dir);
    let mut command = Command::new(bin);
    command
        .arg("template")
        .arg(release)
        .arg(&chart.dir)
        .arg("--namespace")
        .arg(namespace);
    for values in values {
        command.arg("-f").arg(values);
    }
    let budget = Budget {
        timeout: options.timeout,
        max_output: options.max_output,
    };
    let fail = |message: String| {
        Diagnostic::new(
            Severity::Warning,
            chart.chart_yaml(),
            format!("chart not rendered: {}", shown_paths(&message, chart)),
        )
    };
    let output = process::run(command, budget).map_err(|err| {
        let lasting = matches!(err, RunError::TooLarge(_));
        let message = match err {
            RunError::Timeout(_) => format!(
                "`helm template` {err} (a template that loops or waits; raise --helm-timeout if it \
                 is only slow)"
            ),
            RunError::TooLarge(_) => format!(
                "`helm template` {err} (imagegate reads at most 64 MiB of a chart's output)"
            ),
            RunError::Spawn { .. } => format!("{err} (check --helm-bin or PATH)"),
        };
        (fail(message), lasting)
    })?;
    if !output.success {
        // Helm's deprecation warnings come first; the error is what matters.
        let errors: Vec<u8> = String::from_utf8_lossy(&output.stderr)
            .lines()
            .filter(|line| !line.contains("Warning:"))
            .flat_map(|line| line.bytes().chain([b'\n']))
            .collect();
        let quoted = process::first_lines(&errors, 4);
        let quoted = if quoted.is_empty() {
            format!("exit code {}", output.code.unwrap_or(-1))
        } else {
            quoted
        };
        return Err((
            fail(format!(
                "`helm template` failed: {}{}",
                quoted.replace('\n', " | "),
                fix_for(&quoted, chart)
            )),
            true,
        ));
    }
    String::from_utf8(output.stdout).map_err(|_| {
        (
            fail("`helm template` printed text that is not UTF-8".into()),
            true,
        )
    })
}

/// Helm's message with its paths as the rest of the report shows them: helm names a
/// template by the chart's name (`web/templates/x.yaml`), which becomes the chart's path
/// (`charts/web/templates/x.yaml`), and absolute paths become relative.
fn shown_paths(message: &str, chart: &Chart) -> String {
    let message = crate::input::paths::relative_paths(message);
    let display = chart.file_display("");
    if display.is_empty() || display.trim_end_matches('/') == chart.name {
        return message;
    }
    let mut out = String::with_capacity(message.len());
    let mut rest = message.as_str();
    let name = format!("{}/", chart.name);
    while let Some(at) = rest.find(&name) {
        let before = rest[..at].chars().next_back();
        let after = &rest[at + name.len()..];
        let starts =
            !before.is_some_and(|c| c.is_alphanumeric() || matches!(c, '/' | '.' | '-' | '_'));
        out.push_str(&rest[..at]);
        if starts && (after.starts_with("templates/") || after.starts_with("charts/")) {
            out.push_str(&display);
        } else {
            out.push_str(&name);
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// What to do about a failed render, from helm's message.
fn fix_for(message: &str, chart: &Chart) -> String {
    let lower = message.to_ascii_lowercase();
    if lower.contains("missing in charts/") || lower.contains("dependencies") {
        format!(
            "; run `helm dependency build {}` to fetch its dependencies",
            chart.display
        )
    } else if lower.contains("required") || lower.contains("must be set") {
        "; give the value it needs in a file passed with --helm-values".into()
    } else {
        "; fix the template or pass the values it expects with --helm-values".into()
    }
}

fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// The `# Source: <chart>/templates/<file>` comment that opens a rendered document, if any.
pub(crate) fn source_comment(document: &str) -> Option<&str> {
    document
        .lines()
        .map(str::trim)
        .take_while(|line| line.is_empty() || line.starts_with('#') || *line == "---")
        .find_map(|line| line.strip_prefix("# Source:"))
        .map(str::trim)
        .filter(|source| !source.is_empty())
}

/// Whether `text` looks like `helm template` output: a document opened by a `# Source:` line.
pub(crate) fn is_rendered(text: &str) -> bool {
    text.starts_with("# Source: ") || text.contains("\n# Source: ")
}

#[cfg(test)]
mod tests;

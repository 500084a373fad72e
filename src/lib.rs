//! imagegate: exact image-security findings for Kubernetes manifests and Dockerfiles.
//!
//! The pipeline, one stage a module:
//!
//! ```text
//! files ──► documents ──► objects ──► uses ──► findings ──► reports
//! walk      yaml          k8s         uses     rules,       report::{text, json, sarif}
//!                                              policy
//! ```
//!
//! [`scan`] runs the first five stages over a set of paths; [`report`] writes the result.

pub mod action;
pub mod cli;
pub mod config;
pub mod findings;
pub mod input;
pub mod k8s;
pub mod render;
pub mod report;
pub mod rules;
pub mod secrets;
pub mod syntax;
pub mod uses;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use findings::finding::Finding;
use findings::{baseline, policy, suppress};
use input::diagnostic::{Diagnostic, Severity};
use input::walk::{self, FileKind, Filters, Input};
use k8s::inventory::Inventory;
use render::{helm, kustomize, process, trace};
use syntax::source::{self, LineIndex, Span};
use syntax::yaml;
use uses::ImageUse;

/// Stack size of scan worker threads: deeply nested YAML is parsed recursively (up to
/// [`yaml::Limits::max_depth`] levels).
pub const WORKER_STACK: usize = 64 * 1024 * 1024;

/// What to scan and how.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    pub paths: Vec<PathBuf>,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    /// Files larger than this many bytes are skipped with a diagnostic.
    pub max_file_size: u64,
    pub rules: rules::Context,
    /// Worker threads; 0 means one per CPU.
    pub jobs: usize,
    pub helm: helm::HelmOptions,
    /// Render kustomize overlays (`--no-kustomize` turns it off).
    pub kustomize: bool,
    /// Levels, ignore rules and the fail-on threshold, applied to the findings at the end.
    pub policy: policy::Policy,
    /// The configuration file's `paths.include`/`exclude`, relative to its directory.
    pub rooted_paths: Option<(PathBuf, Vec<String>, Vec<String>)>,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            paths: vec![PathBuf::from(".")],
            include: Vec::new(),
            exclude: Vec::new(),
            max_file_size: 10 * 1024 * 1024,
            rules: rules::Context::default(),
            jobs: 0,
            helm: helm::HelmOptions::default(),
            kustomize: true,
            policy: policy::Policy::default(),
            rooted_paths: None,
        }
    }
}

/// A scanned file. Its text is kept only when a finding points into it.
#[derive(Debug, Clone)]
pub struct ScannedFile {
    /// As shown in reports.
    pub path: String,
    /// Where it is read from; `None` for a rendered stream that only exists in memory (no
    /// finding points there once rendered findings are traced to their sources).
    pub disk: Option<PathBuf>,
    pub kind: FileKind,
    pub text: Option<String>,
    pub lines: Option<LineIndex>,
    /// Secret values found in this file: never shown in any source display (sorted).
    pub redactions: Vec<Span>,
    /// `# imagegate: ignore[...]` comments in this file.
    pub ignores: Vec<suppress::Ignore>,
    /// `imagegate.dev/ignore` annotations of objects in this file.
    pub object_ignores: Vec<ObjectIgnore>,
}

/// An object's `imagegate.dev/ignore` annotation (with `imagegate.dev/ignore-reason`).
#[derive(Debug, Clone)]
pub struct ObjectIgnore {
    pub document: usize,
    pub object: uses::ObjectId,
    pub rules: Vec<String>,
    pub reason: String,
    /// The annotation's key.
    pub span: Span,
}

impl ScannedFile {
    /// A file on disk whose text is read when a finding needs it.
    pub fn on_disk(path: PathBuf, display: String) -> ScannedFile {
        ScannedFile {
            path: display,
            disk: Some(path),
            kind: FileKind::Manifest,
            text: None,
            lines: None,
            redactions: Vec::new(),
            ignores: Vec::new(),
            object_ignores: Vec::new(),
        }
    }

    /// The 1-based region of `span`, if the text was kept.
    pub fn region(&self, span: Span) -> Option<source::Region> {
        Some(self.lines.as_ref()?.region(self.text.as_deref()?, span))
    }

    /// The number of the last line that has text (a final line break ends a line, it does
    /// not start one).
    pub fn last_line(&self) -> usize {
        match (&self.lines, &self.text) {
            (Some(lines), Some(text)) if text.ends_with('\n') => lines.line_count() - 1,
            (Some(lines), Some(_)) => lines.line_count(),
            _ => 1,
        }
        .max(1)
    }

    /// The text of 1-based line `line`, as it may be shown: secret values are masked with `*`.
    pub fn shown_line(&self, line: usize) -> String {
        let (Some(lines), Some(text)) = (&self.lines, &self.text) else {
            return String::new();
        };
        let shown = lines.line_text(text, line);
        // The line's byte offset in the file (it is a slice of `text`).
        let start = shown.as_ptr() as usize - text.as_ptr() as usize;
        self.masked(shown, start)
    }

    /// The text of `span`, as it may be shown (secret values masked).
    pub fn shown(&self, span: Span) -> Option<String> {
        let text = self.text.as_deref()?.get(span.range())?;
        Some(self.masked(text, span.start))
    }

    /// `text`, which starts at byte `start` of the file, with every redacted byte range turned
    /// into `*`s (one per character).
    fn masked(&self, text: &str, start: usize) -> String {
        let end = start + text.len();
        if !self
            .redactions
            .iter()
            .any(|r| r.start < end && r.end > start)
        {
            return text.to_string();
        }
        text.char_indices()
            .map(|(i, c)| {
                let at = start + i;
                let secret = self.redactions.iter().any(|r| r.start <= at && at < r.end);
                if secret && !c.is_whitespace() { '*' } else { c }
            })
            .collect()
    }
}

/// Counts of what was looked at.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    pub files: usize,
    pub documents: usize,
    pub objects: usize,
    pub images: usize,
    /// Helm charts rendered (or read from `--rendered`).
    pub rendered_charts: usize,
}

/// Everything a scan produced.
#[derive(Debug, Clone, Default)]
pub struct ScanReport {
    pub files: Vec<ScannedFile>,
    /// Sorted by file, position and rule.
    pub findings: Vec<Finding>,
    /// Findings silenced by a comment, annotation or configuration entry (each with its
    /// `suppression`): listed, never counted.
    pub suppressed: Vec<Finding>,
    /// What `--baseline` left out, and which of its entries are fixed.
    pub baseline: Option<baseline::Outcome>,
    pub diagnostics: Vec<Diagnostic>,
    pub stats: Stats,
}

impl ScanReport {
    pub fn file(&self, finding: &Finding) -> &ScannedFile {
        &self.files[finding.location.file]
    }
}

/// Errors that stop a scan before it starts (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error(transparent)]
    Walk(#[from] walk::WalkError),
    #[error("--rendered {path}: {source}")]
    Rendered {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// Scan `options.paths`: walk, render charts, parse, find images, run the rules, and trace
/// findings in rendered objects back to the chart lines that made them.
pub fn scan(options: &ScanOptions) -> Result<ScanReport, ScanError> {
    let mut filters = Filters::new(&options.include, &options.exclude)?;
    if let Some((root, include, exclude)) = &options.rooted_paths {
        filters = filters.rooted(root, include, exclude)?;
    }
    let walked = walk::collect(&options.paths, &filters)?;
    let mut diagnostics = walked.diagnostics;
    let charts = helm::Charts::load(&walked.charts);
    let mut streams = Vec::new();
    let mut skip = HashSet::new();
    if let Some(path) = &options.helm.rendered {
        let stream = read_rendered(path, options.max_file_size)?;
        // Charts whose output was given are not rendered again.
        for document in yaml::split::split_documents(&stream.text) {
            let chart = stream
                .text
                .get(document.span.range())
                .and_then(|text| charts.of_rendered_document(text, &stream.display));
            if let Some(chart) = chart {
                skip.insert(chart);
            }
        }
        streams.push(stream);
    }
    streams.extend(helm::render_all(
        &charts,
        &options.helm,
        worker_count(options.jobs, charts.list.len()),
        &skip,
        &mut diagnostics,
    ));
    helm::unrendered_templates(
        &charts,
        &streams,
        &skip,
        options.helm.enabled,
        &mut diagnostics,
    );
    let overlays = render_overlays(&walked.inputs, options, &mut diagnostics);
    let units: Vec<Unit<'_>> = walked
        .inputs
        .iter()
        .map(|input| Unit {
            display: &input.display,
            kind: input.kind,
            path: Some(&input.path),
            text: None,
        })
        .chain(streams.iter().map(|stream| Unit {
            display: &stream.display,
            kind: FileKind::Manifest,
            path: None,
            text: Some(&stream.text),
        }))
        .chain(overlays.iter().map(|overlay| Unit {
            display: &overlay.display,
            kind: FileKind::Manifest,
            path: None,
            text: Some(&overlay.rendered.text),
        }))
        .collect();
    let context = Context {
        options,
        charts: &charts,
    };
    let outcomes = check_all(&units, &context);

    let mut report = ScanReport::default();
    report.stats.files = walked.inputs.len();
    report.stats.rendered_charts = streams.len();
    let mut images = Vec::new();
    let mut inventory = Inventory::default();
    let mut prerendered = Vec::new();
    for (id, (unit, outcome)) in units.iter().zip(outcomes).enumerate() {
        // A rendered stream cannot be read again: its text stays.
        let keep = !outcome.findings.is_empty() || unit.path.is_none();
        if outcome.rendered_output && unit.path.is_some() {
            prerendered.push(id);
        }
        report.files.push(ScannedFile {
            path: unit.display.to_string(),
            disk: unit.path.map(Path::to_path_buf),
            kind: unit.kind,
            lines: keep.then(|| {
                outcome
                    .lines
                    .unwrap_or_else(|| LineIndex::new(&outcome.text))
            }),
            text: keep.then_some(outcome.text),
            redactions: Vec::new(),
            ignores: outcome.ignores,
            object_ignores: outcome.object_ignores,
        });
        report.findings.extend(outcome.findings);
        diagnostics.extend(outcome.diagnostics);
        images.extend(outcome.images);
        inventory.merge(outcome.inventory);
        report.stats.documents += outcome.stats.documents;
        report.stats.objects += outcome.stats.objects;
        report.stats.images += outcome.stats.images;
    }
    // Rules that need every file: pull secrets, bindings, admission policies.
    let facts = rules::ScanFacts {
        images: &images,
        inventory: &inventory,
    };
    rules::check_scan(&facts, &options.rules, &mut report.findings);
    policy::apply_annotations(&mut report);
    let first_stream = walked.inputs.len();
    let rendered: Vec<(usize, trace::Made<'_>)> = streams
        .iter()
        .map(trace::Made::Helm)
        .chain(overlays.iter().map(|o| trace::Made::Kustomize {
            rendered: &o.rendered,
            root: &o.root,
        }))
        .enumerate()
        .map(|(i, made)| (first_stream + i, made))
        .collect();
    reload_texts(&mut report, options.max_file_size);
    trace::trace_rendered(
        &mut report,
        &images,
        &rendered,
        &prerendered,
        &charts,
        options,
        &mut diagnostics,
    );
    // The findings policy, in one place: merged findings first, so that a suppression or a
    // baseline entry counts each place once.
    policy::sort_findings(&mut report.findings);
    trace::merge_duplicates(&mut report.findings);
    reload_texts(&mut report, options.max_file_size);
    policy::apply_ignores(
        &mut report,
        &options.policy,
        &options.rules.default_namespace,
    );
    options.policy.apply_levels(&mut report);
    options.policy.apply_baseline(&mut report);
    reload_texts(&mut report, options.max_file_size);
    for finding in report.findings.iter().chain(&report.suppressed) {
        if let Some(file) = report.files.get_mut(finding.location.file) {
            file.redactions.extend(&finding.redact);
        }
    }
    policy::sort_findings(&mut report.findings);
    policy::sort_findings(&mut report.suppressed);
    diagnostics.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    report.diagnostics = diagnostics;
    Ok(report)
}

/// A kustomize overlay built for the scan.
struct Overlay {
    root: kustomize::Kustomization,
    rendered: kustomize::Rendered,
    /// e.g. `deploy/overlays/prod (kustomize build)`.
    display: String,
}

/// Build every kustomization root among `inputs` with `kustomize build` or `kubectl
/// kustomize`, in parallel; what cannot be built is a diagnostic.
fn render_overlays(
    inputs: &[Input],
    options: &ScanOptions,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Overlay> {
    if !options.kustomize {
        return Vec::new();
    }
    let found: Vec<(&Input, kustomize::Kustomization)> = inputs
        .iter()
        .filter(|input| {
            input
                .path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| uses::KUSTOMIZATION_NAMES.contains(&n))
        })
        .filter_map(|input| {
            let text = read_text(&input.path, options.max_file_size).ok()?;
            Some((input, kustomize::read(&input.path, &text)))
        })
        .collect();
    let all: Vec<kustomize::Kustomization> = found.iter().map(|(_, k)| k.clone()).collect();
    let roots = kustomize::roots(&all);
    if roots.is_empty() {
        return Vec::new();
    }
    let Some(renderer) = kustomize::Renderer::find() else {
        diagnostics.push(Diagnostic::new(
            Severity::Warning,
            &found[roots[0]].0.display,
            format!(
                "neither `kustomize` nor `kubectl` is on PATH, so {} kustomize overlay(s) are not \
                 built: only their files are checked (--no-kustomize silences this)",
                roots.len()
            ),
        ));
        return Vec::new();
    };
    let boundaries: Vec<PathBuf> = options
        .paths
        .iter()
        .map(|p| {
            let dir = if p.is_file() {
                p.parent().map(Path::to_path_buf).unwrap_or_default()
            } else {
                p.clone()
            };
            kustomize::absolute(&dir)
        })
        .collect();
    let budget = process::Budget {
        timeout: options.helm.timeout,
        max_output: options.helm.max_output,
    };
    let outcomes = parallel_map(&roots, worker_count(options.jobs, roots.len()), |_, &i| {
        let root = &all[i];
        let boundary = boundaries
            .iter()
            .filter(|b| root.dir.starts_with(b))
            .min_by_key(|b| b.components().count())
            .cloned()
            .unwrap_or_else(|| root.dir.clone());
        kustomize::render(&renderer, root, &all, &boundary, budget)
    });
    let mut overlays = Vec::new();
    for (&i, outcome) in roots.iter().zip(outcomes) {
        let input = found[i].0;
        match outcome {
            Ok(rendered) => overlays.push(Overlay {
                root: all[i].clone(),
                rendered,
                display: format!(
                    "{} ({})",
                    input.display.rsplit_once('/').map_or(".", |(dir, _)| dir),
                    renderer.describe()
                ),
            }),
            Err(err) => {
                let severity = match err {
                    kustomize::RenderError::Remote { .. } => Severity::Note,
                    _ => Severity::Warning,
                };
                diagnostics.push(Diagnostic::new(
                    severity,
                    &input.display,
                    input::paths::relative_paths(&format!("overlay not built: {err}")),
                ));
            }
        }
    }
    overlays
}

/// Read `--rendered` output (`-` is standard input).
fn read_rendered(path: &Path, max_size: u64) -> Result<helm::RenderedStream, ScanError> {
    use std::io::Read;
    let display = input::paths::display_path(path);
    let error = |source| ScanError::Rendered {
        path: display.clone(),
        source,
    };
    let mut bytes = Vec::new();
    if path.as_os_str() == "-" {
        std::io::stdin()
            .take(max_size.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(error)?;
    } else {
        std::fs::File::open(path)
            .and_then(|f| f.take(max_size.saturating_add(1)).read_to_end(&mut bytes))
            .map_err(error)?;
    }
    if bytes.len() as u64 > max_size {
        return Err(error(std::io::Error::other(format!(
            "larger than --max-file-size ({max_size} bytes)"
        ))));
    }
    let text =
        String::from_utf8(bytes).map_err(|_| error(std::io::Error::other("not UTF-8 text")))?;
    Ok(helm::RenderedStream {
        chart: None,
        display: if path.as_os_str() == "-" {
            "<stdin>".into()
        } else {
            display
        },
        text,
    })
}

/// Read the files findings point into whose text is not kept: files only scan-wide rules
/// found something in (their text was let go after checking, to keep memory small) and chart
/// files findings in rendered objects were traced to.
fn reload_texts(report: &mut ScanReport, max_size: u64) {
    let mut wanted: Vec<usize> = report.findings.iter().map(|f| f.location.file).collect();
    wanted.extend(
        report
            .findings
            .iter()
            .flat_map(|f| f.related.iter().map(|r| r.location.file)),
    );
    wanted.sort_unstable();
    wanted.dedup();
    for id in wanted {
        let Some(file) = report.files.get_mut(id) else {
            continue;
        };
        if file.text.is_some() {
            continue;
        }
        let Some(disk) = &file.disk else { continue };
        if let Ok(text) = read_text(disk, max_size) {
            file.lines = Some(LineIndex::new(&text));
            file.text = Some(text);
        }
    }
}
/// What checking one file produced.
#[derive(Default)]
struct FileOutcome {
    text: String,
    /// The text's line index, when checking it needed one.
    lines: Option<LineIndex>,
    /// The file is `helm template` output (documents opened by `# Source:` comments).
    rendered_output: bool,
    findings: Vec<Finding>,
    diagnostics: Vec<Diagnostic>,
    stats: Stats,
    images: Vec<Arc<ImageUse>>,
    inventory: Inventory,
    ignores: Vec<suppress::Ignore>,
    object_ignores: Vec<ObjectIgnore>,
}

/// One thing to check: a file on disk, or a rendered stream in memory.
struct Unit<'a> {
    display: &'a str,
    kind: FileKind,
    path: Option<&'a Path>,
    text: Option<&'a str>,
}

/// What checking a unit may consult besides the unit.
struct Context<'a> {
    options: &'a ScanOptions,
    charts: &'a helm::Charts,
}

/// `jobs` (0: one per CPU), never more than `work` items.
fn worker_count(jobs: usize, work: usize) -> usize {
    match jobs {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
    .min(work.max(1))
}

/// Check every unit on worker threads; results come back in unit order.
fn check_all(inputs: &[Unit<'_>], context: &Context<'_>) -> Vec<FileOutcome> {
    parallel_map(
        inputs,
        worker_count(context.options.jobs, inputs.len()),
        |i, input| check_file(i, input, context),
    )
}

/// `f(index, item)` for every item on `jobs` worker threads (each with a [`WORKER_STACK`]
/// stack); results come back in item order. Items no worker took (no thread could be
/// spawned) are done on this thread.
pub(crate) fn parallel_map<T: Sync, R: Send>(
    items: &[T],
    jobs: usize,
    f: impl Fn(usize, &T) -> R + Sync,
) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..jobs.clamp(1, items.len().max(1)) {
            let spawned = std::thread::Builder::new()
                .stack_size(WORKER_STACK)
                .spawn_scoped(scope, || {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        let result = f(i, item);
                        if let Ok(mut results) = results.lock() {
                            results[i] = Some(result);
                        }
                    }
                });
            if spawned.is_err() {
                break;
            }
        }
    });
    let results = results.into_inner().unwrap_or_else(|e| e.into_inner());
    results
        .into_iter()
        .zip(items)
        .enumerate()
        .map(|(i, (result, item))| result.unwrap_or_else(|| f(i, item)))
        .collect()
}

/// Read, parse and check one file (`id` is its index in the scan). Never fails: problems
/// become diagnostics.
fn check_file(id: usize, input: &Unit<'_>, context: &Context<'_>) -> FileOutcome {
    let options = context.options;
    let mut out = FileOutcome::default();
    let diag = |severity, message: String| Diagnostic::new(severity, input.display, message);
    let read = match (input.text, input.path) {
        (Some(text), _) => Ok(text.to_string()),
        (None, Some(path)) => read_text(path, options.max_file_size),
        (None, None) => Ok(String::new()),
    };
    let text = match read {
        Ok(text) => text,
        Err(ReadProblem { severity, message }) => {
            out.diagnostics.push(diag(severity, message).unchecked());
            return out;
        }
    };
    // The line index is built only when something needs a position (most files need none).
    let lines: std::cell::OnceCell<LineIndex> = std::cell::OnceCell::new();
    let position = |offset: usize| {
        lines
            .get_or_init(|| LineIndex::new(&text))
            .position(&text, offset)
    };
    let default_ns = options.rules.default_namespace.as_str();
    let is_kustomization = input
        .path
        .and_then(Path::file_name)
        .and_then(|n| n.to_str())
        .is_some_and(|n| uses::KUSTOMIZATION_NAMES.contains(&n));
    let mut images = Vec::new();
    // Suppressions are rare: their comments are looked for only in files that mention us.
    let suppressions = text.contains("imagegate");
    let mut scalars = Vec::new();
    match input.kind {
        FileKind::HelmValues => {
            out.stats.documents += 1;
            let chart = input
                .path
                .and_then(|path| context.charts.of_values_file(path))
                .map(|i| &context.charts.list[i]);
            let facts = helm::values::ChartFacts {
                app_version: chart
                    .filter(|c| c.uses_app_version)
                    .and_then(|c| c.app_version.as_ref())
                    .map(|(v, _)| v.as_str()),
            };
            // NOTE: a values file is one document; later ones are not values.
            if let Some(document) = yaml::documents(&text, yaml::Limits::default()).next() {
                match &document.root {
                    Ok(Some(root)) => {
                        helm::values::images(id, root, facts, &mut images);
                        if suppressions {
                            scalars.extend(suppress::scalar_spans([root]));
                        }
                    }
                    Ok(None) => {}
                    Err(err) => out.diagnostics.push(
                        diag(Severity::Warning, format!("invalid YAML: {err}"))
                            .at(position(err.offset))
                            .unchecked(),
                    ),
                }
            }
        }
        FileKind::Manifest => {
            out.rendered_output = helm::is_rendered(&text);
            // NOTE: a CustomResourceDefinition runs nothing (its `image` keys are schema), and
            // CRDs are more than half of the YAML bytes of a typical platform repository.
            let documents =
                yaml::documents_except(&text, yaml::Limits::default(), k8s::is_crd_definition);
            for document in documents {
                let doc_text = &text[document.span.range()];
                out.stats.documents += 1;
                for warning in &document.warnings {
                    out.diagnostics.push(
                        diag(Severity::Warning, format!("invalid YAML: {warning}"))
                            .at(position(warning.offset)),
                    );
                }
                match &document.root {
                    Ok(Some(root)) => {
                        if suppressions {
                            scalars.extend(suppress::scalar_spans([root]));
                        }
                        if is_kustomization {
                            uses::kustomize_images(id, root, &mut images);
                        }
                        for object in k8s::objects(root) {
                            out.stats.objects += 1;
                            if suppressions {
                                let at = |span: Span| (input.display, position(span.start));
                                object_ignore(&object, document.index, at, &mut out);
                            }
                            let namespace = object.namespace.unwrap_or(default_ns);
                            uses::object_images(
                                id,
                                document.index,
                                &object,
                                default_ns,
                                &mut images,
                            );
                            out.inventory
                                .collect(id, document.index, &object, default_ns);
                            let view = rules::ObjectView {
                                object: &object,
                                file: id,
                                document: document.index,
                                namespace,
                            };
                            rules::check_object(&view, &options.rules, &mut out.findings);
                        }
                    }
                    Ok(None) => {}
                    // NOTE: a template (Helm and friends) is rarely valid YAML; its images
                    // are checked once it is rendered, not here.
                    Err(err) if !err.limit && has_template_braces(doc_text) => {
                        out.diagnostics.push(
                            diag(
                                Severity::Debug,
                                "document holds a template (`{{`); not rendered yet, skipped"
                                    .into(),
                            )
                            .at(position(document.span.start)),
                        )
                    }
                    // Only YAML that looks like a Kubernetes object is worth a warning; other
                    // broken YAML is not ours to judge. Input past a parser limit always is:
                    // it can hide any number of objects.
                    Err(err) if err.limit || looks_like_manifest(doc_text) => {
                        out.diagnostics.push(
                            diag(Severity::Warning, format!("invalid YAML: {err}"))
                                .at(position(err.offset))
                                .unchecked(),
                        );
                    }
                    Err(err) => out.diagnostics.push(
                        diag(Severity::Debug, format!("invalid YAML: {err}"))
                            .at(position(err.offset)),
                    ),
                }
            }
            // A valid YAML document can still carry a template expression as its image.
            images.retain(|image| {
                let templated = image.text.contains("{{");
                if templated {
                    out.diagnostics.push(
                        diag(
                            Severity::Debug,
                            format!(
                                "image `{}` is a template; not rendered yet, skipped",
                                image.text
                            ),
                        )
                        .at(position(image.span.start)),
                    );
                }
                !templated
            });
        }
        FileKind::Script => {}
        FileKind::Dockerfile => {
            out.stats.documents += 1;
            let found = uses::dockerfile_images(id, &text);
            images = found.images;
            for (span, severity, message) in found.notes {
                out.diagnostics
                    .push(diag(severity, message).at(position(span.start)));
            }
        }
    }
    out.stats.images = images.len();
    let images: Vec<Arc<ImageUse>> = images.into_iter().map(Arc::new).collect();
    rules::check_images(&images, &options.rules, &mut out.findings);
    let view = rules::FileView {
        id,
        path: input.display,
        text: &text,
    };
    rules::check_file(&view, &options.rules, &mut out.findings);
    if suppressions {
        let style = match input.kind {
            FileKind::Manifest | FileKind::HelmValues => suppress::CommentStyle::Yaml,
            FileKind::Dockerfile => suppress::CommentStyle::Dockerfile,
            FileKind::Script => suppress::CommentStyle::Shell,
        };
        for directive in suppress::directives(&text, style, &scalars, &config::resolve::known_rule)
        {
            match directive {
                Ok(ignore) => out.ignores.push(ignore),
                Err(err) => out.diagnostics.push(
                    diag(
                        Severity::Warning,
                        format!("suppression not applied: {}", err.message),
                    )
                    .at(position(err.span.start)),
                ),
            }
        }
    }
    out.images = images;
    out.lines = lines.into_inner();
    out.text = text;
    out
}

/// Record `object`'s `imagegate.dev/ignore` annotation; a malformed one is a warning (`at`
/// places it).
fn object_ignore<'a>(
    object: &k8s::Object<'_>,
    document: usize,
    at: impl Fn(Span) -> (&'a str, source::Position),
    out: &mut FileOutcome,
) {
    let Some(annotations) = object.node.path(&["metadata", "annotations"]) else {
        return;
    };
    let (Some(key), Some(value)) = (
        annotations.key(policy::IGNORE_ANNOTATION),
        annotations.get(policy::IGNORE_ANNOTATION),
    ) else {
        return;
    };
    let reason = annotations
        .get(policy::IGNORE_REASON_ANNOTATION)
        .and_then(|r| r.as_str())
        .map(str::trim)
        .filter(|r| !r.is_empty());
    let problem = match (
        suppress::parse_annotation_ids(
            value.as_str().unwrap_or_default(),
            &config::resolve::known_rule,
        ),
        reason,
    ) {
        (Ok(rules), Some(reason)) => {
            out.object_ignores.push(ObjectIgnore {
                document,
                object: uses::ObjectId::of(object),
                rules,
                reason: reason.to_string(),
                span: key.span,
            });
            return;
        }
        (Err(message), _) => message,
        (Ok(_), None) => format!(
            "a reason is required: add the annotation `{}`",
            policy::IGNORE_REASON_ANNOTATION
        ),
    };
    let (path, position) = at(key.span);
    out.diagnostics.push(
        Diagnostic::new(
            Severity::Warning,
            path,
            format!("`{}` not applied: {problem}", policy::IGNORE_ANNOTATION),
        )
        .at(position),
    );
}

/// Whether broken YAML was probably meant as a Kubernetes object (block, flow or JSON style).
fn looks_like_manifest(text: &str) -> bool {
    text.contains("apiVersion") && text.contains("kind")
}

/// Whether `{{` appears outside comments: a template, not YAML.
fn has_template_braces(text: &str) -> bool {
    text.lines().any(|line| {
        let code = line
            .char_indices()
            .find(|&(i, c)| c == '#' && (i == 0 || line[..i].ends_with([' ', '\t'])))
            .map_or(line, |(i, _)| &line[..i]);
        code.contains("{{")
    })
}

/// The text of a file that starts with a UTF-16 byte-order mark (`None` when it does not).
fn utf16(bytes: &[u8]) -> Option<Result<String, ()>> {
    let little = match bytes {
        [0xFF, 0xFE, ..] => true,
        [0xFE, 0xFF, ..] => false,
        _ => return None,
    };
    let units = bytes[2..].chunks_exact(2).map(|pair| {
        let pair = [pair[0], pair[1]];
        if little {
            u16::from_le_bytes(pair)
        } else {
            u16::from_be_bytes(pair)
        }
    });
    Some(
        char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .map_err(|_| ()),
    )
}

struct ReadProblem {
    severity: Severity,
    message: String,
}

fn read_text(path: &Path, max_size: u64) -> Result<String, ReadProblem> {
    let problem = |message: String| ReadProblem {
        severity: Severity::Warning,
        message,
    };
    let size = std::fs::metadata(path)
        .map_err(|e| problem(format!("cannot read: {e}")))?
        .len();
    if size > max_size {
        return Err(problem(format!(
            "file is {size} bytes, larger than --max-file-size ({max_size} bytes); skipped"
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| problem(format!("cannot read: {e}")))?;
    if bytes.len() as u64 > max_size {
        return Err(problem(format!(
            "file grew past --max-file-size ({max_size} bytes) while reading; skipped"
        )));
    }
    // Windows editors save UTF-16 with a byte-order mark; such a file is text, not binary.
    if let Some(text) = utf16(&bytes) {
        return text
            .map_err(|()| problem("invalid UTF-16 (an unpaired surrogate); skipped".into()));
    }
    if bytes.iter().take(8192).any(|&b| b == 0) {
        return Err(problem("binary file (holds NUL bytes); skipped".into()));
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        problem(format!(
            "not UTF-8 (invalid byte at line {line}, byte offset {at}); skipped"
        ))
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn utf16_with_a_byte_order_mark_is_text() {
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("kind: Pod\n".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(super::utf16(&le), Some(Ok("kind: Pod\n".to_string())));
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("é".encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(super::utf16(&be), Some(Ok("é".to_string())));
        assert_eq!(super::utf16(&[0xFF, 0xFE, 0x00, 0xD8]), Some(Err(())));
        assert_eq!(super::utf16(b"kind: Pod"), None);
    }
}

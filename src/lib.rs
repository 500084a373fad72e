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

pub mod admission;
pub mod cli;
pub mod diagnostic;
pub mod dockerfile;
pub mod finding;
pub mod image_ref;
pub mod inventory;
pub mod k8s;
pub mod policy;
pub mod registry;
pub mod report;
pub mod rules;
pub mod script;
pub mod secrets;
pub mod source;
pub mod uses;
pub mod walk;
pub mod yaml;

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use diagnostic::{Diagnostic, Severity};
use finding::Finding;
use inventory::Inventory;
use source::{LineIndex, Span};
use uses::ImageUse;
use walk::{FileKind, Filters, Input};

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
        }
    }
}

/// A scanned file. Its text is kept only when a finding points into it.
#[derive(Debug, Clone)]
pub struct ScannedFile {
    /// As shown in reports.
    pub path: String,
    pub kind: FileKind,
    pub text: Option<String>,
    pub lines: Option<LineIndex>,
    /// Secret values found in this file: never shown in any source display (sorted).
    pub redactions: Vec<Span>,
}

impl ScannedFile {
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
}

/// Everything a scan produced.
#[derive(Debug, Clone, Default)]
pub struct ScanReport {
    pub files: Vec<ScannedFile>,
    /// Sorted by file, position and rule.
    pub findings: Vec<Finding>,
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
}

/// Scan `options.paths`: walk, parse, find images, run the rules.
pub fn scan(options: &ScanOptions) -> Result<ScanReport, ScanError> {
    let filters = Filters::new(&options.include, &options.exclude)?;
    let (inputs, mut diagnostics) = walk::collect(&options.paths, &filters)?;
    let outcomes = check_all(&inputs, options);

    let mut report = ScanReport::default();
    report.stats.files = inputs.len();
    let mut images = Vec::new();
    let mut inventory = Inventory::default();
    for (input, outcome) in inputs.iter().zip(outcomes) {
        let keep = !outcome.findings.is_empty();
        report.files.push(ScannedFile {
            path: input.display.clone(),
            kind: input.kind,
            lines: keep.then(|| LineIndex::new(&outcome.text)),
            text: keep.then_some(outcome.text),
            redactions: Vec::new(),
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
    reload_texts(&mut report, &inputs, options.max_file_size);
    for finding in &report.findings {
        if let Some(file) = report.files.get_mut(finding.location.file) {
            file.redactions.extend(&finding.redact);
        }
    }
    policy::sort_findings(&mut report.findings);
    diagnostics.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    report.diagnostics = diagnostics;
    Ok(report)
}

/// Read again the files that only scan-wide rules found something in (their text was let go
/// after checking, to keep memory small).
fn reload_texts(report: &mut ScanReport, inputs: &[Input], max_size: u64) {
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
        let (Some(file), Some(input)) = (report.files.get_mut(id), inputs.get(id)) else {
            continue;
        };
        if file.text.is_some() {
            continue;
        }
        if let Ok(text) = read_text(input, max_size) {
            file.lines = Some(LineIndex::new(&text));
            file.text = Some(text);
        }
    }
}

/// What checking one file produced.
#[derive(Default)]
struct FileOutcome {
    text: String,
    findings: Vec<Finding>,
    diagnostics: Vec<Diagnostic>,
    stats: Stats,
    images: Vec<Arc<ImageUse>>,
    inventory: Inventory,
}

/// Check every input on worker threads; results come back in input order.
fn check_all(inputs: &[Input], options: &ScanOptions) -> Vec<FileOutcome> {
    let jobs = match options.jobs {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
    .min(inputs.len().max(1));
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<FileOutcome>>> =
        Mutex::new((0..inputs.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            let spawned = std::thread::Builder::new()
                .stack_size(WORKER_STACK)
                .spawn_scoped(scope, || {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(input) = inputs.get(i) else { break };
                        let outcome = check_file(i, input, options);
                        if let Ok(mut results) = results.lock() {
                            results[i] = Some(outcome);
                        }
                    }
                });
            if spawned.is_err() {
                break;
            }
        }
    });
    let results = results.into_inner().unwrap_or_else(|e| e.into_inner());
    // Inputs a worker could not take (no thread could be spawned) are checked here.
    results
        .into_iter()
        .zip(inputs)
        .enumerate()
        .map(|(i, (outcome, input))| outcome.unwrap_or_else(|| check_file(i, input, options)))
        .collect()
}

/// Read, parse and check one file (`id` is its index in the scan). Never fails: problems
/// become diagnostics.
fn check_file(id: usize, input: &Input, options: &ScanOptions) -> FileOutcome {
    let mut out = FileOutcome::default();
    let diag = |severity, message: String| Diagnostic::new(severity, &input.display, message);
    let text = match read_text(input, options.max_file_size) {
        Ok(text) => text,
        Err(ReadProblem { severity, message }) => {
            out.diagnostics.push(diag(severity, message));
            return out;
        }
    };
    let lines = LineIndex::new(&text);
    let default_ns = options.rules.default_namespace.as_str();
    let is_kustomization = input
        .path
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| uses::KUSTOMIZATION_NAMES.contains(&n));
    let mut images = Vec::new();
    match input.kind {
        FileKind::Manifest => {
            for document in yaml::documents(&text, yaml::Limits::default()) {
                let doc_text = &text[document.span.range()];
                out.stats.documents += 1;
                for warning in &document.warnings {
                    out.diagnostics.push(
                        diag(Severity::Warning, format!("invalid YAML: {warning}"))
                            .at(lines.position(&text, warning.offset)),
                    );
                }
                match &document.root {
                    Ok(Some(root)) => {
                        if is_kustomization {
                            uses::kustomize_images(id, root, &mut images);
                        }
                        for object in k8s::objects(root) {
                            out.stats.objects += 1;
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
                    Err(_) if has_template_braces(doc_text) => out.diagnostics.push(
                        diag(
                            Severity::Debug,
                            "document holds a template (`{{`); not rendered yet, skipped".into(),
                        )
                        .at(lines.position(&text, document.span.start)),
                    ),
                    Err(err) => {
                        // Only YAML that looks like a Kubernetes object is worth a warning;
                        // other broken YAML is not ours to judge.
                        let severity = if looks_like_manifest(doc_text) {
                            Severity::Warning
                        } else {
                            Severity::Debug
                        };
                        out.diagnostics.push(
                            diag(severity, format!("invalid YAML: {err}"))
                                .at(lines.position(&text, err.offset)),
                        );
                    }
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
                        .at(lines.position(&text, image.span.start)),
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
                    .push(diag(severity, message).at(lines.position(&text, span.start)));
            }
        }
    }
    out.stats.images = images.len();
    let images: Vec<Arc<ImageUse>> = images.into_iter().map(Arc::new).collect();
    rules::check_images(&images, &options.rules, &mut out.findings);
    let view = rules::FileView {
        id,
        path: &input.display,
        text: &text,
    };
    rules::check_file(&view, &options.rules, &mut out.findings);
    out.images = images;
    out.text = text;
    out
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

struct ReadProblem {
    severity: Severity,
    message: String,
}

fn read_text(input: &Input, max_size: u64) -> Result<String, ReadProblem> {
    let problem = |message: String| ReadProblem {
        severity: Severity::Warning,
        message,
    };
    let size = std::fs::metadata(&input.path)
        .map_err(|e| problem(format!("cannot read: {e}")))?
        .len();
    if size > max_size {
        return Err(problem(format!(
            "file is {size} bytes, larger than --max-file-size ({max_size} bytes); skipped"
        )));
    }
    let bytes = std::fs::read(&input.path).map_err(|e| problem(format!("cannot read: {e}")))?;
    if bytes.len() as u64 > max_size {
        return Err(problem(format!(
            "file grew past --max-file-size ({max_size} bytes) while reading; skipped"
        )));
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

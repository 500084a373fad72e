//! The driver: one scan, stage by stage — walk the paths, render charts and overlays, check
//! every file in parallel, run the scan-wide rules, trace findings in rendered objects back to
//! the files a user edits, and apply the findings policy.

mod check;
mod limit;
mod online;

pub use crate::findings::files::{ObjectIgnore, ScannedFile};
pub use crate::findings::report::{ScanReport, Stats};

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::input::diagnostic::{Diagnostic, Severity};
use crate::input::walk::{self, FileKind, Filters, Input};
use crate::k8s::inventory::Inventory;
use crate::policy;
use crate::render::{helm, kustomize, process, trace};
use crate::syntax::yaml;
use crate::uses::{self};
use crate::{input, rules};

use crate::findings::files::read_text;
use check::{Context, FileOutcome, Unit, check_file};

pub use crate::workers::WORKER_STACK;
use crate::workers::parallel_map;
use crate::workers::progress::{Progress, Stage};

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
    /// Ask the registries (`--online`); `None` is offline.
    pub online: Option<crate::online::OnlineOptions>,
    /// Limit the scan to what a change touches (`--changed-since`, `changed-only`): only the
    /// charts and overlays it touches are rendered, only findings in its files reported.
    pub changed: Option<crate::input::changed::Changed>,
    /// Draw progress on standard error (`--progress`; on a terminal outside CI by default).
    pub progress: bool,
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
            online: None,
            changed: None,
            progress: false,
        }
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
    let mut walked = walk_inputs(options)?;
    let mut diagnostics = std::mem::take(&mut walked.diagnostics);
    let charts = helm::Charts::load(
        &walked.charts,
        worker_count(options.jobs, walked.charts.len()),
    );
    let progress = Progress::start(options.progress);
    let renders = render(&walked, &charts, options, &progress, &mut diagnostics)?;
    let units = units(&walked, &renders);
    let context = Context {
        options,
        charts: &charts,
    };
    let outcomes = check_all(&units, &context, &progress);
    drop(progress);
    let mut scanned = collect(&units, outcomes, options, &mut diagnostics);
    scanned.report.stats.files = walked.inputs.len();
    scanned.report.stats.rendered_charts = renders.streams.len();
    let online = options.online.as_ref().map(|online| {
        let (facts, stats) = online::ask_registries(
            &scanned.images,
            &scanned.report.files,
            online,
            &mut diagnostics,
        );
        scanned.report.stats.online = Some(stats);
        online::note_digests(&mut scanned.report.findings, &facts);
        facts
    });
    scan_wide_rules(&mut scanned, options, online.as_ref());
    let first_stream = walked.inputs.len();
    let made: Vec<(usize, trace::Made<'_>)> = renders
        .streams
        .iter()
        .map(trace::Made::Helm)
        .chain(renders.overlays.iter().map(|o| trace::Made::Kustomize {
            rendered: &o.rendered,
            root: &o.root,
        }))
        .enumerate()
        .map(|(i, made)| (first_stream + i, made))
        .collect();
    let traced = trace::Renders {
        images: &scanned.images,
        rendered: &made,
        prerendered: &scanned.prerendered,
        charts: &charts,
        helm_options: &options.helm,
        max_size: options.max_file_size,
    };
    trace::trace_rendered(&mut scanned.report, &traced, &mut diagnostics);
    let mut report = scanned.report;
    apply_policy(&mut report, options);
    diagnostics.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    report.diagnostics = diagnostics;
    if let Some(changed) = &options.changed {
        let limited = crate::findings::report::Limited {
            since: changed.since.clone(),
            changed_files: changed.len(),
            charts_rendered: renders.streams.iter().filter(|s| s.chart.is_some()).count(),
            charts_unchanged: renders.charts_unchanged,
            overlays_built: renders.overlays.len(),
            overlays_unchanged: renders.overlays_unchanged,
            findings_left_out: 0,
        };
        limit::apply(
            &mut report,
            changed,
            &renders.rendered_dirs,
            options.policy.root.as_deref(),
            limited,
        );
    }
    Ok(report)
}

/// Stage 1: the files under the scan's paths, filtered and classified.
fn walk_inputs(options: &ScanOptions) -> Result<walk::Walked, ScanError> {
    let mut filters = Filters::new(&options.include, &options.exclude)?;
    if let Some((root, include, exclude)) = &options.rooted_paths {
        filters = filters.rooted(root, include, exclude)?;
    }
    Ok(walk::collect(&options.paths, &filters)?)
}

/// What rendering produced: chart streams (rendered, or given with `--rendered`) and built
/// overlays.
struct Renders {
    streams: Vec<helm::RenderedStream>,
    overlays: Vec<Overlay>,
    /// The folders of the charts rendered and the overlays built or tried.
    rendered_dirs: Vec<PathBuf>,
    /// In a limited scan, the charts and overlays nothing changed in, not rendered.
    charts_unchanged: usize,
    overlays_unchanged: usize,
}

/// Stage 2: render every chart (but those whose output was given) and build every overlay.
fn render(
    walked: &walk::Walked,
    charts: &helm::Charts,
    options: &ScanOptions,
    progress: &Progress,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Renders, ScanError> {
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
    let unchanged = match &options.changed {
        Some(changed) => limit::unchanged_charts(charts, &options.helm, changed),
        None => HashSet::new(),
    };
    let not_rendered: HashSet<usize> = skip.union(&unchanged).copied().collect();
    streams.extend(helm::render_all(
        charts,
        &options.helm,
        worker_count(options.jobs, charts.list.len()),
        &not_rendered,
        progress,
        diagnostics,
    ));
    let skipped = helm::Skipped {
        given: &skip,
        unchanged: &unchanged,
    };
    helm::unrendered_templates(
        charts,
        &streams,
        &skipped,
        options.helm.enabled,
        diagnostics,
    );
    let (overlays, tried, overlays_unchanged) =
        render_overlays(&walked.inputs, options, progress, diagnostics);
    let rendered_dirs = (0..charts.list.len())
        .filter(|i| charts.list[*i].parent.is_none() && !not_rendered.contains(i))
        .map(|i| charts.list[i].dir.clone())
        .chain(tried)
        .collect();
    Ok(Renders {
        streams,
        overlays,
        rendered_dirs,
        charts_unchanged: unchanged.len(),
        overlays_unchanged,
    })
}

/// Stage 3's input: the files, then the chart streams, then the overlays (in this order, which
/// is their file id).
fn units<'a>(walked: &'a walk::Walked, renders: &'a Renders) -> Vec<Unit<'a>> {
    walked
        .inputs
        .iter()
        .map(|input| Unit {
            display: &input.display,
            kind: input.kind,
            path: Some(&input.path),
            text: None,
        })
        .chain(renders.streams.iter().map(|stream| Unit {
            display: &stream.display,
            kind: FileKind::Manifest,
            path: None,
            text: Some(&stream.text),
        }))
        .chain(renders.overlays.iter().map(|overlay| Unit {
            display: &overlay.display,
            kind: FileKind::Manifest,
            path: None,
            text: Some(&overlay.rendered.text),
        }))
        .collect()
}

/// The checked files gathered: the report's files and findings, and the facts the scan-wide
/// rules and the tracer need.
struct Scanned {
    report: ScanReport,
    images: Vec<std::sync::Arc<uses::ImageUse>>,
    inventory: Inventory,
    /// Files that are committed `helm template` output.
    prerendered: Vec<usize>,
}

/// Stage 4: each file's outcome into the report (a stream keeps its text, which cannot be read
/// again; a file on disk is read again when something asks for it).
fn collect(
    units: &[Unit<'_>],
    outcomes: Vec<FileOutcome>,
    options: &ScanOptions,
    diagnostics: &mut Vec<Diagnostic>,
) -> Scanned {
    let mut scanned = Scanned {
        report: ScanReport::default(),
        images: Vec::new(),
        inventory: Inventory::default(),
        prerendered: Vec::new(),
    };
    for (id, (unit, outcome)) in units.iter().zip(outcomes).enumerate() {
        if outcome.rendered_output && unit.path.is_some() {
            scanned.prerendered.push(id);
        }
        let mut file = ScannedFile::new(
            unit.display.to_string(),
            unit.path.map(Path::to_path_buf),
            unit.kind,
            outcome.kept,
            options.max_file_size,
        );
        file.ignores = outcome.ignores;
        file.object_ignores = outcome.object_ignores;
        let report = &mut scanned.report;
        report.files.push(file);
        report.findings.extend(outcome.findings);
        diagnostics.extend(outcome.diagnostics);
        scanned.images.extend(outcome.images);
        scanned.inventory.merge(outcome.inventory);
        report.stats.documents += outcome.stats.documents;
        report.stats.objects += outcome.stats.objects;
        report.stats.images += outcome.stats.images;
    }
    scanned
}

/// Stage 5: (after the online stage, when on) the rules that need every file (pull secrets, bindings, admission policies), then
/// the objects' ignore annotations, which apply before tracing (while a finding still sits in
/// its object's file).
fn scan_wide_rules(
    scanned: &mut Scanned,
    options: &ScanOptions,
    online: Option<&crate::online::OnlineFacts>,
) {
    let facts = rules::ScanFacts {
        images: &scanned.images,
        inventory: &scanned.inventory,
        online,
    };
    rules::check_scan(&facts, &options.rules, &mut scanned.report.findings);
    policy::apply_annotations(&mut scanned.report);
}

/// Stage 7 (after tracing): the findings policy, in one place. Merged findings first, so that
/// a suppression or a baseline entry counts each place once; then comments and `ignore:`
/// entries, levels, the baseline; secret values masked wherever a finding shows its file.
fn apply_policy(report: &mut ScanReport, options: &ScanOptions) {
    policy::sort_findings(&mut report.findings);
    trace::merge_duplicates(&mut report.findings);
    policy::apply_ignores(
        report,
        &options.policy,
        &options.rules.default_namespace,
        options.max_file_size,
    );
    options.policy.apply_levels(report);
    options.policy.apply_baseline(report);
    for finding in report.findings.iter().chain(&report.suppressed) {
        if let Some(file) = report.files.get_mut(finding.location.file) {
            file.redactions.extend(&finding.redact);
        }
    }
    policy::sort_findings(&mut report.findings);
    policy::sort_findings(&mut report.suppressed);
}

/// A kustomize overlay built for the scan.
struct Overlay {
    root: kustomize::Kustomization,
    rendered: kustomize::Rendered,
    /// e.g. `deploy/overlays/prod (kustomize build)`.
    display: String,
}

/// Build every kustomization root among `inputs` with `kustomize build` or `kubectl
/// kustomize`, in parallel (in a limited scan, those that read a changed file); what cannot be
/// built is a diagnostic. Also the folders of the roots tried, and how many were left out as
/// unchanged.
fn render_overlays(
    inputs: &[Input],
    options: &ScanOptions,
    progress: &Progress,
    diagnostics: &mut Vec<Diagnostic>,
) -> (Vec<Overlay>, Vec<PathBuf>, usize) {
    if !options.kustomize {
        return (Vec::new(), Vec::new(), 0);
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
    // The widest scanned path holding the root: what it may reach.
    let boundary = |root: &kustomize::Kustomization| {
        boundaries
            .iter()
            .filter(|b| root.dir.starts_with(b))
            .min_by_key(|b| b.components().count())
            .cloned()
            .unwrap_or_else(|| root.dir.clone())
    };
    let mut roots = kustomize::roots(&all);
    let before = roots.len();
    if let Some(changed) = &options.changed {
        roots.retain(|&i| limit::overlay_changed(&all[i], &all, &boundary(&all[i]), changed));
    }
    let unchanged = before - roots.len();
    if roots.is_empty() {
        return (Vec::new(), Vec::new(), unchanged);
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
        return (Vec::new(), Vec::new(), unchanged);
    };
    let budget = process::Budget {
        timeout: options.helm.timeout,
        max_output: options.helm.max_output,
    };
    // With a cache, builds are looked up by the hash of what makes them, the renderer's
    // version first (asked once).
    let cache = options.helm.cache_dir.as_deref().and_then(|dir| {
        Some(kustomize::BuildCache {
            cache: crate::render::cache::RenderCache::new(dir),
            version: renderer.version()?,
        })
    });
    progress.expect(Stage::Overlays, roots.len());
    let outcomes = parallel_map(&roots, worker_count(options.jobs, roots.len()), |_, &i| {
        let root = &all[i];
        let _done = progress.done_on_drop(Stage::Overlays);
        kustomize::render_cached(
            &renderer,
            root,
            &all,
            &boundary(root),
            budget,
            cache.as_ref(),
        )
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
    let tried = roots.iter().map(|&i| all[i].dir.clone()).collect();
    (overlays, tried, unchanged)
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

/// `jobs` (0: one per CPU), never more than `work` items.
fn worker_count(jobs: usize, work: usize) -> usize {
    match jobs {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
    .min(work.max(1))
}

/// Check every unit on worker threads; results come back in unit order.
fn check_all(inputs: &[Unit<'_>], context: &Context<'_>, progress: &Progress) -> Vec<FileOutcome> {
    progress.expect(Stage::Files, inputs.len());
    parallel_map(
        inputs,
        worker_count(context.options.jobs, inputs.len()),
        |i, input| {
            let _done = progress.done_on_drop(Stage::Files);
            check_file(i, input, context)
        },
    )
}

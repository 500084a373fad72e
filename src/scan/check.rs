//! Checking one file: read it, parse it by kind (values file, manifest, Dockerfile, script),
//! find its objects and image uses, run the per-image, per-object and per-file rules, and read
//! its suppressions. Never fails: problems become diagnostics.

use std::cell::OnceCell;
use std::path::Path;
use std::sync::Arc;

use crate::findings::finding::Finding;
use crate::findings::suppress;
use crate::input::diagnostic::{Diagnostic, Severity};
use crate::input::walk::FileKind;
use crate::k8s::{self, inventory::Inventory};
use crate::policy;
use crate::render::helm;
use crate::rules;
use crate::syntax::source::{self, LineIndex, Span};
use crate::syntax::yaml;
use crate::uses::{self, ImageUse};

use super::{ObjectIgnore, ScanOptions, Stats};
use crate::findings::files::{ReadProblem, read_text};

/// What checking one file produced.
#[derive(Default)]
pub(super) struct FileOutcome {
    /// A stream's text and line index, which cannot be read again; a file on disk is read
    /// again when something asks for it.
    pub(super) kept: Option<(String, LineIndex)>,
    /// The file is `helm template` output (documents opened by `# Source:` comments).
    pub(super) rendered_output: bool,
    pub(super) findings: Vec<Finding>,
    pub(super) diagnostics: Vec<Diagnostic>,
    pub(super) stats: Stats,
    pub(super) images: Vec<Arc<ImageUse>>,
    pub(super) inventory: Inventory,
    pub(super) ignores: Vec<suppress::Ignore>,
    pub(super) object_ignores: Vec<ObjectIgnore>,
}

/// One thing to check: a file on disk, or a rendered stream in memory.
pub(super) struct Unit<'a> {
    pub(super) display: &'a str,
    pub(super) kind: FileKind,
    pub(super) path: Option<&'a Path>,
    pub(super) text: Option<&'a str>,
}

/// What checking a unit may consult besides the unit.
pub(super) struct Context<'a> {
    pub(super) options: &'a ScanOptions,
    pub(super) charts: &'a helm::Charts,
}

/// Read, parse and check one file (`id` is its index in the scan). Never fails: problems
/// become diagnostics.
pub(super) fn check_file(id: usize, input: &Unit<'_>, context: &Context<'_>) -> FileOutcome {
    let read = match (input.text, input.path) {
        (Some(text), _) => Ok(text.to_string()),
        (None, Some(path)) => read_text(path, context.options.max_file_size),
        (None, None) => Ok(String::new()),
    };
    let text = match read {
        Ok(text) => text,
        Err(ReadProblem { severity, message }) => {
            let mut out = FileOutcome::default();
            out.diagnostics
                .push(Diagnostic::new(severity, input.display, message).unchecked());
            return out;
        }
    };
    let mut file = FileCheck {
        id,
        input,
        context,
        text: &text,
        lines: OnceCell::new(),
        // Suppressions are rare: their comments are looked for only in files that mention us.
        suppressions: text.contains("imagegate"),
        scalars: Vec::new(),
        images: Vec::new(),
        compose_environment: Vec::new(),
        pipeline_credentials: Vec::new(),
        pipeline: None,
        out: FileOutcome::default(),
    };
    match input.kind {
        FileKind::HelmValues => file.values(),
        FileKind::Manifest => file.manifest(),
        FileKind::Dockerfile => file.dockerfile(),
        FileKind::Script => {}
    }
    file.rules();
    file.suppression_comments();
    let FileCheck {
        images, lines, out, ..
    } = file;
    // The text goes back only when it cannot be read again (a stream): holding every file's
    // text until all are checked would cost the size of the tree. A report reads a file again
    // when it needs it.
    let kept = input.path.is_none().then(|| {
        let lines = lines.into_inner().unwrap_or_else(|| LineIndex::new(&text));
        (text, lines)
    });
    FileOutcome {
        images,
        kept,
        ..out
    }
}

/// One file being checked: its text, what was found so far, and the line index (built only
/// when something needs a position: most files need none).
struct FileCheck<'a> {
    id: usize,
    input: &'a Unit<'a>,
    context: &'a Context<'a>,
    text: &'a str,
    lines: OnceCell<LineIndex>,
    suppressions: bool,
    /// Where scalars are (a suppression comment is never inside one).
    scalars: Vec<Span>,
    images: Vec<Arc<ImageUse>>,
    /// A Compose file's literal environment entries.
    compose_environment: Vec<uses::compose::EnvEntry>,
    /// A workflow's literal registry passwords.
    pipeline_credentials: Vec<uses::ci::LiteralCredential>,
    /// A pipeline's steps.
    pipeline: Option<uses::ci::PipelineFacts>,
    out: FileOutcome,
}

impl FileCheck<'_> {
    fn position(&self, offset: usize) -> source::Position {
        self.lines
            .get_or_init(|| LineIndex::new(self.text))
            .position(self.text, offset)
    }

    /// A diagnostic about this file at byte `offset`.
    fn diagnostic(&self, severity: Severity, message: String, offset: usize) -> Diagnostic {
        Diagnostic::new(severity, self.input.display, message).at(self.position(offset))
    }

    /// A chart's values file: its image blocks (one document; later ones are not values).
    fn values(&mut self) {
        self.out.stats.documents += 1;
        let charts = self.context.charts;
        let chart = self
            .input
            .path
            .and_then(|path| charts.of_values_file(path))
            .map(|i| &charts.list[i]);
        let facts = helm::values::ChartFacts {
            app_version: chart
                .filter(|c| c.uses_app_version)
                .and_then(|c| c.app_version.as_ref())
                .map(|(v, _)| v.as_str()),
        };
        let Some(document) = yaml::documents(self.text, yaml::Limits::default()).next() else {
            return;
        };
        match &document.root {
            Ok(Some(root)) => {
                let mut found = Vec::new();
                helm::values::images(self.id, root, facts, &mut found);
                self.images.extend(found.into_iter().map(Arc::new));
                if self.suppressions {
                    self.scalars.extend(suppress::scalar_spans([root]));
                }
            }
            Ok(None) => {}
            Err(err) => {
                let message = format!("invalid YAML: {err}");
                let diagnostic = self.diagnostic(Severity::Warning, message, err.offset);
                self.out.diagnostics.push(diagnostic.unchecked());
            }
        }
    }

    /// A manifest (or a rendered stream): its documents, objects, image uses, the per-object
    /// rules, the inventory's facts and the objects' ignore annotations.
    fn manifest(&mut self) {
        let text = self.text;
        self.out.rendered_output = helm::is_rendered(text);
        let default_ns = self.context.options.rules.default_namespace.as_str();
        let is_kustomization = self
            .input
            .path
            .and_then(Path::file_name)
            .and_then(|n| n.to_str())
            .is_some_and(|n| uses::KUSTOMIZATION_NAMES.contains(&n));
        let name = self
            .input
            .path
            .and_then(Path::file_name)
            .and_then(|n| n.to_str())
            .unwrap_or(self.input.display);
        let pipeline = match crate::syntax::shell::ScriptKind::of(self.input.display) {
            Some(crate::syntax::shell::ScriptKind::GithubWorkflow) => {
                Some(uses::ci::Pipeline::GithubWorkflow)
            }
            Some(crate::syntax::shell::ScriptKind::GitlabCi) => Some(uses::ci::Pipeline::GitlabCi),
            _ => None,
        };
        let compose_named = uses::compose::is_compose_name(name);
        let dotenv = OnceCell::new();
        let mut notes = Vec::new();
        let mut images = Vec::new();
        // NOTE: a CustomResourceDefinition runs nothing (its `image` keys are schema), and
        // CRDs are more than half of the YAML bytes of a typical platform repository.
        let documents =
            yaml::documents_except(text, yaml::Limits::default(), k8s::is_crd_definition);
        for document in documents {
            let doc_text = &text[document.span.range()];
            self.out.stats.documents += 1;
            for warning in &document.warnings {
                let message = format!("invalid YAML: {warning}");
                let diagnostic = self.diagnostic(Severity::Warning, message, warning.offset);
                self.out.diagnostics.push(diagnostic);
            }
            let root = match &document.root {
                Ok(Some(root)) => root,
                Ok(None) => continue,
                // NOTE: a template (Helm and friends) is rarely valid YAML; its images are
                // checked once it is rendered, not here.
                Err(err) if !err.limit && has_template_braces(doc_text) => {
                    let message =
                        "document holds a template (`{{`); not rendered yet, skipped".to_string();
                    let diagnostic = self.diagnostic(Severity::Debug, message, document.span.start);
                    self.out.diagnostics.push(diagnostic);
                    continue;
                }
                // Only YAML that looks like a Kubernetes object is worth a warning; other
                // broken YAML is not ours to judge. Input past a parser limit always is: it
                // can hide any number of objects.
                Err(err) => {
                    let message = format!("invalid YAML: {err}");
                    let diagnostic = if err.limit || looks_like_manifest(doc_text) {
                        self.diagnostic(Severity::Warning, message, err.offset)
                            .unchecked()
                    } else {
                        self.diagnostic(Severity::Debug, message, err.offset)
                    };
                    self.out.diagnostics.push(diagnostic);
                    continue;
                }
            };
            if self.suppressions {
                self.scalars.extend(suppress::scalar_spans([root]));
            }
            if is_kustomization {
                uses::kustomize_images(self.id, root, &mut images);
            }
            if let Some(pipeline) = pipeline {
                uses::ci::pipeline_images(pipeline, self.id, root, text, &mut images, &mut notes);
                if pipeline == uses::ci::Pipeline::GithubWorkflow {
                    self.pipeline_credentials
                        .extend(uses::ci::literal_credentials(root));
                }
                let facts = self.pipeline.get_or_insert_with(Default::default);
                facts.steps.extend(uses::ci::steps(pipeline, root, text));
                facts.reusable_only = pipeline == uses::ci::Pipeline::GithubWorkflow
                    && uses::ci::is_reusable_only(root);
            } else if compose_named || uses::compose::is_compose(root) {
                let dotenv = dotenv.get_or_init(|| self.dotenv());
                uses::compose::compose_images(self.id, root, dotenv, &mut images, &mut notes);
                self.compose_environment
                    .extend(uses::compose::environment(root, text));
            }
            for object in k8s::objects(root) {
                self.out.stats.objects += 1;
                if self.suppressions {
                    let (display, lines) = (self.input.display, &self.lines);
                    let at = |span: Span| {
                        let index = lines.get_or_init(|| LineIndex::new(text));
                        (display, index.position(text, span.start))
                    };
                    object_ignore(&object, document.index, at, &mut self.out);
                }
                let namespace = object.namespace.unwrap_or(default_ns);
                uses::object_images(self.id, document.index, &object, default_ns, &mut images);
                self.out
                    .inventory
                    .collect(self.id, document.index, &object, default_ns);
                let view = rules::ObjectView {
                    object: &object,
                    file: self.id,
                    document: document.index,
                    namespace,
                };
                rules::check_object(&view, &self.context.options.rules, &mut self.out.findings);
            }
        }
        self.follow_calls(pipeline);
        for (span, message) in notes {
            let diagnostic = self.diagnostic(Severity::Debug, message, span.start);
            self.out.diagnostics.push(diagnostic);
        }
        // A valid YAML document can still carry a template expression as its image.
        for image in images {
            if image.text.contains("{{") {
                let message = format!(
                    "image `{}` is a template; not rendered yet, skipped",
                    image.text
                );
                let diagnostic = self.diagnostic(Severity::Debug, message, image.span.start);
                self.out.diagnostics.push(diagnostic);
            } else {
                self.images.push(Arc::new(image));
            }
        }
    }

    /// The steps of the reusable workflows a workflow's jobs call from this repository
    /// (`uses: ./.github/workflows/build.yml`), read once each; calls to other repositories
    /// are listed as unread.
    fn follow_calls(&mut self, pipeline: Option<uses::ci::Pipeline>) {
        let Some(facts) = &mut self.pipeline else {
            return;
        };
        // The caller's `uses:` of each call, where what the called workflow does is reported.
        let calls: Vec<(String, Span, String)> = facts
            .steps
            .iter()
            .filter_map(|s| Some((s.calls.clone()?, s.span, s.job.clone())))
            .collect();
        // The repository root: the folder holding `.github/workflows/`.
        let root = self
            .input
            .path
            .and_then(Path::parent)
            .and_then(Path::parent)
            .and_then(Path::parent);
        let workflow = pipeline == Some(uses::ci::Pipeline::GithubWorkflow);
        for (call, span, job) in calls {
            let local = call
                .strip_prefix("./")
                .filter(|p| workflow && !p.contains("..") && !p.contains('@'));
            let text = match (local, root) {
                (Some(path), Some(root)) => {
                    read_text(&root.join(path), self.context.options.max_file_size).ok()
                }
                _ => None,
            };
            let called = text.as_deref().and_then(yaml::first_root).map(|called| {
                uses::ci::steps(
                    uses::ci::Pipeline::GithubWorkflow,
                    &called,
                    text.as_deref().unwrap_or_default(),
                )
            });
            match called {
                Some(steps) => facts.steps.extend(steps.into_iter().map(|mut s| {
                    s.via = Some(call.clone());
                    s.span = span;
                    s.job = job.clone();
                    s.calls = None;
                    s
                })),
                None => {
                    if !facts.unread.contains(&call) {
                        facts.unread.push(call);
                    }
                }
            }
        }
    }

    /// The `.env` file beside a Compose file (what Compose interpolates from), when there is
    /// one and it is small.
    fn dotenv(&self) -> std::collections::BTreeMap<String, String> {
        let Some(path) = self
            .input
            .path
            .and_then(Path::parent)
            .map(|d| d.join(".env"))
        else {
            return Default::default();
        };
        match read_text(&path, 1 << 20) {
            Ok(text) => uses::compose::dotenv(&text),
            Err(_) => Default::default(),
        }
    }

    /// A Dockerfile: its `FROM` images, and notes for what cannot be resolved statically.
    fn dockerfile(&mut self) {
        self.out.stats.documents += 1;
        let found = uses::dockerfile_images(self.id, self.text);
        self.images.extend(found.images.into_iter().map(Arc::new));
        for (span, severity, message) in found.notes {
            let diagnostic = self.diagnostic(severity, message, span.start);
            self.out.diagnostics.push(diagnostic);
        }
    }

    /// The per-image and per-file rules.
    fn rules(&mut self) {
        self.out.stats.images = self.images.len();
        let ctx = &self.context.options.rules;
        rules::check_images(&self.images, ctx, &mut self.out.findings);
        let view = rules::FileView {
            id: self.id,
            path: self.input.display,
            text: self.text,
            compose_environment: &self.compose_environment,
            pipeline_credentials: &self.pipeline_credentials,
            pipeline: self.pipeline.as_ref(),
        };
        rules::check_file(&view, ctx, &mut self.out.findings);
    }

    /// `# imagegate: ignore[...]` comments, in the comment syntax of the file's kind.
    fn suppression_comments(&mut self) {
        if !self.suppressions {
            return;
        }
        let style = match self.input.kind {
            FileKind::Manifest | FileKind::HelmValues => suppress::CommentStyle::Yaml,
            FileKind::Dockerfile => suppress::CommentStyle::Dockerfile,
            FileKind::Script => suppress::CommentStyle::Shell,
        };
        for directive in suppress::directives(self.text, style, &self.scalars, &rules::is_rule) {
            match directive {
                Ok(ignore) => self.out.ignores.push(ignore),
                Err(err) => {
                    let message = format!("suppression not applied: {}", err.message);
                    let diagnostic = self.diagnostic(Severity::Warning, message, err.span.start);
                    self.out.diagnostics.push(diagnostic);
                }
            }
        }
    }
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
        suppress::parse_annotation_ids(value.as_str().unwrap_or_default(), &rules::is_rule),
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

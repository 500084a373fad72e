//! Checking one file: read it, parse it by kind (values file, manifest, Dockerfile, script),
//! find its objects and image uses, run the per-image, per-object and per-file rules, and read
//! its suppressions. Never fails: problems become diagnostics.

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
    pub(super) text: String,
    /// The text's line index, when checking it needed one.
    pub(super) lines: Option<LineIndex>,
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
        for directive in suppress::directives(&text, style, &scalars, &|id: &str| {
            rules::find(id).is_some()
        }) {
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
        suppress::parse_annotation_ids(value.as_str().unwrap_or_default(), &|id: &str| {
            rules::find(id).is_some()
        }),
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

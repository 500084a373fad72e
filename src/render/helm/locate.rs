//! Tracing a place in a rendered object back to the line the user must change.
//!
//! For a span in a `helm template` stream:
//! 1. the rendered document is matched to the template document that made it **by identity**
//!    (`# Source:` file, `kind`, `metadata.name` — templated names match what they can
//!    render), and only then by position among documents that cannot be told apart: `helm
//!    template` sorts a file's documents by kind, so the N-th rendered one is often not the
//!    N-th written;
//! 2. the template line of the rendered key is looked for in that document and in the helpers
//!    it includes (`include "x.podTemplate" . | nindent 4`), and in values it writes out whole
//!    (`toYaml .Values.sidecars`); never in another document;
//! 3. a line is only claimed when it can have produced the rendered value: a literal must be
//!    the rendered text, and a `.Values` leaf must be in it (the candidates are tried in order
//!    until one agrees, so a disabled container's block is never blamed for another's image);
//! 4. the **values line** that supplied the offending part is preferred to the template line
//!    (`.Chart.AppVersion` leads to `Chart.yaml`, a template literal default to itself);
//! 5. when only the template document is known, the finding is placed at its first key and
//!    its message says so.
//!
//! Everything is read once per file and cached; nothing here renders.

use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use super::template::{self, Entry, IncludeTarget, Item, TemplateIndex};
use super::{Charts, values};
use crate::syntax::image_ref::ImageRef;
use crate::syntax::source::Span;
use crate::syntax::yaml::{self, Node, Value};
use crate::uses::ImagePart;
use crate::uses::{ImageUse, Site};

/// How deep helpers may include helpers when a document is expanded.
const MAX_INCLUDE_DEPTH: usize = 8;
/// Most entries one expanded document may have (a helper included in a loop of helpers).
const MAX_VIEW_ENTRIES: usize = 20_000;
/// Most candidate template lines checked against the rendered value for one place.
const MAX_CANDIDATES: usize = 16;
/// Most template files read per chart (templates of the chart and its subcharts).
const MAX_TEMPLATE_FILES: usize = 4_096;
/// Template files larger than this are not read for helpers.
const MAX_TEMPLATE_BYTES: u64 = 4 * 1024 * 1024;
/// A place in a real file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    pub path: PathBuf,
    /// As shown in reports.
    pub display: String,
    pub span: Span,
}

/// Where a rendered place comes from.
#[derive(Debug, Clone)]
pub(crate) struct Traced {
    /// The line to change: values, else template, else the template document's first key.
    pub primary: Target,
    /// The other places (the template line when the primary is a values line; the include
    /// line when the template line is in a helper).
    pub related: Vec<(Target, String)>,
    /// Said in the message when the line could not be traced.
    pub note: Option<String>,
    /// A literal value the primary points at (a values leaf, a template literal): masked in
    /// every source display when the finding is about a secret.
    pub value: Option<Target>,
    /// A line-independent name of the rendered place: template, document, key path.
    pub origin: String,
    /// What made the rendered object (the template, the source manifest) and the rendered
    /// key, for reports.
    pub source: String,
    pub key_path: String,
    /// The value is computed by the template (`genCA`, `randAlphaNum`, a lookup) or by
    /// nothing committed that could be found: a secret made this way is not in the
    /// repository.
    pub generated: bool,
}

/// What identifies a rendered document: its `# Source:`, kind and name, and how many
/// documents of the same source and kind come before it in the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RenderedDoc {
    source: String,
    kind: String,
    name: String,
    rank: usize,
}

/// A rendered document's `# Source:` and its `kind:` line's value.
type Head = (String, Option<String>);

/// A rendered stream's documents, each parsed on demand and once (a document with many
/// findings is traced many times).
pub(crate) struct Stream<'a> {
    pub text: &'a str,
    /// The chart that rendered it, or `None` when documents name their chart.
    pub chart: Option<usize>,
    /// How the stream is shown (to pick among charts of the same name).
    pub display: &'a str,
    chunks: Vec<Span>,
    roots: Vec<OnceCell<Option<Node>>>,
    /// Per document: its `# Source:` and its top-level `kind:` value, read from the text.
    heads: OnceCell<Vec<Option<Head>>>,
}

impl<'a> Stream<'a> {
    pub(crate) fn new(text: &'a str, chart: Option<usize>, display: &'a str) -> Self {
        let chunks: Vec<Span> = yaml::split::split_documents(text)
            .into_iter()
            .map(|c| c.span)
            .collect();
        Stream {
            text,
            chart,
            display,
            roots: vec![OnceCell::new(); chunks.len()],
            chunks,
            heads: OnceCell::new(),
        }
    }

    fn root(&self, index: usize) -> Option<&Node> {
        self.roots
            .get(index)?
            .get_or_init(|| {
                let document = self.text.get(self.chunks[index].range())?;
                yaml::first_root(document)
            })
            .as_ref()
    }

    /// The document holding byte `at`.
    fn chunk_at(&self, at: usize) -> Option<usize> {
        self.chunks
            .iter()
            .position(|c| c.start <= at && at < c.end.max(c.start + 1))
    }

    /// The identity of document `index`: `None` without a `# Source:` comment. Only that
    /// document is parsed (for its name); the others of its template are read for their
    /// `kind:` line, to count its rank.
    fn identity(&self, index: usize) -> Option<RenderedDoc> {
        let heads = self.heads.get_or_init(|| {
            (0..self.chunks.len())
                .map(|i| {
                    let document = self.text.get(self.chunks[i].range())?;
                    let source = super::source_comment(document)?.to_string();
                    Some((source, kind_line(document)))
                })
                .collect()
        });
        let (source, kind) = heads.get(index)?.as_ref()?;
        let root = self.root(index);
        let field = |path: &[&str]| {
            root.and_then(|r| r.path(path))
                .and_then(Node::as_str)
                .unwrap_or_default()
                .to_string()
        };
        // A `kind:` written another way (flow style) is read from the parsed document.
        let kind = kind.clone().unwrap_or_else(|| field(&["kind"]));
        let rank = heads[..index]
            .iter()
            .flatten()
            .filter(|(s, k)| s == source && k.as_deref() == Some(kind.as_str()))
            .count();
        Some(RenderedDoc {
            name: field(&["metadata", "name"]),
            source: source.clone(),
            kind,
            rank,
        })
    }

    /// The chart that rendered document `index`.
    fn chart_of(&self, charts: &Charts, index: usize) -> Option<usize> {
        match self.chart {
            Some(chart) => Some(chart),
            None => {
                let document = self.text.get(self.chunks.get(index)?.range())?;
                charts.of_rendered_document(document, self.display)
            }
        }
    }
}

/// One parsed values file.
struct ValuesFile {
    path: PathBuf,
    display: String,
    root: Option<Node>,
    /// Its image uses, as the static check sees them.
    images: Vec<ImageUse>,
}

/// A source of values for a chart's templates, highest priority first.
#[derive(Debug, Clone)]
struct ValuesSource {
    file: usize,
    /// Keys leading to the chart's values in that file (a subchart's name in its parent).
    prefix: Vec<String>,
}

/// A template file of a chart, parsed once.
struct TemplateFile {
    path: PathBuf,
    display: String,
    text: String,
    index: TemplateIndex,
}

/// An entry of a template document, or of a helper it includes, with the file it is written
/// in and the include line that brought it in.
#[derive(Debug, Clone)]
struct Located {
    file: usize,
    /// Path and items as seen from the document's root.
    entry: Entry,
    /// The outermost include (in the document's own file) that brought the entry in.
    via: Option<(usize, Span)>,
}

/// Values written out whole (`toYaml .Values.x`) at a place of the document.
#[derive(Debug, Clone)]
struct ValuesInline {
    /// Keys from the document root to where the values go.
    path: Vec<String>,
    /// The `.Values` path.
    values: Vec<String>,
    /// The action, in file `file`.
    file: usize,
    span: Span,
}

/// A template document as seen from its root: its own entries, the entries of the helpers
/// it includes, and the values it writes out whole.
#[derive(Debug, Default)]
struct View {
    located: Vec<Located>,
    entries: Vec<Entry>,
    inlines: Vec<ValuesInline>,
}

/// How well a candidate template line agrees with what was rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Agreement {
    /// A literal or a values leaf that is not in the rendered value: another object's line.
    Contradicted,
    /// Nothing to compare.
    Unknown,
    /// A literal equal to the rendered value, or a values leaf in it.
    Confirmed,
}

/// A rendered place being traced, and what the template that rendered it is.
struct Place<'p> {
    /// The chart rendered.
    chart: usize,
    /// The chart (this one or a subchart) whose template it is.
    owner: usize,
    key_path: &'p str,
    /// The rendered scalar at the place.
    rendered: Option<&'p str>,
    part: ImagePart,
    /// The finding is about a secret: it points at keys, never at values.
    at_key: bool,
    /// `Deployment \`web\``, for messages.
    object: String,
}

impl Place<'_> {
    /// An image value (`...containers[name=x].image`).
    fn is_image(&self) -> bool {
        self.key_path.rsplit('.').next() == Some("image") && self.rendered.is_some()
    }
}

/// Where each define of a chart is: file and index among the file's defines.
type DefineMap = HashMap<String, (usize, usize)>;

/// An include still to expand into a view: the file it is written in, the include (its path
/// and items already seen from the document's root), the include line in the document's own
/// file, and how deep in helpers it is.
struct PendingInclude {
    file: usize,
    include: template::Include,
    via: Option<(usize, Span)>,
    depth: usize,
}

/// A `.Values` reference resolved in the values sources.
#[derive(Debug, Clone)]
struct Resolved {
    file: usize,
    /// Where the reference points in the values file.
    path: Vec<String>,
}

/// Traces places in rendered streams; caches every file it reads.
pub(crate) struct Tracer<'a> {
    charts: &'a Charts,
    options: &'a super::HelmOptions,
    /// `--helm-values` files (path, display), in the order given.
    extra_values: Vec<(PathBuf, String)>,
    files: Vec<TemplateFile>,
    file_ids: HashMap<PathBuf, Option<usize>>,
    /// Per rendered chart: every define of its templates and its subcharts' (first wins).
    defines: HashMap<usize, Rc<DefineMap>>,
    views: HashMap<(usize, Option<usize>, usize), Rc<View>>,
    values: Vec<ValuesFile>,
    values_by_path: HashMap<PathBuf, usize>,
}

impl<'a> Tracer<'a> {
    /// A tracer for `charts` rendered with `options` (its values files for every chart and
    /// for single charts, which come after the chart's own `values.yaml`).
    pub(crate) fn new(charts: &'a Charts, options: &'a super::HelmOptions) -> Self {
        Tracer {
            charts,
            options,
            extra_values: options
                .values
                .iter()
                .map(|p| (p.clone(), crate::input::paths::display_path(p)))
                .collect(),
            files: Vec::new(),
            file_ids: HashMap::new(),
            defines: HashMap::new(),
            views: HashMap::new(),
            values: Vec::new(),
            values_by_path: HashMap::new(),
        }
    }

    /// Trace `span` of `stream` for a finding about `part`. `None` when the span is not in a
    /// document with a `# Source:` comment of a chart in the scan.
    pub(crate) fn trace(
        &mut self,
        stream: &Stream<'_>,
        span: Span,
        part: ImagePart,
    ) -> Option<Traced> {
        let index = stream.chunk_at(span.start)?;
        let chunk = stream.chunks[index];
        let identity = stream.identity(index)?;
        let chart = stream.chart_of(self.charts, index)?;
        let local = Span::new(span.start - chunk.start, span.end - chunk.start);
        let root = stream.root(index);
        let at = root.and_then(|r| key_path_at(r, local));
        let (key_path, rendered) = match &at {
            Some(at) => (at.path.clone(), at.value.clone()),
            None => (String::new(), None),
        };
        let at_key = at.as_ref().is_some_and(|a| a.at_key);
        let mut traced = None;
        // A pull policy is set by its own line, next to the image's.
        if part == ImagePart::PullPolicy
            && let Some(container) = key_path.strip_suffix(".image")
        {
            let policy_path = format!("{container}.imagePullPolicy");
            let policy = root
                .map(|r| walk_key_path(r, &policy_path))
                .filter(|(_, _, complete)| *complete)
                .map(|(node, _, _)| node)
                .and_then(Node::as_str)
                .map(str::to_string);
            if policy.is_some() {
                traced = self
                    .trace_key(
                        chart,
                        &identity,
                        &policy_path,
                        policy.as_deref(),
                        part,
                        false,
                    )
                    .filter(|t| t.note.is_none());
            }
        }
        let part = if part == ImagePart::PullPolicy {
            ImagePart::Digest
        } else {
            part
        };
        let mut traced = match traced {
            Some(traced) => traced,
            None => self.trace_key(
                chart,
                &identity,
                &key_path,
                rendered.as_deref(),
                part,
                at_key,
            )?,
        };
        let image = rendered
            .as_deref()
            .filter(|_| key_path.ends_with("image"))
            .and_then(|r| ImageRef::parse(r).ok())
            .map(|r| format!("|{}", r.name()))
            .unwrap_or_default();
        traced.origin = format!("{}#{}|{key_path}{image}", identity.source, traced.origin);
        traced.source = identity.source.clone();
        traced.key_path = key_path;
        Some(traced)
    }

    /// The values images (file, block identity) that the image `rendered`, rendered by the
    /// chart of document `span` of `stream`, can have come from.
    pub(crate) fn values_images_of(
        &mut self,
        stream: &Stream<'_>,
        span: Span,
        rendered: &ImageRef,
    ) -> Vec<(PathBuf, Span)> {
        let Some(index) = stream.chunk_at(span.start) else {
            return Vec::new();
        };
        let Some(chart) = stream.chart_of(self.charts, index) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        let owners: Vec<usize> = std::iter::once(chart)
            .chain((0..self.charts.list.len()).filter(|&c| self.charts.is_below(c, chart)))
            .collect();
        for owner in owners {
            for source in self.sources(chart, owner) {
                if !seen.insert(source.file) {
                    continue;
                }
                let values = &self.values[source.file];
                for image in &values.images {
                    if comes_from(image, rendered) || is_prefix_of(image, rendered) {
                        out.push((values.path.clone(), identity_of(image)));
                    }
                }
            }
        }
        out
    }

    fn trace_key(
        &mut self,
        chart: usize,
        identity: &RenderedDoc,
        key_path: &str,
        rendered: Option<&str>,
        part: ImagePart,
        at_key: bool,
    ) -> Option<Traced> {
        let source = identity.source.as_str();
        let (owner, relative) = self.charts.template_of(chart, source);
        let owner_chart = &self.charts.list[owner];
        let template_path = owner_chart.dir.join(relative);
        let template_display = owner_chart.file_display(relative);
        let Some(file) = self.template_file(&template_path, &template_display) else {
            // A dependency packed as a .tgz, or a file that is gone: the chart is the place.
            let chart = &self.charts.list[chart];
            return Some(Traced {
                primary: Target {
                    path: chart.dir.join("Chart.yaml"),
                    display: chart.chart_yaml(),
                    span: chart.name_span.unwrap_or_default(),
                },
                related: Vec::new(),
                note: Some(format!(
                    "rendered from `{source}`, which is not in the scan; only the chart is known"
                )),
                value: None,
                origin: String::from("-"),
                source: String::new(),
                key_path: String::new(),
                generated: false,
            });
        };
        let document = match_document(&self.files[file], identity);
        let view = self.view(chart, file, document);
        let place = Place {
            chart,
            owner,
            key_path,
            rendered,
            part,
            at_key,
            object: format!("{} `{}`", identity.kind, identity.name),
        };
        let object = place.object.as_str();
        let origin = document.map_or_else(|| String::from("?"), |d| d.to_string());
        let candidates = template::ranked(&view.entries, key_path, None);
        let mut best: Option<(Agreement, Traced)> = None;
        for &i in candidates.iter().take(MAX_CANDIDATES) {
            let located = &view.located[i];
            let (agreement, mut traced) = self.evaluate(&place, located);
            if let Some((file, span)) = located.via {
                let include = self.target(file, span);
                traced.related.push((
                    include,
                    format!("the include that brings that line into {object}"),
                ));
            }
            if best.as_ref().is_none_or(|(b, _)| agreement > *b) {
                best = Some((agreement, traced));
            }
            if agreement == Agreement::Confirmed {
                break;
            }
        }
        // Values written out whole by `toYaml`: the values node itself.
        if best.as_ref().is_none_or(|(a, _)| *a < Agreement::Confirmed)
            && let Some(traced) = self.inline_values(&place, &view)
        {
            best = Some((Agreement::Confirmed, traced));
        }
        let mut traced = match best {
            Some((_, traced)) => traced,
            None => {
                let index = &self.files[file].index;
                let first = document
                    .and_then(|d| index.documents.get(d))
                    .and_then(|d| d.kind.or(d.first));
                let what = if key_path.is_empty() {
                    String::new()
                } else {
                    format!(" `{key_path}`")
                };
                Traced {
                    primary: self.target(file, first.unwrap_or_default()),
                    related: Vec::new(),
                    note: Some(format!(
                        "rendered from `{relative}`; only the template is known: the line of{what} \
                         in {object} could not be traced"
                    )),
                    value: None,
                    origin: String::new(),
                    source: String::new(),
                    key_path: String::new(),
                    generated: false,
                }
            }
        };
        traced.origin = origin;
        Some(traced)
    }

    /// What a candidate template line says about the rendered value, and where it traces.
    fn evaluate(&mut self, place: &Place<'_>, located: &Located) -> (Agreement, Traced) {
        let Place {
            chart,
            owner,
            rendered,
            at_key,
            ..
        } = *place;
        let (object, is_image) = (place.object.as_str(), place.is_image());
        let entry = &located.entry;
        let text = self.files[located.file].text.as_str();
        let expression = entry
            .value
            .and_then(|s| text.get(s.range()))
            .unwrap_or("")
            .to_string();
        let line = self.target(
            located.file,
            if at_key {
                entry.key
            } else {
                entry.value.unwrap_or(entry.key)
            },
        );
        let plain = |agreement, value: Option<Target>, generated| {
            (
                agreement,
                Traced {
                    primary: line.clone(),
                    related: Vec::new(),
                    note: None,
                    value,
                    origin: String::new(),
                    source: String::new(),
                    key_path: String::new(),
                    generated,
                },
            )
        };
        if expression.is_empty() {
            return plain(Agreement::Unknown, None, false);
        }
        if !expression.contains("{{") {
            // A literal: it made the rendered value only if it is that value.
            let literal = unquote_scalar(&expression);
            let agreement = match rendered {
                Some(rendered) if literal == rendered => Agreement::Confirmed,
                Some(rendered) if is_image && same_reference(&literal, rendered) => {
                    Agreement::Confirmed
                }
                Some(_) => Agreement::Contradicted,
                None => Agreement::Unknown,
            };
            let value = entry.value.map(|s| self.target(located.file, s));
            return plain(agreement, value, false);
        }
        let closure = self.closure(chart, located.file, entry.value.unwrap_or_default());
        let code: String = closure
            .iter()
            .map(|(file, span, _)| self.files[*file].text.get(span.range()).unwrap_or(""))
            .collect::<Vec<_>>()
            .join("\n");
        // `.x` inside `with .Values.y`, in the line and in helpers given that same `.`.
        let dot_code: String = closure
            .iter()
            .filter(|(_, _, own_dot)| *own_dot)
            .map(|(file, span, _)| self.files[*file].text.get(span.range()).unwrap_or(""))
            .collect::<Vec<_>>()
            .join("\n");
        let related = (
            line.clone(),
            format!("the template line that renders it in {object}"),
        );
        let sources = self.sources(chart, owner);
        let mut refs = template::values_refs(&code);
        refs.extend(template::dot_refs(&dot_code, &entry.dot));
        let resolved: Vec<Resolved> = refs
            .iter()
            .filter_map(|r| self.resolve(&sources, r))
            .collect();
        if is_image {
            let rendered = rendered.unwrap_or_default();
            let Ok(image) = ImageRef::parse(rendered) else {
                return plain(Agreement::Unknown, None, false);
            };
            let (agreement, claim) = self.claim_image(place, &sources, &resolved, &code, &image);
            return match claim {
                Some(primary) => (
                    agreement,
                    Traced {
                        primary,
                        related: vec![related],
                        note: None,
                        value: None,
                        origin: String::new(),
                        source: String::new(),
                        key_path: String::new(),
                        generated: false,
                    },
                ),
                None => plain(agreement, None, false),
            };
        }
        // A scalar: the values leaf, or the template literal, whose text is in the value.
        let Some(rendered) = rendered else {
            return plain(Agreement::Unknown, None, false);
        };
        let last_key = entry.path.last().map(String::as_str).unwrap_or_default();
        let mut contradicted = false;
        for reference in &resolved {
            let Some(node) = self.node(reference) else {
                continue;
            };
            let leaf = match &node.value {
                Value::Map(_) | Value::Seq(_) => supplying_leaf(node, last_key, rendered),
                _ => Some(node),
            };
            let Some(leaf) = leaf else { continue };
            let Some(value) = scalar_text(leaf) else {
                continue;
            };
            if supplies(&value, rendered) {
                let primary = self.values_target(reference.file, leaf.span);
                return (
                    Agreement::Confirmed,
                    Traced {
                        value: Some(primary.clone()),
                        primary,
                        related: vec![related],
                        note: None,
                        origin: String::new(),
                        source: String::new(),
                        key_path: String::new(),
                        generated: false,
                    },
                );
            }
            contradicted |= !value.trim().is_empty();
        }
        // A literal in the template (`default "changeme"`), or text a helper writes, that is
        // the value.
        for (n, (file, span, _)) in closure.iter().enumerate() {
            for literal in literals(&self.files[*file].text, *span, n > 0) {
                let written = self.files[*file].text.get(literal.range()).unwrap_or("");
                if written.trim().len() >= 2 && supplies(written, rendered) {
                    let primary = self.target(*file, literal);
                    let in_line = *file == located.file
                        && line.span.start <= literal.start
                        && literal.end <= entry.value.map_or(line.span.end, |v| v.end);
                    let related = if in_line { Vec::new() } else { vec![related] };
                    return (
                        Agreement::Confirmed,
                        Traced {
                            value: Some(primary.clone()),
                            primary,
                            related,
                            note: None,
                            origin: String::new(),
                            source: String::new(),
                            key_path: String::new(),
                            generated: false,
                        },
                    );
                }
            }
        }
        let agreement = if contradicted {
            Agreement::Contradicted
        } else {
            Agreement::Unknown
        };
        // Nothing committed supplies the value: it is made at install time (`randAlphaNum`,
        // `genCA`, `lookup`) or from something this scan cannot read.
        plain(agreement, None, true)
    }

    /// The values place of a rendered image's `part`, and whether the line agrees with the
    /// image at all. Only a values line that produced the rendered part is claimed.
    fn claim_image(
        &self,
        place: &Place<'_>,
        sources: &[ValuesSource],
        resolved: &[Resolved],
        code: &str,
        image: &ImageRef,
    ) -> (Agreement, Option<Target>) {
        let (owner, part) = (place.owner, place.part);
        let rendered = place.rendered.unwrap_or_default();
        // The values images the references point into, and the leaves that are no image.
        let mut blocks: Vec<(usize, &ImageUse)> = Vec::new();
        let mut leaves: Vec<(usize, Vec<String>, Span, String)> = Vec::new();
        let mut contradicted = false;
        for reference in resolved {
            let Some(node) = self.node(reference) else {
                continue;
            };
            let values = &self.values[reference.file];
            let hit = values.images.iter().find(|image| match &image.site {
                Site::HelmValues(v) => match v.block {
                    Some(block) if node.entries().is_some() => block.start == extent(node).start,
                    Some(block) => block.start <= node.span.start && node.span.end <= block.end,
                    None => image.span == node.span,
                },
                _ => false,
            });
            match hit {
                Some(block) => {
                    if comes_from(block, image) {
                        if !blocks
                            .iter()
                            .any(|(f, b)| *f == reference.file && b.span == block.span)
                        {
                            blocks.push((reference.file, block));
                        }
                    } else {
                        contradicted = true;
                    }
                }
                None => {
                    if let Some(value) = scalar_text(node) {
                        let value = value.trim().trim_end_matches('/').to_string();
                        if value.is_empty() {
                            continue;
                        }
                        if rendered.contains(&value) {
                            leaves.push((reference.file, reference.path.clone(), node.span, value));
                        } else {
                            contradicted = true;
                        }
                    }
                }
            }
        }
        // A helper that builds the image from values the line does not name: the values
        // image of the sources that the rendered image comes from.
        if blocks.is_empty() && leaves.is_empty() && resolved.is_empty() {
            let found = sources.iter().find_map(|source| {
                self.values[source.file]
                    .images
                    .iter()
                    .find(|u| comes_from(u, image))
                    .map(|u| (source.file, u))
            });
            if let Some(found) = found {
                blocks.push(found);
            }
        }
        let agreement = if contradicted {
            Agreement::Contradicted
        } else if blocks.is_empty() && leaves.is_empty() {
            Agreement::Unknown
        } else {
            Agreement::Confirmed
        };
        let app_version = || {
            let chart = &self.charts.list[owner];
            let (version, span) = chart.app_version.as_ref()?;
            let tag = image.tag.as_deref()?;
            (template::mentions_app_version(code) && tag.contains(version.as_str())).then(|| {
                Target {
                    path: chart.dir.join("Chart.yaml"),
                    display: chart.chart_yaml(),
                    span: *span,
                }
            })
        };
        let block_claim = |part: ImagePart| -> Option<Target> {
            blocks.iter().find_map(|(file, block)| {
                let Site::HelmValues(v) = &block.site else {
                    return None;
                };
                let values = &self.values[*file];
                let at = |span: Span| Target {
                    path: values.path.clone(),
                    display: values.display.clone(),
                    span,
                };
                match part {
                    ImagePart::Registry => {
                        // The registry key (or the repository, which holds or would hold the
                        // host) when the block's registry is the rendered one, or when the
                        // render has none of its own.
                        let written = block.reference.as_ref().ok()?;
                        let same = v.registry_written && written.registry == image.registry;
                        (same || image.registry_implied).then(|| at(v.registry))
                    }
                    ImagePart::Tag => {
                        // An empty tag the chart fills with its appVersion: `Chart.yaml`.
                        if v.tag_from_app_version {
                            return None;
                        }
                        let written = block.reference.as_ref().ok()?;
                        if !v.tag_written {
                            // No tag in values: where one goes, if the render has none either.
                            return image.tag.is_none().then(|| at(v.tag));
                        }
                        let tag_agrees = match (&written.tag, &image.tag) {
                            (Some(w), Some(r)) => r.contains(w.as_str()),
                            (None, None) => true,
                            _ => false,
                        };
                        let digest_agrees =
                            written.digest.is_some() && written.digest == image.digest;
                        (tag_agrees || digest_agrees).then(|| at(v.tag))
                    }
                    _ => Some(at(v.digest)),
                }
            })
        };
        let leaf_at = |(file, _, span, _): &(usize, Vec<String>, Span, String)| Target {
            path: self.values[*file].path.clone(),
            display: self.values[*file].display.clone(),
            span: *span,
        };
        let claim = match part {
            ImagePart::Registry => {
                let host = (!image.registry_implied).then(|| {
                    rendered
                        .split('/')
                        .next()
                        .unwrap_or_default()
                        .to_ascii_lowercase()
                });
                let leaf = |exact: bool| {
                    leaves.iter().find(|(_, _, _, v)| match &host {
                        Some(h) if exact => v.eq_ignore_ascii_case(h),
                        _ => !exact && rendered.starts_with(v.as_str()),
                    })
                };
                block_claim(ImagePart::Registry)
                    .or_else(|| leaf(true).map(leaf_at))
                    .or_else(|| leaf(false).map(leaf_at))
            }
            ImagePart::Tag => block_claim(ImagePart::Tag)
                .or_else(|| {
                    let tag = image.tag.as_deref().or(image.digest.as_deref())?;
                    leaves
                        .iter()
                        .find(|(_, _, _, v)| v == tag)
                        .or_else(|| {
                            leaves.iter().find(|(_, _, _, v)| {
                                tag.contains(v.as_str()) && !rendered.starts_with(v.as_str())
                            })
                        })
                        .map(leaf_at)
                })
                .or_else(app_version),
            ImagePart::Digest | ImagePart::Reference | ImagePart::PullPolicy => {
                block_claim(ImagePart::Digest).or_else(|| {
                    // Leaves of one map that name the image (`image.name`, `image.version`)
                    // together; a shared registry or namespace leaf alone names no image.
                    let last = image.repository.rsplit('/').next().unwrap_or_default();
                    let names = leaves.iter().find(|(_, _, _, v)| {
                        let v = v.rsplit_once(':').map_or(v.as_str(), |(n, t)| {
                            if t.contains('/') { v.as_str() } else { n }
                        });
                        v.rsplit('/').next() == Some(last)
                    })?;
                    let parent = &names.1[..names.1.len().saturating_sub(1)];
                    let siblings = leaves.iter().filter(|(f, path, _, _)| {
                        *f == names.0 && path[..path.len().saturating_sub(1)] == *parent
                    });
                    let start = siblings.clone().map(|(_, _, s, _)| s.start).min()?;
                    let end = siblings.map(|(_, _, s, _)| s.end).max()?;
                    Some(Target {
                        span: Span::new(start, end),
                        ..leaf_at(names)
                    })
                })
            }
        };
        (agreement, claim)
    }

    /// A rendered key written out by `toYaml .Values.x`: the values node it comes from.
    fn inline_values(&mut self, place: &Place<'_>, view: &View) -> Option<Traced> {
        let Place {
            chart,
            owner,
            key_path,
            at_key,
            ..
        } = *place;
        let object = place.object.as_str();
        let segments = template::split_key_path(key_path);
        let sources = self.sources(chart, owner);
        // The longest inline whose path is a prefix of the key path.
        let mut inlines: Vec<&ValuesInline> = view
            .inlines
            .iter()
            .filter(|inline| {
                inline.path.len() < segments.len()
                    && inline
                        .path
                        .iter()
                        .zip(&segments)
                        .all(|(key, (_, segment))| segment.split('[').next() == Some(key.as_str()))
            })
            .collect();
        inlines.sort_by_key(|inline| std::cmp::Reverse(inline.path.len()));
        for inline in inlines {
            // The sequence item or map key the inline's last key selects stays with it.
            let consumed = inline.path.len();
            let mut rest: Vec<&str> = Vec::new();
            if let Some((_, segment)) = consumed.checked_sub(1).and_then(|i| segments.get(i))
                && let Some(selector) = segment.split_once('[').map(|(_, s)| s)
            {
                rest.push(selector.trim_end_matches(']'));
            }
            let Some(resolved) = self.resolve(&sources, &inline.values) else {
                continue;
            };
            let Some(start) = self.node(&resolved) else {
                continue;
            };
            let mut steps: Vec<String> = rest.iter().map(|s| format!("[{s}]")).collect();
            steps.extend(segments[consumed..].iter().map(|(_, s)| s.to_string()));
            let (node, key, complete) = walk_key_path(start, &steps.join("."));
            if !complete {
                continue;
            }
            let span = match (at_key, key) {
                (true, Some(key)) => key.span,
                _ if matches!(node.value, Value::Map(_) | Value::Seq(_)) => {
                    key.map_or(extent(node), |k| k.span)
                }
                _ => node.span,
            };
            let value_span = node.span;
            let primary = self.values_target(resolved.file, span);
            let include = self.target(inline.file, inline.span);
            return Some(Traced {
                value: Some(self.values_target(resolved.file, value_span)),
                primary,
                related: vec![(
                    include,
                    format!("the template line that writes these values into {object}"),
                )],
                note: None,
                origin: String::new(),
                source: String::new(),
                key_path: String::new(),
                generated: false,
            });
        }
        None
    }

    /// The template file at `path` (its index is built once).
    fn template_file(&mut self, path: &Path, display: &str) -> Option<usize> {
        if let Some(id) = self.file_ids.get(path) {
            return *id;
        }
        let id = std::fs::metadata(path)
            .ok()
            .filter(|m| m.is_file() && m.len() <= MAX_TEMPLATE_BYTES)
            .and_then(|_| std::fs::read_to_string(path).ok())
            .map(|text| {
                let index = TemplateIndex::parse(&text);
                self.files.push(TemplateFile {
                    path: path.to_path_buf(),
                    display: display.to_string(),
                    text,
                    index,
                });
                self.files.len() - 1
            });
        self.file_ids.insert(path.to_path_buf(), id);
        id
    }

    fn target(&self, file: usize, span: Span) -> Target {
        let file = &self.files[file];
        Target {
            path: file.path.clone(),
            display: file.display.clone(),
            span,
        }
    }

    fn values_target(&self, file: usize, span: Span) -> Target {
        let values = &self.values[file];
        Target {
            path: values.path.clone(),
            display: values.display.clone(),
            span,
        }
    }

    /// Every define of the templates of `chart` and its subcharts, by name.
    fn defines(&mut self, chart: usize) -> Rc<DefineMap> {
        if let Some(defines) = self.defines.get(&chart) {
            return Rc::clone(defines);
        }
        let mut dirs: Vec<(PathBuf, String)> = Vec::new();
        let own = &self.charts.list[chart];
        dirs.push((own.dir.join("templates"), own.file_display("templates")));
        for (i, sub) in self.charts.list.iter().enumerate() {
            if self.charts.is_below(i, chart) {
                dirs.push((sub.dir.join("templates"), sub.file_display("templates")));
            }
        }
        let mut paths = Vec::new();
        for (dir, display) in dirs {
            collect_files(&dir, &display, &mut paths);
        }
        let mut defines = HashMap::new();
        for (path, display) in paths.into_iter().take(MAX_TEMPLATE_FILES) {
            let Some(file) = self.template_file(&path, &display) else {
                continue;
            };
            for (i, define) in self.files[file].index.defines.iter().enumerate() {
                defines.entry(define.name.clone()).or_insert((file, i));
            }
        }
        let defines = Rc::new(defines);
        self.defines.insert(chart, Rc::clone(&defines));
        defines
    }

    /// Document `document` of template `file` (every document when `None`), with what it
    /// includes, as seen from its root.
    fn view(&mut self, chart: usize, file: usize, document: Option<usize>) -> Rc<View> {
        if let Some(view) = self.views.get(&(chart, document, file)) {
            return Rc::clone(view);
        }
        let defines = self.defines(chart);
        let mut view = View::default();
        let index = &self.files[file].index;
        let in_document = |d: usize| document.is_none_or(|want| want == d);
        for entry in index.entries.iter().filter(|e| in_document(e.document)) {
            view.located.push(Located {
                file,
                entry: entry.clone(),
                via: None,
            });
        }
        let mut pending: Vec<PendingInclude> = index
            .includes
            .iter()
            .filter(|i| in_document(i.document))
            .map(|i| PendingInclude {
                file,
                include: i.clone(),
                via: None,
                depth: 0,
            })
            .collect();
        let mut next = 0;
        while let Some(PendingInclude {
            file: at,
            include,
            via,
            depth,
        }) = pending.get(next)
        {
            let (at, include, depth) = (*at, include.clone(), *depth);
            let via = via.or(Some((at, include.span)));
            next += 1;
            match &include.target {
                IncludeTarget::Values(values) => view.inlines.push(ValuesInline {
                    path: include.path.clone(),
                    values: values.clone(),
                    file: at,
                    span: include.span,
                }),
                IncludeTarget::Helper(name) => {
                    let Some(&(define_file, define)) = defines.get(name) else {
                        continue;
                    };
                    if depth >= MAX_INCLUDE_DEPTH || view.located.len() >= MAX_VIEW_ENTRIES {
                        continue;
                    }
                    let body = &self.files[define_file].index.defines[define].index;
                    for entry in &body.entries {
                        if view.located.len() >= MAX_VIEW_ENTRIES {
                            break;
                        }
                        view.located.push(Located {
                            file: define_file,
                            entry: prefixed(entry, &include.path, &include.items),
                            via,
                        });
                    }
                    for inner in &body.includes {
                        let mut inner = inner.clone();
                        let combined = prefixed(
                            &Entry {
                                line: inner.line,
                                document: inner.document,
                                key: inner.span,
                                value: None,
                                path: inner.path.clone(),
                                items: inner.items.clone(),
                                scalar_item: false,
                                dot: Vec::new(),
                            },
                            &include.path,
                            &include.items,
                        );
                        inner.path = combined.path;
                        inner.items = combined.items;
                        pending.push(PendingInclude {
                            file: define_file,
                            include: inner,
                            via,
                            depth: depth + 1,
                        });
                    }
                }
            }
        }
        view.entries = view.located.iter().map(|l| l.entry.clone()).collect();
        let view = Rc::new(view);
        self.views.insert((chart, document, file), Rc::clone(&view));
        view
    }

    /// The expression at `span` of `file` and the bodies of the helpers it includes
    /// (recursively, each once), each with whether its `.` is the expression's own (the
    /// helper was called with `.`).
    fn closure(&mut self, chart: usize, file: usize, span: Span) -> Vec<(usize, Span, bool)> {
        let defines = self.defines(chart);
        let mut out = vec![(file, span, true)];
        let mut seen = HashSet::new();
        let mut at = 0;
        while at < out.len() && out.len() < 64 {
            let (f, s, own_dot) = out[at];
            at += 1;
            let code = self.files[f].text.get(s.range()).unwrap_or("").to_string();
            for (name, passes_dot) in template::helper_calls(&code) {
                if let Some(&(define_file, define)) = defines.get(&name)
                    && seen.insert(name)
                {
                    let body = self.files[define_file].index.defines[define].body;
                    out.push((define_file, body, own_dot && passes_dot));
                }
            }
        }
        out
    }

    fn node(&self, reference: &Resolved) -> Option<&Node> {
        // NOTE: `path` is the full path in the file (the subchart prefix included).
        self.values[reference.file]
            .root
            .as_ref()?
            .path(&reference.path)
    }

    /// Where `reference` (`.Values` path) is set: the first source that sets it to something
    /// other than null or an empty string.
    fn resolve(&self, sources: &[ValuesSource], reference: &[String]) -> Option<Resolved> {
        let global = reference.first().is_some_and(|k| k == "global");
        sources.iter().find_map(|source| {
            let root = self.values[source.file].root.as_ref()?;
            let prefix: &[String] = if global { &[] } else { &source.prefix };
            let node = root.path(prefix)?.path(reference)?;
            let empty = node.is_null() || node.as_str().is_some_and(|s| s.trim().is_empty());
            (!empty).then(|| Resolved {
                file: source.file,
                path: prefix.iter().chain(reference).cloned().collect(),
            })
        })
    }

    /// The values files a template of `owner` (rendered as part of `chart`) reads, highest
    /// priority first: `--helm-values` files (last first), then each chart's `values.yaml`
    /// from the rendered chart down to `owner`.
    fn sources(&mut self, chart: usize, owner: usize) -> Vec<ValuesSource> {
        // The chain of subchart names from `chart` down to `owner`.
        let mut chain = Vec::new();
        let mut current = owner;
        while current != chart {
            let Some(parent) = self.charts.list[current].parent else {
                break;
            };
            let name = self.charts.list[current]
                .dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            chain.push((current, name));
            current = parent;
        }
        chain.reverse();
        let mut sources = Vec::new();
        // `-f` files in the order helm reads them: every chart's, then this chart's own; the
        // last one read wins, so they are searched from the end.
        let mut extra = self.extra_values.clone();
        if let Some(own) = self.options.chart(&self.charts.list[chart].dir) {
            extra.extend(
                own.values
                    .iter()
                    .map(|p| (p.clone(), crate::input::paths::display_path(p))),
            );
        }
        let prefix_all: Vec<String> = chain.iter().map(|(_, n)| n.clone()).collect();
        for (path, display) in extra.iter().rev() {
            if let Some(file) = self.values_file(path, display, None) {
                sources.push(ValuesSource {
                    file,
                    prefix: prefix_all.clone(),
                });
            }
        }
        let mut levels = vec![(chart, prefix_all.clone())];
        for (depth, (sub, _)) in chain.iter().enumerate() {
            levels.push((*sub, prefix_all[depth + 1..].to_vec()));
        }
        for (level, prefix) in levels {
            let c = &self.charts.list[level];
            let (path, display) = (c.dir.join("values.yaml"), c.file_display("values.yaml"));
            let app_version = c
                .app_version
                .as_ref()
                .filter(|_| c.uses_app_version)
                .map(|(v, _)| v.clone());
            if let Some(file) = self.values_file(&path, &display, app_version.as_deref()) {
                sources.push(ValuesSource { file, prefix });
            }
        }
        sources
    }

    fn values_file(
        &mut self,
        path: &Path,
        display: &str,
        app_version: Option<&str>,
    ) -> Option<usize> {
        if let Some(&i) = self.values_by_path.get(path) {
            return Some(i);
        }
        let text = std::fs::read_to_string(path).ok()?;
        let root = yaml::first_root(&text);
        let mut images = Vec::new();
        if let Some(root) = &root {
            values::images(0, root, values::ChartFacts { app_version }, &mut images);
        }
        self.values.push(ValuesFile {
            path: path.to_path_buf(),
            display: display.to_string(),
            root,
            images,
        });
        let i = self.values.len() - 1;
        self.values_by_path.insert(path.to_path_buf(), i);
        Some(i)
    }
}

/// The value of a document's top-level `kind:` line (unquoted), as `helm template` writes it.
fn kind_line(document: &str) -> Option<String> {
    document.lines().find_map(|line| {
        let value = line.strip_prefix("kind:")?;
        let value = value.split(" #").next().unwrap_or(value).trim();
        let value = value.trim_matches(|c| c == '"' || c == '\'');
        (!value.is_empty()).then(|| value.to_string())
    })
}

/// The template document that rendered `identity`: among the documents whose `kind:` and
/// `metadata.name:` can produce it (a literal must be equal, a templated value must match),
/// the most specific; among equals, the one at the rendered document's rank.
fn match_document(file: &TemplateFile, identity: &RenderedDoc) -> Option<usize> {
    let documents = &file.index.documents;
    let field = |span: Option<Span>| span.and_then(|s| file.text.get(s.range()));
    let mut scored: Vec<(usize, (usize, usize))> = documents
        .iter()
        .enumerate()
        .filter_map(|(i, document)| {
            let kind = match field(document.kind) {
                Some(kind) => template::matches_template(kind, &identity.kind)?,
                None => 0,
            };
            let name = match field(document.name) {
                Some(name) if !identity.name.is_empty() => {
                    template::matches_template(name, &identity.name)? + 1
                }
                _ => 0,
            };
            Some((i, (kind, name)))
        })
        .collect();
    let best = scored.iter().map(|(_, s)| *s).max()?;
    scored.retain(|(_, s)| *s == best);
    let pick = identity.rank.min(scored.len() - 1);
    Some(scored[pick].0)
}

/// `entry` as seen from where an include puts it: `path` and `items` in front of its own.
fn prefixed(entry: &Entry, path: &[String], items: &[Item]) -> Entry {
    let mut out = entry.clone();
    out.path = path.iter().chain(&entry.path).cloned().collect();
    out.items = items
        .iter()
        .cloned()
        .chain(entry.items.iter().map(|item| Item {
            depth: item.depth + path.len(),
            ..item.clone()
        }))
        .collect();
    out
}

/// The files under `dir` (recursively), each with its display path.
fn collect_files(dir: &Path, display: &str, out: &mut Vec<(PathBuf, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        if out.len() >= MAX_TEMPLATE_FILES {
            return;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        let shown = format!("{display}/{name}");
        match entry.file_type() {
            Ok(t) if t.is_dir() => collect_files(&path, &shown, out),
            Ok(t) if t.is_file() => out.push((path, shown)),
            _ => {}
        }
    }
}

/// A map's extent: from its first key to the end of its last value (its own span is empty).
fn extent(node: &Node) -> Span {
    match node.entries() {
        Some(entries) if !entries.is_empty() => Span::new(
            entries[0].0.span.start,
            entries
                .iter()
                .map(|(k, v)| k.span.end.max(v.span.end))
                .max()
                .unwrap_or(node.span.end),
        ),
        _ => node.span,
    }
}

/// The identity of a values image: its block, or its string.
fn identity_of(image: &ImageUse) -> Span {
    match &image.site {
        Site::HelmValues(v) => v.block.unwrap_or(image.span),
        _ => image.span,
    }
}

/// The text of a scalar node (strings, numbers, booleans).
fn scalar_text(node: &Node) -> Option<String> {
    match &node.value {
        Value::String(s) | Value::Number(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The leaf under `node` whose text is in `rendered`, preferring one named `key` (a map
/// written out by a loop: `range $k, $v := .Values.secrets`).
fn supplying_leaf<'n>(node: &'n Node, key: &str, rendered: &str) -> Option<&'n Node> {
    let mut stack = vec![node];
    let mut found = None;
    let mut visited = 0;
    while let Some(node) = stack.pop() {
        visited += 1;
        if visited > 10_000 {
            break;
        }
        if let Some(entries) = node.entries() {
            for (k, v) in entries {
                if let Some(text) = scalar_text(v)
                    && supplies(&text, rendered)
                {
                    if k.as_str() == Some(key) {
                        return Some(v);
                    }
                    found = found.or(Some(v));
                }
                stack.push(v);
            }
        } else if let Some(items) = node.items() {
            stack.extend(items);
        }
    }
    found
}

/// The `"..."` and `` `...` `` string literals inside the actions of `span` of `text`, and,
/// for a helper's body (`outside`), its text between actions (trimmed, one run a line).
fn literals(text: &str, span: Span, outside: bool) -> Vec<Span> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = span.start;
    let end = span.end.min(bytes.len());
    let mut in_action = false;
    while i < end {
        if bytes[i..].starts_with(b"{{") {
            in_action = true;
            i += 2;
            continue;
        }
        if bytes[i..].starts_with(b"}}") {
            in_action = false;
            i += 2;
            continue;
        }
        if !in_action && outside {
            let stop = (i..end)
                .find(|&j| bytes[j] == b'\n' || bytes[j..].starts_with(b"{{"))
                .unwrap_or(end);
            let run = text.get(i..stop).unwrap_or_default();
            let trimmed = run.trim();
            if !trimmed.is_empty() {
                let from = i + (run.len() - run.trim_start().len());
                out.push(Span::new(from, from + trimmed.len()));
            }
            i = stop.max(i + 1);
            if stop < end && bytes[stop] == b'{' {
                i = stop;
            }
            continue;
        }
        if in_action && (bytes[i] == b'"' || bytes[i] == b'`') {
            let quote = bytes[i];
            let mut j = i + 1;
            while j < end && bytes[j] != quote && bytes[j] != b'\n' {
                j += if quote == b'"' && bytes[j] == b'\\' {
                    2
                } else {
                    1
                };
            }
            if j < end && bytes[j] == quote {
                out.push(Span::new(i + 1, j));
            }
            i = j + 1;
            continue;
        }
        i += 1;
    }
    out
}

/// A scalar as written in a template, without its quotes.
fn unquote_scalar(written: &str) -> String {
    let written = written.trim();
    for quote in ['"', '\''] {
        if let Some(inner) = written
            .strip_prefix(quote)
            .and_then(|w| w.strip_suffix(quote))
        {
            return inner.to_string();
        }
    }
    written.to_string()
}

/// Whether two image references name the same image.
fn same_reference(a: &str, b: &str) -> bool {
    match (ImageRef::parse(a), ImageRef::parse(b)) {
        (Ok(a), Ok(b)) => a.full() == b.full(),
        _ => false,
    }
}

/// Shortest text that may be found *inside* a rendered value: a shorter one (`v1`, `1`) is
/// found in any base64 text by chance, so it must be the whole value.
const MIN_INSIDE: usize = 4;

/// Whether a values leaf's (or a template literal's) text is what a template rendered: the
/// whole value, as written or as the base64 it decodes from (`b64enc` into a Secret's `data`),
/// or, when it is long enough not to be there by chance, a part of it (`printf "%s:%s"`).
fn supplies(value: &str, rendered: &str) -> bool {
    let value = value.trim();
    if value.is_empty() {
        return false;
    }
    let rendered = rendered.trim_matches('"');
    let decoded =
        crate::secrets::decode_base64(rendered).and_then(|bytes| String::from_utf8(bytes).ok());
    if rendered == value || decoded.as_deref() == Some(value) {
        return true;
    }
    value.chars().count() >= MIN_INSIDE
        && (rendered.contains(value) || decoded.is_some_and(|d| d.contains(value)))
}

/// Whether the rendered image can have come from the values image `values`: the same
/// repository (the render may add a registry, or drop `library/`), and the tag and digest the
/// values write, when they write one (a tag the template decorates, `v` + tag, counts).
pub(crate) fn comes_from(values: &ImageUse, rendered: &ImageRef) -> bool {
    let Ok(written) = &values.reference else {
        return false;
    };
    let strip = |r: &str| r.strip_prefix("library/").unwrap_or(r).to_string();
    let (w, r) = (strip(&written.repository), strip(&rendered.repository));
    let repository = r == w || r.ends_with(&format!("/{w}")) || w.ends_with(&format!("/{r}"));
    if !repository {
        return false;
    }
    let from_app_version = matches!(&values.site, Site::HelmValues(v) if v.tag_from_app_version);
    let tag = match (&written.tag, &rendered.tag) {
        (Some(_), _) if from_app_version => true,
        (Some(w), Some(r)) => r.contains(w.as_str()),
        (Some(_), None) => written.digest.is_some() && written.digest == rendered.digest,
        (None, _) => true,
    };
    let digest = match (&written.digest, &rendered.digest) {
        (Some(w), Some(r)) => w == r,
        (Some(_), None) => false,
        (None, _) => true,
    };
    tag && digest
}

/// Whether the values image `values` is a repository prefix the template completes
/// (`{{ .Values.image.repository }}/{{ .Values.name }}`) into the rendered image: its whole
/// repository is the start of the rendered one, on its registry.
fn is_prefix_of(values: &ImageUse, rendered: &ImageRef) -> bool {
    let Ok(written) = &values.reference else {
        return false;
    };
    let repository = written.repository.as_str();
    (written.registry_implied || written.registry == rendered.registry)
        && repository.contains('/')
        && rendered
            .repository
            .strip_prefix(repository)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// The node at `key_path` under `node`, the key node of the last map step, and whether the
/// whole path was found (else the deepest node on the way). A key with dots (`tls.crt`,
/// `jwt.key`) is found by joining the following segments back.
pub(crate) fn walk_key_path<'n>(
    node: &'n Node,
    key_path: &str,
) -> (&'n Node, Option<&'n Node>, bool) {
    let segments = template::split_key_path(key_path);
    let mut node = node;
    let mut key = None;
    let mut i = 0;
    while i < segments.len() {
        let (start, segment) = segments[i];
        if segment.is_empty() {
            i += 1;
            continue;
        }
        // The field, trying `a`, then `a.b`, ... for keys with dots.
        let mut step = None;
        for j in i..segments.len() {
            let end = segments
                .get(j + 1)
                .map_or(key_path.len(), |(next, _)| next - 1);
            let joined = key_path.get(start..end).unwrap_or_default();
            let (field, selector) = match joined.split_once('[') {
                Some((field, rest)) if joined.ends_with(']') => {
                    (field, Some(rest.trim_end_matches(']')))
                }
                _ => (joined, None),
            };
            if field.is_empty() && selector.is_some() {
                step = Some((j, None, selector));
                break;
            }
            if let Some(next) = node.get(field) {
                step = Some((j, Some((field, next)), selector));
                break;
            }
        }
        let Some((j, field, selector)) = step else {
            return (node, key, false);
        };
        if let Some((field, next)) = field {
            key = node.key(field);
            node = next;
        }
        if let Some(selector) = selector {
            let items = node.items().unwrap_or_default();
            let item = match selector.strip_prefix("name=") {
                Some(wanted) => items
                    .iter()
                    .find(|i| i.get("name").and_then(Node::as_str) == Some(wanted)),
                None => selector.parse::<usize>().ok().and_then(|i| items.get(i)),
            };
            let Some(item) = item else {
                return (node, key, false);
            };
            node = item;
        }
        i = j + 1;
    }
    (node, key, true)
}

/// A place in a rendered object, by key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct At {
    /// imagegate's key-path syntax: `a.b[name=x].c`, `a.b[0]`.
    pub path: String,
    /// The node's string value.
    pub value: Option<String>,
    /// The place is the key itself (a finding about a secret points at its key).
    pub at_key: bool,
}

/// The deepest node of `root` whose key or value holds `span`.
///
/// Collections have zero-length spans at their first entry, so the entry holding `span` is the
/// last one that starts at or before it (entries are in text order in rendered output).
pub(crate) fn key_path_at(root: &Node, span: Span) -> Option<At> {
    let mut path = String::new();
    let mut node = root;
    loop {
        match &node.value {
            Value::Map(entries) => {
                let (key, value) = entries
                    .iter()
                    .rev()
                    .find(|(k, _)| k.span.start <= span.start)?;
                let name = key.as_str()?;
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(name);
                if span.start < key.span.end && span.start < value.span.start {
                    return Some(At {
                        path,
                        value: scalar_text(value),
                        at_key: true,
                    });
                }
                node = value;
            }
            Value::Seq(items) => {
                let (i, item) = items
                    .iter()
                    .enumerate()
                    .rev()
                    .find(|(_, item)| item.span.start <= span.start)?;
                match item.get("name").and_then(Node::as_str) {
                    Some(name) => path.push_str(&format!("[name={name}]")),
                    None => path.push_str(&format!("[{i}]")),
                }
                node = item;
            }
            _ => {
                return Some(At {
                    path,
                    value: scalar_text(node),
                    at_key: false,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests;

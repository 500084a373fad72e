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

mod claim;
mod files;
mod helpers;
pub(crate) use helpers::*;

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
}

#[cfg(test)]
mod tests;

//! Tracing a place in a rendered object back to the line the user must change.
//!
//! For a span in a `helm template` stream, in this order:
//! 1. the **values line** that supplied it: the template line's `.Values.x.y` references, or,
//!    for an image built by a helper (`include "common.images.image"`), the values image
//!    whose parts match the rendered image; `.Chart.AppVersion` leads to `Chart.yaml`;
//! 2. else the **template line** (from `# Source:` and the key path of the span);
//! 3. else the template's **first line**, with a note saying what was rendered.
//!
//! Everything is read once per file and cached; nothing here renders.

use std::cell::OnceCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::template::{self, TemplateIndex};
use super::{Charts, values};
use crate::image_ref::ImageRef;
use crate::rules::ImagePart;
use crate::source::Span;
use crate::uses::{ImageUse, Site};
use crate::yaml::{self, Node, Value};

/// A place in a real file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub path: PathBuf,
    /// As shown in reports.
    pub display: String,
    pub span: Span,
}

/// Where a rendered place comes from.
#[derive(Debug, Clone)]
pub struct Traced {
    /// The line to change: values, else template, else the template's first line.
    pub primary: Target,
    /// The other places (the template line when the primary is a values line).
    pub related: Vec<(Target, String)>,
    /// Said in the message when the line could not be traced.
    pub note: Option<String>,
    /// A literal value the primary points at (a values leaf, a template literal): masked in
    /// every source display when the finding is about a secret.
    pub value: Option<Target>,
    /// The values image the rendered image came from (file and block or string span).
    pub values_image: Option<(PathBuf, Span)>,
    /// A line-independent name of the rendered place: template, document, key path.
    pub origin: String,
    /// The value is computed by the template (`genCA`, `randAlphaNum`, a lookup) from nothing
    /// committed: a secret made this way is not in the repository.
    pub generated: bool,
}

/// A rendered stream's documents, each parsed on demand and once (a document with many
/// findings is traced many times).
pub struct Stream<'a> {
    pub text: &'a str,
    /// The chart that rendered it, or `None` when documents name their chart.
    pub chart: Option<usize>,
    /// How the stream is shown (to pick among charts of the same name).
    pub display: &'a str,
    chunks: Vec<Span>,
    roots: Vec<OnceCell<Option<Node>>>,
    /// Per document: which of its template's documents it is (helm prints one `# Source:`
    /// per document), `None` without a `# Source:` comment.
    ordinals: OnceCell<Vec<Option<usize>>>,
}

impl<'a> Stream<'a> {
    pub fn new(text: &'a str, chart: Option<usize>, display: &'a str) -> Self {
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
            ordinals: OnceCell::new(),
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

    fn ordinal(&self, index: usize) -> Option<usize> {
        let ordinals = self.ordinals.get_or_init(|| {
            let mut seen: HashMap<&str, usize> = HashMap::new();
            self.chunks
                .iter()
                .map(|c| {
                    let source = self.text.get(c.range()).and_then(super::source_comment)?;
                    let count = seen.entry(source).or_default();
                    *count += 1;
                    Some(*count - 1)
                })
                .collect()
        });
        *ordinals.get(index)?
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
struct ValuesSource {
    file: usize,
    /// Keys leading to the chart's values in that file (a subchart's name in its parent).
    prefix: Vec<String>,
}

/// Traces places in rendered streams; caches every file it reads.
pub struct Tracer<'a> {
    charts: &'a Charts,
    /// `--helm-values` files (path, display), in the order given.
    options: &'a super::HelmOptions,
    extra_values: Vec<(PathBuf, String)>,
    templates: HashMap<PathBuf, Option<(String, TemplateIndex)>>,
    values: Vec<ValuesFile>,
    values_by_path: HashMap<PathBuf, usize>,
}

impl<'a> Tracer<'a> {
    /// A tracer for `charts` rendered with `options` (its values files for every chart and
    /// for single charts, which come after the chart's own `values.yaml`).
    pub fn new(charts: &'a Charts, options: &'a super::HelmOptions) -> Self {
        Tracer {
            charts,
            options,
            extra_values: options
                .values
                .iter()
                .map(|p| (p.clone(), crate::walk::display_path(p)))
                .collect(),
            templates: HashMap::new(),
            values: Vec::new(),
            values_by_path: HashMap::new(),
        }
    }

    /// Trace `span` of `stream` for a finding about `part`. `None` when the span is not in a
    /// document with a `# Source:` comment of a chart in the scan.
    pub fn trace(&mut self, stream: &Stream<'_>, span: Span, part: ImagePart) -> Option<Traced> {
        let (index, chunk) = stream
            .chunks
            .iter()
            .enumerate()
            .find(|(_, c)| c.start <= span.start && span.start < c.end.max(c.start + 1))?;
        let document = stream.text.get(chunk.range())?;
        let source = super::source_comment(document)?;
        let chart = match stream.chart {
            Some(chart) => chart,
            None => self.charts.of_rendered_document(document, stream.display)?,
        };
        let ordinal = stream.ordinal(index)?;
        let local = Span::new(span.start - chunk.start, span.end - chunk.start);
        let (key_path, rendered) = match stream.root(index).and_then(|r| key_path_at(r, local)) {
            Some(at) => (at.path, at.value),
            None => (String::new(), None),
        };
        let mut traced =
            self.trace_key(chart, source, ordinal, &key_path, rendered.as_deref(), part);
        traced.origin = format!("{source}#{ordinal}|{key_path}");
        Some(traced)
    }

    fn trace_key(
        &mut self,
        chart: usize,
        source: &str,
        ordinal: usize,
        key_path: &str,
        rendered: Option<&str>,
        part: ImagePart,
    ) -> Traced {
        let (owner, relative) = self.charts.template_of(chart, source);
        let owner_chart = &self.charts.list[owner];
        let template_path = owner_chart.dir.join(relative);
        let template_display = owner_chart.file_display(relative);
        let Some((text, index)) = self.template(&template_path) else {
            // A dependency packed as a .tgz, or a file that is gone: the chart is the place.
            let chart = &self.charts.list[chart];
            return Traced {
                primary: Target {
                    path: chart.dir.join("Chart.yaml"),
                    display: chart.chart_yaml(),
                    span: Span::default(),
                },
                related: Vec::new(),
                note: Some(format!(
                    "rendered from `{source}`, which is not in the scan"
                )),
                value: None,
                values_image: None,
                origin: String::new(),
                generated: false,
            };
        };
        let template_target = |span: Span| Target {
            path: template_path.clone(),
            display: template_display.clone(),
            span,
        };
        let entry = (!key_path.is_empty())
            .then(|| index.locate(key_path, Some(ordinal)))
            .flatten();
        let Some(entry) = entry else {
            let first_line = Span::new(0, text.find(['\r', '\n']).unwrap_or(text.len()));
            return Traced {
                primary: template_target(first_line),
                related: Vec::new(),
                note: Some(format!(
                    "rendered from `{relative}`; the template line could not be traced{}",
                    if key_path.is_empty() {
                        String::new()
                    } else {
                        format!(" (rendered key `{key_path}`)")
                    }
                )),
                value: None,
                values_image: None,
                origin: String::new(),
                generated: false,
            };
        };
        let value_span = entry.value;
        let expression = value_span
            .and_then(|s| text.get(s.range()))
            .unwrap_or("")
            .to_string();
        let line_target = template_target(value_span.unwrap_or(entry.key));
        let literal = !expression.contains("{{") && !expression.is_empty();
        let is_image = key_path.rsplit('.').next() == Some("image") && rendered.is_some();
        let from_values = if literal {
            None
        } else if is_image {
            self.image_values(chart, owner, &expression, rendered.unwrap_or(""), part)
        } else {
            self.scalar_values(chart, owner, &expression, rendered)
        };
        match from_values {
            Some((primary, values_image)) => Traced {
                value: (!is_image).then(|| primary.clone()),
                related: vec![(
                    line_target,
                    "the template line that renders this value".to_string(),
                )],
                primary,
                note: None,
                values_image,
                origin: String::new(),
                generated: false,
            },
            None => Traced {
                value: literal.then(|| line_target.clone()),
                primary: line_target,
                related: Vec::new(),
                note: None,
                values_image: None,
                origin: String::new(),
                generated: !literal && !is_image && expression.contains("{{"),
            },
        }
    }

    /// The values place of a rendered image's `part`, and the values image it came from.
    fn image_values(
        &mut self,
        chart: usize,
        owner: usize,
        expression: &str,
        rendered: &str,
        part: ImagePart,
    ) -> Option<(Target, Option<(PathBuf, Span)>)> {
        let found = self.image_block(chart, owner, expression, rendered, part);
        // A part set by a later values file (`-f ci.yaml` with only `image.tag`) is there, not
        // in the image block of the chart's own values.
        let sources = self.sources(chart, owner);
        let words: &[&str] = match part {
            ImagePart::Tag => &["tag", "version"],
            ImagePart::Registry => &["registry"],
            ImagePart::Digest => &["digest"],
            ImagePart::Reference => return found,
        };
        let leaf = template::values_refs(expression)
            .iter()
            .find_map(|reference| {
                let key = reference.last()?.to_ascii_lowercase();
                if !words.iter().any(|w| key.contains(w)) {
                    return None;
                }
                let (file, span, is_map, _) = self.resolve(&sources, reference)?;
                (!is_map).then_some((file, span))
            });
        match (leaf, found) {
            (Some((file, span)), found)
                if found
                    .as_ref()
                    .is_none_or(|(target, _)| target.path != self.values[file].path) =>
            {
                let values = &self.values[file];
                let target = Target {
                    path: values.path.clone(),
                    display: values.display.clone(),
                    span,
                };
                Some((target, None))
            }
            (_, found) => found,
        }
    }

    /// The values image (a map block or a string) a template's image expression reads.
    fn image_block(
        &mut self,
        chart: usize,
        owner: usize,
        expression: &str,
        rendered: &str,
        part: ImagePart,
    ) -> Option<(Target, Option<(PathBuf, Span)>)> {
        let sources = self.sources(chart, owner);
        let refs = template::values_refs(expression);
        let mut leaves = Vec::new();
        for reference in &refs {
            let Some((file, node_span, is_map, _)) = self.resolve(&sources, reference) else {
                continue;
            };
            // A map or a key of one: the values image whose block it is.
            let hit = self.values[file]
                .images
                .iter()
                .find(|image| match &image.site {
                    Site::HelmValues(v) => match v.block {
                        Some(block) if is_map => block.start == node_span.start,
                        Some(block) => block.start <= node_span.start && node_span.end <= block.end,
                        None => image.span == node_span,
                    },
                    _ => false,
                });
            if let Some(image) = hit {
                let image = image.clone();
                return Some(self.image_target(file, &image, owner, expression, part));
            }
            if !is_map {
                leaves.push((file, reference.clone(), node_span));
            }
        }
        if !leaves.is_empty() {
            return Some((self.leaf_target(&leaves, part), None));
        }
        if part == ImagePart::Tag && template::mentions_app_version(expression) {
            return self.app_version(owner).map(|t| (t, None));
        }
        if !expression.contains("{{") {
            return None;
        }
        // A helper built the image: the values image whose parts it shows.
        let rendered = ImageRef::parse(rendered).ok()?;
        let (file, image) = sources.iter().find_map(|source| {
            self.values[source.file]
                .images
                .iter()
                .find(|image| same_image(image, &rendered))
                .map(|image| (source.file, image.clone()))
        })?;
        Some(self.image_target(file, &image, owner, expression, part))
    }

    fn image_target(
        &self,
        file: usize,
        image: &ImageUse,
        owner: usize,
        expression: &str,
        part: ImagePart,
    ) -> (Target, Option<(PathBuf, Span)>) {
        let values = &self.values[file];
        let identity = match &image.site {
            Site::HelmValues(v) => v.block.unwrap_or(image.span),
            _ => image.span,
        };
        let tag_from_app_version = part == ImagePart::Tag
            && template::mentions_app_version(expression)
            && matches!(&image.site, Site::HelmValues(v) if v.tag_from_app_version);
        let target = match self.app_version(owner).filter(|_| tag_from_app_version) {
            Some(target) => target,
            None => Target {
                path: values.path.clone(),
                display: values.display.clone(),
                span: image.span_of(part),
            },
        };
        (target, Some((values.path.clone(), identity)))
    }

    /// For a part of an image made from separate values leaves (`{{ .Values.registry }}/{{
    /// .Values.name }}:{{ .Values.version }}`), the leaf that holds it.
    fn leaf_target(&self, leaves: &[(usize, Vec<String>, Span)], part: ImagePart) -> Target {
        let named = |words: &[&str]| {
            leaves.iter().find(|(_, path, _)| {
                path.last().is_some_and(|key| {
                    let key = key.to_ascii_lowercase();
                    words.iter().any(|w| key.contains(w))
                })
            })
        };
        let first = &leaves[0];
        let last = &leaves[leaves.len() - 1];
        let (file, span) = match part {
            ImagePart::Tag => named(&["tag", "version"])
                .map_or((last.0, last.2), |(file, _, span)| (*file, *span)),
            ImagePart::Registry => named(&["registry", "hub", "repo", "image"])
                .map_or((first.0, first.2), |(file, _, span)| (*file, *span)),
            ImagePart::Digest | ImagePart::Reference => {
                // Leaves of one map (`image.name`, `image.version`) together; leaves from all
                // over the file (a shared `images.repository`, a service's `name`) would make
                // a span of unrelated lines, so then the first alone.
                let parent = &first.1[..first.1.len().saturating_sub(1)];
                let siblings = leaves.iter().filter(|(f, path, _)| {
                    *f == first.0 && path[..path.len().saturating_sub(1)] == *parent
                });
                let start = siblings.clone().map(|(_, _, s)| s.start).min();
                let end = siblings.map(|(_, _, s)| s.end).max();
                (
                    first.0,
                    Span::new(start.unwrap_or(first.2.start), end.unwrap_or(first.2.end)),
                )
            }
        };
        Target {
            path: self.values[file].path.clone(),
            display: self.values[file].display.clone(),
            span,
        }
    }

    /// The values leaf a non-image template value reads (`password: {{ .Values.auth.password
    /// | b64enc }}`): one whose text is in the rendered value, as it is or base64-encoded. A
    /// reference whose text is not there (a file name, a switch) did not supply the value.
    fn scalar_values(
        &mut self,
        chart: usize,
        owner: usize,
        expression: &str,
        rendered: Option<&str>,
    ) -> Option<(Target, Option<(PathBuf, Span)>)> {
        let sources = self.sources(chart, owner);
        template::values_refs(expression)
            .iter()
            .find_map(|reference| {
                let (file, span, is_map, value) = self.resolve(&sources, reference)?;
                let supplied = match (value, rendered) {
                    (Some(value), Some(rendered)) => supplies(&value, rendered),
                    (_, None) => true,
                    (None, Some(_)) => false,
                };
                (!is_map && supplied).then(|| Target {
                    path: self.values[file].path.clone(),
                    display: self.values[file].display.clone(),
                    span,
                })
            })
            .map(|target| (target, None))
    }

    /// `appVersion` in the `Chart.yaml` of `chart`.
    fn app_version(&self, chart: usize) -> Option<Target> {
        let chart = &self.charts.list[chart];
        let (_, span) = chart.app_version.as_ref()?;
        Some(Target {
            path: chart.dir.join("Chart.yaml"),
            display: chart.chart_yaml(),
            span: *span,
        })
    }

    /// Where `reference` (`.Values` path) is set: the first source that sets it to something
    /// other than null, with the node's span and whether it is a map.
    fn resolve(
        &self,
        sources: &[ValuesSource],
        reference: &[String],
    ) -> Option<(usize, Span, bool, Option<String>)> {
        let global = reference.first().is_some_and(|k| k == "global");
        sources.iter().find_map(|source| {
            let root = self.values[source.file].root.as_ref()?;
            let prefix: &[String] = if global { &[] } else { &source.prefix };
            let node = root.path(prefix)?.path(reference)?;
            if node.is_null() {
                return None;
            }
            let empty = node.as_str().is_some_and(|s| s.trim().is_empty());
            (!empty).then(|| {
                (
                    source.file,
                    node.span,
                    matches!(node.value, Value::Map(_)),
                    node.as_str().map(str::to_string),
                )
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
                    .map(|p| (p.clone(), crate::walk::display_path(p))),
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

    fn template(&mut self, path: &Path) -> Option<&(String, TemplateIndex)> {
        self.templates
            .entry(path.to_path_buf())
            .or_insert_with(|| {
                let text = std::fs::read_to_string(path).ok()?;
                let index = TemplateIndex::parse(&text);
                Some((text, index))
            })
            .as_ref()
    }
}

/// Whether a values leaf's text is what a template rendered: in it as written, or as the
/// base64 it decodes from (`b64enc` into a Secret's `data`).
fn supplies(value: &str, rendered: &str) -> bool {
    let value = value.trim();
    if value.is_empty() {
        return false;
    }
    rendered.contains(value)
        || crate::secrets::decode_base64(rendered.trim_matches('"'))
            .is_some_and(|decoded| String::from_utf8_lossy(&decoded).contains(value))
}

/// Whether a values image is the rendered image: same repository (the rendered one may have a
/// registry the values leave to the template), same tag and digest.
fn same_image(image: &ImageUse, rendered: &ImageRef) -> bool {
    let Ok(values) = &image.reference else {
        return false;
    };
    if values.full() == rendered.full() {
        return true;
    }
    let repository = rendered.repository == values.repository
        || values.repository.strip_prefix("library/") == Some(rendered.repository.as_str());
    repository && values.tag == rendered.tag && values.digest == rendered.digest
}

/// A place in a rendered object, by key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct At {
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
pub fn key_path_at(root: &Node, span: Span) -> Option<At> {
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
                        value: value.as_str().map(str::to_string),
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
                    value: node.as_str().map(str::to_string),
                    at_key: false,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path_at(text: &str, needle: &str) -> String {
        let root = yaml::first_root(text).unwrap();
        let start = text.find(needle).unwrap();
        let span = Span::new(start, start + needle.len());
        key_path_at(&root, span).unwrap().path
    }

    #[test]
    fn key_paths_of_rendered_places() {
        let deployment = "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.27\n        - image: redis:7\n";
        assert_eq!(
            path_at(deployment, "nginx:1.27"),
            "spec.template.spec.containers[name=web].image"
        );
        assert_eq!(
            path_at(deployment, "redis:7"),
            "spec.template.spec.containers[1].image"
        );
        let secret = "kind: Secret\ndata:\n  username: YXBw\n  password: cGFzcw==\n";
        assert_eq!(path_at(secret, "password"), "data.password");
        assert_eq!(path_at(secret, "kind"), "kind");
    }
}

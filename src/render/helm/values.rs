//! Image blocks in a chart's values files, checked without rendering.
//!
//! Charts take their images from values in two shapes: a string (`image: nginx:1.27`) and a
//! map (`image: {registry, repository, tag, digest}`; ingress-nginx says `image` for
//! `repository`; Bitnami lets `global.imageRegistry` override every `registry`). An
//! [`ImageBlock`] knows where each part is written, so a finding about a tag points at the
//! `tag:` line and one about a registry at the `registry:` (or `repository:`) line — the same
//! lines [`super::locate`] picks for findings in rendered objects, which is how a problem found
//! both ways is reported once.

use crate::syntax::image_ref::ImageRef;
use crate::syntax::source::Span;
use crate::syntax::yaml::{Node, Value};
use crate::uses::ImagePart;
use crate::uses::{ImageError, ImageUse, Site, ValuesImage};

/// A map of image values and where each part is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ImageBlock {
    /// From the map's first key to the end of its last value: the block's identity (a map's
    /// own span is empty).
    pub span: Span,
    pub registry: Option<(String, Span)>,
    /// `repository` (or ingress-nginx's `image`) value.
    pub repository: (String, Span),
    /// A non-empty `tag`.
    pub tag: Option<(String, Span)>,
    /// The `tag` key itself, even when its value is empty.
    pub tag_key: Option<Span>,
    /// A non-empty `digest`, `sha` or `imageDigest`, with `sha256:` added to a bare hex digest.
    pub digest: Option<(String, Span)>,
    /// `pullPolicy` (or `imagePullPolicy`) and the span of its value.
    pub pull_policy: Option<(String, Span)>,
    /// From the first of the registry/repository keys to the end of the last of the
    /// repository/tag/digest values: what a digest finding covers.
    pub keys: Span,
}

impl ImageBlock {
    /// The block in `node`, when it is a map with a non-empty `repository` (or `image`).
    pub(crate) fn from_map(node: &Node) -> Option<ImageBlock> {
        node.entries()?;
        let text = |key: &str| -> Option<(String, Span)> {
            let value = node.get(key)?;
            let s = value.as_str()?.trim();
            (!s.is_empty() && !s.contains("{{")).then(|| (s.to_string(), value.span))
        };
        let repository = text("repository").or_else(|| text("image"))?;
        let key_start = |key: &str| node.key(key).map(|k| k.span.start);
        let tag = text("tag");
        // NOTE: charts name the digest key three ways; a bare 64-hex value is a sha256 digest
        // (the templates write `@sha256:{{ .sha }}`).
        let digest = ["digest", "sha", "imageDigest"]
            .iter()
            .find_map(|key| text(key))
            .map(|(digest, span)| {
                let bare = digest.len() == 64 && digest.bytes().all(|b| b.is_ascii_hexdigit());
                let digest = if bare {
                    format!("sha256:{digest}")
                } else {
                    digest
                };
                (digest, span)
            });
        let first_key = ["registry", "repository", "image"]
            .iter()
            .filter(|k| text(k).is_some())
            .filter_map(|k| key_start(k))
            .min()
            .unwrap_or(repository.1.start);
        let last_value = [&tag, &digest]
            .into_iter()
            .flatten()
            .map(|(_, span)| span.end)
            .chain([repository.1.end])
            .max()
            .unwrap_or(repository.1.end);
        let entries = node.entries().unwrap_or_default();
        let extent = Span::new(
            entries
                .first()
                .map_or(node.span.start, |(k, _)| k.span.start),
            entries
                .iter()
                .map(|(k, v)| k.span.end.max(v.span.end))
                .max()
                .unwrap_or(node.span.end),
        );
        Some(ImageBlock {
            span: extent,
            registry: text("registry"),
            tag_key: node.key("tag").map(|k| k.span),
            pull_policy: text("pullPolicy").or_else(|| text("imagePullPolicy")),
            keys: Span::new(first_key, last_value),
            repository,
            tag,
            digest,
        })
    }

    /// The reference the chart most likely renders: `[registry/]repository[:tag][@digest]`,
    /// with `global_registry` (Bitnami's `global.imageRegistry`) before the block's own and
    /// `app_version` for an empty tag when the chart reads it.
    pub(crate) fn reference(
        &self,
        global_registry: Option<&str>,
        app_version: Option<&str>,
    ) -> String {
        let mut text = String::new();
        if let Some(registry) = global_registry.or(self.registry.as_ref().map(|(r, _)| r.as_str()))
        {
            text.push_str(registry.trim_end_matches('/'));
            text.push('/');
        }
        text.push_str(&self.repository.0);
        if let Some(tag) = self.tag.as_ref().map(|(t, _)| t.as_str()).or(app_version) {
            text.push(':');
            text.push_str(tag);
        }
        if let Some((digest, _)) = &self.digest {
            text.push('@');
            text.push_str(digest);
        }
        text
    }

    /// Where a finding about `part` points. `global_registry` is the span of a non-empty
    /// `global.imageRegistry` in the same file.
    pub(crate) fn span_of(&self, part: ImagePart, global_registry: Option<Span>) -> Span {
        match part {
            ImagePart::Tag => self
                .digest
                .as_ref()
                .or(self.tag.as_ref())
                .map(|(_, span)| *span)
                .or(self.tag_key)
                .unwrap_or(self.repository.1),
            ImagePart::Registry => global_registry
                .or(self.registry.as_ref().map(|(_, span)| *span))
                .unwrap_or(self.repository.1),
            ImagePart::Digest => self.keys,
            ImagePart::PullPolicy => self
                .pull_policy
                .as_ref()
                .map_or(self.keys, |(_, span)| *span),
            ImagePart::Reference => self.span_of(ImagePart::Digest, global_registry),
        }
    }
}

/// What a values file's images are checked with: the chart's `appVersion` (when a template
/// reads it) for empty tags.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ChartFacts<'a> {
    pub app_version: Option<&'a str>,
}

/// The image uses of a values file: every string under an `image`-like key and every image
/// block, in file order.
pub(crate) fn images(file: usize, root: &Node, chart: ChartFacts<'_>, out: &mut Vec<ImageUse>) {
    let global = root
        .path(&["global", "imageRegistry"])
        .filter(|n| n.as_str().is_some_and(|s| !s.trim().is_empty()));
    // Each node with whether its key names images (`image`, `images`): a map of image
    // blocks one level below such a key (`image.busybox.{registry,repository,tag}`) holds
    // images too.
    let mut stack: Vec<(&Node, String, bool)> = vec![(root, String::new(), false)];
    while let Some((node, path, under_image)) = stack.pop() {
        if let Some(items) = node.items() {
            for (i, item) in items.iter().enumerate().rev() {
                stack.push((item, format!("{path}[{i}]"), false));
            }
            continue;
        }
        let Some(entries) = node.entries() else {
            continue;
        };
        // Reversed, so the stack hands them out in file order.
        for (key, value) in entries.iter().rev() {
            let Some(name) = key.as_str() else { continue };
            let key_path = if path.is_empty() {
                name.to_string()
            } else {
                format!("{path}.{name}")
            };
            let image_key = image_key(name);
            // NOTE: a plural key (`images:`) holds images; its own `repository` is a prefix the
            // templates complete (`{{ .Values.images.repository }}/{{ .name }}`), no image.
            let singular = image_key == Some(ImageKey::One);
            if (singular || under_image)
                && let Some(block) = ImageBlock::from_map(value)
            {
                out.push(block_use(file, &block, key_path, global, chart));
                continue;
            }
            if singular && let Some(image) = string_use(file, value, &key_path) {
                out.push(image);
                continue;
            }
            if matches!(value.value, Value::Map(_) | Value::Seq(_)) {
                stack.push((
                    value,
                    key_path,
                    image_key.is_some() && value.entries().is_some(),
                ));
            }
        }
    }
    out.sort_by_key(|image| image.span.start);
}

/// What a key says it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ImageKey {
    /// `image`, `initImage`, `sidecarImage`, `image_ref`: an image (a string or a block), or
    /// a map of blocks (`image.busybox`).
    One,
    /// `images`, `sidecarImages`: a map of images.
    Many,
}

fn image_key(name: &str) -> Option<ImageKey> {
    let is_image = |name: &str| {
        name.eq_ignore_ascii_case("image") || name.ends_with("Image") || name.ends_with("_image")
    };
    if is_image(name) {
        Some(ImageKey::One)
    } else {
        name.strip_suffix('s')
            .filter(|n| is_image(n))
            .map(|_| ImageKey::Many)
    }
}

fn block_use(
    file: usize,
    block: &ImageBlock,
    key_path: String,
    global: Option<&Node>,
    chart: ChartFacts<'_>,
) -> ImageUse {
    let global_registry = global.and_then(Node::as_str).map(str::trim);
    let app_version = if block.tag.is_none() {
        chart.app_version
    } else {
        None
    };
    let text = block.reference(global_registry, app_version);
    let registry_written =
        global_registry.is_some() || block.registry.is_some() || has_domain(&block.repository.0);
    let global_span = global.map(|n| n.span);
    ImageUse {
        file,
        span: block.span_of(ImagePart::Reference, global_span),
        reference: ImageRef::parse(&text).map_err(ImageError::from),
        text,
        site: Site::HelmValues(Box::new(ValuesImage {
            key_path,
            tag: block.span_of(ImagePart::Tag, global_span),
            registry: block.span_of(ImagePart::Registry, global_span),
            digest: block.span_of(ImagePart::Digest, global_span),
            registry_written,
            tag_written: block.tag.is_some() || block.digest.is_some() || app_version.is_some(),
            pull_policy: block.pull_policy.as_ref().map(|(p, _)| p.clone()),
            pull_policy_span: block.pull_policy.as_ref().map(|(_, span)| *span),
            block: Some(block.span),
            tag_from_app_version: app_version.is_some(),
        })),
    }
}

/// `image: repo:tag` as a string; templated (`tpl`) and empty values are left alone.
fn string_use(file: usize, value: &Node, key_path: &str) -> Option<ImageUse> {
    let text = value.as_str()?.trim();
    if text.is_empty() || text.contains("{{") || text.contains(char::is_whitespace) {
        return None;
    }
    let reference = ImageRef::parse(text);
    let tag_written = reference
        .as_ref()
        .is_ok_and(|r| r.tag.is_some() || r.digest.is_some());
    Some(ImageUse {
        file,
        span: value.span,
        text: text.to_string(),
        site: Site::HelmValues(Box::new(ValuesImage {
            key_path: key_path.to_string(),
            tag: value.span,
            registry: value.span,
            digest: value.span,
            registry_written: has_domain(text),
            // A bare name in values is often completed by the template (`:{{ .Values.tag }}`).
            tag_written,
            pull_policy: None,
            pull_policy_span: None,
            block: None,
            tag_from_app_version: false,
        })),
        reference: reference.map_err(ImageError::from),
    })
}

/// Whether a reference names its registry (`ghcr.io/x`, `localhost:5000/x`), by the
/// reference grammar's own rule.
fn has_domain(reference: &str) -> bool {
    ImageRef::parse(reference).is_ok_and(|r| !r.registry_implied)
}

#[cfg(test)]
mod tests;

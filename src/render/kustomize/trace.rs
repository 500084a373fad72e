//! Tracing places in a kustomize build back to the files a user edits: the key in the
//! source manifest an object came from (its `config.kubernetes.io/origin`), the `images:`
//! entry whose transformer set an image, or the patch that wrote a value, found by its key
//! path (strategic merge, JSON 6902, inline patches read from their block scalar).

use std::collections::HashMap;
use std::path::PathBuf;

use crate::k8s;
use crate::render::helm::locate::{Target, Traced};
use crate::render::trace::display_of;
use crate::render::{helm, kustomize};
use crate::syntax::source::Span;
use crate::syntax::yaml;
use crate::uses::ImagePart;
use crate::uses::{self, Site};

/// Traces places in kustomize builds to their source files; caches what it reads.
#[derive(Default)]
pub(crate) struct KustomizeTracer {
    /// Parsed source files by absolute path.
    sources: HashMap<PathBuf, Option<(String, Vec<yaml::Node>)>>,
    /// The document spans of each rendered stream, by the stream's file id.
    chunks: HashMap<usize, Vec<Span>>,
    /// The documents of the stream traced last, each parsed once (a document has several
    /// findings, and findings come stream by stream), by their start.
    objects: (usize, HashMap<usize, Option<std::rc::Rc<yaml::Node>>>),
}

impl KustomizeTracer {
    /// Trace `span` of the build `rendered` (the scan's file `stream`).
    pub(crate) fn trace(
        &mut self,
        stream: usize,
        rendered: &kustomize::Rendered,
        root: &kustomize::Kustomization,
        span: Span,
        part: ImagePart,
    ) -> Option<Traced> {
        let text = rendered.text.as_str();
        let chunk = *self
            .chunks
            .entry(stream)
            .or_insert_with(|| {
                yaml::split::split_documents(text)
                    .into_iter()
                    .map(|c| c.span)
                    .collect()
            })
            .iter()
            .find(|c| c.start <= span.start && span.start < c.end.max(c.start + 1))?;
        if self.objects.0 != stream {
            self.objects = (stream, HashMap::new());
        }
        let object = self
            .objects
            .1
            .entry(chunk.start)
            .or_insert_with(|| {
                text.get(chunk.range())
                    .and_then(yaml::first_root)
                    .map(std::rc::Rc::new)
            })
            .clone()?;
        let origin = kustomize::origin(&object, rendered)?;
        let local = Span::new(span.start - chunk.start, span.end - chunk.start);
        let at = helm::locate::key_path_at(&object, local)?;
        let kind = object.get("kind").and_then(yaml::Node::as_str)?.to_string();
        let name = object
            .path(&["metadata", "name"])
            .and_then(yaml::Node::as_str)
            .unwrap_or("")
            .to_string();
        let overlay = Target {
            display: display_of(&root.file),
            path: root.file.clone(),
            span: Span::default(),
        };
        let rendered_by = (
            overlay,
            format!("rendered by the overlay in `{}`", display_of(&root.dir)),
        );
        let source = display_of(&origin.path);
        let traced = |primary: Target, key: String| Traced {
            primary,
            related: vec![rendered_by],
            note: None,
            value: None,
            origin: key,
            source: source.clone(),
            key_path: at.path.clone(),
            generated: false,
        };
        // NOTE: a pull-policy finding in a build goes where the same finding on the source as
        // written goes (its image), or to the `images:` entry that set the mutable tag, so the
        // two are one finding.
        let part = if part == ImagePart::PullPolicy {
            ImagePart::Tag
        } else {
            part
        };
        let written = self.source_value(&origin.path, &kind, &name, &at.path);
        let rewritten = written
            .as_ref()
            .is_none_or(|(w, _)| Some(w) != at.value.as_ref());
        // A transformer set the image: the `images:` entry is the line to change.
        if at.path.ends_with(".image")
            && written.is_some()
            && rewritten
            && let Some(target) = image_entry(
                &origin.image_transformers,
                written.as_ref(),
                at.value.as_deref(),
                part,
            )
        {
            // The kustomization is the finding's file; the manifest it rewrote, relative to it.
            let key = format!("{}|{}", relative_to(&origin.path, &target.path), at.path);
            return Some(traced(target, key));
        }
        // A value the source file does not hold was written by a patch of a transformer.
        if let Some(value) = at.value.as_deref().filter(|v| !v.trim().is_empty())
            && rewritten
            && let Some(target) = patch_target(
                &origin.transformers,
                &PatchedPlace {
                    kind: &kind,
                    name: &name,
                    key_path: &at.path,
                    value,
                    at_key: at.at_key,
                },
            )
        {
            let key = format!("{kind}/{name}|{}", at.path);
            return Some(traced(target, key));
        }
        let span = self.source_span(&origin.path, &kind, &name, &at.path, at.at_key)?;
        let key = format!("{kind}/{name}|{}", at.path);
        let primary = Target {
            display: display_of(&origin.path),
            path: origin.path.clone(),
            span,
        };
        Some(traced(primary, key))
    }

    fn source(&mut self, path: &PathBuf) -> Option<&(String, Vec<yaml::Node>)> {
        self.sources
            .entry(path.clone())
            .or_insert_with(|| {
                let text = std::fs::read_to_string(path).ok()?;
                let roots = yaml::documents(&text, yaml::Limits::default())
                    .filter_map(|d| d.root.ok().flatten())
                    .collect();
                Some((text, roots))
            })
            .as_ref()
    }

    /// The source object's node at `key_path`, or the deepest node on the way.
    fn source_node<'s>(
        roots: &'s [yaml::Node],
        kind: &str,
        name: &str,
        key_path: &str,
    ) -> Option<(&'s yaml::Node, Option<&'s yaml::Node>)> {
        let object = roots
            .iter()
            .flat_map(k8s::objects)
            .filter(|o| o.kind == kind)
            .max_by_key(|o| match o.name {
                Some(n) if n == name => 3,
                Some(n) if !n.is_empty() && name.contains(n) => 2,
                _ => 1,
            })?;
        let (node, key, _) = helm::locate::walk_key_path(object.node, key_path);
        Some((node, key))
    }

    fn source_span(
        &mut self,
        path: &PathBuf,
        kind: &str,
        name: &str,
        key_path: &str,
        at_key: bool,
    ) -> Option<Span> {
        let (_, roots) = self.source(path)?;
        let (node, key) = Self::source_node(roots, kind, name, key_path)?;
        let value_span = (!node.span.is_empty()).then_some(node.span);
        Some(match (at_key, key, value_span) {
            (true, Some(key), _) | (false, Some(key), None) => key.span,
            (_, _, Some(span)) => span,
            (_, None, None) => node.span,
        })
    }

    /// The string the source file writes at `key_path`, and its span.
    fn source_value(
        &mut self,
        path: &PathBuf,
        kind: &str,
        name: &str,
        key_path: &str,
    ) -> Option<(String, Span)> {
        let (_, roots) = self.source(path)?;
        let (node, _) = Self::source_node(roots, kind, name, key_path)?;
        Some((node.as_str()?.to_string(), node.span))
    }
}

/// A rendered value a patch may have written.
struct PatchedPlace<'a> {
    kind: &'a str,
    name: &'a str,
    key_path: &'a str,
    value: &'a str,
    /// The finding is about a secret: it points at the key, never at the value.
    at_key: bool,
}

/// Where a patch wrote `place`: the last transformer kustomization first, its inline patches
/// and then the patch files it names (`patches`, `patchesJson6902`, `patchesStrategicMerge`).
/// A patch is read as YAML and the place is found by its key path: in a strategic-merge patch
/// of the same object, or under the `path` of a JSON 6902 operation, and only where the value
/// written there is the rendered one. When no patch holds it that way (an inline patch in a
/// block scalar), the first line that writes the key and the value is taken.
fn patch_target(transformers: &[PathBuf], place: &PatchedPlace<'_>) -> Option<Target> {
    let in_file = |file: &PathBuf, span: Span| Target {
        display: display_of(file),
        path: file.clone(),
        span,
    };
    transformers.iter().rev().find_map(|kustomization| {
        let text = std::fs::read_to_string(kustomization).ok()?;
        let dir = kustomization.parent()?;
        let root = yaml::first_root(&text);
        let mut files = Vec::new();
        let mut inline = None;
        for key in ["patches", "patchesJson6902", "patchesStrategicMerge"] {
            let items = root
                .as_ref()
                .and_then(|r| r.get(key))
                .and_then(yaml::Node::items)
                .unwrap_or_default();
            for item in items {
                let target = item.get("target");
                // An inline patch (`patch: |`): read from its block scalar, found in place.
                let body = item.get("patch").or_else(|| {
                    item.as_str()
                        .is_some_and(|p| p.contains('\n'))
                        .then_some(item)
                });
                if inline.is_none()
                    && let Some(body) = body
                    && let Some((content, lines)) = block_content(&text, body.span)
                    && let Some(span) = patched_span(&content, target, place)
                {
                    inline = map_back(&lines, span).map(|span| in_file(kustomization, span));
                }
                let file = item
                    .as_str()
                    .filter(|p| !p.contains('\n'))
                    .or_else(|| item.get("path").and_then(yaml::Node::as_str));
                if let Some(file) = file {
                    files.push((kustomize::absolute(&dir.join(file)), target.cloned()));
                }
            }
        }
        let found = inline.or_else(|| {
            files.iter().find_map(|(file, target)| {
                let text = std::fs::read_to_string(file).ok()?;
                let span = patched_span(&text, target.as_ref(), place)?;
                Some(in_file(file, span))
            })
        });
        found
            .or_else(|| {
                // Inline patches live in block scalars: found by their lines.
                let span = key_value_line(&text, place)?;
                Some(in_file(kustomization, span))
            })
            .or_else(|| {
                files.iter().find_map(|(file, _)| {
                    let text = std::fs::read_to_string(file).ok()?;
                    let span = key_value_line(&text, place)?;
                    Some(in_file(file, span))
                })
            })
    })
}

/// The text of a literal block scalar at `span` of `text` without its indentation, and for
/// each of its lines (start in the content, start in `text`). `None` for a folded scalar,
/// whose content is not its lines.
fn block_content(text: &str, span: Span) -> Option<(String, Vec<(usize, usize)>)> {
    let raw = text.get(span.range())?;
    let line_start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
    // The header line (`patch: |-`) says which block style it is.
    let header = text[..line_start.saturating_sub(1)]
        .rsplit('\n')
        .next()
        .unwrap_or("");
    if !raw.contains('\n') || header.trim_end().ends_with('>') || header.contains(">-") {
        return None;
    }
    let indent = span.start - line_start;
    let mut content = String::new();
    let mut lines = Vec::new();
    let mut at = line_start;
    for line in text[line_start..span.end].split_inclusive('\n') {
        let strip = line.len() - line.trim_start_matches(' ').len();
        let strip = strip.min(indent);
        lines.push((content.len(), at + strip));
        content.push_str(&line[strip..]);
        at += line.len();
    }
    Some((content, lines))
}

/// A span of a block scalar's content (see [`block_content`]) in the file.
fn map_back(lines: &[(usize, usize)], span: Span) -> Option<Span> {
    let (content_start, file_start) = lines.iter().rev().find(|(c, _)| *c <= span.start)?;
    let start = file_start + (span.start - content_start);
    Some(Span::new(
        start,
        start + span.end.saturating_sub(span.start),
    ))
}

/// Where the patch `text` (whose kustomization entry selects `target`) writes `place`.
fn patched_span(text: &str, target: Option<&yaml::Node>, place: &PatchedPlace<'_>) -> Option<Span> {
    let targets = |kind: Option<&str>, name: Option<&str>| {
        kind.is_none_or(|k| k == place.kind)
            && name.is_none_or(|n| !n.is_empty() && place.name.contains(n))
    };
    let selected = target.is_none_or(|t| {
        targets(
            t.get("kind").and_then(yaml::Node::as_str),
            t.get("name").and_then(yaml::Node::as_str),
        )
    });
    let segments = plain_segments(place.key_path);
    for document in yaml::documents(text, yaml::Limits::default()) {
        let Ok(Some(root)) = document.root else {
            continue;
        };
        // A JSON 6902 patch: a list of operations.
        if let Some(operations) = root.items() {
            if !selected || target.is_none() {
                continue;
            }
            for operation in operations {
                let op = operation.get("op").and_then(yaml::Node::as_str);
                if !matches!(op, Some("add" | "replace")) {
                    continue;
                }
                let Some(pointer) = operation.get("path").and_then(yaml::Node::as_str) else {
                    continue;
                };
                let (Some(value_key), Some(value)) =
                    (operation.key("value"), operation.get("value"))
                else {
                    continue;
                };
                let pointer: Vec<String> = pointer
                    .split('/')
                    .skip(1)
                    .map(|p| p.replace("~1", "/").replace("~0", "~"))
                    .collect();
                let Some(rest) = pointer_prefix(&pointer, &segments, place.key_path) else {
                    continue;
                };
                let (node, key, complete) = helm::locate::walk_key_path(value, &rest);
                if complete && node.as_str() == Some(place.value) {
                    let key_span = key.map_or(value_key.span, |k| k.span);
                    return Some(if place.at_key { key_span } else { node.span });
                }
            }
            continue;
        }
        // A strategic-merge patch: the object itself, with what changes.
        let kind = root.get("kind").and_then(yaml::Node::as_str);
        let name = root
            .path(&["metadata", "name"])
            .and_then(yaml::Node::as_str);
        if (kind.is_some() || name.is_some()) && !targets(kind, name) || !selected {
            continue;
        }
        let (node, key, complete) = helm::locate::walk_key_path(&root, place.key_path);
        if complete && node.as_str() == Some(place.value) {
            return Some(match (place.at_key, key) {
                (true, Some(key)) => key.span,
                _ => node.span,
            });
        }
    }
    None
}

/// The key path after a JSON pointer that leads into it: `/data` before `data.DB_PASSWORD`
/// leaves `DB_PASSWORD`; `/spec/containers/0/env` before `spec.containers[name=x].env[0]`
/// leaves `[0]`. A numeric pointer segment stands for whichever item a selector names (the
/// base's order is not known here).
fn pointer_prefix(
    pointer: &[String],
    segments: &[(String, Option<String>)],
    key_path: &str,
) -> Option<String> {
    let mut p = 0;
    let mut consumed = 0;
    let mut pending_selector: Option<String> = None;
    for (field, selector) in segments {
        if p == pointer.len() {
            break;
        }
        if pointer[p] != *field {
            return None;
        }
        p += 1;
        consumed += 1;
        pending_selector = None;
        if let Some(selector) = selector {
            if p == pointer.len() {
                pending_selector = Some(selector.clone());
                break;
            }
            let index = &pointer[p];
            let agrees = index == "-"
                || selector.starts_with("name=")
                || selector
                    .parse::<usize>()
                    .is_ok_and(|i| index.parse() == Ok(i));
            if !agrees {
                return None;
            }
            p += 1;
        }
    }
    if p < pointer.len() {
        return None;
    }
    let raw = helm::template::split_key_path(key_path);
    let mut rest: Vec<String> = Vec::new();
    if let Some(selector) = pending_selector {
        rest.push(format!("[{selector}]"));
    }
    rest.extend(raw.iter().skip(consumed).map(|(_, s)| s.to_string()));
    Some(rest.join("."))
}

/// A key path's segments: the key and its selector (`name=x`, `2`), if any.
fn plain_segments(key_path: &str) -> Vec<(String, Option<String>)> {
    helm::template::split_key_path(key_path)
        .into_iter()
        .map(|(_, segment)| match segment.split_once('[') {
            Some((field, rest)) => (
                field.to_string(),
                Some(rest.trim_end_matches(']').to_string()),
            ),
            None => (segment.to_string(), None),
        })
        .collect()
}

/// The first line of `text` that writes the key path's last key with `place`'s value
/// (`DB_PASSWORD: admin`, or `value: admin` after `name: DB_PASSWORD`): at the key for a
/// secret, else at the value.
fn key_value_line(text: &str, place: &PatchedPlace<'_>) -> Option<Span> {
    let segments = plain_segments(place.key_path);
    let last = segments.last()?;
    // An env entry's value is under its item (`env[name=X].value`): X names the line before.
    let named = segments
        .iter()
        .rev()
        .find_map(|(_, s)| s.as_deref()?.strip_prefix("name="));
    let mut offset = 0;
    let mut name_seen = named.is_none();
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        if let Some(named) = named
            && line.contains(named)
        {
            name_seen = true;
        }
        let Some(value) = scalar_text(line, place.value) else {
            continue;
        };
        let key = key_before(line, value);
        let key_text = key.and_then(|k| line.get(k.range()));
        // A JSON 6902 operation writes it under `value:`.
        if name_seen && (key_text == Some(last.0.as_str()) || key_text == Some("value")) {
            let span = match (place.at_key, key) {
                (true, Some(key)) => key,
                _ => value,
            };
            return Some(span.shifted(start));
        }
    }
    None
}

/// The key of the `key: value` whose value is at `value` in `text`.
fn key_before(text: &str, value: Span) -> Option<Span> {
    let line_start = text.get(..value.start)?.rfind('\n').map_or(0, |i| i + 1);
    let head = &text[line_start..value.start];
    let colon = head.rfind(':')?;
    let key = head[..colon].trim_end();
    let key_start = key
        .rfind(|c: char| c.is_whitespace() || c == '-' || c == '{' || c == ',')
        .map_or(0, |i| i + 1);
    let key = key[key_start..].trim_matches(|c| c == '"' || c == '\'');
    let start = line_start + head[..colon].find(key)?;
    Some(Span::new(start, start + key.len()))
}

/// The first place `value` is written in `text` as a whole scalar: bounded by the start of a
/// line, a blank, a quote or `:` before, and a quote, a blank, `#`, `,`, `]`, `}` or the line end
/// after.
fn scalar_text(text: &str, value: &str) -> Option<Span> {
    text.match_indices(value).find_map(|(start, _)| {
        let end = start + value.len();
        let before = text[..start].chars().next_back();
        let after = text[end..].chars().next();
        let opens = before.is_none_or(|c| matches!(c, ' ' | '\t' | '\n' | '"' | '\'' | ':'));
        let closes = after.is_none_or(|c| {
            matches!(
                c,
                ' ' | '\t' | '\n' | '\r' | '"' | '\'' | '#' | ',' | ']' | '}'
            )
        });
        (opens && closes).then(|| Span::new(start, end))
    })
}

/// The `images:` entry of the first transformer that rewrites `written` and sets `part`, and
/// whose result is the `rendered` image (a patch may have replaced the image after it).
fn image_entry(
    transformers: &[PathBuf],
    written: Option<&(String, Span)>,
    rendered: Option<&str>,
    part: ImagePart,
) -> Option<Target> {
    let (written, _) = written?;
    let name = image_name(written);
    transformers.iter().rev().find_map(|file| {
        let text = std::fs::read_to_string(file).ok()?;
        let root = yaml::first_root(&text)?;
        let mut entries = Vec::new();
        uses::kustomize_images(0, &root, &mut entries);
        entries.into_iter().find_map(|entry| {
            let Site::KustomizeImage {
                name: entry_name, ..
            } = &entry.site
            else {
                return None;
            };
            let makes_rendered = rendered.is_some_and(|rendered| {
                let entry_name = image_name(&entry.text);
                let suffix = &entry.text[entry_name.len()..];
                image_name(rendered) == entry_name && rendered.ends_with(suffix)
            });
            (*entry_name == name && makes_rendered && entry.site.decides(part)).then(|| Target {
                path: file.clone(),
                display: display_of(file),
                span: entry.span_of(part),
            })
        })
    })
}

/// An image reference without its tag and digest, as kustomize's `images[].name` matches it.
fn image_name(reference: &str) -> String {
    let without_digest = reference.split('@').next().unwrap_or(reference);
    match without_digest.rsplit_once(':') {
        Some((name, tag)) if !tag.contains('/') => name.to_string(),
        _ => without_digest.to_string(),
    }
}

/// `path` relative to the directory of `file` (`../base/deployment.yaml`): a name for a place
/// that does not depend on where the scan was started.
fn relative_to(path: &std::path::Path, file: &std::path::Path) -> String {
    let dir = file.parent().unwrap_or(file);
    let (path, dir) = (kustomize::absolute(path), kustomize::absolute(dir));
    let common = path
        .components()
        .zip(dir.components())
        .take_while(|(a, b)| a == b)
        .count();
    let ups = dir.components().count().saturating_sub(common);
    let rest: Vec<String> = path
        .components()
        .skip(common)
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    std::iter::repeat_n("..".to_string(), ups)
        .chain(rest)
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests;

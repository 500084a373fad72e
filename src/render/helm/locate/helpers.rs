//! Matching rendered and written text: a template document's identity and kind, the literals
//! of a line, whether a values entry supplied a rendered reference, and key paths in a node.

use super::*;

/// The value of a document's top-level `kind:` line (unquoted), as `helm template` writes it.
pub(super) fn kind_line(document: &str) -> Option<String> {
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
pub(super) fn match_document(file: &TemplateFile, identity: &RenderedDoc) -> Option<usize> {
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
pub(super) fn prefixed(entry: &Entry, path: &[String], items: &[Item]) -> Entry {
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
pub(super) fn collect_files(dir: &Path, display: &str, out: &mut Vec<(PathBuf, String)>) {
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
pub(super) fn extent(node: &Node) -> Span {
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
pub(super) fn identity_of(image: &ImageUse) -> Span {
    match &image.site {
        Site::HelmValues(v) => v.block.unwrap_or(image.span),
        _ => image.span,
    }
}

/// The text of a scalar node (strings, numbers, booleans).
pub(super) fn scalar_text(node: &Node) -> Option<String> {
    match &node.value {
        Value::String(s) | Value::Number(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The leaf under `node` whose text is in `rendered`, preferring one named `key` (a map
/// written out by a loop: `range $k, $v := .Values.secrets`).
pub(super) fn supplying_leaf<'n>(node: &'n Node, key: &str, rendered: &str) -> Option<&'n Node> {
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
pub(super) fn literals(text: &str, span: Span, outside: bool) -> Vec<Span> {
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
pub(super) fn unquote_scalar(written: &str) -> String {
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
pub(super) fn same_reference(a: &str, b: &str) -> bool {
    match (ImageRef::parse(a), ImageRef::parse(b)) {
        (Ok(a), Ok(b)) => a.full() == b.full(),
        _ => false,
    }
}

/// Shortest text that may be found *inside* a rendered value: a shorter one (`v1`, `1`) is
/// found in any base64 text by chance, so it must be the whole value.
pub(super) const MIN_INSIDE: usize = 4;

/// Whether a values leaf's (or a template literal's) text is what a template rendered: the
/// whole value, as written or as the base64 it decodes from (`b64enc` into a Secret's `data`),
/// or, when it is long enough not to be there by chance, a part of it (`printf "%s:%s"`).
pub(super) fn supplies(value: &str, rendered: &str) -> bool {
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
pub(super) fn is_prefix_of(values: &ImageUse, rendered: &ImageRef) -> bool {
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

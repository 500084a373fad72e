//! Span-aware YAML (and JSON) loading behind a small facade.
//!
//! The rest of imagegate sees only [`Node`], [`Value`] and [`load_stream`]: a stream is split
//! into documents by [`split`], each document is parsed on its own (one broken document is a
//! diagnostic, the others are still checked), and every node carries the byte [`Span`] of its
//! source text in the whole file.
//!
//! NOTE: the backend is `serde-saphyr` (see `docs/architecture.md` for why): it gives exact
//! byte ranges for scalars, resolves aliases and `<<` merges while keeping the alias site, and
//! has budgets against alias bombs and deep nesting. Nothing outside this module names it.

mod build;
pub mod split;

use std::fmt;

use crate::syntax::source::Span;
pub use split::{Chunk, split_documents};

/// Limits that keep a hostile stream from exhausting the machine.
///
/// Nodes are counted after aliases expand, so they bound the work of an alias bomb: a
/// document gets [`Limits::document_nodes`] of them, and all the documents of one stream
/// together [`Limits::stream_nodes`] (many small bombs in one file cost what one costs).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Deepest nesting of mappings and sequences.
    pub max_depth: usize,
    /// Most nodes in one document, and in a whole stream of less than twice this many bytes.
    pub max_nodes: usize,
}

/// Nodes a document may expand to per byte of its text, and at least. Without aliases a
/// document has at most about one node per byte (`a,` is a key and its null value), so this
/// only bites when aliases multiply the text.
const NODES_PER_BYTE: usize = 16;
const MIN_DOCUMENT_NODES: usize = 10_000;

impl Limits {
    /// The node budget of a document of `bytes` bytes.
    pub fn document_nodes(&self, bytes: usize) -> usize {
        bytes
            .saturating_mul(NODES_PER_BYTE)
            .max(MIN_DOCUMENT_NODES)
            .min(self.max_nodes)
    }

    /// The node budget of a whole stream of `bytes` bytes: a big file without aliases fits.
    pub fn stream_nodes(&self, bytes: usize) -> usize {
        self.max_nodes.max(bytes / 2)
    }
}

impl Default for Limits {
    fn default() -> Self {
        // NOTE: real CRD schemas nest well past serde-saphyr's default of 64 levels, and
        // `kubectl get -o json` of a big cluster is one document of millions of nodes. A
        // document's size is bounded by `--max-file-size` first; these bound the work per byte.
        Limits {
            max_depth: 256,
            max_nodes: 5_000_000,
        }
    }
}

/// A YAML node and where it sits in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The node's own text: for a scalar its exact range (quotes included), for an alias the
    /// alias token (`*img`), for a collection a zero-length span at its first entry.
    pub span: Span,
    /// Where the value was defined when it came through an alias or a `<<` merge.
    pub defined_at: Option<Span>,
    pub value: Value,
}

/// A YAML value. Scalars keep their text; only what imagegate needs is typed.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// A number, as written.
    Number(String),
    String(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// The value under `key` of a mapping (the last one, should a key repeat).
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries()?
            .iter()
            .rev()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v)
    }

    /// The node at a dotted path of mapping keys.
    pub fn path<K: AsRef<str>>(&self, keys: &[K]) -> Option<&Node> {
        keys.iter()
            .try_fold(self, |node, key| node.get(key.as_ref()))
    }

    /// The key node of `key` in a mapping: findings about a value that must not be shown (a
    /// secret) point at its key.
    pub fn key(&self, key: &str) -> Option<&Node> {
        self.entries()?
            .iter()
            .rev()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(k, _)| k)
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) | Value::Number(s) => Some(s),
            _ => None,
        }
    }

    pub fn entries(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn items(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// Move every span by `base` bytes and trim the trailing whitespace that block scalars'
    /// spans include, so that a span is exactly the node's text in the whole file.
    fn rebase(&mut self, base: usize, chunk: &str) {
        if let Value::Number(number) = &mut self.value {
            // Keep a number as written (`1.10`, `0x1F`), not as the parser's value.
            let span = self.defined_at.unwrap_or(self.span);
            if let Some(text) = chunk.get(span.range()).filter(|t| !t.is_empty()) {
                *number = text.to_string();
            }
        }
        if matches!(self.value, Value::String(_)) && !self.span.is_empty() {
            let end = self.span.end.min(chunk.len());
            let start = self.span.start.min(end);
            if let Some(text) = chunk.get(start..end) {
                self.span.end = start + text.trim_end().len();
            }
        }
        self.span = self.span.shifted(base);
        self.defined_at = self.defined_at.map(|s| s.shifted(base));
        match &mut self.value {
            Value::Seq(items) => items.iter_mut().for_each(|n| n.rebase(base, chunk)),
            Value::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
                k.rebase(base, chunk);
                v.rebase(base, chunk);
            }),
            _ => {}
        }
    }
}

/// One document of a stream.
#[derive(Debug, Clone)]
pub struct Document {
    /// 0-based position in the stream.
    pub index: usize,
    /// The document's byte range in the file.
    pub span: Span,
    /// The parsed root, `None` for an empty or comment-only document, or the parse error.
    pub root: Result<Option<Node>, YamlError>,
    /// Problems that did not stop the parse (duplicate keys).
    pub warnings: Vec<YamlError>,
}

/// A document that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    /// Where the parser stopped, in the whole file.
    pub offset: usize,
    pub message: String,
    /// A limit stopped the parser (nesting, nodes, aliases), not a syntax error: such input is
    /// hostile or generated, never a template or someone else's format.
    pub limit: bool,
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Split `text` into documents and parse each one.
pub fn load_stream(text: &str, limits: Limits) -> Vec<Document> {
    documents(text, limits).collect()
}

/// The documents of `text`, each parsed only when the iterator reaches it, so a long stream
/// never holds more than one document's tree.
pub fn documents(text: &str, limits: Limits) -> impl Iterator<Item = Document> + '_ {
    documents_except(text, limits, |_| false)
}

/// The root of the first document of `text`, or `None` when it is empty or not valid YAML
/// (for files imagegate reads to find a place, where a broken file has no place to offer).
pub fn first_root(text: &str) -> Option<Node> {
    documents(text, Limits::default())
        .next()
        .and_then(|d| d.root.ok().flatten())
}

/// Like [`documents`], but a document whose text `skip` rejects is not parsed: its `root` is
/// `Ok(None)`, as for an empty document.
///
/// The documents share the stream's node budget ([`Limits::stream_nodes`]). Once it is spent,
/// the next document is an error that says how many are left unparsed, and those that follow
/// it are `Ok(None)`: one diagnostic, not one per document.
pub fn documents_except<'a>(
    text: &'a str,
    limits: Limits,
    skip: impl Fn(&str) -> bool + 'a,
) -> impl Iterator<Item = Document> + 'a {
    let chunks = split_documents(text);
    let total = chunks.len();
    let stream_nodes = limits.stream_nodes(text.len());
    let mut left = stream_nodes;
    let mut refused = false;
    chunks.into_iter().enumerate().map(move |(index, chunk)| {
        let chunk_text = &text[chunk.span.range()];
        let (root, warnings) = if skip(chunk_text) || refused {
            (Ok(None), Vec::new())
        } else if left == 0 {
            refused = true;
            let message = format!(
                "not parsed, with the {} document(s) after it: the documents before it expand to more than {stream_nodes} YAML nodes in all (alias bombs?)",
                total - index - 1
            );
            (
                Err(YamlError {
                    offset: chunk.span.start,
                    message,
                    limit: true,
                }),
                Vec::new(),
            )
        } else {
            let budget = limits.document_nodes(chunk_text.len()).min(left);
            let parsed = parse_document(
                chunk_text,
                chunk.span.start,
                Limits {
                    max_nodes: budget,
                    ..limits
                },
            );
            left -= parsed.nodes.min(left);
            (parsed.root, parsed.warnings)
        };
        Document {
            index,
            span: chunk.span,
            root,
            warnings,
        }
    })
}

/// A parsed document and what it cost.
pub struct Parsed {
    pub root: Result<Option<Node>, YamlError>,
    /// Problems that did not stop the parse (duplicate keys).
    pub warnings: Vec<YamlError>,
    /// Nodes the parser produced, aliases expanded (the whole budget when it ran out).
    pub nodes: usize,
}

/// Parse one document's text; spans come out relative to the whole file (`base`).
///
/// A document with duplicate keys is parsed again with the last key winning (as lenient
/// tools apply it) and the duplicate is returned as a warning, so it is still checked.
pub fn parse_document(chunk: &str, base: usize, limits: Limits) -> Parsed {
    match build::build(chunk, limits) {
        Ok(built) => {
            // A document that is only a null has no root, as an empty one.
            let mut root = built.root.filter(|node| !node.is_null());
            if let Some(node) = root.as_mut() {
                node.rebase(base, chunk);
            }
            let warnings = built
                .duplicate
                .map(|(offset, key)| YamlError {
                    offset: base + offset,
                    message: format!(
                        "{DUPLICATE_KEY} `{key}` (Kubernetes rejects duplicate keys; checked with the last one)"
                    ),
                    limit: false,
                })
                .into_iter()
                .collect();
            Parsed {
                root: Ok(root),
                warnings,
                nodes: built.nodes,
            }
        }
        Err(err) => Parsed {
            root: Err(YamlError {
                offset: base + err.offset.min(chunk.len()),
                message: err.message,
                limit: err.limit,
            }),
            warnings: Vec::new(),
            nodes: if err.limit { limits.max_nodes } else { 0 },
        },
    }
}

const DUPLICATE_KEY: &str = "duplicate mapping key";

#[cfg(test)]
mod reference;
#[cfg(test)]
mod tests;

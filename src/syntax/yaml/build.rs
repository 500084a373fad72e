//! The span tree of one document, built straight from the YAML parser's events
//! (`granit-parser`, the parser under `serde-saphyr`), without going through serde.
//!
//! It gives what the serde path gave, node for node (`tests.rs` compares the two on every
//! fixture): a scalar's span is its token (quotes included), a collection's the parser's span
//! for its start, an alias's node (and every node inside it) the alias token's span with
//! `defined_at` where the node was written; `<<` merges add the merged mapping's entries after
//! the explicit ones, the earlier merge winning, at the merge value's place; plain scalars
//! resolve as YAML 1.1 booleans, YAML 1.2 numbers and nulls. A duplicate key is a warning and
//! every entry is kept (readers take the last one).
//!
//! Budgets: nesting depth, nodes (aliases expanded: an alias costs the nodes it copies, so an
//! alias bomb stops at the budget before it is built), and events.

use std::collections::HashSet;
use std::rc::Rc;

use granit_parser::{Event, Parser, ScalarStyle, ScanError, Span as ParserSpan, Tag};

use super::{Limits, Node, Value};
use crate::syntax::source::Span;

/// Why a document has no tree.
#[derive(Debug)]
pub(super) struct BuildError {
    /// Byte offset in the document's text.
    pub offset: usize,
    pub message: String,
    /// A budget stopped the build, not the syntax.
    pub limit: bool,
}

/// A built document.
pub(super) struct Built {
    pub root: Option<Node>,
    /// The first duplicate key: its offset and text.
    pub duplicate: Option<(usize, String)>,
    /// Nodes built, aliases expanded.
    pub nodes: usize,
}

/// Most scalar text in one document (what serde-saphyr's budget allowed).
const MAX_SCALAR_BYTES: usize = 64 * 1024 * 1024;

/// A collection being built.
enum Frame {
    Seq {
        span: Span,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        span: Span,
        anchor: usize,
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
        /// The key is `<<`: its value is merged.
        merging: bool,
        /// Entries of `<<` values, in the order given.
        merges: Vec<(Node, Node)>,
        /// Hashes of the keys, once the mapping is large enough to need them.
        seen: Option<HashSet<u64>>,
    },
}

/// Whether two keys are the same key: the same value, wherever written.
fn same_key(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Seq(x), Value::Seq(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_key(&p.value, &q.value))
        }
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len()
                && x.iter().zip(y).all(|((k1, v1), (k2, v2))| {
                    same_key(&k1.value, &k2.value) && same_key(&v1.value, &v2.value)
                })
        }
        _ => a == b,
    }
}

/// A hash of a key's value ([`same_key`] keys hash alike).
fn key_hash(value: &Value) -> u64 {
    use std::hash::{Hash, Hasher};
    fn feed(value: &Value, state: &mut std::collections::hash_map::DefaultHasher) {
        std::mem::discriminant(value).hash(state);
        match value {
            Value::Null => {}
            Value::Bool(b) => b.hash(state),
            Value::Number(s) | Value::String(s) => s.hash(state),
            Value::Seq(items) => items.iter().for_each(|n| feed(&n.value, state)),
            Value::Map(entries) => entries.iter().for_each(|(k, v)| {
                feed(&k.value, state);
                feed(&v.value, state);
            }),
        }
    }
    let mut state = std::collections::hash_map::DefaultHasher::new();
    feed(value, &mut state);
    state.finish()
}

/// Mappings up to this many entries are searched for a key; larger ones keep key hashes.
const LINEAR_KEYS: usize = 16;

/// Whether `entries` (with `seen`, the hashes of their keys once there are many) has `key`;
/// `key` is then recorded.
fn has_key(entries: &[(Node, Node)], seen: &mut Option<HashSet<u64>>, key: &Value) -> bool {
    if seen.is_none() && entries.len() >= LINEAR_KEYS {
        *seen = Some(entries.iter().map(|(k, _)| key_hash(&k.value)).collect());
    }
    match seen {
        None => entries.iter().any(|(k, _)| same_key(&k.value, key)),
        Some(hashes) => {
            !hashes.insert(key_hash(key)) && entries.iter().any(|(k, _)| same_key(&k.value, key))
        }
    }
}

/// An anchored node and its size in nodes.
struct Anchored {
    node: Rc<Node>,
    size: usize,
}

struct Builder<'a> {
    text: &'a str,
    limits: Limits,
    stack: Vec<Frame>,
    anchors: Vec<Option<Anchored>>,
    nodes: usize,
    events: usize,
    /// Bytes of scalar text read.
    scalar_bytes: usize,
    duplicate: Option<(usize, String)>,
    root: Option<Node>,
}

/// Build the tree of `text`, one document (a chunk of [`super::split_documents`]).
pub(super) fn build(text: &str, limits: Limits) -> Result<Built, BuildError> {
    let mut options = granit_parser::Options::default();
    options.emit_comments = false;
    options.block_nesting_limit = options
        .block_nesting_limit
        .max(limits.max_depth.saturating_add(1));
    let mut parser = Parser::new_from_str_with_options(text, options);
    let mut builder = Builder {
        text,
        limits,
        stack: Vec::new(),
        anchors: Vec::new(),
        nodes: 0,
        events: 0,
        scalar_bytes: 0,
        duplicate: None,
        root: None,
    };
    let max_events = limits.max_nodes.saturating_mul(2);
    while let Some(next) = parser.next_event() {
        let (event, span) = next.map_err(|err| builder.scan_error(&err))?;
        builder.events += 1;
        if builder.events > max_events {
            return Err(builder.nodes_error(&span));
        }
        match event {
            Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart(..)
            | Event::DocumentEnd => {}
            Event::Scalar(value_text, style, anchor, tag) => {
                let span = builder.span(&span);
                builder.scalar_bytes = builder.scalar_bytes.saturating_add(value_text.len());
                if builder.scalar_bytes > MAX_SCALAR_BYTES {
                    return Err(BuildError {
                        offset: span.start,
                        message: "more text in one document than imagegate reads".to_string(),
                        limit: true,
                    });
                }
                let value = resolve(&value_text, style, tag.as_deref())
                    .map_err(|message| builder.error(span.start, message))?;
                // A plain `<<` (untagged or `!!merge`) merges; a quoted one is a key.
                let merge = style == ScalarStyle::Plain
                    && &*value_text == "<<"
                    && tag
                        .as_deref()
                        .is_none_or(|t| t.core_suffix() == Some("merge"));
                builder.count(1, span)?;
                builder.push(
                    Node {
                        span,
                        defined_at: None,
                        value,
                    },
                    anchor,
                    merge,
                )?;
            }
            Event::SequenceStart(_, anchor, _) => {
                let span = builder.span(&span);
                builder.open(
                    span,
                    Frame::Seq {
                        span,
                        anchor,
                        items: Vec::new(),
                    },
                )?;
            }
            Event::MappingStart(_, anchor, _) => {
                let span = builder.span(&span);
                builder.open(
                    span,
                    Frame::Map {
                        span,
                        anchor,
                        entries: Vec::new(),
                        key: None,
                        merging: false,
                        merges: Vec::new(),
                        seen: None,
                    },
                )?;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (node, anchor) = match builder.stack.pop() {
                    Some(Frame::Seq {
                        span,
                        anchor,
                        items,
                    }) => (
                        Node {
                            span,
                            defined_at: None,
                            value: Value::Seq(items),
                        },
                        anchor,
                    ),
                    Some(Frame::Map {
                        span,
                        anchor,
                        mut entries,
                        mut seen,
                        merges,
                        ..
                    }) => {
                        // Merged entries come after the explicit ones; a key already there
                        // (or merged earlier) wins.
                        for (key, value) in merges {
                            if !has_key(&entries, &mut seen, &key.value) {
                                entries.push((key, value));
                            }
                        }
                        (
                            Node {
                                span,
                                defined_at: None,
                                value: Value::Map(entries),
                            },
                            anchor,
                        )
                    }
                    None => continue,
                };
                builder.push(node, anchor, false)?;
            }
            Event::Alias(id) => {
                let span = builder.span(&span);
                let Some(Some(anchored)) = builder.anchors.get(id) else {
                    return Err(builder.error(span.start, "unknown anchor".to_string()));
                };
                let (node, size) = (Rc::clone(&anchored.node), anchored.size);
                builder.count(size, span)?;
                builder.push(aliased(&node, span), 0, false)?;
            }
            _ => {}
        }
    }
    Ok(Built {
        root: builder.root,
        duplicate: builder.duplicate,
        // A document costs at least half its events (as serde-saphyr's budget counted it).
        nodes: builder.nodes.max(builder.events / 2),
    })
}

/// A copy of `node` as used at the alias `site`: each node at the alias token, defined where
/// it was written.
fn aliased(node: &Node, site: Span) -> Node {
    let written = node.defined_at.unwrap_or(node.span);
    Node {
        span: site,
        defined_at: (written != site).then_some(written),
        value: match &node.value {
            Value::Seq(items) => Value::Seq(items.iter().map(|n| aliased(n, site)).collect()),
            Value::Map(entries) => Value::Map(
                entries
                    .iter()
                    .map(|(k, v)| (aliased(k, site), aliased(v, site)))
                    .collect(),
            ),
            other => other.clone(),
        },
    }
}

impl Builder<'_> {
    /// A parser span as a byte span of the document.
    fn span(&self, span: &ParserSpan) -> Span {
        let start = self.byte(&span.start);
        let end = self.byte(&span.end).max(start);
        Span::new(start, end)
    }

    fn byte(&self, marker: &granit_parser::Marker) -> usize {
        marker.byte_offset().unwrap_or_else(|| {
            self.text
                .char_indices()
                .nth(marker.index())
                .map_or(self.text.len(), |(i, _)| i)
        })
    }

    fn error(&self, offset: usize, message: String) -> BuildError {
        BuildError {
            offset,
            message,
            limit: false,
        }
    }

    fn scan_error(&self, err: &ScanError) -> BuildError {
        let info = err.info();
        let message = info.lines().next().unwrap_or("invalid YAML").trim();
        if message.contains("recursion limit exceeded") {
            return BuildError {
                offset: self.byte(err.marker()).min(self.text.len()),
                message: format!("nested deeper than {} levels", self.limits.max_depth),
                limit: true,
            };
        }
        BuildError {
            offset: self.byte(err.marker()).min(self.text.len()),
            message: if message.is_empty() {
                "invalid YAML".to_string()
            } else {
                message.to_string()
            },
            limit: false,
        }
    }

    fn nodes_error(&self, span: &ParserSpan) -> BuildError {
        BuildError {
            offset: self.byte(&span.start),
            message: format!(
                "more than {} YAML nodes in one document, or aliases that expand that far (an alias bomb?)",
                self.limits.max_nodes
            ),
            limit: true,
        }
    }

    /// Spend `nodes` of the node budget.
    fn count(&mut self, nodes: usize, at: Span) -> Result<(), BuildError> {
        self.nodes = self.nodes.saturating_add(nodes);
        if self.nodes > self.limits.max_nodes {
            self.nodes = self.limits.max_nodes;
            return Err(BuildError {
                offset: at.start,
                message: format!(
                    "more than {} YAML nodes in one document, or aliases that expand that far (an alias bomb?)",
                    self.limits.max_nodes
                ),
                limit: true,
            });
        }
        Ok(())
    }

    fn open(&mut self, span: Span, frame: Frame) -> Result<(), BuildError> {
        self.count(1, span)?;
        if self.stack.len() >= self.limits.max_depth {
            return Err(BuildError {
                offset: span.start,
                message: format!("nested deeper than {} levels", self.limits.max_depth),
                limit: true,
            });
        }
        self.stack.push(frame);
        Ok(())
    }

    /// A finished node: kept under its anchor, then placed in its parent.
    fn push(&mut self, node: Node, anchor: usize, merge: bool) -> Result<(), BuildError> {
        if anchor != 0 {
            if self.anchors.len() <= anchor {
                self.anchors.resize_with(anchor + 1, || None);
            }
            self.anchors[anchor] = Some(Anchored {
                size: size(&node),
                node: Rc::new(node.clone()),
            });
        }
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries,
                key,
                merging,
                merges,
                seen,
                ..
            }) => match key.take() {
                None => {
                    *merging = merge;
                    *key = Some(node);
                }
                Some(_) if *merging => {
                    *merging = false;
                    merge_into(merges, node);
                }
                Some(k) => {
                    if has_key(entries, seen, &k.value) && self.duplicate.is_none() {
                        let shown = match &k.value {
                            Value::String(s) | Value::Number(s) => s.clone(),
                            Value::Bool(b) => b.to_string(),
                            Value::Null => "null".to_string(),
                            _ => String::new(),
                        };
                        self.duplicate = Some((k.span.start, shown));
                    }
                    entries.push((k, node));
                }
            },
        }
        Ok(())
    }
}

/// The entries a `<<` value brings: a mapping's, or each mapping's of a sequence (the earlier
/// winning over the later, as they are added in order and the first key stays). Merged entries
/// are placed where the merged mapping is used: an alias's token, or a mapping written in place
/// (each node then `defined_at` where it is written).
fn merge_into(merges: &mut Vec<(Node, Node)>, value: Node) {
    let mut add = |map: Node| {
        let site = map.span;
        let in_place = map.defined_at.is_none();
        if let Value::Map(entries) = map.value {
            merges.extend(entries.into_iter().map(|(k, v)| {
                if in_place {
                    (aliased(&k, site), aliased(&v, site))
                } else {
                    (k, v)
                }
            }));
        }
    };
    match value.value {
        Value::Map(_) => add(value),
        Value::Seq(items) => items.into_iter().for_each(add),
        _ => {}
    }
}

/// Nodes in `node`.
fn size(node: &Node) -> usize {
    1 + match &node.value {
        Value::Seq(items) => items.iter().map(size).sum(),
        Value::Map(entries) => entries.iter().map(|(k, v)| size(k) + size(v)).sum(),
        _ => 0,
    }
}

/// A scalar's value: its tag first, then (plain, untagged) null, YAML 1.1 booleans, YAML 1.2
/// integers and floats, else a string.
fn resolve(text: &str, style: ScalarStyle, tag: Option<&Tag>) -> Result<Value, String> {
    match tag.map(tag_kind) {
        Some(TagKind::Null) => return Ok(Value::Null),
        Some(TagKind::String) => return Ok(Value::String(text.to_string())),
        Some(TagKind::Bool) => {
            return bool11(text)
                .map(Value::Bool)
                .ok_or_else(|| format!("invalid value for a !!bool: `{text}`"));
        }
        Some(TagKind::Number) => {
            return (int(text) || float(text))
                .then(|| Value::Number(text.to_string()))
                .ok_or_else(|| format!("invalid value for a numeric tag: `{text}`"));
        }
        Some(TagKind::Other) | None => {}
    }
    if style != ScalarStyle::Plain {
        return Ok(Value::String(text.to_string()));
    }
    // Most plain scalars are names: only these first characters can start a null, a boolean
    // or a number.
    let typed_start = matches!(
        text.as_bytes().first(),
        None | Some(
            b'~' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'y' | b'Y' | b'o' | b'O' | b'0'
                ..=b'9' | b'+' | b'-' | b'.'
        )
    );
    if !typed_start {
        return Ok(Value::String(text.to_string()));
    }
    if matches!(text, "" | "~" | "null" | "Null" | "NULL") {
        return Ok(Value::Null);
    }
    if let Some(b) = bool11(text) {
        return Ok(Value::Bool(b));
    }
    let t = trim(text);
    let unsigned = t.strip_prefix(['+', '-']).unwrap_or(t);
    if matches!(unsigned.as_bytes(), [b'0', b'X' | b'O' | b'B', ..])
        || (t.len() > unsigned.len() && matches!(unsigned, ".nan" | ".NaN" | ".NAN"))
    {
        return Ok(Value::String(text.to_string()));
    }
    if int(text) || float(text) {
        return Ok(Value::Number(text.to_string()));
    }
    Ok(Value::String(text.to_string()))
}

/// What a scalar's tag makes of it.
enum TagKind {
    Null,
    Bool,
    /// `!!int`, `!!float`.
    Number,
    /// `!!str`, the non-specific `!`, and what cannot be anything else (`!!binary`,
    /// `!!timestamp`, a collection tag on a scalar).
    String,
    /// Any other tag (`!reference`, `!Ref`): the scalar resolves as if untagged.
    Other,
}

/// The kind of `tag`: the core schema's names however spelled (`!!int`, the long form, `!int`),
/// as serde-saphyr read them.
fn tag_kind(tag: &Tag) -> TagKind {
    let named = |name: &str| match name {
        "null" => TagKind::Null,
        "bool" => TagKind::Bool,
        "int" | "float" => TagKind::Number,
        "str" | "binary" | "timestamp" | "seq" | "map" => TagKind::String,
        _ => TagKind::Other,
    };
    if let Some(core) = tag.core_suffix() {
        return named(core);
    }
    if let Some(suffix) = tag.suffix_in_namespace("tag:yaml.org,2002:") {
        return named(suffix.strip_prefix('!').unwrap_or(&suffix));
    }
    match tag.suffix_in_namespace("!").as_deref() {
        Some("" | "!") => TagKind::String,
        Some(name) => named(name.strip_prefix('!').unwrap_or(name)),
        None => TagKind::Other,
    }
}

fn trim(s: &str) -> &str {
    s.trim_matches([' ', '\t', '\r', '\n'])
}

/// YAML 1.1 booleans, any case.
fn bool11(text: &str) -> Option<bool> {
    let t = trim(text);
    let any = |words: [&str; 4]| words.iter().any(|w| t.eq_ignore_ascii_case(w));
    if any(["true", "yes", "y", "on"]) {
        Some(true)
    } else if any(["false", "no", "n", "off"]) {
        Some(false)
    } else {
        None
    }
}

/// A 64-bit integer: decimal (no redundant leading zero), `0x`, `0o`, `0b`; `_` between
/// digits; `+` or (decimal and prefixed) `-`.
fn int(text: &str) -> bool {
    let t = trim(text);
    let (negative, rest) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (radix, digits) = if let Some(d) = rest.strip_prefix("0x").or(rest.strip_prefix("0X")) {
        (16, d)
    } else if let Some(d) = rest.strip_prefix("0o").or(rest.strip_prefix("0O")) {
        (8, d)
    } else if let Some(d) = rest.strip_prefix("0b").or(rest.strip_prefix("0B")) {
        (2, d)
    } else {
        if rest.len() > 1 && rest.starts_with('0') {
            return false;
        }
        (10, rest)
    };
    let Some(magnitude) = digits_value(digits, radix) else {
        return false;
    };
    if negative {
        magnitude <= i64::MAX as u128 + 1
    } else {
        magnitude <= u64::MAX as u128
    }
}

/// The value of `digits` in `radix`, `_` allowed between digits.
fn digits_value(digits: &str, radix: u32) -> Option<u128> {
    let bytes = digits.as_bytes();
    let mut value: u128 = 0;
    let mut any = false;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'_' {
            let between =
                i > 0 && bytes[i - 1] != b'_' && i + 1 < bytes.len() && bytes[i + 1] != b'_';
            if !between {
                return None;
            }
            continue;
        }
        let digit = (b as char).to_digit(16)?;
        if digit >= radix {
            return None;
        }
        value = value
            .checked_mul(u128::from(radix))?
            .checked_add(u128::from(digit))?;
        any = true;
    }
    any.then_some(value)
}

/// A YAML 1.2 float (`.inf`, `.nan`, or what Rust parses as a finite `f64`), or a number too
/// large for one.
fn float(text: &str) -> bool {
    let t = trim(text);
    let unsigned = match t.strip_prefix('-') {
        Some(rest) => rest,
        None => t.strip_prefix('+').unwrap_or(t),
    };
    if matches!(
        unsigned,
        ".nan" | ".NaN" | ".NAN" | ".inf" | ".Inf" | ".INF"
    ) {
        return true;
    }
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() => true,
        Ok(_) => unsigned.as_bytes().first().is_some_and(u8::is_ascii_digit),
        Err(_) => false,
    }
}

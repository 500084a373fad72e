//! The serde path: documents deserialized through serde-saphyr into `Spanned` values, as
//! imagegate parsed them before the event builder (`build.rs`). Kept, for tests only, as the
//! reference the builder is compared with, node for node.

use std::cell::Cell;
use std::fmt;
use std::rc::Rc;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::budget::BudgetReport;
use serde_saphyr::{Budget, DuplicateKeyPolicy, Location, Options, Spanned};

use super::{DUPLICATE_KEY, Limits, Node, Parsed, Value, YamlError};
use crate::syntax::source::Span;

/// [`parse_document`] through serde-saphyr's deserializer: the way documents were parsed
/// before the event builder, kept as the reference the builder is compared with.
pub(crate) fn parse_document_serde(chunk: &str, base: usize, limits: Limits) -> Parsed {
    let (first, nodes) = parse_with(chunk, base, limits, DuplicateKeyPolicy::Error);
    match first {
        Err(err) if err.message.starts_with(DUPLICATE_KEY) => {
            let warning = YamlError {
                message: format!(
                    "{}; checked with the last one)",
                    err.message.trim_end_matches(')')
                ),
                ..err
            };
            let (root, again) = parse_with(chunk, base, limits, DuplicateKeyPolicy::LastWins);
            Parsed {
                root,
                warnings: vec![warning],
                nodes: nodes + again,
            }
        }
        root => Parsed {
            root,
            warnings: Vec::new(),
            nodes,
        },
    }
}

/// The parse and the nodes it produced (the whole budget when the budget ran out).
fn parse_with(
    chunk: &str,
    base: usize,
    limits: Limits,
    duplicate_keys: DuplicateKeyPolicy,
) -> (Result<Option<Node>, YamlError>, usize) {
    let mut budget = Budget::default();
    budget.max_depth = limits.max_depth;
    budget.max_nodes = limits.max_nodes;
    budget.max_events = limits.max_nodes.saturating_mul(2);
    let used = Rc::new(Cell::new(0));
    let mut options = Options::default().with_budget_report({
        let used = Rc::clone(&used);
        move |report: BudgetReport| {
            let spent = if report.breached.is_some() {
                limits.max_nodes
            } else {
                report.nodes.max(report.events / 2)
            };
            used.set(spent);
        }
    });
    options.budget = Some(budget);
    options.with_snippet = false;
    options.duplicate_keys = duplicate_keys;
    let result = serde_saphyr::from_str_with_options::<Option<Node>>(chunk, options);
    (into_root(result, chunk, base, limits), used.get())
}

fn into_root(
    result: Result<Option<Node>, serde_saphyr::Error>,
    chunk: &str,
    base: usize,
    limits: Limits,
) -> Result<Option<Node>, YamlError> {
    match result {
        Ok(mut root) => {
            if let Some(node) = root.as_mut() {
                node.rebase(base, chunk);
            }
            Ok(root)
        }
        Err(err) => {
            // NOTE: error locations carry a character offset but no byte offset.
            let offset = err
                .location()
                .and_then(|loc| byte_offset(&loc).or_else(|| char_to_byte(chunk, &loc)))
                .unwrap_or(0)
                .min(chunk.len());
            let (message, limit) = error_message(&err, limits);
            Err(YamlError {
                offset: base + offset,
                message,
                limit,
            })
        }
    }
}

/// The parser's message in our words, on one line, without its own position (we print
/// positions ourselves), and whether a limit (not the syntax) stopped it.
fn error_message(err: &serde_saphyr::Error, limits: Limits) -> (String, bool) {
    let text = err.to_string();
    let first = text.lines().next().unwrap_or("invalid YAML").trim();
    let cut = first.find(" at line ").map_or(first, |i| &first[..i]);
    if let Some(rest) = cut.strip_prefix("duplicate mapping key: ") {
        let key = rest.split(", set ").next().unwrap_or(rest);
        return (
            format!("{DUPLICATE_KEY} `{key}` (Kubernetes rejects duplicate keys)"),
            false,
        );
    }
    match limit_message(cut, limits) {
        Some(message) => (message, true),
        None => (cut.trim_end_matches(['.', ':', ' ']).to_string(), false),
    }
}

fn limit_message(cut: &str, limits: Limits) -> Option<String> {
    if let Some(breach) = cut.strip_prefix("budget breached: ") {
        let kind = breach.split([' ', '{']).next().unwrap_or(breach);
        return Some(match kind {
            "Depth" => format!("nested deeper than {} levels", limits.max_depth),
            "Aliases" | "Anchors" | "RecordedAnchorEvents" | "RecordedAnchorBytes" => {
                "aliases expand too far (an alias bomb?)".to_string()
            }
            "Events" | "Nodes" => format!(
                "more than {} YAML nodes in one document, or aliases that expand that far (an alias bomb?)",
                limits.max_nodes
            ),
            "ScalarBytes" => "more text in one document than imagegate reads".to_string(),
            _ => format!("the document exceeds a parser limit ({kind})"),
        });
    }
    cut.contains("recursion limit exceeded")
        .then(|| format!("nested deeper than {} levels", limits.max_depth))
}

fn byte_offset(loc: &Location) -> Option<usize> {
    if loc.line() == 0 {
        return None;
    }
    loc.span()
        .byte_offset()
        .and_then(|o| usize::try_from(o).ok())
}

fn char_to_byte(text: &str, loc: &Location) -> Option<usize> {
    if loc.line() == 0 {
        return None;
    }
    let chars = usize::try_from(loc.span().offset()).ok()?;
    Some(
        text.char_indices()
            .nth(chars)
            .map_or(text.len(), |(i, _)| i),
    )
}

fn span_of(loc: &Location) -> Option<Span> {
    let start = byte_offset(loc)?;
    let len = loc
        .span()
        .byte_len()
        .and_then(|l| usize::try_from(l).ok())
        .unwrap_or(0);
    Some(Span::new(start, start + len))
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<Value>::deserialize(deserializer)?;
        let span = span_of(&spanned.referenced).unwrap_or_default();
        let defined = span_of(&spanned.defined).filter(|d| *d != span);
        Ok(Node {
            span,
            defined_at: defined,
            value: spanned.value,
        })
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.to_string()))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Value, E> {
        Ok(Value::Number(v.to_string()))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Value, E> {
        Ok(Value::Number(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Number(v.to_string()))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Value, E> {
        Ok(Value::String(String::from_utf8_lossy(v).into_owned()))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(Value::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Vec::new();
        while let Some((k, v)) = map.next_entry::<Node, Node>()? {
            entries.push((k, v));
        }
        Ok(Value::Map(entries))
    }
}

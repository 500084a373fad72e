//! Where a rendered key came from: a tolerant, line-based index of a Helm template's keys.
//!
//! A finding in a rendered object names a key path (`spec.template.spec.containers[name=web]
//! .image`); [`TemplateIndex::locate`] finds the template line that produced it, without
//! rendering. Templates are not YAML (they hold `{{ }}` actions), so [`TemplateIndex::parse`]
//! reads them line by line: every `key:` line becomes an [`Entry`] whose path is built from
//! indentation, the standard way. [`values_refs`] then reads the `.Values` paths such a line
//! uses, so the values file line can be found too.
//!
//! Every function here takes untrusted input and never panics on it; the work is linear in
//! the input (an entry's path is at most [`MAX_DEPTH`] keys deep and [`MAX_PATH_BYTES`]
//! long: lines nested deeper are ignored).

use std::cmp::Reverse;
use std::collections::HashSet;

use crate::syntax::source::Span;

mod actions;
mod expr;
mod parse;
pub(crate) use actions::*;
pub(crate) use expr::*;
use parse::*;

/// Nesting (keys and sequence items) past which template lines are ignored: it bounds the
/// length of every [`Entry::path`].
pub(crate) const MAX_DEPTH: usize = 64;

/// Total length of the keys of a path past which template lines are ignored: it bounds the
/// size of every [`Entry::path`].
pub(crate) const MAX_PATH_BYTES: usize = 2048;

/// Score of an entry in the document the caller hinted at.
const HINTED_DOCUMENT: i64 = 1000;
/// Score of a `[name=x]` selector that agrees (or, negated, disagrees) with an item's name.
const NAME_AGREES: i64 = 100;
/// Score of a `[name=x]` selector that a templated item name (`{{ .Chart.Name }}-web`) can
/// produce.
const NAME_PATTERN_AGREES: i64 = 50;
/// Score of an `[i]` selector that agrees with an item's position in the template text.
const ORDINAL_AGREES: i64 = 10;
/// Score of each templated key (`*`) an entry's path needs to match: literal keys win ties.
const WILDCARD: i64 = -1;

/// One `key:` line of a template, found without rendering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    /// 1-based line number.
    pub line: usize,
    /// 0-based index of the YAML document in the template file (documents split by `---`
    /// lines at column 0). A document without any key or item is not counted, as Helm drops
    /// empty documents: a leading `---` does not shift the numbering.
    pub document: usize,
    /// Byte span of the key text (without surrounding quotes).
    pub key: Span,
    /// Byte span of the value text on the same line after `key:` (trimmed of surrounding
    /// spaces and of a trailing `# comment`; may contain `{{ }}`); None when nothing follows
    /// the colon (a nested map/list or block scalar follows).
    pub value: Option<Span>,
    /// Keys from the document root to this key; sequence levels add no element. E.g.
    /// `["spec","template","spec","containers","image"]`. A templated key is `*`.
    pub path: Vec<String>,
    /// For each sequence crossed on the way (outermost first): which item of it this entry
    /// is in.
    pub items: Vec<Item>,
    /// The entry is a scalar sequence item (`- secrets`), not a key: [`Entry::key`] and
    /// [`Entry::value`] are both the item's text, [`Entry::path`] leads to the sequence and
    /// the last of [`Entry::items`] is the item itself.
    pub scalar_item: bool,
    /// The `.Values` paths `.` stands for on this line (inside `with .Values.x`), so that
    /// `{{ .tag }}` reads `x.tag`; empty elsewhere.
    pub dot: Vec<Vec<String>>,
}

/// One item (`- `) of a sequence, as seen from an entry inside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Item {
    /// How many keys of [`Entry::path`] lead to the sequence (e.g. 4 for
    /// `["spec","template","spec","containers", ...]`: the sequence is the value of
    /// `path[3]`).
    pub depth: usize,
    /// 0-based position of this item among the item lines (`- `) of that sequence in the
    /// template text.
    pub ordinal: usize,
    /// The item's `name:` value when it is a literal (no `{{`), unquoted.
    pub name: Option<String>,
    /// The `name:` value as written when it is templated (`{{ .Chart.Name }}-sidecar`): a
    /// pattern the rendered name must match.
    pub name_pattern: Option<String>,
    /// 1-based line where the item starts (its `- `).
    pub line: usize,
}

/// Every key line of one template file, in line order, with what identifies each of its
/// documents, the helpers they include and the helpers the file defines.
#[derive(Debug, Clone, Default)]
pub(crate) struct TemplateIndex {
    /// In line order; lines inside `{{ define }}` blocks are in [`Define::index`] instead.
    pub entries: Vec<Entry>,
    /// What identifies each document (by [`Entry::document`]).
    pub documents: Vec<Document>,
    /// `include`/`template` calls outside `define` blocks, in line order.
    pub includes: Vec<Include>,
    /// The `{{ define "name" }}` blocks of the file.
    pub defines: Vec<Define>,
}

/// What identifies a template document: the values of its `kind:` and `metadata.name:` lines
/// as written (they may hold actions), and its first key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Document {
    pub kind: Option<Span>,
    pub name: Option<Span>,
    /// The first key or item of the document: where a finding goes when only the document is
    /// known.
    pub first: Option<Span>,
}

/// A call of a named template (`include "x.pod" . | nindent 4`, `template "x.name" .`), or
/// values written out whole (`toYaml .Values.sidecars | nindent 8`), on a line of YAML
/// structure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Include {
    pub target: IncludeTarget,
    /// 1-based line.
    pub line: usize,
    /// The action that calls it.
    pub span: Span,
    pub document: usize,
    /// Keys from the document root to where the helper's output goes: the key the call is the
    /// value of, or the keys its indentation (`nindent 4`) places it under.
    pub path: Vec<String>,
    /// The sequence items the call is inside, as for an [`Entry`].
    pub items: Vec<Item>,
}

/// What an [`Include`] writes out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum IncludeTarget {
    /// The named template.
    Helper(String),
    /// The values at this `.Values` path (`toYaml .Values.x`, or `toYaml .` inside
    /// `with .Values.x`).
    Values(Vec<String>),
}

/// A `{{ define "name" }} ... {{ end }}` block: a helper other templates include.
#[derive(Debug, Clone)]
pub(crate) struct Define {
    pub name: String,
    /// The text between the `define` action and its `end`.
    pub body: Span,
    /// The key lines of the body, read as a template of its own (its paths start where the
    /// caller puts the output).
    pub index: TemplateIndex,
}

impl TemplateIndex {
    /// Index the key lines of a template's text (never fails: lines that cannot be read as
    /// YAML structure are skipped).
    pub(crate) fn parse(text: &str) -> TemplateIndex {
        let body = text.strip_prefix('\u{feff}').unwrap_or(text);
        let defines = define_blocks(text);
        let mut main = Parser::default();
        let mut parsers: Vec<Parser> = defines.iter().map(|_| Parser::default()).collect();
        // Defines are in text order and do not overlap: one pointer walks them.
        let mut next = 0;
        let mut start = text.len() - body.len();
        for (i, raw) in body.split('\n').enumerate() {
            let line = raw.strip_suffix('\r').unwrap_or(raw);
            let end = start + raw.len();
            while defines.get(next).is_some_and(|d| d.outer.end <= start) {
                next += 1;
            }
            match defines.get(next) {
                // The body's lines: after the line of the `define` action, before its `end`.
                Some(d) if d.first_line <= start && start < d.body.end => {
                    parsers[next].line(line, start, i + 1);
                }
                // The `define` and `end` lines themselves.
                Some(d) if d.outer.start < end.max(start + 1) && start < d.outer.end => {}
                _ => main.line(line, start, i + 1),
            }
            start = end + 1;
        }
        let mut index = main.finish();
        index.defines = defines
            .into_iter()
            .zip(parsers)
            .map(|(define, parser)| Define {
                name: define.name,
                body: define.body,
                index: parser.finish(),
            })
            .collect();
        index
    }

    #[cfg(test)]
    /// The define named `name`, if this file has one.
    pub(crate) fn define(&self, name: &str) -> Option<&Define> {
        self.defines.iter().find(|d| d.name == name)
    }

    #[cfg(test)]
    /// The best entry for `key_path` in imagegate's key-path syntax (`a.b[0].c`,
    /// `a[name=x].b`), or None when no entry's path fits it.
    ///
    /// Entries whose path is the whole key path come first (then those whose last key is the
    /// key path's trailing segments joined back: `data.tls.crt` is `data` + `tls.crt`), then
    /// entries whose path ends with the longest suffix of it, of at least two segments (a
    /// pod spec included from a helper has another prefix). Among those, entries of document
    /// `document` (if Some) win, then entries whose items agree with the selectors (a
    /// disagreeing `name` counts against), then literal keys over templated ones (`*`),
    /// then the earliest line.
    pub(crate) fn locate(&self, key_path: &str, document: Option<usize>) -> Option<&Entry> {
        ranked(&self.entries, key_path, document)
            .first()
            .map(|&i| &self.entries[i])
    }
}

/// The entries that fit `key_path`, best first in the order [`TemplateIndex::locate`]
/// describes, as indices into `entries`. Entries from several files (a template and the
/// helpers it includes) may be ranked together; ties keep their order in `entries`.
pub(crate) fn ranked(entries: &[Entry], key_path: &str, document: Option<usize>) -> Vec<usize> {
    let key_path = KeyPath::new(key_path);
    let mut fits: Vec<(Fit, i64, usize)> = entries
        .iter()
        .enumerate()
        .filter_map(|(i, entry)| {
            let (fit, pattern) = key_path.align(entry)?;
            let score = score(entry, &pattern, fit.matched, document);
            Some((fit, score, i))
        })
        .collect();
    fits.sort_by_key(|&(fit, score, i)| (Reverse(fit), Reverse(score), i));
    fits.into_iter().map(|(.., i)| i).collect()
}

/// How an entry's path fits a key path; better fits compare greater.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Fit {
    /// 2: the whole key path as split; 1: the whole key path with its trailing segments
    /// joined; 0: a suffix of it.
    rank: u8,
    /// How many trailing segments of the pattern match the end of the entry's path.
    matched: usize,
}

/// A key path split into segments, with the byte offset where each starts.
#[derive(Debug)]
struct KeyPath<'a> {
    text: &'a str,
    segments: Vec<Segment<'a>>,
    starts: Vec<usize>,
}

/// A reading of a key path: its segments, the last ones possibly joined into one.
#[derive(Debug)]
struct Pattern<'p, 'a> {
    head: &'p [Segment<'a>],
    joined: Option<Segment<'a>>,
}

impl<'a> Pattern<'_, 'a> {
    fn len(&self) -> usize {
        self.head.len() + usize::from(self.joined.is_some())
    }

    fn get(&self, i: usize) -> Option<&Segment<'a>> {
        self.head
            .get(i)
            .or(self.joined.as_ref().filter(|_| i == self.head.len()))
    }
}

impl<'a> KeyPath<'a> {
    fn new(text: &'a str) -> Self {
        let (starts, segments) = split_key_path(text)
            .into_iter()
            .map(|(start, raw)| (start, parse_segment(raw)))
            .unzip();
        KeyPath {
            text,
            segments,
            starts,
        }
    }

    /// The best fit of `entry`, with the reading of the key path that gives it.
    fn align(&self, entry: &Entry) -> Option<(Fit, Pattern<'_, 'a>)> {
        let split = Pattern {
            head: &self.segments,
            joined: None,
        };
        let as_split = fit(entry, &split, 2).map(|fit| (fit, split));
        let as_joined = self.joined_for(entry).and_then(|joined| {
            let fit = fit(entry, &joined, 1)?;
            Some((fit, joined))
        });
        match (as_split, as_joined) {
            (Some(a), Some(b)) => Some(if b.0 > a.0 { b } else { a }),
            (a, b) => a.or(b),
        }
    }

    /// The reading whose joined last segment is `entry`'s last key (a dotted key such as
    /// `tls.crt`, or a templated key standing for the rest), keeping at least one segment in
    /// front and joining at least two.
    fn joined_for(&self, entry: &Entry) -> Option<Pattern<'_, 'a>> {
        let last = entry.path.last()?;
        let at = if last == "*" {
            entry.path.len() - 1
        } else if last.contains('.') && self.text.ends_with(last.as_str()) {
            self.starts
                .binary_search(&(self.text.len() - last.len()))
                .ok()?
        } else {
            return None;
        };
        if at == 0 || at + 2 > self.segments.len() {
            return None;
        }
        let tail = self.text.get(*self.starts.get(at)?..)?;
        Some(Pattern {
            head: self.segments.get(..at)?,
            joined: Some(parse_segment(tail)),
        })
    }
}

/// How `entry`'s path fits `pattern` read with rank `rank`: None when it matches neither the
/// whole pattern nor a suffix of two segments or more.
fn fit(entry: &Entry, pattern: &Pattern, rank: u8) -> Option<Fit> {
    let (p, m) = (entry.path.len(), pattern.len());
    let matched = (0..p.min(m))
        .take_while(|&i| {
            let key = &entry.path[p - 1 - i];
            pattern
                .get(m - 1 - i)
                .is_some_and(|segment| key == "*" || key == segment.name)
        })
        .count();
    match matched {
        _ if matched == m && p == m => Some(Fit { rank, matched }),
        2.. => Some(Fit { rank: 0, matched }),
        _ => None,
    }
}

/// How well `entry` (whose path ends with the last `matched` segments of `pattern`) agrees
/// with the document hint and the pattern's selectors: see [`TemplateIndex::locate`].
fn score(entry: &Entry, pattern: &Pattern, matched: usize, document: Option<usize>) -> i64 {
    let (p, m) = (entry.path.len(), pattern.len());
    let mut score = 0;
    if document == Some(entry.document) {
        score += HINTED_DOCUMENT;
    }
    let wildcards = entry.path[p - matched..].iter().filter(|k| *k == "*");
    score += WILDCARD * wildcards.count() as i64;
    for s in m - matched..m {
        let Some(selector) = pattern.get(s).and_then(|segment| segment.selector.as_ref()) else {
            continue;
        };
        // Segment `s` lines up with `path[depth - 1]`, whose value is the sequence.
        let depth = p + s + 1 - m;
        let Some(item) = entry.items.iter().find(|item| item.depth == depth) else {
            continue;
        };
        score += match (selector, &item.name, &item.name_pattern) {
            (Selector::Name(want), Some(name), _) if want == name => NAME_AGREES,
            (Selector::Name(_), Some(_), _) => -NAME_AGREES,
            (Selector::Name(want), None, Some(pattern)) => match matches_template(pattern, want) {
                Some(_) => NAME_PATTERN_AGREES,
                None => -NAME_AGREES,
            },
            (Selector::Index(i), ..) if *i == item.ordinal => ORDINAL_AGREES,
            _ => 0,
        };
    }
    score
}

/// One segment of a key path: a key and an optional sequence selector.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Segment<'a> {
    name: &'a str,
    selector: Option<Selector<'a>>,
}

/// Which item of a sequence a key path means.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Selector<'a> {
    /// `[3]`: 0-based position.
    Index(usize),
    /// `[name=web]`: the item whose `name` is `web`.
    Name(&'a str),
}

/// Split a key path at the dots that are not inside a `[...]` selector: (byte offset,
/// segment) pairs.
pub(crate) fn split_key_path(path: &str) -> Vec<(usize, &str)> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in path.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            '.' if depth == 0 => {
                parts.push((start, path.get(start..i).unwrap_or_default()));
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push((start, path.get(start..).unwrap_or_default()));
    parts
}

/// `containers[name=web]` → `containers` + name selector; `env[2]` → `env` + index.
fn parse_segment(raw: &str) -> Segment<'_> {
    let bracket = raw
        .strip_suffix(']')
        .and_then(|inner| inner.split_once('['));
    let Some((name, inside)) = bracket else {
        return Segment {
            name: raw,
            selector: None,
        };
    };
    let selector = match inside.strip_prefix("name=") {
        Some(wanted) => Some(Selector::Name(wanted)),
        None => inside.parse().ok().map(Selector::Index),
    };
    Segment { name, selector }
}

#[cfg(test)]
mod tests;

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

// ---------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------

/// Whether the previous lines left a template action open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Action {
    #[default]
    Closed,
    /// Inside `{{ ... `: waiting for `}}`.
    Open,
    /// Inside `{{/* ... `: waiting for `*/`.
    Comment,
}

/// A node that later lines may belong to.
#[derive(Debug)]
enum Frame {
    /// A mapping key at column `indent`.
    Key {
        indent: usize,
        name: String,
        /// Something follows its colon on the same line: it cannot hold a sequence.
        has_value: bool,
        /// Items seen so far in the sequence that is its value.
        items: usize,
    },
    /// A sequence item whose `-` is at column `dash`.
    Item {
        dash: usize,
        /// Index in [`Parser::items`].
        id: usize,
        /// Column of the item's first key: `name:` there names the item.
        key_indent: Option<usize>,
        /// Items seen so far in a sequence nested right in it (`- - x`).
        items: usize,
    },
}

/// An entry whose items are still indices into [`Parser::items`] (an item's `name:` may
/// come after the entries inside it).
#[derive(Debug)]
struct RawEntry {
    entry: Entry,
    items: Vec<usize>,
}

/// The line-by-line state of [`TemplateIndex::parse`].
#[derive(Debug, Default)]
struct Parser {
    document: usize,
    /// Whether the current document has a key or item yet.
    document_used: bool,
    stack: Vec<Frame>,
    /// Items seen so far in a sequence at the document root.
    root_items: usize,
    items: Vec<Item>,
    entries: Vec<RawEntry>,
    includes: Vec<RawInclude>,
    /// Inside a block scalar: lines indented more than this belong to it.
    block: Option<usize>,
    action: Action,
    /// The `.Values` paths `.` stands for in each open `with`/`range`/`if` block (`None` when
    /// it is not values: a `range` element, anything else).
    scopes: Vec<Option<Vec<Vec<String>>>>,
}

/// An include whose items are still indices into [`Parser::items`].
#[derive(Debug)]
struct RawInclude {
    include: Include,
    items: Vec<usize>,
}

/// A key found on a line (positions are byte offsets into the line).
#[derive(Debug)]
struct KeyToken {
    /// Where the key starts, quote included: its indentation.
    column: usize,
    /// The key text, quotes excluded.
    start: usize,
    end: usize,
    /// Path element: the unquoted key, or `*` when it is templated.
    name: String,
    /// Just past the colon.
    after_colon: usize,
}

impl Parser {
    /// Read one line (without its line break) that starts at byte `start` of the text.
    fn line(&mut self, line: &str, start: usize, number: usize) {
        let before = self.action;
        self.action = track_actions(line.as_bytes(), before);
        if before != Action::Closed {
            return; // A multi-line action goes on (or ends) here.
        }
        self.track_scopes(line);
        if is_document_separator(line) {
            self.new_document();
            return;
        }
        let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
        let content = &line[indent..];
        if content.is_empty() || content.starts_with('#') {
            return;
        }
        if let Some(block) = self.block {
            let action_only = content.starts_with("{{") && parse_key(line, indent).is_none();
            if indent > block || action_only {
                return;
            }
            self.block = None;
        }
        self.structure(line, start, number, indent);
        if self.stack.len() < MAX_DEPTH {
            self.push_includes(line, start, number);
        }
    }

    fn new_document(&mut self) {
        if self.document_used {
            self.document += 1;
        }
        self.document_used = false;
        self.stack.clear();
        self.root_items = 0;
        self.block = None;
    }

    /// Read the item markers and the key of a line that is not blank, a comment or inside a
    /// block scalar.
    fn structure(&mut self, line: &str, start: usize, number: usize, indent: usize) {
        let mut dashes = Vec::new();
        let mut at = indent;
        while let Some(next) = after_item_marker(line.as_bytes(), at) {
            dashes.push(at);
            at = next;
        }
        let key = parse_key(line, at);
        match (dashes.first(), &key) {
            (None, None) => return,
            (Some(&dash), _) => self.close(dash, true),
            (None, Some(key)) => self.close(key.column, false),
        }
        if self.stack.len() + dashes.len() >= MAX_DEPTH {
            return;
        }
        self.document_used = true;
        for &dash in &dashes {
            self.push_item(dash, number);
        }
        match key {
            Some(key) => self.push_key(line, start, number, key),
            None => {
                let value = value_range(line.as_bytes(), at);
                let text = value.and_then(|(from, to)| line.get(from..to));
                if text.is_some_and(is_block_indicator) {
                    self.block = dashes.last().copied();
                } else if let Some((from, to)) = value {
                    self.push_scalar_item(number, Span::new(start + from, start + to));
                }
            }
        }
    }

    /// Follow the blocks a line opens and closes, and what `.` is in them: `with .Values.x`
    /// makes it `.Values.x`; `range`, and `with` on anything else, make it unknown.
    fn track_scopes(&mut self, line: &str) {
        if !line.contains("{{") {
            return;
        }
        for action in actions(line).into_iter().filter(|a| !a.comment) {
            let (word, rest) = action_word(line, action);
            match word {
                "with" => {
                    // `with .Values.x`, or values merged (`merge .Values.a .Values.b`): `.`
                    // reads them, in that order.
                    let code = line.get(rest..action.end).unwrap_or_default();
                    let refs = values_refs(code);
                    let only_values = !code.contains('$') && !refs.is_empty();
                    self.scopes.push(only_values.then_some(refs));
                }
                "range" => self.scopes.push(None),
                "if" | "block" | "define" => {
                    // `.` stays what it was.
                    let dot = self.scopes.last().cloned().flatten();
                    self.scopes.push(dot);
                }
                "end" => {
                    self.scopes.pop();
                }
                _ => {}
            }
            if self.scopes.len() > MAX_DEPTH {
                self.scopes.remove(0);
            }
        }
    }

    /// The values paths `.` stands for here (empty when it is not values).
    fn dot(&self) -> Vec<Vec<String>> {
        self.scopes.last().cloned().flatten().unwrap_or_default()
    }

    /// Record a scalar sequence item (`- secrets`) as an entry of the sequence's path.
    fn push_scalar_item(&mut self, number: usize, span: Span) {
        let (path, items) = self.context(self.stack.len());
        if path.iter().map(String::len).sum::<usize>() > MAX_PATH_BYTES {
            return;
        }
        self.entries.push(RawEntry {
            entry: Entry {
                line: number,
                document: self.document,
                key: span,
                value: Some(span),
                path,
                items: Vec::new(),
                scalar_item: true,
                dot: self.dot(),
            },
            items,
        });
    }

    /// The keys and the items (as indices) of the first `frames` frames of the stack.
    fn context(&self, frames: usize) -> (Vec<String>, Vec<usize>) {
        let mut path = Vec::new();
        let mut items = Vec::new();
        for frame in self.stack.iter().take(frames) {
            match frame {
                Frame::Key { name, .. } => path.push(name.clone()),
                Frame::Item { id, .. } => items.push(*id),
            }
        }
        (path, items)
    }

    /// Record the `include`/`template` calls of a line whose structure was just read: the
    /// helper's output goes under the key the call is the value of, or, for a call alone on
    /// its line, under the keys its indentation (`nindent N`, else the action's column)
    /// places it.
    fn push_includes(&mut self, line: &str, start: usize, number: usize) {
        let dot = self.dot();
        let calls = include_calls(line, dot.first().map(Vec::as_slice));
        if calls.is_empty() {
            return;
        }
        // A document that only includes a helper is still a document.
        self.document_used = true;
        let keyed = self
            .entries
            .last()
            .filter(|e| e.entry.line == number && !e.entry.scalar_item)
            .map(|e| e.entry.key.end - start);
        for call in calls {
            let frames = match keyed {
                Some(key_end) if call.column >= key_end => self.stack.len(),
                _ => {
                    let column = call.indent.unwrap_or(call.column);
                    self.stack
                        .iter()
                        .take_while(|frame| match frame {
                            Frame::Key { indent, .. } => *indent < column,
                            Frame::Item { dash, .. } => *dash < column,
                        })
                        .count()
                }
            };
            let (path, items) = self.context(frames);
            self.includes.push(RawInclude {
                include: Include {
                    target: call.target,
                    line: number,
                    span: Span::new(start + call.span.start, start + call.span.end),
                    document: self.document,
                    path,
                    items: Vec::new(),
                },
                items,
            });
        }
    }

    /// Pop the frames that a key (or, if `marker`, an item marker) at `column` is not inside.
    fn close(&mut self, column: usize, marker: bool) {
        while let Some(top) = self.stack.last() {
            let closed = match *top {
                // A sequence may sit at its key's indentation (`containers:\n- name: x`).
                Frame::Key {
                    indent, has_value, ..
                } if marker => indent > column || (indent == column && has_value),
                Frame::Key { indent, .. } => indent >= column,
                Frame::Item { dash, .. } => dash >= column,
            };
            if !closed {
                break;
            }
            self.stack.pop();
        }
    }

    /// Start an item (`-` at column `dash`) of the sequence held by the top frame.
    fn push_item(&mut self, dash: usize, line: usize) {
        let counter = match self.stack.last_mut() {
            Some(Frame::Key { items, .. } | Frame::Item { items, .. }) => items,
            None => &mut self.root_items,
        };
        let ordinal = *counter;
        *counter += 1;
        let depth = self
            .stack
            .iter()
            .filter(|frame| matches!(frame, Frame::Key { .. }))
            .count();
        self.items.push(Item {
            depth,
            ordinal,
            name: None,
            name_pattern: None,
            line,
        });
        self.stack.push(Frame::Item {
            dash,
            id: self.items.len() - 1,
            key_indent: None,
            items: 0,
        });
    }

    /// Record the entry of a key line and make the key the parent of deeper lines.
    fn push_key(&mut self, line: &str, start: usize, number: usize, key: KeyToken) {
        let mut path = Vec::with_capacity(self.stack.len() + 1);
        let mut items = Vec::new();
        for frame in &self.stack {
            match frame {
                Frame::Key { name, .. } => path.push(name.clone()),
                Frame::Item { id, .. } => items.push(*id),
            }
        }
        path.push(key.name.clone());
        if path.iter().map(String::len).sum::<usize>() > MAX_PATH_BYTES {
            return;
        }
        let value = value_range(line.as_bytes(), key.after_colon);
        let value_text = value.and_then(|(from, to)| line.get(from..to));
        let block = value_text.is_some_and(is_block_indicator);
        if let Some(Frame::Item { id, key_indent, .. }) = self.stack.last_mut() {
            let first = *key_indent.get_or_insert(key.column);
            if first == key.column
                && key.name == "name"
                && let Some(item) = self.items.get_mut(*id)
            {
                item.name = value_text.and_then(literal);
                item.name_pattern = value_text.filter(|v| v.contains("{{")).map(str::to_string);
            }
        }
        let value = value.filter(|_| !block);
        self.entries.push(RawEntry {
            entry: Entry {
                line: number,
                document: self.document,
                key: Span::new(start + key.start, start + key.end),
                value: value.map(|(from, to)| Span::new(start + from, start + to)),
                path,
                items: Vec::new(),
                scalar_item: false,
                dot: self.dot(),
            },
            items,
        });
        self.stack.push(Frame::Key {
            indent: key.column,
            name: key.name,
            has_value: value.is_some() || block,
            items: 0,
        });
        if block {
            self.block = Some(key.column);
        }
    }

    /// The index, with every entry's items resolved (names included).
    fn finish(self) -> TemplateIndex {
        let items = self.items;
        let resolve = |ids: &[usize]| -> Vec<Item> {
            ids.iter()
                .filter_map(|&id| items.get(id).cloned())
                .collect()
        };
        let entries: Vec<Entry> = self
            .entries
            .into_iter()
            .map(|raw| Entry {
                items: resolve(&raw.items),
                ..raw.entry
            })
            .collect();
        let includes: Vec<Include> = self
            .includes
            .into_iter()
            .map(|raw| Include {
                items: resolve(&raw.items),
                ..raw.include
            })
            .collect();
        let count = entries
            .iter()
            .map(|e| e.document + 1)
            .chain(includes.iter().map(|i: &Include| i.document + 1))
            .max()
            .unwrap_or(0);
        let mut documents = vec![Document::default(); count];
        for entry in &entries {
            let document = &mut documents[entry.document];
            document.first.get_or_insert(entry.key);
            if entry.scalar_item || !entry.items.is_empty() {
                continue;
            }
            match entry.path.as_slice() {
                [key] if key == "kind" => {
                    document.kind = document.kind.or(entry.value);
                }
                [meta, key] if meta == "metadata" && key == "name" => {
                    document.name = document.name.or(entry.value);
                }
                _ => {}
            }
        }
        TemplateIndex {
            entries,
            documents,
            includes,
            defines: Vec::new(),
        }
    }
}

/// `---` at column 0, alone or followed by spaces or a comment.
fn is_document_separator(line: &str) -> bool {
    line.strip_prefix("---").is_some_and(|rest| {
        let rest = rest.trim_start_matches([' ', '\t']);
        rest.is_empty() || rest.starts_with('#')
    })
}

fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Position of `needle` in `bytes` at or after `from`.
fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

/// Where the code of the action opening with the `{{` at `open` starts: past the `{{`, a
/// trim marker (`{{-`) and blanks.
fn action_code(bytes: &[u8], open: usize) -> usize {
    let mut i = open + 2;
    if bytes.get(i) == Some(&b'-') {
        i += 1;
    }
    while bytes
        .get(i)
        .copied()
        .is_some_and(|b| b.is_ascii_whitespace())
    {
        i += 1;
    }
    i
}

/// If the action opening with the `{{` at `open` is a comment (`{{/*`, `{{- /*`), the
/// position just past its `/*`.
fn comment_body(bytes: &[u8], open: usize) -> Option<usize> {
    let i = action_code(bytes, open);
    bytes.get(i..)?.starts_with(b"/*").then_some(i + 2)
}

/// The action state after a line, given the state before it.
fn track_actions(bytes: &[u8], mut state: Action) -> Action {
    let mut i = 0;
    while i < bytes.len() {
        let rest = &bytes[i..];
        (state, i) = match state {
            Action::Closed if rest.starts_with(b"{{") => match comment_body(bytes, i) {
                Some(body) => (Action::Comment, body),
                None => (Action::Open, i + 2),
            },
            Action::Open if rest.starts_with(b"}}") => (Action::Closed, i + 2),
            Action::Comment if rest.starts_with(b"*/") => (Action::Open, i + 2),
            _ => (state, i + 1),
        };
    }
    state
}

/// If an item marker (`-` then a blank or the end of line) is at `at`, the position of what
/// follows it.
fn after_item_marker(bytes: &[u8], at: usize) -> Option<usize> {
    if bytes.get(at) != Some(&b'-') || !bytes.get(at + 1).is_none_or(|&b| is_blank(b)) {
        return None;
    }
    let mut i = at + 1;
    while bytes.get(i).copied().is_some_and(is_blank) {
        i += 1;
    }
    Some(i)
}

/// The key at byte `at` of `line`: plain or quoted, then `:` and a blank or the end of line.
fn parse_key(line: &str, at: usize) -> Option<KeyToken> {
    let bytes = line.as_bytes();
    let (start, end, after_colon, quote) = match *bytes.get(at)? {
        quote @ (b'"' | b'\'') => {
            let (end, after_colon) = quoted_key(bytes, at)?;
            (at + 1, end, after_colon, Some(quote))
        }
        _ => {
            let (end, after_colon) = plain_key(line, at)?;
            (at, end, after_colon, None)
        }
    };
    let text = line.get(start..end)?;
    let name = match quote {
        _ if text.contains("{{") => "*".to_string(),
        Some(quote) => unquote(text, quote),
        None => text.to_string(),
    };
    Some(KeyToken {
        column: at,
        start,
        end,
        name,
        after_colon,
    })
}

/// A plain key from `at`: (end of its trimmed text, position past the colon). Actions are
/// skipped whole; a templated key may hold no blank outside its actions (that is an action
/// line followed by text, not a key).
fn plain_key(line: &str, at: usize) -> Option<(usize, usize)> {
    let bytes = line.as_bytes();
    let rest = bytes.get(at..)?;
    if !rest.starts_with(b"{{") && rest.first().is_some_and(|b| b"[]{},#&*!|>%@`".contains(b)) {
        return None;
    }
    let mut first_blank = None;
    let mut i = at;
    while let Some(&b) = bytes.get(i) {
        if bytes[i..].starts_with(b"{{") {
            i = find(bytes, i + 2, b"}}")? + 2;
            continue;
        }
        if b == b':' && bytes.get(i + 1).is_none_or(|&b| is_blank(b)) {
            let end = at + line.get(at..i)?.trim_end().len();
            let templated = line.get(at..end)?.contains("{{");
            if end == at || (templated && first_blank.is_some_and(|blank| blank < end)) {
                return None;
            }
            return Some((end, i + 1));
        }
        if is_blank(b) {
            if bytes.get(i + 1) == Some(&b'#') {
                return None; // A comment starts before any colon.
            }
            first_blank.get_or_insert(i);
        }
        i += 1;
    }
    None
}

/// A quoted key whose opening quote is at `at`: (position of its closing quote, position
/// past the colon).
fn quoted_key(bytes: &[u8], at: usize) -> Option<(usize, usize)> {
    let close = closing_quote(bytes, at)?;
    let mut i = close + 1;
    while bytes.get(i).copied().is_some_and(is_blank) {
        i += 1;
    }
    let colon_ends_key = bytes.get(i) == Some(&b':')
        && bytes.get(i + 1).is_none_or(|&b| is_blank(b))
        && close > at + 1;
    colon_ends_key.then_some((close, i + 1))
}

/// The position of the quote that closes the one at `at` (`\"` escapes in double quotes,
/// `''` in single quotes).
fn closing_quote(bytes: &[u8], at: usize) -> Option<usize> {
    let quote = *bytes.get(at)?;
    let mut i = at + 1;
    loop {
        let b = *bytes.get(i)?;
        let escaped = match quote {
            b'"' => b == b'\\',
            _ => b == quote && bytes.get(i + 1) == Some(&quote),
        };
        if escaped {
            i += 2;
        } else if b == quote {
            return Some(i);
        } else {
            i += 1;
        }
    }
}

/// The text of a quoted scalar (without its quotes), with its escapes resolved.
fn unquote(inner: &str, quote: u8) -> String {
    if quote == b'\'' {
        return inner.replace("''", "'");
    }
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            c => out.push(c),
        }
    }
    out
}

/// The value after a colon or item marker: from `from`, blanks skipped, up to a `# comment`
/// (outside quotes and actions), trimmed. None when empty.
fn value_range(bytes: &[u8], from: usize) -> Option<(usize, usize)> {
    let mut start = from;
    while bytes.get(start).copied().is_some_and(is_blank) {
        start += 1;
    }
    let mut quote = match bytes.get(start) {
        Some(&q @ (b'"' | b'\'')) => Some(q),
        _ => None,
    };
    let mut end = bytes.len();
    let mut i = start + usize::from(quote.is_some());
    while let Some(&b) = bytes.get(i) {
        if bytes[i..].starts_with(b"{{") {
            match find(bytes, i + 2, b"}}") {
                Some(close) => i = close + 2,
                None => break, // The action goes on on the next lines.
            }
            continue;
        }
        match quote {
            Some(b'"') if b == b'\\' => i += 1,
            Some(b'\'') if b == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 1,
            Some(q) if b == q => quote = None,
            None if b == b'#' && (i == start || is_blank(bytes[i - 1])) => {
                end = i;
                break;
            }
            _ => {}
        }
        i += 1;
    }
    while end > start && bytes.get(end - 1).copied().is_some_and(is_blank) {
        end -= 1;
    }
    (end > start).then_some((start, end))
}

/// `|`, `|-`, `>+`, `|2`: a block scalar starts (its text is on the next lines).
fn is_block_indicator(value: &str) -> bool {
    let mut chars = value.chars();
    matches!(chars.next(), Some('|' | '>'))
        && chars.all(|c| c.is_ascii_digit() || c == '+' || c == '-')
}

/// A scalar value as a literal string: unquoted; None when templated or not a scalar.
fn literal(value: &str) -> Option<String> {
    if value.contains("{{") || value.starts_with(['[', '{', '|', '>', '&', '*', '!']) {
        return None;
    }
    for quote in ['"', '\''] {
        if value.starts_with(quote) {
            let inner = value.strip_prefix(quote)?.strip_suffix(quote)?;
            return Some(unquote(inner, quote as u8));
        }
    }
    Some(value.to_string())
}

// ---------------------------------------------------------------------------------------
// Actions, named templates and patterns
// ---------------------------------------------------------------------------------------

/// Most `define` blocks a file may have: the define map of a chart stays small.
const MAX_DEFINES: usize = 4096;

/// One `{{ ... }}` action: from its `{{` to just past its `}}` (the end of the text when it
/// is not closed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ActionSpan {
    start: usize,
    end: usize,
    comment: bool,
}

/// Every action of `text`, in order. Strings inside an action (`"}}"`, `` `x` ``) do not end
/// it; a `"` string ends at its line.
fn actions(text: &str) -> Vec<ActionSpan> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(open) = find(bytes, from, b"{{") {
        if let Some(body) = comment_body(bytes, open) {
            let end = find(bytes, body, b"*/")
                .and_then(|close| find(bytes, close + 2, b"}}"))
                .map_or(bytes.len(), |close| close + 2);
            out.push(ActionSpan {
                start: open,
                end,
                comment: true,
            });
            from = end;
            continue;
        }
        let mut i = open + 2;
        let end = loop {
            match bytes.get(i) {
                None => break bytes.len(),
                Some(b'"') => {
                    let line_end = find(bytes, i + 1, b"\n").unwrap_or(bytes.len());
                    i = match closing_quote(&bytes[..line_end], i) {
                        Some(close) => close + 1,
                        None => i + 1,
                    };
                }
                Some(b'`') => i = find(bytes, i + 1, b"`").map_or(bytes.len(), |c| c + 1),
                Some(b'}') if bytes.get(i + 1) == Some(&b'}') => break i + 2,
                _ => i += 1,
            }
        };
        out.push(ActionSpan {
            start: open,
            end,
            comment: false,
        });
        from = end;
    }
    out
}

/// The action's first word (`define`, `if`, `end`, `include`, ...) and where the rest starts.
fn action_word(text: &str, action: ActionSpan) -> (&str, usize) {
    let bytes = text.as_bytes();
    let mut i = action_code(bytes, action.start);
    let start = i;
    while bytes.get(i).copied().is_some_and(is_ident) {
        i += 1;
    }
    (text.get(start..i).unwrap_or_default(), i)
}

/// The first quoted string (`"x"` or `` `x` ``) at or after `from`, blanks skipped.
fn string_arg(text: &str, from: usize) -> Option<String> {
    string_args(text, from).into_iter().next()
}

/// A `define` block found in a template's text.
#[derive(Debug, Clone, PartialEq, Eq)]
struct DefineBlock {
    name: String,
    /// From the `define` action's `{{` to the end of its `end` action.
    outer: Span,
    /// Between the two actions.
    body: Span,
    /// Where the line after the `define` action starts: the body's first line.
    first_line: usize,
}

/// The `{{ define "name" }} ... {{ end }}` blocks of `text`, matching each `end` to the
/// action it closes (`if`, `range`, `with`, `block` and `define` open one). A define left
/// open runs to the end of the text.
fn define_blocks(text: &str) -> Vec<DefineBlock> {
    let mut out = Vec::new();
    // Open actions; `Some` for a define: its name and its action.
    let mut open: Vec<Option<(String, ActionSpan)>> = Vec::new();
    let close = |name: String, action: ActionSpan, body_end: usize, outer_end: usize| {
        let first_line = find(text.as_bytes(), action.end, b"\n").map_or(text.len(), |i| i + 1);
        DefineBlock {
            name,
            outer: Span::new(action.start, outer_end),
            body: Span::new(action.end, body_end.max(action.end)),
            first_line,
        }
    };
    for action in actions(text).into_iter().filter(|a| !a.comment) {
        let (word, rest) = action_word(text, action);
        match word {
            "define" => {
                let name = string_arg(text, rest).unwrap_or_default();
                open.push(Some((name, action)));
            }
            "if" | "range" | "with" | "block" => open.push(None),
            "end" => {
                if let Some(Some((name, start))) = open.pop()
                    && out.len() < MAX_DEFINES
                {
                    out.push(close(name, start, action.start, action.end));
                }
            }
            _ => {}
        }
    }
    // A define never closed (broken input) holds the rest of the text.
    if let Some(Some((name, start))) = open.into_iter().find(Option::is_some)
        && out.len() < MAX_DEFINES
    {
        out.push(close(name, start, text.len(), text.len()));
    }
    out.sort_by_key(|d| d.outer.start);
    // Nested defines are not Go templates; keep the outer one.
    let mut last_end = 0;
    out.retain(|d| {
        let keep = d.outer.start >= last_end;
        if keep {
            last_end = d.outer.end;
        }
        keep
    });
    out
}

/// A call of a named template, or values written out whole, on one line.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Call {
    target: IncludeTarget,
    /// Column (byte offset in the line) of the action's `{{`.
    column: usize,
    /// The `nindent N` / `indent N` applied to its output in the same action.
    indent: Option<usize>,
    /// The action, in the line.
    span: Span,
}

/// The `include "name"` and `template "name"` calls of a line, and its `toYaml .Values.x`
/// (or `toYaml .` where `dot` is the values path `.` stands for).
fn include_calls(line: &str, dot: Option<&[String]>) -> Vec<Call> {
    let mut calls = Vec::new();
    for action in actions(line).into_iter().filter(|a| !a.comment) {
        let code = line.get(action.start..action.end).unwrap_or_default();
        let bytes = code.as_bytes();
        let mut indent = None;
        for word in ["nindent", "indent"] {
            if let Some(at) = find_word(bytes, 0, word.as_bytes()) {
                let digits: String = code[at + word.len()..]
                    .trim_start()
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                indent = indent.or_else(|| digits.parse().ok());
            }
        }
        let call = |target| Call {
            target,
            column: action.start,
            indent,
            span: Span::new(action.start, action.end),
        };
        let mut from = 0;
        while let Some((at, len)) = ["include", "template"]
            .iter()
            .filter_map(|w| find_word(bytes, from, w.as_bytes()).map(|at| (at, w.len())))
            .min()
        {
            from = at + len;
            if let Some(name) = string_arg(code, from) {
                calls.push(call(IncludeTarget::Helper(name)));
            }
        }
        if let Some(at) = find_word(bytes, 0, b"toYaml") {
            let argument = code[at + "toYaml".len()..].trim_start();
            let refs = values_refs(argument);
            let path = if argument.starts_with(".Values") || argument.starts_with("$.Values") {
                refs.into_iter().next()
            } else if argument.starts_with(". ") || argument.starts_with(".)") || argument == "." {
                dot.map(<[String]>::to_vec)
            } else {
                None
            };
            if let Some(path) = path {
                calls.push(call(IncludeTarget::Values(path)));
            }
        }
    }
    calls
}

/// The named templates `code` calls (`include "x"`, `template "x"`), in order, each once,
/// and whether the call passes `.` itself (so `.x` in the helper is `.x` of the caller).
pub(crate) fn helper_calls(code: &str) -> Vec<(String, bool)> {
    let mut calls: Vec<(String, bool)> = Vec::new();
    let bytes = code.as_bytes();
    let mut from = 0;
    while let Some((at, len)) = ["include", "template"]
        .iter()
        .filter_map(|w| find_word(bytes, from, w.as_bytes()).map(|at| (at, w.len())))
        .min()
    {
        from = at + len;
        let rest = code[from..].trim_start();
        let Some(name) = string_arg(code, from) else {
            continue;
        };
        // After the quoted name: `.` alone is the caller's dot.
        let after = rest.get(name.len() + 2..).unwrap_or_default().trim_start();
        let dot = after.starts_with('.')
            && !after[1..].starts_with(|c: char| c.is_alphanumeric() || c == '_');
        match calls.iter_mut().find(|(n, _)| *n == name) {
            Some((_, passes)) => *passes |= dot,
            None => calls.push((name, dot)),
        }
    }
    calls
}

/// The values `code` reads through `.` (`{{ .tag }}`, `{{ .image.repository }}`), where `.`
/// stands for each of `dot` (inside `with .Values.x`): `x.tag`. Built-in objects (`.Values`,
/// `.Chart`, `.Release`, ...) and fields of variables (`$x.tag`) are not read through `.`.
pub(crate) fn dot_refs(code: &str, dot: &[Vec<String>]) -> Vec<Vec<String>> {
    const BUILTIN: [&str; 7] = [
        "Values",
        "Chart",
        "Release",
        "Capabilities",
        "Template",
        "Files",
        "Subcharts",
    ];
    if dot.is_empty() {
        return Vec::new();
    }
    let code = without_comments(code);
    let bytes = code.as_bytes();
    let mut refs: Vec<Vec<String>> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let starts = bytes[i] == b'.'
            && bytes
                .get(i + 1)
                .copied()
                .is_some_and(|b| b.is_ascii_alphabetic())
            && (i == 0 || !(is_ident(bytes[i - 1]) || matches!(bytes[i - 1], b'$' | b')' | b'.')));
        if !starts {
            i += 1;
            continue;
        }
        let mut fields = Vec::new();
        while bytes.get(i) == Some(&b'.') && bytes.get(i + 1).copied().is_some_and(is_ident) {
            let start = i + 1;
            i = start;
            while bytes.get(i).copied().is_some_and(is_ident) {
                i += 1;
            }
            fields.push(code[start..i].to_string());
        }
        if fields
            .first()
            .is_some_and(|f| BUILTIN.contains(&f.as_str()))
        {
            continue;
        }
        for base in dot {
            let path: Vec<String> = base.iter().chain(&fields).cloned().collect();
            if !refs.contains(&path) && refs.len() < MAX_DEPTH {
                refs.push(path);
            }
        }
    }
    refs
}

/// `word` at or after `from` as a whole word (not part of an identifier or a field).
fn find_word(bytes: &[u8], mut from: usize, word: &[u8]) -> Option<usize> {
    while let Some(at) = find(bytes, from, word) {
        let before = at.checked_sub(1).and_then(|i| bytes.get(i)).copied();
        let after = bytes.get(at + word.len()).copied();
        if !before.is_some_and(|b| is_ident(b) || b == b'.' || b == b'$')
            && !after.is_some_and(is_ident)
        {
            return Some(at);
        }
        from = at + word.len();
    }
    None
}

/// Whether `rendered` is what the template value `pattern` (a scalar as written: quoted or
/// not, with `{{ }}` actions standing for any text) can produce: the number of literal
/// characters that had to match (more is more specific), or None.
pub(crate) fn matches_template(pattern: &str, rendered: &str) -> Option<usize> {
    let pattern = pattern.trim();
    let inner = ['"', '\'']
        .into_iter()
        .find_map(|q| pattern.strip_prefix(q)?.strip_suffix(q))
        .filter(|inner| !inner.is_empty())
        .unwrap_or(pattern);
    // Literal pieces between actions.
    let mut pieces = Vec::new();
    let mut last = 0;
    for action in actions(inner) {
        pieces.push(inner.get(last..action.start).unwrap_or_default());
        last = action.end;
    }
    pieces.push(inner.get(last..).unwrap_or_default());
    if pieces.len() == 1 {
        return (pieces[0] == rendered).then_some(rendered.len());
    }
    // A glob with `*` between the pieces: anchored at both ends.
    let (first, rest) = pieces.split_first()?;
    let (last_piece, middle) = rest.split_last()?;
    let mut at = rendered.strip_prefix(first).map(|_| first.len())?;
    for piece in middle {
        at = rendered.get(at..)?.find(piece)? + at + piece.len();
    }
    let tail = rendered.get(at..)?;
    tail.ends_with(last_piece)
        .then(|| pieces.iter().map(|p| p.len()).sum())
}

// ---------------------------------------------------------------------------------------
// Expressions
// ---------------------------------------------------------------------------------------

/// The `.Values` paths referenced in a template expression or line, in order of first
/// appearance, without duplicates: `.Values.a.b`, `$.Values.a`, `$var.Values.a` (read as the
/// root values), and `index .Values.a "b-c" "d"` (quoted arguments only). `{{/* */}}`
/// comments are skipped; a bare `.Values` and `x.Values` are not references.
pub(crate) fn values_refs(text: &str) -> Vec<Vec<String>> {
    let code = without_comments(text);
    let bytes = code.as_bytes();
    let mut seen = HashSet::new();
    let mut refs = Vec::new();
    let mut from = 0;
    while let Some(at) = find(bytes, from, b".Values") {
        from = at + ".Values".len();
        if let Some(path) = values_ref_at(&code, at)
            && seen.insert(path.clone())
        {
            refs.push(path);
        }
    }
    refs
}

/// Whether the text uses `.Chart.AppVersion` (outside `{{/* */}}` comments).
pub(crate) fn mentions_app_version(text: &str) -> bool {
    let code = without_comments(text);
    let bytes = code.as_bytes();
    let needle = b".Chart.AppVersion";
    let mut from = 0;
    while let Some(at) = find(bytes, from, needle) {
        from = at + needle.len();
        if !bytes.get(from).copied().is_some_and(is_ident) {
            return true;
        }
    }
    false
}

/// The reference whose `.Values` is at byte `at` of `code`, if it is one.
fn values_ref_at(code: &str, at: usize) -> Option<Vec<String>> {
    let bytes = code.as_bytes();
    // `$.Values`, `$var.Values` and `.Values` are the root values; `x.Values` is not.
    let mut token = at;
    while token > 0 && is_ident(bytes[token - 1]) {
        token -= 1;
    }
    if token > 0 && bytes[token - 1] == b'$' {
        token -= 1;
    } else if token != at {
        return None;
    }
    let mut i = at + ".Values".len();
    if bytes.get(i).copied().is_some_and(is_ident) {
        return None; // `.ValuesX`
    }
    let mut path = Vec::new();
    while bytes.get(i) == Some(&b'.') && bytes.get(i + 1).copied().is_some_and(is_ident) {
        let start = i + 1;
        i = start;
        while bytes.get(i).copied().is_some_and(is_ident) {
            i += 1;
        }
        path.push(code.get(start..i)?.to_string());
    }
    if follows_index(bytes, token) {
        path.extend(string_args(code, i));
    }
    (!path.is_empty()).then_some(path)
}

/// Whether the word just before `token` (blanks skipped) is `index`.
fn follows_index(bytes: &[u8], token: usize) -> bool {
    let mut end = token;
    while end > 0 && bytes[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    let Some(start) = end.checked_sub("index".len()) else {
        return false;
    };
    end < token
        && bytes.get(start..end) == Some(b"index".as_slice())
        && (start == 0 || !is_ident(bytes[start - 1]))
}

/// The quoted string arguments (`"a"` or `` `a` ``) that follow position `from`, up to the
/// first other token (at most [`MAX_DEPTH`]).
fn string_args(code: &str, mut from: usize) -> Vec<String> {
    let bytes = code.as_bytes();
    let mut args = Vec::new();
    while args.len() < MAX_DEPTH {
        while bytes
            .get(from)
            .copied()
            .is_some_and(|b| b.is_ascii_whitespace())
        {
            from += 1;
        }
        let (close, raw) = match bytes.get(from) {
            Some(b'"') => (closing_quote(bytes, from), false),
            Some(b'`') => (find(bytes, from + 1, b"`"), true),
            _ => return args,
        };
        let Some((close, inner)) =
            close.and_then(|close| Some((close, code.get(from + 1..close)?)))
        else {
            return args;
        };
        args.push(if raw {
            inner.to_string()
        } else {
            unquote(inner, b'"')
        });
        from = close + 1;
    }
    args
}

/// `text` with each `{{/* ... */}}` comment replaced by a space.
fn without_comments(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut from = 0;
    while let Some(open) = find(bytes, from, b"{{") {
        from = open + 2;
        let Some(body) = comment_body(bytes, open) else {
            continue;
        };
        out.push_str(text.get(copied..open).unwrap_or_default());
        out.push(' ');
        from = find(bytes, body, b"*/")
            .and_then(|close| find(bytes, close + 2, b"}}"))
            .map_or(bytes.len(), |close| close + 2);
        copied = from;
    }
    out.push_str(text.get(copied..).unwrap_or_default());
    out
}

#[cfg(test)]
mod tests;

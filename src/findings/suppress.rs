//! Inline suppressions: finding `# imagegate: ignore[rule-id] reason` comments in a file.
//!
//! A directive silences the named rules on one line: its own line when it trails code
//! (`image: nginx  # imagegate: ignore[image-tag-missing] pinned by the operator`), or the line
//! directly below when the comment stands alone on its line. Only that one line: a directive two
//! lines above a finding does not reach it, and stacked directives do not chain (the upper one
//! targets the lower comment line), so several rules go in one list. This module finds the
//! comments and parses them; applying them to findings happens in the policy stage.
//!
//! # Grammar
//!
//! ```text
//! comment   = "#" blank* "imagegate:" blank* "ignore[" ids "]" space+ reason
//! ids       = blank* id blank* ("," blank* id blank*)*
//! id        = [a-z0-9]+ ("-" [a-z0-9]+)*        (and a rule the catalogue knows)
//! reason    = the rest of the line, trimmed, not empty
//! blank     = " " | "\t"
//! space     = any whitespace
//! ```
//!
//! A comment is a directive *attempt* exactly when `imagegate:` (lowercase, colon glued) follows
//! the `#` and optional blanks; everything else is an ordinary comment, so prose that mentions
//! the tool (`# see imagegate: ignore[...]`, `# Imagegate: ...`, `## imagegate:`) is left alone.
//! An attempt that breaks the grammar is a [`DirectiveError`], never silently skipped: a mistyped
//! suppression would otherwise leave its finding in place with no word why.
//! The reason is the whole rest of the line, `#` included (`ignore[a] why # more` has the reason
//! `why # more`). A rule listed twice counts once.
//!
//! What counts as a comment depends on the file ([`CommentStyle`]); a `#` inside a YAML quoted
//! or block scalar, a Dockerfile instruction or a shell string is text, not a comment.
//!
//! NOTE: a YAML document that does not parse (a template) gives no scalar spans, so there every
//! `#` after whitespace counts as a comment, even one inside quotes. That is what a reader sees
//! for most lines, and a directive in a string would be a strange thing to write.
//!
//! Object annotations (`imagegate.dev/ignore: "rule-a, rule-b"`) share the id list grammar:
//! [`parse_annotation_ids`].

use std::collections::HashSet;

use crate::syntax::source::Span;
use crate::syntax::yaml::{Node, Value};

/// How comments are written in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommentStyle {
    /// `#` at the start of a line or after whitespace, outside every scalar: the caller passes the
    /// spans of all scalar nodes of the parsed documents (a `#` inside a quoted or block scalar is
    /// text, not a comment). Also used for JSON files (which have no comments: pass style Yaml and
    /// the scalar spans; a JSON string containing "# imagegate:" is inside a scalar span).
    Yaml,
    /// Dockerfile: only whole-line comments (`#` as the first non-blank character); a `#` later in
    /// an instruction is part of it. Lines that are continuations of an instruction (previous line
    /// ends with the escape char `\`) are still comment lines if they start with `#` (Docker
    /// strips them). Parser directives (`# syntax=…`, `# escape=…`) are just comments that are not ours.
    Dockerfile,
    /// Shell-like (scripts, Makefiles): `#` at the start of a word (start of line or after
    /// whitespace), outside single and double quotes (track quotes within the line; a quote left
    /// open at the end of a line ends at the line end — keep it simple and safe).
    Shell,
}

/// A comment: the `#` and everything after it up to the line end (no line break).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub span: Span,
    /// 1-based line of the comment.
    pub line: usize,
    /// Nothing but whitespace before the `#` on its line.
    pub own_line: bool,
}

/// A parsed `# imagegate: ignore[...] reason` directive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ignore {
    /// The rule ids, each with its span in the file, in written order (duplicates removed, first kept).
    pub rules: Vec<(String, Span)>,
    pub reason: String,
    /// The whole comment.
    pub span: Span,
    /// 1-based line of the comment.
    pub line: usize,
    /// The 1-based line whose findings it silences: `line` for a trailing comment, `line + 1` for a comment alone on its line.
    pub target_line: usize,
}

/// A comment that starts like a directive (`imagegate:` right after the `#` and optional spaces) but breaks the grammar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectiveError {
    /// The part of the comment that is wrong (e.g. the unknown id, the missing reason's position as a zero-length span at the end, the whole comment when the shape is wrong).
    pub span: Span,
    pub message: String,
}

/// What makes a comment a directive attempt.
const PREFIX: &str = "imagegate:";

/// The one directive there is.
const IGNORE: &str = "ignore";

/// Every comment of `text`. `scalars`: for `CommentStyle::Yaml`, the spans of all scalar nodes (any order); ignored otherwise.
pub fn comments(text: &str, style: CommentStyle, scalars: &[Span]) -> Vec<Comment> {
    let bytes = text.as_bytes();
    let scalars = match style {
        CommentStyle::Yaml => ScalarSet::new(scalars),
        CommentStyle::Dockerfile | CommentStyle::Shell => ScalarSet::default(),
    };
    line_spans(text)
        .enumerate()
        .filter_map(|(index, line)| {
            let hash = match style {
                CommentStyle::Yaml => yaml_comment_start(bytes, line, &scalars),
                CommentStyle::Dockerfile => dockerfile_comment_start(bytes, line),
                CommentStyle::Shell => shell_comment_start(bytes, line),
            }?;
            Some(Comment {
                span: Span::new(hash, line.end),
                line: index + 1,
                own_line: is_blank(&bytes[line.start..hash]),
            })
        })
        .collect()
}

/// The spans of every scalar node (keys and values, recursively) of parsed YAML documents: the `scalars` argument of [`comments`].
pub fn scalar_spans<'a>(roots: impl IntoIterator<Item = &'a Node>) -> Vec<Span> {
    let mut spans = Vec::new();
    // NOTE: an explicit stack, not recursion: documents nest up to `yaml::Limits::max_depth`.
    let mut stack: Vec<&Node> = roots.into_iter().collect();
    while let Some(node) = stack.pop() {
        match &node.value {
            Value::Seq(items) => stack.extend(items),
            Value::Map(entries) => stack.extend(entries.iter().flat_map(|(k, v)| [k, v])),
            // An alias's own span is the `*name` token; its value's text is `defined_at`.
            Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => spans.extend(
                [Some(node.span), node.defined_at]
                    .into_iter()
                    .flatten()
                    .filter(|span| !span.is_empty()),
            ),
        }
    }
    spans
}

/// `None` when the comment is not a directive at all (does not start with `imagegate:` after `#` and optional whitespace), else the parsed directive or why it is malformed. `known` says whether a rule id exists (the caller passes the rule catalogue).
pub fn parse(
    text: &str,
    comment: &Comment,
    known: &dyn Fn(&str) -> bool,
) -> Option<Result<Ignore, DirectiveError>> {
    let body = text.get(comment.span.range())?.strip_prefix('#')?;
    let blanks = body.len() - trim_blanks_start(body).len();
    let rest = body[blanks..].strip_prefix(PREFIX)?;
    let rest_at = comment.span.start + 1 + blanks + PREFIX.len();
    Some(parse_directive(Cursor::new(rest, rest_at), comment, known))
}

/// Every directive of a file: `comments` + `parse` in one call.
pub fn directives(
    text: &str,
    style: CommentStyle,
    scalars: &[Span],
    known: &dyn Fn(&str) -> bool,
) -> Vec<Result<Ignore, DirectiveError>> {
    comments(text, style, scalars)
        .iter()
        .filter_map(|comment| parse(text, comment, known))
        .collect()
}

/// The ids of an object annotation `imagegate.dev/ignore: "rule-id, other-id"` (comma-separated, spaces allowed around ids, no empty items, every id known), or a message saying what is wrong.
pub fn parse_annotation_ids(
    value: &str,
    known: &dyn Fn(&str) -> bool,
) -> Result<Vec<String>, String> {
    rule_ids(Cursor::new(value, 0), known)
        .map(|ids| ids.into_iter().map(|(id, _)| id).collect())
        .map_err(|err| err.message)
}

// ---------------------------------------------------------------------------------------------
// Finding comments

/// The lines of `text` as byte ranges without their line break (`\n` or `\r\n`). A UTF-8 BOM
/// is not part of the first line, so a comment after it still stands alone.
fn line_spans(text: &str) -> impl Iterator<Item = Span> + '_ {
    let bom = if text.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
    let mut next = 0;
    text.split('\n').map(move |line| {
        let start = next;
        next += line.len() + 1;
        // A `\r` at the end of a line is part of its break, even a stray one (`\r\r\n`).
        let content = line.trim_end_matches('\r');
        let skip = if start == 0 { bom } else { 0 };
        Span::new(start + skip, start + content.len())
    })
}

/// YAML: the first `#` that starts a word and is not in a scalar's text.
fn yaml_comment_start(bytes: &[u8], line: Span, scalars: &ScalarSet) -> Option<usize> {
    line.range().find(|&i| {
        bytes[i] == b'#' && (i == line.start || is_blank_byte(bytes[i - 1])) && !scalars.contains(i)
    })
}

/// Dockerfile: a `#` as the first non-blank character of the line.
///
/// NOTE: lines of a heredoc body (`RUN <<EOF`) that start with `#` count too: there they are
/// comments of the script, and a directive written there is meant as one.
fn dockerfile_comment_start(bytes: &[u8], line: Span) -> Option<usize> {
    let first = line.range().find(|&i| !is_blank_byte(bytes[i]))?;
    (bytes[first] == b'#').then_some(first)
}

/// Shell: the first `#` that starts a word outside quotes. A backslash escapes the next byte
/// (outside quotes and inside double ones); quotes do not span lines.
fn shell_comment_start(bytes: &[u8], line: Span) -> Option<usize> {
    let mut quote = None;
    let mut word_start = true;
    let mut i = line.start;
    while i < line.end {
        let byte = bytes[i];
        let mut blank = false;
        match (quote, byte) {
            (Some(b'\''), b'\'') => quote = None,
            (Some(b'\''), _) => {}
            (Some(_), b'"') => quote = None,
            // Bytes of multi-byte characters are never ASCII, so skipping one is harmless.
            (_, b'\\') => i += 1,
            (None, b'\'' | b'"') => quote = Some(byte),
            (None, b'#') if word_start => return Some(i),
            (None, _) => blank = is_blank_byte(byte),
            (Some(_), _) => {}
        }
        word_start = blank;
        i += 1;
    }
    None
}

/// Whether `bytes` holds nothing but spaces and tabs.
fn is_blank(bytes: &[u8]) -> bool {
    bytes.iter().all(|&b| is_blank_byte(b))
}

fn is_blank_byte(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t')
}

/// Scalar spans, sorted and merged, so "is this offset in a scalar" is a binary search.
#[derive(Debug, Default)]
struct ScalarSet {
    spans: Vec<Span>,
}

impl ScalarSet {
    fn new(spans: &[Span]) -> Self {
        let mut sorted: Vec<Span> = spans.iter().copied().filter(|s| !s.is_empty()).collect();
        sorted.sort_unstable();
        let mut merged: Vec<Span> = Vec::with_capacity(sorted.len());
        for span in sorted {
            match merged.last_mut() {
                Some(last) if span.start <= last.end => last.end = last.end.max(span.end),
                _ => merged.push(span),
            }
        }
        ScalarSet { spans: merged }
    }

    fn contains(&self, offset: usize) -> bool {
        let after = self.spans.partition_point(|s| s.end <= offset);
        self.spans.get(after).is_some_and(|s| s.start <= offset)
    }
}

// ---------------------------------------------------------------------------------------------
// Parsing directives

/// A piece of the file's text and the byte offset where it starts, so every error and id
/// keeps its exact span while the parser works on plain `&str`s.
#[derive(Debug, Clone, Copy)]
struct Cursor<'t> {
    text: &'t str,
    at: usize,
}

impl<'t> Cursor<'t> {
    fn new(text: &'t str, at: usize) -> Self {
        Cursor { text, at }
    }

    /// The text from byte `from` on (which must be a char boundary: found by searching ASCII).
    fn skip(self, from: usize) -> Self {
        Cursor::new(&self.text[from..], self.at + from)
    }

    /// The first `len` bytes.
    fn take(self, len: usize) -> Self {
        Cursor::new(&self.text[..len], self.at)
    }

    /// Without leading spaces and tabs.
    fn skip_blanks(self) -> Self {
        self.skip(self.text.len() - trim_blanks_start(self.text).len())
    }

    /// Without whitespace at either end.
    fn trimmed(self) -> Self {
        let start = self.text.len() - self.text.trim_start().len();
        let rest = self.skip(start);
        rest.take(rest.text.trim_end().len())
    }

    fn span(self) -> Span {
        Span::new(self.at, self.at + self.text.len())
    }
}

fn trim_blanks_start(text: &str) -> &str {
    text.trim_start_matches([' ', '\t'])
}

fn error(span: Span, message: impl Into<String>) -> DirectiveError {
    DirectiveError {
        span,
        message: message.into(),
    }
}

/// The directive after `imagegate:`: `ignore[ids] reason`.
fn parse_directive(
    rest: Cursor<'_>,
    comment: &Comment,
    known: &dyn Fn(&str) -> bool,
) -> Result<Ignore, DirectiveError> {
    let list = ignore_list(rest.skip_blanks(), comment.span)?;
    let close = list.text.find(']').ok_or_else(|| {
        error(
            Span::new(list.at - 1, comment.span.end),
            "unclosed `[`: end the rule list with `]`",
        )
    })?;
    let rules = rule_ids(list.take(close), known)?;
    let reason = reason(list.skip(close + 1), comment.span)?;
    Ok(Ignore {
        rules,
        reason: reason.to_string(),
        span: comment.span,
        line: comment.line,
        target_line: if comment.own_line {
            comment.line + 1
        } else {
            comment.line
        },
    })
}

/// The text after `ignore[`, or why the directive is not `ignore[`.
fn ignore_list(text: Cursor<'_>, whole: Span) -> Result<Cursor<'_>, DirectiveError> {
    let word_len = text
        .text
        .find(|c: char| c.is_whitespace() || c == '[')
        .unwrap_or(text.text.len());
    let word = text.take(word_len);
    let after = text.skip(word_len);
    if word.text.is_empty() {
        return Err(error(
            whole,
            "expected a directive after `imagegate:`: `# imagegate: ignore[rule-id] reason`",
        ));
    }
    if word.text != IGNORE {
        return Err(error(
            word.span(),
            format!(
                "unknown directive `{}`: use `ignore[rule-id] reason`",
                word.text
            ),
        ));
    }
    if after.text.starts_with('[') {
        return Ok(after.skip(1));
    }
    let bracket = after.skip_blanks();
    if bracket.text.starts_with('[') {
        return Err(error(
            Span::new(after.at, bracket.at),
            "write `ignore[` with no space before the `[`",
        ));
    }
    Err(error(
        whole,
        "expected `[` after `ignore`: `# imagegate: ignore[rule-id] reason`",
    ))
}

/// The reason after `]`: at least one blank, then some text.
fn reason(after: Cursor<'_>, whole: Span) -> Result<&str, DirectiveError> {
    let reason = after.trimmed();
    if reason.text.is_empty() {
        return Err(error(
            Span::new(whole.end, whole.end),
            "a reason is required: `# imagegate: ignore[rule-id] why this is acceptable`",
        ));
    }
    if !after.text.starts_with(char::is_whitespace) {
        let glued = after.take(
            after
                .text
                .find(char::is_whitespace)
                .unwrap_or(after.text.len()),
        );
        return Err(error(
            glued.span(),
            "put a space between `]` and the reason",
        ));
    }
    Ok(reason.text)
}

/// A comma-separated list of known rule ids, blanks allowed around each; duplicates dropped
/// (the first kept). Shared by directives and annotations.
fn rule_ids(
    list: Cursor<'_>,
    known: &dyn Fn(&str) -> bool,
) -> Result<Vec<(String, Span)>, DirectiveError> {
    if list.text.trim().is_empty() {
        return Err(error(
            list.span(),
            "no rule ids: name at least one, e.g. `image-tag-latest`",
        ));
    }
    let mut ids = Vec::new();
    let mut seen = HashSet::new();
    let mut start = 0;
    for item in list.text.split(',') {
        let id = list.skip(start).take(item.len()).trimmed();
        start += item.len() + 1;
        check_rule_id(id, known)?;
        if seen.insert(id.text) {
            ids.push((id.text.to_string(), id.span()));
        }
    }
    Ok(ids)
}

/// Why `id` (one trimmed list item) cannot be used, if it cannot.
fn check_rule_id(id: Cursor<'_>, known: &dyn Fn(&str) -> bool) -> Result<(), DirectiveError> {
    if id.text.is_empty() {
        return Err(error(
            id.span(),
            "empty item in the rule list (a doubled or trailing comma?)",
        ));
    }
    if !is_rule_id(id.text) {
        return Err(error(
            id.span(),
            format!(
                "`{}` is not a rule id: ids are lowercase words joined by `-`, like `image-tag-latest`",
                id.text
            ),
        ));
    }
    if !known(id.text) {
        return Err(error(
            id.span(),
            format!("unknown rule `{}` (`imagegate rules` lists them)", id.text),
        ));
    }
    Ok(())
}

/// `[a-z0-9]+(-[a-z0-9]+)*`: the shape of every rule id.
fn is_rule_id(id: &str) -> bool {
    !id.is_empty()
        && id.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

#[cfg(test)]
mod tests;

//! Splitting a YAML stream into documents ourselves, before parsing.
//!
//! A document starts at a line that begins with `---` at column 0 (followed by the end of the
//! line or whitespace) and a `...` line ends one. YAML forbids these markers at column 0 inside
//! block scalars, so the split is exact; it is also how kubectl and kube-linter read streams.
//! Splitting first gives per-document error isolation (one broken document does not hide the
//! others), stable document indices, and no stream-wide document budget.

use crate::syntax::source::Span;

/// One document's byte range in the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chunk {
    pub span: Span,
}

/// Split `text` into document chunks. Leading comment-only text and `%` directives join the
/// document that follows them; an empty stream yields no chunk.
pub fn split_documents(text: &str) -> Vec<Chunk> {
    let mut chunks = Vec::new();
    let mut start = 0;
    let mut pending_trivia_only = true;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let line_start = offset;
        offset += line.len();
        let body = line.strip_prefix('\u{feff}').unwrap_or(line);
        if is_marker(body, "---") {
            // A `---` closes the previous document, unless all before it was trivia, which
            // then belongs to this document (a leading comment, a `%YAML` directive).
            if !pending_trivia_only {
                chunks.push(Chunk {
                    span: Span::new(start, line_start),
                });
                start = line_start;
            }
            pending_trivia_only = false;
        } else if is_marker(body, "...") {
            chunks.push(Chunk {
                span: Span::new(start, offset),
            });
            start = offset;
            pending_trivia_only = true;
        } else if pending_trivia_only && !is_trivia(body) {
            pending_trivia_only = false;
        }
    }
    if start < text.len() && !(pending_trivia_only && chunks.is_empty() && is_blank(&text[start..]))
    {
        if pending_trivia_only && !chunks.is_empty() && all_trivia(&text[start..]) {
            // Trailing comments after a `...`: nothing to parse.
        } else {
            chunks.push(Chunk {
                span: Span::new(start, text.len()),
            });
        }
    }
    chunks
}

fn is_marker(line: &str, marker: &str) -> bool {
    line.strip_prefix(marker)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\r', '\n']))
}

fn is_trivia(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#') || line.starts_with('%')
}

fn all_trivia(text: &str) -> bool {
    text.lines().all(is_trivia)
}

fn is_blank(text: &str) -> bool {
    text.trim().is_empty()
}

#[cfg(test)]
mod tests;

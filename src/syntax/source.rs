//! A scanned file's text and the map from byte offsets to 1-based line and column.
//!
//! Everything inside imagegate speaks in byte ranges ([`Span`]); only reports turn them into
//! lines and columns, through [`LineIndex`]. Columns count Unicode code points, a UTF-8 BOM is
//! not a column, and CRLF ends one line (the `\r` belongs to the line break, not the line).

use std::ops::Range;

/// A half-open byte range into a file's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// A byte range in one file of a scan (the file by its index in the scan's list of files).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Location {
    /// Index into the scan's files ([`crate::ScanReport::files`]).
    pub file: usize,
    pub span: Span,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span {
            start,
            end: end.max(start),
        }
    }

    /// The same range moved `by` bytes to the right (a document's offset inside its file).
    pub fn shifted(self, by: usize) -> Self {
        Span::new(self.start + by, self.end + by)
    }

    pub fn range(self) -> Range<usize> {
        self.start..self.end
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }
}

impl From<Range<usize>> for Span {
    fn from(r: Range<usize>) -> Self {
        Span::new(r.start, r.end)
    }
}

/// A 1-based line and column (in Unicode code points).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// Start and end positions of a span; `end` is exclusive (one past the last character), as
/// SARIF's `endColumn` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    pub start: Position,
    pub end: Position,
}

/// Byte offset of every line start, built once per file.
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<usize>,
    bom: bool,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(memchr_newlines(text.as_bytes()).map(|i| i + 1));
        LineIndex {
            line_starts,
            bom: text.starts_with('\u{feff}'),
        }
    }

    /// 0-based index of the line holding byte `offset`.
    fn line_of(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    /// Line and column of a byte offset in `text` (which must be the text this index was
    /// built from). Offsets past the end or inside a character clamp to a valid position.
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.line_of(offset);
        let start = self.line_starts[line];
        let mut column = text[start..offset].chars().count() + 1;
        if line == 0 && self.bom && offset > 0 {
            column -= 1;
        }
        Position {
            line: line + 1,
            column,
        }
    }

    pub fn region(&self, text: &str, span: Span) -> Region {
        Region {
            start: self.position(text, span.start),
            end: self.position(text, span.end),
        }
    }

    /// The text of 1-based line `line`, without its line break.
    pub fn line_text<'t>(&self, text: &'t str, line: usize) -> &'t str {
        let Some(&start) = self.line_starts.get(line.wrapping_sub(1)) else {
            return "";
        };
        let end = self
            .line_starts
            .get(line)
            .map_or(text.len(), |&next| next - 1);
        let s = &text[start..end.max(start)];
        let s = s.strip_suffix('\r').unwrap_or(s);
        if line == 1 {
            s.strip_prefix('\u{feff}').unwrap_or(s)
        } else {
            s
        }
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }
}

fn memchr_newlines(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    bytes
        .iter()
        .enumerate()
        .filter_map(|(i, &b)| (b == b'\n').then_some(i))
}

/// The largest char boundary at or below `i`.
pub fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests;

//! Physical lines, parser directives and instruction splitting: the text as BuildKit reads it
//! before any instruction is parsed.

use super::*;

/// Splits the text into lines on `\n`, like BuildKit's scanner, yielding the
/// range of each line without its terminator (`trimNewline` strips every
/// trailing `\r` and `\n`). A leading UTF-8 BOM is skipped.
pub(super) struct LineReader<'t> {
    pub(super) text: &'t str,
    pub(super) pos: usize,
}

impl<'t> LineReader<'t> {
    pub(super) fn new(text: &'t str) -> Self {
        let pos = if text.starts_with('\u{FEFF}') {
            '\u{FEFF}'.len_utf8()
        } else {
            0
        };
        LineReader { text, pos }
    }
}

impl Iterator for LineReader<'_> {
    type Item = Range<usize>;

    fn next(&mut self) -> Option<Range<usize>> {
        let rest = self.text.get(self.pos..)?;
        if rest.is_empty() {
            return None;
        }
        let (line_len, advance) = match rest.find('\n') {
            Some(i) => (i, i + 1),
            None => (rest.len(), rest.len()),
        };
        let start = self.pos;
        self.pos += advance;
        let line = rest.get(..line_len).unwrap_or("");
        let kept = line.trim_end_matches(['\r', '\n']).len();
        Some(start..start + kept)
    }
}

/// If `line` ends with a line-continuation escape, returns the length to keep
/// and `true`. Mirrors BuildKit's `([^E])E[ \t]*$|^E[ \t]*$`: an escape
/// preceded by another escape is not a continuation.
pub(super) fn trim_continuation(line: &str, escape: char) -> (usize, bool) {
    let trimmed = line.trim_end_matches([' ', '\t']);
    let Some(before) = trimmed.strip_suffix(escape) else {
        return (line.len(), false);
    };
    match before.chars().next_back() {
        None => (0, true),
        Some(c) if c == escape => (line.len(), false),
        Some(_) => (before.len(), true),
    }
}

/// A logical line (an instruction with its continuations joined) and the map
/// from its byte offsets back to the original text.
#[derive(Default)]
pub(super) struct Logical {
    pub(super) text: String,
    /// `(offset in text, offset in the original)` of each non-empty piece.
    pub(super) segments: Vec<(usize, usize)>,
}

impl Logical {
    pub(super) fn push(&mut self, original_start: usize, piece: &str) {
        if piece.is_empty() {
            return;
        }
        self.segments.push((self.text.len(), original_start));
        self.text.push_str(piece);
    }

    /// Original offset of the byte at logical offset `at`.
    pub(super) fn map(&self, at: usize) -> usize {
        let index = self.segments.partition_point(|&(start, _)| start <= at);
        match index.checked_sub(1).and_then(|i| self.segments.get(i)) {
            Some(&(logical, original)) => original + (at - logical),
            None => self.segments.first().map_or(0, |&(_, original)| original),
        }
    }

    /// Original range covering the logical range `range`, first to last byte.
    pub(super) fn map_range(&self, range: Range<usize>) -> Range<usize> {
        let start = self.map(range.start);
        if range.end <= range.start {
            return start..start;
        }
        start..self.map(range.end - 1) + 1
    }
}

// ---------------------------------------------------------------------------
// Parser directives
// ---------------------------------------------------------------------------

/// Parser directives (`# escape=…`, `# syntax=…`, `# check=…`) recognised at the
/// top of the file, before any instruction, comment or blank line.
pub(super) struct Directives {
    pub(super) escape: char,
    pub(super) done: bool,
    pub(super) seen: Vec<String>,
}

impl Default for Directives {
    fn default() -> Self {
        Directives {
            escape: '\\',
            done: false,
            seen: Vec::new(),
        }
    }
}

/// `\s` in Go's RE2 syntax.
pub(super) fn is_re_space(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\x0C' | '\r' | ' ')
}

impl Directives {
    /// Looks at one left-trimmed line; mirrors BuildKit's `DirectiveParser`.
    pub(super) fn process(&mut self, line: &str) {
        if self.done {
            return;
        }
        let Some(body) = line.strip_prefix('#') else {
            self.done = true;
            return;
        };
        let body = body.trim_start();
        let name_len = body
            .char_indices()
            .take_while(|&(i, c)| {
                if i == 0 {
                    c.is_ascii_alphabetic()
                } else {
                    c.is_ascii_alphanumeric()
                }
            })
            .count();
        let (name, rest) = body.split_at(name_len.min(body.len()));
        let rest = rest.trim_start_matches(is_re_space);
        let value_part = match rest.strip_prefix('=') {
            Some(value_part) if name_len > 0 && !value_part.is_empty() => value_part,
            _ => {
                self.done = true;
                return;
            }
        };
        let name = name.to_ascii_lowercase();
        if !matches!(name.as_str(), "syntax" | "escape" | "check") {
            self.done = true;
            return;
        }
        if self.seen.contains(&name) {
            // BuildKit rejects a repeated directive; keep the first one.
            return;
        }
        let value = value_part.trim_matches(is_re_space);
        if name == "escape" {
            match value {
                "`" => self.escape = '`',
                "\\" => self.escape = '\\',
                _ => {} // BuildKit rejects any other escape token.
            }
        }
        self.seen.push(name);
    }
}

// ---------------------------------------------------------------------------
// Instruction splitting
// ---------------------------------------------------------------------------

/// `[\t\v\f\r ]`, BuildKit's `reWhitespace`.
pub(super) fn is_token_space(c: char) -> bool {
    matches!(c, '\t' | '\x0B' | '\x0C' | '\r' | ' ')
}

/// An instruction split like BuildKit's `splitCommand`; ranges are into the line.
pub(super) struct Command {
    pub(super) name: Range<usize>,
    pub(super) flags: Vec<String>,
    pub(super) args: Range<usize>,
}

pub(super) fn split_command(line: &str) -> Option<Command> {
    let start = line.len() - line.trim_start().len();
    let end = line.trim_end().len();
    let trimmed = line.get(start..end).filter(|t| !t.is_empty())?;
    let Some(space) = trimmed.find(is_token_space) else {
        return Some(Command {
            name: start..end,
            flags: Vec::new(),
            args: end..end,
        });
    };
    let after_space = trimmed.get(space..).map_or(0, |rest| {
        rest.len() - rest.trim_start_matches(is_token_space).len()
    });
    let rest_start = start + space + after_space;
    let rest = line.get(rest_start..end).unwrap_or("");
    let (flags, args_at) = extract_builder_flags(rest);
    let args = match args_at {
        Some(at) => {
            let args_start = rest_start + at;
            let raw = line.get(args_start..end).unwrap_or("");
            let lead = raw.len() - raw.trim_start().len();
            args_start + lead..args_start + raw.trim_end().len()
        }
        None => end..end,
    };
    Some(Command {
        name: start..start + space,
        flags,
        args,
    })
}

/// BuildKit's `extractBuilderFlags`: leading `--flag[=value]` words (quotes and
/// backslashes processed), and the offset where the arguments start, if any.
pub(super) fn extract_builder_flags(line: &str) -> (Vec<String>, Option<usize>) {
    #[derive(PartialEq)]
    enum Phase {
        Spaces,
        Word,
        Quote,
    }
    let mut words = Vec::new();
    let mut phase = Phase::Spaces;
    let mut word = String::new();
    let mut quote = '\0';
    let mut blank_ok = false;
    let mut pos = 0;
    loop {
        let current = line.get(pos..).and_then(|rest| rest.chars().next());
        if phase == Phase::Spaces {
            let Some(c) = current else { break };
            if c.is_whitespace() {
                pos += c.len_utf8();
                continue;
            }
            if c != '-' || line.as_bytes().get(pos + 1) != Some(&b'-') {
                return (words, Some(pos));
            }
            phase = Phase::Word;
        }
        let Some(c) = current else {
            if word != "--" && (blank_ok || !word.is_empty()) {
                words.push(word);
            }
            break;
        };
        if phase == Phase::Word {
            if c.is_whitespace() {
                phase = Phase::Spaces;
                if word == "--" {
                    return (words, Some(pos));
                }
                if blank_ok || !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                word.clear();
                blank_ok = false;
                pos += c.len_utf8();
                continue;
            }
            if c == '\'' || c == '"' {
                quote = c;
                blank_ok = true;
                phase = Phase::Quote;
                pos += 1;
                continue;
            }
        } else if c == quote {
            phase = Phase::Word;
            pos += 1;
            continue;
        }
        let mut c = c;
        if c == '\\' {
            pos += 1;
            match line.get(pos..).and_then(|rest| rest.chars().next()) {
                Some(next) => c = next,
                None => {
                    // A backslash at the very end is dropped.
                    if phase == Phase::Quote {
                        phase = Phase::Word;
                    }
                    continue;
                }
            }
        }
        word.push(c);
        pos += c.len_utf8();
    }
    (words, None)
}

/// Splits FROM arguments on `[\t\v\f\r ]+`; ranges are into `args`.
pub(super) fn split_args(args: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in args.char_indices() {
        match (is_token_space(c), start) {
            (true, Some(s)) => {
                out.push(s..i);
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(s..args.len());
    }
    out
}

/// Go's `strings.ToLower` for the few non-ASCII letters that lower-case to ASCII.
pub(super) fn go_lower(c: char) -> char {
    match c {
        '\u{212A}' => 'k', // KELVIN SIGN
        '\u{0130}' => 'i', // LATIN CAPITAL LETTER I WITH DOT ABOVE
        _ => c.to_ascii_lowercase(),
    }
}

/// Case-insensitive comparison of an instruction word with an ASCII keyword.
pub(super) fn keyword_eq(word: &str, keyword: &str) -> bool {
    word.chars().map(go_lower).eq(keyword.chars())
}

/// `strings.EqualFold(word, "as")` (simple Unicode folding: `ſ` folds to `s`).
pub(super) fn is_as(word: &str) -> bool {
    let mut chars = word.chars();
    matches!(
        (chars.next(), chars.next(), chars.next()),
        (Some('a' | 'A'), Some('s' | 'S' | '\u{017F}'), None)
    )
}

/// BuildKit's stage name rule: `^[a-z][a-z0-9-_\.]*$` after lower-casing.
pub(super) fn valid_stage_name(name: &str) -> bool {
    let mut chars = name.chars().map(go_lower);
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'))
}

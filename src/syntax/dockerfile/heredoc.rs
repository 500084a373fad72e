//! Heredocs.

use super::*;

pub(super) fn is_heredoc_command(name: &str) -> bool {
    keyword_eq(name, "run") || keyword_eq(name, "copy") || keyword_eq(name, "add")
}

/// BuildKit's `canContainHeredoc`: RUN, COPY and ADD (also behind ONBUILD),
/// except in JSON (exec) form.
pub(super) fn can_contain_heredoc(name: &str, args: &str) -> bool {
    if keyword_eq(name, "onbuild") {
        let Some(sub) = split_command(args) else {
            return false;
        };
        let sub_name = args.get(sub.name.clone()).unwrap_or("");
        let sub_args = args.get(sub.args.clone()).unwrap_or("");
        return is_heredoc_command(sub_name) && !is_json_string_array(sub_args);
    }
    is_heredoc_command(name) && !is_json_string_array(args)
}

/// Whether `args` starts with a JSON array of strings (what Go's
/// `json.Decoder` accepts as the first value; trailing text is ignored).
pub(super) fn is_json_string_array(args: &str) -> bool {
    pub(super) fn skip_ws(b: &[u8], i: &mut usize) {
        while matches!(b.get(*i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            *i += 1;
        }
    }
    pub(super) fn string(b: &[u8], i: &mut usize) -> bool {
        if b.get(*i) != Some(&b'"') {
            return false;
        }
        *i += 1;
        while let Some(&c) = b.get(*i) {
            *i += 1;
            match c {
                b'"' => return true,
                b'\\' => match b.get(*i) {
                    Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => *i += 1,
                    Some(b'u') => {
                        let hex = b.get(*i + 1..*i + 5);
                        if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
                            return false;
                        }
                        *i += 5;
                    }
                    _ => return false,
                },
                0x00..=0x1F => return false,
                _ => {}
            }
        }
        false
    }
    let b = args.trim_start().as_bytes();
    if b.first() != Some(&b'[') {
        return false;
    }
    let mut i = 1;
    skip_ws(b, &mut i);
    if b.get(i) == Some(&b']') {
        return true;
    }
    loop {
        if !string(b, &mut i) {
            return false;
        }
        skip_ws(b, &mut i);
        match b.get(i) {
            Some(b',') => {
                i += 1;
                skip_ws(b, &mut i);
            }
            Some(b']') => return true,
            _ => return false,
        }
    }
}

/// The heredocs opened by an instruction line, in order: `(terminator, chomp)`.
/// Mirrors BuildKit's `heredocsFromLine`; a lexing error means no heredocs.
pub(super) fn heredocs_in(line: &str) -> Vec<(String, bool)> {
    match lex_words(line, true, true) {
        Ok(words) => words.iter().filter_map(|w| parse_heredoc_word(w)).collect(),
        Err(_) => Vec::new(),
    }
}

/// BuildKit's `^(\d*)<<(-?)([^<]*)$` and `heredocFromMatch`.
pub(super) fn parse_heredoc_word(word: &str) -> Option<(String, bool)> {
    let digits = word.bytes().take_while(u8::is_ascii_digit).count();
    let rest = word.get(digits..)?.strip_prefix("<<")?;
    let (chomp, rest) = match rest.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, rest),
    };
    if rest.is_empty() || rest.contains('<') {
        return None;
    }
    let words = lex_words(rest, false, false).ok()?;
    let raw = lex_words(rest, true, false).ok()?;
    if words.len() != 1 || raw.len() != 1 {
        return None;
    }
    words.into_iter().next().map(|name| (name, chomp))
}

/// `ProcessWords` with `\` as escape, no environment and unset variables kept.
pub(super) fn lex_words(
    source: &str,
    raw_quotes: bool,
    raw_escapes: bool,
) -> Result<Vec<String>, LexError> {
    let mut lexer = Lexer::new(source, '\\', None, usize::MAX);
    lexer.raw_quotes = raw_quotes;
    lexer.raw_escapes = raw_escapes;
    lexer.skip_unset = true;
    lexer.track_words = true;
    lexer.process().map(|(_, words)| words)
}

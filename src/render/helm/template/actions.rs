//! Actions, named templates and patterns: the `{{ ... }}` actions of a line, `define` blocks
//! and the `include`/`template` calls into them, and templated values read as patterns of
//! what they can render.

use super::*;

/// Most `define` blocks a file may have: the define map of a chart stays small.
pub(super) const MAX_DEFINES: usize = 4096;

/// One `{{ ... }}` action: from its `{{` to just past its `}}` (the end of the text when it
/// is not closed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct ActionSpan {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) comment: bool,
}

/// Every action of `text`, in order. Strings inside an action (`"}}"`, `` `x` ``) do not end
/// it; a `"` string ends at its line.
pub(super) fn actions(text: &str) -> Vec<ActionSpan> {
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
pub(super) fn action_word(text: &str, action: ActionSpan) -> (&str, usize) {
    let bytes = text.as_bytes();
    let mut i = action_code(bytes, action.start);
    let start = i;
    while bytes.get(i).copied().is_some_and(is_ident) {
        i += 1;
    }
    (text.get(start..i).unwrap_or_default(), i)
}

/// The first quoted string (`"x"` or `` `x` ``) at or after `from`, blanks skipped.
pub(super) fn string_arg(text: &str, from: usize) -> Option<String> {
    string_args(text, from).into_iter().next()
}

/// A `define` block found in a template's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct DefineBlock {
    pub(super) name: String,
    /// From the `define` action's `{{` to the end of its `end` action.
    pub(super) outer: Span,
    /// Between the two actions.
    pub(super) body: Span,
    /// Where the line after the `define` action starts: the body's first line.
    pub(super) first_line: usize,
}

/// The `{{ define "name" }} ... {{ end }}` blocks of `text`, matching each `end` to the
/// action it closes (`if`, `range`, `with`, `block` and `define` open one). A define left
/// open runs to the end of the text.
pub(super) fn define_blocks(text: &str) -> Vec<DefineBlock> {
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
pub(super) struct Call {
    pub(super) target: IncludeTarget,
    /// Column (byte offset in the line) of the action's `{{`.
    pub(super) column: usize,
    /// The `nindent N` / `indent N` applied to its output in the same action.
    pub(super) indent: Option<usize>,
    /// The action, in the line.
    pub(super) span: Span,
}

/// The `include "name"` and `template "name"` calls of a line, and its `toYaml .Values.x`
/// (or `toYaml .` where `dot` is the values path `.` stands for).
pub(super) fn include_calls(line: &str, dot: Option<&[String]>) -> Vec<Call> {
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
    pub(super) const BUILTIN: [&str; 7] = [
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
pub(super) fn find_word(bytes: &[u8], mut from: usize, word: &[u8]) -> Option<usize> {
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

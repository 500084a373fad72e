//! Expressions: the `.Values` paths a template expression or line reads.

use super::*;

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
pub(super) fn values_ref_at(code: &str, at: usize) -> Option<Vec<String>> {
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
pub(super) fn follows_index(bytes: &[u8], token: usize) -> bool {
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
pub(super) fn string_args(code: &str, mut from: usize) -> Vec<String> {
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
pub(super) fn without_comments(text: &str) -> String {
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

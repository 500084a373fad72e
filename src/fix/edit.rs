//! The smallest edit that pins a reference: `@sha256:…` inserted right after the reference's
//! last byte, inside its quotes if it has some. Nothing else of the file changes: quoting,
//! comments, indentation, line endings and the trailing newline stay byte-identical.

use crate::syntax::source::Span;

pub use crate::findings::finding::Insertion;

/// Why a reference cannot be pinned in place.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotInPlace {
    #[error("the file changed since it was scanned")]
    Changed,
    #[error("the value is written with escapes or across lines; pin it by hand")]
    Escaped,
}

/// Where `@digest` goes to pin the reference `written` found at `span` of `text` (a YAML
/// scalar, quotes included, or a Dockerfile `FROM` token).
pub fn pin(text: &str, span: Span, written: &str, digest: &str) -> Result<Insertion, NotInPlace> {
    let found = text.get(span.range()).ok_or(NotInPlace::Changed)?;
    let bytes = found.as_bytes();
    let quoted =
        bytes.len() >= 2 && matches!(bytes[0], b'"' | b'\'') && bytes[bytes.len() - 1] == bytes[0];
    let (inner, end) = if quoted {
        let inner = &found[1..found.len() - 1];
        (inner, span.start + 1 + inner.len())
    } else {
        (found, span.start + found.len())
    };
    if inner != written {
        // A quoted value that reads as the reference only once unescaped, or one folded
        // across lines: not a place for a byte-exact insertion.
        return Err(if quoted || inner.contains('\n') {
            NotInPlace::Escaped
        } else {
            NotInPlace::Changed
        });
    }
    Ok(Insertion {
        at: end,
        text: format!("@{digest}"),
    })
}

/// Where a `digest:` key goes in the kustomize `images:` entry whose `newTag` value is at
/// `tag`: on a line of its own under `newTag` (same indentation, the line's own ending) in
/// block style, or `, digest: …` after the value in flow style.
pub fn add_digest_key(text: &str, tag: Span, digest: &str) -> Result<Insertion, NotInPlace> {
    text.get(tag.range()).ok_or(NotInPlace::Changed)?;
    let line_start = text[..tag.start].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..tag.start];
    let key = before.rfind("newTag").ok_or(NotInPlace::Changed)?;
    let flow = before[..key].contains('{') || before[..key].trim_end().ends_with(',');
    if flow {
        return Ok(Insertion {
            at: tag.end,
            text: format!(", digest: {digest}"),
        });
    }
    let line_end = text[tag.end..]
        .find('\n')
        .map_or(text.len(), |i| tag.end + i);
    let crlf = line_end > tag.end && text.as_bytes()[line_end - 1] == b'\r';
    let content_end = if crlf { line_end - 1 } else { line_end };
    let ending = if crlf { "\r\n" } else { "\n" };
    // The key's column: where `newTag` starts (after `- ` when it opens the entry).
    let column = before[..key].chars().count();
    Ok(Insertion {
        at: content_end,
        text: format!("{ending}{}digest: {digest}", " ".repeat(column)),
    })
}

/// `text` with `insertions` applied (at distinct offsets, in any order).
pub fn apply(text: &str, insertions: &[Insertion]) -> String {
    let mut sorted: Vec<&Insertion> = insertions.iter().collect();
    sorted.sort_by_key(|i| i.at);
    sorted.dedup_by_key(|i| i.at);
    let extra: usize = sorted.iter().map(|i| i.text.len()).sum();
    let mut out = String::with_capacity(text.len() + extra);
    let mut from = 0;
    for insertion in sorted {
        // An offset inside a character is not an edit this module made: left out.
        let Some(before) = text.get(from..insertion.at) else {
            continue;
        };
        out.push_str(before);
        out.push_str(&insertion.text);
        from = insertion.at;
    }
    out.push_str(text.get(from..).unwrap_or_default());
    out
}

#[cfg(test)]
mod tests;

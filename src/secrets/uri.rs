//! Credentials in URIs: a literal password in the userinfo of a URI (`scheme://user:pass@host`),
//! also inside a longer value.

use super::*;

/// A URI whose userinfo holds a literal password: `postgresql://user:password@host/db`,
/// `redis://:password@host`, `amqp://u:p@host`.
///
/// Only byte ranges into the caller's string are kept, never the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UriCredential {
    /// The scheme (`postgresql`, `mongodb+srv`): never secret, and what a message may name.
    pub scheme: Range<usize>,
    /// The password: the caller must mask it and never show it.
    pub password: Range<usize>,
}

/// Longest scheme accepted, in bytes (real ones are short: `mongodb+srv`, `postgresql`).
pub(super) const MAX_SCHEME_LEN: usize = 32;

/// Bytes that end a URI's authority: its path, query or fragment, and what surrounds a URI
/// in text (whitespace, quotes, angle brackets, backslashes).
pub(super) fn ends_authority(b: u8) -> bool {
    b.is_ascii_whitespace()
        || matches!(
            b,
            b'/' | b'?' | b'#' | b'\\' | b'"' | b'\'' | b'<' | b'>' | b'`'
        )
}

/// Longest template (`{{ .Values.db.password }}`) skipped inside an authority, in bytes.
pub(super) const MAX_TEMPLATE_LEN: usize = 256;

/// Where the authority starting at `start` ends (see [`ends_authority`]). A `{{ … }}`
/// template is skipped whole, so its spaces do not end the authority
/// (`postgres://{{ .Values.user }}:pw@host`).
pub(super) fn authority_end(bytes: &[u8], start: usize) -> usize {
    let mut j = start;
    while let Some(&b) = bytes.get(j) {
        if b == b'{' && bytes.get(j + 1) == Some(&b'{') {
            let window = bytes.get(j + 2..).unwrap_or_default();
            let window = window.get(..MAX_TEMPLATE_LEN).unwrap_or(window);
            if let Some(close) = window.windows(2).position(|w| w == b"}}") {
                j += 2 + close + 2;
                continue;
            }
        }
        if ends_authority(b) {
            return j;
        }
        j += 1;
    }
    bytes.len()
}

/// The scheme that ends just before byte `colon` (the `:` of `://`): at most 32 bytes of
/// `[A-Za-z0-9+.-]`, starting with a letter (`jdbc:postgresql://` gives `postgresql`).
pub(super) fn scheme_before(bytes: &[u8], colon: usize) -> Option<Range<usize>> {
    let is_scheme = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'.' | b'-');
    let mut start = colon;
    while start > 0 && is_scheme(bytes[start - 1]) {
        start -= 1;
        if colon - start > MAX_SCHEME_LEN {
            return None;
        }
    }
    while start < colon && !bytes[start].is_ascii_alphabetic() {
        start += 1;
    }
    (start < colon).then_some(start..colon)
}

/// Whether a URI password is not a literal: empty, a placeholder ([`is_placeholder`]), a
/// substitution anywhere in it (`${…}`, `$(…)`, `{{ … }}`, GitHub's `${{ … }}`), a format
/// verb (`%s`), a format field (`{password}`) or a mask (`****`, `xxxx`).
pub(super) fn is_variable_password(password: &str) -> bool {
    let p = password.trim();
    let format_verb = p.len() == 2 && p.starts_with('%') && p.as_bytes()[1].is_ascii_alphabetic();
    let format_field = p
        .strip_prefix('{')
        .and_then(|s| s.strip_suffix('}'))
        .is_some_and(|inner| {
            inner.bytes().all(|b| b.is_ascii_digit()) || is_identifier(inner, true, b".")
        });
    let mask =
        p.bytes().all(|b| b == b'*') || (p.len() >= 3 && p.bytes().all(|b| b == b'x' || b == b'X'));
    // `postgres://USER:PASSWORD@HOST/DB`: an upper-case word naming what goes there.
    let named_slot = p
        .bytes()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        && split_words(p).iter().any(|w| is_credential_word(w));
    is_placeholder(p)
        || named_slot
        || p.contains("{{")
        || p.contains("${")
        || p.contains("$(")
        || format_verb
        || format_field
        || mask
}

/// The first URI in `value` whose userinfo holds a literal password, anywhere in the value
/// (a whole DSN, or a line of a configuration file).
///
/// A URI is `scheme://` followed by an authority that ends at `/`, `?`, `#`, whitespace, a
/// quote or an angle bracket; its userinfo runs to the authority's last `@` and its password
/// from the userinfo's first `:`. Not a credential: no password (`user@host`, `user:@host`),
/// or a password that is a variable, a placeholder, a format verb or a mask (see
/// [`is_variable_password`]). A token alone as the user (`https://TOKEN@host`) cannot be told
/// from a user name and is left to [`find_token`].
///
/// Linear in the length of `value`: each authority is scanned once, and a scheme is at most
/// 32 bytes.
pub(crate) fn find_uri_credential(value: &str) -> Option<UriCredential> {
    uri_passwords(value).find(|m| {
        value
            .get(m.password.clone())
            .is_some_and(|p| !is_variable_password(p))
    })
}

/// Every URI in `value` whose userinfo has a `:`, left to right, with its password's range
/// (literal or not).
pub(super) fn uri_passwords(value: &str) -> impl Iterator<Item = UriCredential> + '_ {
    let bytes = value.as_bytes();
    let mut from = 0;
    std::iter::from_fn(move || {
        while let Some(found) = value.get(from..).and_then(|s| s.find("://")) {
            let colon = from + found;
            let start = colon + 3;
            let end = authority_end(bytes, start);
            // NOTE: `/` ends an authority (outside a `{{ … }}` template), so the next `://`
            // is at or after `end`, and each byte is scanned once.
            from = end.max(start);
            let Some(scheme) = scheme_before(bytes, colon) else {
                continue;
            };
            let Some(authority) = value.get(start..end) else {
                continue;
            };
            let Some(at) = authority.rfind('@') else {
                continue;
            };
            // NOTE: `docker://nginx:1.25@sha256:…` is an image reference with a digest, not a
            // user `nginx` with the password `1.25`.
            let after = authority.get(at + 1..).unwrap_or("");
            if ["sha256:", "sha384:", "sha512:"]
                .iter()
                .any(|algorithm| after.starts_with(algorithm))
            {
                continue;
            }
            let Some(colon_in_userinfo) = authority.get(..at).and_then(|u| u.find(':')) else {
                continue;
            };
            let password = start + colon_in_userinfo + 1..start + at;
            return Some(UriCredential { scheme, password });
        }
        None
    })
}

/// A value whose only credential part is a variable: a URI whose userinfo passwords are all
/// variables (`postgresql://$(USER):$(PASSWORD)@db`), or an HTTP authorization scheme before
/// a variable or placeholder (`Bearer ${TOKEN}`, `Basic <credentials>`).
pub(super) fn credential_is_variable(v: &str) -> bool {
    if let Some((_, start)) = auth_scheme_at(v.as_bytes(), 0) {
        return v.get(start..).is_some_and(is_variable_password);
    }
    let mut passwords = uri_passwords(v).peekable();
    passwords.peek().is_some()
        && passwords.all(|m| v.get(m.password).is_some_and(is_variable_password))
}

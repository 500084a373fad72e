//! HTTP authorization values: `Bearer <token>` and `Basic <base64 user:password>`, alone or
//! after an `Authorization` header name.

use super::*;

/// An HTTP authentication scheme whose credential travels in the header value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AuthScheme {
    /// `Bearer <token>`.
    Bearer,
    /// `Basic <base64 of user:password>`.
    Basic,
}

impl AuthScheme {
    /// The scheme as HTTP writes it, for messages.
    pub(crate) fn name(self) -> &'static str {
        match self {
            AuthScheme::Bearer => "Bearer",
            AuthScheme::Basic => "Basic",
        }
    }
}

/// An HTTP `Authorization` value with a literal credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AuthCredential {
    pub scheme: AuthScheme,
    /// The credential's byte range (the token, or the base64 of `user:password`).
    pub credential: Range<usize>,
}

/// Longest credential looked at after a scheme (JWTs run to a few KB).
pub(super) const MAX_AUTH_CREDENTIAL: usize = 16 * 1024;

/// RFC 7235 `token68`: `[A-Za-z0-9-._~+/]+=*`.
pub(super) fn is_token68(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
}

/// `Bearer`/`Basic` (any case) at `at`, followed by spaces or tabs: the scheme and where its
/// credential starts.
pub(super) fn auth_scheme_at(bytes: &[u8], at: usize) -> Option<(AuthScheme, usize)> {
    let rest = bytes.get(at..)?;
    let (scheme, len) = if rest
        .get(..6)
        .is_some_and(|w| w.eq_ignore_ascii_case(b"bearer"))
    {
        (AuthScheme::Bearer, 6)
    } else if rest
        .get(..5)
        .is_some_and(|w| w.eq_ignore_ascii_case(b"basic"))
    {
        (AuthScheme::Basic, 5)
    } else {
        return None;
    };
    let spaces = rest
        .get(len..)?
        .iter()
        .take_while(|&&b| b == b' ' || b == b'\t')
        .count();
    (spaces > 0).then_some((scheme, at + len + spaces))
}

/// The `token68` credential starting at `start`, if it is a real one: not a placeholder or a
/// documentation example, a Bearer token of 8 or more characters with a digit (or of 20 or
/// more), or a Basic value that decodes to `user:password` with a non-empty password.
pub(super) fn auth_credential_at(
    value: &str,
    scheme: AuthScheme,
    start: usize,
) -> Option<Range<usize>> {
    let bytes = value.as_bytes();
    let rest = bytes.get(start..)?;
    let mut len = rest.iter().take_while(|&&b| is_token68(b)).count();
    if len == 0 || len > MAX_AUTH_CREDENTIAL {
        return None;
    }
    len += rest.get(len..)?.iter().take_while(|&&b| b == b'=').count();
    // `Bearer ${TOKEN}`, `Bearer $(TOKEN)`: the credential is not a token68 run at all;
    // `Bearer ${TOKEN}x` or `Bearer abc{{ x }}` are templates too.
    if rest
        .get(len)
        .is_some_and(|&b| b.is_ascii_alphanumeric() || matches!(b, b'$' | b'{' | b'(' | b'%'))
    {
        return None;
    }
    let credential = value.get(start..start + len)?;
    let cred = credential.as_bytes();
    if is_placeholder(credential) || contains_example(cred) || looks_fake(cred) {
        return None;
    }
    let real = match scheme {
        AuthScheme::Bearer => len >= 20 || (len >= 8 && cred.iter().any(u8::is_ascii_digit)),
        AuthScheme::Basic => decode_base64(credential)
            .and_then(|decoded| String::from_utf8(decoded).ok())
            .and_then(|text| {
                text.split_once(':')
                    .map(|(_, password)| !is_variable_password(password))
            })
            .unwrap_or(false),
    };
    real.then_some(start..start + len)
}

/// Whether the byte before `at` is a letter or digit (so `at` does not start a word).
pub(super) fn inside_word(bytes: &[u8], at: usize) -> bool {
    at > 0 && bytes.get(at - 1).is_some_and(u8::is_ascii_alphanumeric)
}

/// An HTTP authorization credential in `value`: the whole (trimmed) value is `Bearer <token>`
/// or `Basic <base64>` (the scheme in any case), or anywhere in it an `Authorization` header
/// name (`Authorization: Bearer …`, `"Authorization": "Basic …"`, `proxy_set_header
/// Authorization "Bearer …"`) is followed by one.
///
/// Not a credential: a variable or template (`Bearer ${TOKEN}`, `Bearer $(TOKEN)`,
/// `Bearer {{ .Values.token }}`), a placeholder (`Bearer <token>`, `Bearer YOUR_TOKEN`), a
/// documentation example, a Bearer "token" shorter than 8 characters or without a digit and
/// shorter than 20 (`Bearer token`, `Bearer authentication`), a Basic value that does not
/// decode to `user:password`. Prose such as "basic auth" or "bearer tokens" is only looked at
/// after an `Authorization` header name.
pub(crate) fn find_auth_credential(value: &str) -> Option<AuthCredential> {
    let bytes = value.as_bytes();
    let trimmed_start = bytes.len() - value.trim_start().len();
    if let Some((scheme, start)) = auth_scheme_at(bytes, trimmed_start)
        && let Some(credential) = auth_credential_at(value, scheme, start)
        && credential.end == value.trim_end().len()
    {
        return Some(AuthCredential { scheme, credential });
    }
    pub(super) const HEADER: &[u8] = b"authorization";
    let mut i = 0;
    while i + HEADER.len() <= bytes.len() {
        if !bytes[i..i + HEADER.len()].eq_ignore_ascii_case(HEADER) || inside_word(bytes, i) {
            i += 1;
            continue;
        }
        i += HEADER.len();
        let separators = bytes[i..]
            .iter()
            .take(8)
            .take_while(|&&b| matches!(b, b' ' | b'\t' | b':' | b'=' | b'"' | b'\''))
            .count();
        if separators > 0
            && let Some((scheme, start)) = auth_scheme_at(bytes, i + separators)
            && let Some(credential) = auth_credential_at(value, scheme, start)
        {
            return Some(AuthCredential { scheme, credential });
        }
    }
    None
}

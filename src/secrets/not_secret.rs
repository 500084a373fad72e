//! Values that are not secrets even under a credential name: SOPS-encrypted values and
//! template placeholders.

/// SOPS: a value like `ENC[AES256_GCM,data:...,type:str]`.
///
/// The whole (trimmed) value must be `ENC[` + a cipher name + `,`-separated fields, one
/// of them `data:`, + `]`.
pub(crate) fn is_sops_value(value: &str) -> bool {
    let Some(inner) = value
        .trim()
        .strip_prefix("ENC[")
        .and_then(|s| s.strip_suffix(']'))
    else {
        return false;
    };
    let mut fields = inner.split(',');
    let cipher = fields.next().unwrap_or("");
    !cipher.is_empty()
        && cipher
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && fields.any(|f| f.starts_with("data:"))
}

pub(super) fn is_identifier(s: &str, allow_lower: bool, extra: &[u8]) -> bool {
    let mut bytes = s.bytes();
    let Some(first) = bytes.next() else {
        return false;
    };
    let letter = |b: u8| b.is_ascii_uppercase() || (allow_lower && b.is_ascii_lowercase());
    (letter(first) || first == b'_')
        && bytes.all(|b| letter(b) || b.is_ascii_digit() || b == b'_' || extra.contains(&b))
}

/// Placeholder values that are not secrets: `${VAR}`, `$VAR`, `$(VAR)`, `{{ .Values.x }}`,
/// `<password>`, `<PLACEHOLDER>`, and an empty or whitespace-only value.
///
/// The whole (trimmed) value must be the placeholder. `${VAR:?message}` counts, but
/// `${VAR:-default}` does not (its default is a literal value). A bare `$VAR` must be
/// upper case, since `$ecret`-like passwords exist. Weak real passwords such as `changeme`
/// are *not* placeholders.
pub(crate) fn is_placeholder(value: &str) -> bool {
    let v = value.trim();
    if v.is_empty() {
        return true;
    }
    if let Some(inner) = v.strip_prefix("${").and_then(|s| s.strip_suffix('}')) {
        let name = match inner.find('?') {
            Some(q) => inner.get(..q).map(|n| n.strip_suffix(':').unwrap_or(n)),
            None => Some(inner),
        };
        return !inner.contains(['{', '}']) && name.is_some_and(|n| is_identifier(n, true, b"."));
    }
    if let Some(inner) = v.strip_prefix("$(").and_then(|s| s.strip_suffix(')')) {
        return is_identifier(inner, true, b".-");
    }
    if let Some(name) = v.strip_prefix('$') {
        return is_identifier(name, false, b"");
    }
    if v.starts_with("{{") && v.ends_with("}}") && v.len() >= 4 {
        return true;
    }
    // `GOOGLE_API_KEY_VAL`, `YOUR_TOKEN_HERE`: an identifier for `sed` or a human to replace.
    let mut words = v.split('_');
    let upper_word = |w: &str| {
        !w.is_empty()
            && w.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    };
    if v.contains('_')
        && words.next().is_some_and(|w| {
            w.bytes().next().is_some_and(|b| b.is_ascii_uppercase()) && upper_word(w)
        })
        && words.all(upper_word)
    {
        return true;
    }
    if let Some(inner) = v.strip_prefix('<').and_then(|s| s.strip_suffix('>')) {
        return inner.bytes().any(|b| b.is_ascii_alphabetic())
            && inner
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b' ' | b'_' | b'-' | b'.'));
    }
    false
}

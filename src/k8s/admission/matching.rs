//! How each engine matches an image against its patterns: the names it compares (Kyverno's,
//! policy-controller's and Connaisseur's spellings of a reference) and its glob dialect
//! (Kyverno's wildcard, gobwas globs, policy-controller's globs), on one token matcher.

use super::*;

/// The names an engine matches patterns against, for one image.
pub(super) fn subjects(syntax: PatternSyntax, image: &ImageRef) -> Vec<String> {
    match syntax {
        PatternSyntax::KyvernoWildcard => kyverno_names(image),
        PatternSyntax::KyvernoGlob => vec![image.written.clone()],
        PatternSyntax::SigstoreGlob => vec![sigstore_name(image)],
        PatternSyntax::Connaisseur => vec![connaisseur_name(image)],
        PatternSyntax::OpenShiftScope => vec![image.full()],
        PatternSyntax::None => Vec::new(),
    }
}

pub(super) fn matches(syntax: PatternSyntax, pattern: &str, subject: &str) -> bool {
    match syntax {
        PatternSyntax::KyvernoWildcard => kyverno_wildcard(pattern, subject),
        PatternSyntax::KyvernoGlob | PatternSyntax::Connaisseur => gobwas_glob(pattern, subject),
        PatternSyntax::SigstoreGlob => sigstore_glob(pattern, subject),
        PatternSyntax::OpenShiftScope | PatternSyntax::None => false,
    }
}

/// The names Kyverno matches `verifyImages` patterns against: `ImageInfo.String()`
/// (`pkg/utils/image/infos.go`), built by `reference.Parse` after `addDefaultRegistry`, so the
/// registry is kept as written (`index.docker.io` stays, `docker.io` when none) and followed
/// by `@digest` when there is one (the tag dropped), else `:tag` (`latest` by default).
/// Kyverno releases differ on one point: newer ones prefix a one-component path with
/// `library/` whatever the registry (`docker.io/library/nginx:latest`), older ones do not
/// (`docker.io/nginx:latest`, as in the Kyverno 1.x tests). Both spellings are tried.
pub(super) fn kyverno_names(image: &ImageRef) -> Vec<String> {
    let registry = if image.registry_implied {
        "docker.io"
    } else {
        image.written.split('/').next().unwrap_or(&image.registry)
    };
    let path = if image.library_implied {
        image
            .repository
            .strip_prefix("library/")
            .unwrap_or(&image.repository)
    } else {
        &image.repository
    };
    let suffix = match (&image.digest, &image.tag) {
        (Some(digest), _) => format!("@{digest}"),
        (None, Some(tag)) => format!(":{tag}"),
        (None, None) => ":latest".to_string(),
    };
    let mut names = vec![format!("{registry}/{path}{suffix}")];
    if !path.contains('/') {
        names.push(format!("{registry}/library/{path}{suffix}"));
    }
    names
}

/// Kyverno's wildcard match (`pkg/utils/wildcard` and `ext/wildcard`): `*` matches any run of
/// characters, `/` included, `?` exactly one; no escapes or classes; the whole name must
/// match. (Releases that used `github.com/IGLOU-EU/go-wildcard/v2` unmodified also took `.` as
/// a one-character wildcard, which only ever matches more.)
pub(super) fn kyverno_wildcard(pattern: &str, name: &str) -> bool {
    let tokens: Vec<Token> = pattern
        .chars()
        .map(|c| match c {
            '*' => Token::Any,
            '?' => Token::One,
            c => Token::Literal(c),
        })
        .collect();
    match_tokens(&tokens, name)
}

/// A `github.com/gobwas/glob` match compiled without separators, as Kyverno's
/// `ImageValidatingPolicy` and Connaisseur use it: `*` (and `**`) match any run, `?` one
/// character, `[abc]`/`[a-z]`/`[!...]` a class, `{a,b}` alternatives, `\` escapes. A pattern
/// gobwas would reject (an unclosed `[` or `{`) matches nothing.
pub(super) fn gobwas_glob(pattern: &str, name: &str) -> bool {
    let chars: Vec<char> = pattern.chars().collect();
    let mut pos = 0;
    let Some(alternatives) = parse_glob(&chars, &mut pos, false, 0) else {
        return false;
    };
    pos == chars.len() && alternatives.iter().any(|tokens| match_tokens(tokens, name))
}

/// Most alternatives a `{a,b}` pattern may expand to before it is given up on.
pub(super) const MAX_ALTERNATIVES: usize = 256;

/// Parse a glob sequence up to the end, or (inside braces) up to `,` or `}`, expanding
/// alternatives.
pub(super) fn parse_glob(
    chars: &[char],
    pos: &mut usize,
    in_braces: bool,
    depth: usize,
) -> Option<Vec<Vec<Token>>> {
    if depth > 16 {
        return None;
    }
    let mut out: Vec<Vec<Token>> = vec![Vec::new()];
    while let Some(&c) = chars.get(*pos) {
        let token = match c {
            ',' | '}' if in_braces => break,
            '\\' => {
                *pos += 1;
                Token::Literal(*chars.get(*pos)?)
            }
            '*' => {
                while chars.get(*pos + 1) == Some(&'*') {
                    *pos += 1;
                }
                Token::Any
            }
            '?' => Token::One,
            '[' => parse_class(chars, pos)?,
            '{' => {
                *pos += 1;
                let mut alternatives = Vec::new();
                loop {
                    alternatives.extend(parse_glob(chars, pos, true, depth + 1)?);
                    match chars.get(*pos) {
                        Some(',') => *pos += 1,
                        Some('}') => break,
                        _ => return None,
                    }
                }
                *pos += 1;
                if out.len().saturating_mul(alternatives.len()) > MAX_ALTERNATIVES {
                    return None;
                }
                out = out
                    .iter()
                    .flat_map(|head| {
                        alternatives.iter().map(move |tail| {
                            let mut joined = head.clone();
                            joined.extend(tail.iter().cloned());
                            joined
                        })
                    })
                    .collect();
                continue;
            }
            c => Token::Literal(c),
        };
        *pos += 1;
        for tokens in &mut out {
            tokens.push(token.clone());
        }
    }
    Some(out)
}

/// Parse `[...]` at `pos`, leaving `pos` on the closing `]`.
pub(super) fn parse_class(chars: &[char], pos: &mut usize) -> Option<Token> {
    *pos += 1;
    let negated = chars.get(*pos) == Some(&'!');
    if negated {
        *pos += 1;
    }
    let mut ranges = Vec::new();
    loop {
        let mut c = *chars.get(*pos)?;
        if c == ']' {
            break;
        }
        if c == '\\' {
            *pos += 1;
            c = *chars.get(*pos)?;
        }
        let mut hi = c;
        if chars.get(*pos + 1) == Some(&'-') && chars.get(*pos + 2).is_some_and(|&e| e != ']') {
            hi = *chars.get(*pos + 2)?;
            *pos += 2;
        }
        ranges.push((c, hi));
        *pos += 1;
    }
    (!ranges.is_empty()).then_some(Token::Class { negated, ranges })
}

/// One element of a compiled pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Token {
    Literal(char),
    /// Any one character.
    One,
    /// Any run of characters, possibly empty.
    Any,
    /// Any run of characters other than `/`, possibly empty.
    AnyButSlash,
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

/// Whether `tokens` match the whole of `name`, by simulating the pattern as an automaton: time
/// is proportional to pattern length times name length, whatever the pattern.
pub(super) fn match_tokens(tokens: &[Token], name: &str) -> bool {
    let skip_runs = |states: &mut Vec<bool>| {
        for i in 0..tokens.len() {
            if states[i] && matches!(tokens[i], Token::Any | Token::AnyButSlash) {
                states[i + 1] = true;
            }
        }
    };
    let mut states = vec![false; tokens.len() + 1];
    states[0] = true;
    skip_runs(&mut states);
    for c in name.chars() {
        let mut next = vec![false; tokens.len() + 1];
        for (i, token) in tokens.iter().enumerate() {
            if !states[i] {
                continue;
            }
            match token {
                Token::Literal(l) if *l == c => next[i + 1] = true,
                Token::One => next[i + 1] = true,
                Token::Any => next[i] = true,
                Token::AnyButSlash if c != '/' => next[i] = true,
                Token::Class { negated, ranges } => {
                    let inside = ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi);
                    if inside != *negated {
                        next[i + 1] = true;
                    }
                }
                _ => {}
            }
        }
        skip_runs(&mut next);
        if !next.contains(&true) {
            return false;
        }
        states = next;
    }
    states[tokens.len()]
}

// ---------------------------------------------------------------------------------------------
// Helpers

/// The API group of an `apiVersion` ("" for the core group's `v1`).
pub(super) fn api_group(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(group, _)| group)
}

pub(super) fn name_of(object: &Object<'_>) -> String {
    object.name.unwrap_or_default().to_string()
}

pub(super) fn kind_span(object: &Object<'_>) -> Span {
    object.node.get("kind").map(|k| k.span).unwrap_or_default()
}

pub(super) fn text(node: Option<&Node>) -> Option<&str> {
    node.and_then(Node::as_str)
}

pub(super) fn as_bool(node: &Node) -> Option<bool> {
    match &node.value {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

pub(super) fn items(node: Option<&Node>) -> &[Node] {
    node.and_then(Node::items).unwrap_or_default()
}

/// The strings of a sequence (other items skipped).
pub(super) fn strings(node: Option<&Node>) -> Vec<String> {
    items(node)
        .iter()
        .filter_map(Node::as_str)
        .map(str::to_string)
        .collect()
}

/// Kyverno's `Enforce` (older releases wrote it `enforce`).
pub(super) fn is_enforce(node: &Node) -> bool {
    node.as_str()
        .is_some_and(|s| s.eq_ignore_ascii_case("enforce"))
}

/// Length in characters of the common prefix of `a` and `b`.
pub(super) fn common_prefix(a: &str, b: &str) -> usize {
    a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count()
}

/// Assemble a [`SigningPolicy`], or nothing when no rule verifies and it does not cover all.
pub(super) fn finish_signing(
    object: &Object<'_>,
    kind: &'static str,
    syntax: PatternSyntax,
    rules: Vec<ImageRule>,
    covers_all: bool,
    enforcing: bool,
    notes: Vec<String>,
) -> Option<SigningPolicy> {
    if !covers_all && !rules.iter().any(|r| r.verifies) {
        return None;
    }
    let mut patterns: Vec<String> = Vec::new();
    for pattern in rules
        .iter()
        .filter(|r| r.verifies)
        .flat_map(|r| &r.patterns)
    {
        if !patterns.contains(pattern) {
            patterns.push(pattern.clone());
        }
    }
    Some(SigningPolicy {
        kind,
        name: name_of(object),
        patterns,
        covers_all,
        enforcing,
        note: (!notes.is_empty()).then(|| notes.join("; ")),
        span: kind_span(object),
        syntax,
        rules,
    })
}

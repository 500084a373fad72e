//! Well-known tokens: high-confidence token formats (AWS, GitHub, GitLab, Slack, PEM keys...)
//! found in any value, reported by kind and byte range.

use super::*;

/// What kind of high-confidence token a value holds, and where.
///
/// `start..end` is a byte range into the string given to [`find_token`], always on char
/// boundaries. The match never holds the token text itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TokenMatch {
    /// The kind of token found.
    pub kind: TokenKind,
    /// Byte offset of the token's first byte.
    pub start: usize,
    /// Byte offset just past the token's last byte.
    pub end: usize,
}

impl TokenMatch {
    #[cfg(test)]
    /// The token's byte range in the scanned string.
    pub(crate) fn range(&self) -> Range<usize> {
        self.start..self.end
    }
}

/// The kinds of token [`find_token`] recognises, each a documented, prefixed format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum TokenKind {
    /// AWS access key id: `AKIA`/`ASIA`/`ABIA`/`ACCA` + 16 `[A-Z0-9]`.
    AwsAccessKeyId,
    /// GitHub token: `ghp_`/`gho_`/`ghu_`/`ghs_`/`ghr_` + at least 36 base62, or
    /// `github_pat_` + at least 82 `[A-Za-z0-9_]`.
    GithubToken,
    /// GitLab token: `glpat-` (and `gldt-`, `glrt-`, `glptt-`) + at least 20 characters.
    GitlabToken,
    /// Slack token: `xoxb-`, `xoxa-`, `xoxp-`, `xoxr-`, `xoxs-`, `xoxe-` or `xapp-` + at least
    /// two `-`-separated alphanumeric groups, the first starting with a digit; 20+ bytes.
    SlackToken,
    /// Slack incoming webhook URL: `https://hooks.slack.com/services/T…/B…/…`.
    SlackWebhook,
    /// PEM private key block: `-----BEGIN (RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE
    /// KEY( BLOCK)?-----`.
    PrivateKey,
    /// Google API key: `AIza` + exactly 35 `[A-Za-z0-9_-]`.
    GoogleApiKey,
    /// Stripe live secret or restricted key: `sk_live_` / `rk_live_` + at least 24 base62.
    StripeLiveKey,
    /// npm access token: `npm_` + 36 base62.
    NpmToken,
    /// PyPI API token: `pypi-AgEIcHlwaS5vcmc` + at least 50 characters.
    PypiToken,
    /// Docker Hub personal or organization access token: `dckr_pat_` / `dckr_oat_` + 27+.
    DockerHubToken,
}

impl TokenKind {
    /// A short phrase naming the kind, for messages: "an AWS access key id".
    pub(crate) fn describe(self) -> &'static str {
        match self {
            TokenKind::AwsAccessKeyId => "an AWS access key id",
            TokenKind::GithubToken => "a GitHub token",
            TokenKind::GitlabToken => "a GitLab token",
            TokenKind::SlackToken => "a Slack token",
            TokenKind::SlackWebhook => "a Slack webhook URL",
            TokenKind::PrivateKey => "a PEM private key",
            TokenKind::GoogleApiKey => "a Google API key",
            TokenKind::StripeLiveKey => "a Stripe live key",
            TokenKind::NpmToken => "an npm access token",
            TokenKind::PypiToken => "a PyPI API token",
            TokenKind::DockerHubToken => "a Docker Hub access token",
        }
    }
}

pub(super) fn is_base62(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

pub(super) fn is_upper_alnum(b: u8) -> bool {
    b.is_ascii_uppercase() || b.is_ascii_digit()
}

/// `[A-Za-z0-9_-]`
pub(super) fn is_url_b64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// `[A-Za-z0-9_]`
pub(super) fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Longest random part accepted for the variable-length formats (real ones are well under
/// 300 bytes): a longer run is some other kind of data.
pub(super) const MAX_TOKEN_RUN: usize = 512;

/// The byte classes that token bodies are made of.
#[derive(Clone, Copy)]
pub(super) enum Class {
    /// `[A-Z0-9]`
    UpperAlnum,
    /// `[A-Za-z0-9]`
    Base62,
    /// `[A-Za-z0-9_]`
    Word,
    /// `[A-Za-z0-9_-]`
    UrlB64,
    /// `[A-Za-z0-9_.-]`
    UrlB64Dot,
    /// `[A-Za-z0-9-]`
    Base62Dash,
}

impl Class {
    pub(super) const COUNT: usize = 6;

    pub(super) fn accepts(self, b: u8) -> bool {
        match self {
            Class::UpperAlnum => is_upper_alnum(b),
            Class::Base62 => is_base62(b),
            Class::Word => is_word_byte(b),
            Class::UrlB64 => is_url_b64(b),
            Class::UrlB64Dot => is_url_b64(b) || b == b'.',
            Class::Base62Dash => is_base62(b) || b == b'-',
        }
    }
}

/// Runs of each [`Class`] measured so far. The scan only moves forward, so a candidate
/// starting inside the last run of its class shares that run's end: remembering it keeps
/// the whole scan linear on hostile input such as `xoxb-1-xoxb-1-…`.
#[derive(Default)]
pub(super) struct Runs {
    pub(super) last: [Option<(usize, usize)>; Class::COUNT],
}

impl Runs {
    /// Length of the run of `class` bytes starting at `from`.
    pub(super) fn len(&mut self, bytes: &[u8], from: usize, class: Class) -> usize {
        let slot = &mut self.last[class as usize];
        if let Some((start, end)) = *slot
            && start <= from
            && from <= end
        {
            return end - from;
        }
        let n = bytes.get(from..).map_or(0, |rest| {
            rest.iter().take_while(|&&b| class.accepts(b)).count()
        });
        *slot = Some((from, from + n));
        n
    }
}

/// Whether a variable-length run is at least `min` long and not over the cap.
pub(super) fn run_fits(run: usize, min: usize) -> bool {
    (min..=MAX_TOKEN_RUN).contains(&run)
}

/// Whether the char just before byte `at` (a char boundary) is alphanumeric.
pub(super) fn alnum_before(value: &str, at: usize) -> bool {
    value
        .get(..at)
        .and_then(|s| s.chars().next_back())
        .is_some_and(char::is_alphanumeric)
}

/// Whether the char starting at byte `at` (a char boundary) satisfies `pred`.
pub(super) fn char_at_is(value: &str, at: usize, pred: impl Fn(char) -> bool) -> bool {
    value
        .get(at..)
        .and_then(|s| s.chars().next())
        .is_some_and(pred)
}

/// A documentation placeholder rather than a real token: the random part has fewer than
/// three distinct alphanumeric characters (`XXXX…`, `0000…`, `...`).
pub(super) fn looks_fake(body: &[u8]) -> bool {
    let mut seen: [u8; 2] = [0; 2];
    let mut n = 0;
    for &b in body.iter().filter(|b| b.is_ascii_alphanumeric()) {
        if seen[..n].contains(&b) {
            continue;
        }
        if n == 2 {
            return false;
        }
        seen[n] = b;
        n += 1;
    }
    true
}

/// Whether `hay` contains "example", ASCII case-insensitively.
pub(super) fn contains_example(hay: &[u8]) -> bool {
    hay.windows(7).any(|w| w.eq_ignore_ascii_case(b"example"))
}

/// A candidate found at one position: kind, end, and the range of its random part.
pub(super) struct Candidate {
    pub(super) kind: TokenKind,
    pub(super) end: usize,
    pub(super) body: Range<usize>,
}

pub(super) const AWS_PREFIXES: &[&[u8]] = &[b"AKIA", b"ASIA", b"ABIA", b"ACCA"];
pub(super) const GITHUB_PREFIXES: &[&[u8]] = &[b"ghp_", b"gho_", b"ghu_", b"ghs_", b"ghr_"];
pub(super) const GITLAB_PREFIXES: &[&[u8]] = &[b"glpat-", b"gldt-", b"glrt-", b"glptt-"];
pub(super) const SLACK_PREFIXES: &[&[u8]] = &[
    b"xoxb-", b"xoxa-", b"xoxp-", b"xoxr-", b"xoxs-", b"xoxe-", b"xapp-",
];
pub(super) const SLACK_WEBHOOK_PREFIXES: &[&[u8]] = &[
    b"https://hooks.slack.com/services/",
    b"http://hooks.slack.com/services/",
];
pub(super) const PEM_KINDS: &[&[u8]] = &[
    b"",
    b"RSA ",
    b"EC ",
    b"DSA ",
    b"OPENSSH ",
    b"ENCRYPTED ",
    b"PGP ",
];

pub(super) fn prefix_at<'a>(bytes: &[u8], at: usize, prefixes: &[&'a [u8]]) -> Option<&'a [u8]> {
    let rest = bytes.get(at..)?;
    prefixes.iter().copied().find(|p| rest.starts_with(p))
}

/// One `/`-separated segment of a Slack webhook path at `*at`: an optional leading byte and
/// at least `min` base62 bytes in all. Advances `*at` past it.
pub(super) fn slack_segment(
    bytes: &[u8],
    runs: &mut Runs,
    at: &mut usize,
    lead: Option<u8>,
    min: usize,
) -> Option<Range<usize>> {
    if let Some(lead) = lead
        && bytes.get(*at) != Some(&lead)
    {
        return None;
    }
    let run = runs.len(bytes, *at, Class::Base62);
    if !run_fits(run, min) {
        return None;
    }
    let range = *at..*at + run;
    *at += run;
    Some(range)
}

/// The token candidate starting at byte `i` of `value`, if any. `i` is a char boundary
/// whenever `bytes[i]` is ASCII, which every prefix checked here starts with.
pub(super) fn candidate_at(value: &str, i: usize, runs: &mut Runs) -> Option<Candidate> {
    let bytes = value.as_bytes();
    let first = *bytes.get(i)?;
    if !first.is_ascii() {
        return None;
    }
    // Every format starts a word: `xAKIA…` or `fooghp_…` is not a token.
    let fresh = || !alnum_before(value, i);
    match first {
        b'A' => {
            if prefix_at(bytes, i, AWS_PREFIXES).is_some() && fresh() {
                let body = i + 4..i + 20;
                if runs.len(bytes, i + 4, Class::UpperAlnum) >= 16
                    && !char_at_is(value, i + 20, char::is_alphanumeric)
                {
                    return Some(Candidate {
                        kind: TokenKind::AwsAccessKeyId,
                        end: i + 20,
                        body,
                    });
                }
            }
            if bytes.get(i..)?.starts_with(b"AIza") && fresh() {
                let run = runs.len(bytes, i + 4, Class::UrlB64);
                if run == 35 {
                    return Some(Candidate {
                        kind: TokenKind::GoogleApiKey,
                        end: i + 39,
                        body: i + 4..i + 39,
                    });
                }
            }
            None
        }
        b'g' => {
            if !fresh() {
                return None;
            }
            if let Some(p) = prefix_at(bytes, i, GITHUB_PREFIXES) {
                let start = i + p.len();
                let run = runs.len(bytes, start, Class::Base62);
                if run_fits(run, 36) {
                    return Some(Candidate {
                        kind: TokenKind::GithubToken,
                        end: start + run,
                        body: start..start + run,
                    });
                }
            }
            if bytes.get(i..)?.starts_with(b"github_pat_") {
                let start = i + 11;
                let run = runs.len(bytes, start, Class::Word);
                if run_fits(run, 82) {
                    return Some(Candidate {
                        kind: TokenKind::GithubToken,
                        end: start + run,
                        body: start..start + run,
                    });
                }
            }
            if let Some(p) = prefix_at(bytes, i, GITLAB_PREFIXES) {
                let start = i + p.len();
                let mut run = runs.len(bytes, start, Class::UrlB64Dot);
                if run > MAX_TOKEN_RUN {
                    return None;
                }
                // Trailing punctuation belongs to the surrounding text.
                while run > 0 && matches!(bytes.get(start + run - 1), Some(b'.' | b'-')) {
                    run -= 1;
                }
                if run >= 20 {
                    return Some(Candidate {
                        kind: TokenKind::GitlabToken,
                        end: start + run,
                        body: start..start + run,
                    });
                }
            }
            None
        }
        b'x' => {
            let p = prefix_at(bytes, i, SLACK_PREFIXES)?;
            if !fresh() {
                return None;
            }
            let start = i + p.len();
            if !bytes.get(start).is_some_and(u8::is_ascii_digit) {
                return None;
            }
            let mut run = runs.len(bytes, start, Class::Base62Dash);
            if run > MAX_TOKEN_RUN {
                return None;
            }
            while run > 0 && bytes.get(start + run - 1) == Some(&b'-') {
                run -= 1;
            }
            let groups = bytes.get(start..start + run)?;
            let last_group_start = groups.iter().rposition(|&b| b == b'-')? + 1;
            if p.len() + run >= 20 {
                return Some(Candidate {
                    kind: TokenKind::SlackToken,
                    end: start + run,
                    body: start + last_group_start..start + run,
                });
            }
            None
        }
        b'h' => {
            let p = prefix_at(bytes, i, SLACK_WEBHOOK_PREFIXES)?;
            if !fresh() {
                return None;
            }
            let mut at = i + p.len();
            slack_segment(bytes, runs, &mut at, Some(b'T'), 7)?;
            if bytes.get(at) != Some(&b'/') {
                return None;
            }
            at += 1;
            slack_segment(bytes, runs, &mut at, Some(b'B'), 7)?;
            if bytes.get(at) != Some(&b'/') {
                return None;
            }
            at += 1;
            let secret = slack_segment(bytes, runs, &mut at, None, 16)?;
            Some(Candidate {
                kind: TokenKind::SlackWebhook,
                end: secret.end,
                body: secret,
            })
        }
        b'-' => {
            let rest = bytes.get(i..)?;
            let after_begin = rest.strip_prefix(b"-----BEGIN ")?;
            let kind_len = PEM_KINDS
                .iter()
                .filter(|k| after_begin.starts_with(k))
                .map(|k| k.len())
                .max()?;
            let after_kind = after_begin.get(kind_len..)?.strip_prefix(b"PRIVATE KEY")?;
            let after_block = after_kind.strip_prefix(b" BLOCK").unwrap_or(after_kind);
            if !after_block.starts_with(b"-----") {
                return None;
            }
            let header_end = i + (rest.len() - after_block.len()) + 5;
            // The base64 body never holds "-----": it ends at the END line (or at another
            // BEGIN, or at the end of the value when the key is cut short).
            let body_end = value
                .get(header_end..)
                .and_then(|s| s.find("-----"))
                .map_or(value.len(), |j| header_end + j);
            let end = if bytes
                .get(body_end..)
                .is_some_and(|r| r.starts_with(b"-----END "))
            {
                // Through the closing dashes of the END line, or to the end of that line.
                // Labels are short: look no further than 128 bytes.
                let label_start = body_end + 9;
                let mut limit = value.len().min(label_start + 128);
                while limit > label_start && !value.is_char_boundary(limit) {
                    limit -= 1;
                }
                let line = value
                    .get(label_start..limit)
                    .and_then(|s| s.split('\n').next())
                    .unwrap_or("");
                match line.find("-----") {
                    Some(j) => label_start + j + 5,
                    None => label_start + line.trim_end().len(),
                }
            } else {
                let body = bytes.get(header_end..body_end).unwrap_or_default();
                header_end + body.trim_ascii_end().len()
            };
            Some(Candidate {
                kind: TokenKind::PrivateKey,
                end,
                body: header_end..body_end,
            })
        }
        b's' | b'r' => {
            let rest = bytes.get(i..)?;
            if !(rest.starts_with(b"sk_live_") || rest.starts_with(b"rk_live_")) || !fresh() {
                return None;
            }
            let run = runs.len(bytes, i + 8, Class::Base62);
            run_fits(run, 24).then_some(Candidate {
                kind: TokenKind::StripeLiveKey,
                end: i + 8 + run,
                body: i + 8..i + 8 + run,
            })
        }
        b'n' => {
            if !bytes.get(i..)?.starts_with(b"npm_") || !fresh() {
                return None;
            }
            let run = runs.len(bytes, i + 4, Class::Base62);
            (run == 36).then_some(Candidate {
                kind: TokenKind::NpmToken,
                end: i + 40,
                body: i + 4..i + 40,
            })
        }
        b'p' => {
            const PYPI: &[u8] = b"pypi-AgEIcHlwaS5vcmc";
            if !bytes.get(i..)?.starts_with(PYPI) || !fresh() {
                return None;
            }
            let start = i + PYPI.len();
            let run = runs.len(bytes, start, Class::UrlB64);
            run_fits(run, 50).then_some(Candidate {
                kind: TokenKind::PypiToken,
                end: start + run,
                body: start..start + run,
            })
        }
        b'd' => {
            let rest = bytes.get(i..)?;
            if !(rest.starts_with(b"dckr_pat_") || rest.starts_with(b"dckr_oat_")) || !fresh() {
                return None;
            }
            let start = i + 9;
            let run = runs.len(bytes, start, Class::UrlB64);
            run_fits(run, 27).then_some(Candidate {
                kind: TokenKind::DockerHubToken,
                end: start + run,
                body: start..start + run,
            })
        }
        _ => None,
    }
}

/// Scan `value` from byte `from` for the next real (non-placeholder) token.
pub(super) fn next_token(value: &str, from: usize, runs: &mut Runs) -> Option<TokenMatch> {
    let bytes = value.as_bytes();
    let mut i = from;
    while i < bytes.len() {
        if let Some(c) = candidate_at(value, i, runs) {
            let body = bytes.get(c.body.clone()).unwrap_or_default();
            let whole = bytes.get(i..c.end).unwrap_or_default();
            // NOTE: documentation examples are not findings: AWS's own example key
            // `AKIAIOSFODNN7EXAMPLE` (and any other token with "example" in it, in any case),
            // and placeholders whose random part has fewer than three distinct alphanumeric
            // characters (`ghp_XXXX…`, `T00000000/B00000000/XXXX…`, a PEM body of `...`).
            // A PEM block is judged on its body alone.
            let example = c.kind != TokenKind::PrivateKey && contains_example(whole);
            if !example && !looks_fake(body) {
                return Some(TokenMatch {
                    kind: c.kind,
                    start: i,
                    end: c.end,
                });
            }
            if c.kind == TokenKind::PrivateKey {
                // Skip the fake body (it holds no token), keeping the scan linear.
                i = c.body.end.max(i + 1);
                continue;
            }
        }
        i += 1;
    }
    None
}

/// The first (leftmost) high-confidence token in `value`, if any.
///
/// Only documented, prefixed formats are recognised (see [`TokenKind`]), each starting at
/// a word boundary. AWS access key ids and Google API keys must also end at one. For a
/// private key the range runs from `-----BEGIN` through the matching `-----END …-----`
/// line, or to the end of its body if there is none. Variable-length tokens longer than
/// 512 bytes are not matched (they are some other data). Documentation examples are
/// skipped: tokens containing `EXAMPLE` in any case (AWS's `AKIAIOSFODNN7EXAMPLE`) and
/// tokens whose random part has fewer than three distinct alphanumeric characters
/// (`ghp_XXXX…`, a PEM body of `...`).
pub(crate) fn find_token(value: &str) -> Option<TokenMatch> {
    next_token(value, 0, &mut Runs::default())
}

#[cfg(test)]
/// Every non-overlapping high-confidence token in `value`, left to right (see
/// [`find_token`]).
pub(crate) fn find_tokens(value: &str) -> Vec<TokenMatch> {
    let mut runs = Runs::default();
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(m) = next_token(value, from, &mut runs) {
        from = m.end.max(m.start + 1);
        found.push(m);
    }
    found
}

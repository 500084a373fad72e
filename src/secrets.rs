//! Detection of credentials in Kubernetes manifest values.
//!
//! `imagegate` scans manifests from untrusted pull requests for credentials committed in
//! plain text: env vars and ConfigMap keys whose *names* say they hold a credential
//! ([`is_credential_name`]), values that *look like* a well-known token whatever their name
//! ([`find_token`]), passwords in URIs ([`find_uri_credential`]), HTTP `Bearer`/`Basic`
//! values ([`find_auth_credential`]), and docker registry configs (`.dockerconfigjson` /
//! `.dockercfg`) that carry registry logins ([`docker_config_in_value`]). It also recognises
//! values that are not secrets even under a credential name: SOPS-encrypted values
//! ([`is_sops_value`]) and template placeholders ([`is_placeholder`]); and what a Secret key
//! holds when it is clearly not a credential — a user name, a host, a certificate
//! ([`non_secret_material`]).
//!
//! Every function here takes untrusted input and never panics on it. The work is linear in
//! the size of the input (JSON is parsed with `serde_json`'s default recursion limit).
//!
//! **A secret's value is never returned or formatted by this module.** Token, URI and
//! authorization matches are reported as a kind plus byte ranges into the caller's string
//! (a URI's scheme may be named, never its userinfo), and a docker config is reported only by
//! its registry hosts. No type here holds a secret value, so the derived
//! `Debug` impls cannot print one.

use std::ops::Range;

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde_json::{Map, Value};

// ---------------------------------------------------------------------------------------
// Credential names
// ---------------------------------------------------------------------------------------

/// Words that name a credential on their own (compared to whole, lowercased words).
const CREDENTIAL_WORDS: &[&str] = &[
    "password",
    "passwords",
    "passwd",
    "pwd",
    "passphrase",
    "secret",
    "secrets",
    "token",
    // NOTE: not `tokens`: `MAX_TOKENS`, `MAX_BATCH_PREFILL_TOKENS` are counts (LLM servers).
    "apikey",
    "apikeys",
    "credential",
    "credentials",
    "creds",
    "auth",
    "bearer",
    "htpasswd",
    "pat",
    "connectionstring",
];

/// Substrings that make any word a credential word (`DBPASSWORD`, `htpasswd`).
const CREDENTIAL_INFIXES: &[&str] = &["password", "passwd", "passphrase"];

/// Suffixes that make a run-together word a credential word (`APITOKEN`, `JWTSECRET`).
const CREDENTIAL_SUFFIXES: &[&str] = &[
    "token",
    "secret",
    "secrets",
    "apikey",
    "accesskey",
    "accountkey",
    "storagekey",
    "secretkey",
    "privatekey",
    "sessionkey",
    "signingkey",
    "encryptionkey",
];

/// Two consecutive words that together name a credential.
const CREDENTIAL_PAIRS: &[(&str, &str)] = &[
    ("api", "key"),
    ("api", "keys"),
    ("access", "key"),
    ("secret", "key"),
    ("private", "key"),
    ("client", "secret"),
    ("session", "key"),
    ("signing", "key"),
    ("encryption", "key"),
    ("connection", "string"),
    ("pass", "phrase"),
    // Cloud storage and service keys: `AZURE_STORAGE_ACCOUNT_KEY`, `CACHE_STORAGE_KEY`,
    // `OCP_APIM_SUBSCRIPTION_KEY`, `MEILI_MASTER_KEY`, and the key material of
    // `OCI_CLI_KEY_CONTENT`.
    ("account", "key"),
    ("storage", "key"),
    ("subscription", "key"),
    ("master", "key"),
    ("key", "content"),
];

/// A vendor whose `<VENDOR>_…_KEY` names are credentials (`AZURE_OPENAI_KEY`,
/// `AZURE_SEARCH_KEY`): Azure's services authenticate with keys named that way.
///
/// NOTE: `*_KEY` alone is not a credential name (`CACHE_KEY`, `SORT_KEY`, `PARTITION_KEY`),
/// and neither is a key-management key (`AZURE_KEYVAULT_KEY`, `AZURE_KMS_KEY`): those name a
/// key kept elsewhere.
const KEY_VENDORS: &[&str] = &["azure"];

/// Words that make a vendor's `…_KEY` name a reference to a managed key, not a key.
const KEY_MANAGEMENT_WORDS: &[&str] = &["kms", "vault", "keyvault", "hsm"];

/// A name whose last word is one of these names something *about* a credential (where it
/// lives, how long it lasts, whether it is on), not the credential itself.
const NON_SECRET_LAST_WORDS: &[&str] = &[
    // what else it is: an image, or a file's content (`secret.html`, `auth.json`)
    "image",
    "images",
    "html",
    "json",
    "yaml",
    "yml",
    "txt",
    "conf",
    "cfg",
    "ini",
    "toml",
    "xml",
    "properties",
    // who it is for
    "role",
    "roles",
    // where it lives
    "file",
    "files",
    "filename",
    "filepath",
    "path",
    "paths",
    "dir",
    "dirs",
    "directory",
    "folder",
    "location",
    "mount",
    "volume",
    "name",
    "names",
    "ref",
    "reference",
    "url",
    "urls",
    "uri",
    "endpoint",
    "host",
    "hostname",
    "port",
    "addr",
    "address",
    "env",
    "var",
    "variable",
    "store",
    "backend",
    "provider",
    "source",
    "namespace",
    "label",
    // switches
    "enabled",
    "enable",
    "disabled",
    "disable",
    "required",
    "flag",
    // time
    "ttl",
    "timeout",
    "expiry",
    "expiration",
    "expires",
    "expire",
    "lifetime",
    "duration",
    "interval",
    "age",
    "seconds",
    "secs",
    "sec",
    "ms",
    "minutes",
    "mins",
    "hours",
    "days",
    "rotation",
    // shape and policy
    "length",
    "len",
    "size",
    "count",
    "limit",
    "min",
    "max",
    "minimum",
    "maximum",
    "strength",
    "complexity",
    "policy",
    "pattern",
    "regex",
    "template",
    "prefix",
    "suffix",
    "format",
    "type",
    "kind",
    "class",
    "mode",
    "level",
    "method",
    "scheme",
    "strategy",
    "algorithm",
    "alg",
    "version",
    "header",
    "field",
    // identities that accompany a credential
    "id",
    "ids",
    "user",
    "username",
    "email",
    "issuer",
    "audience",
    "scope",
    "scopes",
    "realm",
];

/// Split a name into lowercased words: on any non-alphanumeric character (`_`, `-`, `.`,
/// `/`, ...), on camelCase / PascalCase boundaries (`DBPassword` → `db`, `password`), and
/// between letters and digits.
fn split_words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words: Vec<String> = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        if let Some(prev) = current.chars().next_back() {
            let next = chars.get(i + 1).copied();
            let boundary = (prev.is_lowercase() && c.is_uppercase())
                || (prev.is_uppercase()
                    && c.is_uppercase()
                    && next.is_some_and(|n| n.is_lowercase()))
                || (prev.is_alphabetic() && c.is_numeric())
                || (prev.is_numeric() && c.is_alphabetic());
            if boundary {
                words.push(std::mem::take(&mut current));
            }
        }
        current.push(c);
    }
    if !current.is_empty() {
        words.push(current);
    }
    // `OAuth` splits as `O` + `Auth`; it is the protocol's name, not the word `auth`.
    let mut lowered: Vec<String> = Vec::with_capacity(words.len());
    for word in words {
        let word = word.to_lowercase();
        if word == "auth" && lowered.last().is_some_and(|prev| prev == "o") {
            lowered.pop();
            lowered.push("oauth".to_owned());
        } else {
            lowered.push(word);
        }
    }
    lowered
}

fn is_credential_word(word: &str) -> bool {
    CREDENTIAL_WORDS.contains(&word)
        || CREDENTIAL_INFIXES.iter().any(|infix| word.contains(infix))
        || CREDENTIAL_SUFFIXES
            .iter()
            .any(|suffix| word.ends_with(suffix))
}

/// Whether a literal value under a credential-like name can be the credential itself:
/// booleans (`server.disable.auth: "true"`) and absolute file paths
/// (`GOOGLE_APPLICATION_CREDENTIALS=/var/secrets/key.json`) are settings about one, and a
/// value whose credential part is a variable holds none (`Bearer ${TOKEN}`,
/// `postgresql://$(USER):$(PASSWORD)@db`).
pub(crate) fn could_be_credential(value: &str) -> bool {
    let v = value.trim();
    if v.is_empty() {
        return false;
    }
    let boolean = [
        "true", "false", "yes", "no", "on", "off", "enabled", "disabled", "none", "null", "0", "1",
    ]
    .iter()
    .any(|b| v.eq_ignore_ascii_case(b));
    let path = v.starts_with('/') && !v.contains(char::is_whitespace);
    !boolean && !path && !is_resource_name(v) && !credential_is_variable(v)
}

/// A cloud resource name such as `projects/P/instances/I/databases/D`: three or more `/`
/// separated words (letters, digits, `-`, `_`, `.`) whose collection names (every other word,
/// `projects`, `keyRings`) are letters only, and nothing that could separate a credential (`:`,
/// `@`, `=`). A value like this names a resource; it holds no secret.
fn is_resource_name(v: &str) -> bool {
    let parts: Vec<&str> = v.split('/').collect();
    parts.len() >= 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        })
        && parts
            .iter()
            .step_by(2)
            .all(|p| p.bytes().all(|b| b.is_ascii_alphabetic() || b == b'-'))
}

/// Whether an env var name or ConfigMap key names a credential.
///
/// The name is split into words (on `_`, `-`, `.`, `/` and other punctuation, on camelCase
/// boundaries, and between letters and digits) and compared case-insensitively. It names a
/// credential when a word is a credential word (`password`, `passwd`, `pwd`, `passphrase`,
/// `secret`, `token`, `apikey`, `credential(s)`, `creds`, `auth`, `bearer`, `htpasswd`,
/// `pat`, or a run-together form such as `DBPASSWORD` / `APITOKEN`) or two consecutive words
/// form a credential phrase (`api key`, `access key`, `secret key`, `private key`,
/// `client secret`, `session key`, `signing key`, `encryption key`, `connection string`),
/// **unless** the last word says the name is about a credential rather than one: `file`,
/// `path`, `dir`, `name`, `url`, `host`, `enabled`, `ttl`, `length`, `type`, `id`, `header`
/// and the like (so `PASSWORD_FILE`, `TOKEN_URL`, `AWS_ACCESS_KEY_ID` are not credentials).
/// Cloud key names count too: `…_ACCOUNT_KEY`, `…_STORAGE_KEY`, `…_SUBSCRIPTION_KEY`,
/// `…_MASTER_KEY`, `…_KEY_CONTENT` and Azure's `AZURE_…_KEY` (not a key-management key such as
/// `AZURE_KEYVAULT_KEY`); a bare `…_KEY` does not (`CACHE_KEY`, `SORT_KEY`).
///
/// Words are whole: `AUTHOR`, `SECRETARY` and `OAUTH` alone are not credentials.
pub(crate) fn is_credential_name(name: &str) -> bool {
    let words = split_words(name);
    let Some(last) = words.last() else {
        return false;
    };
    if NON_SECRET_LAST_WORDS.contains(&last.as_str()) {
        return false;
    }
    let vendor_key = last == "key"
        && words.len() > 1
        && words.iter().any(|w| KEY_VENDORS.contains(&w.as_str()))
        && !words
            .iter()
            .any(|w| KEY_MANAGEMENT_WORDS.contains(&w.as_str()));
    vendor_key
        || words.iter().any(|w| is_credential_word(w))
        || words.windows(2).any(|pair| {
            CREDENTIAL_PAIRS
                .iter()
                .any(|&(a, b)| pair[0] == a && pair[1] == b)
        })
}

// ---------------------------------------------------------------------------------------
// Well-known tokens
// ---------------------------------------------------------------------------------------

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

fn is_base62(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

fn is_upper_alnum(b: u8) -> bool {
    b.is_ascii_uppercase() || b.is_ascii_digit()
}

/// `[A-Za-z0-9_-]`
fn is_url_b64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// `[A-Za-z0-9_]`
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Longest random part accepted for the variable-length formats (real ones are well under
/// 300 bytes): a longer run is some other kind of data.
const MAX_TOKEN_RUN: usize = 512;

/// The byte classes that token bodies are made of.
#[derive(Clone, Copy)]
enum Class {
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
    const COUNT: usize = 6;

    fn accepts(self, b: u8) -> bool {
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
struct Runs {
    last: [Option<(usize, usize)>; Class::COUNT],
}

impl Runs {
    /// Length of the run of `class` bytes starting at `from`.
    fn len(&mut self, bytes: &[u8], from: usize, class: Class) -> usize {
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
fn run_fits(run: usize, min: usize) -> bool {
    (min..=MAX_TOKEN_RUN).contains(&run)
}

/// Whether the char just before byte `at` (a char boundary) is alphanumeric.
fn alnum_before(value: &str, at: usize) -> bool {
    value
        .get(..at)
        .and_then(|s| s.chars().next_back())
        .is_some_and(char::is_alphanumeric)
}

/// Whether the char starting at byte `at` (a char boundary) satisfies `pred`.
fn char_at_is(value: &str, at: usize, pred: impl Fn(char) -> bool) -> bool {
    value
        .get(at..)
        .and_then(|s| s.chars().next())
        .is_some_and(pred)
}

/// A documentation placeholder rather than a real token: the random part has fewer than
/// three distinct alphanumeric characters (`XXXX…`, `0000…`, `...`).
fn looks_fake(body: &[u8]) -> bool {
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
fn contains_example(hay: &[u8]) -> bool {
    hay.windows(7).any(|w| w.eq_ignore_ascii_case(b"example"))
}

/// A candidate found at one position: kind, end, and the range of its random part.
struct Candidate {
    kind: TokenKind,
    end: usize,
    body: Range<usize>,
}

const AWS_PREFIXES: &[&[u8]] = &[b"AKIA", b"ASIA", b"ABIA", b"ACCA"];
const GITHUB_PREFIXES: &[&[u8]] = &[b"ghp_", b"gho_", b"ghu_", b"ghs_", b"ghr_"];
const GITLAB_PREFIXES: &[&[u8]] = &[b"glpat-", b"gldt-", b"glrt-", b"glptt-"];
const SLACK_PREFIXES: &[&[u8]] = &[
    b"xoxb-", b"xoxa-", b"xoxp-", b"xoxr-", b"xoxs-", b"xoxe-", b"xapp-",
];
const SLACK_WEBHOOK_PREFIXES: &[&[u8]] = &[
    b"https://hooks.slack.com/services/",
    b"http://hooks.slack.com/services/",
];
const PEM_KINDS: &[&[u8]] = &[
    b"",
    b"RSA ",
    b"EC ",
    b"DSA ",
    b"OPENSSH ",
    b"ENCRYPTED ",
    b"PGP ",
];

fn prefix_at<'a>(bytes: &[u8], at: usize, prefixes: &[&'a [u8]]) -> Option<&'a [u8]> {
    let rest = bytes.get(at..)?;
    prefixes.iter().copied().find(|p| rest.starts_with(p))
}

/// One `/`-separated segment of a Slack webhook path at `*at`: an optional leading byte and
/// at least `min` base62 bytes in all. Advances `*at` past it.
fn slack_segment(
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
fn candidate_at(value: &str, i: usize, runs: &mut Runs) -> Option<Candidate> {
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
fn next_token(value: &str, from: usize, runs: &mut Runs) -> Option<TokenMatch> {
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

// ---------------------------------------------------------------------------------------
// Docker configs
// ---------------------------------------------------------------------------------------

/// A docker config (`.dockerconfigjson` / `.dockercfg` content, or any JSON text) that
/// holds registry credentials.
///
/// Only the registry hosts are kept, never the credentials.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct DockerConfig {
    /// Registries that have credentials (`auth`, `password`, `identitytoken` or
    /// `registrytoken` non-empty), as `host` or `host:port`, lowercased, sorted, deduped.
    pub hosts: Vec<String>,
}

/// Texts larger than this are not parsed as docker configs (real ones are a few KB).
const MAX_DOCKER_CONFIG_LEN: usize = 16 * 1024 * 1024;

/// Longest host reported, in bytes.
const MAX_HOST_LEN: usize = 255;

/// Fold a JSON key the way Go's `encoding/json` matches struct fields: case-insensitively,
/// with `ſ` (U+017F) as `s` and the Kelvin sign (U+212A) as `k`. Docker and the kubelet
/// read configs with Go, so `"Password"` or `"paſſword"` counts as `password` there.
fn go_fold(key: &str) -> String {
    key.chars()
        .map(|c| match c {
            '\u{017F}' => 's',
            '\u{212A}' => 'k',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// Whether one registry entry carries a credential.
fn entry_has_credentials(entry: &Map<String, Value>) -> bool {
    entry.iter().any(|(key, value)| {
        matches!(
            go_fold(key).as_str(),
            "auth" | "password" | "identitytoken" | "registrytoken"
        ) && value.as_str().is_some_and(|s| !is_placeholder(s))
    })
}

/// The registry host of a config key: `https://index.docker.io/v1/` → `index.docker.io`,
/// `registry.local:5000` → `registry.local:5000`. Any `user:pass@` is dropped.
fn registry_host(key: &str) -> Option<String> {
    let s = key.trim();
    let s = match s.find("://") {
        Some(i) => s.get(i + 3..).unwrap_or(""),
        None => s,
    };
    let authority = s.split(['/', '?', '#']).next().unwrap_or("");
    let host = match authority.rfind('@') {
        Some(i) => authority.get(i + 1..).unwrap_or(""),
        None => authority,
    };
    let host = host.trim();
    if host.is_empty() {
        return None;
    }
    let mut host = host.to_lowercase();
    if host.len() > MAX_HOST_LEN {
        let mut cut = MAX_HOST_LEN;
        while !host.is_char_boundary(cut) {
            cut -= 1;
        }
        host.truncate(cut);
    }
    Some(host)
}

/// Whether a legacy `.dockercfg` key looks like a registry rather than any JSON key.
fn looks_like_registry(host: &str) -> bool {
    host.contains('.') || host.contains(':') || host == "localhost"
}

fn docker_config_from_json(root: &Value) -> Option<DockerConfig> {
    let root = root.as_object()?;
    let auths: Vec<&Map<String, Value>> = root
        .iter()
        .filter(|(key, _)| go_fold(key) == "auths")
        .filter_map(|(_, value)| value.as_object())
        .collect();
    let mut hosts: Vec<String> = if auths.is_empty() {
        // Legacy `.dockercfg`: the registries are the top-level keys.
        root.iter()
            .filter_map(|(key, value)| {
                let entry = value.as_object()?;
                let host = registry_host(key)?;
                (looks_like_registry(&host) && entry_has_credentials(entry)).then_some(host)
            })
            .collect()
    } else {
        auths
            .iter()
            .flat_map(|map| map.iter())
            .filter_map(|(key, value)| {
                let entry = value.as_object()?;
                if entry_has_credentials(entry) {
                    registry_host(key)
                } else {
                    None
                }
            })
            .collect()
    };
    hosts.sort();
    hosts.dedup();
    (!hosts.is_empty()).then_some(DockerConfig { hosts })
}

/// Parse a docker config: `{"auths": {"host": {"auth": …}}}` (`.dockerconfigjson` /
/// `config.json`) or legacy `{"host": {"auth": …, "email": …}}` (`.dockercfg`).
///
/// Returns `None` if `text` is not a JSON object, is larger than 16 MiB, or has no registry
/// with credentials: entries that are empty `{}`, hold only a `username`/`email`, or hold
/// placeholder values do not count, and neither do `credsStore` / `credHelpers`. Keys are
/// matched case-insensitively, as Docker (Go) reads them. In the legacy form only keys that
/// look like a registry (containing `.` or `:`, or `localhost`) count.
pub(crate) fn parse_docker_config(text: &str) -> Option<DockerConfig> {
    if text.len() > MAX_DOCKER_CONFIG_LEN || !text.trim_start().starts_with('{') {
        return None;
    }
    let root: Value = serde_json::from_str(text).ok()?;
    docker_config_from_json(&root)
}

/// The lenient standard-alphabet engine used for Secret `data`: padding optional, non-zero
/// trailing bits accepted (as Go's `base64.StdEncoding` does).
const LENIENT_STANDARD: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// Decode a Secret `data` value (standard base64; tolerate whitespace/newlines and missing
/// padding); `None` if invalid.
///
/// An empty (or whitespace-only) value decodes to no bytes.
pub(crate) fn decode_base64(value: &str) -> Option<Vec<u8>> {
    let compact: Vec<u8> = value.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    LENIENT_STANDARD.decode(compact).ok()
}

/// A docker config in a value as found in YAML: raw JSON, or base64 of JSON (Secret
/// `data`), possibly the whole value.
pub(crate) fn docker_config_in_value(value: &str) -> Option<DockerConfig> {
    let trimmed = value.trim();
    if trimmed.starts_with('{') {
        return parse_docker_config(trimmed);
    }
    if trimmed.len() > MAX_DOCKER_CONFIG_LEN.saturating_mul(2) {
        return None;
    }
    let decoded = decode_base64(trimmed)?;
    let text = std::str::from_utf8(&decoded).ok()?;
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    parse_docker_config(text.trim())
}

// ---------------------------------------------------------------------------------------
// Values that are not secrets
// ---------------------------------------------------------------------------------------

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

fn is_identifier(s: &str, allow_lower: bool, extra: &[u8]) -> bool {
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

// ---------------------------------------------------------------------------------------
// Credentials in URIs
// ---------------------------------------------------------------------------------------

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
const MAX_SCHEME_LEN: usize = 32;

/// Bytes that end a URI's authority: its path, query or fragment, and what surrounds a URI
/// in text (whitespace, quotes, angle brackets, backslashes).
fn ends_authority(b: u8) -> bool {
    b.is_ascii_whitespace()
        || matches!(
            b,
            b'/' | b'?' | b'#' | b'\\' | b'"' | b'\'' | b'<' | b'>' | b'`'
        )
}

/// Longest template (`{{ .Values.db.password }}`) skipped inside an authority, in bytes.
const MAX_TEMPLATE_LEN: usize = 256;

/// Where the authority starting at `start` ends (see [`ends_authority`]). A `{{ … }}`
/// template is skipped whole, so its spaces do not end the authority
/// (`postgres://{{ .Values.user }}:pw@host`).
fn authority_end(bytes: &[u8], start: usize) -> usize {
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
fn scheme_before(bytes: &[u8], colon: usize) -> Option<Range<usize>> {
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
fn is_variable_password(password: &str) -> bool {
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
fn uri_passwords(value: &str) -> impl Iterator<Item = UriCredential> + '_ {
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
fn credential_is_variable(v: &str) -> bool {
    if let Some((_, start)) = auth_scheme_at(v.as_bytes(), 0) {
        return v.get(start..).is_some_and(is_variable_password);
    }
    let mut passwords = uri_passwords(v).peekable();
    passwords.peek().is_some()
        && passwords.all(|m| v.get(m.password).is_some_and(is_variable_password))
}

// ---------------------------------------------------------------------------------------
// HTTP authorization values
// ---------------------------------------------------------------------------------------

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
const MAX_AUTH_CREDENTIAL: usize = 16 * 1024;

/// RFC 7235 `token68`: `[A-Za-z0-9-._~+/]+=*`.
fn is_token68(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
}

/// `Bearer`/`Basic` (any case) at `at`, followed by spaces or tabs: the scheme and where its
/// credential starts.
fn auth_scheme_at(bytes: &[u8], at: usize) -> Option<(AuthScheme, usize)> {
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
fn auth_credential_at(value: &str, scheme: AuthScheme, start: usize) -> Option<Range<usize>> {
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
fn inside_word(bytes: &[u8], at: usize) -> bool {
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
    const HEADER: &[u8] = b"authorization";
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

// ---------------------------------------------------------------------------------------
// Credentials whatever the name
// ---------------------------------------------------------------------------------------

/// What credential `value` holds whatever its name says, for a message: a token's kind ("a
/// GitHub token"), "a URI with a literal password (`postgresql://`)" or "an HTTP `Bearer`
/// credential".
/// Tokens are looked for first (a token inside a URI is named as the token). The phrase never
/// holds the secret: only a token's kind, a URI's scheme or an HTTP scheme.
pub(crate) fn credential_in_value(value: &str) -> Option<String> {
    if let Some(token) = find_token(value) {
        return Some(token.kind.describe().to_string());
    }
    if let Some(uri) = find_uri_credential(value) {
        let scheme = value.get(uri.scheme).unwrap_or("a");
        return Some(format!("a URI with a literal password (`{scheme}://`)"));
    }
    find_auth_credential(value).map(|auth| format!("an HTTP `{}` credential", auth.scheme.name()))
}

// ---------------------------------------------------------------------------------------
// Non-secret material in a Secret
// ---------------------------------------------------------------------------------------

/// What a Secret key holds when it is clearly not a credential (see [`non_secret_material`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NonSecret {
    UserName,
    Email,
    /// A name or an id: a database, a project, an application's id.
    Identifier,
    Host,
    Port,
    Url,
    /// `true`/`false`, `yes`/`no`, `on`/`off`.
    Switch,
    /// A one-word setting under `type`, `kind` or `mode`.
    Setting,
    /// PEM certificates (and CRLs, certificate requests).
    Certificate,
    /// PEM public keys, or SSH public keys (`authorized_keys`, `known_hosts` lines).
    PublicKey,
    /// A mix of certificates, public keys and parameters (`DH PARAMETERS`).
    PublicPem,
}

impl NonSecret {
    /// A short phrase for messages: "a user name".
    pub(crate) fn describe(self) -> &'static str {
        match self {
            NonSecret::UserName => "a user name",
            NonSecret::Email => "an email address",
            NonSecret::Identifier => "a name or identifier",
            NonSecret::Host => "a host address",
            NonSecret::Port => "a port number",
            NonSecret::Url => "a URL without credentials",
            NonSecret::Switch => "an on/off switch",
            NonSecret::Setting => "a one-word setting",
            NonSecret::Certificate => "certificates",
            NonSecret::PublicKey => "a public key",
            NonSecret::PublicPem => "public PEM data (certificates, public keys, parameters)",
        }
    }
}

/// Whether `text` holds a credential whatever the key it sits under: a token
/// ([`find_token`], private keys included), a URI with a password, an HTTP authorization
/// credential, or a docker config with registry logins.
pub(crate) fn holds_credential(text: &str) -> bool {
    find_token(text).is_some()
        || find_uri_credential(text).is_some()
        || find_auth_credential(text).is_some()
        || docker_config_in_value(text).is_some()
}

/// Labels of PEM blocks that hold nothing secret, and what they are.
const PUBLIC_PEM_LABELS: &[(&str, NonSecret)] = &[
    ("CERTIFICATE", NonSecret::Certificate),
    ("TRUSTED CERTIFICATE", NonSecret::Certificate),
    ("X509 CRL", NonSecret::Certificate),
    ("CERTIFICATE REQUEST", NonSecret::Certificate),
    ("NEW CERTIFICATE REQUEST", NonSecret::Certificate),
    ("PUBLIC KEY", NonSecret::PublicKey),
    ("RSA PUBLIC KEY", NonSecret::PublicKey),
    ("PGP PUBLIC KEY BLOCK", NonSecret::PublicKey),
    ("DH PARAMETERS", NonSecret::PublicPem),
    ("EC PARAMETERS", NonSecret::PublicPem),
];

/// `text` made only of public PEM blocks (see [`PUBLIC_PEM_LABELS`]): between blocks only
/// blank lines, `#` comments and OpenSSL's `subject=`/`issuer=` lines; inside a block only
/// base64 lines (and, in PGP armor, blank and `Header: value` lines). Any other block —
/// a private key under any label, or an unknown label — or any other text makes it `None`.
fn public_pem(text: &str) -> Option<NonSecret> {
    let mut open: Option<&str> = None;
    let mut kind: Option<NonSecret> = None;
    for line in text.lines() {
        let line = line.trim();
        match open {
            None => {
                if line.is_empty()
                    || line.starts_with('#')
                    || line.starts_with("subject=")
                    || line.starts_with("issuer=")
                {
                    continue;
                }
                let label = line.strip_prefix("-----BEGIN ")?.strip_suffix("-----")?;
                let &(_, this) = PUBLIC_PEM_LABELS.iter().find(|(l, _)| *l == label)?;
                kind = Some(match kind {
                    Some(k) if k != this => NonSecret::PublicPem,
                    _ => this,
                });
                open = Some(label);
            }
            Some(label) => {
                if let Some(end) = line.strip_prefix("-----END ") {
                    if end.strip_suffix("-----")? != label {
                        return None;
                    }
                    open = None;
                    continue;
                }
                let base64 = line
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='));
                let armor = label.starts_with("PGP ")
                    && (line.is_empty()
                        || line.split_once(": ").is_some_and(|(name, _)| {
                            name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                        }));
                if !base64 && !armor {
                    return None;
                }
            }
        }
    }
    if open.is_some() {
        return None;
    }
    kind
}

/// Whether `field` names an SSH public key type: `ssh-rsa`, `ssh-ed25519`, `ssh-dss`,
/// `ecdsa-sha2-nistp256`, `sk-ssh-ed25519@openssh.com`, certificate types.
fn is_ssh_key_type(field: &str) -> bool {
    ["ssh-", "ecdsa-sha2-", "sk-ssh-", "sk-ecdsa-sha2-"]
        .iter()
        .any(|p| field.starts_with(p))
        && field.len() > 6
        && field
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'@' | b'.'))
}

/// `text` made only of SSH public keys, one a line (`authorized_keys`, a `.pub` file) or
/// after host names (`known_hosts`), with blank and `#` lines between them.
fn ssh_public_keys(text: &str) -> Option<NonSecret> {
    let mut keys = 0;
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().take(3).collect();
        let key_at = (0..2).find(|&i| fields.get(i).is_some_and(|f| is_ssh_key_type(f)))?;
        let blob = fields.get(key_at + 1)?;
        if !blob.starts_with("AAAA")
            || !blob
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
        {
            return None;
        }
        keys += 1;
    }
    (keys > 0).then_some(NonSecret::PublicKey)
}

/// Whether a key's name says it holds a public key: `id_rsa.pub`, `cosign.pub`, `publicKey`,
/// `jwt-public-key.pem`, `pubkey`.
fn is_public_key_name(key: &str) -> bool {
    let words = split_words(key);
    key.to_ascii_lowercase().ends_with(".pub")
        || words.iter().any(|w| w == "pubkey" || w == "publickey")
        || words.windows(2).any(|p| p[0] == "public" && p[1] == "key")
}

/// The last word of a key name says what kind of non-secret value it holds; a run-together
/// word counts by its end (`dbname`, `ldapuser`) when at least two letters come before.
const NON_SECRET_KEY_WORDS: &[(&str, NonSecret, bool)] = &[
    // (word, kind, also as the end of a run-together word)
    ("user", NonSecret::UserName, true),
    ("username", NonSecret::UserName, true),
    ("email", NonSecret::Email, false),
    ("name", NonSecret::Identifier, true),
    ("id", NonSecret::Identifier, false),
    ("uuid", NonSecret::Identifier, false),
    ("project", NonSecret::Identifier, false),
    ("database", NonSecret::Identifier, false),
    ("db", NonSecret::Identifier, false),
    ("dbname", NonSecret::Identifier, false),
    ("schema", NonSecret::Identifier, false),
    ("bucket", NonSecret::Identifier, false),
    ("namespace", NonSecret::Identifier, false),
    ("region", NonSecret::Identifier, false),
    ("host", NonSecret::Host, true),
    ("hostname", NonSecret::Host, true),
    ("server", NonSecret::Host, false),
    ("address", NonSecret::Host, false),
    ("addr", NonSecret::Host, false),
    ("port", NonSecret::Port, false),
    ("url", NonSecret::Url, true),
    ("uri", NonSecret::Url, true),
    ("endpoint", NonSecret::Url, false),
    ("type", NonSecret::Setting, false),
    ("kind", NonSecret::Setting, false),
    ("mode", NonSecret::Setting, false),
];

/// The kind a key name announces, from its last word: the word itself, else the longest
/// word it ends with (`dbhostname` is a host, not a name).
fn kind_of_key(words: &[String]) -> Option<NonSecret> {
    let last = words.last()?;
    let exact = NON_SECRET_KEY_WORDS
        .iter()
        .find(|&&(word, _, _)| last == word)
        .map(|&(_, kind, _)| kind);
    exact.or_else(|| {
        NON_SECRET_KEY_WORDS
            .iter()
            .filter(|&&(word, _, suffix)| {
                suffix && last.len() >= word.len() + 2 && last.ends_with(word)
            })
            .max_by_key(|&&(word, _, _)| word.len())
            .map(|&(_, kind, _)| kind)
    })
}

/// A single line of at most `max` bytes without whitespace or control characters.
fn one_word(v: &str, max: usize) -> bool {
    !v.is_empty() && v.len() <= max && !v.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// `host`, `host:port`, `10.0.0.1:5432`, `[::1]:6379`.
fn is_host(v: &str) -> bool {
    let (host, port) = match v.strip_prefix('[') {
        Some(rest) => match rest.split_once(']') {
            Some((ip, after))
                if !ip.is_empty()
                    && ip
                        .bytes()
                        .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.') =>
            {
                (ip, after.strip_prefix(':'))
            }
            _ => return false,
        },
        None => match v.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (v, None),
        },
    };
    !host.is_empty()
        && host.len() <= 253
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b':'))
        && port.is_none_or(is_port)
}

fn is_port(v: &str) -> bool {
    (1..=5).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_digit())
}

/// A path segment that looks like a key rather than a name: 20 or more characters mixing
/// letters and digits (the token part of a webhook URL).
fn looks_random_segment(segment: &str) -> bool {
    segment.len() >= 20
        && segment.bytes().any(|b| b.is_ascii_digit())
        && segment.bytes().any(|b| b.is_ascii_alphabetic())
}

/// A URL that carries no credential: `scheme://host[:port][/path]` with at most a plain
/// lowercase user (`ssh://git@host`), no query (`?sig=…`, `?token=…`) and no key-like path
/// segment; an scp-like git address (`git@github.com:org/repo.git`); or `host/path` (an OCI
/// repository).
fn is_plain_url(v: &str) -> bool {
    if !one_word(v, 2048) || v.contains('?') {
        return false;
    }
    // A short lowercase user (`git`, `deploy`, `x-access-token`), not a token in its place.
    let plain_user = |u: &str| {
        !u.is_empty()
            && u.len() <= 16
            && !(u.len() >= 8 && u.bytes().any(|b| b.is_ascii_digit()))
            && u.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_'))
    };
    let (authority, path) = if let Some(i) = v.find("://") {
        if scheme_before(v.as_bytes(), i).is_none_or(|s| s.start != 0) {
            return false;
        }
        let rest = &v[i + 3..];
        let rest = rest.split('#').next().unwrap_or("");
        match rest.find('/') {
            Some(j) => (&rest[..j], &rest[j..]),
            None => (rest, ""),
        }
    } else if let Some((user, rest)) = v.split_once('@')
        && let Some((host, path)) = rest.split_once(':')
    {
        // scp-like: `git@github.com:org/repo.git`
        return plain_user(user) && is_host(host) && !path.split('/').any(looks_random_segment);
    } else {
        match v.find('/') {
            Some(j) if v[..j].contains('.') => (&v[..j], &v[j..]),
            _ => return false,
        }
    };
    // A plain user, and a password only when it is a variable (`u:${DB_PASSWORD}@db`).
    let harmless_userinfo = |u: &str| match u.split_once(':') {
        Some((user, password)) => {
            (plain_user(user) || is_variable_password(user)) && is_variable_password(password)
        }
        None => plain_user(u) || (!u.is_empty() && is_variable_password(u)),
    };
    let host = match authority.rsplit_once('@') {
        Some((userinfo, host)) if harmless_userinfo(userinfo) => host,
        Some(_) => return false,
        None => authority,
    };
    is_host(host) && !path.split('/').any(looks_random_segment)
}

/// Whether a Secret key holds something that is clearly **not** a credential, and what: the
/// content (`text`, already base64-decoded for `data`) and the key's name decide.
///
/// Never non-secret: a credential-like key name ([`is_credential_name`]), or content that
/// [`holds_credential`] (a token, a private key, a URI with a password, an authorization
/// value, a docker config). Then, by content: only public PEM blocks (certificates, public
/// keys, parameters; a private key or an unknown block in a bundle spoils it), only SSH public
/// keys, or `true`/`false`/`yes`/`no`/`on`/`off`. A key named as a public key (`*.pub`,
/// `publicKey`) whose content never says "private". Then by the key name's last word, with
/// the value's shape checked: a user name (`user`, `username`: one word without `:`), an
/// email address, a name or id (`name`, `id`, `database`, `db`, `project`, `bucket`, …: one
/// word of name characters), a host (`host`, `server`, `address`: `host[:port]` or a plain
/// URL), a port (digits), a URL (`url`, `uri`, `endpoint`: a URL without userinfo password,
/// query or key-like path segment, never under a `webhook`/`hook` name, whose URL is the
/// secret), a one-word setting (`type`, `kind`, `mode`). Anything else is `None`.
pub(crate) fn non_secret_material(key: &str, text: &str) -> Option<NonSecret> {
    if is_credential_name(key) || holds_credential(text) {
        return None;
    }
    if let Some(kind) = public_pem(text).or_else(|| ssh_public_keys(text)) {
        return Some(kind);
    }
    let v = text.trim();
    if is_public_key_name(key) && !v.to_ascii_lowercase().contains("private") {
        return Some(NonSecret::PublicKey);
    }
    if ["true", "false", "yes", "no", "on", "off"]
        .iter()
        .any(|b| v.eq_ignore_ascii_case(b))
    {
        return Some(NonSecret::Switch);
    }
    let words = split_words(key);
    let kind = kind_of_key(&words)?;
    let name_chars = |v: &str| {
        v.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'/' | b'@' | b'+')
        })
    };
    let fits = match kind {
        NonSecret::UserName => one_word(v, 256) && !v.contains(':'),
        NonSecret::Email => one_word(v, 256) && !v.contains(':') && v.split('@').count() == 2,
        NonSecret::Identifier => one_word(v, 253) && name_chars(v),
        NonSecret::Host => one_word(v, 2048) && (is_host(v) || is_plain_url(v)),
        NonSecret::Port => is_port(v),
        NonSecret::Url => {
            !words.iter().any(|w| w.contains("hook")) && (is_plain_url(v) || is_host(v))
        }
        NonSecret::Setting => one_word(v, 64) && name_chars(v) && !v.contains('/'),
        _ => false,
    };
    fits.then_some(kind)
}

#[cfg(test)]
mod corpus_regressions {
    use super::*;

    /// Names and values from real manifests that are not credentials.
    #[test]
    fn settings_about_credentials_are_not_credentials() {
        for name in [
            "MAX_TOTAL_TOKENS",
            "MAX_BATCH_PREFILL_TOKENS",
            "AUTH_PROXY_IMAGE",
            "secret.html",
            "auth.json",
        ] {
            assert!(!is_credential_name(name), "{name}");
        }
        assert!(is_credential_name("GITHUB_TOKEN"));
        assert!(is_placeholder("GOOGLE_API_KEY_VAL"));
        assert!(is_placeholder("YOUR_TOKEN_HERE"));
        assert!(!is_placeholder("Hunter2_Secret"));
        assert!(
            !is_placeholder("SECRET"),
            "a lone capital word can be a password"
        );
        for value in [
            "true",
            "False",
            "1",
            "/var/secrets/google/key.json",
            " ",
            "",
        ] {
            assert!(!could_be_credential(value), "{value:?}");
        }
        for value in ["hunter2", "s3cr3t value", "123456"] {
            assert!(could_be_credential(value), "{value:?}");
        }
        // The credential part is a variable: a credential-like name holds none.
        for value in [
            "Bearer ${TOKEN}",
            "bearer $(TOKEN)",
            "Bearer {{ .Values.token }}",
            "Basic <credentials>",
            "postgresql://$(POSTGRES_USER):$(POSTGRES_PASSWORD)@db:5432/orders",
            "postgres://u:${A}@h1/db http://v:$(B)@h2",
            "postgres://USER:PASSWORD@HOST/DB",
        ] {
            assert!(!could_be_credential(value), "{value:?}");
        }
        for value in [
            "Bearer abc123def",
            "postgres://u:${A}@h1/db http://v:literal@h2",
            "postgres://db:5432/orders",
            "basic auth",
        ] {
            assert!(could_be_credential(value), "{value:?}");
        }
        assert!(!is_credential_name("AUTH_SCHEME"));
    }
}

#[cfg(test)]
mod tests;

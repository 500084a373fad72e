//! Credential names: whether an env var or key name says it holds a credential (split into
//! words, with the words that say something *about* a credential excluded).

use super::*;

/// Words that name a credential on their own (compared to whole, lowercased words).
pub(super) const CREDENTIAL_WORDS: &[&str] = &[
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
pub(super) const CREDENTIAL_INFIXES: &[&str] = &["password", "passwd", "passphrase"];

/// Suffixes that make a run-together word a credential word (`APITOKEN`, `JWTSECRET`).
pub(super) const CREDENTIAL_SUFFIXES: &[&str] = &[
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
pub(super) const CREDENTIAL_PAIRS: &[(&str, &str)] = &[
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
pub(super) const KEY_VENDORS: &[&str] = &["azure"];

/// Words that make a vendor's `…_KEY` name a reference to a managed key, not a key.
pub(super) const KEY_MANAGEMENT_WORDS: &[&str] = &["kms", "vault", "keyvault", "hsm"];

/// A name whose last word is one of these names something *about* a credential (where it
/// lives, how long it lasts, whether it is on), not the credential itself.
pub(super) const NON_SECRET_LAST_WORDS: &[&str] = &[
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
pub(super) fn split_words(name: &str) -> Vec<String> {
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

pub(super) fn is_credential_word(word: &str) -> bool {
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
pub(super) fn is_resource_name(v: &str) -> bool {
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

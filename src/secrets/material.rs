//! Non-secret material in a Secret: what a key holds when it is clearly not a credential (a
//! user name, a host, a URL without credentials, a certificate, a public key, a setting).

use super::*;

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
pub(super) const PUBLIC_PEM_LABELS: &[(&str, NonSecret)] = &[
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
pub(super) fn public_pem(text: &str) -> Option<NonSecret> {
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
pub(super) fn is_ssh_key_type(field: &str) -> bool {
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
pub(super) fn ssh_public_keys(text: &str) -> Option<NonSecret> {
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
pub(super) fn is_public_key_name(key: &str) -> bool {
    let words = split_words(key);
    key.to_ascii_lowercase().ends_with(".pub")
        || words.iter().any(|w| w == "pubkey" || w == "publickey")
        || words.windows(2).any(|p| p[0] == "public" && p[1] == "key")
}

/// The last word of a key name says what kind of non-secret value it holds; a run-together
/// word counts by its end (`dbname`, `ldapuser`) when at least two letters come before.
pub(super) const NON_SECRET_KEY_WORDS: &[(&str, NonSecret, bool)] = &[
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
pub(super) fn kind_of_key(words: &[String]) -> Option<NonSecret> {
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
pub(super) fn one_word(v: &str, max: usize) -> bool {
    !v.is_empty() && v.len() <= max && !v.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// `host`, `host:port`, `10.0.0.1:5432`, `[::1]:6379`.
pub(super) fn is_host(v: &str) -> bool {
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

pub(super) fn is_port(v: &str) -> bool {
    (1..=5).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_digit())
}

/// A path segment that looks like a key rather than a name: 20 or more characters mixing
/// letters and digits (the token part of a webhook URL).
pub(super) fn looks_random_segment(segment: &str) -> bool {
    segment.len() >= 20
        && segment.bytes().any(|b| b.is_ascii_digit())
        && segment.bytes().any(|b| b.is_ascii_alphabetic())
}

/// A URL that carries no credential: `scheme://host[:port][/path]` with at most a plain
/// lowercase user (`ssh://git@host`), no query (`?sig=…`, `?token=…`) and no key-like path
/// segment; an scp-like git address (`git@github.com:org/repo.git`); or `host/path` (an OCI
/// repository).
pub(super) fn is_plain_url(v: &str) -> bool {
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

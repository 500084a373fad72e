//! Container image references (`[registry/]repository[:tag][@digest]`).
//!
//! Kubernetes manifests name images with the same "familiar" syntax as
//! `docker pull`: `nginx`, `bitnami/redis:7.2`, `ghcr.io/org/app@sha256:…`.
//! Before imagegate can decide whether an image comes from an allowed
//! registry, it has to know *exactly* which registry and repository the
//! container runtime will pull from. A lookalike parser that normalizes even
//! slightly differently (for example treating `Foo/bar` as a Docker Hub
//! repository, or forgetting that `index.docker.io` is Docker Hub) would let a
//! reference slip past an allow-list, or reject images that the runtime
//! accepts.
//!
//! This module therefore re-implements, by hand and without regular
//! expressions, the grammar and normalization of
//! [`github.com/distribution/reference`](https://github.com/distribution/reference)
//! (`reference.go`, `regexp.go`, `normalize.go`), the Go package used by
//! Docker, containerd and Kubernetes, with the semantics of its
//! `ParseNormalizedNamed` function:
//!
//! * The part before the first `/` is a registry when it contains `.` or `:`,
//!   equals `localhost`, or contains an uppercase letter; otherwise the
//!   registry is `docker.io`. `index.docker.io` becomes `docker.io`, and a
//!   one-component Docker Hub path gets `library/` prepended.
//! * Registry host: DNS-like labels (`[A-Za-z0-9]`, inner `-`) joined by `.`,
//!   or an IPv6 literal in `[…]`, with an optional numeric `:port`.
//! * Repository path components: `[a-z0-9]+` joined by `.`, `_`, `__` or any
//!   run of `-`; components joined by `/`. The repository path (after
//!   normalization, registry not counted) is at most 255 characters, as in
//!   distribution/reference v0.6.0 and later (its PR #9, "Exclude domain from
//!   name length check").
//! * Tag: `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
//! * Digest: `algorithm:hex`, validated like `go-digest` v1.0.0 does for the
//!   algorithms distribution registers: `sha256` (64 lowercase hex digits),
//!   `sha384` (96) and `sha512` (128). Any other algorithm is rejected as
//!   unsupported, as distribution/reference's own tests expect.
//! * A bare 64-character lowercase hex string is rejected, because it is
//!   ambiguous with an image ID.
//!
//! One deliberate difference: for input like `foo_bar.com/app` (a first
//! component that looks like a host because it contains `.`, but is not a
//! valid host name), distribution silently falls back to a reference with an
//! *empty* domain. No registry can be pulled from with an empty domain, and an
//! empty registry would be meaningless to an allow-list, so this parser
//! rejects it with [`ReferenceError::InvalidRegistry`].
//!
//! Error messages are written for people reading a CI log: each
//! [`ReferenceError`] says which part of the reference is wrong and why.

use std::fmt;

/// Registry that a reference without an explicit registry refers to.
pub const DEFAULT_REGISTRY: &str = "docker.io";

/// Legacy name of Docker Hub, normalized to [`DEFAULT_REGISTRY`].
pub const LEGACY_DEFAULT_REGISTRY: &str = "index.docker.io";

/// Other host names of Docker Hub. A reference keeps them as written (as distribution/reference
/// does, so `registry-1.docker.io/nginx` is not `library/nginx`), but they are one registry:
/// wherever registries are compared, [`canonical_registry`] maps them to [`DEFAULT_REGISTRY`].
pub const DOCKER_HUB_ALIASES: &[&str] = &[
    LEGACY_DEFAULT_REGISTRY,
    // The registry API endpoint `docker.io` resolves to.
    "registry-1.docker.io",
    // Docker Hub's former web and registry name, still served.
    "registry.hub.docker.com",
];

/// The registry a normalized `host[:port]` names, for comparing registries: Docker Hub's aliases
/// ([`DOCKER_HUB_ALIASES`], any case, without a port) are [`DEFAULT_REGISTRY`]; every other
/// registry is itself. Hosts with a port are left alone (`index.docker.io:443` may be another
/// server), as distribution/reference leaves them.
pub fn canonical_registry(registry: &str) -> &str {
    if DOCKER_HUB_ALIASES
        .iter()
        .any(|alias| alias.eq_ignore_ascii_case(registry))
    {
        DEFAULT_REGISTRY
    } else {
        registry
    }
}

/// Namespace of Docker Hub's official images (`nginx` is `library/nginx`).
pub const OFFICIAL_REPO_PREFIX: &str = "library/";

/// Maximum length of a normalized repository path (registry not counted).
pub const REPOSITORY_PATH_MAX_LEN: usize = 255;

/// Maximum length of a tag.
pub const TAG_MAX_LEN: usize = 128;

/// A parsed and normalized container image reference.
///
/// Build one with [`ImageRef::parse`]; the normalized fields follow
/// distribution/reference's `ParseNormalizedNamed`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// As written in the source, untouched.
    pub written: String,
    /// Normalized registry host[:port], e.g. "docker.io", "registry.example.com:5000".
    pub registry: String,
    /// Normalized repository path, e.g. "library/nginx".
    pub repository: String,
    /// Tag, when one was written (no default `latest` is added).
    pub tag: Option<String>,
    /// Full digest "sha256:...".
    pub digest: Option<String>,
    /// True when the written form had no registry (docker.io was implied).
    pub registry_implied: bool,
    /// True when `library/` was implied.
    pub library_implied: bool,
}

impl ImageRef {
    /// Parses and normalizes an image reference.
    ///
    /// The input is used as is: leading or trailing whitespace is not trimmed
    /// and makes the reference invalid ([`ReferenceError::Whitespace`]).
    pub fn parse(s: &str) -> Result<ImageRef, ReferenceError> {
        parse_reference(s)
    }

    /// The normalized name without tag or digest: "registry/repository".
    pub fn name(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }

    /// The registry to compare this image's with: [`canonical_registry`] of
    /// [`registry`](Self::registry), so Docker Hub's aliases are `docker.io`.
    pub fn canonical_registry(&self) -> &str {
        canonical_registry(&self.registry)
    }

    /// Fully-qualified normalized form: registry/repository[:tag][@digest].
    pub fn full(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for ImageRef {
    type Err = ReferenceError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ImageRef::parse(s)
    }
}

/// Why a string is not a valid image reference.
///
/// Each variant carries the offending part of the reference, and its
/// `Display` text says what is wrong with it in plain words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    /// The reference is the empty string.
    #[error("empty reference")]
    Empty,
    /// The reference contains a space, tab, newline or other whitespace.
    #[error(
        "reference `{0}` contains whitespace; image references cannot contain spaces \
         (check for leading or trailing spaces)"
    )]
    Whitespace(String),
    /// The reference is a bare 64-character hexadecimal string.
    #[error(
        "reference `{0}` is a 64-character hexadecimal string, which is ambiguous with an \
         image ID; cannot specify 64-byte hexadecimal strings as a repository name"
    )]
    HexIdentifier(String),
    /// Nothing precedes the `:tag` or `@digest`.
    #[error("reference `{0}` has no repository name before its tag or digest")]
    MissingName(String),
    /// A registry is written but no repository path follows it.
    #[error("reference `{0}` names a registry but no repository (expected `registry/repository`)")]
    MissingRepository(String),
    /// The registry host is not a valid host name or IPv6 literal.
    #[error(
        "invalid registry host `{0}` (a registry is host name labels of letters, digits and \
         inner `-` joined by `.`, or an IPv6 address in `[...]`, optionally followed by `:port`)"
    )]
    InvalidRegistry(String),
    /// The registry's port is not a number.
    #[error("invalid port in registry `{0}` (a port must be digits only, e.g. `:5000`)")]
    InvalidPort(String),
    /// The repository path contains uppercase letters.
    #[error("repository name must be lowercase (`{0}`)")]
    Uppercase(String),
    /// The repository path has an empty component (`a//b`, trailing `/`).
    #[error(
        "repository path `{0}` has an empty component (a doubled `/`, or a leading or \
         trailing `/`)"
    )]
    EmptyPathComponent(String),
    /// The repository path contains a character outside `[a-z0-9._/-]`.
    #[error(
        "invalid character `{ch}` in repository path `{path}` (only lowercase letters, digits, \
         `.`, `_`, `-` and `/` are allowed)"
    )]
    InvalidPathCharacter {
        /// The first offending character.
        ch: char,
        /// The repository path as written.
        path: String,
    },
    /// A repository path component has misplaced separators.
    #[error(
        "invalid repository path component `{0}` (it must start and end with a lowercase \
         letter or digit, and separators between them are a single `.`, one or two `_`, or \
         any number of `-`)"
    )]
    InvalidPathComponent(String),
    /// The normalized repository path is longer than 255 characters.
    #[error(
        "repository name `{}` is longer than 255 characters ({len} characters, registry not \
         counted)",
        abbrev(.path)
    )]
    NameTooLong {
        /// The normalized repository path.
        path: String,
        /// Its length in characters.
        len: usize,
    },
    /// A `:` is not followed by a tag.
    #[error("reference `{0}` has an empty tag after `:`")]
    EmptyTag(String),
    /// The tag contains characters that tags cannot have.
    #[error(
        "invalid tag `:{}` (a tag is up to 128 letters, digits, `_`, `.` or `-` and cannot \
         start with `.` or `-`)",
        abbrev(.0)
    )]
    InvalidTag(String),
    /// The tag is longer than 128 characters.
    #[error("tag `:{}` is {len} characters long; a tag is at most 128 characters", abbrev(.tag))]
    TagTooLong {
        /// The tag as written.
        tag: String,
        /// Its length in characters.
        len: usize,
    },
    /// An `@` is not followed by a digest.
    #[error(
        "reference `{0}` has an empty digest after `@` (expected e.g. `@sha256:` followed by \
         64 hex digits)"
    )]
    EmptyDigest(String),
    /// The digest is not of the form `algorithm:hex`.
    #[error(
        "invalid digest `{}` (a digest is `algorithm:hex`, e.g. `sha256:` followed by 64 hex \
         digits)",
        abbrev(.0)
    )]
    InvalidDigest(String),
    /// The digest algorithm is well-formed but not one that registries accept.
    #[error(
        "unsupported digest algorithm `{algorithm}` in `{}` (only sha256, sha384 and sha512 \
         are accepted, written in lowercase)",
        abbrev(.digest)
    )]
    UnsupportedDigestAlgorithm {
        /// The algorithm part, before the `:`.
        algorithm: String,
        /// The whole digest as written.
        digest: String,
    },
    /// The digest has the wrong number of hex digits for its algorithm.
    #[error(
        "digest `{}` has the wrong length ({algorithm} needs {expected} hex digits, found \
         {found})",
        abbrev(.digest)
    )]
    DigestWrongLength {
        /// The whole digest as written.
        digest: String,
        /// The algorithm part.
        algorithm: String,
        /// Number of hex digits the algorithm requires.
        expected: usize,
        /// Number of hex digits written.
        found: usize,
    },
    /// The digest uses uppercase hex digits, which registries do not accept.
    #[error("digest `{}` must use lowercase hex digits (`a`-`f`, not `A`-`F`)", abbrev(.0))]
    DigestUppercase(String),
}

/// Shortens long input for error messages, cutting only at char boundaries.
fn abbrev(s: &str) -> String {
    const KEEP: usize = 140;
    let count = s.chars().count();
    if count <= KEEP {
        return s.to_owned();
    }
    let head: String = s.chars().take(KEEP).collect();
    format!("{head}…")
}

/// The parser behind [`ImageRef::parse`].
fn parse_reference(s: &str) -> Result<ImageRef, ReferenceError> {
    if s.is_empty() {
        return Err(ReferenceError::Empty);
    }
    if s.chars().any(char::is_whitespace) {
        return Err(ReferenceError::Whitespace(s.to_owned()));
    }
    if is_hex_identifier(s) {
        return Err(ReferenceError::HexIdentifier(s.to_owned()));
    }

    // `name[:tag][@digest]`: neither a tag nor a digest contains `@`, so the
    // first `@` starts the digest.
    let (before_digest, digest) = match s.split_once('@') {
        Some((head, digest)) => (head, Some(digest)),
        None => (s, None),
    };
    // A tag follows the first `:` after the last `/`: the only `:` a name may
    // contain is the registry's port (or IPv6 literal), which comes before
    // the first `/`.
    let last_component = before_digest
        .rsplit_once('/')
        .map_or(before_digest, |(_, last)| last);
    let tag = last_component.split_once(':').map(|(_, tag)| tag);
    let name = match tag {
        Some(tag) => before_digest
            .strip_suffix(tag)
            .and_then(|rest| rest.strip_suffix(':'))
            .unwrap_or(before_digest),
        None => before_digest,
    };
    if name.is_empty() {
        return Err(ReferenceError::MissingName(s.to_owned()));
    }

    let (registry, registry_implied, written_path) = split_registry(name)?;
    if written_path.is_empty() {
        return Err(ReferenceError::MissingRepository(s.to_owned()));
    }
    validate_path(written_path)?;
    let library_implied = registry == DEFAULT_REGISTRY && !written_path.contains('/');
    let repository = if library_implied {
        format!("{OFFICIAL_REPO_PREFIX}{written_path}")
    } else {
        written_path.to_owned()
    };
    let len = repository.chars().count();
    if len > REPOSITORY_PATH_MAX_LEN {
        return Err(ReferenceError::NameTooLong {
            path: repository,
            len,
        });
    }

    if let Some(tag) = tag {
        validate_tag(tag, s)?;
    }
    if let Some(digest) = digest {
        validate_digest(digest, s)?;
    }

    Ok(ImageRef {
        written: s.to_owned(),
        registry,
        repository,
        tag: tag.map(str::to_owned),
        digest: digest.map(str::to_owned),
        registry_implied,
        library_implied,
    })
}

/// `^[a-f0-9]{64}$`: distribution's "identifier".
fn is_hex_identifier(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// distribution's `splitDockerDomain`, followed by validation of the
/// registry part. Returns (normalized registry, registry implied, path as
/// written).
fn split_registry(name: &str) -> Result<(String, bool, &str), ReferenceError> {
    let Some((first, rest)) = name.split_once('/') else {
        if name.starts_with('[') {
            // `[::1]:5000`: an IPv6 registry with nothing after it.
            return Ok((name.to_owned(), false, ""));
        }
        return Ok((DEFAULT_REGISTRY.to_owned(), true, name));
    };
    let has_uppercase = first.to_lowercase() != first;
    let is_registry = first == "localhost" || first.contains(['.', ':']) || has_uppercase;
    if !is_registry {
        return Ok((DEFAULT_REGISTRY.to_owned(), true, name));
    }
    match validate_host_port(first) {
        Ok(()) => {}
        // An uppercase first component that is not a host either is what
        // distribution reports as a non-lowercase repository name.
        Err(_) if has_uppercase && !first.contains(['.', ':']) => {
            return Err(ReferenceError::Uppercase(name.to_owned()));
        }
        Err(e) => return Err(e),
    }
    let registry = if first == LEGACY_DEFAULT_REGISTRY {
        DEFAULT_REGISTRY
    } else {
        first
    };
    Ok((registry.to_owned(), false, rest))
}

/// `domainAndPort`: (domain-name | `[` IPv6 `]`) (`:` digits)?
fn validate_host_port(s: &str) -> Result<(), ReferenceError> {
    let bad_host = || ReferenceError::InvalidRegistry(s.to_owned());
    let port = if let Some(rest) = s.strip_prefix('[') {
        let (inner, after) = rest.split_once(']').ok_or_else(bad_host)?;
        if inner.is_empty() || !inner.bytes().all(|b| b.is_ascii_hexdigit() || b == b':') {
            return Err(bad_host());
        }
        if after.is_empty() {
            None
        } else {
            Some(after.strip_prefix(':').ok_or_else(bad_host)?)
        }
    } else {
        let (host, port) = match s.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (s, None),
        };
        if !is_domain_name(host) {
            return Err(bad_host());
        }
        port
    };
    match port {
        Some(p) if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) => {
            Err(ReferenceError::InvalidPort(s.to_owned()))
        }
        _ => Ok(()),
    }
}

/// `domainNameComponent ('.' domainNameComponent)*`.
fn is_domain_name(s: &str) -> bool {
    s.split('.').all(is_domain_component)
}

/// `[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]`: one label of a registry host.
pub fn is_domain_component(s: &str) -> bool {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(first), Some(last)) => {
            first.is_ascii_alphanumeric()
                && last.is_ascii_alphanumeric()
                && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
        }
        _ => false,
    }
}

/// `path-component ('/' path-component)*`, lowercase only.
fn validate_path(path: &str) -> Result<(), ReferenceError> {
    if path.to_lowercase() != path {
        return Err(ReferenceError::Uppercase(path.to_owned()));
    }
    for component in path.split('/') {
        if component.is_empty() {
            return Err(ReferenceError::EmptyPathComponent(path.to_owned()));
        }
        if let Some(ch) = component
            .chars()
            .find(|c| !matches!(c, 'a'..='z' | '0'..='9' | '.' | '_' | '-'))
        {
            return Err(ReferenceError::InvalidPathCharacter {
                ch,
                path: path.to_owned(),
            });
        }
        if !is_path_component(component) {
            return Err(ReferenceError::InvalidPathComponent(component.to_owned()));
        }
    }
    Ok(())
}

/// `[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*`: one component of a repository path.
pub fn is_path_component(s: &str) -> bool {
    let is_alnum = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    // Splitting on alphanumerics leaves the separators between them: the
    // first and last pieces must be empty (start and end alphanumeric), and
    // every inner non-empty piece must be an allowed separator.
    let pieces: Vec<&str> = s.split(is_alnum).collect();
    let (Some(first), Some(last)) = (pieces.first(), pieces.last()) else {
        return false;
    };
    if s.is_empty() || !first.is_empty() || !last.is_empty() {
        return false;
    }
    pieces.iter().all(|sep| {
        sep.is_empty()
            || *sep == "."
            || *sep == "_"
            || *sep == "__"
            || sep.bytes().all(|b| b == b'-')
    })
}

/// `[\w][\w.-]{0,127}`.
fn validate_tag(tag: &str, written: &str) -> Result<(), ReferenceError> {
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let Some(&first) = tag.as_bytes().first() else {
        return Err(ReferenceError::EmptyTag(written.to_owned()));
    };
    if !is_word(first) || !tag.bytes().all(|b| is_word(b) || b == b'.' || b == b'-') {
        return Err(ReferenceError::InvalidTag(tag.to_owned()));
    }
    if tag.len() > TAG_MAX_LEN {
        return Err(ReferenceError::TagTooLong {
            tag: tag.to_owned(),
            len: tag.len(),
        });
    }
    Ok(())
}

/// distribution's digest grammar, then go-digest v1.0.0's `Digest.Validate`
/// with sha256, sha384 and sha512 registered.
fn validate_digest(digest: &str, written: &str) -> Result<(), ReferenceError> {
    if digest.is_empty() {
        return Err(ReferenceError::EmptyDigest(written.to_owned()));
    }
    let invalid = || ReferenceError::InvalidDigest(digest.to_owned());
    let (algorithm, encoded) = digest.split_once(':').ok_or_else(invalid)?;
    if !is_digest_algorithm(algorithm)
        || encoded.is_empty()
        || !encoded.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return Err(invalid());
    }
    let expected = match algorithm {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => {
            return Err(ReferenceError::UnsupportedDigestAlgorithm {
                algorithm: algorithm.to_owned(),
                digest: digest.to_owned(),
            });
        }
    };
    if encoded.len() != expected {
        return Err(ReferenceError::DigestWrongLength {
            digest: digest.to_owned(),
            algorithm: algorithm.to_owned(),
            expected,
            found: encoded.len(),
        });
    }
    if encoded.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(ReferenceError::DigestUppercase(digest.to_owned()));
    }
    Ok(())
}

/// `[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*`.
fn is_digest_algorithm(s: &str) -> bool {
    s.split(['-', '_', '+', '.']).all(|part| {
        let b = part.as_bytes();
        b.first().is_some_and(u8::is_ascii_alphabetic) && b.iter().all(u8::is_ascii_alphanumeric)
    })
}

/// Bytes as lower-case hex, the way OCI digests write a hash (`sha256:<hex>`).
pub fn lower_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests;

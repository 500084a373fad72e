//! Well-known public registries and registry allow-list patterns.
//!
//! imagegate lets a team say which registries (and, optionally, which
//! repositories) images may come from, e.g. `registry.example.com/team/*` or
//! `*.dkr.ecr.*.amazonaws.com`. An allow-list is a security control, so the
//! matching here is deliberately strict and cannot be fooled by lookalike
//! names:
//!
//! * Patterns are matched against the **normalized** reference
//!   ([`ImageRef`]), never against the text as written, so `nginx`,
//!   `docker.io/nginx` and `index.docker.io/library/nginx` are the same image.
//! * Registries are compared by their canonical name
//!   ([`canonical_registry`]): Docker Hub's aliases `index.docker.io`,
//!   `registry-1.docker.io` and `registry.hub.docker.com` are `docker.io`,
//!   in images and in patterns alike.
//! * Patterns are normalized like references:
//!   a first component that is not a host (no `.` or `:`, not `localhost`, no
//!   uppercase letter) means Docker Hub, so `bitnami/*` is
//!   `docker.io/bitnami/*`, and a single word such as `nginx` is exactly
//!   `docker.io/library/nginx`.
//! * Hosts are compared label by label (case-insensitively), so `quay.io`
//!   does not match `quay.io.evil.com` or `evilquay.io`. A `*` stands for
//!   exactly one whole label, never a dot.
//! * Ports must be equal: `registry.example.com` does **not** match
//!   `registry.example.com:5000` (or `:443`), because a different port can be
//!   a different server. Write the port in the pattern to allow it.
//! * Repository prefixes end at a `/`: `team/*` matches `team/x` and
//!   `team/x/y`, but neither `team-evil/x` nor `team` itself.
//!
//! The module also lists registries that serve public images to anyone
//! without credentials ([`WELL_KNOWN_PUBLIC`]).

use crate::syntax::image_ref::{
    DEFAULT_REGISTRY, DOCKER_HUB_ALIASES, ImageRef, LEGACY_DEFAULT_REGISTRY, canonical_registry,
    is_domain_component, is_path_component,
};

/// Registries everyone can pull from without credentials (checked on the canonical host, so
/// Docker Hub's aliases count as `docker.io`).
///
/// Being on this list means the registry serves public images anonymously;
/// individual repositories on it may still be private (a private `ghcr.io/acme/...`
/// package): `registries.private` says so for a repository or a whole registry.
///
/// NOTE: `registry.redhat.io` is deliberately absent: it requires a Red Hat
/// account (or registry service account) login even for public images. Its
/// anonymous counterpart, `registry.access.redhat.com`, is listed. Regional
/// IBM hosts (`us.icr.io`, …) hold private namespaces and are absent; only
/// IBM's global `icr.io`, which serves IBM's public images, is listed.
/// Artifact Registry (`*-docker.pkg.dev`), ECR private registries
/// (`*.dkr.ecr.*.amazonaws.com`) and Azure (`*.azurecr.io`) are private by
/// default and never listed, even though public projects publish there
/// (`us-docker.pkg.dev/google-samples/...`): the host says nothing about a repository.
/// Docker Hub's aliases are not listed: [`canonical_registry`] maps them to `docker.io`.
pub const WELL_KNOWN_PUBLIC: &[&str] = &[
    // Docker Hub (also as `index.docker.io`, `registry-1.docker.io`, `registry.hub.docker.com`).
    "docker.io",
    // Hosts where anyone publishes: public repositories pull anonymously, private ones need a
    // login (a private package is declared with `registries.private`).
    // GitHub Container Registry.
    "ghcr.io",
    // Red Hat's Quay.io.
    "quay.io",
    // GitLab.com's container registry.
    "registry.gitlab.com",
    // Amazon ECR Public Gallery.
    "public.ecr.aws",
    // Google Container Registry's global and regional hosts: Google's public images
    // (`gcr.io/distroless/...`, `gcr.io/google-containers/...`).
    "gcr.io",
    "us.gcr.io",
    "eu.gcr.io",
    "asia.gcr.io",
    // Google's pull-through mirror of Docker Hub's official images.
    "mirror.gcr.io",
    // GKE's component images (`gke.gcr.io/pause`, Managed Prometheus), pulled by any cluster.
    "gke.gcr.io",
    // The Kubernetes project's registry.
    "registry.k8s.io",
    // Frozen legacy Kubernetes registry; still served (redirected) for old images.
    "k8s.gcr.io",
    // Vendors' registries of public images.
    // Microsoft Artifact Registry: every image on it is public.
    "mcr.microsoft.com",
    // Elastic's images (Elasticsearch, Kibana, Beats, ECK).
    "docker.elastic.co",
    // NVIDIA NGC: public catalog images pull anonymously; gated ones need a key.
    "nvcr.io",
    // Red Hat's anonymous registry (UBI and other freely redistributable images).
    "registry.access.redhat.com",
    // Fedora's images.
    "registry.fedoraproject.org",
    // SUSE's Base Container Images and Rancher Prime's public images.
    "registry.suse.com",
    // IBM Cloud Container Registry's global host: IBM's public images.
    "icr.io",
    // Chainguard's public images (`cgr.dev/chainguard/...`).
    "cgr.dev",
    // Open-source projects' own registries.
    // Istio's release and sample images.
    "registry.istio.io",
    // Linkerd's images (`cr.l5d.io/linkerd/...`).
    "cr.l5d.io",
    // Kyverno's images since 1.14 (`reg.kyverno.io/kyverno/...`).
    "reg.kyverno.io",
    // Fluent Bit's official images (`cr.fluentbit.io/fluent/fluent-bit`).
    "cr.fluentbit.io",
    // External Secrets Operator's images (`oci.external-secrets.io/external-secrets/...`).
    "oci.external-secrets.io",
    // Zalando's open-source images (postgres-operator, Spilo).
    "registry.opensource.zalan.do",
    // agentgateway's images (Istio builds on `cr.agentgateway.dev/agentgateway`).
    "cr.agentgateway.dev",
    // Scarf's download-counting gateway in front of LitmusChaos's Docker Hub images.
    "litmuschaos.docker.scarf.sh",
];

/// True when `registry` is one of [`WELL_KNOWN_PUBLIC`].
///
/// The match is on the exact canonical host (ASCII case-insensitive), including any
/// port: `docker.io:443` and `foo.gcr.io` are not well known. Docker Hub's aliases
/// (`index.docker.io`, `registry-1.docker.io`, `registry.hub.docker.com`) count as
/// `docker.io`. `*.pkg.dev` Artifact Registry hosts are NOT public by default and never match.
pub fn is_well_known_public(registry: &str) -> bool {
    let registry = canonical_registry(registry);
    WELL_KNOWN_PUBLIC
        .iter()
        .any(|known| known.eq_ignore_ascii_case(registry))
}

/// An allow-list entry naming a registry, optionally narrowed to one
/// repository or to every repository under a path prefix.
///
/// Forms (see the module documentation for the exact rules):
///
/// | pattern | allows |
/// |---|---|
/// | `registry.example.com` | any repository on that host (no port) |
/// | `registry.example.com:5000` | any repository on that host and port |
/// | `registry.example.com/team/*` | repositories under `team/` |
/// | `registry.example.com/team/app` | exactly `team/app` |
/// | `*.dkr.ecr.*.amazonaws.com` | each `*` is one host label |
/// | `bitnami/*`, `nginx` | Docker Hub: `docker.io/bitnami/*`, `docker.io/library/nginx` |
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryPattern {
    /// The pattern as written.
    written: String,
    /// Host labels, lowercased; `None` is a `*` wildcard label. An IPv6
    /// literal is a single label including its brackets.
    host: Vec<Option<String>>,
    /// Port, when the pattern names one.
    port: Option<String>,
    /// Which repositories on the host are allowed.
    path: PathRule,
}

/// Which repositories a pattern allows on its host.
#[derive(Debug, Clone, PartialEq, Eq)]
enum PathRule {
    /// Any repository.
    Any,
    /// Exactly this repository.
    Exact(String),
    /// Repositories strictly below this path (`prefix/...`).
    Under(String),
}

/// Why an allow-list pattern is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    /// The pattern is empty.
    #[error("empty registry pattern")]
    Empty,
    /// The pattern contains whitespace.
    #[error("registry pattern `{0}` contains whitespace (check for leading or trailing spaces)")]
    Whitespace(String),
    /// The pattern is a URL.
    #[error(
        "registry pattern `{0}` has a URL scheme; write the registry host without `scheme://`, \
         e.g. `registry.example.com`"
    )]
    Scheme(String),
    /// The pattern names a tag.
    #[error("registry pattern `{0}` has a tag; patterns name a registry or repositories, not tags")]
    Tag(String),
    /// The pattern names a digest.
    #[error(
        "registry pattern `{0}` has a digest (`@...`); patterns name a registry or \
         repositories, not digests"
    )]
    Digest(String),
    /// A lone `*`, which would silently mean only `docker.io/library/*`.
    #[error(
        "registry pattern `*` is ambiguous; write `docker.io/library/*` for Docker Hub's \
         official images, or name a registry host"
    )]
    LoneWildcard,
    /// A `*` that is neither a whole host label nor the final path component.
    #[error(
        "misplaced `*` in registry pattern `{0}`: `*` must be a whole host label (as in \
         `*.example.com`) or the whole last path component (as in `example.com/team/*`)"
    )]
    MisplacedWildcard(String),
    /// A wildcard host with too few literal labels (e.g. `*.io`).
    #[error(
        "wildcard host in registry pattern `{0}` is too broad; keep at least two literal \
         labels, e.g. `*.example.com`"
    )]
    HostTooBroad(String),
    /// The host part is not a valid host name or IPv6 literal.
    #[error(
        "invalid registry host `{host}` in pattern `{pattern}` (a host is labels of letters, \
         digits and inner `-` joined by `.`, or an IPv6 address in `[...]`)"
    )]
    InvalidHost {
        /// The host part.
        host: String,
        /// The whole pattern.
        pattern: String,
    },
    /// The port is not a number.
    #[error("invalid port in registry pattern `{0}` (a port must be digits only, e.g. `:5000`)")]
    InvalidPort(String),
    /// The repository path contains uppercase letters.
    #[error("repository path in registry pattern `{0}` must be lowercase")]
    Uppercase(String),
    /// The repository path has an empty component.
    #[error(
        "registry pattern `{0}` has an empty path component (a doubled `/` or a trailing `/`; \
         use `/*` to allow everything under a path)"
    )]
    EmptyPathComponent(String),
    /// A repository path component is not valid.
    #[error(
        "invalid repository path component `{component}` in registry pattern `{pattern}` \
         (lowercase letters and digits, separated by a single `.`, one or two `_`, or `-`)"
    )]
    InvalidPathComponent {
        /// The offending component.
        component: String,
        /// The whole pattern.
        pattern: String,
    },
}

impl RegistryPattern {
    /// Parses and normalizes an allow-list pattern.
    pub fn parse(s: &str) -> Result<RegistryPattern, PatternError> {
        if s.is_empty() {
            return Err(PatternError::Empty);
        }
        if s.chars().any(char::is_whitespace) {
            return Err(PatternError::Whitespace(s.to_owned()));
        }
        if s.contains("://") {
            return Err(PatternError::Scheme(s.to_owned()));
        }
        if s.contains('@') {
            return Err(PatternError::Digest(s.to_owned()));
        }
        if s == "*" {
            return Err(PatternError::LoneWildcard);
        }

        let (host_part, path_part) = match s.split_once('/') {
            Some((first, rest)) if is_host_like(first, true) => (Some(first), Some(rest)),
            Some(_) => (None, Some(s)),
            None if is_host_like(s, false) => (Some(s), None),
            None => (None, Some(s)),
        };

        let (host, port) = match host_part {
            Some(h) => parse_host_port(h, s)?,
            None => (docker_hub_labels(), None),
        };
        // NOTE: `nginx` is `library/nginx` only where a reference implies it: on `docker.io`
        // and `index.docker.io`. The other aliases keep the path as written, as references do
        // (`registry-1.docker.io/nginx` is the repository `nginx`).
        let is_docker_hub = port.is_none()
            && host_part.is_none_or(|h| {
                h.eq_ignore_ascii_case(DEFAULT_REGISTRY)
                    || h.eq_ignore_ascii_case(LEGACY_DEFAULT_REGISTRY)
            });

        let path = match path_part {
            None => PathRule::Any,
            Some(p) => parse_path(p, s, is_docker_hub)?,
        };
        Ok(RegistryPattern {
            written: s.to_owned(),
            host,
            port,
            path,
        })
    }

    /// True when `image` (normalized) is allowed by this pattern.
    pub fn matches(&self, image: &ImageRef) -> bool {
        self.matches_registry(&image.registry)
            && match &self.path {
                PathRule::Any => true,
                PathRule::Exact(repo) => image.repository == *repo,
                PathRule::Under(prefix) => image
                    .repository
                    .strip_prefix(prefix.as_str())
                    .and_then(|rest| rest.strip_prefix('/'))
                    .is_some_and(|rest| !rest.is_empty()),
            }
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.written
    }

    /// True when a normalized `host[:port]` is this pattern's host and port.
    fn matches_registry(&self, registry: &str) -> bool {
        let Some((host, port)) = split_registry_port(canonical_registry(registry)) else {
            return false;
        };
        if port != self.port.as_deref() {
            return false;
        }
        if host.starts_with('[') {
            return matches!(self.host.as_slice(), [Some(literal)] if literal.eq_ignore_ascii_case(host));
        }
        let labels: Vec<&str> = host.split('.').collect();
        labels.len() == self.host.len()
            && labels
                .iter()
                .zip(&self.host)
                .all(|(label, want)| match want {
                    None => is_domain_component(label),
                    Some(literal) => literal.eq_ignore_ascii_case(label),
                })
    }
}

impl std::fmt::Display for RegistryPattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.written)
    }
}

impl std::str::FromStr for RegistryPattern {
    type Err = PatternError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RegistryPattern::parse(s)
    }
}

// In configuration (rule options): a pattern is written as its text and checked as it is read,
// so a bad one is reported at its line.
impl<'de> serde::Deserialize<'de> for RegistryPattern {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        RegistryPattern::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl serde::Serialize for RegistryPattern {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.written)
    }
}

impl schemars::JsonSchema for RegistryPattern {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "RegistryPattern".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "A registry pattern: `registry.example.com`, `registry.example.com/team/*`, `*.dkr.ecr.*.amazonaws.com`, `docker.io/library/*`."
        })
    }
}

/// Whether the first component of a pattern names a host. With a following
/// path this mirrors the reference rule (`.`, `:`, `localhost`, uppercase);
/// a pattern without `/` names a host when it contains `.` or `:`, is
/// `localhost` or starts with `[` (IPv6), and is otherwise a Docker Hub
/// repository (`nginx`).
fn is_host_like(first: &str, has_path: bool) -> bool {
    first == "localhost"
        || first.starts_with('[')
        || first.contains(['.', ':'])
        || (has_path && first.to_lowercase() != first)
}

/// Splits a normalized registry into host and port. An IPv6 host keeps its
/// brackets. `None` when the registry is not of the form `host[:port]`.
fn split_registry_port(registry: &str) -> Option<(&str, Option<&str>)> {
    if registry.starts_with('[') {
        let host = registry.split_inclusive(']').next()?;
        let after = registry.strip_prefix(host)?;
        if !host.ends_with(']') {
            return None;
        }
        return match after {
            "" => Some((host, None)),
            _ => Some((host, Some(after.strip_prefix(':')?))),
        };
    }
    Some(match registry.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (registry, None),
    })
}

/// Host labels of `docker.io`.
fn docker_hub_labels() -> HostLabels {
    vec![Some("docker".to_owned()), Some("io".to_owned())]
}

/// Host labels of a pattern; `None` is a `*` wildcard label.
type HostLabels = Vec<Option<String>>;

/// Parses the host part of a pattern (`h`) into labels and an optional port.
fn parse_host_port(h: &str, pattern: &str) -> Result<(HostLabels, Option<String>), PatternError> {
    let invalid_host = || PatternError::InvalidHost {
        host: h.to_owned(),
        pattern: pattern.to_owned(),
    };
    let (host, port) = if h.starts_with('[') {
        let host = h.split_inclusive(']').next().ok_or_else(invalid_host)?;
        let after = h.strip_prefix(host).ok_or_else(invalid_host)?;
        let inner = host
            .strip_prefix('[')
            .and_then(|x| x.strip_suffix(']'))
            .ok_or_else(invalid_host)?;
        if inner.is_empty() || !inner.bytes().all(|b| b.is_ascii_hexdigit() || b == b':') {
            return Err(invalid_host());
        }
        let port = match after {
            "" => None,
            _ => Some(after.strip_prefix(':').ok_or_else(invalid_host)?),
        };
        (vec![Some(host.to_ascii_lowercase())], port)
    } else {
        let (host, port) = match h.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (h, None),
        };
        let mut labels = Vec::new();
        for label in host.split('.') {
            if label == "*" {
                labels.push(None);
            } else if label.contains('*') {
                return Err(PatternError::MisplacedWildcard(pattern.to_owned()));
            } else if is_domain_component(label) {
                labels.push(Some(label.to_ascii_lowercase()));
            } else {
                return Err(invalid_host());
            }
        }
        let literal = labels.iter().filter(|l| l.is_some()).count();
        if literal < labels.len() && literal < 2 {
            return Err(PatternError::HostTooBroad(pattern.to_owned()));
        }
        // Docker Hub's aliases are Docker Hub (with a port they are left
        // alone, as `canonical_registry` leaves `index.docker.io:443` alone).
        if port.is_none()
            && DOCKER_HUB_ALIASES
                .iter()
                .any(|a| a.eq_ignore_ascii_case(host))
        {
            labels = docker_hub_labels();
        }
        (labels, port)
    };
    if let Some(p) = port {
        if p.contains('*') {
            return Err(PatternError::MisplacedWildcard(pattern.to_owned()));
        }
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
            // A host-less word followed by `:x` (`nginx:1.27`) is an image
            // with a tag, not a host with a port.
            let host_name = h.split_once(':').map_or(h, |(name, _)| name);
            let looks_like_host =
                host_name.contains('.') || host_name.starts_with('[') || host_name == "localhost";
            return Err(if looks_like_host {
                PatternError::InvalidPort(pattern.to_owned())
            } else {
                PatternError::Tag(pattern.to_owned())
            });
        }
    }
    Ok((host, port.map(str::to_owned)))
}

/// Parses the repository part of a pattern into a [`PathRule`].
fn parse_path(path: &str, pattern: &str, is_docker_hub: bool) -> Result<PathRule, PatternError> {
    if path.contains(':') {
        return Err(PatternError::Tag(pattern.to_owned()));
    }
    if path.to_lowercase() != path {
        return Err(PatternError::Uppercase(pattern.to_owned()));
    }
    let (literal, wildcard) = match path.strip_suffix("/*") {
        Some(prefix) => (prefix, true),
        None if path == "*" => return Ok(PathRule::Any),
        None => (path, false),
    };
    for component in literal.split('/') {
        if component.is_empty() {
            return Err(PatternError::EmptyPathComponent(pattern.to_owned()));
        }
        if component.contains('*') {
            return Err(PatternError::MisplacedWildcard(pattern.to_owned()));
        }
        if !is_path_component(component) {
            return Err(PatternError::InvalidPathComponent {
                component: component.to_owned(),
                pattern: pattern.to_owned(),
            });
        }
    }
    // Docker Hub's official images: `nginx` is `library/nginx`, as for
    // references; `library/*`-style prefixes are written out in full.
    let literal = if is_docker_hub && !wildcard && !literal.contains('/') {
        format!("library/{literal}")
    } else {
        literal.to_owned()
    };
    Ok(if wildcard {
        PathRule::Under(literal)
    } else {
        PathRule::Exact(literal)
    })
}

#[cfg(test)]
mod tests;

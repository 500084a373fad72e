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
mod tests {
    use super::*;

    const DIGEST: &str = "sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c";

    fn check(pattern: &str, image: &str) -> bool {
        let p = RegistryPattern::parse(pattern)
            .unwrap_or_else(|e| panic!("pattern {pattern:?} must parse: {e}"));
        let i =
            ImageRef::parse(image).unwrap_or_else(|e| panic!("image {image:?} must parse: {e}"));
        p.matches(&i)
    }

    #[test]
    fn match_table() {
        let digest_ref = format!("registry.example.com/team/x:1@{DIGEST}");
        let nginx_digest = format!("docker.io/library/nginx@{DIGEST}");
        let table: &[(&str, &str, bool)] = &[
            // Host only: any repository, case-insensitive host, exact port.
            ("registry.example.com", "registry.example.com/app", true),
            (
                "registry.example.com",
                "registry.example.com/team/app:1.0",
                true,
            ),
            ("registry.example.com", "REGISTRY.Example.COM/app", true),
            ("REGISTRY.EXAMPLE.COM", "registry.example.com/app", true),
            ("registry.example.com", "registry.example.com:5000/x", false),
            ("registry.example.com", "registry.example.com:443/x", false),
            (
                "registry.example.com",
                "registry.example.com.evil.io/x",
                false,
            ),
            ("registry.example.com", "evil.registry.example.com/x", false),
            ("registry.example.com", "registry.example.co/x", false),
            (
                "registry.example.com:5000",
                "registry.example.com:5000/x",
                true,
            ),
            ("registry.example.com:5000", "registry.example.com/x", false),
            (
                "registry.example.com:5000",
                "registry.example.com:5001/x",
                false,
            ),
            (
                "registry.example.com:5000",
                "registry.example.com:50000/x",
                false,
            ),
            // Repository prefix: ends at a `/`.
            (
                "registry.example.com/team/*",
                "registry.example.com/team/x",
                true,
            ),
            (
                "registry.example.com/team/*",
                "registry.example.com/team/x/y",
                true,
            ),
            ("registry.example.com/team/*", &digest_ref, true),
            (
                "registry.example.com/team/*",
                "registry.example.com/team-evil/x",
                false,
            ),
            (
                "registry.example.com/team/*",
                "registry.example.com/team",
                false,
            ),
            (
                "registry.example.com/team/*",
                "registry.example.com/teamx/y",
                false,
            ),
            (
                "registry.example.com/team/*",
                "registry.example.com/other/team/x",
                false,
            ),
            (
                "registry.example.com/team/*",
                "registry.example.com.evil.io/team/x",
                false,
            ),
            (
                "registry.example.com/team/*",
                "evil.io/registry.example.com/team/x",
                false,
            ),
            (
                "registry.example.com/team/*",
                "registry.example.com:5000/team/x",
                false,
            ),
            (
                "registry.example.com/team/x/*",
                "registry.example.com/team/x/y",
                true,
            ),
            (
                "registry.example.com/team/x/*",
                "registry.example.com/team/x",
                false,
            ),
            (
                "registry.example.com/*",
                "registry.example.com/anything/at/all",
                true,
            ),
            // Exact repository.
            (
                "registry.example.com/team/app",
                "registry.example.com/team/app",
                true,
            ),
            (
                "registry.example.com/team/app",
                "registry.example.com/team/app:1",
                true,
            ),
            (
                "registry.example.com/team/app",
                "registry.example.com/team/app/sub",
                false,
            ),
            (
                "registry.example.com/team/app",
                "registry.example.com/team/application",
                false,
            ),
            (
                "registry.example.com/team/app",
                "registry.example.com/team/ap",
                false,
            ),
            // Wildcard labels: exactly one label each.
            (
                "*.dkr.ecr.*.amazonaws.com",
                "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1",
                true,
            ),
            (
                "*.dkr.ecr.*.amazonaws.com",
                "a.b.dkr.ecr.eu-west-1.amazonaws.com/app",
                false,
            ),
            (
                "*.dkr.ecr.*.amazonaws.com",
                "x.dkr.ecr.eu-west-1.amazonaws.com.evil.io/app",
                false,
            ),
            (
                "*.dkr.ecr.*.amazonaws.com",
                "dkr.ecr.eu-west-1.amazonaws.com/app",
                false,
            ),
            (
                "*.dkr.ecr.*.amazonaws.com",
                "123.dkr.ecr.amazonaws.com/app",
                false,
            ),
            (
                "*.dkr.ecr.*.amazonaws.com",
                "123.dkr.ecr.eu-west-1.amazonaws.com:443/app",
                false,
            ),
            (
                "*.dkr.ecr.*.amazonaws.com",
                "123.dkr.ecrx.eu-west-1.amazonaws.com/app",
                false,
            ),
            ("*.example.com/team/*", "a.example.com/team/x", true),
            ("*.example.com/team/*", "a.example.com/other/x", false),
            ("*.example.com", "example.com/x", false),
            ("*.example.com", "a.b.example.com/x", false),
            // Docker Hub normalization, on both sides.
            ("docker.io/library/*", "nginx", true),
            ("docker.io/library/*", "nginx:1.27", true),
            ("docker.io/library/*", "docker.io/nginx", true),
            ("docker.io/library/*", "index.docker.io/library/nginx", true),
            ("docker.io/library/*", "bitnami/redis", false),
            (
                "docker.io/library/*",
                "registry.example.com/library/nginx",
                false,
            ),
            (
                "docker.io/library/*",
                "docker.io.evil.com/library/nginx",
                false,
            ),
            ("docker.io/library/*", "library/nginx", true),
            // Docker Hub's other aliases are Docker Hub too, in images and patterns; their
            // paths are kept as written (`registry-1.docker.io/nginx` is not `library/nginx`).
            (
                "docker.io/library/*",
                "registry-1.docker.io/library/nginx",
                true,
            ),
            (
                "docker.io/library/*",
                "registry.hub.docker.com/library/nginx",
                true,
            ),
            (
                "docker.io/library/*",
                "REGISTRY-1.DOCKER.IO/library/nginx",
                true,
            ),
            ("docker.io/library/*", "registry-1.docker.io/nginx", false),
            ("docker.io", "registry-1.docker.io/nginx", true),
            ("docker.io", "registry.hub.docker.com/bitnami/redis", true),
            ("docker.io", "registry-1.docker.io:443/nginx", false),
            ("registry-1.docker.io/library/*", "nginx", true),
            ("registry.hub.docker.com/bitnami/*", "bitnami/redis", true),
            ("registry.hub.docker.com", "docker.io/x/y", true),
            (
                "registry-1.docker.io/nginx",
                "registry-1.docker.io/nginx",
                true,
            ),
            ("registry-1.docker.io/nginx", "nginx", false),
            ("nginx", "registry-1.docker.io/library/nginx:1.27", true),
            ("*.docker.io", "registry-1.docker.io/x", false),
            (
                "registry-1.docker.io:5000",
                "registry-1.docker.io:5000/x",
                true,
            ),
            ("registry-1.docker.io:5000", "docker.io/x", false),
            ("index.docker.io/library/*", "nginx", true),
            ("INDEX.DOCKER.IO/library/*", "nginx", true),
            ("docker.io", "nginx", true),
            ("docker.io", "index.docker.io/x/y", true),
            ("docker.io", "docker.io.evil.com/x", false),
            ("docker.io", "evildocker.io/x", false),
            ("docker.io/*", "bitnami/redis", true),
            ("bitnami/*", "bitnami/redis", true),
            ("bitnami/*", "docker.io/bitnami/redis:7.2", true),
            ("bitnami/*", "quay.io/bitnami/redis", false),
            ("bitnami/*", "bitnami-evil/redis", false),
            ("bitnami/*", "bitnami", false),
            ("team/*", "team/x", true),
            ("team/*", "docker.io/team-evil/x", false),
            ("team/*", "registry.example.com/team/x", false),
            ("nginx", "nginx", true),
            ("nginx", "nginx:1.27", true),
            ("nginx", &nginx_digest, true),
            ("nginx", "bitnami/nginx", false),
            ("nginx", "nginx/nginx-ingress", false),
            ("nginx", "quay.io/nginx", false),
            ("nginx", "library/nginx/sub", false),
            ("library/nginx", "nginx", true),
            ("docker.io/nginx", "nginx", true),
            ("docker.io/nginx", "docker.io/nginx/nginx", false),
            // Well-known public hosts and lookalikes.
            ("quay.io", "quay.io/x", true),
            ("quay.io", "QUAY.IO/x", true),
            ("quay.io", "quay.io.evil.com/x", false),
            ("quay.io", "evilquay.io/x", false),
            ("quay.io", "sub.quay.io/x", false),
            ("quay.io", "quay.io:443/x", false),
            ("quay.io", "quay/x", false),
            ("ghcr.io/org/*", "ghcr.io/org/app", true),
            ("ghcr.io/org/*", "ghcr.io/organisation/app", false),
            // localhost, IPv6, uppercase-domain rule.
            ("localhost", "localhost/app", true),
            ("localhost", "localhost:5000/app", false),
            ("localhost:5000", "localhost:5000/app:1", true),
            ("localhost", "localhost", false),
            ("[::1]:5000", "[::1]:5000/app:tag", true),
            ("[::1]:5000/app", "[::1]:5000/app:tag", true),
            ("[::1]:5000", "[::2]:5000/app", false),
            ("[::1]", "[::1]:5000/app", false),
            ("[::1]", "[::1]/app", true),
            ("[FC00::1]", "[fc00::1]/app", true),
            ("index.docker.io:443", "index.docker.io:443/x", true),
            ("index.docker.io:443", "docker.io/x", false),
            ("docker.io:443", "index.docker.io:443/x", false),
            ("Foo/bar", "Foo/bar", true),
            ("foo/bar", "Foo/bar", false),
        ];
        assert!(table.len() >= 90);
        for (pattern, image, want) in table {
            assert_eq!(
                check(pattern, image),
                *want,
                "pattern {pattern:?} vs image {image:?}"
            );
        }
    }

    #[test]
    fn invalid_patterns() {
        use PatternError as E;
        let digest_pattern = format!("quay.io/app@{DIGEST}");
        type IsExpected = fn(&PatternError) -> bool;
        let table: &[(&str, IsExpected)] = &[
            ("", |e| matches!(e, E::Empty)),
            (" ", |e| matches!(e, E::Whitespace(_))),
            (" quay.io", |e| matches!(e, E::Whitespace(_))),
            ("quay.io ", |e| matches!(e, E::Whitespace(_))),
            ("quay.io\n", |e| matches!(e, E::Whitespace(_))),
            ("https://quay.io", |e| matches!(e, E::Scheme(_))),
            ("http://registry.example.com/team/*", |e| {
                matches!(e, E::Scheme(_))
            }),
            ("oci://registry.example.com", |e| matches!(e, E::Scheme(_))),
            ("quay.io/app:1.0", |e| matches!(e, E::Tag(_))),
            ("registry.example.com:5000/team/app:1.0", |e| {
                matches!(e, E::Tag(_))
            }),
            ("nginx:1.27", |e| matches!(e, E::Tag(_))),
            (&digest_pattern, |e| matches!(e, E::Digest(_))),
            ("nginx@sha256:abc", |e| matches!(e, E::Digest(_))),
            ("*", |e| matches!(e, E::LoneWildcard)),
            ("reg*.io", |e| matches!(e, E::MisplacedWildcard(_))),
            ("*reg.example.io", |e| matches!(e, E::MisplacedWildcard(_))),
            ("team/*/x", |e| matches!(e, E::MisplacedWildcard(_))),
            ("registry.example.com/team/*/x", |e| {
                matches!(e, E::MisplacedWildcard(_))
            }),
            ("**", |e| matches!(e, E::MisplacedWildcard(_))),
            ("registry.example.com/**", |e| {
                matches!(e, E::MisplacedWildcard(_))
            }),
            ("registry.example.com/team*", |e| {
                matches!(e, E::MisplacedWildcard(_))
            }),
            ("registry.example.com/*/*", |e| {
                matches!(e, E::MisplacedWildcard(_))
            }),
            ("*/team", |e| matches!(e, E::MisplacedWildcard(_))),
            ("registry.example.com:*", |e| {
                matches!(e, E::MisplacedWildcard(_))
            }),
            ("**.example.com", |e| matches!(e, E::MisplacedWildcard(_))),
            ("*.io", |e| matches!(e, E::HostTooBroad(_))),
            ("*.*", |e| matches!(e, E::HostTooBroad(_))),
            ("*.*.com", |e| matches!(e, E::HostTooBroad(_))),
            ("*:5000", |e| matches!(e, E::HostTooBroad(_))),
            ("registry.example.com/Team/*", |e| {
                matches!(e, E::Uppercase(_))
            }),
            ("Nginx", |e| matches!(e, E::Uppercase(_))),
            ("registry.example.com:port", |e| {
                matches!(e, E::InvalidPort(_))
            }),
            ("registry.example.com:", |e| matches!(e, E::InvalidPort(_))),
            ("reg_istry.example.com", |e| {
                matches!(e, E::InvalidHost { .. })
            }),
            ("-registry.example.com", |e| {
                matches!(e, E::InvalidHost { .. })
            }),
            ("registry-.example.com", |e| {
                matches!(e, E::InvalidHost { .. })
            }),
            ("registry..example.com", |e| {
                matches!(e, E::InvalidHost { .. })
            }),
            ("registry.example.com.", |e| {
                matches!(e, E::InvalidHost { .. })
            }),
            ("régistry.example.com", |e| {
                matches!(e, E::InvalidHost { .. })
            }),
            ("[::1", |e| matches!(e, E::InvalidHost { .. })),
            ("[zz::1]", |e| matches!(e, E::InvalidHost { .. })),
            ("[::1]x", |e| matches!(e, E::InvalidHost { .. })),
            ("[]", |e| matches!(e, E::InvalidHost { .. })),
            ("registry.example.com/", |e| {
                matches!(e, E::EmptyPathComponent(_))
            }),
            ("registry.example.com/team/", |e| {
                matches!(e, E::EmptyPathComponent(_))
            }),
            ("registry.example.com//team", |e| {
                matches!(e, E::EmptyPathComponent(_))
            }),
            ("bitnami//redis", |e| matches!(e, E::EmptyPathComponent(_))),
            ("/nginx", |e| matches!(e, E::EmptyPathComponent(_))),
            ("registry.example.com/-team/*", |e| {
                matches!(e, E::InvalidPathComponent { .. })
            }),
            ("registry.example.com/te$m", |e| {
                matches!(e, E::InvalidPathComponent { .. })
            }),
            ("a___b", |e| matches!(e, E::InvalidPathComponent { .. })),
            ("a..b/*", |e| matches!(e, E::InvalidHost { .. })),
            ("bitnami/a..b", |e| {
                matches!(e, E::InvalidPathComponent { .. })
            }),
        ];
        for (pattern, is_expected) in table {
            match RegistryPattern::parse(pattern) {
                Ok(p) => panic!("pattern {pattern:?} must be invalid, parsed as {p:?}"),
                Err(e) => assert!(
                    is_expected(&e),
                    "pattern {pattern:?}: unexpected error {e:?}"
                ),
            }
        }
    }

    #[test]
    fn pattern_error_messages_say_why() {
        let msg = |p: &str| RegistryPattern::parse(p).expect_err(p).to_string();
        assert_eq!(msg(""), "empty registry pattern");
        assert_eq!(
            msg("https://quay.io"),
            "registry pattern `https://quay.io` has a URL scheme; write the registry host \
             without `scheme://`, e.g. `registry.example.com`"
        );
        assert_eq!(
            msg("quay.io/app:1.0"),
            "registry pattern `quay.io/app:1.0` has a tag; patterns name a registry or \
             repositories, not tags"
        );
        assert_eq!(
            msg("reg*.io"),
            "misplaced `*` in registry pattern `reg*.io`: `*` must be a whole host label (as in \
             `*.example.com`) or the whole last path component (as in `example.com/team/*`)"
        );
        assert_eq!(
            msg("*.io"),
            "wildcard host in registry pattern `*.io` is too broad; keep at least two literal \
             labels, e.g. `*.example.com`"
        );
        assert_eq!(
            msg("reg_istry.example.com"),
            "invalid registry host `reg_istry.example.com` in pattern `reg_istry.example.com` (a \
             host is labels of letters, digits and inner `-` joined by `.`, or an IPv6 address \
             in `[...]`)"
        );
        assert!(msg(" quay.io").contains("contains whitespace"));
        assert!(msg("quay.io@sha256:abc").contains("has a digest"));
        assert!(msg("*").contains("`docker.io/library/*`"));
        assert!(msg("registry.example.com:port").contains("a port must be digits only"));
        assert!(msg("registry.example.com/Team/*").contains("must be lowercase"));
        assert!(msg("registry.example.com/team/").contains("use `/*`"));
        assert!(msg("registry.example.com/-team").contains("component `-team`"));
    }

    #[test]
    fn as_str_and_display_keep_the_written_form() {
        for written in [
            "bitnami/*",
            "INDEX.DOCKER.IO/library/*",
            "nginx",
            "[::1]:5000",
        ] {
            let p = RegistryPattern::parse(written).unwrap();
            assert_eq!(p.as_str(), written);
            assert_eq!(p.to_string(), written);
            assert_eq!(written.parse::<RegistryPattern>().unwrap(), p);
        }
        // Equivalent spellings normalize to the same rule.
        let a = RegistryPattern::parse("bitnami/*").unwrap();
        let b = RegistryPattern::parse("docker.io/bitnami/*").unwrap();
        assert_eq!((&a.host, &a.port, &a.path), (&b.host, &b.port, &b.path));
        let a = RegistryPattern::parse("nginx").unwrap();
        let b = RegistryPattern::parse("index.docker.io/library/nginx").unwrap();
        assert_eq!((&a.host, &a.port, &a.path), (&b.host, &b.port, &b.path));
    }

    #[test]
    fn matching_a_hand_built_image_never_panics() {
        // ImageRef's fields are public, so matching must cope with values
        // `ImageRef::parse` would never produce.
        let p = RegistryPattern::parse("[::1]:5000").unwrap();
        let q = RegistryPattern::parse("*.example.com/team/*").unwrap();
        for registry in [
            "",
            "[",
            "[::1",
            "[::1]x",
            "[::1]:",
            ":",
            "..",
            ".example.com",
            "é.example.com",
        ] {
            let image = ImageRef {
                written: String::new(),
                registry: registry.to_owned(),
                repository: "team/x".to_owned(),
                tag: None,
                digest: None,
                registry_implied: false,
                library_implied: false,
            };
            assert!(!p.matches(&image), "{registry:?}");
            assert!(!q.matches(&image), "{registry:?}");
        }
    }

    /// Deterministic pseudo-random patterns and images: parsing and matching
    /// never panic, and a pattern always matches the image it spells out.
    #[test]
    fn never_panics() {
        const ALPHABET: &[&str] = &[
            "a",
            "b",
            "0",
            "A",
            ".",
            "_",
            "-",
            ":",
            "/",
            "@",
            "[",
            "]",
            "*",
            " ",
            "é",
            "🐳",
            "5000",
            "docker.io",
            "index.",
            "library",
            "localhost",
            "://",
        ];
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut random = |max_len: u64| -> String {
            let len = next() % max_len;
            (0..len)
                .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
                .collect()
        };
        let mut images = Vec::new();
        while images.len() < 200 {
            if let Ok(image) = ImageRef::parse(&random(8)) {
                images.push(image);
            }
        }
        let (mut parsed, mut self_checked) = (0, 0);
        for _ in 0..40_000 {
            let text = random(8);
            let Ok(pattern) = RegistryPattern::parse(&text) else {
                continue;
            };
            parsed += 1;
            for image in &images {
                let _ = pattern.matches(image);
            }
            if !text.contains('*')
                && text.contains('/')
                && let Ok(image) = ImageRef::parse(&text)
            {
                self_checked += 1;
                assert!(pattern.matches(&image), "{text:?}");
            }
        }
        assert!(
            parsed > 1_000 && self_checked > 50,
            "{parsed} {self_checked}"
        );
    }

    #[test]
    fn well_known_public_registries() {
        for yes in [
            "docker.io",
            "DOCKER.IO",
            "index.docker.io",
            "registry-1.docker.io",
            "registry.hub.docker.com",
            "Registry.Hub.Docker.Com",
            "cr.l5d.io",
            "reg.kyverno.io",
            "cgr.dev",
            "nvcr.io",
            "docker.elastic.co",
            "quay.io",
            "ghcr.io",
            "registry.k8s.io",
            "public.ecr.aws",
            "mcr.microsoft.com",
            "registry.access.redhat.com",
        ] {
            assert!(is_well_known_public(yes), "{yes}");
        }
        for no in [
            "",
            "registry.redhat.io",
            "us-docker.pkg.dev",
            "europe-west1-docker.pkg.dev",
            "quay.io:443",
            "gcr.io.evil.com",
            "evil-gcr.io",
            "foo.gcr.io",
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com",
            "myregistry.azurecr.io",
            "us.icr.io",
            "registry-1.docker.io:443",
            "hub.docker.com",
            "fake.docker.io",
        ] {
            assert!(!is_well_known_public(no), "{no}");
        }
        // Every entry is a lowercase, distinct, valid registry host that
        // normalizes to itself.
        let mut seen = std::collections::HashSet::new();
        for host in WELL_KNOWN_PUBLIC {
            assert!(seen.insert(*host), "duplicate {host}");
            assert_eq!(canonical_registry(host), *host, "{host} is an alias");
            assert_eq!(host.to_ascii_lowercase(), *host);
            let image = ImageRef::parse(&format!("{host}/x/y")).unwrap();
            assert_eq!(image.registry, *host);
            assert!(RegistryPattern::parse(host).unwrap().matches(&image));
        }
    }
}

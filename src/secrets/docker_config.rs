//! Docker configs (`.dockerconfigjson`, `.dockercfg`, base64 or not) in values: which
//! registries they hold logins for, never the logins.

use super::*;

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
pub(super) const MAX_DOCKER_CONFIG_LEN: usize = 16 * 1024 * 1024;

/// Longest host reported, in bytes.
pub(super) const MAX_HOST_LEN: usize = 255;

/// Fold a JSON key the way Go's `encoding/json` matches struct fields: case-insensitively,
/// with `ſ` (U+017F) as `s` and the Kelvin sign (U+212A) as `k`. Docker and the kubelet
/// read configs with Go, so `"Password"` or `"paſſword"` counts as `password` there.
pub(super) fn go_fold(key: &str) -> String {
    key.chars()
        .map(|c| match c {
            '\u{017F}' => 's',
            '\u{212A}' => 'k',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// Whether one registry entry carries a credential.
pub(super) fn entry_has_credentials(entry: &Map<String, Value>) -> bool {
    entry.iter().any(|(key, value)| {
        matches!(
            go_fold(key).as_str(),
            "auth" | "password" | "identitytoken" | "registrytoken"
        ) && value.as_str().is_some_and(|s| !is_placeholder(s))
    })
}

/// The registry host of a config key: `https://index.docker.io/v1/` → `index.docker.io`,
/// `registry.local:5000` → `registry.local:5000`. Any `user:pass@` is dropped.
pub(super) fn registry_host(key: &str) -> Option<String> {
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
pub(super) fn looks_like_registry(host: &str) -> bool {
    host.contains('.') || host.contains(':') || host == "localhost"
}

pub(super) fn docker_config_from_json(root: &Value) -> Option<DockerConfig> {
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
pub(super) const LENIENT_STANDARD: GeneralPurpose = GeneralPurpose::new(
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

//! Asking registries (opt-in, `--online`): what a reference resolves to, whether it exists,
//! whether the registry answers without credentials. Everything here is bounded (timeouts,
//! retries, body sizes), verifies what it is told (a digest is the sha256 of the bytes
//! received), and never puts a credential in an error, a log line or a `Debug` print.

pub mod auth;
pub mod cache;
pub mod client;
pub mod cosign;
pub mod inspect;
pub mod resolve;

use std::collections::BTreeMap;

use crate::syntax::image_ref::ImageRef;
use client::Credential;
use inspect::{ImageFacts, Target};

/// What the online phase learnt, by image reference: what the rules consult.
#[derive(Debug, Clone, Default)]
pub struct OnlineFacts {
    by_reference: BTreeMap<String, ImageFacts>,
}

impl OnlineFacts {
    /// The key of `image`: its canonical registry (Docker Hub's aliases are one), repository,
    /// tag and digest. Two uses with one key are one reference, asked about once.
    pub(crate) fn key(image: &ImageRef) -> String {
        format!(
            "{}/{}:{}@{}",
            image.canonical_registry(),
            image.repository,
            image.tag.as_deref().unwrap_or(""),
            image.digest.as_deref().unwrap_or("")
        )
    }

    pub fn insert(&mut self, image: &ImageRef, facts: ImageFacts) {
        self.by_reference.insert(OnlineFacts::key(image), facts);
    }

    /// What the registry said about `image`; `None` when it was not checked.
    pub fn of(&self, image: &ImageRef) -> Option<&ImageFacts> {
        self.by_reference.get(&OnlineFacts::key(image))
    }

    pub fn len(&self) -> usize {
        self.by_reference.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_reference.is_empty()
    }
}

/// A secret string (a token) whose `Debug` never shows it.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Masked(pub String);

impl std::fmt::Debug for Masked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// How the online phase runs (`--online` and its options).
#[derive(Clone)]
pub struct OnlineOptions {
    /// The whole phase's time limit (`--online-timeout`).
    pub deadline: std::time::Duration,
    /// One request's time limit.
    pub request_timeout: std::time::Duration,
    /// A Docker `config.json` given on purpose (`--registry-auth`).
    pub auth_file: Option<std::path::PathBuf>,
    /// The action's `github-token`, used for `ghcr.io` when nothing else is configured.
    pub github_token: Option<Masked>,
    /// Lookups for a registry (canonical name) sent to its mirror instead.
    pub mirrors: BTreeMap<String, String>,
    /// Registries reached over plain HTTP besides loopback ones.
    pub insecure: Vec<String>,
    /// `--cache-dir`, and how long a cached answer that can change stays fresh.
    pub cache_dir: Option<std::path::PathBuf>,
    pub cache_ttl: std::time::Duration,
    /// Requests in flight to one registry at most.
    pub per_registry: usize,
}

impl Default for OnlineOptions {
    fn default() -> Self {
        OnlineOptions {
            deadline: std::time::Duration::from_secs(60),
            request_timeout: std::time::Duration::from_secs(15),
            auth_file: None,
            github_token: None,
            mirrors: BTreeMap::new(),
            insecure: Vec::new(),
            cache_dir: None,
            cache_ttl: std::time::Duration::from_secs(3600),
            per_registry: 8,
        }
    }
}

impl std::fmt::Debug for OnlineOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OnlineOptions")
            .field("deadline", &self.deadline)
            .field("request_timeout", &self.request_timeout)
            .field("auth_file", &self.auth_file)
            .field("github_token", &self.github_token)
            .field("mirrors", &self.mirrors)
            .field("insecure", &self.insecure)
            .field("cache_dir", &self.cache_dir)
            .field("cache_ttl", &self.cache_ttl)
            .field("per_registry", &self.per_registry)
            .finish()
    }
}

/// The username sent with the action's `github-token` (GHCR takes any).
pub const GITHUB_TOKEN_USER: &str = "x-access-token";

/// Where `reference` is looked up: its registry, or the mirror configured for it.
pub fn target(reference: &ImageRef, options: &OnlineOptions) -> Target {
    Target {
        registry: options
            .mirrors
            .get(reference.canonical_registry())
            .cloned()
            .unwrap_or_else(|| reference.registry.clone()),
        repository: reference.repository.clone(),
        tag: reference.tag.clone(),
        digest: reference.digest.clone(),
    }
}

/// The credential of each registry asked: the Docker config's (found as container tools
/// find it), else the action's token for `ghcr.io` itself (never for a mirror of it: the
/// token is GitHub's to see); none means anonymous.
pub fn credentials(
    registries: &[&str],
    options: &OnlineOptions,
) -> (BTreeMap<String, Credential>, Vec<String>) {
    let mut problems = Vec::new();
    let not_read = |err: auth::AuthError| format!("registry credentials not read: {err}");
    let env = |name: &str| std::env::var_os(name);
    let config = auth::config_path(options.auth_file.as_deref(), &env)
        .and_then(|path| path.map(|path| auth::DockerConfig::read(&path)).transpose())
        .unwrap_or_else(|err| {
            problems.push(not_read(err));
            None
        });
    let helpers = auth::Helpers::default();
    let mut credentials = BTreeMap::new();
    // Credential helpers run one at a time: together they get the online phase's time, no
    // more.
    let until = std::time::Instant::now() + options.deadline;
    let mut late = 0;
    for &registry in registries {
        if std::time::Instant::now() >= until {
            late += 1;
            continue;
        }
        let configured = match config.as_ref().map(|c| c.credential(registry, &helpers)) {
            Some(Ok(credential)) => credential,
            Some(Err(err)) => {
                problems.push(not_read(err));
                None
            }
            None => None,
        };
        let credential = configured.or_else(|| {
            (registry == "ghcr.io")
                .then(|| options.github_token.clone())
                .flatten()
                .filter(|token| !token.0.is_empty())
                .map(|token| Credential::Basic {
                    username: GITHUB_TOKEN_USER.to_string(),
                    password: token.0,
                })
        });
        if let Some(credential) = credential {
            credentials.insert(registry.to_string(), credential);
        }
    }
    if late > 0 {
        problems.push(format!(
            "credentials of {late} registr{} not looked up: the credential helpers took the whole online timeout",
            if late == 1 { "y" } else { "ies" }
        ));
    }
    (credentials, problems)
}

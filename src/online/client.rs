//! A small OCI distribution client: manifests by tag or digest, with the registry's
//! authentication challenge answered (anonymous or basic bearer tokens, or basic auth),
//! retries with backoff that honour `Retry-After`, and the digest computed from the bytes.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use sha2::{Digest as _, Sha256};

/// The manifest media types every request accepts: with fewer, registries answer 404 for OCI
/// tags or hand back one platform's manifest instead of the index.
pub const MANIFEST_TYPES: [&str; 4] = [
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v2+json",
];

/// Largest manifest read (the spec suggests registries accept 4 MiB).
pub const MAX_MANIFEST_BYTES: usize = 4 * 1024 * 1024;

/// How long the HTTPS probe of a registry that may be plain HTTP waits.
const HTTPS_PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// Most pages of a referrers answer followed.
const MAX_REFERRER_PAGES: usize = 20;

/// Largest signature payload read.
pub const MAX_PAYLOAD_BYTES: usize = 64 * 1024;

/// Largest token response read.
const MAX_TOKEN_BYTES: usize = 1024 * 1024;

/// Credentials for one registry. `Debug` never prints them.
#[derive(Clone, PartialEq, Eq)]
pub enum Credential {
    Basic {
        username: String,
        password: String,
    },
    /// An OAuth2 refresh token (Docker's `identitytoken`), exchanged at the token server.
    IdentityToken(String),
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credential::Basic { .. } => f.write_str("Credential::Basic(***)"),
            Credential::IdentityToken(_) => f.write_str("Credential::IdentityToken(***)"),
        }
    }
}

/// Where a registry is reached.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Endpoint {
    /// `https` or `http` (loopback addresses, and registries configured as insecure).
    pub scheme: &'static str,
    /// `host[:port]` as it goes in the URL (Docker Hub is `registry-1.docker.io`).
    pub authority: String,
}

impl Endpoint {
    /// The endpoint of `registry` (a reference's registry as written or canonical): Docker
    /// Hub's API host for `docker.io`, plain HTTP allowed for loopback or when `insecure`
    /// (`http` here; [`Client::endpoint`] tries HTTPS first).
    pub fn of(registry: &str, insecure: bool) -> Endpoint {
        let authority = match registry {
            "docker.io" | "index.docker.io" | "registry.hub.docker.com" => {
                "registry-1.docker.io".to_string()
            }
            other => other.to_string(),
        };
        let host = authority
            .rsplit_once(':')
            .filter(|(_, port)| port.chars().all(|c| c.is_ascii_digit()))
            .map_or(authority.as_str(), |(host, _)| host);
        let loopback = host == "localhost"
            || host == "[::1]"
            || host
                .parse::<std::net::Ipv4Addr>()
                .is_ok_and(|ip| ip.is_loopback());
        Endpoint {
            scheme: if loopback || insecure {
                "http"
            } else {
                "https"
            },
            authority,
        }
    }
}

/// A manifest as received.
#[derive(Debug, Clone)]
pub struct Manifest {
    /// `sha256:<hex>` of the bytes received.
    pub digest: String,
    /// The manifest's media type (the body's `mediaType`, else the `Content-Type`).
    pub media_type: String,
    pub bytes: Vec<u8>,
    /// The next page (`Link: <…>; rel="next"`), for paginated answers (referrers).
    pub next: Option<String>,
}

/// Why a lookup failed. Messages name hosts, repositories and statuses, never credentials.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OnlineError {
    #[error("not found")]
    NotFound,
    /// The registry wants credentials it was not given (`anonymous`), or refused the ones given.
    #[error("{}", if *anonymous { "the registry requires credentials" } else { "the registry refused the credentials" })]
    Unauthorized { anonymous: bool },
    #[error("the registry answered HTTP {0}")]
    Status(u16),
    #[error("the registry sent a manifest whose sha256 is {got}, not the {wanted} asked for")]
    DigestMismatch { wanted: String, got: String },
    #[error("{0}")]
    Transport(String),
    #[error("the registry's answer is too large (over {0} bytes)")]
    TooLarge(usize),
    #[error("gave up after {attempts} attempts: {last}")]
    Exhausted { attempts: u32, last: String },
}

/// Retry policy: attempts and backoff.
#[derive(Debug, Clone, Copy)]
pub struct Retries {
    /// Attempts in all (the first included).
    pub attempts: u32,
    /// The first backoff; each next one doubles, with jitter.
    pub base: Duration,
    /// Longest wait, also for a `Retry-After` (a longer one gives up).
    pub max_wait: Duration,
}

impl Default for Retries {
    fn default() -> Self {
        Retries {
            attempts: 4,
            base: Duration::from_millis(200),
            max_wait: Duration::from_secs(20),
        }
    }
}

/// The client. One per run: it keeps the tokens it obtained, by registry and repository.
pub struct Client {
    http: reqwest::Client,
    retries: Retries,
    /// Tokens by registry, repository, and whether a credential obtained them (an anonymous
    /// probe must not borrow a credentialed token).
    tokens: Mutex<HashMap<(String, String, bool), String>>,
    /// Registries that answered that they have no referrers API: the tag schema is asked
    /// straight away.
    no_referrers_api: Mutex<std::collections::HashSet<String>>,
    /// For registries that may be reached over plain HTTP: whether they speak HTTPS, asked
    /// once per run.
    schemes: Mutex<HashMap<String, std::sync::Arc<tokio::sync::OnceCell<&'static str>>>>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("retries", &self.retries)
            .finish_non_exhaustive()
    }
}

/// What an attempt came to: done, or worth another try after a wait.
enum Attempt<T> {
    Done(Result<T, OnlineError>),
    Retry {
        why: String,
        after: Option<Duration>,
    },
}

impl Client {
    /// A client whose every request ends within `timeout`.
    pub fn new(timeout: Duration, retries: Retries) -> Result<Client, OnlineError> {
        // Only ring is compiled in; installing it twice is harmless.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .retry(reqwest::retry::never())
            .user_agent(concat!("imagegate/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|err| OnlineError::Transport(transport_message(&err)))?;
        Ok(Client {
            http,
            retries,
            tokens: Mutex::new(HashMap::new()),
            no_referrers_api: Mutex::new(std::collections::HashSet::new()),
            schemes: Mutex::new(HashMap::new()),
        })
    }

    /// Where `registry` is reached. HTTPS, except that a loopback address or an `insecure`
    /// registry that does not answer HTTPS is reached over plain HTTP, as container runtimes
    /// do: HTTPS is tried first (once per registry and run), so a loopback registry with TLS
    /// is reached with TLS.
    pub async fn endpoint(&self, registry: &str, insecure: bool) -> Endpoint {
        let endpoint = Endpoint::of(registry, insecure);
        if endpoint.scheme == "https" {
            return endpoint;
        }
        let cell = match self.schemes.lock() {
            Ok(mut schemes) => schemes
                .entry(endpoint.authority.clone())
                .or_default()
                .clone(),
            Err(_) => return endpoint,
        };
        let scheme = cell
            .get_or_init(|| async {
                let probe = self
                    .http
                    .get(format!("https://{}/v2/", endpoint.authority))
                    .timeout(HTTPS_PROBE_TIMEOUT)
                    .send()
                    .await;
                // Any HTTP answer (401 included), or a certificate it presented, means it
                // speaks HTTPS (an untrusted certificate is then reported as such).
                match probe {
                    Ok(_) => "https",
                    Err(err)
                        if matches!(
                            tls_error(&err),
                            Some(rustls::Error::InvalidCertificate(_))
                        ) =>
                    {
                        "https"
                    }
                    Err(_) => "http",
                }
            })
            .await;
        Endpoint { scheme, ..endpoint }
    }

    /// The manifest of `repository` at `reference` (a tag, or a digest `sha256:<hex>` that the
    /// bytes received must hash to).
    pub async fn manifest(
        &self,
        endpoint: &Endpoint,
        repository: &str,
        reference: &str,
        credential: Option<&Credential>,
    ) -> Result<Manifest, OnlineError> {
        let url = format!(
            "{}://{}/v2/{repository}/manifests/{reference}",
            endpoint.scheme, endpoint.authority
        );
        let manifest = self
            .with_retries(|| self.fetch(endpoint, repository, &url, credential, MAX_MANIFEST_BYTES))
            .await?;
        // A digest reference: the bytes must hash to it, in its own algorithm.
        if reference.contains(':') {
            let got = digest_of(&manifest.bytes, reference).ok_or_else(|| {
                OnlineError::Transport(format!(
                    "the digest algorithm of `{reference}` is not one imagegate verifies (sha256, sha384, sha512)"
                ))
            })?;
            if got != reference {
                return Err(OnlineError::DigestMismatch {
                    wanted: reference.to_string(),
                    got,
                });
            }
        }
        Ok(manifest)
    }

    /// The blob `digest` of `repository` (an attestation: at most [`MAX_MANIFEST_BYTES`]; a
    /// signature payload: at most [`MAX_PAYLOAD_BYTES`]), verified against its digest.
    pub async fn blob(
        &self,
        endpoint: &Endpoint,
        repository: &str,
        digest: &str,
        credential: Option<&Credential>,
        limit: usize,
    ) -> Result<Vec<u8>, OnlineError> {
        let url = format!(
            "{}://{}/v2/{repository}/blobs/{digest}",
            endpoint.scheme, endpoint.authority
        );
        let fetched = self
            .with_retries(|| self.fetch(endpoint, repository, &url, credential, limit))
            .await?;
        if fetched.digest != digest {
            return Err(OnlineError::DigestMismatch {
                wanted: digest.to_string(),
                got: fetched.digest,
            });
        }
        Ok(fetched.bytes)
    }

    /// The manifest of `repository` at `tag`, or `None` when there is no such tag (a cosign
    /// `sha256-<hex>.sig` tag, the referrers tag schema `sha256-<hex>`).
    pub async fn tag(
        &self,
        endpoint: &Endpoint,
        repository: &str,
        tag: &str,
        credential: Option<&Credential>,
    ) -> Result<Option<Manifest>, OnlineError> {
        match self.manifest(endpoint, repository, tag, credential).await {
            Ok(manifest) => Ok(Some(manifest)),
            Err(OnlineError::NotFound) => Ok(None),
            Err(err) => Err(err),
        }
    }

    /// The artifacts that refer to `digest` (OCI 1.1): the referrers API, else (a registry
    /// without it answers 404, 400 or 405) the referrers tag schema `sha256-<hex>`.
    pub async fn referrers(
        &self,
        endpoint: &Endpoint,
        repository: &str,
        digest: &str,
        credential: Option<&Credential>,
    ) -> Result<Vec<Referrer>, OnlineError> {
        let tag_schema = async {
            let tag = digest.replace(':', "-");
            self.tag(endpoint, repository, &tag, credential).await
        };
        let known_missing = self
            .no_referrers_api
            .lock()
            .is_ok_and(|missing| missing.contains(&endpoint.authority));
        let index = if known_missing {
            tag_schema.await?
        } else {
            let url = format!(
                "{}://{}/v2/{repository}/referrers/{digest}",
                endpoint.scheme, endpoint.authority
            );
            match self
                .with_retries(|| {
                    self.fetch(endpoint, repository, &url, credential, MAX_MANIFEST_BYTES)
                })
                .await
            {
                Ok(first) => {
                    return self
                        .pages(endpoint, repository, &url, first, credential)
                        .await;
                }
                Err(OnlineError::NotFound | OnlineError::Status(400 | 405)) => {
                    if let Ok(mut missing) = self.no_referrers_api.lock() {
                        missing.insert(endpoint.authority.clone());
                    }
                    tag_schema.await?
                }
                Err(err) => return Err(err),
            }
        };
        let Some(index) = index else {
            return Ok(Vec::new());
        };
        referrers_of(&index.bytes).ok_or_else(not_an_index)
    }

    /// The referrers of every page of a paginated answer (`Link: <…>; rel="next"`), up to
    /// [`MAX_REFERRER_PAGES`]; a next page on another origin is not followed.
    async fn pages(
        &self,
        endpoint: &Endpoint,
        repository: &str,
        url: &str,
        first: Manifest,
        credential: Option<&Credential>,
    ) -> Result<Vec<Referrer>, OnlineError> {
        let mut referrers = referrers_of(&first.bytes).ok_or_else(not_an_index)?;
        let Ok(base) = reqwest::Url::parse(url) else {
            return Ok(referrers);
        };
        let mut next = first.next;
        let mut pages = 1;
        while let Some(link) = next.take() {
            let Some(page_url) = base
                .join(&link)
                .ok()
                .filter(|u| u.origin() == base.origin())
            else {
                break;
            };
            if pages >= MAX_REFERRER_PAGES {
                // What was read is not all there is: not a complete answer.
                return Err(OnlineError::Transport(format!(
                    "more than {MAX_REFERRER_PAGES} pages of referrers"
                )));
            }
            let page = self
                .with_retries(|| {
                    self.fetch(
                        endpoint,
                        repository,
                        page_url.as_str(),
                        credential,
                        MAX_MANIFEST_BYTES,
                    )
                })
                .await?;
            referrers.extend(referrers_of(&page.bytes).ok_or_else(not_an_index)?);
            next = page.next;
            pages += 1;
        }
        Ok(referrers)
    }

    async fn with_retries<T, F, Fut>(&self, mut attempt: F) -> Result<T, OnlineError>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Attempt<T>>,
    {
        let mut last = String::new();
        for n in 0..self.retries.attempts.max(1) {
            match attempt().await {
                Attempt::Done(result) => return result,
                Attempt::Retry { why, after } => {
                    last = why;
                    if n + 1 == self.retries.attempts.max(1) {
                        break;
                    }
                    let wait = match after {
                        Some(after) if after > self.retries.max_wait => break,
                        Some(after) => after,
                        None => backoff(self.retries, n),
                    };
                    tokio::time::sleep(wait).await;
                }
            }
        }
        Err(OnlineError::Exhausted {
            attempts: self.retries.attempts.max(1),
            last,
        })
    }

    /// One GET of a manifest, answering one authentication challenge on the way.
    async fn fetch(
        &self,
        endpoint: &Endpoint,
        repository: &str,
        url: &str,
        credential: Option<&Credential>,
        limit: usize,
    ) -> Attempt<Manifest> {
        let key = (
            endpoint.authority.clone(),
            repository.to_string(),
            credential.is_some(),
        );
        let mut challenged = false;
        loop {
            let token = self.tokens.lock().ok().and_then(|t| t.get(&key).cloned());
            let mut request = self
                .http
                .get(url)
                .header(reqwest::header::ACCEPT, MANIFEST_TYPES.join(", "));
            request = match (&token, credential) {
                (Some(token), _) => request.bearer_auth(token),
                (None, Some(Credential::Basic { username, password })) if challenged => {
                    request.basic_auth(username, Some(password))
                }
                _ => request,
            };
            let response = match request.send().await {
                Ok(response) => response,
                // A certificate is not trusted any better the second time.
                Err(err) if tls_error(&err).is_some() => {
                    return Attempt::Done(Err(OnlineError::Transport(transport_message(&err))));
                }
                Err(err) => {
                    return Attempt::Retry {
                        why: transport_message(&err),
                        after: None,
                    };
                }
            };
            let status = response.status().as_u16();
            match status {
                200 => {
                    let claimed = response
                        .headers()
                        .get("docker-content-digest")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_string);
                    let manifest = match read_manifest(response, limit).await {
                        Ok(manifest) => manifest,
                        Err(OnlineError::Transport(why)) => {
                            return Attempt::Retry { why, after: None };
                        }
                        Err(err) => return Attempt::Done(Err(err)),
                    };
                    // The digest is the bytes' own; a header that disagrees means the body or
                    // the header was damaged on the way: ask again rather than pick one.
                    if claimed.is_some_and(|claimed| claimed != manifest.digest) {
                        return Attempt::Retry {
                            why: "the manifest's bytes do not match the digest the registry sent with them".into(),
                            after: None,
                        };
                    }
                    return Attempt::Done(Ok(manifest));
                }
                401 if !challenged => {
                    challenged = true;
                    let challenge = response
                        .headers()
                        .get(reqwest::header::WWW_AUTHENTICATE)
                        .and_then(|v| v.to_str().ok())
                        .map(Challenge::parse);
                    match challenge {
                        Some(Challenge::Bearer {
                            realm,
                            service,
                            scope,
                        }) => {
                            // Credentials go to a token server over TLS whenever the
                            // registry itself speaks it.
                            let plain = reqwest::Url::parse(&realm)
                                .is_ok_and(|url| url.scheme() != "https");
                            if plain && credential.is_some() && endpoint.scheme == "https" {
                                return Attempt::Done(Err(OnlineError::Transport(
                                    "the registry named a token server without TLS; credentials are not sent there".into(),
                                )));
                            }
                            let scope =
                                scope.unwrap_or_else(|| format!("repository:{repository}:pull"));
                            match self
                                .token(&realm, service.as_deref(), &scope, credential)
                                .await
                            {
                                Ok(token) => {
                                    if let Ok(mut tokens) = self.tokens.lock() {
                                        tokens.insert(key.clone(), token);
                                    }
                                }
                                Err(done) => return done,
                            }
                        }
                        Some(Challenge::Basic)
                            if matches!(credential, Some(Credential::Basic { .. })) => {}
                        _ => {
                            return Attempt::Done(Err(OnlineError::Unauthorized {
                                anonymous: credential.is_none(),
                            }));
                        }
                    }
                }
                401 | 403 => {
                    if let Ok(mut tokens) = self.tokens.lock() {
                        tokens.remove(&key);
                    }
                    return Attempt::Done(Err(OnlineError::Unauthorized {
                        anonymous: credential.is_none(),
                    }));
                }
                404 => return Attempt::Done(Err(OnlineError::NotFound)),
                429 | 500..=599 => {
                    return Attempt::Retry {
                        why: format!("the registry answered HTTP {status}"),
                        after: retry_after(&response),
                    };
                }
                other => return Attempt::Done(Err(OnlineError::Status(other))),
            }
        }
    }

    /// A bearer token from `realm` for `scope`, with the credential when there is one.
    async fn token(
        &self,
        realm: &str,
        service: Option<&str>,
        scope: &str,
        credential: Option<&Credential>,
    ) -> Result<String, Attempt<Manifest>> {
        let mut url = reqwest::Url::parse(realm).map_err(|_| {
            Attempt::Done(Err(OnlineError::Transport(
                "the registry named a token server that is not a URL".into(),
            )))
        })?;
        url.query_pairs_mut().append_pair("scope", scope);
        if let Some(service) = service {
            url.query_pairs_mut().append_pair("service", service);
        }
        let request = match credential {
            // Docker's OAuth2 flow: the refresh token is exchanged by a form POST.
            Some(Credential::IdentityToken(refresh)) => {
                let mut form = reqwest::Url::parse("x:").map_err(|_| {
                    Attempt::Done(Err(OnlineError::Transport(
                        "cannot build the token request".into(),
                    )))
                })?;
                form.query_pairs_mut()
                    .append_pair("grant_type", "refresh_token")
                    .append_pair("refresh_token", refresh)
                    .append_pair("client_id", "imagegate")
                    .append_pair("scope", scope);
                if let Some(service) = service {
                    form.query_pairs_mut().append_pair("service", service);
                }
                let body = form.query().unwrap_or_default().to_string();
                url.set_query(None);
                self.http
                    .post(url)
                    .header(
                        reqwest::header::CONTENT_TYPE,
                        "application/x-www-form-urlencoded",
                    )
                    .body(body)
            }
            Some(Credential::Basic { username, password }) => {
                self.http.get(url).basic_auth(username, Some(password))
            }
            None => self.http.get(url),
        };
        let response = request.send().await.map_err(|err| Attempt::Retry {
            why: format!("token request: {}", transport_message(&err)),
            after: None,
        })?;
        match response.status().as_u16() {
            200 => {}
            401 | 403 => {
                return Err(Attempt::Done(Err(OnlineError::Unauthorized {
                    anonymous: credential.is_none(),
                })));
            }
            status @ (429 | 500..=599) => {
                return Err(Attempt::Retry {
                    why: format!("the token server answered HTTP {status}"),
                    after: retry_after(&response),
                });
            }
            status => return Err(Attempt::Done(Err(OnlineError::Status(status)))),
        }
        let body = read_limited(response, MAX_TOKEN_BYTES)
            .await
            .map_err(|err| Attempt::Done(Err(err)))?;
        #[derive(serde::Deserialize)]
        struct TokenResponse {
            token: Option<String>,
            access_token: Option<String>,
        }
        let parsed: TokenResponse = serde_json::from_slice(&body).map_err(|_| {
            Attempt::Done(Err(OnlineError::Transport(
                "the token server's answer is not a token".into(),
            )))
        })?;
        parsed.token.or(parsed.access_token).ok_or_else(|| {
            Attempt::Done(Err(OnlineError::Transport(
                "the token server's answer has no token".into(),
            )))
        })
    }
}

/// One artifact that refers to an image: its digest and type (a signature, an SBOM...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Referrer {
    pub digest: String,
    /// `artifactType`, else the media type of its config, as the spec says.
    pub artifact_type: String,
    /// Its descriptor's annotations (a sigstore bundle's predicate type, a creation time).
    pub annotations: std::collections::BTreeMap<String, String>,
}

fn not_an_index() -> OnlineError {
    OnlineError::Transport("the referrers answer is not an image index".into())
}

/// The descriptors of an OCI image index (a referrers answer); `None` when it is not one.
fn referrers_of(bytes: &[u8]) -> Option<Vec<Referrer>> {
    #[derive(serde::Deserialize)]
    struct Index {
        #[serde(default)]
        manifests: Vec<Descriptor>,
    }
    #[derive(serde::Deserialize)]
    struct Descriptor {
        digest: String,
        #[serde(rename = "artifactType")]
        artifact_type: Option<String>,
        #[serde(rename = "mediaType")]
        media_type: Option<String>,
        #[serde(default)]
        annotations: std::collections::BTreeMap<String, String>,
    }
    serde_json::from_slice::<Index>(bytes)
        .map(|index| {
            index
                .manifests
                .into_iter()
                .map(|d| Referrer {
                    digest: d.digest,
                    artifact_type: d.artifact_type.or(d.media_type).unwrap_or_default(),
                    annotations: d.annotations,
                })
                .collect()
        })
        .ok()
}

/// `bytes` digested with the algorithm of `like` (`sha256:…`, `sha384:…`, `sha512:…`).
pub fn digest_of(bytes: &[u8], like: &str) -> Option<String> {
    let (algorithm, _) = like.split_once(':')?;
    let hash = match algorithm {
        "sha256" => hex(&Sha256::digest(bytes)),
        "sha384" => hex(&sha2::Sha384::digest(bytes)),
        "sha512" => hex(&sha2::Sha512::digest(bytes)),
        _ => return None,
    };
    Some(format!("{algorithm}:{hash}"))
}

/// `bytes` as lowercase hexadecimal (a hash, as digests write it).
pub(crate) fn hex(bytes: &[u8]) -> String {
    crate::syntax::image_ref::lower_hex(bytes)
}

/// A `WWW-Authenticate` challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Challenge {
    Bearer {
        realm: String,
        service: Option<String>,
        scope: Option<String>,
    },
    Basic,
    Other,
}

impl Challenge {
    fn parse(header: &str) -> Challenge {
        let (scheme, params) = header.trim().split_once(' ').unwrap_or((header.trim(), ""));
        if scheme.eq_ignore_ascii_case("basic") {
            return Challenge::Basic;
        }
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Challenge::Other;
        }
        let mut values: HashMap<String, String> = HashMap::new();
        let mut rest = params;
        while let Some((name, after)) = rest.split_once('=') {
            let name = name
                .trim()
                .trim_start_matches(',')
                .trim()
                .to_ascii_lowercase();
            let (value, next) = if let Some(quoted) = after.strip_prefix('"') {
                match quoted.find('"') {
                    Some(end) => (&quoted[..end], &quoted[end + 1..]),
                    None => (quoted, ""),
                }
            } else {
                after.split_once(',').unwrap_or((after, ""))
            };
            values.insert(name, value.to_string());
            rest = next.trim_start_matches([',', ' ']);
        }
        match values.remove("realm") {
            Some(realm) => Challenge::Bearer {
                realm,
                service: values.remove("service"),
                scope: values.remove("scope"),
            },
            None => Challenge::Other,
        }
    }
}

async fn read_manifest(response: reqwest::Response, limit: usize) -> Result<Manifest, OnlineError> {
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or(v).trim().to_string());
    let next = response
        .headers()
        .get_all(reqwest::header::LINK)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(next_link);
    let bytes = read_limited(response, limit).await?;
    let digest = format!("sha256:{}", hex(&Sha256::digest(&bytes)));
    #[derive(serde::Deserialize)]
    struct Head {
        #[serde(rename = "mediaType")]
        media_type: Option<String>,
    }
    let from_body = serde_json::from_slice::<Head>(&bytes)
        .ok()
        .and_then(|h| h.media_type);
    Ok(Manifest {
        digest,
        media_type: from_body.or(content_type).unwrap_or_default(),
        bytes,
        next,
    })
}

/// The `rel="next"` target of a `Link` header value (`<url>; rel="next"`), as RFC 8288 writes
/// it; a relative URL stays relative (the caller resolves it against the request's).
fn next_link(header: &str) -> Option<String> {
    header.split(',').find_map(|link| {
        let (target, params) = link.trim().split_once(';')?;
        let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        params
            .split(';')
            .filter_map(|p| p.trim().split_once('='))
            .any(|(k, v)| {
                k.trim().eq_ignore_ascii_case("rel")
                    && v.trim()
                        .trim_matches('"')
                        .split_whitespace()
                        .any(|r| r == "next")
            })
            .then(|| target.to_string())
    })
}

/// The body, up to `limit` bytes (more is an error, not a truncation).
async fn read_limited(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, OnlineError> {
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|err| OnlineError::Transport(transport_message(&err)))?
    {
        if body.len() + chunk.len() > limit {
            return Err(OnlineError::TooLarge(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// `Retry-After` in seconds (an HTTP date is not waited for).
fn retry_after(response: &reqwest::Response) -> Option<Duration> {
    response
        .headers()
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

/// Exponential backoff with jitter for attempt `n` (0-based).
fn backoff(retries: Retries, n: u32) -> Duration {
    let exp = retries.base.saturating_mul(1 << n.min(8));
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    // Up to a quarter more, from the clock: enough to keep clients apart.
    let jitter = exp / 4 * (nanos % 1000) / 1000;
    (exp + jitter).min(retries.max_wait)
}

/// A transport error in words, without the URL (which may carry a query with a scope, never a
/// credential, but is noise in a message).
fn transport_message(err: &reqwest::Error) -> String {
    if let Some(tls) = tls_error(err) {
        return match tls {
            rustls::Error::InvalidCertificate(why) => format!(
                "the registry's TLS certificate is not trusted ({why:?}); trust its CA with SSL_CERT_FILE"
            ),
            other => format!("TLS failed: {other}"),
        };
    }
    let what = if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "could not connect"
    } else if err.is_body() || err.is_decode() {
        "the answer was cut off or malformed"
    } else {
        "the request failed"
    };
    what.to_string()
}

/// The TLS error behind a request's failure, if that is what it was: rustls errors sit in the
/// source chain inside `io::Error`s (nested: whose `source` skips the error they wrap).
fn tls_error(err: &reqwest::Error) -> Option<&rustls::Error> {
    fn within<'e>(err: &'e (dyn std::error::Error + 'static)) -> Option<&'e rustls::Error> {
        if let Some(tls) = err.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        let wrapped = err
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .map(|inner| inner as &(dyn std::error::Error + 'static));
        wrapped
            .and_then(within)
            .or_else(|| err.source().and_then(within))
    }
    within(err)
}

#[cfg(test)]
mod tests;

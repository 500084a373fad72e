//! The few GitHub REST calls the action makes, through octocrab (which brings the HTTP client,
//! TLS, the base URI of GitHub Enterprise servers and the token header, kept out of logs).
//!
//! Responses are read raw, so that every failure is told apart by its status and headers: a
//! read-only token (fork pull requests), a missing resource, rate limits (primary: `403`/`429`
//! with `x-ratelimit-remaining: 0`; secondary: `retry-after`), server errors and network
//! errors. Server and network errors are retried a bounded number of times, rate limits only
//! when GitHub asks for a short wait; everything else fails at once with an [`ApiError`] that
//! says what to do.

use std::time::Duration;

use http::{HeaderMap, Method, StatusCode};
use octocrab::Octocrab;
use serde_json::Value;

use super::inputs::Token;

/// Attempts of a request that fails with a server or network error.
const ATTEMPTS: u32 = 3;
/// The longest rate-limit wait the action sits out (longer ones fail the comment, not the job).
const MAX_RATE_LIMIT_WAIT: Duration = Duration::from_secs(20);
/// Pages followed at most (100 items each): 10,000 comments or files.
const MAX_PAGES: usize = 100;

/// Why a call failed, in words a workflow author can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    #[error(
        "the token is read-only here (403 \"Resource not accessible by integration\"): pull requests from forks get a read-only GITHUB_TOKEN, and a job without `permissions: pull-requests: write` has one too"
    )]
    ReadOnly,
    #[error("GitHub refused the request (403: {0})")]
    Forbidden(String),
    #[error("the token was rejected (401: {0})")]
    Unauthorized(String),
    #[error(
        "GitHub answered 404 for {0}: the repository or pull request is not visible to this token"
    )]
    NotFound(String),
    #[error("GitHub's API rate limit is exhausted{}", match .0 { Some(wait) => format!(" for another {} s", wait.as_secs()), None => String::new() })]
    RateLimited(Option<Duration>),
    #[error("GitHub kept failing ({0}) after {ATTEMPTS} attempts")]
    Server(u16),
    #[error("GitHub answered {0}: {1}")]
    Rejected(u16, String),
    #[error("could not reach the GitHub API after {ATTEMPTS} attempts: {0}")]
    Network(String),
    #[error("unexpected answer from GitHub: {0}")]
    Malformed(String),
}

/// A logged request: method, path and what came back (never a header, so never the token).
pub type Trace = Box<dyn Fn(&str) + Send + Sync>;

/// A client for one repository.
pub struct Api {
    octo: Octocrab,
    trace: Option<Trace>,
    /// The first retry's pause; doubled for each further one.
    backoff: Duration,
}

/// A response that was not an error.
struct Reply {
    headers: HeaderMap,
    body: Value,
}

impl Api {
    /// A client for the API at `base` (`GITHUB_API_URL`: `https://api.github.com`, or
    /// `https://HOST/api/v3` on GitHub Enterprise Server). Must be called inside a Tokio runtime.
    pub fn new(base: &str, token: &Token, trace: Option<Trace>) -> Result<Api, ApiError> {
        let octo = Octocrab::builder()
            .personal_token(token.expose().to_string())
            .base_uri(base.trim_end_matches('/'))
            .map_err(|_| ApiError::Malformed(format!("`{base}` is not a URL")))?
            .add_header(
                http::header::ACCEPT,
                "application/vnd.github+json".to_string(),
            )
            .add_header(
                http::HeaderName::from_static("x-github-api-version"),
                "2022-11-28".to_string(),
            )
            .set_connect_timeout(Some(Duration::from_secs(10)))
            .set_read_timeout(Some(Duration::from_secs(30)))
            .set_write_timeout(Some(Duration::from_secs(30)))
            .build()
            .map_err(|e| ApiError::Malformed(e.to_string()))?;
        Ok(Api {
            octo,
            trace,
            backoff: Duration::from_millis(500),
        })
    }

    /// Every item of a list endpoint (`path` without query), following `Link: rel="next"`.
    pub async fn get_all(&self, path: &str) -> Result<Vec<Value>, ApiError> {
        let mut items = Vec::new();
        let mut next = Some(format!("{path}?per_page=100"));
        let mut pages = 0;
        while let Some(uri) = next.take() {
            pages += 1;
            let reply = self.send(Method::GET, &uri, None).await?;
            match reply.body {
                Value::Array(page) => items.extend(page),
                other => {
                    return Err(ApiError::Malformed(format!(
                        "{path} returned {} instead of a list",
                        kind_of(&other)
                    )));
                }
            }
            if pages < MAX_PAGES {
                next = next_link(&reply.headers);
            }
        }
        Ok(items)
    }

    pub async fn post(&self, path: &str, body: &Value) -> Result<Value, ApiError> {
        Ok(self.send(Method::POST, path, Some(body)).await?.body)
    }

    pub async fn patch(&self, path: &str, body: &Value) -> Result<Value, ApiError> {
        Ok(self.send(Method::PATCH, path, Some(body)).await?.body)
    }

    /// One request, retried on server and network errors and on short rate-limit waits.
    async fn send(
        &self,
        method: Method,
        uri: &str,
        body: Option<&Value>,
    ) -> Result<Reply, ApiError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let failure = match self.once(&method, uri, body).await {
                Ok(reply) => return Ok(reply),
                Err(failure) => failure,
            };
            let wait = match &failure {
                ApiError::Server(_) | ApiError::Network(_) if attempt < ATTEMPTS => {
                    self.backoff * 2u32.pow(attempt - 1)
                }
                ApiError::RateLimited(Some(wait))
                    if attempt < ATTEMPTS && *wait <= MAX_RATE_LIMIT_WAIT =>
                {
                    *wait
                }
                _ => return Err(failure),
            };
            self.log(&format!(
                "{method} {} failed ({failure}); retrying in {} ms",
                path_of(uri),
                wait.as_millis()
            ));
            tokio::time::sleep(wait).await;
        }
    }

    async fn once(
        &self,
        method: &Method,
        uri: &str,
        body: Option<&Value>,
    ) -> Result<Reply, ApiError> {
        let response = match *method {
            Method::GET => self.octo._get(uri).await,
            Method::POST => self.octo._post(uri, body).await,
            Method::PATCH => self.octo._patch(uri, body).await,
            _ => return Err(ApiError::Malformed(format!("unsupported method {method}"))),
        };
        let response = match response {
            Ok(response) => response,
            Err(err) => {
                let why = network_error(&err);
                self.log(&format!("{method} {} → {why}", path_of(uri)));
                return Err(ApiError::Network(why));
            }
        };
        let status = response.status();
        let headers = response.headers().clone();
        let text = self.octo.body_to_string(response).await.unwrap_or_default();
        self.log(&format!("{method} {} → {}", path_of(uri), status.as_u16()));
        let body: Value = if text.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        if status.is_success() {
            return Ok(Reply { headers, body });
        }
        Err(classify(status, &headers, &body, path_of(uri)))
    }

    fn log(&self, line: &str) {
        if let Some(trace) = &self.trace {
            trace(line);
        }
    }

    /// Shorter retry pauses, for tests.
    pub fn with_backoff(mut self, backoff: Duration) -> Api {
        self.backoff = backoff;
        self
    }
}

/// What a failed response means.
fn classify(status: StatusCode, headers: &HeaderMap, body: &Value, path: &str) -> ApiError {
    let message = body
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or_else(|| status.canonical_reason().unwrap_or("error"))
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let retry_after = header("retry-after").and_then(|v| v.trim().parse::<u64>().ok());
    let exhausted = header("x-ratelimit-remaining") == Some("0");
    if matches!(status.as_u16(), 403 | 429) && (exhausted || retry_after.is_some()) {
        let wait = retry_after.map(Duration::from_secs).or_else(|| {
            let reset = header("x-ratelimit-reset")?.parse::<u64>().ok()?;
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .ok()?
                .as_secs();
            Some(Duration::from_secs(reset.saturating_sub(now) + 1))
        });
        return ApiError::RateLimited(wait);
    }
    match status.as_u16() {
        401 => ApiError::Unauthorized(message),
        403 if message.contains("Resource not accessible by integration") => ApiError::ReadOnly,
        403 => ApiError::Forbidden(message),
        404 => ApiError::NotFound(path.to_string()),
        429 => ApiError::RateLimited(None),
        s if s >= 500 => ApiError::Server(s),
        s => ApiError::Rejected(s, message),
    }
}

/// The `rel="next"` URL of a `Link` header.
fn next_link(headers: &HeaderMap) -> Option<String> {
    let link = headers.get(http::header::LINK)?.to_str().ok()?;
    link.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        let is_next = params
            .split(';')
            .any(|p| p.trim().replace(' ', "") == "rel=\"next\"");
        is_next.then(|| {
            url.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_string()
        })
    })
}

/// The path of a URI for logs (the query kept, the host dropped).
fn path_of(uri: &str) -> &str {
    match uri.find("://") {
        Some(scheme) => {
            let rest = &uri[scheme + 3..];
            rest.find('/').map_or("/", |i| &rest[i..])
        }
        None => uri,
    }
}

/// A one-line reason for a request that got no response.
fn network_error(err: &octocrab::Error) -> String {
    use std::error::Error as _;
    let mut why = err.to_string();
    let mut source = err.source();
    while let Some(inner) = source {
        why = inner.to_string();
        source = inner.source();
    }
    why.lines().next().unwrap_or("network error").to_string()
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests;

//! A fake GitHub REST API for the integration tests.
//!
//! It behaves like the GitHub REST API (in its GitHub Enterprise form, under `/api/v3`) for the
//! few endpoints the action mode uses, so that mode is tested end to end with real HTTP: the real
//! `imagegate` binary talks to it through octocrab exactly as it would talk to GitHub.
//!
//! Faked, with GitHub's status codes, headers, JSON shapes and error bodies:
//!
//! - `GET  /repos/{owner}/{repo}/issues/{pr}/comments` — the PR's comments, paginated
//! - `POST /repos/{owner}/{repo}/issues/{pr}/comments` — create a comment
//! - `GET | PATCH | POST /repos/{owner}/{repo}/issues/comments/{id}` — read or update a comment
//! - `GET  /repos/{owner}/{repo}/pulls/{pr}/files` — the PR's changed files, paginated, with
//!   their patches
//! - `GET  /repos/{owner}/{repo}/pulls/{pr}/comments` — the PR's review comments, paginated
//! - `POST /repos/{owner}/{repo}/pulls/{pr}/reviews` — create a review with comments; as on
//!   GitHub, a comment on a line outside the file's diff fails the whole review with 422
//!
//! Every request must carry the expected token (`Authorization: Bearer <token>` or
//! `token <token>`), else it gets 401. Pagination follows GitHub: `per_page` (default 30, capped)
//! and `page`, with a `Link` header (`prev`, `next`, `last`, `first`) when there is more than one
//! page. Tests can seed comments, read back the comments and every request received, and script
//! failures (a fork PR's read-only token, 5xx, rate limits) for the next matching requests.
//!
//! The server runs on `127.0.0.1` on a free port in a background thread, and stops when the
//! [`FakeGitHub`] is dropped.

use std::collections::VecDeque;
use std::io::Cursor;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use tiny_http::{Header, Request, Response, Server};

/// The path prefix of a GitHub Enterprise API base URL.
const PREFIX: &str = "/api/v3";
/// The first id handed out to a comment (seeded or created).
const FIRST_COMMENT_ID: u64 = 1000;
/// GitHub's maximum comment body, in characters.
const MAX_BODY_CHARS: usize = 65536;
/// GitHub's default and maximum `per_page`.
const DEFAULT_PER_PAGE: usize = 30;
const MAX_PER_PAGE: usize = 100;
const DOCS: &str = "https://docs.github.com/rest";

/// What the fake serves: one repository with one pull request.
#[derive(Clone, Debug)]
pub struct Setup {
    pub owner: String,
    pub repo: String,
    pub pr: u64,
    /// The expected token: requests must carry `Authorization: Bearer <token>` (or
    /// `token <token>`), else they get 401 "Bad credentials".
    pub token: String,
    /// The login of comments created with the token.
    pub bot_login: String,
    /// The filenames returned by the PR files endpoint.
    pub pr_files: Vec<String>,
    /// The patch of a file of `pr_files` (a unified diff's hunks, as GitHub's `patch`); a
    /// file without one gets `@@ -1 +1 @@`.
    pub patches: Vec<(String, String)>,
    /// The server's page size cap (GitHub: 100); a test sets e.g. 2 to force several pages.
    pub max_per_page: usize,
}

impl Default for Setup {
    fn default() -> Self {
        Setup {
            owner: "octo".into(),
            repo: "demo".into(),
            pr: 7,
            token: "ghs_fake_token_0123456789".into(),
            bot_login: "github-actions[bot]".into(),
            pr_files: vec![],
            patches: vec![],
            max_per_page: 100,
        }
    }
}

/// A comment of the PR.
#[derive(Clone, Debug)]
pub struct Comment {
    pub id: u64,
    pub login: String,
    pub body: String,
}

/// A review comment (a comment of a review, on a line of a file).
#[derive(Clone, Debug)]
pub struct ReviewComment {
    pub id: u64,
    pub review: u64,
    pub login: String,
    pub path: String,
    pub line: u64,
    pub body: String,
}

/// A review of the PR.
#[derive(Clone, Debug)]
pub struct Review {
    pub id: u64,
    pub commit_id: String,
    pub event: String,
    pub body: String,
}

/// A request the fake received.
#[derive(Clone, Debug)]
pub struct Recorded {
    /// `GET`, `POST`, `PATCH`, ...
    pub method: String,
    /// The path without the `/api/v3` prefix and without the query, e.g.
    /// `/repos/octo/demo/issues/7/comments`.
    pub path: String,
    /// The raw query string without `?`; `""` if none.
    pub query: String,
    /// The raw `Authorization` header value.
    pub authorization: Option<String>,
    /// All request headers, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The request body as UTF-8 (lossy); `""` if none.
    pub body: String,
}

/// A scripted failure (see [`FakeGitHub::fail`]).
#[derive(Clone, Debug)]
pub enum Failure {
    /// 403 "Resource not accessible by integration": what a fork PR's read-only token gets.
    ReadOnly,
    /// Any status with a JSON body `{"message": message}`; e.g. 502 "Bad Gateway".
    Status(u16, String),
    /// 429 with `retry-after: <secs>`: a secondary rate limit.
    SecondaryRateLimit { retry_after_secs: u64 },
    /// 403 with `x-ratelimit-remaining: 0` and `x-ratelimit-reset` `reset_in_secs` from now.
    RateLimited { reset_in_secs: u64 },
}

/// The fake server; it stops when dropped.
pub struct FakeGitHub {
    shared: Arc<Shared>,
    server: Arc<Server>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// What the test and the server thread share.
struct Shared {
    setup: Setup,
    /// `http://127.0.0.1:<port>/api/v3`.
    api: String,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    comments: Vec<StoredComment>,
    reviews: Vec<Review>,
    review_comments: Vec<ReviewComment>,
    next_id: u64,
    requests: Vec<Recorded>,
    scripts: VecDeque<Script>,
    /// Seconds past `2026-11-27T12:00:00Z` of the next write.
    clock: u64,
}

struct StoredComment {
    id: u64,
    login: String,
    body: String,
    created: u64,
    updated: u64,
}

struct Script {
    method: String,
    path_contains: String,
    times: usize,
    failure: Failure,
}

/// A response before it is turned into a tiny_http one.
struct Reply {
    status: u16,
    body: Value,
    headers: Vec<(String, String)>,
    /// Whether this reply sets the rate-limit headers itself.
    rate_limited: bool,
}

impl Reply {
    fn json(status: u16, body: Value) -> Reply {
        Reply {
            status,
            body,
            headers: vec![],
            rate_limited: false,
        }
    }

    fn message(status: u16, message: &str) -> Reply {
        Reply::json(
            status,
            json!({"message": message, "documentation_url": DOCS}),
        )
    }

    fn not_found() -> Reply {
        Reply::message(404, "Not Found")
    }

    fn header(mut self, name: &str, value: impl Into<String>) -> Reply {
        self.headers.push((name.to_string(), value.into()));
        self
    }
}

impl FakeGitHub {
    /// Start the server on a free port of 127.0.0.1.
    pub fn start(setup: Setup) -> FakeGitHub {
        let server = Arc::new(Server::http("127.0.0.1:0").expect("bind the fake GitHub server"));
        let port = server
            .server_addr()
            .to_ip()
            .expect("the fake GitHub listens on an IP address")
            .port();
        let shared = Arc::new(Shared {
            setup,
            api: format!("http://127.0.0.1:{port}{PREFIX}"),
            state: Mutex::new(State {
                next_id: FIRST_COMMENT_ID,
                ..State::default()
            }),
        });
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (server, shared, stop) = (server.clone(), shared.clone(), stop.clone());
            std::thread::Builder::new()
                .name("fake-github".into())
                .spawn(move || {
                    loop {
                        match server.recv() {
                            Ok(request) => shared.serve(request),
                            Err(_) if stop.load(Ordering::SeqCst) => break,
                            Err(_) => continue,
                        }
                    }
                })
                .expect("spawn the fake GitHub thread")
        };
        FakeGitHub {
            shared,
            server,
            stop,
            thread: Some(thread),
        }
    }

    /// The base URL in the GitHub Enterprise form: `http://127.0.0.1:<port>/api/v3` (no
    /// trailing slash).
    pub fn api_url(&self) -> String {
        self.shared.api.clone()
    }

    /// Seed an existing comment (another user's, or an earlier imagegate comment); returns its id.
    pub fn seed_comment(&self, login: &str, body: &str) -> u64 {
        self.shared.lock().add_comment(login, body)
    }

    /// All comments of the PR, in creation order.
    pub fn comments(&self) -> Vec<Comment> {
        let state = self.shared.lock();
        state
            .comments
            .iter()
            .map(|c| Comment {
                id: c.id,
                login: c.login.clone(),
                body: c.body.clone(),
            })
            .collect()
    }

    /// The reviews of the PR, in creation order.
    pub fn reviews(&self) -> Vec<Review> {
        self.shared.lock().reviews.clone()
    }

    /// The review comments of the PR, in creation order.
    pub fn review_comments(&self) -> Vec<ReviewComment> {
        self.shared.lock().review_comments.clone()
    }

    /// Every request received, in order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.lock().requests.clone()
    }

    /// Make the next `times` requests with method `method` whose path (without the `/api/v3`
    /// prefix and the query) contains `path_contains` fail with `failure`. Checked after the
    /// token and before normal handling; scripts queue up and are consumed as they are used.
    pub fn fail(&self, method: &str, path_contains: &str, times: usize, failure: Failure) {
        self.shared.lock().scripts.push_back(Script {
            method: method.to_string(),
            path_contains: path_contains.to_string(),
            times,
            failure,
        });
    }
}

impl Drop for FakeGitHub {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl State {
    fn add_comment(&mut self, login: &str, body: &str) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        let now = self.tick();
        self.comments.push(StoredComment {
            id,
            login: login.to_string(),
            body: body.to_string(),
            created: now,
            updated: now,
        });
        id
    }

    /// The fake time now; every write moves it a second on.
    fn tick(&mut self) -> u64 {
        self.clock += 1;
        self.clock - 1
    }

    /// Take one use of the first script matching the request, if any.
    fn scripted(&mut self, method: &str, path: &str) -> Option<Failure> {
        let at = self.scripts.iter().position(|s| {
            s.times > 0 && s.method.eq_ignore_ascii_case(method) && path.contains(&s.path_contains)
        })?;
        let script = &mut self.scripts[at];
        script.times -= 1;
        let failure = script.failure.clone();
        if script.times == 0 {
            self.scripts.remove(at);
        }
        Some(failure)
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panicking test thread must not take the server down with it.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Answer one request; never panics.
    fn serve(&self, mut request: Request) {
        let method = request.method().as_str().to_uppercase();
        let url = request.url().to_string();
        let (full_path, query) = url.split_once('?').unwrap_or((&url, ""));
        let path = full_path.strip_prefix(PREFIX).unwrap_or(full_path);
        let headers: Vec<(String, String)> = request
            .headers()
            .iter()
            .map(|h| {
                (
                    h.field.as_str().as_str().to_ascii_lowercase(),
                    h.value.as_str().to_string(),
                )
            })
            .collect();
        let authorization = headers
            .iter()
            .find(|(name, _)| name == "authorization")
            .map(|(_, value)| value.clone());
        let mut raw = Vec::new();
        let readable = request.as_reader().read_to_end(&mut raw).is_ok();
        let recorded = Recorded {
            method: method.clone(),
            path: path.to_string(),
            query: query.to_string(),
            authorization,
            headers,
            body: String::from_utf8_lossy(&raw).into_owned(),
        };
        let reply = if readable {
            self.handle(&recorded, full_path.starts_with(PREFIX))
        } else {
            Reply::message(400, "Problems reading the request body")
        };
        self.lock().requests.push(recorded);
        let _ = request.respond(self.response(reply));
    }

    /// Auth, then scripted failures, then the endpoints.
    fn handle(&self, req: &Recorded, prefixed: bool) -> Reply {
        if !self.authorized(req.authorization.as_deref()) {
            return Reply::message(401, "Bad credentials");
        }
        if let Some(failure) = self.lock().scripted(&req.method, &req.path) {
            return failure_reply(&failure);
        }
        if !prefixed {
            return Reply::not_found();
        }
        let segments: Vec<&str> = req.path.trim_start_matches('/').split('/').collect();
        let method = req.method.as_str();
        match segments.as_slice() {
            ["repos", owner, repo, rest @ ..] if self.is_repo(owner, repo) => match rest {
                ["issues", "comments", id] => match (method, id.parse::<u64>()) {
                    ("GET", Ok(id)) => self.get_comment(id),
                    ("PATCH" | "POST", Ok(id)) => self.update_comment(id, &req.body),
                    _ => Reply::not_found(),
                },
                ["issues", pr, "comments"] if self.is_pr(pr) => match method {
                    "GET" => self.list_comments(req),
                    "POST" => self.create_comment(&req.body),
                    _ => Reply::not_found(),
                },
                ["pulls", pr, "files"] if self.is_pr(pr) && method == "GET" => self.list_files(req),
                ["pulls", pr, "comments"] if self.is_pr(pr) && method == "GET" => {
                    self.list_review_comments(req)
                }
                ["pulls", pr, "reviews"] if self.is_pr(pr) && method == "POST" => {
                    self.create_review(&req.body)
                }
                _ => Reply::not_found(),
            },
            _ => Reply::not_found(),
        }
    }

    fn authorized(&self, authorization: Option<&str>) -> bool {
        let Some((scheme, token)) = authorization.and_then(|a| a.trim().split_once(' ')) else {
            return false;
        };
        (scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("token"))
            && token.trim() == self.setup.token
    }

    /// GitHub's owner and repository names are case-insensitive.
    fn is_repo(&self, owner: &str, repo: &str) -> bool {
        owner.eq_ignore_ascii_case(&self.setup.owner) && repo.eq_ignore_ascii_case(&self.setup.repo)
    }

    fn is_pr(&self, pr: &str) -> bool {
        pr.parse::<u64>() == Ok(self.setup.pr)
    }

    fn list_comments(&self, req: &Recorded) -> Reply {
        let state = self.lock();
        let all: Vec<Value> = state
            .comments
            .iter()
            .map(|c| self.comment_json(c))
            .collect();
        drop(state);
        self.paginate(req, all)
    }

    fn get_comment(&self, id: u64) -> Reply {
        let state = self.lock();
        match state.comments.iter().find(|c| c.id == id) {
            Some(c) => Reply::json(200, self.comment_json(c)),
            None => Reply::not_found(),
        }
    }

    fn create_comment(&self, body: &str) -> Reply {
        let text = match comment_body(body) {
            Ok(text) => text,
            Err(reply) => return reply,
        };
        let mut state = self.lock();
        let id = state.add_comment(&self.setup.bot_login, &text);
        let created = self.comment_json(state.comments.last().expect("just added"));
        drop(state);
        let location = format!("{}/repos/{}/issues/comments/{id}", self.api, self.slug());
        Reply::json(201, created).header("location", location)
    }

    fn update_comment(&self, id: u64, body: &str) -> Reply {
        let mut state = self.lock();
        let Some(at) = state.comments.iter().position(|c| c.id == id) else {
            return Reply::not_found();
        };
        if state.comments[at].login != self.setup.bot_login {
            // A GITHUB_TOKEN cannot edit a human's comment.
            return Reply::json(
                403,
                json!({
                    "message": "Resource not accessible by integration",
                    "documentation_url": "https://docs.github.com/rest/issues/comments#update-an-issue-comment",
                    "status": "403",
                }),
            );
        }
        let text = match comment_body(body) {
            Ok(text) => text,
            Err(reply) => return reply,
        };
        let now = state.tick();
        let comment = &mut state.comments[at];
        comment.body = text;
        comment.updated = now;
        Reply::json(200, self.comment_json(comment))
    }

    fn list_files(&self, req: &Recorded) -> Reply {
        let slug = self.slug();
        let head = fake_sha(&format!("head of {slug}#{}", self.setup.pr));
        let all = self
            .setup
            .pr_files
            .iter()
            .map(|name| {
                let escaped = escape(name, true);
                json!({
                    "sha": fake_sha(name),
                    "filename": name,
                    "status": "modified",
                    "additions": 1,
                    "deletions": 0,
                    "changes": 1,
                    "blob_url": format!("https://github.com/{slug}/blob/{head}/{escaped}"),
                    "raw_url": format!("https://github.com/{slug}/raw/{head}/{escaped}"),
                    "contents_url": format!("{}/repos/{slug}/contents/{escaped}?ref={head}", self.api),
                    "patch": self.patch_of(name),
                })
            })
            .collect();
        self.paginate(req, all)
    }

    fn patch_of(&self, name: &str) -> String {
        self.setup
            .patches
            .iter()
            .find(|(file, _)| file == name)
            .map_or_else(|| "@@ -1 +1 @@".to_string(), |(_, patch)| patch.clone())
    }

    /// The new side's lines that a review comment may be placed on: those of the patch's
    /// hunks (added or context lines).
    fn commentable(&self, name: &str) -> Vec<u64> {
        let mut lines = Vec::new();
        let mut line = 0u64;
        for text in self.patch_of(name).lines() {
            if let Some(rest) = text.strip_prefix("@@ -") {
                line = rest
                    .split(" +")
                    .nth(1)
                    .and_then(|new| new.split([',', ' ']).next())
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(0);
            } else if text.starts_with('+') || text.starts_with(' ') {
                lines.push(line);
                line += 1;
            }
        }
        lines
    }

    fn list_review_comments(&self, req: &Recorded) -> Reply {
        let slug = self.slug();
        let state = self.lock();
        let all: Vec<Value> = state
            .review_comments
            .iter()
            .map(|c| {
                json!({
                    "id": c.id,
                    "pull_request_review_id": c.review,
                    "url": format!("{}/repos/{slug}/pulls/comments/{}", self.api, c.id),
                    "path": c.path,
                    "line": c.line,
                    "original_line": c.line,
                    "side": "RIGHT",
                    "body": c.body,
                    "user": self.user_json(&c.login),
                    "author_association": "NONE",
                })
            })
            .collect();
        drop(state);
        self.paginate(req, all)
    }

    /// `POST .../reviews`: the review and its comments, each checked as GitHub does.
    fn create_review(&self, raw: &str) -> Reply {
        let Ok(value) = serde_json::from_str::<Value>(raw) else {
            return Reply::message(400, "Problems parsing JSON");
        };
        let unprocessable = |why: &str| {
            Reply::json(
                422,
                json!({
                    "message": "Unprocessable Entity",
                    "errors": [why],
                    "documentation_url": "https://docs.github.com/rest/pulls/reviews#create-a-review-for-a-pull-request",
                    "status": "422",
                }),
            )
        };
        let event = value.get("event").and_then(Value::as_str).unwrap_or("");
        if !["", "COMMENT", "APPROVE", "REQUEST_CHANGES"].contains(&event) {
            return unprocessable("Invalid event");
        }
        let comments = value
            .get("comments")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut placed = Vec::new();
        for comment in &comments {
            let path = comment.get("path").and_then(Value::as_str).unwrap_or("");
            let line = comment.get("line").and_then(Value::as_u64).unwrap_or(0);
            let body = comment.get("body").and_then(Value::as_str).unwrap_or("");
            if !self.setup.pr_files.iter().any(|f| f == path) {
                return unprocessable("Path could not be resolved");
            }
            if comment
                .get("side")
                .and_then(Value::as_str)
                .unwrap_or("RIGHT")
                != "RIGHT"
                || !self.commentable(path).contains(&line)
            {
                return unprocessable("Pull request review thread line must be part of the diff");
            }
            placed.push((path.to_string(), line, body.to_string()));
        }
        let mut state = self.lock();
        let id = state.next_id;
        state.next_id += 1;
        let review = Review {
            id,
            commit_id: value
                .get("commit_id")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            event: event.to_string(),
            body: value
                .get("body")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
        };
        for (path, line, body) in placed {
            let comment_id = state.next_id;
            state.next_id += 1;
            state.review_comments.push(ReviewComment {
                id: comment_id,
                review: id,
                login: self.setup.bot_login.clone(),
                path,
                line,
                body,
            });
        }
        state.reviews.push(review.clone());
        drop(state);
        Reply::json(
            200,
            json!({
                "id": id,
                "user": self.user_json(&self.setup.bot_login),
                "body": review.body,
                "state": if event == "COMMENT" { "COMMENTED" } else { "PENDING" },
                "commit_id": review.commit_id,
                "html_url": format!("https://github.com/{}/pull/{}#pullrequestreview-{id}", self.slug(), self.setup.pr),
            }),
        )
    }

    /// One page of `all`, with GitHub's `Link` header when there is more than one page.
    fn paginate(&self, req: &Recorded, all: Vec<Value>) -> Reply {
        let param = |name: &str| {
            req.query
                .split('&')
                .filter_map(|pair| pair.split_once('='))
                .find(|(key, _)| *key == name)
                .and_then(|(_, value)| value.parse::<usize>().ok())
                .filter(|n| *n > 0)
        };
        let cap = MAX_PER_PAGE.min(self.setup.max_per_page).max(1);
        let per_page = param("per_page").unwrap_or(DEFAULT_PER_PAGE).min(cap);
        let page = param("page").unwrap_or(1);
        let last = all.len().div_ceil(per_page).max(1);
        let items: Vec<Value> = all
            .into_iter()
            .skip((page - 1).saturating_mul(per_page))
            .take(per_page)
            .collect();
        let reply = Reply::json(200, Value::Array(items));
        if last == 1 {
            return reply;
        }
        let mut links = Vec::new();
        if page > 1 {
            links.push((page - 1, "prev"));
        }
        if page < last {
            links.push((page + 1, "next"));
            links.push((last, "last"));
        }
        if page > 1 {
            links.push((1, "first"));
        }
        let link = links
            .iter()
            .map(|(n, rel)| format!("<{}>; rel=\"{rel}\"", self.page_url(req, *n)))
            .collect::<Vec<_>>()
            .join(", ");
        reply.header("link", link)
    }

    /// The request's URL with `page` set to `page`, other query parameters kept in order.
    fn page_url(&self, req: &Recorded, page: usize) -> String {
        let mut params: Vec<String> = req
            .query
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(str::to_string)
            .collect();
        let page_param = format!("page={page}");
        match params
            .iter_mut()
            .find(|pair| pair.split('=').next() == Some("page"))
        {
            Some(pair) => *pair = page_param,
            None => params.push(page_param),
        }
        format!("{}{}?{}", self.api, req.path, params.join("&"))
    }

    fn slug(&self) -> String {
        format!("{}/{}", self.setup.owner, self.setup.repo)
    }

    /// A comment as GitHub's API returns it.
    fn comment_json(&self, c: &StoredComment) -> Value {
        let slug = self.slug();
        let pr = self.setup.pr;
        json!({
            "id": c.id,
            "node_id": format!("IC_kwDOFake{:08}", c.id),
            "url": format!("{}/repos/{slug}/issues/comments/{}", self.api, c.id),
            "html_url": format!("https://github.com/{slug}/pull/{pr}#issuecomment-{}", c.id),
            "issue_url": format!("{}/repos/{slug}/issues/{pr}", self.api),
            "body": c.body,
            "user": self.user_json(&c.login),
            "created_at": timestamp(c.created),
            "updated_at": timestamp(c.updated),
            "author_association": "NONE",
            "reactions": {
                "url": format!("{}/repos/{slug}/issues/comments/{}/reactions", self.api, c.id),
                "total_count": 0, "+1": 0, "-1": 0, "laugh": 0, "hooray": 0,
                "confused": 0, "heart": 0, "rocket": 0, "eyes": 0,
            },
            "performed_via_github_app": null,
        })
    }

    /// A user (or bot) object, with every field octocrab's `Author` requires.
    fn user_json(&self, login: &str) -> Value {
        let bot = login.ends_with("[bot]");
        // The real id of github-actions[bot]; a stable made-up id for anyone else.
        let id = if login == "github-actions[bot]" {
            41898282
        } else {
            fnv(login) % 100_000_000
        };
        let api = format!("{}/users/{}", self.api, escape(login, false));
        let html = match login.strip_suffix("[bot]") {
            Some(app) => format!("https://github.com/apps/{}", escape(app, false)),
            None => format!("https://github.com/{}", escape(login, false)),
        };
        json!({
            "login": login,
            "id": id,
            "node_id": format!("{}_kgDOFake{id}", if bot { "BOT" } else { "U" }),
            "avatar_url": format!("https://avatars.githubusercontent.com/u/{id}?v=4"),
            "gravatar_id": "",
            "url": api,
            "html_url": html,
            "followers_url": format!("{api}/followers"),
            "following_url": format!("{api}/following{{/other_user}}"),
            "gists_url": format!("{api}/gists{{/gist_id}}"),
            "starred_url": format!("{api}/starred{{/owner}}{{/repo}}"),
            "subscriptions_url": format!("{api}/subscriptions"),
            "organizations_url": format!("{api}/orgs"),
            "repos_url": format!("{api}/repos"),
            "events_url": format!("{api}/events{{/privacy}}"),
            "received_events_url": format!("{api}/received_events"),
            "type": if bot { "Bot" } else { "User" },
            "user_view_type": "public",
            "site_admin": false,
        })
    }

    /// The tiny_http response: the reply plus the headers GitHub sends with every response.
    fn response(&self, reply: Reply) -> Response<Cursor<Vec<u8>>> {
        let sequence = self.lock().requests.len();
        let now = epoch();
        let mut response =
            Response::from_string(reply.body.to_string()).with_status_code(reply.status);
        let mut add = |name: &str, value: &str| {
            if let Ok(header) = Header::from_bytes(name, value) {
                response.add_header(header);
            }
        };
        add("content-type", "application/json; charset=utf-8");
        if !reply.rate_limited {
            add("x-ratelimit-limit", "5000");
            add("x-ratelimit-remaining", "4999");
            add("x-ratelimit-reset", &(now + 3600).to_string());
            add("x-ratelimit-used", "1");
            add("x-ratelimit-resource", "core");
        }
        add("x-github-media-type", "github.v3; format=json");
        add("x-github-api-version-selected", "2022-11-28");
        let request_id = format!("FA4E:{sequence:04X}:{:06X}:{now:08X}", sequence * 7919);
        add("x-github-request-id", &request_id);
        for (name, value) in &reply.headers {
            add(name, value);
        }
        response
    }
}

/// The reply a scripted failure gets.
fn failure_reply(failure: &Failure) -> Reply {
    match failure {
        Failure::ReadOnly => Reply::json(
            403,
            json!({
                "message": "Resource not accessible by integration",
                "documentation_url": "https://docs.github.com/rest/issues/comments#create-an-issue-comment",
                "status": "403",
            }),
        ),
        Failure::Status(status, message) => Reply::json(*status, json!({"message": message})),
        Failure::SecondaryRateLimit { retry_after_secs } => Reply::json(
            429,
            json!({
                "message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID FA4E:0000:000000:000000:00000000.",
                "documentation_url": "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
            }),
        )
        .header("retry-after", retry_after_secs.to_string()),
        Failure::RateLimited { reset_in_secs } => {
            let mut reply = Reply::json(
                403,
                json!({
                    "message": "API rate limit exceeded for installation ID 1.",
                    "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
                }),
            )
            .header("x-ratelimit-limit", "5000")
            .header("x-ratelimit-remaining", "0")
            .header("x-ratelimit-reset", (epoch() + reset_in_secs).to_string())
            .header("x-ratelimit-used", "5000")
            .header("x-ratelimit-resource", "core");
            reply.rate_limited = true;
            reply
        }
    }
}

/// The `body` of a create or update request, or GitHub's 400/422 for a bad one.
fn comment_body(raw: &str) -> Result<String, Reply> {
    let Ok(value) = serde_json::from_str::<Value>(raw) else {
        return Err(Reply::message(400, "Problems parsing JSON"));
    };
    match value.get("body") {
        Some(Value::String(text)) if text.chars().count() > MAX_BODY_CHARS => Err(Reply::json(
            422,
            json!({
                "message": "Validation Failed",
                "errors": [{
                    "resource": "IssueComment",
                    "code": "custom",
                    "field": "body",
                    "message": format!("body is too long (maximum is {MAX_BODY_CHARS} characters)"),
                }],
                "documentation_url": "https://docs.github.com/rest/issues/comments",
                "status": "422",
            }),
        )),
        Some(Value::String(text)) => Ok(text.clone()),
        Some(other) if !other.is_null() => Err(Reply::json(
            422,
            json!({
                "message": format!("Invalid request.\n\nFor 'properties/body', {other} is not a string."),
                "documentation_url": "https://docs.github.com/rest/issues/comments",
                "status": "422",
            }),
        )),
        _ => Err(Reply::json(
            422,
            json!({
                "message": "Invalid request.\n\n\"body\" wasn't supplied.",
                "documentation_url": "https://docs.github.com/rest/issues/comments",
                "status": "422",
            }),
        )),
    }
}

/// Seconds since the Unix epoch.
fn epoch() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// `2026-11-27T12:00:00Z` plus `seconds` (the fake clock of the comments).
fn timestamp(seconds: u64) -> String {
    let total = 12 * 3600 + seconds;
    let (day, rest) = (27 + total / 86_400, total % 86_400);
    format!(
        "2026-11-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

/// FNV-1a: a stable hash for made-up ids and shas.
fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A stable 40-hex-digit "sha" of `text`.
fn fake_sha(text: &str) -> String {
    let a = fnv(text);
    let b = fnv(&format!("{text}\u{1}"));
    let c = fnv(&format!("{text}\u{2}"));
    format!("{a:016x}{b:016x}{:08x}", c >> 32)
}

/// Percent-encode `text` for a URL path (keeping `/` when `keep_slash`).
fn escape(text: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(byte as char)
            }
            b'/' if keep_slash => out.push('/'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

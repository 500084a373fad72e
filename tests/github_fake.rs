//! The fake GitHub API of `common::github` itself, checked with plain HTTP/1.1 requests:
//! pagination, creating and updating comments, scripted failures and the token check.

// A test crate: an unwrap that fails is a failing test, and its helpers are `pub` for its
// modules.
#![allow(clippy::unwrap_used, unreachable_pub)]

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::github::{Failure, FakeGitHub, Setup};
use serde_json::{Value, json};

const TOKEN: &str = "ghs_fake_token_0123456789";
const COMMENTS: &str = "/repos/octo/demo/issues/7/comments";

/// A response of the tiny client below.
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// One HTTP/1.1 request to `<api_url><path>` (path with query), `Connection: close`.
fn send(
    gh: &FakeGitHub,
    method: &str,
    path: &str,
    authorization: Option<&str>,
    body: Option<&str>,
) -> Reply {
    let rest = gh
        .api_url()
        .strip_prefix("http://")
        .expect("an http URL")
        .to_string();
    let (host, prefix) = rest.split_once('/').expect("a base path");
    let mut stream = TcpStream::connect(host).expect("connect to the fake");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut head = format!(
        "{method} /{prefix}{path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: github-fake-test\r\nAccept: application/vnd.github+json\r\nConnection: close\r\n"
    );
    if let Some(auth) = authorization {
        head.push_str(&format!("Authorization: {auth}\r\n"));
    }
    let body = body.unwrap_or("");
    if !body.is_empty() || method != "GET" {
        head.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read the response");
    parse(&raw)
}

/// Parse a whole response (status line, headers, a `Content-Length` or chunked body).
fn parse(raw: &[u8]) -> Reply {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("end of the headers");
    let head = String::from_utf8_lossy(&raw[..split]);
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|code| code.parse().ok())
        .expect("a status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut rest = &raw[split + 4..];
    let chunked = headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.eq_ignore_ascii_case("chunked"));
    let body = if chunked {
        let mut body = Vec::new();
        loop {
            let end = rest
                .windows(2)
                .position(|w| w == b"\r\n")
                .expect("a chunk size");
            let size_line = String::from_utf8_lossy(&rest[..end]);
            let size = usize::from_str_radix(size_line.split(';').next().unwrap().trim(), 16)
                .expect("a hex chunk size");
            rest = &rest[end + 2..];
            if size == 0 {
                break;
            }
            body.extend_from_slice(&rest[..size]);
            rest = &rest[size + 2..];
        }
        body
    } else {
        rest.to_vec()
    };
    Reply {
        status,
        headers,
        body: String::from_utf8(body).expect("a UTF-8 body"),
    }
}

fn bearer() -> String {
    format!("Bearer {TOKEN}")
}

fn get(gh: &FakeGitHub, path: &str) -> Reply {
    send(gh, "GET", path, Some(&bearer()), None)
}

fn with_body(gh: &FakeGitHub, method: &str, path: &str, body: &Value) -> Reply {
    send(gh, method, path, Some(&bearer()), Some(&body.to_string()))
}

fn ids(reply: &Reply) -> Vec<u64> {
    reply
        .json()
        .as_array()
        .expect("an array")
        .iter()
        .map(|c| c["id"].as_u64().unwrap())
        .collect()
}

#[test]
fn comments_are_paginated_with_github_link_headers() {
    let gh = FakeGitHub::start(Setup {
        max_per_page: 2,
        ..Setup::default()
    });
    let seeded: Vec<u64> = (0..5)
        .map(|i| gh.seed_comment("someone", &format!("comment {i}")))
        .collect();
    assert_eq!(seeded, vec![1000, 1001, 1002, 1003, 1004]);
    let api = gh.api_url();
    let url = |page: u32| format!("{api}{COMMENTS}?per_page=100&page={page}");

    // per_page above the cap is capped.
    let first = get(&gh, &format!("{COMMENTS}?per_page=100&page=1"));
    assert_eq!(first.status, 200);
    assert_eq!(ids(&first), vec![1000, 1001]);
    assert_eq!(
        first.header("link"),
        Some(format!(r#"<{}>; rel="next", <{}>; rel="last""#, url(2), url(3)).as_str())
    );

    let middle = get(&gh, &format!("{COMMENTS}?per_page=100&page=2"));
    assert_eq!(ids(&middle), vec![1002, 1003]);
    assert_eq!(
        middle.header("link"),
        Some(
            format!(
                r#"<{}>; rel="prev", <{}>; rel="next", <{}>; rel="last", <{}>; rel="first""#,
                url(1),
                url(3),
                url(3),
                url(1)
            )
            .as_str()
        )
    );

    let last = get(&gh, &format!("{COMMENTS}?per_page=100&page=3"));
    assert_eq!(ids(&last), vec![1004]);
    assert_eq!(
        last.header("link"),
        Some(format!(r#"<{}>; rel="prev", <{}>; rel="first""#, url(2), url(1)).as_str())
    );

    // Past the end: an empty page.
    assert!(ids(&get(&gh, &format!("{COMMENTS}?per_page=2&page=9"))).is_empty());

    // Other parameters are kept in place; a missing `page` is appended.
    let kept = get(&gh, &format!("{COMMENTS}?sort=created&per_page=2"));
    assert_eq!(ids(&kept), vec![1000, 1001]);
    let link = kept.header("link").unwrap();
    assert!(
        link.starts_with(&format!(
            "<{api}{COMMENTS}?sort=created&per_page=2&page=2>; rel=\"next\""
        )),
        "{link}"
    );

    // Following `next` links visits every comment once.
    let mut next = Some(format!("{COMMENTS}?per_page=2"));
    let mut seen = vec![];
    while let Some(path) = next.take() {
        let reply = get(&gh, &path);
        seen.extend(ids(&reply));
        next = reply.header("link").and_then(|link| {
            link.split(", ")
                .find(|l| l.ends_with("rel=\"next\""))
                .map(|l| {
                    l[1..l.find('>').unwrap()]
                        .trim_start_matches(&api)
                        .to_string()
                })
        });
    }
    assert_eq!(seen, seeded);
}

#[test]
fn one_page_has_no_link_and_per_page_defaults_to_30() {
    let gh = FakeGitHub::start(Setup::default());
    gh.seed_comment("someone", "hello");
    let one = get(&gh, COMMENTS);
    assert_eq!(one.status, 200);
    assert_eq!(one.header("link"), None);
    let comment = &one.json()[0];
    assert_eq!(comment["id"], 1000);
    assert_eq!(comment["body"], "hello");
    assert_eq!(comment["user"]["login"], "someone");
    assert_eq!(comment["user"]["type"], "User");
    assert_eq!(
        comment["html_url"],
        "https://github.com/octo/demo/pull/7#issuecomment-1000"
    );
    assert_eq!(
        comment["url"],
        format!("{}/repos/octo/demo/issues/comments/1000", gh.api_url())
    );
    assert_eq!(
        comment["issue_url"],
        format!("{}/repos/octo/demo/issues/7", gh.api_url())
    );
    assert!(comment["node_id"].as_str().unwrap().starts_with("IC_"));
    assert_eq!(comment["created_at"], "2026-11-27T12:00:00Z");

    for i in 1..31 {
        gh.seed_comment("someone", &format!("more {i}"));
    }
    let page = get(&gh, COMMENTS);
    assert_eq!(ids(&page).len(), 30);
    assert_eq!(
        page.header("link"),
        Some(
            format!(
                r#"<{0}{COMMENTS}?page=2>; rel="next", <{0}{COMMENTS}?page=2>; rel="last""#,
                gh.api_url()
            )
            .as_str()
        )
    );
}

#[test]
fn pr_files_are_listed_and_paginated() {
    let gh = FakeGitHub::start(Setup {
        pr_files: vec![
            "k8s/a.yaml".into(),
            "Dockerfile".into(),
            "dir x/b.yaml".into(),
        ],
        max_per_page: 2,
        ..Setup::default()
    });
    let path = "/repos/octo/demo/pulls/7/files";
    let first = get(&gh, &format!("{path}?per_page=100"));
    assert_eq!(first.status, 200);
    let files = first.json();
    assert_eq!(files.as_array().unwrap().len(), 2);
    assert_eq!(files[0]["filename"], "k8s/a.yaml");
    assert_eq!(files[0]["status"], "modified");
    let sha = files[0]["sha"].as_str().unwrap();
    assert!(sha.len() == 40 && sha.chars().all(|c| c.is_ascii_hexdigit()));
    assert!(
        first
            .header("link")
            .unwrap()
            .contains("page=2>; rel=\"next\"")
    );
    let second = get(&gh, &format!("{path}?per_page=100&page=2"));
    let files = second.json();
    assert_eq!(files[0]["filename"], "dir x/b.yaml");
    assert!(
        files[0]["contents_url"]
            .as_str()
            .unwrap()
            .contains("/contents/dir%20x/b.yaml?ref=")
    );
}

#[test]
fn comments_are_created_and_updated() {
    let gh = FakeGitHub::start(Setup::default());
    let human = gh.seed_comment("alice", "LGTM");

    let created = with_body(&gh, "POST", COMMENTS, &json!({"body": "report v1"}));
    assert_eq!(created.status, 201);
    let comment = created.json();
    let id = comment["id"].as_u64().unwrap();
    assert_eq!(id, human + 1);
    assert_eq!(comment["body"], "report v1");
    assert_eq!(comment["user"]["login"], "github-actions[bot]");
    assert_eq!(comment["user"]["type"], "Bot");
    assert_eq!(
        created.header("location"),
        Some(format!("{}/repos/octo/demo/issues/comments/{id}", gh.api_url()).as_str())
    );

    let path = format!("/repos/octo/demo/issues/comments/{id}");
    let updated = with_body(&gh, "PATCH", &path, &json!({"body": "report v2"}));
    assert_eq!(updated.status, 200);
    assert_eq!(updated.json()["body"], "report v2");
    assert_ne!(updated.json()["updated_at"], updated.json()["created_at"]);
    // octocrab updates with POST.
    let posted = with_body(&gh, "POST", &path, &json!({"body": "report v3"}));
    assert_eq!(posted.status, 200);

    let bodies: Vec<(u64, String, String)> = gh
        .comments()
        .into_iter()
        .map(|c| (c.id, c.login, c.body))
        .collect();
    assert_eq!(
        bodies,
        vec![
            (human, "alice".into(), "LGTM".into()),
            (id, "github-actions[bot]".into(), "report v3".into()),
        ]
    );

    // A token cannot edit a human's comment; unknown ids are not found.
    let human_path = format!("/repos/octo/demo/issues/comments/{human}");
    let denied = with_body(&gh, "PATCH", &human_path, &json!({"body": "x"}));
    assert_eq!(denied.status, 403);
    assert_eq!(
        denied.json()["message"],
        "Resource not accessible by integration"
    );
    let missing = with_body(
        &gh,
        "PATCH",
        "/repos/octo/demo/issues/comments/99",
        &json!({"body": "x"}),
    );
    assert_eq!(missing.status, 404);
    assert_eq!(gh.comments()[0].body, "LGTM");
}

#[test]
fn bad_comment_bodies_are_rejected_like_github() {
    let gh = FakeGitHub::start(Setup::default());
    let missing = with_body(&gh, "POST", COMMENTS, &json!({"text": "x"}));
    assert_eq!(missing.status, 422);
    assert_eq!(
        missing.json()["message"],
        "Invalid request.\n\n\"body\" wasn't supplied."
    );
    let not_json = send(&gh, "POST", COMMENTS, Some(&bearer()), Some("{"));
    assert_eq!(not_json.status, 400);

    // The limit counts characters, not bytes.
    let longest = "é".repeat(65536);
    let ok = with_body(&gh, "POST", COMMENTS, &json!({ "body": longest }));
    assert_eq!(ok.status, 201);
    let too_long = with_body(&gh, "POST", COMMENTS, &json!({ "body": "x".repeat(65537) }));
    assert_eq!(too_long.status, 422);
    let error = too_long.json();
    assert_eq!(error["message"], "Validation Failed");
    assert_eq!(
        error["errors"][0]["message"],
        "body is too long (maximum is 65536 characters)"
    );
    let id = ok.json()["id"].as_u64().unwrap();
    let path = format!("/repos/octo/demo/issues/comments/{id}");
    let update = with_body(&gh, "PATCH", &path, &json!({ "body": "x".repeat(65537) }));
    assert_eq!(update.status, 422);
    assert_eq!(gh.comments().len(), 1);
    assert_eq!(gh.comments()[0].body.chars().count(), 65536);
}

#[test]
fn scripted_failures_are_consumed_in_order() {
    let gh = FakeGitHub::start(Setup::default());
    gh.fail("POST", "/issues/7/comments", 2, Failure::ReadOnly);
    gh.fail(
        "POST",
        "comments",
        1,
        Failure::Status(502, "Bad Gateway".into()),
    );
    gh.fail(
        "GET",
        "comments",
        1,
        Failure::SecondaryRateLimit {
            retry_after_secs: 3,
        },
    );
    gh.fail(
        "GET",
        "/files",
        1,
        Failure::RateLimited { reset_in_secs: 60 },
    );
    let post = || with_body(&gh, "POST", COMMENTS, &json!({"body": "hi"}));

    // A wrong token is refused before any script is used.
    let unauthorized = send(&gh, "POST", COMMENTS, None, Some(r#"{"body":"hi"}"#));
    assert_eq!(unauthorized.status, 401);

    for _ in 0..2 {
        let read_only = post();
        assert_eq!(read_only.status, 403);
        assert_eq!(
            read_only.json(),
            json!({
                "message": "Resource not accessible by integration",
                "documentation_url": "https://docs.github.com/rest/issues/comments#create-an-issue-comment",
                "status": "403",
            })
        );
    }
    let bad_gateway = post();
    assert_eq!(bad_gateway.status, 502);
    assert_eq!(bad_gateway.json(), json!({"message": "Bad Gateway"}));
    assert_eq!(post().status, 201);
    assert_eq!(gh.comments().len(), 1);

    let secondary = get(&gh, COMMENTS);
    assert_eq!(secondary.status, 429);
    assert_eq!(secondary.header("retry-after"), Some("3"));
    assert!(
        secondary.json()["message"]
            .as_str()
            .unwrap()
            .starts_with("You have exceeded a secondary rate limit")
    );
    assert_eq!(get(&gh, COMMENTS).status, 200);

    let limited = get(&gh, "/repos/octo/demo/pulls/7/files");
    assert_eq!(limited.status, 403);
    assert_eq!(limited.header("x-ratelimit-remaining"), Some("0"));
    let reset: u64 = limited
        .header("x-ratelimit-reset")
        .unwrap()
        .parse()
        .unwrap();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!((now + 50..=now + 70).contains(&reset), "{reset} vs {now}");
    assert_eq!(
        limited.json()["message"],
        "API rate limit exceeded for installation ID 1."
    );
    assert_eq!(get(&gh, "/repos/octo/demo/pulls/7/files").status, 200);
}

#[test]
fn the_token_is_checked_and_requests_are_recorded() {
    let gh = FakeGitHub::start(Setup::default());
    let bad_credentials = json!({
        "message": "Bad credentials",
        "documentation_url": "https://docs.github.com/rest",
    });
    for auth in [None, Some("Bearer wrong"), Some(TOKEN), Some("Basic abc")] {
        let reply = send(&gh, "GET", COMMENTS, auth, None);
        assert_eq!(reply.status, 401, "{auth:?}");
        assert_eq!(reply.json(), bad_credentials);
    }
    let old_style = send(&gh, "GET", COMMENTS, Some(&format!("token {TOKEN}")), None);
    assert_eq!(old_style.status, 200);
    assert_eq!(old_style.json(), json!([]));

    // Headers on every response.
    assert_eq!(
        old_style.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(old_style.header("x-ratelimit-limit"), Some("5000"));
    assert_eq!(old_style.header("x-ratelimit-remaining"), Some("4999"));
    assert!(
        old_style
            .header("x-ratelimit-reset")
            .unwrap()
            .parse::<u64>()
            .is_ok()
    );
    assert!(old_style.header("x-github-request-id").is_some());

    // Wrong owner, repository, PR or endpoint: not found.
    let not_found =
        json!({"message": "Not Found", "documentation_url": "https://docs.github.com/rest"});
    for path in [
        "/repos/other/demo/issues/7/comments",
        "/repos/octo/other/issues/7/comments",
        "/repos/octo/demo/issues/8/comments",
        "/repos/octo/demo/pulls/8/files",
        "/repos/octo/demo/issues/7",
        "/user",
    ] {
        let reply = get(&gh, path);
        assert_eq!(reply.status, 404, "{path}");
        assert_eq!(reply.json(), not_found);
        assert!(reply.header("x-github-request-id").is_some());
    }

    let requests = gh.requests();
    assert_eq!(requests.len(), 4 + 1 + 6);
    let recorded = &requests[4];
    assert_eq!(recorded.method, "GET");
    assert_eq!(recorded.path, COMMENTS);
    assert_eq!(recorded.query, "");
    assert_eq!(
        recorded.authorization.as_deref(),
        Some(format!("token {TOKEN}").as_str())
    );
    assert!(
        recorded
            .headers
            .iter()
            .any(|(n, v)| n == "user-agent" && v == "github-fake-test")
    );
    assert_eq!(requests[0].authorization, None);

    let posted = with_body(
        &gh,
        "POST",
        &format!("{COMMENTS}?x=1"),
        &json!({"body": "b"}),
    );
    assert_eq!(posted.status, 201);
    let last = gh.requests().pop().unwrap();
    assert_eq!(
        (last.method.as_str(), last.path.as_str()),
        ("POST", COMMENTS)
    );
    assert_eq!(last.query, "x=1");
    assert_eq!(last.body, r#"{"body":"b"}"#);
}

#[test]
fn the_server_stops_when_dropped() {
    let gh = FakeGitHub::start(Setup::default());
    let host = gh
        .api_url()
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(get(&gh, COMMENTS).status, 200);
    drop(gh);
    // tiny_http closes its listener on its accept thread, right after the drop.
    let closed = (0..100).any(|_| {
        std::thread::sleep(Duration::from_millis(20));
        TcpStream::connect(&host).is_err()
    });
    assert!(closed, "{host} still listening");
}

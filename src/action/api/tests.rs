//! Tests of `action/api.rs`.

use super::*;
use http::HeaderValue;

fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (k, v) in pairs {
        map.insert(*k, HeaderValue::from_str(v).unwrap());
    }
    map
}

#[test]
fn follows_github_link_headers() {
    let h = headers(&[(
        "link",
        r#"<https://api.github.com/repositories/1/issues/7/comments?per_page=100&page=2>; rel="next", <https://api.github.com/repositories/1/issues/7/comments?per_page=100&page=5>; rel="last""#,
    )]);
    assert_eq!(
        next_link(&h).as_deref(),
        Some("https://api.github.com/repositories/1/issues/7/comments?per_page=100&page=2")
    );
    let last = headers(&[(
        "link",
        r#"<https://x/?page=1>; rel="prev", <https://x/?page=1>; rel="first""#,
    )]);
    assert_eq!(next_link(&last), None);
    assert_eq!(next_link(&HeaderMap::new()), None);
}

#[test]
fn tells_failures_apart() {
    let body = |m: &str| serde_json::json!({ "message": m });
    let none = HeaderMap::new();
    let c = |status: u16, h: &HeaderMap, b: &Value| {
        classify(
            StatusCode::from_u16(status).unwrap(),
            h,
            b,
            "/repos/o/r/issues/7/comments",
        )
    };
    assert_eq!(
        c(403, &none, &body("Resource not accessible by integration")),
        ApiError::ReadOnly
    );
    assert_eq!(
        c(403, &none, &body("Must have admin rights")),
        ApiError::Forbidden("Must have admin rights".into())
    );
    assert_eq!(
        c(
            403,
            &headers(&[("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "1")]),
            &body("API rate limit exceeded")
        ),
        ApiError::RateLimited(Some(Duration::from_secs(1)))
    );
    assert_eq!(
        c(
            429,
            &headers(&[("retry-after", "3")]),
            &body("secondary rate limit")
        ),
        ApiError::RateLimited(Some(Duration::from_secs(3)))
    );
    assert_eq!(c(429, &none, &Value::Null), ApiError::RateLimited(None));
    assert_eq!(
        c(404, &none, &body("Not Found")),
        ApiError::NotFound("/repos/o/r/issues/7/comments".into())
    );
    assert_eq!(c(502, &none, &Value::Null), ApiError::Server(502));
    assert_eq!(
        c(401, &none, &body("Bad credentials")),
        ApiError::Unauthorized("Bad credentials".into())
    );
    assert_eq!(
        c(422, &none, &body("Validation Failed")),
        ApiError::Rejected(422, "Validation Failed".into())
    );
}

#[test]
fn paths_for_logs() {
    assert_eq!(
        path_of("https://api.github.com/repos/o/r?page=2"),
        "/repos/o/r?page=2"
    );
    assert_eq!(path_of("/repos/o/r"), "/repos/o/r");
}

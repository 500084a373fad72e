//! Tests of `online/client.rs` that need no registry (the kit's tests are in
//! `tests/online.rs`).

use super::*;

#[test]
fn challenges() {
    assert_eq!(
        Challenge::parse(
            r#"Bearer realm="http://127.0.0.1:5001/token",service="imagegate-test-registry",scope="repository:test/app:pull""#
        ),
        Challenge::Bearer {
            realm: "http://127.0.0.1:5001/token".into(),
            service: Some("imagegate-test-registry".into()),
            scope: Some("repository:test/app:pull".into()),
        }
    );
    assert_eq!(
        Challenge::parse(r#"Basic realm="imagegate-test""#),
        Challenge::Basic
    );
    assert_eq!(Challenge::parse("Negotiate"), Challenge::Other);
    assert_eq!(Challenge::parse("Bearer service=x"), Challenge::Other);
}

#[test]
fn endpoints() {
    assert_eq!(
        Endpoint::of("docker.io", false),
        Endpoint {
            scheme: "https",
            authority: "registry-1.docker.io".into()
        }
    );
    assert_eq!(Endpoint::of("127.0.0.1:5000", false).scheme, "http");
    assert_eq!(Endpoint::of("localhost:5000", false).scheme, "http");
    assert_eq!(Endpoint::of("ghcr.io", false).scheme, "https");
    assert_eq!(Endpoint::of("registry.internal:5000", true).scheme, "http");
}

#[test]
fn credentials_never_print() {
    let credential = Credential::Basic {
        username: "user".into(),
        password: "hunter2hunter2".into(),
    };
    assert!(!format!("{credential:?}").contains("hunter2"));
}

#[test]
fn backoff_grows_and_is_capped() {
    let retries = Retries::default();
    assert!(backoff(retries, 0) >= retries.base);
    assert!(backoff(retries, 3) >= retries.base * 8);
    assert!(backoff(retries, 30) <= retries.max_wait);
}

#[test]
fn the_next_page_is_read_from_the_link_header() {
    assert_eq!(
        next_link(r#"</v2/app/referrers/sha256:ab?n=2&last=x>; rel="next""#).as_deref(),
        Some("/v2/app/referrers/sha256:ab?n=2&last=x")
    );
    assert_eq!(
        next_link(r#"<https://a.example/p1>; rel="prev", <https://a.example/p3>; rel=next"#)
            .as_deref(),
        Some("https://a.example/p3")
    );
    assert_eq!(next_link(r#"<https://a.example/p1>; rel="prev""#), None);
    assert_eq!(next_link("garbage"), None);
}

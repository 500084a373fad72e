//! Tests of `action/comment.rs`.

use super::*;

#[test]
fn pull_request_of_an_event() {
    let payload = json!({
        "pull_request": {
            "number": 7,
            "head": { "sha": "abc", "repo": { "full_name": "fork/demo" } }
        }
    });
    let pr = PullRequest::from_event("pull_request", &payload, "octo/demo").unwrap();
    assert_eq!(pr.number, 7);
    assert_eq!(pr.head_sha.as_deref(), Some("abc"));
    assert!(pr.from_fork);
    assert!(PullRequest::from_event("push", &payload, "octo/demo").is_none());
    let target = PullRequest::from_event("pull_request_target", &payload, "fork/demo").unwrap();
    assert!(!target.from_fork);
    assert!(PullRequest::from_event("pull_request", &json!({}), "octo/demo").is_none());
}

#[test]
fn markers_differ_by_category() {
    assert_eq!(marker("imagegate"), "<!-- imagegate:sticky:imagegate -->");
    assert_ne!(marker("a"), marker("b"));
}

//! Tests of `action/mod.rs`.

use super::*;

#[test]
fn outputs_use_a_heredoc_for_line_breaks() {
    let text = output_lines(&[("findings", "3".into()), ("odd", "a\nb".into())]);
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("findings=3"));
    let open = lines.next().unwrap();
    let delimiter = open.strip_prefix("odd<<").unwrap();
    assert_eq!(lines.next(), Some("a"));
    assert_eq!(lines.next(), Some("b"));
    assert_eq!(lines.next(), Some(delimiter));
}

#[test]
fn stop_tokens_differ() {
    assert_ne!(stop_token(), stop_token());
}

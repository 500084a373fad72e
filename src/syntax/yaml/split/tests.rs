//! Tests of `syntax/yaml/split.rs`.

use super::*;

fn parts(text: &str) -> Vec<&str> {
    split_documents(text)
        .iter()
        .map(|c| &text[c.span.range()])
        .collect()
}

#[test]
fn single_document_without_markers() {
    assert_eq!(parts("a: 1\nb: 2\n"), ["a: 1\nb: 2\n"]);
}

#[test]
fn markers_start_documents() {
    assert_eq!(
        parts("---\na: 1\n---\nb: 2\n"),
        ["---\na: 1\n", "---\nb: 2\n"]
    );
}

#[test]
fn leading_comment_and_directive_join_the_first_document() {
    assert_eq!(
        parts("# hi\n%YAML 1.2\n---\na: 1\n"),
        ["# hi\n%YAML 1.2\n---\na: 1\n"]
    );
}

#[test]
fn empty_documents_keep_their_place() {
    assert_eq!(
        parts("a: 1\n---\n---\nb: 2\n"),
        ["a: 1\n", "---\n", "---\nb: 2\n"]
    );
}

#[test]
fn document_end_marker() {
    assert_eq!(parts("a: 1\n...\n# bye\n"), ["a: 1\n...\n"]);
    assert_eq!(parts("a: 1\n...\nb: 2\n"), ["a: 1\n...\n", "b: 2\n"]);
}

#[test]
fn dashes_inside_text_are_not_markers() {
    assert_eq!(parts("a: |\n  ---\nb: ---x\n"), ["a: |\n  ---\nb: ---x\n"]);
    assert_eq!(parts("----\n"), ["----\n"]);
}

#[test]
fn crlf_and_marker_with_content() {
    assert_eq!(
        parts("a: 1\r\n--- \r\nb: 2\r\n"),
        ["a: 1\r\n", "--- \r\nb: 2\r\n"]
    );
    assert_eq!(parts("--- |\n  text\n"), ["--- |\n  text\n"]);
}

#[test]
fn empty_and_blank_streams() {
    assert!(parts("").is_empty());
    assert!(parts("\n\n").is_empty());
    assert_eq!(parts("# only a comment\n"), ["# only a comment\n"]);
}

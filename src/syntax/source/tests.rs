//! Tests of `syntax/source.rs`.

use super::*;

fn pos(text: &str, offset: usize) -> (usize, usize) {
    let p = LineIndex::new(text).position(text, offset);
    (p.line, p.column)
}

#[test]
fn first_line_first_column() {
    assert_eq!(pos("abc", 0), (1, 1));
    assert_eq!(pos("abc", 2), (1, 3));
}

#[test]
fn lf_and_crlf_end_lines() {
    let t = "a: 1\nb: 2\r\nc: 3";
    assert_eq!(pos(t, t.find('b').unwrap()), (2, 1));
    assert_eq!(pos(t, t.find('c').unwrap()), (3, 1));
    let idx = LineIndex::new(t);
    assert_eq!(idx.line_text(t, 2), "b: 2");
    assert_eq!(idx.line_text(t, 3), "c: 3");
}

#[test]
fn columns_count_code_points_not_bytes() {
    let t = "name: wéb — x: nginx";
    let at = t.find("nginx").unwrap();
    assert_eq!(pos(t, at), (1, 16));
}

#[test]
fn bom_is_not_a_column() {
    let t = "\u{feff}image: nginx";
    assert_eq!(pos(t, t.find("nginx").unwrap()), (1, 8));
    assert_eq!(LineIndex::new(t).line_text(t, 1), "image: nginx");
}

#[test]
fn offsets_past_the_end_clamp() {
    assert_eq!(pos("ab\n", 99), (2, 1));
    assert_eq!(LineIndex::new("ab").line_text("ab", 7), "");
}

//! Tests of `syntax/date.rs`.

use super::*;

#[test]
fn dates() {
    assert_eq!(parse_date("1970-01-01"), Some(0));
    assert_eq!(parse_date("2000-03-01"), Some(11_017));
    assert_eq!(
        parse_date("2024-02-29").map(|d| d - parse_date("2024-02-28").unwrap()),
        Some(1)
    );
    assert_eq!(parse_date("2023-02-29"), None);
    assert_eq!(parse_date("2023-13-01"), None);
    assert_eq!(parse_date("23-01-01"), None);
    assert_eq!(parse_date("2023/01/01"), None);
    assert!(today() > parse_date("2026-01-01").unwrap());
}

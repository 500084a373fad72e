//! Tests of `findings/baseline.rs`.

use super::*;

fn entry(fp: &str, rule: &str, path: &str) -> Entry {
    Entry {
        path: path.into(),
        rule: rule.into(),
        fingerprint: fp.into(),
        message: "m".into(),
    }
}

#[test]
fn round_trips_sorted() {
    let a = "0".repeat(32);
    let b = "f".repeat(32);
    let mut baseline = Baseline {
        entries: vec![
            entry(&b, "image-tag-latest", "k8s/b.yaml"),
            entry(&a, "image-tag-latest", "k8s/a.yaml"),
        ],
    };
    baseline.entries.sort();
    let text = baseline.render();
    assert!(text.starts_with(HEADER));
    let lines: Vec<&str> = text.lines().skip(2).collect();
    assert_eq!(lines[0], format!("{a}\timage-tag-latest\tk8s/a.yaml\tm"));
    assert_eq!(Baseline::parse(&text, "b").unwrap(), baseline);
}

#[test]
fn bad_files_say_where() {
    let err = Baseline::parse("hello\n", "x.baseline").unwrap_err();
    assert!(
        err.to_string()
            .starts_with("x.baseline:1: not an imagegate baseline")
    );
    let err = Baseline::parse(&format!("{HEADER}\nabc\trule\tpath\tm\n"), "x").unwrap_err();
    assert_eq!(
        err.to_string(),
        "x:2: `abc` is not a fingerprint (32 hex digits)"
    );
    let err = Baseline::parse(&format!("{HEADER}\n{}\n", "a".repeat(32)), "x").unwrap_err();
    assert!(err.to_string().starts_with("x:2: expected"));
    // Comments, blank lines and CRLF are fine.
    let ok = format!("{HEADER}\r\n\r\n# note\r\n{}\tr\tp\tm\r\n", "A".repeat(32));
    assert_eq!(
        Baseline::parse(&ok, "x").unwrap().entries[0].fingerprint,
        "a".repeat(32)
    );
}

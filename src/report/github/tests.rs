//! Tests of `report/github.rs`.

use super::*;

#[test]
fn escapes_like_the_toolkit() {
    assert_eq!(escape_data("100% a\r\nb"), "100%25 a%0D%0Ab");
    assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    // A message cannot start a second command.
    let a = Annotation::plain(Kind::Error, "t", "x\n::error::injected");
    assert_eq!(a.command(), "::error title=t::x%0A::error::injected");
    assert!(!a.command().contains('\n'));
}

#[test]
fn full_command() {
    let a = Annotation {
        kind: Kind::Warning,
        file: Some("deploy/a,b:c.yaml".into()),
        line: Some(21),
        end_line: Some(21),
        col: Some(18),
        end_column: Some(29),
        title: "image-tag-latest".into(),
        message: "`nginx:latest` is mutable".into(),
    };
    assert_eq!(
        a.command(),
        "::warning file=deploy/a%2Cb%3Ac.yaml,line=21,endLine=21,col=18,endColumn=29,title=image-tag-latest::`nginx:latest` is mutable"
    );
    let plain = Annotation::plain(Kind::Notice, "", "hello");
    assert_eq!(plain.command(), "::notice::hello");
}

#[test]
fn caps_each_kind_errors_first_and_counts_the_rest() {
    let mk = |kind, n: usize| Annotation::plain(kind, "r", format!("m{n}"));
    let all: Vec<Annotation> = (0..10)
        .map(|n| mk(Kind::Notice, n))
        .chain((0..3).map(|n| mk(Kind::Warning, n)))
        .chain((0..12).map(|n| mk(Kind::Error, n)))
        .collect();
    let a = cap(all);
    assert_eq!(a.omitted, [2, 0, 1]);
    assert_eq!(a.shown.len(), 10 + 3 + 9);
    assert_eq!(a.shown[0].kind, Kind::Error);
    assert_eq!(a.shown[0].message, "m0");
    assert_eq!(a.shown[9].message, "m9");
    assert_eq!(a.shown[10].kind, Kind::Warning);
    let mut out = Vec::new();
    a.write(&mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(text.lines().count(), 23);
    assert_eq!(
        text.lines().last().unwrap(),
        "::notice title=imagegate%3A more findings::3 more not annotated (2 errors, 1 notice): GitHub shows 10 annotations of each kind per step. Every finding is in the job summary and the SARIF report."
    );
    // Within the caps nothing is left out and no notice is added.
    let small = cap(vec![mk(Kind::Notice, 0); 10]);
    assert_eq!((small.shown.len(), small.omitted_total()), (10, 0));
}

//! Tests of `findings/suppress.rs`.

use super::*;
use crate::syntax::yaml::{Limits, load_stream};

use CommentStyle::{Dockerfile, Shell, Yaml};

/// The rule catalogue of these tests.
fn known(id: &str) -> bool {
    [
        "image-tag-latest",
        "image-digest-missing",
        "a",
        "b",
        "x",
        "rule-a",
    ]
    .contains(&id)
}

/// What a row's input must yield.
enum Want {
    /// Every directive: `(line, target_line, rules, reason)`.
    Ignores(&'static [(usize, usize, &'static [&'static str], &'static str)]),
    /// Exactly one directive, malformed, its message containing this.
    Error(&'static str),
}
use Want::{Error, Ignores};

const NONE: Want = Ignores(&[]);

/// One table row: what a snippet in a style must yield.
struct Row {
    name: &'static str,
    style: CommentStyle,
    text: &'static str,
    want: Want,
}

const fn row(name: &'static str, style: CommentStyle, text: &'static str, want: Want) -> Row {
    Row {
        name,
        style,
        text,
        want,
    }
}

#[rustfmt::skip]
    const TABLE: &[Row] = &[
        // Spacing around the prefix.
        row("canonical own-line", Yaml, "# imagegate: ignore[a] r\nimage: x\n", Ignores(&[(1, 2, &["a"], "r")])),
        row("no space after #", Yaml, "#imagegate: ignore[a] r\n", Ignores(&[(1, 2, &["a"], "r")])),
        row("spaces after #, none after :", Yaml, "#   imagegate:ignore[a] r\n", Ignores(&[(1, 2, &["a"], "r")])),
        row("tabs everywhere", Shell, "\t#\timagegate:\tignore[a]\tr\t\n", Ignores(&[(1, 2, &["a"], "r")])),
        row("several ids, odd spacing", Yaml, "# imagegate: ignore[ image-tag-latest ,image-digest-missing,  rule-a ] pinned by CI\n",
            Ignores(&[(1, 2, &["image-tag-latest", "image-digest-missing", "rule-a"], "pinned by CI")])),
        row("duplicate id counts once", Yaml, "# imagegate: ignore[a, b, a] r\n", Ignores(&[(1, 2, &["a", "b"], "r")])),
        row("reason keeps a later #", Yaml, "# imagegate: ignore[a] reason # more\n", Ignores(&[(1, 2, &["a"], "reason # more")])),
        // Malformed directives.
        row("unknown id", Yaml, "# imagegate: ignore[image-tag-lates] r\n", Error("unknown rule `image-tag-lates`")),
        row("malformed id", Yaml, "# imagegate: ignore[Foo] r\n", Error("`Foo` is not a rule id")),
        row("id with double hyphen", Yaml, "# imagegate: ignore[rule--a] r\n", Error("`rule--a` is not a rule id")),
        row("missing reason", Yaml, "# imagegate: ignore[a]\n", Error("a reason is required")),
        row("blank reason", Yaml, "# imagegate: ignore[a]   \t\n", Error("a reason is required")),
        row("empty list", Yaml, "# imagegate: ignore[] r\n", Error("no rule ids")),
        row("empty item", Yaml, "# imagegate: ignore[a,,b] r\n", Error("empty item")),
        row("trailing comma", Yaml, "# imagegate: ignore[a,] r\n", Error("empty item")),
        row("unclosed bracket", Yaml, "# imagegate: ignore[a r\n", Error("unclosed `[`")),
        row("space before [", Yaml, "# imagegate: ignore [a] r\n", Error("write `ignore[` with no space")),
        row("other directive word", Yaml, "# imagegate: ignroe[a] r\n", Error("unknown directive `ignroe`")),
        row("disable is not a directive", Shell, "# imagegate: disable[a] r\n", Error("unknown directive `disable`")),
        row("ignore without list", Yaml, "# imagegate: ignore a r\n", Error("expected `[` after `ignore`")),
        row("nothing after prefix", Yaml, "# imagegate:\n", Error("expected a directive")),
        row("reason glued to ]", Yaml, "# imagegate: ignore[a]because\n", Error("put a space between `]`")),
        // Not directives at all.
        row("capitalised prefix", Yaml, "# Imagegate: ignore[a] r\n", NONE),
        row("space before colon", Yaml, "# imagegate : ignore[a] r\n", NONE),
        row("mentioned mid-comment", Yaml, "# see imagegate: ignore[a] x\n", NONE),
        row("double hash", Yaml, "## imagegate: ignore[a] x\n", NONE),
        // YAML: what is a comment.
        row("in a double-quoted scalar", Yaml, "a: \"b # imagegate: ignore[x] y\"\n", NONE),
        row("in a single-quoted scalar", Yaml, "a: 'b # imagegate: ignore[x] y'\n", NONE),
        row("in a literal block scalar", Yaml, "a: |\n  # imagegate: ignore[x] y\n  z\nb: c\n", NONE),
        row("in a folded block scalar", Yaml, "a: >-\n  text\n  # imagegate: ignore[x] y\nb: c\n", NONE),
        row("in a multi-line quoted scalar", Yaml, "a: \"one\n  # imagegate: ignore[x] y\"\n", NONE),
        row("after a block scalar indicator", Yaml, "a: | # imagegate: ignore[x] y\n  text\n", Ignores(&[(1, 1, &["x"], "y")])),
        row("after a plain scalar", Yaml, "a: b # imagegate: ignore[x] y\n", Ignores(&[(1, 1, &["x"], "y")])),
        row("after a quoted scalar", Yaml, "a: 'b # c' # imagegate: ignore[x] y\n", Ignores(&[(1, 1, &["x"], "y")])),
        row("in a JSON string", Yaml, "{\"a\": \"# imagegate: ignore[x] y\"}\n", NONE),
        row("trailing vs own-line", Yaml, "spec:\n  # imagegate: ignore[a] own\n  image: x # imagegate: ignore[b] trailing\n",
            Ignores(&[(2, 3, &["a"], "own"), (3, 3, &["b"], "trailing")])),
        row("two lines above reaches only the next", Yaml, "# imagegate: ignore[a] r\n\nimage: x\n", Ignores(&[(1, 2, &["a"], "r")])),
        row("second document", Yaml, "a: 1\n---\nb: 2 # imagegate: ignore[b] r\n", Ignores(&[(3, 3, &["b"], "r")])),
        row("CRLF", Yaml, "a: 1\r\n# imagegate: ignore[a] r \r\nb: 2 # imagegate: ignore[b] s\r\n",
            Ignores(&[(2, 3, &["a"], "r"), (3, 3, &["b"], "s")])),
        row("last line without newline", Yaml, "a: 1\nb: 2 # imagegate: ignore[x] y", Ignores(&[(2, 2, &["x"], "y")])),
        row("after a BOM", Yaml, "\u{feff}# imagegate: ignore[x] y\na: 1\n", Ignores(&[(1, 2, &["x"], "y")])),
        // Dockerfile.
        row("Dockerfile own-line", Dockerfile, "FROM alpine\n  # imagegate: ignore[image-tag-latest] base is rebuilt daily\nFROM nginx:latest\n",
            Ignores(&[(2, 3, &["image-tag-latest"], "base is rebuilt daily")])),
        row("Dockerfile # in an instruction", Dockerfile, "RUN echo # imagegate: ignore[x] y\n", NONE),
        row("Dockerfile continuation line", Dockerfile, "RUN apk add \\\n# imagegate: ignore[x] y\n    curl\n", Ignores(&[(2, 3, &["x"], "y")])),
        row("Dockerfile parser directive", Dockerfile, "# syntax=docker/dockerfile:1\nFROM a\n", NONE),
        // Shell.
        row("shell in double quotes", Shell, "echo \"# imagegate: ignore[x] y\"\n", NONE),
        row("shell in single quotes", Shell, "echo 'a # imagegate: ignore[x] y'\n", NONE),
        row("shell double quote inside single ones", Shell, "echo 'say \"hi # imagegate: ignore[x] y'\n", NONE),
        row("shell escaped quote stays quoted", Shell, "echo \"a\\\" # imagegate: ignore[x] y\"\n", NONE),
        row("shell glued #", Shell, "echo a#imagegate: ignore[x] y\n", NONE),
        row("shell escaped #", Shell, "echo \\# imagegate: ignore[x] y\n", NONE),
        row("shell trailing", Shell, "docker login -p $P # imagegate: ignore[x] y\n", Ignores(&[(1, 1, &["x"], "y")])),
        row("shell after a closed quote", Shell, "echo \"#\" 'a' # imagegate: ignore[x] y\n", Ignores(&[(1, 1, &["x"], "y")])),
        row("shell open quote ends at line end", Shell, "echo \"open\n# imagegate: ignore[x] y\n", Ignores(&[(2, 3, &["x"], "y")])),
    ];

fn yaml_scalars(text: &str) -> Vec<Span> {
    let documents = load_stream(text, Limits::default());
    let roots: Vec<Node> = documents
        .into_iter()
        .filter_map(|d| d.root.ok().flatten())
        .collect();
    scalar_spans(&roots)
}

fn run(text: &str, style: CommentStyle) -> Vec<Result<Ignore, DirectiveError>> {
    let scalars = match style {
        Yaml => yaml_scalars(text),
        Dockerfile | Shell => Vec::new(),
    };
    directives(text, style, &scalars, &known)
}

#[test]
fn table() {
    let mut failures = Vec::new();
    for row in TABLE {
        let got = run(row.text, row.style);
        let ok = match row.want {
            Ignores(want) => {
                let got: Vec<_> = got
                    .iter()
                    .map(|r| {
                        r.as_ref().map(|i| {
                            let rules: Vec<&str> =
                                i.rules.iter().map(|(id, _)| id.as_str()).collect();
                            (i.line, i.target_line, rules, i.reason.as_str())
                        })
                    })
                    .collect();
                let want: Vec<_> = want
                    .iter()
                    .map(|&(line, target, rules, reason)| {
                        Ok((line, target, rules.to_vec(), reason))
                    })
                    .collect();
                got == want
            }
            Error(message) => {
                matches!(got.as_slice(), [Err(e)] if e.message.contains(message))
            }
        };
        if !ok {
            failures.push(format!("{}: {:?} gave {got:?}", row.name, row.text));
        }
    }
    assert!(TABLE.len() >= 24);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The one directive of `text`.
fn only(text: &str, style: CommentStyle) -> Result<Ignore, DirectiveError> {
    let mut all = run(text, style);
    assert_eq!(all.len(), 1, "{text:?}: {all:?}");
    all.remove(0)
}

fn text_of(text: &str, span: Span) -> &str {
    &text[span.range()]
}

#[test]
fn spans_point_at_ids_and_comment() {
    let text = "image: x   # imagegate: ignore[ a ,rule-a] r\r\n";
    let ignore = only(text, Yaml).unwrap();
    assert_eq!(
        text_of(text, ignore.span),
        "# imagegate: ignore[ a ,rule-a] r"
    );
    let ids: Vec<&str> = ignore
        .rules
        .iter()
        .map(|(_, s)| text_of(text, *s))
        .collect();
    assert_eq!(ids, ["a", "rule-a"]);
}

#[test]
fn error_spans_point_at_the_problem() {
    let cases = [
        ("# imagegate: ignore[a, nope] r", "nope"),
        ("# imagegate: ignore[a,  ,b] r", ""),
        ("# imagegate: ignroe[a] r", "ignroe"),
        ("# imagegate: ignore  [a] r", "  "),
        ("# imagegate: ignore[a]because it is", "because"),
        ("# imagegate: ignore[a r", "[a r"),
        ("# imagegate: nope", "nope"),
        ("# imagegate: ignore", "# imagegate: ignore"),
    ];
    for (text, wrong) in cases {
        let err = only(text, Shell).unwrap_err();
        assert_eq!(text_of(text, err.span), wrong, "{text}");
    }
    let text = "# imagegate: ignore[a]  ";
    let err = only(text, Shell).unwrap_err();
    assert_eq!(err.span, Span::new(text.len(), text.len()));
}

#[test]
fn comments_know_their_line_and_whether_they_stand_alone() {
    let text = "a: 1 # one\n  # two\r\n";
    let got = comments(text, Yaml, &yaml_scalars(text));
    let got: Vec<_> = got
        .iter()
        .map(|c| (text_of(text, c.span), c.line, c.own_line))
        .collect();
    assert_eq!(got, [("# one", 1, false), ("# two", 2, true)]);
}

#[test]
fn not_a_directive_is_none() {
    let text = "# just a note about imagegate: nothing to see";
    let comment = &comments(text, Shell, &[])[0];
    assert_eq!(parse(text, comment, &known), None);
    // A span that is not a comment of this text.
    let stray = Comment {
        span: Span::new(3, 99),
        line: 1,
        own_line: true,
    };
    assert_eq!(parse(text, &stray, &known), None);
}

#[test]
fn overlapping_scalar_spans_are_merged() {
    let set = ScalarSet::new(&[
        Span::new(10, 20),
        Span::new(0, 100),
        Span::new(5, 6),
        Span::new(200, 200),
    ]);
    assert!(set.contains(0) && set.contains(50) && set.contains(99));
    assert!(!set.contains(100) && !set.contains(200));
}

#[test]
fn alias_values_are_scalars_where_defined() {
    let text = "a: &v 'x # imagegate: ignore[x] y'\nb: *v\n";
    assert!(run(text, Yaml).is_empty());
    let quoted = Span::new(text.find('\'').unwrap(), text.rfind('\'').unwrap() + 1);
    assert!(yaml_scalars(text).contains(&quoted));
}

#[test]
fn annotation_ids() {
    let parse = |v| parse_annotation_ids(v, &known);
    assert_eq!(
        parse("image-tag-latest, a ,b"),
        Ok(vec!["image-tag-latest".into(), "a".into(), "b".into()])
    );
    assert_eq!(parse("a,a"), Ok(vec!["a".into()]));
    let err = |v| parse(v).unwrap_err();
    assert!(err("").contains("no rule ids"));
    assert!(err("  ").contains("no rule ids"));
    assert!(err("a,").contains("empty item"));
    assert!(err("a,,b").contains("empty item"));
    assert!(err("A").contains("`A` is not a rule id"));
    assert!(err("a b").contains("`a b` is not a rule id"));
    assert!(err("nope").contains("unknown rule `nope`"));
}

#[test]
fn rule_id_shape() {
    for id in ["a", "a1", "image-tag-latest", "0-9"] {
        assert!(is_rule_id(id), "{id}");
    }
    for id in ["", "-", "a-", "-a", "a--b", "A", "a_b", "é", "a b"] {
        assert!(!is_rule_id(id), "{id}");
    }
}

/// Work is linear in the input: a long directive and a line full of `#`s stay fast (a
/// quadratic scan would make this test take minutes).
#[test]
fn long_input_is_linear() {
    let ids = vec!["a"; 200_000].join(", ");
    let text = format!("# imagegate: ignore[{ids}] r\n{}\n", "x #".repeat(200_000));
    let found = run(&text, Shell);
    assert_eq!(found.len(), 1);
    assert_eq!(comments(&text, Yaml, &[Span::new(0, text.len())]), []);
    // Every `#` of the second line in a scalar: only the directive is left.
    let line_two = text.find('\n').unwrap_or(0) + 1;
    let hashes: Vec<Span> = (0..200_000)
        .map(|i| Span::new(line_two + i * 3 + 2, line_two + i * 3 + 3))
        .collect();
    assert_eq!(comments(&text, Yaml, &hashes).len(), 1);
}

/// Every prefix of awkward text, in every style: no panic, and every span on char
/// boundaries.
#[test]
fn never_panics_on_any_cut() {
    let text = "é#\u{feff} # imagegate: ignore[ü, a]\u{3000}ré # x\r\n\"'\\#é # imagegate: ignore[a]é\r\r\n# imagegate:ignore[a,] ";
    for end in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
        let text = &text[..end];
        for style in [Yaml, Dockerfile, Shell] {
            // Scalar spans may cut characters or run past the end: still no panic.
            let scalars = [Span::new(1, 4), Span::new(20, 31), Span::new(90, 999)];
            for comment in comments(text, style, &scalars) {
                assert!(text.get(comment.span.range()).is_some());
                match parse(text, &comment, &known) {
                    Some(Ok(ignore)) => assert!(
                        ignore
                            .rules
                            .iter()
                            .all(|(_, s)| text.get(s.range()).is_some())
                    ),
                    Some(Err(err)) => {
                        assert!(text.get(err.span.range()).is_some(), "{text:?}: {err:?}")
                    }
                    None => {}
                }
            }
        }
    }
}

use super::*;

const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// Pin the first occurrence of `value` (as it is written, quotes included) in `text`.
fn pinned(text: &str, value: &str, written: &str) -> Result<String, NotInPlace> {
    let start = text.find(value).unwrap();
    let span = Span::new(start, start + value.len());
    pin(text, span, written, DIGEST).map(|i| apply(text, &[i]))
}

#[test]
fn plain_and_quoted_values_keep_their_quotes_and_everything_around() {
    let cases = [
        (
            "      image: nginx:1.27 # the web server\n",
            "nginx:1.27",
            format!("      image: nginx:1.27@{DIGEST} # the web server\n"),
        ),
        (
            "  image: \"nginx:1.27\"\r\n  name: web\r\n",
            "\"nginx:1.27\"",
            format!("  image: \"nginx:1.27@{DIGEST}\"\r\n  name: web\r\n"),
        ),
        (
            "containers: [{name: web, image: 'nginx:1.27'}]",
            "'nginx:1.27'",
            format!("containers: [{{name: web, image: 'nginx:1.27@{DIGEST}'}}]"),
        ),
        (
            "FROM golang:1.23 AS build\n",
            "golang:1.23",
            format!("FROM golang:1.23@{DIGEST} AS build\n"),
        ),
    ];
    for (text, value, want) in cases {
        let written = value.trim_matches(|c| c == '"' || c == '\'');
        assert_eq!(pinned(text, value, written).unwrap(), want, "{text}");
    }
}

#[test]
fn escaped_or_changed_values_are_not_edited() {
    // `\x3a` is `:` once unescaped: the bytes are not the reference.
    assert_eq!(
        pinned(
            "image: \"nginx\\x3a1.27\"\n",
            "\"nginx\\x3a1.27\"",
            "nginx:1.27"
        ),
        Err(NotInPlace::Escaped)
    );
    assert_eq!(
        pinned("image: nginx:1.28\n", "nginx:1.28", "nginx:1.27"),
        Err(NotInPlace::Changed)
    );
    let text = "image: nginx:1.27\n";
    assert_eq!(
        pin(text, Span::new(7, 99), "nginx:1.27", DIGEST),
        Err(NotInPlace::Changed)
    );
}

#[test]
fn several_insertions_apply_in_offset_order_once_each() {
    let text = "a: x:1\nb: y:2\n";
    let first = pin(text, Span::new(3, 6), "x:1", "sha256:aa").unwrap();
    let second = pin(text, Span::new(10, 13), "y:2", "sha256:bb").unwrap();
    assert_eq!(
        apply(text, &[second.clone(), first.clone(), first]),
        "a: x:1@sha256:aa\nb: y:2@sha256:bb\n"
    );
    // Pinning the pinned text again finds nothing to do at the old spans: the caller
    // rescans, and a reference with a digest is not a candidate.
}

#[test]
fn a_kustomize_entry_gets_a_digest_key_in_its_own_style() {
    let block = "images:\n  - name: nginx\n    newTag: \"1.27\" # web\r\n  - name: redis\n";
    let at = block.find("\"1.27\"").unwrap();
    let insertion = add_digest_key(block, Span::new(at, at + 6), "sha256:ab").unwrap();
    assert_eq!(
        apply(block, &[insertion]),
        "images:\n  - name: nginx\n    newTag: \"1.27\" # web\r\n    digest: sha256:ab\r\n  - name: redis\n"
    );
    let first = "images:\n- newTag: v1\n  name: app\n";
    let at = first.find("v1").unwrap();
    let insertion = add_digest_key(first, Span::new(at, at + 2), "sha256:ab").unwrap();
    assert_eq!(
        apply(first, &[insertion]),
        "images:\n- newTag: v1\n  digest: sha256:ab\n  name: app\n"
    );
    let flow = "images: [{name: nginx, newTag: '1.27'}]\n";
    let at = flow.find("'1.27'").unwrap();
    let insertion = add_digest_key(flow, Span::new(at, at + 6), "sha256:ab").unwrap();
    assert_eq!(
        apply(flow, &[insertion]),
        "images: [{name: nginx, newTag: '1.27', digest: sha256:ab}]\n"
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Whatever surrounds a reference and however it is quoted, pinning inserts
        /// `@digest` at the end of the reference (inside its quotes) and changes no other byte.
        #[test]
        fn only_the_reference_changes(
            before in "[ -~\t]{0,40}(\r\n|\n)?[ -~]{0,20}",
            after in "[ -~]{0,20}(\r\n|\n)?[ -~\t]{0,40}",
            name in "[a-z0-9]{1,12}(/[a-z0-9]{1,8}){0,2}",
            tag in "[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}",
            quote in prop::sample::select(vec!["", "\"", "'"]),
        ) {
            let written = format!("{name}:{tag}");
            let value = format!("{quote}{written}{quote}");
            let text = format!("{before}{value}{after}");
            let start = before.len();
            let span = Span::new(start, start + value.len());
            let insertion = pin(&text, span, &written, DIGEST).unwrap();
            prop_assert!(insertion.at > span.start && insertion.at <= span.end);
            let pinned = apply(&text, std::slice::from_ref(&insertion));
            // Take the insertion out again: the original, byte for byte.
            let mut back = pinned.clone();
            back.replace_range(insertion.at..insertion.at + insertion.text.len(), "");
            prop_assert_eq!(back, text);
            let expected = format!("{quote}{written}@{DIGEST}{quote}");
            prop_assert!(pinned.contains(&expected));
        }
    }
}

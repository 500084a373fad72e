use super::*;

#[test]
fn a_from_names_one_arg_or_none() {
    assert_eq!(arg_name("${BASE}"), Some("BASE"));
    assert_eq!(arg_name("$BASE_IMAGE"), Some("BASE_IMAGE"));
    assert_eq!(arg_name("${REGISTRY}/app:1"), None);
    assert_eq!(arg_name("${BASE:-alpine}"), None);
    assert_eq!(arg_name("$"), None);
}

#[test]
fn the_arg_default_is_found_before_the_from_quotes_included() {
    let text =
        "ARG BASE=alpine:3.20\nARG OTHER=x TAG=\"golang:1.23\"\r\nFROM ${BASE}\nARG BASE=late:1\n";
    let from = text.find("FROM").unwrap();
    let span = arg_default(text, "BASE", from, "alpine:3.20").unwrap();
    assert_eq!(&text[span.range()], "alpine:3.20");
    let span = arg_default(text, "TAG", from, "golang:1.23").unwrap();
    assert_eq!(&text[span.range()], "\"golang:1.23\"");
    // A redefinition after the FROM does not count; a value that differs is not a match.
    assert_eq!(arg_default(text, "BASE", from, "late:1"), None);
    assert_eq!(arg_default(text, "OTHER", from, "y"), None);
    // `ARGUMENT=...` is not `ARG`.
    assert_eq!(
        arg_default("ARGS BASE=a:1\nFROM $BASE\n", "BASE", 14, "a:1"),
        None
    );
}

#[test]
fn non_ascii_lines_are_read_without_panicking() {
    let text = "ab€\nÄRG X=1\nARG BASE=a:1\nFROM $BASE\n";
    let from = text.find("FROM").unwrap();
    let span = arg_default(text, "BASE", from, "a:1").unwrap();
    assert_eq!(&text[span.range()], "a:1");
}

#[test]
fn an_empty_digest_key_of_the_block_takes_the_digest() {
    let text = "image:\n  registry: r\n  repository: a\n  tag: v1\n  digest: \"\" # set by fix\nother:\n  digest: \"\"\n";
    let tag_end = text.find("v1").unwrap() + 2;
    let insertion = digest_key(text, tag_end, "sha256:ab").unwrap();
    assert_eq!(
        edit::apply(text, &[insertion]),
        "image:\n  registry: r\n  repository: a\n  tag: v1\n  digest: \"sha256:ab\" # set by fix\nother:\n  digest: \"\"\n"
    );
    let bare = "image:\n  sha:\r\n  tag: v1\r\n";
    let tag_end = bare.find("v1").unwrap() + 2;
    let insertion = digest_key(bare, tag_end, "sha256:ab").unwrap();
    assert_eq!(
        edit::apply(bare, &[insertion]),
        "image:\n  sha: sha256:ab\r\n  tag: v1\r\n"
    );
    // No digest key in the block (the next block's does not count), or one already set.
    let none = "image:\n  tag: v1\nsidecar:\n  digest: \"\"\n";
    assert_eq!(
        digest_key(none, none.find("v1").unwrap() + 2, "sha256:ab"),
        None
    );
    let set = "image:\n  tag: v1\n  digest: sha256:00\n";
    assert_eq!(
        digest_key(set, set.find("v1").unwrap() + 2, "sha256:ab"),
        None
    );
}

#[test]
fn a_kustomize_entry_gets_its_digest_once_and_only_where_it_reads_back() {
    let digest = &format!("sha256:{}", "ab".repeat(32));
    let pin = |text: &str| {
        let at = text.find("v1").unwrap();
        kustomize_digest(text, crate::syntax::source::Span::new(at, at + 2), digest)
            .map(|insertion| edit::apply(text, &[insertion]))
    };
    // An empty digest is filled in, not doubled.
    assert_eq!(
        pin("images:\n  - name: a\n    newTag: v1\n    digest: \"\"\n").unwrap(),
        format!("images:\n  - name: a\n    newTag: v1\n    digest: \"{digest}\"\n")
    );
    assert_eq!(
        pin("images:\n  - name: a\n    digest:\n    newTag: v1\n").unwrap(),
        format!("images:\n  - name: a\n    digest: {digest}\n    newTag: v1\n")
    );
    // Block and one-line flow entries get the key.
    assert_eq!(
        pin("images:\n- name: a\n  newTag: v1 # x\n").unwrap(),
        format!("images:\n- name: a\n  newTag: v1 # x\n  digest: {digest}\n")
    );
    assert_eq!(
        pin("images: [{name: a, newTag: v1}]\n").unwrap(),
        format!("images: [{{name: a, newTag: v1, digest: {digest}}}]\n")
    );
    // A flow mapping across lines would be broken by either form: refused.
    assert!(pin("images:\n  - {name: a,\n     newTag: v1}\n").is_err());
    assert!(pin("images:\n  - {name: a,\n     newTag: v1, newName: b}\n").is_err());
}

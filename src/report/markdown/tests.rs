//! Tests of `report/markdown.rs`.

use super::*;

#[test]
fn cells_are_one_line_and_inert() {
    assert_eq!(
        cell("`a|b` and <script> @admin *x* [l](u)\nnext"),
        "`a\\|b` and &lt;script&gt; &#64;admin \\*x\\* \\[l\\](u) next"
    );
    // Inside a code span the text is literal (entities would show as typed).
    assert_eq!(cell("`nginx@sha256:ab<c>`"), "`nginx@sha256:ab<c>`");
    // An unbalanced backtick cannot open a span that swallows the rest of the table.
    assert_eq!(cell("a ` b <"), "a \\` b &lt;");
    assert_eq!(code("a`b|c"), "a'b\\|c");
}

#[test]
fn blob_links_encode_the_path() {
    let links = Links {
        server: "https://github.example.com/".into(),
        repository: "octo/demo".into(),
        sha: "abc123".into(),
    };
    assert_eq!(
        links.blob("deploy/my app#1.yaml", 7),
        "https://github.example.com/octo/demo/blob/abc123/deploy/my%20app%231.yaml#L7"
    );
}

#[test]
fn plurals() {
    assert_eq!(plural(1, "finding"), "1 finding");
    assert_eq!(plural(2, "finding"), "2 findings");
    assert_eq!(plural(3, "image reference"), "3 image references");
    assert_eq!(plural(2, "Helm chart"), "2 Helm charts");
}

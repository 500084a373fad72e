//! The suppression-comment grammar (`# imagegate: ignore[rule] reason`) in each comment style,
//! and the object annotation's id list: no input panics or hangs, and every span reported
//! (directive, rule id, error) lies inside the text on character boundaries.
//!
//! For the YAML style the scalar spans come from the real loader, as in a scan.
//!
//! NOTE: non-UTF-8 input is skipped, not converted with `from_utf8_lossy`: imagegate skips a
//! file that is not UTF-8 before any parser sees it, and a skipped input keeps every crash file
//! byte for byte the text the parser saw.

#![no_main]

use imagegate::findings::suppress::{self, CommentStyle};
use imagegate::syntax::source::Span;
use imagegate::syntax::yaml::{self, Limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let check = |span: Span, what: &str, style: CommentStyle| {
        assert!(
            span.start <= span.end && text.get(span.range()).is_some(),
            "{style:?}: {what} span {span:?} is not a range of the {}-byte text",
            text.len()
        );
    };

    let documents = yaml::load_stream(text, Limits::default());
    let yaml_scalars = suppress::scalar_spans(
        documents
            .iter()
            .filter_map(|d| d.root.as_ref().ok()?.as_ref()),
    );
    for style in [
        CommentStyle::Yaml,
        CommentStyle::Dockerfile,
        CommentStyle::Shell,
    ] {
        let scalars: &[Span] = if style == CommentStyle::Yaml {
            &yaml_scalars
        } else {
            &[]
        };
        for comment in suppress::comments(text, style, scalars) {
            check(comment.span, "comment", style);
            assert!(
                text[comment.span.range()].starts_with('#'),
                "{style:?}: a comment does not start with #"
            );
        }
        for directive in suppress::directives(text, style, scalars, &imagegate::rules::is_rule) {
            match directive {
                Ok(ignore) => {
                    check(ignore.span, "directive", style);
                    for (id, span) in &ignore.rules {
                        check(*span, "rule id", style);
                        assert_eq!(&text[span.range()], id, "{style:?}: a rule id's span");
                    }
                    assert!(ignore.target_line >= ignore.line);
                }
                Err(err) => check(err.span, "error", style),
            }
        }
    }
    if let Ok(ids) = suppress::parse_annotation_ids(text, &imagegate::rules::is_rule) {
        assert!(
            ids.iter().all(|id| imagegate::rules::is_rule(id)),
            "an unknown id was accepted"
        );
    }
});

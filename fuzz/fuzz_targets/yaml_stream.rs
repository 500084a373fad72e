//! The span-aware YAML loader on whole streams: no input panics, hangs or exhausts memory, and
//! every span it reports (documents, nodes, alias definitions, error offsets) lies inside the
//! text, on character boundaries.
//!
//! NOTE: non-UTF-8 input is skipped, not converted with `from_utf8_lossy`: imagegate skips a
//! file that is not UTF-8 before any parser sees it, and a skipped input keeps every crash file
//! byte for byte the text the loader saw.

#![no_main]

use imagegate::syntax::source::Span;
use imagegate::syntax::yaml::{self, Limits, Node, Value};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let check = |span: Span, what: &str| {
        assert!(
            span.start <= span.end && text.get(span.range()).is_some(),
            "{what} span {span:?} is not a range of the {}-byte text",
            text.len()
        );
    };
    let mut previous_end = 0;
    for document in yaml::load_stream(text, Limits::default()) {
        check(document.span, "document");
        assert!(
            document.span.start >= previous_end,
            "document {} overlaps the one before it",
            document.index
        );
        previous_end = document.span.end;
        for warning in &document.warnings {
            assert!(warning.offset <= text.len(), "warning offset past the end");
        }
        match &document.root {
            Ok(Some(root)) => {
                // An explicit stack: documents nest up to `Limits::max_depth` levels.
                let mut stack: Vec<&Node> = vec![root];
                while let Some(node) = stack.pop() {
                    for span in [Some(node.span), node.defined_at].into_iter().flatten() {
                        check(span, "node");
                        assert!(
                            document.span.start <= span.start && span.end <= document.span.end,
                            "node span {span:?} is outside its document {:?}",
                            document.span
                        );
                    }
                    match &node.value {
                        Value::Seq(items) => stack.extend(items),
                        Value::Map(entries) => {
                            stack.extend(entries.iter().flat_map(|(k, v)| [k, v]))
                        }
                        Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => {}
                    }
                }
            }
            Ok(None) => {}
            Err(err) => assert!(err.offset <= text.len(), "error offset past the end"),
        }
    }
});

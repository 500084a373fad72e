//! The Dockerfile `FROM` parser (`dockerfile::parse`, with `ARG` substitution) and what the scan
//! makes of it (`uses::dockerfile_images`): no input panics, hangs or exhausts memory; every
//! range lies inside the text on character boundaries; an image token written on one line is
//! exactly its span's text; a stage base refers to an earlier stage.
//!
//! NOTE: non-UTF-8 input is skipped, not converted with `from_utf8_lossy`: imagegate skips a
//! file that is not UTF-8 before any parser sees it, and a skipped input keeps every crash file
//! byte for byte the text the parser saw.

#![no_main]

use std::ops::Range;

use imagegate::syntax::dockerfile::{self, FromBase};
use imagegate::uses;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let slice = |range: &Range<usize>, what: &str| -> &str {
        assert!(
            range.start <= range.end,
            "{what} range {range:?} is reversed"
        );
        text.get(range.clone()).unwrap_or_else(|| {
            panic!(
                "{what} range {range:?} is not a range of the {}-byte text",
                text.len()
            )
        })
    };

    let parsed = dockerfile::parse(text);
    for (index, from) in parsed.stages.iter().enumerate() {
        assert_eq!(from.stage_index, index, "stage_index out of order");
        let image = slice(&from.image_span, "image_span");
        slice(&from.instruction_span, "instruction_span");
        if let FromBase::Stage(stage) = from.base {
            assert!(
                stage < index,
                "stage {index} is based on stage {stage}, not an earlier one"
            );
        }
        if !matches!(from.base, FromBase::Malformed(_)) {
            assert!(
                from.instruction_span.start <= from.image_span.start
                    && from.image_span.end <= from.instruction_span.end,
                "image_span {:?} is outside instruction_span {:?}",
                from.image_span,
                from.instruction_span
            );
            if !image.contains('\n') {
                assert_eq!(
                    image, from.image_written,
                    "an image token on one line differs from its span's text"
                );
            }
        }
    }

    let found = uses::dockerfile_images(0, text);
    for image in &found.images {
        slice(&image.span.range(), "image use");
    }
    for (span, _, _) in &found.notes {
        slice(&span.range(), "note");
    }
});

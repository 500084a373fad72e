//! The image-reference parser: no input panics, and whatever parses renders (`full()`) to a
//! string that parses again to the same registry, repository, tag and digest.
//!
//! NOTE: non-UTF-8 input is skipped, not converted with `from_utf8_lossy`: imagegate never hands
//! the parser anything but `&str` taken from a UTF-8 file, and a skipped input keeps every
//! crash file byte for byte the string the parser saw.

#![no_main]

use imagegate::syntax::image_ref::ImageRef;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(reference) = ImageRef::parse(text) else {
        return;
    };
    let full = reference.full();
    let again = match ImageRef::parse(&full) {
        Ok(again) => again,
        Err(err) => panic!("{text:?} parsed, but its full form {full:?} does not: {err}"),
    };
    assert_eq!(
        (
            &again.registry,
            &again.repository,
            &again.tag,
            &again.digest
        ),
        (
            &reference.registry,
            &reference.repository,
            &reference.tag,
            &reference.digest
        ),
        "{text:?} and its full form {full:?} parse to different references"
    );
    assert_eq!(again.full(), full, "full() of {text:?} is not idempotent");
});

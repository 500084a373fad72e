//! The configuration loader (`.imagegate.yaml`): any text returns the file or an error with a
//! line and column inside the text, never a panic, a hang or exhausted memory.
//!
//! NOTE: non-UTF-8 input is skipped, not converted with `from_utf8_lossy`: `config::load`
//! reads the file with `read_to_string`, so a file that is not UTF-8 is an error before the
//! parser sees it, and a skipped input keeps every crash file byte for byte the text parsed.

#![no_main]

use imagegate::config::file as config;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(err) = config::parse(text, ".imagegate.yaml") {
        assert!(
            err.line >= 1 && err.column >= 1,
            "error at {}:{}",
            err.line,
            err.column
        );
    }
});

//! The command-line password scanner, for every kind of script: no input panics or hangs, and
//! every flag and command range lies inside the text on character boundaries, the flag inside
//! its command.
//!
//! NOTE: non-UTF-8 input is skipped, not converted with `from_utf8_lossy`: imagegate skips a
//! file that is not UTF-8 before any scanner sees it, and a skipped input keeps every crash
//! file byte for byte the text the scanner saw.

#![no_main]

use std::ops::Range;

use imagegate::syntax::shell::{ScriptKind, find_cli_passwords};
use libfuzzer_sys::fuzz_target;

const KINDS: [ScriptKind; 7] = [
    ScriptKind::Shell,
    ScriptKind::Makefile,
    ScriptKind::Justfile,
    ScriptKind::Taskfile,
    ScriptKind::GithubWorkflow,
    ScriptKind::GitlabCi,
    ScriptKind::Dockerfile,
];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let check = |range: &Range<usize>, what: &str, kind: ScriptKind| {
        assert!(
            range.start <= range.end && text.get(range.clone()).is_some(),
            "{kind:?}: {what} range {range:?} is not a range of the {}-byte text",
            text.len()
        );
    };
    for kind in KINDS {
        let mut previous = 0;
        for login in find_cli_passwords(text, kind) {
            check(&login.flag_span, "flag", kind);
            check(&login.command_span, "command", kind);
            assert!(
                login.command_span.start <= login.flag_span.start
                    && login.flag_span.end <= login.command_span.end,
                "{kind:?}: flag {:?} is outside its command {:?}",
                login.flag_span,
                login.command_span
            );
            assert!(
                login.flag_span.start >= previous,
                "{kind:?}: results are not ordered by position"
            );
            previous = login.flag_span.start;
        }
    }
});

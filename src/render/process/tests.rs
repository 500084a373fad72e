//! Tests of `render/process.rs`.

use super::*;

fn sh(script: &str) -> Command {
    let mut command = Command::new("sh");
    command.arg("-c").arg(script);
    command
}

const BUDGET: Budget = Budget {
    timeout: Duration::from_secs(20),
    max_output: 1 << 20,
};

#[test]
fn captures_both_streams_and_the_status() {
    let out = run(sh("echo out; echo err >&2; exit 3"), BUDGET).unwrap();
    assert!(!out.success);
    assert_eq!(out.code, Some(3));
    assert_eq!(out.stdout, b"out\n");
    assert_eq!(out.stderr, b"err\n");
}

#[test]
fn a_command_that_never_ends_is_stopped() {
    let budget = Budget {
        timeout: Duration::from_millis(300),
        ..BUDGET
    };
    let started = Instant::now();
    let err = run(sh("sleep 30"), budget).unwrap_err();
    assert!(matches!(err, RunError::Timeout(_)), "{err}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn endless_output_is_capped() {
    let budget = Budget {
        max_output: 64 * 1024,
        ..BUDGET
    };
    let err = run(sh("yes imagegate"), budget).unwrap_err();
    assert!(matches!(err, RunError::TooLarge(_)), "{err}");
}

#[test]
fn output_at_the_cap_is_kept() {
    let budget = Budget {
        max_output: 4,
        ..BUDGET
    };
    let out = run(sh("printf abcd"), budget).unwrap();
    assert_eq!(out.stdout, b"abcd");
}

#[test]
fn a_missing_program_is_a_spawn_error() {
    let err = run(Command::new("/nonexistent/imagegate-helm"), BUDGET).unwrap_err();
    assert!(matches!(err, RunError::Spawn { .. }), "{err}");
}

#[test]
fn first_lines_skips_blank_lines() {
    assert_eq!(first_lines(b"\n a\n\nb\nc\n", 2), " a\nb");
}

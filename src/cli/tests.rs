//! Tests of `cli.rs`.

use super::*;

#[test]
fn sizes() {
    assert_eq!(parse_size("10MiB"), Ok(10 << 20));
    assert_eq!(parse_size("512k"), Ok(512 << 10));
    assert_eq!(parse_size("77"), Ok(77));
    assert!(parse_size("ten").is_err());
    assert!(parse_size("1T").is_err());
    assert!(parse_size("99999999999999G").is_err());
}

#[test]
fn cli_is_well_formed() {
    use clap::CommandFactory;
    Cli::command().debug_assert();
}

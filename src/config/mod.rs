//! Configuration: `.imagegate.yaml` as written ([`file`]: serde types, the JSON Schema, checks
//! at their line and column) and the effective settings of a run ([`resolve`]: defaults, then
//! the file, then the command line or the action's inputs) and how `config show` prints them
//! ([`show`]).

pub mod file;
pub mod resolve;
pub mod show;

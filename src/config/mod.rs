//! Configuration: `.imagegate.yaml` as written ([`file`]: serde types, the JSON Schema, checks
//! at their line and column) and the effective settings of a run ([`resolve`]: defaults, then
//! the file, then the command line or the action's inputs; `config show`).

pub mod file;
pub mod resolve;

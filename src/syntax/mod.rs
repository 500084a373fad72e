//! The leaves of the pipeline: the languages imagegate reads, each parsed with exact byte
//! spans and knowing nothing of the layers above it (so each could be a crate of its own).
//!
//! - [`source`]: byte spans and the line index that turns them into lines and columns;
//! - [`yaml`]: span-aware YAML (documents split for error isolation, budgets against hostile
//!   input);
//! - [`dockerfile`]: `FROM` lines, stages, `ARG` substitution;
//! - [`shell`]: registry logins with literal passwords on command lines (shell, Makefiles, CI
//!   files, Dockerfile `RUN`);
//! - [`image_ref`]: the OCI distribution reference grammar;
//! - [`registry`]: registry patterns (allow-lists) and the well-known public registries;
//! - [`name_glob`]: name patterns of the configuration (env var names, object selectors);
//! - [`date`]: `YYYY-MM-DD` dates.

pub mod date;
pub mod dockerfile;
pub mod image_ref;
pub mod name_glob;
pub mod registry;
pub mod shell;
pub mod source;
pub mod yaml;

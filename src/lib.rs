//! imagegate: exact image-security findings for Kubernetes manifests and Dockerfiles.
//!
//! One pipeline, a folder a layer (`docs/architecture.md` says what each may import):
//!
//! ```text
//! files ──► documents ──► objects ──► uses ──► findings ──► reports
//! input     syntax        k8s         uses     rules,       report
//! render                                       findings
//! ```
//!
//! [`scan()`] (the driver, [`scan`]) runs the stages over a set of paths; [`report`] writes the
//! result; [`config`] turns `.imagegate.yaml` and the command line into [`ScanOptions`];
//! [`action`] is the GitHub action.

pub mod action;
pub mod cli;
pub mod config;
pub mod findings;
pub mod fix;
pub mod input;
pub(crate) mod k8s;
pub mod online;
pub mod policy;
pub(crate) mod render;
pub mod report;
pub mod rules;
pub mod scan;
pub(crate) mod secrets;
pub mod syntax;
pub mod uses;
pub(crate) mod workers;

pub use scan::{
    ObjectIgnore, ScanError, ScanOptions, ScanReport, ScannedFile, Stats, WORKER_STACK, scan,
};

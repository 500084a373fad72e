//! Rendered streams: charts rendered with `helm template` ([`helm`]), overlays built with
//! `kustomize` ([`kustomize`]), both run through [`process`] (a deadline and an output cap),
//! and the findings in them traced back to the files a user edits ([`trace`]).

pub(crate) mod cache;
pub(crate) mod helm;
pub(crate) mod kustomize;
pub(crate) mod process;
pub(crate) mod trace;

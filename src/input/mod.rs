//! The first stage of the pipeline: which files a scan reads ([`walk`]), how their paths
//! are shown ([`paths`]), what could not be read or checked ([`diagnostic`]), and what a
//! change touches ([`changed`]).

pub mod changed;
pub mod diagnostic;
pub mod paths;
pub mod walk;

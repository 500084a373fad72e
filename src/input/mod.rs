//! The first stage of the pipeline: which files a scan reads ([`walk`]), how their paths
//! are shown ([`paths`]), and what could not be read or checked ([`diagnostic`]).

pub mod diagnostic;
pub mod paths;
pub mod walk;

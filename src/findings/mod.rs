//! Findings as a set: what one is ([`finding`]: its level, place, subject and its one
//! fingerprint), the policy applied to them all in one place ([`policy`]: configured levels,
//! suppressions, the baseline, order, counts, exit code), the suppression grammar
//! ([`suppress`]) and the baseline file ([`baseline`]).

pub mod baseline;
pub mod files;
pub mod finding;
pub mod meta;
pub mod report;
pub mod suppress;

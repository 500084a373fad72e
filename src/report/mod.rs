//! Reports: the last stage of the pipeline. Each format is one module and reads only the
//! [`ScanReport`]; lines and columns are computed here, from byte spans, and nowhere earlier.

pub mod github;
pub mod json;
pub mod markdown;
pub mod sarif;
pub mod text;

use crate::ScanReport;
use crate::findings::finding::Finding;
use crate::input::paths::RepoPaths;

/// Output formats of `imagegate scan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Sarif,
    /// GitHub-flavoured Markdown: the job summary and pull-request comment of the action.
    Markdown,
    /// GitHub workflow commands (`::error file=…::`), which annotate a workflow run.
    Github,
}

/// A finding's fingerprint over its repository-relative path ([`Finding::fingerprint`]): SARIF
/// `partialFingerprints`, the JSON `fingerprint` and baseline entries all use this one.
pub fn fingerprint(report: &ScanReport, finding: &Finding, paths: &RepoPaths) -> String {
    finding.fingerprint(&paths.shown(&report.file(finding).path))
}

/// `f` of each finding, in order, worked out on the workers one file at a time: each file's
/// text is read again by the worker that needs it (the scan keeps few), so what a report reads
/// is read in parallel. The results come back per file ([`Grouped`]), never copied into one
/// list.
pub(crate) fn per_finding<'a, T: Send>(
    findings: &'a [Finding],
    f: impl Fn(&'a Finding) -> T + Sync,
) -> Grouped<T> {
    let mut groups: Vec<&'a [Finding]> = Vec::new();
    let mut rest = findings;
    while let Some(first) = rest.first() {
        let end = rest
            .iter()
            .position(|g| g.location.file != first.location.file)
            .unwrap_or(rest.len());
        let (group, tail) = rest.split_at(end);
        groups.push(group);
        rest = tail;
    }
    let jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
    Grouped(crate::workers::parallel_map(&groups, jobs, |_, group| {
        group.iter().map(&f).collect::<Vec<T>>()
    }))
}

/// Items in order, held in groups; serialized as one sequence.
pub(crate) struct Grouped<T>(Vec<Vec<T>>);

impl<T> Grouped<T> {
    pub(crate) fn is_empty(&self) -> bool {
        self.0.iter().all(Vec::is_empty)
    }
}

impl<T: serde::Serialize> serde::Serialize for Grouped<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().flatten())
    }
}

/// The tool's version, as reports show it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

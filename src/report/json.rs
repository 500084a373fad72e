//! The JSON report, format version 1 (documented in `docs/json-format.md`).
//!
//! Additive changes keep the version; removing or changing a field's meaning bumps it.

use serde::Serialize;

use super::{VERSION, fingerprint};
use crate::findings::finding::{Finding, Level, Subject};
use crate::input::diagnostic::Diagnostic;
use crate::input::paths::RepoPaths;
use crate::policy::Counts;
use crate::syntax::source::Position;
use crate::uses::{ObjectId, Site};
use crate::{ScanReport, Stats};

/// The format version written in every report.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    tool: Tool,
    summary: Summary,
    findings: super::Grouped<JsonFinding<'a>>,
    /// Findings a comment, annotation or configuration entry silenced: not counted.
    #[serde(skip_serializing_if = "super::Grouped::is_empty")]
    suppressed: super::Grouped<JsonFinding<'a>>,
    /// `--baseline`: how many findings it accepted, and its entries that are fixed.
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<&'a crate::findings::baseline::Outcome>,
    diagnostics: &'a [Diagnostic],
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Summary {
    #[serde(flatten)]
    stats: Stats,
    findings: Counts,
    suppressed: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonFinding<'a> {
    rule: &'static str,
    level: Level,
    message: &'a str,
    path: &'a str,
    start: Option<LineColumn>,
    end: Option<LineColumn>,
    fingerprint: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<JsonImage<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    object: Option<&'a ObjectId>,
    /// The field of the object the finding is about (`data.password`), for non-image findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    key: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    container: Option<JsonContainer<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dockerfile: Option<JsonStage<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    command: Option<JsonCommand<'a>>,
    /// A kustomization's `images:` entry: its `name`.
    #[serde(skip_serializing_if = "Option::is_none")]
    kustomize: Option<JsonKustomize<'a>>,
    /// A Helm values image: its key path in the values file.
    #[serde(skip_serializing_if = "Option::is_none")]
    values: Option<JsonValues<'a>>,
    /// A finding traced out of a rendered object: the render, what made the object, the key.
    #[serde(skip_serializing_if = "Option::is_none")]
    rendered: Option<JsonRendered<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<JsonRelated<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppression: Option<JsonSuppression<'a>>,
    /// What an online rule learnt from the registry.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    online: std::collections::BTreeMap<&'static str, &'a str>,
    /// The edit that answers the finding (a pin, after a scan that resolved digests).
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<JsonFix<'a>>,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    description: &'a str,
    path: &'a str,
    insertions: Vec<JsonInsertion<'a>>,
}

#[derive(Serialize)]
struct JsonInsertion<'a> {
    at: Option<LineColumn>,
    text: &'a str,
}

#[derive(Serialize)]
struct JsonSuppression<'a> {
    /// `inSource` (a comment or annotation) or `external` (the configuration file), as SARIF.
    kind: &'static str,
    reason: &'a str,
    by: &'a str,
}

#[derive(Serialize)]
struct JsonKustomize<'a> {
    name: &'a str,
}

#[derive(Serialize)]
struct JsonValues<'a> {
    key: &'a str,
}

#[derive(Serialize)]
struct JsonCommand<'a> {
    name: &'static str,
    flag: &'a str,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    message: &'a str,
    path: &'a str,
    start: Option<LineColumn>,
}

#[derive(Serialize)]
struct LineColumn {
    line: usize,
    column: usize,
}

impl From<Position> for LineColumn {
    fn from(p: Position) -> Self {
        LineColumn {
            line: p.line,
            column: p.column,
        }
    }
}

#[derive(Serialize)]
struct JsonImage<'a> {
    /// As used (after Dockerfile `ARG` substitution).
    reference: &'a str,
    registry: Option<&'a str>,
    repository: Option<&'a str>,
    tag: Option<&'a str>,
    digest: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonContainer<'a> {
    name: Option<&'a str>,
    field_path: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonRendered<'a> {
    by: &'a str,
    source: &'a str,
    key_path: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonStage<'a> {
    stage: usize,
    stage_name: Option<&'a str>,
    is_final: bool,
}

fn finding<'a>(report: &'a ScanReport, f: &'a Finding, paths: &RepoPaths) -> JsonFinding<'a> {
    let file = report.file(f);
    let region = file.region(f.location.span);
    let mut out = JsonFinding {
        rule: f.rule.id,
        level: f.level,
        message: &f.message,
        path: &file.path,
        start: region.map(|r| r.start.into()),
        end: region.map(|r| r.end.into()),
        fingerprint: fingerprint(report, f, paths),
        image: None,
        object: None,
        key: None,
        container: None,
        dockerfile: None,
        command: None,
        kustomize: None,
        values: None,
        rendered: f.rendered.as_ref().map(|r| JsonRendered {
            by: &r.by,
            source: &r.source,
            key_path: &r.key_path,
        }),
        online: f
            .properties
            .iter()
            .map(|(name, value)| (*name, value.as_str()))
            .collect(),
        suppression: f.suppression.as_ref().map(|s| JsonSuppression {
            kind: if s.in_source { "inSource" } else { "external" },
            reason: &s.reason,
            by: &s.by,
        }),
        related: f
            .related
            .iter()
            .map(|r| {
                let file = &report.files[r.location.file];
                JsonRelated {
                    message: &r.message,
                    path: &file.path,
                    start: file.region(r.location.span).map(|r| r.start.into()),
                }
            })
            .collect(),
        fix: f.fix.as_ref().and_then(|fix| {
            let file = report.files.get(fix.file)?;
            Some(JsonFix {
                description: &fix.description,
                path: &file.path,
                insertions: fix
                    .insertions
                    .iter()
                    .map(|i| JsonInsertion {
                        at: file
                            .region(crate::syntax::source::Span::new(i.at, i.at))
                            .map(|r| r.start.into()),
                        text: &i.text,
                    })
                    .collect(),
            })
        }),
    };
    match &f.subject {
        Subject::Image(image) => {
            let reference = image.reference.as_ref().ok();
            out.image = Some(JsonImage {
                reference: &image.text,
                registry: reference.map(|r| r.registry.as_str()),
                repository: reference.map(|r| r.repository.as_str()),
                tag: reference.and_then(|r| r.tag.as_deref()),
                digest: reference.and_then(|r| r.digest.as_deref()),
            });
            match &image.site {
                Site::Container {
                    object,
                    container,
                    field_path,
                    ..
                } => {
                    out.object = Some(object);
                    out.container = Some(JsonContainer {
                        name: container.as_deref(),
                        field_path,
                    });
                }
                Site::DockerfileFrom {
                    stage_index,
                    stage_name,
                    is_final,
                    ..
                } => {
                    out.dockerfile = Some(JsonStage {
                        stage: *stage_index,
                        stage_name: stage_name.as_deref(),
                        is_final: *is_final,
                    });
                }
                Site::KustomizeImage { name, .. } => out.kustomize = Some(JsonKustomize { name }),
                Site::HelmValues(values) => {
                    out.values = Some(JsonValues {
                        key: &values.key_path,
                    })
                }
                Site::Compose { key_path, .. } | Site::Pipeline { key_path } => {
                    out.key = Some(key_path);
                }
            }
        }
        Subject::Object {
            object,
            key_path,
            container,
            ..
        } => {
            out.object = Some(object);
            out.key = Some(key_path);
            out.container = container.as_ref().map(|c| JsonContainer {
                name: c.name.as_deref(),
                field_path: &c.field_path,
            });
        }
        Subject::Command { command, flag, .. } => {
            out.command = Some(JsonCommand {
                name: command,
                flag,
            });
        }
        Subject::Suppression { .. } => {}
    }
    out
}

/// Write the report as pretty JSON.
/// Write the JSON report; fingerprints are over paths relative to `paths`' repository root.
pub fn write(
    report: &ScanReport,
    paths: &RepoPaths,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let doc = Report {
        version: FORMAT_VERSION,
        tool: Tool {
            name: "imagegate",
            version: VERSION,
        },
        summary: Summary {
            stats: report.stats.clone(),
            findings: Counts::of(&report.findings),
            suppressed: report.suppressed.len(),
        },
        findings: super::per_finding(&report.findings, |f| finding(report, f, paths)),
        suppressed: super::per_finding(&report.suppressed, |f| finding(report, f, paths)),
        baseline: report.baseline.as_ref(),
        diagnostics: &report.diagnostics,
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    out.write_all(b"\n")
}

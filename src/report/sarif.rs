//! SARIF 2.1.0 for GitHub code scanning, built with `serde-sarif`.
//!
//! Every rule is in `tool.driver.rules` with its documentation page as `help.markdown`,
//! `security-severity` and `precision`; every result has an exact region (columns in Unicode
//! code points, `run.columnKind` says so), a repository-relative URI under `%SRCROOT%`, and our
//! own line-independent `partialFingerprints` (GitHub's `primaryLocationLineHash` is left to
//! GitHub). Files that could not be checked are `toolExecutionNotifications`.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde_json::{Value, json};
use serde_sarif::sarif::{
    ArtifactChange, ArtifactContent, ArtifactLocation, Fix, Invocation, Location, Message,
    MultiformatMessageString, Notification, PhysicalLocation, PropertyBag, Region, Replacement,
    ReportingConfiguration, ReportingDescriptor, Result as SarifResult, ResultLevel, Run,
    RunAutomationDetails, Sarif, Suppression, Tool, ToolComponent,
};

use super::{VERSION, fingerprint};
use crate::ScanReport;
use crate::findings::finding::{Finding, Level, Subject};
use crate::input::diagnostic::{Diagnostic, Severity};
use crate::input::paths::{RepoPaths, percent_encode};
use crate::rules::{self, RuleMeta};
use crate::uses::{ObjectId, Site};

/// The key of our fingerprint in `partialFingerprints`.
pub const FINGERPRINT_KEY: &str = "imagegate/v1";
const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/imagegate/imagegate";

/// Longest snippet or context written (bytes).
const MAX_SNIPPET: usize = 1000;

/// GitHub code scanning rejects a run with more results than this.
pub const MAX_RESULTS: usize = 25_000;

/// Write the report as a SARIF log. `category` is the `automationDetails.id` prefix
/// (`imagegate` gives `imagegate/`); `root` is the repository root URIs are relative to
/// (default: the git repository around the working directory). At most [`MAX_RESULTS`]
/// results are written (the most severe first); a notification says how many were left out.
pub fn write(
    report: &ScanReport,
    category: &str,
    root: Option<&Path>,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let rules: Vec<&'static RuleMeta> = rules::ALL.iter().map(|r| r.meta()).collect();
    let omitted = report.findings.len().saturating_sub(MAX_RESULTS);
    let mut chosen: Vec<usize> = (0..report.findings.len()).collect();
    // Suppressed findings come after, and go first when the limit is reached.
    if omitted > 0 {
        // Keep the most severe; the sort is stable, so report order holds within a level.
        chosen.sort_by_key(|&i| std::cmp::Reverse(report.findings[i].level));
        chosen.truncate(MAX_RESULTS);
        chosen.sort_unstable();
    }
    let mut uris = Uris::new(root);
    let room = MAX_RESULTS.saturating_sub(chosen.len());
    let results: Vec<SarifResult> = chosen
        .into_iter()
        .map(|i| &report.findings[i])
        .chain(report.suppressed.iter().take(room))
        .map(|f| result(report, f, &rules, &mut uris))
        .collect();
    let mut notifications: Vec<Notification> = report
        .diagnostics
        .iter()
        .filter(|d| d.severity > Severity::Debug)
        .map(|d| notification(d, &mut uris))
        .collect();
    if omitted > 0 {
        notifications.push(
            Notification::builder()
                .message(text_message(format!(
                    "{omitted} of {} results were left out: GitHub code scanning accepts at most {MAX_RESULTS} results a run. The JSON report (--format json) has them all.",
                    report.findings.len()
                )))
                .level(json!("warning"))
                .build(),
        );
    }

    let driver = ToolComponent::builder()
        .name("imagegate")
        .version(VERSION)
        .semantic_version(VERSION)
        .information_uri(INFORMATION_URI)
        .rules(rules.iter().map(|m| descriptor(m)).collect::<Vec<_>>())
        .build();
    let invocation = Invocation::builder()
        .execution_successful(true)
        .tool_execution_notifications(notifications)
        .build();
    let mut base_ids = BTreeMap::new();
    base_ids.insert(
        "%SRCROOT%".to_string(),
        ArtifactLocation::builder()
            .description(text_message(
                "The directory imagegate was run in (the repository root).",
            ))
            .build(),
    );
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .automation_details(
            RunAutomationDetails::builder()
                .id(format!("{}/", category.trim_end_matches('/')))
                .build(),
        )
        .original_uri_base_ids(base_ids)
        .column_kind(json!("unicodeCodePoints"))
        .invocations(vec![invocation])
        .results(results)
        .build();
    let log = Sarif::builder()
        .schema(SCHEMA)
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build();
    serde_json::to_writer_pretty(&mut *out, &log)?;
    out.write_all(b"\n")
}

fn snippet(text: &str) -> ArtifactContent {
    ArtifactContent::builder().text(text).build()
}

fn text_message(text: impl Into<String>) -> Message {
    Message::builder().text(text.into()).build()
}

fn descriptor(meta: &RuleMeta) -> ReportingDescriptor {
    let mut properties = BTreeMap::new();
    properties.insert("precision".to_string(), json!(meta.precision));
    if meta.online {
        properties.insert("online".to_string(), json!(true));
    }
    properties.insert(
        "security-severity".to_string(),
        json!(meta.security_severity),
    );
    ReportingDescriptor::builder()
        .id(meta.id)
        .name(meta.name)
        .short_description(
            MultiformatMessageString::builder()
                .text(meta.summary)
                .build(),
        )
        .full_description(
            MultiformatMessageString::builder()
                .text(meta.full_description())
                .build(),
        )
        .help(
            MultiformatMessageString::builder()
                .text(meta.doc)
                .markdown(meta.doc)
                .build(),
        )
        .help_uri(meta.help_uri())
        .default_configuration(
            ReportingConfiguration::builder()
                .level(json!(meta.level.as_str()))
                .build(),
        )
        .properties(
            PropertyBag::builder()
                .tags(vec![
                    "security".to_string(),
                    "kubernetes".to_string(),
                    "container-image".to_string(),
                ])
                .additional_properties(properties)
                .build(),
        )
        .build()
}

fn result(
    report: &ScanReport,
    f: &Finding,
    rules: &[&'static RuleMeta],
    uris: &mut Uris,
) -> SarifResult {
    let file = report.file(f);
    let mut region = Region::builder().build();
    let mut context = None;
    if let Some(r) = file.region(f.location.span) {
        region.start_line = Some(r.start.line as i64);
        region.start_column = Some(r.start.column as i64);
        region.end_line = Some(r.end.line as i64);
        region.end_column = Some(r.end.column as i64);
        // The text and the lines around it, for readers without the code; never for rules
        // about secrets, and with every secret value of the file masked.
        // Not for text longer than MAX_SNIPPET either (minified JSON): the log would grow with
        // the line's length times its findings.
        if f.rule.shows_source {
            region.snippet = file
                .shown(f.location.span)
                .filter(|t| t.len() <= MAX_SNIPPET)
                .map(|t| snippet(&t));
            let first = r.start.line.saturating_sub(1).max(1);
            let last = (r.end.line + 1).min(file.last_line());
            let lines: Vec<String> = (first..=last).map(|l| file.shown_line(l)).collect();
            let text = lines.join("\n") + "\n";
            if text.len() <= MAX_SNIPPET {
                let mut context_region = Region::builder().build();
                context_region.start_line = Some(first as i64);
                context_region.end_line = Some(last as i64);
                context_region.snippet = Some(snippet(&text));
                context = Some(context_region);
            }
        }
    }
    let mut physical = PhysicalLocation::builder()
        .artifact_location(uris.location(&file.path))
        .region(region)
        .build();
    physical.context_region = context;
    let location = Location::builder().physical_location(physical).build();
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert(
        FINGERPRINT_KEY.to_string(),
        fingerprint(report, f, &uris.paths),
    );
    let rule_index = rules.iter().position(|m| m.id == f.rule.id).unwrap_or(0);
    let related: Vec<Location> = f
        .related
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let file = &report.files[r.location.file];
            let mut region = Region::builder().build();
            if let Some(at) = file.region(r.location.span) {
                region.start_line = Some(at.start.line as i64);
                region.start_column = Some(at.start.column as i64);
                region.end_line = Some(at.end.line as i64);
                region.end_column = Some(at.end.column as i64);
            }
            Location::builder()
                .id(i as i64)
                .physical_location(
                    PhysicalLocation::builder()
                        .artifact_location(uris.location(&file.path))
                        .region(region)
                        .build(),
                )
                .message(text_message(&r.message))
                .build()
        })
        .collect::<Vec<_>>();
    let mut result = SarifResult::builder()
        .rule_id(f.rule.id)
        .rule_index(rule_index as i64)
        .level(match f.level {
            Level::Error => ResultLevel::Error,
            Level::Warning => ResultLevel::Warning,
            Level::Note => ResultLevel::Note,
        })
        .message(text_message(&f.message))
        .locations(vec![location])
        .partial_fingerprints(fingerprints)
        .properties(
            PropertyBag::builder()
                .additional_properties(result_properties(f))
                .build(),
        )
        .build();
    result.related_locations = (!related.is_empty()).then_some(related);
    result.fixes = f
        .fix
        .as_ref()
        .and_then(|fix| sarif_fix(report, fix, uris))
        .map(|fix| vec![fix]);
    // A silenced finding stays in the log with its suppression, so code scanning shows it as
    // dismissed rather than open.
    result.suppressions = f.suppression.as_ref().map(|s| {
        vec![
            Suppression::builder()
                .kind(json!(if s.in_source { "inSource" } else { "external" }))
                .justification(format!("{} ({})", s.reason, s.by))
                .status(json!("accepted"))
                .build(),
        ]
    });
    result
}

/// A finding's fix as a SARIF `fix`: each insertion a replacement of an empty region (the
/// insertion point) by the inserted text. `None` when a point is not in the file as scanned.
fn sarif_fix(
    report: &ScanReport,
    fix: &crate::findings::finding::Fix,
    uris: &mut Uris,
) -> Option<Fix> {
    let file = report.files.get(fix.file)?;
    let replacements = fix
        .insertions
        .iter()
        .map(|insertion| {
            let at = file.region(crate::syntax::source::Span::new(insertion.at, insertion.at))?;
            let mut region = Region::builder().build();
            region.start_line = Some(at.start.line as i64);
            region.start_column = Some(at.start.column as i64);
            region.end_line = Some(at.start.line as i64);
            region.end_column = Some(at.start.column as i64);
            Some(
                Replacement::builder()
                    .deleted_region(region)
                    .inserted_content(
                        ArtifactContent::builder()
                            .text(insertion.text.clone())
                            .build(),
                    )
                    .build(),
            )
        })
        .collect::<Option<Vec<_>>>()?;
    Some(
        Fix::builder()
            .description(text_message(&fix.description))
            .artifact_changes(vec![
                ArtifactChange::builder()
                    .artifact_location(uris.location(&file.path))
                    .replacements(replacements)
                    .build(),
            ])
            .build(),
    )
}

fn result_properties(f: &Finding) -> BTreeMap<String, Value> {
    let mut props = BTreeMap::new();
    if f.rule.online {
        props.insert("online".to_string(), json!(true));
    }
    for (name, value) in &f.properties {
        props.insert((*name).to_string(), json!(value));
    }
    let object_json = |object: &ObjectId, container: Option<&String>| {
        json!({
            "apiVersion": object.api_version,
            "kind": object.kind,
            "namespace": object.namespace,
            "name": object.name,
            "container": container,
        })
    };
    match &f.subject {
        Subject::Image(image) => {
            props.insert("imageReference".to_string(), json!(image.text));
            if let Ok(r) = &image.reference {
                props.insert(
                    "image".to_string(),
                    json!({
                        "registry": r.registry,
                        "repository": r.repository,
                        "tag": r.tag,
                        "digest": r.digest,
                    }),
                );
            }
            match &image.site {
                Site::Container {
                    object, container, ..
                } => {
                    props.insert(
                        "object".to_string(),
                        object_json(object, container.as_ref()),
                    );
                }
                Site::DockerfileFrom {
                    stage_index,
                    stage_name,
                    ..
                } => {
                    props.insert(
                        "dockerfile".to_string(),
                        json!({ "stage": stage_index, "stageName": stage_name }),
                    );
                }
                Site::KustomizeImage { name, .. } => {
                    props.insert("kustomize".to_string(), json!({ "name": name }));
                }
                Site::HelmValues(values) => {
                    props.insert("values".to_string(), json!({ "key": values.key_path }));
                }
                Site::Compose { key_path, .. } | Site::Pipeline { key_path } => {
                    props.insert("key".to_string(), json!(key_path));
                }
            }
        }
        Subject::Object {
            object,
            key_path,
            container,
            ..
        } => {
            let name = container.as_ref().and_then(|c| c.name.as_ref());
            props.insert("object".to_string(), object_json(object, name));
            props.insert("key".to_string(), json!(key_path));
        }
        Subject::Command { command, flag, .. } => {
            props.insert(
                "command".to_string(),
                json!({ "name": command, "flag": flag }),
            );
        }
        Subject::Suppression { .. } => {}
    }
    props
}

/// Artifact locations, one per path, from the repository-relative paths of [`RepoPaths`].
struct Uris {
    paths: RepoPaths,
    cache: HashMap<String, ArtifactLocation>,
}

impl Uris {
    fn new(root: Option<&Path>) -> Self {
        Uris {
            paths: RepoPaths::new(root),
            cache: HashMap::new(),
        }
    }

    /// The location of `path`: a `%SRCROOT%`-relative URI when it is in the repository, else
    /// an absolute `file:` URI, which GitHub cannot place.
    fn location(&mut self, path: &str) -> ArtifactLocation {
        if let Some(known) = self.cache.get(path) {
            return known.clone();
        }
        let location = match self.paths.relative(path) {
            Ok(relative) => ArtifactLocation::builder()
                .uri(percent_encode(&relative))
                .uri_base_id("%SRCROOT%")
                .build(),
            Err(absolute) => ArtifactLocation::builder()
                .uri(format!(
                    "file:///{}",
                    percent_encode(absolute.trim_start_matches('/'))
                ))
                .build(),
        };
        self.cache.insert(path.to_string(), location.clone());
        location
    }
}

fn notification(d: &Diagnostic, uris: &mut Uris) -> Notification {
    let mut region = Region::builder().build();
    region.start_line = d.line.map(|l| l as i64);
    region.start_column = d.column.map(|c| c as i64);
    let physical = PhysicalLocation::builder().artifact_location(uris.location(&d.path));
    let physical = if d.line.is_some() {
        physical.region(region).build()
    } else {
        physical.build()
    };
    let level = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note | Severity::Debug => "note",
    };
    Notification::builder()
        .message(text_message(&d.message))
        .level(json!(level))
        .locations(vec![
            Location::builder().physical_location(physical).build(),
        ])
        .build()
}

#[cfg(test)]
mod tests;

//! Tracing findings out of rendered streams to the files a user edits.
//!
//! A rendered stream (`helm template` output, a kustomize build) exists only in memory, and a
//! SARIF location must be a file in the repository. So every finding in a rendered object is
//! moved: for Helm to the values or template line that made it ([`helm::locate`]); for
//! kustomize to the key in the source manifest the object came from, the `images:` entry whose
//! transformer set the image, or the patch that wrote the value ([`kustomize::trace`]).
//! Findings in committed `helm template` output stay where they are, with the chart lines as
//! related places. Last, one rule's findings at one place are merged into one.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use crate::findings::files::ScannedFile;
use crate::findings::finding::{self, Finding};
use crate::findings::report::ScanReport;
use crate::input::diagnostic::{Diagnostic, Severity};
use crate::render::helm::locate::{Target, Traced};
use crate::render::{helm, kustomize};
use crate::syntax::source::Span;
use crate::uses;
use crate::uses::ImagePart;
use crate::uses::Site;

/// A rendered stream of the scan and what made it.
pub(crate) enum Made<'a> {
    Helm(&'a helm::RenderedStream),
    Kustomize {
        rendered: &'a kustomize::Rendered,
        root: &'a kustomize::Kustomization,
    },
}

/// What tracing reads besides the report: the scan's renders and where they came from.
pub(crate) struct Renders<'a> {
    /// Every image use of the scan (the values images a render used are judged as rendered).
    pub(crate) images: &'a [std::sync::Arc<uses::ImageUse>],
    /// The rendered streams, by file id, and what made each.
    pub(crate) rendered: &'a [(usize, Made<'a>)],
    /// Files that are committed `helm template` output.
    pub(crate) prerendered: &'a [usize],
    pub(crate) charts: &'a helm::Charts,
    pub(crate) helm_options: &'a helm::HelmOptions,
    /// The scan's file size limit, under which files findings are traced to are read.
    pub(crate) max_size: u64,
}

/// Move every finding in a rendered stream to the chart line that made it (values, template),
/// and give findings in committed `helm template` output the chart lines as related places.
pub(crate) fn trace_rendered(
    report: &mut ScanReport,
    renders: &Renders<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let Renders {
        images,
        rendered,
        prerendered,
        charts,
        helm_options,
        max_size,
    } = *renders;
    if rendered.is_empty() && (prerendered.is_empty() || charts.list.is_empty()) {
        return;
    }
    let mut tracer = helm::locate::Tracer::new(charts, helm_options);
    let mut overlays = kustomize::trace::KustomizeTracer::default();
    let mut files = FileIds {
        by_path: report
            .files
            .iter()
            .enumerate()
            .filter_map(|(id, f)| Some((kustomize::absolute(f.disk.as_ref()?), id)))
            .collect(),
        max_size,
    };
    // Committed output is read from its file; the report's files change below.
    let texts: Vec<(usize, Cow<'_, str>, Option<usize>, String)> = rendered
        .iter()
        .filter_map(|(id, made)| match made {
            Made::Helm(s) => Some((
                *id,
                Cow::Borrowed(s.text.as_str()),
                s.chart,
                s.display.clone(),
            )),
            Made::Kustomize { .. } => None,
        })
        .chain(prerendered.iter().filter_map(|&id| {
            let file = &report.files[id];
            let text = Cow::Owned(file.text_copy()?);
            Some((id, text, None, file.path.clone()))
        }))
        .collect();
    let streams: HashMap<usize, helm::locate::Stream<'_>> = texts
        .iter()
        .map(|(id, text, chart, display)| (*id, helm::locate::Stream::new(text, *chart, display)))
        .collect();
    let is_virtual = |id: usize| rendered.iter().any(|(r, _)| *r == id);
    let overlay_of = |id: usize| {
        rendered.iter().find_map(|(r, made)| match made {
            Made::Kustomize { rendered, root } if *r == id => Some((*rendered, *root)),
            _ => None,
        })
    };
    // The values images each render used: the render is the truth about them, so their
    // findings as written are dropped below (a chart that did not render, and an image its
    // render did not use, keep theirs).
    let mut used_values_images: HashSet<(PathBuf, Span)> = HashSet::new();
    for image in images {
        let (Some(stream), true, Ok(reference)) = (
            streams.get(&image.file),
            is_virtual(image.file),
            &image.reference,
        ) else {
            continue;
        };
        for (path, block) in tracer.values_images_of(stream, image.span, reference) {
            used_values_images.insert((kustomize::absolute(&path), block));
        }
    }
    let mut untraced = 0;
    let mut findings = std::mem::take(&mut report.findings);
    let mut generated = HashSet::new();
    for (index, finding) in findings.iter_mut().enumerate() {
        let file = finding.location.file;
        if let Some((made, root)) = overlay_of(file) {
            match overlays.trace(file, made, root, finding.location.span, finding.rule.part) {
                Some(traced) => {
                    move_to(finding, traced, &mut report.files, &mut files);
                }
                None => untraced += 1,
            }
        } else if let Some(stream) = streams.get(&file) {
            match tracer.trace(stream, finding.location.span, finding.rule.part) {
                Some(traced) if traced.generated && !finding.redact.is_empty() => {
                    // A secret the template generates at install time is not committed.
                    generated.insert(index);
                }
                Some(traced) if is_virtual(file) => {
                    move_to(finding, traced, &mut report.files, &mut files);
                }
                Some(traced) => {
                    // Committed output: the finding stays; the chart lines explain it.
                    let id = file_id(&mut report.files, &mut files, &traced.primary);
                    finding.related.push(finding::Related {
                        location: finding::Location {
                            file: id,
                            span: traced.primary.span,
                        },
                        message: "the chart line that renders this".into(),
                    });
                }
                None if is_virtual(file) => untraced += 1,
                None => {}
            }
        }
        for related in &mut finding.related {
            let at = related.location;
            if !is_virtual(at.file) {
                continue;
            }
            let traced = match (overlay_of(at.file), streams.get(&at.file)) {
                (Some((made, root)), _) => {
                    overlays.trace(at.file, made, root, at.span, ImagePart::Reference)
                }
                (None, Some(stream)) => tracer.trace(stream, at.span, ImagePart::Reference),
                (None, None) => None,
            };
            if let Some(traced) = traced {
                related.location = finding::Location {
                    file: file_id(&mut report.files, &mut files, &traced.primary),
                    span: traced.primary.span,
                };
            }
        }
    }
    let mut index = 0;
    findings.retain(|_| {
        index += 1;
        !generated.contains(&(index - 1))
    });
    // An image in values that a render used is judged as rendered: the render knows the
    // registry and tag the template adds.
    findings.retain(|finding| {
        let Some(image) = finding.subject.image() else {
            return true;
        };
        let Site::HelmValues(values) = &image.site else {
            return true;
        };
        let Some(disk) = report.files[image.file]
            .disk
            .as_deref()
            .map(kustomize::absolute)
        else {
            return true;
        };
        let identity = values.block.unwrap_or(image.span);
        !used_values_images.contains(&(disk, identity))
    });
    report.findings = findings;
    if untraced > 0 {
        let names: Vec<&str> = rendered
            .iter()
            .map(|(id, _)| report.files[*id].path.as_str())
            .collect();
        diagnostics.push(Diagnostic::new(
            Severity::Warning,
            names.join(", "),
            format!(
                "{untraced} finding(s) in rendered output could not be traced to a chart in the \
                 scanned paths (no `# Source:` comment, or a chart name not found); they are \
                 reported at their line in the rendered output"
            ),
        ));
    }
}

/// The report's files by absolute path, and the size limit a new one is read under.
pub(crate) struct FileIds {
    by_path: HashMap<PathBuf, usize>,
    max_size: u64,
}

/// The id of the file at `target`, adding it to the report's files when it is new (its text
/// is read when something asks for it).
pub(crate) fn file_id(files: &mut Vec<ScannedFile>, ids: &mut FileIds, target: &Target) -> usize {
    // Paths are compared absolute: a chart or overlay names files its own way.
    *ids.by_path
        .entry(kustomize::absolute(&target.path))
        .or_insert_with(|| {
            files.push(ScannedFile::on_disk(
                target.path.clone(),
                target.display.clone(),
                ids.max_size,
            ));
            files.len() - 1
        })
}

/// Findings of one rule at one place about the same image (or about no image) are one
/// finding: a values line used by several rendered objects, or a problem found in values and
/// again after rendering. The first keeps the others' related places. Two images that share a
/// line (a registry written once for every image) keep a finding each. `findings` must be
/// sorted.
pub(crate) fn merge_duplicates(findings: &mut Vec<Finding>) {
    // The image as the rule judges it: a registry rule sees the name (so `web:1.4` and
    // `web:latest` share a registry finding), the others the image's own name, tag and digest
    // (so `redis:8` as written and the `mirror.example/library/redis:8` an overlay renamed it
    // to share a digest finding at the line that writes it, while `acme/api` and
    // `acme/worker` never do).
    let image_of = |f: &Finding| {
        f.subject.image().map(|image| match &image.reference {
            Ok(reference) if f.rule.part == ImagePart::Registry => reference.name(),
            Ok(reference) => {
                let own = reference.repository.rsplit('/').next().unwrap_or_default();
                let tag = reference.tag.as_deref().unwrap_or_default();
                let digest = reference.digest.as_deref().unwrap_or_default();
                format!("{own}:{tag}@{digest}")
            }
            Err(_) => image.text.clone(),
        })
    };
    let mut merged: Vec<Finding> = Vec::with_capacity(findings.len());
    for finding in findings.drain(..) {
        let same = merged.iter_mut().rev().take_while(|last| {
            last.rule.id == finding.rule.id && last.location == finding.location
        });
        let mut same = same;
        match same.find(|last| image_of(last) == image_of(&finding)) {
            Some(last) => {
                for related in finding.related {
                    let known = related.location == last.location
                        || last.related.iter().any(|r| {
                            r.location == related.location && r.message == related.message
                        });
                    if !known {
                        last.related.push(related);
                    }
                }
                last.redact.extend(finding.redact);
            }
            None => merged.push(finding),
        }
    }
    *findings = merged;
}

/// Move `finding` to where `traced` says it was made, keeping its other related places.
fn move_to(finding: &mut Finding, traced: Traced, files: &mut Vec<ScannedFile>, ids: &mut FileIds) {
    finding.rendered = Some(finding::RenderedAt {
        by: files[finding.location.file].path.clone(),
        source: traced.source.clone(),
        key_path: traced.key_path.clone(),
    });
    let id = file_id(files, ids, &traced.primary);
    finding.location = finding::Location {
        file: id,
        span: traced.primary.span,
    };
    finding.origin = Some(traced.origin.clone());
    let secret = !finding.redact.is_empty();
    finding.redact.clear();
    if let Some(value) = traced.value.as_ref().filter(|_| secret)
        && value.path == traced.primary.path
    {
        finding.redact.push(value.span);
    }
    if let Some(note) = &traced.note {
        finding.message.push_str(&format!(" ({note})"));
    }
    let mut related = Vec::new();
    for (target, message) in &traced.related {
        let id = file_id(files, ids, target);
        related.push(finding::Related {
            location: finding::Location {
                file: id,
                span: target.span,
            },
            message: message.clone(),
        });
    }
    related.append(&mut finding.related);
    finding.related = related;
}

/// A path as shown: relative to the working directory when it is under it.
pub(crate) fn display_of(path: &std::path::Path) -> String {
    let cwd = std::env::current_dir()
        .map(|d| kustomize::absolute(&d))
        .unwrap_or_default();
    match path.strip_prefix(&cwd) {
        Ok(relative) => crate::input::paths::display_path(relative),
        Err(_) => crate::input::paths::display_path(path),
    }
}

//! `imagegate fix`: pin every mutable image reference the scan reports to its digest, in
//! place, keeping the tag: `nginx:1.27` → `nginx:1.27@sha256:…`. It reads the scan's report
//! (the uses' exact spans), asks the registries through `online::resolve::digests`, and
//! inserts `@digest` after each reference (`edit.rs`), so only those bytes change. Files are
//! written atomically (a temporary file in the same folder, renamed over the original, its
//! mode kept).
//!
//! Handled: Kubernetes manifests (the `image:` value), Dockerfile `FROM` lines (a
//! `FROM ${NAME}` through the literal default of its `ARG`), kustomize `images:` entries (a
//! `digest:` beside `newTag`), and Helm values: the block's own empty digest value (`digest`,
//! `sha`, `imageDigest`) when it has one, else the tag (`tag@digest`), each plan kept only when
//! the chart, rendered again with it (in a copy), no longer deploys that image without a
//! digest. Skipped, each with its reason: invalid references, `latest` and untagged references
//! without `--resolve-latest`, values that are not one plain scalar, charts whose render does
//! not take the pin.

pub mod edit;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::findings::finding::{Fix, Subject};
use crate::findings::report::ScanReport;
use crate::input::diagnostic::{Diagnostic, Severity};
use crate::online::OnlineOptions;
use crate::online::client::{Client, Retries};
use crate::online::inspect::Target;
use crate::online::resolve::{self, Settings};
use crate::syntax::image_ref::ImageRef;
use crate::uses::{ImageUse, Site};

/// What `fix` does besides pinning.
#[derive(Debug, Clone, Default)]
pub struct FixOptions {
    /// Print the changes as a unified diff; write nothing.
    pub dry_run: bool,
    /// Write nothing; the outcome says whether anything would change (exit 1).
    pub check: bool,
    /// Also pin `latest` and untagged references (to what `latest` is today).
    pub resolve_latest: bool,
    /// Pin one platform's manifest (`linux/amd64`) instead of the index.
    pub platform: Option<String>,
}

/// A reference that was not pinned, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// `path:line`.
    pub at: String,
    pub image: String,
    pub reason: String,
}

/// One file's change.
#[derive(Debug, Clone)]
pub struct Change {
    pub display: String,
    pub path: PathBuf,
    pub before: String,
    pub after: String,
    pub pinned: usize,
}

/// What `fix` did (or, with `--dry-run`/`--check`, would do).
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub changes: Vec<Change>,
    pub skipped: Vec<Skipped>,
    /// References the registry could not resolve, with why.
    pub failed: Vec<Skipped>,
    /// The edit of each pinned reference, with the findings it answers.
    pub fixes: Vec<Answered>,
    /// What the user should know about the edits (how kustomize deploys a `digest:`).
    pub notes: Vec<String>,
}

/// A pin and the findings it answers (indexes into the report's findings).
#[derive(Debug, Clone)]
pub struct Answered {
    pub findings: Vec<usize>,
    pub fix: Fix,
}

impl Outcome {
    pub fn pinned(&self) -> usize {
        self.changes.iter().map(|c| c.pinned).sum()
    }

    /// `pinned 5 references in 3 files, skipped 2, failed 0`.
    pub fn summary(&self, wrote: bool) -> String {
        let verb = if wrote { "pinned" } else { "would pin" };
        format!(
            "{verb} {} reference{} in {} file{}, skipped {}, failed {}",
            self.pinned(),
            if self.pinned() == 1 { "" } else { "s" },
            self.changes.len(),
            if self.changes.len() == 1 { "" } else { "s" },
            self.skipped.len(),
            self.failed.len()
        )
    }

    /// The changes as a unified diff, paths as shown in reports.
    pub fn diff(&self) -> String {
        let mut out = String::new();
        for change in &self.changes {
            let diff = similar::TextDiff::from_lines(&change.before, &change.after);
            out.push_str(
                &diff
                    .unified_diff()
                    .context_radius(2)
                    .header(
                        &format!("a/{}", change.display),
                        &format!("b/{}", change.display),
                    )
                    .to_string(),
            );
        }
        out
    }
}

/// Rules whose findings `fix` answers: a tag without a digest, and (with `--resolve-latest`)
/// `latest` or no tag.
const FIXED_BY_DIGEST: &str = "image-digest-missing";
const FIXED_WITH_LATEST: [&str; 2] = ["image-tag-latest", "image-tag-missing"];
/// Said once when a kustomize `images:` entry was given a digest.
const KUSTOMIZE_NOTE: &str = "kustomize `images:` entries now set `digest:` beside `newTag`: kustomize 5 (kubectl 1.27 and later) deploys `name:tag@digest`, older versions deploy `name@digest` and drop the tag";
/// The finding property an online scan writes the digest a reference resolves to in.
const RESOLVED_DIGEST: &str = "resolvedDigest";

/// A use to pin.
struct Candidate {
    file: usize,
    image: Arc<ImageUse>,
    reference: ImageRef,
    /// Where the reference is written.
    place: Place,
    /// The findings this pin answers (indexes into the report's findings).
    findings: Vec<usize>,
    /// The digest the scan resolved the reference to (`resolvedDigest`), when it ran online.
    resolved: Option<String>,
    /// `path:line` of the place, for what is said about it.
    at: String,
}

/// Where a reference to pin is written.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Place {
    /// At the use's own span.
    Use,
    /// In the default of the Dockerfile `ARG` that a `FROM ${NAME}` names.
    ArgDefault(String),
    /// A `digest:` key beside the `newTag` of a kustomize `images:` entry (its value here).
    KustomizeDigest(crate::syntax::source::Span),
    /// The tag value of a chart's values image block, which ends at this offset of the values
    /// file: `tag: 1.2.3@sha256:…`, kept only when re-rendering the chart gives the pinned
    /// reference.
    HelmTag(usize),
    /// The reference as a file that a render read writes it (a chart's template, a kustomize
    /// patch), at this span of that file; in a chart, kept only when re-rendering gives the
    /// pin.
    Written(crate::syntax::source::Span),
}

/// The uses of `report` that `fix` would pin, and those it skips with a reason.
fn candidates(report: &ScanReport, options: &FixOptions) -> (Vec<Candidate>, Vec<Skipped>) {
    // Each place once: a second finding about it joins the first's candidate.
    let mut seen: BTreeMap<(usize, usize, usize), Option<usize>> = BTreeMap::new();
    let mut pin: Vec<Candidate> = Vec::new();
    let mut skipped = Vec::new();
    for (index, finding) in report.findings.iter().enumerate() {
        let id = finding.rule.id;
        if id != FIXED_BY_DIGEST && !FIXED_WITH_LATEST.contains(&id) {
            continue;
        }
        let Subject::Image(image) = &finding.subject else {
            continue;
        };
        // Whatever the rule: a reference that names `latest` or no tag is pinned only when
        // asked (what `latest` is today may not be what was meant).
        let latest = image
            .reference
            .as_ref()
            .is_ok_and(|r| matches!(r.tag.as_deref(), None | Some("latest")));
        // A finding traced from a chart's render to its values: the values' tag is pinned.
        // A values image as written (a render the tracer could not map): its tag.
        let place_file = &report.files[finding.location.file];
        let tag_end = match &image.site {
            Site::HelmValues(values) if values.tag_written && finding.rendered.is_none() => {
                Some(values.tag.end)
            }
            _ if finding.rendered.is_some() => Some(finding.location.span.end),
            _ => None,
        };
        let helm = tag_end.is_some()
            && place_file.kind == crate::input::walk::FileKind::HelmValues
            && place_file.disk.is_some();
        let resolved = finding
            .properties
            .iter()
            .find(|(name, _)| *name == RESOLVED_DIGEST)
            .map(|(_, digest)| digest.clone());
        // A finding traced out of a render that is not a values tag: the place it was traced
        // to, which must write the reference as one value.
        let (use_file, use_span) = if finding.rendered.is_some() {
            (finding.location.file, finding.location.span)
        } else {
            (image.file, image.span)
        };
        let key = if helm {
            (finding.location.file, tag_end.unwrap_or_default(), 0)
        } else {
            (use_file, use_span.start, use_span.end)
        };
        if let Some(earlier) = seen.get(&key) {
            if let Some(candidate) = earlier.and_then(|at| pin.get_mut(at)) {
                candidate.findings.push(index);
            }
            continue;
        }
        seen.insert(key, None);
        let mut push = |pin: &mut Vec<Candidate>, candidate: Candidate| {
            seen.insert(key, Some(pin.len()));
            pin.push(candidate);
        };
        if let (true, Some(tag_end)) = (helm, tag_end) {
            let at = format!(
                "{}:{}",
                place_file.path,
                place_file
                    .region(finding.location.span)
                    .map_or(0, |r| r.end.line)
            );
            match &image.reference {
                Ok(reference) if reference.digest.is_none() && (!latest || options.resolve_latest) => {
                    push(
                        &mut pin,
                        Candidate {
                            file: finding.location.file,
                            image: Arc::clone(image),
                            reference: reference.clone(),
                            place: Place::HelmTag(tag_end),
                            findings: vec![index],
                            resolved,
                            at: at.clone(),
                        },
                    );
                }
                Ok(reference) if reference.digest.is_none() => skipped.push(Skipped {
                    at,
                    image: image.text.clone(),
                    reason: "`latest` or no tag: pinning keeps whatever `latest` is today; choose it with --resolve-latest".into(),
                }),
                _ => {}
            }
            continue;
        }
        let file = &report.files[use_file];
        let at = format!(
            "{}:{}",
            file.path,
            file.region(use_span).map_or(0, |r| r.start.line)
        );
        // Written as one value: the reference's own bytes at its place (quotes aside).
        let written_whole = file
            .text()
            .is_some_and(|loaded| edit::pin(loaded.as_str(), use_span, &image.text, "").is_ok());
        let skip = |reason: &str| Skipped {
            at: at.clone(),
            image: image.text.clone(),
            reason: reason.to_string(),
        };
        let reason = match (&image.site, &image.reference) {
            _ if file.disk.is_none() => {
                Some("found in a render that no file of the repository writes: pin it by hand")
            }
            _ if finding.rendered.is_some() && !written_whole => Some(
                "the render builds it from parts (a template expression, values the chart combines, a patch): pin it where they are set",
            ),
            (Site::HelmValues(_), _) if finding.rendered.is_none() => Some(
                "a values image whose tag the chart supplies (its `appVersion` or a default): set `tag:` in the values to pin it",
            ),
            (Site::KustomizeImage { new_tag: None, .. }, _) => {
                Some("a kustomize `images:` entry without `newTag`")
            }
            (
                Site::DockerfileFrom {
                    written: Some(written),
                    ..
                },
                _,
            ) if arg_name(written).is_none() => {
                Some("`FROM` through an expression, not one `ARG`: pin it by hand")
            }
            (_, Err(_)) => Some("not a valid reference"),
            (_, Ok(reference)) if reference.digest.is_some() => None,
            (_, Ok(_)) if latest && !options.resolve_latest => Some(
                "`latest` or no tag: pinning keeps whatever `latest` is today; choose it with --resolve-latest",
            ),
            _ => None,
        };
        match (reason, &image.reference) {
            (Some(reason), _) => skipped.push(skip(reason)),
            (None, Ok(reference)) if reference.digest.is_none() => push(
                &mut pin,
                Candidate {
                    findings: vec![index],
                    resolved,
                    at: at.clone(),
                    file: use_file,
                    image: Arc::clone(image),
                    reference: reference.clone(),
                    place: match &image.site {
                        _ if finding.rendered.is_some() => Place::Written(use_span),
                        Site::DockerfileFrom {
                            written: Some(written),
                            ..
                        } => Place::ArgDefault(arg_name(written).unwrap_or_default().to_string()),
                        Site::KustomizeImage {
                            new_tag: Some(tag), ..
                        } => Place::KustomizeDigest(*tag),
                        _ => Place::Use,
                    },
                },
            ),
            _ => {}
        }
    }
    (pin, skipped)
}

/// Pin what `report` reports, asking the registries as `online` says.
pub fn fix(
    report: &ScanReport,
    scan: &crate::ScanOptions,
    online: &OnlineOptions,
    options: &FixOptions,
) -> Outcome {
    let (candidates, skipped) = candidates(report, options);
    let mut outcome = Outcome {
        skipped,
        ..Outcome::default()
    };
    let references: Vec<&ImageRef> = candidates.iter().map(|c| &c.reference).collect();
    let digests = ask(
        &references,
        online,
        options.platform.as_deref(),
        &mut outcome.failed,
    );
    plan(report, scan, &candidates, &digests, &mut outcome);
    outcome
}

/// Give each finding of `report` that a pin answers the edit that makes it
/// ([`crate::findings::finding::Fix`]: SARIF `fixes`, the action's suggested changes). The
/// digests are those the scan resolved (`--online`); references it did not resolve are asked
/// through `ask` when given, else left without a fix. Nothing is written.
pub fn attach(
    report: &mut ScanReport,
    scan: &crate::ScanOptions,
    ask_with: Option<&OnlineOptions>,
) -> Outcome {
    let (candidates, skipped) = candidates(report, &FixOptions::default());
    let mut outcome = Outcome {
        skipped,
        ..Outcome::default()
    };
    let mut digests: Vec<Digest> = candidates
        .iter()
        .map(|c| c.resolved.clone().map_or(Digest::NotAsked, Digest::Found))
        .collect();
    if let Some(online) = ask_with {
        let unresolved: Vec<usize> = (0..candidates.len())
            .filter(|&i| digests[i] == Digest::NotAsked)
            .collect();
        if !unresolved.is_empty() {
            let references: Vec<&ImageRef> = unresolved
                .iter()
                .map(|&i| &candidates[i].reference)
                .collect();
            let asked = ask(&references, online, None, &mut outcome.failed);
            for (i, digest) in unresolved.into_iter().zip(asked) {
                digests[i] = digest;
            }
        }
    }
    plan(report, scan, &candidates, &digests, &mut outcome);
    // What was not pinned, for `--verbose` and the action's debug log: a reason is not a
    // problem of the scan.
    for (severity, list) in [
        (Severity::Debug, &outcome.skipped),
        (Severity::Note, &outcome.failed),
    ] {
        for item in list {
            let (path, line) = match item.at.rsplit_once(':') {
                Some((path, line)) if line.parse::<usize>().is_ok_and(|l| l > 0) => {
                    (path, line.parse().ok())
                }
                _ => (item.at.as_str(), None),
            };
            let what = if item.image.is_empty() {
                String::new()
            } else {
                format!("`{}` ", item.image)
            };
            let mut diagnostic = Diagnostic::new(
                severity,
                path,
                format!("{what}has no pin to suggest: {}", item.reason),
            );
            diagnostic.line = line;
            report.diagnostics.push(diagnostic);
        }
    }
    for answered in &outcome.fixes {
        for &index in &answered.findings {
            if let Some(finding) = report.findings.get_mut(index) {
                finding.fix = Some(answered.fix.clone());
            }
        }
    }
    outcome
}

/// What the registry said a reference's digest is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Digest {
    Found(String),
    Failed(String),
    /// Not asked (no registry access), or not answered in time.
    NotAsked,
    NoAnswer,
}

/// The digest of each of `references`, from their registries (`platform`: one platform's
/// manifest rather than the index); what keeps the client from starting goes to `failed`.
fn ask(
    references: &[&ImageRef],
    online: &OnlineOptions,
    platform: Option<&str>,
    failed: &mut Vec<Skipped>,
) -> Vec<Digest> {
    if references.is_empty() {
        return Vec::new();
    }
    let targets: Vec<Target> = references
        .iter()
        .map(|reference| crate::online::target(reference, online))
        .collect();
    let mut registries: Vec<&str> = targets.iter().map(|t| t.registry.as_str()).collect();
    registries.sort_unstable();
    registries.dedup();
    let (credentials, problems) = crate::online::credentials(&registries, online);
    let online_problem = |reason: String| Skipped {
        at: "<online>".into(),
        image: String::new(),
        reason,
    };
    failed.extend(problems.into_iter().map(online_problem));
    let settings = Settings {
        per_registry: online.per_registry,
        deadline: online.deadline,
        insecure: online.insecure.clone(),
        cache: None,
    };
    let answers = match (
        Client::new(online.request_timeout, Retries::default()),
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build(),
    ) {
        (Ok(client), Ok(runtime)) => runtime.block_on(resolve::digests(
            Arc::new(client),
            &targets,
            &credentials,
            &settings,
            platform,
        )),
        (Err(err), _) => {
            failed.push(online_problem(format!(
                "cannot start the registry client: {err}"
            )));
            BTreeMap::new()
        }
        (_, Err(err)) => {
            failed.push(online_problem(format!(
                "cannot start the online phase: {err}"
            )));
            BTreeMap::new()
        }
    };
    targets
        .iter()
        .map(|target| match answers.get(target) {
            Some(Some(Ok(digest))) => Digest::Found(digest.clone()),
            Some(Some(Err(err))) => Digest::Failed(err.to_string()),
            _ if answers.is_empty() => Digest::NotAsked,
            _ => Digest::NoAnswer,
        })
        .collect()
}

/// The edits that pin `candidates` to `digests` (in the same order), file by file, into
/// `outcome`: its changes, what was skipped or failed, and each finding's fix.
fn plan(
    report: &ScanReport,
    scan: &crate::ScanOptions,
    candidates: &[Candidate],
    digests: &[Digest],
    outcome: &mut Outcome,
) {
    // Per file: the insertions, from the file as it is now.
    let mut by_file: BTreeMap<usize, Vec<(&Candidate, String)>> = BTreeMap::new();
    for (candidate, digest) in candidates.iter().zip(digests) {
        let failed = |reason: String| Skipped {
            at: candidate.at.clone(),
            image: candidate.image.text.clone(),
            reason,
        };
        match digest {
            Digest::Found(digest) => by_file
                .entry(candidate.file)
                .or_default()
                .push((candidate, digest.clone())),
            Digest::Failed(why) => outcome.failed.push(failed(why.clone())),
            Digest::NoAnswer => outcome.failed.push(failed(
                "no answer from the registry within the online timeout".into(),
            )),
            Digest::NotAsked => {}
        }
    }
    for (file_id, pins) in by_file {
        let file = &report.files[file_id];
        let Some(path) = file.disk.clone() else {
            continue;
        };
        let before = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) => {
                outcome.failed.push(Skipped {
                    at: file.path.clone(),
                    image: String::new(),
                    reason: format!("cannot read it: {err}"),
                });
                continue;
            }
        };
        let mut insertions = Vec::new();
        // Which candidate each insertion pins, with its digest.
        let mut owners: Vec<(&Candidate, edit::Insertion, &str)> = Vec::new();
        let mut helm = Vec::new();
        let in_chart = chart_root(&path).is_some();
        for (candidate, digest) in &pins {
            let skip = |reason: String| Skipped {
                at: candidate.at.clone(),
                image: candidate.image.text.clone(),
                reason,
            };
            let pinned = match &candidate.place {
                Place::HelmTag(end) => {
                    // The tag (`tag: 1.2`), or the whole reference (`image: repo:1.2`).
                    let pinned = tag_scalar(&before, *end)
                        .filter(|(_, written)| {
                            candidate.reference.tag.as_deref() == Some(written.as_str())
                                || *written == candidate.image.text
                        })
                        .ok_or(edit::NotInPlace::Changed)
                        .and_then(|(span, tag)| edit::pin(&before, span, &tag, digest));
                    match pinned {
                        Ok(insertion) => helm.push(HelmPin {
                            by_key: digest_key(&before, *end, digest),
                            in_tag: insertion,
                            candidate,
                            digest,
                        }),
                        Err(_) => outcome.skipped.push(skip(
                            "the chart's values do not write this tag or reference as one value"
                                .into(),
                        )),
                    }
                    continue;
                }
                // `kubectl kustomize` (kustomize v5) then builds `name:tag@digest`.
                Place::KustomizeDigest(tag) => match kustomize_digest(&before, *tag, digest) {
                    Ok(insertion) => {
                        if !outcome.notes.contains(&KUSTOMIZE_NOTE.to_string()) {
                            outcome.notes.push(KUSTOMIZE_NOTE.to_string());
                        }
                        Ok(insertion)
                    }
                    Err(why) => {
                        outcome.skipped.push(skip(why));
                        continue;
                    }
                },
                Place::Use | Place::Written(_) => {
                    let span = match &candidate.place {
                        Place::Written(span) => *span,
                        _ => candidate.image.span,
                    };
                    edit::pin(&before, span, &candidate.image.text, digest)
                }
                Place::ArgDefault(name) => {
                    match arg_default(
                        &before,
                        name,
                        candidate.image.span.start,
                        &candidate.image.text,
                    ) {
                        Some(span) => edit::pin(&before, span, &candidate.image.text, digest),
                        None => {
                            outcome.skipped.push(skip(
                                "its `ARG` default is not written as one literal value".into(),
                            ));
                            continue;
                        }
                    }
                }
            };
            match pinned {
                // A template of a chart is checked by rendering the chart, as values are.
                Ok(insertion) if in_chart && matches!(candidate.place, Place::Written(_)) => {
                    helm.push(HelmPin {
                        by_key: None,
                        in_tag: insertion,
                        candidate,
                        digest,
                    });
                }
                Ok(insertion) => {
                    owners.push((*candidate, insertion.clone(), digest.as_str()));
                    insertions.push(insertion);
                }
                Err(why) => outcome.skipped.push(skip(why.to_string())),
            }
        }
        // A values edit stays only when the chart, rendered with it, deploys the pinned
        // reference.
        if !helm.is_empty() {
            // The chart's own digest value where the block has one, else the tag; each plan
            // kept only when the chart, rendered with it, deploys the pins.
            let names: Vec<String> = helm.iter().map(|p| p.candidate.reference.name()).collect();
            let by_key: Vec<edit::Insertion> = helm
                .iter()
                .map(|p| p.by_key.clone().unwrap_or_else(|| p.in_tag.clone()))
                .collect();
            let in_tag: Vec<edit::Insertion> = helm.iter().map(|p| p.in_tag.clone()).collect();
            let plans = if helm.iter().any(|p| p.by_key.is_some()) {
                vec![by_key, in_tag]
            } else {
                vec![in_tag]
            };
            let mut last = String::new();
            let mut chosen = None;
            for plan in plans {
                let with: Vec<edit::Insertion> = insertions
                    .iter()
                    .cloned()
                    .chain(plan.iter().cloned())
                    .collect();
                match renders_pinned(scan, &path, &edit::apply(&before, &with), &names) {
                    Ok(()) => {
                        chosen = Some(plan);
                        break;
                    }
                    Err(why) => last = why,
                }
            }
            match chosen {
                Some(plan) => {
                    for (pin, insertion) in helm.iter().zip(&plan) {
                        owners.push((pin.candidate, insertion.clone(), pin.digest.as_str()));
                    }
                    insertions.extend(plan);
                }
                None => {
                    for pin in helm {
                        outcome.skipped.push(Skipped {
                            at: pin.candidate.at.clone(),
                            image: pin.candidate.image.text.clone(),
                            reason: last.clone(),
                        });
                    }
                }
            }
        }
        // Two stages through one `ARG` pin its default once.
        insertions.sort_by_key(|i| i.at);
        insertions.dedup_by_key(|i| i.at);
        if insertions.is_empty() {
            continue;
        }
        let after = edit::apply(&before, &insertions);
        for (candidate, insertion, digest) in owners {
            outcome.fixes.push(Answered {
                findings: candidate.findings.clone(),
                fix: Fix {
                    description: format!(
                        "Pin `{}` to its digest `{digest}`, keeping the tag",
                        candidate.image.text
                    ),
                    file: file_id,
                    insertions: vec![insertion],
                },
            });
        }
        outcome.changes.push(Change {
            display: file.path.clone(),
            path,
            before,
            pinned: insertions.len(),
            after,
        });
    }
}

/// The insertion that pins the kustomize `images:` entry whose `newTag` value is at `tag`:
/// its empty `digest:` filled in, else a `digest:` key added beside `newTag`; kept only when the
/// kustomization, read again, makes a reference with that digest from the entry.
fn kustomize_digest(
    text: &str,
    tag: crate::syntax::source::Span,
    digest: &str,
) -> Result<edit::Insertion, String> {
    use crate::syntax::yaml::{self, Node};
    let changed = || edit::NotInPlace::Changed.to_string();
    let root = yaml::first_root(text).ok_or_else(changed)?;
    let entry = root
        .get("images")
        .and_then(Node::items)
        .and_then(|items| {
            items
                .iter()
                .find(|e| e.get("newTag").is_some_and(|t| t.span == tag))
        })
        .ok_or_else(changed)?;
    let name = entry.get("name").and_then(Node::as_str).unwrap_or_default();
    let insertion = match (entry.key("digest"), entry.get("digest")) {
        (Some(key), Some(value)) => {
            let written = text.get(value.span.range()).unwrap_or_default();
            match written {
                "\"\"" | "''" => edit::Insertion {
                    at: value.span.start + 1,
                    text: digest.to_string(),
                },
                "" if text.as_bytes().get(key.span.end) == Some(&b':') => edit::Insertion {
                    at: key.span.end + 1,
                    text: format!(" {digest}"),
                },
                _ => return Err("the entry's `digest:` holds something else: not replaced".into()),
            }
        }
        _ => edit::add_digest_key(text, tag, digest).map_err(|why| why.to_string())?,
    };
    // The kustomization as kustomize will read it: the entry now makes the pinned reference.
    let after = edit::apply(text, std::slice::from_ref(&insertion));
    let mut uses = Vec::new();
    if let Some(root) = yaml::first_root(&after) {
        crate::uses::kustomize_images(0, &root, &mut uses);
    }
    let pinned = uses.iter().any(|u| {
        matches!(&u.site, Site::KustomizeImage { name: n, .. } if n == name)
            && u.reference
                .as_ref()
                .is_ok_and(|r| r.digest.as_deref() == Some(digest))
    });
    if pinned {
        Ok(insertion)
    } else {
        Err("the `images:` entry is not written in a form fix can extend (a flow mapping across lines?): add `digest:` by hand".into())
    }
}

/// A values edit for a chart: the digest in the block's own digest key, when it has an empty
/// one, and the tag alternative.
struct HelmPin<'c> {
    by_key: Option<edit::Insertion>,
    in_tag: edit::Insertion,
    candidate: &'c Candidate,
    digest: &'c String,
}

/// Keys charts read an image's digest from.
const DIGEST_KEYS: [&str; 3] = ["digest", "sha", "imageDigest"];

/// The digest written into an empty digest key (`digest: ""`, `digest: ''`, `digest:`) of the
/// block whose tag value ends at `tag_end`: a sibling key at the tag's indentation.
fn digest_key(text: &str, tag_end: usize, digest: &str) -> Option<edit::Insertion> {
    let tag_start = text.get(..tag_end)?.rfind('\n').map_or(0, |i| i + 1);
    let indent_of = |line: &str| line.len() - line.trim_start_matches(' ').len();
    let tag_indent = indent_of(&text[tag_start..tag_end]);
    // The block's lines: up and down from the tag, while they are indented as deep or deeper.
    let mut offset = 0;
    let mut lines = Vec::new();
    for line in text.split_inclusive('\n') {
        lines.push((offset, line));
        offset += line.len();
    }
    let at = lines.iter().position(|(o, _)| *o == tag_start)?;
    let inside = |(_, line): &&(usize, &str)| {
        let content = line.trim();
        content.is_empty() || content.starts_with('#') || indent_of(line) >= tag_indent
    };
    let up = lines[..at].iter().rev().take_while(inside);
    let down = lines[at + 1..].iter().take_while(inside);
    for &(start, line) in up.chain(down) {
        if indent_of(line) != tag_indent {
            continue;
        }
        let content = &line[tag_indent..];
        let Some((key, value)) = content.split_once(':') else {
            continue;
        };
        if !DIGEST_KEYS.contains(&key) {
            continue;
        }
        let value_start = start + tag_indent + key.len() + 1;
        let value = value.split(" #").next().unwrap_or(value).trim_end();
        let trimmed = value.trim_start();
        let lead = value.len() - trimmed.len();
        return match trimmed {
            "\"\"" | "''" => Some(edit::Insertion {
                at: value_start + lead + 1,
                text: digest.to_string(),
            }),
            "" => Some(edit::Insertion {
                at: value_start,
                text: format!(" {digest}"),
            }),
            // A value already there (or `null`): not ours to replace.
            _ => None,
        };
    }
    None
}

/// The scalar that ends at `end` on its line after a `key:` (the tag of a values image
/// block): its span, quotes included, and its text without them.
fn tag_scalar(text: &str, end: usize) -> Option<(crate::syntax::source::Span, String)> {
    let line_start = text.get(..end)?.rfind('\n').map_or(0, |i| i + 1);
    let line = &text[line_start..end];
    let colon = line.rfind(": ")?;
    let value = &line[colon + 2..];
    let start = line_start + colon + 2 + (value.len() - value.trim_start().len());
    let written = &text[start..end];
    let unquoted = written
        .strip_prefix('"')
        .and_then(|w| w.strip_suffix('"'))
        .or_else(|| {
            written
                .strip_prefix('\'')
                .and_then(|w| w.strip_suffix('\''))
        })
        .unwrap_or(written);
    (!unquoted.is_empty()).then(|| {
        (
            crate::syntax::source::Span::new(start, end),
            unquoted.to_string(),
        )
    })
}

/// Render the chart of the file `edited` (its values or a template) with `after` in its place
/// (in a copy of the chart) and check that the images `names` (`registry/repository`) now deploy pinned: the
/// chart renders, and no rendered image of those names is still without a digest (however
/// its template reads the tag).
fn renders_pinned(
    scan: &crate::ScanOptions,
    edited: &Path,
    after: &str,
    names: &[String],
) -> Result<(), String> {
    let chart = chart_root(edited).ok_or(
        "the file is not in a chart (no `Chart.yaml` above it): not re-rendered, not pinned",
    )?;
    let scratch = tempfile::tempdir().map_err(|err| format!("cannot re-render: {err}"))?;
    let copy = scratch.path().join(chart.file_name().unwrap_or_default());
    copy_dir(chart, &copy).map_err(|err| format!("cannot re-render: {err}"))?;
    let inside = edited.strip_prefix(chart).unwrap_or(edited);
    std::fs::write(copy.join(inside), after).map_err(|err| format!("cannot re-render: {err}"))?;
    let options = crate::ScanOptions {
        paths: vec![copy],
        online: None,
        rooted_paths: None,
        include: Vec::new(),
        exclude: Vec::new(),
        ..scan.clone()
    };
    let report = crate::scan(&options).map_err(|err| format!("cannot re-render: {err}"))?;
    if report.stats.rendered_charts == 0 {
        return Err("the chart does not render with the pinned tag: not pinned".into());
    }
    let unpinned = report
        .findings
        .iter()
        .chain(&report.suppressed)
        .filter(|f| f.rule.id == FIXED_BY_DIGEST && f.rendered.is_some())
        .any(|f| match &f.subject {
            Subject::Image(image) => image
                .reference
                .as_ref()
                .is_ok_and(|r| names.contains(&r.name())),
            _ => false,
        });
    if unpinned {
        Err("the chart, rendered with the pin, does not deploy the pinned reference (its templates read the value another way): pin it through the chart's own digest value".into())
    } else {
        Ok(())
    }
}

/// The chart a file belongs to as one of its values files or templates: the nearest folder
/// above it with a `Chart.yaml`, when the file is at its root or under its `templates/` (a
/// kustomize patch that merely sits in a chart's folder is not the chart's).
fn chart_root(file: &Path) -> Option<&Path> {
    let chart = file
        .ancestors()
        .skip(1)
        .find(|dir| dir.join("Chart.yaml").is_file())?;
    let inside = file.strip_prefix(chart).ok()?;
    let mut parts = inside.components();
    match (parts.next(), parts.next()) {
        (Some(_), None) => Some(chart),
        (Some(first), Some(_)) if first.as_os_str() == "templates" => Some(chart),
        _ => None,
    }
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let target = to.join(entry.file_name());
        if kind.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else if kind.is_file() {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// The `ARG` a `FROM` token names when it is exactly one: `${NAME}` or `$NAME`.
fn arg_name(written: &str) -> Option<&str> {
    let name = written
        .strip_prefix("${")
        .and_then(|rest| rest.strip_suffix('}'))
        .or_else(|| written.strip_prefix('$'))?;
    (!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .then_some(name)
}

/// The span of the literal default `value` of the last `ARG name=…` before `before_offset`
/// in a Dockerfile's `text` (quotes included, as `edit::pin` expects).
fn arg_default(
    text: &str,
    name: &str,
    before_offset: usize,
    value: &str,
) -> Option<crate::syntax::source::Span> {
    let mut found = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if offset >= before_offset {
            break;
        }
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let words = trimmed
            .get(..4)
            .filter(|keyword| keyword.eq_ignore_ascii_case("arg "))
            .and_then(|_| trimmed.get(4..));
        if let Some(words) = words {
            let mut at = offset + indent + 4;
            for word in words.split([' ', '\t']) {
                if let Some(default) = word.strip_prefix(name).and_then(|w| w.strip_prefix('=')) {
                    let default = default.trim_end_matches(['\r', '\n']);
                    let start = at + name.len() + 1;
                    let unquoted = default.trim_matches(|c| c == '"' || c == '\'');
                    if unquoted == value {
                        found = Some(crate::syntax::source::Span::new(
                            start,
                            start + default.len(),
                        ));
                    }
                }
                at += word.len() + 1;
            }
        }
        offset += line.len();
    }
    found
}

#[cfg(test)]
mod tests;

/// Write `after` over `path` atomically: a temporary file in the same folder with the
/// original's permissions, renamed over it. On any error the original is left as it was.
pub fn write_atomically(path: &Path, after: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    let permissions = std::fs::metadata(path)?.permissions();
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(after.as_bytes())?;
    file.as_file().sync_all()?;
    std::fs::set_permissions(file.path(), permissions)?;
    file.persist(path).map_err(|err| err.error)?;
    Ok(())
}

//! Stage 5a (`--online`): ask the registries about every distinct image reference the scan
//! found, before the scan-wide rules read the answers. Offline this stage does not run and
//! nothing here is touched.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::findings::files::ScannedFile;
use crate::findings::finding::{Finding, Subject};
use crate::findings::report::OnlineStats;
use crate::input::diagnostic::{Diagnostic, Severity};
use crate::online::cache::Cache;
use crate::online::client::{Client, Retries};
use crate::online::inspect::{ImageFacts, Lookup, Target};
use crate::online::resolve::{self, Settings};
use crate::online::{OnlineFacts, OnlineOptions};
use crate::syntax::image_ref::ImageRef;
use crate::uses::{ImagePart, ImageUse};

/// Ask about `images`; what could not be asked or answered becomes a diagnostic (one per
/// reference), never a finding.
pub(super) fn ask_registries(
    images: &[Arc<ImageUse>],
    files: &[ScannedFile],
    options: &OnlineOptions,
    diagnostics: &mut Vec<Diagnostic>,
) -> (OnlineFacts, OnlineStats) {
    // Each distinct reference, with its first use (where its diagnostics point).
    let mut first_use: BTreeMap<String, (&ImageRef, &Arc<ImageUse>)> = BTreeMap::new();
    for image in images {
        let Ok(reference) = &image.reference else {
            continue;
        };
        // A values block that leaves a part to its template is asked about as rendered.
        if !image.site.decides(ImagePart::Reference) {
            continue;
        }
        first_use
            .entry(OnlineFacts::key(reference))
            .or_insert((reference, image));
    }
    let mut facts = OnlineFacts::default();
    let mut stats = OnlineStats::default();
    if first_use.is_empty() {
        return (facts, stats);
    }
    let targets: Vec<(Target, &ImageRef, &Arc<ImageUse>)> = first_use
        .values()
        .map(|&(reference, image)| (crate::online::target(reference, options), reference, image))
        .collect();
    let place = |image: &ImageUse| {
        let file = &files[image.file];
        let diagnostic = Diagnostic::new(Severity::Warning, &file.path, String::new());
        match file.region(image.span) {
            Some(region) => diagnostic.at(region.start),
            None => diagnostic,
        }
    };
    let mut registries: Vec<&str> = targets
        .iter()
        .map(|(t, _, _)| t.registry.as_str())
        .collect();
    registries.sort_unstable();
    registries.dedup();
    let (credentials, problems) = crate::online::credentials(&registries, options);
    diagnostics.extend(
        problems
            .into_iter()
            .map(|problem| Diagnostic::new(Severity::Warning, "<online>", problem)),
    );
    let client = match Client::new(options.request_timeout, Retries::default()) {
        Ok(client) => Arc::new(client),
        Err(err) => {
            diagnostics.push(Diagnostic::new(
                Severity::Error,
                "<online>",
                format!("cannot start the registry client: {err}"),
            ));
            stats.not_checked = targets.len();
            return (facts, stats);
        }
    };
    let settings = Settings {
        per_registry: options.per_registry,
        deadline: options.deadline,
        insecure: options.insecure.clone(),
        cache: options
            .cache_dir
            .as_deref()
            .map(|dir| Cache::new(dir, options.cache_ttl)),
    };
    let list: Vec<Target> = targets.iter().map(|(t, _, _)| t.clone()).collect();
    let answers = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => {
            runtime.block_on(resolve::resolve_all(client, &list, &credentials, &settings))
        }
        Err(err) => {
            diagnostics.push(Diagnostic::new(
                Severity::Error,
                "<online>",
                format!("cannot start the online phase: {err}"),
            ));
            BTreeMap::new()
        }
    };
    for (target, reference, image) in &targets {
        let asked = if options.mirrors.contains_key(reference.canonical_registry()) {
            format!(" (through the mirror `{}`)", target.registry)
        } else {
            String::new()
        };
        let Some(Some(answer)) = answers.get(target) else {
            stats.not_checked += 1;
            let mut diagnostic = place(image);
            diagnostic.message = format!(
                "`{}` was not checked online: no answer from `{}`{asked} within the online timeout ({} s, `--online-timeout`)",
                image.text,
                reference.registry,
                options.deadline.as_secs()
            );
            diagnostics.push(diagnostic);
            continue;
        };
        let problem = match &answer.lookup {
            Lookup::Failed { error } => Some(format!(
                "could not be checked online: `{}`{asked}: {error}",
                reference.registry
            )),
            Lookup::CredentialsRefused => Some(format!(
                "could not be checked online: `{}`{asked} refused the credentials configured for it",
                reference.registry
            )),
            _ => None,
        };
        if let Some(problem) = problem {
            stats.not_checked += 1;
            let mut diagnostic = place(image);
            diagnostic.message = format!("`{}` {problem}", image.text);
            diagnostics.push(diagnostic);
            continue;
        }
        if !answer.partial.is_empty() {
            let mut diagnostic = place(image);
            diagnostic.severity = Severity::Note;
            diagnostic.message = format!(
                "`{}`: part of the online check failed, so what it would tell is not reported: {}",
                image.text,
                answer.partial.join("; ")
            );
            diagnostics.push(diagnostic);
        }
        stats.checked += 1;
        let mut answer = ImageFacts::clone(answer);
        if !asked.is_empty() {
            // A mirror's answer to an anonymous client says nothing about the registry the
            // nodes pull from (a pull-through cache holds credentials of its own).
            answer.anonymous = None;
        }
        facts.insert(reference, answer);
    }
    (facts, stats)
}

#[cfg(test)]
mod tests;

/// Each finding about the tag of a reference without a digest (`image-digest-missing`,
/// `image-tag-latest`...) says the digest the reference resolves to now (`resolvedDigest`):
/// what to pin, shown in JSON and SARIF, and what `imagegate fix` and SARIF `fixes` pin to.
pub(super) fn note_digests(findings: &mut [Finding], facts: &OnlineFacts) {
    for finding in findings {
        if !matches!(finding.rule.part, ImagePart::Digest | ImagePart::Tag)
            || finding
                .properties
                .iter()
                .any(|(name, _)| *name == "resolvedDigest")
        {
            continue;
        }
        let Subject::Image(image) = &finding.subject else {
            continue;
        };
        let digest = match &image.reference {
            Ok(reference) if reference.digest.is_none() => {
                facts.of(reference).and_then(ImageFacts::digest)
            }
            _ => None,
        };
        if let Some(digest) = digest {
            let digest = digest.to_string();
            finding.properties.push(("resolvedDigest", digest));
        }
    }
}

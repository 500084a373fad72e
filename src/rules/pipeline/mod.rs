//! Rules about the pipeline that builds and pushes images (GitHub workflows, GitLab CI): does
//! it scan what it pushes, sign it, and log in to cloud registries with short-lived
//! credentials? They read the steps of one pipeline file (and of the reusable workflows it
//! calls from the repository): [`crate::uses::ci::Step`], through the per-file hook.

pub(crate) mod image_push_unscanned;
pub(crate) mod image_push_unsigned;
pub(crate) mod registry_login_static;

use crate::findings::finding::{Finding, Location, Subject};
use crate::findings::meta::RuleMeta;
use crate::syntax::source::Span;
use crate::uses::ObjectId;
use crate::uses::ci::Step;

/// Where a step pushes an image, and how it says so (`docker push`).
pub(super) fn push(step: &Step) -> Option<(Span, String)> {
    let input = |name: &str| {
        step.with
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    // A value made by an expression may be true: the step may push.
    let may_be_true = |v: Option<&str>| v.is_some_and(|v| v == "true" || v.contains("${{"));
    if let Some(action) = &step.action {
        let pushes = match action.as_str() {
            "docker/build-push-action" | "docker/bake-action" => {
                may_be_true(input("push"))
                    || input("outputs")
                        .is_some_and(|o| o.contains("type=registry") || o.contains("push=true"))
            }
            "redhat-actions/push-to-registry" => true,
            _ => false,
        };
        return pushes.then(|| (step.span, format!("`{action}`")));
    }
    step.commands.iter().find_map(|command| {
        let args: Vec<&str> = command.args.iter().map(String::as_str).collect();
        let first = args.first().copied().unwrap_or_default();
        let has = |flag: &str| {
            args.iter()
                .any(|a| *a == flag || a.starts_with(&format!("{flag}=")))
        };
        let what = match command.program.as_str() {
            "docker" | "podman" | "nerdctl" | "buildah" if first == "push" => {
                format!("`{} push`", command.program)
            }
            "docker" if first == "image" && args.get(1) == Some(&"push") => {
                "`docker image push`".into()
            }
            "docker" | "podman"
                if (first == "build"
                    || (first == "buildx"
                        && matches!(args.get(1), Some(&"build") | Some(&"bake"))))
                    && (has("--push") || args.iter().any(|a| a.contains("type=registry"))) =>
            {
                format!("`{} {first} --push`", command.program)
            }
            "ko" if matches!(first, "build" | "publish" | "resolve" | "apply" | "create")
                && !has("--local")
                && !args.contains(&"-L")
                && !args.contains(&"--push=false") =>
            {
                format!("`ko {first}`")
            }
            "crane" if matches!(first, "push" | "copy" | "cp") => format!("`crane {first}`"),
            "skopeo"
                if matches!(first, "copy" | "sync")
                    && args.last().is_some_and(|a| a.starts_with("docker://")) =>
            {
                format!("`skopeo {first}` to `docker://`")
            }
            "executor" if !has("--no-push") && (has("--destination") || has("-d")) => {
                "kaniko `executor --destination`".into()
            }
            "mvn" | "mvnw" if args.iter().any(|a| a.ends_with("jib:build")) => "`jib:build`".into(),
            "gradle" | "gradlew" if args.contains(&"jib") => "`gradle jib`".into(),
            _ => return None,
        };
        Some((Span::new(command.span.start, command.span.end), what))
    })
}

/// Whether a step scans an image for vulnerabilities.
pub(super) fn scans(step: &Step) -> bool {
    if let Some(action) = &step.action {
        return SCAN_ACTIONS.contains(&action.as_str());
    }
    step.commands.iter().any(|command| {
        let first = command.args.first().map(String::as_str).unwrap_or_default();
        let second = command.args.get(1).map(String::as_str).unwrap_or_default();
        match command.program.as_str() {
            "trivy" => {
                matches!(
                    first,
                    "image" | "i" | "repository" | "repo" | "sbom" | "fs" | "rootfs"
                ) || command.args.iter().any(|a| a == "image")
            }
            "grype" | "clair-scanner" | "clairctl" => true,
            "docker" => first == "scout" && matches!(second, "cves" | "quickview" | "cve"),
            "snyk" => first == "container",
            _ => false,
        }
    })
}

/// Actions that scan an image.
const SCAN_ACTIONS: [&str; 8] = [
    "aquasecurity/trivy-action",
    "anchore/scan-action",
    "docker/scout-action",
    "snyk/actions/docker",
    "azure/container-scan",
    "crazy-max/ghaction-container-scan",
    "sysdiglabs/scan-action",
    "lacework/lw-scanner-action",
];

/// Whether a step signs an image or pushes a signed attestation of it to the registry.
pub(super) fn signs(step: &Step) -> bool {
    if let Some(action) = &step.action {
        let pushed = step
            .with
            .iter()
            .any(|(k, v)| k == "push-to-registry" && (v == "true" || v.contains("${{")));
        return matches!(
            action.as_str(),
            "actions/attest-build-provenance" | "actions/attest-sbom" | "actions/attest"
        ) && pushed;
    }
    step.commands.iter().any(|command| {
        let first = command.args.first().map(String::as_str).unwrap_or_default();
        matches!(
            (command.program.as_str(), first),
            ("cosign", "sign" | "attest") | ("notation", "sign")
        )
    })
}

/// A finding of a pipeline rule about job `job` of the file `file`, at `span`.
pub(super) fn finding(
    meta: &'static RuleMeta,
    file: usize,
    span: Span,
    job: &str,
    key_path: String,
    message: String,
) -> Finding {
    Finding::at(
        meta,
        Location { file, span },
        Subject::Object {
            object: ObjectId {
                api_version: "pipeline".into(),
                kind: "Job".into(),
                namespace: None,
                name: Some(job.to_string()),
                generate_name: None,
            },
            document: 0,
            key_path,
            container: None,
        },
        message,
    )
}

/// What the message adds about reusable workflows it could not read.
pub(super) fn unread_note(unread: &[String]) -> String {
    match unread.len() {
        0 => String::new(),
        _ => format!(
            " (the reusable workflow{} {} could not be read: {} not checked)",
            if unread.len() == 1 { "" } else { "s" },
            unread
                .iter()
                .map(|u| format!("`{u}`"))
                .collect::<Vec<_>>()
                .join(", "),
            if unread.len() == 1 {
                "it is"
            } else {
                "they are"
            }
        ),
    }
}

#[cfg(test)]
mod tests;

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

/// Where a step pushes an image, and how it says so (`docker push`). A step of a called
/// workflow pushes at the caller's `uses:`.
pub(super) fn push(step: &Step) -> Option<(Span, String)> {
    let (span, what) = push_here(step)?;
    match &step.via {
        Some(called) => Some((
            step.span,
            format!("{what}, in the reusable workflow `{called}`"),
        )),
        None => Some((span, what)),
    }
}

fn push_here(step: &Step) -> Option<(Span, String)> {
    // A value made by an expression may be true: the step may push.
    let may_be_true = |v: Option<&str>| v.is_some_and(|v| v == "true" || v.contains("${{"));
    if let Some(action) = &step.action {
        let pushes = match action.as_str() {
            "docker/build-push-action" | "docker/bake-action" => {
                may_be_true(step.input("push")) || step.input("outputs").is_some_and(output_pushes)
            }
            "redhat-actions/push-to-registry" => true,
            _ => false,
        };
        return pushes.then(|| (step.span, format!("`{action}`")));
    }
    step.commands.iter().find_map(|command| {
        let what = command_push(step, &command.program, &command.args)?;
        Some((Span::new(command.span.start, command.span.end), what))
    })
}

/// Whether a buildx `--output` value pushes (`type=registry`, `type=image,push=true`).
fn output_pushes(value: &str) -> bool {
    value
        .split([',', '\n'])
        .any(|part| part.trim() == "type=registry")
        || (value.contains("type=image") && value.contains("push=true"))
}

/// Options of docker, podman and buildah before the subcommand that take a value.
const GLOBAL_VALUE_OPTIONS: [&str; 7] = [
    "--config",
    "-c",
    "--context",
    "-H",
    "--host",
    "--log-level",
    "-l",
];

/// What a command pushes, if it does.
fn command_push(step: &Step, program: &str, args: &[String]) -> Option<String> {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    // The subcommand words, after the program's global options.
    let mut at = 0;
    while let Some(arg) = args.get(at) {
        if GLOBAL_VALUE_OPTIONS.contains(arg) {
            at += 2;
        } else if arg.starts_with('-') {
            at += 1;
        } else {
            break;
        }
    }
    let words = &args[at.min(args.len())..];
    let word = |i: usize| words.get(i).copied().unwrap_or_default();
    let flag = |name: &str| {
        args.iter()
            .any(|a| *a == name || *a == format!("{name}=true"))
    };
    // `--output`/`-o` values (`-o type=registry`, `--output=type=image,push=true`).
    let outputs_push = args.iter().enumerate().any(|(i, a)| {
        let value = match *a {
            "--output" | "-o" => args.get(i + 1).copied(),
            _ => a.strip_prefix("--output="),
        };
        value.is_some_and(output_pushes)
    });
    let what = match program {
        "docker" | "podman" | "nerdctl" | "buildah" if word(0) == "push" => {
            format!("`{program} push`")
        }
        "docker" | "podman" | "nerdctl" if word(0) == "image" && word(1) == "push" => {
            format!("`{program} image push`")
        }
        "docker" | "podman" | "buildah" if word(0) == "manifest" && word(1) == "push" => {
            format!("`{program} manifest push`")
        }
        "docker" | "podman" if word(0) == "compose" && word(1) == "push" => {
            format!("`{program} compose push`")
        }
        "docker-compose" | "podman-compose" if word(0) == "push" => format!("`{program} push`"),
        "docker" if word(0) == "buildx" && word(1) == "imagetools" && word(2) == "create" => {
            (!flag("--dry-run")).then_some(())?;
            "`docker buildx imagetools create`".into()
        }
        "docker" | "podman"
            if (word(0) == "build"
                || (word(0) == "buildx" && matches!(word(1), "build" | "bake")))
                && (flag("--push") || outputs_push) =>
        {
            let sub = if word(0) == "buildx" {
                format!("buildx {}", word(1))
            } else {
                "build".into()
            };
            format!("`{program} {sub} --push`")
        }
        // ko pushes to KO_DOCKER_REPO, unless that is a local daemon or cluster.
        "ko" if matches!(
            word(0),
            "build" | "publish" | "resolve" | "apply" | "create" | "run"
        ) && !flag("--local")
            && !args.contains(&"-L")
            && !args.contains(&"--push=false")
            && !step
                .env("KO_DOCKER_REPO")
                .is_some_and(|repo| repo.ends_with(".local") || repo.starts_with("kind.local")) =>
        {
            format!("`ko {}`", word(0))
        }
        "crane" if matches!(word(0), "push" | "copy" | "cp" | "append" | "mutate") => {
            format!("`crane {}`", word(0))
        }
        "skopeo"
            if matches!(word(0), "copy" | "sync")
                && args.last().is_some_and(|a| a.starts_with("docker://")) =>
        {
            format!("`skopeo {}` to `docker://`", word(0))
        }
        "executor"
            if !flag("--no-push")
                && args
                    .iter()
                    .any(|a| a.starts_with("--destination") || *a == "-d") =>
        {
            "kaniko `executor --destination`".into()
        }
        "mvn" | "mvnw" if args.iter().any(|a| a.ends_with("jib:build")) => "`jib:build`".into(),
        "gradle" | "gradlew" if args.contains(&"jib") => "`gradle jib`".into(),
        _ => return None,
    };
    Some(what)
}

/// Whether a step scans an image for vulnerabilities.
pub(super) fn scans(step: &Step) -> bool {
    if let Some(action) = &step.action {
        // trivy-action scans an image unless told to scan something else.
        if action == "aquasecurity/trivy-action" {
            return step.input("scan-type").is_none_or(|t| t == "image");
        }
        return SCAN_ACTIONS.contains(&action.as_str());
    }
    step.commands.iter().any(|command| {
        let args: Vec<&str> = command.args.iter().map(String::as_str).collect();
        let first = args.first().copied().unwrap_or_default();
        match command.program.as_str() {
            "trivy" => matches!(first, "image" | "i"),
            "grype" | "clair-scanner" | "clairctl" => true,
            "docker" if first == "scout" => {
                matches!(args.get(1).copied(), Some("cves" | "quickview" | "cve"))
            }
            // A scanner run as a container: `docker run aquasec/trivy image …`, `anchore/grype`.
            "docker" | "podman" if first == "run" => args.iter().enumerate().any(|(i, a)| {
                let name = a.split(['@', ':']).next().unwrap_or(a);
                let name = name.rsplit('/').next().unwrap_or(name);
                match name {
                    "trivy" => matches!(args.get(i + 1).copied(), Some("image" | "i")),
                    "grype" => true,
                    _ => false,
                }
            }),
            "snyk" => first == "container",
            _ => false,
        }
    })
}

/// Actions that scan an image.
const SCAN_ACTIONS: [&str; 8] = [
    crate::uses::ci::GITLAB_CONTAINER_SCANNING,
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
            .input("push-to-registry")
            .is_some_and(|v| v == "true" || v.contains("${{"));
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

/// A finding of `meta` at each push of a pipeline that does not run at only a call, saying
/// what else the pipeline `lacks` ("no job of this pipeline scans an image…").
pub(super) fn report_pushes(
    meta: &'static RuleMeta,
    file: usize,
    pipeline: &crate::uses::ci::PipelineFacts,
    lacks: &str,
    out: &mut Vec<Finding>,
) {
    for step in &pipeline.steps {
        let Some((span, what)) = push(step) else {
            continue;
        };
        out.push(finding(
            meta,
            file,
            span,
            &step.job,
            step.key_path.clone(),
            format!(
                "job `{}` pushes an image ({what}), and {lacks}{}",
                step.job,
                unread_note(&pipeline.unread)
            ),
        ));
    }
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

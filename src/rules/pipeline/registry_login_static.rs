//! `registry-login-static`: a login to a cloud registry with a stored long-lived secret where
//! the pipeline could federate (OIDC) instead.

use super::finding;
use crate::findings::finding::{Finding, Level};
use crate::rules::{Context, FileView, ImagePart, Rule, RuleMeta};
use crate::uses::ci::Step;

pub(crate) struct RegistryLoginStatic;

static META: RuleMeta = RuleMeta {
    id: "registry-login-static",
    name: "RegistryLoginStatic",
    level: Level::Note,
    summary: "A pipeline logs in to a cloud registry with a stored long-lived secret instead of OIDC federation.",
    hint: "Federate the workflow's OIDC token (aws-actions/configure-aws-credentials with `role-to-assume`, google-github-actions/auth with `workload_identity_provider`, azure/login with a federated `client-id`); until then, rotate the stored secret.",
    precision: "medium",
    security_severity: "4.0",
    part: ImagePart::Reference,
    shows_source: false,
    online: false,
    doc: include_str!("../../../docs/rules/registry-login-static.md"),
};

/// A cloud whose registries take federated credentials from CI.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cloud {
    Aws,
    Google,
    Azure,
}

impl Cloud {
    /// The cloud of a registry host, if it is one.
    fn of(host: &str) -> Option<Cloud> {
        let host = host
            .trim()
            .trim_start_matches("https://")
            .split('/')
            .next()?;
        let host = host.to_ascii_lowercase();
        if host == "public.ecr.aws"
            || (host.ends_with(".amazonaws.com") && host.contains(".dkr.ecr."))
        {
            Some(Cloud::Aws)
        } else if host == "gcr.io" || host.ends_with(".gcr.io") || host.ends_with("-docker.pkg.dev")
        {
            Some(Cloud::Google)
        } else if host.ends_with(".azurecr.io") {
            Some(Cloud::Azure)
        } else {
            None
        }
    }

    fn federation(self) -> &'static str {
        match self {
            Cloud::Aws => {
                "aws-actions/configure-aws-credentials with `role-to-assume` (then aws-actions/amazon-ecr-login)"
            }
            Cloud::Google => "google-github-actions/auth with `workload_identity_provider`",
            Cloud::Azure => {
                "azure/login with a federated `client-id`, `tenant-id` and `subscription-id`"
            }
        }
    }
}

/// Whether a step uses a registry of `cloud`: logs in to it (docker/login-action,
/// aws-actions/amazon-ecr-login, azure/docker-login, `aws ecr get-login-password`, `gcloud auth
/// configure-docker`, `az acr login`, `docker login HOST`) or pushes or pulls an image there.
fn uses_registry(step: &Step, cloud: Cloud) -> bool {
    let is = |host: &str| Cloud::of(host).is_some_and(|c| c == cloud);
    if let Some(action) = step.action.as_deref() {
        return match action {
            "docker/login-action" => step.input("registry").is_some_and(is),
            "aws-actions/amazon-ecr-login" => cloud == Cloud::Aws,
            "azure/docker-login" => cloud == Cloud::Azure,
            "docker/build-push-action" => step.input("tags").is_some_and(|tags| {
                tags.split([',', '\n'])
                    .any(|t| is(t.trim().split('/').next().unwrap_or_default()))
            }),
            _ => false,
        };
    }
    step.commands.iter().any(|command| {
        let args: Vec<&str> = command.args.iter().map(String::as_str).collect();
        let first = args.first().copied().unwrap_or_default();
        match (command.program.as_str(), first) {
            ("aws", "ecr") => cloud == Cloud::Aws,
            ("gcloud", "auth") => {
                cloud == Cloud::Google && args.get(1) == Some(&"configure-docker")
            }
            ("az", "acr") => cloud == Cloud::Azure,
            ("docker" | "podman", _) => args
                .iter()
                .any(|a| is(a.split('/').next().unwrap_or_default()) && a.contains('.')),
            _ => false,
        }
    })
}

/// Whether a value is a stored secret (`${{ secrets.X }}`).
fn stored(value: Option<&str>) -> bool {
    value.is_some_and(|v| v.contains("secrets."))
}

/// What a step does that a federated login would replace, and the cloud.
fn static_login(step: &Step) -> Option<(Cloud, String)> {
    let action = step.action.as_deref()?;
    let input = |name: &str| step.input(name);
    match action {
        "docker/login-action" => {
            let cloud = Cloud::of(input("registry")?)?;
            stored(input("password")).then(|| {
                (
                    cloud,
                    format!(
                        "docker/login-action logs in to `{}` with a stored secret",
                        input("registry").unwrap_or_default()
                    ),
                )
            })
        }
        "aws-actions/configure-aws-credentials"
            if input("role-to-assume").is_none() && stored(input("aws-secret-access-key")) =>
        {
            Some((
                Cloud::Aws,
                "aws-actions/configure-aws-credentials uses a stored access key".into(),
            ))
        }
        "google-github-actions/auth"
            if input("workload_identity_provider").is_none()
                && stored(input("credentials_json")) =>
        {
            Some((
                Cloud::Google,
                "google-github-actions/auth uses a stored service-account key".into(),
            ))
        }
        "azure/login" if stored(input("creds")) => Some((
            Cloud::Azure,
            "azure/login uses a stored service-principal secret".into(),
        )),
        _ => None,
    }
}

impl Rule for RegistryLoginStatic {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, file: &FileView<'_>, _: &Context, out: &mut Vec<Finding>) {
        let Some(pipeline) = file.pipeline else {
            return;
        };
        for step in pipeline.steps.iter().filter(|s| s.via.is_none()) {
            let Some((cloud, what)) = static_login(step) else {
                continue;
            };
            // A cloud login that serves no registry here (a deploy to S3, GKE) is not ours.
            let registry = pipeline
                .steps
                .iter()
                .filter(|s| s.job == step.job)
                .any(|s| uses_registry(s, cloud));
            if !registry {
                continue;
            }
            out.push(finding(
                &META,
                file.id,
                step.span,
                &step.job,
                step.key_path.clone(),
                format!(
                    "job `{}`: {what}, a long-lived credential; federate instead ({}), and until then rotate the secret",
                    step.job,
                    cloud.federation()
                ),
            ));
        }
    }
}

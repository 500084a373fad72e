//! `pull-secret-wrong-type`: an `imagePullSecrets` entry names a Secret that is not a docker
//! config.

use crate::findings::finding::{Finding, Level};
use crate::rules::{Context, ImagePart, Rule, RuleMeta, ScanFacts};

pub(crate) struct PullSecretWrongType;

/// The Secret types the kubelet reads registry credentials from.
pub(super) const PULL_SECRET_TYPES: [&str; 2] =
    ["kubernetes.io/dockerconfigjson", "kubernetes.io/dockercfg"];

static META: RuleMeta = RuleMeta {
    id: "pull-secret-wrong-type",
    name: "PullSecretWrongType",
    level: Level::Error,
    summary: "An imagePullSecrets entry names a Secret whose type is not a docker config.",
    hint: "Recreate the Secret with `kubectl create secret docker-registry` (type `kubernetes.io/dockerconfigjson`).",
    precision: "very-high",
    security_severity: "4.0",
    part: ImagePart::Reference,
    shows_source: true,
    online: false,
    doc: include_str!("../../../docs/rules/pull-secret-wrong-type.md"),
};

impl Rule for PullSecretWrongType {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_scan(&self, scan: &ScanFacts<'_>, _: &Context, out: &mut Vec<Finding>) {
        for reference in &scan.inventory.pull_secret_refs {
            let wrong = scan.inventory.secrets.iter().find(|secret| {
                secret.name == reference.name
                    && secret.namespace == reference.namespace
                    && !PULL_SECRET_TYPES.contains(&secret.secret_type.as_str())
            });
            let Some(secret) = wrong else { continue };
            out.push(
                Finding::at(
                    &META,
                    reference.location,
                    super::subject(reference),
                    format!(
                        "pull secret `{}` (namespace `{}`) is a Secret of type `{}`; the kubelet only reads registry credentials from `kubernetes.io/dockerconfigjson` or `kubernetes.io/dockercfg` Secrets",
                        reference.name, reference.namespace, secret.secret_type
                    ),
                )
                .with_related(secret.location, format!("Secret {} is defined here", secret.name)),
            );
        }
    }
}

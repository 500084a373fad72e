//! `pull-secret-namespace-mismatch`: the pull secret exists, but in another namespace.

use crate::findings::finding::{Finding, Level};
use crate::rules::{Context, ImagePart, Rule, RuleMeta, ScanFacts};

pub(crate) struct PullSecretNamespaceMismatch;

static META: RuleMeta = RuleMeta {
    id: "pull-secret-namespace-mismatch",
    name: "PullSecretNamespaceMismatch",
    level: Level::Error,
    summary: "An imagePullSecrets entry names a Secret that exists only in other namespaces.",
    hint: "Create the pull secret in the pod's namespace too (pull secrets are namespace-local).",
    precision: "very-high",
    security_severity: "4.0",
    part: ImagePart::Reference,
    shows_source: true,
    online: false,
    doc: include_str!("../../../docs/rules/pull-secret-namespace-mismatch.md"),
};

impl Rule for PullSecretNamespaceMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_scan(&self, scan: &ScanFacts<'_>, _: &Context, out: &mut Vec<Finding>) {
        let secrets = &scan.inventory.secrets;
        for reference in &scan.inventory.pull_secret_refs {
            let same_name = || secrets.iter().filter(|s| s.name == reference.name);
            if same_name().any(|s| s.namespace == reference.namespace) {
                continue;
            }
            let mut elsewhere: Vec<&str> = same_name().map(|s| s.namespace.as_str()).collect();
            elsewhere.sort_unstable();
            elsewhere.dedup();
            let Some(first) = same_name().next() else {
                continue;
            };
            let listed: Vec<String> = elsewhere.iter().map(|ns| format!("`{ns}`")).collect();
            out.push(
                Finding::at(
                    &META,
                    reference.location,
                    super::subject(reference),
                    format!(
                        "pull secret `{}` is in namespace {} but not in `{}`, where it is used; the kubelet looks for pull secrets in the pod's own namespace only",
                        reference.name,
                        listed.join(", "),
                        reference.namespace
                    ),
                )
                .with_related(
                    first.location,
                    format!("Secret {} in namespace {}", first.name, first.namespace),
                ),
            );
        }
    }
}

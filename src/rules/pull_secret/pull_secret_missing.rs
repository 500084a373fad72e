//! `pull-secret-missing`: a private image with no pull credentials in sight.
//!
//! The level follows what is known about the registry (`Context::pull_access`): an error
//! when it is declared private, a warning when it is neither public nor declared, nothing for
//! public and node-credential registries. The decision table is in the rule's page.

use crate::findings::finding::{Finding, Level};
use crate::rules::{
    Context, ImagePart, PrivateEvidence, PullAccess, Rule, RuleMeta, ScanFacts, quoted,
};
use crate::uses::Site;

pub(crate) struct PullSecretMissing;

static META: RuleMeta = RuleMeta {
    id: "pull-secret-missing",
    name: "PullSecretMissing",
    level: Level::Error,
    summary: "An image from a private (error) or unknown (warning) registry runs in a pod with no imagePullSecrets, on the pod or its ServiceAccount.",
    hint: "Add `imagePullSecrets` to the pod spec or to its ServiceAccount, naming a `kubernetes.io/dockerconfigjson` Secret.",
    precision: "high",
    security_severity: "5.0",
    part: ImagePart::Reference,
    shows_source: true,
    online: false,
    doc: include_str!("../../../docs/rules/pull-secret-missing.md"),
};

impl Rule for PullSecretMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_scan(&self, scan: &ScanFacts<'_>, ctx: &Context, out: &mut Vec<Finding>) {
        for image in scan.images {
            let (Ok(reference), Site::Container { pod, .. }) = (&image.reference, &image.site)
            else {
                continue;
            };
            if pod.has_pull_secrets {
                continue;
            }
            let private = match scan.pull_access(ctx, reference) {
                PullAccess::NodeCredentials | PullAccess::Public => continue,
                PullAccess::Private(evidence) => Some(evidence),
                PullAccess::Unknown => None,
            };
            let account = scan
                .inventory
                .service_accounts
                .iter()
                .find(|sa| sa.namespace == pod.namespace && sa.name == pod.service_account);
            if account.is_some_and(|sa| sa.has_pull_secrets) {
                continue;
            }
            let sa = format!("`{}` (namespace `{}`)", pod.service_account, pod.namespace);
            let why = match account {
                Some(_) => format!("its ServiceAccount {sa} has none"),
                // NOTE: the account may exist outside the repository; we say what we saw.
                None => format!("its ServiceAccount {sa} is not in the scan, so none is known"),
            };
            let registry = &reference.registry;
            // NOTE: messages name the image, the registry host and the configured pattern
            // only; nothing here comes from a Secret.
            let (level, message) = match private {
                Some(PrivateEvidence::Declared(pattern)) => (
                    Level::Error,
                    format!(
                        "{} is in the private registry `{registry}` (declared by `{pattern}`), but the pod has no `imagePullSecrets` and {why}",
                        quoted(image)
                    ),
                ),
                Some(PrivateEvidence::RefusedAnonymous) => (
                    Level::Error,
                    format!(
                        "{} is private: `{registry}` refused to serve it without credentials (checked online), but the pod has no `imagePullSecrets` and {why}",
                        quoted(image)
                    ),
                ),
                None => (
                    // NOTE: most registries that are not public need credentials, but a
                    // warning until someone says so: an anonymous in-house mirror is common.
                    Level::Warning,
                    format!(
                        "{} is in `{registry}`, a registry not known as public or private; the pod has no `imagePullSecrets` and {why}. If `{registry}` needs credentials, declare it with `registries.private` (`--private-registry`) to make this an error; if it serves images anonymously, add it to `registries.public.add`",
                        quoted(image)
                    ),
                ),
            };
            let finding = Finding::new(&META, image, message).with_level(level);
            out.push(match account {
                Some(sa) => finding.with_related(
                    sa.location,
                    format!(
                        "ServiceAccount {sa_name} has no imagePullSecrets",
                        sa_name = sa.name
                    ),
                ),
                None => finding,
            });
        }
    }
}

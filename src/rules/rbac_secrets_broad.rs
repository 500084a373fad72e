//! `rbac-secrets-broad`: a role that can read every Secret, worse when bound to everyone.

use super::{Context, ImagePart, Rule, RuleMeta, ScanFacts};
use crate::findings::finding::{Finding, Level, Subject};

pub(super) struct RbacSecretsBroad;

static META: RuleMeta = RuleMeta {
    id: "rbac-secrets-broad",
    name: "RbacSecretsBroad",
    level: Level::Warning,
    summary: "A Role or ClusterRole can get, list or watch all Secrets; an error when bound to everyone.",
    hint: "Name the Secrets the role needs in `resourceNames`, or drop the read verbs.",
    precision: "high",
    security_severity: "7.0",
    part: ImagePart::Reference,
    shows_source: true,
    online: false,
    doc: include_str!("../../docs/rules/rbac-secrets-broad.md"),
};

impl Rule for RbacSecretsBroad {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_scan(&self, scan: &ScanFacts<'_>, _: &Context, out: &mut Vec<Finding>) {
        for grant in &scan.inventory.rbac_grants {
            let broad = scan.inventory.bindings.iter().find(|b| {
                b.role_kind == grant.role_kind
                    && b.role_name == grant.role_name
                    && !b.broad_groups.is_empty()
                    // A Role is bound by RoleBindings in its own namespace only.
                    && (grant.namespace.is_none() || b.namespace == grant.namespace)
            });
            let verbs: Vec<String> = grant.verbs.iter().map(|v| format!("`{v}`")).collect();
            let scope = match &grant.namespace {
                Some(ns) => format!("every Secret in namespace `{ns}`"),
                None => "every Secret in every namespace it is bound for".to_string(),
            };
            let mut message = format!(
                "{} `{}` can {} {scope} (no `resourceNames`)",
                grant.role_kind,
                grant.role_name,
                verbs.join(", ")
            );
            if let Some(binding) = broad {
                message.push_str(&format!(
                    ", and it is bound to {}",
                    binding
                        .broad_groups
                        .iter()
                        .map(|g| format!("`{g}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            let finding = Finding::at(
                &META,
                grant.location,
                Subject::Object {
                    object: grant.object.clone(),
                    document: grant.document,
                    key_path: format!("rules[{}].resources", grant.rule_index),
                    container: None,
                },
                message,
            );
            out.push(match broad {
                Some(binding) => finding
                    .with_level(Level::Error)
                    .with_related(binding.location, "the binding that grants it to everyone"),
                None => finding,
            });
        }
    }
}

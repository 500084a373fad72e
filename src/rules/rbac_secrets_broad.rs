//! `rbac-secrets-broad`: a role that can read every Secret, worse when bound to everyone.

use super::{Context, ImagePart, Rule, RuleMeta, ScanFacts};
use crate::findings::finding::{Finding, Level, Location, Subject};
use crate::k8s::Object;
use crate::syntax::yaml::Node;
use crate::uses::ObjectId;

pub struct RbacSecretsBroad;

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
    doc: include_str!("../../docs/rules/rbac-secrets-broad.md"),
};

/// Verbs that reveal a Secret's values.
const READ_VERBS: [&str; 4] = ["get", "list", "watch", "*"];

/// A rule of a Role or ClusterRole that reads every Secret.
#[derive(Debug, Clone)]
pub struct RbacGrant {
    /// The `secrets` (or `*`) item of the rule's `resources`.
    pub location: Location,
    pub object: ObjectId,
    pub document: usize,
    /// `Role` or `ClusterRole`.
    pub role_kind: String,
    pub role_name: String,
    /// The Role's namespace; `None` for a ClusterRole.
    pub namespace: Option<String>,
    pub verbs: Vec<String>,
    pub rule_index: usize,
}

/// The grants of one object (nothing unless it is a Role or ClusterRole).
pub(crate) fn grants(
    file: usize,
    document: usize,
    object: &Object<'_>,
    default_ns: &str,
) -> Vec<RbacGrant> {
    if !matches!(object.kind, "Role" | "ClusterRole")
        || !object.api_version.starts_with("rbac.authorization.k8s.io/")
    {
        return Vec::new();
    }
    let Some(name) = object.name else {
        return Vec::new();
    };
    let strings = |rule: &Node, key: &str| -> Vec<String> {
        rule.get(key)
            .and_then(Node::items)
            .unwrap_or_default()
            .iter()
            .filter_map(|n| n.as_str().map(str::to_string))
            .collect()
    };
    let mut out = Vec::new();
    let rules = object
        .node
        .get("rules")
        .and_then(Node::items)
        .unwrap_or_default();
    for (index, rule) in rules.iter().enumerate() {
        let groups = strings(rule, "apiGroups");
        let core = groups.iter().any(|g| g.is_empty() || g == "*");
        let verbs: Vec<String> = strings(rule, "verbs")
            .into_iter()
            .filter(|v| READ_VERBS.contains(&v.as_str()))
            .collect();
        let named = rule
            .get("resourceNames")
            .and_then(Node::items)
            .is_some_and(|n| !n.is_empty());
        if !core || verbs.is_empty() || named {
            continue;
        }
        let resources = rule
            .get("resources")
            .and_then(Node::items)
            .unwrap_or_default();
        let Some(item) = resources
            .iter()
            .find(|r| matches!(r.as_str(), Some("secrets" | "*")))
        else {
            continue;
        };
        out.push(RbacGrant {
            location: Location {
                file,
                span: item.span,
            },
            object: ObjectId::of(object),
            document,
            role_kind: object.kind.to_string(),
            role_name: name.to_string(),
            namespace: (object.kind == "Role")
                .then(|| object.namespace.unwrap_or(default_ns).to_string()),
            verbs,
            rule_index: index,
        });
    }
    out
}

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

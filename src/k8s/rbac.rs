//! RBAC facts: the rules of Roles and ClusterRoles that let someone read every Secret.
//! Collected per object into the scan's inventory; `rbac-secrets-broad` judges them with the
//! bindings.

use super::{Object, ObjectId};
use crate::syntax::source::Location;
use crate::syntax::yaml::Node;

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

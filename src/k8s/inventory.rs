//! Facts about objects that rules need across files: ServiceAccounts, Secrets, pull-secret
//! references, role bindings and grants, admission policies, and where the first workload is.
//!
//! Each file's worker collects its facts into an [`Inventory`] (owned data, no YAML trees);
//! the scan merges them, and the scan-wide rules read the whole inventory. A rule never guesses
//! about an object that is not in the scan.

use super::ObjectId;
use super::admission::{self, RegistryPolicy, SigningPolicy};
use super::rbac::{self, RbacGrant};
use super::{self as k8s, Object};
use crate::syntax::source::Location;
use crate::syntax::yaml::Node;

/// A ServiceAccount in the scan.
#[derive(Debug, Clone)]
pub struct ServiceAccountFact {
    pub namespace: String,
    pub name: String,
    /// Its `metadata.name` value.
    pub location: Location,
    pub has_pull_secrets: bool,
}

/// A Secret in the scan (its values are never kept here).
#[derive(Debug, Clone)]
pub struct SecretFact {
    pub namespace: String,
    pub name: String,
    /// `type`, or `Opaque` when absent.
    pub secret_type: String,
    pub location: Location,
}

/// An `imagePullSecrets` entry of a pod spec or ServiceAccount.
#[derive(Debug, Clone)]
pub struct PullSecretRef {
    pub namespace: String,
    pub name: String,
    /// The entry's `name:` value.
    pub location: Location,
    pub owner: ObjectId,
    pub document: usize,
    pub key_path: String,
}

/// A RoleBinding or ClusterRoleBinding, reduced to what the RBAC rule asks.
#[derive(Debug, Clone)]
pub struct BindingFact {
    /// The binding's namespace (RoleBinding); `None` for a ClusterRoleBinding.
    pub namespace: Option<String>,
    pub role_kind: String,
    pub role_name: String,
    /// Subjects that are everyone: `system:authenticated`, `system:unauthenticated`,
    /// `system:serviceaccounts`.
    pub broad_groups: Vec<String>,
    pub location: Location,
}

/// A policy and where it is.
#[derive(Debug, Clone)]
pub struct Located<T> {
    pub policy: T,
    pub file: usize,
}

/// The first workload (an object with a pod spec) of a file.
#[derive(Debug, Clone)]
pub struct Workload {
    /// Its `kind:` value.
    pub location: Location,
    pub object: ObjectId,
    pub document: usize,
}

/// Groups that stand for everyone (or every workload) in a cluster.
pub(crate) const BROAD_GROUPS: [&str; 3] = [
    "system:authenticated",
    "system:unauthenticated",
    "system:serviceaccounts",
];

/// All facts of a scan (or of one file, before merging).
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    pub service_accounts: Vec<ServiceAccountFact>,
    pub secrets: Vec<SecretFact>,
    pub pull_secret_refs: Vec<PullSecretRef>,
    pub bindings: Vec<BindingFact>,
    pub rbac_grants: Vec<RbacGrant>,
    pub signing_policies: Vec<Located<SigningPolicy>>,
    pub registry_policies: Vec<Located<RegistryPolicy>>,
    pub first_workload: Option<Workload>,
}

impl Inventory {
    /// Add `other` (a later file's facts).
    pub fn merge(&mut self, other: Inventory) {
        self.service_accounts.extend(other.service_accounts);
        self.secrets.extend(other.secrets);
        self.pull_secret_refs.extend(other.pull_secret_refs);
        self.bindings.extend(other.bindings);
        self.rbac_grants.extend(other.rbac_grants);
        self.signing_policies.extend(other.signing_policies);
        self.registry_policies.extend(other.registry_policies);
        if self.first_workload.is_none() {
            self.first_workload = other.first_workload;
        }
    }

    /// Collect the facts of one object, in document `document` of file `file`.
    pub fn collect(&mut self, file: usize, document: usize, object: &Object<'_>, default_ns: &str) {
        let at = |node: &Node| Location {
            file,
            span: node.span,
        };
        let namespace = object.namespace.unwrap_or(default_ns).to_string();
        let name_node = object.node.path(&["metadata", "name"]);
        let core = object.api_version == "v1";
        match object.kind {
            "ServiceAccount" if core => {
                if let (Some(name), Some(node)) = (object.name, name_node) {
                    self.service_accounts.push(ServiceAccountFact {
                        namespace: namespace.clone(),
                        name: name.to_string(),
                        location: at(node),
                        has_pull_secrets: k8s::pull_secret_names(object.node).next().is_some(),
                    });
                }
                self.add_pull_secret_refs(file, document, object, object.node, &namespace, "");
            }
            "Secret" if core => {
                if let (Some(name), Some(node)) = (object.name, name_node) {
                    self.secrets.push(SecretFact {
                        namespace: namespace.clone(),
                        name: name.to_string(),
                        secret_type: object
                            .node
                            .get("type")
                            .and_then(Node::as_str)
                            .unwrap_or("Opaque")
                            .to_string(),
                        location: at(node),
                    });
                }
            }
            "RoleBinding" | "ClusterRoleBinding"
                if object.api_version.starts_with("rbac.authorization.k8s.io/") =>
            {
                if let Some(binding) = binding(object, at(object.node), default_ns) {
                    self.bindings.push(binding);
                }
            }
            _ => {}
        }
        self.rbac_grants
            .extend(rbac::grants(file, document, object, default_ns));
        if let Some(policy) = admission::signing_policy(object) {
            self.signing_policies.push(Located { policy, file });
        }
        if let Some(policy) = admission::registry_policy(object) {
            self.registry_policies.push(Located { policy, file });
        }
        if let Some(pod) = k8s::pod_spec(object) {
            let prefix = format!("{}{}.", pod.item_path, pod.path);
            self.add_pull_secret_refs(file, document, object, pod.node, &namespace, &prefix);
            if let (None, Some(kind)) = (&self.first_workload, object.node.get("kind")) {
                self.first_workload = Some(Workload {
                    location: at(kind),
                    object: ObjectId::of(object),
                    document,
                });
            }
        }
    }

    fn add_pull_secret_refs(
        &mut self,
        file: usize,
        document: usize,
        owner: &Object<'_>,
        holder: &Node,
        namespace: &str,
        prefix: &str,
    ) {
        for name in k8s::pull_secret_names(holder) {
            let Some(secret) = name.as_str() else {
                continue;
            };
            self.pull_secret_refs.push(PullSecretRef {
                namespace: namespace.to_string(),
                name: secret.to_string(),
                location: Location {
                    file,
                    span: name.span,
                },
                owner: ObjectId::of(owner),
                document,
                key_path: format!("{prefix}imagePullSecrets[name={secret}]"),
            });
        }
    }
}

fn binding(object: &Object<'_>, location: Location, default_ns: &str) -> Option<BindingFact> {
    let role = object.node.get("roleRef")?;
    let role_kind = role.get("kind")?.as_str()?.to_string();
    let role_name = role.get("name")?.as_str()?.to_string();
    let broad_groups = object
        .node
        .get("subjects")
        .and_then(Node::items)
        .unwrap_or_default()
        .iter()
        .filter(|s| s.get("kind").and_then(Node::as_str) == Some("Group"))
        .filter_map(|s| s.get("name").and_then(Node::as_str))
        .filter(|g| BROAD_GROUPS.contains(g))
        .map(str::to_string)
        .collect();
    Some(BindingFact {
        namespace: (object.kind == "RoleBinding")
            .then(|| object.namespace.unwrap_or(default_ns).to_string()),
        role_kind,
        role_name,
        broad_groups,
        location,
    })
}

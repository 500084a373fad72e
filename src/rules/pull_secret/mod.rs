//! Pull-secret rules: whether pods can pull from registries that need credentials, with
//! Secrets of the right type in the right namespace. Shared: the subject of a finding about a
//! pull-secret reference.

pub(super) mod pull_secret_missing;
pub(super) mod pull_secret_namespace_mismatch;
pub(super) mod pull_secret_wrong_type;

/// The subject of a finding about a pull-secret reference: the entry in its owner (a pod
/// template or a ServiceAccount).
pub(super) fn subject(
    reference: &crate::k8s::inventory::PullSecretRef,
) -> crate::findings::finding::Subject {
    crate::findings::finding::Subject::Object {
        object: reference.owner.clone(),
        document: reference.document,
        key_path: reference.key_path.clone(),
        container: None,
    }
}

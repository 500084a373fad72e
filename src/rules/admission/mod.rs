//! Admission-policy rules: whether the cluster's policies verify signatures and restrict
//! registries for the images the repository deploys.

pub(super) mod image_signature_unverified;
pub(super) mod registry_policy_missing;

//! Image reference rules: what a reference says (tag, digest, registry, validity, pull policy)
//! and what a Dockerfile ships.

pub(super) mod base_image_not_minimal;
pub(super) mod image_digest_missing;
pub(super) mod image_pull_policy_mutable;
pub(super) mod image_reference_invalid;
pub(super) mod image_registry_implicit;
pub(super) mod image_registry_not_allowed;
pub(super) mod image_registry_public;
pub(super) mod image_tag_latest;
pub(super) mod image_tag_missing;

//! Credential rules: credentials in plain YAML (Secrets, env literals, ConfigMaps, registry
//! configs) and on command lines. Shared: what counts as a literal value.

pub(super) mod registry_credentials_plaintext;
pub(super) mod registry_password_cli;
pub(super) mod secret_configmap;
pub(super) mod secret_env_literal;
pub(super) mod secret_plaintext;

use crate::secrets;
use crate::syntax::yaml::Node;

/// A value that is really there: not empty, not a placeholder, not SOPS-encrypted.
pub(super) fn is_literal(value: &Node) -> bool {
    value.as_str().is_some_and(|v| {
        !v.trim().is_empty() && !secrets::is_placeholder(v) && !secrets::is_sops_value(v)
    })
}

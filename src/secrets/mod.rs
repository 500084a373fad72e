//! Detection of credentials in Kubernetes manifest values.
//!
//! `imagegate` scans manifests from untrusted pull requests for credentials committed in
//! plain text: env vars and ConfigMap keys whose *names* say they hold a credential
//! ([`is_credential_name`]), values that *look like* a well-known token whatever their name
//! ([`find_token`]), passwords in URIs ([`find_uri_credential`]), HTTP `Bearer`/`Basic`
//! values ([`find_auth_credential`]), and docker registry configs (`.dockerconfigjson` /
//! `.dockercfg`) that carry registry logins ([`docker_config_in_value`]). It also recognises
//! values that are not secrets even under a credential name: SOPS-encrypted values
//! ([`is_sops_value`]) and template placeholders ([`is_placeholder`]); and what a Secret key
//! holds when it is clearly not a credential — a user name, a host, a certificate
//! ([`non_secret_material`]).
//!
//! Every function here takes untrusted input and never panics on it. The work is linear in
//! the size of the input (JSON is parsed with `serde_json`'s default recursion limit).
//!
//! **A secret's value is never returned or formatted by this module.** Token, URI and
//! authorization matches are reported as a kind plus byte ranges into the caller's string
//! (a URI's scheme may be named, never its userinfo), and a docker config is reported only by
//! its registry hosts. No type here holds a secret value, so the derived
//! `Debug` impls cannot print one.

use std::ops::Range;

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde_json::{Map, Value};

mod docker_config;
mod http_auth;
mod material;
mod names;
mod not_secret;
mod tokens;
mod uri;
pub(crate) use docker_config::*;
pub(crate) use http_auth::*;
pub(crate) use material::*;
pub(crate) use names::*;
pub(crate) use not_secret::*;
pub(crate) use tokens::*;
pub(crate) use uri::*;

// ---------------------------------------------------------------------------------------
// Credentials whatever the name
// ---------------------------------------------------------------------------------------

/// What credential `value` holds whatever its name says, for a message: a token's kind ("a
/// GitHub token"), "a URI with a literal password (`postgresql://`)" or "an HTTP `Bearer`
/// credential".
/// Tokens are looked for first (a token inside a URI is named as the token). The phrase never
/// holds the secret: only a token's kind, a URI's scheme or an HTTP scheme.
pub(crate) fn credential_in_value(value: &str) -> Option<String> {
    if let Some(token) = find_token(value) {
        return Some(token.kind.describe().to_string());
    }
    if let Some(uri) = find_uri_credential(value) {
        let scheme = value.get(uri.scheme).unwrap_or("a");
        return Some(format!("a URI with a literal password (`{scheme}://`)"));
    }
    find_auth_credential(value).map(|auth| format!("an HTTP `{}` credential", auth.scheme.name()))
}

#[cfg(test)]
mod tests;

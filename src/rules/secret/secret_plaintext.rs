//! `secret-plaintext`: a committed `kind: Secret` with literal values.
//!
//! Every literal key is reported; its level follows what it holds: an error for a credential
//! or anything that may be one, a note for material that is clearly not secret (a user name,
//! a host, a certificate: [`secrets::non_secret_material`]).

use super::is_literal;
use crate::findings::finding::{Finding, Level};
use crate::k8s;
use crate::rules::{Context, ImagePart, ObjectView, Rule, RuleMeta};
use crate::secrets;

pub(crate) struct SecretPlaintext;

static META: RuleMeta = RuleMeta {
    id: "secret-plaintext",
    name: "SecretPlaintext",
    level: Level::Error,
    summary: "A Secret with literal `data` or `stringData` values is committed.",
    hint: "Commit a SealedSecret, an ExternalSecret or a SOPS-encrypted file instead, and rotate the value.",
    precision: "high",
    security_severity: "8.0",
    part: ImagePart::Reference,
    shows_source: false,
    online: false,
    doc: include_str!("../../../docs/rules/secret-plaintext.md"),
};

impl Rule for SecretPlaintext {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, view: &ObjectView<'_>, _: &Context, out: &mut Vec<Finding>) {
        let object = view.object;
        // NOTE: a SOPS-encrypted file keeps its `sops:` metadata in the document.
        if object.kind != "Secret"
            || object.api_version != "v1"
            || object.node.get("sops").is_some()
        {
            return;
        }
        let name = object.name.unwrap_or("(unnamed)");
        for field in ["data", "stringData"] {
            for (key_node, key, value) in k8s::entries(object.node.get(field)) {
                if !is_literal(value) {
                    continue;
                }
                let text = value.as_str().unwrap_or_default();
                let non_secret = if field == "data" {
                    // NOTE: `data` that is not base64 of UTF-8 text (a keystore, or not base64
                    // at all) cannot be judged: it stays an error.
                    secrets::decode_base64(text)
                        .and_then(|bytes| String::from_utf8(bytes).ok())
                        .and_then(|decoded| secrets::non_secret_material(key, &decoded))
                } else {
                    secrets::non_secret_material(key, text)
                };
                let namespace = view.namespace;
                let finding = match non_secret {
                    Some(kind) => view
                        .finding(
                            &META,
                            key_node,
                            format!("{field}.{key}"),
                            format!(
                                "Secret `{namespace}/{name}` holds `{field}.{key}` in plain text, only a note: the key holds {}, not a credential",
                                kind.describe()
                            ),
                        )
                        .with_level(Level::Note),
                    None => {
                        let encoding = if field == "data" {
                            " (base64 is an encoding, not encryption)"
                        } else {
                            ""
                        };
                        view.finding(
                            &META,
                            key_node,
                            format!("{field}.{key}"),
                            format!(
                                "Secret `{namespace}/{name}` holds `{field}.{key}` in plain text{encoding}; anyone who can read the repository can read it"
                            ),
                        )
                    }
                };
                out.push(finding.with_redacted(value.span));
            }
        }
    }
}

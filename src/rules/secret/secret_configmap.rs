//! `secret-configmap`: a credential in a ConfigMap.

use super::is_literal;
use crate::findings::finding::{Finding, Level};
use crate::k8s;
use crate::rules::{Context, ImagePart, ObjectView, Rule, RuleMeta};
use crate::secrets;

pub(crate) struct SecretConfigmap;

static META: RuleMeta = RuleMeta {
    id: "secret-configmap",
    name: "SecretConfigmap",
    level: Level::Error,
    summary: "A ConfigMap holds a credential: a credential-like key with a literal value, or a known token format.",
    hint: "Move the value to a Secret managed outside the repository and reference it; rotate the credential.",
    precision: "high",
    security_severity: "7.0",
    part: ImagePart::Reference,
    shows_source: false,
    online: false,
    doc: include_str!("../../../docs/rules/secret-configmap.md"),
};

impl Rule for SecretConfigmap {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, view: &ObjectView<'_>, _: &Context, out: &mut Vec<Finding>) {
        let object = view.object;
        if object.kind != "ConfigMap" || object.api_version != "v1" {
            return;
        }
        let name = object.name.unwrap_or("(unnamed)");
        for (key_node, key, value) in k8s::entries(object.node.get("data")) {
            if !is_literal(value) {
                continue;
            }
            let text = value.as_str().unwrap_or_default();
            // NOTE: a multi-line or JSON value is a file's content: its keys are not judged by
            // name, only what is a credential wherever it sits counts (a token, a URI with a
            // password, an `Authorization` value).
            let single_value = !text.contains('\n') && !text.trim_start().starts_with(['{', '[']);
            let what = if single_value
                && secrets::is_credential_name(key)
                && secrets::could_be_credential(text)
            {
                "a credential-like key with a literal value".to_string()
            } else if let Some(what) = secrets::credential_in_value(text) {
                what
            } else {
                continue;
            };
            out.push(view.finding(
                &META,
                key_node,
                format!("data.{key}"),
                format!(
                    "ConfigMap `{}/{name}` key `{key}` holds {what}; ConfigMaps are not secret and are readable by far more people and tools",
                    view.namespace
                ),
            )
            .with_redacted(value.span));
        }
    }
}

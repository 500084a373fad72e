//! `secret-env-literal`: a credential written into a container's environment.

use super::is_literal;
use crate::findings::finding::{Finding, Level, Location, Subject};
use crate::k8s;
use crate::rules::options::{OptionsKind, OptionsOf};
use crate::rules::{Context, FileView, ImagePart, ObjectView, Rule, RuleMeta};
use crate::secrets;
use crate::syntax::name_glob::EnvNameGlob;

pub(crate) struct SecretEnvLiteral;

/// `rules.secret-env-literal` options.
#[derive(Debug, Default, serde::Deserialize, serde::Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct Options {
    /// More env var names that hold credentials (case-insensitive; `*` matches any run of
    /// characters), e.g. `*_SIGNING_KEY`.
    #[serde(default, deserialize_with = "crate::rules::options::null_as_default")]
    pub credential_names: Vec<EnvNameGlob>,
    /// Env var names never reported, e.g. `PASSWORD_POLICY`.
    #[serde(default, deserialize_with = "crate::rules::options::null_as_default")]
    pub allowed_names: Vec<EnvNameGlob>,
}

static OPTIONS: OptionsOf<Options> = OptionsOf::new();

static META: RuleMeta = RuleMeta {
    id: "secret-env-literal",
    name: "SecretEnvLiteral",
    level: Level::Error,
    summary: "A container env var with a credential-like name, or a known token format, has a literal value.",
    hint: "Use `valueFrom.secretKeyRef` with a Secret managed outside the repository; rotate the credential.",
    precision: "high",
    security_severity: "7.0",
    part: ImagePart::Reference,
    shows_source: false,
    online: false,
    doc: include_str!("../../../docs/rules/secret-env-literal.md"),
};

impl Rule for SecretEnvLiteral {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn options(&self) -> &'static dyn OptionsKind {
        &OPTIONS
    }

    fn check_object(&self, view: &ObjectView<'_>, ctx: &Context, out: &mut Vec<Finding>) {
        for var in k8s::env_vars(view.object) {
            if !is_literal(var.value) {
                continue;
            }
            let text = var.value.as_str().unwrap_or_default();
            let Some(what) = judge(ctx, var.name, text) else {
                continue;
            };
            let container = var
                .container
                .map_or(String::new(), |c| format!(" of container `{c}`"));
            out.push(view.finding(
                &META,
                var.value_key,
                var.key_path.clone(),
                format!(
                    "env `{}`{container} in {} `{}` holds {what}; it is in the repository and in the pod spec for anyone who can read either",
                    var.name,
                    view.object.kind,
                    view.object.name.unwrap_or("(unnamed)")
                ),
            )
            .with_container(var.container, &var.field_path)
            .with_redacted(var.value.span));
        }
    }

    /// A Compose service's `environment`: the same judgment as a container's env.
    fn check_file(&self, file: &FileView<'_>, ctx: &Context, out: &mut Vec<Finding>) {
        for entry in file.compose_environment {
            if entry.value.trim().is_empty()
                || secrets::is_placeholder(&entry.value)
                || secrets::is_sops_value(&entry.value)
            {
                continue;
            }
            let Some(what) = judge(ctx, &entry.name, &entry.value) else {
                continue;
            };
            let object = crate::uses::ObjectId {
                api_version: "compose".into(),
                kind: "ComposeService".into(),
                namespace: None,
                name: Some(entry.service.clone()),
                generate_name: None,
            };
            out.push(
                Finding::at(
                    &META,
                    Location {
                        file: file.id,
                        span: entry.span,
                    },
                    Subject::Object {
                        object,
                        document: 0,
                        key_path: entry.key_path.clone(),
                        container: None,
                    },
                    format!(
                        "env `{}` of Compose service `{}` holds {what}; it is in the repository for anyone who can read it (pass it through an `env_file` kept out of the repository, or Compose `secrets`)",
                        entry.name, entry.service
                    ),
                )
                .with_redacted(entry.span),
            );
        }
    }
}

/// What a literal env value holds that it should not, if anything: a value for a credential
/// by its name (`DB_PASSWORD`, or a configured name), or a known token format.
fn judge(ctx: &Context, name: &str, value: &str) -> Option<String> {
    let named = |names: &[EnvNameGlob], name: &str| names.iter().any(|n| n.0.is_match(name));
    let options = OPTIONS.get(ctx);
    if named(&options.allowed_names, name) {
        return None;
    }
    if (secrets::is_credential_name(name) || named(&options.credential_names, name))
        && secrets::could_be_credential(value)
    {
        return Some("a literal value for a credential".to_string());
    }
    secrets::credential_in_value(value)
}

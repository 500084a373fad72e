//! `registry-credentials-plaintext`: a docker config with credentials in plain YAML.

use crate::findings::finding::{Finding, Level, Location, Subject};
use crate::k8s;
use crate::rules::{Context, FileView, ImagePart, ObjectView, Rule, RuleMeta};
use crate::secrets;
use crate::syntax::yaml::Node;

pub(crate) struct RegistryCredentialsPlaintext;

static META: RuleMeta = RuleMeta {
    id: "registry-credentials-plaintext",
    name: "RegistryCredentialsPlaintext",
    level: Level::Error,
    summary: "A docker config with registry credentials sits in a Secret, ConfigMap, annotation or env value.",
    hint: "Rotate the registry credential and create the pull secret in the cluster (or through a secrets manager), not in the repository.",
    precision: "very-high",
    security_severity: "8.5",
    part: ImagePart::Reference,
    shows_source: false,
    online: false,
    doc: include_str!("../../../docs/rules/registry-credentials-plaintext.md"),
};

impl Rule for RegistryCredentialsPlaintext {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    /// A workflow job's registry credentials written as a literal.
    fn check_file(&self, file: &FileView<'_>, _: &Context, out: &mut Vec<Finding>) {
        for credential in file.pipeline_credentials {
            let object = crate::uses::ObjectId {
                api_version: "pipeline".into(),
                kind: "Job".into(),
                namespace: None,
                name: Some(credential.job.clone()),
                generate_name: None,
            };
            out.push(
                Finding::at(
                    &META,
                    Location {
                        file: file.id,
                        span: credential.span,
                    },
                    Subject::Object {
                        object,
                        document: 0,
                        key_path: credential.key_path.clone(),
                        container: None,
                    },
                    format!(
                        "job `{}` logs in to its registry with a password written in the workflow (`{}`); anyone who can read the repository has it: use `${{{{ secrets.* }}}}` and rotate it",
                        credential.job, credential.key_path
                    ),
                )
                .with_redacted(credential.span),
            );
        }
    }

    fn check_object(&self, view: &ObjectView<'_>, _: &Context, out: &mut Vec<Finding>) {
        let object = view.object;
        let name = object.name.unwrap_or("(unnamed)");
        // (key node, key path, value, the env entry's container: name and field path)
        type Place<'n> = (
            &'n Node,
            String,
            &'n Node,
            Option<(Option<&'n str>, String)>,
        );
        let mut places: Vec<Place<'_>> = Vec::new();
        let core = object.api_version == "v1";
        if core && object.kind == "Secret" && object.node.get("sops").is_none() {
            for field in ["data", "stringData"] {
                for (key_node, key, value) in k8s::entries(object.node.get(field)) {
                    places.push((key_node, format!("{field}.{key}"), value, None));
                }
            }
        }
        if core && object.kind == "ConfigMap" {
            for (key_node, key, value) in k8s::entries(object.node.get("data")) {
                places.push((key_node, format!("data.{key}"), value, None));
            }
        }
        let annotations = object.node.path(&["metadata", "annotations"]);
        for (key_node, key, value) in k8s::entries(annotations) {
            places.push((key_node, format!("metadata.annotations.{key}"), value, None));
        }
        let env = k8s::env_vars(object);
        for var in &env {
            let container = Some((var.container, var.field_path.clone()));
            places.push((var.value_key, var.key_path.clone(), var.value, container));
        }
        for (key_node, key_path, value, container) in places {
            let Some(config) = value.as_str().and_then(secrets::docker_config_in_value) else {
                continue;
            };
            let hosts: Vec<String> = config.hosts.iter().map(|h| format!("`{h}`")).collect();
            let mut finding = view.finding(
                &META,
                key_node,
                key_path.clone(),
                format!(
                    "{} `{}/{name}` holds registry credentials for {} in plain text at `{key_path}`",
                    object.kind,
                    view.namespace,
                    hosts.join(", ")
                ),
            );
            if let Some((container, field_path)) = &container {
                finding = finding.with_container(*container, field_path);
            }
            out.push(finding.with_redacted(value.span));
        }
    }
}

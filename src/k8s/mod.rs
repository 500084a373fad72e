//! Kubernetes objects, their pod specs and containers.
//!
//! One helper, [`containers`], yields every container (regular, init, ephemeral) of any object
//! with a pod spec, so rules never walk manifests themselves. A field named `image` anywhere else
//! (a ConfigMap value, an operator's setting) is not a container image and is never looked at.

pub(crate) mod admission;
pub(crate) mod inventory;
pub(crate) mod rbac;

use serde::Serialize;

use crate::syntax::yaml::Node;

/// A Kubernetes object: a document (or `List` item) with `apiVersion` and `kind`.
#[derive(Debug, Clone)]
pub struct Object<'a> {
    pub api_version: &'a str,
    pub kind: &'a str,
    pub namespace: Option<&'a str>,
    /// `metadata.name`, or for objects named by the server, `metadata.generateName`.
    pub name: Option<&'a str>,
    pub generate_name: Option<&'a str>,
    /// Where the object is inside its document: empty, or `items[3].` for a `List` item.
    pub item_path: String,
    pub node: &'a Node,
}

/// Whether a document's text is a `CustomResourceDefinition` (a top-level `kind:` line in block
/// style): a schema, never a workload, so it need not be parsed.
pub(crate) fn is_crd_definition(text: &str) -> bool {
    text.lines().any(|line| {
        let Some(value) = line.strip_prefix("kind:") else {
            return false;
        };
        let value = value.split(" #").next().unwrap_or_default().trim();
        value.trim_matches(|c| c == '"' || c == '\'') == "CustomResourceDefinition"
    })
}

/// The objects in one parsed document: the document itself, or the items of a `kind: List`
/// (or `*List`) document.
pub(crate) fn objects(root: &Node) -> Vec<Object<'_>> {
    let mut out = Vec::new();
    collect_objects(root, String::new(), &mut out, 0);
    out
}

fn collect_objects<'a>(node: &'a Node, path: String, out: &mut Vec<Object<'a>>, depth: usize) {
    let Some(mut object) = object(node) else {
        return;
    };
    if let (true, Some(items)) = (
        object.kind.ends_with("List") && depth < 4,
        node.get("items").and_then(Node::items),
    ) {
        for (i, item) in items.iter().enumerate() {
            collect_objects(item, format!("{path}items[{i}]."), out, depth + 1);
        }
        return;
    }
    object.item_path = path;
    out.push(object);
}

/// `node` as an object, if it has a string `apiVersion` and `kind`.
pub(crate) fn object(node: &Node) -> Option<Object<'_>> {
    let api_version = node.get("apiVersion")?.as_str()?;
    let kind = node.get("kind")?.as_str()?;
    let metadata = node.get("metadata");
    let meta = |key| metadata.and_then(|m| m.get(key)).and_then(Node::as_str);
    Some(Object {
        api_version,
        kind,
        namespace: meta("namespace"),
        name: meta("name"),
        generate_name: meta("generateName"),
        item_path: String::new(),
        node,
    })
}

/// A pod spec inside an object, and its field path (`spec.template.spec`).
#[derive(Debug, Clone)]
pub(crate) struct PodSpec<'a> {
    pub node: &'a Node,
    pub path: &'static str,
    /// The object's place in its document (`items[3].` in a `List`).
    pub item_path: String,
}

/// Where pod specs sit, by kind; any other kind is tried at the generic template paths.
const POD_SPEC_PATHS: &[(&str, &[&str], &str)] = &[
    ("Pod", &["spec"], "spec"),
    ("PodTemplate", &["template", "spec"], "template.spec"),
];

const GENERIC_POD_SPEC_PATHS: &[(&[&str], &str)] = &[
    (&["spec", "template", "spec"], "spec.template.spec"),
    (
        &["spec", "jobTemplate", "spec", "template", "spec"],
        "spec.jobTemplate.spec.template.spec",
    ),
    // KEDA ScaledJob.
    (
        &["spec", "jobTargetRef", "template", "spec"],
        "spec.jobTargetRef.template.spec",
    ),
];

/// The pod spec of an object: at its kind's place for `Pod` and `PodTemplate`, and for any kind
/// (Argo Rollout, Knative Service, DeploymentConfig, ...) at `spec.template.spec`,
/// `spec.jobTemplate.spec.template.spec` or (KEDA ScaledJob) `spec.jobTargetRef.template.spec`,
/// when that mapping holds a container list.
pub(crate) fn pod_spec<'a>(object: &Object<'a>) -> Option<PodSpec<'a>> {
    if let Some((_, keys, path)) = POD_SPEC_PATHS.iter().find(|(k, ..)| *k == object.kind) {
        return object
            .node
            .path(keys)
            .filter(|n| n.entries().is_some())
            .map(|node| PodSpec {
                node,
                path,
                item_path: object.item_path.clone(),
            });
    }
    GENERIC_POD_SPEC_PATHS.iter().find_map(|(keys, path)| {
        let node = object.node.path(keys)?;
        let has_containers = ContainerKind::ALL
            .iter()
            .any(|k| node.get(k.field()).and_then(Node::items).is_some());
        has_containers.then(|| PodSpec {
            node,
            path,
            item_path: object.item_path.clone(),
        })
    })
}

/// Which list of the pod spec a container is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContainerKind {
    Init,
    Regular,
    Ephemeral,
}

impl ContainerKind {
    pub const ALL: [ContainerKind; 3] = [
        ContainerKind::Init,
        ContainerKind::Regular,
        ContainerKind::Ephemeral,
    ];

    /// The pod spec field that lists containers of this kind.
    pub fn field(self) -> &'static str {
        match self {
            ContainerKind::Init => "initContainers",
            ContainerKind::Regular => "containers",
            ContainerKind::Ephemeral => "ephemeralContainers",
        }
    }
}

/// One container of a pod spec.
#[derive(Debug, Clone)]
pub(crate) struct Container<'a> {
    pub kind: ContainerKind,
    pub name: Option<&'a str>,
    pub node: &'a Node,
    /// Field path from the object root, e.g. `spec.template.spec.containers[0]`.
    pub field_path: String,
    /// Like `field_path`, with the container's name for its index when it has one
    /// (`spec.template.spec.containers[name=web]`), so reordering keeps identities.
    pub key_path: String,
}

impl<'a> Container<'a> {
    pub(crate) fn image(&self) -> Option<&'a Node> {
        self.node.get("image")
    }

    pub(crate) fn pull_policy(&self) -> Option<&'a str> {
        self.node.get("imagePullPolicy").and_then(Node::as_str)
    }
}

/// The `name:` nodes of a pod spec's or ServiceAccount's `imagePullSecrets` entries that name
/// something.
pub(crate) fn pull_secret_names(node: &Node) -> impl Iterator<Item = &Node> {
    node.get("imagePullSecrets")
        .and_then(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(|entry| entry.get("name"))
        .filter(|name| name.as_str().is_some_and(|s| !s.is_empty()))
}

/// A container env entry with a literal `value`.
#[derive(Debug, Clone)]
pub(crate) struct EnvVar<'a> {
    pub container: Option<&'a str>,
    /// e.g. `spec.template.spec.containers[name=api].env[name=DB_PASSWORD]`.
    pub key_path: String,
    /// The `value` field by index, e.g. `spec.template.spec.containers[0].env[2].value`.
    pub field_path: String,
    pub name: &'a str,
    /// The `value` key (findings about a value point here, never at the value).
    pub value_key: &'a Node,
    pub value: &'a Node,
}

/// Every env entry with a `value` of every container of `object`'s pod spec.
pub(crate) fn env_vars<'a>(object: &Object<'a>) -> Vec<EnvVar<'a>> {
    let Some(pod) = pod_spec(object) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for container in containers(&pod) {
        let entries = container
            .node
            .get("env")
            .and_then(Node::items)
            .unwrap_or_default();
        for (i, entry) in entries.iter().enumerate() {
            let (Some(name), Some(value_key), Some(value)) = (
                entry.get("name").and_then(Node::as_str),
                entry.key("value"),
                entry.get("value"),
            ) else {
                continue;
            };
            out.push(EnvVar {
                container: container.name,
                key_path: format!("{}.env[name={name}]", container.key_path),
                field_path: format!("{}.env[{i}].value", container.field_path),
                name,
                value_key,
                value,
            });
        }
    }
    out
}

/// The `(key node, key, value node)` entries of a mapping such as a Secret's `data`.
pub(crate) fn entries(map: Option<&Node>) -> impl Iterator<Item = (&Node, &str, &Node)> {
    map.and_then(Node::entries)
        .unwrap_or_default()
        .iter()
        .filter_map(|(k, v)| Some((k, k.as_str()?, v)))
}

/// Every container of a pod spec: init containers first, then regular, then ephemeral.
pub(crate) fn containers<'a>(pod: &PodSpec<'a>) -> Vec<Container<'a>> {
    let mut out = Vec::new();
    for kind in ContainerKind::ALL {
        let Some(items) = pod.node.get(kind.field()).and_then(Node::items) else {
            continue;
        };
        for (i, node) in items.iter().enumerate() {
            if node.entries().is_none() {
                continue;
            }
            let name = node.get("name").and_then(Node::as_str);
            let list = format!("{}{}.{}", pod.item_path, pod.path, kind.field());
            out.push(Container {
                kind,
                name,
                node,
                field_path: format!("{list}[{i}]"),
                key_path: match name {
                    Some(name) => format!("{list}[name={name}]"),
                    None => format!("{list}[{i}]"),
                },
            });
        }
    }
    out
}

/// What identifies a Kubernetes object in reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectId {
    pub api_version: String,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generate_name: Option<String>,
}

impl ObjectId {
    pub fn of(object: &Object<'_>) -> Self {
        ObjectId {
            api_version: object.api_version.to_string(),
            kind: object.kind.to_string(),
            namespace: object.namespace.map(str::to_string),
            name: object.name.map(str::to_string),
            generate_name: object.generate_name.map(str::to_string),
        }
    }

    /// A line-independent key: kind, namespace and name; an object without a name is told
    /// apart by its document's place in the file.
    pub fn identity(&self, document: usize) -> String {
        let name = match (&self.name, &self.generate_name) {
            (Some(name), _) => name.clone(),
            (None, Some(prefix)) => format!("{prefix}*#{document}"),
            (None, None) => format!("#{document}"),
        };
        format!(
            "{}/{}/{name}",
            self.kind,
            self.namespace.as_deref().unwrap_or("")
        )
    }
}

#[cfg(test)]
mod tests;

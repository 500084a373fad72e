//! Uses: the image references found in documents and Dockerfiles, with their context.
//!
//! This is the middle of the pipeline (files → documents → objects → **uses** → findings):
//! rules look only at these, never at YAML or Dockerfile syntax. Kubernetes objects, Dockerfiles,
//! kustomize `images:` and Helm values are read here; Compose files in `compose.rs`, CI
//! pipelines (GitHub workflows, GitLab CI) in `ci.rs`.

pub mod ci;
pub mod compose;

use crate::input::diagnostic::Severity;
pub use crate::k8s::ObjectId;
use crate::k8s::{self, ContainerKind, Object};
use crate::syntax::dockerfile::{self, FromBase};
use crate::syntax::image_ref::{ImageRef, ReferenceError};
use crate::syntax::source::Span;
use crate::syntax::yaml::{Node, Value};

/// A part of an image reference, as a rule's concern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImagePart {
    /// The reference as a whole (and rules that are not about images).
    Reference,
    /// The tag or digest.
    Tag,
    /// What a digest pins: the name and the tag together.
    Digest,
    /// The registry and repository.
    Registry,
    /// The pull policy that lets a mutable tag go stale: its own line when the values or the
    /// template set it, else what a digest pins.
    PullPolicy,
}

/// One image reference and where it is used.
#[derive(Debug, Clone)]
pub struct ImageUse {
    /// Index into the scan's files.
    pub file: usize,
    /// The image's text in the file (the YAML scalar, or the FROM image token).
    pub span: Span,
    /// The reference as it is used: the YAML string, or the FROM token after `ARG` substitution.
    pub text: String,
    pub reference: Result<ImageRef, ImageError>,
    pub site: Site,
}

impl ImageUse {
    /// Where a finding about `part` points: for a kustomize entry, the key that sets it
    /// (`newTag` for a `latest` tag, `newName` for a registry); for a values image block, the
    /// key of that part; elsewhere the image itself.
    pub fn span_of(&self, part: ImagePart) -> Span {
        match (&self.site, part) {
            (
                Site::KustomizeImage {
                    new_tag: Some(at), ..
                },
                ImagePart::Tag | ImagePart::Digest,
            )
            | (
                Site::KustomizeImage {
                    new_name: Some(at), ..
                },
                ImagePart::Registry,
            ) => *at,
            (Site::HelmValues(values), ImagePart::Tag) => values.tag,
            (Site::HelmValues(values), ImagePart::Registry) => values.registry,
            (Site::HelmValues(values), ImagePart::Digest) => values.digest,
            (Site::HelmValues(values), ImagePart::PullPolicy) => {
                values.pull_policy_span.unwrap_or(values.tag)
            }
            _ => self.span,
        }
    }
}

/// Why an image value is not a usable reference.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    #[error(transparent)]
    Reference(#[from] ReferenceError),
    /// `image: 1.10` or `image: true`: Kubernetes only takes a string.
    #[error("it is a YAML {0}, not a string, and Kubernetes rejects it (quote the value)")]
    NotAString(&'static str),
}

/// The object and field, or Dockerfile stage, an image is used in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Site {
    Container {
        object: ObjectId,
        /// 0-based place of the object's document in its file.
        document: usize,
        container: Option<String>,
        kind: ContainerKind,
        /// e.g. `spec.template.spec.containers[0].image`
        field_path: String,
        /// Like `field_path` but with the container's name for its index when it has one
        /// (`spec.template.spec.containers[name=web].image`), so reordering keeps identities.
        key_path: String,
        pull_policy: Option<String>,
        /// The pod's credentials for pulling: its namespace (resolved), ServiceAccount
        /// (`default` when unnamed) and whether the pod spec lists `imagePullSecrets`.
        pod: Box<PodAccess>,
    },
    DockerfileFrom {
        stage_index: usize,
        stage_name: Option<String>,
        is_final: bool,
        /// The FROM token as written, when `ARG` substitution changed it.
        written: Option<String>,
    },
    /// An entry of a kustomization's `images:` transformer: the reference it makes.
    KustomizeImage {
        /// The entry's `name` (the images it rewrites).
        name: String,
        /// The `newName` value, when the entry sets the registry and repository.
        new_name: Option<Span>,
        /// The `newTag` value, else the `digest` value, when the entry sets either.
        new_tag: Option<Span>,
    },
    /// An image in a Helm chart's values file, checked without rendering.
    HelmValues(Box<ValuesImage>),
    /// A Compose service's `image`.
    Compose {
        service: String,
        /// `services.web.image`.
        key_path: String,
        /// The value as written, when interpolation (`${TAG:-1.2}`) changed it.
        written: Option<String>,
    },
    /// An image a CI pipeline runs: a GitHub workflow job's `container` or `services`, a
    /// `docker://` step, GitLab CI's `image` and `services`.
    Pipeline {
        /// `jobs.build.container.image`, `test.services[0]`.
        key_path: String,
    },
}

/// An image written in a chart's values: where each part is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValuesImage {
    /// e.g. `controller.image`.
    pub key_path: String,
    pub tag: Span,
    pub registry: Span,
    /// What a digest finding covers: from the repository key to the tag value.
    pub digest: Span,
    /// Whether the values say which registry: a `registry` key, `global.imageRegistry` or a
    /// host in the repository. When not, the template supplies it and only the rendered
    /// image can be judged.
    pub registry_written: bool,
    /// Whether the values say which tag (or digest), the chart's `appVersion` included.
    pub tag_written: bool,
    pub pull_policy: Option<String>,
    /// Where the pull policy is written.
    pub pull_policy_span: Option<Span>,
    /// The image block (from its first key to its last value), when the image is one.
    pub block: Option<Span>,
    /// The tag is the chart's `appVersion` (the values leave it empty and a template reads
    /// `.Chart.AppVersion`).
    pub tag_from_app_version: bool,
}

/// How a pod authenticates its pulls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodAccess {
    pub namespace: String,
    pub service_account: String,
    pub has_pull_secrets: bool,
}

impl Site {
    /// A line-independent key for fingerprints.
    pub fn identity(&self) -> String {
        match self {
            Site::Container {
                object,
                document,
                key_path,
                ..
            } => format!("{}|{key_path}", object.identity(*document)),
            Site::DockerfileFrom {
                stage_index,
                stage_name,
                ..
            } => format!("FROM|{stage_index}|{}", stage_name.as_deref().unwrap_or("")),
            Site::KustomizeImage { name, .. } => format!("images[name={name}]"),
            Site::HelmValues(values) => format!("values|{}", values.key_path),
            Site::Compose { key_path, .. } => format!("compose|{key_path}"),
            Site::Pipeline { key_path } => format!("pipeline|{key_path}"),
        }
    }

    /// Whether this use decides `part` of the reference. A kustomize `images:` entry that
    /// sets only `newTag` leaves the registry to the base manifest, and one that sets only
    /// `newName` leaves the tag; the base's own findings cover what it leaves.
    ///
    /// A values image decides only what its values write: a template may add a registry or
    /// a tag, which only the rendered image shows.
    pub fn decides(&self, part: ImagePart) -> bool {
        match (self, part) {
            (Site::KustomizeImage { new_tag, .. }, ImagePart::Tag | ImagePart::Digest) => {
                new_tag.is_some()
            }
            (Site::KustomizeImage { new_name, .. }, ImagePart::Registry) => new_name.is_some(),
            (
                Site::HelmValues(values),
                ImagePart::Tag | ImagePart::Digest | ImagePart::PullPolicy,
            ) => values.tag_written,
            // An `images:` entry sets no pull policy.
            (Site::KustomizeImage { .. }, ImagePart::PullPolicy) => false,
            (Site::HelmValues(values), ImagePart::Registry) => values.registry_written,
            (Site::HelmValues(values), ImagePart::Reference) => {
                values.tag_written && values.registry_written
            }
            _ => true,
        }
    }

    pub fn pull_policy(&self) -> Option<&str> {
        match self {
            Site::Container { pull_policy, .. } => pull_policy.as_deref(),
            Site::HelmValues(values) => values.pull_policy.as_deref(),
            Site::DockerfileFrom { .. }
            | Site::KustomizeImage { .. }
            | Site::Compose { .. }
            | Site::Pipeline { .. } => None,
        }
    }
}

/// The image uses of one Kubernetes object, in document `document` of file `file`; objects
/// without a namespace are in `default_namespace`.
pub fn object_images(
    file: usize,
    document: usize,
    object: &Object<'_>,
    default_namespace: &str,
    out: &mut Vec<ImageUse>,
) {
    let Some(pod) = k8s::pod_spec(object) else {
        return;
    };
    let access = PodAccess {
        namespace: object.namespace.unwrap_or(default_namespace).to_string(),
        service_account: pod
            .node
            .get("serviceAccountName")
            .or_else(|| pod.node.get("serviceAccount"))
            .and_then(Node::as_str)
            .filter(|s| !s.is_empty())
            .unwrap_or("default")
            .to_string(),
        has_pull_secrets: k8s::pull_secret_names(pod.node).next().is_some(),
    };
    for container in k8s::containers(&pod) {
        // NOTE: no `image` (or `image: null`) is common in kustomize patches; nothing to check.
        let Some(node) = container.image().filter(|n| !n.is_null()) else {
            continue;
        };
        // NOTE: `image: auto` is Istio's placeholder for a gateway or sidecar image its
        // injector fills in at admission; there is no reference to judge.
        if node.as_str() == Some("auto") {
            continue;
        }
        let (text, reference) = match image_value(node) {
            Ok(text) => {
                let reference = ImageRef::parse(&text).map_err(ImageError::from);
                (text, reference)
            }
            Err((shown, error)) => (shown, Err(error)),
        };
        out.push(ImageUse {
            file,
            span: node.span,
            reference,
            text,
            site: Site::Container {
                object: ObjectId::of(object),
                document,
                container: container.name.map(str::to_string),
                kind: container.kind,
                field_path: format!("{}.image", container.field_path),
                key_path: format!("{}.image", container.key_path),
                pull_policy: container.pull_policy().map(str::to_string),
                pod: Box::new(access.clone()),
            },
        });
    }
}

/// The text of an image value (not null): `Ok` for a string, else what it shows as and why it
/// is not a reference (`image: 1.10` is a number to YAML).
pub(crate) fn image_value(node: &Node) -> Result<String, (String, ImageError)> {
    match &node.value {
        Value::String(text) => Ok(text.clone()),
        Value::Number(text) => Err((text.clone(), ImageError::NotAString("number"))),
        Value::Bool(b) => Err((b.to_string(), ImageError::NotAString("boolean"))),
        Value::Seq(_) => Err(("[…]".into(), ImageError::NotAString("sequence"))),
        Value::Map(_) => Err(("{…}".into(), ImageError::NotAString("mapping"))),
        Value::Null => Err(("null".into(), ImageError::NotAString("null"))),
    }
}

/// What a Dockerfile's FROM lines use: images, and the notes for what cannot be resolved.
pub struct DockerfileUses {
    pub images: Vec<ImageUse>,
    /// FROM lines that are not checked, and why.
    pub notes: Vec<(Span, Severity, String)>,
}

pub fn dockerfile_images(file: usize, text: &str) -> DockerfileUses {
    let parsed = dockerfile::parse(text);
    let last = parsed.stages.len().saturating_sub(1);
    let mut out = DockerfileUses {
        images: Vec::new(),
        notes: Vec::new(),
    };
    let mut unresolved_reported = Vec::new();
    for from in &parsed.stages {
        let span = Span::from(from.image_span.clone());
        match &from.base {
            FromBase::Image(image) => out.images.push(ImageUse {
                file,
                span,
                reference: ImageRef::parse(image).map_err(ImageError::from),
                text: image.clone(),
                site: Site::DockerfileFrom {
                    stage_index: from.stage_index,
                    stage_name: from.stage_name.clone(),
                    is_final: from.stage_index == last,
                    written: (from.image_written != *image).then(|| from.image_written.clone()),
                },
            }),
            FromBase::Unresolved { variable } => {
                if !unresolved_reported.contains(variable) {
                    unresolved_reported.push(variable.clone());
                    out.notes.push((
                        span,
                        Severity::Note,
                        format!(
                            "FROM `{}` uses `${variable}`, which has no value before the first FROM; the image is not checked (give it a default, `ARG {variable}=...`, to check it)",
                            from.image_written
                        ),
                    ));
                }
            }
            FromBase::Malformed(why) => {
                out.notes
                    .push((span, Severity::Warning, format!("FROM line skipped: {why}")))
            }
            FromBase::Stage(_) | FromBase::Scratch => {}
        }
    }
    out
}

/// The file names kustomize reads.
pub const KUSTOMIZATION_NAMES: [&str; 3] =
    ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// The image references a kustomization's `images:` entries produce. An entry that sets
/// neither `newName`, `newTag` nor `digest` changes nothing and is skipped.
pub fn kustomize_images(file: usize, root: &Node, out: &mut Vec<ImageUse>) {
    let entries = root.get("images").and_then(Node::items).unwrap_or_default();
    for entry in entries {
        let (Some(name_node), Some(name)) =
            (entry.get("name"), entry.get("name").and_then(Node::as_str))
        else {
            continue;
        };
        let new_name = entry
            .get("newName")
            .filter(|n| n.as_str().is_some_and(|s| !s.is_empty()));
        let digest = entry
            .get("digest")
            .filter(|n| n.as_str().is_some_and(|s| !s.is_empty()));
        let new_tag = entry
            .get("newTag")
            .filter(|n| n.as_str().is_some_and(|s| !s.is_empty()));
        if new_name.is_none() && digest.is_none() && new_tag.is_none() {
            continue;
        }
        let mut text = new_name.and_then(Node::as_str).unwrap_or(name).to_string();
        // NOTE: kustomize 5 (kubectl 1.27 and later) writes `name:tag@digest` when both are
        // given; a digest alone replaces the base's tag (`name@digest`).
        if let Some(tag) = new_tag.and_then(Node::as_str) {
            text.push_str(&format!(":{tag}"));
        }
        if let Some(digest) = digest.and_then(Node::as_str) {
            text.push_str(&format!("@{digest}"));
        }
        let reference = ImageRef::parse(&text).map_err(ImageError::from);
        // An invalid result is reported at the value that breaks it: `newName` when that
        // alone does not parse, else the tag or digest that was added.
        let culprit = if reference.is_ok() {
            None
        } else if new_name
            .and_then(Node::as_str)
            .is_some_and(|n| ImageRef::parse(n).is_err())
        {
            new_name
        } else {
            digest.or(new_tag)
        };
        out.push(ImageUse {
            file,
            span: culprit.unwrap_or(name_node).span,
            reference,
            text,
            site: Site::KustomizeImage {
                name: name.to_string(),
                new_name: new_name.map(|n| n.span),
                new_tag: new_tag.or(digest).map(|n| n.span),
            },
        });
    }
}

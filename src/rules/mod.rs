//! The rule catalog: every rule's metadata and check, in one table.
//!
//! A rule is one file (`src/rules/<family>/<id as snake_case>.rs`, or `src/rules/<id>.rs` for
//! a rule of no family) with a unit struct implementing [`Rule`], one line in [`ALL`], its page
//! `docs/rules/<id>.md` and its fixtures `fixtures/rules/<id>/`. A meta-test checks that all
//! four exist for every rule. Families are folders whose rules share helpers: `image/`,
//! `pull_secret/`, `secret/`, `admission/`.

mod admission;
mod image;
mod online;
pub mod options;
mod pipeline;
mod pull_secret;
mod rbac_secrets_broad;
mod secret;
pub mod unused_suppression;

use std::sync::Arc;

use crate::findings::finding::Finding;
use crate::k8s::Object;
use crate::k8s::inventory::Inventory;
use crate::online::OnlineFacts;
use crate::syntax::image_ref::ImageRef;
use crate::syntax::registry::RegistryPattern;
use crate::uses::ImageUse;

pub use crate::findings::meta::{DOCS_BASE, RuleMeta};
pub use crate::uses::ImagePart;

/// What rules may consult besides what they look at: the options of the scan.
#[derive(Debug, Clone)]
pub struct Context {
    /// `--allowed-registry` patterns; empty when no allow-list is configured.
    pub allowed_registries: Vec<RegistryPattern>,
    /// Registries whose pulls the nodes authenticate (no pull secret needed).
    pub node_credential_registries: Vec<RegistryPattern>,
    /// The namespace of objects that do not name one (`--namespace`).
    pub default_namespace: String,
    /// Registries `image-registry-public` treats as public (default: the well-known list).
    pub public_registries: Vec<RegistryPattern>,
    /// Registries (or repositories) known to need credentials (`registries.private`,
    /// `--private-registry`): `pull-secret-missing` is an error for them, a warning for
    /// registries that are neither public nor private.
    pub private_registries: Vec<RegistryPattern>,
    /// Who may sign which images (`registries.signers`), for `image-signature-untrusted`.
    pub signers: Vec<Signer>,
    /// The rules' own options that the configuration set (each rule reads its own through
    /// its `OptionsOf` static; unset ones are the rule's defaults).
    pub options: options::SetOptions,
}

/// Public keys trusted to sign the images a pattern matches.
#[derive(Debug, Clone)]
pub struct Signer {
    pub images: Vec<RegistryPattern>,
    pub keys: Vec<crate::online::cosign::PublicKey>,
    /// Where it is configured, for messages (`.imagegate.yaml:12`).
    pub origin: String,
}

/// Registries that authenticate pulls through the node's identity (ECR, ACR, Artifact
/// Registry, GCR): pods need no pull secret for them.
///
/// NOTE: Artifact Registry hosts are `LOCATION-docker.pkg.dev`; `*` is a whole label, so the
/// pattern is `*.pkg.dev` (every `pkg.dev` host is Artifact Registry). Being a pattern, it is
/// replaced with the rest of the list by `registries.node-credentials`.
pub const NODE_CREDENTIAL_REGISTRIES: &[&str] = &[
    "*.dkr.ecr.*.amazonaws.com",
    "*.azurecr.io",
    "*.pkg.dev",
    "gcr.io",
    "*.gcr.io",
];

/// How the kubelet can pull an image, as far as the configuration tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PullAccess<'a> {
    /// The nodes authenticate (a node-credential registry): no pull secret is needed, even for
    /// a registry declared private.
    NodeCredentials,
    /// Known to need credentials, and why.
    Private(PrivateEvidence<'a>),
    /// A public registry: anonymous pulls work.
    Public,
    /// Neither public nor known to be private: it may or may not need credentials.
    Unknown,
}

/// Why a registry is known to need credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrivateEvidence<'a> {
    /// A `registries.private` (`--private-registry`) pattern matches the image.
    Declared(&'a RegistryPattern),
    /// The registry refused an anonymous request for the image (`--online`).
    RefusedAnonymous,
}

impl Default for Context {
    fn default() -> Self {
        Context {
            allowed_registries: Vec::new(),
            node_credential_registries: NODE_CREDENTIAL_REGISTRIES
                .iter()
                .filter_map(|p| RegistryPattern::parse(p).ok())
                .collect(),
            default_namespace: "default".to_string(),
            public_registries: crate::syntax::registry::WELL_KNOWN_PUBLIC
                .iter()
                .filter_map(|p| RegistryPattern::parse(p).ok())
                .collect(),
            private_registries: Vec::new(),
            signers: Vec::new(),
            options: options::SetOptions::default(),
        }
    }
}

impl Context {
    /// Whether `image` is in a registry configured (or known) as public. Registries are
    /// compared by their canonical name, so Docker Hub's aliases (`index.docker.io`,
    /// `registry-1.docker.io`, `registry.hub.docker.com`) are `docker.io`.
    pub fn is_public(&self, image: &ImageRef) -> bool {
        self.public_registries.iter().any(|p| p.matches(image))
    }

    /// How the nodes can pull `image`: the node-credential list first (the kubelet
    /// authenticates whatever the registry requires), then `registries.private` (which wins
    /// over the public list, so a private repository on a public registry can be declared),
    /// then the public list.
    pub fn pull_access(&self, image: &ImageRef) -> PullAccess<'_> {
        if self
            .node_credential_registries
            .iter()
            .any(|p| p.matches(image))
        {
            return PullAccess::NodeCredentials;
        }
        if let Some(pattern) = self.private_registries.iter().find(|p| p.matches(image)) {
            return PullAccess::Private(PrivateEvidence::Declared(pattern));
        }
        if self.is_public(image) {
            return PullAccess::Public;
        }
        PullAccess::Unknown
    }
}

/// A Kubernetes object as the per-object hook sees it.
pub struct ObjectView<'a> {
    pub object: &'a Object<'a>,
    pub file: usize,
    pub document: usize,
    /// Its namespace, or the default one.
    pub namespace: &'a str,
}

impl ObjectView<'_> {
    /// A finding of `rule` about the field `key_path` of this object, at `at` (a key node:
    /// findings about values that must not be shown point at their key).
    pub fn finding(
        &self,
        rule: &'static RuleMeta,
        at: &crate::syntax::yaml::Node,
        key_path: String,
        message: String,
    ) -> Finding {
        Finding::at(
            rule,
            crate::findings::finding::Location {
                file: self.file,
                span: at.span,
            },
            crate::findings::finding::Subject::Object {
                object: crate::uses::ObjectId::of(self.object),
                document: self.document,
                key_path,
                container: None,
            },
            message,
        )
    }
}

/// A file as the per-file hook sees it.
pub struct FileView<'a> {
    pub id: usize,
    /// As shown in reports (`/`-separated).
    pub path: &'a str,
    pub text: &'a str,
    /// The literal `environment` entries of its Compose services, when it is a Compose file.
    pub compose_environment: &'a [crate::uses::compose::EnvEntry],
    /// The literal registry passwords of its jobs, when it is a GitHub workflow.
    pub pipeline_credentials: &'a [crate::uses::ci::LiteralCredential],
    /// What its steps do, when it is a pipeline (a GitHub workflow, GitLab CI).
    pub pipeline: Option<&'a crate::uses::ci::PipelineFacts>,
}

/// What the scan-wide hook sees: every image use and every fact of every file, and what the
/// registries said (`--online`).
pub struct ScanFacts<'a> {
    pub images: &'a [Arc<ImageUse>],
    pub inventory: &'a Inventory,
    pub online: Option<&'a OnlineFacts>,
}

impl ScanFacts<'_> {
    /// [`Context::pull_access`], with the registry's answer to an anonymous request when it
    /// was asked: served is public, refused is private. Node credentials and a declared
    /// private registry stay as configured.
    pub fn pull_access<'c>(&self, ctx: &'c Context, image: &ImageRef) -> PullAccess<'c> {
        let configured = ctx.pull_access(image);
        if matches!(
            configured,
            PullAccess::NodeCredentials | PullAccess::Private(_)
        ) {
            return configured;
        }
        match self
            .online
            .and_then(|o| o.of(image))
            .and_then(|f| f.anonymous)
        {
            Some(true) => PullAccess::Public,
            Some(false) => PullAccess::Private(PrivateEvidence::RefusedAnonymous),
            None => configured,
        }
    }
}

/// A check. Rules override the hooks for what they look at: one image use, one object, one
/// file's text (per file, in parallel), or the whole scan (after every file is read).
pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;

    /// The rule's options (`rules.<id>` keys besides `level`): none unless it declares some.
    fn options(&self) -> &'static dyn options::OptionsKind {
        &NO_OPTIONS
    }

    fn check_image(&self, _image: &Arc<ImageUse>, _ctx: &Context, _out: &mut Vec<Finding>) {}

    fn check_object(&self, _object: &ObjectView<'_>, _ctx: &Context, _out: &mut Vec<Finding>) {}

    fn check_file(&self, _file: &FileView<'_>, _ctx: &Context, _out: &mut Vec<Finding>) {}

    fn check_scan(&self, _scan: &ScanFacts<'_>, _ctx: &Context, _out: &mut Vec<Finding>) {}
}

static NO_OPTIONS: options::OptionsOf<options::NoOptions> = options::OptionsOf::new();

/// The rule with this id.
pub fn find(id: &str) -> Option<&'static dyn Rule> {
    ALL.iter().copied().find(|rule| rule.meta().id == id)
}

/// Whether `id` names a rule (what suppression comments and annotations are checked against).
pub fn is_rule(id: &str) -> bool {
    find(id).is_some()
}

/// Every rule, in catalog order.
pub static ALL: &[&dyn Rule] = &[
    &image::image_reference_invalid::ImageReferenceInvalid,
    &image::image_tag_latest::ImageTagLatest,
    &image::image_tag_missing::ImageTagMissing,
    &image::image_digest_missing::ImageDigestMissing,
    &image::image_registry_implicit::ImageRegistryImplicit,
    &image::image_registry_public::ImageRegistryPublic,
    &image::image_registry_not_allowed::ImageRegistryNotAllowed,
    &image::image_pull_policy_mutable::ImagePullPolicyMutable,
    &pull_secret::pull_secret_missing::PullSecretMissing,
    &pull_secret::pull_secret_wrong_type::PullSecretWrongType,
    &pull_secret::pull_secret_namespace_mismatch::PullSecretNamespaceMismatch,
    &secret::secret_plaintext::SecretPlaintext,
    &secret::registry_credentials_plaintext::RegistryCredentialsPlaintext,
    &secret::secret_env_literal::SecretEnvLiteral,
    &secret::secret_configmap::SecretConfigmap,
    &secret::registry_password_cli::RegistryPasswordCli,
    &pipeline::image_push_unscanned::ImagePushUnscanned,
    &pipeline::image_push_unsigned::ImagePushUnsigned,
    &pipeline::registry_login_static::RegistryLoginStatic,
    &rbac_secrets_broad::RbacSecretsBroad,
    &admission::image_signature_unverified::ImageSignatureUnverified,
    &admission::registry_policy_missing::RegistryPolicyMissing,
    &image::base_image_not_minimal::BaseImageNotMinimal,
    &online::image_not_found::ImageNotFound,
    &online::image_unsigned::ImageUnsigned,
    &online::image_signature_untrusted::ImageSignatureUntrusted,
    &online::image_unscanned::ImageUnscanned,
    &online::image_digest_outdated::ImageDigestOutdated,
    &unused_suppression::UnusedSuppression,
];

/// Run the image hooks on every use.
pub fn check_images(images: &[Arc<ImageUse>], ctx: &Context, out: &mut Vec<Finding>) {
    for image in images {
        for rule in ALL {
            // A kustomize `images:` entry answers only for the parts it sets.
            if image.site.decides(rule.meta().part) {
                rule.check_image(image, ctx, out);
            }
        }
    }
}

/// Run the object hooks on one object.
pub fn check_object(object: &ObjectView<'_>, ctx: &Context, out: &mut Vec<Finding>) {
    for rule in ALL {
        rule.check_object(object, ctx, out);
    }
}

/// Run the file hooks on one file.
pub fn check_file(file: &FileView<'_>, ctx: &Context, out: &mut Vec<Finding>) {
    for rule in ALL {
        rule.check_file(file, ctx, out);
    }
}

/// Run the scan-wide hooks.
pub fn check_scan(scan: &ScanFacts<'_>, ctx: &Context, out: &mut Vec<Finding>) {
    for rule in ALL {
        rule.check_scan(scan, ctx, out);
    }
}

/// `image` in backticks for messages, as used.
pub(crate) fn quoted(image: &ImageUse) -> String {
    format!("`{}`", image.text)
}

#[cfg(test)]
mod tests;

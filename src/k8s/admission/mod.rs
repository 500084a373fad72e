//! Admission policies found among the scanned objects: which ones verify image signatures (and
//! for which images), and which ones restrict the registries images may be pulled from.
//!
//! Two rules build on this module, statically and offline: `image-signature-unverified` asks
//! whether any policy in the scanned set would verify the signature of an image
//! ([`signing_policy`], [`SigningPolicy::covers`]), and `registry-policy-missing` asks whether
//! any policy restricts registries at all ([`registry_policy`]).
//!
//! Signature verification is recognised in:
//!
//! * Kyverno `ClusterPolicy`/`Policy` `verifyImages` rules (`kyverno.io`);
//! * Kyverno `ImageValidatingPolicy` and `NamespacedImageValidatingPolicy`
//!   (`policies.kyverno.io`);
//! * Sigstore policy-controller `ClusterImagePolicy` (`policy.sigstore.dev`);
//! * Connaisseur, as the `connaisseur-config` ConfigMap its Helm chart renders (v2 and v3) or
//!   the `ImagePolicy` resource of its older charts (`connaisseur.policy`);
//! * Ratify, as a Gatekeeper `RatifyVerification` constraint;
//! * OpenShift `ClusterImagePolicy`/`ImagePolicy` (`config.openshift.io`).
//!
//! Registry restrictions are recognised in Gatekeeper `K8sAllowedRepos`, `K8sAllowedReposv2`
//! and `K8sDisallowedRepos` constraints (and constraints whose kind names allowed registries or
//! images), Kyverno `validate` rules whose patterns or conditions constrain an image's registry,
//! and the CEL validations of Kyverno `ValidatingPolicy`/`ImageValidatingPolicy` and Kubernetes
//! `ValidatingAdmissionPolicy` objects.
//!
//! Every engine matches its image patterns its own way, against its own spelling of the image
//! name, and [`SigningPolicy::covers`] reproduces each one (see [`PatternSyntax`]): a Kyverno
//! pattern written for `docker.io/...` covers `nginx`, a policy-controller glob written for
//! `docker.io/...` does not. The research behind each one is cited where it is implemented.
//!
//! A policy counts whatever its mode: `enforcing` says whether it blocks admission or only
//! reports (Kyverno `Audit`, Gatekeeper `dryrun`, policy-controller `warn`), so that a rule can
//! say "audit only". What no manifest shows is not modelled: namespace opt-in labels
//! (policy-controller), match/exclude clauses, Kyverno's `defaultRegistry` setting,
//! `ValidatingAdmissionPolicyBinding`s, and whether the admission controller is installed.
//!
//! Nothing here panics on input: every field is optional, and a pattern an engine would reject
//! matches nothing.

use crate::k8s::Object;
use crate::syntax::image_ref::ImageRef;
use crate::syntax::source::Span;
use crate::syntax::yaml::{Limits, Node, Value, load_stream};

mod kyverno;
mod matching;
mod ratify_openshift;
mod sigstore;
use kyverno::*;
use matching::*;
use ratify_openshift::*;
use sigstore::*;

/// An admission policy that verifies image signatures, and which images it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningPolicy {
    /// What kind of policy this is, e.g. "Kyverno ClusterPolicy", "Sigstore ClusterImagePolicy",
    /// "Kyverno ImageValidatingPolicy", "Connaisseur policy", "Ratify (Gatekeeper constraint)".
    pub kind: &'static str,
    /// `metadata.name` (or "" if none).
    pub name: String,
    /// Image globs as written in the policy, those of every verifying rule merged. Empty with
    /// `covers_all = true` means every image (Ratify verifies all images; a CEL matcher that
    /// imagegate cannot evaluate is taken as covering all, and `note` says so).
    pub patterns: Vec<String>,
    /// The policy applies to every image, whatever `patterns` says.
    pub covers_all: bool,
    /// The policy blocks admission (Kyverno `Enforce`, `validationActions: [Deny]`, Gatekeeper
    /// `deny`, policy-controller `enforce`); `false` means it only audits or warns. True when
    /// the manifest does not tell.
    pub enforcing: bool,
    /// A caveat worth showing next to the policy: a CEL matcher taken as covering all, or
    /// globs that can never match in the engine that reads them.
    pub note: Option<String>,
    /// Span to point at: the policy object's `kind:` value.
    pub span: Span,
    /// How the engine matches `rules`' patterns.
    pub syntax: PatternSyntax,
    /// The policy's image-selecting rules, in order, including those that select images
    /// without verifying them (a Connaisseur `static` validator, for instance), since they
    /// decide what the verifying ones apply to.
    pub rules: Vec<ImageRule>,
}

/// One image-selecting rule of a policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRule {
    /// Patterns selecting images, as written.
    pub patterns: Vec<String>,
    /// Patterns exempting images from the rule (Kyverno `skipImageReferences`).
    pub skip: Vec<String>,
    /// Images the rule selects have their signatures (or signed attestations) verified.
    pub verifies: bool,
}

/// How a policy engine matches an image against a pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatternSyntax {
    /// Kyverno `verifyImages`: `*` matches any run of characters (`/` included), `?` one
    /// character, against Kyverno's own spelling of the image: registry as written
    /// (`docker.io` when none), and a tag (`latest` by default) or digest.
    KyvernoWildcard,
    /// Kyverno `ImageValidatingPolicy` `matchImageReferences[].glob` (gobwas/glob without
    /// separators: `*` crosses `/`, `?`, `[a-z]`, `{a,b}`), against the image as written.
    KyvernoGlob,
    /// Sigstore policy-controller `images[].glob`: `*` does not cross `/`, `**` does, against
    /// the fully qualified digest reference (`index.docker.io/library/nginx@sha256:...`).
    SigstoreGlob,
    /// Connaisseur `policy[].pattern`: a gobwas glob wrapped in `*...*`, against
    /// `index.docker.io/library/nginx:latest`; only the most specific matching rule applies.
    Connaisseur,
    /// OpenShift `scopes`: a fully expanded reference, a repository, namespace or registry
    /// prefix, or `*.domain` for the registry's subdomains.
    OpenShiftScope,
    /// The policy has no patterns (Ratify verifies every image).
    None,
}

/// An admission policy that restricts which registries images may come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryPolicy {
    /// What kind of policy this is, e.g. "Gatekeeper K8sAllowedRepos", "Kyverno ClusterPolicy",
    /// "ValidatingAdmissionPolicy".
    pub kind: &'static str,
    /// `metadata.name` (or "" if none).
    pub name: String,
    /// The policy blocks admission rather than only auditing; true when the manifest does not
    /// tell (a `ValidatingAdmissionPolicy` acts through its bindings).
    pub enforcing: bool,
    /// A caveat worth showing next to the policy (a deny-list rather than an allow-list, a
    /// policy that needs a binding to act).
    pub note: Option<String>,
    /// Span to point at: the policy object's `kind:` value.
    pub span: Span,
}

/// The signing policy an object defines, if it is one. A Kyverno policy can have several
/// rules: their patterns are merged into one [`SigningPolicy`] per object.
pub(crate) fn signing_policy(object: &Object<'_>) -> Option<SigningPolicy> {
    match (api_group(object.api_version), object.kind) {
        ("kyverno.io", "ClusterPolicy") => kyverno_verify_images(object, "Kyverno ClusterPolicy"),
        ("kyverno.io", "Policy") => kyverno_verify_images(object, "Kyverno Policy"),
        ("policies.kyverno.io", "ImageValidatingPolicy") => {
            kyverno_ivp(object, "Kyverno ImageValidatingPolicy")
        }
        ("policies.kyverno.io", "NamespacedImageValidatingPolicy") => {
            kyverno_ivp(object, "Kyverno NamespacedImageValidatingPolicy")
        }
        ("policy.sigstore.dev", "ClusterImagePolicy") => sigstore(object),
        ("config.openshift.io", "ClusterImagePolicy") => {
            openshift(object, "OpenShift ClusterImagePolicy")
        }
        ("config.openshift.io", "ImagePolicy") => openshift(object, "OpenShift ImagePolicy"),
        ("connaisseur.policy", "ImagePolicy") => connaisseur_resource(object),
        ("", "ConfigMap") => connaisseur_config_map(object),
        ("constraints.gatekeeper.sh", "RatifyVerification") => ratify(object),
        _ => None,
    }
}

/// The registry restriction an object defines, if it is one.
pub(crate) fn registry_policy(object: &Object<'_>) -> Option<RegistryPolicy> {
    match (api_group(object.api_version), object.kind) {
        ("kyverno.io", "ClusterPolicy") => kyverno_validate(object, "Kyverno ClusterPolicy"),
        ("kyverno.io", "Policy") => kyverno_validate(object, "Kyverno Policy"),
        ("policies.kyverno.io", "ValidatingPolicy") => {
            cel_policy(object, "Kyverno ValidatingPolicy")
        }
        ("policies.kyverno.io", "NamespacedValidatingPolicy") => {
            cel_policy(object, "Kyverno NamespacedValidatingPolicy")
        }
        ("policies.kyverno.io", "ImageValidatingPolicy") => {
            cel_policy(object, "Kyverno ImageValidatingPolicy")
        }
        ("policies.kyverno.io", "NamespacedImageValidatingPolicy") => {
            cel_policy(object, "Kyverno NamespacedImageValidatingPolicy")
        }
        ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy") => {
            cel_policy(object, "ValidatingAdmissionPolicy")
        }
        ("constraints.gatekeeper.sh", _) => gatekeeper_repos(object),
        _ => None,
    }
}

impl SigningPolicy {
    /// Whether the policy verifies `image` (the reference as written in the pod spec), matching
    /// the patterns the way its engine does (see [`PatternSyntax`]).
    pub fn covers(&self, image: &ImageRef) -> bool {
        if self.covers_all {
            return true;
        }
        match self.syntax {
            PatternSyntax::None => false,
            PatternSyntax::Connaisseur => connaisseur_covers(&self.rules, image),
            PatternSyntax::OpenShiftScope => self.rules.iter().any(|rule| {
                rule.verifies && rule.patterns.iter().any(|s| openshift_scope(s, image))
            }),
            syntax => {
                let subjects = subjects(syntax, image);
                self.rules.iter().filter(|rule| rule.verifies).any(|rule| {
                    subjects.iter().any(|subject| {
                        rule.patterns.iter().any(|p| matches(syntax, p, subject))
                            && !rule.skip.iter().any(|p| matches(syntax, p, subject))
                    })
                })
            }
        }
    }

    /// The pattern that came closest to `image`: the longest common prefix with the name the
    /// engine matches (e.g. `index.docker.io/library/nginx@sha256:...` for policy-controller),
    /// for a message like "closest policy: Kyverno ClusterPolicy `verify-images`
    /// (`ghcr.io/acme/*`)". `None` when the policy has no patterns.
    pub fn closest_pattern(&self, image: &ImageRef) -> Option<&str> {
        let mut subjects = subjects(self.syntax, image);
        subjects.push(image.full());
        let mut best: Option<(usize, &str)> = None;
        for pattern in &self.patterns {
            let score = subjects
                .iter()
                .map(|s| common_prefix(pattern, s))
                .max()
                .unwrap_or(0);
            if best.is_none_or(|(b, _)| score > b) {
                best = Some((score, pattern));
            }
        }
        best.map(|(_, p)| p)
    }
}

#[cfg(test)]
mod tests;

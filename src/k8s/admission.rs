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

// ---------------------------------------------------------------------------------------------
// Kyverno ClusterPolicy / Policy

/// Kyverno `verifyImages` rules.
///
/// <https://kyverno.io/docs/policy-types/cluster-policy/verify-images>: each entry matches
/// `imageReferences` (or the deprecated `image`), minus `skipImageReferences`, and verifies
/// them with `attestors` and/or `attestations` (or the deprecated `key`/`roots`/`subject`/
/// `issuer`, which Kyverno converts into attestors). An entry with none of those only checks
/// digests (`verifyDigest`/`mutateDigest`), which is not a signature check (Kyverno's
/// `imageVerifier.verifyImage` returns early when there is no attestor). The entry's
/// `failureAction` (newer releases) overrides the policy's `validationFailureAction`, whose
/// default is `Audit`; in `Audit` mode a failed verification is reported, not blocked.
fn kyverno_verify_images(object: &Object<'_>, kind: &'static str) -> Option<SigningPolicy> {
    let spec = object.node.get("spec")?;
    let default_enforce = spec.get("validationFailureAction").is_some_and(is_enforce);
    let admission = spec.get("admission").and_then(as_bool) != Some(false);
    let mut rules = Vec::new();
    let (mut enforcing, mut auditing) = (false, false);
    for rule in items(spec.get("rules")) {
        for entry in items(rule.get("verifyImages")) {
            let mut patterns = strings(entry.get("imageReferences"));
            patterns.extend(text(entry.get("image")).map(str::to_string));
            if patterns.is_empty() {
                continue;
            }
            let verifies = !items(entry.get("attestors")).is_empty()
                || !items(entry.get("attestations")).is_empty()
                || ["key", "roots", "subject", "issuer"]
                    .iter()
                    .any(|k| text(entry.get(k)).is_some_and(|s| !s.trim().is_empty()));
            if verifies {
                let enforce = entry
                    .get("failureAction")
                    .map_or(default_enforce, is_enforce);
                if enforce && admission {
                    enforcing = true;
                } else {
                    auditing = true;
                }
            }
            rules.push(ImageRule {
                patterns,
                skip: strings(entry.get("skipImageReferences")),
                verifies,
            });
        }
    }
    let mut notes = Vec::new();
    if !admission {
        notes.push("`spec.admission: false`: Kyverno applies it in background scans only".into());
    } else if enforcing && auditing {
        notes.push("some of its `verifyImages` rules only audit".into());
    }
    finish_signing(
        object,
        kind,
        PatternSyntax::KyvernoWildcard,
        rules,
        false,
        enforcing,
        notes,
    )
}

/// Kyverno `validate` rules that constrain an image's registry.
///
/// <https://kyverno.io/docs/policy-types/cluster-policy/validate>: a `pattern`/`anyPattern`
/// (also inside `foreach`) with `image: "registry.example.com/*"`, a `deny` condition on
/// `{{ images.containers.*.registry }}` or `{{ element.image }}`, or a `cel` expression. A
/// rule's `validate.failureAction` overrides the policy's `validationFailureAction` (default
/// `Audit`).
fn kyverno_validate(object: &Object<'_>, kind: &'static str) -> Option<RegistryPolicy> {
    let spec = object.node.get("spec")?;
    let default_enforce = spec.get("validationFailureAction").is_some_and(is_enforce);
    let admission = spec.get("admission").and_then(as_bool) != Some(false);
    let mut found = false;
    let mut enforcing = false;
    for rule in items(spec.get("rules")) {
        let Some(validate) = rule.get("validate") else {
            continue;
        };
        if restricts_registry(validate, 0) {
            found = true;
            enforcing |= validate
                .get("failureAction")
                .map_or(default_enforce, is_enforce);
        }
    }
    found.then(|| RegistryPolicy {
        kind,
        name: name_of(object),
        enforcing: enforcing && admission,
        note: (!admission)
            .then(|| "`spec.admission: false`: Kyverno applies it in background scans only".into()),
        span: kind_span(object),
    })
}

/// Whether a Kyverno `validate` block (walked whole) constrains an image's registry.
fn restricts_registry(node: &Node, depth: usize) -> bool {
    if depth > 64 {
        return false;
    }
    match &node.value {
        Value::Map(entries) => {
            if node.get("key").is_some() && node.get("operator").is_some() {
                return condition_restricts_registry(node);
            }
            entries.iter().any(|(key, value)| match key.as_str() {
                Some("image") => text(Some(value)).is_some_and(pattern_restricts_registry),
                Some("expression") => text(Some(value)).is_some_and(cel_restricts_registry),
                Some("message") => false,
                _ => restricts_registry(value, depth + 1),
            })
        }
        Value::Seq(items) => items.iter().any(|n| restricts_registry(n, depth + 1)),
        _ => false,
    }
}

/// A Kyverno `image:` pattern value that names registries: an alternative (`a | b`) whose
/// first path component is a host (`ghcr.io/*`, `*.gcr.io/*`, `localhost:5000/*`) or a literal
/// Docker Hub namespace (`myorg/*`), or a literal prefix with a dot (`ghcr.io*`). Tag and
/// digest checks (`*:*`, `!*:latest`, `*@sha256:*`) are not registry restrictions.
fn pattern_restricts_registry(value: &str) -> bool {
    value.split('|').any(|alternative| {
        let alt = alternative.trim().trim_start_matches('!').trim();
        match alt.split_once('/') {
            Some((first, _)) => {
                !first.is_empty()
                    && (first.contains(['.', ':'])
                        || first == "localhost"
                        || !first.contains(['*', '?']))
            }
            None => alt
                .split(['*', '?'])
                .next()
                .is_some_and(|prefix| prefix.contains('.')),
        }
    })
}

/// A Kyverno condition (`key`/`operator`/`value`) about an image's registry.
fn condition_restricts_registry(condition: &Node) -> bool {
    let key = text(condition.get("key"))
        .unwrap_or_default()
        .to_ascii_lowercase();
    if !(key.contains("image") || key.contains("registry"))
        || key.contains(".tag")
        || key.contains(".digest")
    {
        return false;
    }
    if key.contains("registry") {
        return true;
    }
    let mut values = strings(condition.get("value"));
    values.extend(text(condition.get("value")).map(str::to_string));
    values.iter().any(|v| {
        let lower = v.to_ascii_lowercase();
        pattern_restricts_registry(v) || lower.contains("registr") || lower.contains("repo")
    })
}

/// A CEL expression that constrains container images' registries: it reads an `image` field
/// (not `imagePullPolicy`) and compares it by prefix, pattern or registry
/// (`c.image.startsWith('registry.example.com/')`, `image(c.image).registry()`,
/// `c.image.matches(...)`, a parameter list of allowed registries or repositories). Tag
/// checks such as `!c.image.endsWith(':latest')` are not.
fn cel_restricts_registry(expression: &str) -> bool {
    let lower = expression.to_ascii_lowercase();
    let mentions_image = lower.match_indices("image").any(|(i, _)| {
        !lower[i + 5..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
    });
    mentions_image
        && ["startswith(", "registr", "matches(", "repo"]
            .iter()
            .any(|k| lower.contains(k))
}

// ---------------------------------------------------------------------------------------------
// Kyverno ImageValidatingPolicy, ValidatingPolicy; Kubernetes ValidatingAdmissionPolicy

/// Kyverno `ImageValidatingPolicy`.
///
/// <https://kyverno.io/docs/policy-types/image-validating-policy/>: `matchImageReferences`
/// holds `glob` or `expression` (CEL) entries (`imageRules` with `glob`/`cel` in early
/// v1alpha1); none means every image (`pkg/cel/matching/image.go`: `MatchImage` returns true
/// for an empty list). Globs are compiled with `github.com/gobwas/glob` without separators and
/// matched against the images extracted from the pod as written
/// (`pkg/imageverification/evaluator/policy.go`). Signatures are checked through `attestors`
/// used by `verifyImageSignatures`/`verifyAttestationSignatures` in `validations`.
fn kyverno_ivp(object: &Object<'_>, kind: &'static str) -> Option<SigningPolicy> {
    let spec = object.node.get("spec")?;
    let validations = items(spec.get("validations"));
    let verifies = !items(spec.get("attestors")).is_empty()
        || validations.iter().any(|v| {
            text(v.get("expression")).is_some_and(|e| {
                e.contains("verifyImageSignatures") || e.contains("verifyAttestationSignatures")
            })
        });
    if !verifies {
        return None;
    }
    let refs = match spec.get("matchImageReferences") {
        Some(node) => items(Some(node)),
        None => items(spec.get("imageRules")),
    };
    let globs: Vec<String> = refs
        .iter()
        .filter_map(|r| text(r.get("glob")))
        .map(str::to_string)
        .collect();
    let expressions: Vec<&str> = refs
        .iter()
        .filter_map(|r| text(r.get("expression")).or_else(|| text(r.get("cel"))))
        .collect();
    let mut notes = Vec::new();
    if let Some(first) = expressions.first() {
        notes.push(format!(
            "selects images with a CEL expression (`{}`) that imagegate cannot evaluate, so it \
             is taken as covering every image",
            first.trim()
        ));
    }
    let background_only = spec
        .path(&["evaluation", "admission", "enabled"])
        .and_then(as_bool)
        == Some(false);
    if background_only {
        notes.push("`evaluation.admission.enabled: false`: background scans only".into());
    }
    let enforcing = validation_actions_deny(spec) && !background_only;
    let covers_all = refs.is_empty() || !expressions.is_empty();
    let rules = vec![ImageRule {
        patterns: globs,
        skip: Vec::new(),
        verifies: true,
    }];
    finish_signing(
        object,
        kind,
        PatternSyntax::KyvernoGlob,
        rules,
        covers_all,
        enforcing,
        notes,
    )
}

/// A CEL policy (`ValidatingAdmissionPolicy`, Kyverno `ValidatingPolicy` or
/// `ImageValidatingPolicy`) whose validations constrain image registries.
///
/// <https://kubernetes.io/docs/reference/access-authn-authz/validating-admission-policy/>: a
/// `ValidatingAdmissionPolicy` acts only through a `ValidatingAdmissionPolicyBinding`, whose
/// `validationActions` say whether it denies; it is counted as enforcing. Kyverno's CEL
/// policies carry `validationActions` themselves.
fn cel_policy(object: &Object<'_>, kind: &'static str) -> Option<RegistryPolicy> {
    let spec = object.node.get("spec")?;
    let variables: Vec<(&str, &str)> = items(spec.get("variables"))
        .iter()
        .filter_map(|v| Some((text(v.get("name"))?, text(v.get("expression"))?)))
        .collect();
    let restricts = items(spec.get("validations")).iter().any(|v| {
        let Some(expression) = text(v.get("expression")) else {
            return false;
        };
        cel_restricts_registry(expression)
            || variables.iter().any(|(name, var)| {
                expression.contains(&format!("variables.{name}")) && cel_restricts_registry(var)
            })
    });
    if !restricts {
        return None;
    }
    let vap = kind == "ValidatingAdmissionPolicy";
    Some(RegistryPolicy {
        kind,
        name: name_of(object),
        enforcing: vap || validation_actions_deny(spec),
        note: vap.then(|| {
            "acts only through a ValidatingAdmissionPolicyBinding (with `validationActions: \
             [Deny]` to block)"
                .into()
        }),
        span: kind_span(object),
    })
}

/// `spec.validationActions` includes `Deny`, or is absent (unknown: taken as enforcing).
fn validation_actions_deny(spec: &Node) -> bool {
    match spec.get("validationActions") {
        None => true,
        Some(actions) => {
            let actions = strings(Some(actions));
            actions.is_empty() || actions.iter().any(|a| a.eq_ignore_ascii_case("deny"))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Sigstore policy-controller

/// Sigstore policy-controller `ClusterImagePolicy`.
///
/// <https://docs.sigstore.dev/policy-controller/overview>: every policy whose `images[].glob`
/// matches an image must be satisfied, and within a policy any one authority suffices. An
/// authority is `key`, `keyless` or `static` (`action: pass|fail`): a `static: {action: pass}`
/// authority admits matching images without any signature, so a policy with one does not
/// verify. `mode: warn` turns failures into warnings (default `enforce`).
fn sigstore(object: &Object<'_>) -> Option<SigningPolicy> {
    let spec = object.node.get("spec")?;
    let globs: Vec<String> = items(spec.get("images"))
        .iter()
        .filter_map(|i| text(i.get("glob")))
        .map(str::to_string)
        .collect();
    let authorities = items(spec.get("authorities"));
    let passes_statically = authorities.iter().any(|a| {
        text(a.path(&["static", "action"])).is_some_and(|act| act.eq_ignore_ascii_case("pass"))
    });
    let verifies = !passes_statically && authorities.iter().any(|a| a.get("static").is_none());
    if !verifies || globs.is_empty() {
        return None;
    }
    let enforcing = !text(spec.get("mode")).is_some_and(|m| m.eq_ignore_ascii_case("warn"));
    let notes = globs.iter().filter_map(|g| sigstore_glob_note(g)).collect();
    let rules = vec![ImageRule {
        patterns: globs,
        skip: Vec::new(),
        verifies: true,
    }];
    finish_signing(
        object,
        "Sigstore ClusterImagePolicy",
        PatternSyntax::SigstoreGlob,
        rules,
        false,
        enforcing,
        notes,
    )
}

/// Why a policy-controller glob can never match a workload image, if it cannot.
fn sigstore_glob_note(glob: &str) -> Option<String> {
    if !glob.chars().all(sigstore_glob_char) {
        return Some(format!(
            "glob `{glob}` is not valid for policy-controller (letters, digits and `-_:/*.@` only)"
        ));
    }
    if glob.starts_with("docker.io/") {
        return Some(format!(
            "glob `{glob}` never matches: policy-controller spells Docker Hub images \
             `index.docker.io/...`"
        ));
    }
    if !glob.contains('/') && !glob.starts_with('*') {
        return Some(format!(
            "glob `{glob}` never matches: policy-controller matches fully qualified names such \
             as `index.docker.io/library/nginx`"
        ));
    }
    let last = glob.rsplit('/').next().unwrap_or(glob);
    let names_tag = last
        .match_indices(':')
        .any(|(i, _)| i > 0 && !last[..i].ends_with('*'));
    names_tag.then(|| {
        format!(
            "glob `{glob}` names a tag, but policy-controller matches the digest the tag \
             resolves to (`repo@sha256:...`)"
        )
    })
}

fn sigstore_glob_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-_:/*.@".contains(c)
}

/// A policy-controller glob match, as `pkg/apis/glob/glob.go` does it: `*` alone means
/// `index.docker.io/library/*` and `*/*` means `index.docker.io/*/*`; then `**` matches any run
/// and `*` any run without `/`, anchored at both ends. A glob with characters outside
/// `[A-Za-z0-9-_:/*.@]` is rejected (matches nothing).
fn sigstore_glob(glob: &str, subject: &str) -> bool {
    let glob = match glob {
        "*" => "index.docker.io/library/*",
        "*/*" => "index.docker.io/*/*",
        other => other,
    };
    if glob.is_empty() || !glob.chars().all(sigstore_glob_char) {
        return false;
    }
    let mut tokens = Vec::new();
    let mut chars = glob.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '*' {
            if chars.peek() == Some(&'*') {
                chars.next();
                tokens.push(Token::Any);
            } else {
                tokens.push(Token::AnyButSlash);
            }
        } else {
            tokens.push(Token::Literal(c));
        }
    }
    match_tokens(&tokens, subject)
}

/// The name policy-controller matches: `ref.Name()` of go-containerregistry's
/// `name.ParseReference`, where Docker Hub is `index.docker.io` (`pkg/name/registry.go`
/// rewrites `docker.io`) and official images get `library/`.
///
/// The validating webhook calls `GetMatchingPolicies(ref.Name(), ...)` on the pod as mutated
/// by policy-controller's own webhook, which resolves every tag to a digest first (and the
/// validator rejects an image that is not a digest: sigstore/policy-controller#558), so the
/// name is `registry/repo@sha256:...`, the tag dropped (`Digest.Name()` in
/// `pkg/name/digest.go`; sigstore/policy-controller#1824 keeps the tag in the pod but not in
/// that name). An image written without a digest gets a placeholder one.
fn sigstore_name(image: &ImageRef) -> String {
    let digest = image.digest.as_deref().unwrap_or(PLACEHOLDER_DIGEST);
    format!("{}/{}@{digest}", ggcr_registry(image), image.repository)
}

const PLACEHOLDER_DIGEST: &str =
    "sha256:0000000000000000000000000000000000000000000000000000000000000000";

/// go-containerregistry's registry name: `docker.io` is `index.docker.io`.
fn ggcr_registry(image: &ImageRef) -> &str {
    if image.registry == "docker.io" {
        "index.docker.io"
    } else {
        &image.registry
    }
}

// ---------------------------------------------------------------------------------------------
// Connaisseur

/// Connaisseur's configuration as its Helm chart (v2 and v3) renders it: a ConfigMap
/// (`connaisseur-config`) whose `config.yaml` holds `validators` and `policy`
/// (`helm/templates/config.yaml`, `internal/config/config.go` in
/// sse-secure-systems/connaisseur). The Helm values file itself is not a Kubernetes object and
/// is not seen here.
fn connaisseur_config_map(object: &Object<'_>) -> Option<SigningPolicy> {
    let config = text(object.node.path(&["data", "config.yaml"]))?;
    let docs = load_stream(config, Limits::default());
    let root = docs.into_iter().next()?.root.ok()??;
    let validators: Vec<(String, String)> = items(root.get("validators"))
        .iter()
        .filter_map(|v| {
            Some((
                text(v.get("name"))?.to_string(),
                text(v.get("type")).unwrap_or_default().to_string(),
            ))
        })
        .collect();
    let policy = items(root.get("policy"));
    if root.get("validators").is_none() || policy.is_empty() {
        return None;
    }
    connaisseur(object, policy, Some(&validators))
}

/// The `ImagePolicy` resource of Connaisseur's older charts (`connaisseur.policy/v1`,
/// `helm/templates/policy.yaml`): `spec.rules[]` with `pattern` and either `verify: bool` (v1)
/// or a `validator` name (v2) whose definition lives elsewhere.
fn connaisseur_resource(object: &Object<'_>) -> Option<SigningPolicy> {
    let rules = items(object.node.path(&["spec", "rules"]));
    connaisseur(object, rules, None)
}

/// Connaisseur rules (<https://sse-secure-systems.github.io/connaisseur/latest/basics/>): each
/// names a validator (`default` when none); a `static` validator admits or denies without
/// checking signatures. Only the most specific matching rule applies to an image, so
/// non-verifying rules are kept: they can shadow a broader verifying one.
fn connaisseur(
    object: &Object<'_>,
    policy: &[Node],
    validators: Option<&[(String, String)]>,
) -> Option<SigningPolicy> {
    let mut guessed = false;
    let rules: Vec<ImageRule> = policy
        .iter()
        .filter_map(|rule| {
            let pattern = text(rule.get("pattern"))?.to_string();
            let verifies = if let Some(verify) = rule.get("verify").and_then(as_bool) {
                verify
            } else {
                let validator = text(rule.get("validator")).unwrap_or("default");
                match validators {
                    Some(list) => list
                        .iter()
                        .find(|(name, _)| name == validator)
                        .is_some_and(|(_, kind)| kind != "static"),
                    None => {
                        guessed = true;
                        validator != "allow" && validator != "deny"
                    }
                }
            };
            Some(ImageRule {
                patterns: vec![pattern],
                skip: Vec::new(),
                verifies,
            })
        })
        .collect();
    let notes = if guessed {
        vec![
            "its validators are defined elsewhere: rules naming `allow` or `deny` are taken as \
             static (no signature check), all others as verifying"
                .to_string(),
        ]
    } else {
        Vec::new()
    };
    finish_signing(
        object,
        "Connaisseur policy",
        PatternSyntax::Connaisseur,
        rules,
        false,
        true,
        notes,
    )
}

/// Whether the Connaisseur rule that applies to `image` verifies it, as
/// `Config.MatchingRule` does (`internal/config/config.go`): the name is `img.Name()`
/// (`internal/image/image.go`: go-containerregistry context, `:tag` with `latest` by default,
/// `@digest`), registry hosts are lower-cased, each pattern is wrapped in `*...*` unless it
/// already starts/ends with `*`, compiled with gobwas/glob, and among matching rules the most
/// specific wins (`internal/policy/match.go`); no match means the image is denied.
fn connaisseur_covers(rules: &[ImageRule], image: &ImageRef) -> bool {
    let name = fold_host(&connaisseur_name(image));
    let mut best: Option<(Specificity, bool)> = None;
    for rule in rules {
        for pattern in &rule.patterns {
            if pattern.is_empty() {
                continue;
            }
            let mut glob = fold_host(pattern);
            if !glob.starts_with('*') {
                glob.insert(0, '*');
            }
            if !glob.ends_with('*') {
                glob.push('*');
            }
            if !gobwas_glob(&glob, &name) {
                continue;
            }
            let candidate = Specificity::new(pattern, &name);
            // `match.Compare(bestMatch)`: on a tie the later rule wins.
            if best
                .as_ref()
                .is_none_or(|(current, _)| !current.beats(&candidate))
            {
                best = Some((candidate, rule.verifies));
            }
        }
    }
    best.is_some_and(|(_, verifies)| verifies)
}

fn connaisseur_name(image: &ImageRef) -> String {
    let mut name = format!("{}/{}", ggcr_registry(image), image.repository);
    match (&image.tag, &image.digest) {
        (Some(tag), _) => {
            name.push(':');
            name.push_str(tag);
        }
        (None, None) => name.push_str(":latest"),
        (None, Some(_)) => {}
    }
    if let Some(digest) = &image.digest {
        name.push('@');
        name.push_str(digest);
    }
    name
}

/// Lower-case the registry host of a reference or pattern (a first component with `.` or `:`,
/// or `localhost`), as Connaisseur's `foldHost` does.
fn fold_host(reference: &str) -> String {
    match reference.split_once('/') {
        Some((host, rest))
            if host.contains(['.', ':']) || host.eq_ignore_ascii_case("localhost") =>
        {
            format!("{}/{rest}", host.to_ascii_lowercase())
        }
        _ => reference.to_string(),
    }
}

/// How specific a Connaisseur pattern is for an image (`policy.NewMatch`).
struct Specificity {
    lengths: Vec<usize>,
    prefixes: Vec<usize>,
}

impl Specificity {
    fn new(pattern: &str, image: &str) -> Self {
        let image: Vec<&str> = image.split('/').collect();
        let components: Vec<&str> = pattern.split('/').collect();
        Specificity {
            lengths: components.iter().map(|c| c.len()).collect(),
            prefixes: components
                .iter()
                .enumerate()
                .map(|(i, c)| common_prefix(c, image.get(i).copied().unwrap_or("")))
                .collect(),
        }
    }

    /// `self` is strictly more specific than `other` (`Match.Compare`): more components; then,
    /// left to right, a longer common prefix with the image's component; then a longer
    /// component.
    fn beats(&self, other: &Specificity) -> bool {
        if self.lengths.len() != other.lengths.len() {
            return self.lengths.len() > other.lengths.len();
        }
        for (a, b) in self.prefixes.iter().zip(&other.prefixes) {
            if a != b {
                return a > b;
            }
        }
        for (a, b) in self.lengths.iter().zip(&other.lengths) {
            if a != b {
                return a > b;
            }
        }
        false
    }
}

// ---------------------------------------------------------------------------------------------
// Ratify, OpenShift

/// Ratify's Gatekeeper constraint (kind `RatifyVerification`, from the `ratifyverification`
/// ConstraintTemplate of <https://notaryproject.github.io/ratify/library/default/template.yaml>):
/// it sends every container image of the matched resources to Ratify, so it covers all images.
/// Gatekeeper's `enforcementAction` decides whether it blocks.
fn ratify(object: &Object<'_>) -> Option<SigningPolicy> {
    let enforcing = gatekeeper_enforcing(object.node.get("spec"));
    finish_signing(
        object,
        "Ratify (Gatekeeper constraint)",
        PatternSyntax::None,
        Vec::new(),
        true,
        enforcing,
        Vec::new(),
    )
}

/// OpenShift `ClusterImagePolicy`/`ImagePolicy` (`config.openshift.io`): sigstore
/// verification by the nodes' container runtime for the images in `spec.scopes`
/// (<https://docs.okd.io/latest/nodes/nodes-sigstore-using.html>). It always enforces.
fn openshift(object: &Object<'_>, kind: &'static str) -> Option<SigningPolicy> {
    let scopes = strings(object.node.path(&["spec", "scopes"]));
    if scopes.is_empty() {
        return None;
    }
    let rules = vec![ImageRule {
        patterns: scopes,
        skip: Vec::new(),
        verifies: true,
    }];
    finish_signing(
        object,
        kind,
        PatternSyntax::OpenShiftScope,
        rules,
        false,
        true,
        Vec::new(),
    )
}

/// An OpenShift scope: a fully expanded reference with tag or digest
/// (`docker.io/library/busybox:latest`), a repository, namespace or registry prefix
/// (component-wise), or `*.example.com` for every subdomain of a registry host (port not
/// included).
fn openshift_scope(scope: &str, image: &ImageRef) -> bool {
    let name = format!("{}/{}", image.registry, image.repository);
    if let Some(domain) = scope.strip_prefix("*.") {
        let host = image.registry.split(':').next().unwrap_or_default();
        return host
            .strip_suffix(domain)
            .is_some_and(|sub| sub.ends_with('.') && sub.len() > 1);
    }
    let tagged = format!("{name}:{}", image.tag.as_deref().unwrap_or("latest"));
    let digested = image.digest.as_ref().map(|d| format!("{name}@{d}"));
    scope == tagged
        || digested.as_deref() == Some(scope)
        || scope == name
        || name
            .strip_prefix(scope)
            .is_some_and(|rest| rest.starts_with('/'))
}

// ---------------------------------------------------------------------------------------------
// Gatekeeper

/// Gatekeeper constraints that restrict image sources, from the gatekeeper-library
/// (<https://open-policy-agent.github.io/gatekeeper-library/website/validation/allowedrepos>):
/// `K8sAllowedRepos` (`parameters.repos`, prefixes), `K8sAllowedReposv2`
/// (`parameters.allowedImages`, globs), `K8sDisallowedRepos` (a deny-list), and other
/// constraint kinds whose names say they allow registries or images (Azure Policy's
/// `K8sAzureV2ContainerAllowedImages`, for instance). A ConstraintTemplate alone does
/// nothing and is not counted.
fn gatekeeper_repos(object: &Object<'_>) -> Option<RegistryPolicy> {
    let (kind, note) = match object.kind {
        "K8sAllowedRepos" => ("Gatekeeper K8sAllowedRepos", None),
        "K8sAllowedReposv2" => ("Gatekeeper K8sAllowedReposv2", None),
        "K8sDisallowedRepos" => (
            "Gatekeeper K8sDisallowedRepos",
            Some("a deny-list: images from any registry it does not name are admitted".into()),
        ),
        other => {
            let lower = other.to_ascii_lowercase();
            let named = [
                "allowedrepo",
                "allowedregistr",
                "trustedregistr",
                "approvedregistr",
                "allowedimage",
                "trustedimage",
            ]
            .iter()
            .any(|k| lower.contains(k));
            if !named {
                return None;
            }
            (
                "Gatekeeper constraint",
                Some(format!("constraint kind `{other}`")),
            )
        }
    };
    Some(RegistryPolicy {
        kind,
        name: name_of(object),
        enforcing: gatekeeper_enforcing(object.node.get("spec")),
        note,
        span: kind_span(object),
    })
}

/// Gatekeeper `spec.enforcementAction`: `deny` (the default) blocks; `dryrun` and `warn` do
/// not; `scoped` blocks where a `scopedEnforcementActions` entry says `deny`.
fn gatekeeper_enforcing(spec: Option<&Node>) -> bool {
    let Some(spec) = spec else {
        return true;
    };
    let action = text(spec.get("enforcementAction")).unwrap_or("deny");
    if action.eq_ignore_ascii_case("scoped") {
        return items(spec.get("scopedEnforcementActions"))
            .iter()
            .any(|s| text(s.get("action")).is_some_and(|a| a.eq_ignore_ascii_case("deny")));
    }
    action.eq_ignore_ascii_case("deny")
}

// ---------------------------------------------------------------------------------------------
// Matching

/// The names an engine matches patterns against, for one image.
fn subjects(syntax: PatternSyntax, image: &ImageRef) -> Vec<String> {
    match syntax {
        PatternSyntax::KyvernoWildcard => kyverno_names(image),
        PatternSyntax::KyvernoGlob => vec![image.written.clone()],
        PatternSyntax::SigstoreGlob => vec![sigstore_name(image)],
        PatternSyntax::Connaisseur => vec![connaisseur_name(image)],
        PatternSyntax::OpenShiftScope => vec![image.full()],
        PatternSyntax::None => Vec::new(),
    }
}

fn matches(syntax: PatternSyntax, pattern: &str, subject: &str) -> bool {
    match syntax {
        PatternSyntax::KyvernoWildcard => kyverno_wildcard(pattern, subject),
        PatternSyntax::KyvernoGlob | PatternSyntax::Connaisseur => gobwas_glob(pattern, subject),
        PatternSyntax::SigstoreGlob => sigstore_glob(pattern, subject),
        PatternSyntax::OpenShiftScope | PatternSyntax::None => false,
    }
}

/// The names Kyverno matches `verifyImages` patterns against: `ImageInfo.String()`
/// (`pkg/utils/image/infos.go`), built by `reference.Parse` after `addDefaultRegistry`, so the
/// registry is kept as written (`index.docker.io` stays, `docker.io` when none) and followed
/// by `@digest` when there is one (the tag dropped), else `:tag` (`latest` by default).
/// Kyverno releases differ on one point: newer ones prefix a one-component path with
/// `library/` whatever the registry (`docker.io/library/nginx:latest`), older ones do not
/// (`docker.io/nginx:latest`, as in the Kyverno 1.x tests). Both spellings are tried.
fn kyverno_names(image: &ImageRef) -> Vec<String> {
    let registry = if image.registry_implied {
        "docker.io"
    } else {
        image.written.split('/').next().unwrap_or(&image.registry)
    };
    let path = if image.library_implied {
        image
            .repository
            .strip_prefix("library/")
            .unwrap_or(&image.repository)
    } else {
        &image.repository
    };
    let suffix = match (&image.digest, &image.tag) {
        (Some(digest), _) => format!("@{digest}"),
        (None, Some(tag)) => format!(":{tag}"),
        (None, None) => ":latest".to_string(),
    };
    let mut names = vec![format!("{registry}/{path}{suffix}")];
    if !path.contains('/') {
        names.push(format!("{registry}/library/{path}{suffix}"));
    }
    names
}

/// Kyverno's wildcard match (`pkg/utils/wildcard` and `ext/wildcard`): `*` matches any run of
/// characters, `/` included, `?` exactly one; no escapes or classes; the whole name must
/// match. (Releases that used `github.com/IGLOU-EU/go-wildcard/v2` unmodified also took `.` as
/// a one-character wildcard, which only ever matches more.)
fn kyverno_wildcard(pattern: &str, name: &str) -> bool {
    let tokens: Vec<Token> = pattern
        .chars()
        .map(|c| match c {
            '*' => Token::Any,
            '?' => Token::One,
            c => Token::Literal(c),
        })
        .collect();
    match_tokens(&tokens, name)
}

/// A `github.com/gobwas/glob` match compiled without separators, as Kyverno's
/// `ImageValidatingPolicy` and Connaisseur use it: `*` (and `**`) match any run, `?` one
/// character, `[abc]`/`[a-z]`/`[!...]` a class, `{a,b}` alternatives, `\` escapes. A pattern
/// gobwas would reject (an unclosed `[` or `{`) matches nothing.
fn gobwas_glob(pattern: &str, name: &str) -> bool {
    let chars: Vec<char> = pattern.chars().collect();
    let mut pos = 0;
    let Some(alternatives) = parse_glob(&chars, &mut pos, false, 0) else {
        return false;
    };
    pos == chars.len() && alternatives.iter().any(|tokens| match_tokens(tokens, name))
}

/// Most alternatives a `{a,b}` pattern may expand to before it is given up on.
const MAX_ALTERNATIVES: usize = 256;

/// Parse a glob sequence up to the end, or (inside braces) up to `,` or `}`, expanding
/// alternatives.
fn parse_glob(
    chars: &[char],
    pos: &mut usize,
    in_braces: bool,
    depth: usize,
) -> Option<Vec<Vec<Token>>> {
    if depth > 16 {
        return None;
    }
    let mut out: Vec<Vec<Token>> = vec![Vec::new()];
    while let Some(&c) = chars.get(*pos) {
        let token = match c {
            ',' | '}' if in_braces => break,
            '\\' => {
                *pos += 1;
                Token::Literal(*chars.get(*pos)?)
            }
            '*' => {
                while chars.get(*pos + 1) == Some(&'*') {
                    *pos += 1;
                }
                Token::Any
            }
            '?' => Token::One,
            '[' => parse_class(chars, pos)?,
            '{' => {
                *pos += 1;
                let mut alternatives = Vec::new();
                loop {
                    alternatives.extend(parse_glob(chars, pos, true, depth + 1)?);
                    match chars.get(*pos) {
                        Some(',') => *pos += 1,
                        Some('}') => break,
                        _ => return None,
                    }
                }
                *pos += 1;
                if out.len().saturating_mul(alternatives.len()) > MAX_ALTERNATIVES {
                    return None;
                }
                out = out
                    .iter()
                    .flat_map(|head| {
                        alternatives.iter().map(move |tail| {
                            let mut joined = head.clone();
                            joined.extend(tail.iter().cloned());
                            joined
                        })
                    })
                    .collect();
                continue;
            }
            c => Token::Literal(c),
        };
        *pos += 1;
        for tokens in &mut out {
            tokens.push(token.clone());
        }
    }
    Some(out)
}

/// Parse `[...]` at `pos`, leaving `pos` on the closing `]`.
fn parse_class(chars: &[char], pos: &mut usize) -> Option<Token> {
    *pos += 1;
    let negated = chars.get(*pos) == Some(&'!');
    if negated {
        *pos += 1;
    }
    let mut ranges = Vec::new();
    loop {
        let mut c = *chars.get(*pos)?;
        if c == ']' {
            break;
        }
        if c == '\\' {
            *pos += 1;
            c = *chars.get(*pos)?;
        }
        let mut hi = c;
        if chars.get(*pos + 1) == Some(&'-') && chars.get(*pos + 2).is_some_and(|&e| e != ']') {
            hi = *chars.get(*pos + 2)?;
            *pos += 2;
        }
        ranges.push((c, hi));
        *pos += 1;
    }
    (!ranges.is_empty()).then_some(Token::Class { negated, ranges })
}

/// One element of a compiled pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Literal(char),
    /// Any one character.
    One,
    /// Any run of characters, possibly empty.
    Any,
    /// Any run of characters other than `/`, possibly empty.
    AnyButSlash,
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

/// Whether `tokens` match the whole of `name`, by simulating the pattern as an automaton: time
/// is proportional to pattern length times name length, whatever the pattern.
fn match_tokens(tokens: &[Token], name: &str) -> bool {
    let skip_runs = |states: &mut Vec<bool>| {
        for i in 0..tokens.len() {
            if states[i] && matches!(tokens[i], Token::Any | Token::AnyButSlash) {
                states[i + 1] = true;
            }
        }
    };
    let mut states = vec![false; tokens.len() + 1];
    states[0] = true;
    skip_runs(&mut states);
    for c in name.chars() {
        let mut next = vec![false; tokens.len() + 1];
        for (i, token) in tokens.iter().enumerate() {
            if !states[i] {
                continue;
            }
            match token {
                Token::Literal(l) if *l == c => next[i + 1] = true,
                Token::One => next[i + 1] = true,
                Token::Any => next[i] = true,
                Token::AnyButSlash if c != '/' => next[i] = true,
                Token::Class { negated, ranges } => {
                    let inside = ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi);
                    if inside != *negated {
                        next[i + 1] = true;
                    }
                }
                _ => {}
            }
        }
        skip_runs(&mut next);
        if !next.contains(&true) {
            return false;
        }
        states = next;
    }
    states[tokens.len()]
}

// ---------------------------------------------------------------------------------------------
// Helpers

/// The API group of an `apiVersion` ("" for the core group's `v1`).
fn api_group(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(group, _)| group)
}

fn name_of(object: &Object<'_>) -> String {
    object.name.unwrap_or_default().to_string()
}

fn kind_span(object: &Object<'_>) -> Span {
    object.node.get("kind").map(|k| k.span).unwrap_or_default()
}

fn text(node: Option<&Node>) -> Option<&str> {
    node.and_then(Node::as_str)
}

fn as_bool(node: &Node) -> Option<bool> {
    match &node.value {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

fn items(node: Option<&Node>) -> &[Node] {
    node.and_then(Node::items).unwrap_or_default()
}

/// The strings of a sequence (other items skipped).
fn strings(node: Option<&Node>) -> Vec<String> {
    items(node)
        .iter()
        .filter_map(Node::as_str)
        .map(str::to_string)
        .collect()
}

/// Kyverno's `Enforce` (older releases wrote it `enforce`).
fn is_enforce(node: &Node) -> bool {
    node.as_str()
        .is_some_and(|s| s.eq_ignore_ascii_case("enforce"))
}

/// Length in characters of the common prefix of `a` and `b`.
fn common_prefix(a: &str, b: &str) -> usize {
    a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count()
}

/// Assemble a [`SigningPolicy`], or nothing when no rule verifies and it does not cover all.
fn finish_signing(
    object: &Object<'_>,
    kind: &'static str,
    syntax: PatternSyntax,
    rules: Vec<ImageRule>,
    covers_all: bool,
    enforcing: bool,
    notes: Vec<String>,
) -> Option<SigningPolicy> {
    if !covers_all && !rules.iter().any(|r| r.verifies) {
        return None;
    }
    let mut patterns: Vec<String> = Vec::new();
    for pattern in rules
        .iter()
        .filter(|r| r.verifies)
        .flat_map(|r| &r.patterns)
    {
        if !patterns.contains(pattern) {
            patterns.push(pattern.clone());
        }
    }
    Some(SigningPolicy {
        kind,
        name: name_of(object),
        patterns,
        covers_all,
        enforcing,
        note: (!notes.is_empty()).then(|| notes.join("; ")),
        span: kind_span(object),
        syntax,
        rules,
    })
}

#[cfg(test)]
mod tests;

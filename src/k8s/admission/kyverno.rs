//! Kyverno `ClusterPolicy` / `Policy`: `verifyImages` rules (which images must be signed, by
//! whom) and `validate` patterns that restrict image registries.

use super::*;

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
pub(super) fn kyverno_verify_images(
    object: &Object<'_>,
    kind: &'static str,
) -> Option<SigningPolicy> {
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
pub(super) fn kyverno_validate(object: &Object<'_>, kind: &'static str) -> Option<RegistryPolicy> {
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
pub(super) fn restricts_registry(node: &Node, depth: usize) -> bool {
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
pub(super) fn pattern_restricts_registry(value: &str) -> bool {
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
pub(super) fn condition_restricts_registry(condition: &Node) -> bool {
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
pub(super) fn cel_restricts_registry(expression: &str) -> bool {
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
pub(super) fn kyverno_ivp(object: &Object<'_>, kind: &'static str) -> Option<SigningPolicy> {
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
pub(super) fn cel_policy(object: &Object<'_>, kind: &'static str) -> Option<RegistryPolicy> {
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
pub(super) fn validation_actions_deny(spec: &Node) -> bool {
    match spec.get("validationActions") {
        None => true,
        Some(actions) => {
            let actions = strings(Some(actions));
            actions.is_empty() || actions.iter().any(|a| a.eq_ignore_ascii_case("deny"))
        }
    }
}

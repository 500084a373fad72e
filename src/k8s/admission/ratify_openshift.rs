//! Ratify's Gatekeeper constraint (`RatifyVerification`) and OpenShift's `ClusterImagePolicy` /
//! `ImagePolicy` (`config.openshift.io`: sigstore verification of the images in their scopes).

use super::*;

/// Ratify's Gatekeeper constraint (kind `RatifyVerification`, from the `ratifyverification`
/// ConstraintTemplate of <https://notaryproject.github.io/ratify/library/default/template.yaml>):
/// it sends every container image of the matched resources to Ratify, so it covers all images.
/// Gatekeeper's `enforcementAction` decides whether it blocks.
pub(super) fn ratify(object: &Object<'_>) -> Option<SigningPolicy> {
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
pub(super) fn openshift(object: &Object<'_>, kind: &'static str) -> Option<SigningPolicy> {
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
pub(super) fn openshift_scope(scope: &str, image: &ImageRef) -> bool {
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
pub(super) fn gatekeeper_repos(object: &Object<'_>) -> Option<RegistryPolicy> {
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
pub(super) fn gatekeeper_enforcing(spec: Option<&Node>) -> bool {
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

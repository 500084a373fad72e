//! Tests of `k8s/admission/`.

use super::*;
use crate::k8s::objects;

/// Run `f` on the first object of `text`.
fn with_object<T>(text: &str, f: impl Fn(&Object<'_>) -> T) -> T {
    let docs = load_stream(text, Limits::default());
    let root = docs[0].root.clone().unwrap().unwrap();
    let objects = objects(&root);
    f(&objects[0])
}

fn signing(text: &str) -> Option<SigningPolicy> {
    with_object(text, signing_policy)
}

fn registry(text: &str) -> Option<RegistryPolicy> {
    with_object(text, registry_policy)
}

fn image(s: &str) -> ImageRef {
    ImageRef::parse(s).unwrap()
}

const KYVERNO_VERIFY: &str = r#"apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: verify-images
spec:
  validationFailureAction: Enforce
  webhookTimeoutSeconds: 30
  rules:
    - name: verify-acme
      match:
        any:
        - resources:
            kinds: [Pod]
      verifyImages:
      - imageReferences:
        - "ghcr.io/acme/*"
        skipImageReferences:
        - "ghcr.io/acme/sandbox/*"
        attestors:
        - count: 1
          entries:
          - keyless:
              subject: "https://github.com/acme/*"
              issuer: "https://token.actions.githubusercontent.com"
              rekor:
                url: https://rekor.sigstore.dev
    - name: verify-legacy
      match:
        any:
        - resources:
            kinds: [Pod]
      verifyImages:
      - image: "registry.example.com/team/*"
        key: |-
          -----BEGIN PUBLIC KEY-----
          MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE
          -----END PUBLIC KEY-----
    - name: pin-digests
      match:
        any:
        - resources:
            kinds: [Pod]
      verifyImages:
      - imageReferences: ["*"]
        verifyDigest: true
        mutateDigest: false
"#;

#[test]
fn kyverno_verify_images_merges_rules() {
    let p = signing(KYVERNO_VERIFY).unwrap();
    assert_eq!(p.kind, "Kyverno ClusterPolicy");
    assert_eq!(p.name, "verify-images");
    assert_eq!(
        p.patterns,
        ["ghcr.io/acme/*", "registry.example.com/team/*"]
    );
    assert!(!p.covers_all && p.enforcing && p.note.is_none());
    assert_eq!(p.syntax, PatternSyntax::KyvernoWildcard);
    assert_eq!(p.span.start, KYVERNO_VERIFY.find("ClusterPolicy").unwrap());
    assert_eq!(p.span.end, p.span.start + "ClusterPolicy".len());
    // The digest-only rule is kept but does not verify.
    assert_eq!(p.rules.len(), 3);
    assert!(!p.rules[2].verifies);
    assert!(p.covers(&image("ghcr.io/acme/api:1.2")));
    assert!(p.covers(&image("registry.example.com/team/job@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")));
    assert!(!p.covers(&image("ghcr.io/acme/sandbox/tool:1")), "skipped");
    assert!(
        !p.covers(&image("nginx:1.27")),
        "the `*` rule only pins digests"
    );
    assert_eq!(
        p.closest_pattern(&image("ghcr.io/other/api")),
        Some("ghcr.io/acme/*")
    );
    assert_eq!(
        p.closest_pattern(&image("registry.example.com/ops/x")),
        Some("registry.example.com/team/*")
    );
    // A ClusterPolicy with verifyImages restricts nothing by registry.
    assert!(registry(KYVERNO_VERIFY).is_none());
}

#[test]
fn kyverno_audit_mode_and_per_rule_failure_action() {
    let audit = KYVERNO_VERIFY.replace(
        "validationFailureAction: Enforce",
        "validationFailureAction: Audit",
    );
    let p = signing(&audit).unwrap();
    assert!(!p.enforcing);
    let default = KYVERNO_VERIFY.replace("  validationFailureAction: Enforce\n", "");
    assert!(
        !signing(&default).unwrap().enforcing,
        "Kyverno defaults to Audit"
    );
    let per_rule = default.replacen(
        "      - imageReferences:\n        - \"ghcr.io/acme/*\"",
        "      - failureAction: Enforce\n        imageReferences:\n        - \"ghcr.io/acme/*\"",
        1,
    );
    let p = signing(&per_rule).unwrap();
    assert!(p.enforcing);
    assert!(p.note.unwrap().contains("only audit"));
    let lower = KYVERNO_VERIFY.replace("Enforce", "enforce");
    assert!(signing(&lower).unwrap().enforcing);
}

#[test]
fn kyverno_namespaced_policy_with_attestations() {
    let t = r#"apiVersion: kyverno.io/v1
kind: Policy
metadata:
  name: check-sbom
  namespace: shop
spec:
  validationFailureAction: Enforce
  rules:
  - name: sbom
    match:
      any:
      - resources:
          kinds: [Pod]
    verifyImages:
    - imageReferences: ["ghcr.io/shop/*"]
      attestations:
      - type: https://cyclonedx.org/bom
        attestors:
        - entries:
          - keys:
              publicKeys: "k8s://shop/cosign-pub"
"#;
    let p = signing(t).unwrap();
    assert_eq!((p.kind, p.name.as_str()), ("Kyverno Policy", "check-sbom"));
    assert!(p.covers(&image("ghcr.io/shop/cart:2")));
}

#[test]
fn kyverno_policy_with_only_mutate_rules_is_nothing() {
    let t = r#"apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: add-labels
spec:
  rules:
  - name: add-team
    match:
      any:
      - resources:
          kinds: [Pod]
    mutate:
      patchStrategicMerge:
        metadata:
          labels:
            +(team): platform
        spec:
          containers:
          - (image): "ghcr.io/*"
            imagePullPolicy: Always
"#;
    assert!(signing(t).is_none());
    assert!(registry(t).is_none());
}

const SIGSTORE: &str = r#"apiVersion: policy.sigstore.dev/v1beta1
kind: ClusterImagePolicy
metadata:
  name: signed-acme
spec:
  images:
  - glob: "ghcr.io/acme/**"
  - glob: "index.docker.io/library/*"
  authorities:
  - keyless:
      url: https://fulcio.sigstore.dev
      identities:
      - issuer: https://token.actions.githubusercontent.com
        subjectRegExp: "https://github.com/acme/.*"
    ctlog:
      url: https://rekor.sigstore.dev
"#;

#[test]
fn sigstore_cluster_image_policy() {
    let p = signing(SIGSTORE).unwrap();
    assert_eq!(p.kind, "Sigstore ClusterImagePolicy");
    assert_eq!(p.patterns, ["ghcr.io/acme/**", "index.docker.io/library/*"]);
    assert!(p.enforcing && p.note.is_none());
    assert!(p.covers(&image("ghcr.io/acme/team/api:1")));
    assert!(p.covers(&image("nginx")));
    assert!(p.covers(&image("docker.io/library/nginx:1.27")));
    assert!(!p.covers(&image("bitnami/redis")));
    assert_eq!(
        p.closest_pattern(&image("redis")),
        Some("index.docker.io/library/*")
    );

    let warn = SIGSTORE.replace("spec:\n", "spec:\n  mode: warn\n");
    assert!(!signing(&warn).unwrap().enforcing);
}

#[test]
fn sigstore_static_pass_and_quirky_globs() {
    let pass = SIGSTORE.replace(
        "  authorities:\n",
        "  authorities:\n  - static:\n      action: pass\n",
    );
    assert!(
        signing(&pass).is_none(),
        "a static pass authority admits unsigned images"
    );
    let only_fail = r#"apiVersion: policy.sigstore.dev/v1alpha1
kind: ClusterImagePolicy
metadata: {name: block}
spec:
  images: [{glob: "**"}]
  authorities: [{static: {action: fail}}]
"#;
    assert!(signing(only_fail).is_none());

    let quirky = SIGSTORE
        .replace("ghcr.io/acme/**", "docker.io/library/*")
        .replace("index.docker.io/library/*", "ghcr.io/acme/app:*");
    let p = signing(&quirky).unwrap();
    let note = p.note.clone().unwrap();
    assert!(note.contains("index.docker.io"), "{note}");
    assert!(note.contains("names a tag"), "{note}");
    assert!(!p.covers(&image("nginx")));
    assert!(!p.covers(&image("ghcr.io/acme/app:1.0")));
}

#[test]
fn kyverno_image_validating_policy() {
    let t = r#"apiVersion: policies.kyverno.io/v1
kind: ImageValidatingPolicy
metadata:
  name: verify-release-images
spec:
  validationActions: [Deny]
  matchConstraints:
    resourceRules:
    - apiGroups: [""]
      apiVersions: [v1]
      operations: [CREATE, UPDATE]
      resources: [pods]
  matchImageReferences:
  - glob: "ghcr.io/acme/*"
  attestors:
  - name: cosign
    cosign:
      keyless:
        identities:
        - issuer: https://token.actions.githubusercontent.com
          subjectRegExp: https://github.com/acme/.*
  validations:
  - expression: >-
      images.containers.map(image, verifyImageSignatures(image, [attestors.cosign])).all(e, e > 0)
    message: failed to verify image with notary cert
"#;
    let p = signing(t).unwrap();
    assert_eq!(p.kind, "Kyverno ImageValidatingPolicy");
    assert!(p.enforcing && !p.covers_all && p.note.is_none());
    assert!(p.covers(&image("ghcr.io/acme/team/api:1")));
    assert!(!p.covers(&image("quay.io/acme/api:1")));

    let cel = t.replace(
        "  - glob: \"ghcr.io/acme/*\"\n",
        "  - glob: \"ghcr.io/acme/*\"\n  - expression: \"ref.startsWith('quay.io/')\"\n",
    );
    let p = signing(&cel).unwrap();
    assert!(p.covers_all);
    assert_eq!(p.patterns, ["ghcr.io/acme/*"]);
    assert!(
        p.note
            .as_deref()
            .unwrap()
            .contains("ref.startsWith('quay.io/')")
    );
    assert!(p.covers(&image("quay.io/acme/api:1")));

    let all = t.replace(
        "  matchImageReferences:\n  - glob: \"ghcr.io/acme/*\"\n",
        "",
    );
    let p = signing(&all).unwrap();
    assert!(p.covers_all && p.patterns.is_empty());

    let audit = t.replace("[Deny]", "[Audit, Warn]");
    assert!(!signing(&audit).unwrap().enforcing);

    let no_attestors = r#"apiVersion: policies.kyverno.io/v1
kind: ImageValidatingPolicy
metadata: {name: digests-only}
spec:
  validationActions: [Deny]
  matchImageReferences: [{glob: "*"}]
  validations:
  - expression: "images.containers.all(i, i.contains('@sha256:'))"
"#;
    assert!(signing(no_attestors).is_none());
}

const CONNAISSEUR_CONFIG: &str = r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: connaisseur-config
  namespace: connaisseur
  labels:
    app.kubernetes.io/name: connaisseur
data:
  config.yaml: |
    validators:
    - name: allow
      type: static
      approve: true
    - name: deny
      type: static
      approve: false
    - name: default
      type: cosign
      trustRoots:
      - name: default
        key: |
          -----BEGIN PUBLIC KEY-----
          MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE
          -----END PUBLIC KEY-----
    policy:
    - pattern: "*:*"
    - pattern: "registry.k8s.io/*:*"
      validator: allow
    - pattern: "docker.io/securesystemsengineering/*:*"
      validator: default
    - pattern: "ghcr.io/legacy/*:*"
      validator: missing
"#;

#[test]
fn connaisseur_config_map() {
    let p = signing(CONNAISSEUR_CONFIG).unwrap();
    assert_eq!(
        (p.kind, p.name.as_str()),
        ("Connaisseur policy", "connaisseur-config")
    );
    assert_eq!(
        p.patterns,
        ["*:*", "docker.io/securesystemsengineering/*:*"]
    );
    assert!(p.enforcing && p.note.is_none());
    assert!(
        p.covers(&image("nginx")),
        "`*:*` with the default (cosign) validator"
    );
    assert!(p.covers(&image("docker.io/securesystemsengineering/sample:v1")));
    assert!(
        !p.covers(&image("registry.k8s.io/pause:3.9")),
        "the static rule is more specific"
    );
    assert!(
        !p.covers(&image("ghcr.io/legacy/app:1")),
        "unknown validator"
    );
    assert!(registry(CONNAISSEUR_CONFIG).is_none());
}

#[test]
fn connaisseur_image_policy_resource() {
    let t = r#"apiVersion: connaisseur.policy/v1
kind: ImagePolicy
metadata:
  name: connaisseur-image-policy
spec:
  rules:
  - pattern: "*:*"
    verify: true
    delegations: ["phbelitz"]
  - pattern: "k8s.gcr.io/*:*"
    verify: false
"#;
    let p = signing(t).unwrap();
    assert!(p.note.is_none());
    assert!(p.covers(&image("redis:7")));
    assert!(!p.covers(&image("k8s.gcr.io/kube-proxy:v1.20.0")));

    let v2 = t
        .replace("    verify: true\n", "")
        .replace("    verify: false\n", "    validator: allow\n");
    let p = signing(&v2).unwrap();
    assert!(p.note.as_deref().unwrap().contains("defined elsewhere"));
    assert!(p.covers(&image("redis:7")));
    assert!(!p.covers(&image("k8s.gcr.io/kube-proxy:v1.20.0")));
}

#[test]
fn config_maps_that_are_not_connaisseur() {
    let t = r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: policy
data:
  policy: "allow all images from ghcr.io/acme/*"
  config.yaml: |
    policy:
    - pattern: "*"
    retries: 3
"#;
    assert!(signing(t).is_none());
    assert!(registry(t).is_none());
    let broken = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  config.yaml: \"validators: [\\n\"\n";
    assert!(signing(broken).is_none());
    let not_text =
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  config.yaml: [1, 2]\n";
    assert!(signing(not_text).is_none());
}

#[test]
fn ratify_constraint_covers_all() {
    let t = r#"apiVersion: constraints.gatekeeper.sh/v1beta1
kind: RatifyVerification
metadata:
  name: ratify-constraint
spec:
  enforcementAction: deny
  match:
    kinds:
    - apiGroups: [""]
      kinds: ["Pod"]
    namespaces: ["default"]
"#;
    let p = signing(t).unwrap();
    assert_eq!(p.kind, "Ratify (Gatekeeper constraint)");
    assert!(p.covers_all && p.patterns.is_empty() && p.enforcing);
    assert!(p.covers(&image("anything.example/x:1")));
    assert_eq!(p.closest_pattern(&image("x")), None);
    assert!(registry(t).is_none());
    let dry = t.replace("deny", "dryrun");
    assert!(!signing(&dry).unwrap().enforcing);
    let template = r#"apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata:
  name: ratifyverification
spec:
  crd:
    spec:
      names:
        kind: RatifyVerification
"#;
    assert!(signing(template).is_none());
}

#[test]
fn openshift_cluster_image_policy() {
    let t = r#"apiVersion: config.openshift.io/v1
kind: ClusterImagePolicy
metadata:
  name: acme-signed
spec:
  scopes:
  - quay.io/acme
  - "*.internal.example.com"
  - docker.io/library/busybox:latest
  policy:
    rootOfTrust:
      policyType: PublicKey
      publicKey:
        keyData: LS0tLS1CRUdJTi==
"#;
    let p = signing(t).unwrap();
    assert_eq!(p.kind, "OpenShift ClusterImagePolicy");
    assert!(p.covers(&image("quay.io/acme/api:1")));
    assert!(!p.covers(&image("quay.io/acmex/api:1")));
    assert!(p.covers(&image("reg.internal.example.com/x/y")));
    assert!(!p.covers(&image("internal.example.com/x/y")));
    assert!(p.covers(&image("busybox")));
    assert!(!p.covers(&image("busybox:1.36")));
    // A sigstore ClusterImagePolicy look-alike in another group is not this.
    let other = t.replace("config.openshift.io/v1", "example.com/v1");
    assert!(signing(&other).is_none());
}

#[test]
fn gatekeeper_repos_constraints() {
    let allowed = r#"apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sAllowedRepos
metadata:
  name: repo-is-acme
spec:
  match:
    kinds:
    - apiGroups: [""]
      kinds: ["Pod"]
  parameters:
    repos:
    - "ghcr.io/acme/"
"#;
    let p = registry(allowed).unwrap();
    assert_eq!(
        (p.kind, p.name.as_str()),
        ("Gatekeeper K8sAllowedRepos", "repo-is-acme")
    );
    assert!(p.enforcing && p.note.is_none());
    assert_eq!(p.span.start, allowed.find("K8sAllowedRepos").unwrap());
    assert!(signing(allowed).is_none());

    let v2 = r#"apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sAllowedReposv2
metadata:
  name: allowed-images
spec:
  enforcementAction: dryrun
  parameters:
    allowedImages: ["ghcr.io/acme/*", "nginx"]
"#;
    let p = registry(v2).unwrap();
    assert_eq!(p.kind, "Gatekeeper K8sAllowedReposv2");
    assert!(!p.enforcing);

    let scoped = v2.replace(
            "  enforcementAction: dryrun\n",
            "  enforcementAction: scoped\n  scopedEnforcementActions:\n  - action: deny\n    enforcementPoints: [{name: validation.gatekeeper.sh}]\n",
        );
    assert!(registry(&scoped).unwrap().enforcing);

    let disallowed = allowed.replace("K8sAllowedRepos", "K8sDisallowedRepos");
    assert!(
        registry(&disallowed)
            .unwrap()
            .note
            .unwrap()
            .contains("deny-list")
    );

    let azure = allowed.replace("K8sAllowedRepos", "K8sAzureV2ContainerAllowedImages");
    let p = registry(&azure).unwrap();
    assert_eq!(p.kind, "Gatekeeper constraint");

    let labels = r#"apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sRequiredLabels
metadata:
  name: must-have-owner
spec:
  parameters:
    labels:
    - key: owner
      allowedRegex: "^[a-z]+$"
"#;
    assert!(registry(labels).is_none());
    assert!(signing(labels).is_none());

    let template = r#"apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata:
  name: k8sallowedrepos
spec:
  crd:
    spec:
      names:
        kind: K8sAllowedRepos
"#;
    assert!(registry(template).is_none());
}

#[test]
fn kyverno_validate_patterns_and_conditions() {
    let pattern = r#"apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: restrict-image-registries
spec:
  validationFailureAction: Audit
  background: true
  rules:
  - name: validate-registries
    match:
      any:
      - resources:
          kinds: [Pod]
    validate:
      failureAction: Enforce
      message: "Unknown image registry."
      pattern:
        spec:
          =(ephemeralContainers):
          - image: "eu.foo.io/* | bar.io/*"
          =(initContainers):
          - image: "eu.foo.io/* | bar.io/*"
          containers:
          - image: "eu.foo.io/* | bar.io/*"
"#;
    let p = registry(pattern).unwrap();
    assert_eq!(
        (p.kind, p.name.as_str()),
        ("Kyverno ClusterPolicy", "restrict-image-registries")
    );
    assert!(
        p.enforcing,
        "the rule's failureAction overrides the policy's Audit"
    );
    assert!(signing(pattern).is_none());

    let deny = r#"apiVersion: kyverno.io/v1
kind: Policy
metadata:
  name: allowed-registries
  namespace: shop
spec:
  rules:
  - name: check-registry
    match:
      any:
      - resources:
          kinds: [Pod]
    validate:
      message: "images must come from approved registries"
      deny:
        conditions:
          all:
          - key: "{{ images.containers.*.registry }}"
            operator: AnyNotIn
            value: ["ghcr.io", "registry.example.com"]
"#;
    let p = registry(deny).unwrap();
    assert!(!p.enforcing, "Audit by default");

    let foreach = r#"apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: foreach-registry
spec:
  validationFailureAction: Enforce
  rules:
  - name: check
    match:
      any:
      - resources:
          kinds: [Pod]
    validate:
      message: bad registry
      foreach:
      - list: "request.object.spec.containers"
        deny:
          conditions:
            any:
            - key: "{{ element.image }}"
              operator: NotEquals
              value: "registry.example.com/*"
"#;
    assert!(registry(foreach).unwrap().enforcing);

    let cel = r#"apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: restrict-registries-cel
spec:
  validationFailureAction: Enforce
  rules:
  - name: check
    match:
      any:
      - resources:
          kinds: [Pod]
    validate:
      cel:
        expressions:
        - expression: "object.spec.containers.all(c, c.image.startsWith('ghcr.io/acme/'))"
          message: "images must come from ghcr.io/acme"
"#;
    assert!(registry(cel).is_some());
}

#[test]
fn kyverno_validate_tag_checks_are_not_registry_policies() {
    let t = r#"apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: disallow-latest-tag
spec:
  validationFailureAction: Enforce
  rules:
  - name: require-image-tag
    match:
      any:
      - resources:
          kinds: [Pod]
    validate:
      message: "An image tag is required."
      pattern:
        spec:
          containers:
          - image: "*:*"
  - name: validate-image-tag
    match:
      any:
      - resources:
          kinds: [Pod]
    validate:
      message: "Using a mutable image tag e.g. 'latest' is not allowed from registry.example.com/*."
      pattern:
        spec:
          containers:
          - image: "!*:latest"
  - name: require-digest
    match:
      any:
      - resources:
          kinds: [Pod]
    validate:
      message: digests
      deny:
        conditions:
          any:
          - key: "{{ images.containers.*.tag }}"
            operator: AnyIn
            value: ["latest"]
"#;
    assert!(registry(t).is_none());
}

const VAP_REGISTRY: &str = r#"apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: trusted-registries
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - apiGroups: [""]
      apiVersions: [v1]
      operations: [CREATE, UPDATE]
      resources: [pods]
  variables:
  - name: containers
    expression: "object.spec.containers + (has(object.spec.initContainers) ? object.spec.initContainers : [])"
  - name: allowed
    expression: "['registry.example.com/', 'ghcr.io/acme/']"
  validations:
  - expression: "variables.containers.all(c, variables.allowed.exists(p, c.image.startsWith(p)))"
    message: "images must come from a trusted registry"
"#;

#[test]
fn validating_admission_policies() {
    let p = registry(VAP_REGISTRY).unwrap();
    assert_eq!(p.kind, "ValidatingAdmissionPolicy");
    assert!(p.enforcing);
    assert!(p.note.unwrap().contains("Binding"));
    assert!(signing(VAP_REGISTRY).is_none());

    let labels = r#"apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: require-owner
spec:
  matchConstraints:
    resourceRules:
    - apiGroups: ["apps"]
      apiVersions: [v1]
      operations: [CREATE]
      resources: [deployments]
  validations:
  - expression: "has(object.metadata.labels) && 'owner' in object.metadata.labels"
    message: "an owner label is required"
  - expression: "object.spec.template.spec.containers.all(c, c.imagePullPolicy == 'Always' || c.name.startsWith('x'))"
"#;
    assert!(registry(labels).is_none());

    let tag = labels.replace(
        "has(object.metadata.labels) && 'owner' in object.metadata.labels",
        "object.spec.template.spec.containers.all(c, !c.image.endsWith(':latest'))",
    );
    assert!(registry(&tag).is_none());

    let via_variable = VAP_REGISTRY
        .replace(
            "\"['registry.example.com/', 'ghcr.io/acme/']\"",
            "\"variables.containers.all(c, c.image.startsWith('registry.example.com/'))\"",
        )
        .replace(
            "\"variables.containers.all(c, variables.allowed.exists(p, c.image.startsWith(p)))\"",
            "\"variables.allowed\"",
        );
    assert!(registry(&via_variable).is_some());
}

#[test]
fn kyverno_validating_policy() {
    let t = r#"apiVersion: policies.kyverno.io/v1alpha1
kind: ValidatingPolicy
metadata:
  name: restrict-image-registries
spec:
  validationActions: [Audit]
  matchConstraints:
    resourceRules:
    - apiGroups: [""]
      apiVersions: [v1]
      operations: [CREATE, UPDATE]
      resources: [pods]
  validations:
  - expression: >-
      object.spec.containers.all(container,
        image(container.image).registry() in ['ghcr.io', 'registry.example.com'])
    message: unknown registry
"#;
    let p = registry(t).unwrap();
    assert_eq!(p.kind, "Kyverno ValidatingPolicy");
    assert!(!p.enforcing && p.note.is_none());
    let deny = t.replace("[Audit]", "[Deny, Audit]");
    assert!(registry(&deny).unwrap().enforcing);
}

#[test]
fn objects_without_spec_or_with_odd_shapes_do_not_panic() {
    for t in [
        "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {name: x}\n",
        "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nspec: [1, 2]\n",
        "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nspec:\n  rules: {a: b}\n",
        "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nspec:\n  rules:\n  - verifyImages: [{imageReferences: 7, attestors: x}]\n",
        "apiVersion: policy.sigstore.dev/v1beta1\nkind: ClusterImagePolicy\nspec: {images: [{glob: 3}], authorities: null}\n",
        "apiVersion: policies.kyverno.io/v1\nkind: ImageValidatingPolicy\nspec: {attestors: [{}], matchImageReferences: \"x\"}\n",
        "apiVersion: connaisseur.policy/v1\nkind: ImagePolicy\nspec: {rules: [{pattern: ''}, {verify: true}]}\n",
        "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nspec: {validations: [{expression: 1}]}\n",
        "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sAllowedRepos\nspec: null\n",
    ] {
        let _ = signing(t);
        let _ = registry(t);
    }
    let p = signing(
            "apiVersion: policies.kyverno.io/v1\nkind: ImageValidatingPolicy\nspec: {attestors: [{}], matchImageReferences: \"x\"}\n",
        )
        .unwrap();
    assert_eq!(p.name, "");
    assert!(p.covers_all);
}

fn policy(syntax: PatternSyntax, patterns: &[&str], skip: &[&str]) -> SigningPolicy {
    SigningPolicy {
        kind: "test",
        name: String::new(),
        patterns: patterns.iter().map(|p| p.to_string()).collect(),
        covers_all: false,
        enforcing: true,
        note: None,
        span: Span::default(),
        syntax,
        rules: vec![ImageRule {
            patterns: patterns.iter().map(|p| p.to_string()).collect(),
            skip: skip.iter().map(|p| p.to_string()).collect(),
            verifies: true,
        }],
    }
}

const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

#[test]
fn covers_table() {
    use PatternSyntax::*;
    let pinned = format!("ghcr.io/acme/app:1.0@{DIGEST}");
    #[rustfmt::skip]
        let cases: &[(PatternSyntax, &str, &str, bool)] = &[
            // Kyverno: `*` crosses `/`, the registry is explicit, tag or digest appended.
            (KyvernoWildcard, "ghcr.io/acme/*", "ghcr.io/acme/app:1.0", true),
            (KyvernoWildcard, "ghcr.io/acme/*", "ghcr.io/acme/team/app", true),
            (KyvernoWildcard, "ghcr.io/acme/*", "ghcr.io/other/app", false),
            (KyvernoWildcard, "*", "nginx", true),
            (KyvernoWildcard, "docker.io/nginx*", "nginx", true),
            (KyvernoWildcard, "docker.io/library/nginx*", "nginx", true),
            (KyvernoWildcard, "docker.io/*", "bitnami/redis:7", true),
            (KyvernoWildcard, "nginx*", "nginx", false),
            (KyvernoWildcard, "index.docker.io/*", "nginx", false),
            (KyvernoWildcard, "index.docker.io/*", "index.docker.io/library/nginx", true),
            (KyvernoWildcard, "ghcr.io/acme/app:v?", "ghcr.io/acme/app:v1", true),
            (KyvernoWildcard, "ghcr.io/acme/app:v?", "ghcr.io/acme/app:v10", false),
            (KyvernoWildcard, "ghcr.io/acme/app:latest", "ghcr.io/acme/app", true),
            (KyvernoWildcard, "ghcr.io/acme/app@sha256:*", &pinned, true),
            (KyvernoWildcard, "ghcr.io/acme/app:1*", &pinned, false),
            (KyvernoWildcard, "localhost:5000/*", "localhost:5000/x/y:1", true),
            // Kyverno ImageValidatingPolicy: gobwas glob against the image as written.
            (KyvernoGlob, "ghcr.io/kyverno/*", "ghcr.io/kyverno/kyverno", true),
            (KyvernoGlob, "ghcr.io/*", "ghcr.io/kyverno/kyverno:v1", true),
            (KyvernoGlob, "docker.io/*", "nginx", false),
            (KyvernoGlob, "{ghcr.io,quay.io}/acme/*", "quay.io/acme/app:1", true),
            (KyvernoGlob, "ghcr.io/acme/app:v[0-9]*", "ghcr.io/acme/app:v1.2", true),
            (KyvernoGlob, "ghcr.io/acme/app:v[!0-9]*", "ghcr.io/acme/app:v1.2", false),
            (KyvernoGlob, "ghcr.io/acme/[", "ghcr.io/acme/x", false),
            (KyvernoGlob, "ghcr.io/acme/\\*", "ghcr.io/acme/x", false),
            (KyvernoGlob, "ghcr.io/acme/x\\:1", "ghcr.io/acme/x:1", true),
            // policy-controller: `*` stops at `/`, `**` does not; Docker Hub is
            // `index.docker.io`; the tag is resolved to a digest before matching.
            (SigstoreGlob, "ghcr.io/acme/*", "ghcr.io/acme/app:1.0", true),
            (SigstoreGlob, "ghcr.io/acme/*", "ghcr.io/acme/team/app", false),
            (SigstoreGlob, "ghcr.io/acme/**", "ghcr.io/acme/team/app", true),
            (SigstoreGlob, "ghcr.io/*/*", "ghcr.io/acme", false),
            (SigstoreGlob, "index.docker.io/library/*", "nginx", true),
            (SigstoreGlob, "index.docker.io/library/*", "docker.io/nginx:1", true),
            (SigstoreGlob, "index.docker.io/*/*", "bitnami/redis", true),
            (SigstoreGlob, "docker.io/library/*", "nginx", false),
            (SigstoreGlob, "*", "nginx", true),
            (SigstoreGlob, "*", "bitnami/redis", false),
            (SigstoreGlob, "*/*", "bitnami/redis", true),
            (SigstoreGlob, "*/*", "ghcr.io/acme/app", false),
            (SigstoreGlob, "**", "ghcr.io/acme/team/app:1", true),
            (SigstoreGlob, "nginx", "nginx", false),
            (SigstoreGlob, "ghcr.io/acme/app:*", "ghcr.io/acme/app:1.0", false),
            (SigstoreGlob, "ghcr.io/acme/app*", "ghcr.io/acme/app:1.0", true),
            (SigstoreGlob, "ghcr.io/acme/app@sha256:*", "ghcr.io/acme/app:1.0", true),
            (SigstoreGlob, "ghcr.io/acme/[a-z]*", "ghcr.io/acme/app", false),
            (SigstoreGlob, "ghcrxio/**", "ghcr.io/acme/app", false),
            (SigstoreGlob, "ghcr.io/**", "ghcrxio/acme/app", false),
            // Connaisseur: wrapped in `*...*`, against `index.docker.io/...:latest`.
            (Connaisseur, "docker.io/library/*:*", "nginx", true),
            (Connaisseur, "*:*", "ghcr.io/acme/app", true),
            (Connaisseur, "ghcr.io/acme/*", "ghcr.io/acme/team/app:1", true),
            (Connaisseur, "GHCR.io/acme/*", "ghcr.io/acme/app", true),
            (Connaisseur, "quay.io/acme/*", "ghcr.io/acme/app", false),
            (Connaisseur, "*@sha256:*", "ghcr.io/acme/app:1", false),
            (Connaisseur, "*@sha256:*", &pinned, true),
            // OpenShift scopes.
            (OpenShiftScope, "quay.io/acme", "quay.io/acme/api:1", true),
            (OpenShiftScope, "quay.io", "quay.io/acme/api:1", true),
            (OpenShiftScope, "quay.io/acme/api", "quay.io/acme/api:1", true),
            (OpenShiftScope, "quay.io/acme/api:1", "quay.io/acme/api:1", true),
            (OpenShiftScope, "quay.io/acme/api:2", "quay.io/acme/api:1", false),
            (OpenShiftScope, "quay.io/acme/ap", "quay.io/acme/api:1", false),
            (OpenShiftScope, "docker.io/library", "nginx", true),
            (OpenShiftScope, "*.example.com", "reg.example.com:5000/x", true),
        ];
    for (syntax, pattern, written, expected) in cases {
        let p = policy(*syntax, &[pattern], &[]);
        assert_eq!(
            p.covers(&image(written)),
            *expected,
            "{syntax:?} `{pattern}` vs `{written}`"
        );
    }
}

#[test]
fn skip_patterns_and_non_verifying_rules() {
    let p = policy(
        PatternSyntax::KyvernoWildcard,
        &["ghcr.io/*"],
        &["ghcr.io/acme/test*"],
    );
    assert!(p.covers(&image("ghcr.io/acme/app")));
    assert!(!p.covers(&image("ghcr.io/acme/test-app")));
    let mut p = policy(PatternSyntax::SigstoreGlob, &["**"], &[]);
    p.rules[0].verifies = false;
    assert!(!p.covers(&image("nginx")));
    let mut p = policy(PatternSyntax::None, &[], &[]);
    assert!(!p.covers(&image("nginx")));
    p.covers_all = true;
    assert!(p.covers(&image("nginx")));
}

#[test]
fn connaisseur_most_specific_rule_wins() {
    let rule = |pattern: &str, verifies| ImageRule {
        patterns: vec![pattern.to_string()],
        skip: Vec::new(),
        verifies,
    };
    let mut p = policy(PatternSyntax::Connaisseur, &[], &[]);
    p.rules = vec![
        rule("*:*", true),
        rule("docker.io/myrepo/*:*", false),
        rule("docker.io/myrepo/myimg:*", true),
    ];
    assert!(p.covers(&image("docker.io/superrepo/myimg:v1")));
    assert!(!p.covers(&image("docker.io/myrepo/superimg:v1")));
    assert!(p.covers(&image("docker.io/myrepo/myimg:v1")));
    // Without a catch-all, an unmatched image is denied, not verified.
    p.rules.remove(0);
    assert!(!p.covers(&image("ghcr.io/x/y")));
    // Equally specific rules: the later one applies.
    p.rules = vec![rule("ghcr.io/*", true), rule("ghcr.io/*", false)];
    assert!(!p.covers(&image("ghcr.io/x/y")));
    p.rules.reverse();
    assert!(p.covers(&image("ghcr.io/x/y")));
}

#[test]
fn closest_pattern_uses_the_engine_spelling() {
    let p = policy(
        PatternSyntax::SigstoreGlob,
        &["ghcr.io/acme/*", "index.docker.io/library/*", "quay.io/x/*"],
        &[],
    );
    assert_eq!(
        p.closest_pattern(&image("redis")),
        Some("index.docker.io/library/*")
    );
    assert_eq!(
        p.closest_pattern(&image("ghcr.io/acme/team/x")),
        Some("ghcr.io/acme/*")
    );
    let p = policy(
        PatternSyntax::KyvernoWildcard,
        &["gcr.io/*", "ghcr.io/acme/*"],
        &[],
    );
    assert_eq!(
        p.closest_pattern(&image("ghcr.io/other/x")),
        Some("ghcr.io/acme/*")
    );
}

#[test]
fn hostile_patterns_stay_fast_and_bounded() {
    let long_name = format!("ghcr.io/{}/app", "a".repeat(200));
    let image = image(&long_name);
    let stars = format!("{}b", "a*".repeat(200));
    assert!(!kyverno_wildcard(&stars, &image.written));
    assert!(!gobwas_glob(&stars, &image.written));
    let braces = "{a,b}".repeat(20);
    assert!(!gobwas_glob(&braces, "ab"));
    let nested = format!("{}x{}", "{".repeat(100), "}".repeat(100));
    assert!(!gobwas_glob(&nested, "x"));
    assert!(!gobwas_glob("[a-", "a"));
    assert!(!gobwas_glob("{a,b", "a"));
    assert!(!gobwas_glob("a\\", "a"));
    assert!(gobwas_glob("ghcr.io/acme/\\*", "ghcr.io/acme/*"));
    assert!(!gobwas_glob("ghcr.io/acme/[", "ghcr.io/acme/["));
}

#[test]
fn kyverno_names_follow_image_info() {
    assert_eq!(
        kyverno_names(&image("nginx")),
        ["docker.io/nginx:latest", "docker.io/library/nginx:latest"]
    );
    assert_eq!(
        kyverno_names(&image("index.docker.io/library/nginx:1")),
        ["index.docker.io/library/nginx:1"]
    );
    assert_eq!(
        kyverno_names(&image(&format!("ghcr.io/acme/app:1@{DIGEST}"))),
        [format!("ghcr.io/acme/app@{DIGEST}")]
    );
    assert_eq!(
        sigstore_name(&image("nginx:1.27")),
        format!("index.docker.io/library/nginx@{PLACEHOLDER_DIGEST}")
    );
    assert_eq!(
        connaisseur_name(&image(&format!("nginx:1@{DIGEST}"))),
        format!("index.docker.io/library/nginx:1@{DIGEST}")
    );
    assert_eq!(
        connaisseur_name(&image("ghcr.io/a/b")),
        "ghcr.io/a/b:latest"
    );
}

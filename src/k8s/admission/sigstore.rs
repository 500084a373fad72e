//! Sigstore policy-controller: `ClusterImagePolicy` objects, their globs and authorities, and
//! which namespaces opt in.

use super::*;

/// Sigstore policy-controller `ClusterImagePolicy`.
///
/// <https://docs.sigstore.dev/policy-controller/overview>: every policy whose `images[].glob`
/// matches an image must be satisfied, and within a policy any one authority suffices. An
/// authority is `key`, `keyless` or `static` (`action: pass|fail`): a `static: {action: pass}`
/// authority admits matching images without any signature, so a policy with one does not
/// verify. `mode: warn` turns failures into warnings (default `enforce`).
pub(super) fn sigstore(object: &Object<'_>) -> Option<SigningPolicy> {
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
pub(super) fn sigstore_glob_note(glob: &str) -> Option<String> {
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

pub(super) fn sigstore_glob_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-_:/*.@".contains(c)
}

/// A policy-controller glob match, as `pkg/apis/glob/glob.go` does it: `*` alone means
/// `index.docker.io/library/*` and `*/*` means `index.docker.io/*/*`; then `**` matches any run
/// and `*` any run without `/`, anchored at both ends. A glob with characters outside
/// `[A-Za-z0-9-_:/*.@]` is rejected (matches nothing).
pub(super) fn sigstore_glob(glob: &str, subject: &str) -> bool {
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
pub(super) fn sigstore_name(image: &ImageRef) -> String {
    let digest = image.digest.as_deref().unwrap_or(PLACEHOLDER_DIGEST);
    format!("{}/{}@{digest}", ggcr_registry(image), image.repository)
}

pub(super) const PLACEHOLDER_DIGEST: &str =
    "sha256:0000000000000000000000000000000000000000000000000000000000000000";

/// go-containerregistry's registry name: `docker.io` is `index.docker.io`.
pub(super) fn ggcr_registry(image: &ImageRef) -> &str {
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
pub(super) fn connaisseur_config_map(object: &Object<'_>) -> Option<SigningPolicy> {
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
pub(super) fn connaisseur_resource(object: &Object<'_>) -> Option<SigningPolicy> {
    let rules = items(object.node.path(&["spec", "rules"]));
    connaisseur(object, rules, None)
}

/// Connaisseur rules (<https://sse-secure-systems.github.io/connaisseur/latest/basics/>): each
/// names a validator (`default` when none); a `static` validator admits or denies without
/// checking signatures. Only the most specific matching rule applies to an image, so
/// non-verifying rules are kept: they can shadow a broader verifying one.
pub(super) fn connaisseur(
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
pub(super) fn connaisseur_covers(rules: &[ImageRule], image: &ImageRef) -> bool {
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

pub(super) fn connaisseur_name(image: &ImageRef) -> String {
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
pub(super) fn fold_host(reference: &str) -> String {
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
pub(super) struct Specificity {
    pub(super) lengths: Vec<usize>,
    pub(super) prefixes: Vec<usize>,
}

impl Specificity {
    pub(super) fn new(pattern: &str, image: &str) -> Self {
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
    pub(super) fn beats(&self, other: &Specificity) -> bool {
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

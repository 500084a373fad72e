//! Tests of `rules/mod.rs`.

use super::*;
use std::collections::HashSet;

fn image(s: &str) -> ImageRef {
    ImageRef::parse(s).unwrap()
}

fn patterns(list: &[&str]) -> Vec<RegistryPattern> {
    list.iter()
        .map(|p| RegistryPattern::parse(p).unwrap())
        .collect()
}

#[test]
fn docker_hub_aliases_are_public_in_one_place() {
    let ctx = Context::default();
    for hub in [
        "nginx:1.27",
        "docker.io/library/nginx:1.27",
        "index.docker.io/library/nginx:1.27",
        "registry-1.docker.io/library/nginx:1.27",
        "registry.hub.docker.com/bitnami/redis:7.4",
        "REGISTRY-1.DOCKER.IO/library/nginx:1.27",
    ] {
        assert!(ctx.is_public(&image(hub)), "{hub}");
        assert_eq!(ctx.pull_access(&image(hub)), PullAccess::Public, "{hub}");
    }
    assert!(!ctx.is_public(&image("registry-1.docker.io:5000/library/nginx")));
    assert!(!ctx.is_public(&image("fake.docker.io/library/nginx")));
    // A configured public list compares the same way: `registry-1.docker.io` is
    // `docker.io` on either side.
    let ctx = Context {
        public_registries: patterns(&["registry-1.docker.io"]),
        ..Context::default()
    };
    assert!(ctx.is_public(&image("nginx")));
}

#[test]
fn pull_access_decision_table() {
    let ctx = Context {
        private_registries: patterns(&[
            "registry.example.com",
            "ghcr.io/acme/*",
            "*.azurecr.io",
            "registry.hub.docker.com/acme/*",
        ]),
        ..Context::default()
    };
    let declared = |s: &str| match ctx.pull_access(&image(s)) {
        PullAccess::Private(PrivateEvidence::Declared(p)) => Some(p.as_str().to_string()),
        _ => None,
    };
    // Declared private: an error for pull-secret-missing, naming the pattern.
    assert_eq!(
        declared("registry.example.com/shop/api:1"),
        Some("registry.example.com".into())
    );
    // A private repository on a public registry: the declaration wins over the list.
    assert_eq!(
        declared("ghcr.io/acme/billing:1"),
        Some("ghcr.io/acme/*".into())
    );
    assert_eq!(
        declared("acme/private-tool:1"),
        Some("registry.hub.docker.com/acme/*".into()),
        "Docker Hub's alias in a pattern is docker.io"
    );
    assert_eq!(
        ctx.pull_access(&image("ghcr.io/other/x:1")),
        PullAccess::Public
    );
    // Node credentials win over a declaration: the kubelet authenticates.
    assert_eq!(
        ctx.pull_access(&image("contoso.azurecr.io/app:1")),
        PullAccess::NodeCredentials
    );
    for node in [
        "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1",
        "europe-west1-docker.pkg.dev/acme/app/api:1",
        "gcr.io/acme-prod/app:1",
        "eu.gcr.io/acme-prod/app:1",
    ] {
        assert_eq!(
            ctx.pull_access(&image(node)),
            PullAccess::NodeCredentials,
            "{node}"
        );
    }
    // Neither: unknown (a warning), including a port the declaration does not name.
    for unknown in [
        "harbor.corp.internal/platform/agent:2",
        "registry.example.com:5000/tools:1",
        "registry.example.com.evil.io/x:1",
    ] {
        assert_eq!(
            ctx.pull_access(&image(unknown)),
            PullAccess::Unknown,
            "{unknown}"
        );
    }
    // Replacing the node-credential list leaves a declared Artifact Registry private.
    let ctx = Context {
        node_credential_registries: patterns(&["*.dkr.ecr.*.amazonaws.com"]),
        private_registries: patterns(&["europe-west1-docker.pkg.dev"]),
        ..Context::default()
    };
    assert!(matches!(
        ctx.pull_access(&image("europe-west1-docker.pkg.dev/acme/app/api:1")),
        PullAccess::Private(_)
    ));
    assert_eq!(
        ctx.pull_access(&image("us-docker.pkg.dev/acme/app/api:1")),
        PullAccess::Unknown
    );
}

#[test]
fn each_rule_with_options_has_its_own_type() {
    let mut seen = HashSet::new();
    for rule in ALL {
        if !rule.options().fields().is_empty() {
            assert!(
                seen.insert(rule.options().key()),
                "{} shares its options type",
                rule.meta().id
            );
        }
    }
    assert_eq!(
        seen.len(),
        3,
        "secret-env-literal, base-image-not-minimal and image-unscanned"
    );
}

#[test]
fn ids_are_unique_kebab_case_and_files_match() {
    let mut seen = HashSet::new();
    for rule in ALL {
        let m = rule.meta();
        assert!(seen.insert(m.id), "duplicate id {}", m.id);
        assert!(
            m.id.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
            "{}",
            m.id
        );
        // `src/rules/<id>.rs`, or in a family folder `src/rules/<family>/<id>.rs`.
        let name = format!("{}.rs", m.id.replace('-', "_"));
        let top = std::path::Path::new("src/rules").join(&name);
        let in_family = std::fs::read_dir("src/rules")
            .unwrap()
            .flatten()
            .any(|family| family.path().join(&name).is_file());
        assert!(top.is_file() || in_family, "no src/rules/[FAMILY/]{name}");
        assert!(
            m.doc.starts_with(&format!("# {}", m.id)),
            "doc title of {}",
            m.id
        );
        let sev: f64 = m
            .security_severity
            .parse()
            .expect("numeric security-severity");
        assert!(sev > 0.0 && sev <= 10.0);
        assert!(["very-high", "high", "medium", "low"].contains(&m.precision));
        assert!(!m.full_description().is_empty(), "{}", m.id);
        assert!(m.hint.ends_with('.') && !m.hint.contains('\n'), "{}", m.id);
    }
}

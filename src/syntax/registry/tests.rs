//! Tests of `syntax/registry.rs`.

use super::*;

const DIGEST: &str = "sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c";

fn check(pattern: &str, image: &str) -> bool {
    let p = RegistryPattern::parse(pattern)
        .unwrap_or_else(|e| panic!("pattern {pattern:?} must parse: {e}"));
    let i = ImageRef::parse(image).unwrap_or_else(|e| panic!("image {image:?} must parse: {e}"));
    p.matches(&i)
}

#[test]
fn match_table() {
    let digest_ref = format!("registry.example.com/team/x:1@{DIGEST}");
    let nginx_digest = format!("docker.io/library/nginx@{DIGEST}");
    let table: &[(&str, &str, bool)] = &[
        // Host only: any repository, case-insensitive host, exact port.
        ("registry.example.com", "registry.example.com/app", true),
        (
            "registry.example.com",
            "registry.example.com/team/app:1.0",
            true,
        ),
        ("registry.example.com", "REGISTRY.Example.COM/app", true),
        ("REGISTRY.EXAMPLE.COM", "registry.example.com/app", true),
        ("registry.example.com", "registry.example.com:5000/x", false),
        ("registry.example.com", "registry.example.com:443/x", false),
        (
            "registry.example.com",
            "registry.example.com.evil.io/x",
            false,
        ),
        ("registry.example.com", "evil.registry.example.com/x", false),
        ("registry.example.com", "registry.example.co/x", false),
        (
            "registry.example.com:5000",
            "registry.example.com:5000/x",
            true,
        ),
        ("registry.example.com:5000", "registry.example.com/x", false),
        (
            "registry.example.com:5000",
            "registry.example.com:5001/x",
            false,
        ),
        (
            "registry.example.com:5000",
            "registry.example.com:50000/x",
            false,
        ),
        // Repository prefix: ends at a `/`.
        (
            "registry.example.com/team/*",
            "registry.example.com/team/x",
            true,
        ),
        (
            "registry.example.com/team/*",
            "registry.example.com/team/x/y",
            true,
        ),
        ("registry.example.com/team/*", &digest_ref, true),
        (
            "registry.example.com/team/*",
            "registry.example.com/team-evil/x",
            false,
        ),
        (
            "registry.example.com/team/*",
            "registry.example.com/team",
            false,
        ),
        (
            "registry.example.com/team/*",
            "registry.example.com/teamx/y",
            false,
        ),
        (
            "registry.example.com/team/*",
            "registry.example.com/other/team/x",
            false,
        ),
        (
            "registry.example.com/team/*",
            "registry.example.com.evil.io/team/x",
            false,
        ),
        (
            "registry.example.com/team/*",
            "evil.io/registry.example.com/team/x",
            false,
        ),
        (
            "registry.example.com/team/*",
            "registry.example.com:5000/team/x",
            false,
        ),
        (
            "registry.example.com/team/x/*",
            "registry.example.com/team/x/y",
            true,
        ),
        (
            "registry.example.com/team/x/*",
            "registry.example.com/team/x",
            false,
        ),
        (
            "registry.example.com/*",
            "registry.example.com/anything/at/all",
            true,
        ),
        // Exact repository.
        (
            "registry.example.com/team/app",
            "registry.example.com/team/app",
            true,
        ),
        (
            "registry.example.com/team/app",
            "registry.example.com/team/app:1",
            true,
        ),
        (
            "registry.example.com/team/app",
            "registry.example.com/team/app/sub",
            false,
        ),
        (
            "registry.example.com/team/app",
            "registry.example.com/team/application",
            false,
        ),
        (
            "registry.example.com/team/app",
            "registry.example.com/team/ap",
            false,
        ),
        // Wildcard labels: exactly one label each.
        (
            "*.dkr.ecr.*.amazonaws.com",
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1",
            true,
        ),
        (
            "*.dkr.ecr.*.amazonaws.com",
            "a.b.dkr.ecr.eu-west-1.amazonaws.com/app",
            false,
        ),
        (
            "*.dkr.ecr.*.amazonaws.com",
            "x.dkr.ecr.eu-west-1.amazonaws.com.evil.io/app",
            false,
        ),
        (
            "*.dkr.ecr.*.amazonaws.com",
            "dkr.ecr.eu-west-1.amazonaws.com/app",
            false,
        ),
        (
            "*.dkr.ecr.*.amazonaws.com",
            "123.dkr.ecr.amazonaws.com/app",
            false,
        ),
        (
            "*.dkr.ecr.*.amazonaws.com",
            "123.dkr.ecr.eu-west-1.amazonaws.com:443/app",
            false,
        ),
        (
            "*.dkr.ecr.*.amazonaws.com",
            "123.dkr.ecrx.eu-west-1.amazonaws.com/app",
            false,
        ),
        ("*.example.com/team/*", "a.example.com/team/x", true),
        ("*.example.com/team/*", "a.example.com/other/x", false),
        ("*.example.com", "example.com/x", false),
        ("*.example.com", "a.b.example.com/x", false),
        // Docker Hub normalization, on both sides.
        ("docker.io/library/*", "nginx", true),
        ("docker.io/library/*", "nginx:1.27", true),
        ("docker.io/library/*", "docker.io/nginx", true),
        ("docker.io/library/*", "index.docker.io/library/nginx", true),
        ("docker.io/library/*", "bitnami/redis", false),
        (
            "docker.io/library/*",
            "registry.example.com/library/nginx",
            false,
        ),
        (
            "docker.io/library/*",
            "docker.io.evil.com/library/nginx",
            false,
        ),
        ("docker.io/library/*", "library/nginx", true),
        // Docker Hub's other aliases are Docker Hub too, in images and patterns; their
        // paths are kept as written (`registry-1.docker.io/nginx` is not `library/nginx`).
        (
            "docker.io/library/*",
            "registry-1.docker.io/library/nginx",
            true,
        ),
        (
            "docker.io/library/*",
            "registry.hub.docker.com/library/nginx",
            true,
        ),
        (
            "docker.io/library/*",
            "REGISTRY-1.DOCKER.IO/library/nginx",
            true,
        ),
        ("docker.io/library/*", "registry-1.docker.io/nginx", false),
        ("docker.io", "registry-1.docker.io/nginx", true),
        ("docker.io", "registry.hub.docker.com/bitnami/redis", true),
        ("docker.io", "registry-1.docker.io:443/nginx", false),
        ("registry-1.docker.io/library/*", "nginx", true),
        ("registry.hub.docker.com/bitnami/*", "bitnami/redis", true),
        ("registry.hub.docker.com", "docker.io/x/y", true),
        (
            "registry-1.docker.io/nginx",
            "registry-1.docker.io/nginx",
            true,
        ),
        ("registry-1.docker.io/nginx", "nginx", false),
        ("nginx", "registry-1.docker.io/library/nginx:1.27", true),
        ("*.docker.io", "registry-1.docker.io/x", false),
        (
            "registry-1.docker.io:5000",
            "registry-1.docker.io:5000/x",
            true,
        ),
        ("registry-1.docker.io:5000", "docker.io/x", false),
        ("index.docker.io/library/*", "nginx", true),
        ("INDEX.DOCKER.IO/library/*", "nginx", true),
        ("docker.io", "nginx", true),
        ("docker.io", "index.docker.io/x/y", true),
        ("docker.io", "docker.io.evil.com/x", false),
        ("docker.io", "evildocker.io/x", false),
        ("docker.io/*", "bitnami/redis", true),
        ("bitnami/*", "bitnami/redis", true),
        ("bitnami/*", "docker.io/bitnami/redis:7.2", true),
        ("bitnami/*", "quay.io/bitnami/redis", false),
        ("bitnami/*", "bitnami-evil/redis", false),
        ("bitnami/*", "bitnami", false),
        ("team/*", "team/x", true),
        ("team/*", "docker.io/team-evil/x", false),
        ("team/*", "registry.example.com/team/x", false),
        ("nginx", "nginx", true),
        ("nginx", "nginx:1.27", true),
        ("nginx", &nginx_digest, true),
        ("nginx", "bitnami/nginx", false),
        ("nginx", "nginx/nginx-ingress", false),
        ("nginx", "quay.io/nginx", false),
        ("nginx", "library/nginx/sub", false),
        ("library/nginx", "nginx", true),
        ("docker.io/nginx", "nginx", true),
        ("docker.io/nginx", "docker.io/nginx/nginx", false),
        // Well-known public hosts and lookalikes.
        ("quay.io", "quay.io/x", true),
        ("quay.io", "QUAY.IO/x", true),
        ("quay.io", "quay.io.evil.com/x", false),
        ("quay.io", "evilquay.io/x", false),
        ("quay.io", "sub.quay.io/x", false),
        ("quay.io", "quay.io:443/x", false),
        ("quay.io", "quay/x", false),
        ("ghcr.io/org/*", "ghcr.io/org/app", true),
        ("ghcr.io/org/*", "ghcr.io/organisation/app", false),
        // localhost, IPv6, uppercase-domain rule.
        ("localhost", "localhost/app", true),
        ("localhost", "localhost:5000/app", false),
        ("localhost:5000", "localhost:5000/app:1", true),
        ("localhost", "localhost", false),
        ("[::1]:5000", "[::1]:5000/app:tag", true),
        ("[::1]:5000/app", "[::1]:5000/app:tag", true),
        ("[::1]:5000", "[::2]:5000/app", false),
        ("[::1]", "[::1]:5000/app", false),
        ("[::1]", "[::1]/app", true),
        ("[FC00::1]", "[fc00::1]/app", true),
        ("index.docker.io:443", "index.docker.io:443/x", true),
        ("index.docker.io:443", "docker.io/x", false),
        ("docker.io:443", "index.docker.io:443/x", false),
        ("Foo/bar", "Foo/bar", true),
        ("foo/bar", "Foo/bar", false),
    ];
    assert!(table.len() >= 90);
    for (pattern, image, want) in table {
        assert_eq!(
            check(pattern, image),
            *want,
            "pattern {pattern:?} vs image {image:?}"
        );
    }
}

#[test]
fn invalid_patterns() {
    use PatternError as E;
    let digest_pattern = format!("quay.io/app@{DIGEST}");
    type IsExpected = fn(&PatternError) -> bool;
    let table: &[(&str, IsExpected)] = &[
        ("", |e| matches!(e, E::Empty)),
        (" ", |e| matches!(e, E::Whitespace(_))),
        (" quay.io", |e| matches!(e, E::Whitespace(_))),
        ("quay.io ", |e| matches!(e, E::Whitespace(_))),
        ("quay.io\n", |e| matches!(e, E::Whitespace(_))),
        ("https://quay.io", |e| matches!(e, E::Scheme(_))),
        ("http://registry.example.com/team/*", |e| {
            matches!(e, E::Scheme(_))
        }),
        ("oci://registry.example.com", |e| matches!(e, E::Scheme(_))),
        ("quay.io/app:1.0", |e| matches!(e, E::Tag(_))),
        ("registry.example.com:5000/team/app:1.0", |e| {
            matches!(e, E::Tag(_))
        }),
        ("nginx:1.27", |e| matches!(e, E::Tag(_))),
        (&digest_pattern, |e| matches!(e, E::Digest(_))),
        ("nginx@sha256:abc", |e| matches!(e, E::Digest(_))),
        ("*", |e| matches!(e, E::LoneWildcard)),
        ("reg*.io", |e| matches!(e, E::MisplacedWildcard(_))),
        ("*reg.example.io", |e| matches!(e, E::MisplacedWildcard(_))),
        ("team/*/x", |e| matches!(e, E::MisplacedWildcard(_))),
        ("registry.example.com/team/*/x", |e| {
            matches!(e, E::MisplacedWildcard(_))
        }),
        ("**", |e| matches!(e, E::MisplacedWildcard(_))),
        ("registry.example.com/**", |e| {
            matches!(e, E::MisplacedWildcard(_))
        }),
        ("registry.example.com/team*", |e| {
            matches!(e, E::MisplacedWildcard(_))
        }),
        ("registry.example.com/*/*", |e| {
            matches!(e, E::MisplacedWildcard(_))
        }),
        ("*/team", |e| matches!(e, E::MisplacedWildcard(_))),
        ("registry.example.com:*", |e| {
            matches!(e, E::MisplacedWildcard(_))
        }),
        ("**.example.com", |e| matches!(e, E::MisplacedWildcard(_))),
        ("*.io", |e| matches!(e, E::HostTooBroad(_))),
        ("*.*", |e| matches!(e, E::HostTooBroad(_))),
        ("*.*.com", |e| matches!(e, E::HostTooBroad(_))),
        ("*:5000", |e| matches!(e, E::HostTooBroad(_))),
        ("registry.example.com/Team/*", |e| {
            matches!(e, E::Uppercase(_))
        }),
        ("Nginx", |e| matches!(e, E::Uppercase(_))),
        ("registry.example.com:port", |e| {
            matches!(e, E::InvalidPort(_))
        }),
        ("registry.example.com:", |e| matches!(e, E::InvalidPort(_))),
        ("reg_istry.example.com", |e| {
            matches!(e, E::InvalidHost { .. })
        }),
        ("-registry.example.com", |e| {
            matches!(e, E::InvalidHost { .. })
        }),
        ("registry-.example.com", |e| {
            matches!(e, E::InvalidHost { .. })
        }),
        ("registry..example.com", |e| {
            matches!(e, E::InvalidHost { .. })
        }),
        ("registry.example.com.", |e| {
            matches!(e, E::InvalidHost { .. })
        }),
        ("régistry.example.com", |e| {
            matches!(e, E::InvalidHost { .. })
        }),
        ("[::1", |e| matches!(e, E::InvalidHost { .. })),
        ("[zz::1]", |e| matches!(e, E::InvalidHost { .. })),
        ("[::1]x", |e| matches!(e, E::InvalidHost { .. })),
        ("[]", |e| matches!(e, E::InvalidHost { .. })),
        ("registry.example.com/", |e| {
            matches!(e, E::EmptyPathComponent(_))
        }),
        ("registry.example.com/team/", |e| {
            matches!(e, E::EmptyPathComponent(_))
        }),
        ("registry.example.com//team", |e| {
            matches!(e, E::EmptyPathComponent(_))
        }),
        ("bitnami//redis", |e| matches!(e, E::EmptyPathComponent(_))),
        ("/nginx", |e| matches!(e, E::EmptyPathComponent(_))),
        ("registry.example.com/-team/*", |e| {
            matches!(e, E::InvalidPathComponent { .. })
        }),
        ("registry.example.com/te$m", |e| {
            matches!(e, E::InvalidPathComponent { .. })
        }),
        ("a___b", |e| matches!(e, E::InvalidPathComponent { .. })),
        ("a..b/*", |e| matches!(e, E::InvalidHost { .. })),
        ("bitnami/a..b", |e| {
            matches!(e, E::InvalidPathComponent { .. })
        }),
    ];
    for (pattern, is_expected) in table {
        match RegistryPattern::parse(pattern) {
            Ok(p) => panic!("pattern {pattern:?} must be invalid, parsed as {p:?}"),
            Err(e) => assert!(
                is_expected(&e),
                "pattern {pattern:?}: unexpected error {e:?}"
            ),
        }
    }
}

#[test]
fn pattern_error_messages_say_why() {
    let msg = |p: &str| RegistryPattern::parse(p).expect_err(p).to_string();
    assert_eq!(msg(""), "empty registry pattern");
    assert_eq!(
        msg("https://quay.io"),
        "registry pattern `https://quay.io` has a URL scheme; write the registry host \
             without `scheme://`, e.g. `registry.example.com`"
    );
    assert_eq!(
        msg("quay.io/app:1.0"),
        "registry pattern `quay.io/app:1.0` has a tag; patterns name a registry or \
             repositories, not tags"
    );
    assert_eq!(
        msg("reg*.io"),
        "misplaced `*` in registry pattern `reg*.io`: `*` must be a whole host label (as in \
             `*.example.com`) or the whole last path component (as in `example.com/team/*`)"
    );
    assert_eq!(
        msg("*.io"),
        "wildcard host in registry pattern `*.io` is too broad; keep at least two literal \
             labels, e.g. `*.example.com`"
    );
    assert_eq!(
        msg("reg_istry.example.com"),
        "invalid registry host `reg_istry.example.com` in pattern `reg_istry.example.com` (a \
             host is labels of letters, digits and inner `-` joined by `.`, or an IPv6 address \
             in `[...]`)"
    );
    assert!(msg(" quay.io").contains("contains whitespace"));
    assert!(msg("quay.io@sha256:abc").contains("has a digest"));
    assert!(msg("*").contains("`docker.io/library/*`"));
    assert!(msg("registry.example.com:port").contains("a port must be digits only"));
    assert!(msg("registry.example.com/Team/*").contains("must be lowercase"));
    assert!(msg("registry.example.com/team/").contains("use `/*`"));
    assert!(msg("registry.example.com/-team").contains("component `-team`"));
}

#[test]
fn as_str_and_display_keep_the_written_form() {
    for written in [
        "bitnami/*",
        "INDEX.DOCKER.IO/library/*",
        "nginx",
        "[::1]:5000",
    ] {
        let p = RegistryPattern::parse(written).unwrap();
        assert_eq!(p.as_str(), written);
        assert_eq!(p.to_string(), written);
        assert_eq!(written.parse::<RegistryPattern>().unwrap(), p);
    }
    // Equivalent spellings normalize to the same rule.
    let a = RegistryPattern::parse("bitnami/*").unwrap();
    let b = RegistryPattern::parse("docker.io/bitnami/*").unwrap();
    assert_eq!((&a.host, &a.port, &a.path), (&b.host, &b.port, &b.path));
    let a = RegistryPattern::parse("nginx").unwrap();
    let b = RegistryPattern::parse("index.docker.io/library/nginx").unwrap();
    assert_eq!((&a.host, &a.port, &a.path), (&b.host, &b.port, &b.path));
}

#[test]
fn matching_a_hand_built_image_never_panics() {
    // ImageRef's fields are public, so matching must cope with values
    // `ImageRef::parse` would never produce.
    let p = RegistryPattern::parse("[::1]:5000").unwrap();
    let q = RegistryPattern::parse("*.example.com/team/*").unwrap();
    for registry in [
        "",
        "[",
        "[::1",
        "[::1]x",
        "[::1]:",
        ":",
        "..",
        ".example.com",
        "é.example.com",
    ] {
        let image = ImageRef {
            written: String::new(),
            registry: registry.to_owned(),
            repository: "team/x".to_owned(),
            tag: None,
            digest: None,
            registry_implied: false,
            library_implied: false,
        };
        assert!(!p.matches(&image), "{registry:?}");
        assert!(!q.matches(&image), "{registry:?}");
    }
}

/// Deterministic pseudo-random patterns and images: parsing and matching
/// never panic, and a pattern always matches the image it spells out.
#[test]
fn never_panics() {
    const ALPHABET: &[&str] = &[
        "a",
        "b",
        "0",
        "A",
        ".",
        "_",
        "-",
        ":",
        "/",
        "@",
        "[",
        "]",
        "*",
        " ",
        "é",
        "🐳",
        "5000",
        "docker.io",
        "index.",
        "library",
        "localhost",
        "://",
    ];
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut random = |max_len: u64| -> String {
        let len = next() % max_len;
        (0..len)
            .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
            .collect()
    };
    let mut images = Vec::new();
    while images.len() < 200 {
        if let Ok(image) = ImageRef::parse(&random(8)) {
            images.push(image);
        }
    }
    let (mut parsed, mut self_checked) = (0, 0);
    for _ in 0..40_000 {
        let text = random(8);
        let Ok(pattern) = RegistryPattern::parse(&text) else {
            continue;
        };
        parsed += 1;
        for image in &images {
            let _ = pattern.matches(image);
        }
        if !text.contains('*')
            && text.contains('/')
            && let Ok(image) = ImageRef::parse(&text)
        {
            self_checked += 1;
            assert!(pattern.matches(&image), "{text:?}");
        }
    }
    assert!(
        parsed > 1_000 && self_checked > 50,
        "{parsed} {self_checked}"
    );
}

#[test]
fn well_known_public_registries() {
    for yes in [
        "docker.io",
        "DOCKER.IO",
        "index.docker.io",
        "registry-1.docker.io",
        "registry.hub.docker.com",
        "Registry.Hub.Docker.Com",
        "cr.l5d.io",
        "reg.kyverno.io",
        "cgr.dev",
        "nvcr.io",
        "docker.elastic.co",
        "quay.io",
        "ghcr.io",
        "registry.k8s.io",
        "public.ecr.aws",
        "mcr.microsoft.com",
        "registry.access.redhat.com",
    ] {
        assert!(is_well_known_public(yes), "{yes}");
    }
    for no in [
        "",
        "registry.redhat.io",
        "us-docker.pkg.dev",
        "europe-west1-docker.pkg.dev",
        "quay.io:443",
        "gcr.io.evil.com",
        "evil-gcr.io",
        "foo.gcr.io",
        "123456789012.dkr.ecr.eu-west-1.amazonaws.com",
        "myregistry.azurecr.io",
        "us.icr.io",
        "registry-1.docker.io:443",
        "hub.docker.com",
        "fake.docker.io",
    ] {
        assert!(!is_well_known_public(no), "{no}");
    }
    // Every entry is a lowercase, distinct, valid registry host that
    // normalizes to itself.
    let mut seen = std::collections::HashSet::new();
    for host in WELL_KNOWN_PUBLIC {
        assert!(seen.insert(*host), "duplicate {host}");
        assert_eq!(canonical_registry(host), *host, "{host} is an alias");
        assert_eq!(host.to_ascii_lowercase(), *host);
        let image = ImageRef::parse(&format!("{host}/x/y")).unwrap();
        assert_eq!(image.registry, *host);
        assert!(RegistryPattern::parse(host).unwrap().matches(&image));
    }
}

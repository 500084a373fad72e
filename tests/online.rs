//! The registry client against a real registry (Debian's `docker-registry`, distribution 2.8)
//! on loopback, started by each test through `../shared/tools/registry/` and stopped after:
//! anonymous, basic and token authentication, and the faults of the kit's chaos proxy.
//! Skipped with a message without `docker-registry`; required under `IMAGEGATE_REQUIRE_TOOLS`.

// A test crate: an unwrap that fails is a failing test, and its helpers are `pub` for its
// modules.
#![allow(clippy::unwrap_used, unreachable_pub)]

mod common;

use std::process::Command;
use std::time::Duration;

use common::registry::{Registry, available, kit, proxy_log};
use imagegate::online::client::{Client, Credential, Endpoint, OnlineError, Retries};
use serde_json::Value;

fn client() -> Client {
    Client::new(
        Duration::from_secs(5),
        Retries {
            attempts: 4,
            base: Duration::from_millis(50),
            max_wait: Duration::from_secs(3),
        },
    )
    .unwrap()
}

fn run<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

fn resolve(
    client: &Client,
    address: &str,
    name: &str,
    credential: Option<&Credential>,
) -> Result<String, OnlineError> {
    let (repository, reference) = name.rsplit_once(':').unwrap();
    let endpoint = Endpoint::of(address, false);
    run(client.manifest(&endpoint, repository, reference, credential)).map(|m| m.digest)
}

fn user() -> Credential {
    Credential::Basic {
        username: "testuser".into(),
        password: "testpass".into(),
    }
}

#[test]
fn anonymous_registry_resolves_every_manifest_type() {
    if !available("anonymous_registry_resolves_every_manifest_type") {
        return;
    }
    let registry = Registry::start("anon");
    let client = client();
    for name in [
        "test/app:v1",
        "test/multi:v1",
        "test/dockerlist:v1",
        "test/signed:v1",
    ] {
        // The index digest for an index or a manifest list, never one platform's.
        assert_eq!(
            resolve(&client, &registry.address, name, None).unwrap(),
            registry.digest(name),
            "{name}"
        );
    }
    let by_digest = format!("test/app@{}", registry.digest("test/app:v1"));
    let (repository, digest) = by_digest.split_once('@').unwrap();
    let endpoint = Endpoint::of(&registry.address, false);
    let manifest = run(client.manifest(&endpoint, repository, digest, None)).unwrap();
    assert_eq!(manifest.digest, digest);
    assert_eq!(
        manifest.media_type,
        "application/vnd.oci.image.manifest.v1+json"
    );
    assert_eq!(
        resolve(&client, &registry.address, "test/app:v9", None),
        Err(OnlineError::NotFound)
    );
    assert_eq!(
        resolve(&client, &registry.address, "test/nothing:v1", None),
        Err(OnlineError::NotFound)
    );
}

#[test]
fn token_and_basic_authentication() {
    if !available("token_and_basic_authentication") {
        return;
    }
    let client = client();
    let token = Registry::start("token");
    // Anonymous tokens pull public repositories, not `private/`.
    assert_eq!(
        resolve(&client, &token.address, "test/app:v1", None).unwrap(),
        token.digest("test/app:v1")
    );
    assert_eq!(
        resolve(&client, &token.address, "private/app:v1", None),
        Err(OnlineError::Unauthorized { anonymous: true })
    );
    assert_eq!(
        resolve(&client, &token.address, "private/app:v1", Some(&user())).unwrap(),
        token.digest("private/app:v1")
    );
    let wrong = Credential::Basic {
        username: "testuser".into(),
        password: "not-the-password".into(),
    };
    let refused = resolve(
        &Client::new(Duration::from_secs(5), Retries::default()).unwrap(),
        &token.address,
        "private/app:v1",
        Some(&wrong),
    );
    assert_eq!(refused, Err(OnlineError::Unauthorized { anonymous: false }));
    assert!(!format!("{refused:?}").contains("not-the-password"));

    let basic = Registry::start("basic");
    assert_eq!(
        resolve(&client, &basic.address, "test/app:v1", None),
        Err(OnlineError::Unauthorized { anonymous: true })
    );
    assert_eq!(
        resolve(&client, &basic.address, "test/app:v1", Some(&user())).unwrap(),
        basic.digest("test/app:v1")
    );
}

#[test]
fn faults_are_retried_and_damaged_answers_never_reported() {
    if !available("faults_are_retried_and_damaged_answers_never_reported") {
        return;
    }
    let mut registry = Registry::start("anon");
    let want = registry.digest("test/app:v1");
    let rules = r#"[
        {"match": "^GET /v2/test/app/manifests/v1", "times": 2, "action": "status", "code": 429, "retry_after": "1"},
        {"match": "^GET /v2/test/app/manifests/v1", "times": 1, "action": "status", "code": 503},
        {"match": "^GET /v2/test/app/manifests/v1", "times": 1, "action": "corrupt"}
    ]"#;
    let proxy = registry.proxy(rules);
    let client = Client::new(
        Duration::from_secs(5),
        Retries {
            attempts: 6,
            base: Duration::from_millis(50),
            max_wait: Duration::from_secs(3),
        },
    )
    .unwrap();
    // Two 429s (waiting the second they ask), a 503, a corrupted body: then the right digest.
    assert_eq!(resolve(&client, &proxy, "test/app:v1", None).unwrap(), want);
    // A reset connection, one closed without an answer, a body cut in half, a slow answer:
    // each retried (or waited for), then the right digest.
    let proxy = registry.proxy(
        r#"[
        {"match": "^GET /v2/test/multi/manifests/v1", "times": 1, "action": "reset"},
        {"match": "^GET /v2/test/multi/manifests/v1", "times": 1, "action": "close"},
        {"match": "^GET /v2/test/multi/manifests/v1", "times": 1, "action": "truncate"},
        {"match": "^GET /v2/test/multi/manifests/v1", "times": 1, "action": "delay", "seconds": 0.5}
    ]"#,
    );
    assert_eq!(
        resolve(&client, &proxy, "test/multi:v1", None).unwrap(),
        registry.digest("test/multi:v1")
    );
    let log = common::registry::proxy_log(&proxy);
    assert_eq!(
        log.iter()
            .filter(|(_, path)| path.ends_with("/test/multi/manifests/v1"))
            .count(),
        4,
        "{log:?}"
    );
    // A forged digest header every time: never taken, and never reported as the digest.
    let forged = format!(
        r#"[{{"match": "^GET /v2/test/app/manifests/v2", "action": "digest", "value": "sha256:{}"}}]"#,
        "0".repeat(64)
    );
    let proxy = registry.proxy(&forged);
    let result = resolve(&client, &proxy, "test/app:v2", None);
    assert!(
        matches!(result, Err(OnlineError::Exhausted { .. })),
        "{result:?}"
    );
    // A stalled answer ends at the timeout.
    let proxy = registry.proxy(
        r#"[{"match": "^GET /v2/test/app/manifests/latest", "action": "stall", "seconds": 30}]"#,
    );
    let quick = Client::new(
        Duration::from_millis(500),
        Retries {
            attempts: 2,
            base: Duration::from_millis(10),
            max_wait: Duration::from_secs(1),
        },
    )
    .unwrap();
    let started = std::time::Instant::now();
    let result = resolve(&quick, &proxy, "test/app:latest", None);
    assert!(
        matches!(result, Err(OnlineError::Exhausted { .. })),
        "{result:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn signature_tags_and_referrers() {
    if !available("signature_tags_and_referrers") {
        return;
    }
    let registry = Registry::start("anon");
    let client = client();
    let endpoint = Endpoint::of(&registry.address, false);
    let signed = &registry.images["images"][format!("{}/test/signed:v1", registry.address)];
    let sig_tag = signed["cosign_signature_tag"].as_str().unwrap();
    let sig = run(client.tag(&endpoint, "test/signed", sig_tag, None)).unwrap();
    assert_eq!(
        sig.map(|m| m.digest).as_deref(),
        signed["cosign_signature_digest"].as_str()
    );
    // An unsigned image has no signature tag.
    let app = registry.digest("test/app:v1").replace(':', "-") + ".sig";
    assert_eq!(
        run(client.tag(&endpoint, "test/app", &app, None))
            .unwrap()
            .map(|m| m.digest),
        None
    );
    // Distribution 2.8 has no referrers API: the tag schema answers.
    let referred = &registry.images["images"][format!("{}/test/referred:v1", registry.address)];
    let digest = referred["digest"].as_str().unwrap();
    let found = run(client.referrers(&endpoint, "test/referred", digest, None)).unwrap();
    let mut types: Vec<String> = found.iter().map(|r| r.artifact_type.clone()).collect();
    types.sort();
    let mut want: Vec<String> = referred["referrers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["artifactType"].as_str().unwrap().to_string())
        .collect();
    want.sort();
    assert_eq!(types, want);
    assert!(types.contains(&"application/vnd.cncf.notary.signature".to_string()));
    // No referrers at all: empty, not an error.
    let none = run(client.referrers(&endpoint, "test/app", &registry.digest("test/app:v1"), None))
        .unwrap();
    assert!(none.is_empty());
}

#[test]
fn cosign_signatures_verify_only_with_the_key_and_for_the_digest() {
    use imagegate::online::cosign::{PublicKey, payload_digest, signature_layers};
    if !available("cosign_signatures_verify_only_with_the_key_and_for_the_digest") {
        return;
    }
    let registry = Registry::start("anon");
    let key = registry.dir.path().join("cosign.key");
    let made = Command::new("openssl")
        .args([
            "ecparam",
            "-name",
            "prime256v1",
            "-genkey",
            "-noout",
            "-out",
        ])
        .arg(&key)
        .output()
        .unwrap();
    assert!(made.status.success());
    let out = registry.dir.path().join("signed.json");
    let pushed = Command::new("python3")
        .arg(kit().join("push_test_images.py"))
        .arg(&registry.address)
        .arg("--only-extra")
        .arg("--cosign-key")
        .arg(&key)
        .args([
            "--sign",
            "--image",
            "good/app:v1",
            "--image",
            "tampered/app:v1",
            "--image",
            "bad/app:v1",
            "--tamper",
            "tampered/app:v1",
            "--bad-signature",
            "bad/app:v1",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        pushed.status.success(),
        "{}",
        String::from_utf8_lossy(&pushed.stderr)
    );
    let signed: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let public = PublicKey::from_pem(signed["cosign"]["public_key_pem"].as_str().unwrap()).unwrap();
    let client = client();
    let endpoint = Endpoint::of(&registry.address, false);
    // (image, does a signature verify for its digest)
    for (repository, want) in [
        ("good/app", true),
        ("tampered/app", false),
        ("bad/app", false),
    ] {
        let entry = &signed["images"][format!("{}/{repository}:v1", registry.address)];
        let digest = entry["digest"].as_str().unwrap();
        let tag = entry["cosign_signature_tag"].as_str().unwrap();
        let sig = run(client.tag(&endpoint, repository, tag, None))
            .unwrap()
            .unwrap();
        let layers = signature_layers(&sig.bytes).unwrap();
        assert!(!layers.is_empty(), "{repository}");
        let verified = layers.iter().any(|layer| {
            let payload = run(client.blob(
                &endpoint,
                repository,
                &layer.payload_digest,
                None,
                imagegate::online::client::MAX_PAYLOAD_BYTES,
            ))
            .unwrap();
            public.verifies(&payload, &layer.signature)
                && payload_digest(&payload).as_deref() == Some(digest)
        });
        assert_eq!(verified, want, "{repository}");
    }
}

#[test]
fn each_reference_is_asked_once_and_the_deadline_holds() {
    use imagegate::online::inspect::{Lookup, Target};
    use imagegate::online::resolve::{Settings, resolve_all};
    use std::collections::BTreeMap;
    use std::sync::Arc;
    if !available("each_reference_is_asked_once_and_the_deadline_holds") {
        return;
    }
    let mut registry = Registry::start("anon");
    let proxy = registry.proxy("[]");
    let query = |name: &str| {
        let (repository, tag) = name.rsplit_once(':').unwrap();
        Target {
            registry: proxy.clone(),
            repository: repository.into(),
            tag: Some(tag.into()),
            digest: None,
        }
    };
    let names = [
        "test/app:v1",
        "test/app:v1",
        "test/app:v2",
        "test/multi:v1",
        "test/app:v1",
        "test/app:v9",
    ];
    let queries: Vec<Target> = names.iter().map(|n| query(n)).collect();
    let answers = run(resolve_all(
        Arc::new(client()),
        &queries,
        &BTreeMap::new(),
        &Settings::default(),
    ));
    assert_eq!(answers.len(), 4, "distinct references");
    for name in ["test/app:v1", "test/app:v2", "test/multi:v1"] {
        match &answers[&query(name)] {
            Some(facts) => assert_eq!(facts.digest(), Some(registry.digest(name).as_str())),
            None => panic!("{name}: not checked"),
        }
    }
    assert_eq!(
        answers[&query("test/app:v9")].as_ref().unwrap().lookup,
        Lookup::NotFound {
            credentialed: false
        }
    );
    let asked = proxy_log(&proxy)
        .iter()
        .filter(|(method, path)| method == "GET" && path.ends_with("/test/app/manifests/v1"))
        .count();
    assert_eq!(asked, 1, "test/app:v1 asked once");

    // Everything stalls: the phase ends at its deadline, every reference "not checked".
    let stalled = registry.proxy(r#"[{"match": "manifests", "action": "stall", "seconds": 30}]"#);
    let queries: Vec<Target> = ["test/app:v1", "test/app:v2"]
        .iter()
        .map(|name| Target {
            registry: stalled.clone(),
            ..query(name)
        })
        .collect();
    let started = std::time::Instant::now();
    let answers = run(resolve_all(
        Arc::new(client()),
        &queries,
        &BTreeMap::new(),
        &Settings {
            deadline: Duration::from_secs(1),
            ..Settings::default()
        },
    ));
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    assert!(answers.values().all(Option::is_none), "{answers:?}");
}

/// A registry with the OCI 1.1 referrers API, paginated with `Link` headers (distribution 2.8
/// has no referrers API): an in-process fake on loopback, serving one image and its
/// referrers over `pages` pages, the last page pointing at another origin (never followed).
struct FakeReferrers {
    server: std::sync::Arc<tiny_http::Server>,
    address: String,
    digest: String,
    asked: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl FakeReferrers {
    fn start(pages: Vec<Vec<(&'static str, &'static str)>>) -> FakeReferrers {
        use sha2::Digest as _;
        let server = std::sync::Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let address = server.server_addr().to_ip().unwrap().to_string();
        let manifest = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "sha256:00", "size": 2},
            "layers": []
        })
        .to_string();
        let digest = format!(
            "sha256:{}",
            sha2::Sha256::digest(manifest.as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        );
        let asked = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let (srv, log, d) = (server.clone(), asked.clone(), digest.clone());
        std::thread::spawn(move || {
            for request in srv.incoming_requests() {
                let url = request.url().to_string();
                log.lock().unwrap().push(url.clone());
                let json = |body: String| {
                    tiny_http::Response::from_string(body).with_header(
                        "Content-Type: application/vnd.oci.image.index.v1+json"
                            .parse::<tiny_http::Header>()
                            .unwrap(),
                    )
                };
                let response =
                    if url == "/v2/app/manifests/v1" || url == format!("/v2/app/manifests/{d}") {
                        json(manifest.clone())
                    } else if let Some(rest) = url.strip_prefix(&format!("/v2/app/referrers/{d}")) {
                        let page: usize = rest
                            .strip_prefix("?page=")
                            .and_then(|p| p.parse().ok())
                            .unwrap_or(0);
                        let entries: Vec<serde_json::Value> = pages
                            .get(page)
                            .into_iter()
                            .flatten()
                            .map(|(kind, predicate)| {
                                let mut annotations = serde_json::Map::new();
                                if !predicate.is_empty() {
                                    annotations.insert(
                                        "dev.sigstore.bundle.predicateType".into(),
                                        (*predicate).into(),
                                    );
                                }
                                serde_json::json!({
                                    "mediaType": "application/vnd.oci.image.manifest.v1+json",
                                    "digest": "sha256:11", "size": 1,
                                    "artifactType": kind, "annotations": annotations
                                })
                            })
                            .collect();
                        let body = serde_json::json!({
                            "schemaVersion": 2,
                            "mediaType": "application/vnd.oci.image.index.v1+json",
                            "manifests": entries
                        })
                        .to_string();
                        let next = if page + 1 < pages.len() {
                            format!("</v2/app/referrers/{d}?page={}>; rel=\"next\"", page + 1)
                        } else {
                            // Past the last page: a link elsewhere, which must not be followed.
                            "<http://example.invalid/v2/app/referrers/x>; rel=\"next\"".to_string()
                        };
                        json(body).with_header(
                            format!("Link: {next}")
                                .parse::<tiny_http::Header>()
                                .unwrap(),
                        )
                    } else {
                        tiny_http::Response::from_string("{}").with_status_code(404)
                    };
                let _ = request.respond(response);
            }
        });
        FakeReferrers {
            server,
            address,
            digest,
            asked,
        }
    }
}

impl Drop for FakeReferrers {
    fn drop(&mut self) {
        self.server.unblock();
    }
}

#[test]
fn the_referrers_api_is_read_page_by_page() {
    use imagegate::online::inspect::{Target, inspect};
    let fake = FakeReferrers::start(vec![
        vec![("application/vnd.cncf.notary.signature", "")],
        vec![],
        vec![
            ("application/spdx+json", ""),
            (
                "application/vnd.dev.sigstore.bundle.v0.3+json",
                "https://cosign.sigstore.dev/attestation/vuln/v1",
            ),
        ],
    ]);
    let client = client();
    let endpoint = Endpoint::of(&fake.address, false);
    let referrers = run(client.referrers(&endpoint, "app", &fake.digest, None)).unwrap();
    let kinds: Vec<&str> = referrers.iter().map(|r| r.artifact_type.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "application/vnd.cncf.notary.signature",
            "application/spdx+json",
            "application/vnd.dev.sigstore.bundle.v0.3+json"
        ]
    );
    let asked = fake.asked.lock().unwrap().clone();
    assert_eq!(
        asked.iter().filter(|u| u.contains("/referrers/")).count(),
        3,
        "three pages, the foreign link not followed: {asked:?}"
    );
    assert!(
        !asked.iter().any(|u| u.contains("manifests/sha256-")),
        "no tag-schema fallback when the API answers: {asked:?}"
    );

    // What the rules read: signed (Notary), scanned (a vuln bundle) and with an SBOM.
    let target = Target {
        registry: fake.address.clone(),
        repository: "app".into(),
        tag: Some("v1".into()),
        digest: None,
    };
    let facts = run(inspect(&client, &endpoint, &target, None, None));
    assert_eq!(facts.digest(), Some(fake.digest.as_str()));
    assert_eq!(facts.anonymous, Some(true));
    let signatures = facts.signatures.unwrap();
    assert_eq!(
        signatures.referrers,
        ["application/vnd.cncf.notary.signature"]
    );
    let attestations = facts.attestations.unwrap();
    assert_eq!(
        attestations.scans,
        ["https://cosign.sigstore.dev/attestation/vuln/v1"]
    );
    assert_eq!(attestations.sboms, ["application/spdx+json"]);

    // A digest reference whose resolution is known (from the cache) is not asked for again;
    // the signature tag's answer says an anonymous client is served.
    fake.asked.lock().unwrap().clear();
    let pinned = Target {
        tag: None,
        digest: Some(fake.digest.clone()),
        ..target
    };
    let facts = run(inspect(
        &client,
        &endpoint,
        &pinned,
        None,
        Some(facts.lookup.clone()),
    ));
    assert_eq!(facts.digest(), Some(fake.digest.as_str()));
    assert_eq!(facts.anonymous, Some(true));
    let asked = fake.asked.lock().unwrap().clone();
    assert!(
        !asked
            .iter()
            .any(|u| u.ends_with(&format!("/manifests/{}", fake.digest))),
        "{asked:?}"
    );
}

//! Tests of `online/cosign.rs` (verification against real signatures is in `tests/online.rs`).

use super::*;

#[test]
fn payload_digests_in_any_case() {
    let digest = format!("sha256:{}", "a".repeat(64));
    for key in ["docker-manifest-digest", "Docker-manifest-digest"] {
        let payload = format!(
            r#"{{"critical":{{"identity":{{"docker-reference":"r/x"}},"image":{{"{key}":"{digest}"}},"type":"cosign container image signature"}},"optional":null}}"#
        );
        assert_eq!(payload_digest(payload.as_bytes()), Some(digest.clone()));
    }
    assert_eq!(payload_digest(b"{}"), None);
    assert_eq!(payload_digest(b"not json"), None);
}

#[test]
fn keys_that_are_not_p256_are_refused() {
    assert!(PublicKey::from_pem("nothing").is_err());
    // An Ed25519 public key.
    let ed = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n";
    assert!(PublicKey::from_pem(ed).unwrap_err().contains("P-256"));
}

#[test]
fn layers_without_a_signature_are_left_out() {
    let manifest = format!(
        r#"{{"layers":[
            {{"mediaType":"{PAYLOAD_MEDIA_TYPE}","digest":"sha256:1","annotations":{{"{SIGNATURE_ANNOTATION}":"MEUCIQ=="}}}},
            {{"mediaType":"{PAYLOAD_MEDIA_TYPE}","digest":"sha256:2","annotations":{{}}}},
            {{"mediaType":"application/octet-stream","digest":"sha256:3","annotations":{{"{SIGNATURE_ANNOTATION}":"MEUCIQ=="}}}}
        ]}}"#
    );
    let layers = signature_layers(manifest.as_bytes()).unwrap();
    assert_eq!(layers.len(), 1);
    assert_eq!(layers[0].payload_digest, "sha256:1");
}

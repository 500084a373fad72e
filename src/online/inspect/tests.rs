use super::*;

fn referrer(kind: &str, annotations: &[(&str, &str)]) -> Referrer {
    Referrer {
        digest: "sha256:00".into(),
        artifact_type: kind.into(),
        annotations: annotations
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

#[test]
fn referrers_are_sorted_into_signatures_scans_and_sboms() {
    let mut signatures = Signatures::default();
    let mut attestations = Attestations::default();
    let bundle = "application/vnd.dev.sigstore.bundle.v0.3+json";
    classify_referrers(
        &[
            referrer("application/vnd.cncf.notary.signature", &[]),
            referrer(
                bundle,
                &[(
                    "dev.sigstore.bundle.predicateType",
                    SIGSTORE_SIGNATURE_PREDICATE,
                )],
            ),
            referrer(
                bundle,
                &[(
                    "dev.sigstore.bundle.predicateType",
                    "https://cosign.sigstore.dev/attestation/vuln/v1",
                )],
            ),
            referrer(
                bundle,
                &[(
                    "dev.sigstore.bundle.predicateType",
                    "https://spdx.dev/Document",
                )],
            ),
            referrer("application/spdx+json", &[]),
            referrer("application/vnd.cyclonedx+json", &[]),
            referrer("application/vnd.example.other", &[]),
        ],
        &mut signatures,
        &mut attestations,
    );
    assert_eq!(signatures.referrers.len(), 2);
    assert_eq!(
        attestations.scans,
        ["https://cosign.sigstore.dev/attestation/vuln/v1"]
    );
    assert_eq!(attestations.sboms.len(), 3);
}

#[test]
fn a_scan_attestation_tells_when_it_finished() {
    let statement = br#"{"predicateType":"https://cosign.sigstore.dev/attestation/vuln/v1","predicate":{"metadata":{"scanFinishedOn":"2026-11-30T10:00:00Z"}}}"#;
    let envelope = serde_json::json!({
        "payloadType": "application/vnd.in-toto+json",
        "payload": base64::engine::general_purpose::STANDARD.encode(statement),
        "signatures": []
    });
    assert_eq!(
        scan_finished(envelope.to_string().as_bytes()).as_deref(),
        Some("2026-11-30T10:00:00Z")
    );
    assert_eq!(scan_finished(b"not json"), None);
    assert_eq!(scan_finished(br#"{"payload":"%%%"}"#), None);
}

#[test]
fn the_reference_looked_up_is_the_digest_else_the_tag_else_latest() {
    let mut target = Target {
        registry: "r".into(),
        repository: "a".into(),
        tag: Some("v1".into()),
        digest: Some("sha256:ab".into()),
    };
    assert_eq!(target.reference(), "sha256:ab");
    target.digest = None;
    assert_eq!(target.reference(), "v1");
    target.tag = None;
    assert_eq!(target.reference(), "latest");
}

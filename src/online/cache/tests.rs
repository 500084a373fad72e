use super::*;
use crate::online::inspect::{Attestations, Signatures};

fn target(tag: Option<&str>, digest: Option<&str>) -> Target {
    Target {
        registry: "registry.example.com".into(),
        repository: "team/app".into(),
        tag: tag.map(str::to_string),
        digest: digest.map(str::to_string),
    }
}

fn found(signed: bool) -> ImageFacts {
    ImageFacts {
        lookup: Lookup::Found {
            digest: "sha256:ab".into(),
            media_type: "application/vnd.oci.image.manifest.v1+json".into(),
        },
        anonymous: Some(true),
        signatures: Some(Signatures {
            complete: true,
            cosign: Vec::new(),
            referrers: if signed {
                vec!["application/vnd.cncf.notary.signature".into()]
            } else {
                Vec::new()
            },
        }),
        attestations: Some(Attestations {
            scans: vec!["https://cosign.sigstore.dev/attestation/vuln/v1".into()],
            scan_finished: None,
            undated_scans: false,
            sboms: Vec::new(),
            complete: true,
        }),
        tag_now: None,
        partial: Vec::new(),
    }
}

#[test]
fn facts_expire_a_digest_resolution_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::new(dir.path(), Duration::from_secs(3600));
    let tag = target(Some("v1"), None);
    let digest = target(None, Some("sha256:ab"));
    cache.put(&tag, false, &found(true));
    cache.put(&digest, false, &found(true));
    assert_eq!(cache.get(&tag, false), Some(found(true)));
    assert_eq!(
        cache.get(&tag, true),
        None,
        "credentials are part of the key"
    );
    let expired = Cache::new(dir.path(), Duration::ZERO);
    // Signatures, scans and access can change: every reference's facts expire.
    assert_eq!(expired.get(&tag, false), None);
    assert_eq!(expired.get(&digest, false), None);
    // What a digest resolves to cannot: kept, for digest references only.
    assert_eq!(expired.resolution(&digest, false), Some(found(true).lookup));
    assert_eq!(expired.resolution(&tag, false), None);
    assert_eq!(expired.resolution(&digest, true), None);
}

#[test]
fn refused_credentials_are_not_kept() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::new(dir.path(), Duration::from_secs(3600));
    let tag = target(Some("v1"), None);
    let refused = ImageFacts {
        lookup: Lookup::CredentialsRefused,
        ..found(true)
    };
    cache.put(&tag, true, &refused);
    assert_eq!(cache.get(&tag, true), None);
}

#[test]
fn failures_and_partial_answers_are_not_kept_and_damaged_entries_are_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::new(dir.path(), Duration::from_secs(3600));
    let tag = target(Some("v1"), None);
    let failed = ImageFacts {
        lookup: Lookup::Failed {
            error: "gave up".into(),
        },
        ..found(true)
    };
    cache.put(&tag, false, &failed);
    assert_eq!(cache.get(&tag, false), None);
    let partial = ImageFacts {
        partial: vec!["referrers: HTTP 500".into()],
        ..found(true)
    };
    cache.put(&tag, false, &partial);
    assert_eq!(cache.get(&tag, false), None);

    cache.put(&tag, false, &found(true));
    let path = cache.path(&Cache::key(&tag, false));
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, &text[..text.len() / 2]).unwrap();
    assert_eq!(cache.get(&tag, false), None, "a truncated entry is a miss");
    std::fs::write(&path, text.replace("team/app", "team/other")).unwrap();
    assert_eq!(
        cache.get(&tag, false),
        None,
        "an entry for another key is a miss"
    );
    cache.put(&tag, false, &found(true));
    assert_eq!(cache.get(&tag, false), Some(found(true)), "rewritten");
}

use super::*;
use crate::online::client::Credential;
use crate::online::{GITHUB_TOKEN_USER, credentials, target};

fn options(auth_file: Option<std::path::PathBuf>) -> OnlineOptions {
    OnlineOptions {
        auth_file,
        github_token: Some(crate::online::Masked("ghs_token".into())),
        mirrors: BTreeMap::from([("docker.io".to_string(), "mirror.example.com".to_string())]),
        ..OnlineOptions::default()
    }
}

#[test]
fn a_mirror_is_asked_instead_of_its_registry() {
    let options = options(None);
    for written in [
        "nginx:1.27",
        "docker.io/library/nginx:1.27",
        "index.docker.io/nginx:1.27",
    ] {
        let target = target(&ImageRef::parse(written).unwrap(), &options);
        assert_eq!(target.registry, "mirror.example.com", "{written}");
        assert_eq!(target.repository, "library/nginx");
        assert_eq!(target.tag.as_deref(), Some("1.27"));
    }
    let digest = "sha256:abababababababababababababababababababababababababababababababab";
    let target = target(
        &ImageRef::parse(&format!("quay.io/a/b@{digest}")).unwrap(),
        &options,
    );
    assert_eq!(target.registry, "quay.io");
    assert_eq!(target.digest.as_deref(), Some(digest));
}

#[test]
fn the_github_token_is_for_ghcr_io_only_and_the_docker_config_wins() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.json");
    std::fs::write(
        &config,
        r#"{"auths": {"registry.example.com": {"username": "u", "password": "p"}}}"#,
    )
    .unwrap();
    let (found, problems) = credentials(
        &["ghcr.io", "registry.example.com", "mirror.example.com"],
        &options(Some(config.clone())),
    );
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(
        found.get("ghcr.io"),
        Some(&Credential::Basic {
            username: GITHUB_TOKEN_USER.into(),
            password: "ghs_token".into()
        })
    );
    assert_eq!(
        found.get("registry.example.com"),
        Some(&Credential::Basic {
            username: "u".into(),
            password: "p".into()
        })
    );
    assert_eq!(found.get("mirror.example.com"), None);

    // An entry for ghcr.io in the Docker config is used instead of the token.
    std::fs::write(
        &config,
        r#"{"auths": {"ghcr.io": {"username": "me", "password": "ghp_mine"}}}"#,
    )
    .unwrap();
    let (found, _) = credentials(&["ghcr.io"], &options(Some(config)));
    assert_eq!(
        found.get("ghcr.io"),
        Some(&Credential::Basic {
            username: "me".into(),
            password: "ghp_mine".into()
        })
    );
}

#[test]
fn an_unreadable_docker_config_is_a_diagnostic_that_never_quotes_it() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.json");
    std::fs::write(
        &config,
        r#"{"auths": {"r": {"auth": "c2VjcmV0OnNlY3JldA=="}"#,
    )
    .unwrap();
    let (found, problems) = credentials(&["r"], &options(Some(config)));
    assert!(found.is_empty());
    assert_eq!(problems.len(), 1);
    let shown = &problems[0];
    assert!(shown.contains("registry credentials not read"), "{shown}");
    assert!(!shown.contains("c2VjcmV0"), "{shown}");
}

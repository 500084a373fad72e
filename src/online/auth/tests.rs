//! Tests of `online/auth.rs`.

use super::*;

fn basic(user: &str, password: &str) -> Option<Credential> {
    Some(Credential::Basic {
        username: user.into(),
        password: password.into(),
    })
}

fn no_helpers() -> Helpers {
    Helpers {
        dirs: Vec::new(),
        timeout: Duration::from_secs(2),
    }
}

#[test]
fn auths_entries_by_every_spelling() {
    let config = DockerConfig::parse(
        r#"{"auths": {
            "https://index.docker.io/v1/": {"auth": "aHViOmh1YnBhc3M="},
            "registry.example.com": {"auth": "dTpwOmFzcw=="},
            "https://ghcr.io": {"username": "octo", "password": "ghp_x"},
            "acr.example.io": {"identitytoken": "refresh"}
        }}"#,
        "config.json",
    )
    .unwrap();
    let h = no_helpers();
    assert_eq!(
        config.credential("docker.io", &h).unwrap(),
        basic("hub", "hubpass")
    );
    assert_eq!(
        config.credential("registry.example.com", &h).unwrap(),
        basic("u", "p:ass"),
        "a password may hold `:`"
    );
    assert_eq!(
        config.credential("ghcr.io", &h).unwrap(),
        basic("octo", "ghp_x")
    );
    assert_eq!(
        config.credential("acr.example.io", &h).unwrap(),
        Some(Credential::IdentityToken("refresh".into()))
    );
    assert_eq!(config.credential("quay.io", &h).unwrap(), None);
    assert!(!format!("{config:?}").contains("aHVi"));
}

#[test]
fn helpers_run_with_a_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, body: &str| {
        let path = dir.path().join(format!("docker-credential-{name}"));
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
    };
    write(
        "good",
        r#"read server; printf '{"ServerURL":"%s","Username":"robot","Secret":"s3cret"}' "$server""#,
    );
    write(
        "token",
        r#"printf '{"Username":"<token>","Secret":"refresh"}'"#,
    );
    write(
        "none",
        r#"echo "credentials not found in native keychain"; exit 1"#,
    );
    write("slow", "sleep 5");
    let config = DockerConfig::parse(
        r#"{"credHelpers": {"good.example.com": "good", "tok.example.com": "token",
            "none.example.com": "none", "slow.example.com": "slow",
            "gone.example.com": "gone"}, "credsStore": "good"}"#,
        "config.json",
    )
    .unwrap();
    let helpers = Helpers {
        dirs: vec![dir.path().to_path_buf()],
        timeout: Duration::from_millis(500),
    };
    assert_eq!(
        config.credential("good.example.com", &helpers).unwrap(),
        basic("robot", "s3cret")
    );
    assert_eq!(
        config.credential("tok.example.com", &helpers).unwrap(),
        Some(Credential::IdentityToken("refresh".into()))
    );
    assert_eq!(
        config.credential("none.example.com", &helpers).unwrap(),
        None
    );
    let started = Instant::now();
    let slow = config.credential("slow.example.com", &helpers).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(slow.to_string().contains("no answer within"), "{slow}");
    let gone = config.credential("gone.example.com", &helpers).unwrap_err();
    assert!(gone.to_string().contains("not found on PATH"), "{gone}");
    // The store answers for registries without a helper of their own.
    assert_eq!(
        config.credential("other.example.com", &helpers).unwrap(),
        basic("robot", "s3cret")
    );
}

#[test]
fn a_broken_config_says_where_not_what() {
    let err = DockerConfig::parse(r#"{"auths": {"x": {"auth": 3}}}"#, "auth.json").unwrap_err();
    assert!(
        err.to_string()
            .starts_with("auth.json: not a Docker config"),
        "{err}"
    );
    // A string where an entry belongs is a credential: never quoted.
    for text in [
        r#"{"auths": {"ghcr.io": "dXNlcjpwYXNzd29yZA=="}}"#,
        r#"{"auths": {"ghcr.io": {"auth": ["dXNlcjpwYXNzd29yZA=="]}}}"#,
        r#"{"credsStore": {"secret": "dXNlcjpwYXNzd29yZA=="}}"#,
        r#"{"auths": {"ghcr.io": {"auth": "dXNlcjpwYXNzd29yZA==" "#,
    ] {
        let err = DockerConfig::parse(text, "auth.json")
            .unwrap_err()
            .to_string();
        assert!(!err.contains("dXNlc"), "{err}");
        assert!(err.contains("line 1, column"), "{err}");
    }
}

#[test]
fn config_is_found_in_the_order_tools_use() {
    let dir = tempfile::tempdir().unwrap();
    let docker = dir.path().join("docker");
    let home = dir.path().join("home");
    std::fs::create_dir_all(docker.join("x")).unwrap();
    std::fs::create_dir_all(home.join(".docker")).unwrap();
    std::fs::write(docker.join("config.json"), "{}").unwrap();
    std::fs::write(dir.path().join("auth.json"), "{}").unwrap();
    std::fs::write(home.join(".docker/config.json"), "{}").unwrap();
    let vars = |set: &[(&str, PathBuf)]| {
        let set: Vec<(String, PathBuf)> = set
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        move |name: &str| {
            set.iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone().into_os_string())
        }
    };
    let all = vars(&[
        ("DOCKER_CONFIG", docker.clone()),
        ("REGISTRY_AUTH_FILE", dir.path().join("auth.json")),
        ("HOME", home.clone()),
    ]);
    let explicit = dir.path().join("auth.json");
    assert_eq!(
        config_path(Some(&explicit), &all).unwrap(),
        Some(explicit.clone())
    );
    assert!(config_path(Some(&dir.path().join("missing.json")), &all).is_err());
    assert_eq!(
        config_path(None, &all).unwrap(),
        Some(docker.join("config.json"))
    );
    let no_docker = vars(&[
        ("DOCKER_CONFIG", docker.join("x")),
        ("REGISTRY_AUTH_FILE", dir.path().join("auth.json")),
        ("HOME", home.clone()),
    ]);
    assert_eq!(config_path(None, &no_docker).unwrap(), Some(explicit));
    let home_only = vars(&[("HOME", home.clone())]);
    assert_eq!(
        config_path(None, &home_only).unwrap(),
        Some(home.join(".docker/config.json"))
    );
    assert_eq!(config_path(None, &vars(&[])).unwrap(), None);
}

//! Tests of `secrets/`.

use super::*;

// Test tokens are assembled at run time so this file itself does not trip scanners.
fn rep(s: &str, n: usize) -> String {
    s.repeat(n)
}

const B62: &str = "aZ3kQ9mX2pL7vB1nR8tY4wC6eJ0hG5sD";

fn b62(n: usize) -> String {
    B62.chars().cycle().take(n).collect()
}

fn aws() -> String {
    format!("AKIA{}", "Z7Q2K9LM4XPA3B8C")
}

#[test]
fn credential_names() {
    let cases: &[(&str, bool)] = &[
        // credentials
        ("PASSWORD", true),
        ("password", true),
        ("DB_PASSWORD", true),
        ("MYSQL_ROOT_PASSWORD", true),
        ("POSTGRES_PASSWORD", true),
        ("DBPassword", true),
        ("dbPassword", true),
        ("DBPASSWORD", true),
        ("API_KEY", true),
        ("apiKey", true),
        ("APIKey", true),
        ("APIKEY", true),
        ("api-key", true),
        ("x-api-key", true),
        ("AWS_SECRET_ACCESS_KEY", true),
        ("AWS_ACCESS_KEY", true),
        ("accessKey", true),
        ("SECRET_KEY", true),
        ("SECRET_KEY_BASE", true),
        ("GITHUB_TOKEN", true),
        ("client-secret", true),
        ("clientSecret", true),
        ("CLIENT_SECRET", true),
        ("PRIVATE_KEY", true),
        ("privateKey", true),
        ("BASIC_AUTH", true),
        ("AUTH", true),
        ("auth_token", true),
        ("REDIS_PASSWD", true),
        ("SECRET", true),
        ("auth.token", true),
        ("JWT_SECRET", true),
        ("JWTSECRET", true),
        ("SLACK_WEBHOOK_TOKEN", true),
        ("CREDENTIALS", true),
        ("credential", true),
        ("OAUTH_TOKEN", true),
        ("OAuthToken", true),
        ("APITOKEN", true),
        ("SESSION_KEY", true),
        ("SIGNING_KEY", true),
        ("ENCRYPTION_KEY", true),
        ("ConnectionString", true),
        ("DB_CONNECTION_STRING", true),
        ("HTPASSWD", true),
        ("BEARER", true),
        ("SSH_PASSPHRASE", true),
        ("ADMIN_PWD", true),
        ("PASSWORD2", true),
        ("DB_PASSWORD_2", true),
        ("GH_PAT", true),
        ("config/secret", true),
        ("REGISTRY_CREDS", true),
        ("PASSWORD_HASH", true),
        // cloud keys
        ("AZURE_STORAGE_KEY", true),
        ("AZURE_OPENAI_KEY", true),
        ("AZURE_SEARCH_ADMIN_KEY", true),
        ("STORAGE_ACCOUNT_KEY", true),
        ("CACHE_AZURE_ACCOUNT_KEY", true),
        ("azurestorageaccountkey", true),
        ("REGISTRY_STORAGE_AZURE_ACCOUNTKEY", true),
        ("BACKUP_STORAGE_KEY", true),
        ("AZURE_STORAGE_ACCESS_KEY", true),
        ("OCI_CLI_KEY_CONTENT", true),
        ("OCP_APIM_SUBSCRIPTION_KEY", true),
        ("MEILI_MASTER_KEY", true),
        ("MINIO_SECRET_ACCESS_KEY", true),
        // not credentials
        ("SECRETS_DIR", false),
        ("PASSWORD_FILE", false),
        ("TOKEN_URL", false),
        ("AUTH_ENABLED", false),
        ("TOKEN_TTL", false),
        ("SECRET_NAME", false),
        ("PASSWORD_LENGTH", false),
        ("API_KEY_HEADER", false),
        ("AUTHOR", false),
        ("author", false),
        ("SECRETARY", false),
        ("KEYCLOAK_URL", false),
        ("PASSWORD_MIN_LENGTH", false),
        ("VAULT_TOKEN_PATH", false),
        ("AWS_ACCESS_KEY_ID", false),
        ("OAUTH", false),
        ("OAuth", false),
        ("OAUTH_CLIENT_ID", false),
        ("SECRET_KEY_NAME", false),
        ("TOKEN_EXPIRY_SECONDS", false),
        ("AUTH_TYPE", false),
        ("AUTH_MODE", false),
        ("AUTH_PROVIDER", false),
        ("BASIC_AUTH_USER", false),
        ("DB_USERNAME", false),
        ("DB_HOST", false),
        ("KEY", false),
        ("COMPAT", false),
        ("PATH", false),
        ("TOKENIZER", false),
        ("tokenizerModel", false),
        ("AUTHORITY", false),
        ("MONKEY", false),
        ("PRIVATE_KEY_PATH", false),
        ("privateKeyFile", false),
        ("secretRef", false),
        ("SECRET_VERSION", false),
        ("GITHUB_TOKEN_FILE", false),
        ("JWT_ALGORITHM", false),
        ("PASSWORD_POLICY", false),
        ("TOKEN_ENDPOINT", false),
        ("", false),
        ("___", false),
        ("LOG_LEVEL", false),
        ("REPLICAS", false),
        // `*_KEY` alone names no credential
        ("CACHE_KEY", false),
        ("SORT_KEY", false),
        ("PARTITION_KEY", false),
        ("PRIMARY_KEY", false),
        ("S3_KEY", false),
        ("AWS_KMS_KEY", false),
        ("AZURE_KEYVAULT_KEY", false),
        ("AZURE_KEY_VAULT_KEY", false),
        ("AZURE_KMS_KEY", false),
        ("AZURE_STORAGE_ACCOUNT_KEY_FILE", false),
        ("AZURE_STORAGE_KEY_NAME", false),
        ("STORAGE_KEY_PREFIX", false),
        ("AZURE", false),
        ("KEYSPACE", false),
        ("JANUSGRAPH_CFG_STORAGE_CQL_KEYSPACE", false),
    ];
    let wrong: Vec<_> = cases
        .iter()
        .filter(|(name, want)| is_credential_name(name) != *want)
        .collect();
    assert!(wrong.is_empty(), "misjudged names: {wrong:?}");
    assert!(cases.len() >= 60);
}

#[test]
fn word_splitting() {
    assert_eq!(split_words("DBPassword"), ["db", "password"]);
    assert_eq!(split_words("apiKey"), ["api", "key"]);
    assert_eq!(split_words("APIKey"), ["api", "key"]);
    assert_eq!(split_words("clientSecret"), ["client", "secret"]);
    assert_eq!(split_words("OAuth2Token"), ["oauth", "2", "token"]);
    assert_eq!(split_words("a.b/c-d_e"), ["a", "b", "c", "d", "e"]);
    assert_eq!(split_words("ÄrgerPaß"), ["ärger", "paß"]);
}

fn kinds(value: &str) -> Option<(TokenKind, usize, usize)> {
    find_token(value).map(|m| (m.kind, m.start, m.end))
}

#[test]
fn token_positives() {
    use TokenKind::*;
    let key = aws();
    let cases: Vec<(String, TokenKind, usize, usize)> = vec![
        (key.clone(), AwsAccessKeyId, 0, 20),
        (format!("id={key};"), AwsAccessKeyId, 3, 23),
        (format!("ASIA{}", "Z7Q2K9LM4XPA3B8C"), AwsAccessKeyId, 0, 20),
        (
            format!("\"ABIA{}\"", "Z7Q2K9LM4XPA3B8C"),
            AwsAccessKeyId,
            1,
            21,
        ),
        (
            format!("ACCA{} ", "Z7Q2K9LM4XPA3B8C"),
            AwsAccessKeyId,
            0,
            20,
        ),
        (format!("é {key}"), AwsAccessKeyId, 3, 23),
        (format!("ghp_{}", b62(36)), GithubToken, 0, 40),
        (format!("token: gho_{}\n", b62(36)), GithubToken, 7, 47),
        (format!("ghu_{}", b62(36)), GithubToken, 0, 40),
        (format!("ghs_{}", b62(36)), GithubToken, 0, 40),
        (format!("ghr_{}", b62(36)), GithubToken, 0, 40),
        (
            format!("github_pat_{}_{}", b62(22), b62(59)),
            GithubToken,
            0,
            93,
        ),
        (format!("glpat-{}", b62(20)), GitlabToken, 0, 26),
        (format!("glpat-{}-x_y.", b62(20)), GitlabToken, 0, 30),
        (
            format!("glpat-{}.01.0k1abc2de", b62(27)),
            GitlabToken,
            0,
            46,
        ),
        (format!("gldt-{}", b62(20)), GitlabToken, 0, 25),
        (
            format!("xoxb-1234567890-1234567890-{}", b62(24)),
            SlackToken,
            0,
            51,
        ),
        (
            format!("xoxp-1234-5678-9012-{}-", b62(32)),
            SlackToken,
            0,
            52,
        ),
        (format!("xapp-1-A0123-{}", b62(10)), SlackToken, 0, 23),
        (
            format!(
                "https://hooks.slack.com/services/T0ABCDEF1/B0ABCDEF1/{}",
                b62(24)
            ),
            SlackWebhook,
            0,
            77,
        ),
        (
            format!(
                "url: https://hooks.slack.com/services/T0ABCDEF1/B0ABCDEF1/{}",
                b62(24)
            ),
            SlackWebhook,
            5,
            82,
        ),
        (format!("AIza{}", b62(35)), GoogleApiKey, 0, 39),
        (format!("sk_live_{}", b62(24)), StripeLiveKey, 0, 32),
        (format!("rk_live_{}", b62(30)), StripeLiveKey, 0, 38),
        (format!("npm_{}", b62(36)), NpmToken, 0, 40),
        (format!("pypi-AgEIcHlwaS5vcmc{}", b62(60)), PypiToken, 0, 80),
        (format!("dckr_pat_{}", b62(27)), DockerHubToken, 0, 36),
    ];
    for (value, kind, start, end) in &cases {
        assert_eq!(
            kinds(value),
            Some((*kind, *start, *end)),
            "expected {kind:?} in case of length {}",
            value.len()
        );
    }
}

fn pem(kind: &str, body: &str) -> String {
    format!("-----BEGIN {kind}PRIVATE KEY-----\n{body}\n-----END {kind}PRIVATE KEY-----")
}

#[test]
fn pem_keys() {
    let body = b62(64);
    for kind in ["", "RSA ", "EC ", "DSA ", "OPENSSH ", "ENCRYPTED "] {
        let key = pem(kind, &body);
        let value = format!("key: |\n{key}\nrest");
        let m = find_token(&value).expect(kind);
        assert_eq!(m.kind, TokenKind::PrivateKey);
        assert_eq!(&value[m.range()], key);
    }
    let pgp = format!(
        "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n{body}\n-----END PGP PRIVATE KEY BLOCK-----"
    );
    assert_eq!(kinds(&pgp), Some((TokenKind::PrivateKey, 0, pgp.len())));
    // No END marker: the key runs to the end of the value.
    let open = format!("-----BEGIN RSA PRIVATE KEY-----\n{body}");
    assert_eq!(kinds(&open), Some((TokenKind::PrivateKey, 0, open.len())));
    // A malformed END line ends the key at the end of that line.
    let bad_end = format!("-----BEGIN PRIVATE KEY-----\n{body}\n-----END PRIVATE KEY\nnext");
    assert_eq!(
        kinds(&bad_end),
        Some((TokenKind::PrivateKey, 0, bad_end.len() - 5))
    );
    // A fake key does not hide a real token after it.
    let after = format!("{}\nx={}", pem("", "..."), aws());
    assert_eq!(
        find_token(&after).map(|m| m.kind),
        Some(TokenKind::AwsAccessKeyId)
    );
    let after = format!("-----BEGIN PRIVATE KEY-----\n...\n-----END\nx={}", aws());
    assert_eq!(
        find_token(&after).map(|m| m.kind),
        Some(TokenKind::AwsAccessKeyId)
    );
    // Near misses.
    for value in [
        format!("-----BEGIN PUBLIC KEY-----\n{body}\n-----END PUBLIC KEY-----"),
        format!("-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----"),
        format!("-----BEGIN FOO PRIVATE KEY-----\n{body}\n"),
        format!("-----BEGIN RSA PRIVATE KEY----\n{body}\n"),
        pem("RSA ", "..."),
        pem("", "XXXXXXXXXXXXXXXX"),
        "-----BEGIN PRIVATE KEY-----".to_owned(),
        "-----BEGIN PRIVATE KEY-----\n\n".to_owned(),
    ] {
        assert_eq!(find_token(&value), None, "case {:?}", &value[..20]);
    }
}

#[test]
fn token_near_misses() {
    let cases: Vec<String> = vec![
        String::new(),
        "hello world".into(),
        // AWS
        "AKIAIOSFODNN7EXAMPLE".into(),
        format!("X{}", aws()),
        format!("{}9", aws()),
        format!("AKIA{}", "Z7Q2K9LM4XPA3B8"),
        format!("AKIA{}", "z7q2k9lm4xpa3b8c"),
        format!("AKIB{}", "Z7Q2K9LM4XPA3B8C"),
        format!("AKIA{}", rep("X", 16)),
        format!("AKIA{}", rep("0", 16)),
        format!("éAKIA{}", "Z7Q2K9LM4XPA3B8C"),
        // GitHub
        format!("ghp_{}", b62(35)),
        format!("ghx_{}", b62(36)),
        format!("xghp_{}", b62(36)),
        format!("ghp_{}", rep("X", 36)),
        format!("ghp_{}", rep("x", 40)),
        format!("github_pat_{}", b62(81)),
        format!("ghp_{}EXAMPLE", b62(30)),
        // GitLab
        format!("glpat-{}", b62(19)),
        "glpat-xxxxxxxxxxxxxxxxxxxx".into(),
        "glpat-<your-token-here>".into(),
        // Slack
        "xoxb-your-token-here-please".into(),
        "xoxb-123".into(),
        format!("xoxb-{}", b62(30)),
        "xoxb-1234567890".into(),
        "xoxb-0000000000-0000000000-XXXXXXXXXXXXXXXX".into(),
        "xoxc-1234567890-1234567890-abcdefghij".into(),
        "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX".into(),
        "https://hooks.slack.com/services/TABC/BDEF/abcdefghijklmnopqrst".into(),
        format!(
            "https://hooks.slack.com/workflows/T0ABCDEF1/B0ABCDEF1/{}",
            b62(24)
        ),
        format!(
            "https://hooks.slack.com/services/T0ABCDEF1/B0ABCDEF1/{}",
            b62(10)
        ),
        // Google, Stripe, npm, PyPI, Docker Hub
        format!("AIza{}", b62(34)),
        format!("AIza{}", b62(36)),
        format!("sk_test_{}", b62(24)),
        format!("sk_live_{}", b62(23)),
        format!("npm_{}", b62(35)),
        format!("npm_{}", b62(37)),
        format!("pypi-AgEIcHlwaS5vcmc{}", b62(49)),
        format!("dckr_pat_{}", b62(26)),
    ];
    for value in &cases {
        assert_eq!(
            find_token(value),
            None,
            "false positive, length {}",
            value.len()
        );
    }
}

#[test]
fn all_tokens_and_boundaries() {
    let value = format!("a={} b=ghp_{} ü c=ghp_{}", aws(), b62(36), rep("X", 36));
    let found = find_tokens(&value);
    assert_eq!(found.len(), 2);
    assert_eq!(found[0].kind, TokenKind::AwsAccessKeyId);
    assert_eq!(found[1].kind, TokenKind::GithubToken);
    for m in found {
        assert!(value.is_char_boundary(m.start) && value.is_char_boundary(m.end));
    }
    assert_eq!(find_token(&value), Some(find_tokens(&value)[0]));
    // Two PEM keys in one value.
    let two = format!("{}\n{}", pem("", &b62(64)), pem("EC ", &b62(64)));
    assert_eq!(find_tokens(&two).len(), 2);
}

#[test]
fn describe_and_debug_hold_no_value() {
    assert_eq!(TokenKind::AwsAccessKeyId.describe(), "an AWS access key id");
    assert_eq!(TokenKind::GithubToken.describe(), "a GitHub token");
    assert_eq!(TokenKind::PrivateKey.describe(), "a PEM private key");
    let secret = format!("ghp_{}", b62(36));
    let m = find_token(&secret).expect("token");
    let shown = format!("{m:?} {}", m.kind.describe());
    assert!(!shown.contains(&secret[4..]), "{shown}");
}

fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

#[test]
fn docker_configs() {
    let auth = b64("user:hunter2");
    let cases: Vec<(String, Option<Vec<&str>>)> = vec![
        (
            format!(r#"{{"auths":{{"https://index.docker.io/v1/":{{"auth":"{auth}"}}}}}}"#),
            Some(vec!["index.docker.io"]),
        ),
        (
            format!(
                r#"{{"auths":{{"ghcr.io":{{"username":"u","password":"p"}},
                    "Registry.Local:5000":{{"identitytoken":"t"}},
                    "quay.io":{{"registrytoken":"r"}},
                    "https://ghcr.io":{{"auth":"{auth}"}},
                    "empty.io":{{}}}}}}"#
            ),
            Some(vec!["ghcr.io", "quay.io", "registry.local:5000"]),
        ),
        // Legacy .dockercfg.
        (
            format!(r#"{{"https://index.docker.io/v1/":{{"auth":"{auth}","email":"a@b.c"}}}}"#),
            Some(vec!["index.docker.io"]),
        ),
        // Keys are case-insensitive, as in Go.
        (
            r#"{"AUTHS":{"r.io":{"Password":"p"}}}"#.into(),
            Some(vec!["r.io"]),
        ),
        (
            "{\"auths\":{\"r.io\":{\"pa\u{17F}\u{17F}word\":\"p\"}}}".into(),
            Some(vec!["r.io"]),
        ),
        // Userinfo in a key is never reported.
        (
            r#"{"auths":{"https://bob:pw@r.io/v2/":{"auth":"x"}}}"#.into(),
            Some(vec!["r.io"]),
        ),
        // Not credentials.
        (r#"{"auths":{"r.io":{}}}"#.into(), None),
        (r#"{"auths":{}}"#.into(), None),
        (r#"{"auths":{"r.io":{"auth":""}}}"#.into(), None),
        (r#"{"auths":{"r.io":{"auth":"${AUTH}"}}}"#.into(), None),
        (
            r#"{"auths":{"r.io":{"username":"u","email":"e"}}}"#.into(),
            None,
        ),
        (r#"{"auths":{"r.io":{"auth":123}}}"#.into(), None),
        (r#"{"auths":{"r.io":"auth"}}"#.into(), None),
        (
            r#"{"credsStore":"desktop","credHelpers":{"gcr.io":"gcloud"}}"#.into(),
            None,
        ),
        (
            r#"{"auths":{"r.io":{}},"credsStore":"desktop"}"#.into(),
            None,
        ),
        // `auths` present: other top-level keys are not legacy hosts.
        (r#"{"auths":{},"x.io":{"auth":"a"}}"#.into(), None),
        // Legacy form only for registry-looking keys.
        (r#"{"db":{"password":"p"}}"#.into(), None),
        (
            r#"{"localhost":{"password":"p"}}"#.into(),
            Some(vec!["localhost"]),
        ),
        ("[]".into(), None),
        ("{".into(), None),
        ("not json".into(), None),
        (String::new(), None),
        ("null".into(), None),
    ];
    for (text, want) in &cases {
        let got = parse_docker_config(text).map(|c| c.hosts);
        let want = want
            .as_ref()
            .map(|h| h.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(got, want, "case {text}");
    }
    // Debug shows hosts only.
    let cfg = parse_docker_config(&cases[0].0).expect("config");
    assert!(!format!("{cfg:?}").contains(&auth));
}

#[test]
fn docker_config_in_values() {
    let json = r#"{"auths":{"registry.example.com":{"auth":"dTpw"}}}"#;
    let want = Some(DockerConfig {
        hosts: vec!["registry.example.com".into()],
    });
    assert_eq!(docker_config_in_value(json), want);
    assert_eq!(docker_config_in_value(&format!("  {json}\n")), want);
    let encoded = b64(json);
    assert_eq!(docker_config_in_value(&encoded), want);
    let wrapped: String = encoded
        .as_bytes()
        .chunks(20)
        .map(|c| String::from_utf8_lossy(c).into_owned() + "\n")
        .collect();
    assert_eq!(docker_config_in_value(&wrapped), want);
    assert_eq!(docker_config_in_value(encoded.trim_end_matches('=')), want);
    assert_eq!(
        docker_config_in_value(&b64(&format!("\u{FEFF}{json}"))),
        want
    );
    assert_eq!(docker_config_in_value(&b64("hello")), None);
    assert_eq!(docker_config_in_value("not base64!"), None);
    assert_eq!(docker_config_in_value(""), None);
    assert_eq!(docker_config_in_value(&b64(r#"{"auths":{}}"#)), None);
}

#[test]
fn base64_decoding() {
    let cases: &[(&str, Option<&[u8]>)] = &[
        ("aGVsbG8=", Some(b"hello")),
        ("aGVsbG8", Some(b"hello")),
        ("aGVs\nbG8=\n", Some(b"hello")),
        (" aGVs bG8= ", Some(b"hello")),
        ("aGVsbA==", Some(b"hell")),
        ("aGVsbA", Some(b"hell")),
        ("aGVsbB==", Some(b"hell")),
        ("", Some(b"")),
        ("  \n", Some(b"")),
        ("+/+/", Some(&[0xfb, 0xff, 0xbf])),
        ("-_-_", None),
        ("aGVsbG8=aGVs", None),
        ("a", None),
        ("aGVsbG8===", None),
        ("é", None),
        ("!!!!", None),
    ];
    for (input, want) in cases {
        assert_eq!(decode_base64(input).as_deref(), *want, "case {input:?}");
    }
}

#[test]
fn sops_values() {
    let cases: &[(&str, bool)] = &[
        ("ENC[AES256_GCM,data:Tr7o=,iv:1=,tag:2=,type:str]", true),
        ("  ENC[AES256_GCM,data:abc,type:int]\n", true),
        ("ENC[AES256_GCM,data:,type:str]", true),
        ("ENC[]", false),
        ("ENC[AES256_GCM]", false),
        ("ENC[AES256_GCM,iv:1,type:str]", false),
        ("ENC[,data:x]", false),
        ("ENC[AES 256,data:x]", false),
        ("enc[AES256_GCM,data:x]", false),
        ("ENC[AES256_GCM,data:x", false),
        ("prefix ENC[AES256_GCM,data:x]", false),
        ("", false),
    ];
    for (value, want) in cases {
        assert_eq!(is_sops_value(value), *want, "case {value:?}");
    }
}

#[test]
fn placeholders() {
    let cases: &[(&str, bool)] = &[
        ("", true),
        ("   \n\t", true),
        ("${DB_PASSWORD}", true),
        ("${db.password}", true),
        (" ${VAR} ", true),
        ("${VAR:?must be set}", true),
        ("${VAR?unset}", true),
        ("$VAR", true),
        ("$DB_PASSWORD", true),
        ("$(DB_PASSWORD)", true),
        ("$(db-password)", true),
        ("{{ .Values.password }}", true),
        ("{{- .Values.db.password | b64enc | quote -}}", true),
        ("{{password}}", true),
        ("<password>", true),
        ("<PLACEHOLDER>", true),
        ("<your-api-key-here>", true),
        ("<base64 encoded password>", true),
        // Real values.
        ("changeme", false),
        ("CHANGEME", false),
        ("hunter2", false),
        ("${VAR:-hunter2}", false),
        ("${}", false),
        ("${VAR", false),
        ("${A}${B}", false),
        ("$", false),
        ("$ecret123", false),
        ("$VAR!", false),
        ("$()", false),
        ("$(VAR) x", false),
        ("pass{{ .Values.x }}", false),
        ("{{", false),
        ("{{}", false),
        ("<>", false),
        ("<123>", false),
        ("<p@ss>", false),
        ("<<x>>", false),
        ("p<password>", false),
    ];
    for (value, want) in cases {
        assert_eq!(is_placeholder(value), *want, "case {value:?}");
    }
}

/// Fragments that random inputs are built from: token prefixes, PEM markers, docker-config
/// pieces, tricky Unicode.
fn fragments() -> Vec<String> {
    vec![
        "AKIA".into(),
        "ASIA".into(),
        "ghp_".into(),
        "github_pat_".into(),
        "glpat-".into(),
        "xoxb-".into(),
        "xapp-".into(),
        "https://hooks.slack.com/services/".into(),
        "T0ABCDEF1/".into(),
        "B0ABCDEF1/".into(),
        "-----BEGIN ".into(),
        "RSA ".into(),
        "PRIVATE KEY".into(),
        " BLOCK".into(),
        "-----".into(),
        "-----END ".into(),
        "AIza".into(),
        "sk_live_".into(),
        "npm_".into(),
        "pypi-AgEIcHlwaS5vcmc".into(),
        "dckr_pat_".into(),
        "ENC[".into(),
        "data:".into(),
        "${".into(),
        "$(".into(),
        "{{".into(),
        "}}".into(),
        "<".into(),
        ">".into(),
        "{\"auths\":{".into(),
        "\"auth\":\"x\"".into(),
        "\"r.io\":".into(),
        "{".into(),
        "}".into(),
        ",".into(),
        "=".into(),
        "\n".into(),
        " ".into(),
        "_".into(),
        "-".into(),
        "é".into(),
        "ß".into(),
        "\u{212A}".into(),
        "\u{17F}".into(),
        "日本".into(),
        "🔑".into(),
        "\u{0}".into(),
        "EXAMPLE".into(),
        b62(7),
        b62(20),
        "0123456789".into(),
        "ABCDEFGHIJKLMNOP".into(),
        "aGVsbG8=".into(),
        "://".into(),
        "postgresql://".into(),
        "@".into(),
        ":".into(),
        "/".into(),
        "%s".into(),
        "Bearer ".into(),
        "basic ".into(),
        "Authorization: ".into(),
        "-----BEGIN CERTIFICATE-----".into(),
        "-----END CERTIFICATE-----".into(),
        "ssh-rsa AAAA".into(),
        ".pub".into(),
    ]
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

    /// Any text made of the fragments: no panic, and every token range is on character
    /// boundaries inside the text.
    #[test]
    fn never_panics_on_noise(
        parts in proptest::collection::vec(proptest::sample::select(fragments()), 1..24)
    ) {
        let s = parts.concat();
        let _ = is_credential_name(&s);
        for m in find_tokens(&s) {
            proptest::prop_assert!(m.start < m.end && m.end <= s.len());
            proptest::prop_assert!(s.is_char_boundary(m.start) && s.is_char_boundary(m.end));
            proptest::prop_assert!(s.get(m.range()).is_some());
        }
        let _ = find_token(&s);
        let _ = parse_docker_config(&s);
        let _ = docker_config_in_value(&s);
        let _ = docker_config_in_value(&b64(&s));
        let _ = decode_base64(&s);
        let _ = is_sops_value(&s);
        let _ = is_placeholder(&s);
        for m in [find_uri_credential(&s)].into_iter().flatten() {
            proptest::prop_assert!(s.get(m.password.clone()).is_some());
            proptest::prop_assert!(s.get(m.scheme.clone()).is_some());
        }
        for m in [find_auth_credential(&s)].into_iter().flatten() {
            proptest::prop_assert!(s.get(m.credential.clone()).is_some());
        }
        let _ = non_secret_material(&s, &s);
        let _ = non_secret_material("ca.crt", &s);
        let _ = non_secret_material("url", &s);
    }
}

/// `scheme://user:password@rest`, assembled at run time.
fn uri(scheme: &str, userinfo: &str, rest: &str) -> String {
    format!("{scheme}://{userinfo}@{rest}")
}

#[test]
fn uri_credentials() {
    let pw = format!("s3{}", b62(10));
    // (value, scheme, password) for URIs with a literal password.
    let fires: Vec<(String, &str)> = vec![
        (
            uri(
                "postgresql",
                &format!("app:{pw}"),
                "db.shop.svc:5432/orders",
            ),
            "postgresql",
        ),
        (uri("amqp", &format!("u:{pw}"), "rabbit:5672/"), "amqp"),
        (
            uri(
                "https",
                &format!("deploy:{pw}"),
                "git.example.com/org/repo.git",
            ),
            "https",
        ),
        (
            uri("redis", &format!(":{pw}"), "redis-master:6379/0"),
            "redis",
        ),
        (
            uri(
                "mongodb+srv",
                &format!("u:{pw}"),
                "cluster0.example.net/db?retryWrites=true",
            ),
            "mongodb+srv",
        ),
        (uri("mysql", &format!("root:{pw}"), "db"), "mysql"),
        // Inside longer values: a JDBC URL, a line of a file, a quoted JSON value.
        (
            format!("jdbc:{}", uri("postgresql", &format!("u:{pw}"), "h/db")),
            "postgresql",
        ),
        (
            format!(
                "[db]\nurl = {}\nname = x\n",
                uri("postgres", &format!("u:{pw}"), "h")
            ),
            "postgres",
        ),
        (
            format!(
                "{{\"dsn\":\"{}\"}}",
                uri("mysql", &format!("u:{pw}"), "h:3306")
            ),
            "mysql",
        ),
        // The last `@` of the authority ends the userinfo; the first `:` starts the password.
        (uri("postgres", &format!("u:{pw}@x"), "h/db"), "postgres"),
        // Weak passwords are still passwords.
        (
            uri("postgres", "postgres:postgres", "postgres:5432"),
            "postgres",
        ),
        // A template elsewhere does not hide a literal password.
        (
            uri("postgres", &format!("{{{{ .Values.user }}}}:{pw}"), "h"),
            "postgres",
        ),
        (
            format!(
                "{} {}",
                uri("http", "u:${P}", "a"),
                uri("http", &format!("u:{pw}"), "b")
            ),
            "http",
        ),
    ];
    for (value, scheme) in &fires {
        let m = find_uri_credential(value).unwrap_or_else(|| panic!("no credential in {value}"));
        assert_eq!(&value[m.scheme.clone()], *scheme, "{value}");
        let password = &value[m.password.clone()];
        assert!(
            password.starts_with("s3") || password == "postgres",
            "{value}: {password}"
        );
    }
    let quiet: Vec<String> = vec![
        String::new(),
        "https://example.com/path".into(),
        "postgres://db.shop.svc:5432/orders".into(),
        uri("ssh", "git", "github.com/org/repo.git"),
        uri("postgres", "user", "host/db"),
        uri("postgres", "user:", "host/db"),
        uri("redis", ":", "host"),
        // Variables and templates.
        uri("postgresql", "$(POSTGRES_USER):$(POSTGRES_PASSWORD)", "db"),
        uri("postgresql", "${DB_USER}:${DB_PASSWORD}", "db"),
        uri("postgresql", "u:$DB_PASSWORD", "db"),
        uri("postgresql", "u:{{.Values.password}}", "db"),
        uri("postgresql", "u:{{ .Values.password }}", "db"),
        uri(
            "https",
            "x-access-token:${{ secrets.GITHUB_TOKEN }}",
            "github.com/",
        ),
        uri(
            "https",
            "x-access-token:${{secrets.GITHUB_TOKEN}}",
            "github.com/",
        ),
        uri("postgresql", "u:pre-${SUFFIX}", "db"),
        uri("postgresql", "u:${PASS:-default}", "db"),
        // Placeholders, format verbs and fields, masks.
        uri("postgresql", "u:<password>", "db"),
        uri("postgresql", "u:YOUR_PASSWORD", "db"),
        uri("mysql", "%s:%s", "%s:%s/%s"),
        uri("redis", ":%s", "%s"),
        uri("postgres", "{user}:{password}", "{host}/db"),
        uri("postgres", "{0}:{1}", "{2}/db"),
        uri("postgres", "u:****", "db"),
        uri("postgres", "u:xxxxxx", "db"),
        // Not an authority: the `@` is in the path, or no scheme.
        "https://example.com/@user:abc".into(),
        "git@github.com:org/repo.git".into(),
        "://u:p@h".into(),
        "1+://u:p@h".into(),
        "user:pass@host".into(),
        // `http://[::1]:8080`: no userinfo.
        "http://[::1]:8080/".into(),
        // Image references with a digest.
        format!("docker://nginx:1.25@sha256:{}", "0a1b".repeat(16)),
        format!("oci://ghcr.io/org/app:1.0@sha256:{}", "0a1b".repeat(16)),
    ];
    for value in &quiet {
        assert_eq!(find_uri_credential(value), None, "{value}");
    }
    // Non-ASCII around and inside.
    let v = format!("é {} ü", uri("amqp", &format!("ü:{pw}é"), "h"));
    let m = find_uri_credential(&v).expect("credential");
    assert!(v.is_char_boundary(m.password.start) && v.is_char_boundary(m.password.end));
    // Debug shows ranges only.
    let m = find_uri_credential(&fires[0].0).expect("credential");
    assert!(!format!("{m:?}").contains(&pw));
}

fn b64_of(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

#[test]
fn auth_credentials() {
    let token = b62(24);
    let basic = b64_of(&format!("deploy:{}", b62(12)));
    let fires: Vec<(String, AuthScheme)> = vec![
        ("bearer abc123def".into(), AuthScheme::Bearer),
        (format!("Bearer {token}"), AuthScheme::Bearer),
        (format!("  BEARER {token}\n"), AuthScheme::Bearer),
        (format!("Bearer\t{token}=="), AuthScheme::Bearer),
        (format!("Basic {basic}"), AuthScheme::Basic),
        (format!("basic {basic}"), AuthScheme::Basic),
        (format!("Authorization: Bearer {token}"), AuthScheme::Bearer),
        (
            format!("headers:\n  Authorization: Basic {basic}\n"),
            AuthScheme::Basic,
        ),
        (
            format!("{{\"Authorization\": \"Bearer {token}\"}}"),
            AuthScheme::Bearer,
        ),
        (
            format!("proxy_set_header Authorization \"Bearer {token}\";"),
            AuthScheme::Bearer,
        ),
        (
            format!("Proxy-Authorization: Basic {basic}"),
            AuthScheme::Basic,
        ),
        (format!("authorization=bearer {token}"), AuthScheme::Bearer),
    ];
    for (value, scheme) in &fires {
        let m = find_auth_credential(value).unwrap_or_else(|| panic!("no credential in {value:?}"));
        assert_eq!(m.scheme, *scheme, "{value}");
        let credential = &value[m.credential.clone()];
        assert!(
            credential == "abc123def" || credential.starts_with(&token[..8]) || credential == basic,
            "{value}: {credential}"
        );
    }
    let quiet: Vec<String> = vec![
        String::new(),
        "Bearer".into(),
        "Bearer ${TOKEN}".into(),
        "Bearer $(TOKEN)".into(),
        "Bearer $TOKEN".into(),
        "bearer {{ .Values.token }}".into(),
        "Bearer {{.Values.token}}".into(),
        "Bearer <token>".into(),
        "Bearer YOUR_TOKEN_HERE".into(),
        "Bearer your_access_token".into(),
        "Bearer token".into(),
        "Bearer Token".into(),
        "Bearer authentication".into(),
        "Bearer abc123".into(),
        "Bearer xxxxxxxxxxxxxxxxxxxxxxxx".into(),
        "Bearer EXAMPLE0123456789abcdef".into(),
        format!("Bearer {}${{SUFFIX}}", b62(10)),
        "Basic realm=\"api\"".into(),
        "Basic auth".into(),
        format!("Basic {}", b64_of("no-colon-here")),
        format!("Basic {}", b64_of("user:")),
        format!("Basic {}", b64_of("user:${PASSWORD}")),
        "Basic not-base64!".into(),
        // Prose, and a scheme in the middle of a value without a header name.
        "use bearer tokens".into(),
        "basic authentication with a 1234567890 token".into(),
        format!("the Bearer {token} scheme"),
        "Authorization: Bearer ${TOKEN}".into(),
        "X-Authorization: Bearer $(TOKEN)".into(),
        format!("unauthorization: Bearer {token}"),
        "AUTH_TYPE: Bearer".into(),
    ];
    for value in &quiet {
        assert_eq!(find_auth_credential(value), None, "{value:?}");
    }
}

#[test]
fn non_secret_materials() {
    use NonSecret::*;
    let cert = format!(
        "-----BEGIN CERTIFICATE-----\n{}\n{}==\n-----END CERTIFICATE-----\n",
        b62(64),
        b62(20)
    );
    let public = format!(
        "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----",
        b62(64)
    );
    let private = pem("", &b62(64));
    let fake_private = pem("", "...");
    let ssh = format!("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5{} deploy@ci", b62(20));
    let cases: Vec<(&str, String, Option<NonSecret>)> = vec![
        // Public PEM and SSH material, judged by content under any neutral key.
        ("ca.crt", cert.clone(), Some(Certificate)),
        ("tls.crt", format!("{cert}{cert}"), Some(Certificate)),
        (
            "bundle.pem",
            format!("# Issuer: CN=Root\n{cert}\nsubject=CN=x\n{cert}"),
            Some(Certificate),
        ),
        ("cosign.pub", public.clone(), Some(PublicKey)),
        ("jwt.pem", public.clone(), Some(PublicKey)),
        ("chain.pem", format!("{cert}{public}"), Some(PublicPem)),
        (
            "dhparam.pem",
            format!(
                "-----BEGIN DH PARAMETERS-----\n{}\n-----END DH PARAMETERS-----",
                b62(40)
            ),
            Some(PublicPem),
        ),
        ("id_ed25519.pub", ssh.clone(), Some(PublicKey)),
        (
            "authorized_keys",
            format!("# ci\n{ssh}\n\n{ssh}\n"),
            Some(PublicKey),
        ),
        ("known_hosts", format!("github.com {ssh}"), Some(PublicKey)),
        (
            "ssh",
            format!("ecdsa-sha2-nistp256 AAAAE2VjZHNh{}", b62(30)),
            Some(PublicKey),
        ),
        // By a public-key name, when the content never says private.
        ("wg.pub", format!("{}=", b62(43)), Some(PublicKey)),
        ("publicKey", b62(44), Some(PublicKey)),
        // By the key's last word, with the value's shape.
        ("username", "orders".into(), Some(UserName)),
        ("POSTGRES_USER", "postgres".into(), Some(UserName)),
        ("admin-user", "admin".into(), Some(UserName)),
        ("apiUsername", "svc-api@corp".into(), Some(UserName)),
        ("ldapuser", "cn=reader".into(), Some(UserName)),
        ("email", "ops@example.com".into(), Some(Email)),
        ("POSTGRES_DB", "orders".into(), Some(Identifier)),
        ("database", "orders".into(), Some(Identifier)),
        ("dbname", "orders".into(), Some(Identifier)),
        (
            "azurestorageaccountname",
            "shopdata".into(),
            Some(Identifier),
        ),
        ("githubAppID", "123456".into(), Some(Identifier)),
        ("project", "default".into(), Some(Identifier)),
        ("host", "db.shop.svc".into(), Some(Host)),
        ("dbhostname", "db.shop.svc".into(), Some(Host)),
        ("apiAddress", "10.0.0.1:6443".into(), Some(Host)),
        (
            "server",
            "https://kubernetes.default.svc".into(),
            Some(Host),
        ),
        ("redis-host", "[::1]:6379".into(), Some(Host)),
        ("port", "5432".into(), Some(Port)),
        (
            "url",
            "https://github.com/argoproj/argocd-example-apps".into(),
            Some(Url),
        ),
        (
            "url",
            "git@github.com:argoproj/argocd-example-apps.git".into(),
            Some(Url),
        ),
        ("url", "ghcr.io/argoproj/argo-helm".into(), Some(Url)),
        (
            "url",
            uri("ssh", "git", "github.com/org/repo.git"),
            Some(Url),
        ),
        (
            "githubAppEnterpriseBaseUrl",
            "https://ghe.example.com/api/v3".into(),
            Some(Url),
        ),
        (
            "DATABASE_URL",
            "postgres://db.shop.svc:5432/orders".into(),
            Some(Url),
        ),
        (
            "DATABASE_URL",
            uri("postgres", "u:${DB_PASSWORD}", "db/orders"),
            Some(Url),
        ),
        (
            "TOKEN_URL",
            "https://auth.example.com/oauth/token".into(),
            Some(Url),
        ),
        ("insecure", "true".into(), Some(Switch)),
        ("enableLfs", "False".into(), Some(Switch)),
        ("type", "git".into(), Some(Setting)),
        ("secret-name", "orders-db".into(), Some(Identifier)),
        // Credential-like names stay credentials, whatever the value.
        ("password", "true".into(), None),
        ("forceHttpBasicAuth", "true".into(), None),
        ("private-key", cert.clone(), None),
        ("tls.key", private.clone(), None),
        // Credential-like content stays a credential, whatever the key.
        ("ca.crt", format!("{cert}{private}"), None),
        ("tls.crt", private.clone(), None),
        ("tls.crt", format!("{cert}{fake_private}"), None),
        ("id_rsa.pub", private.clone(), None),
        (
            "id_rsa.pub",
            "-----BEGIN OPENSSH PRIVATE KEY-----\n...".into(),
            None,
        ),
        ("ca.crt", format!("{cert}password: hunter2\n"), None),
        ("ca.crt", "-----BEGIN CERTIFICATE-----\nabc\n".into(), None),
        (
            "ca.crt",
            "-----BEGIN CERTIFICATE-----\nabc\n-----END PUBLIC KEY-----".into(),
            None,
        ),
        (
            "url",
            uri("postgres", &format!("u:{}", b62(12)), "db/orders"),
            None,
        ),
        (
            "url",
            "https://hooks.example.com/services/T0ABCDEF1/B0ABCDEF1/aZ3kQ9mX2pL7vB1nR8tY4w".into(),
            None,
        ),
        (
            "url",
            "https://storage.example.com/c/blob?sv=2024&sig=abc".into(),
            None,
        ),
        (
            "webhook-url",
            "https://chat.example.com/hooks/team".into(),
            None,
        ),
        (
            "url",
            uri("https", "aZ3kQ9mX2pL7vB1nR8", "github.com/org/repo"),
            None,
        ),
        (
            "url",
            uri("https", "0a1b2c3d4e5f6a7b", "github.com/org/repo"),
            None,
        ),
        (
            "url",
            uri("https", "x-access-token", "github.com/org/repo"),
            Some(Url),
        ),
        ("username", format!("ghp_{}", b62(36)), None),
        ("username", "admin:hunter2".into(), None),
        ("username", "two words".into(), None),
        ("users", "admin".into(), None),
        ("user", "bearer abc123def".into(), None),
        ("port", "54x2".into(), None),
        ("host", "db host".into(), None),
        ("type", "a/b".into(), None),
        ("name", "{\"a\": 1}".into(), None),
        // Anything else is not clearly non-secret.
        ("key", "aZ3kQ9mX2pL7vB1n".into(), None),
        ("config.yaml", "log: info\n".into(), None),
        ("ghost", "s3cret".into(), None),
        ("report", "42".into(), None),
        ("accounts.alice.tokens", "abc".into(), None),
        ("username_in", "alice".into(), None),
        ("flag", "1".into(), None),
    ];
    let wrong: Vec<String> = cases
        .iter()
        .filter(|(key, text, want)| non_secret_material(key, text) != *want)
        .map(|(key, text, want)| {
            format!(
                "{key} = {:?}…: want {want:?}, got {:?}",
                &text[..text.len().min(24)],
                non_secret_material(key, text)
            )
        })
        .collect();
    assert!(wrong.is_empty(), "misjudged:\n{}", wrong.join("\n"));
}

#[test]
fn resource_names_are_not_credentials() {
    assert!(!could_be_credential(
        "projects/shop/instances/main/databases/orders"
    ));
    assert!(!could_be_credential(
        "projects/my-proj-123/locations/eu/keyRings/ring"
    ));
    // A password with slashes is still one.
    assert!(could_be_credential("s3cr3t/Pa55/w0rd!"));
    assert!(could_be_credential("aB3/xY9/qR7"));
    assert!(could_be_credential("user:pass@host/db/x"));
}

#[test]
fn large_and_hostile_inputs_stay_fast() {
    // Many PEM headers without an END marker, and many fake ones with one.
    let headers = "-----BEGIN PRIVATE KEY-----\n....\n".repeat(20_000);
    assert_eq!(find_token(&headers), None);
    let fake = format!("{}\n", pem("", "...")).repeat(20_000);
    assert_eq!(find_tokens(&fake), Vec::new());
    for unit in [
        "xoxb-1-",
        "github_pat_",
        "glpat-",
        "glpat-a-",
        "dckr_pat_",
        "pypi-AgEIcHlwaS5vcmc-",
        "AKIA",
        "xoxb-1-AKIAZ7Q2K9LM4XPA3B8C-",
        "-----BEGIN PRIVATE KEY-----",
        "-----BEGIN PRIVATE KEY----------END ",
    ] {
        let hostile = unit.repeat(1_000_000 / unit.len());
        let _ = find_tokens(&hostile);
    }
    let long = format!("ghp_{}", b62(MAX_TOKEN_RUN + 1));
    assert_eq!(find_token(&long), None);
    let dashes = "-".repeat(1_000_000);
    assert_eq!(find_token(&dashes), None);
    let deep = "[".repeat(100_000);
    assert_eq!(parse_docker_config(&format!("{{\"auths\":{deep}")), None);
    assert!(!is_credential_name(&"a".repeat(1_000_000)));
    for unit in [
        "://",
        "a://",
        "a://b:c@",
        "a://b:c@:",
        "@:",
        "authorization",
        "authorization: bearer ",
        "Authorization Basic Bearer ",
        "bearer 1",
        "-----BEGIN CERTIFICATE-----\n",
        "ssh-rsa AAAA\n",
        "a://{{",
        "{",
        "a://u:{{ x }}",
    ] {
        let hostile = unit.repeat(1_000_000 / unit.len());
        let started = std::time::Instant::now();
        let _ = find_uri_credential(&hostile);
        let _ = find_auth_credential(&hostile);
        let _ = non_secret_material("url", &hostile);
        let _ = non_secret_material("ca.crt", &hostile);
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "slow on {unit:?}"
        );
    }
    let scheme = format!("{}://u:p@h", "a".repeat(1_000_000));
    assert_eq!(
        find_uri_credential(&scheme),
        None,
        "scheme longer than 32 bytes"
    );
}

mod corpus_regressions {
    use super::*;

    /// Names and values from real manifests that are not credentials.
    #[test]
    fn settings_about_credentials_are_not_credentials() {
        for name in [
            "MAX_TOTAL_TOKENS",
            "MAX_BATCH_PREFILL_TOKENS",
            "AUTH_PROXY_IMAGE",
            "secret.html",
            "auth.json",
        ] {
            assert!(!is_credential_name(name), "{name}");
        }
        assert!(is_credential_name("GITHUB_TOKEN"));
        assert!(is_placeholder("GOOGLE_API_KEY_VAL"));
        assert!(is_placeholder("YOUR_TOKEN_HERE"));
        assert!(!is_placeholder("Hunter2_Secret"));
        assert!(
            !is_placeholder("SECRET"),
            "a lone capital word can be a password"
        );
        for value in [
            "true",
            "False",
            "1",
            "/var/secrets/google/key.json",
            " ",
            "",
        ] {
            assert!(!could_be_credential(value), "{value:?}");
        }
        for value in ["hunter2", "s3cr3t value", "123456"] {
            assert!(could_be_credential(value), "{value:?}");
        }
        // The credential part is a variable: a credential-like name holds none.
        for value in [
            "Bearer ${TOKEN}",
            "bearer $(TOKEN)",
            "Bearer {{ .Values.token }}",
            "Basic <credentials>",
            "postgresql://$(POSTGRES_USER):$(POSTGRES_PASSWORD)@db:5432/orders",
            "postgres://u:${A}@h1/db http://v:$(B)@h2",
            "postgres://USER:PASSWORD@HOST/DB",
        ] {
            assert!(!could_be_credential(value), "{value:?}");
        }
        for value in [
            "Bearer abc123def",
            "postgres://u:${A}@h1/db http://v:literal@h2",
            "postgres://db:5432/orders",
            "basic auth",
        ] {
            assert!(could_be_credential(value), "{value:?}");
        }
        assert!(!is_credential_name("AUTH_SCHEME"));
    }
}

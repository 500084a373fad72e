use super::*;
use crate::syntax::yaml;

#[test]
fn interpolation_takes_dotenv_values_and_literal_defaults() {
    let none = BTreeMap::new();
    let interpolate_plain = |t: &str| interpolate(t, &none);
    assert_eq!(interpolate_plain("nginx:1.27").as_deref(), Ok("nginx:1.27"));
    assert_eq!(
        interpolate_plain("nginx:${TAG:-1.27}").as_deref(),
        Ok("nginx:1.27")
    );
    assert_eq!(
        interpolate_plain("${REG-ghcr.io}/app:1").as_deref(),
        Ok("ghcr.io/app:1")
    );
    assert_eq!(interpolate_plain("a:$$1").as_deref(), Ok("a:$1"));
    assert_eq!(interpolate_plain("app:${TAG}"), Err("TAG".to_string()));
    assert_eq!(
        interpolate_plain("$REGISTRY/app:1"),
        Err("REGISTRY".to_string())
    );
    assert_eq!(
        interpolate_plain("app:${TAG:-$OTHER}"),
        Err("TAG".to_string())
    );
    assert_eq!(
        interpolate_plain("app:${TAG:?set it}"),
        Err("TAG".to_string())
    );
    assert!(interpolate_plain("app:${TAG").is_err());
    let env = dotenv(
        "# comment\nIMAGE_NAME=ghcr.io/otel/demo\nexport DEMO_VERSION=\"2.0.2\"\nEMPTY=\nTAG='1.1' # pinned\nbad line\n",
    );
    assert_eq!(env.get("DEMO_VERSION").map(String::as_str), Some("2.0.2"));
    assert_eq!(env.get("TAG").map(String::as_str), Some("1.1"));
    assert_eq!(
        interpolate("${IMAGE_NAME}:${DEMO_VERSION}-ad", &env).as_deref(),
        Ok("ghcr.io/otel/demo:2.0.2-ad")
    );
    assert_eq!(
        interpolate("$IMAGE_NAME:${EMPTY:-9}", &env).as_deref(),
        Ok("ghcr.io/otel/demo:9")
    );
    assert_eq!(interpolate("x:${EMPTY-9}", &env).as_deref(), Ok("x:"));
    assert_eq!(interpolate("x:${TAG:+2}", &env).as_deref(), Ok("x:2"));
    assert_eq!(interpolate("x:1${UNSET:+-rc}", &env).as_deref(), Ok("x:1"));
    assert_eq!(interpolate("x:1${EMPTY:+-rc}", &env).as_deref(), Ok("x:1"));
    assert_eq!(
        interpolate("x:1${EMPTY+-rc}", &env).as_deref(),
        Ok("x:1-rc")
    );
}

#[test]
fn services_with_an_image_are_uses_and_build_only_services_are_not() {
    let text = "services:\n  web:\n    image: nginx:latest\n  app:\n    build: .\n  db:\n    image: \"postgres:${PG:-16}\"\n  cache:\n    image: redis:${TAG}\n";
    let root = yaml::first_root(text).unwrap();
    assert!(is_compose(&root));
    let (mut out, mut notes) = (Vec::new(), Vec::new());
    compose_images(0, &root, &BTreeMap::new(), &mut out, &mut notes);
    let found: Vec<(&str, &str)> = out
        .iter()
        .map(|u| (u.text.as_str(), &text[u.span.range()]))
        .collect();
    assert_eq!(
        found,
        [
            ("nginx:latest", "nginx:latest"),
            ("postgres:16", "\"postgres:${PG:-16}\"")
        ]
    );
    assert_eq!(notes.len(), 1);
    assert!(notes[0].1.contains("`TAG`"), "{notes:?}");
}

#[test]
fn kubernetes_objects_and_other_yaml_are_not_compose() {
    for text in [
        "apiVersion: v1\nkind: Pod\nservices:\n  a:\n    image: x\n",
        "services: [postgres:16]\n",
        "services:\n  a: 1\n",
        "services:\n  a:\n    ports: [80]\n",
        "name: x\n",
    ] {
        let root = yaml::first_root(text).unwrap();
        assert!(!is_compose(&root), "{text}");
    }
    assert!(is_compose_name("docker-compose.prod.yml"));
    assert!(is_compose_name("compose.yaml"));
    assert!(!is_compose_name("composer.json"));
    assert!(!is_compose_name("my-compose.yaml"));
}

#[test]
fn values_shaped_services_are_not_compose_and_env_values_are_placed_exactly() {
    let values = "services:\n  api:\n    image:\n      repository: x\n      tag: 1\n";
    assert!(!is_compose(&yaml::first_root(values).unwrap()));
    let text = "services:\n  a:\n    environment:\n      - 'TOKEN=abc123'\n      - PASS=xyz789\n      - \"ESC=a\\tb\"\n      KEY: v\n";
    // (The last line makes `environment` invalid; the list is read before it.)
    let text = &text[..text.find("      KEY").unwrap()];
    let root = yaml::first_root(text).unwrap();
    let found: Vec<(String, &str)> = environment(&root, text)
        .iter()
        .map(|e| (e.name.clone(), &text[e.span.range()]))
        .collect();
    assert_eq!(
        found,
        [
            ("TOKEN".to_string(), "abc123"),
            ("PASS".to_string(), "xyz789"),
            // An escape: the whole item, never less than the value.
            ("ESC".to_string(), "\"ESC=a\\tb\""),
        ]
    );
}

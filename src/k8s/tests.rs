//! Tests of `k8s/mod.rs`.

use super::*;
use crate::syntax::yaml::{Limits, load_stream};

fn images(text: &str) -> Vec<(String, String)> {
    let docs = load_stream(text, Limits::default());
    let mut out = Vec::new();
    for doc in &docs {
        let Ok(Some(root)) = &doc.root else { continue };
        for object in objects(root) {
            let Some(pod) = pod_spec(&object) else {
                continue;
            };
            for c in containers(&pod) {
                if let Some(image) = c.image().and_then(Node::as_str) {
                    out.push((c.field_path.clone(), image.to_string()));
                }
            }
        }
    }
    out
}

#[test]
fn deployment_with_init_and_ephemeral_containers() {
    let t = "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      initContainers: [{name: i, image: busybox}]\n      containers:\n      - name: a\n        image: nginx\n      ephemeralContainers:\n      - {name: d, image: debug}\n";
    assert_eq!(
        images(t),
        [
            (
                "spec.template.spec.initContainers[0]".into(),
                "busybox".into()
            ),
            ("spec.template.spec.containers[0]".into(), "nginx".into()),
            (
                "spec.template.spec.ephemeralContainers[0]".into(),
                "debug".into()
            ),
        ]
    );
}

#[test]
fn pod_cronjob_podtemplate_and_crds() {
    let t = "apiVersion: v1\nkind: Pod\nspec:\n  containers: [{name: a, image: p}]\n---\napiVersion: batch/v1\nkind: CronJob\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers: [{name: a, image: c}]\n---\napiVersion: v1\nkind: PodTemplate\ntemplate:\n  spec:\n    containers: [{name: a, image: t}]\n---\napiVersion: argoproj.io/v1alpha1\nkind: Rollout\nspec:\n  template:\n    spec:\n      containers: [{name: a, image: r}]\n---\napiVersion: keda.sh/v1alpha1\nkind: ScaledJob\nspec:\n  jobTargetRef:\n    template:\n      spec:\n        containers: [{name: a, image: k}]\n";
    let got: Vec<String> = images(t).into_iter().map(|(_, i)| i).collect();
    assert_eq!(got, ["p", "c", "t", "r", "k"]);
}

#[test]
fn image_fields_elsewhere_are_not_containers() {
    let t = "apiVersion: v1\nkind: ConfigMap\ndata:\n  image: nginx:latest\n---\napiVersion: example.com/v1\nkind: Database\nspec:\n  image: postgres:latest\n  template:\n    spec:\n      image: x\n";
    assert!(images(t).is_empty());
}

#[test]
fn list_items_are_objects() {
    let t = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: a, namespace: shop}\n  spec:\n    containers: [{name: a, image: x}]\n";
    let docs = load_stream(t, Limits::default());
    let root = docs[0].root.clone().unwrap().unwrap();
    let objs = objects(&root);
    assert_eq!(objs.len(), 1);
    assert_eq!(
        (objs[0].kind, objs[0].name, objs[0].namespace),
        ("Pod", Some("a"), Some("shop"))
    );
    assert_eq!(
        images(t),
        [("items[0].spec.containers[0]".into(), "x".into())]
    );
}

mod crd_tests {
    use super::is_crd_definition;

    #[test]
    fn crd_definitions_by_their_kind_line() {
        assert!(is_crd_definition(
            "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec: {}\n"
        ));
        assert!(is_crd_definition(
            "kind: \"CustomResourceDefinition\"  # a CRD\n"
        ));
        // A custom resource, or the word nested deeper, is not a definition.
        assert!(!is_crd_definition(
            "kind: Rollout\nspec:\n  kind: CustomResourceDefinition\n"
        ));
        assert!(!is_crd_definition("kind: CustomResourceDefinitionList\n"));
        assert!(!is_crd_definition(
            "{\"kind\": \"CustomResourceDefinition\"}"
        ));
    }
}

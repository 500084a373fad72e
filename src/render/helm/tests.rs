//! Tests of `render/helm/mod.rs`.

use super::*;

#[test]
fn source_comments() {
    assert_eq!(
        source_comment("---\n# Source: web/templates/a.yaml\napiVersion: v1\n"),
        Some("web/templates/a.yaml")
    );
    assert_eq!(
        source_comment("# Source: web/templates/a.yaml\nkind: Pod"),
        Some("web/templates/a.yaml")
    );
    assert_eq!(source_comment("apiVersion: v1\n# Source: x\n"), None);
    assert!(is_rendered("---\n# Source: a/templates/b.yaml\n"));
    assert!(!is_rendered("kind: Pod # Source: x\n"));
}

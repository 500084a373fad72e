//! Tests of `scan/limit.rs`.

use super::*;
use crate::input::diagnostic::Severity;

#[test]
fn diagnostics_outside_the_change_and_its_renders_are_left_out() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path();
    for file in ["a.yaml", "b.yaml", "chart/Chart.yaml", "chart/values.yaml"] {
        let path = dir.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, "x: 1\n").unwrap();
    }
    let changed = Changed::from_list("test".into(), dir, ["a.yaml", "chart/values.yaml"]);
    let shown = |f: &str| dir.join(f).to_string_lossy().into_owned();
    let scanned_paths: Vec<String> = ["a.yaml", "b.yaml", "chart/Chart.yaml"]
        .iter()
        .map(|f| shown(f))
        .collect();
    let scanned: HashSet<&str> = scanned_paths.iter().map(String::as_str).collect();
    let rendered = [kustomize::absolute(&dir.join("chart"))];
    let keep = |path: String| {
        in_scope(
            &Diagnostic::new(Severity::Warning, path, "m"),
            &scanned,
            &changed,
            &rendered,
        )
    };
    assert!(keep(shown("a.yaml")), "a changed file");
    assert!(!keep(shown("b.yaml")), "an unchanged file");
    assert!(
        keep(shown("chart/Chart.yaml")),
        "in a chart rendered for the change"
    );
    assert!(keep("<stdin>".into()), "not a file");
}

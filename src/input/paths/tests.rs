//! Tests of `input/paths.rs`.

use super::*;

#[test]
fn absolute_paths_become_relative_to_the_working_directory() {
    let cwd = std::env::current_dir().unwrap();
    let here = cwd.to_string_lossy();
    let parent = cwd.parent().unwrap().to_string_lossy().into_owned();
    let message = format!(
        "lstat {here}/k8s/x.yaml: no such file; '{here}' and {parent}/other/y.yaml; https://h{here}/a"
    );
    assert_eq!(
        relative_paths(&message),
        format!("lstat k8s/x.yaml: no such file; '.' and ../other/y.yaml; https://h{here}/a")
    );
    // A sibling whose name starts like the working directory's is a sibling.
    assert_eq!(
        relative_paths(&format!("{here}x/z")),
        format!("../{}x/z", cwd.file_name().unwrap().to_string_lossy())
    );
}

#[test]
fn globs_keep_to_directories() {
    let m = |g: &str, p: &str| glob_of(g).unwrap().compile_matcher().is_match(p);
    assert!(m("legacy/*.yaml", "legacy/a.yaml"));
    assert!(!m("legacy/*.yaml", "legacy/old/a.yaml"));
    assert!(m("legacy/**", "legacy/old/a.yaml"));
    assert!(m("./Dockerfile", "Dockerfile"));
    assert!(!m("Dockerfile", "app/Dockerfile"));
    assert!(m("**/Dockerfile", "app/Dockerfile"));
}

//! The binary's contract: exit codes, usage errors, the walk, and bad input that never stops a
//! scan.

// A test crate: an unwrap that fails is a failing test, and its helpers are `pub` for its
// modules.
#![allow(clippy::unwrap_used, unreachable_pub)]

mod common;

use std::fs;
use std::path::Path;

use common::{imagegate, scan_json};

fn write(dir: &Path, name: &str, text: impl AsRef<[u8]>) {
    let path = dir.join(name);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

const LATEST: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    image: nginx:latest\n";
const PINNED: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  imagePullSecrets: [{name: regcred}]\n  containers:\n  - name: a\n    image: registry.example.com/a/b:1.0@sha256:86a1768af4502fd86b4a35b59a19f1cb2b34ac94f6b77e077527977f9ba97c63\n";

fn rules_of(report: &serde_json::Value) -> Vec<(String, String, u64)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["start"]["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn exit_codes_follow_fail_on() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "latest.yaml", LATEST);
    write(dir.path(), "pinned.yaml", PINNED);
    let code = |args: &[&str]| imagegate(args).status.code();
    let latest = dir.path().join("latest.yaml");
    let pinned = dir.path().join("pinned.yaml");
    let (l, p) = (latest.to_str().unwrap(), pinned.to_str().unwrap());
    assert_eq!(code(&["scan", l]), Some(1));
    assert_eq!(code(&["scan", l, "--fail-on", "never"]), Some(0));
    assert_eq!(
        code(&["scan", p]),
        Some(0),
        "a pinned private image with a pull secret"
    );
    // Notes remain: no admission policy verifies its signature or restricts registries.
    assert_eq!(code(&["scan", p, "--fail-on", "warning"]), Some(0));
    assert_eq!(code(&["scan", p, "--fail-on", "note"]), Some(1));
    // nginx:1.27 has warnings and notes but no error.
    write(dir.path(), "tagged.yaml", LATEST.replace("latest", "1.27"));
    let tagged = dir.path().join("tagged.yaml");
    let t = tagged.to_str().unwrap();
    assert_eq!(code(&["scan", t]), Some(0));
    assert_eq!(code(&["scan", t, "--fail-on", "warning"]), Some(1));
    assert_eq!(code(&["scan", t, "--fail-on", "note"]), Some(1));
}

#[test]
fn usage_errors_exit_2() {
    let code = |args: &[&str]| imagegate(args).status.code();
    assert_eq!(code(&["scan", "--format", "xml"]), Some(2));
    assert_eq!(code(&["scan", "--fail-on", "sometimes"]), Some(2));
    assert_eq!(code(&["bogus"]), Some(2));
    assert_eq!(code(&["scan", "does/not/exist"]), Some(2));
    assert_eq!(code(&["scan", "--include", "a[", "fixtures/demo"]), Some(2));
    assert_eq!(code(&["scan", "--max-file-size", "lots"]), Some(2));
    let bad = imagegate(["scan", "--allowed-registry", "quay.io*", "fixtures/demo"]);
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("--allowed-registry `quay.io*`"), "{err}");
    assert_eq!(code(&["--help"]), Some(0));
    assert_eq!(code(&["--version"]), Some(0));
}

#[test]
fn unwritable_output_is_an_io_error() {
    let out = imagegate([
        "scan",
        "fixtures/demo",
        "--output",
        "/nonexistent-dir/x.sarif",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write"));
}

#[test]
fn walk_respects_ignore_files_globs_and_charts() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "k8s/a.yaml", LATEST);
    write(d, "k8s/b.yml", LATEST);
    write(d, "gen/c.yaml", LATEST);
    write(d, ".gitignore", "gen/\n");
    write(d, "vendor/d.yaml", LATEST);
    write(d, ".ignore", "vendor/\n");
    write(d, ".git/e.yaml", LATEST);
    write(
        d,
        "chart/Chart.yaml",
        "apiVersion: v2\nname: c\nversion: 1.0.0\n",
    );
    write(d, "chart/templates/f.yaml", LATEST);
    write(d, "notes.txt", "image: nginx:latest\n");
    write(d, "app/Dockerfile", "FROM nginx:latest\n");
    let root = d.to_str().unwrap();
    // The chart's template is not read as a manifest; its rendered image is traced back to it.
    let (report, _) = scan_json(&[root, "--fail-on", "never"]);
    let mut paths: Vec<String> = rules_of(&report)
        .into_iter()
        .filter(|(rule, ..)| rule == "image-tag-latest")
        .map(|(_, p, _)| p.strip_prefix(root).unwrap().to_string())
        .collect();
    paths.sort();
    let mut want = vec!["/app/Dockerfile", "/k8s/a.yaml", "/k8s/b.yml"];
    if common::have_tool("helm", "walk_respects_ignore_files_globs_and_charts") {
        want.insert(1, "/chart/templates/f.yaml");
    }
    assert_eq!(paths, want);
    assert_eq!(report["summary"]["files"], 3, "{report}");

    let (report, _) = scan_json(&[root, "--exclude", "k8s/b.yml", "--include", "k8s/**"]);
    let paths: Vec<String> = rules_of(&report).into_iter().map(|(_, p, _)| p).collect();
    assert!(
        paths.iter().all(|p| p.ends_with("/k8s/a.yaml")),
        "{paths:?}"
    );
    assert!(!paths.is_empty());

    // An explicit file inside a chart is scanned by its type.
    let explicit = d.join("chart/templates/f.yaml");
    let (report, _) = scan_json(&[explicit.to_str().unwrap()]);
    assert!(!rules_of(&report).is_empty());

    // The debug note for the chart shows with --verbose only.
    let quiet = imagegate(["scan", root]);
    assert!(!String::from_utf8_lossy(&quiet.stderr).contains("Helm chart"));
    let verbose = imagegate(["scan", root, "--verbose"]);
    assert!(String::from_utf8_lossy(&verbose.stderr).contains("Helm chart"));
}

/// Each bad file is one diagnostic naming it, and the good file is still checked.
#[test]
fn bad_input_is_a_diagnostic_and_the_scan_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "good.yaml", LATEST);
    write(
        d,
        "broken.yaml",
        format!("{LATEST}---\napiVersion: v1\nkind: Pod\nspec: [unclosed\n---\n{LATEST}"),
    );
    write(d, "binary.yaml", b"\x00\x01\x02apiVersion: v1\x00");
    write(
        d,
        "latin1.yaml",
        b"apiVersion: v1\nkind: ConfigMap\ndata:\n  a: caf\xe9\n",
    );
    write(
        d,
        "huge.yaml",
        format!(
            "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: {}\n",
            "x".repeat(2 << 20)
        ),
    );
    let mut bomb =
        String::from("apiVersion: v1\nkind: ConfigMap\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let p = i - 1;
        bomb.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    write(d, "bomb.yaml", bomb);
    write(
        d,
        "deep.yaml",
        format!(
            "apiVersion: v1\nkind: ConfigMap\ndata: {}1{}\n",
            "[".repeat(20_000),
            "]".repeat(20_000)
        ),
    );
    let outside = tempfile::tempdir().unwrap();
    write(outside.path(), "elsewhere.yaml", LATEST);
    #[cfg(unix)]
    {
        use std::os::unix::fs::symlink;
        fs::create_dir_all(d.join("loop")).unwrap();
        symlink(d.join("loop"), d.join("loop/again")).unwrap();
        // Links out of the tree are not followed; a link inside it is not read twice.
        symlink(outside.path(), d.join("out-dir")).unwrap();
        symlink(
            outside.path().join("elsewhere.yaml"),
            d.join("out-file.yaml"),
        )
        .unwrap();
        symlink(d.join("good.yaml"), d.join("again-good.yaml")).unwrap();
        symlink(d.join("missing.yaml"), d.join("dangling.yaml")).unwrap();
    }
    write(d, "dir.yaml/inner.yaml", LATEST);

    let root = d.to_str().unwrap();
    let start = std::time::Instant::now();
    let (report, out) = scan_json(&[root, "--max-file-size", "1M", "--fail-on", "never"]);
    assert!(
        start.elapsed().as_secs() < 60,
        "the scan took {:?}",
        start.elapsed()
    );
    assert_eq!(out.status.code(), Some(0));
    let diagnostics: Vec<(String, String)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let path = d["path"].as_str().unwrap();
            let name = path
                .strip_prefix(root)
                .unwrap_or(path)
                .trim_start_matches('/');
            (name.to_string(), d["message"].as_str().unwrap().to_string())
        })
        .collect();
    let about = |file: &str, words: &str| {
        let hits: Vec<_> = diagnostics.iter().filter(|(p, _)| p == file).collect();
        assert_eq!(hits.len(), 1, "{file}: {diagnostics:#?}");
        assert!(hits[0].1.contains(words), "{file}: {:?}", hits[0].1);
    };
    about("broken.yaml", "invalid YAML");
    about("binary.yaml", "binary");
    about("latin1.yaml", "not UTF-8 (invalid byte at line 4");
    about("huge.yaml", "larger than --max-file-size");
    about("bomb.yaml", "invalid YAML");
    about("deep.yaml", "invalid YAML");
    #[cfg(unix)]
    assert!(
        diagnostics
            .iter()
            .any(|(p, m)| p.starts_with("loop") && m.contains("loop")),
        "{diagnostics:#?}"
    );
    let broken_line = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["path"].as_str().unwrap().ends_with("broken.yaml"))
        .unwrap()["line"]
        .as_u64()
        .unwrap();
    assert!((10..=13).contains(&broken_line), "line {broken_line}");

    // Findings still come from the good file, both good documents of the broken file, and the
    // file inside the directory named like a YAML file.
    let latest: Vec<String> = rules_of(&report)
        .into_iter()
        .filter(|(rule, ..)| rule == "image-tag-latest")
        .map(|(_, p, line)| format!("{}:{line}", p.strip_prefix(root).unwrap()))
        .collect();
    assert_eq!(
        latest,
        [
            "/broken.yaml:7",
            "/broken.yaml:19",
            "/dir.yaml/inner.yaml:7",
            "/good.yaml:7"
        ]
    );
}

#[test]
fn rules_catalog_lists_every_rule() {
    let out = imagegate(["rules"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for id in [
        "image-tag-latest",
        "image-registry-not-allowed",
        "image-pull-policy-mutable",
    ] {
        assert!(text.contains(id), "{text}");
    }
    let json = imagegate(["rules", "--format", "json"]);
    let list: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 29);
    assert_eq!(list[0]["id"], "image-reference-invalid");
    assert_eq!(list[0]["level"], "error");
    assert_eq!(list[0]["online"], false);
    // The online rules say so, in both forms.
    let online: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["online"] == true)
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        online,
        [
            "image-not-found",
            "image-unsigned",
            "image-signature-untrusted",
            "image-unscanned",
            "image-digest-outdated"
        ]
    );
    let line = text
        .lines()
        .find(|l| l.starts_with("image-unsigned "))
        .unwrap();
    assert!(line.contains("(online)"), "{line}");
}

#[test]
fn allow_list_drives_the_registry_rules() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a.yaml",
        LATEST.replace("nginx:latest", "quay.io.evil.com/x/y:1"),
    );
    let file = dir.path().join("a.yaml");
    let f = file.to_str().unwrap();
    let (report, _) = scan_json(&[f, "--allowed-registry", "quay.io"]);
    let rules: Vec<String> = rules_of(&report).into_iter().map(|(r, ..)| r).collect();
    assert!(
        rules.contains(&"image-registry-not-allowed".to_string()),
        "{rules:?}"
    );
    assert!(!rules.contains(&"image-registry-public".to_string()));
    let (report, _) = scan_json(&[f, "--allowed-registry", "quay.io.evil.com/x/*"]);
    let rules: Vec<String> = rules_of(&report).into_iter().map(|(r, ..)| r).collect();
    assert!(
        !rules.contains(&"image-registry-not-allowed".to_string()),
        "{rules:?}"
    );
}

/// Messages say exactly what is wrong, on one line.
#[test]
fn messages_are_precise() {
    let dir = tempfile::tempdir().unwrap();
    let pod = |image: &str| {
        LATEST.replace(
            "    image: nginx:latest\n",
            &format!("    image: {image}\n"),
        )
    };
    let cases = [
        (
            "port.yaml",
            pod("registry:5000/app"),
            "image-tag-missing",
            "(`:5000` is the registry's port, not a tag)",
        ),
        (
            "ipv6.yaml",
            pod("\"[::1]/app\""),
            "image-tag-missing",
            "`[::1]/app` has no tag or digest, so",
        ),
        (
            "ipv6port.yaml",
            pod("\"[::1]:5000/app\""),
            "image-tag-missing",
            "(`:5000` is the registry's port",
        ),
        (
            "number.yaml",
            pod("1.10"),
            "image-reference-invalid",
            "`1.10` is not a valid image reference: it is a YAML number, not a string",
        ),
        (
            "block.yaml",
            pod("|\n      alpine:latest"),
            "image-reference-invalid",
            "`alpine:latest\\n` is not a valid image reference",
        ),
        (
            "placeholder.yaml",
            pod("${IMAGE}"),
            "image-reference-invalid",
            "looks like a placeholder",
        ),
    ];
    for (name, text, rule, words) in &cases {
        write(dir.path(), name, text);
        let file = dir.path().join(name);
        let (report, _) = scan_json(&[file.to_str().unwrap()]);
        let messages: Vec<&str> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == *rule)
            .map(|f| f["message"].as_str().unwrap())
            .collect();
        assert_eq!(messages.len(), 1, "{name}: {report}");
        assert!(messages[0].contains(words), "{name}: {}", messages[0]);
        assert!(!messages[0].contains('\n'), "{name}");
    }
    // A non-regular file named on the command line is a diagnostic, not silence.
    #[cfg(unix)]
    {
        let out = imagegate(["scan", "/dev/null"]);
        assert_eq!(out.status.code(), Some(0));
        assert!(String::from_utf8_lossy(&out.stderr).contains("not a regular file or directory"));
    }
}

/// Helm renders only a chart's `templates/`: its examples, CI files and CRDs are scanned like
/// any other file (they were once skipped as "part of a chart").
#[test]
fn chart_files_outside_templates_are_scanned() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "demo/Chart.yaml",
        "apiVersion: v2\nname: demo\nversion: 0.1.0\n",
    );
    write(
        dir.path(),
        "demo/templates/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n",
    );
    write(dir.path(), "demo/examples/pod.yaml", LATEST);
    let root = dir.path().to_str().unwrap();
    let (report, _) = common::scan_json(&[root, "--no-helm"]);
    let paths: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "image-tag-latest")
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths.len(), 1, "{report}");
    assert!(paths[0].ends_with("demo/examples/pod.yaml"));
}

/// A file the scan could not check is a warning, and fails the run only with
/// `--fail-on-unchecked`: a manifest that is not valid YAML, a file over `--max-file-size`, a
/// binary file. Broken YAML that is not a manifest, and a template, are not ours to judge.
#[test]
fn fail_on_unchecked_fails_on_files_not_checked() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "pinned.yaml", PINNED);
    write(d, "notes.yaml", "just: [some, broken\n");
    write(d, "template.yaml", "kind: Pod\nimage: {{ .Values.image }\n");
    let code = |args: &[&str]| imagegate(args).status.code();
    let root = d.to_str().unwrap();
    assert_eq!(code(&["scan", root]), Some(0));
    assert_eq!(code(&["scan", root, "--fail-on-unchecked"]), Some(0));

    write(
        d,
        "broken.yaml",
        "apiVersion: v1\nkind: Pod\nspec: [unclosed\n",
    );
    write(d, "sub/big.yaml", LATEST.repeat(100));
    write(d, "blob.yaml", b"\x00\x01binary");
    let plain = imagegate(["scan", root, "--max-file-size", "1000"]);
    assert_eq!(plain.status.code(), Some(0));
    let err = String::from_utf8_lossy(&plain.stderr);
    assert!(
        err.contains("imagegate: warning: ") && err.contains("broken.yaml:3:7: invalid YAML"),
        "{err}"
    );
    let out = String::from_utf8_lossy(&plain.stdout);
    assert!(out.contains(", 3 files not checked)"), "{out}");

    let strict = imagegate([
        "scan",
        root,
        "--max-file-size",
        "1000",
        "--fail-on-unchecked",
    ]);
    assert_eq!(strict.status.code(), Some(1));
    let err = String::from_utf8_lossy(&strict.stderr);
    let failing = err
        .lines()
        .find(|l| l.contains("failing:"))
        .unwrap_or_default();
    assert!(
        failing.starts_with(
            "imagegate: failing: 3 file(s) could not be checked (--fail-on-unchecked): "
        ) && failing.contains("blob.yaml")
            && failing.contains("broken.yaml")
            && failing.contains("big.yaml"),
        "{err}"
    );
    assert_eq!(
        code(&[
            "scan",
            root,
            "--max-file-size",
            "1000",
            "--fail-on-unchecked=false"
        ]),
        Some(0)
    );

    // JSON marks them; markdown says why the run fails.
    let (report, _) = scan_json(&[root, "--max-file-size", "1000"]);
    let unchecked: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["unchecked"] == true)
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    assert_eq!(unchecked.len(), 3, "{report:#}");
    let markdown = || {
        imagegate([
            "scan",
            root,
            "--max-file-size",
            "1000",
            "--fail-on-unchecked",
            "--format",
            "markdown",
        ])
    };
    let md = markdown();
    let md = String::from_utf8_lossy(&md.stdout);
    assert!(
        md.contains("; 3 files not checked (fails: `fail-on-unchecked`)\n"),
        "{md}"
    );
    // Failing on both counts says both.
    write(d, "latest.yaml", LATEST);
    let md = markdown();
    assert_eq!(md.status.code(), Some(1));
    let md = String::from_utf8_lossy(&md.stdout);
    assert!(
        md.contains("; 3 files not checked (fails at `error` and `fail-on-unchecked`)\n"),
        "{md}"
    );
}

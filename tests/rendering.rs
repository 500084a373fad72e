//! Helm charts, rendered by real Helm (`../shared/tools/helm`, the Helm v4 SDK behind a
//! `helm template` command), and kustomize overlays, built by the real `kubectl kustomize`,
//! traced back: each finding in a rendered object must land on the values line that supplied
//! the value, else on the template line; for an overlay, on the source manifest's key or the
//! `images:` entry that set the image — at the exact line.
//!
//! Fixture charts live in `fixtures/helm/<case>/`, overlays in `fixtures/kustomize/<case>/`;
//! every file marks its lines with
//! `# expect: rule[, rule...]` (values files, templates, `Chart.yaml`), and a case's `args`
//! file holds extra arguments. The scan-wide policy rules (`image-signature-unverified`,
//! `registry-policy-missing`) fire on every workload and have fixtures of their own; they are
//! left out of the comparison here.

// A test crate: an unwrap that fails is a failing test, and its helpers are `pub` for its
// modules.
#![allow(clippy::unwrap_used, unreachable_pub)]

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::{have_tool, imagegate, rel, root, scan_json};

const POLICY_RULES: [&str; 2] = ["image-signature-unverified", "registry-policy-missing"];

type Marks = BTreeSet<(String, usize, String)>;

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}

fn marked(dir: &Path) -> Marks {
    let mut marks = Marks::new();
    for file in files_under(dir) {
        let Ok(text) = fs::read_to_string(&file) else {
            continue;
        };
        for (i, line) in text.lines().enumerate() {
            if let Some((_, list)) = line.split_once("# expect:") {
                for id in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                    marks.insert((rel(&file), i + 1, id.to_string()));
                }
            }
        }
    }
    marks
}

fn reported(report: &serde_json::Value) -> Marks {
    reported_all(report)
        .into_iter()
        .map(|(p, l, r)| (p, l as usize, r))
        .collect()
}

fn scan_case(dir: &Path, extra: &[&str]) -> (serde_json::Value, std::process::Output) {
    let mut args = common::args_file(dir);
    args.extend(extra.iter().map(|s| s.to_string()));
    args.extend(["--fail-on".into(), "never".into(), rel(dir)]);
    scan_json(&args)
}

fn cases() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(root().join("fixtures/helm"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn every_chart_reports_exactly_its_marked_lines() {
    if !have_tool("helm", "every_chart_reports_exactly_its_marked_lines") {
        return;
    }
    let mut failures = Vec::new();
    for dir in cases() {
        let (report, out) = scan_case(&dir, &[]);
        assert!(out.status.success(), "{}: {:?}", rel(&dir), out);
        let want = marked(&dir);
        let got = reported(&report);
        for missing in want.difference(&got) {
            failures.push(format!("expected, not reported: {missing:?}"));
        }
        for extra in got.difference(&want) {
            failures.push(format!("reported, not expected: {extra:?}"));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// Every kustomize case: the built overlays report exactly the marked lines of the sources,
/// patches and `images:` entries (a dotted Secret key at its own key, its built and written
/// copies one finding; a value two patches write at each patch's own line).
#[test]
fn every_overlay_reports_exactly_its_marked_lines() {
    if !have_tool("kubectl", "every_overlay_reports_exactly_its_marked_lines") {
        return;
    }
    let mut failures = Vec::new();
    let mut dirs: Vec<PathBuf> = fs::read_dir(root().join("fixtures/kustomize"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        let (report, out) = scan_case(&dir, &[]);
        assert!(out.status.success(), "{}: {:?}", rel(&dir), out);
        let want = marked(&dir);
        let got = reported(&report);
        for missing in want.difference(&got) {
            failures.push(format!("expected, not reported: {missing:?}"));
        }
        for extra in got.difference(&want) {
            failures.push(format!("reported, not expected: {extra:?}"));
        }
        // One finding per place: the built copy and the written copy are one (also when the
        // overlay renames the image, as a mirror's `newName` does).
        let all = reported_all(&report);
        let unique: BTreeSet<_> = all.iter().collect();
        if unique.len() != all.len() {
            failures.push(format!("{}: duplicate findings {all:?}", rel(&dir)));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// Every (path, line, rule) reported, duplicates kept.
fn reported_all(report: &serde_json::Value) -> Vec<(String, u64, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| !POLICY_RULES.contains(&f["rule"].as_str().unwrap()))
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["start"]["line"].as_u64().unwrap(),
                f["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Each finding traced to a values line names the template line that rendered it.
#[test]
fn values_findings_carry_the_template_line() {
    if !have_tool("helm", "values_findings_carry_the_template_line") {
        return;
    }
    let (report, _) = scan_case(&root().join("fixtures/helm/map-image"), &[]);
    let latest = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "image-tag-latest")
        .expect("image-tag-latest");
    assert_eq!(latest["path"], "fixtures/helm/map-image/values.yaml");
    let related = latest["related"].as_array().unwrap();
    assert!(
        related.iter().any(
            |r| r["path"] == "fixtures/helm/map-image/templates/deployment.yaml"
                && r["start"]["line"] == 19
        ),
        "{related:?}"
    );
}

#[test]
fn a_missing_dependency_is_a_diagnostic_that_names_the_fix() {
    if !have_tool(
        "helm",
        "a_missing_dependency_is_a_diagnostic_that_names_the_fix",
    ) {
        return;
    }
    let (_, out) = scan_case(&root().join("fixtures/helm/missing-dependency"), &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("fixtures/helm/missing-dependency/Chart.yaml")
            && stderr.contains("chart not rendered")
            && stderr.contains("helm dependency build fixtures/helm/missing-dependency"),
        "{stderr}"
    );
}

#[test]
fn without_helm_only_values_are_checked_and_one_warning_says_so() {
    let empty = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_imagegate"))
        .args([
            "scan",
            "--format",
            "json",
            "--fail-on",
            "never",
            "fixtures/helm",
        ])
        .current_dir(root())
        .env("PATH", empty.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.matches("`helm` is not on PATH").count(),
        1,
        "{stderr}"
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let paths: BTreeSet<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert!(
        paths.contains("fixtures/helm/map-image/values.yaml"),
        "{paths:?}"
    );
    assert!(
        paths.iter().all(|p| p.ends_with("values.yaml")),
        "{paths:?}"
    );
}

#[test]
fn no_helm_turns_rendering_off_quietly() {
    let (report, out) = scan_case(&root().join("fixtures/helm/string-image"), &["--no-helm"]);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("helm"));
    assert!(
        reported(&report)
            .iter()
            .all(|(path, _, _)| path.ends_with("values.yaml"))
    );
}

/// `helm template ... | imagegate scan --rendered - CHART` traces like an in-process render.
#[test]
fn rendered_output_on_stdin_is_traced_like_a_render() {
    if !have_tool("helm", "rendered_output_on_stdin_is_traced_like_a_render") {
        return;
    }
    let dir = root().join("fixtures/helm/map-image");
    let rendered = Command::new("helm")
        .env("PATH", common::tools_path())
        .args(["template", "imagegate"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(rendered.status.success());
    // No helm on PATH: `--rendered` must not need it.
    let no_tools = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_imagegate"))
        .args([
            "scan",
            "--format",
            "json",
            "--fail-on",
            "never",
            "--rendered",
            "-",
        ])
        .arg(rel(&dir))
        .current_dir(root())
        .env("PATH", no_tools.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&rendered.stdout)
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        reported(&report),
        marked(&dir),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Committed `helm template` output is reported where it is, with the chart lines related.
#[test]
fn committed_output_keeps_its_lines_and_relates_the_chart() {
    let corpus = root().join("../shared/corpus");
    if !corpus.is_dir() {
        eprintln!("skipped: ../shared/corpus not found");
        return;
    }
    let (report, _) = scan_json(&[
        "--no-helm",
        "--fail-on",
        "never",
        "../shared/corpus/rendered/podinfo.yaml",
        "../shared/corpus/charts/podinfo",
    ]);
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| {
            f["rule"] == "image-digest-missing"
                && f["path"] == "../shared/corpus/rendered/podinfo.yaml"
                && f["image"]["reference"] == "ghcr.io/stefanprodan/podinfo:6.14.1"
        })
        .expect("digest finding in the rendered file");
    let related = finding["related"].as_array().unwrap();
    assert!(
        related.iter().any(
            |r| r["path"] == "../shared/corpus/charts/podinfo/values.yaml"
                && r["start"]["line"] == 10
        ),
        "{related:?}"
    );
}

/// The pins on the podinfo chart of the corpus.
#[test]
fn podinfo_findings_land_on_the_lines_to_change() {
    if !root().join("../shared/corpus").is_dir() {
        eprintln!("skipped: ../shared/corpus not found");
        return;
    }
    if !have_tool("helm", "podinfo_findings_land_on_the_lines_to_change") {
        return;
    }
    let (report, _) = scan_json(&["--fail-on", "never", "../shared/corpus/charts/podinfo"]);
    let findings = report["findings"].as_array().unwrap();
    let at = |rule: &str, path: &str| {
        findings
            .iter()
            .filter(|f| f["rule"] == rule && f["path"] == path)
            .map(|f| {
                (
                    f["start"]["line"].as_u64().unwrap(),
                    f["end"]["line"].as_u64().unwrap(),
                )
            })
            .collect::<Vec<_>>()
    };
    let chart = "../shared/corpus/charts/podinfo";
    assert_eq!(
        at(
            "image-tag-missing",
            &format!("{chart}/templates/tests/jwt.yaml")
        ),
        [(17, 17)]
    );
    assert_eq!(
        at("image-digest-missing", &format!("{chart}/values.yaml")),
        [(10, 11)]
    );
}

/// Charts that add random suffixes to names (`randAlphaNum`) keep their fingerprints.
#[test]
fn fingerprints_of_rendered_findings_are_stable() {
    if !have_tool("helm", "fingerprints_of_rendered_findings_are_stable") {
        return;
    }
    let fingerprints = || {
        let out = imagegate([
            "scan",
            "--format",
            "sarif",
            "--fail-on",
            "never",
            "fixtures/helm/string-image",
        ]);
        let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        sarif["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["partialFingerprints"].to_string())
            .collect::<Vec<_>>()
    };
    let first = fingerprints();
    assert!(!first.is_empty());
    assert_eq!(first, fingerprints());
}

/// A base shared by two overlays is reported once, with both overlays related; an overlay's
/// `newTag: latest` is reported at its `newTag` line.
#[test]
fn overlays_report_at_the_source_key_or_the_images_entry() {
    if !have_tool(
        "kubectl",
        "overlays_report_at_the_source_key_or_the_images_entry",
    ) {
        return;
    }
    let dir = root().join("fixtures/kustomize/shared-base");
    let (report, out) = scan_case(&dir, &[]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(reported(&report), marked(&dir));
    let digest = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| {
            f["rule"] == "image-registry-public"
                && f["path"] == "fixtures/kustomize/shared-base/base/deployment.yaml"
        })
        .expect("the base image's finding");
    let overlays: BTreeSet<&str> = digest["related"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        overlays,
        BTreeSet::from([
            "fixtures/kustomize/shared-base/overlays/prod/kustomization.yaml",
            "fixtures/kustomize/shared-base/overlays/staging/kustomization.yaml",
        ])
    );
    // Without building, the base and the entry are still checked as written.
    let (quiet, _) = scan_case(&dir, &["--no-kustomize"]);
    assert_eq!(reported(&quiet), marked(&dir));
}

/// Committed `helm template` output is linked to a chart of the scan only when that chart
/// rendered it: same name and, when the output says (`helm.sh/chart: name-version`), the same
/// version. A same-named chart of another version (another repository's copy) is not related.
#[test]
fn committed_output_of_another_chart_version_is_not_related() {
    let dir = tempfile::tempdir().unwrap();
    let write = |path: &str, text: &str| {
        let path = dir.path().join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    };
    write(
        "charts/grafana/Chart.yaml",
        "apiVersion: v2\nname: grafana\nversion: 12.1.9\n",
    );
    write(
        "charts/grafana/values.yaml",
        "image: {repository: grafana/grafana, tag: \"12.0.0\"}\n",
    );
    write(
        "charts/grafana/templates/deployment.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  template:\n    spec:\n      containers:\n        - name: grafana\n          image: \"{{ .Values.image.repository }}:{{ .Values.image.tag }}\"\n",
    );
    let addon = |version: &str| {
        format!(
            "---\n# Source: grafana/templates/deployment.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: grafana\n  labels:\n    helm.sh/chart: grafana-{version}\nspec:\n  template:\n    spec:\n      containers:\n        - name: grafana\n          image: docker.io/grafana/grafana:12.0.0\n"
        )
    };
    let related = |version: &str| -> Vec<String> {
        write("addons/grafana.yaml", &addon(version));
        let root = dir.path().to_str().unwrap().to_string();
        let (report, _) = scan_json(&[
            format!("{root}/addons"),
            format!("{root}/charts"),
            "--no-helm".into(),
        ]);
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| {
                f["rule"] == "image-digest-missing"
                    && f["path"].as_str().unwrap().ends_with("addons/grafana.yaml")
            })
            .flat_map(|f| f["related"].as_array().cloned().unwrap_or_default())
            .map(|r| r["path"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        related("9.2.2"),
        Vec::<String>::new(),
        "another version's output"
    );
    let same = related("12.1.9");
    assert!(
        same.iter()
            .any(|p| p.ends_with("charts/grafana/values.yaml")),
        "{same:?}"
    );
}

/// A literal value a kustomize patch writes (over a `secretKeyRef` of the base) is reported in
/// the patch file, at its key, not at the base's line (which holds no literal).
#[test]
fn a_value_a_patch_writes_is_reported_in_the_patch() {
    if !have_tool("kubectl", "a_value_a_patch_writes_is_reported_in_the_patch") {
        return;
    }
    let dir = root().join("fixtures/kustomize/patched-secret");
    let (report, out) = scan_case(&dir, &[]);
    let found: Vec<(String, u64, u64)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "secret-env-literal")
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["start"]["line"].as_u64().unwrap(),
                f["start"]["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [(
            "fixtures/kustomize/patched-secret/overlay/patch.yaml".to_string(),
            5,
            7
        )],
        "{report}"
    );
    let all = format!("{report}{}", String::from_utf8_lossy(&out.stderr));
    assert!(!all.contains("CANARY"), "the patched value leaked");
}

/// A base's `images:` entry sets the tag of both containers, an overlay's patch then replaces
/// the init container's image: the findings about the patched image are at the patch's value,
/// not at the base's `images:` entry (which matched the image as the base wrote it, but did not
/// make what was rendered). Found on the corpus (argo-cd's dev-tilt overlay).
#[test]
fn an_image_a_patch_replaces_is_reported_in_the_patch() {
    if !have_tool(
        "kubectl",
        "an_image_a_patch_replaces_is_reported_in_the_patch",
    ) {
        return;
    }
    let dir = root().join("fixtures/kustomize/patched-image");
    let (report, _) = scan_case(&dir, &[]);
    assert_eq!(reported(&report), marked(&dir));
    // At the patched value itself, not just its line.
    let busybox: Vec<(u64, u64)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["image"]["reference"] == "busybox")
        .map(|f| {
            (
                f["start"]["line"].as_u64().unwrap(),
                f["start"]["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(busybox, [(15, 16); 4], "{report}");
}

/// The findings of `rule` in a case's report: (path, line, message, fingerprint, related).
fn findings_of(report: &serde_json::Value, rule: &str) -> Vec<serde_json::Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .cloned()
        .collect()
}

/// Two images share one `imageRegistry` values line: each keeps its own finding there (its
/// message names it, its fingerprint differs), and the pull-policy findings are at the
/// `imagePullPolicy` value, not at a leaf that holds no policy.
#[test]
fn images_sharing_a_values_line_keep_a_finding_each() {
    if !have_tool("helm", "images_sharing_a_values_line_keep_a_finding_each") {
        return;
    }
    let (report, _) = scan_case(&root().join("fixtures/helm/shared-registry"), &[]);
    for rule in ["image-registry-public", "image-pull-policy-mutable"] {
        let found = findings_of(&report, rule);
        let messages: BTreeSet<bool> = found
            .iter()
            .map(|f| f["message"].as_str().unwrap().contains("acme/api"))
            .collect();
        assert_eq!(found.len(), 2, "{rule}: {found:?}");
        assert_eq!(messages, BTreeSet::from([true, false]), "{rule}: {found:?}");
        assert_eq!(found[0]["path"], found[1]["path"]);
        assert_eq!(found[0]["start"], found[1]["start"]);
        assert_ne!(found[0]["fingerprint"], found[1]["fingerprint"]);
    }
    let policy = &findings_of(&report, "image-pull-policy-mutable")[0];
    assert_eq!(policy["start"]["line"], 4, "{policy}");
}

/// A helper builds the tag as `v` + appVersion: the render's `exporter:v1.2.3` is the only
/// image reported; the values alone would say `exporter:1.2.3`, which nothing deploys.
#[test]
fn the_render_is_the_truth_about_the_images_it_uses() {
    if !have_tool("helm", "the_render_is_the_truth_about_the_images_it_uses") {
        return;
    }
    let (report, _) = scan_case(&root().join("fixtures/helm/helper-tag"), &[]);
    let images: BTreeSet<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["image"]["reference"].as_str())
        .collect();
    assert_eq!(
        images,
        BTreeSet::from(["registry.example.com/acme/exporter:v1.2.3"])
    );
}

/// Secrets that reach a Secret through a helper or a template default are reported at the
/// values line or the template literal, masked; generated ones are not reported.
#[test]
fn secrets_through_helpers_and_defaults_are_reported_masked() {
    if !have_tool(
        "helm",
        "secrets_through_helpers_and_defaults_are_reported_masked",
    ) {
        return;
    }
    let dir = root().join("fixtures/helm/secret-helpers");
    for format in ["json", "text", "sarif"] {
        let out = imagegate(["scan", &rel(&dir), "--fail-on", "never", "--format", format]);
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!all.contains("CANARY"), "{format}: a secret leaked:\n{all}");
    }
    let (report, _) = scan_case(&dir, &[]);
    let keys: BTreeSet<String> = findings_of(&report, "secret-plaintext")
        .iter()
        .map(|f| f["key"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        keys,
        BTreeSet::from([
            "data.POSTGRES_PASSWORD".to_string(),
            "data.REPLICATION_PASSWORD".to_string()
        ])
    );
}

/// A rendered document is traced to the template document that made it, whatever order
/// `helm template` prints them in: every finding's line holds the key it names.
#[test]
fn rendered_documents_are_traced_by_identity_not_position() {
    if !have_tool(
        "helm",
        "rendered_documents_are_traced_by_identity_not_position",
    ) {
        return;
    }
    let dir = root().join("fixtures/helm/document-identity");
    let (report, _) = scan_case(&dir, &[]);
    for f in report["findings"].as_array().unwrap() {
        let path = root().join(f["path"].as_str().unwrap());
        let text = fs::read_to_string(&path).unwrap();
        let line = text
            .lines()
            .nth(f["start"]["line"].as_u64().unwrap() as usize - 1)
            .unwrap_or_else(|| panic!("line past the end: {f}"));
        let wanted = match f["rule"].as_str().unwrap() {
            "rbac-secrets-broad" => "secrets",
            "secret-plaintext" => f["key"].as_str().unwrap().rsplit('.').next().unwrap(),
            "registry-policy-missing" => "Deployment",
            _ => "image",
        };
        assert!(line.contains(wanted), "{wanted} not on `{line}`: {f}");
    }
}

/// An image written in an included pod template: a literal there is reported at the helper's
/// `image:` line, a values image at its values line; both name the template line and the
/// include that brings it into each object.
#[test]
fn images_in_included_helpers_name_the_helper_line_and_the_include() {
    if !have_tool(
        "helm",
        "images_in_included_helpers_name_the_helper_line_and_the_include",
    ) {
        return;
    }
    let (report, _) = scan_case(&root().join("fixtures/helm/included-podtemplate"), &[]);
    let findings = report["findings"].as_array().unwrap();
    let related_paths = |f: &serde_json::Value| -> BTreeSet<String> {
        f["related"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| format!("{}:{}", r["path"].as_str().unwrap(), r["start"]["line"]))
            .collect()
    };
    let migrate = findings
        .iter()
        .find(|f| {
            f["rule"] == "image-digest-missing"
                && f["message"].as_str().unwrap().contains("migrate")
        })
        .expect("the helper's literal image");
    assert_eq!(
        migrate["path"],
        "fixtures/helm/included-podtemplate/templates/_podtemplate.tpl"
    );
    let related = related_paths(migrate);
    assert!(
        related.contains("fixtures/helm/included-podtemplate/templates/deployment.yaml:10")
            && related.contains("fixtures/helm/included-podtemplate/templates/cronjob.yaml:10"),
        "{related:?}"
    );
    let latest = findings
        .iter()
        .find(|f| f["rule"] == "image-tag-latest")
        .expect("the values image");
    assert_eq!(
        latest["path"],
        "fixtures/helm/included-podtemplate/values.yaml"
    );
    let related = related_paths(latest);
    assert!(
        related.contains("fixtures/helm/included-podtemplate/templates/_podtemplate.tpl:17")
            && related.contains("fixtures/helm/included-podtemplate/templates/deployment.yaml:10"),
        "{related:?}"
    );
}

/// `--cache-dir`: a chart rendered once is not rendered again while nothing that makes it
/// changes; a changed values line, or a damaged cache entry, renders it again. The real helm,
/// behind a wrapper that logs each call.
#[test]
fn renders_are_cached_until_something_that_makes_them_changes() {
    if !have_tool(
        "helm",
        "renders_are_cached_until_something_that_makes_them_changes",
    ) {
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let chart = work.path().join("chart");
    common::copy_tree(&root().join("fixtures/helm/map-image"), &chart);
    let log = work.path().join("calls.log");
    let wrapper = logging_wrapper("helm", work.path(), &log);
    let cache = work.path().join("cache");
    // The findings, helm's calls, and the warnings of charts that did not render.
    let run = || {
        let (report, out) = common::scan_json(&[
            "--no-config",
            "--fail-on",
            "never",
            "--helm-bin",
            wrapper.to_str().unwrap(),
            "--cache-dir",
            cache.to_str().unwrap(),
            chart.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{out:?}");
        let calls = fs::read_to_string(&log).unwrap_or_default();
        fs::remove_file(&log).ok();
        let refused: Vec<String> = report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|d| d["message"].as_str())
            .filter(|m| m.starts_with("chart not rendered"))
            .map(str::to_string)
            .collect();
        (reported_all(&report), calls, refused)
    };
    let scan = || {
        let (findings, calls, _) = run();
        (findings, calls)
    };
    let (first, calls) = scan();
    assert!(calls.contains("template"), "{calls}");
    let (second, calls) = scan();
    assert_eq!(second, first);
    assert!(!calls.contains("template"), "rendered again: {calls}");
    // A damaged entry is not trusted: rendered again, and rewritten.
    let entries: Vec<PathBuf> = files_under(&cache.join("renders"));
    assert_eq!(entries.len(), 1);
    let text = fs::read_to_string(&entries[0]).unwrap();
    fs::write(&entries[0], &text[..text.len() / 2]).unwrap();
    let (third, calls) = scan();
    assert_eq!(third, first);
    assert!(calls.contains("template"), "{calls}");
    // A change to the chart's values is a new render.
    let values = chart.join("values.yaml");
    let edited = fs::read_to_string(&values).unwrap() + "\n# edited\n";
    fs::write(&values, edited).unwrap();
    let (_, calls) = scan();
    assert!(calls.contains("template"), "{calls}");
    // A chart helm refuses (a dependency not vendored) is kept as its refusal: the same
    // warning on the next scan, without running helm, until the chart changes.
    let chart_yaml = chart.join("Chart.yaml");
    let text = fs::read_to_string(&chart_yaml).unwrap();
    fs::write(
        &chart_yaml,
        format!("{text}dependencies:\n  - name: redis\n    version: 1.0.0\n    repository: https://charts.example.com\n"),
    )
    .unwrap();
    let (_, calls, refused) = run();
    assert!(
        calls.contains("template") && refused.len() == 1,
        "{calls} {refused:?}"
    );
    let (_, calls, again) = run();
    assert!(!calls.contains("template"), "rendered again: {calls}");
    assert_eq!(again, refused);
    // Back as it was: the render kept for that chart is good again.
    fs::write(&chart_yaml, text).unwrap();
    let (_, calls, fixed) = run();
    assert!(
        !calls.contains("template") && fixed.is_empty(),
        "{calls} {fixed:?}"
    );
}

/// A wrapper named like `tool` in `dir` that logs its first argument to `log` and runs the
/// real one (found on the test PATH).
fn logging_wrapper(tool: &str, dir: &Path, log: &Path) -> PathBuf {
    fs::create_dir_all(dir).unwrap();
    common::script(
        &dir.join(tool),
        &format!(
            "echo \"$1\" >> '{}'\nexec '{}' \"$@\"\n",
            log.display(),
            common::real_tool(tool).display()
        ),
    )
}

/// `--cache-dir` keeps kustomize builds: an overlay is built once, not again while none of the
/// files the build reads changes (an unrelated file may), and again when one does: its own
/// kustomization, a base's manifest, a patch file in a folder below. A damaged entry is
/// built again. The real renderer, behind a wrapper that logs each call.
#[test]
fn overlay_builds_are_cached_until_a_file_they_read_changes() {
    if !have_tool(
        "kubectl",
        "overlay_builds_are_cached_until_a_file_they_read_changes",
    ) {
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let repo = work.path().join("repo");
    let write = |file: &str, text: &str| {
        let path = repo.join(file);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    };
    write(
        "base/deployment.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: registry.example.com/api:1.0\n",
    );
    write(
        "base/kustomization.yaml",
        "resources:\n  - deployment.yaml\n",
    );
    write(
        "overlay/patches/image.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: registry.example.com/api:1.1\n",
    );
    write(
        "overlay/kustomization.yaml",
        "resources:\n  - ../base\npatches:\n  - path: patches/image.yaml\n",
    );
    write("notes.txt", "not read by any build\n");
    // The renderer imagegate picks: kustomize when present, else kubectl.
    let tool = ["kustomize", "kubectl"]
        .into_iter()
        .find(|t| std::env::split_paths(&common::tools_path()).any(|d| d.join(t).is_file()))
        .unwrap();
    let log = work.path().join("calls.log");
    let bin = work.path().join("bin");
    logging_wrapper(tool, &bin, &log);
    let mut path = vec![bin];
    path.extend(std::env::split_paths(&common::tools_path()));
    let path = std::env::join_paths(path).unwrap();
    let cache = work.path().join("cache");
    let scan = || {
        let out = common::command_in(&repo)
            .env("PATH", &path)
            .args([
                "scan",
                "--no-config",
                "--format",
                "json",
                "--fail-on",
                "never",
            ])
            .arg("--cache-dir")
            .arg(&cache)
            .arg(".")
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let calls = fs::read_to_string(&log).unwrap_or_default();
        fs::remove_file(&log).ok();
        let builds = calls
            .lines()
            .filter(|l| *l == "build" || *l == "kustomize")
            .count();
        let report = common::json_of(&out);
        let diagnostics: Vec<String> = report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["message"].as_str().unwrap().to_string())
            .collect();
        (reported_all(&report), builds, diagnostics)
    };
    let (first, builds, diagnostics) = scan();
    assert_eq!(builds, 1, "{first:?}");
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    assert!(
        first
            .iter()
            .any(|(path, line, _)| path == "overlay/patches/image.yaml" && *line == 10),
        "{first:?}"
    );
    let (second, builds, _) = scan();
    assert_eq!(
        (&second, builds),
        (&first, 0),
        "built again on a warm cache"
    );
    write("notes.txt", "still not read\n");
    assert_eq!(scan().1, 0, "an unrelated file made a build");
    // Each file the build reads makes a new one.
    for (file, edit) in [
        ("overlay/patches/image.yaml", "registry.example.com/api:1.2"),
        ("base/deployment.yaml", "registry.example.com/api:2.0"),
        ("overlay/kustomization.yaml", "commonLabels: {team: a}"),
    ] {
        let text = fs::read_to_string(repo.join(file)).unwrap();
        let edited = if file.ends_with("kustomization.yaml") {
            format!("{text}{edit}\n")
        } else {
            text.replace("registry.example.com/api:1.1", edit)
                .replace("registry.example.com/api:1.0", edit)
        };
        assert_ne!(edited, text);
        write(file, &edited);
        assert_eq!(scan().1, 1, "{file} changed, but the build was reused");
    }
    // A damaged entry is not trusted: built again, same findings.
    let entries = files_under(&cache.join("renders"));
    assert!(!entries.is_empty());
    for entry in &entries {
        let text = fs::read_to_string(entry).unwrap();
        fs::write(entry, &text[..text.len() / 2]).unwrap();
    }
    let (again, builds, _) = scan();
    assert_eq!(builds, 1);
    let (warm, builds, _) = scan();
    assert_eq!((warm, builds), (again, 0));
    // A build the renderer refuses is kept as its refusal: said again, not built again, until
    // a file it reads changes.
    write(
        "overlay/kustomization.yaml",
        "resources:\n  - ../base\n  - missing.yaml\n",
    );
    let (_, builds, refused) = scan();
    assert_eq!(builds, 1);
    assert!(
        refused.len() == 1 && refused[0].starts_with("overlay not built:"),
        "{refused:?}"
    );
    let (_, builds, again) = scan();
    assert_eq!((builds, &again), (0, &refused));
    write(
        "overlay/missing.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
    );
    let (_, builds, fixed) = scan();
    assert_eq!((builds, fixed.len()), (1, 0), "{fixed:?}");
}

/// `--progress` draws the counts on standard error (redrawn in place, erased at the end) while
/// a long render runs, and leaves standard output alone; without it, off a terminal, nothing
/// is drawn.
#[test]
fn progress_is_drawn_on_standard_error_only_when_asked() {
    if !have_tool(
        "helm",
        "progress_is_drawn_on_standard_error_only_when_asked",
    ) {
        return;
    }
    let work = tempfile::tempdir().unwrap();
    // A render that takes a second and a half: longer than the first draw's wait.
    let slow = common::script(
        &work.path().join("helm-slow"),
        &format!(
            "[ \"$1\" = template ] && sleep 1.5\nexec '{}' \"$@\"\n",
            common::real_tool("helm").display()
        ),
    );
    let chart = root().join("fixtures/helm/map-image");
    let run = |progress: &[&str]| {
        let mut args = vec![
            "scan",
            "--format",
            "json",
            "--fail-on",
            "never",
            "--helm-bin",
        ];
        args.push(slow.to_str().unwrap());
        args.extend(progress);
        args.push(chart.to_str().unwrap());
        let out = common::imagegate(&args);
        assert!(out.status.success(), "{out:?}");
        common::json_of(&out);
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let drawn = run(&["--progress"]);
    assert!(
        drawn.contains("\rimagegate: 0/1 charts rendered"),
        "{drawn:?}"
    );
    assert!(drawn.contains("\r\u{1b}[K"), "not erased: {drawn:?}");
    let quiet = run(&[]);
    assert!(
        !quiet.contains('\r') && !quiet.contains("charts rendered"),
        "{quiet:?}"
    );
}

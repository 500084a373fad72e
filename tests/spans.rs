//! Exact positions end to end: for each tricky way to write an image, the reported
//! line:column-endColumn, as the JSON and SARIF reports give them (1-based, Unicode code
//! points, end exclusive).

mod common;

use common::scan_json;

fn pod(image_line: &str) -> String {
    format!("apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  containers:\n{image_line}")
}

/// (source, expected "line:col-endcol" of the `image-tag-latest` finding)
fn cases() -> Vec<(&'static str, String, &'static str)> {
    vec![
        ("plain", pod("  - name: a\n    image: nginx:latest\n"), "7:12-24"),
        ("double-quoted", pod("  - name: a\n    image: \"nginx:latest\"  # pinned later\n"), "7:12-26"),
        ("single-quoted", pod("  - name: a\n    image: 'nginx:latest'\n"), "7:12-26"),
        ("flow", pod("  - {name: a, image: nginx:latest}\n"), "6:22-34"),
        ("flow-quoted", pod("  - {name: a, image: \"nginx:latest\"}\n"), "6:22-36"),
        ("literal block", pod("  - name: a\n    image: |-\n      nginx:latest\n"), "8:7-19"),
        ("folded block", pod("  - name: a\n    image: >-\n      nginx:latest\n\n"), "8:7-19"),
        (
            "alias",
            "x-img: &img nginx:latest\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    image: *img\n".to_string(),
            "8:12-16",
        ),
        ("crlf", pod("  - name: a\n    image: nginx:latest\n").replace('\n', "\r\n"), "7:12-24"),
        ("bom", format!("\u{feff}{}", pod("  - name: a\n    image: nginx:latest\n")), "7:12-24"),
        ("non-ascii before", pod("  - {name: wéb→, image: nginx:latest}\n"), "6:25-37"),
        ("tab-free indentation", pod("    - name: a\n      image:   nginx:latest\n"), "7:16-28"),
    ]
}

#[test]
fn reported_regions_are_exact() {
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for (name, text, want) in cases() {
        let file = dir.path().join(format!("{}.yaml", name.replace(' ', "-")));
        std::fs::write(&file, &text).unwrap();
        let (report, _) = scan_json(&[file.to_str().unwrap()]);
        let got: Vec<String> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "image-tag-latest")
            .map(|f| {
                format!(
                    "{}:{}-{}",
                    f["start"]["line"], f["start"]["column"], f["end"]["column"]
                )
            })
            .collect();
        if got != [want] {
            failures.push(format!("{name}: want {want}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// Write `text` as `name`, scan it, and return its first `image-tag-latest` finding.
fn latest_finding(name: &str, text: &str) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(name);
    std::fs::write(&file, text).unwrap();
    let (report, _) = scan_json(&[file.to_str().unwrap()]);
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "image-tag-latest")
        .unwrap_or_else(|| panic!("no image-tag-latest finding in {name}: {report}"))
        .clone()
}

#[test]
fn json_manifests_have_exact_positions() {
    let f = latest_finding(
        "pod.json",
        "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"Pod\",\n  \"metadata\": {\"name\": \"p\"},\n  \"spec\": {\"containers\": [\n    {\"name\": \"a\", \"image\": \"nginx:latest\"}\n  ]}\n}\n",
    );
    assert_eq!(
        (f["start"]["line"].as_u64(), f["start"]["column"].as_u64()),
        (Some(6), Some(28))
    );
    assert_eq!(f["end"]["column"].as_u64(), Some(42));
}

#[test]
fn dockerfile_positions_cover_the_image_token() {
    let f = latest_finding(
        "Dockerfile",
        "# syntax=docker/dockerfile:1\nARG BASE=node:latest\nFROM --platform=$BUILDPLATFORM ${BASE} AS build\nFROM scratch\nCOPY --from=build /a /a\n",
    );
    assert_eq!(f["start"]["line"], 3);
    assert_eq!(f["start"]["column"], 32);
    assert_eq!(f["end"]["column"], 39);
    assert_eq!(f["image"]["reference"], "node:latest");
    assert_eq!(f["dockerfile"]["stageName"], "build");
    assert_eq!(f["dockerfile"]["isFinal"], false);
}

/// `image: >` keeps the final line break, so the value is `nginx:latest\n`, which the API
/// server rejects: an invalid reference, not a `latest` tag.
#[test]
fn block_scalars_keep_their_line_break() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("folded.yaml");
    std::fs::write(
        &file,
        pod("  - name: a\n    image: >\n      nginx:latest\n"),
    )
    .unwrap();
    let (report, _) = scan_json(&[file.to_str().unwrap()]);
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .filter(|rule| rule.starts_with("image-"))
        .collect();
    assert_eq!(rules, ["image-reference-invalid"]);
    let invalid = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "image-reference-invalid")
        .unwrap();
    assert_eq!(invalid["start"]["line"], 8, "the content line");
}

/// Span invariants over every fixture (with rendering, when helm and kubectl are there): each
/// finding's region lies inside its file, start before end, and an image finding's region
/// holds what the message names — the image, or the part of it the finding is about (the tag
/// a `newTag:` sets, a values file's `repository:`), the key of an empty value, or the `name`
/// of the kustomize `images:` entry that made it. Aliases,
/// Dockerfile variables and templates are places, not values, and are not compared.
#[test]
fn every_region_is_inside_its_file_and_holds_its_image() {
    let (report, _) = scan_json(&["fixtures", "--fail-on", "never"]);
    let mut texts: std::collections::HashMap<String, Vec<String>> = Default::default();
    let mut wrong = Vec::new();
    let mut compared = 0;
    let findings = report["findings"].as_array().unwrap();
    let suppressed = report["suppressed"].as_array().cloned().unwrap_or_default();
    assert!(findings.len() > 1000, "{}", findings.len());
    for f in findings.iter().chain(&suppressed) {
        let path = f["path"].as_str().unwrap().to_string();
        let lines = texts.entry(path.clone()).or_insert_with(|| {
            let text = std::fs::read_to_string(common::root().join(&path)).unwrap();
            let text = text.strip_prefix('\u{feff}').unwrap_or(&text).to_string();
            text.split('\n')
                .map(|l| l.strip_suffix('\r').unwrap_or(l).to_string())
                .collect()
        });
        let at = |p: &serde_json::Value| {
            (
                p["line"].as_u64().unwrap() as usize,
                p["column"].as_u64().unwrap() as usize,
            )
        };
        let (start, end) = (at(&f["start"]), at(&f["end"]));
        let width = |line: usize| lines.get(line - 1).map(|l| l.chars().count() + 1);
        let inside = start.0 >= 1
            && start <= end
            && width(start.0).is_some_and(|w| (1..=w).contains(&start.1))
            && width(end.0).is_some_and(|w| (1..=w).contains(&end.1));
        if !inside {
            wrong.push(format!(
                "{path}: {start:?}-{end:?} outside the file ({})",
                f["rule"]
            ));
            continue;
        }
        let Some(reference) = f["image"]["reference"].as_str() else {
            continue;
        };
        if start.0 != end.0 {
            continue;
        }
        let line: Vec<char> = lines[start.0 - 1].chars().collect();
        let text: String = line[start.1 - 1..end.1 - 1].iter().collect();
        if text.starts_with('*') || text.contains('$') || text.contains("{{") {
            continue;
        }
        compared += 1;
        let value = text.split_once(": ").map_or(text.as_str(), |(_, v)| v);
        let unquoted = |s: &str| s.trim_matches(['"', '\'']).to_string();
        let is_key = line.get(end.1 - 1) == Some(&':');
        // A finding about a kustomize entry's whole result is at the entry's `name`.
        let before: String = line[..start.1 - 1].iter().collect();
        let is_entry = ["kustomization.yaml", "kustomization.yml", "Kustomization"]
            .iter()
            .any(|n| path.ends_with(&format!("/{n}")))
            && matches!(
                before.trim_start(),
                "name:" | "- name:" | "name: " | "- name: "
            );
        if !(reference.contains(&unquoted(value)) || is_key || is_entry) {
            wrong.push(format!(
                "{path}:{}: {} region `{text}` does not name `{reference}`",
                start.0, f["rule"]
            ));
        }
    }
    assert!(compared > 900, "{compared}");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

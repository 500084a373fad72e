//! Exact positions end to end: for each tricky way to write an image, the reported
//! line:column-endColumn, as the JSON and SARIF reports give them (1-based, Unicode code
//! points, end exclusive).

// A test crate: an unwrap that fails is a failing test, and its helpers are `pub` for its
// modules.
#![allow(clippy::unwrap_used, unreachable_pub)]

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
/// holds what its message names. The invariants are written once, in
/// `scripts/check-regions.py`, which `.ci/run` also runs on the corpus scan.
#[test]
fn every_region_is_inside_its_file_and_holds_its_image() {
    if !common::have_tool(
        "python3",
        "every_region_is_inside_its_file_and_holds_its_image",
    ) {
        return;
    }
    let (_, out) = scan_json(&["fixtures", "--fail-on", "never"]);
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("fixtures.json");
    std::fs::write(&report, &out.stdout).unwrap();
    let check = std::process::Command::new("python3")
        .arg(common::root().join("scripts/check-regions.py"))
        .arg(&report)
        .current_dir(common::root())
        .env("PATH", common::tools_path())
        .output()
        .expect("run scripts/check-regions.py");
    let said = String::from_utf8_lossy(&check.stdout);
    assert!(
        check.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&check.stderr)
    );
    // "regions: N findings checked, M image regions compared, 0 wrong"
    let numbers: Vec<usize> = said
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    assert!(
        matches!(numbers[..], [findings, compared, 0] if findings > 1000 && compared > 900),
        "{said}"
    );
}

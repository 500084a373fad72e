//! Every rule's fixtures, checked exactly: in each file of `fixtures/rules/<id>/`, the lines
//! where `<id>` is reported must be exactly the lines marked for it.
//!
//! Markers: a trailing `# expect: id[, id...]` marks its own line; a `# expect-next-line: id`
//! comment line marks the next line (Dockerfiles); a JSON file `x.json` has a sidecar
//! `x.json.expect` with one `LINE RULE-ID` per line. An id may name the finding's level, for
//! rules whose level depends on what they found: `# expect: pull-secret-missing(warning)`. A
//! folder's `args` file holds extra command-line arguments, one per line.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use common::{rel, root, scan_json};

type Lines = BTreeMap<String, BTreeSet<usize>>;

/// The marked ids, each with the level it names (`id(level)`), if any.
fn marker_ids(list: &str) -> impl Iterator<Item = (&str, Option<&str>)> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(
            |item| match item.strip_suffix(')').and_then(|rest| rest.split_once('(')) {
                Some((id, level)) => (id.trim(), Some(level.trim())),
                None => (item, None),
            },
        )
}

/// The lines marked for `rule` in `file`.
fn expected_lines(file: &Path, rule: &str) -> BTreeSet<usize> {
    expected_marks(file, rule).into_keys().collect()
}

/// The lines marked for `rule` in `file`, with the level a mark names.
fn expected_marks(file: &Path, rule: &str) -> BTreeMap<usize, Option<String>> {
    let mut lines = BTreeMap::new();
    let sidecar = file.with_file_name(format!(
        "{}.expect",
        file.file_name().unwrap().to_string_lossy()
    ));
    if let Ok(text) = fs::read_to_string(&sidecar) {
        for entry in text.lines().filter(|l| !l.trim().is_empty()) {
            let (line, id) = entry
                .trim()
                .split_once(' ')
                .expect("`LINE RULE` in .expect");
            if id.trim() == rule {
                lines.insert(line.parse().expect("a line number"), None);
            }
        }
        return lines;
    }
    let text = fs::read_to_string(file).expect("fixture is UTF-8");
    for (i, line) in text.lines().enumerate() {
        let (list, line_no) = match line.split_once("# expect-next-line:") {
            Some((_, list)) => (list, i + 2),
            None => match line.split_once("# expect:") {
                Some((_, list)) => (list, i + 1),
                None => continue,
            },
        };
        for (_, level) in marker_ids(list).filter(|(id, _)| *id == rule) {
            lines.insert(line_no, level.map(str::to_string));
        }
    }
    lines
}

/// The fixture files of a folder, subfolders included (`.github/workflows/...`).
fn fixture_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if path.is_dir() {
            files.extend(fixture_files(&path));
        } else if name != "args" && !name.ends_with(".expect") {
            files.push(path);
        }
    }
    files.sort();
    files
}

#[test]
fn every_rule_fires_exactly_on_marked_lines() {
    let rules_dir = root().join("fixtures/rules");
    let mut failures = Vec::new();
    let mut checked = 0;
    for entry in fs::read_dir(&rules_dir).unwrap() {
        let dir = entry.unwrap().path();
        let rule = dir.file_name().unwrap().to_string_lossy().to_string();
        let files = fixture_files(&dir);
        let mut args = common::args_file(&dir);
        args.push("--fail-on".into());
        args.push("never".into());
        args.extend(files.iter().map(|f| rel(f)));
        let (report, out) = scan_json(&args);
        assert!(out.status.success(), "{rule}: exit {:?}", out.status);

        let mut actual: Lines = BTreeMap::new();
        let mut levels: BTreeMap<(String, usize), BTreeSet<String>> = BTreeMap::new();
        for f in report["findings"].as_array().unwrap() {
            if f["rule"] == rule.as_str() {
                let path = f["path"].as_str().unwrap().to_string();
                let line = f["start"]["line"].as_u64().unwrap() as usize;
                actual.entry(path.clone()).or_default().insert(line);
                levels
                    .entry((path, line))
                    .or_default()
                    .insert(f["level"].as_str().unwrap().to_string());
            }
        }
        for file in &files {
            let path = rel(file);
            let marks = expected_marks(file, &rule);
            let want: BTreeSet<usize> = marks.keys().copied().collect();
            let got = actual.remove(&path).unwrap_or_default();
            checked += 1;
            if want != got {
                failures.push(format!(
                    "{path}: {rule} expected on lines {want:?}, reported on {got:?}"
                ));
            }
            for (line, level) in marks {
                let Some(level) = level else { continue };
                let reported = levels
                    .get(&(path.clone(), line))
                    .cloned()
                    .unwrap_or_default();
                if reported != BTreeSet::from([level.clone()]) {
                    failures.push(format!(
                        "{path}:{line}: {rule} expected at level {level}, reported at {reported:?}"
                    ));
                }
            }
        }
        assert!(
            actual.is_empty(),
            "findings outside fixture files: {actual:?}"
        );
    }
    assert!(checked > 40, "only {checked} fixture files");
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn every_rule_has_docs_fixtures_and_a_registry_entry() {
    let out = common::imagegate(["rules", "--format", "json"]);
    let catalog: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: BTreeSet<String> = catalog
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert!(ids.len() >= 8);
    const HEADINGS: [&str; 5] = [
        "## What it finds",
        "## Why it matters",
        "## How to fix",
        "## Example",
        "## Configuration",
    ];
    for id in &ids {
        let doc = fs::read_to_string(root().join(format!("docs/rules/{id}.md")))
            .unwrap_or_else(|_| panic!("docs/rules/{id}.md is missing"));
        assert!(doc.starts_with(&format!("# {id}\n")), "{id}: title");
        let positions: Vec<usize> = HEADINGS
            .iter()
            .map(|h| doc.find(h).unwrap_or_else(|| panic!("{id}: no `{h}`")))
            .collect();
        assert!(
            positions.windows(2).all(|w| w[0] < w[1]),
            "{id}: headings out of order"
        );

        let dir = root().join(format!("fixtures/rules/{id}"));
        let files = fixture_files(&dir);
        let firing = files
            .iter()
            .filter(|f| !expected_lines(f, id).is_empty())
            .count();
        assert!(firing >= 1, "{id}: no fixture that fires");
        assert!(
            files.len() > firing,
            "{id}: no fixture that must stay quiet"
        );
        let rule_file = root().join(format!("src/rules/{}.rs", id.replace('-', "_")));
        assert!(rule_file.exists(), "{id}: no {}", rel(&rule_file));
    }
    // No orphans: every doc page and fixture folder belongs to a rule.
    for (dir, suffix) in [("docs/rules", ".md"), ("fixtures/rules", "")] {
        for entry in fs::read_dir(root().join(dir)).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().to_string();
            let id = name.strip_suffix(suffix).unwrap_or(&name);
            assert!(ids.contains(id), "{dir}/{name} belongs to no rule");
        }
    }
}

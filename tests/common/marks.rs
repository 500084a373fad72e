//! The marks of rule fixtures: which lines a rule must be reported on, and at which level.
//!
//! Markers: a trailing `# expect: id[, id...]` marks its own line; a `# expect-next-line: id`
//! comment line marks the next line (Dockerfiles); a JSON file `x.json` has a sidecar
//! `x.json.expect` with one `LINE RULE-ID` per line. An id may name the finding's level, for
//! rules whose level depends on what they found: `# expect: pull-secret-missing(warning)`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use super::rel;

/// The marked ids, each with the level it names (`id(level)`), if any.
pub fn marker_ids(list: &str) -> impl Iterator<Item = (&str, Option<&str>)> {
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
pub fn expected_lines(file: &Path, rule: &str) -> BTreeSet<usize> {
    expected_marks(file, rule).into_keys().collect()
}

/// The lines marked for `rule` in `file`, with the level a mark names.
pub fn expected_marks(file: &Path, rule: &str) -> BTreeMap<usize, Option<String>> {
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
pub fn fixture_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if path.is_dir() {
            files.extend(fixture_files(&path));
        } else if name != "args" && name != ".env" && !name.ends_with(".expect") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// Where `rule` was reported in `report` (a JSON report of a scan of `files`) against the
/// marks of `files`: one line per difference, none when they agree.
pub fn compare(
    rule: &str,
    files: &[std::path::PathBuf],
    report: &serde_json::Value,
) -> Vec<String> {
    let mut failures = Vec::new();
    let mut actual: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
    let mut levels: BTreeMap<(String, usize), BTreeSet<String>> = BTreeMap::new();
    for f in report["findings"].as_array().unwrap() {
        if f["rule"] == rule {
            let path = f["path"].as_str().unwrap().to_string();
            let line = f["start"]["line"].as_u64().unwrap() as usize;
            actual.entry(path.clone()).or_default().insert(line);
            levels
                .entry((path, line))
                .or_default()
                .insert(f["level"].as_str().unwrap().to_string());
        }
    }
    for file in files {
        let path = rel(file);
        let marks = expected_marks(file, rule);
        let want: BTreeSet<usize> = marks.keys().copied().collect();
        let got = actual.remove(&path).unwrap_or_default();
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
    if !actual.is_empty() {
        failures.push(format!(
            "{rule}: findings outside fixture files: {actual:?}"
        ));
    }
    failures
}

//! Every rule's fixtures, checked exactly: in each file of `fixtures/rules/<id>/`, the lines
//! where `<id>` is reported must be exactly the lines marked for it.
//!
//! Markers: a trailing `# expect: id[, id...]` marks its own line; a `# expect-next-line: id`
//! comment line marks the next line (Dockerfiles); a JSON file `x.json` has a sidecar
//! `x.json.expect` with one `LINE RULE-ID` per line. An id may name the finding's level, for
//! rules whose level depends on what they found: `# expect: pull-secret-missing(warning)`. A
//! folder's `args` file holds extra command-line arguments, one per line.

// A test crate: an unwrap that fails is a failing test, and its helpers are `pub` for its
// modules.
#![allow(clippy::unwrap_used, unreachable_pub)]

mod common;

use std::collections::BTreeSet;
use std::fs;

use common::marks::{self, expected_lines, fixture_files};
use common::{rel, root, scan_json};

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
        checked += files.len();
        if imagegate::rules::find(&rule).is_some_and(|r| r.meta().online) {
            // Offline, an online rule says nothing; tests/online.rs checks its marks against
            // a registry.
            let said = report["findings"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| f["rule"] == rule.as_str())
                .count();
            if said > 0 {
                failures.push(format!("{rule}: {said} finding(s) offline"));
            }
            continue;
        }
        failures.extend(marks::compare(&rule, &files, &report));
    }
    assert!(checked > 40, "only {checked} fixture files");
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// What each rule says on each of its fixture files, one insta snapshot per file
/// (`tests/snapshots/rule_fixtures/<id>__<file>.snap`): every finding of the rule there, with
/// its line, column, level and message. The marks above say where a rule fires; the snapshots
/// say what it says, so a change of wording is reviewed like a change of code. The scan runs
/// in this process, through the library, with the same options the command line would give.
#[test]
fn what_each_rule_says_on_each_fixture() {
    use clap::Parser;
    use imagegate::cli::{Cli, Command};

    let rules_dir = root().join("fixtures/rules");
    let helm = root().join("../shared/tools/helm");
    let mut snapshots = 0;
    let mut dirs: Vec<_> = fs::read_dir(&rules_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dirs.sort();
    for dir in dirs {
        let rule = dir.file_name().unwrap().to_string_lossy().to_string();
        // Online rules' messages are checked against a registry, in tests/online.rs.
        if imagegate::rules::find(&rule).is_some_and(|r| r.meta().online) {
            continue;
        }
        let files = fixture_files(&dir);
        let mut args: Vec<std::ffi::OsString> =
            vec!["scan".into(), "--fail-on".into(), "never".into()];
        if helm.is_file() {
            args.extend(["--helm-bin".into(), helm.clone().into_os_string()]);
        }
        args.extend(common::args_file(&dir).into_iter().map(Into::into));
        args.extend(files.iter().map(|f| rel(f).into()));
        // As `common::imagegate` runs the binary: no configuration unless the folder gives one.
        let argv = std::iter::once("imagegate".into()).chain(common::no_config_unless_given(args));
        let cli = Cli::try_parse_from(argv).unwrap_or_else(|e| panic!("{rule}: {e}"));
        let Some(Command::Scan(args)) = cli.command else {
            panic!("{rule}: not a scan");
        };
        let options = imagegate::config::resolve::scan_options(
            &args.input,
            (args.fail_on, args.fail_on_unchecked),
        )
        .unwrap_or_else(|e| panic!("{rule}: {e:#}"));
        let report = imagegate::scan(&options).unwrap_or_else(|e| panic!("{rule}: {e}"));
        let mut json = Vec::new();
        imagegate::report::json::write(
            &report,
            &imagegate::input::paths::RepoPaths::new(None),
            &mut json,
        )
        .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&json).unwrap();
        for file in &files {
            let path = rel(file);
            let mut said: Vec<(u64, u64, String)> = report["findings"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| f["rule"] == rule.as_str() && f["path"] == path.as_str())
                .map(|f| {
                    (
                        f["start"]["line"].as_u64().unwrap(),
                        f["start"]["column"].as_u64().unwrap(),
                        format!(
                            "{}: {}",
                            f["level"].as_str().unwrap(),
                            f["message"].as_str().unwrap()
                        ),
                    )
                })
                .collect();
            said.sort();
            let text = if said.is_empty() {
                "(no findings)".to_string()
            } else {
                said.iter()
                    .map(|(line, column, what)| format!("{line}:{column} {what}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            let within = path
                .strip_prefix(&format!("fixtures/rules/{rule}/"))
                .unwrap_or(&path)
                .replace('/', "__");
            insta::with_settings!({
                snapshot_path => "snapshots/rule_fixtures",
                prepend_module_to_snapshot => false,
                description => path.clone(),
                omit_expression => true,
            }, {
                insta::assert_snapshot!(format!("{rule}__{within}"), text);
            });
            snapshots += 1;
        }
    }
    assert!(snapshots > 40, "only {snapshots} snapshots");
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
        // `src/rules/<id>.rs`, or in a family folder `src/rules/<family>/<id>.rs`.
        let name = format!("{}.rs", id.replace('-', "_"));
        let rules = root().join("src/rules");
        let found = rules.join(&name).is_file()
            || fs::read_dir(&rules)
                .unwrap()
                .flatten()
                .any(|family| family.path().join(&name).is_file());
        assert!(found, "{id}: no src/rules/[FAMILY/]{name}");
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

//! `imagegate fix` against a real registry on loopback (`../shared/tools/registry/`): golden
//! before/after files (`fixtures/fix/`), idempotence, `--check` and `--dry-run`, and a
//! registry that fails leaving every file untouched. Skipped with a message without
//! `docker-registry`; required under `IMAGEGATE_REQUIRE_TOOLS`.

// A test crate: an unwrap that fails is a failing test, and its helpers are `pub` for its
// modules.
#![allow(clippy::unwrap_used, unreachable_pub)]

mod common;

use std::path::Path;
use std::process::Output;

use common::registry::{Registry, available};
use common::root;

/// Copy `fixtures/fix/before` into a scratch folder.
fn scratch() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(root().join("fixtures/fix/before")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    dir
}

fn fix(dir: &Path, mirror: &str, extra: &[&str]) -> Output {
    let home = tempfile::tempdir().unwrap();
    common::command_in(dir)
        .env("HOME", home.path())
        .env("DOCKER_CONFIG", home.path())
        .args(["fix", "--no-config", "--registry-mirror", mirror])
        .args(extra)
        .arg(".")
        .output()
        .unwrap()
}

/// Every file of `dir` next to its golden version in `fixtures/fix/<golden>`.
fn assert_files(dir: &Path, golden: &str) {
    for entry in std::fs::read_dir(root().join("fixtures/fix").join(golden)).unwrap() {
        let entry = entry.unwrap();
        let want = std::fs::read(entry.path()).unwrap();
        let got = std::fs::read(dir.join(entry.file_name())).unwrap();
        assert!(
            want == got,
            "{:?} differs from fixtures/fix/{golden}:\n{}",
            entry.file_name(),
            String::from_utf8_lossy(&got)
        );
    }
}

#[test]
fn fix_pins_in_place_and_only_the_references_change() {
    if !available("fix_pins_in_place_and_only_the_references_change") {
        return;
    }
    let registry = Registry::start("anon");
    let mirror = format!("registry.test={}", registry.address);
    let dir = scratch();

    // --check and --dry-run write nothing; --check says something would change.
    let check = fix(dir.path(), &mirror, &["--check"]);
    assert_eq!(check.status.code(), Some(1), "{check:?}");
    let dry = fix(dir.path(), &mirror, &["--dry-run"]);
    assert_eq!(dry.status.code(), Some(0));
    let diff = String::from_utf8(dry.stdout).unwrap();
    assert!(diff.contains("+++ b/deploy.yaml"), "{diff}");
    assert_files(dir.path(), "before");

    let out = fix(dir.path(), &mirror, &[]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("pinned 8 references in 3 files, skipped 1, failed 1"),
        "{said}"
    );
    assert!(
        said.contains("deploy.yaml:22 `registry.test/test/app:v9`"),
        "{said}"
    );
    assert_files(dir.path(), "after");

    // Twice changes nothing; --check agrees.
    let again = fix(dir.path(), &mirror, &["--check"]);
    assert_eq!(again.status.code(), Some(0), "{again:?}");
    fix(dir.path(), &mirror, &[]);
    assert_files(dir.path(), "after");

    // The rescan reports image-digest-missing only for what fix did not pin.
    let (report, _) = common::scan_json(&[dir.path().to_str().unwrap(), "--fail-on", "never"]);
    let mut missing: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "image-digest-missing")
        .map(|f| f["image"]["reference"].as_str().unwrap_or_default())
        .collect();
    missing.sort_unstable();
    // `latest` (skipped) and the tag the registry does not have (v9).
    assert_eq!(
        missing,
        ["registry.test/test/app:latest", "registry.test/test/app:v9"]
    );
}

#[test]
fn a_registry_that_fails_leaves_every_file_untouched() {
    if !available("a_registry_that_fails_leaves_every_file_untouched") {
        return;
    }
    let mut registry = Registry::start("anon");
    let proxy = registry.proxy(r#"[{"match": ".", "action": "status", "code": 503}]"#);
    let dir = scratch();
    let out = fix(
        dir.path(),
        &format!("registry.test={proxy}"),
        &["--online-timeout", "5"],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("pinned 0 references in 0 files"), "{said}");
    assert_files(dir.path(), "before");
}

/// Copy the folder `from` into `to`, recursively.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// `text` without any `@sha256:<64 hex>`.
fn without_digests(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("@sha256:") {
        let hex = &rest[at + 8..];
        let len = hex.chars().take_while(char::is_ascii_hexdigit).count();
        out.push_str(&rest[..at]);
        rest = if len == 64 { &hex[64..] } else { &rest[at..] };
        if len != 64 {
            out.push_str("@sha256:");
            rest = &rest[8..];
        }
    }
    out.push_str(rest);
    out
}

#[test]
fn fix_on_the_demo_pins_every_reference_it_can_and_nothing_else_changes() {
    if !available("fix_on_the_demo_pins_every_reference_it_can_and_nothing_else_changes") {
        return;
    }
    let mut registry = Registry::start("anon");
    registry.push(&[
        "--image",
        "library/golang:1.23",
        "--index-image",
        "distroless/static-debian12:nonroot",
        "--image",
        "example/backup:1.2.0",
        "--index-image",
        "library/postgres:16.4",
        "--image",
        "library/nginx:latest",
        "--image",
        "library/busybox:latest",
    ]);
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root().join("fixtures/demo"), dir.path());
    let home = tempfile::tempdir().unwrap();
    let mut command = common::command_in(dir.path());
    command
        .env("HOME", home.path())
        .env("DOCKER_CONFIG", home.path())
        .args(["fix", "--no-config", "--resolve-latest"]);
    for registry_name in ["docker.io", "gcr.io", "ghcr.io"] {
        command
            .arg("--registry-mirror")
            .arg(format!("{registry_name}={}", registry.address));
    }
    let out = command.arg(".").output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{said}");
    // Two in the Dockerfile, the CronJob's, the Deployment's `latest`, the StatefulSet's two,
    // and (when helm renders the chart) the chart's values tag.
    let helm = common::have_tool("helm", "fix_on_the_demo");
    let want = if helm {
        "pinned 7 references in 5 files"
    } else {
        "pinned 6 references in 4 files"
    };
    assert!(said.contains(want), "{said}");
    assert!(said.contains("failed 0"), "{said}");

    // Only reference bytes changed: without the digests, every file is as it was.
    let mut changed = 0;
    for entry in walk(dir.path()) {
        let relative = entry.strip_prefix(dir.path()).unwrap();
        let before = std::fs::read_to_string(root().join("fixtures/demo").join(relative)).unwrap();
        let after = std::fs::read_to_string(&entry).unwrap();
        if before != after {
            changed += 1;
            assert_eq!(
                without_digests(&after),
                without_digests(&before),
                "{relative:?}"
            );
        }
    }
    assert_eq!(changed, if helm { 5 } else { 4 });
    // Each pin is the digest the registry holds for that image.
    let dockerfile = std::fs::read_to_string(dir.path().join("app/Dockerfile")).unwrap();
    assert!(dockerfile.contains(&format!(
        "golang:1.23@{}",
        registry.digest("library/golang:1.23")
    )));

    // The rescan: no image-digest-missing left (but in the chart's values without helm).
    let (report, _) = common::scan_json(&[dir.path().to_str().unwrap(), "--fail-on", "never"]);
    let left: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "image-digest-missing")
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert!(
        left.iter().all(|p| p.ends_with("charts/web/values.yaml")),
        "{left:?}"
    );
}

/// Every file below `dir`.
fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        if entry.path().is_dir() {
            files.extend(walk(&entry.path()));
        } else {
            files.push(entry.path());
        }
    }
    files
}

#[test]
fn helm_values_are_pinned_only_when_the_chart_then_deploys_the_pin() {
    if !available("helm_values_are_pinned_only_when_the_chart_then_deploys_the_pin")
        || !common::have_tool(
            "helm",
            "helm_values_are_pinned_only_when_the_chart_then_deploys_the_pin",
        )
    {
        return;
    }
    let registry = Registry::start("anon");
    let mirror = format!("registry.test={}", registry.address);
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root().join("fixtures/fix/charts"), dir.path());
    let out = fix(dir.path(), &mirror, &[]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("pinned 4 references in 4 files, skipped 2"),
        "{said}"
    );
    assert!(
        said.contains("template/templates/deployment.yaml:16 `registry.test/test/multi:v0`: the render builds it from parts"),
        "{said}"
    );
    assert!(
        said.contains("does not deploy the pinned reference"),
        "{said}"
    );
    let read = |path: &str| std::fs::read_to_string(dir.path().join(path)).unwrap();
    let original = |path: &str| {
        std::fs::read_to_string(root().join("fixtures/fix/charts").join(path)).unwrap()
    };
    assert_eq!(
        read("concat/values.yaml"),
        original("concat/values.yaml").replace(
            "tag: v1\n",
            &format!("tag: v1@{}\n", registry.digest("test/app:v1"))
        )
    );
    assert_eq!(read("split/values.yaml"), original("split/values.yaml"));
    // A chart that reads its own digest value gets it there, the tag left alone.
    assert_eq!(
        read("digest/values.yaml"),
        original("digest/values.yaml").replace(
            "digest: \"\"",
            &format!("digest: \"{}\"", registry.digest("test/multi:v1"))
        )
    );
    assert_eq!(
        read("concat/templates/deployment.yaml"),
        original("concat/templates/deployment.yaml")
    );
    // A values string holding the whole reference gets the digest at its end.
    assert_eq!(
        read("whole/values.yaml"),
        original("whole/values.yaml").replace(
            "dockerlist:v1\n",
            &format!("dockerlist:v1@{}\n", registry.digest("test/dockerlist:v1"))
        )
    );
    // A template that writes the image whole is pinned in place; the one it builds is not.
    assert_eq!(
        read("template/templates/deployment.yaml"),
        original("template/templates/deployment.yaml").replace(
            "test/app:v2\"",
            &format!("test/app:v2@{}\"", registry.digest("test/app:v2"))
        )
    );
}

/// A (line, column) of a SARIF region (columns in Unicode code points) as a byte offset.
fn offset_of(text: &str, line: u64, column: u64) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line as usize - 1)
        .map(str::len)
        .sum();
    start
        + text[start..]
            .chars()
            .take(column as usize - 1)
            .map(char::len_utf8)
            .sum::<usize>()
}

#[test]
fn sarif_fixes_of_an_online_scan_make_the_edits_of_fix() {
    if !available("sarif_fixes_of_an_online_scan_make_the_edits_of_fix") {
        return;
    }
    let registry = Registry::start("anon");
    let mirror = format!("registry.test={}", registry.address);
    let dir = scratch();
    let home = tempfile::tempdir().unwrap();
    let sarif_path = home.path().join("out.sarif");
    let out = common::command_in(dir.path())
        .env("HOME", home.path())
        .env("DOCKER_CONFIG", home.path())
        .args([
            "scan",
            "--no-config",
            "--online",
            "--registry-mirror",
            &mirror,
        ])
        .args(["--format", "sarif", "--fail-on", "never", "--output"])
        .arg(&sarif_path)
        .arg(".")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif_path).unwrap()).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    // Only image-digest-missing results carry fixes, and each the digest it resolves to.
    let mut with_fix = 0;
    let mut edits: std::collections::BTreeMap<String, std::collections::BTreeSet<(usize, String)>> =
        Default::default();
    for result in results {
        let Some(fixes) = result.get("fixes") else {
            continue;
        };
        with_fix += 1;
        assert_eq!(result["ruleId"], "image-digest-missing", "{result}");
        let resolved = result["properties"]["resolvedDigest"].as_str().unwrap();
        for change in fixes[0]["artifactChanges"].as_array().unwrap() {
            let uri = change["artifactLocation"]["uri"].as_str().unwrap();
            let text = std::fs::read_to_string(dir.path().join(uri)).unwrap();
            for replacement in change["replacements"].as_array().unwrap() {
                let region = &replacement["deletedRegion"];
                assert_eq!(region["startLine"], region["endLine"]);
                assert_eq!(region["startColumn"], region["endColumn"]);
                let inserted = replacement["insertedContent"]["text"].as_str().unwrap();
                assert!(inserted.contains(resolved), "{inserted} {resolved}");
                let at = offset_of(
                    &text,
                    region["startLine"].as_u64().unwrap(),
                    region["startColumn"].as_u64().unwrap(),
                );
                edits
                    .entry(uri.to_string())
                    .or_default()
                    .insert((at, inserted.to_string()));
            }
        }
    }
    // The 8 pins of `imagegate fix` (`latest` is not pinned without --resolve-latest, `v9`
    // does not resolve), and nothing else.
    assert_eq!(with_fix, 8);
    // The JSON report carries the same pins.
    let json_out = common::command_in(dir.path())
        .env("HOME", home.path())
        .env("DOCKER_CONFIG", home.path())
        .args([
            "scan",
            "--no-config",
            "--online",
            "--registry-mirror",
            &mirror,
        ])
        .args(["--format", "json", "--fail-on", "never", "."])
        .output()
        .unwrap();
    let json = common::json_of(&json_out);
    let fixes: Vec<&serde_json::Value> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f.get("fix"))
        .collect();
    assert_eq!(fixes.len(), 8);
    assert!(fixes.iter().all(|f| {
        f["insertions"][0]["text"]
            .as_str()
            .unwrap()
            .contains("@sha256:")
    }));
    for (uri, inserts) in edits {
        let path = dir.path().join(&uri);
        let mut text = std::fs::read_to_string(&path).unwrap();
        for (at, inserted) in inserts.iter().rev() {
            text.insert_str(*at, inserted);
        }
        std::fs::write(&path, text).unwrap();
    }
    assert_files(dir.path(), "after");
    if common::have_tool("validate-sarif", "sarif_fixes_of_an_online_scan") {
        let checked = std::process::Command::new("validate-sarif")
            .env("PATH", common::tools_path())
            .arg("--strict")
            .arg(&sarif_path)
            .output()
            .unwrap();
        assert!(checked.status.success(), "{checked:?}");
    }
    // Offline, no result has a fix.
    let offline = common::json_of(&common::imagegate([
        "scan",
        "--format",
        "sarif",
        "--fail-on",
        "never",
        dir.path().to_str().unwrap(),
    ]));
    assert!(
        offline["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r.get("fixes").is_none())
    );
}

/// A patch (GitHub's `patch` of a pull request file) that adds `added` lines of `text` (1-based),
/// each replacing an older line, with one line of context around each.
fn patch_adding(text: &str, added: &[usize]) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut patch = String::new();
    for &line in added {
        let first = line.saturating_sub(1).max(1);
        let last = (line + 1).min(lines.len());
        let count = last - first + 1;
        patch.push_str(&format!("@@ -{first},{count} +{first},{count} @@\n"));
        for n in first..=last {
            let content = lines[n - 1].trim_end_matches('\n');
            if n == line {
                patch.push_str(&format!("-{}\n+{content}\n", content.replace(":v", ":v0")));
            } else {
                patch.push_str(&format!(" {content}\n"));
            }
        }
    }
    patch
}

/// The action (`imagegate github`) on a pull request of `workspace`, against the fake API.
fn action(workspace: &Path, api: &common::github::FakeGitHub, mirror: &str, fork: bool) -> Output {
    let runner = tempfile::tempdir().unwrap();
    let event = runner.path().join("event.json");
    let head_repo = if fork { "someone/demo" } else { "octo/demo" };
    std::fs::write(
        &event,
        serde_json::json!({"pull_request": {"number": 7, "head": {
            "sha": "1111111111111111111111111111111111111111",
            "repo": {"full_name": head_repo}
        }}})
        .to_string(),
    )
    .unwrap();
    std::process::Command::new(env!("CARGO_BIN_EXE_imagegate"))
        .arg("github")
        .current_dir(workspace)
        .env_clear()
        .env("PATH", common::tools_path())
        .env("HOME", runner.path())
        .env("RUNNER_TEMP", runner.path())
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_WORKSPACE", workspace)
        .env("GITHUB_EVENT_NAME", "pull_request")
        .env("GITHUB_EVENT_PATH", &event)
        .env("GITHUB_REPOSITORY", "octo/demo")
        .env("GITHUB_API_URL", api.api_url())
        .env("INPUT_GITHUB-TOKEN", "ghs_fake_token_0123456789")
        .env("INPUT_SUGGEST", "true")
        .env("INPUT_REGISTRY-MIRRORS", mirror)
        .env("INPUT_COMMENT", "never")
        .env("INPUT_FAIL-ON", "never")
        .output()
        .unwrap()
}

#[test]
fn the_action_suggests_pins_on_changed_lines_once() {
    if !available("the_action_suggests_pins_on_changed_lines_once") {
        return;
    }
    let registry = Registry::start("anon");
    let mirror = format!("registry.test={}", registry.address);
    let dir = scratch();
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap();
    // The pull request adds: the init container's and the first container's images (not the
    // third's), the Dockerfile's ARG default (not its FROM lines), and the CRLF file's line
    // with two images.
    let added = [
        ("deploy.yaml", vec![11, 14]),
        ("Dockerfile", vec![2]),
        ("deploy-crlf.yaml", vec![5]),
    ];
    let setup = common::github::Setup {
        pr_files: added.iter().map(|(f, _)| f.to_string()).collect(),
        patches: added
            .iter()
            .map(|(f, lines)| (f.to_string(), patch_adding(&read(f), lines)))
            .collect(),
        ..common::github::Setup::default()
    };
    let api = common::github::FakeGitHub::start(setup.clone());
    let first = action(dir.path(), &api, &mirror, false);
    let log = String::from_utf8_lossy(&first.stdout);
    assert_eq!(first.status.code(), Some(0), "{first:?}");
    assert!(
        log.contains("posted review 1000 with 4 suggested changes"),
        "{log}"
    );
    let reviews = api.reviews();
    assert_eq!(reviews.len(), 1);
    assert_eq!(reviews[0].event, "COMMENT");
    assert_eq!(
        reviews[0].commit_id,
        "1111111111111111111111111111111111111111"
    );
    // Each suggestion replaces its line with that line of `imagegate fix`'s result.
    let mut placed: Vec<(String, u64)> = Vec::new();
    for comment in api.review_comments() {
        let after =
            std::fs::read_to_string(root().join("fixtures/fix/after").join(&comment.path)).unwrap();
        let want = after
            .lines()
            .nth(comment.line as usize - 1)
            .unwrap()
            .trim_end_matches('\r');
        assert!(
            comment
                .body
                .contains(&format!("```suggestion\n{want}\n```")),
            "{}:{}: {}",
            comment.path,
            comment.line,
            comment.body
        );
        assert!(comment.body.contains("image-digest-missing"));
        placed.push((comment.path.clone(), comment.line));
    }
    placed.sort();
    assert_eq!(
        placed,
        [
            ("Dockerfile".to_string(), 2),
            ("deploy-crlf.yaml".to_string(), 5),
            ("deploy.yaml".to_string(), 11),
            ("deploy.yaml".to_string(), 14),
        ]
    );
    // The SARIF file carries the same pins as fixes.
    let sarif = read("imagegate.sarif");
    assert!(sarif.contains("\"fixes\""));

    // A rerun finds its suggestions and posts nothing.
    let second = action(dir.path(), &api, &mirror, false);
    let log = String::from_utf8_lossy(&second.stdout);
    assert!(
        log.contains("the 4 suggested changes are already posted"),
        "{log}"
    );
    assert_eq!(api.reviews().len(), 1);
    assert_eq!(api.review_comments().len(), 4);

    // A fork's read-only token: one warning, the same result.
    let fork_api = common::github::FakeGitHub::start(setup);
    fork_api.fail("POST", "/reviews", 1, common::github::Failure::ReadOnly);
    let fork = action(dir.path(), &fork_api, &mirror, true);
    let log = String::from_utf8_lossy(&fork.stdout);
    assert_eq!(fork.status.code(), first.status.code());
    assert!(
        log.contains("::warning title=imagegate%3A suggested changes skipped::")
            && log.contains("comes from a fork"),
        "{log}"
    );
    assert!(fork_api.reviews().is_empty());
    // Nothing was written to the scanned files.
    assert_files(dir.path(), "before");
}

#[test]
fn kustomize_images_entries_get_their_digest_and_the_build_deploys_it() {
    if !available("kustomize_images_entries_get_their_digest_and_the_build_deploys_it")
        || !common::have_tool(
            "kubectl",
            "kustomize_images_entries_get_their_digest_and_the_build_deploys_it",
        )
    {
        return;
    }
    let registry = Registry::start("anon");
    let mirror = format!("registry.test={}", registry.address);
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root().join("fixtures/fix/kustomize/before"), dir.path());
    let out = fix(dir.path(), &mirror, &[]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(
        said.contains("pinned 3 references in 1 file, skipped 3, failed 0"),
        "{said}"
    );
    assert!(
        said.contains("note: kustomize `images:` entries now set `digest:`"),
        "{said}"
    );
    assert_files(dir.path(), "kustomize/after");
    // The build deploys each image by tag and digest.
    let built = std::process::Command::new("kubectl")
        .env("PATH", common::tools_path())
        .arg("kustomize")
        .arg(dir.path())
        .output()
        .unwrap();
    let built = String::from_utf8_lossy(&built.stdout);
    for (name, pushed) in [
        ("registry.test/test/app:v1", "test/app:v1"),
        ("registry.test/test/multi:v1", "test/multi:v1"),
        ("registry.test/test/dockerlist:v1", "test/dockerlist:v1"),
    ] {
        let pinned = format!("{name}@{}", registry.digest(pushed));
        assert!(built.contains(&pinned), "{pinned} not in:\n{built}");
    }
    // Twice changes nothing.
    let again = fix(dir.path(), &mirror, &["--check"]);
    assert_eq!(again.status.code(), Some(0), "{again:?}");
}

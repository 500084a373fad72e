//! Action mode end to end: the real binary in a temporary `GITHUB_WORKSPACE`, with an event
//! payload, `GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY` and every `INPUT_*` variable spelt as the
//! runner spells it (declared defaults included), against a fake GitHub REST API on 127.0.0.1
//! (`common::github`): pagination, fork tokens, server errors and rate limits.

// A test crate: an unwrap that fails is a failing test, and its helpers are `pub` for its
// modules.
#![allow(clippy::unwrap_used, unreachable_pub)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::github::{Failure, FakeGitHub, Setup};
use common::{root, tools_path};

const TOKEN: &str = "ghs_fake_token_0123456789";
const HEAD_SHA: &str = "1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c";

/// The keys of a top-level section of `action.yml`, in file order (a JSON map would sort them).
fn section_keys(section: &str) -> Vec<String> {
    let text = std::fs::read_to_string(root().join("action.yml")).unwrap();
    let mut keys = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        if !line.starts_with(' ') && !line.is_empty() {
            inside = line == format!("{section}:");
        } else if inside
            && let Some(key) = line.strip_prefix("  ").and_then(|l| l.strip_suffix(':'))
            && !key.starts_with(' ')
        {
            keys.push(key.to_string());
        }
    }
    keys
}

/// The inputs of `action.yml`, in order, with their defaults.
fn action_inputs() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(root().join("action.yml")).unwrap();
    let yaml: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    let inputs = yaml["inputs"].as_object().unwrap();
    let names = section_keys("inputs");
    assert_eq!(names.len(), inputs.len(), "the line scan found every input");
    names
        .into_iter()
        .map(|name| {
            let default = inputs[&name]["default"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            (name, default)
        })
        .collect()
}

fn action_outputs() -> Vec<String> {
    let text = std::fs::read_to_string(root().join("action.yml")).unwrap();
    let yaml: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    let names = section_keys("outputs");
    assert_eq!(names.len(), yaml["outputs"].as_object().unwrap().len());
    names
}

/// A pull request's event, or a push.
#[derive(Clone, Copy)]
enum Event {
    PullRequest { number: u64, fork: bool },
    Push,
}

/// Pull request #7 from a branch of the repository, and from a fork.
const PR: Event = Event::PullRequest {
    number: 7,
    fork: false,
};
const FORK_PR: Event = Event::PullRequest {
    number: 7,
    fork: true,
};

struct Workspace {
    dir: tempfile::TempDir,
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    summary: String,
    outputs: String,
    sarif: String,
}

impl Run {
    fn output(&self, name: &str) -> Option<&str> {
        self.outputs
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name}=")))
    }

    /// Every byte the run produced.
    fn everything(&self) -> String {
        [
            &self.stdout,
            &self.stderr,
            &self.summary,
            &self.outputs,
            &self.sarif,
        ]
        .map(|s| s.as_str())
        .join("\n")
    }

    /// The warnings saying the pull-request comment was skipped.
    fn comment_skipped(&self) -> Vec<&str> {
        self.annotations("warning")
            .into_iter()
            .filter(|w| w.contains("comment skipped"))
            .collect()
    }

    fn annotations(&self, kind: &str) -> Vec<&str> {
        let prefix = format!("::{kind} ");
        let bare = format!("::{kind}::");
        self.stdout
            .lines()
            .filter(|l| l.starts_with(&prefix) || l.starts_with(&bare))
            .collect()
    }
}

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

impl Workspace {
    /// A workspace holding copies of fixture folders: `(fixture, place in the workspace)`.
    fn with(parts: &[(&str, &str)]) -> Workspace {
        let dir = tempfile::tempdir().unwrap();
        for (from, to) in parts {
            copy_dir(&root().join(from), &dir.path().join(to));
        }
        Workspace { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Run `imagegate github` as the runner would: the workspace as working directory, the
    /// default variables, and every input (declared defaults, then `inputs`).
    fn run(&self, api: Option<&FakeGitHub>, event: Event, inputs: &[(&str, &str)]) -> Run {
        let runner = tempfile::tempdir().unwrap();
        let event_path = runner.path().join("event.json");
        let output_path = runner.path().join("output");
        let summary_path = runner.path().join("summary.md");
        std::fs::write(&output_path, "").unwrap();
        std::fs::write(&summary_path, "").unwrap();
        let (event_name, payload) = match event {
            Event::PullRequest { number, fork } => (
                "pull_request",
                serde_json::json!({
                    "action": "synchronize",
                    "number": number,
                    "pull_request": {
                        "number": number,
                        "head": {
                            "sha": HEAD_SHA,
                            "repo": { "full_name": if fork { "someone/demo" } else { "octo/demo" } }
                        },
                        "base": { "sha": "0000000000000000000000000000000000000000", "repo": { "full_name": "octo/demo" } }
                    },
                    "repository": { "full_name": "octo/demo" }
                }),
            ),
            Event::Push => (
                "push",
                serde_json::json!({ "ref": "refs/heads/main", "repository": { "full_name": "octo/demo" } }),
            ),
        };
        std::fs::write(&event_path, payload.to_string()).unwrap();

        let mut values: BTreeMap<String, String> = action_inputs()
            .into_iter()
            .map(|(name, default)| {
                let value = if default == "${{ github.token }}" {
                    TOKEN.to_string()
                } else {
                    default
                };
                (name, value)
            })
            .collect();
        for (name, value) in inputs {
            values.insert(name.to_string(), value.to_string());
        }
        let mut command = Command::new(env!("CARGO_BIN_EXE_imagegate"));
        command
            .arg("github")
            .current_dir(self.path())
            .env_clear()
            .env("PATH", tools_path())
            .env("HOME", runner.path())
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_WORKSPACE", self.path())
            .env("GITHUB_EVENT_NAME", event_name)
            .env("GITHUB_EVENT_PATH", &event_path)
            .env("GITHUB_OUTPUT", &output_path)
            .env("GITHUB_STEP_SUMMARY", &summary_path)
            .env("GITHUB_REPOSITORY", "octo/demo")
            .env("GITHUB_SERVER_URL", "https://github.example.com")
            .env("GITHUB_SHA", "9999999999999999999999999999999999999999")
            .env("GITHUB_RUN_ID", "4242")
            .env("RUNNER_DEBUG", "1")
            .env(
                "GITHUB_API_URL",
                api.map_or("http://127.0.0.1:9".to_string(), |a| a.api_url()),
            );
        for (name, value) in &values {
            command.env(format!("INPUT_{}", name.to_ascii_uppercase()), value);
        }
        let out = command.output().expect("run imagegate github");
        let sarif_name = values
            .get("sarif-file")
            .cloned()
            .unwrap_or_else(|| "imagegate.sarif".to_string());
        Run {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            summary: std::fs::read_to_string(&summary_path).unwrap(),
            outputs: std::fs::read_to_string(&output_path).unwrap(),
            sarif: std::fs::read_to_string(self.path().join(sarif_name)).unwrap_or_default(),
        }
    }
}

/// A workspace with the demo's plain manifests (no chart: no helm needed, fast).
fn manifests() -> Workspace {
    Workspace::with(&[("fixtures/demo/k8s", "k8s")])
}

fn setup() -> Setup {
    Setup {
        owner: "octo".into(),
        repo: "demo".into(),
        pr: 7,
        token: TOKEN.into(),
        pr_files: vec![
            "README.md".into(),
            "k8s/deployment.yaml".into(),
            "src/main.rs".into(),
            "docs/a.md".into(),
            "docs/b.md".into(),
        ],
        max_per_page: 2,
        ..Setup::default()
    }
}

fn requests(api: &FakeGitHub) -> Vec<String> {
    api.requests()
        .iter()
        .map(|r| {
            if r.query.is_empty() {
                format!("{} {}", r.method, r.path)
            } else {
                format!("{} {}?{}", r.method, r.path, r.query)
            }
        })
        .collect()
}

fn assert_no_leak(run: &Run, api: Option<&FakeGitHub>) {
    let mut all = run.everything();
    if let Some(api) = api {
        for c in api.comments() {
            all.push_str(&c.body);
        }
    }
    assert!(!all.contains(TOKEN), "the token leaked");
    assert!(!all.contains("CANARY"), "a seeded secret leaked");
}

// ---------------------------------------------------------------------------------------------

/// The action's inputs and outputs are exactly what the binary reads and writes, with the same
/// defaults, and the README documents each of them.
#[test]
fn action_yml_binary_and_readme_agree() {
    let declared: Vec<String> = action_inputs().into_iter().map(|(n, _)| n).collect();
    assert_eq!(declared, imagegate::action::inputs::INPUTS);
    assert_eq!(action_outputs(), imagegate::action::inputs::OUTPUTS);

    // The declared defaults mean what the binary assumes when an input is unset.
    let runner: std::collections::HashMap<String, String> = action_inputs()
        .into_iter()
        .filter(|(_, default)| !default.contains("${{"))
        .map(|(name, default)| (imagegate::action::inputs::variable(&name), default))
        .collect();
    let with_defaults = imagegate::action::inputs::Inputs::read(&runner).unwrap();
    let unset = imagegate::action::inputs::Inputs::read(&Default::default()).unwrap();
    assert_eq!(format!("{with_defaults:?}"), format!("{unset:?}"));

    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    for (name, default) in action_inputs() {
        let row = format!("| `{name}` |");
        assert!(
            readme.contains(&row),
            "README has no row for input `{name}`"
        );
        if !default.is_empty() {
            let line = readme.lines().find(|l| l.starts_with(&row)).unwrap();
            assert!(
                line.contains(&format!("`{default}`")),
                "README row of `{name}` does not give its default `{default}`: {line}"
            );
        }
    }
    for name in action_outputs() {
        assert!(
            readme.contains(&format!("| `{name}` |")),
            "README has no row for output `{name}`"
        );
    }
    // The container action runs `imagegate github`.
    let text = std::fs::read_to_string(root().join("action.yml")).unwrap();
    let yaml: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    assert_eq!(yaml["runs"]["using"], "docker");
    assert_eq!(yaml["runs"]["image"], "Dockerfile");
    assert_eq!(yaml["runs"]["args"], serde_json::json!(["github"]));
}

/// A push: SARIF relative to the workspace with the category, outputs, summary, annotations
/// (errors first), exit code by `fail-on`, and no API call.
#[test]
fn push_writes_sarif_outputs_summary_and_annotations() {
    let ws = manifests();
    let api = FakeGitHub::start(setup());
    let run = ws.run(
        Some(&api),
        Event::Push,
        &[
            ("category", "images/prod"),
            ("sarif-file", "reports/scan.sarif"),
        ],
    );
    assert_eq!(run.code, Some(1), "{}\n{}", run.stdout, run.stderr);
    assert!(api.requests().is_empty(), "a push has no pull request");

    let sarif: serde_json::Value = serde_json::from_str(&run.sarif).unwrap();
    let run0 = &sarif["runs"][0];
    assert_eq!(run0["automationDetails"]["id"], "images/prod/");
    for result in run0["results"].as_array().unwrap() {
        let uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(uri.starts_with("k8s/"), "not repository-relative: {uri}");
    }
    assert!(!run.sarif.contains(&ws.path().display().to_string()));

    assert_eq!(run.output("sarif-file"), Some("reports/scan.sarif"));
    let count = |name| run.output(name).unwrap().parse::<usize>().unwrap();
    assert_eq!(
        count("findings"),
        count("errors") + count("warnings") + count("notes")
    );
    assert_eq!(count("findings"), run0["results"].as_array().unwrap().len());
    assert!(count("errors") > 0);
    let written: Vec<&str> = run
        .outputs
        .lines()
        .map(|l| l.split('=').next().unwrap())
        .collect();
    assert_eq!(written, imagegate::action::inputs::OUTPUTS);

    // Links go to the pushed commit.
    assert!(
        run.summary.starts_with("### ❌ imagegate:"),
        "{}",
        run.summary
    );
    assert!(run.summary.contains(
        "https://github.example.com/octo/demo/blob/9999999999999999999999999999999999999999/k8s/deployment.yaml#L22"
    ));

    // Errors are annotated first; the text report sits in a group with commands stopped.
    let first = run
        .stdout
        .lines()
        .position(|l| l.starts_with("::error "))
        .unwrap();
    let warning = run
        .stdout
        .lines()
        .position(|l| l.starts_with("::warning "))
        .unwrap();
    assert!(first < warning);
    assert!(run.annotations("error")[0].contains("file=k8s/"));
    let stop = run
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("::stop-commands::"))
        .unwrap();
    assert!(run.stdout.contains(&format!("\n::{stop}::\n")));
    assert_no_leak(&run, None);
}

/// First run creates the comment (after reading every page of comments and files), a rerun
/// with a change updates that same comment, a rerun without change leaves it alone.
#[test]
fn sticky_comment_is_created_then_updated_never_duplicated() {
    let ws = manifests();
    let api = FakeGitHub::start(setup());
    // Comments by people, on three pages of two.
    api.seed_comment("alice", "Looks good, but see the deployment.");
    api.seed_comment("bob", "Which registry is this?");
    api.seed_comment("alice", "<!-- imagegate:sticky:other --> not ours");
    api.seed_comment(
        "carol",
        "Quoting the bot: `<!-- imagegate:sticky:imagegate -->`",
    );
    api.seed_comment("bob", "Thanks!");

    let first = ws.run(Some(&api), PR, &[]);
    assert_eq!(first.code, Some(1), "{}\n{}", first.stdout, first.stderr);
    assert_eq!(
        requests(&api),
        [
            "GET /repos/octo/demo/issues/7/comments?per_page=100",
            "GET /repos/octo/demo/issues/7/comments?per_page=100&page=2",
            "GET /repos/octo/demo/issues/7/comments?per_page=100&page=3",
            "GET /repos/octo/demo/pulls/7/files?per_page=100",
            "GET /repos/octo/demo/pulls/7/files?per_page=100&page=2",
            "GET /repos/octo/demo/pulls/7/files?per_page=100&page=3",
            "POST /repos/octo/demo/issues/7/comments",
        ]
    );
    for r in api.requests() {
        assert_eq!(
            r.authorization.as_deref(),
            Some(format!("Bearer {TOKEN}").as_str())
        );
    }
    let comments = api.comments();
    assert_eq!(comments.len(), 6);
    let ours = &comments[5];
    assert_eq!(ours.login, "github-actions[bot]");
    assert!(
        ours.body
            .starts_with("<!-- imagegate:sticky:imagegate -->\n### ❌ imagegate:")
    );
    // The changed file's findings come first; the others are collapsed.
    let changed = ours
        .body
        .find("#### In files this pull request changes")
        .unwrap();
    let others = ours.body.find("<details><summary>").unwrap();
    assert!(changed < others);
    let deployment = ours.body.find("k8s/deployment.yaml:22").unwrap();
    assert!(changed < deployment && deployment < others);
    assert!(ours.body.contains(&format!(
        "https://github.example.com/octo/demo/blob/{HEAD_SHA}/k8s/deployment.yaml#L22"
    )));
    assert!(first.stdout.contains("pull request #7: created comment"));

    // A fix: the busybox without a tag gets one; the comment is edited in place.
    let statefulset = ws.path().join("k8s/statefulset.yaml");
    let text = std::fs::read_to_string(&statefulset).unwrap();
    std::fs::write(
        &statefulset,
        text.replace("image: busybox\n", "image: busybox:1.36\n"),
    )
    .unwrap();
    let before = api.requests().len();
    let second = ws.run(Some(&api), PR, &[]);
    assert_eq!(second.code, Some(1));
    let requests_now = requests(&api);
    let id = ours.id;
    assert_eq!(
        requests_now[before..].last().unwrap(),
        &format!("PATCH /repos/octo/demo/issues/comments/{id}")
    );
    let comments = api.comments();
    assert_eq!(comments.len(), 6, "a rerun must not add a comment");
    assert!(!comments[5].body.contains("image-tag-missing"));
    assert!(second.stdout.contains(&format!("updated comment {id}")));

    // Nothing changed: no edit at all.
    let before = api.requests().len();
    let third = ws.run(Some(&api), PR, &[]);
    assert!(
        requests(&api)[before..]
            .iter()
            .all(|r| r.starts_with("GET "))
    );
    assert!(
        third
            .stdout
            .contains(&format!("comment {id} is up to date"))
    );
    for run in [&first, &second, &third] {
        assert_no_leak(run, Some(&api));
    }
}

/// When the findings are gone, `on-findings` turns the comment into an all-clear; without an
/// earlier comment it posts nothing; `never` makes no call at all.
#[test]
fn comment_modes() {
    // A Service only: nothing to find.
    let clean = Workspace::with(&[]);
    std::fs::create_dir(clean.path().join("k8s")).unwrap();
    std::fs::copy(
        root().join("fixtures/demo/k8s/service.yaml"),
        clean.path().join("k8s/service.yaml"),
    )
    .unwrap();
    let api = FakeGitHub::start(setup());
    let run = clean.run(Some(&api), PR, &[]);
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    assert!(requests(&api).iter().all(|r| r.starts_with("GET ")));
    assert!(api.comments().is_empty());

    let id = api.seed_comment(
        "github-actions[bot]",
        "<!-- imagegate:sticky:imagegate -->\n### ❌ imagegate: 1 error",
    );
    clean.run(Some(&api), PR, &[]);
    let comments = api.comments();
    assert_eq!(comments.len(), 1);
    assert_eq!(comments[0].id, id);
    assert!(
        comments[0]
            .body
            .contains("✅ imagegate: no image problems found"),
        "{}",
        comments[0].body
    );

    let quiet = FakeGitHub::start(setup());
    let run = manifests().run(Some(&quiet), PR, &[("comment", "never")]);
    assert_eq!(run.code, Some(1));
    assert!(quiet.requests().is_empty());

    let always = FakeGitHub::start(setup());
    clean.run(Some(&always), PR, &[("comment", "always")]);
    assert_eq!(always.comments().len(), 1);
}

/// A fork's read-only token: one warning, and the SARIF, summary, outputs and exit code as
/// without the comment.
#[test]
fn read_only_token_is_one_warning() {
    let ws = manifests();
    let api = FakeGitHub::start(setup());
    api.fail("POST", "/issues/7/comments", 1, Failure::ReadOnly);
    let run = ws.run(Some(&api), FORK_PR, &[]);
    assert_eq!(run.code, Some(1));
    let skipped: Vec<&str> = run.comment_skipped();
    assert_eq!(skipped.len(), 1, "{}", run.stdout);
    assert!(skipped[0].contains("read-only"), "{}", skipped[0]);
    assert!(!run.sarif.is_empty() && !run.summary.is_empty());
    assert_eq!(run.output("errors").map(|e| e != "0"), Some(true));
    assert!(api.comments().is_empty());
    // Not retried: a retry cannot help.
    assert_eq!(
        requests(&api)
            .iter()
            .filter(|r| r.starts_with("POST"))
            .count(),
        1
    );
    assert_no_leak(&run, Some(&api));

    // With fail-on never the step still passes.
    let api = FakeGitHub::start(setup());
    api.fail("POST", "/issues/7/comments", 1, Failure::ReadOnly);
    let run = ws.run(Some(&api), FORK_PR, &[("fail-on", "never")]);
    assert_eq!(run.code, Some(0));
}

/// A 502 is retried and the comment still made.
#[test]
fn server_error_is_retried() {
    let api = FakeGitHub::start(setup());
    api.fail(
        "GET",
        "/issues/7/comments",
        1,
        Failure::Status(502, "Bad Gateway".into()),
    );
    let run = manifests().run(Some(&api), PR, &[]);
    let log = requests(&api);
    assert_eq!(log[0], log[1], "the failed request is repeated");
    assert_eq!(api.comments().len(), 1, "{}", run.stdout);
    assert!(run.comment_skipped().is_empty());

    // Failing every time: bounded attempts, then one warning.
    let api = FakeGitHub::start(setup());
    api.fail(
        "GET",
        "/issues/7/comments",
        10,
        Failure::Status(503, "Unavailable".into()),
    );
    let run = manifests().run(Some(&api), PR, &[]);
    assert_eq!(api.requests().len(), 3);
    let warning = run.comment_skipped()[0];
    assert!(warning.contains("503"), "{warning}");
    assert_eq!(run.code, Some(1));
}

/// Rate limits: a short `retry-after` is waited out; an exhausted quota is not.
#[test]
fn rate_limits() {
    let api = FakeGitHub::start(setup());
    api.fail(
        "POST",
        "/issues/7/comments",
        1,
        Failure::SecondaryRateLimit {
            retry_after_secs: 1,
        },
    );
    let started = std::time::Instant::now();
    let run = manifests().run(Some(&api), PR, &[]);
    assert!(started.elapsed() >= std::time::Duration::from_secs(1));
    assert_eq!(api.comments().len(), 1, "{}", run.stdout);

    let api = FakeGitHub::start(setup());
    api.fail(
        "GET",
        "/issues/7/comments",
        1,
        Failure::RateLimited {
            reset_in_secs: 3600,
        },
    );
    let run = manifests().run(Some(&api), PR, &[]);
    assert_eq!(api.requests().len(), 1, "an hour is not waited out");
    let warning = run.comment_skipped()[0];
    assert!(warning.contains("rate limit"), "{warning}");
    assert_eq!(run.code, Some(1));
}

/// A 404 and an unreachable API: one warning each, the step's result unchanged.
#[test]
fn not_found_and_network_errors() {
    let api = FakeGitHub::start(setup());
    api.fail(
        "GET",
        "/issues/7/comments",
        1,
        Failure::Status(404, "Not Found".into()),
    );
    let run = manifests().run(Some(&api), PR, &[]);
    let warning = run.comment_skipped()[0];
    assert!(warning.contains("404"), "{warning}");

    // Nothing listens on the discard port.
    let run = manifests().run(None, PR, &[]);
    let warnings: Vec<&str> = run.comment_skipped();
    assert_eq!(warnings.len(), 1, "{}", run.stdout);
    assert!(warnings[0].contains("could not reach"), "{}", warnings[0]);
    assert_eq!(run.code, Some(1));
    assert!(!run.sarif.is_empty());
    assert_no_leak(&run, None);
}

/// Secrets in the scanned files and the token appear nowhere: log, annotations, summary,
/// outputs, SARIF, comment.
#[test]
fn no_secret_or_token_in_any_action_output() {
    let ws = Workspace::with(&[("fixtures/rules", "rules")]);
    let api = FakeGitHub::start(setup());
    let run = ws.run(
        Some(&api),
        PR,
        &[("fail-on", "never"), ("comment", "always")],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(api.comments().len(), 1);
    assert!(
        run.stdout.contains("::debug::"),
        "RUNNER_DEBUG=1 logs the requests"
    );
    assert_no_leak(&run, Some(&api));
    let canaries = std::fs::read_to_string(root().join("fixtures/secret-canaries.txt")).unwrap();
    let everything = run.everything() + &api.comments()[0].body;
    for canary in canaries
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        assert!(!everything.contains(canary), "leaked: {canary}");
    }
}

/// Wrong inputs are errors (exit 2) that name the input; an unknown input is a warning.
#[test]
fn wrong_inputs_fail_with_their_name() {
    let ws = manifests();
    let run = ws.run(None, Event::Push, &[("fail-on", "critical")]);
    assert_eq!(run.code, Some(2));
    assert!(
        run.stdout
            .contains("::error title=imagegate::input `fail-on`"),
        "{}",
        run.stdout
    );
    let run = ws.run(None, Event::Push, &[("allowed-registries", "ghcr.io/**/x")]);
    assert_eq!(run.code, Some(2), "{}", run.stdout);
    assert!(run.stdout.contains("allowed-registries"));
    let run = ws.run(
        None,
        Event::Push,
        &[(
            "private-registries",
            "registry.example.com\nhttps://harbor.corp.internal",
        )],
    );
    assert_eq!(run.code, Some(2), "{}", run.stdout);
    assert!(
        run.stdout.contains(
            "input `private-registries`: `https://harbor.corp.internal`: registry pattern"
        ),
        "{}",
        run.stdout
    );
    let run = ws.run(None, Event::Push, &[("fail_on", "never")]);
    assert!(
        run.annotations("warning")
            .iter()
            .any(|w| w.contains("`fail_on` is not an input")),
        "{}",
        run.stdout
    );
}

/// The action's SARIF passes GitHub's ingestion rules.
#[test]
fn action_sarif_passes_validate_sarif_strict() {
    if !common::have_tool(
        "validate-sarif",
        "action_sarif_passes_validate_sarif_strict",
    ) {
        return;
    }
    let ws = Workspace::with(&[("fixtures/demo", "demo")]);
    let run = ws.run(None, Event::Push, &[("comment", "never")]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let out = Command::new("bash")
        .arg(tools_path_of("validate-sarif"))
        .arg("--strict")
        .arg(ws.path().join("imagegate.sarif"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn tools_path_of(tool: &str) -> PathBuf {
    std::env::split_paths(&tools_path())
        .map(|d| d.join(tool))
        .find(|p| p.is_file())
        .unwrap()
}

/// The comment and the summary of the demo repository (snapshots), and the README's sample
/// of the comment, which must be this very comment.
#[test]
fn demo_comment_summary_and_readme_sample() {
    if !common::have_tool("helm", "demo_comment_summary_and_readme_sample") {
        return;
    }
    let ws = Workspace::with(&[("fixtures/demo", "")]);
    let api = FakeGitHub::start(Setup {
        pr_files: vec![
            "k8s/deployment.yaml".into(),
            "charts/web/values.yaml".into(),
        ],
        ..setup()
    });
    let run = ws.run(Some(&api), PR, &[]);
    assert_eq!(run.code, Some(1), "{}\n{}", run.stdout, run.stderr);
    let comments = api.comments();
    assert_eq!(comments.len(), 1, "{}", run.stdout);
    let body = &comments[0].body;
    assert!(body.len() < 65_536);
    insta::assert_snapshot!("demo_comment", body);
    insta::assert_snapshot!("demo_summary", run.summary);

    let sample: String = body
        .lines()
        .map(|l| {
            if l.is_empty() {
                ">\n".to_string()
            } else {
                format!("> {l}\n")
            }
        })
        .collect();
    let readme_path = root().join("README.md");
    let readme = std::fs::read_to_string(&readme_path).unwrap();
    let (start, end) = (
        "<!-- comment-sample:start -->\n",
        "<!-- comment-sample:end -->",
    );
    let from = readme.find(start).expect("README comment-sample markers") + start.len();
    let to = readme.find(end).unwrap();
    if readme[from..to] != sample {
        if std::env::var_os("IMAGEGATE_UPDATE_README").is_some() {
            let updated = format!("{}{sample}{}", &readme[..from], &readme[to..]);
            std::fs::write(&readme_path, updated).unwrap();
        } else {
            panic!(
                "README.md's comment sample is out of date: rerun with IMAGEGATE_UPDATE_README=1"
            );
        }
    }
}

/// A comment over GitHub's 65,536-character limit ends with "…and N more" and still fits.
#[test]
fn huge_comment_is_cut_below_the_limit() {
    let ws = Workspace::with(&[]);
    let mut text = String::new();
    for i in 0..300 {
        text.push_str(&format!(
            "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p{i}\nspec:\n  containers:\n    - name: c\n      image: nginx:latest\n"
        ));
    }
    std::fs::write(ws.path().join("pods.yaml"), text).unwrap();
    let api = FakeGitHub::start(setup());
    let run = ws.run(Some(&api), PR, &[]);
    assert_eq!(run.code, Some(1));
    let comments = api.comments();
    assert_eq!(comments.len(), 1, "{}", run.stdout);
    let body = &comments[0].body;
    assert!(body.chars().count() <= 65_536);
    assert!(body.contains("…and "), "no truncation note");
    assert!(body.contains("more, left out to stay within GitHub's size limit: see [the job summary](https://github.example.com/octo/demo/actions/runs/4242)."));
    // The summary (1 MiB) holds them all.
    assert!(!run.summary.contains("…and "));
}

/// The result files of a SARIF log, sorted and deduplicated.
fn sarif_files(sarif: &str) -> Vec<String> {
    let log: serde_json::Value = serde_json::from_str(sarif).unwrap();
    let mut files: Vec<String> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .map(str::to_string)
        })
        .collect();
    files.sort();
    files.dedup();
    files
}

/// `changed-only` on a pull request reports only the files it changes (as GitHub lists them,
/// every page), and the summary says so; a push scans everything; a list GitHub cannot give
/// is a warning and a whole scan, not a failure.
#[test]
fn changed_only_reports_what_the_pull_request_changes() {
    let ws = manifests();
    let api = FakeGitHub::start(setup());
    let whole = ws.run(Some(&api), PR, &[("comment", "never")]);
    assert!(sarif_files(&whole.sarif).len() > 1, "{}", whole.sarif);

    let limited = ws.run(
        Some(&api),
        PR,
        &[("changed-only", "true"), ("comment", "never")],
    );
    assert_eq!(
        limited.code,
        Some(1),
        "{}\n{}",
        limited.stdout,
        limited.stderr
    );
    assert_eq!(sarif_files(&limited.sarif), ["k8s/deployment.yaml"]);
    assert!(
        limited
            .summary
            .contains("Limited to 5 changed files (the files pull request #7 changes)"),
        "{}",
        limited.summary
    );
    assert!(
        requests(&api)
            .contains(&"GET /repos/octo/demo/pulls/7/files?per_page=100&page=3".to_string())
    );

    let push = ws.run(Some(&api), Event::Push, &[("changed-only", "true")]);
    assert_eq!(sarif_files(&push.sarif), sarif_files(&whole.sarif));
    assert!(!push.summary.contains("Limited to"));

    // GitHub does not answer: everything is scanned, with one warning.
    let broken = ws.run(None, PR, &[("changed-only", "true"), ("comment", "never")]);
    assert_eq!(sarif_files(&broken.sarif), sarif_files(&whole.sarif));
    assert!(
        broken
            .stdout
            .contains("::warning title=imagegate%3A scanning everything::"),
        "{}",
        broken.stdout
    );
    assert_no_leak(&limited, Some(&api));
}

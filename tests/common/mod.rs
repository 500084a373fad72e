//! Helpers shared by the integration tests: run the real binary, read its JSON.

#![allow(dead_code)]

pub mod github;
pub mod marks;
pub mod registry;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Run `imagegate` with `args` in the repository root. A scan reads no configuration file
/// unless the test gives one (`--config`): the repository's own `.imagegate.yaml` is for the
/// repository, not for the fixtures.
pub fn imagegate<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let args: Vec<std::ffi::OsString> = args
        .into_iter()
        .map(|a| a.as_ref().to_os_string())
        .collect();
    command_in(&root())
        .args(no_config_unless_given(args))
        .output()
        .expect("run imagegate")
}

/// `args` (a command line without the program name) with `--no-config` after `scan` unless
/// the test gives a configuration: the repository's own `.imagegate.yaml` is for the
/// repository, not for the fixtures.
pub fn no_config_unless_given(mut args: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    let configured = args
        .iter()
        .any(|a| a == "--config" || a == "-c" || a == "--no-config");
    if args.first().is_some_and(|a| a == "scan") && !configured {
        args.insert(1, "--no-config".into());
    }
    args
}

/// The binary, to run in `dir` with the test tools on PATH, outside GitHub Actions, without
/// colour.
pub fn command_in(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_imagegate"));
    command
        .current_dir(dir)
        .env("PATH", tools_path())
        .env_remove("GITHUB_ACTIONS")
        .env("NO_COLOR", "1");
    command
}

/// Run `imagegate ARGS` in `dir` (no `--no-config` added: the test's configuration applies).
pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    command_in(dir).args(args).output().expect("run imagegate")
}

/// Standard output as JSON; the panic shows both streams.
pub fn json_of(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): stdout={} stderr={}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// Run a scan with `--format json` and parse the report.
pub fn scan_json<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> (serde_json::Value, Output) {
    let mut all: Vec<std::ffi::OsString> = vec!["scan".into(), "--format".into(), "json".into()];
    all.extend(args.iter().map(|a| a.as_ref().to_os_string()));
    let out = imagegate(&all);
    (json_of(&out), out)
}

pub fn rel(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// `PATH` with `../shared/tools` (the `helm` stand-in) first, when that folder exists.
pub fn tools_path() -> std::ffi::OsString {
    let mut dirs = vec![root().join("../shared/tools")];
    dirs.retain(|d| d.is_dir());
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(dirs).unwrap_or_default()
}

/// A copy of the folder `from` at `to` (files and folders; nothing else).
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create folder");
    for entry in std::fs::read_dir(from).expect("read folder").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy file");
        }
    }
}

/// The `tool` a test runs: the first on [`tools_path`].
pub fn real_tool(tool: &str) -> PathBuf {
    std::env::split_paths(&tools_path())
        .map(|dir| dir.join(tool))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("`{tool}` is not on the test PATH"))
}

/// An executable shell script at `path`: `#!/bin/sh`, then `body` (a wrapper around a real
/// tool that logs or slows its calls).
pub fn script(path: &Path, body: &str) -> PathBuf {
    std::fs::write(path, format!("#!/bin/sh\n{body}")).expect("write script");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
            .expect("make script executable");
    }
    path.to_path_buf()
}

/// Whether `tool` can be run here (on [`tools_path`]). When it cannot: a test that needs it is
/// skipped with a message, unless `IMAGEGATE_REQUIRE_TOOLS` is set (as `.ci/run` does), where
/// it fails.
pub fn have_tool(tool: &str, test: &str) -> bool {
    let found = std::env::split_paths(&tools_path()).any(|dir| dir.join(tool).is_file());
    if !found {
        assert!(
            std::env::var_os("IMAGEGATE_REQUIRE_TOOLS").is_none(),
            "{test}: `{tool}` is required here (IMAGEGATE_REQUIRE_TOOLS) but is not on PATH or in ../shared/tools"
        );
        eprintln!("skipped {test}: `{tool}` not found on PATH or in ../shared/tools");
    }
    found
}

/// A fixture folder's `args` file: extra command-line arguments, one per line.
pub fn args_file(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("args"))
        .map(|t| {
            t.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(String::from)
                .collect()
        })
        .unwrap_or_default()
}

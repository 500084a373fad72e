//! Helpers shared by the integration tests: run the real binary, read its JSON.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Run `imagegate` with `args` in the repository root.
pub fn imagegate<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    Command::new(env!("CARGO_BIN_EXE_imagegate"))
        .args(args)
        .current_dir(root())
        .env_remove("GITHUB_ACTIONS")
        .env("NO_COLOR", "1")
        .output()
        .expect("run imagegate")
}

/// Run a scan with `--format json` and parse the report.
pub fn scan_json<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> (serde_json::Value, Output) {
    let mut all: Vec<std::ffi::OsString> = vec!["scan".into(), "--format".into(), "json".into()];
    all.extend(args.iter().map(|a| a.as_ref().to_os_string()));
    let out = imagegate(&all);
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): stdout={} stderr={}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (report, out)
}

pub fn rel(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

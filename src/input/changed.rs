//! What a change touches (`--changed-since REF`, the action's `changed-only`): the files that
//! differ from a git reference, or that a pull request changes, and whether a scanned path is
//! one of them or holds one.
//!
//! Paths are compared resolved against the repository's root (its canonical path), so a scan
//! given `./k8s`, `k8s` or an absolute path, through a symbolic link or not, agrees with git.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::process::Command;

/// The files a change touches: added, modified, deleted or renamed (both names), and, from
/// git, files not yet committed (tracked or not, ignored ones left out).
#[derive(Debug, Clone)]
pub struct Changed {
    /// What the scan is limited to, for the summary: `changes since origin/main (merge base
    /// 1a2b3c4d)`, `pull request #12's changes`.
    pub since: String,
    /// The repository's root, canonical.
    root: PathBuf,
    /// Relative to `root`, with `/` between names.
    files: BTreeSet<String>,
}

/// Why the changed files could not be listed (exit code 2: the scan would not be what was
/// asked for).
#[derive(Debug, thiserror::Error)]
pub enum ChangedError {
    #[error("--changed-since needs git, which could not be run: {0}")]
    NoGit(std::io::Error),
    #[error("--changed-since: {0} is not inside a git repository")]
    NotARepository(String),
    #[error(
        "--changed-since {reference}: git knows no such commit ({message}); fetch it first, e.g. `git fetch origin {fetch}` (a shallow clone needs the base's history: `fetch-depth: 0`)"
    )]
    UnknownReference {
        reference: String,
        message: String,
        /// What to fetch from `origin`: the reference without its `origin/`.
        fetch: String,
    },
    #[error("--changed-since {reference}: a reference may not start with `-`")]
    Option { reference: String },
    #[error("--changed-since: `git {command}` failed: {message}")]
    Git { command: String, message: String },
}

impl Changed {
    /// The files that differ between the merge base of `reference` and `HEAD`, and the working
    /// tree of the repository holding `dir` (so uncommitted edits count), plus untracked files
    /// git does not ignore.
    pub fn from_git(reference: &str, dir: &Path) -> Result<Changed, ChangedError> {
        if reference.starts_with('-') {
            return Err(ChangedError::Option {
                reference: reference.to_string(),
            });
        }
        let top = git(dir, &["rev-parse", "--show-toplevel"])
            .map_err(|err| match err {
                ChangedError::Git { .. } => ChangedError::NotARepository(dir.display().to_string()),
                other => other,
            })?
            .trim_end_matches(['\r', '\n'])
            .to_string();
        let root = PathBuf::from(&top);
        let commit = git(
            &root,
            &[
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("{reference}^{{commit}}"),
            ],
        )
        .map_err(|err| ChangedError::UnknownReference {
            reference: reference.to_string(),
            fetch: reference
                .strip_prefix("origin/")
                .unwrap_or(reference)
                .to_string(),
            message: match err {
                ChangedError::Git { message, .. } if !message.is_empty() => message,
                _ => "`git rev-parse` found nothing".to_string(),
            },
        })?
        .trim()
        .to_string();
        // Like `git diff REF...`: from where the branch left REF, so commits made on REF since
        // are not counted as this change's. Unrelated histories compare with REF itself.
        let base = git(&root, &["merge-base", &commit, "HEAD"])
            .map(|out| out.trim().to_string())
            .unwrap_or_else(|_| commit.clone());
        let diff = git(
            &root,
            &[
                "diff",
                "--name-only",
                "-z",
                "--no-renames",
                "--no-ext-diff",
                "--no-relative",
                &base,
                "--",
            ],
        )?;
        let untracked = git(&root, &["ls-files", "-z", "--others", "--exclude-standard"])?;
        let short = &base[..base.len().min(12)];
        let since = if short == reference || commit.starts_with(reference) {
            format!("changes since {short}")
        } else {
            format!("changes since {reference} (merge base {short})")
        };
        Ok(Changed::from_list(
            since,
            &root,
            diff.split('\0').chain(untracked.split('\0')),
        ))
    }

    /// `files` (relative to the repository's root `root`, `/` or the platform's separator
    /// between names) as the change.
    pub fn from_list<'a>(
        since: String,
        root: &Path,
        files: impl IntoIterator<Item = &'a str>,
    ) -> Changed {
        let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        let files = files
            .into_iter()
            .filter(|f| !f.is_empty())
            .filter_map(|f| slash(Path::new(f)))
            .collect();
        Changed { since, root, files }
    }

    /// How many files the change touches.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Whether `path` (as scanned: relative to the working directory, or absolute) is a
    /// changed file.
    pub fn contains(&self, path: &Path) -> bool {
        self.relative(path).is_some_and(|p| self.files.contains(&p))
    }

    /// Whether a changed file (deleted ones included) lies under directory `dir`.
    pub fn touches(&self, dir: &Path) -> bool {
        let Some(prefix) = self.relative(dir) else {
            return false;
        };
        if prefix.is_empty() {
            return !self.files.is_empty();
        }
        let prefix = format!("{prefix}/");
        self.files
            .range(prefix.clone()..)
            .next()
            .is_some_and(|f| f.starts_with(&prefix))
    }

    /// `path` relative to the repository's root, resolved (symbolic links followed, through
    /// its parent for a path that no longer exists); `None` outside the repository.
    fn relative(&self, path: &Path) -> Option<String> {
        let resolved = match path.canonicalize() {
            Ok(resolved) => resolved,
            Err(_) => {
                let name = path.file_name()?;
                let parent = match path.parent() {
                    Some(p) if !p.as_os_str().is_empty() => p,
                    _ => Path::new("."),
                };
                parent.canonicalize().ok()?.join(name)
            }
        };
        slash(resolved.strip_prefix(&self.root).ok()?)
    }
}

/// A relative path with `/` between its names; `None` when it climbs out (`..`) or is
/// absolute.
fn slash(path: &Path) -> Option<String> {
    let mut parts = Vec::new();
    for component in path.components() {
        match component {
            Component::Normal(name) => parts.push(name.to_str()?.to_string()),
            Component::CurDir => {}
            _ => return None,
        }
    }
    Some(parts.join("/"))
}

/// `git ARGS` in `dir`: its standard output (lossy UTF-8). Never prompts.
fn git(dir: &Path, args: &[&str]) -> Result<String, ChangedError> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_OPTIONAL_LOCKS", "0")
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(ChangedError::NoGit)?;
    if !output.status.success() {
        let message = String::from_utf8_lossy(&output.stderr);
        return Err(ChangedError::Git {
            command: args.first().copied().unwrap_or_default().to_string(),
            message: message
                .lines()
                .next()
                .unwrap_or_default()
                .trim()
                .to_string(),
        });
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

#[cfg(test)]
mod tests;

//! Paths as imagegate shows them: `/`-separated and relative to where the scan started
//! ([`display_path`]), relative to the repository root for GitHub ([`RepoPaths`]),
//! percent-encoded for URIs ([`percent_encode`]), and tools' messages with this machine's
//! absolute paths made relative ([`relative_paths`]).

use std::path::{Path, PathBuf};

/// A path as shown to the user: `/` separators, no leading `./`.
pub fn display_path(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    let s = s.strip_prefix("./").unwrap_or(&s);
    if s.is_empty() {
        ".".to_string()
    } else {
        s.to_string()
    }
}

/// Repository-relative paths, as GitHub wants them in SARIF, annotations and links.
///
/// A report path is relative to the working directory (or absolute); it is resolved, symlinks
/// included, and made relative to the repository root: `root` when given (the action's
/// `GITHUB_WORKSPACE`), else the nearest directory above the working directory holding `.git`,
/// else the working directory.
#[derive(Debug)]
pub struct RepoPaths {
    cwd: Option<PathBuf>,
    root: Option<PathBuf>,
    /// Paths already resolved: a report asks about the same file once per finding, and each
    /// resolution reads every link on the way.
    known: std::sync::Mutex<std::collections::HashMap<String, Result<String, String>>>,
}

impl Clone for RepoPaths {
    fn clone(&self) -> Self {
        RepoPaths {
            cwd: self.cwd.clone(),
            root: self.root.clone(),
            known: std::sync::Mutex::default(),
        }
    }
}

impl RepoPaths {
    pub fn new(root: Option<&Path>) -> Self {
        let cwd = std::env::current_dir().and_then(|d| d.canonicalize()).ok();
        let root = match root {
            Some(root) => Some(root.canonicalize().unwrap_or_else(|_| root.to_path_buf())),
            None => cwd.as_ref().map(|cwd| {
                cwd.ancestors()
                    .find(|dir| dir.join(".git").exists())
                    .unwrap_or(cwd)
                    .to_path_buf()
            }),
        };
        RepoPaths {
            cwd,
            root,
            known: std::sync::Mutex::default(),
        }
    }

    /// `Ok` with the path relative to the root (forward slashes), or `Err` with the absolute
    /// path of a file outside it.
    pub fn relative(&self, path: &str) -> Result<String, String> {
        if let Some(known) = self.known.lock().ok().and_then(|k| k.get(path).cloned()) {
            return known;
        }
        let resolved = self.resolve(path);
        if let Ok(mut known) = self.known.lock() {
            known.insert(path.to_string(), resolved.clone());
        }
        resolved
    }

    fn resolve(&self, path: &str) -> Result<String, String> {
        let full = match &self.cwd {
            Some(cwd) => cwd.join(path),
            None => PathBuf::from(path),
        };
        let full = full.canonicalize().unwrap_or(full);
        match self
            .root
            .as_ref()
            .and_then(|root| full.strip_prefix(root).ok())
        {
            Some(relative) => Ok(display_path(relative)),
            None => Err(display_path(&full)),
        }
    }

    /// The repository-relative path when there is one, else the path as given.
    pub fn shown(&self, path: &str) -> String {
        self.relative(path).unwrap_or_else(|_| path.to_string())
    }
}

/// Percent-encode a repository path for a URI or URL, keeping `/` and the unreserved
/// characters.
pub fn percent_encode(path: &str) -> String {
    /// Everything but the unreserved characters (RFC 3986) and `/`.
    const ENCODED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~')
        .remove(b'/');
    percent_encoding::utf8_percent_encode(path, ENCODED).to_string()
}

/// `message` (a tool's error) with the absolute paths of this machine made relative to the
/// working directory, as every other path in imagegate's output is: `/home/u/repo/k8s/x.yaml`
/// run from `/home/u/repo` reads `k8s/x.yaml`, and from `/home/u/repo/k8s`, `x.yaml` (a path
/// above it gets `../`). Paths elsewhere (a temporary directory) and text that only contains
/// such a path (`https://host/home/u`) stay as they are.
pub fn relative_paths(message: &str) -> String {
    let Ok(cwd) = std::env::current_dir() else {
        return message.to_string();
    };
    let mut bases = vec![cwd.clone()];
    if let Ok(canonical) = cwd.canonicalize()
        && canonical != cwd
    {
        bases.push(canonical);
    }
    let mut out = message.to_string();
    for base in bases {
        // The working directory first, then each directory above it (not `/` itself).
        for (ups, dir) in base.ancestors().enumerate() {
            if dir.parent().is_none() {
                break;
            }
            let dir = dir.to_string_lossy();
            let itself = if ups == 0 {
                ".".to_string()
            } else {
                vec![".."; ups].join("/")
            };
            out = replace_path(&out, &dir, &itself);
        }
    }
    out
}

/// `text` with the absolute directory `dir` (where a path starts: not after a letter, digit,
/// `/` or `.`) replaced by `by`, and `dir/x` by `by/x` (`./x` is written `x`).
fn replace_path(text: &str, dir: &str, by: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(dir) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + dir.len()..].chars().next();
        let starts = !before.is_some_and(|c| c.is_alphanumeric() || c == '/' || c == '.');
        let ends = !after.is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '_' || c == '.');
        out.push_str(&rest[..at]);
        rest = &rest[at + dir.len()..];
        if !(starts && ends) {
            out.push_str(dir);
        } else if by == "." && after == Some('/') {
            rest = &rest[1..];
        } else {
            out.push_str(by);
        }
    }
    out.push_str(rest);
    out
}

/// A glob of the configuration file: `*` and `?` stay within one path component, `**` crosses
/// them (`legacy/*.yaml` is not `legacy/old/a.yaml`; `legacy/**` is).
pub fn glob_of(pattern: &str) -> Result<globset::Glob, globset::Error> {
    globset::GlobBuilder::new(pattern.trim_start_matches("./"))
        .literal_separator(true)
        .build()
}

#[cfg(test)]
mod tests;

//! Finding and classifying inputs.
//!
//! Directories are walked respecting `.gitignore` and `.ignore` (inside a git repository or
//! not), never entering `.git`; `--include`/`--exclude` globs are matched against the path
//! relative to the scanned directory. Files are classified by name: Kubernetes manifests
//! (`.yaml`, `.yml`, `.json`; whether a document is a Kubernetes object is decided after
//! parsing) and Dockerfiles. Everything else is left alone without a word. A directory holding
//! `Chart.yaml` is a Helm chart: its `values*.yaml` files are inputs of their own kind, its
//! templates are not (they are checked once rendered, see [`crate::render::helm`]).

use super::paths::display_path;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Names of the configuration file looked for at the repository root, in this order (the
/// walk never scans them as manifests).
pub const CONFIG_FILE_NAMES: &[&str] = &[".imagegate.yaml", ".imagegate.yml"];

use globset::{Glob, GlobSet, GlobSetBuilder};
use ignore::WalkBuilder;

use crate::input::diagnostic::{Diagnostic, Severity};

/// What a file is, by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// YAML or JSON that may hold Kubernetes objects.
    Manifest,
    Dockerfile,
    /// A shell script, Makefile, Justfile or other file read only for its command lines.
    Script,
    /// A Helm chart's `values*.yaml`: image blocks are checked without rendering.
    HelmValues,
}

/// A file to scan.
#[derive(Debug, Clone)]
pub struct Input {
    pub path: PathBuf,
    /// The path as shown in reports: as given on the command line, with `/` separators.
    pub display: String,
    pub kind: FileKind,
}

/// A bad `--include`/`--exclude` glob or a path that does not exist: a usage error.
#[derive(Debug, thiserror::Error)]
pub enum WalkError {
    #[error("invalid glob `{glob}`: {source}")]
    Glob {
        glob: String,
        #[source]
        source: globset::Error,
    },
    #[error("{path}: no such file or directory")]
    Missing { path: String },
}

/// Include and exclude globs.
#[derive(Debug, Clone)]
pub struct Filters {
    include: Option<GlobSet>,
    exclude: GlobSet,
    /// Globs relative to a repository root (the configuration file's `paths`), whatever
    /// directory is scanned.
    rooted: Option<Rooted>,
}

#[derive(Debug, Clone)]
struct Rooted {
    root: PathBuf,
    include: Option<GlobSet>,
    exclude: GlobSet,
}

impl Filters {
    /// Globs on paths relative to the scanned directory (`--include`, `--exclude`).
    pub fn new(include: &[String], exclude: &[String]) -> Result<Self, WalkError> {
        Ok(Filters {
            include: (!include.is_empty())
                .then(|| glob_set(include))
                .transpose()?,
            exclude: glob_set(exclude)?,
            rooted: None,
        })
    }

    /// Add globs on paths relative to `root` (the configuration file's `paths`).
    pub fn rooted(
        mut self,
        root: &Path,
        include: &[String],
        exclude: &[String],
    ) -> Result<Self, WalkError> {
        if include.is_empty() && exclude.is_empty() {
            return Ok(self);
        }
        self.rooted = Some(Rooted {
            root: root.canonicalize().unwrap_or_else(|_| root.to_path_buf()),
            include: (!include.is_empty())
                .then(|| glob_set_with(include, crate::input::paths::glob_of))
                .transpose()?,
            exclude: glob_set_with(exclude, crate::input::paths::glob_of)?,
        });
        Ok(self)
    }

    /// Where the scanned directory `dir` is below the root of the rooted globs (`None` when it
    /// is not below it: they do not apply there).
    fn base(&self, dir: &Path) -> Option<PathBuf> {
        let rooted = self.rooted.as_ref()?;
        let dir = dir.canonicalize().ok()?;
        dir.strip_prefix(&rooted.root).ok().map(Path::to_path_buf)
    }

    fn excluded(&self, base: Option<&Path>, relative: &Path) -> bool {
        self.exclude.is_match(relative)
            || matches!((&self.rooted, base), (Some(r), Some(base)) if r.exclude.is_match(base.join(relative)))
    }

    fn included(&self, base: Option<&Path>, relative: &Path) -> bool {
        let rooted = match (&self.rooted, base) {
            (
                Some(Rooted {
                    include: Some(set), ..
                }),
                Some(base),
            ) => set.is_match(base.join(relative)),
            _ => true,
        };
        rooted
            && self
                .include
                .as_ref()
                .is_none_or(|set| set.is_match(relative))
    }
}

fn glob_set(globs: &[String]) -> Result<GlobSet, WalkError> {
    glob_set_with(globs, Glob::new)
}

/// A set of globs built by `make` (the command line's `Glob::new`, or the configuration's
/// [`crate::input::paths::glob_of`]).
fn glob_set_with(
    globs: &[String],
    make: impl Fn(&str) -> Result<Glob, globset::Error>,
) -> Result<GlobSet, WalkError> {
    let mut builder = GlobSetBuilder::new();
    for glob in globs {
        let parsed = make(glob.trim_start_matches("./")).map_err(|source| WalkError::Glob {
            glob: glob.clone(),
            source,
        })?;
        builder.add(parsed);
    }
    builder.build().map_err(|source| WalkError::Glob {
        glob: globs.join(", "),
        source,
    })
}

/// Classify a file by its name.
pub fn classify(path: &Path) -> Option<FileKind> {
    let name = path.file_name()?.to_str()?;
    // imagegate's own configuration is not a manifest.
    if CONFIG_FILE_NAMES.contains(&name) {
        return None;
    }
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".yaml") || lower.ends_with(".yml") || lower.ends_with(".json") {
        return Some(FileKind::Manifest);
    }
    // kustomize's extension-less name.
    if name == "Kustomization" {
        return Some(FileKind::Manifest);
    }
    let dockerfile = name == "Dockerfile"
        || name == "Containerfile"
        || name.starts_with("Dockerfile.")
        || name.starts_with("Containerfile.")
        || (lower.ends_with(".dockerfile") && lower.len() > ".dockerfile".len());
    if dockerfile {
        return Some(FileKind::Dockerfile);
    }
    // NOTE: Dockerfiles are recognised above; the script scanner's wider Dockerfile names
    // (any case) are not ours to claim.
    match crate::syntax::shell::ScriptKind::of(&display_path(path)) {
        Some(crate::syntax::shell::ScriptKind::Dockerfile) | None => None,
        Some(_) => Some(FileKind::Script),
    }
}

/// The note on a chart's template file: it is checked through the chart's render. A scan
/// whose chart did not render says so instead ([`crate::render::helm::unrendered_templates`]).
pub const TEMPLATE_NOTE: &str = "a Helm chart's template; checked as rendered, not as written";

/// A Helm chart directory met in the walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartDir {
    pub path: PathBuf,
    /// As shown in reports (like [`Input::display`]).
    pub display: String,
}

/// What the walk found.
#[derive(Debug, Default)]
pub struct Walked {
    /// Sorted by display path.
    pub inputs: Vec<Input>,
    /// Every chart directory (subcharts too), sorted by display path.
    pub charts: Vec<ChartDir>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Every input and chart under `paths`, and the diagnostics of the walk.
pub fn collect(paths: &[PathBuf], filters: &Filters) -> Result<Walked, WalkError> {
    let mut inputs = Vec::new();
    let mut diagnostics = Vec::new();
    let mut charts = ChartCache::default();
    let mut chart_dirs = Vec::new();
    for root in paths {
        let root_display = display_path(root);
        let metadata = std::fs::metadata(root).map_err(|_| WalkError::Missing {
            path: root_display.clone(),
        })?;
        if !metadata.is_file() && !metadata.is_dir() {
            diagnostics.push(Diagnostic::new(
                Severity::Warning,
                root_display,
                "not a regular file or directory; skipped",
            ));
            continue;
        }
        if metadata.is_file() {
            // Explicit files are always scanned by type.
            let values_of = root
                .parent()
                .filter(|dir| is_values_file(root) && dir.join("Chart.yaml").is_file());
            if let Some(dir) = values_of {
                chart_dirs.push(ChartDir {
                    path: dir.to_path_buf(),
                    display: display_path(dir),
                });
            }
            match classify(root) {
                Some(_) if values_of.is_some() => inputs.push(Input {
                    path: root.clone(),
                    display: root_display,
                    kind: FileKind::HelmValues,
                }),
                Some(kind) => inputs.push(Input {
                    path: root.clone(),
                    display: root_display,
                    kind,
                }),
                None => diagnostics.push(Diagnostic::new(
                    Severity::Warning,
                    root_display,
                    "not a YAML, JSON or Dockerfile name; skipped",
                )),
            }
            continue;
        }
        walk_dir(
            root,
            &root_display,
            filters,
            &mut charts,
            &mut Found {
                inputs: &mut inputs,
                charts: &mut chart_dirs,
                diagnostics: &mut diagnostics,
            },
        );
    }
    inputs.sort_by(|a, b| a.display.cmp(&b.display));
    inputs.dedup_by(|a, b| a.display == b.display);
    chart_dirs.sort_by(|a, b| a.display.cmp(&b.display));
    chart_dirs.dedup_by(|a, b| a.display == b.display);
    Ok(Walked {
        inputs,
        charts: chart_dirs,
        diagnostics,
    })
}

/// Where the walk of one directory puts what it finds.
struct Found<'a> {
    inputs: &'a mut Vec<Input>,
    charts: &'a mut Vec<ChartDir>,
    diagnostics: &'a mut Vec<Diagnostic>,
}

/// `values.yaml`, `values-prod.yml`, `values.ci.yaml`: a chart's values files by name.
fn is_values_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|name| {
            let lower = name.to_ascii_lowercase();
            lower.starts_with("values") && (lower.ends_with(".yaml") || lower.ends_with(".yml"))
        })
}

fn walk_dir(
    root: &Path,
    root_display: &str,
    filters: &Filters,
    charts: &mut ChartCache,
    found: &mut Found<'_>,
) {
    let Found {
        inputs,
        charts: chart_dirs,
        diagnostics,
    } = found;
    let canonical_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let filter_root = root.to_path_buf();
    let base = filters.base(root);
    let filter_base = base.clone();
    let exclude = filters.clone();
    // NOTE: symbolic links are not followed by the walker; each is judged below, so a link can
    // neither lead the scan out of the tree nor make it read a file twice.
    let walker = WalkBuilder::new(root)
        .hidden(false)
        .require_git(false)
        .git_global(false)
        .follow_links(false)
        .filter_entry(move |entry| {
            if entry.file_name() == ".git" {
                return false;
            }
            let relative = entry
                .path()
                .strip_prefix(&filter_root)
                .unwrap_or(entry.path());
            relative.as_os_str().is_empty() || !exclude.excluded(filter_base.as_deref(), relative)
        })
        .build();
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                diagnostics.push(walk_error(root_display, &err));
                continue;
            }
        };
        let path = entry.path();
        let relative = path.strip_prefix(root).unwrap_or(path);
        let display = join_display(root_display, relative);
        if entry.path_is_symlink() {
            if !filters.included(base.as_deref(), relative) && classify(path).is_some() {
                continue;
            }
            if let Some(diagnostic) = judge_symlink(path, &canonical_root, display) {
                diagnostics.push(diagnostic);
            }
            continue;
        }
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let Some(kind) = classify(path) else { continue };
        if !filters.included(base.as_deref(), relative) {
            continue;
        }
        if kind == FileKind::Manifest
            && let Some(chart) = charts.chart_of(root, path)
        {
            let in_chart_root = path.parent() == Some(chart.as_path());
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if in_chart_root && name == "Chart.yaml" {
                let relative = chart.strip_prefix(root).unwrap_or(&chart);
                chart_dirs.push(ChartDir {
                    display: join_display(root_display, relative),
                    path: chart,
                });
            } else if in_chart_root && is_values_file(path) {
                inputs.push(Input {
                    path: path.to_path_buf(),
                    display,
                    kind: FileKind::HelmValues,
                });
            } else if path.starts_with(chart.join("templates")) {
                diagnostics.push(Diagnostic::new(Severity::Debug, display, TEMPLATE_NOTE));
            } else {
                // Helm renders only `templates/`: a chart's examples, CI values and CRDs are
                // files like any other.
                inputs.push(Input {
                    path: path.to_path_buf(),
                    display,
                    kind,
                });
            }
            continue;
        }
        inputs.push(Input {
            path: path.to_path_buf(),
            display,
            kind,
        });
    }
}

/// What to say about a symbolic link met in the walk; it is never followed. A link to a
/// place inside the scanned tree needs no word at default verbosity: its target is scanned at
/// its own path. Links to YAML files or directories outside the tree, loops and broken links
/// to YAML files are warnings, because something the author meant to check is not checked.
fn judge_symlink(path: &Path, canonical_root: &Path, display: String) -> Option<Diagnostic> {
    let named_like_input = classify(path).is_some();
    let Ok(target) = std::fs::canonicalize(path) else {
        return named_like_input
            .then(|| Diagnostic::new(Severity::Warning, display, "broken symbolic link; skipped"));
    };
    let is_dir = target.is_dir();
    if !is_dir && !named_like_input {
        return None;
    }
    let link_dir = path
        .parent()
        .and_then(|p| std::fs::canonicalize(p).ok())
        .unwrap_or_default();
    let (severity, message) = if is_dir && link_dir.starts_with(&target) {
        (
            Severity::Warning,
            "symbolic link loop; not followed".to_string(),
        )
    } else if target.starts_with(canonical_root) {
        (
            Severity::Debug,
            "symbolic link to a path inside the scanned directory; scanned there".to_string(),
        )
    } else {
        (
            Severity::Warning,
            format!(
                "symbolic link to {} outside the scanned directory; not followed",
                if is_dir { "a directory" } else { "a file" }
            ),
        )
    };
    Some(Diagnostic::new(severity, display, message))
}

fn walk_error(root_display: &str, err: &ignore::Error) -> Diagnostic {
    let mut path = None;
    let mut current = err;
    let (message, io) = loop {
        match current {
            ignore::Error::WithPath { path: p, err } => {
                path.get_or_insert_with(|| display_path(p));
                current = err;
            }
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                current = err;
            }
            ignore::Error::Io(io) => break (io.to_string(), true),
            other => break (other.to_string(), false),
        }
    };
    let diagnostic = Diagnostic::new(
        Severity::Warning,
        path.unwrap_or_else(|| root_display.to_string()),
        message,
    );
    // A directory that cannot be read hides its files; a loop hides nothing.
    if io {
        diagnostic.unchecked()
    } else {
        diagnostic
    }
}

/// Remembers which directories hold a `Chart.yaml`.
#[derive(Default)]
struct ChartCache {
    known: HashMap<PathBuf, bool>,
}

impl ChartCache {
    /// The innermost chart directory at or below `root` that holds `file`.
    fn chart_of(&mut self, root: &Path, file: &Path) -> Option<PathBuf> {
        let mut dir = file.parent();
        while let Some(d) = dir {
            let is_chart = *self
                .known
                .entry(d.to_path_buf())
                .or_insert_with(|| d.join("Chart.yaml").is_file());
            if is_chart {
                return Some(d.to_path_buf());
            }
            if d == root {
                break;
            }
            dir = d.parent();
        }
        None
    }
}

fn join_display(root: &str, relative: &Path) -> String {
    let rel = display_path(relative);
    if rel == "." {
        root.to_string()
    } else if root == "." {
        rel
    } else {
        format!("{}/{}", root.trim_end_matches('/'), rel)
    }
}

#[cfg(test)]
mod tests;

//! Kustomize overlays: which kustomizations are roots, rendering a root with `kustomize build`
//! (or `kubectl kustomize`), and tracing each rendered object back to the file it came from.
//!
//! A root is rendered through a throwaway wrapper kustomization that turns on kustomize's
//! origin and transformer annotations; [`origin`] reads them back as absolute paths that
//! compare equal to [`Kustomization::dir`] and the scanned files' paths.
//!
//! NOTE: remote resources are never fetched. [`render`] refuses an overlay that reaches one,
//! and runs the renderer with git and HTTP(S) transports blocked should a reference slip by.

pub(crate) mod trace;

use std::borrow::Cow;
use std::collections::HashSet;
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::process::Command;

use crate::render::cache::{Kept, Key, RenderCache};
use crate::render::process::{self, Budget, RunError};
use crate::syntax::yaml::{self, Node, Value};
use crate::uses::KUSTOMIZATION_NAMES;

/// The kustomize build command found on PATH.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Renderer {
    /// A standalone `kustomize`, run as `kustomize build`.
    Kustomize(PathBuf),
    /// `kubectl`, run as `kubectl kustomize`.
    Kubectl(PathBuf),
}

impl Renderer {
    /// `kustomize` on PATH if present, else `kubectl` (run as `kubectl kustomize`).
    pub(crate) fn find() -> Option<Renderer> {
        let exe = |name: &str| format!("{name}{}", std::env::consts::EXE_SUFFIX);
        process::find_on_path(&exe("kustomize"))
            .map(Renderer::Kustomize)
            .or_else(|| process::find_on_path(&exe("kubectl")).map(Renderer::Kubectl))
    }

    /// How to name it in messages: "kustomize build" / "kubectl kustomize".
    pub(crate) fn describe(&self) -> &'static str {
        match self {
            Renderer::Kustomize(_) => "kustomize build",
            Renderer::Kubectl(_) => "kubectl kustomize",
        }
    }

    /// What the renderer says its version is (`kubectl` with its kustomize's), part of a
    /// cache key; `None` when it does not answer (nothing is cached then).
    pub(crate) fn version(&self) -> Option<String> {
        match self {
            Renderer::Kustomize(path) => process::version(path, &["version"]),
            Renderer::Kubectl(path) => process::version(path, &["version", "--client"]),
        }
    }

    /// The command that builds the kustomization in `dir`.
    fn command(&self, dir: &Path) -> Command {
        let (program, verb) = match self {
            Renderer::Kustomize(path) => (path, "build"),
            Renderer::Kubectl(path) => (path, "kustomize"),
        };
        let mut command = Command::new(program);
        command.arg(verb).arg(dir);
        // Belt and braces behind the reference check: git may use no transport at all and
        // every HTTP(S) request goes to a closed local port.
        command.env("GIT_ALLOW_PROTOCOL", "none");
        for proxy in ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"] {
            command.env(proxy, BLOCKING_PROXY);
            command.env(proxy.to_ascii_lowercase(), BLOCKING_PROXY);
        }
        command.env("NO_PROXY", "").env("no_proxy", "");
        command
    }
}

/// A proxy nothing listens on (the discard port), so a fetch fails at once.
const BLOCKING_PROXY: &str = "http://127.0.0.1:9";

/// A kustomization file and what it points at.
#[derive(Debug, Clone)]
pub(crate) struct Kustomization {
    /// The file, as given.
    pub file: PathBuf,
    /// Its directory: absolute and lexically normalized (no `.` or `..`).
    pub dir: PathBuf,
    /// Whether it is a component (`kind: Component`): built only as part of another.
    pub component: bool,
    /// The string entries of `resources`, `bases`, `components`, `generators`, `transformers`
    /// and `validators` (in that order, inline configurations skipped), then the remote URLs of
    /// files kustomize would load (patches, generator files, `openapi`).
    pub references: Vec<Reference>,
    /// Every local path a string of the file could name (each single-line string scalar, and
    /// the path of a generator's `key=path`, joined to [`Kustomization::dir`]): what the build
    /// may read, whatever field names it. Not checked to exist.
    pub mentions: Vec<PathBuf>,
}

/// What a kustomization points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Reference {
    /// A file or directory: absolute, lexically normalized.
    Local(PathBuf),
    /// A URL or git repository, as written.
    Remote(String),
}

/// Fields whose entries kustomize builds as resources: files, directories or remote repositories.
const RESOURCE_FIELDS: [&str; 6] = [
    "resources",
    "bases",
    "components",
    "generators",
    "transformers",
    "validators",
];

/// Fields naming files that kustomize loads, and fetches when they are HTTP(S) URLs:
/// (field, key within each entry, or "" for the entry itself).
const FILE_FIELDS: [(&str, &str); 13] = [
    ("patches", "path"),
    ("patchesJson6902", "path"),
    ("replacements", "path"),
    ("patchesStrategicMerge", ""),
    ("configurations", ""),
    ("crds", ""),
    ("configMapGenerator", "files"),
    ("configMapGenerator", "envs"),
    ("secretGenerator", "files"),
    ("secretGenerator", "envs"),
    ("configMapGenerator", "env"),
    ("secretGenerator", "env"),
    ("openapi", "path"),
];

/// Parse one kustomization file's text (`file` is the path it was read from). Invalid YAML
/// gives an empty reference list.
pub(crate) fn read(file: &Path, text: &str) -> Kustomization {
    let dir = absolute(file.parent().unwrap_or(Path::new(".")));
    let root = yaml::first_root(text);
    let mut references = Vec::new();
    if let Some(root) = &root {
        for field in RESOURCE_FIELDS {
            for entry in strings(root.get(field)) {
                if entry.contains('\n') {
                    continue; // an inline generator or transformer configuration
                } else if is_remote(entry) {
                    references.push(Reference::Remote(entry.to_string()));
                } else {
                    references.push(Reference::Local(normalize(&dir.join(entry))));
                }
            }
        }
        for (field, key) in FILE_FIELDS {
            let nodes: Vec<&Node> = match root.get(field) {
                Some(node) if key.is_empty() => vec![node],
                Some(node) => node
                    .items()
                    .map_or_else(|| vec![node], |items| items.iter().collect())
                    .into_iter()
                    .filter_map(|entry| entry.get(key))
                    .collect(),
                None => Vec::new(),
            };
            for entry in nodes.into_iter().flat_map(|node| strings(Some(node))) {
                // A generator's `files` entry may be `key=path`.
                let path = entry.split_once('=').map_or(entry, |(_, path)| path);
                let lower = path.to_ascii_lowercase();
                if lower.starts_with("http://") || lower.starts_with("https://") {
                    references.push(Reference::Remote(path.to_string()));
                }
            }
        }
    }
    let mut mentions = Vec::new();
    if let Some(root) = &root {
        mentioned(root, &dir, &mut mentions);
    }
    Kustomization {
        file: file.to_path_buf(),
        dir,
        component: root.as_ref().and_then(|r| r.get("kind")?.as_str()) == Some("Component"),
        references,
        mentions,
    }
}

/// The local paths the string scalars under `node` could name (see
/// [`Kustomization::mentions`]).
fn mentioned(node: &Node, dir: &Path, out: &mut Vec<PathBuf>) {
    match &node.value {
        Value::String(text) if !text.contains('\n') && !text.is_empty() && !is_remote(text) => {
            for candidate in [Some(text.as_str()), text.split_once('=').map(|(_, p)| p)]
                .into_iter()
                .flatten()
                .filter(|c| !c.is_empty())
            {
                out.push(normalize(&dir.join(candidate)));
            }
        }
        _ => {
            for item in node.items().unwrap_or_default() {
                mentioned(item, dir, out);
            }
            for (_, value) in node.entries().unwrap_or_default() {
                mentioned(value, dir, out);
            }
        }
    }
}

/// The string scalars of a node: itself, or the items of a sequence.
fn strings(node: Option<&Node>) -> impl Iterator<Item = &str> {
    let node = node.into_iter();
    node.flat_map(|n| n.items().unwrap_or_else(|| std::slice::from_ref(n)))
        .filter_map(|n| match &n.value {
            Value::String(s) => Some(s.as_str()),
            _ => None,
        })
}

/// Whether kustomize would fetch a resource entry from elsewhere: a URL, a git repository
/// (`git@host:…`, `github.com/org/repo`, `gh:org/repo`), a `?ref=` or a `//` subpath.
fn is_remote(entry: &str) -> bool {
    const PREFIXES: &str = "http:// https:// ssh:// git:// file:// git:: git@ gh: \
        github.com/ gitlab.com/ bitbucket.org/";
    let lower = entry.to_ascii_lowercase();
    PREFIXES
        .split_whitespace()
        .any(|prefix| lower.starts_with(prefix))
        || ["?ref=", "?version=", "//", ".git/"]
            .iter()
            .any(|s| lower.contains(s))
        || lower.ends_with(".git")
}

/// Indices of the roots: kustomizations whose directory no other kustomization in `all`
/// references (as a resource, base, component, generator, transformer or validator
/// directory). A kustomization referencing its own directory does not count; a component is
/// never a root (kustomize cannot build one on its own).
pub(crate) fn roots(all: &[Kustomization]) -> Vec<usize> {
    let referenced: HashSet<&Path> = all
        .iter()
        .flat_map(|k| {
            k.references.iter().filter_map(move |r| match r {
                Reference::Local(path) if *path != k.dir => Some(path.as_path()),
                _ => None,
            })
        })
        .collect();
    (0..all.len())
        .filter(|&i| !all[i].component && !referenced.contains(all[i].dir.as_path()))
        .collect()
}

/// Why an overlay was not rendered. The text is a full sentence, fit for a diagnostic.
#[derive(Debug, thiserror::Error)]
pub(crate) enum RenderError {
    /// A reached kustomization references a remote resource.
    #[error(
        "{} references the remote resource `{url}`; imagegate never fetches remote resources, so the overlay was not rendered (vendor the resource into the repository to scan it)",
        file.display()
    )]
    Remote {
        /// The reference, as written.
        url: String,
        /// The kustomization file that holds it.
        file: PathBuf,
    },
    /// The overlay reaches a path outside the scanned tree.
    #[error(
        "the overlay reaches `{}`, outside the scanned tree, so it was not rendered (scan a directory that holds all of it)",
        path.display()
    )]
    Outside {
        /// The path reached (absolute, lexically normalized).
        path: PathBuf,
    },
    /// The renderer ran and reported an error.
    #[error("{renderer} failed: {message}")]
    Failed {
        /// [`Renderer::describe`] of the renderer.
        renderer: &'static str,
        /// Its error output, cleaned up: the first lines and the last.
        message: String,
    },
    /// The renderer could not be started, overran its time or printed too much.
    #[error("the kustomize renderer {0}")]
    Run(#[from] RunError),
    /// The wrapper kustomization could not be written.
    #[error("could not create a temporary directory to render the overlay in: {0} (check TMPDIR)")]
    TempDir(std::io::Error),
}

/// The rendered stream of a root.
#[derive(Debug, Clone)]
pub(crate) struct Rendered {
    /// The YAML stream, with kustomize's origin and transformer annotations.
    pub text: String,
    /// The wrapper kustomization's directory (canonical; deleted after rendering): origin
    /// paths are relative to it.
    wrapper: PathBuf,
    /// The root's directory as the wrapper reached it (canonical).
    canonical_root: PathBuf,
    /// The root's directory as [`Kustomization::dir`] names it.
    root_dir: PathBuf,
}

/// Render `root` with `renderer` through a temporary wrapper kustomization that references it
/// by a relative path and turns on origin and transformer annotations.
///
/// Before anything runs, every kustomization reachable from `root` is walked (taken from `all`
/// when its directory is there, else read from disk): a remote reference is refused with
/// [`RenderError::Remote`], a local one outside `boundary` (a directory) with
/// [`RenderError::Outside`].
pub(crate) fn render(
    renderer: &Renderer,
    root: &Kustomization,
    all: &[Kustomization],
    boundary: &Path,
    budget: Budget,
) -> Result<Rendered, RenderError> {
    reachable(root, all, &absolute(boundary))?;
    let temp = tempfile::Builder::new()
        .prefix("imagegate-kustomize-")
        .tempdir()
        .map_err(RenderError::TempDir)?;
    let wrapper = temp.path().canonicalize().map_err(RenderError::TempDir)?;
    let canonical_root = root.dir.canonicalize().unwrap_or_else(|_| root.dir.clone());
    let target = relative(&wrapper, &canonical_root).map_or_else(
        || canonical_root.to_string_lossy().into_owned(),
        |rel| slash_path(&rel),
    );
    // A JSON string is a valid YAML double-quoted scalar.
    let quoted = serde_json::Value::String(target).to_string();
    let text = format!(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- {quoted}\nbuildMetadata: [originAnnotations, transformerAnnotations]\n"
    );
    std::fs::write(wrapper.join("kustomization.yaml"), text).map_err(RenderError::TempDir)?;
    let output = process::run(renderer.command(&wrapper), budget)?;
    drop(temp);
    if !output.success {
        let mut message = failure_message(&output.stderr, &canonical_root)
            .replace(&*wrapper.to_string_lossy(), &root.dir.to_string_lossy());
        if message.is_empty() {
            message = match output.code {
                Some(code) => format!("exited with code {code} and no message"),
                None => "was killed by a signal".to_string(),
            };
        }
        return Err(RenderError::Failed {
            renderer: renderer.describe(),
            message,
        });
    }
    Ok(Rendered {
        text: String::from_utf8_lossy(&output.stdout).into_owned(),
        wrapper,
        canonical_root,
        root_dir: root.dir.clone(),
    })
}

/// Builds kept between scans (`--cache-dir`), and the renderer's version they were made by.
pub(crate) struct BuildCache {
    pub cache: RenderCache,
    pub version: String,
}

/// [`render`], reusing a build kept in `cache` while the renderer and its version, the root's
/// place and every file the build reads ([`inputs`]) are the same. A build the renderer
/// refused is kept as its message; one that did not finish or could not start is not kept.
pub(crate) fn render_cached(
    renderer: &Renderer,
    root: &Kustomization,
    all: &[Kustomization],
    boundary: &Path,
    budget: Budget,
    cache: Option<&BuildCache>,
) -> Result<Rendered, RenderError> {
    let Some(cache) = cache else {
        return render(renderer, root, all, boundary, budget);
    };
    let canonical_root = root.dir.canonicalize().unwrap_or_else(|_| root.dir.clone());
    let mut key = Key::new("kustomize build");
    key.text(renderer.describe())
        .text(&cache.version)
        .text(&canonical_root.to_string_lossy());
    let mut whole = true;
    for file in inputs(root, all, boundary)? {
        whole &= key.file(&file.to_string_lossy(), &file).is_some();
    }
    let key = whole.then(|| key.finish());
    // A kept build is the wrapper's path (origin annotations are relative to it) and the
    // stream; a kept failure, the renderer's message.
    match key.as_deref().and_then(|key| cache.cache.get(key)) {
        Some(Kept::Output(kept)) => {
            if let Some((wrapper, text)) = kept.split_once('\n') {
                return Ok(Rendered {
                    text: text.to_string(),
                    wrapper: PathBuf::from(wrapper),
                    canonical_root,
                    root_dir: root.dir.clone(),
                });
            }
        }
        Some(Kept::Failure(message)) => {
            return Err(RenderError::Failed {
                renderer: renderer.describe(),
                message,
            });
        }
        None => {}
    }
    let rendered = render(renderer, root, all, boundary, budget);
    if let Some(key) = &key {
        match &rendered {
            Ok(rendered) => {
                if let Some(wrapper) = rendered.wrapper.to_str().filter(|w| !w.contains('\n')) {
                    let kept = format!("{wrapper}\n{}", rendered.text);
                    cache.cache.put(key, &Kept::Output(kept));
                }
            }
            // The renderer ran and refused: it will again for the same files.
            Err(RenderError::Failed { message, .. }) => {
                cache.cache.put(key, &Kept::Failure(message.clone()));
            }
            Err(_) => {}
        }
    }
    rendered
}

/// Every kustomization reachable from `root` (`root` first); remote references and paths
/// outside `boundary` are refused. Directories are told apart by their canonical path, so
/// neither a reference cycle nor a symlink loop walks forever.
fn reachable<'a>(
    root: &'a Kustomization,
    all: &'a [Kustomization],
    boundary: &Path,
) -> Result<Vec<Cow<'a, Kustomization>>, RenderError> {
    // Paths are compared resolved: a symbolic link inside the tree may lead out of it.
    let identity = |path: &Path| path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let resolved = identity(boundary);
    let inside = |path: &Path| path.starts_with(boundary) && identity(path).starts_with(&resolved);
    if !inside(&root.dir) {
        return Err(RenderError::Outside {
            path: root.dir.clone(),
        });
    }
    let mut seen = HashSet::from([identity(&root.dir)]);
    let mut reached = vec![Cow::Borrowed(root)];
    let mut next = 0;
    while let Some(kustomization) = reached.get(next).cloned() {
        next += 1;
        for reference in &kustomization.references {
            let path = match reference {
                Reference::Remote(url) => {
                    return Err(RenderError::Remote {
                        url: url.clone(),
                        file: kustomization.file.clone(),
                    });
                }
                Reference::Local(path) if !inside(path) => {
                    return Err(RenderError::Outside { path: path.clone() });
                }
                Reference::Local(path) => path,
            };
            if !seen.insert(identity(path)) {
                continue;
            }
            if let Some(known) = all.iter().find(|k| k.dir == *path) {
                reached.push(Cow::Borrowed(known));
            } else if let Some(found) = read_from_disk(path) {
                reached.push(Cow::Owned(found));
            }
        }
    }
    Ok(reached)
}

/// The files building `root` reads, as far as its kustomizations tell: each reachable
/// kustomization file (and any other kustomization file beside it, which kustomize refuses),
/// and every existing file a string of one of them names (resources, patches, generator
/// files, configurations, whatever the field). Sorted, absolute and lexically normalized.
/// `Err` when the overlay would not be built at all (see [`render`]).
pub(crate) fn inputs(
    root: &Kustomization,
    all: &[Kustomization],
    boundary: &Path,
) -> Result<Vec<PathBuf>, RenderError> {
    let mut files = Vec::new();
    for kustomization in reachable(root, all, &absolute(boundary))? {
        files.extend(
            KUSTOMIZATION_NAMES
                .iter()
                .map(|name| kustomization.dir.join(name))
                .filter(|path| path.is_file()),
        );
        files.extend(
            kustomization
                .mentions
                .iter()
                .filter(|path| path.is_file())
                .cloned(),
        );
    }
    files.sort();
    files.dedup();
    Ok(files)
}

/// Largest kustomization file read from disk while walking an overlay.
const MAX_KUSTOMIZATION_SIZE: u64 = 4 * 1024 * 1024;

/// The kustomization in directory `dir`, if it is one and can be read.
fn read_from_disk(dir: &Path) -> Option<Kustomization> {
    if !dir.is_dir() {
        return None;
    }
    KUSTOMIZATION_NAMES.iter().find_map(|name| {
        let file = dir.join(name);
        let mut text = String::new();
        std::fs::File::open(&file)
            .ok()?
            .take(MAX_KUSTOMIZATION_SIZE)
            .read_to_string(&mut text)
            .ok()?;
        Some(read(&file, &text))
    })
}

/// The renderer's error output as a message: warnings dropped, klog's
/// `E1127 11:02:51.291795 9191 run.go:72] "command failed" err="…"` wrapping and the
/// wrapper kustomization's own layer (up to "recursed accumulation of path '<root>': ")
/// removed. Of a long message the first lines and the last (the cause) are kept.
fn failure_message(stderr: &[u8], root: &Path) -> String {
    const MARK: &str = "\"command failed\" err=";
    let text = String::from_utf8_lossy(stderr);
    let lines: Vec<String> = text
        .lines()
        .filter(|line| !line.starts_with("# Warning"))
        .map(|line| match line.find(MARK) {
            Some(at) => {
                let err = line[at + MARK.len()..].trim_start_matches('<');
                let err = err.strip_prefix('"').unwrap_or(err);
                let err = err.strip_suffix('"').unwrap_or(err);
                err.replace("\\\"", "\"").replace("\\\\", "\\")
            }
            None => line.trim().to_string(),
        })
        .filter(|line| line != ">")
        .collect();
    let text = lines.join("\n");
    let layer = format!("recursed accumulation of path '{}': ", root.display());
    let text = text.split_once(&layer).map_or(&*text, |(_, inner)| inner);
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    match lines.as_slice() {
        [first @ .., last] if first.len() > 4 => format!("{}\n…\n{last}", first[..4].join("\n")),
        all => all.join("\n"),
    }
}

/// Where a rendered object came from, read from its `config.kubernetes.io/origin` and
/// `alpha.config.kubernetes.io/transformations` annotations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Origin {
    /// The source file (absolute, lexically normalized) the object was read from; for an
    /// object a generator made, the kustomization file that configured the generator.
    pub path: PathBuf,
    /// Kustomization files (absolute, normalized) whose ImageTagTransformer (`images:`)
    /// changed this object.
    pub image_transformers: Vec<PathBuf>,
    /// Every kustomization file that transformed the object (any kind), normalized.
    pub transformers: Vec<PathBuf>,
}

const ORIGIN: &str = "config.kubernetes.io/origin";
const TRANSFORMATIONS: &str = "alpha.config.kubernetes.io/transformations";

/// Where `object` (a document's root node of `rendered`) came from. `None` when it carries
/// no origin, or its origin is in a remote repository.
pub(crate) fn origin(object: &Node, rendered: &Rendered) -> Option<Origin> {
    let annotations = object.path(&["metadata", "annotations"])?;
    let source = parse_annotation(annotations.get(ORIGIN)?)?;
    if source.get("repo").is_some() {
        return None;
    }
    let path = source
        .get("path")
        .or_else(|| source.get("configuredIn"))
        .and_then(Node::as_str)?;
    let mut out = Origin {
        path: rendered.resolve(path),
        image_transformers: Vec::new(),
        transformers: Vec::new(),
    };
    let transformations = annotations.get(TRANSFORMATIONS).and_then(parse_annotation);
    let steps = transformations
        .as_ref()
        .and_then(Node::items)
        .unwrap_or_default();
    for step in steps {
        let Some(file) = step.get("configuredIn").and_then(Node::as_str) else {
            continue;
        };
        let file = rendered.resolve(file);
        let kind = step.path(&["configuredBy", "kind"]).and_then(Node::as_str);
        if kind == Some("ImageTagTransformer") && !out.image_transformers.contains(&file) {
            out.image_transformers.push(file.clone());
        }
        if !out.transformers.contains(&file) {
            out.transformers.push(file);
        }
    }
    Some(out)
}

/// An annotation whose value is YAML text itself, parsed.
fn parse_annotation(value: &Node) -> Option<Node> {
    let text = value.as_str()?;
    yaml::first_root(text)
}

impl Rendered {
    /// A path from an annotation (relative to the wrapper, joined lexically by kustomize) as
    /// an absolute path under the root's directory as [`Kustomization::dir`] names it.
    fn resolve(&self, annotated: &str) -> PathBuf {
        let resolved = normalize(&self.wrapper.join(annotated));
        match relative(&self.canonical_root, &resolved) {
            Some(rel) => normalize(&self.root_dir.join(rel)),
            None => resolved,
        }
    }
}

/// `path` made absolute (against the working directory) and lexically normalized.
pub(crate) fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).map_or_else(|_| normalize(path), |abs| normalize(&abs))
}

/// `path` without `.` components and with each `..` taking away the component before it
/// (lexically: symlinks are not followed). `..` at the root stays at the root.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => match out.components().next_back() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(".."),
            },
            other => out.push(other),
        }
    }
    out
}

/// The relative path from directory `from` to `to` (both absolute and normalized); `None`
/// when they have different roots (Windows drives).
fn relative(from: &Path, to: &Path) -> Option<PathBuf> {
    let from: Vec<Component> = from.components().collect();
    let to: Vec<Component> = to.components().collect();
    if from.first() != to.first() {
        return None;
    }
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..from.len() {
        out.push("..");
    }
    out.extend(&to[common..]);
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    Some(out)
}

/// A relative path with `/` separators, as kustomization files write them.
fn slash_path(path: &Path) -> String {
    let parts: Vec<_> = path.iter().map(|part| part.to_string_lossy()).collect();
    parts.join("/")
}

#[cfg(test)]
#[cfg(unix)]
mod tests;

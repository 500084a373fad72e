//! Renders kept between scans (`--cache-dir`): a chart's `helm template` output is reused when
//! the hash of everything that can change it is the same: every file under the chart
//! directory (its subcharts and packaged dependencies included), the values files given, the
//! release name, the namespace and the renderer's version.
//!
//! A render that failed the same way every time (the renderer ran and refused: a missing
//! dependency, a template error) is kept too, as its message, so a broken chart does not cost
//! a render on every scan; a timeout or a renderer that could not start is never kept.
//!
//! An entry is `renders/<key>`: a header line `imagegate-render 2 <length> <sha256 of the
//! body>` and the body: `output` or `failure` on its first line, then the output or the
//! message. An entry whose header, length or hash does not match (a partial write,
//! a corrupt disk, an edit) is ignored and rewritten, never trusted. Entries are written to a
//! temporary file in the same folder and renamed into place, so readers never see half of one.

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The header's first word and format version.
const MAGIC: &str = "imagegate-render 2";
/// Files of a chart hashed at most; a chart folder past this is not cached (rendered each
/// time) rather than hashed without bound.
const MAX_FILES: usize = 20_000;

/// What a render gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Kept {
    /// The rendered stream.
    Output(String),
    /// The renderer refused, with this message (it will refuse again for the same inputs).
    Failure(String),
}

/// A folder of cached renders.
#[derive(Debug, Clone)]
pub(crate) struct RenderCache {
    dir: PathBuf,
}

/// What goes into a cache key, in order.
pub(crate) struct Key {
    context: ring::digest::Context,
}

impl Key {
    pub(crate) fn new(kind: &str) -> Key {
        let mut key = Key {
            context: ring::digest::Context::new(&ring::digest::SHA256),
        };
        key.text(kind);
        key
    }

    /// A labelled piece of text (its length first, so pieces cannot run into each other).
    pub(crate) fn text(&mut self, text: &str) -> &mut Key {
        self.bytes(text.as_bytes())
    }

    pub(crate) fn bytes(&mut self, bytes: &[u8]) -> &mut Key {
        self.context.update(&(bytes.len() as u64).to_le_bytes());
        self.context.update(bytes);
        self
    }

    /// A file's content by its name (`None` when it cannot be read: such a render is not
    /// cached).
    pub(crate) fn file(&mut self, name: &str, path: &Path) -> Option<&mut Key> {
        let content = std::fs::read(path).ok()?;
        self.text(name);
        Some(self.bytes(&content))
    }

    /// Every file under `dir`, by its path relative to `dir`, in name order; symbolic links by
    /// their target's text (never followed: no loops). `None` when something cannot be read
    /// or the folder holds more than [`MAX_FILES`] files.
    pub(crate) fn tree(&mut self, dir: &Path) -> Option<&mut Key> {
        let mut files = Vec::new();
        collect(dir, dir, &mut files)?;
        files.sort();
        for (relative, path, link) in files {
            match link {
                Some(target) => {
                    self.text(&format!("link:{relative}"));
                    self.text(&target);
                }
                None => {
                    self.file(&format!("file:{relative}"), &path)?;
                }
            }
        }
        Some(self)
    }

    pub(crate) fn finish(&self) -> String {
        crate::syntax::image_ref::lower_hex(self.context.clone().finish().as_ref())
    }
}

/// The files under `dir` (relative path, path, link target for symbolic links).
fn collect(
    root: &Path,
    dir: &Path,
    out: &mut Vec<(String, PathBuf, Option<String>)>,
) -> Option<()> {
    for entry in std::fs::read_dir(dir).ok()? {
        let entry = entry.ok()?;
        let path = entry.path();
        let kind = entry.file_type().ok()?;
        let relative = crate::input::paths::display_path(path.strip_prefix(root).ok()?);
        if kind.is_symlink() {
            let target = std::fs::read_link(&path).ok()?;
            out.push((relative, path, Some(target.to_string_lossy().into_owned())));
        } else if kind.is_dir() {
            collect(root, &path, out)?;
        } else {
            out.push((relative, path, None));
        }
        if out.len() > MAX_FILES {
            return None;
        }
    }
    Some(())
}

impl RenderCache {
    pub(crate) fn new(dir: &Path) -> RenderCache {
        RenderCache {
            dir: dir.join("renders"),
        }
    }

    fn path(&self, key: &str) -> PathBuf {
        self.dir.join(key)
    }

    /// The render kept under `key`, when there is a whole one.
    pub(crate) fn get(&self, key: &str) -> Option<Kept> {
        let body = self.get_text(key)?;
        let (kind, rest) = body.split_once('\n')?;
        match kind {
            "output" => Some(Kept::Output(rest.to_string())),
            "failure" => Some(Kept::Failure(rest.to_string())),
            _ => None,
        }
    }

    /// Keep `kept` under `key`; a failure to write only costs the next scan a render.
    pub(crate) fn put(&self, key: &str, kept: &Kept) {
        let body = match kept {
            Kept::Output(text) => format!("output\n{text}"),
            Kept::Failure(message) => format!("failure\n{message}"),
        };
        self.put_text(key, &body);
    }

    fn get_text(&self, key: &str) -> Option<String> {
        let bytes = std::fs::read(self.path(key)).ok()?;
        let newline = bytes.iter().position(|b| *b == b'\n')?;
        let header = std::str::from_utf8(&bytes[..newline]).ok()?;
        let body = &bytes[newline + 1..];
        let rest = header.strip_prefix(MAGIC)?.trim();
        let (length, hash) = rest.split_once(' ')?;
        let whole = length.parse::<usize>().ok() == Some(body.len())
            && crate::syntax::image_ref::lower_hex(
                ring::digest::digest(&ring::digest::SHA256, body).as_ref(),
            ) == hash;
        if !whole {
            return None;
        }
        String::from_utf8(body.to_vec()).ok()
    }

    fn put_text(&self, key: &str, body: &str) {
        let write = || -> std::io::Result<()> {
            std::fs::create_dir_all(&self.dir)?;
            let mut file = tempfile::NamedTempFile::new_in(&self.dir)?;
            let hash = crate::syntax::image_ref::lower_hex(
                ring::digest::digest(&ring::digest::SHA256, body.as_bytes()).as_ref(),
            );
            writeln!(file, "{MAGIC} {} {hash}", body.len())?;
            file.write_all(body.as_bytes())?;
            file.as_file().sync_all()?;
            file.persist(self.path(key)).map_err(|err| err.error)?;
            Ok(())
        };
        let _ = write();
    }
}

#[cfg(test)]
mod tests;

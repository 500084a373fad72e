//! The files of a scan: each read once (size limit, binary, UTF-16 and non-UTF-8 detection),
//! read again when a report needs its text (the few read last are kept, so memory does not
//! grow with the tree), and shown with every secret value masked.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use crate::findings::suppress;
use crate::input::diagnostic::Severity;
use crate::input::walk::FileKind;
use crate::syntax::source::{self, LineIndex, Span};
use crate::uses::{self};

/// A scanned file. A stream's text (which cannot be read again) is kept; a file on disk is
/// read again when something asks for its text ([`ScannedFile::text`]): a finding a later
/// stage adds (scan-wide rules, tracing into chart files), a report. The files read last are
/// kept ([`RECENT`]): reports go through the findings file by file, so each is read once, and
/// a scan's memory does not grow with the size of the tree.
#[derive(Debug, Clone)]
pub struct ScannedFile {
    /// As shown in reports.
    pub path: String,
    /// Where it is read from; `None` for a rendered stream that only exists in memory (no
    /// finding points there once rendered findings are traced to their sources).
    pub disk: Option<PathBuf>,
    pub kind: FileKind,
    /// A stream's text and line index.
    kept: Option<Arc<Loaded>>,
    /// This file among the recently read ones (a copy of a `ScannedFile` is the same file).
    id: u64,
    /// The text could not be read again (asked once).
    unreadable: Arc<OnceLock<()>>,
    /// The size limit the text is read again under (the scan's).
    max_size: u64,
    /// Secret values found in this file: never shown in any source display (sorted).
    pub redactions: Vec<Span>,
    /// `# imagegate: ignore[...]` comments in this file.
    pub ignores: Vec<suppress::Ignore>,
    /// `imagegate.dev/ignore` annotations of objects in this file.
    pub object_ignores: Vec<ObjectIgnore>,
}

/// An object's `imagegate.dev/ignore` annotation (with `imagegate.dev/ignore-reason`).
#[derive(Debug, Clone)]
pub struct ObjectIgnore {
    pub document: usize,
    pub object: uses::ObjectId,
    pub rules: Vec<String>,
    pub reason: String,
    /// The annotation's key.
    pub span: Span,
}

impl ScannedFile {
    /// A checked file (or rendered stream), with its text and line index when they were kept.
    pub fn new(
        path: String,
        disk: Option<PathBuf>,
        kind: FileKind,
        kept: Option<(String, LineIndex)>,
        max_size: u64,
    ) -> ScannedFile {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        ScannedFile {
            path,
            disk,
            kind,
            kept: kept.map(|(text, lines)| Arc::new(Loaded { text, lines })),
            id: NEXT.fetch_add(1, Ordering::Relaxed),
            unreadable: Arc::default(),
            max_size,
            redactions: Vec::new(),
            ignores: Vec::new(),
            object_ignores: Vec::new(),
        }
    }

    /// A file on disk that was not scanned (a chart file a finding was traced to), read when
    /// something asks for its text.
    pub fn on_disk(path: PathBuf, display: String, max_size: u64) -> ScannedFile {
        ScannedFile::new(display, Some(path), FileKind::Manifest, None, max_size)
    }

    /// The file's text and line index: as kept (a stream), else from the files read last,
    /// else read from disk now (`None` when it cannot be read).
    pub fn text(&self) -> Option<Arc<Loaded>> {
        if let Some(kept) = &self.kept {
            return Some(Arc::clone(kept));
        }
        if self.unreadable.get().is_some() {
            return None;
        }
        if let Some(recent) = recent(self.id) {
            return Some(recent);
        }
        let Some(text) = self.read() else {
            let _ = self.unreadable.set(());
            return None;
        };
        let loaded = Arc::new(Loaded {
            lines: LineIndex::new(&text),
            text,
        });
        remember(self.id, &loaded);
        Some(loaded)
    }

    /// The text for one pass over it, not remembered among the files read last (the tracer
    /// reads committed `helm template` output this way, most of which no finding points into).
    pub fn text_copy(&self) -> Option<String> {
        match &self.kept {
            Some(kept) => Some(kept.text.clone()),
            None => recent(self.id)
                .map(|r| r.text.clone())
                .or_else(|| self.read()),
        }
    }

    /// The text read from disk now, under the scan's size limit.
    fn read(&self) -> Option<String> {
        read_text(self.disk.as_deref()?, self.max_size).ok()
    }

    /// The 1-based region of `span`, if the text can be read.
    pub fn region(&self, span: Span) -> Option<source::Region> {
        let loaded = self.text()?;
        Some(loaded.lines.region(&loaded.text, span))
    }

    /// The number of the last line that has text (a final line break ends a line, it does
    /// not start one).
    pub fn last_line(&self) -> usize {
        match self.text() {
            Some(loaded) if loaded.text.ends_with('\n') => loaded.lines.line_count() - 1,
            Some(loaded) => loaded.lines.line_count(),
            None => 1,
        }
        .max(1)
    }

    /// The text of 1-based line `line`, as it may be shown: secret values are masked with `*`.
    pub fn shown_line(&self, line: usize) -> String {
        let Some(loaded) = self.text() else {
            return String::new();
        };
        let text = loaded.text.as_str();
        let shown = loaded.lines.line_text(text, line);
        // The line's byte offset in the file (it is a slice of `text`).
        let start = shown.as_ptr() as usize - text.as_ptr() as usize;
        self.masked(shown, start)
    }

    /// The text of `span`, as it may be shown (secret values masked).
    pub fn shown(&self, span: Span) -> Option<String> {
        let loaded = self.text()?;
        let text = loaded.text.get(span.range())?;
        Some(self.masked(text, span.start))
    }

    /// `text`, which starts at byte `start` of the file, with every redacted byte range turned
    /// into `*`s (one per character).
    fn masked(&self, text: &str, start: usize) -> String {
        let end = start + text.len();
        if !self
            .redactions
            .iter()
            .any(|r| r.start < end && r.end > start)
        {
            return text.to_string();
        }
        text.char_indices()
            .map(|(i, c)| {
                let at = start + i;
                let secret = self.redactions.iter().any(|r| r.start <= at && at < r.end);
                if secret && !c.is_whitespace() { '*' } else { c }
            })
            .collect()
    }
}

/// A file's text and its line index.
#[derive(Debug)]
pub struct Loaded {
    pub text: String,
    pub lines: LineIndex,
}

impl Loaded {
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// Files read again most recently, the last first: at most [`RECENT_FILES`] of them and
/// [`RECENT_BYTES`] of text (one file over that is still returned, not kept).
static RECENT: Mutex<VecDeque<(u64, Arc<Loaded>)>> = Mutex::new(VecDeque::new());
const RECENT_FILES: usize = 16;
const RECENT_BYTES: usize = 16 * 1024 * 1024;

fn recent(id: u64) -> Option<Arc<Loaded>> {
    let mut recent = RECENT.lock().ok()?;
    let at = recent.iter().position(|(i, _)| *i == id)?;
    let entry = recent.remove(at)?;
    let loaded = Arc::clone(&entry.1);
    recent.push_front(entry);
    Some(loaded)
}

fn remember(id: u64, loaded: &Arc<Loaded>) {
    let Ok(mut recent) = RECENT.lock() else {
        return;
    };
    recent.push_front((id, Arc::clone(loaded)));
    let mut bytes = 0;
    let keep = recent
        .iter()
        .take(RECENT_FILES)
        .take_while(|(_, l)| {
            bytes += l.text.len();
            bytes <= RECENT_BYTES
        })
        .count();
    recent.truncate(keep);
}

/// The text of a file that starts with a UTF-16 byte-order mark (`None` when it does not).
fn utf16(bytes: &[u8]) -> Option<Result<String, ()>> {
    let little = match bytes {
        [0xFF, 0xFE, ..] => true,
        [0xFE, 0xFF, ..] => false,
        _ => return None,
    };
    let units = bytes[2..].chunks_exact(2).map(|pair| {
        let pair = [pair[0], pair[1]];
        if little {
            u16::from_le_bytes(pair)
        } else {
            u16::from_be_bytes(pair)
        }
    });
    Some(
        char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .map_err(|_| ()),
    )
}

pub(crate) struct ReadProblem {
    pub(crate) severity: Severity,
    pub(crate) message: String,
}

pub(crate) fn read_text(path: &Path, max_size: u64) -> Result<String, ReadProblem> {
    let problem = |message: String| ReadProblem {
        severity: Severity::Warning,
        message,
    };
    let size = std::fs::metadata(path)
        .map_err(|e| problem(format!("cannot read: {e}")))?
        .len();
    if size > max_size {
        return Err(problem(format!(
            "file is {size} bytes, larger than --max-file-size ({max_size} bytes); skipped"
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| problem(format!("cannot read: {e}")))?;
    if bytes.len() as u64 > max_size {
        return Err(problem(format!(
            "file grew past --max-file-size ({max_size} bytes) while reading; skipped"
        )));
    }
    // Windows editors save UTF-16 with a byte-order mark; such a file is text, not binary.
    if let Some(text) = utf16(&bytes) {
        return text
            .map_err(|()| problem("invalid UTF-16 (an unpaired surrogate); skipped".into()));
    }
    if bytes.iter().take(8192).any(|&b| b == 0) {
        return Err(problem("binary file (holds NUL bytes); skipped".into()));
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        problem(format!(
            "not UTF-8 (invalid byte at line {line}, byte offset {at}); skipped"
        ))
    })
}

#[cfg(test)]
mod tests;

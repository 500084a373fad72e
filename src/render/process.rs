//! Running an external renderer (`helm template`, `kubectl kustomize`) with a deadline and a
//! cap on what it may print, so a chart that never finishes or renders gigabytes cannot hang
//! or exhaust the scan.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What a finished command printed.
#[derive(Debug, Clone)]
pub(crate) struct Output {
    pub success: bool,
    /// The exit code, when the command exited (not killed by a signal).
    pub code: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

/// Why a command gave no usable output.
#[derive(Debug, thiserror::Error)]
pub(crate) enum RunError {
    #[error("could not start `{program}`: {source}")]
    Spawn {
        program: String,
        #[source]
        source: std::io::Error,
    },
    #[error("did not finish within {} s; stopped", .0.as_secs_f64())]
    Timeout(Duration),
    #[error("printed more than {0} bytes; stopped")]
    TooLarge(u64),
}

/// How long a command may run and how much it may print on each stream.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Budget {
    pub timeout: Duration,
    pub max_output: u64,
}

/// Run `command` (stdin closed) within `budget`; the process is killed when it overruns.
pub(crate) fn run(mut command: Command, budget: Budget) -> Result<Output, RunError> {
    let program = command.get_program().to_string_lossy().into_owned();
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|source| RunError::Spawn {
            program: program.clone(),
            source,
        })?;
    let stdout = child.stdout.take().map(|s| reader(s, budget.max_output));
    let stderr = child.stderr.take().map(|s| reader(s, budget.max_output));
    let started = Instant::now();
    let mut pause = Duration::from_millis(2);
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Ok(status),
            Ok(None) => {}
            Err(err) => {
                break Err(RunError::Spawn {
                    program,
                    source: err,
                });
            }
        }
        let overflowed = [&stdout, &stderr]
            .into_iter()
            .flatten()
            .any(|r| r.is_finished() && r.overflowed());
        if overflowed {
            let _ = child.kill();
            let _ = child.wait();
            break Err(RunError::TooLarge(budget.max_output));
        }
        if started.elapsed() >= budget.timeout {
            let _ = child.kill();
            let _ = child.wait();
            break Err(RunError::Timeout(budget.timeout));
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(10));
    };
    // NOTE: after a kill the readers are not waited for: a grandchild that inherited the
    // pipes could keep them open. They end when the pipes close.
    let status = status?;
    let stdout = stdout.map(Capture::join).unwrap_or_default();
    let stderr = stderr.map(Capture::join).unwrap_or_default();
    if stdout.1 || stderr.1 {
        return Err(RunError::TooLarge(budget.max_output));
    }
    Ok(Output {
        success: status.success(),
        code: status.code(),
        stdout: stdout.0,
        stderr: stderr.0,
    })
}

/// A stream being read on its own thread, up to a byte cap.
struct Capture {
    handle: std::thread::JoinHandle<(Vec<u8>, bool)>,
    overflow: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Capture {
    fn is_finished(&self) -> bool {
        self.handle.is_finished() || self.overflowed()
    }

    fn overflowed(&self) -> bool {
        self.overflow.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The bytes read and whether the cap was passed.
    fn join(self) -> (Vec<u8>, bool) {
        self.handle.join().unwrap_or_default()
    }
}

fn reader(stream: impl Read + Send + 'static, cap: u64) -> Capture {
    let overflow = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = std::sync::Arc::clone(&overflow);
    let handle = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        // One byte over the cap tells "exactly at the cap" from "over it".
        let read = stream.take(cap.saturating_add(1)).read_to_end(&mut bytes);
        let over = bytes.len() as u64 > cap;
        if over {
            bytes.truncate(cap as usize);
            flag.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        if read.is_err() {
            bytes.clear();
        }
        (bytes, over)
    });
    Capture { handle, overflow }
}

/// What `bin args…` prints (trimmed) when it succeeds within 20 s: a renderer's version, part
/// of a cache key. `None` when it does not answer.
pub(crate) fn version(bin: &Path, args: &[&str]) -> Option<String> {
    let mut command = Command::new(bin);
    command.args(args);
    let budget = Budget {
        timeout: Duration::from_secs(20),
        max_output: 4096,
    };
    let output = run(command, budget).ok()?;
    let version = String::from_utf8_lossy(&output.stdout).trim().to_string();
    (output.success && !version.is_empty()).then_some(version)
}

/// The first executable named `name` on `PATH`.
pub(crate) fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    let Ok(metadata) = std::fs::metadata(path) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        metadata.is_file() && metadata.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        metadata.is_file()
    }
}

/// The first `lines` non-empty lines of a command's error output, for a diagnostic.
pub(crate) fn first_lines(bytes: &[u8], lines: usize) -> String {
    /// Longest line quoted: a tool's one-line error can be a whole recursion trace.
    const MAX_LINE: usize = 300;
    String::from_utf8_lossy(bytes)
        .lines()
        .map(str::trim_end)
        .filter(|line| !line.trim().is_empty())
        .take(lines)
        .map(|line| match line.char_indices().nth(MAX_LINE) {
            Some((cut, _)) => format!("{}…", &line[..cut]),
            None => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(all(test, unix))]
mod tests;

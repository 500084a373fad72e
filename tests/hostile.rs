//! Hostile input: what a pull request can put in front of imagegate to crash it, hang it or
//! exhaust the machine it runs on.
//!
//! Each case generates its input in a temporary directory, runs the real binary on it and
//! asserts what a blocking CI gate needs: the scan finishes (exit 0 or 1, never a signal), a
//! diagnostic on standard error names the file (and the line, where there is one) and what is
//! wrong, a normal manifest beside the hostile input is still reported, and the run stays
//! within a time and a peak-memory bound. Peak memory is the child's `VmHWM` (its resident
//! high-water mark), read from `/proc` while it runs.
//!
//! The limits these cases meet, and the figures measured here, are in `docs/robustness.md`
//! (`## Hostile input`); `cargo test --test hostile -- --nocapture` prints each run's figures.

// A test crate: an unwrap that fails is a failing test, and its helpers are `pub` for its
// modules.
#![allow(clippy::unwrap_used, unreachable_pub)]
#![cfg(target_os = "linux")]

mod common;

use std::cell::OnceCell;
use std::ffi::OsString;
use std::fs;
use std::io::{BufWriter, Read, Write};
use std::os::unix::fs::{PermissionsExt, symlink};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::have_tool;

/// A run still going after this long (wall time) is killed and the case fails. Generous: CI
/// machines are shared, and [`Bounds`] holds the tighter, load-independent figure.
const DEADLINE: Duration = Duration::from_secs(120);
const MIB: u64 = 1 << 20;

/// The normal manifest put beside each hostile input: it must still be reported.
const NEIGHBOUR: &str = "ok/pod.yaml";
const LATEST_POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: web\n    image: nginx:latest\n";

/// What a run may cost at most, in a debug build (a release build needs far less).
#[derive(Debug, Clone, Copy)]
struct Bounds {
    /// CPU time (user and system, all threads): unlike wall time, it does not grow when other
    /// jobs share the machine.
    seconds: u64,
    /// Peak resident memory.
    mib: u64,
}

/// A finished run of the binary.
struct Run {
    label: String,
    status: std::process::ExitStatus,
    /// The first [`KEPT`] bytes of standard output.
    stdout: String,
    /// How many bytes were printed on standard output.
    stdout_len: u64,
    stderr: String,
    elapsed: Duration,
    /// CPU time of the imagegate process.
    cpu: Duration,
    /// Peak resident memory of the imagegate process, in bytes.
    peak: u64,
    report: OnceCell<serde_json::Value>,
}

/// `imagegate scan --no-config ARGS` in `dir`, with `--format json` unless `ARGS` has a format.
fn scan(dir: &Path, args: &[&str]) -> Run {
    scan_with(dir, args, common::tools_path())
}

/// [`scan`] with its own `PATH`.
fn scan_with(dir: &Path, args: &[&str], path: OsString) -> Run {
    let mut command = common::command_in(dir);
    command.args(["scan", "--no-config"]);
    if !args.contains(&"--format") {
        command.args(["--format", "json"]);
    }
    command.args(args).env("PATH", path);
    run(command, &format!("scan {}", args.join(" ")))
}

/// Run `command` to its end or [`DEADLINE`], polling its peak memory.
fn run(mut command: Command, label: &str) -> Run {
    let started = Instant::now();
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start imagegate");
    let stdout = drain(child.stdout.take().expect("stdout"));
    let stderr = drain(child.stderr.take().expect("stderr"));
    let proc = PathBuf::from(format!("/proc/{}", child.id()));
    let (mut peak, mut cpu, mut watched) = (0, Duration::ZERO, false);
    // Short pauses first, to see a quick run at work at least once.
    let mut pause = Duration::from_micros(100);
    // NOTE: resident memory grows no faster than pages can be faulted in (a few GB/s at
    // most), so polls 2 ms apart miss at most a few MiB of a last-moment peak, and a few ms of
    // CPU time.
    let status = loop {
        if let Ok(status) = fs::read_to_string(proc.join("status")) {
            watched = true;
            peak = peak.max(vm_hwm(&status).unwrap_or(0));
        }
        if let Some(time) = fs::read_to_string(proc.join("stat"))
            .ok()
            .and_then(|s| cpu_time(&s))
        {
            cpu = cpu.max(time);
        }
        if let Some(status) = child.try_wait().expect("wait for imagegate") {
            break status;
        }
        if started.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "`imagegate {label}` did not finish within {DEADLINE:?}; killed.\nstderr:\n{}",
                String::from_utf8_lossy(&stderr.join().unwrap_or_default().0)
            );
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(2));
    };
    let elapsed = started.elapsed();
    assert!(watched, "`imagegate {label}` could not be watched in /proc");
    let (stdout, stdout_len) = stdout.join().expect("read stdout");
    let (stderr, _) = stderr.join().expect("read stderr");
    Run {
        label: label.to_string(),
        status,
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stdout_len,
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
        elapsed,
        cpu,
        peak,
        report: OnceCell::new(),
    }
}

/// Most of a stream kept by [`drain`]; the rest is counted.
const KEPT: usize = 256 << 20;

/// Read `stream` to its end on a thread: its first [`KEPT`] bytes and its length.
fn drain(mut stream: impl Read + Send + 'static) -> std::thread::JoinHandle<(Vec<u8>, u64)> {
    std::thread::spawn(move || {
        let (mut kept, mut total) = (Vec::new(), 0u64);
        let mut buffer = vec![0; 1 << 16];
        while let Ok(n @ 1..) = stream.read(&mut buffer) {
            total += n as u64;
            let room = KEPT.saturating_sub(kept.len()).min(n);
            kept.extend_from_slice(&buffer[..room]);
        }
        (kept, total)
    })
}

/// User and system time from `/proc/<pid>/stat` (fields 14 and 15, after the parenthesized
/// command name), counted in Linux's `USER_HZ` of 100 ticks a second.
fn cpu_time(stat: &str) -> Option<Duration> {
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// `VmHWM:  1234 kB` from `/proc/<pid>/status`, in bytes.
fn vm_hwm(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

impl Run {
    /// The scan finished (exit 0 or 1: findings or none) within `bounds`. Prints the figures.
    fn finished_within(&self, bounds: Bounds) -> &Self {
        eprintln!(
            "measured: `imagegate {}`: {:.2} s CPU, {:.2} s wall, peak {:.1} MiB, exit {:?}",
            self.label,
            self.cpu.as_secs_f64(),
            self.elapsed.as_secs_f64(),
            self.peak as f64 / MIB as f64,
            self.status.code()
        );
        assert!(
            self.status.signal().is_none(),
            "`imagegate {}` was killed by signal {:?}\nstderr:\n{}",
            self.label,
            self.status.signal(),
            self.stderr
        );
        assert!(
            matches!(self.status.code(), Some(0 | 1)),
            "`imagegate {}` exited with {:?}, not 0 or 1\nstderr:\n{}",
            self.label,
            self.status.code(),
            self.stderr
        );
        assert!(
            self.cpu < Duration::from_secs(bounds.seconds),
            "`imagegate {}` took {:?} of CPU time, more than {} s",
            self.label,
            self.cpu,
            bounds.seconds
        );
        assert!(
            self.peak < bounds.mib * MIB,
            "`imagegate {}` peaked at {} MiB resident, more than {} MiB",
            self.label,
            self.peak / MIB,
            bounds.mib
        );
        self
    }

    /// The JSON report (parsed once).
    fn report(&self) -> &serde_json::Value {
        self.report.get_or_init(|| {
            serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
                panic!(
                    "`imagegate {}` printed no JSON report ({e})\nstderr:\n{}",
                    self.label, self.stderr
                )
            })
        })
    }

    /// The one diagnostic line on stderr at `place` (`path` or `path:line`) at `severity`
    /// that holds every one of `words`.
    fn diagnostic(&self, severity: &str, place: &str, words: &[&str]) -> &str {
        let prefix = format!("imagegate: {severity}: {place}:");
        let hits: Vec<&str> = self
            .stderr
            .lines()
            .filter(|l| l.starts_with(&prefix) && words.iter().all(|w| l.contains(w)))
            .collect();
        assert!(
            hits.len() == 1,
            "expected one `{prefix}` diagnostic with {words:?}, found {}\nstderr:\n{}",
            hits.len(),
            self.stderr
        );
        hits[0]
    }

    /// No diagnostic line on stderr mentions `text`.
    fn no_diagnostic_about(&self, text: &str) -> &Self {
        assert!(
            !self.stderr.lines().any(|l| l.contains(text)),
            "unexpected diagnostic about `{text}`\nstderr:\n{}",
            self.stderr
        );
        self
    }

    /// `(rule, path)` of every finding.
    fn findings(&self) -> Vec<(String, String)> {
        self.report()["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| {
                (
                    f["rule"].as_str().unwrap_or_default().to_string(),
                    f["path"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    }

    /// How many `image-tag-latest` findings are in `path`.
    fn latest_in(&self, path: &str) -> usize {
        self.findings()
            .iter()
            .filter(|(rule, p)| rule == "image-tag-latest" && p == path)
            .count()
    }

    /// The scan went on: the normal manifest beside the hostile input is reported once.
    fn reports_the_neighbour(&self) -> &Self {
        assert_eq!(
            self.latest_in(NEIGHBOUR),
            1,
            "the normal manifest {NEIGHBOUR} was not reported once\nstderr:\n{}",
            self.stderr
        );
        self
    }
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    fs::create_dir_all(path.parent().expect("parent")).expect("create directory");
    fs::write(&path, bytes).expect("write file");
    path
}

/// A temporary directory holding [`NEIGHBOUR`].
fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary directory");
    write(dir.path(), NEIGHBOUR, LATEST_POD);
    dir
}

/// A Pod whose `image:` is on line 8 (1-based).
fn pod(name: &str, image: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\nspec:\n  containers:\n  - name: app\n    image: {image}\n"
    )
}

/// Write `path` through a buffered writer: `fill` gets the writer.
fn generate(path: &Path, fill: impl FnOnce(&mut BufWriter<fs::File>) -> std::io::Result<()>) {
    let mut out = BufWriter::with_capacity(1 << 20, fs::File::create(path).expect("create file"));
    fill(&mut out)
        .and_then(|()| out.flush())
        .expect("write file");
}

// --- 1. Alias bomb -------------------------------------------------------------------------

/// A ConfigMap whose `data.i` expands to 9^9 (387 million) strings: nine levels of nine
/// aliases, the YAML "billion laughs".
fn alias_bomb() -> String {
    let mut bomb = String::from(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\ndata:\n  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n",
    );
    for level in b'b'..=b'i' {
        let (name, prev) = (level as char, (level - 1) as char);
        let aliases = vec![format!("*{prev}"); 9].join(", ");
        bomb.push_str(&format!("  {name}: &{name} [{aliases}]\n"));
    }
    bomb
}

/// One alias bomb is refused by the parser's budget, with a diagnostic at its line, and the
/// file counts as not checked (`--fail-on-unchecked` fails on it). A bomb that does not look
/// like a Kubernetes object (broken YAML of that kind is only a debug note) is still a warning:
/// a limit is never someone else's format.
#[test]
fn alias_bomb_is_refused_by_the_parser_budget() {
    let dir = tree();
    let bomb = alias_bomb();
    write(dir.path(), "bomb.yaml", &bomb);
    let bare = bomb.replace("apiVersion: v1\nkind: ConfigMap\n", "");
    write(
        dir.path(),
        "bare.yaml",
        format!("{bare}---\n{}", pod("hidden", "nginx:latest")),
    );
    let run = scan(dir.path(), &["."]);
    run.finished_within(Bounds {
        seconds: 10,
        mib: 384,
    })
    .reports_the_neighbour();
    run.diagnostic(
        "warning",
        "bomb.yaml:10:10",
        &["invalid YAML", "alias bomb"],
    );
    run.diagnostic("warning", "bare.yaml:8:10", &["invalid YAML", "alias bomb"]);
    let unchecked: Vec<&str> = run.report()["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["unchecked"] == true)
        .filter_map(|d| d["path"].as_str())
        .collect();
    assert_eq!(unchecked, ["bare.yaml", "bomb.yaml"]);
    // The document after the bomb is checked.
    let run = scan(
        dir.path(),
        &["bare.yaml", "--format", "text", "--fail-on-unchecked"],
    );
    assert_eq!(run.status.code(), Some(1));
    assert!(run.stdout.contains("--> bare.yaml:21:12"), "{}", run.stdout);
    assert!(
        run.stderr.contains(
            "imagegate: failing: 1 file(s) could not be checked (--fail-on-unchecked): bare.yaml"
        ),
        "{}",
        run.stderr
    );
}

/// Many bombs in one file: each costs its own small budget (16 nodes per byte of its text,
/// so this 470-byte bomb stops at 10,000 nodes), and all the documents of a file share one
/// budget (5 million nodes, or half a node per byte of a bigger file), so a file of bombs
/// costs what one big document does. Before the shared budget, each bomb parsed 5 million
/// nodes (half a second) before it was refused: 20 of them took 10 s, a 10 MiB file of them
/// about three hours.
#[test]
fn many_alias_bombs_in_one_file() {
    let dir = tree();
    let bomb = alias_bomb();
    write(
        dir.path(),
        "bombs.yaml",
        vec![bomb.as_str(); 20].join("---\n"),
    );
    // Just under the default --max-file-size of 10 MiB: 22,000 bombs.
    let count = (10 << 20) / (bomb.len() + 4) - 1;
    generate(&dir.path().join("more-bombs.yaml"), |out| {
        for i in 0..count {
            let separator = if i == 0 { "" } else { "---\n" };
            write!(out, "{separator}{bomb}")?;
        }
        Ok(())
    });
    let run = scan(dir.path(), &["."]);
    run.finished_within(Bounds {
        seconds: 30,
        mib: 128,
    })
    .reports_the_neighbour();
    run.diagnostic(
        "warning",
        "bombs.yaml:10:10",
        &["invalid YAML", "more than 10000 YAML nodes", "alias bomb"],
    );
    let refused = run
        .stderr
        .lines()
        .filter(|l| l.contains("bombs.yaml:") && l.contains("alias bomb"))
        .count();
    // 20 in bombs.yaml; in the big file (just under 10 MiB: a budget of 5.24 million nodes)
    // 524 bombs spend 10,000 nodes each and the 525th what is left, then one line for the rest.
    assert_eq!(refused, 20 + 525 + 1, "{}", run.stderr);
    run.diagnostic(
        "warning",
        "more-bombs.yaml:7875:1",
        &[
            &format!("not parsed, with the {} document(s) after it", count - 526),
            "alias bombs?",
        ],
    );
}

// --- 2. Deep nesting -----------------------------------------------------------------------

/// 10,000 levels of flow sequences, block sequences and JSON objects: refused at 256 levels
/// (the parser's depth budget) on the line where the nesting is.
#[test]
fn nesting_10000_deep_is_refused_at_the_depth_limit() {
    let dir = tree();
    let d = dir.path();
    let head = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata:\n";
    let depth = 10_000;
    write(
        d,
        "flow.yaml",
        format!("{head}  x: {}1{}\n", "[".repeat(depth), "]".repeat(depth)),
    );
    write(
        d,
        "block.yaml",
        format!("{head}  x:\n    {}1\n", "- ".repeat(depth)),
    );
    write(
        d,
        "deep.json",
        format!(
            "{{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\",\n\"data\": {}1{}}}\n",
            "{\"a\": ".repeat(depth),
            "}".repeat(depth)
        ),
    );
    let run = scan(d, &["."]);
    run.finished_within(Bounds {
        seconds: 10,
        mib: 128,
    })
    .reports_the_neighbour();
    let deeper = ["invalid YAML", "nested deeper than 256 levels"];
    run.diagnostic("warning", "flow.yaml:6", &deeper);
    run.diagnostic("warning", "block.yaml:7", &deeper);
    run.diagnostic("warning", "deep.json:2", &deeper);
}

// --- 3. A 100 MB file, a 100 MB line -------------------------------------------------------

/// Size of the big inputs (100 MB, a little under 100 MiB).
const BIG: u64 = 100_000_000;

/// The default `--max-file-size` (10 MiB) skips `name` with a diagnostic, at once.
fn skipped_by_size(dir: &Path, name: &str) {
    let run = scan(dir, &["."]);
    run.finished_within(Bounds {
        seconds: 2,
        mib: 64,
    })
    .reports_the_neighbour();
    run.diagnostic(
        "warning",
        name,
        &[
            "file is 100000",
            "larger than --max-file-size (10485760 bytes); skipped",
        ],
    );
}

/// A 100 MB ConfigMap of a million entries, then a Pod. With the size limit raised, the
/// ConfigMap goes past the parser's budget of 64 MiB of text per document and is refused with
/// a diagnostic at the line where it did; the Pod after it is checked.
#[test]
fn a_100_mb_file() {
    let dir = tree();
    let value = "v".repeat(80);
    let mut lines = 5;
    generate(&dir.path().join("big.yaml"), |out| {
        out.write_all(b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n")?;
        let (mut written, mut i) = (0, 0u64);
        while written < BIG {
            let line = format!("  key{i:09}: {value}\n");
            out.write_all(line.as_bytes())?;
            written += line.len() as u64;
            i += 1;
            lines += 1;
        }
        write!(out, "---\n{}", pod("last", "nginx:latest"))
    });
    skipped_by_size(dir.path(), "big.yaml");

    let run = scan(dir.path(), &["--max-file-size", "200M", "."]);
    run.finished_within(Bounds {
        seconds: 30,
        mib: 1024,
    })
    .reports_the_neighbour();
    let refused = run.diagnostic(
        "warning",
        "big.yaml",
        &["invalid YAML: more text in one document than imagegate reads"],
    );
    let line: usize = refused
        .trim_start_matches("imagegate: warning: big.yaml:")
        .split(':')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(
        (6..=lines).contains(&line),
        "not at a line of the ConfigMap: {refused}"
    );
    let found = run.report()["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "image-tag-latest" && f["path"] == "big.yaml")
        .map(|f| format!("{}:{}", f["start"]["line"], f["start"]["column"]))
        .collect::<Vec<_>>();
    assert_eq!(found, [format!("{}:12", lines + 1 + 8)]);
}

/// One 100 MB line: a minified JSON `List` of ConfigMaps ending in a Pod. With the size limit
/// raised, the parser's 64 MiB budget of text per document refuses it, at its column.
#[test]
fn a_100_mb_single_line() {
    let dir = tree();
    let value = "v".repeat(200);
    generate(&dir.path().join("line.json"), |out| {
        let head = r#"{"apiVersion":"v1","kind":"List","items":["#;
        out.write_all(head.as_bytes())?;
        let (mut written, mut i) = (head.len() as u64, 0u64);
        while written < BIG {
            let item = format!(
                r#"{{"apiVersion":"v1","kind":"ConfigMap","metadata":{{"name":"c{i}"}},"data":{{"k":"{value}"}}}},"#
            );
            out.write_all(item.as_bytes())?;
            written += item.len() as u64;
            i += 1;
        }
        out.write_all(br#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"last"},"spec":{"containers":[{"name":"app","image":"nginx:latest"}]}}]}"#)
    });
    skipped_by_size(dir.path(), "line.json");

    let run = scan(dir.path(), &["--max-file-size", "200M", "."]);
    run.finished_within(Bounds {
        seconds: 40,
        mib: 1536,
    })
    .reports_the_neighbour();
    run.diagnostic(
        "warning",
        "line.json:1",
        &["invalid YAML: more text in one document than imagegate reads"],
    );
    assert_eq!(run.latest_in("line.json"), 0);
}

/// A long line is shown once per finding on it (the text report's source line, SARIF's
/// snippets), so a minified JSON `List` makes output grow with findings × line length: here
/// 500 Pods on a 60 KB line print 46 MB of text and 189 MB of SARIF (2,000 Pods: 737 MB and
/// 3 GB, with 2.5 GB resident while building the SARIF). Output must stay proportionate.
#[test]
fn a_long_line_with_many_findings() {
    let dir = tree();
    let items: Vec<String> = (0..500)
        .map(|i| {
            format!(
                r#"{{"apiVersion":"v1","kind":"Pod","metadata":{{"name":"p{i}"}},"spec":{{"containers":[{{"name":"app","image":"nginx:latest"}}]}}}}"#
            )
        })
        .collect();
    write(
        dir.path(),
        "list.json",
        format!(
            r#"{{"apiVersion":"v1","kind":"List","items":[{}]}}"#,
            items.join(",")
        ),
    );
    for format in ["text", "sarif"] {
        let run = scan(dir.path(), &["--format", format, "."]);
        run.finished_within(Bounds {
            seconds: 10,
            mib: 256,
        });
        assert!(
            run.stdout_len < 16 * MIB,
            "--format {format}: {} MiB of output for a 60 KB file",
            run.stdout_len / MIB
        );
    }
}

// --- 4. 50,000 documents -------------------------------------------------------------------

/// One stream of 50,000 small Pods, every one reported.
#[test]
fn fifty_thousand_documents_in_one_stream() {
    let dir = tree();
    let documents = 50_000;
    generate(&dir.path().join("stream.yaml"), |out| {
        for i in 0..documents {
            write!(out, "---\n{}", pod(&format!("p{i}"), "nginx:latest"))?;
        }
        Ok(())
    });
    let run = scan(dir.path(), &["."]);
    run.finished_within(Bounds {
        seconds: 45,
        mib: 512,
    })
    .reports_the_neighbour();
    assert_eq!(run.latest_in("stream.yaml"), documents);
    let summary = &run.report()["summary"];
    assert_eq!(summary["documents"], documents + 1, "{summary}");
}

// --- 5. Binary, non-UTF-8 and UTF-16 files -------------------------------------------------

/// `n` bytes of noise (a fixed linear congruential sequence: the same every run).
fn noise(n: usize) -> Vec<u8> {
    let mut state: u32 = 0x1234_5678;
    (0..n)
        .map(|_| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (state >> 24) as u8
        })
        .collect()
}

/// Binary data and Latin-1 text named `.yaml` are skipped with a diagnostic saying why (and
/// where the first bad byte is); a NUL byte deep in a text file fails only its document.
#[test]
fn binary_and_non_utf8_files_named_yaml() {
    let dir = tree();
    let d = dir.path();
    write(d, "noise.yaml", noise(1 << 20));
    let mut latin1 = pod("latin1", "nginx:latest").into_bytes();
    latin1.extend_from_slice(b"# caf\xe9\n");
    write(d, "latin1.yaml", latin1);
    // A NUL past the first 8 KiB: the file is text, its second document is not YAML.
    let mut late = pod("late", "nginx:latest");
    late.push_str("---\napiVersion: v1\nkind: ConfigMap\ndata:\n");
    for i in 0..400 {
        late.push_str(&format!("  k{i}: {}\n", "v".repeat(40)));
    }
    late.push_str("  nul: \"a\0b\"\n");
    write(d, "late-nul.yaml", late);
    let run = scan(d, &["."]);
    run.finished_within(Bounds {
        seconds: 10,
        mib: 64,
    })
    .reports_the_neighbour();
    run.diagnostic(
        "warning",
        "noise.yaml",
        &["binary file (holds NUL bytes); skipped"],
    );
    run.diagnostic(
        "warning",
        "latin1.yaml",
        &["not UTF-8 (invalid byte at line 9, byte offset 113); skipped"],
    );
    run.diagnostic(
        "warning",
        "late-nul.yaml:413:10",
        &["invalid YAML", "unexpected character"],
    );
    assert_eq!(run.latest_in("late-nul.yaml"), 1);
}

/// A UTF-16 manifest (what Windows PowerShell 5's `>` writes) is text in another encoding, not
/// binary: it is either read or skipped with a diagnostic that names its encoding.
#[test]
fn a_utf16_manifest() {
    let dir = tree();
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(
        pod("utf16", "nginx:latest")
            .encode_utf16()
            .flat_map(u16::to_le_bytes),
    );
    write(dir.path(), "utf16.yaml", utf16);
    let run = scan(dir.path(), &["."]);
    run.finished_within(Bounds {
        seconds: 10,
        mib: 64,
    })
    .reports_the_neighbour();
    if run.latest_in("utf16.yaml") == 0 {
        run.diagnostic("warning", "utf16.yaml", &["UTF-16"]);
    }
}

// --- 6. A directory named like a manifest --------------------------------------------------

/// A directory named `x.yaml` (or `Dockerfile`) is walked like any directory.
#[test]
fn a_directory_named_x_yaml() {
    let dir = tree();
    let d = dir.path();
    write(d, "x.yaml/pod.yaml", LATEST_POD);
    write(d, "Dockerfile/Dockerfile", "FROM nginx:latest\n");
    for args in [&["."][..], &["x.yaml", "Dockerfile", "ok"]] {
        let run = scan(d, args);
        run.finished_within(Bounds {
            seconds: 10,
            mib: 64,
        })
        .reports_the_neighbour()
        .no_diagnostic_about("x.yaml")
        .no_diagnostic_about("Dockerfile");
        assert_eq!(run.latest_in("x.yaml/pod.yaml"), 1, "{}", run.stderr);
        assert_eq!(run.latest_in("Dockerfile/Dockerfile"), 1, "{}", run.stderr);
    }
}

// --- 7. Symbolic links ---------------------------------------------------------------------

/// Loops end, links out of the scanned tree are not followed (a warning says so), and a link
/// to a file or directory inside the tree does not make it scanned twice.
#[test]
fn symlink_loops_and_links_out_of_the_tree() {
    let top = tempfile::tempdir().expect("temporary directory");
    let repo = top.path().join("repo");
    write(&repo, NEIGHBOUR, LATEST_POD);
    write(
        top.path(),
        "outside/pod.yaml",
        pod("outside", "nginx:latest"),
    );
    let link = |target: &str, name: &str| {
        let path = repo.join(name);
        fs::create_dir_all(path.parent().expect("parent")).expect("create directory");
        symlink(target, path).expect("symlink");
    };
    link("b.yaml", "a.yaml");
    link("a.yaml", "b.yaml");
    link("..", "sub/up");
    link("../outside/pod.yaml", "out-file.yaml");
    link("../outside", "out-dir");
    link("/", "root");
    link("/dev/zero", "zero.yaml");
    link("ok/pod.yaml", "inside.yaml");
    link("ok", "inside-dir");
    link("nowhere.yaml", "gone.yaml");
    let run = scan(&repo, &["."]);
    run.finished_within(Bounds {
        seconds: 10,
        mib: 64,
    })
    .reports_the_neighbour()
    .no_diagnostic_about("inside.yaml")
    .no_diagnostic_about("inside-dir");
    run.diagnostic("warning", "a.yaml", &["symbolic link", "skipped"]);
    run.diagnostic("warning", "b.yaml", &["symbolic link", "skipped"]);
    // A link to an ancestor (`/` is one) would walk the tree again: a loop.
    run.diagnostic("warning", "sub/up", &["symbolic link loop; not followed"]);
    run.diagnostic("warning", "root", &["symbolic link loop; not followed"]);
    let out = "outside the scanned directory; not followed";
    run.diagnostic("warning", "out-file.yaml", &["link to a file", out]);
    run.diagnostic("warning", "zero.yaml", &["link to a file", out]);
    run.diagnostic("warning", "out-dir", &["link to a directory", out]);
    run.diagnostic("warning", "gone.yaml", &["broken symbolic link; skipped"]);
    let paths: Vec<String> = run.findings().into_iter().map(|(_, p)| p).collect();
    assert!(
        paths.iter().all(|p| p == NEIGHBOUR),
        "findings outside {NEIGHBOUR}: {paths:?}"
    );
}

// --- 8. Unreadable files -------------------------------------------------------------------

/// A file and a directory without read permission: each is a diagnostic, the scan goes on.
#[test]
fn unreadable_files_and_directories() {
    let dir = tree();
    let d = dir.path();
    let file = write(d, "secret.yaml", LATEST_POD);
    let locked = write(d, "locked/pod.yaml", LATEST_POD);
    let locked = locked.parent().expect("parent").to_path_buf();
    let mode = |path: &Path, mode: u32| {
        fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod");
    };
    mode(&file, 0o000);
    mode(&locked, 0o000);
    // NOTE: root (as in many containers) reads a file whatever its mode.
    let root = fs::read(&file).is_ok();
    let run = scan(d, &["."]);
    mode(&file, 0o644);
    mode(&locked, 0o755);
    run.finished_within(Bounds {
        seconds: 10,
        mib: 64,
    })
    .reports_the_neighbour();
    if root {
        eprintln!(
            "unreadable_files_and_directories: running as root, which reads files whatever \
             their mode; the diagnostics are not checked"
        );
        return;
    }
    run.diagnostic(
        "warning",
        "secret.yaml",
        &["cannot read", "Permission denied"],
    );
    run.diagnostic("warning", "locked", &["Permission denied"]);
}

// --- 9. A render that never ends ----------------------------------------------------------

const CHART_YAML: &str = "apiVersion: v2\nname: {name}\nversion: 0.1.0\n";

fn chart(dir: &Path, name: &str, template: &str) {
    write(
        dir,
        &format!("{name}/Chart.yaml"),
        CHART_YAML.replace("{name}", name),
    );
    write(dir, &format!("{name}/templates/{name}.yaml"), template);
}

/// Processes still running in `dir` (their working directory).
fn processes_in(dir: &Path) -> Vec<String> {
    let dir = dir.canonicalize().expect("canonical path");
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter(|e| fs::read_link(e.path().join("cwd")).is_ok_and(|cwd| cwd.starts_with(&dir)))
        .map(|e| {
            let cmdline = fs::read(e.path().join("cmdline")).unwrap_or_default();
            String::from_utf8_lossy(&cmdline).replace('\0', " ")
        })
        .collect()
}

/// A template that loops (10^10 empty iterations: no output, no memory) is stopped by
/// `--helm-timeout` with a diagnostic naming the chart and the timeout; helm is not left
/// running.
#[test]
fn a_chart_whose_render_never_ends() {
    let test = "a_chart_whose_render_never_ends";
    if !have_tool("helm", test) {
        return;
    }
    let dir = tree();
    chart(
        dir.path(),
        "spin",
        "{{- range until 100000 }}{{- range until 100000 }}{{- end }}{{- end }}\n",
    );
    let run = scan(dir.path(), &["--helm-timeout", "3", "."]);
    run.finished_within(Bounds {
        seconds: 20,
        mib: 128,
    })
    .reports_the_neighbour();
    run.diagnostic(
        "warning",
        "spin/Chart.yaml",
        &[
            "chart not rendered: `helm template` did not finish within 3 s; stopped",
            "--helm-timeout",
        ],
    );
    assert!(
        run.elapsed >= Duration::from_secs(3),
        "stopped before the timeout"
    );
    assert_eq!(processes_in(dir.path()), Vec::<String>::new());
}

/// A template that includes itself: helm gives up at its nesting limit at once, and the
/// diagnostic names the chart and stays readable.
#[test]
fn a_chart_whose_include_recurses() {
    let test = "a_chart_whose_include_recurses";
    if !have_tool("helm", test) {
        return;
    }
    let dir = tree();
    chart(
        dir.path(),
        "again",
        "{{- define \"again.loop\" }}{{ include \"again.loop\" . }}{{ end }}\n{{ include \"again.loop\" . }}\n",
    );
    let run = scan(dir.path(), &["."]);
    run.finished_within(Bounds {
        seconds: 10,
        mib: 128,
    })
    .reports_the_neighbour();
    let failed = run.diagnostic(
        "warning",
        "again/Chart.yaml",
        &["chart not rendered: `helm template` failed", "again.loop"],
    );
    assert!(
        failed.chars().count() <= 1000,
        "a diagnostic of {} characters: {}…",
        failed.chars().count(),
        failed.chars().take(300).collect::<String>()
    );
}

// --- 10. A render of gigabytes -------------------------------------------------------------

/// A chart whose template prints 10 million long lines (10 GB), rendered by a `helm` that
/// streams what it renders: imagegate reads 64 MiB of it, stops the render and says so. The
/// same for a render that floods its error output.
///
/// NOTE: real helm (and the stand-in in `../shared/tools`) renders a whole chart in memory
/// before printing any of it, at about 2 MB/s here, so a gigabyte render through it exhausts
/// helm long before imagegate sees a byte. A renderer that streams is the worst case for
/// imagegate's own bound, and it is fast.
#[test]
fn a_chart_that_renders_gigabytes() {
    let dir = tree();
    let d = dir.path();
    let template = "{{- $line := repeat 1000 \"x\" }}\n{{- range until 10000000 }}\n# {{ $line }}\n{{- end }}\n";
    chart(d, "huge", template);
    chart(d, "noisy", "{{ fail (repeat 10000000 \"x\") }}\n");
    let line = "x".repeat(1000);
    let helm = write(
        d,
        "bin/helm",
        format!(
            "#!/bin/sh\n# helm template RELEASE CHART ...: renders without end.\ncase \"$3\" in\n\
             *noisy) exec yes 'Error: {line}' >&2 ;;\n\
             *) printf -- '---\\n# Source: huge/templates/huge.yaml\\n'; exec yes '# {line}' ;;\nesac\n"
        ),
    );
    fs::set_permissions(&helm, fs::Permissions::from_mode(0o755)).expect("chmod");
    let helm = helm.to_str().expect("UTF-8 path");
    let run = scan(d, &["--helm-bin", helm, "--helm-timeout", "50", "."]);
    run.finished_within(Bounds {
        seconds: 30,
        mib: 512,
    })
    .reports_the_neighbour();
    let capped = [
        "chart not rendered: `helm template` printed more than 67108864 bytes; stopped",
        "at most 64 MiB",
    ];
    run.diagnostic("warning", "huge/Chart.yaml", &capped);
    run.diagnostic("warning", "noisy/Chart.yaml", &capped);
    assert_eq!(processes_in(d), Vec::<String>::new());
}

// --- 11. Kustomizations that reach out -----------------------------------------------------

/// The kustomize renderer imagegate will pick (`kustomize`, else `kubectl`), if any.
fn kustomize_renderer() -> Option<(&'static str, PathBuf)> {
    ["kustomize", "kubectl"].into_iter().find_map(|name| {
        std::env::split_paths(&common::tools_path())
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
            .map(|p| (name, p))
    })
}

/// A tree `repo/` beside `outside/` (a kustomization with a Pod), and a `bin/` folder whose
/// renderer logs each call to `bin/calls` before running the real one. Returns the top
/// directory and the `PATH` to scan with.
fn kustomize_tree(test: &str) -> Option<(tempfile::TempDir, OsString)> {
    let Some((name, real)) = kustomize_renderer() else {
        have_tool("kubectl", test);
        return None;
    };
    let top = tempfile::tempdir().expect("temporary directory");
    let t = top.path();
    write(t, &format!("repo/{NEIGHBOUR}"), LATEST_POD);
    write(t, "outside/kustomization.yaml", "resources: [pod.yaml]\n");
    write(t, "outside/pod.yaml", pod("outside", "nginx:latest"));
    let calls = t.join("bin/calls");
    let wrapper = write(
        t,
        &format!("bin/{name}"),
        format!(
            "#!/bin/sh\necho \"$@\" >> '{}'\nexec '{}' \"$@\"\n",
            calls.display(),
            real.display()
        ),
    );
    fs::set_permissions(&wrapper, fs::Permissions::from_mode(0o755)).expect("chmod");
    let mut path = vec![t.join("bin")];
    path.extend(std::env::split_paths(&common::tools_path()));
    Some((top, std::env::join_paths(path).expect("PATH")))
}

/// How many times the renderer ran.
fn renderer_calls(top: &Path) -> usize {
    fs::read_to_string(top.join("bin/calls"))
        .map(|calls| calls.lines().count())
        .unwrap_or(0)
}

/// An overlay with a resource outside the scanned tree and one with a remote resource are
/// refused before the renderer runs (nothing is fetched), each with a diagnostic; an overlay
/// inside the tree is built.
#[test]
fn kustomizations_reaching_outside_or_remote() {
    let test = "kustomizations_reaching_outside_or_remote";
    let Some((top, path)) = kustomize_tree(test) else {
        return;
    };
    let repo = top.path().join("repo");
    write(
        &repo,
        "escape/kustomization.yaml",
        "resources: [../../outside]\n",
    );
    let url = "https://github.com/kubernetes-sigs/kustomize//examples/helloWorld?ref=v5.4.3";
    write(
        &repo,
        "remote/kustomization.yaml",
        format!("resources:\n- {url}\n"),
    );
    write(&repo, "built/kustomization.yaml", "resources: [pod.yaml]\n");
    write(&repo, "built/pod.yaml", pod("built", "nginx:latest"));
    let run = scan_with(&repo, &["."], path);
    run.finished_within(Bounds {
        seconds: 30,
        mib: 128,
    })
    .reports_the_neighbour();
    run.diagnostic(
        "warning",
        "escape/kustomization.yaml",
        &[
            "overlay not built: the overlay reaches",
            "outside the scanned tree",
        ],
    );
    run.diagnostic(
        "note",
        "remote/kustomization.yaml",
        &[
            "overlay not built",
            &format!("references the remote resource `{url}`"),
            "never fetches",
        ],
    );
    assert_eq!(run.latest_in("built/pod.yaml"), 1, "{}", run.stderr);
    assert_eq!(renderer_calls(top.path()), 1, "only `built` is rendered");
    let paths: Vec<String> = run.findings().into_iter().map(|(_, p)| p).collect();
    assert!(
        !paths.iter().any(|p| p.contains("outside")),
        "findings from outside the tree: {paths:?}"
    );
}

/// A resource that is a symbolic link inside the tree to a kustomization outside it reaches
/// outside as surely as `../../outside` does: refused, not rendered.
#[test]
fn a_kustomization_reaching_outside_through_a_symlink() {
    let test = "a_kustomization_reaching_outside_through_a_symlink";
    let Some((top, path)) = kustomize_tree(test) else {
        return;
    };
    let repo = top.path().join("repo");
    write(&repo, "linked/kustomization.yaml", "resources: [ext]\n");
    symlink("../../outside", repo.join("linked/ext")).expect("symlink");
    let run = scan_with(&repo, &["."], path);
    run.finished_within(Bounds {
        seconds: 30,
        mib: 128,
    })
    .reports_the_neighbour();
    let paths: Vec<String> = run.findings().into_iter().map(|(_, p)| p).collect();
    assert!(
        paths.iter().all(|p| p == NEIGHBOUR),
        "findings from outside the tree: {paths:?}\nstderr:\n{}",
        run.stderr
    );
    run.diagnostic(
        "warning",
        "linked/kustomization.yaml",
        &["overlay not built", "outside the scanned tree"],
    );
    assert_eq!(renderer_calls(top.path()), 0, "nothing is rendered");
}

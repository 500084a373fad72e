//! Rule `registry-password-cli`: registry logins with a literal password on a command line.
//!
//! Shell scripts, Makefiles, Justfiles, Taskfiles, CI workflows (GitHub Actions, GitLab CI) and
//! Dockerfile `RUN` instructions are scanned for commands such as
//!
//! ```text
//! docker login -u me -p hunter2 registry.example.com
//! kubectl create secret docker-registry pull --docker-password=hunter2
//! ```
//!
//! whose password argument is a literal rather than a variable, a command substitution or a CI
//! or template expression. A finding ([`CliPassword`]) carries only the normalized command, the
//! flag name and two byte ranges into the scanned text: the password itself is never copied,
//! returned or printed.
//!
//! # How text is read
//!
//! The scanner is a small, forgiving shell lexer, not a parser; it never fails and runs in time
//! linear in the input (times a small constant nesting bound).
//!
//! * Every line of the file is potential shell, so positions stay exact. Kind-specific prefixes
//!   are removed first: YAML list markers and the keys `run:`, `script:`, `before_script:`,
//!   `after_script:`, `cmd:`, `cmds:`, `command:`, `commands:` (other `key:` lines are skipped,
//!   as are block-scalar headers such as `run: |`; a quoted YAML scalar is scanned between its
//!   quotes); Makefile/Justfile recipe prefixes `@`, `-`, `+`; in Dockerfiles only `RUN` (also
//!   `ONBUILD RUN`) instructions, their `--mount=…`-style flags skipped, and the bodies of their
//!   heredocs are scanned.
//! * A backslash before a newline joins lines (in Dockerfiles the escape character of a
//!   `# escape=` parser directive, with trailing blanks, and blank or comment lines inside the
//!   continuation skipped as Docker does). Words, and so flags and values, may span a join.
//! * `'…'`, `"…"` and backslash escapes are understood; quotes never extend past the end of a
//!   logical line (an unbalanced quote ends there), so hostile or non-shell lines cannot swallow
//!   the rest of a file.
//! * `#` at the start of a word begins a comment; commented text is never matched.
//! * Commands start at the start of a line and after `;`, `&`, `&&`, `|`, `||`, `(`, `)`, inside
//!   `$(…)` and backticks, after `if`/`then`/`do`/`else`/`elif`/`while`/`until`/`!`/`{`, after
//!   environment assignments (`FOO=bar docker login …`) and after the wrappers `sudo`, `doas`,
//!   `command`, `exec`, `env`, `nohup`, `nice`, `time`, `timeout` (with their options). The
//!   script argument of `sh -c '…'` (also `bash`, `dash`, `zsh`, `ash`, `ksh`, bundled options
//!   such as `-ec`) and of `eval '…'` is scanned as commands when it is one plain quoted string.
//!   Text inside any other quoted argument (`echo "docker login -p x"`) is not a command.
//! * Redirections (`>f`, `2>&1`, `<<EOF`) and their targets are not arguments.
//!
//! # What is literal
//!
//! After removing quotes, a value is literal when it is not empty and contains no expansion:
//! `$NAME`, `$1`, `$@`-style specials, `$$` (Makefile), `${…}` (shell, Makefile and
//! `${{ … }}` GitHub expressions), `$(…)` (command substitution and Makefile variables), a
//! backtick command substitution or a `{{ … }}` template (Justfile, Taskfile). Conservatively (to
//! stay quiet) an expansion anywhere in the value makes it non-literal (`pre$VAR`), and this is
//! checked inside single quotes too, because Make, GitHub Actions and template engines expand
//! before the shell sees the quotes. `%VAR%` is literal. A flag followed by nothing, by another
//! flag (`-p --username u`) or by an empty string (`-p ""`) is not a finding, and neither is
//! `--password-stdin`.
//!
//! # Limitations
//!
//! Dockerfile exec form (`RUN ["docker", "login", …]`), quoted strings spanning lines, commands
//! stored in variables or Makefile variable definitions, `su -c`, `xargs` and other indirect
//! invocations are not followed; heredoc bodies are read as shell lines. A program named by a
//! variable is recognised only when the variable is named after it (`$(DOCKER) login`,
//! `${KUBECTL} create …`). Global options before a subcommand are skipped only when they look
//! like options (`docker --config d login`, `kubectl -n ns create secret …`). `flag_span` is
//! exactly the flag when it is written plainly or right after an opening quote; otherwise
//! (quotes, escapes or a continuation inside the flag) it runs from the start of the word to
//! the flag's last character, and never reaches into the value.

use std::ops::Range;

mod commands;
mod lex;
use commands::*;
use lex::*;

/// The kind of script a file holds; it decides which lines are shell and how they are prefixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScriptKind {
    /// A shell script (`*.sh`, `*.bash`).
    Shell,
    /// A Makefile: recipe lines may start with `@`, `-`, `+`.
    Makefile,
    /// A Justfile: recipe lines may start with `@`, `-`; `{{…}}` are template expressions.
    Justfile,
    /// A go-task Taskfile (YAML; `cmds:` entries are shell, `{{…}}` are template expressions).
    Taskfile,
    /// A GitHub Actions workflow (YAML; `run:` values are shell, `${{ … }}` are expressions).
    GithubWorkflow,
    /// A GitLab CI file (YAML; `script:`-style entries are shell).
    GitlabCi,
    /// A Dockerfile or Containerfile: `RUN` instructions are shell.
    Dockerfile,
}

impl ScriptKind {
    /// By file name and path (`/`-separated relative path): `*.sh`, `*.bash`, `Makefile`,
    /// `makefile`, `GNUmakefile`, `*.mk`, `Justfile`/`justfile`/`.justfile`,
    /// `Taskfile.yml`/`Taskfile.yaml`/`taskfile.yml` (and `.yaml`, `.dist.` variants),
    /// `.github/workflows/*.yml|yaml` (files directly in that directory), `.gitlab-ci.yml`
    /// (also `.yaml` and `*.gitlab-ci.yml`), Dockerfile names (`Dockerfile`, `Dockerfile.*`,
    /// `*.Dockerfile`, `Containerfile`, `Containerfile.*`, `*.Containerfile`, any letter case;
    /// `*.dockerignore` excluded). `None` for anything else.
    pub fn of(path: &str) -> Option<ScriptKind> {
        let mut path = path;
        while let Some(rest) = path.strip_prefix("./") {
            path = rest;
        }
        let name = path.rsplit('/').next().unwrap_or(path);
        let lower = name.to_ascii_lowercase();
        let yaml = lower.ends_with(".yml") || lower.ends_with(".yaml");

        const WORKFLOWS: &str = ".github/workflows/";
        let workflow_rest = match path.strip_prefix(WORKFLOWS) {
            Some(rest) => Some(rest),
            None => path
                .find("/.github/workflows/")
                .and_then(|i| path.get(i + 1 + WORKFLOWS.len()..)),
        };
        if let Some(rest) = workflow_rest
            && yaml
            && !rest.contains('/')
        {
            return Some(ScriptKind::GithubWorkflow);
        }
        if lower == ".gitlab-ci.yml"
            || lower == ".gitlab-ci.yaml"
            || lower.ends_with(".gitlab-ci.yml")
        {
            return Some(ScriptKind::GitlabCi);
        }
        if matches!(
            name,
            "Taskfile.yml"
                | "Taskfile.yaml"
                | "taskfile.yml"
                | "taskfile.yaml"
                | "Taskfile.dist.yml"
                | "Taskfile.dist.yaml"
                | "taskfile.dist.yml"
                | "taskfile.dist.yaml"
        ) {
            return Some(ScriptKind::Taskfile);
        }
        if lower == "justfile" || lower == ".justfile" {
            return Some(ScriptKind::Justfile);
        }
        if matches!(name, "Makefile" | "makefile" | "GNUmakefile") || lower.ends_with(".mk") {
            return Some(ScriptKind::Makefile);
        }
        let dockerish = lower == "dockerfile"
            || lower == "containerfile"
            || lower.starts_with("dockerfile.")
            || lower.starts_with("containerfile.")
            || lower.ends_with(".dockerfile")
            || lower.ends_with(".containerfile");
        if dockerish && !lower.ends_with(".dockerignore") {
            return Some(ScriptKind::Dockerfile);
        }
        if lower.ends_with(".sh") || lower.ends_with(".bash") {
            return Some(ScriptKind::Shell);
        }
        None
    }
}

/// One registry login with a literal password on its command line.
///
/// It holds no part of the password, so printing it (`Debug`) reveals nothing secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliPassword {
    /// The command, normalized: "docker login", "kubectl create secret docker-registry",
    /// "helm registry login", ...
    pub command: &'static str,
    /// The flag as written: "-p", "--password", "--docker-password".
    pub flag: String,
    /// Byte range of the FLAG token only (e.g. `--docker-password` without `=value`) in the
    /// original text.
    pub flag_span: Range<usize>,
    /// Byte range of the whole command (from its program word, after any `sudo`/`env`-style
    /// wrapper or assignment, to the end of its last argument, across continuations).
    pub command_span: Range<usize>,
}

/// Finds every registry login with a literal password in `text`, read as a script of `kind`.
///
/// Results are ordered by position. Never panics, whatever the input.
/// A simple command of a script: its program (base name, as [`find_cli_passwords`] reads it:
/// after assignments, wrappers such as `sudo` and `env`, and inside `sh -c '…'`), its words
/// after the program (unquoted), and where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    pub program: String,
    pub args: Vec<String>,
    pub span: Range<usize>,
}

/// Every simple command of `text`, read as a script of `kind`, in the order met.
pub fn commands(text: &str, kind: ScriptKind) -> Vec<Command> {
    let mut ctx = Ctx {
        text,
        jobs: Vec::new(),
        out: Vec::new(),
        commands: Some(Vec::new()),
    };
    run(&mut ctx, kind);
    let mut commands = ctx.commands.unwrap_or_default();
    commands.sort_by_key(|c| c.span.start);
    commands
}

pub fn find_cli_passwords(text: &str, kind: ScriptKind) -> Vec<CliPassword> {
    let mut ctx = Ctx {
        text,
        jobs: Vec::new(),
        out: Vec::new(),
        commands: None,
    };
    run(&mut ctx, kind);
    let mut out = ctx.out;
    out.sort_by(|a, b| {
        (a.flag_span.start, a.flag_span.end, a.command_span.start).cmp(&(
            b.flag_span.start,
            b.flag_span.end,
            b.command_span.start,
        ))
    });
    out.dedup();
    out
}

/// Read `text` as a script of `kind`, checking every command into `ctx`.
fn run(ctx: &mut Ctx<'_>, kind: ScriptKind) {
    let text = ctx.text;
    if kind == ScriptKind::Dockerfile {
        scan_dockerfile(ctx);
    } else {
        scan_lines(ctx, kind);
    }
    while let Some(job) = ctx.jobs.pop() {
        let mut cur = Cur::new(text, job.start, job.end, job.cont);
        loop {
            let toks = tokenize(&mut cur, job.depth, &mut ctx.jobs);
            analyze(ctx, toks, job.depth, job.cont, false);
            match cur.peek() {
                Some('\n') => cur.bump('\n'),
                _ => break,
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Commands recognised
// ---------------------------------------------------------------------------------------------

/// A login command: program, subcommand words, normalized name and password flags.
struct Spec {
    program: &'static str,
    sub: &'static [&'static str],
    command: &'static str,
    /// Whether `-p` (also `-pVALUE`, `-p=VALUE`) is the short password flag.
    short: bool,
    /// The long password flag (also `--flag=VALUE`).
    long: &'static str,
}

const fn login(program: &'static str, command: &'static str) -> Spec {
    Spec {
        program,
        sub: &["login"],
        command,
        short: true,
        long: "--password",
    }
}

const DOCKER_REGISTRY_SECRET: &[&str] = &["create", "secret", "docker-registry"];

const SPECS: &[Spec] = &[
    login("docker", "docker login"),
    login("podman", "podman login"),
    login("buildah", "buildah login"),
    login("skopeo", "skopeo login"),
    login("nerdctl", "nerdctl login"),
    login("oras", "oras login"),
    Spec {
        program: "helm",
        sub: &["registry", "login"],
        command: "helm registry login",
        short: true,
        long: "--password",
    },
    Spec {
        program: "crane",
        sub: &["auth", "login"],
        command: "crane auth login",
        short: true,
        long: "--password",
    },
    Spec {
        program: "kubectl",
        sub: DOCKER_REGISTRY_SECRET,
        command: "kubectl create secret docker-registry",
        short: false,
        long: "--docker-password",
    },
    Spec {
        program: "oc",
        sub: DOCKER_REGISTRY_SECRET,
        command: "oc create secret docker-registry",
        short: false,
        long: "--docker-password",
    },
];

/// Words that may precede a command without being it.
const RESERVED: &[&str] = &[
    "if", "then", "do", "else", "elif", "while", "until", "!", "{", "}",
];

/// Shells whose `-c` argument is itself scanned.
const SHELLS: &[&str] = &["sh", "bash", "dash", "zsh", "ash", "ksh"];

/// YAML keys whose values are shell.
const SHELL_KEYS: &[&str] = &[
    "run",
    "script",
    "before_script",
    "after_script",
    "cmd",
    "cmds",
    "command",
    "commands",
];

/// Nesting bound for `$(…)`, backticks and `sh -c` (keeps the scan linear).
const MAX_DEPTH: u8 = 8;

/// Bytes of a word's unquoted text kept for comparisons (its full length is counted apart).
const COOKED_CAP: usize = 256;

/// Options (taking a value) of command wrappers; `None` if `name` is no wrapper.
fn wrapper_opts(name: &str) -> Option<&'static [&'static str]> {
    Some(match name {
        "sudo" => &[
            "-u", "-g", "-h", "-p", "-C", "-D", "-R", "-T", "-U", "-r", "-t",
        ],
        "doas" => &["-u", "-C"],
        "env" => &["-u", "-C", "-S"],
        "exec" => &["-a"],
        "nice" => &["-n"],
        "timeout" => &["-s", "-k"],
        "command" | "nohup" | "time" => &[],
        _ => return None,
    })
}

// ---------------------------------------------------------------------------------------------
// Drivers
// ---------------------------------------------------------------------------------------------

fn find_nl(b: &[u8], from: usize) -> usize {
    b.get(from..)
        .and_then(|r| r.iter().position(|&c| c == b'\n'))
        .map_or(b.len(), |i| from + i)
}

fn skip_blanks(b: &[u8], mut p: usize, end: usize) -> usize {
    while p < end && matches!(b.get(p), Some(b' ' | b'\t' | b'\r')) {
        p += 1;
    }
    p
}

/// Line by line (all kinds but Dockerfile).
fn scan_lines(ctx: &mut Ctx, kind: ScriptKind) {
    let text = ctx.text;
    let b = text.as_bytes();
    let len = b.len();
    let mut pos = 0;
    while pos < len {
        let line_end = find_nl(b, pos);
        let content = match kind {
            ScriptKind::GithubWorkflow | ScriptKind::GitlabCi | ScriptKind::Taskfile => {
                yaml_content(b, pos, line_end)
            }
            ScriptKind::Makefile | ScriptKind::Justfile => {
                let mut p = pos;
                while p < line_end && matches!(b.get(p), Some(b' ' | b'\t' | b'@' | b'-' | b'+')) {
                    p += 1;
                }
                Some((p, len))
            }
            _ => Some((pos, len)),
        };
        let mut next = line_end + 1;
        if let Some((start, limit)) = content {
            let mut cur = Cur::new(text, start, limit, Cont::Shell);
            let toks = tokenize(&mut cur, 0, &mut ctx.jobs);
            analyze(ctx, toks, 0, Cont::Shell, false);
            if limit >= len {
                next = next.max(cur.pos + 1);
            }
        }
        pos = next;
    }
}

/// Where the shell of a YAML line starts (and ends, for a quoted scalar); `None` to skip it.
fn yaml_content(b: &[u8], pos: usize, line_end: usize) -> Option<(usize, usize)> {
    let at = |p: usize| {
        if p < line_end {
            b.get(p).copied()
        } else {
            None
        }
    };
    let mut p = skip_blanks(b, pos, line_end);
    let mut stripped = false;
    loop {
        if at(p) == Some(b'-') && matches!(at(p + 1), None | Some(b' ' | b'\t' | b'\r')) {
            p = skip_blanks(b, p + 1, line_end);
            stripped = true;
            continue;
        }
        if let Some((key_end, after)) = yaml_key(b, p, line_end) {
            let key = b.get(p..key_end)?;
            if !SHELL_KEYS.iter().any(|k| k.as_bytes() == key) {
                return None;
            }
            p = skip_blanks(b, after, line_end);
            stripped = true;
            continue;
        }
        break;
    }
    if !stripped {
        return Some((pos, b.len()));
    }
    match at(p) {
        Some(b'|' | b'>') => None,
        Some(q @ (b'"' | b'\'')) => {
            let close = b
                .get(p + 1..line_end)
                .and_then(|r| r.iter().rposition(|&c| c == q))
                .map(|i| p + 1 + i);
            Some((p + 1, close.unwrap_or(b.len())))
        }
        _ => Some((p, b.len())),
    }
}

/// `key:` followed by a blank or the end of the line: `(end of key, after the colon)`.
fn yaml_key(b: &[u8], p: usize, line_end: usize) -> Option<(usize, usize)> {
    let first = *b.get(p)?;
    if p >= line_end || !(first.is_ascii_alphabetic() || first == b'_') {
        return None;
    }
    let mut q = p + 1;
    while q < line_end
        && b.get(q)
            .is_some_and(|&c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.'))
    {
        q += 1;
    }
    if q >= line_end || b.get(q) != Some(&b':') {
        return None;
    }
    if q + 1 < line_end && !matches!(b.get(q + 1), Some(b' ' | b'\t' | b'\r')) {
        return None;
    }
    Some((q, q + 1))
}

/// The Dockerfile escape character from a `# escape=` parser directive (default `\`).
fn docker_escape(text: &str) -> u8 {
    for line in text.split('\n') {
        let t = line.trim();
        let Some(body) = t.strip_prefix('#') else {
            return b'\\';
        };
        let Some((key, value)) = body.split_once('=') else {
            return b'\\';
        };
        let key = key.trim();
        if key.is_empty() || !key.bytes().all(|c| c.is_ascii_alphabetic()) {
            return b'\\';
        }
        if key.eq_ignore_ascii_case("escape") {
            return if value.trim() == "`" { b'`' } else { b'\\' };
        }
    }
    b'\\'
}

fn scan_dockerfile(ctx: &mut Ctx) {
    let text = ctx.text;
    let b = text.as_bytes();
    let len = b.len();
    let esc = docker_escape(text);
    let cont = Cont::Docker(esc);
    let alpha_end = |mut p: usize, end: usize| {
        while p < end && b.get(p).is_some_and(|c| c.is_ascii_alphabetic()) {
            p += 1;
        }
        p
    };
    let mut pos = 0;
    while pos < len {
        let line_end = find_nl(b, pos);
        let p = skip_blanks(b, pos, line_end);
        if p >= line_end || b.get(p) == Some(&b'#') {
            pos = line_end + 1;
            continue;
        }
        let (mut w0, mut w1) = (p, alpha_end(p, line_end));
        if b.get(w0..w1)
            .is_some_and(|w| w.eq_ignore_ascii_case(b"ONBUILD"))
        {
            w0 = skip_blanks(b, w1, line_end);
            w1 = alpha_end(w0, line_end);
        }
        let is_run = b
            .get(w0..w1)
            .is_some_and(|w| w.eq_ignore_ascii_case(b"RUN"))
            && match b.get(w1) {
                None => true,
                Some(&c) => matches!(c, b' ' | b'\t' | b'\r' | b'\n') || c == esc,
            };
        let mut next;
        if is_run {
            let mut cur = Cur::new(text, w1, len, cont);
            let toks = tokenize(&mut cur, 0, &mut ctx.jobs);
            let heredocs = analyze(ctx, toks, 0, cont, true);
            next = cur.pos + 1;
            for (delim, dash) in heredocs {
                next = heredoc_body(ctx, next, &delim, dash);
            }
        } else {
            let mut cur = Cur::new(text, p, len, cont);
            while let Some(c) = cur.peek() {
                if c == '\n' {
                    break;
                }
                cur.bump(c);
            }
            next = cur.pos + 1;
        }
        pos = next.max(line_end + 1);
    }
}

/// Scans heredoc body lines from `pos` as shell up to the delimiter line; returns the position
/// after it.
fn heredoc_body(ctx: &mut Ctx, mut pos: usize, delim: &str, dash: bool) -> usize {
    let text = ctx.text;
    let b = text.as_bytes();
    while pos < b.len() {
        let le = find_nl(b, pos);
        let line = text.get(pos..le).unwrap_or("");
        let line = line.strip_suffix('\r').unwrap_or(line);
        let line = if dash {
            line.trim_start_matches('\t')
        } else {
            line
        };
        if line == delim {
            return le + 1;
        }
        let mut cur = Cur::new(text, pos, le, Cont::Shell);
        let toks = tokenize(&mut cur, 0, &mut ctx.jobs);
        analyze(ctx, toks, 0, Cont::Shell, false);
        pos = le + 1;
    }
    pos
}

#[cfg(test)]
mod tests;

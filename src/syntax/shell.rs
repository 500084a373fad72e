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
pub fn find_cli_passwords(text: &str, kind: ScriptKind) -> Vec<CliPassword> {
    let mut ctx = Ctx {
        text,
        jobs: Vec::new(),
        out: Vec::new(),
    };
    if kind == ScriptKind::Dockerfile {
        scan_dockerfile(&mut ctx);
    } else {
        scan_lines(&mut ctx, kind);
    }
    while let Some(job) = ctx.jobs.pop() {
        let mut cur = Cur::new(text, job.start, job.end, job.cont);
        loop {
            let toks = tokenize(&mut cur, job.depth, &mut ctx.jobs);
            analyze(&mut ctx, toks, job.depth, job.cont, false);
            match cur.peek() {
                Some('\n') => cur.bump('\n'),
                _ => break,
            }
        }
    }
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
// Cursor: reads one range of the text, skipping line continuations
// ---------------------------------------------------------------------------------------------

/// How lines are continued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cont {
    /// `\` immediately before the newline.
    Shell,
    /// Dockerfile escape character (`\` or `` ` ``), optional trailing blanks; blank and
    /// comment lines inside the continuation are skipped.
    Docker(u8),
}

struct Cur<'a> {
    s: &'a str,
    b: &'a [u8],
    pos: usize,
    end: usize,
    /// Position just after the last consumed character.
    last: usize,
    cont: Cont,
}

impl<'a> Cur<'a> {
    fn new(s: &'a str, start: usize, end: usize, cont: Cont) -> Self {
        let end = end.min(s.len());
        let start = start.min(end);
        Cur {
            s,
            b: s.as_bytes(),
            pos: start,
            end,
            last: start,
            cont,
        }
    }

    fn byte(&self, i: usize) -> Option<u8> {
        if i < self.end {
            self.b.get(i).copied()
        } else {
            None
        }
    }

    /// Whether the backtick is the escape character (Windows-style Dockerfiles).
    fn backtick_escape(&self) -> bool {
        self.cont == Cont::Docker(b'`')
    }

    /// Skips any line continuations at the current position.
    fn norm(&mut self) {
        let (esc, docker) = match self.cont {
            Cont::Shell => (b'\\', false),
            Cont::Docker(e) => (e, true),
        };
        while self.byte(self.pos) == Some(esc) {
            let mut q = self.pos + 1;
            if docker {
                while matches!(self.byte(q), Some(b' ' | b'\t')) {
                    q += 1;
                }
            }
            if self.byte(q) == Some(b'\r') {
                q += 1;
            }
            if self.byte(q) != Some(b'\n') {
                return;
            }
            q += 1;
            if docker {
                q = self.skip_blank_and_comment_lines(q);
            }
            self.pos = q;
        }
    }

    fn skip_blank_and_comment_lines(&self, mut q: usize) -> usize {
        loop {
            let mut r = q;
            while matches!(self.byte(r), Some(b' ' | b'\t' | b'\r')) {
                r += 1;
            }
            match self.byte(r) {
                Some(b'\n') => q = r + 1,
                Some(b'#') => match self.find_newline(r) {
                    Some(nl) => q = nl + 1,
                    None => return self.end,
                },
                _ => return q,
            }
        }
    }

    fn find_newline(&self, from: usize) -> Option<usize> {
        self.b
            .get(from..self.end)?
            .iter()
            .position(|&c| c == b'\n')
            .map(|i| from + i)
    }

    /// The next character, after skipping continuations.
    fn peek(&mut self) -> Option<char> {
        self.norm();
        self.raw_peek()
    }

    /// The next character, continuations not skipped.
    fn raw_peek(&self) -> Option<char> {
        self.s.get(self.pos..self.end)?.chars().next()
    }

    /// Consumes `c`, the character just peeked.
    fn bump(&mut self, c: char) {
        self.pos = (self.pos + c.len_utf8()).min(self.end);
        self.last = self.pos;
    }

    /// Consumes the character after an escape, unless it is a newline or the end.
    fn bump_escaped(&mut self) -> Option<char> {
        match self.raw_peek() {
            Some('\n') | None => None,
            Some(c) => {
                self.bump(c);
                Some(c)
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------------------------

struct Word {
    /// Byte range of the word as written.
    start: usize,
    end: usize,
    /// Unquoted text, capped at [`COOKED_CAP`] bytes.
    cooked: String,
    full: bool,
    /// Length in bytes of the whole unquoted text.
    len: usize,
    /// Contains an expansion (variable, substitution, expression, template).
    exp: bool,
}

impl Word {
    fn new(start: usize) -> Self {
        Word {
            start,
            end: start,
            cooked: String::new(),
            full: false,
            len: 0,
            exp: false,
        }
    }

    /// Appends text copied as written (the inside of `$(…)`, `${…}`).
    fn push_raw(&mut self, s: &str) {
        self.len += s.len();
        for c in s.chars() {
            if self.full {
                break;
            }
            self.len -= c.len_utf8();
            self.push(c);
        }
    }

    fn push(&mut self, c: char) {
        self.len += c.len_utf8();
        if !self.full {
            if self.cooked.len() + c.len_utf8() <= COOKED_CAP {
                self.cooked.push(c);
            } else {
                self.full = true;
            }
        }
    }
}

enum Tok {
    Word(Word),
    /// A command boundary: `;`, `&`, `|`, `(`, `)`.
    Sep,
    /// A redirection operator; the next word is its target.
    Redir {
        heredoc: bool,
        dash: bool,
    },
}

/// A range still to scan as commands (substitutions, `sh -c` scripts).
struct Job {
    start: usize,
    end: usize,
    depth: u8,
    cont: Cont,
}

fn queue(jobs: &mut Vec<Job>, start: usize, end: usize, depth: u8, cont: Cont) {
    if depth < MAX_DEPTH && end > start {
        jobs.push(Job {
            start,
            end,
            depth: depth + 1,
            cont,
        });
    }
}

/// Splits one logical line (up to a real newline or the end of the cursor) into tokens.
fn tokenize(cur: &mut Cur, depth: u8, jobs: &mut Vec<Job>) -> Vec<Tok> {
    let mut toks = Vec::new();
    while let Some(c) = cur.peek() {
        match c {
            '\n' => break,
            ' ' | '\t' | '\r' => cur.bump(c),
            '#' => {
                cur.pos = cur.find_newline(cur.pos).unwrap_or(cur.end);
            }
            ';' | '&' | '|' | '(' | ')' => {
                cur.bump(c);
                toks.push(Tok::Sep);
            }
            '<' | '>' => toks.push(redirection(cur)),
            _ => {
                let before = cur.pos;
                let w = word(cur, depth, jobs);
                if cur.pos == before {
                    // Cannot happen (the first character is always consumed), but never loop.
                    cur.bump(c);
                }
                // A file descriptor number of a redirection (`2>&1`) is no argument.
                let fd = cur.pos == w.end
                    && !w.cooked.is_empty()
                    && w.cooked.bytes().all(|b| b.is_ascii_digit())
                    && matches!(cur.raw_peek(), Some('<' | '>'));
                if !fd {
                    toks.push(Tok::Word(w));
                }
            }
        }
    }
    toks
}

fn redirection(cur: &mut Cur) -> Tok {
    let mut lt = 0;
    let mut n = 0;
    while let Some(c @ ('<' | '>')) = cur.peek() {
        if c == '<' {
            lt += 1;
        }
        n += 1;
        cur.bump(c);
        if n == 3 {
            break;
        }
    }
    let heredoc = lt == 2 && n == 2;
    let mut dash = false;
    match cur.peek() {
        Some('-') if heredoc => {
            cur.bump('-');
            dash = true;
        }
        Some(c @ ('&' | '|')) if !heredoc => cur.bump(c),
        _ => {}
    }
    Tok::Redir { heredoc, dash }
}

fn word(cur: &mut Cur, depth: u8, jobs: &mut Vec<Job>) -> Word {
    let mut w = Word::new(cur.pos);
    while let Some(c) = cur.peek() {
        match c {
            '\n' | ' ' | '\t' | '\r' | ';' | '&' | '|' | '(' | ')' | '<' | '>' => break,
            '\\' => escape(cur, &mut w, c),
            '`' if cur.backtick_escape() => escape(cur, &mut w, c),
            '`' => {
                cur.bump(c);
                w.push(c);
                w.exp = true;
                backtick(cur, depth, jobs);
            }
            '\'' => single_quoted(cur, &mut w),
            '"' => double_quoted(cur, &mut w, depth, jobs),
            '$' => dollar(cur, &mut w, depth, jobs),
            '{' => brace_or_template(cur, &mut w),
            _ => {
                cur.bump(c);
                w.push(c);
            }
        }
    }
    w.end = cur.last.max(w.start);
    w
}

fn escape(cur: &mut Cur, w: &mut Word, esc: char) {
    cur.bump(esc);
    if let Some(n) = cur.bump_escaped() {
        w.push(n);
    }
}

fn is_trigger(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'_' | b'{' | b'(' | b'@' | b'*' | b'#' | b'?' | b'!' | b'$' | b'-'
        )
}

fn single_quoted(cur: &mut Cur, w: &mut Word) {
    cur.bump('\'');
    while let Some(c) = cur.peek() {
        match c {
            '\n' => return,
            '\'' => {
                cur.bump(c);
                return;
            }
            _ => {
                // Make, GitHub Actions and template engines expand before the shell: stay quiet.
                let next = cur.byte(cur.pos + 1);
                if (c == '$' && next.is_some_and(is_trigger))
                    || c == '`'
                    || (c == '{' && next == Some(b'{'))
                {
                    w.exp = true;
                }
                cur.bump(c);
                w.push(c);
            }
        }
    }
}

fn double_quoted(cur: &mut Cur, w: &mut Word, depth: u8, jobs: &mut Vec<Job>) {
    cur.bump('"');
    while let Some(c) = cur.peek() {
        match c {
            '\n' => return,
            '"' => {
                cur.bump(c);
                return;
            }
            '\\' => escape(cur, w, c),
            '`' if cur.backtick_escape() => escape(cur, w, c),
            '`' => {
                cur.bump(c);
                w.push(c);
                w.exp = true;
                backtick(cur, depth, jobs);
            }
            '$' => dollar(cur, w, depth, jobs),
            '{' => brace_or_template(cur, w),
            _ => {
                cur.bump(c);
                w.push(c);
            }
        }
    }
}

fn dollar(cur: &mut Cur, w: &mut Word, depth: u8, jobs: &mut Vec<Job>) {
    cur.bump('$');
    w.push('$');
    match cur.peek() {
        Some('(') => {
            cur.bump('(');
            w.push('(');
            w.exp = true;
            let start = cur.pos;
            let end = scan_balanced(cur, '(', ')');
            w.push_raw(cur.s.get(start..cur.last).unwrap_or(""));
            queue(jobs, start, end, depth, cur.cont);
        }
        Some('{') => {
            cur.bump('{');
            w.push('{');
            w.exp = true;
            let start = cur.pos;
            scan_balanced(cur, '{', '}');
            w.push_raw(cur.s.get(start..cur.last).unwrap_or(""));
        }
        Some(c) if c.is_ascii() && is_trigger(c as u8) => w.exp = true,
        _ => {}
    }
}

/// Scans to the `close` matching an already consumed `open`; returns the position of `close`
/// (or of the end of the logical line when unbalanced), consuming it.
fn scan_balanced(cur: &mut Cur, open: char, close: char) -> usize {
    let mut depth = 1usize;
    while let Some(c) = cur.peek() {
        match c {
            '\n' => break,
            '\\' => {
                cur.bump(c);
                cur.bump_escaped();
            }
            '\'' | '"' => skip_quoted(cur, c),
            _ if c == open => {
                depth += 1;
                cur.bump(c);
            }
            _ if c == close => {
                depth -= 1;
                let at = cur.pos;
                cur.bump(c);
                if depth == 0 {
                    return at;
                }
            }
            _ => cur.bump(c),
        }
    }
    cur.pos
}

fn skip_quoted(cur: &mut Cur, q: char) {
    cur.bump(q);
    while let Some(c) = cur.peek() {
        match c {
            '\n' => return,
            '\\' if q == '"' => {
                cur.bump(c);
                cur.bump_escaped();
            }
            _ if c == q => {
                cur.bump(c);
                return;
            }
            _ => cur.bump(c),
        }
    }
}

/// After an opening backtick: scans to the closing one and queues the command inside.
fn backtick(cur: &mut Cur, depth: u8, jobs: &mut Vec<Job>) {
    let start = cur.pos;
    while let Some(c) = cur.peek() {
        match c {
            '\n' => break,
            '\\' => {
                cur.bump(c);
                cur.bump_escaped();
            }
            '`' => {
                let end = cur.pos;
                cur.bump(c);
                queue(jobs, start, end, depth, cur.cont);
                return;
            }
            _ => cur.bump(c),
        }
    }
    queue(jobs, start, cur.pos, depth, cur.cont);
}

/// `{`, or a `{{ … }}` template expression.
fn brace_or_template(cur: &mut Cur, w: &mut Word) {
    cur.bump('{');
    w.push('{');
    if cur.peek() != Some('{') {
        return;
    }
    cur.bump('{');
    w.push('{');
    w.exp = true;
    let mut closing = false;
    while let Some(c) = cur.peek() {
        if c == '\n' {
            return;
        }
        cur.bump(c);
        if c == '}' {
            if closing {
                return;
            }
            closing = true;
        } else {
            closing = false;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------------------------

struct Ctx<'a> {
    text: &'a str,
    jobs: Vec<Job>,
    out: Vec<CliPassword>,
}

/// Splits tokens into simple commands and checks each; returns heredoc delimiters
/// (`(word, strip_tabs)`) in order.
fn analyze(
    ctx: &mut Ctx,
    toks: Vec<Tok>,
    depth: u8,
    cont: Cont,
    run_line: bool,
) -> Vec<(String, bool)> {
    let mut heredocs = Vec::new();
    let mut cmd: Vec<Word> = Vec::new();
    let mut first = true;
    let mut redir: Option<(bool, bool)> = None;
    for tok in toks {
        match tok {
            Tok::Word(w) => match redir.take() {
                Some((true, dash)) if !w.full && !w.cooked.is_empty() => {
                    heredocs.push((w.cooked, dash));
                }
                Some(_) => {}
                None => cmd.push(w),
            },
            Tok::Redir { heredoc, dash } => redir = Some((heredoc, dash)),
            Tok::Sep => {
                redir = None;
                check_command(ctx, &cmd, depth, cont, first && run_line);
                cmd.clear();
                first = false;
            }
        }
    }
    check_command(ctx, &cmd, depth, cont, first && run_line);
    heredocs
}

fn is_assignment(c: &str) -> bool {
    let b = c.as_bytes();
    match b.first() {
        Some(f) if f.is_ascii_alphabetic() || *f == b'_' => {}
        _ => return false,
    }
    for (i, &x) in b.iter().enumerate().skip(1) {
        match x {
            b'=' => return true,
            b'+' => return b.get(i + 1) == Some(&b'='),
            _ if x.is_ascii_alphanumeric() || x == b'_' => {}
            _ => return false,
        }
    }
    false
}

/// The program a command word names: its base name, without `.exe`; a variable named after
/// a program (`$(DOCKER)`, `${DOCKER}`, `$DOCKER`) names that program.
fn program_name(cooked: &str) -> String {
    let base = cooked.rsplit('/').next().unwrap_or(cooked);
    let var = base
        .strip_prefix("$(")
        .and_then(|v| v.strip_suffix(')'))
        .or_else(|| base.strip_prefix("${").and_then(|v| v.strip_suffix('}')))
        .or_else(|| base.strip_prefix('$'));
    if let Some(v) = var
        && !v.is_empty()
        && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        return v.to_ascii_lowercase();
    }
    let lower = base.to_ascii_lowercase();
    match lower.strip_suffix(".exe") {
        Some(stem) => stem.to_string(),
        None => base.to_string(),
    }
}

fn is_flag(w: &Word) -> bool {
    w.cooked.starts_with('-') && w.len > 1
}

fn check_command(ctx: &mut Ctx, words: &[Word], depth: u8, cont: Cont, run_flags: bool) {
    let mut i = 0;
    if run_flags {
        while words.get(i).is_some_and(|w| w.cooked.starts_with("--")) {
            i += 1;
        }
    }
    // Prefixes: reserved words, assignments, wrappers and their options.
    let prog_idx = loop {
        let Some(w) = words.get(i) else { return };
        let c = w.cooked.as_str();
        if RESERVED.contains(&c) || is_assignment(c) {
            i += 1;
            continue;
        }
        let name = program_name(c);
        if let Some(value_opts) = wrapper_opts(&name) {
            i += 1;
            while let Some(o) = words.get(i) {
                let oc = o.cooked.as_str();
                if oc == "--" {
                    i += 1;
                    break;
                }
                if is_flag(o) {
                    i += if value_opts.contains(&oc) { 2 } else { 1 };
                } else if name == "env" && is_assignment(oc) {
                    i += 1;
                } else {
                    break;
                }
            }
            if name == "timeout" {
                i += 1;
            }
            continue;
        }
        break i;
    };
    let Some(prog_word) = words.get(prog_idx) else {
        return;
    };
    let prog = program_name(&prog_word.cooked);

    if SHELLS.contains(&prog.as_str()) {
        let mut k = prog_idx + 1;
        while let Some(w) = words.get(k) {
            let c = w.cooked.as_str();
            if c == "-o" || c == "+o" {
                k += 2;
                continue;
            }
            let opts = c.strip_prefix('-').or_else(|| c.strip_prefix('+'));
            match opts {
                Some(o) if !o.is_empty() && o.bytes().all(|b| b.is_ascii_alphabetic()) => {
                    if o.contains('c') {
                        if let Some(script) = words.get(k + 1) {
                            queue_quoted(ctx, script, depth, cont);
                        }
                        break;
                    }
                    k += 1;
                }
                _ => break,
            }
        }
        return;
    }
    if prog == "eval" {
        if words.len() == prog_idx + 2
            && let Some(script) = words.get(prog_idx + 1)
        {
            queue_quoted(ctx, script, depth, cont);
        }
        return;
    }

    for spec in SPECS.iter().filter(|s| s.program == prog) {
        if let Some(args_start) = match_sub(words, prog_idx + 1, spec.sub) {
            check_args(ctx, words, prog_idx, args_start, spec, cont);
        }
    }
}

/// Matches the subcommand words in order from `from`, allowing options (and one value after
/// an option without `=`) before and between them; returns where the arguments start.
fn match_sub(words: &[Word], from: usize, sub: &[&str]) -> Option<usize> {
    let mut k = 0;
    let mut after_flag = false;
    for (j, w) in words.iter().enumerate().skip(from) {
        let c = w.cooked.as_str();
        if is_flag(w) {
            after_flag = !c.contains('=');
            continue;
        }
        if sub.get(k) == Some(&c) {
            k += 1;
            after_flag = false;
            if k == sub.len() {
                return Some(j + 1);
            }
        } else if after_flag {
            after_flag = false;
        } else {
            return None;
        }
    }
    None
}

/// A value is literal when it is not empty and contains no expansion.
fn literal(w: &Word) -> bool {
    w.len > 0 && !w.exp
}

fn check_args(
    ctx: &mut Ctx,
    words: &[Word],
    prog_idx: usize,
    args_start: usize,
    spec: &Spec,
    cont: Cont,
) {
    let (Some(first), Some(last)) = (words.get(prog_idx), words.last()) else {
        return;
    };
    let command_span = first.start..last.end.max(first.start);
    let mut j = args_start;
    while let Some(w) = words.get(j) {
        let c = w.cooked.as_str();
        if c == "--" {
            break;
        }
        let mut step = 1;
        let mut found: Option<&'static str> = None;
        if c == spec.long || (spec.short && c == "-p") {
            let flag = if c == spec.long { spec.long } else { "-p" };
            if let Some(v) = words.get(j + 1)
                && !is_flag(v)
            {
                step = 2;
                if literal(v) {
                    found = Some(flag);
                }
            }
        } else if c.starts_with(spec.long) && c.as_bytes().get(spec.long.len()) == Some(&b'=') {
            if w.len > spec.long.len() + 1 && !w.exp {
                found = Some(spec.long);
            }
        } else if spec.short && c.starts_with("-p") && !c.starts_with("--") && w.len > 2 {
            let eq = usize::from(c.as_bytes().get(2) == Some(&b'='));
            if w.len > 2 + eq && !w.exp {
                found = Some("-p");
            }
        }
        if let Some(flag) = found {
            ctx.out.push(CliPassword {
                command: spec.command,
                flag: flag.to_string(),
                flag_span: flag_span(ctx.text, w, flag, cont),
                command_span: command_span.clone(),
            });
        }
        j += step;
    }
}

/// The flag's bytes when written plainly (or right after an opening quote); otherwise (quotes,
/// escapes or continuations inside the flag) from the word's start to the flag's last
/// character: never into the value.
fn flag_span(text: &str, w: &Word, flag: &str, cont: Cont) -> Range<usize> {
    let raw = text.get(w.start..w.end).unwrap_or("");
    if raw.starts_with(flag) {
        return w.start..w.start + flag.len();
    }
    if (raw.starts_with('"') || raw.starts_with('\''))
        && raw.get(1..).is_some_and(|r| r.starts_with(flag))
    {
        return w.start + 1..w.start + 1 + flag.len();
    }
    let mut cur = Cur::new(text, w.start, w.end, cont);
    let mut seen = 0;
    while seen < flag.len() {
        let Some(c) = cur.peek() else { break };
        cur.bump(c);
        match c {
            '\'' | '"' => {}
            '\\' => seen += cur.bump_escaped().map_or(0, char::len_utf8),
            '`' if cur.backtick_escape() => seen += cur.bump_escaped().map_or(0, char::len_utf8),
            _ => seen += c.len_utf8(),
        }
    }
    w.start..cur.last.max(w.start)
}

/// Queues the inside of a word that is one plain quoted string (`'…'`, or `"…"` without
/// backslashes) as a script.
fn queue_quoted(ctx: &mut Ctx, w: &Word, depth: u8, cont: Cont) {
    let Some(raw) = ctx.text.get(w.start..w.end) else {
        return;
    };
    let b = raw.as_bytes();
    let (Some(&q), Some(&e)) = (b.first(), b.last()) else {
        return;
    };
    if b.len() < 2 || q != e || !(q == b'\'' || q == b'"') {
        return;
    }
    let inner = &b[1..b.len() - 1];
    if inner.contains(&q) || (q == b'"' && inner.contains(&b'\\')) {
        return;
    }
    queue(&mut ctx.jobs, w.start + 1, w.end - 1, depth, cont);
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

//! Commands: tokens split into simple commands (pipelines, lists, subshells, heredocs), and
//! each checked for a registry login whose password is a literal argument.

use super::*;

pub(super) struct Ctx<'a> {
    pub(super) text: &'a str,
    pub(super) jobs: Vec<Job>,
    pub(super) out: Vec<CliPassword>,
    /// Every simple command met, when listing them ([`super::commands`]).
    pub(super) commands: Option<Vec<Command>>,
}

/// Splits tokens into simple commands and checks each; returns heredoc delimiters
/// (`(word, strip_tabs)`) in order.
pub(super) fn analyze(
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

pub(super) fn is_assignment(c: &str) -> bool {
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
pub(super) fn program_name(cooked: &str) -> String {
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

pub(super) fn is_flag(w: &Word) -> bool {
    w.cooked.starts_with('-') && w.len > 1
}

pub(super) fn check_command(ctx: &mut Ctx, words: &[Word], depth: u8, cont: Cont, run_flags: bool) {
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
    if let Some(commands) = &mut ctx.commands {
        commands.push(Command {
            program: prog.clone(),
            args: words[prog_idx + 1..]
                .iter()
                .map(|w| w.cooked.clone())
                .collect(),
            span: prog_word.start..words.last().map_or(prog_word.end, |w| w.end),
        });
    }

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
pub(super) fn match_sub(words: &[Word], from: usize, sub: &[&str]) -> Option<usize> {
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
pub(super) fn literal(w: &Word) -> bool {
    w.len > 0 && !w.exp
}

pub(super) fn check_args(
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
pub(super) fn flag_span(text: &str, w: &Word, flag: &str, cont: Cont) -> Range<usize> {
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
pub(super) fn queue_quoted(ctx: &mut Ctx, w: &Word, depth: u8, cont: Cont) {
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

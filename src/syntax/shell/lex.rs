//! The lexer: a cursor over one range of the text that skips line continuations, and the
//! tokens (words, quotes, substitutions, operators) it reads.

use super::*;

/// How lines are continued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Cont {
    /// `\` immediately before the newline.
    Shell,
    /// Dockerfile escape character (`\` or `` ` ``), optional trailing blanks; blank and
    /// comment lines inside the continuation are skipped.
    Docker(u8),
}

pub(super) struct Cur<'a> {
    pub(super) s: &'a str,
    pub(super) b: &'a [u8],
    pub(super) pos: usize,
    pub(super) end: usize,
    /// Position just after the last consumed character.
    pub(super) last: usize,
    pub(super) cont: Cont,
}

impl<'a> Cur<'a> {
    pub(super) fn new(s: &'a str, start: usize, end: usize, cont: Cont) -> Self {
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

    pub(super) fn byte(&self, i: usize) -> Option<u8> {
        if i < self.end {
            self.b.get(i).copied()
        } else {
            None
        }
    }

    /// Whether the backtick is the escape character (Windows-style Dockerfiles).
    pub(super) fn backtick_escape(&self) -> bool {
        self.cont == Cont::Docker(b'`')
    }

    /// Skips any line continuations at the current position.
    pub(super) fn norm(&mut self) {
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

    pub(super) fn skip_blank_and_comment_lines(&self, mut q: usize) -> usize {
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

    pub(super) fn find_newline(&self, from: usize) -> Option<usize> {
        self.b
            .get(from..self.end)?
            .iter()
            .position(|&c| c == b'\n')
            .map(|i| from + i)
    }

    /// The next character, after skipping continuations.
    pub(super) fn peek(&mut self) -> Option<char> {
        self.norm();
        self.raw_peek()
    }

    /// The next character, continuations not skipped.
    pub(super) fn raw_peek(&self) -> Option<char> {
        self.s.get(self.pos..self.end)?.chars().next()
    }

    /// Consumes `c`, the character just peeked.
    pub(super) fn bump(&mut self, c: char) {
        self.pos = (self.pos + c.len_utf8()).min(self.end);
        self.last = self.pos;
    }

    /// Consumes the character after an escape, unless it is a newline or the end.
    pub(super) fn bump_escaped(&mut self) -> Option<char> {
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

pub(super) struct Word {
    /// Byte range of the word as written.
    pub(super) start: usize,
    pub(super) end: usize,
    /// Unquoted text, capped at [`COOKED_CAP`] bytes.
    pub(super) cooked: String,
    pub(super) full: bool,
    /// Length in bytes of the whole unquoted text.
    pub(super) len: usize,
    /// Contains an expansion (variable, substitution, expression, template).
    pub(super) exp: bool,
}

impl Word {
    pub(super) fn new(start: usize) -> Self {
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
    pub(super) fn push_raw(&mut self, s: &str) {
        self.len += s.len();
        for c in s.chars() {
            if self.full {
                break;
            }
            self.len -= c.len_utf8();
            self.push(c);
        }
    }

    pub(super) fn push(&mut self, c: char) {
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

pub(super) enum Tok {
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
pub(super) struct Job {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) depth: u8,
    pub(super) cont: Cont,
}

pub(super) fn queue(jobs: &mut Vec<Job>, start: usize, end: usize, depth: u8, cont: Cont) {
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
pub(super) fn tokenize(cur: &mut Cur, depth: u8, jobs: &mut Vec<Job>) -> Vec<Tok> {
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

pub(super) fn redirection(cur: &mut Cur) -> Tok {
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

pub(super) fn word(cur: &mut Cur, depth: u8, jobs: &mut Vec<Job>) -> Word {
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

pub(super) fn escape(cur: &mut Cur, w: &mut Word, esc: char) {
    cur.bump(esc);
    if let Some(n) = cur.bump_escaped() {
        w.push(n);
    }
}

pub(super) fn is_trigger(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'_' | b'{' | b'(' | b'@' | b'*' | b'#' | b'?' | b'!' | b'$' | b'-'
        )
}

pub(super) fn single_quoted(cur: &mut Cur, w: &mut Word) {
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

pub(super) fn double_quoted(cur: &mut Cur, w: &mut Word, depth: u8, jobs: &mut Vec<Job>) {
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

pub(super) fn dollar(cur: &mut Cur, w: &mut Word, depth: u8, jobs: &mut Vec<Job>) {
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
pub(super) fn scan_balanced(cur: &mut Cur, open: char, close: char) -> usize {
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

pub(super) fn skip_quoted(cur: &mut Cur, q: char) {
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
pub(super) fn backtick(cur: &mut Cur, depth: u8, jobs: &mut Vec<Job>) {
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
pub(super) fn brace_or_template(cur: &mut Cur, w: &mut Word) {
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

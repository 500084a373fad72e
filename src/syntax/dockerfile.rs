//! Static extraction of `FROM` instructions from Dockerfiles and Containerfiles.
//!
//! [`parse`] reads the text of a Dockerfile and returns every `FROM` instruction
//! with the exact byte range of its image token in the original text, so that
//! findings can be reported at the right line and column. The image is resolved
//! as far as it can be without running a build: global `ARG` defaults are
//! substituted, references to earlier build stages and `scratch` are recognised,
//! and anything that depends on a build-time value is reported as
//! [`FromBase::Unresolved`] instead of being guessed.
//!
//! The rules follow BuildKit's Dockerfile frontend (`moby/buildkit`,
//! `frontend/dockerfile/parser`, `instructions`, `shell` and `dockerfile2llb`):
//!
//! * the physical-line reader: UTF-8 BOM, CRLF, parser directives at the top of
//!   the file (`# escape=`…), line continuations with the escape character,
//!   comment and blank lines skipped inside a continued instruction;
//! * heredocs (`RUN <<EOF`, `<<-EOF`, `<<"EOF"`, `COPY <<EOF …`, also behind
//!   `ONBUILD`), whose bodies are never read as instructions;
//! * `FROM [--flag=value…] <image> [AS <name>]`, with BuildKit's argument rules;
//! * the shell lexer used for variable substitution (`$VAR`, `${VAR}`,
//!   `${VAR:-word}`, `${VAR-word}`, `${VAR:+word}`, `${VAR+word}`,
//!   `${VAR?word}`, `${VAR#pattern}`, `${VAR%pattern}`, quotes and escapes);
//! * global-scope `ARG`s (before the first `FROM`) and the automatic platform
//!   ARGs ([`BUILTIN_ARGS`]), which exist but have no static value.
//!
//! The input is untrusted (pull-request content): parsing never panics and never
//! fails. Malformed instructions are reported as [`FromBase::Malformed`] or
//! skipped, substitution nesting and the total size of substituted text are
//! bounded, and all work is linear in the input apart from those bounded parts.

use std::collections::HashMap;
use std::ops::Range;

/// A parsed Dockerfile: its `FROM` instructions, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dockerfile {
    /// One entry per `FROM` instruction, in file order; `stages[i].stage_index == i`.
    pub stages: Vec<FromInstruction>,
}

/// One `FROM` instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FromInstruction {
    /// 0-based stage index (FROM order).
    pub stage_index: usize,
    /// `AS name`, as written.
    pub stage_name: Option<String>,
    /// `--platform=` value after substitution, if any (None if absent, or written as `--platform=`).
    ///
    /// Parts that cannot be resolved statically (such as `$BUILDPLATFORM`) are
    /// kept as written, so `--platform=$BUILDPLATFORM` gives `"$BUILDPLATFORM"`.
    pub platform: Option<String>,
    /// Byte range of the image token as written in the ORIGINAL text (not including flags or `AS`).
    /// If the token spans a line continuation, it still covers from its first to its last byte.
    ///
    /// For [`FromBase::Malformed`] it is the range of the `FROM` keyword.
    pub image_span: Range<usize>,
    /// The image token exactly as written (e.g. `${BASE}:1.2`), with line
    /// continuations removed. It equals `&text[image_span]` whenever the token
    /// does not span a line continuation. Empty for [`FromBase::Malformed`].
    pub image_written: String,
    /// What the image token resolves to.
    pub base: FromBase,
    /// Byte range of the whole FROM keyword through end of instruction (for messages about the line).
    ///
    /// It ends at the last non-blank character of the instruction, so it spans
    /// several lines when the instruction is continued.
    pub instruction_span: Range<usize>,
}

/// What the image token of a `FROM` instruction refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FromBase {
    /// An image reference (after ARG substitution), still unvalidated text.
    Image(String),
    /// Refers to an earlier stage (index into `stages`).
    Stage(usize),
    /// `FROM scratch` (any letter case): the empty base, not an image.
    Scratch,
    /// Could not be resolved statically; `variable` is the first unresolved name.
    ///
    /// The name is the one written in the `FROM` token (for `ARG BASE=$TARGETARCH`
    /// and `FROM $BASE` it is `BASE`).
    Unresolved {
        /// Name of the first variable whose value is not known statically.
        variable: String,
    },
    /// The instruction is not a valid `FROM` (BuildKit rejects it); the string says why.
    Malformed(String),
}

impl FromBase {
    /// The resolved image reference, if this base is an image.
    pub fn image(&self) -> Option<&str> {
        match self {
            FromBase::Image(image) => Some(image),
            _ => None,
        }
    }
}

impl Dockerfile {
    /// The last `FROM`, which is the stage built when no `--target` is given.
    #[must_use]
    pub fn final_stage(&self) -> Option<&FromInstruction> {
        self.stages.last()
    }

    /// The stages whose base is an image reference, with that reference.
    pub fn images(&self) -> impl Iterator<Item = (&FromInstruction, &str)> {
        self.stages
            .iter()
            .filter_map(|stage| stage.base.image().map(|image| (stage, image)))
    }
}

/// ARGs that BuildKit defines automatically in the global scope. They can be
/// used in `FROM` without being declared, and their values depend on the build,
/// so an image that uses one is [`FromBase::Unresolved`] (unless a global
/// `ARG NAME=default` overrides it, which BuildKit honours).
pub const BUILTIN_ARGS: &[&str] = &[
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDOSVERSION",
    "BUILDARCH",
    "BUILDVARIANT",
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETOSVERSION",
    "TARGETARCH",
    "TARGETVARIANT",
    "TARGETSTAGE",
];

/// Maximum nesting of `${…}` expressions (BuildKit has none; this bounds recursion).
const MAX_NESTING: usize = 64;
/// Maximum number of bytes of variable values substituted over a whole parse,
/// so that `ARG B=$A$A$A…` chains cannot blow up memory.
const EXPANSION_BUDGET: usize = 32 << 20;
/// Maximum `value length × pattern length` for one `${VAR#pattern}` match.
const MAX_PATTERN_WORK: usize = 16_000_000;

/// Parses Dockerfile text and returns its `FROM` instructions.
///
/// Never fails: malformed lines are skipped, and a `FROM` that BuildKit would
/// reject (no image, `FROM x AS` with no name, wrong number of arguments, an
/// invalid stage name, `--platform` without `=value`, a substitution syntax
/// error) is reported with [`FromBase::Malformed`] and `image_span` pointing at
/// the `FROM` keyword.
#[must_use]
pub fn parse(text: &str) -> Dockerfile {
    let mut env = HashMap::new();
    for name in BUILTIN_ARGS {
        env.insert((*name).to_string(), ArgValue::Unknown);
    }
    let parser = Parser {
        text,
        lines: LineReader::new(text),
        directives: Directives::default(),
        env,
        budget: EXPANSION_BUDGET,
        seen_from: false,
        stages: Vec::new(),
    };
    Dockerfile {
        stages: parser.run(),
    }
}

// ---------------------------------------------------------------------------
// Physical lines
// ---------------------------------------------------------------------------

/// Splits the text into lines on `\n`, like BuildKit's scanner, yielding the
/// range of each line without its terminator (`trimNewline` strips every
/// trailing `\r` and `\n`). A leading UTF-8 BOM is skipped.
struct LineReader<'t> {
    text: &'t str,
    pos: usize,
}

impl<'t> LineReader<'t> {
    fn new(text: &'t str) -> Self {
        let pos = if text.starts_with('\u{FEFF}') {
            '\u{FEFF}'.len_utf8()
        } else {
            0
        };
        LineReader { text, pos }
    }
}

impl Iterator for LineReader<'_> {
    type Item = Range<usize>;

    fn next(&mut self) -> Option<Range<usize>> {
        let rest = self.text.get(self.pos..)?;
        if rest.is_empty() {
            return None;
        }
        let (line_len, advance) = match rest.find('\n') {
            Some(i) => (i, i + 1),
            None => (rest.len(), rest.len()),
        };
        let start = self.pos;
        self.pos += advance;
        let line = rest.get(..line_len).unwrap_or("");
        let kept = line.trim_end_matches(['\r', '\n']).len();
        Some(start..start + kept)
    }
}

/// If `line` ends with a line-continuation escape, returns the length to keep
/// and `true`. Mirrors BuildKit's `([^E])E[ \t]*$|^E[ \t]*$`: an escape
/// preceded by another escape is not a continuation.
fn trim_continuation(line: &str, escape: char) -> (usize, bool) {
    let trimmed = line.trim_end_matches([' ', '\t']);
    let Some(before) = trimmed.strip_suffix(escape) else {
        return (line.len(), false);
    };
    match before.chars().next_back() {
        None => (0, true),
        Some(c) if c == escape => (line.len(), false),
        Some(_) => (before.len(), true),
    }
}

/// A logical line (an instruction with its continuations joined) and the map
/// from its byte offsets back to the original text.
#[derive(Default)]
struct Logical {
    text: String,
    /// `(offset in text, offset in the original)` of each non-empty piece.
    segments: Vec<(usize, usize)>,
}

impl Logical {
    fn push(&mut self, original_start: usize, piece: &str) {
        if piece.is_empty() {
            return;
        }
        self.segments.push((self.text.len(), original_start));
        self.text.push_str(piece);
    }

    /// Original offset of the byte at logical offset `at`.
    fn map(&self, at: usize) -> usize {
        let index = self.segments.partition_point(|&(start, _)| start <= at);
        match index.checked_sub(1).and_then(|i| self.segments.get(i)) {
            Some(&(logical, original)) => original + (at - logical),
            None => self.segments.first().map_or(0, |&(_, original)| original),
        }
    }

    /// Original range covering the logical range `range`, first to last byte.
    fn map_range(&self, range: Range<usize>) -> Range<usize> {
        let start = self.map(range.start);
        if range.end <= range.start {
            return start..start;
        }
        start..self.map(range.end - 1) + 1
    }
}

// ---------------------------------------------------------------------------
// Parser directives
// ---------------------------------------------------------------------------

/// Parser directives (`# escape=…`, `# syntax=…`, `# check=…`) recognised at the
/// top of the file, before any instruction, comment or blank line.
struct Directives {
    escape: char,
    done: bool,
    seen: Vec<String>,
}

impl Default for Directives {
    fn default() -> Self {
        Directives {
            escape: '\\',
            done: false,
            seen: Vec::new(),
        }
    }
}

/// `\s` in Go's RE2 syntax.
fn is_re_space(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\x0C' | '\r' | ' ')
}

impl Directives {
    /// Looks at one left-trimmed line; mirrors BuildKit's `DirectiveParser`.
    fn process(&mut self, line: &str) {
        if self.done {
            return;
        }
        let Some(body) = line.strip_prefix('#') else {
            self.done = true;
            return;
        };
        let body = body.trim_start();
        let name_len = body
            .char_indices()
            .take_while(|&(i, c)| {
                if i == 0 {
                    c.is_ascii_alphabetic()
                } else {
                    c.is_ascii_alphanumeric()
                }
            })
            .count();
        let (name, rest) = body.split_at(name_len.min(body.len()));
        let rest = rest.trim_start_matches(is_re_space);
        let value_part = match rest.strip_prefix('=') {
            Some(value_part) if name_len > 0 && !value_part.is_empty() => value_part,
            _ => {
                self.done = true;
                return;
            }
        };
        let name = name.to_ascii_lowercase();
        if !matches!(name.as_str(), "syntax" | "escape" | "check") {
            self.done = true;
            return;
        }
        if self.seen.contains(&name) {
            // BuildKit rejects a repeated directive; keep the first one.
            return;
        }
        let value = value_part.trim_matches(is_re_space);
        if name == "escape" {
            match value {
                "`" => self.escape = '`',
                "\\" => self.escape = '\\',
                _ => {} // BuildKit rejects any other escape token.
            }
        }
        self.seen.push(name);
    }
}

// ---------------------------------------------------------------------------
// Instruction splitting
// ---------------------------------------------------------------------------

/// `[\t\v\f\r ]`, BuildKit's `reWhitespace`.
fn is_token_space(c: char) -> bool {
    matches!(c, '\t' | '\x0B' | '\x0C' | '\r' | ' ')
}

/// An instruction split like BuildKit's `splitCommand`; ranges are into the line.
struct Command {
    name: Range<usize>,
    flags: Vec<String>,
    args: Range<usize>,
}

fn split_command(line: &str) -> Option<Command> {
    let start = line.len() - line.trim_start().len();
    let end = line.trim_end().len();
    let trimmed = line.get(start..end).filter(|t| !t.is_empty())?;
    let Some(space) = trimmed.find(is_token_space) else {
        return Some(Command {
            name: start..end,
            flags: Vec::new(),
            args: end..end,
        });
    };
    let after_space = trimmed.get(space..).map_or(0, |rest| {
        rest.len() - rest.trim_start_matches(is_token_space).len()
    });
    let rest_start = start + space + after_space;
    let rest = line.get(rest_start..end).unwrap_or("");
    let (flags, args_at) = extract_builder_flags(rest);
    let args = match args_at {
        Some(at) => {
            let args_start = rest_start + at;
            let raw = line.get(args_start..end).unwrap_or("");
            let lead = raw.len() - raw.trim_start().len();
            args_start + lead..args_start + raw.trim_end().len()
        }
        None => end..end,
    };
    Some(Command {
        name: start..start + space,
        flags,
        args,
    })
}

/// BuildKit's `extractBuilderFlags`: leading `--flag[=value]` words (quotes and
/// backslashes processed), and the offset where the arguments start, if any.
fn extract_builder_flags(line: &str) -> (Vec<String>, Option<usize>) {
    #[derive(PartialEq)]
    enum Phase {
        Spaces,
        Word,
        Quote,
    }
    let mut words = Vec::new();
    let mut phase = Phase::Spaces;
    let mut word = String::new();
    let mut quote = '\0';
    let mut blank_ok = false;
    let mut pos = 0;
    loop {
        let current = line.get(pos..).and_then(|rest| rest.chars().next());
        if phase == Phase::Spaces {
            let Some(c) = current else { break };
            if c.is_whitespace() {
                pos += c.len_utf8();
                continue;
            }
            if c != '-' || line.as_bytes().get(pos + 1) != Some(&b'-') {
                return (words, Some(pos));
            }
            phase = Phase::Word;
        }
        let Some(c) = current else {
            if word != "--" && (blank_ok || !word.is_empty()) {
                words.push(word);
            }
            break;
        };
        if phase == Phase::Word {
            if c.is_whitespace() {
                phase = Phase::Spaces;
                if word == "--" {
                    return (words, Some(pos));
                }
                if blank_ok || !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                word.clear();
                blank_ok = false;
                pos += c.len_utf8();
                continue;
            }
            if c == '\'' || c == '"' {
                quote = c;
                blank_ok = true;
                phase = Phase::Quote;
                pos += 1;
                continue;
            }
        } else if c == quote {
            phase = Phase::Word;
            pos += 1;
            continue;
        }
        let mut c = c;
        if c == '\\' {
            pos += 1;
            match line.get(pos..).and_then(|rest| rest.chars().next()) {
                Some(next) => c = next,
                None => {
                    // A backslash at the very end is dropped.
                    if phase == Phase::Quote {
                        phase = Phase::Word;
                    }
                    continue;
                }
            }
        }
        word.push(c);
        pos += c.len_utf8();
    }
    (words, None)
}

/// Splits FROM arguments on `[\t\v\f\r ]+`; ranges are into `args`.
fn split_args(args: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in args.char_indices() {
        match (is_token_space(c), start) {
            (true, Some(s)) => {
                out.push(s..i);
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(s..args.len());
    }
    out
}

/// Go's `strings.ToLower` for the few non-ASCII letters that lower-case to ASCII.
fn go_lower(c: char) -> char {
    match c {
        '\u{212A}' => 'k', // KELVIN SIGN
        '\u{0130}' => 'i', // LATIN CAPITAL LETTER I WITH DOT ABOVE
        _ => c.to_ascii_lowercase(),
    }
}

/// Case-insensitive comparison of an instruction word with an ASCII keyword.
fn keyword_eq(word: &str, keyword: &str) -> bool {
    word.chars().map(go_lower).eq(keyword.chars())
}

/// `strings.EqualFold(word, "as")` (simple Unicode folding: `ſ` folds to `s`).
fn is_as(word: &str) -> bool {
    let mut chars = word.chars();
    matches!(
        (chars.next(), chars.next(), chars.next()),
        (Some('a' | 'A'), Some('s' | 'S' | '\u{017F}'), None)
    )
}

/// BuildKit's stage name rule: `^[a-z][a-z0-9-_\.]*$` after lower-casing.
fn valid_stage_name(name: &str) -> bool {
    let mut chars = name.chars().map(go_lower);
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'))
}

// ---------------------------------------------------------------------------
// The parser
// ---------------------------------------------------------------------------

/// Value of a global ARG.
#[derive(Debug, Clone)]
enum ArgValue {
    /// Set, with a known value.
    Value(String),
    /// Set, value known only at build time (automatic platform ARGs and
    /// everything derived from them).
    Unknown,
    /// Declared without a default: unset unless passed with `--build-arg`.
    Declared,
}

struct Parser<'t> {
    text: &'t str,
    lines: LineReader<'t>,
    directives: Directives,
    env: HashMap<String, ArgValue>,
    budget: usize,
    seen_from: bool,
    stages: Vec<FromInstruction>,
}

impl Parser<'_> {
    fn run(mut self) -> Vec<FromInstruction> {
        while let Some(first) = self.lines.next() {
            let raw = self.text.get(first.clone()).unwrap_or("");
            let content = raw.trim_start();
            let content_start = first.end - content.len();
            self.directives.process(content);
            if content.starts_with('#') {
                continue;
            }
            let escape = self.directives.escape;
            let (kept, mut continued) = trim_continuation(content, escape);
            if !continued && kept == 0 {
                continue;
            }
            let mut logical = Logical::default();
            logical.push(content_start, content.get(..kept).unwrap_or(""));
            while continued {
                let Some(next) = self.lines.next() else { break };
                let raw = self.text.get(next.clone()).unwrap_or("");
                let left_trimmed = raw.trim_start();
                if left_trimmed.starts_with('#') || left_trimmed.is_empty() {
                    continue;
                }
                let (kept, more) = trim_continuation(raw, escape);
                logical.push(next.start, raw.get(..kept).unwrap_or(""));
                continued = more;
            }
            self.instruction(&logical);
        }
        self.stages
    }

    fn instruction(&mut self, logical: &Logical) {
        let line = logical.text.as_str();
        let Some(command) = split_command(line) else {
            return;
        };
        let name = line.get(command.name.clone()).unwrap_or("");
        let args = line.get(command.args.clone()).unwrap_or("");
        if keyword_eq(name, "from") {
            self.from(logical, &command);
            self.seen_from = true;
        } else if keyword_eq(name, "arg") && !self.seen_from {
            self.global_arg(args);
        }
        if line.contains("<<") && can_contain_heredoc(name, args) {
            for (terminator, chomp) in heredocs_in(line) {
                self.skip_heredoc_body(&terminator, chomp);
            }
        }
    }

    /// Consumes lines up to and including the heredoc terminator.
    fn skip_heredoc_body(&mut self, terminator: &str, chomp: bool) {
        for range in self.lines.by_ref() {
            let line = self.text.get(range).unwrap_or("");
            let candidate = if chomp {
                line.trim_start_matches('\t')
            } else {
                line
            };
            if candidate == terminator {
                break;
            }
        }
    }

    /// An `ARG` before the first `FROM`: sets global defaults.
    fn global_arg(&mut self, args: &str) {
        for word in parse_words(args, self.directives.escape) {
            match word.split_once('=') {
                Some(("", _)) => {} // BuildKit rejects a blank name.
                Some((key, value)) => {
                    let value =
                        match expand(value, self.directives.escape, &self.env, &mut self.budget) {
                            Ok(Expansion {
                                text,
                                unresolved: None,
                                ..
                            }) => ArgValue::Value(text),
                            _ => ArgValue::Unknown,
                        };
                    self.env.insert(key.to_string(), value);
                }
                None => {
                    self.env.entry(word).or_insert(ArgValue::Declared);
                }
            }
        }
    }

    fn from(&mut self, logical: &Logical, command: &Command) {
        let line = logical.text.as_str();
        let keyword_span = logical.map_range(command.name.clone());
        let content_end = line.trim_end().len().max(command.name.end);
        let instruction_span =
            keyword_span.start..logical.map_range(command.name.start..content_end).end;
        let stage_index = self.stages.len();
        let args = line.get(command.args.clone()).unwrap_or("");
        let words = split_args(args);
        let word = |i: usize| words.get(i).and_then(|r| args.get(r.clone())).unwrap_or("");

        let (platform, flag_error) = self.platform(&command.flags);
        let shape = match words.len() {
            0 => Err("FROM has no image".to_string()),
            1 => Ok(None),
            2 if is_as(word(1)) => Err("`AS` is not followed by a stage name".to_string()),
            3 if is_as(word(1)) => {
                let name = word(2);
                if valid_stage_name(name) {
                    Ok(Some(name.to_string()))
                } else {
                    Err(format!(
                        "invalid stage name `{name}` (it must start with a letter and contain only letters, digits, `-`, `_` and `.`)"
                    ))
                }
            }
            _ => Err("FROM takes one image and an optional `AS <name>`".to_string()),
        };
        let shape = match (shape, flag_error) {
            (Ok(_), Some(error)) => Err(error),
            (shape, _) => shape,
        };
        let instruction = match shape {
            Err(why) => FromInstruction {
                stage_index,
                stage_name: None,
                platform,
                image_span: keyword_span,
                image_written: String::new(),
                base: FromBase::Malformed(why),
                instruction_span,
            },
            Ok(stage_name) => {
                let image = words.first().cloned().unwrap_or(0..0);
                let image_written = args.get(image.clone()).unwrap_or("").to_string();
                let image_logical =
                    command.args.start + image.start..command.args.start + image.end;
                match self.resolve(&image_written) {
                    FromBase::Malformed(why) => FromInstruction {
                        stage_index,
                        stage_name: None,
                        platform,
                        image_span: keyword_span,
                        image_written: String::new(),
                        base: FromBase::Malformed(why),
                        instruction_span,
                    },
                    base => FromInstruction {
                        stage_index,
                        stage_name,
                        platform,
                        image_span: logical.map_range(image_logical),
                        image_written,
                        base,
                        instruction_span,
                    },
                }
            }
        };
        self.stages.push(instruction);
    }

    /// The `--platform` value (substituted) and a reason if the flags are invalid.
    fn platform(&mut self, flags: &[String]) -> (Option<String>, Option<String>) {
        let mut value: Option<&str> = None;
        let mut error = None;
        for flag in flags {
            let body = flag.strip_prefix("--").unwrap_or(flag);
            let (name, flag_value) = match body.split_once('=') {
                Some((name, v)) => (name, Some(v)),
                None => (body, None),
            };
            if name != "platform" {
                continue; // BuildKit rejects unknown flags; they are ignored here.
            }
            if value.is_some() && error.is_none() {
                error = Some("`--platform` is given twice".to_string());
            }
            match flag_value {
                Some(v) => value = Some(v),
                None if error.is_none() => {
                    error = Some(
                        "`--platform` has no value (BuildKit needs `--platform=<value>`)"
                            .to_string(),
                    );
                }
                None => {}
            }
        }
        let platform = value.filter(|v| !v.is_empty()).map(|v| {
            match expand(v, self.directives.escape, &self.env, &mut self.budget) {
                Ok(expansion) => expansion.text,
                Err(_) => v.to_string(),
            }
        });
        (platform, error)
    }

    /// Substitutes global ARGs into an image token and classifies the result.
    fn resolve(&mut self, written: &str) -> FromBase {
        let expansion = match expand(written, self.directives.escape, &self.env, &mut self.budget) {
            Ok(expansion) => expansion,
            Err(ExpandError::Syntax(why)) => {
                return FromBase::Malformed(format!(
                    "bad variable substitution in the image: {why}"
                ));
            }
            Err(ExpandError::Limit { variable }) => return FromBase::Unresolved { variable },
        };
        if let Some(variable) = expansion.unresolved {
            return FromBase::Unresolved { variable };
        }
        if expansion.text.is_empty() {
            return match expansion.first_variable {
                Some(variable) => FromBase::Unresolved { variable },
                None => FromBase::Malformed("the image is empty".to_string()),
            };
        }
        let lower = expansion.text.to_lowercase();
        let stage = self.stages.iter().rev().find(|stage| {
            stage
                .stage_name
                .as_deref()
                .is_some_and(|name| name.to_lowercase() == lower)
        });
        if let Some(stage) = stage {
            return FromBase::Stage(stage.stage_index);
        }
        if expansion.text.eq_ignore_ascii_case("scratch") {
            return FromBase::Scratch;
        }
        FromBase::Image(expansion.text)
    }
}

/// BuildKit's `parseWords` (used for `ARG`): splits on whitespace, keeping
/// quotes and escapes in the words for the shell lexer to process later.
fn parse_words(rest: &str, escape: char) -> Vec<String> {
    #[derive(PartialEq)]
    enum Phase {
        Spaces,
        Word,
        Quote,
    }
    let mut words = Vec::new();
    let mut phase = Phase::Spaces;
    let mut word = String::new();
    let mut quote = '\0';
    let mut blank_ok = false;
    let mut pos = 0;
    let at = |pos: usize| rest.get(pos..).and_then(|r| r.chars().next());
    loop {
        let current = at(pos);
        if phase == Phase::Spaces {
            let Some(c) = current else { break };
            if c.is_whitespace() {
                pos += c.len_utf8();
                continue;
            }
            phase = Phase::Word;
        }
        let Some(mut c) = current else {
            if blank_ok || !word.is_empty() {
                words.push(word);
            }
            break;
        };
        if phase == Phase::Word {
            if c.is_whitespace() {
                phase = Phase::Spaces;
                if blank_ok || !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                blank_ok = false;
                pos += c.len_utf8();
                continue;
            }
            if c == '\'' || c == '"' {
                quote = c;
                blank_ok = true;
                phase = Phase::Quote;
            }
            if c == escape {
                pos += c.len_utf8();
                let Some(next) = at(pos) else { continue }; // escape at the end is dropped
                word.push(c);
                c = next;
            }
            word.push(c);
            pos += c.len_utf8();
            continue;
        }
        if c == quote {
            phase = Phase::Word;
        }
        if c == escape && quote != '\'' {
            pos += c.len_utf8();
            let Some(next) = at(pos) else {
                phase = Phase::Word;
                continue;
            };
            word.push(c);
            c = next;
        }
        word.push(c);
        pos += c.len_utf8();
    }
    words
}

// ---------------------------------------------------------------------------
// Heredocs
// ---------------------------------------------------------------------------

fn is_heredoc_command(name: &str) -> bool {
    keyword_eq(name, "run") || keyword_eq(name, "copy") || keyword_eq(name, "add")
}

/// BuildKit's `canContainHeredoc`: RUN, COPY and ADD (also behind ONBUILD),
/// except in JSON (exec) form.
fn can_contain_heredoc(name: &str, args: &str) -> bool {
    if keyword_eq(name, "onbuild") {
        let Some(sub) = split_command(args) else {
            return false;
        };
        let sub_name = args.get(sub.name.clone()).unwrap_or("");
        let sub_args = args.get(sub.args.clone()).unwrap_or("");
        return is_heredoc_command(sub_name) && !is_json_string_array(sub_args);
    }
    is_heredoc_command(name) && !is_json_string_array(args)
}

/// Whether `args` starts with a JSON array of strings (what Go's
/// `json.Decoder` accepts as the first value; trailing text is ignored).
fn is_json_string_array(args: &str) -> bool {
    fn skip_ws(b: &[u8], i: &mut usize) {
        while matches!(b.get(*i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            *i += 1;
        }
    }
    fn string(b: &[u8], i: &mut usize) -> bool {
        if b.get(*i) != Some(&b'"') {
            return false;
        }
        *i += 1;
        while let Some(&c) = b.get(*i) {
            *i += 1;
            match c {
                b'"' => return true,
                b'\\' => match b.get(*i) {
                    Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => *i += 1,
                    Some(b'u') => {
                        let hex = b.get(*i + 1..*i + 5);
                        if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
                            return false;
                        }
                        *i += 5;
                    }
                    _ => return false,
                },
                0x00..=0x1F => return false,
                _ => {}
            }
        }
        false
    }
    let b = args.trim_start().as_bytes();
    if b.first() != Some(&b'[') {
        return false;
    }
    let mut i = 1;
    skip_ws(b, &mut i);
    if b.get(i) == Some(&b']') {
        return true;
    }
    loop {
        if !string(b, &mut i) {
            return false;
        }
        skip_ws(b, &mut i);
        match b.get(i) {
            Some(b',') => {
                i += 1;
                skip_ws(b, &mut i);
            }
            Some(b']') => return true,
            _ => return false,
        }
    }
}

/// The heredocs opened by an instruction line, in order: `(terminator, chomp)`.
/// Mirrors BuildKit's `heredocsFromLine`; a lexing error means no heredocs.
fn heredocs_in(line: &str) -> Vec<(String, bool)> {
    match lex_words(line, true, true) {
        Ok(words) => words.iter().filter_map(|w| parse_heredoc_word(w)).collect(),
        Err(_) => Vec::new(),
    }
}

/// BuildKit's `^(\d*)<<(-?)([^<]*)$` and `heredocFromMatch`.
fn parse_heredoc_word(word: &str) -> Option<(String, bool)> {
    let digits = word.bytes().take_while(u8::is_ascii_digit).count();
    let rest = word.get(digits..)?.strip_prefix("<<")?;
    let (chomp, rest) = match rest.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, rest),
    };
    if rest.is_empty() || rest.contains('<') {
        return None;
    }
    let words = lex_words(rest, false, false).ok()?;
    let raw = lex_words(rest, true, false).ok()?;
    if words.len() != 1 || raw.len() != 1 {
        return None;
    }
    words.into_iter().next().map(|name| (name, chomp))
}

/// `ProcessWords` with `\` as escape, no environment and unset variables kept.
fn lex_words(source: &str, raw_quotes: bool, raw_escapes: bool) -> Result<Vec<String>, LexError> {
    let mut lexer = Lexer::new(source, '\\', None, usize::MAX);
    lexer.raw_quotes = raw_quotes;
    lexer.raw_escapes = raw_escapes;
    lexer.skip_unset = true;
    lexer.track_words = true;
    lexer.process().map(|(_, words)| words)
}

// ---------------------------------------------------------------------------
// Variable substitution: a port of BuildKit's shell lexer (shell/lex.go)
// ---------------------------------------------------------------------------

/// Result of substituting variables into a word.
struct Expansion {
    text: String,
    /// First variable whose value is not known statically.
    unresolved: Option<String>,
    /// First variable referenced at all.
    first_variable: Option<String>,
}

enum ExpandError {
    /// BuildKit would reject the word.
    Syntax(String),
    /// A limit of this analyser was hit (nesting depth or substitution size).
    Limit { variable: String },
}

fn expand(
    word: &str,
    escape: char,
    env: &HashMap<String, ArgValue>,
    budget: &mut usize,
) -> Result<Expansion, ExpandError> {
    let mut lexer = Lexer::new(word, escape, Some(env), *budget);
    let result = lexer.process();
    *budget = lexer.budget;
    match result {
        Ok((piece, _)) => Ok(Expansion {
            text: piece.text,
            unresolved: piece.unresolved,
            first_variable: lexer.first_variable,
        }),
        Err(LexError::Syntax(why)) => Err(ExpandError::Syntax(why)),
        Err(LexError::Limit) => Err(ExpandError::Limit {
            variable: lexer.first_variable.unwrap_or_else(|| "${".to_string()),
        }),
    }
}

enum LexError {
    Syntax(String),
    Limit,
}

fn syntax<T>(why: impl Into<String>) -> Result<T, LexError> {
    Err(LexError::Syntax(why.into()))
}

/// Text produced by the lexer, with the first variable that made it unknown.
/// An unknown part is kept as written (e.g. `${TARGETARCH}`).
#[derive(Default)]
struct Piece {
    text: String,
    unresolved: Option<String>,
}

impl Piece {
    fn literal(text: impl Into<String>) -> Self {
        Piece {
            text: text.into(),
            unresolved: None,
        }
    }

    fn append(&mut self, other: Piece) {
        self.text.push_str(&other.text);
        if self.unresolved.is_none() {
            self.unresolved = other.unresolved;
        }
    }
}

#[derive(Clone, Copy)]
enum Lookup<'a> {
    /// Not declared at all: expands to the empty string (or is kept, in skip-unset mode).
    Unset,
    /// Declared without a default: unset unless given at build time.
    Declared,
    Set(&'a str),
    /// Set, but the value is only known at build time.
    Unknown,
}

/// Per-call word state of `wordsStruct`; the word buffer itself is shared by
/// all nested calls, as in BuildKit (a nested `${…}` clears it).
#[derive(Default)]
struct Words {
    words: Vec<String>,
    in_word: bool,
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    escape: char,
    raw_quotes: bool,
    raw_escapes: bool,
    skip_unset: bool,
    track_words: bool,
    env: Option<&'a HashMap<String, ArgValue>>,
    budget: usize,
    depth: usize,
    word_buf: String,
    first_variable: Option<String>,
}

fn is_special_param(c: char) -> bool {
    matches!(c, '@' | '*' | '#' | '?' | '-' | '$' | '!' | '0')
}

impl<'a> Lexer<'a> {
    fn new(
        src: &'a str,
        escape: char,
        env: Option<&'a HashMap<String, ArgValue>>,
        budget: usize,
    ) -> Self {
        // Go's text/scanner skips a BOM at the start of the source it scans.
        let pos = if src.starts_with('\u{FEFF}') {
            '\u{FEFF}'.len_utf8()
        } else {
            0
        };
        Lexer {
            src,
            pos,
            escape,
            raw_quotes: false,
            raw_escapes: false,
            skip_unset: false,
            track_words: false,
            env,
            budget,
            depth: 0,
            word_buf: String::new(),
            first_variable: None,
        }
    }

    fn peek(&self) -> Option<char> {
        self.src
            .get(self.pos..)
            .and_then(|rest| rest.chars().next())
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn raw_since(&self, start: usize) -> &'a str {
        self.src.get(start..self.pos).unwrap_or("")
    }

    fn lookup(&self, name: &str) -> Lookup<'a> {
        match self.env.and_then(|env| env.get(name)) {
            None => Lookup::Unset,
            Some(ArgValue::Value(value)) => Lookup::Set(value.as_str()),
            Some(ArgValue::Unknown) => Lookup::Unknown,
            Some(ArgValue::Declared) => Lookup::Declared,
        }
    }

    fn note_variable(&mut self, name: &str) {
        if self.first_variable.is_none() {
            self.first_variable = Some(name.to_string());
        }
    }

    /// A known value, charged against the substitution budget.
    fn value(&mut self, value: &str) -> Result<Piece, LexError> {
        self.budget = self
            .budget
            .checked_sub(value.len())
            .ok_or(LexError::Limit)?;
        Ok(Piece::literal(value))
    }

    fn unknown(&self, name: &str, start: usize) -> Piece {
        Piece {
            text: self.raw_since(start).to_string(),
            unresolved: Some(name.to_string()),
        }
    }

    // wordsStruct
    fn add_char(&mut self, words: &mut Words, c: char) {
        if !self.track_words {
            return;
        }
        if c.is_whitespace() {
            if words.in_word && !self.word_buf.is_empty() {
                words.words.push(std::mem::take(&mut self.word_buf));
                words.in_word = false;
            }
        } else {
            self.add_raw_char(words, c);
        }
    }

    fn add_raw_char(&mut self, words: &mut Words, c: char) {
        if self.track_words {
            self.word_buf.push(c);
            words.in_word = true;
        }
    }

    fn add_string(&mut self, words: &mut Words, s: &str) {
        if self.track_words {
            for c in s.chars() {
                self.add_char(words, c);
            }
        }
    }

    fn add_raw_string(&mut self, words: &mut Words, s: &str) {
        if self.track_words {
            self.word_buf.push_str(s);
            words.in_word = true;
        }
    }

    fn take_words(&mut self, mut words: Words) -> Vec<String> {
        if !self.word_buf.is_empty() {
            words.words.push(std::mem::take(&mut self.word_buf));
        }
        words.words
    }

    fn process(&mut self) -> Result<(Piece, Vec<String>), LexError> {
        let raw_escapes = self.raw_escapes;
        self.process_stop_on(None, raw_escapes)
    }

    fn process_stop_on(
        &mut self,
        stop: Option<char>,
        raw_escapes: bool,
    ) -> Result<(Piece, Vec<String>), LexError> {
        let saved = std::mem::replace(&mut self.raw_escapes, raw_escapes);
        let result = self.process_stop_on_inner(stop);
        self.raw_escapes = saved;
        result
    }

    fn process_stop_on_inner(
        &mut self,
        stop: Option<char>,
    ) -> Result<(Piece, Vec<String>), LexError> {
        let mut result = Piece::default();
        let mut words = Words::default();
        self.word_buf.clear();
        while let Some(c) = self.peek() {
            if Some(c) == stop {
                self.pos += c.len_utf8();
                let words = self.take_words(words);
                return Ok((result, words));
            }
            match c {
                '$' => {
                    let piece = self.process_dollar()?;
                    self.add_string(&mut words, &piece.text);
                    result.append(piece);
                }
                '\'' => {
                    let text = self.process_single_quote()?;
                    self.add_raw_string(&mut words, &text);
                    result.text.push_str(&text);
                }
                '"' => {
                    let piece = self.process_double_quote()?;
                    self.add_raw_string(&mut words, &piece.text);
                    result.append(piece);
                }
                _ => {
                    self.pos += c.len_utf8();
                    let mut c = c;
                    if c == self.escape {
                        if self.raw_escapes {
                            self.add_raw_char(&mut words, c);
                            result.text.push(c);
                        }
                        match self.next() {
                            Some(escaped) => c = escaped,
                            None => break,
                        }
                        self.add_raw_char(&mut words, c);
                    } else {
                        self.add_char(&mut words, c);
                    }
                    result.text.push(c);
                }
            }
        }
        if let Some(stop) = stop {
            return syntax(format!(
                "unexpected end of statement while looking for matching {stop}"
            ));
        }
        let words = self.take_words(words);
        Ok((result, words))
    }

    fn process_single_quote(&mut self) -> Result<String, LexError> {
        let mut result = String::new();
        let open = self.next();
        if self.raw_quotes {
            result.extend(open);
        }
        loop {
            match self.next() {
                None => {
                    return syntax(
                        "unexpected end of statement while looking for matching single-quote",
                    );
                }
                Some('\'') => {
                    if self.raw_quotes {
                        result.push('\'');
                    }
                    return Ok(result);
                }
                Some(c) => result.push(c),
            }
        }
    }

    fn process_double_quote(&mut self) -> Result<Piece, LexError> {
        let mut result = Piece::default();
        let open = self.next();
        if self.raw_quotes {
            result.text.extend(open);
        }
        loop {
            match self.peek() {
                None => {
                    return syntax(
                        "unexpected end of statement while looking for matching double-quote",
                    );
                }
                Some('"') => {
                    self.pos += 1;
                    if self.raw_quotes {
                        result.text.push('"');
                    }
                    return Ok(result);
                }
                Some('$') => {
                    let piece = self.process_dollar()?;
                    result.append(piece);
                }
                Some(c) => {
                    self.pos += c.len_utf8();
                    let mut c = c;
                    if c == self.escape {
                        if self.raw_escapes {
                            result.text.push(c);
                        }
                        match self.peek() {
                            None => continue, // reported as unterminated on the next turn
                            Some(next) if next == '"' || next == '$' || next == self.escape => {
                                self.pos += next.len_utf8();
                                c = next;
                            }
                            Some(_) => {}
                        }
                    }
                    result.text.push(c);
                }
            }
        }
    }

    fn process_dollar(&mut self) -> Result<Piece, LexError> {
        self.depth += 1;
        let result = if self.depth > MAX_NESTING {
            Err(LexError::Limit)
        } else {
            self.process_dollar_inner()
        };
        self.depth -= 1;
        result
    }

    fn process_dollar_inner(&mut self) -> Result<Piece, LexError> {
        let start = self.pos;
        self.next(); // '$'
        if self.peek() != Some('{') {
            let name = self.process_name();
            if name.is_empty() {
                return Ok(Piece::literal("$"));
            }
            self.note_variable(&name);
            return self.plain_reference(&name, start);
        }
        self.next(); // '{'
        match self.peek() {
            None => return syntax("syntax error: missing '}'"),
            Some('{' | '}' | ':') => return syntax("syntax error: bad substitution"),
            Some(_) => {}
        }
        let name = self.process_name();
        if !name.is_empty() {
            self.note_variable(&name);
        }
        let mut modifier = self.next();
        let mut spelled = String::new();
        let mut null_is_unset = false;
        match modifier {
            Some('}') => return self.plain_reference(&name, start),
            Some(':') => {
                null_is_unset = true;
                spelled.push(':');
                modifier = self.next();
                spelled.extend(modifier);
            }
            Some(c @ ('+' | '-' | '?' | '#' | '%')) => spelled.push(c),
            Some('/') => return self.process_replace(&name, start),
            Some(c) => return syntax(format!("unsupported modifier ({c}) in substitution")),
            None => return syntax("syntax error: missing '}'"),
        }
        let pattern_modifier = matches!(modifier, Some('#' | '%'));
        if null_is_unset && pattern_modifier {
            return syntax(format!("unsupported modifier ({spelled}) in substitution"));
        }
        let (word, _) = self
            .process_stop_on(Some('}'), pattern_modifier)
            .map_err(|e| match e {
                LexError::Syntax(_) if self.peek().is_none() => {
                    LexError::Syntax("syntax error: missing '}'".to_string())
                }
                e => e,
            })?;
        let looked_up = self.lookup(&name);
        if self.skip_unset && matches!(looked_up, Lookup::Unset) {
            return Ok(Piece::literal(format!("${{{name}{spelled}{}}}", word.text)));
        }
        let is_empty_set = |v: &str| null_is_unset && v.is_empty();
        match modifier {
            Some('-') => match looked_up {
                Lookup::Unset | Lookup::Declared => Ok(word),
                Lookup::Set(v) if is_empty_set(v) => Ok(word),
                Lookup::Set(v) => self.value(v),
                Lookup::Unknown => Ok(self.unknown(&name, start)),
            },
            Some('+') => match looked_up {
                Lookup::Unset | Lookup::Declared => Ok(Piece::default()),
                Lookup::Set(v) if is_empty_set(v) => Ok(Piece::default()),
                Lookup::Set(_) => Ok(word),
                // Set for sure, but maybe empty.
                Lookup::Unknown if null_is_unset => Ok(self.unknown(&name, start)),
                Lookup::Unknown => Ok(word),
            },
            Some('?') => {
                let message = |default: &str| {
                    if word.text.is_empty() {
                        format!("{name}: {default}")
                    } else {
                        format!("{name}: {}", word.text)
                    }
                };
                match looked_up {
                    Lookup::Unset => syntax(message("is not allowed to be unset")),
                    Lookup::Set(v) if is_empty_set(v) => {
                        syntax(message("is not allowed to be empty"))
                    }
                    Lookup::Set(v) => self.value(v),
                    Lookup::Declared | Lookup::Unknown => Ok(self.unknown(&name, start)),
                }
            }
            Some(m @ ('#' | '%')) => {
                let (greedy, pattern) = match word.text.strip_prefix(m) {
                    Some(pattern) => (true, pattern),
                    None => (false, word.text.as_str()),
                };
                let value = match looked_up {
                    Lookup::Set(v) => v,
                    Lookup::Unset => "",
                    Lookup::Declared | Lookup::Unknown => {
                        compile_pattern(pattern, greedy).map_err(LexError::Syntax)?;
                        return Ok(self.unknown(&name, start));
                    }
                };
                let trimmed = if m == '%' {
                    trim_suffix(pattern, value, greedy)?
                } else {
                    trim_prefix(pattern, value, greedy)?
                };
                self.value(&trimmed)
            }
            _ => syntax(format!("unsupported modifier ({spelled}) in substitution")),
        }
    }

    /// `$name` or `${name}`.
    fn plain_reference(&mut self, name: &str, start: usize) -> Result<Piece, LexError> {
        match self.lookup(name) {
            Lookup::Unset if self.skip_unset => Ok(Piece::literal(self.raw_since(start))),
            // NOTE: BuildKit expands an undeclared variable to nothing (and warns,
            // UndefinedArgInFrom); we report it as unresolved instead of checking a
            // reference the author did not mean, such as `busybox:`.
            Lookup::Set(v) => self.value(v),
            Lookup::Unset | Lookup::Declared | Lookup::Unknown => Ok(self.unknown(name, start)),
        }
    }

    /// `${name/pattern/replacement}` and `${name//pattern/replacement}`. The
    /// replacement itself is not evaluated here: the result is unresolved.
    fn process_replace(&mut self, name: &str, start: usize) -> Result<Piece, LexError> {
        if self.peek() == Some('/') {
            self.next();
        }
        let missing = |lexer: &Self, e: LexError, what: &str| match e {
            LexError::Syntax(_) if lexer.peek().is_none() => {
                LexError::Syntax(format!("syntax error: missing '{what}'"))
            }
            e => e,
        };
        let (pattern, _) = self
            .process_stop_on(Some('/'), true)
            .map_err(|e| missing(self, e, "/"))?;
        let (replacement, _) = self
            .process_stop_on(Some('}'), true)
            .map_err(|e| missing(self, e, "}"))?;
        if self.skip_unset && matches!(self.lookup(name), Lookup::Unset) {
            return Ok(Piece::literal(format!(
                "${{{name}/{}/{}}}",
                pattern.text, replacement.text
            )));
        }
        compile_pattern(&pattern.text, true).map_err(LexError::Syntax)?;
        Ok(self.unknown(name, start))
    }

    fn process_name(&mut self) -> String {
        let mut name = String::new();
        while let Some(c) = self.peek() {
            if name.is_empty() && c.is_numeric() {
                while let Some(d) = self.peek().filter(|d| d.is_numeric()) {
                    self.pos += d.len_utf8();
                    name.push(d);
                }
                return name;
            }
            if name.is_empty() && is_special_param(c) {
                self.pos += c.len_utf8();
                name.push(c);
                return name;
            }
            if !c.is_alphabetic() && !c.is_numeric() && c != '_' {
                break;
            }
            self.pos += c.len_utf8();
            name.push(c);
        }
        name
    }
}

// ---------------------------------------------------------------------------
// Shell patterns for ${VAR#pattern} and ${VAR%pattern}
// ---------------------------------------------------------------------------

/// A compiled wildcard pattern (`*`, `?`, `\` escapes), as a Pike VM program
/// with BuildKit's regexp semantics (leftmost-first, greedy or lazy `*`).
#[derive(Clone, Copy)]
enum Inst {
    Char(char),
    Any,
    Split(usize, usize),
    Jump(usize),
    Match,
}

/// BuildKit's `convertShellPatternToRegex`.
fn compile_pattern(pattern: &str, greedy: bool) -> Result<Vec<Inst>, String> {
    let pattern = pattern.strip_prefix('\u{FEFF}').unwrap_or(pattern); // text/scanner
    let chars: Vec<char> = pattern.chars().collect();
    let mut program = Vec::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        i += 1;
        match c {
            '*' => {
                let at = program.len();
                program.push(if greedy {
                    Inst::Split(at + 1, at + 3)
                } else {
                    Inst::Split(at + 3, at + 1)
                });
                program.push(Inst::Any);
                program.push(Inst::Jump(at));
            }
            '?' => program.push(Inst::Any),
            '\\' => match chars.get(i) {
                // `\}` and `\/` are part of the ${} syntax, not of the pattern.
                Some('}' | '/') => {}
                Some(&escaped @ ('*' | '?' | '\\')) => {
                    i += 1;
                    program.push(Inst::Char(escaped));
                }
                Some(other) => return Err(format!("invalid escape '\\{other}' in pattern")),
                None => return Err("invalid escape at the end of a pattern".to_string()),
            },
            _ => program.push(Inst::Char(c)),
        }
    }
    program.push(Inst::Match);
    Ok(program)
}

/// End (in chars) of the leftmost-first match of `program` anchored at 0.
fn anchored_match_end(program: &[Inst], value: &[char]) -> Option<usize> {
    fn add(
        program: &[Inst],
        list: &mut Vec<usize>,
        marks: &mut [usize],
        stack: &mut Vec<usize>,
        pc: usize,
        generation: usize,
    ) {
        stack.clear();
        stack.push(pc);
        while let Some(pc) = stack.pop() {
            match marks.get_mut(pc) {
                Some(mark) if *mark != generation => *mark = generation,
                _ => continue,
            }
            match program.get(pc) {
                Some(Inst::Jump(to)) => stack.push(*to),
                Some(Inst::Split(first, second)) => {
                    stack.push(*second);
                    stack.push(*first);
                }
                Some(_) => list.push(pc),
                None => {}
            }
        }
    }
    let mut marks = vec![usize::MAX; program.len()];
    let mut stack = Vec::new();
    let mut current = Vec::new();
    let mut next = Vec::new();
    add(program, &mut current, &mut marks, &mut stack, 0, 0);
    let mut matched = None;
    for i in 0..=value.len() {
        if current.is_empty() {
            break;
        }
        next.clear();
        for &pc in &current {
            let advance = match program.get(pc) {
                Some(Inst::Match) => {
                    matched = Some(i);
                    break; // lower-priority threads are cut
                }
                Some(Inst::Char(c)) => value.get(i) == Some(c),
                Some(Inst::Any) => i < value.len(),
                _ => false,
            };
            if advance {
                add(program, &mut next, &mut marks, &mut stack, pc + 1, i + 1);
            }
        }
        std::mem::swap(&mut current, &mut next);
    }
    matched
}

/// `${VAR#pattern}` (`greedy` for `##`): removes the matching prefix.
fn trim_prefix(pattern: &str, value: &str, greedy: bool) -> Result<String, LexError> {
    let program = compile_pattern(pattern, greedy).map_err(LexError::Syntax)?;
    let chars: Vec<char> = value.chars().collect();
    if chars.len().saturating_mul(program.len()) > MAX_PATTERN_WORK {
        return Err(LexError::Limit);
    }
    Ok(match anchored_match_end(&program, &chars) {
        Some(end) => chars.get(end..).unwrap_or_default().iter().collect(),
        None => value.to_string(),
    })
}

/// `${VAR%pattern}` (`greedy` for `%%`): removes the matching suffix, by
/// reversing pattern and value as BuildKit does.
fn trim_suffix(pattern: &str, value: &str, greedy: bool) -> Result<String, LexError> {
    let reversed_value: String = value.chars().rev().collect();
    let trimmed = trim_prefix(&reverse_pattern(pattern), &reversed_value, greedy)?;
    Ok(trimmed.chars().rev().collect())
}

/// Reverses a pattern, keeping each `\x` escape pair in order (`a\*c` → `c\*a`);
/// BuildKit's `reversePattern`.
fn reverse_pattern(pattern: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let last = chars.len().saturating_sub(1);
    let mut out = vec!['\0'; chars.len()];
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let at = last - i;
        match chars.get(i + 1) {
            Some(&escaped) if c == '\\' && at > 0 => {
                if let Some(slot) = out.get_mut(at - 1) {
                    *slot = c;
                }
                if let Some(slot) = out.get_mut(at) {
                    *slot = escaped;
                }
                i += 2;
            }
            _ => {
                if let Some(slot) = out.get_mut(at) {
                    *slot = c;
                }
                i += 1;
            }
        }
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests;

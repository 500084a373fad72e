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

mod heredoc;
mod lex;
mod lines;
use heredoc::*;
use lex::*;
use lines::*;

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

#[cfg(test)]
mod tests;

//! Variable substitution: a port of BuildKit's shell lexer (shell/lex.go).

use super::*;

/// Result of substituting variables into a word.
pub(super) struct Expansion {
    pub(super) text: String,
    /// First variable whose value is not known statically.
    pub(super) unresolved: Option<String>,
    /// First variable referenced at all.
    pub(super) first_variable: Option<String>,
}

pub(super) enum ExpandError {
    /// BuildKit would reject the word.
    Syntax(String),
    /// A limit of this analyser was hit (nesting depth or substitution size).
    Limit { variable: String },
}

pub(super) fn expand(
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

pub(super) enum LexError {
    Syntax(String),
    Limit,
}

pub(super) fn syntax<T>(why: impl Into<String>) -> Result<T, LexError> {
    Err(LexError::Syntax(why.into()))
}

/// Text produced by the lexer, with the first variable that made it unknown.
/// An unknown part is kept as written (e.g. `${TARGETARCH}`).
#[derive(Default)]
pub(super) struct Piece {
    pub(super) text: String,
    pub(super) unresolved: Option<String>,
}

impl Piece {
    pub(super) fn literal(text: impl Into<String>) -> Self {
        Piece {
            text: text.into(),
            unresolved: None,
        }
    }

    pub(super) fn append(&mut self, other: Piece) {
        self.text.push_str(&other.text);
        if self.unresolved.is_none() {
            self.unresolved = other.unresolved;
        }
    }
}

#[derive(Clone, Copy)]
pub(super) enum Lookup<'a> {
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
pub(super) struct Words {
    pub(super) words: Vec<String>,
    pub(super) in_word: bool,
}

pub(super) struct Lexer<'a> {
    pub(super) src: &'a str,
    pub(super) pos: usize,
    pub(super) escape: char,
    pub(super) raw_quotes: bool,
    pub(super) raw_escapes: bool,
    pub(super) skip_unset: bool,
    pub(super) track_words: bool,
    pub(super) env: Option<&'a HashMap<String, ArgValue>>,
    pub(super) budget: usize,
    pub(super) depth: usize,
    pub(super) word_buf: String,
    pub(super) first_variable: Option<String>,
}

pub(super) fn is_special_param(c: char) -> bool {
    matches!(c, '@' | '*' | '#' | '?' | '-' | '$' | '!' | '0')
}

impl<'a> Lexer<'a> {
    pub(super) fn new(
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

    pub(super) fn peek(&self) -> Option<char> {
        self.src
            .get(self.pos..)
            .and_then(|rest| rest.chars().next())
    }

    pub(super) fn next(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    pub(super) fn raw_since(&self, start: usize) -> &'a str {
        self.src.get(start..self.pos).unwrap_or("")
    }

    pub(super) fn lookup(&self, name: &str) -> Lookup<'a> {
        match self.env.and_then(|env| env.get(name)) {
            None => Lookup::Unset,
            Some(ArgValue::Value(value)) => Lookup::Set(value.as_str()),
            Some(ArgValue::Unknown) => Lookup::Unknown,
            Some(ArgValue::Declared) => Lookup::Declared,
        }
    }

    pub(super) fn note_variable(&mut self, name: &str) {
        if self.first_variable.is_none() {
            self.first_variable = Some(name.to_string());
        }
    }

    /// A known value, charged against the substitution budget.
    pub(super) fn value(&mut self, value: &str) -> Result<Piece, LexError> {
        self.budget = self
            .budget
            .checked_sub(value.len())
            .ok_or(LexError::Limit)?;
        Ok(Piece::literal(value))
    }

    pub(super) fn unknown(&self, name: &str, start: usize) -> Piece {
        Piece {
            text: self.raw_since(start).to_string(),
            unresolved: Some(name.to_string()),
        }
    }

    // wordsStruct
    pub(super) fn add_char(&mut self, words: &mut Words, c: char) {
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

    pub(super) fn add_raw_char(&mut self, words: &mut Words, c: char) {
        if self.track_words {
            self.word_buf.push(c);
            words.in_word = true;
        }
    }

    pub(super) fn add_string(&mut self, words: &mut Words, s: &str) {
        if self.track_words {
            for c in s.chars() {
                self.add_char(words, c);
            }
        }
    }

    pub(super) fn add_raw_string(&mut self, words: &mut Words, s: &str) {
        if self.track_words {
            self.word_buf.push_str(s);
            words.in_word = true;
        }
    }

    pub(super) fn take_words(&mut self, mut words: Words) -> Vec<String> {
        if !self.word_buf.is_empty() {
            words.words.push(std::mem::take(&mut self.word_buf));
        }
        words.words
    }

    pub(super) fn process(&mut self) -> Result<(Piece, Vec<String>), LexError> {
        let raw_escapes = self.raw_escapes;
        self.process_stop_on(None, raw_escapes)
    }

    pub(super) fn process_stop_on(
        &mut self,
        stop: Option<char>,
        raw_escapes: bool,
    ) -> Result<(Piece, Vec<String>), LexError> {
        let saved = std::mem::replace(&mut self.raw_escapes, raw_escapes);
        let result = self.process_stop_on_inner(stop);
        self.raw_escapes = saved;
        result
    }

    pub(super) fn process_stop_on_inner(
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

    pub(super) fn process_single_quote(&mut self) -> Result<String, LexError> {
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

    pub(super) fn process_double_quote(&mut self) -> Result<Piece, LexError> {
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

    pub(super) fn process_dollar(&mut self) -> Result<Piece, LexError> {
        self.depth += 1;
        let result = if self.depth > MAX_NESTING {
            Err(LexError::Limit)
        } else {
            self.process_dollar_inner()
        };
        self.depth -= 1;
        result
    }

    pub(super) fn process_dollar_inner(&mut self) -> Result<Piece, LexError> {
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
    pub(super) fn plain_reference(&mut self, name: &str, start: usize) -> Result<Piece, LexError> {
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
    pub(super) fn process_replace(&mut self, name: &str, start: usize) -> Result<Piece, LexError> {
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

    pub(super) fn process_name(&mut self) -> String {
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
pub(super) enum Inst {
    Char(char),
    Any,
    Split(usize, usize),
    Jump(usize),
    Match,
}

/// BuildKit's `convertShellPatternToRegex`.
pub(super) fn compile_pattern(pattern: &str, greedy: bool) -> Result<Vec<Inst>, String> {
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
pub(super) fn anchored_match_end(program: &[Inst], value: &[char]) -> Option<usize> {
    pub(super) fn add(
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
pub(super) fn trim_prefix(pattern: &str, value: &str, greedy: bool) -> Result<String, LexError> {
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
pub(super) fn trim_suffix(pattern: &str, value: &str, greedy: bool) -> Result<String, LexError> {
    let reversed_value: String = value.chars().rev().collect();
    let trimmed = trim_prefix(&reverse_pattern(pattern), &reversed_value, greedy)?;
    Ok(trimmed.chars().rev().collect())
}

/// Reverses a pattern, keeping each `\x` escape pair in order (`a\*c` → `c\*a`);
/// BuildKit's `reversePattern`.
pub(super) fn reverse_pattern(pattern: &str) -> String {
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

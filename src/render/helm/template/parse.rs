//! Parsing a template's lines: document separators, open `{{ }}` actions across lines, keys
//! (plain and quoted), sequence items and values, without a YAML parser (a template is not
//! YAML until it is rendered).

use super::*;

/// Whether the previous lines left a template action open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) enum Action {
    #[default]
    Closed,
    /// Inside `{{ ... `: waiting for `}}`.
    Open,
    /// Inside `{{/* ... `: waiting for `*/`.
    Comment,
}

/// A node that later lines may belong to.
#[derive(Debug)]
pub(super) enum Frame {
    /// A mapping key at column `indent`.
    Key {
        indent: usize,
        name: String,
        /// Something follows its colon on the same line: it cannot hold a sequence.
        has_value: bool,
        /// Items seen so far in the sequence that is its value.
        items: usize,
    },
    /// A sequence item whose `-` is at column `dash`.
    Item {
        dash: usize,
        /// Index in [`Parser::items`].
        id: usize,
        /// Column of the item's first key: `name:` there names the item.
        key_indent: Option<usize>,
        /// Items seen so far in a sequence nested right in it (`- - x`).
        items: usize,
    },
}

/// An entry whose items are still indices into [`Parser::items`] (an item's `name:` may
/// come after the entries inside it).
#[derive(Debug)]
pub(super) struct RawEntry {
    pub(super) entry: Entry,
    pub(super) items: Vec<usize>,
}

/// The line-by-line state of [`TemplateIndex::parse`].
#[derive(Debug, Default)]
pub(super) struct Parser {
    pub(super) document: usize,
    /// Whether the current document has a key or item yet.
    pub(super) document_used: bool,
    pub(super) stack: Vec<Frame>,
    /// Items seen so far in a sequence at the document root.
    pub(super) root_items: usize,
    pub(super) items: Vec<Item>,
    pub(super) entries: Vec<RawEntry>,
    pub(super) includes: Vec<RawInclude>,
    /// Inside a block scalar: lines indented more than this belong to it.
    pub(super) block: Option<usize>,
    pub(super) action: Action,
    /// The `.Values` paths `.` stands for in each open `with`/`range`/`if` block (`None` when
    /// it is not values: a `range` element, anything else).
    pub(super) scopes: Vec<Option<Vec<Vec<String>>>>,
}

/// An include whose items are still indices into [`Parser::items`].
#[derive(Debug)]
pub(super) struct RawInclude {
    pub(super) include: Include,
    pub(super) items: Vec<usize>,
}

/// A key found on a line (positions are byte offsets into the line).
#[derive(Debug)]
pub(super) struct KeyToken {
    /// Where the key starts, quote included: its indentation.
    pub(super) column: usize,
    /// The key text, quotes excluded.
    pub(super) start: usize,
    pub(super) end: usize,
    /// Path element: the unquoted key, or `*` when it is templated.
    pub(super) name: String,
    /// Just past the colon.
    pub(super) after_colon: usize,
}

impl Parser {
    /// Read one line (without its line break) that starts at byte `start` of the text.
    pub(super) fn line(&mut self, line: &str, start: usize, number: usize) {
        let before = self.action;
        self.action = track_actions(line.as_bytes(), before);
        if before != Action::Closed {
            return; // A multi-line action goes on (or ends) here.
        }
        self.track_scopes(line);
        if is_document_separator(line) {
            self.new_document();
            return;
        }
        let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
        let content = &line[indent..];
        if content.is_empty() || content.starts_with('#') {
            return;
        }
        if let Some(block) = self.block {
            let action_only = content.starts_with("{{") && parse_key(line, indent).is_none();
            if indent > block || action_only {
                return;
            }
            self.block = None;
        }
        self.structure(line, start, number, indent);
        if self.stack.len() < MAX_DEPTH {
            self.push_includes(line, start, number);
        }
    }

    pub(super) fn new_document(&mut self) {
        if self.document_used {
            self.document += 1;
        }
        self.document_used = false;
        self.stack.clear();
        self.root_items = 0;
        self.block = None;
    }

    /// Read the item markers and the key of a line that is not blank, a comment or inside a
    /// block scalar.
    pub(super) fn structure(&mut self, line: &str, start: usize, number: usize, indent: usize) {
        let mut dashes = Vec::new();
        let mut at = indent;
        while let Some(next) = after_item_marker(line.as_bytes(), at) {
            dashes.push(at);
            at = next;
        }
        let key = parse_key(line, at);
        match (dashes.first(), &key) {
            (None, None) => return,
            (Some(&dash), _) => self.close(dash, true),
            (None, Some(key)) => self.close(key.column, false),
        }
        if self.stack.len() + dashes.len() >= MAX_DEPTH {
            return;
        }
        self.document_used = true;
        for &dash in &dashes {
            self.push_item(dash, number);
        }
        match key {
            Some(key) => self.push_key(line, start, number, key),
            None => {
                let value = value_range(line.as_bytes(), at);
                let text = value.and_then(|(from, to)| line.get(from..to));
                if text.is_some_and(is_block_indicator) {
                    self.block = dashes.last().copied();
                } else if let Some((from, to)) = value {
                    self.push_scalar_item(number, Span::new(start + from, start + to));
                }
            }
        }
    }

    /// Follow the blocks a line opens and closes, and what `.` is in them: `with .Values.x`
    /// makes it `.Values.x`; `range`, and `with` on anything else, make it unknown.
    pub(super) fn track_scopes(&mut self, line: &str) {
        if !line.contains("{{") {
            return;
        }
        for action in actions(line).into_iter().filter(|a| !a.comment) {
            let (word, rest) = action_word(line, action);
            match word {
                "with" => {
                    // `with .Values.x`, or values merged (`merge .Values.a .Values.b`): `.`
                    // reads them, in that order.
                    let code = line.get(rest..action.end).unwrap_or_default();
                    let refs = values_refs(code);
                    let only_values = !code.contains('$') && !refs.is_empty();
                    self.scopes.push(only_values.then_some(refs));
                }
                "range" => self.scopes.push(None),
                "if" | "block" | "define" => {
                    // `.` stays what it was.
                    let dot = self.scopes.last().cloned().flatten();
                    self.scopes.push(dot);
                }
                "end" => {
                    self.scopes.pop();
                }
                _ => {}
            }
            if self.scopes.len() > MAX_DEPTH {
                self.scopes.remove(0);
            }
        }
    }

    /// The values paths `.` stands for here (empty when it is not values).
    pub(super) fn dot(&self) -> Vec<Vec<String>> {
        self.scopes.last().cloned().flatten().unwrap_or_default()
    }

    /// Record a scalar sequence item (`- secrets`) as an entry of the sequence's path.
    pub(super) fn push_scalar_item(&mut self, number: usize, span: Span) {
        let (path, items) = self.context(self.stack.len());
        if path.iter().map(String::len).sum::<usize>() > MAX_PATH_BYTES {
            return;
        }
        self.entries.push(RawEntry {
            entry: Entry {
                line: number,
                document: self.document,
                key: span,
                value: Some(span),
                path,
                items: Vec::new(),
                scalar_item: true,
                dot: self.dot(),
            },
            items,
        });
    }

    /// The keys and the items (as indices) of the first `frames` frames of the stack.
    pub(super) fn context(&self, frames: usize) -> (Vec<String>, Vec<usize>) {
        let mut path = Vec::new();
        let mut items = Vec::new();
        for frame in self.stack.iter().take(frames) {
            match frame {
                Frame::Key { name, .. } => path.push(name.clone()),
                Frame::Item { id, .. } => items.push(*id),
            }
        }
        (path, items)
    }

    /// Record the `include`/`template` calls of a line whose structure was just read: the
    /// helper's output goes under the key the call is the value of, or, for a call alone on
    /// its line, under the keys its indentation (`nindent N`, else the action's column)
    /// places it.
    pub(super) fn push_includes(&mut self, line: &str, start: usize, number: usize) {
        let dot = self.dot();
        let calls = include_calls(line, dot.first().map(Vec::as_slice));
        if calls.is_empty() {
            return;
        }
        // A document that only includes a helper is still a document.
        self.document_used = true;
        let keyed = self
            .entries
            .last()
            .filter(|e| e.entry.line == number && !e.entry.scalar_item)
            .map(|e| e.entry.key.end - start);
        for call in calls {
            let frames = match keyed {
                Some(key_end) if call.column >= key_end => self.stack.len(),
                _ => {
                    let column = call.indent.unwrap_or(call.column);
                    self.stack
                        .iter()
                        .take_while(|frame| match frame {
                            Frame::Key { indent, .. } => *indent < column,
                            Frame::Item { dash, .. } => *dash < column,
                        })
                        .count()
                }
            };
            let (path, items) = self.context(frames);
            self.includes.push(RawInclude {
                include: Include {
                    target: call.target,
                    line: number,
                    span: Span::new(start + call.span.start, start + call.span.end),
                    document: self.document,
                    path,
                    items: Vec::new(),
                },
                items,
            });
        }
    }

    /// Pop the frames that a key (or, if `marker`, an item marker) at `column` is not inside.
    pub(super) fn close(&mut self, column: usize, marker: bool) {
        while let Some(top) = self.stack.last() {
            let closed = match *top {
                // A sequence may sit at its key's indentation (`containers:\n- name: x`).
                Frame::Key {
                    indent, has_value, ..
                } if marker => indent > column || (indent == column && has_value),
                Frame::Key { indent, .. } => indent >= column,
                Frame::Item { dash, .. } => dash >= column,
            };
            if !closed {
                break;
            }
            self.stack.pop();
        }
    }

    /// Start an item (`-` at column `dash`) of the sequence held by the top frame.
    pub(super) fn push_item(&mut self, dash: usize, line: usize) {
        let counter = match self.stack.last_mut() {
            Some(Frame::Key { items, .. } | Frame::Item { items, .. }) => items,
            None => &mut self.root_items,
        };
        let ordinal = *counter;
        *counter += 1;
        let depth = self
            .stack
            .iter()
            .filter(|frame| matches!(frame, Frame::Key { .. }))
            .count();
        self.items.push(Item {
            depth,
            ordinal,
            name: None,
            name_pattern: None,
            line,
        });
        self.stack.push(Frame::Item {
            dash,
            id: self.items.len() - 1,
            key_indent: None,
            items: 0,
        });
    }

    /// Record the entry of a key line and make the key the parent of deeper lines.
    pub(super) fn push_key(&mut self, line: &str, start: usize, number: usize, key: KeyToken) {
        let mut path = Vec::with_capacity(self.stack.len() + 1);
        let mut items = Vec::new();
        for frame in &self.stack {
            match frame {
                Frame::Key { name, .. } => path.push(name.clone()),
                Frame::Item { id, .. } => items.push(*id),
            }
        }
        path.push(key.name.clone());
        if path.iter().map(String::len).sum::<usize>() > MAX_PATH_BYTES {
            return;
        }
        let value = value_range(line.as_bytes(), key.after_colon);
        let value_text = value.and_then(|(from, to)| line.get(from..to));
        let block = value_text.is_some_and(is_block_indicator);
        if let Some(Frame::Item { id, key_indent, .. }) = self.stack.last_mut() {
            let first = *key_indent.get_or_insert(key.column);
            if first == key.column
                && key.name == "name"
                && let Some(item) = self.items.get_mut(*id)
            {
                item.name = value_text.and_then(literal);
                item.name_pattern = value_text.filter(|v| v.contains("{{")).map(str::to_string);
            }
        }
        let value = value.filter(|_| !block);
        self.entries.push(RawEntry {
            entry: Entry {
                line: number,
                document: self.document,
                key: Span::new(start + key.start, start + key.end),
                value: value.map(|(from, to)| Span::new(start + from, start + to)),
                path,
                items: Vec::new(),
                scalar_item: false,
                dot: self.dot(),
            },
            items,
        });
        self.stack.push(Frame::Key {
            indent: key.column,
            name: key.name,
            has_value: value.is_some() || block,
            items: 0,
        });
        if block {
            self.block = Some(key.column);
        }
    }

    /// The index, with every entry's items resolved (names included).
    pub(super) fn finish(self) -> TemplateIndex {
        let items = self.items;
        let resolve = |ids: &[usize]| -> Vec<Item> {
            ids.iter()
                .filter_map(|&id| items.get(id).cloned())
                .collect()
        };
        let entries: Vec<Entry> = self
            .entries
            .into_iter()
            .map(|raw| Entry {
                items: resolve(&raw.items),
                ..raw.entry
            })
            .collect();
        let includes: Vec<Include> = self
            .includes
            .into_iter()
            .map(|raw| Include {
                items: resolve(&raw.items),
                ..raw.include
            })
            .collect();
        let count = entries
            .iter()
            .map(|e| e.document + 1)
            .chain(includes.iter().map(|i: &Include| i.document + 1))
            .max()
            .unwrap_or(0);
        let mut documents = vec![Document::default(); count];
        for entry in &entries {
            let document = &mut documents[entry.document];
            document.first.get_or_insert(entry.key);
            if entry.scalar_item || !entry.items.is_empty() {
                continue;
            }
            match entry.path.as_slice() {
                [key] if key == "kind" => {
                    document.kind = document.kind.or(entry.value);
                }
                [meta, key] if meta == "metadata" && key == "name" => {
                    document.name = document.name.or(entry.value);
                }
                _ => {}
            }
        }
        TemplateIndex {
            entries,
            documents,
            includes,
            defines: Vec::new(),
        }
    }
}

/// `---` at column 0, alone or followed by spaces or a comment.
pub(super) fn is_document_separator(line: &str) -> bool {
    line.strip_prefix("---").is_some_and(|rest| {
        let rest = rest.trim_start_matches([' ', '\t']);
        rest.is_empty() || rest.starts_with('#')
    })
}

pub(super) fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

pub(super) fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Position of `needle` in `bytes` at or after `from`.
pub(super) fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

/// Where the code of the action opening with the `{{` at `open` starts: past the `{{`, a
/// trim marker (`{{-`) and blanks.
pub(super) fn action_code(bytes: &[u8], open: usize) -> usize {
    let mut i = open + 2;
    if bytes.get(i) == Some(&b'-') {
        i += 1;
    }
    while bytes
        .get(i)
        .copied()
        .is_some_and(|b| b.is_ascii_whitespace())
    {
        i += 1;
    }
    i
}

/// If the action opening with the `{{` at `open` is a comment (`{{/*`, `{{- /*`), the
/// position just past its `/*`.
pub(super) fn comment_body(bytes: &[u8], open: usize) -> Option<usize> {
    let i = action_code(bytes, open);
    bytes.get(i..)?.starts_with(b"/*").then_some(i + 2)
}

/// The action state after a line, given the state before it.
pub(super) fn track_actions(bytes: &[u8], mut state: Action) -> Action {
    let mut i = 0;
    while i < bytes.len() {
        let rest = &bytes[i..];
        (state, i) = match state {
            Action::Closed if rest.starts_with(b"{{") => match comment_body(bytes, i) {
                Some(body) => (Action::Comment, body),
                None => (Action::Open, i + 2),
            },
            Action::Open if rest.starts_with(b"}}") => (Action::Closed, i + 2),
            Action::Comment if rest.starts_with(b"*/") => (Action::Open, i + 2),
            _ => (state, i + 1),
        };
    }
    state
}

/// If an item marker (`-` then a blank or the end of line) is at `at`, the position of what
/// follows it.
pub(super) fn after_item_marker(bytes: &[u8], at: usize) -> Option<usize> {
    if bytes.get(at) != Some(&b'-') || !bytes.get(at + 1).is_none_or(|&b| is_blank(b)) {
        return None;
    }
    let mut i = at + 1;
    while bytes.get(i).copied().is_some_and(is_blank) {
        i += 1;
    }
    Some(i)
}

/// The key at byte `at` of `line`: plain or quoted, then `:` and a blank or the end of line.
pub(super) fn parse_key(line: &str, at: usize) -> Option<KeyToken> {
    let bytes = line.as_bytes();
    let (start, end, after_colon, quote) = match *bytes.get(at)? {
        quote @ (b'"' | b'\'') => {
            let (end, after_colon) = quoted_key(bytes, at)?;
            (at + 1, end, after_colon, Some(quote))
        }
        _ => {
            let (end, after_colon) = plain_key(line, at)?;
            (at, end, after_colon, None)
        }
    };
    let text = line.get(start..end)?;
    let name = match quote {
        _ if text.contains("{{") => "*".to_string(),
        Some(quote) => unquote(text, quote),
        None => text.to_string(),
    };
    Some(KeyToken {
        column: at,
        start,
        end,
        name,
        after_colon,
    })
}

/// A plain key from `at`: (end of its trimmed text, position past the colon). Actions are
/// skipped whole; a templated key may hold no blank outside its actions (that is an action
/// line followed by text, not a key).
pub(super) fn plain_key(line: &str, at: usize) -> Option<(usize, usize)> {
    let bytes = line.as_bytes();
    let rest = bytes.get(at..)?;
    if !rest.starts_with(b"{{") && rest.first().is_some_and(|b| b"[]{},#&*!|>%@`".contains(b)) {
        return None;
    }
    let mut first_blank = None;
    let mut i = at;
    while let Some(&b) = bytes.get(i) {
        if bytes[i..].starts_with(b"{{") {
            i = find(bytes, i + 2, b"}}")? + 2;
            continue;
        }
        if b == b':' && bytes.get(i + 1).is_none_or(|&b| is_blank(b)) {
            let end = at + line.get(at..i)?.trim_end().len();
            let templated = line.get(at..end)?.contains("{{");
            if end == at || (templated && first_blank.is_some_and(|blank| blank < end)) {
                return None;
            }
            return Some((end, i + 1));
        }
        if is_blank(b) {
            if bytes.get(i + 1) == Some(&b'#') {
                return None; // A comment starts before any colon.
            }
            first_blank.get_or_insert(i);
        }
        i += 1;
    }
    None
}

/// A quoted key whose opening quote is at `at`: (position of its closing quote, position
/// past the colon).
pub(super) fn quoted_key(bytes: &[u8], at: usize) -> Option<(usize, usize)> {
    let close = closing_quote(bytes, at)?;
    let mut i = close + 1;
    while bytes.get(i).copied().is_some_and(is_blank) {
        i += 1;
    }
    let colon_ends_key = bytes.get(i) == Some(&b':')
        && bytes.get(i + 1).is_none_or(|&b| is_blank(b))
        && close > at + 1;
    colon_ends_key.then_some((close, i + 1))
}

/// The position of the quote that closes the one at `at` (`\"` escapes in double quotes,
/// `''` in single quotes).
pub(super) fn closing_quote(bytes: &[u8], at: usize) -> Option<usize> {
    let quote = *bytes.get(at)?;
    let mut i = at + 1;
    loop {
        let b = *bytes.get(i)?;
        let escaped = match quote {
            b'"' => b == b'\\',
            _ => b == quote && bytes.get(i + 1) == Some(&quote),
        };
        if escaped {
            i += 2;
        } else if b == quote {
            return Some(i);
        } else {
            i += 1;
        }
    }
}

/// The text of a quoted scalar (without its quotes), with its escapes resolved.
pub(super) fn unquote(inner: &str, quote: u8) -> String {
    if quote == b'\'' {
        return inner.replace("''", "'");
    }
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            c => out.push(c),
        }
    }
    out
}

/// The value after a colon or item marker: from `from`, blanks skipped, up to a `# comment`
/// (outside quotes and actions), trimmed. None when empty.
pub(super) fn value_range(bytes: &[u8], from: usize) -> Option<(usize, usize)> {
    let mut start = from;
    while bytes.get(start).copied().is_some_and(is_blank) {
        start += 1;
    }
    let mut quote = match bytes.get(start) {
        Some(&q @ (b'"' | b'\'')) => Some(q),
        _ => None,
    };
    let mut end = bytes.len();
    let mut i = start + usize::from(quote.is_some());
    while let Some(&b) = bytes.get(i) {
        if bytes[i..].starts_with(b"{{") {
            match find(bytes, i + 2, b"}}") {
                Some(close) => i = close + 2,
                None => break, // The action goes on on the next lines.
            }
            continue;
        }
        match quote {
            Some(b'"') if b == b'\\' => i += 1,
            Some(b'\'') if b == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 1,
            Some(q) if b == q => quote = None,
            None if b == b'#' && (i == start || is_blank(bytes[i - 1])) => {
                end = i;
                break;
            }
            _ => {}
        }
        i += 1;
    }
    while end > start && bytes.get(end - 1).copied().is_some_and(is_blank) {
        end -= 1;
    }
    (end > start).then_some((start, end))
}

/// `|`, `|-`, `>+`, `|2`: a block scalar starts (its text is on the next lines).
pub(super) fn is_block_indicator(value: &str) -> bool {
    let mut chars = value.chars();
    matches!(chars.next(), Some('|' | '>'))
        && chars.all(|c| c.is_ascii_digit() || c == '+' || c == '-')
}

/// A scalar value as a literal string: unquoted; None when templated or not a scalar.
pub(super) fn literal(value: &str) -> Option<String> {
    if value.contains("{{") || value.starts_with(['[', '{', '|', '>', '&', '*', '!']) {
        return None;
    }
    for quote in ['"', '\''] {
        if value.starts_with(quote) {
            let inner = value.strip_prefix(quote)?.strip_suffix(quote)?;
            return Some(unquote(inner, quote as u8));
        }
    }
    Some(value.to_string())
}

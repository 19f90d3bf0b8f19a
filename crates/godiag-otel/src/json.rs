//! A JSON document as a tree in which every value and key keeps its position.
//!
//! The grammar and the error messages are those of Go's `encoding/json` scanner
//! (scanner.go), because the programs that read the files godiag lints here (Jaeger's
//! sampling strategy provider) are Go programs: the same bytes are accepted and rejected,
//! and a rejection reads as Go would word it (`invalid character '}' looking for beginning
//! of object key string`), with the line and column Go leaves out. Strings decode the way
//! Go's `unquote` does: each byte of invalid UTF-8 and each unpaired surrogate escape
//! becomes U+FFFD. The parser is iterative, so nesting depth costs heap, not stack; like Go
//! it refuses more than 10,000 levels. Duplicate keys are kept, in order: what they mean is
//! the decoder's business. This module knows nothing about Jaeger.

use crate::yaml::Pos;

/// Go's `maxNestingDepth`.
const MAX_DEPTH: usize = 10_000;

/// A JSON value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`, kept apart from a missing key.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as written.
    Number(String),
    /// A string, decoded.
    String(String),
    /// An array, elements in document order.
    Array(Vec<Node>),
    /// An object, members in document order (duplicates kept).
    Object(Vec<Member>),
}

/// A value with where it starts and ends.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The decoded value; its children are nodes with their own positions.
    pub value: Value,
    /// Where it starts.
    pub pos: Pos,
    /// Where it ends (exclusive).
    pub end: Pos,
}

/// One member of an object.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// The key, decoded.
    pub key: String,
    /// Where the key's opening quote is.
    pub key_pos: Pos,
    /// Where the key ends (after its closing quote).
    pub key_end: Pos,
    /// The member's value, with its own position.
    pub value: Node,
}

/// Why a text is not JSON, in Go's words, with where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct JsonError {
    /// The offending character, or the end of the input.
    pub pos: Pos,
    /// Go's `SyntaxError` message.
    pub message: String,
}

impl Node {
    /// Returns the JSON kind as Go's `UnmarshalTypeError` names it.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        }
    }

    /// Returns the members of an object.
    #[must_use]
    pub fn members(&self) -> Option<&[Member]> {
        match &self.value {
            Value::Object(members) => Some(members),
            _ => None,
        }
    }
}

/// Parses `bytes` as one JSON value.
pub fn parse(bytes: &[u8], file: u16) -> Result<Node, JsonError> {
    Parser {
        bytes,
        at: 0,
        pos: Pos {
            file,
            line: 1,
            col: 1,
            index: 0,
        },
    }
    .document()
}

enum Frame {
    Array {
        start: Pos,
        items: Vec<Node>,
    },
    Object {
        start: Pos,
        members: Vec<Member>,
        key: (String, Pos, Pos),
    },
}

struct Parser<'a> {
    bytes: &'a [u8],
    at: usize,
    pos: Pos,
}

impl Parser<'_> {
    fn document(mut self) -> Result<Node, JsonError> {
        let mut stack: Vec<Frame> = Vec::new();
        'value: loop {
            self.skip_space();
            let start = self.pos;
            let mut node = match self.peek() {
                None => return Err(self.eof()),
                Some(b'{') => {
                    self.open(stack.len())?;
                    self.skip_space();
                    if self.peek() == Some(b'}') {
                        self.bump();
                        self.node(Value::Object(Vec::new()), start)
                    } else {
                        let key = self.key()?;
                        stack.push(Frame::Object {
                            start,
                            members: Vec::new(),
                            key,
                        });
                        continue 'value;
                    }
                }
                Some(b'[') => {
                    self.open(stack.len())?;
                    self.skip_space();
                    if self.peek() == Some(b']') {
                        self.bump();
                        self.node(Value::Array(Vec::new()), start)
                    } else {
                        stack.push(Frame::Array {
                            start,
                            items: Vec::new(),
                        });
                        continue 'value;
                    }
                }
                Some(b'"') => {
                    let text = self.string()?;
                    self.node(Value::String(text), start)
                }
                Some(b'-' | b'0'..=b'9') => {
                    let text = self.number()?;
                    self.node(Value::Number(text), start)
                }
                Some(b't') => self.literal("true", Value::Bool(true))?,
                Some(b'f') => self.literal("false", Value::Bool(false))?,
                Some(b'n') => self.literal("null", Value::Null)?,
                Some(c) => return Err(self.invalid(c, "looking for beginning of value")),
            };
            // A value is complete: hand it to its container, closing containers as they end.
            loop {
                self.skip_space();
                match stack.last_mut() {
                    None => {
                        return match self.peek() {
                            None => Ok(node),
                            Some(c) => Err(self.invalid(c, "after top-level value")),
                        };
                    }
                    Some(Frame::Array { items, .. }) => {
                        items.push(node);
                        match self.peek() {
                            Some(b',') => {
                                self.bump();
                                continue 'value;
                            }
                            Some(b']') => self.bump(),
                            Some(c) => return Err(self.invalid(c, "after array element")),
                            None => return Err(self.eof()),
                        }
                    }
                    Some(Frame::Object { members, key, .. }) => {
                        let (name, key_pos, key_end) = std::mem::take(key);
                        members.push(Member {
                            key: name,
                            key_pos,
                            key_end,
                            value: node,
                        });
                        match self.peek() {
                            Some(b',') => {
                                self.bump();
                                self.skip_space();
                                *key = self.key()?;
                                continue 'value;
                            }
                            Some(b'}') => self.bump(),
                            Some(c) => {
                                return Err(self.invalid(c, "after object key:value pair"));
                            }
                            None => return Err(self.eof()),
                        }
                    }
                }
                node = match stack.pop() {
                    Some(Frame::Array { start, items }) => self.node(Value::Array(items), start),
                    Some(Frame::Object { start, members, .. }) => {
                        self.node(Value::Object(members), start)
                    }
                    None => return Err(self.eof()),
                };
            }
        }
    }

    fn node(&self, value: Value, start: Pos) -> Node {
        Node {
            value,
            pos: start,
            end: self.pos,
        }
    }

    /// Consumes `{` or `[`, refusing nesting deeper than Go allows.
    fn open(&mut self, depth: usize) -> Result<(), JsonError> {
        if depth >= MAX_DEPTH {
            return Err(JsonError {
                pos: self.pos,
                message: "exceeded max depth".to_owned(),
            });
        }
        self.bump();
        Ok(())
    }

    /// Reads `"key"` and the `:` after it.
    fn key(&mut self) -> Result<(String, Pos, Pos), JsonError> {
        let key_pos = self.pos;
        match self.peek() {
            Some(b'"') => {}
            Some(c) => return Err(self.invalid(c, "looking for beginning of object key string")),
            None => return Err(self.eof()),
        }
        let key = self.string()?;
        let key_end = self.pos;
        self.skip_space();
        match self.peek() {
            Some(b':') => self.bump(),
            Some(c) => return Err(self.invalid(c, "after object key")),
            None => return Err(self.eof()),
        }
        Ok((key, key_pos, key_end))
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn bump(&mut self) {
        let Some(&byte) = self.bytes.get(self.at) else {
            return;
        };
        self.at += 1;
        if byte == b'\n' {
            self.pos.line += 1;
            self.pos.col = 1;
            self.pos.index += 1;
        } else if byte & 0xC0 != 0x80 {
            self.pos.col += 1;
            self.pos.index += 1;
        }
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.bump();
        }
    }

    fn eof(&self) -> JsonError {
        JsonError {
            pos: self.pos,
            message: "unexpected end of JSON input".to_owned(),
        }
    }

    fn invalid(&self, c: u8, context: &str) -> JsonError {
        JsonError {
            pos: self.pos,
            message: format!("invalid character {} {context}", quote_char(c)),
        }
    }

    fn literal(&mut self, word: &'static str, value: Value) -> Result<Node, JsonError> {
        let start = self.pos;
        self.bump();
        for expected in word.bytes().skip(1) {
            match self.peek() {
                Some(c) if c == expected => self.bump(),
                Some(c) => {
                    let context = format!("in literal {word} (expecting {})", quote_char(expected));
                    return Err(self.invalid(c, &context));
                }
                None => return Err(self.eof()),
            }
        }
        Ok(self.node(value, start))
    }

    fn digits(&mut self) -> usize {
        let mut count = 0;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.bump();
            count += 1;
        }
        count
    }

    fn number(&mut self) -> Result<String, JsonError> {
        let start = self.at;
        if self.peek() == Some(b'-') {
            self.bump();
        }
        match self.peek() {
            Some(b'0') => self.bump(),
            Some(b'1'..=b'9') => {
                self.digits();
            }
            Some(c) => return Err(self.invalid(c, "in numeric literal")),
            None => return Err(self.eof()),
        }
        if self.peek() == Some(b'.') {
            self.bump();
            match self.peek() {
                Some(b'0'..=b'9') => {
                    self.digits();
                }
                Some(c) => return Err(self.invalid(c, "after decimal point in numeric literal")),
                None => return Err(self.eof()),
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.bump();
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.bump();
            }
            match self.peek() {
                Some(b'0'..=b'9') => {
                    self.digits();
                }
                Some(c) => return Err(self.invalid(c, "in exponent of numeric literal")),
                None => return Err(self.eof()),
            }
        }
        // Only ASCII digits, signs, `.` and `e` were consumed.
        Ok(String::from_utf8_lossy(&self.bytes[start..self.at]).into_owned())
    }

    /// Reads a string at its opening quote, decoding it as Go's `unquote` does.
    fn string(&mut self) -> Result<String, JsonError> {
        self.bump();
        let mut out = String::new();
        let mut raw_start = self.at;
        loop {
            let Some(c) = self.peek() else {
                return Err(self.eof());
            };
            match c {
                b'"' => {
                    push_go_lossy(&mut out, &self.bytes[raw_start..self.at]);
                    self.bump();
                    return Ok(out);
                }
                b'\\' => {
                    push_go_lossy(&mut out, &self.bytes[raw_start..self.at]);
                    self.bump();
                    self.escape(&mut out)?;
                    raw_start = self.at;
                }
                0..=0x1F => return Err(self.invalid(c, "in string literal")),
                _ => self.bump(),
            }
        }
    }

    /// Decodes one escape after its backslash.
    fn escape(&mut self, out: &mut String) -> Result<(), JsonError> {
        let Some(c) = self.peek() else {
            return Err(self.eof());
        };
        let simple = match c {
            b'"' => Some('"'),
            b'\\' => Some('\\'),
            b'/' => Some('/'),
            b'b' => Some('\u{8}'),
            b'f' => Some('\u{c}'),
            b'n' => Some('\n'),
            b'r' => Some('\r'),
            b't' => Some('\t'),
            b'u' => None,
            _ => return Err(self.invalid(c, "in string escape code")),
        };
        self.bump();
        if let Some(simple) = simple {
            out.push(simple);
            return Ok(());
        }
        let first = self.hex4()?;
        if !(0xD800..0xE000).contains(&first) {
            out.push(char::from_u32(first).unwrap_or(char::REPLACEMENT_CHARACTER));
            return Ok(());
        }
        // A surrogate: Go pairs it with an immediately following `\uXXXX` when the two
        // form a valid pair, and otherwise writes U+FFFD and leaves the next escape alone.
        let rest = &self.bytes[self.at..];
        if (0xD800..0xDC00).contains(&first)
            && rest.len() >= 6
            && rest[0] == b'\\'
            && rest[1] == b'u'
        {
            if let Some(second) = parse_hex4(&rest[2..6]) {
                if (0xDC00..0xE000).contains(&second) {
                    for _ in 0..6 {
                        self.bump();
                    }
                    let combined = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
                    out.push(char::from_u32(combined).unwrap_or(char::REPLACEMENT_CHARACTER));
                    return Ok(());
                }
            }
        }
        out.push(char::REPLACEMENT_CHARACTER);
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let mut value = 0;
        for _ in 0..4 {
            match self.peek() {
                Some(c) if c.is_ascii_hexdigit() => {
                    value = value * 16 + u32::from(hex_value(c));
                    self.bump();
                }
                Some(c) => return Err(self.invalid(c, "in \\u hexadecimal character escape")),
                None => return Err(self.eof()),
            }
        }
        Ok(value)
    }
}

fn hex_value(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        b'A'..=b'F' => c - b'A' + 10,
        _ => 0,
    }
}

fn parse_hex4(bytes: &[u8]) -> Option<u32> {
    bytes.iter().try_fold(0u32, |acc, &c| {
        c.is_ascii_hexdigit()
            .then(|| acc * 16 + u32::from(hex_value(c)))
    })
}

/// Appends bytes as Go does: valid UTF-8 as is, each invalid byte as U+FFFD.
fn push_go_lossy(out: &mut String, bytes: &[u8]) {
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for _ in chunk.invalid() {
            out.push(char::REPLACEMENT_CHARACTER);
        }
    }
}

/// Go's `quoteChar`: the byte as a one-character Go literal, e.g. `'}'`, `'\n'`, `'Ã'`.
fn quote_char(c: u8) -> String {
    match c {
        b'\'' => "'\\''".to_owned(),
        b'"' => "'\"'".to_owned(),
        _ => format!("'{}'", go_quote_rune(char::from(c))),
    }
}

/// The inside of Go's `strconv.Quote` for one rune below U+0100.
fn go_quote_rune(c: char) -> String {
    match c {
        '\u{7}' => "\\a".to_owned(),
        '\u{8}' => "\\b".to_owned(),
        '\u{c}' => "\\f".to_owned(),
        '\n' => "\\n".to_owned(),
        '\r' => "\\r".to_owned(),
        '\t' => "\\t".to_owned(),
        '\u{b}' => "\\v".to_owned(),
        '\\' => "\\\\".to_owned(),
        c if u32::from(c) < 0x20 || c == '\u{7f}' => format!("\\x{:02x}", u32::from(c)),
        // C1 controls, the no-break space and the soft hyphen are not printable in Go.
        c if (0x80..=0xA0).contains(&u32::from(c)) || c == '\u{ad}' => {
            format!("\\u{:04x}", u32::from(c))
        }
        c => c.to_string(),
    }
}

#[cfg(test)]
mod tests;

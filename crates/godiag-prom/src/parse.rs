//! Streaming parsers for the Prometheus text format 0.0.4 and OpenMetrics 1.0.
//!
//! Input is read one line at a time from a [`BufRead`]; each sample goes to a
//! [`Visitor`] and is then dropped, so memory grows with the number of families, not with
//! the size of the input. The first malformed line stops the parse with a [`ParseError`]
//! that names its line and column, as Prometheus rejects a whole scrape with a bad line.
//! This module only reads: what the samples mean is the checks' business.

mod float;
mod openmetrics;
mod text;

use std::collections::HashMap;
use std::io::{self, BufRead};

pub use float::{parse_go_float, parse_go_int};
pub(crate) use text::TextParser;

use crate::model::{Family, Format, PrometheusVersion, Visitor};

/// A malformed exposition: where and what.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct ParseError {
    /// 1-based line.
    pub line: u32,
    /// 1-based column (in characters).
    pub column: u32,
    /// What is wrong, worded as Prometheus's own parser words it where it has a message.
    pub message: String,
}

/// Why a parse stopped early.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input is not a valid exposition.
    #[error(transparent)]
    Syntax(#[from] ParseError),
    /// Reading the input failed (a dropped connection, a bad gzip stream).
    #[error("reading line {line} failed: {source}")]
    Read {
        /// The line being read.
        line: u32,
        /// The I/O error.
        source: io::Error,
    },
}

/// What a parse produced besides the samples it streamed.
#[derive(Debug)]
pub struct Parsed {
    /// The format that was parsed.
    pub format: Format,
    /// Every family seen, in order of first appearance (some may have no samples).
    pub families: Vec<Family>,
    /// Lines read.
    pub lines: u32,
    /// Bytes read.
    pub bytes: u64,
    /// The error that stopped the parse, if any.
    pub error: Option<Error>,
    /// Breaches of the OpenMetrics specification that Prometheus accepts (the first few).
    pub notes: Vec<ParseError>,
    /// How many such breaches there were.
    pub notes_total: u64,
}

/// The family table: one entry per name, looked up by name.
#[derive(Debug, Default)]
pub(crate) struct Families {
    pub(crate) list: Vec<Family>,
    index: HashMap<Box<str>, usize, foldhash::fast::RandomState>,
}

impl Families {
    /// Appends `other`'s families after these, in their order; returns the index the
    /// first of them got.
    pub(crate) fn append(&mut self, other: Self) -> usize {
        let offset = self.list.len();
        for family in other.list {
            self.insert(family);
        }
        offset
    }

    pub(crate) fn get(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    pub(crate) fn insert(&mut self, family: Family) -> usize {
        let at = self.list.len();
        self.index.insert(family.name.clone(), at);
        self.list.push(family);
        at
    }
}

/// Parses `reader` as `format`, handing every sample to `visitor`.
///
/// Lines are parsed in place in the reader's buffer; only a line that straddles two
/// buffer fills is copied.
pub fn parse<R: BufRead, V: Visitor>(
    reader: R,
    format: Format,
    version: PrometheusVersion,
    visitor: &mut V,
) -> Parsed {
    let mut machine = Machine::new(format, version);
    let mut counter = Counter::default();
    let error = drive(reader, &mut machine, &mut counter, visitor);
    let (families, notes, notes_total) = machine.into_parts();
    Parsed {
        format,
        families,
        lines: counter.number,
        bytes: counter.bytes,
        error,
        notes,
        notes_total,
    }
}

/// What parsing one piece of a text exposition read: its lines and bytes, and the error
/// that stopped it.
#[derive(Debug)]
pub(crate) struct Piece {
    pub(crate) lines: u32,
    pub(crate) bytes: u64,
    pub(crate) error: Option<Error>,
}

/// Parses `bytes`, whose first line is line `first_line` of the exposition, as text,
/// continuing from the family table in `parser`. Everything but the last line of the
/// input ends in a newline.
pub(crate) fn parse_text_piece<V: Visitor>(
    bytes: &[u8],
    parser: &mut TextParser,
    first_line: u32,
    visitor: &mut V,
) -> Piece {
    let mut machine = Machine::Text(std::mem::take(parser));
    let mut counter = Counter {
        number: first_line.saturating_sub(1),
        bytes: 0,
    };
    let error = drive(bytes, &mut machine, &mut counter, visitor);
    if let Machine::Text(used) = machine {
        *parser = used;
    }
    Piece {
        lines: counter.number - first_line.saturating_sub(1),
        bytes: counter.bytes,
        error,
    }
}

/// Feeds every line of `reader` to `machine` until the input ends or a line fails.
fn drive<R: BufRead, V: Visitor>(
    mut reader: R,
    machine: &mut Machine,
    counter: &mut Counter,
    visitor: &mut V,
) -> Option<Error> {
    let mut carry = Vec::new();
    loop {
        let buffer = match reader.fill_buf() {
            Ok([]) => break machine.finish(counter.number),
            Ok(buffer) => buffer,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(source) => break Some(counter.read_error(source)),
        };
        let mut consumed = 0;
        let mut failed = None;
        while let Some(end) = memchr::memchr(b'\n', &buffer[consumed..]) {
            let line = &buffer[consumed..consumed + end];
            consumed += end + 1;
            if let Err(error) = counter.line(machine, line, true, visitor) {
                failed = Some(error);
                break;
            }
        }
        reader.consume(consumed);
        if failed.is_some() {
            break failed;
        }
        if consumed > 0 {
            continue;
        }
        // No whole line left in the buffer: read the rest of this one across fills.
        carry.clear();
        match reader.read_until(b'\n', &mut carry) {
            Ok(_) => {
                let terminated = carry.last() == Some(&b'\n');
                let line = if terminated {
                    &carry[..carry.len() - 1]
                } else {
                    &carry[..]
                };
                if let Err(error) = counter.line(machine, line, terminated, visitor) {
                    break Some(error);
                }
            }
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(source) => break Some(counter.read_error(source)),
        }
    }
}

/// Line and byte counts of a parse.
#[derive(Debug, Default)]
struct Counter {
    number: u32,
    bytes: u64,
}

impl Counter {
    fn line<V: Visitor>(
        &mut self,
        machine: &mut Machine,
        line: &[u8],
        terminated: bool,
        visitor: &mut V,
    ) -> Result<(), Error> {
        self.number = self.number.saturating_add(1);
        self.bytes += line.len() as u64 + u64::from(terminated);
        machine
            .line(line, terminated, self.number, visitor)
            .map_err(Error::Syntax)
    }

    fn read_error(&self, source: io::Error) -> Error {
        Error::Read {
            line: self.number.saturating_add(1),
            source,
        }
    }
}

/// Either parser behind one interface.
enum Machine {
    Text(text::TextParser),
    OpenMetrics(openmetrics::OmParser),
}

impl Machine {
    fn new(format: Format, version: PrometheusVersion) -> Self {
        match format {
            Format::Text => Self::Text(text::TextParser::new(version.utf8_names())),
            Format::OpenMetrics => {
                Self::OpenMetrics(openmetrics::OmParser::new(version.utf8_names()))
            }
        }
    }

    fn line<V: Visitor>(
        &mut self,
        content: &[u8],
        terminated: bool,
        number: u32,
        visitor: &mut V,
    ) -> Result<(), ParseError> {
        match self {
            Self::Text(parser) => parser.line(content, terminated, number, visitor),
            Self::OpenMetrics(parser) => parser.line(content, terminated, number, visitor),
        }
    }

    fn finish(&mut self, last_line: u32) -> Option<Error> {
        match self {
            Self::Text(_) => None,
            Self::OpenMetrics(parser) => parser.finish(last_line).err().map(Error::Syntax),
        }
    }

    fn into_parts(self) -> (Vec<Family>, Vec<ParseError>, u64) {
        match self {
            Self::Text(parser) => (parser.families.list, Vec::new(), 0),
            Self::OpenMetrics(parser) => (parser.families.list, parser.notes, parser.notes_total),
        }
    }
}

/// Guesses the format from a media type: OpenMetrics for `application/openmetrics-text`,
/// text for anything else that names text, `None` when there is nothing to go by.
#[must_use]
pub fn format_from_content_type(content_type: &str) -> Option<Format> {
    let media = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    match media.as_str() {
        "application/openmetrics-text" => Some(Format::OpenMetrics),
        "" => None,
        _ => Some(Format::Text),
    }
}

/// Guesses the format from the first bytes of an input: OpenMetrics when they hold a line
/// only OpenMetrics has (`# EOF`, `# UNIT`, an OpenMetrics-only type, a counter family whose
/// samples end in `_total` or `_created`), text otherwise.
#[must_use]
pub fn sniff_format(head: &[u8]) -> Format {
    let mut counters: Vec<&[u8]> = Vec::new();
    for line in head.split(|&b| b == b'\n') {
        if line == b"# EOF" || line.starts_with(b"# UNIT ") {
            return Format::OpenMetrics;
        }
        if let Some(rest) = line.strip_prefix(b"# TYPE ") {
            let mut words = rest.split(|&b| b == b' ');
            let name = words.next().unwrap_or_default();
            match words.next().unwrap_or_default() {
                b"unknown" | b"info" | b"stateset" | b"gaugehistogram" => {
                    return Format::OpenMetrics;
                }
                b"counter" if !name.ends_with(b"_total") => counters.push(name),
                _ => {}
            }
        } else if !line.starts_with(b"#") {
            let end = line
                .iter()
                .position(|&b| b == b'{' || b == b' ')
                .unwrap_or(line.len());
            let name = &line[..end];
            for suffix in [&b"_total"[..], b"_created"] {
                if let Some(base) = name.strip_suffix(suffix)
                    && counters.contains(&base)
                {
                    return Format::OpenMetrics;
                }
            }
        }
    }
    Format::Text
}

/// Returns the 1-based character column of byte offset `at` in `line`.
pub(crate) fn column(line: &[u8], at: usize) -> u32 {
    let prefix = &line[..at.min(line.len())];
    let chars = String::from_utf8_lossy(prefix).chars().count();
    u32::try_from(chars).unwrap_or(u32::MAX).saturating_add(1)
}

/// Formats a byte the way Go's `%q` formats a `byte` (a quoted character literal).
pub(crate) fn go_quote_byte(byte: Option<u8>) -> String {
    match byte {
        None => "EOF".to_owned(),
        Some(b'\n') => "'\\n'".to_owned(),
        Some(b'\t') => "'\\t'".to_owned(),
        Some(b'\r') => "'\\r'".to_owned(),
        Some(b'\'') => "'\\''".to_owned(),
        Some(b'\\') => "'\\\\'".to_owned(),
        Some(b) if b.is_ascii_graphic() || b == b' ' => format!("'{}'", b as char),
        Some(b) if b < 0x80 => format!("'\\x{b:02x}'"),
        Some(b) => format!("'{}'", char::from(b)),
    }
}

/// Formats text the way Go's `%q` does, closely enough for messages.
pub(crate) fn go_quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                use std::fmt::Write as _;
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests;

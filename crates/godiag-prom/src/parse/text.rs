//! The text format 0.0.4, parsed exactly as Prometheus's `expfmt.TextParser` parses it.
//!
//! This is a line-at-a-time port of the state machine in prometheus/common
//! `expfmt/text_parse.go` (the version promtool 2.42 is built with), so that an input
//! promtool rejects is rejected here at the same line and an input it accepts is accepted,
//! including its quirks: trailing blanks after a value are an error, a TYPE line's type
//! keeps trailing blanks, HELP after samples is fine, `_count`/`_sum`/`_bucket` lines join a
//! summary or histogram family only when that family was declared first.

use std::borrow::Cow;
use std::collections::HashSet;

use super::{Families, ParseError, column, go_quote, go_quote_byte, parse_go_float, parse_go_int};
use crate::model::{Family, Label, MetricType, Sample, SampleRole, Visitor};

/// Parser state that lives across lines: the family table.
#[derive(Debug, Default)]
pub(crate) struct TextParser {
    pub(crate) families: Families,
    /// The last sample name looked up and its answer: consecutive samples mostly share a
    /// name. Cleared whenever the family table changes.
    last_lookup: Option<(Vec<u8>, usize, Option<SampleRole>)>,
    /// The label list's allocation, kept between lines.
    label_buffer: Vec<Label<'static>>,
    /// For a piece parsed without the families before it: the sample names that joined
    /// a family of their own piece by a suffix (`x_count` joining `x`). Had an earlier
    /// piece a family of such a name, expfmt would have picked that one instead.
    aliases: Option<HashSet<Box<str>, foldhash::fast::RandomState>>,
    /// Prometheus 3: metric and label names may be quoted UTF-8 strings
    /// (`{"http.server.duration", "service.name"="api"}`). Off, names are what
    /// expfmt before Prometheus 3 accepts, and quoted ones are errors worded as it words them.
    pub(crate) utf8_names: bool,
}

impl TextParser {
    /// A parser for a piece read without the families before it, remembering what it
    /// needs to tell whether those families would have changed how it read the piece.
    /// A parser for a whole exposition (or the first piece of one).
    pub(crate) fn new(utf8_names: bool) -> Self {
        Self {
            utf8_names,
            ..Self::default()
        }
    }

    pub(crate) fn speculative(utf8_names: bool) -> Self {
        Self {
            aliases: Some(HashSet::default()),
            utf8_names,
            ..Self::default()
        }
    }

    /// Whether reading this piece after `earlier` could have gone differently: a name it
    /// looked up (a family, the base of a suffixed name, or a suffixed name that joined a
    /// base) is already a family there. Every way the state machine depends on earlier
    /// lines is such a lookup.
    pub(crate) fn depends_on(&self, earlier: &Families) -> bool {
        let known = |name: &str| earlier.get(name).is_some();
        let bases = |name: &str| {
            ["_count", "_sum", "_bucket"].iter().any(|suffix| {
                name.strip_suffix(suffix)
                    .is_some_and(|base| !base.is_empty() && known(base))
            })
        };
        self.families
            .list
            .iter()
            .any(|family| known(&family.name) || bases(&family.name))
            || self
                .aliases
                .iter()
                .flatten()
                .any(|name| known(name) || bases(name))
    }

    /// Appends the families of a later piece (which does not depend on these); returns
    /// the index its first family got.
    pub(crate) fn append(&mut self, later: Self) -> usize {
        self.last_lookup = None;
        self.families.append(later.families)
    }
}

/// A position in one line; past the end is `\n` for a terminated line and end of input
/// otherwise, as the Go parser sees the stream.
struct Cursor<'a> {
    bytes: &'a [u8],
    /// The whole line as text when it is valid UTF-8, so slices need no second check.
    text: Option<&'a str>,
    pos: usize,
    terminated: bool,
}

impl<'a> Cursor<'a> {
    /// The current byte; `None` is end of input.
    fn current(&self) -> Option<u8> {
        match self.bytes.get(self.pos) {
            Some(&b) => Some(b),
            None if self.terminated && self.pos == self.bytes.len() => Some(b'\n'),
            None => None,
        }
    }

    fn at_newline(&self) -> bool {
        self.current() == Some(b'\n')
    }

    fn advance(&mut self) {
        self.pos += 1;
    }

    /// Go's `skipBlankTab`: reads at least one byte, then skips blanks and tabs.
    fn skip_blank_tab(&mut self) -> Option<u8> {
        loop {
            self.advance();
            match self.current() {
                Some(b' ' | b'\t') => {}
                other => return other,
            }
        }
    }

    /// Go's `skipBlankTabIfCurrentBlankTab`.
    fn skip_if_blank(&mut self) -> Option<u8> {
        if matches!(self.current(), Some(b' ' | b'\t')) {
            self.skip_blank_tab()
        } else {
            self.current()
        }
    }

    /// Go's `readTokenUntilWhitespace`: the token and whether it ended at end of input.
    fn token_until_whitespace(&mut self) -> (usize, usize, bool) {
        let start = self.pos;
        let rest = self.bytes.get(start..).unwrap_or_default();
        if let Some(offset) = rest.iter().position(|&b| b == b' ' || b == b'\t') {
            self.pos = start + offset;
            (start, self.pos, false)
        } else {
            self.pos = self.bytes.len().max(start);
            (start, self.pos, !self.terminated)
        }
    }

    /// Go's `readTokenAsMetricName` (and label names with `colon` false).
    fn name_token(&mut self, colon: bool) -> (usize, usize, bool) {
        let (start_class, continue_class) = if colon {
            (METRIC_START, METRIC_CONTINUE)
        } else {
            (LABEL_START, LABEL_CONTINUE)
        };
        let start = self.pos;
        if self
            .current()
            .is_none_or(|b| NAME_CLASSES[usize::from(b)] & start_class == 0)
        {
            return (start, start, false);
        }
        let rest = &self.bytes[start..];
        if let Some(offset) = rest
            .iter()
            .position(|&b| NAME_CLASSES[usize::from(b)] & continue_class == 0)
        {
            self.pos = start + offset;
            (start, self.pos, false)
        } else {
            self.pos = self.bytes.len();
            (start, self.pos, !self.terminated)
        }
    }

    /// The text between two byte offsets, `None` when it is not valid UTF-8. Offsets are
    /// always at ASCII delimiters, so they are character boundaries of a valid line.
    fn slice(&self, start: usize, end: usize) -> Option<&'a str> {
        match self.text {
            Some(text) => text.get(start..end),
            None => std::str::from_utf8(&self.bytes[start..end]).ok(),
        }
    }

    fn text(&self, start: usize, end: usize) -> &'a str {
        // Names are ASCII by construction.
        self.slice(start, end).unwrap_or_default()
    }
}

const LABEL_START: u8 = 1;
const LABEL_CONTINUE: u8 = 2;
const METRIC_START: u8 = 4;
const METRIC_CONTINUE: u8 = 8;

/// Which bytes may start or continue a label name or a metric name (expfmt's
/// `isValidLabelNameStart` and friends), one table lookup per byte.
static NAME_CLASSES: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        #[allow(clippy::cast_possible_truncation)] // b < 256
        let byte = b as u8;
        let letter = byte.is_ascii_alphabetic() || byte == b'_';
        let digit = byte.is_ascii_digit();
        let mut class = 0;
        if letter {
            class |= LABEL_START | LABEL_CONTINUE | METRIC_START | METRIC_CONTINUE;
        }
        if digit {
            class |= LABEL_CONTINUE | METRIC_CONTINUE;
        }
        if byte == b':' {
            class |= METRIC_START | METRIC_CONTINUE;
        }
        table[b] = class;
        b += 1;
    }
    table
};

/// The error for running out of input in the middle of a line.
fn eof(number: u32, cursor: &Cursor<'_>) -> ParseError {
    ParseError {
        line: number,
        column: column(cursor.bytes, cursor.pos),
        message: "unexpected end of input stream".to_owned(),
    }
}

fn error(number: u32, cursor: &Cursor<'_>, message: String) -> ParseError {
    ParseError {
        line: number,
        column: column(cursor.bytes, cursor.pos),
        message,
    }
}

impl TextParser {
    /// Parses one line (without its `\n`); `terminated` is false only for a last line
    /// that has no newline.
    pub(crate) fn line<V: Visitor>(
        &mut self,
        bytes: &[u8],
        terminated: bool,
        number: u32,
        visitor: &mut V,
    ) -> Result<(), ParseError> {
        if terminated
            && bytes
                .first()
                .is_some_and(|&b| NAME_CLASSES[usize::from(b)] & METRIC_START != 0)
            && self.fast_sample(bytes, number, visitor)
        {
            return Ok(());
        }
        let mut cursor = Cursor {
            bytes,
            text: std::str::from_utf8(bytes).ok(),
            pos: 0,
            terminated,
        };
        // startOfLine: leading blanks and tabs are skipped.
        while matches!(cursor.current(), Some(b' ' | b'\t')) {
            cursor.advance();
        }
        match cursor.current() {
            None | Some(b'\n') => Ok(()),
            Some(b'#') => self.comment(&mut cursor, number),
            Some(_) => self.sample(&mut cursor, number, visitor),
        }
    }

    /// startComment and what follows: HELP and TYPE lines; other comments are skipped.
    fn comment(&mut self, cursor: &mut Cursor<'_>, number: u32) -> Result<(), ParseError> {
        match cursor.skip_blank_tab() {
            None => return Err(eof(number, cursor)),
            Some(b'\n') => return Ok(()),
            Some(_) => {}
        }
        let (start, end, at_eof) = cursor.token_until_whitespace();
        if at_eof {
            return Err(eof(number, cursor));
        }
        if cursor.at_newline() {
            return Ok(());
        }
        let keyword = &cursor.bytes[start..end];
        if keyword != b"HELP" && keyword != b"TYPE" {
            return if cursor.terminated {
                Ok(())
            } else {
                cursor.pos = cursor.bytes.len();
                Err(eof(number, cursor))
            };
        }
        let is_help = keyword == b"HELP";
        if cursor.skip_blank_tab().is_none() {
            return Err(eof(number, cursor));
        }
        let name = if self.utf8_names && cursor.current() == Some(b'"') {
            let name = quoted_name(cursor, number, "invalid metric name in comment")?.to_owned();
            cursor.advance();
            name
        } else {
            let (start, end, at_eof) = cursor.name_token(true);
            if at_eof {
                return Err(eof(number, cursor));
            }
            cursor.text(start, end).to_owned()
        };
        if cursor.at_newline() {
            return Ok(());
        }
        if cursor.current().is_none() {
            return Err(eof(number, cursor));
        }
        if !matches!(cursor.current(), Some(b' ' | b'\t')) {
            return Err(error(
                number,
                cursor,
                "invalid metric name in comment".to_owned(),
            ));
        }
        let (family, _) = self.family_for(&name, number);
        match cursor.skip_blank_tab() {
            None => return Err(eof(number, cursor)),
            Some(b'\n') => return Ok(()),
            Some(_) => {}
        }
        if is_help {
            self.help(cursor, number, family)
        } else {
            self.type_line(cursor, number, family)
        }
    }

    /// readingHelp: the rest of the line, with `\\` and `\n` escapes.
    fn help(
        &mut self,
        cursor: &mut Cursor<'_>,
        number: u32,
        family: usize,
    ) -> Result<(), ParseError> {
        let name = &self.families.list[family].name;
        if self.families.list[family].help.is_some() {
            return Err(error(
                number,
                cursor,
                format!("second HELP line for metric name {}", go_quote(name)),
            ));
        }
        let mut text = Vec::new();
        let mut escaped = false;
        loop {
            let Some(byte) = cursor.current() else {
                return Err(eof(number, cursor));
            };
            if escaped {
                match byte {
                    b'\\' => text.push(b'\\'),
                    b'n' => text.push(b'\n'),
                    other => {
                        return Err(error(
                            number,
                            cursor,
                            format!("invalid escape sequence '\\{}'", char::from(other)),
                        ));
                    }
                }
                escaped = false;
            } else {
                match byte {
                    b'\n' => break,
                    b'\\' => escaped = true,
                    other => text.push(other),
                }
            }
            cursor.advance();
        }
        self.families.list[family].help = Some(String::from_utf8_lossy(&text).into());
        Ok(())
    }

    /// readingType: the rest of the line, blanks included, matched case-insensitively.
    fn type_line(
        &mut self,
        cursor: &mut Cursor<'_>,
        number: u32,
        family: usize,
    ) -> Result<(), ParseError> {
        let entry = &self.families.list[family];
        if entry.metric_type.is_some() {
            return Err(error(
                number,
                cursor,
                format!(
                    "second TYPE line for metric name {}, or TYPE reported after samples",
                    go_quote(&entry.name)
                ),
            ));
        }
        let start = cursor.pos;
        while cursor.current().is_some_and(|b| b != b'\n') {
            cursor.advance();
        }
        if cursor.current().is_none() {
            return Err(eof(number, cursor));
        }
        let word = String::from_utf8_lossy(&cursor.bytes[start..cursor.pos]);
        let metric_type = match word.to_uppercase().as_str() {
            "COUNTER" => MetricType::Counter,
            "GAUGE" => MetricType::Gauge,
            "SUMMARY" => MetricType::Summary,
            "UNTYPED" => MetricType::Untyped,
            "HISTOGRAM" => MetricType::Histogram,
            "GAUGE_HISTOGRAM" => MetricType::GaugeHistogram,
            _ => {
                cursor.pos = start;
                return Err(error(
                    number,
                    cursor,
                    format!("unknown metric type {}", go_quote(&word)),
                ));
            }
        };
        self.families.list[family].metric_type = Some(metric_type);
        self.last_lookup = None;
        Ok(())
    }

    /// setOrCreateCurrentMF: the family a name belongs to, and the role its suffix gives it.
    fn family_for(&mut self, name: &str, number: u32) -> (usize, Option<SampleRole>) {
        if let Some((last, at, role)) = &self.last_lookup
            && last == name.as_bytes()
        {
            return (*at, *role);
        }
        let found = self.lookup(name, number);
        // Reuse the allocation of the previous name.
        let mut bytes = self
            .last_lookup
            .take()
            .map(|(b, _, _)| b)
            .unwrap_or_default();
        bytes.clear();
        bytes.extend_from_slice(name.as_bytes());
        self.last_lookup = Some((bytes, found.0, found.1));
        found
    }

    fn lookup(&mut self, name: &str, number: u32) -> (usize, Option<SampleRole>) {
        if let Some(at) = self.families.get(name) {
            return (at, None);
        }
        if let Some((base, suffix)) = stripped(name, &["_count", "_sum"])
            && let Some(at) = self.families.get(base)
            && self.families.list[at].metric_type == Some(MetricType::Summary)
        {
            self.alias(name);
            return (at, suffix_role(suffix));
        }
        if let Some((base, suffix)) = stripped(name, &["_count", "_sum", "_bucket"])
            && let Some(at) = self.families.get(base)
            && self.families.list[at].metric_type == Some(MetricType::Histogram)
        {
            self.alias(name);
            return (at, suffix_role(suffix));
        }
        self.last_lookup = None;
        (self.families.insert(Family::new(name, number)), None)
    }

    /// The common sample line, `name{label="value",...} value` with single delimiters, no
    /// escapes and no timestamp, read with a few scans instead of the state machine.
    /// Returns false, having streamed nothing, for any other line: the state machine then
    /// reads it (again) and words its error exactly as expfmt does. Looking up the family
    /// first is harmless then, as the state machine looks it up the same way.
    fn fast_sample<V: Visitor>(&mut self, bytes: &[u8], number: u32, visitor: &mut V) -> bool {
        let name_end = bytes
            .iter()
            .position(|&b| NAME_CLASSES[usize::from(b)] & METRIC_CONTINUE == 0)
            .unwrap_or(bytes.len());
        // One check for the whole line; every offset below is at an ASCII delimiter, so
        // slicing the text there cannot fail.
        let Ok(text) = std::str::from_utf8(bytes) else {
            return false;
        };
        let Some(name) = text.get(..name_end) else {
            return false;
        };
        let mut spans = FastLabels::default();
        let mut at = name_end;
        if bytes.get(at) == Some(&b'{') {
            match scan_labels(bytes, at + 1, &mut spans) {
                Some(end) => at = end,
                None => return false,
            }
        }
        if bytes.get(at) != Some(&b' ') {
            return false;
        }
        let value_bytes = &bytes[at + 1..];
        if memchr::memchr2(b' ', b'\t', value_bytes).is_some() {
            return false;
        }
        let Some(value) = parse_value(value_bytes) else {
            return false;
        };
        let (family, suffix_role) = self.family_for(name, number);
        let kind = *self.families.list[family]
            .metric_type
            .get_or_insert(MetricType::Untyped);
        #[allow(clippy::unnecessary_filter_map)] // the map changes the lifetime
        let mut labels: Vec<Label<'_>> = std::mem::take(&mut self.label_buffer)
            .into_iter()
            .filter_map(|_| None)
            .collect();
        let mut bound = None;
        let mut ok = true;
        for &(name_start, name_end, value_end) in &spans.spans[..spans.len] {
            let (name_start, name_end, value_end) =
                (name_start as usize, name_end as usize, value_end as usize);
            let (Some(label), Some(label_value)) = (
                text.get(name_start..name_end),
                text.get(name_end + 2..value_end),
            ) else {
                ok = false;
                break;
            };
            let special = (kind == MetricType::Summary && label == "quantile")
                || (kind == MetricType::Histogram && label == "le");
            if label == "__name__" || (!special && labels.iter().any(|l| l.name == label)) {
                ok = false;
                break;
            }
            if special {
                let Some(parsed) = parse_go_float(label_value) else {
                    ok = false;
                    break;
                };
                bound = Some(if label == "le" {
                    SampleRole::Bucket(parsed)
                } else {
                    SampleRole::Quantile(parsed)
                });
            }
            labels.push(Label {
                name: label,
                value: Cow::Borrowed(label_value),
            });
        }
        if ok {
            let role = suffix_role.or(bound).unwrap_or(SampleRole::Value);
            self.families.list[family].samples += 1;
            visitor.sample(
                &self.families.list,
                &Sample {
                    family,
                    name,
                    labels: &labels,
                    role,
                    value,
                    line: number,
                },
            );
        }
        labels.clear();
        #[allow(clippy::unnecessary_filter_map)] // the map changes the lifetime
        let buffer = labels.into_iter().filter_map(|_| None).collect();
        self.label_buffer = buffer;
        ok
    }

    fn alias(&mut self, name: &str) {
        if let Some(aliases) = self.aliases.as_mut()
            && !aliases.contains(name)
        {
            aliases.insert(name.into());
        }
    }

    /// readingMetricName through the timestamp: one sample line.
    fn sample<V: Visitor>(
        &mut self,
        cursor: &mut Cursor<'_>,
        number: u32,
        visitor: &mut V,
    ) -> Result<(), ParseError> {
        // Prometheus 3: `{"name"` then `,` and labels, or `}`.
        let braced = self.utf8_names && cursor.current() == Some(b'{');
        let name = if braced {
            if cursor.skip_blank_tab() != Some(b'"') {
                return Err(error(number, cursor, "invalid metric name".to_owned()));
            }
            quoted_name(cursor, number, "invalid metric name")?
        } else {
            let (start, end, at_eof) = cursor.name_token(true);
            if at_eof {
                return Err(eof(number, cursor));
            }
            if start == end {
                return Err(error(number, cursor, "invalid metric name".to_owned()));
            }
            cursor.text(start, end)
        };
        let (family, suffix_role) = self.family_for(name, number);
        let entry = &mut self.families.list[family];
        let kind = *entry.metric_type.get_or_insert(MetricType::Untyped);
        if braced {
            match cursor.skip_blank_tab() {
                None => return Err(eof(number, cursor)),
                // The labels follow as after `{`.
                Some(b',') => {}
                Some(b'}') => {
                    if cursor.skip_blank_tab().is_none() {
                        return Err(eof(number, cursor));
                    }
                }
                Some(other) => {
                    return Err(error(
                        number,
                        cursor,
                        format!(
                            "expected ',' or '}}' after the metric name, found {}",
                            go_quote_byte(Some(other))
                        ),
                    ));
                }
            }
        } else if cursor.skip_if_blank().is_none() {
            return Err(eof(number, cursor));
        }
        // Borrow the buffer's allocation for this line (collecting an always-empty
        // iterator from a vector reuses its allocation in place).
        #[allow(clippy::unnecessary_filter_map)] // the map changes the lifetime
        let mut labels: Vec<Label<'_>> = std::mem::take(&mut self.label_buffer)
            .into_iter()
            .filter_map(|_| None)
            .collect();
        let mut bound = None;
        if (braced && cursor.current() == Some(b',')) || (!braced && cursor.current() == Some(b'{'))
        {
            let family_name: &str = &self.families.list[family].name;
            let utf8 = self.utf8_names;
            bound = read_labels(cursor, number, kind, family_name, utf8, &mut labels)?;
        }
        // readingValue
        let (start, end, at_eof) = cursor.token_until_whitespace();
        if at_eof {
            return Err(eof(number, cursor));
        }
        let Some(value) = parse_value(&cursor.bytes[start..end]) else {
            let token = String::from_utf8_lossy(&cursor.bytes[start..end]);
            cursor.pos = start;
            return Err(error(
                number,
                cursor,
                format!("expected float as value, got {}", go_quote(&token)),
            ));
        };
        if !cursor.at_newline() {
            read_timestamp(cursor, number)?;
        }
        let role = suffix_role.or(bound).unwrap_or(SampleRole::Value);
        let entry = &mut self.families.list[family];
        entry.samples += 1;
        visitor.sample(
            &self.families.list,
            &Sample {
                family,
                name,
                labels: &labels,
                role,
                value,
                line: number,
            },
        );
        labels.clear();
        #[allow(clippy::unnecessary_filter_map)] // the map changes the lifetime
        let buffer = labels.into_iter().filter_map(|_| None).collect();
        self.label_buffer = buffer;
        Ok(())
    }
}

/// Labels the fast path reads in one line before streaming any: (name start, name end,
/// closing quote) per label. More than fit go to the state machine.
#[derive(Default)]
struct FastLabels {
    spans: [(u32, u32, u32); 16],
    len: usize,
}

/// Scans `name="value",...}` from `at` (just after `{`) for the fast path: label names
/// by the class table, values up to a quote with no backslash before it, an optional
/// trailing comma. Returns the offset after `}`, `None` for anything else.
fn scan_labels(bytes: &[u8], mut at: usize, spans: &mut FastLabels) -> Option<usize> {
    loop {
        if bytes.get(at) == Some(&b'}') {
            return Some(at + 1);
        }
        let start = at;
        if NAME_CLASSES[usize::from(*bytes.get(at)?)] & LABEL_START == 0 {
            return None;
        }
        at += bytes[at..]
            .iter()
            .position(|&b| NAME_CLASSES[usize::from(b)] & LABEL_CONTINUE == 0)?;
        let name_end = at;
        if bytes.get(at..at + 2) != Some(b"=\"") {
            return None;
        }
        at += 2;
        let quote = at + memchr::memchr2(b'"', b'\\', &bytes[at..])?;
        if bytes[quote] != b'"' || spans.len == spans.spans.len() {
            return None;
        }
        spans.spans[spans.len] = (
            u32::try_from(start).ok()?,
            u32::try_from(name_end).ok()?,
            u32::try_from(quote).ok()?,
        );
        spans.len += 1;
        at = quote + 1;
        match bytes.get(at) {
            Some(b',') => at += 1,
            Some(b'}') => return Some(at + 1),
            _ => return None,
        }
    }
}

/// A sample value: plain decimals directly, anything else through [`parse_go_float`].
fn parse_value(token: &[u8]) -> Option<f64> {
    super::float::parse_simple_decimal(token)
        .or_else(|| std::str::from_utf8(token).ok().and_then(parse_go_float))
}

/// `name` without the first of `suffixes` it ends in (Go's `summaryMetricName` and
/// `histogramMetricName`; a name that is only the suffix is not stripped).
fn stripped<'n>(name: &'n str, suffixes: &[&'static str]) -> Option<(&'n str, &'static str)> {
    suffixes.iter().find_map(|suffix| {
        name.strip_suffix(suffix)
            .filter(|base| !base.is_empty())
            .map(|base| (base, *suffix))
    })
}

/// The role a suffix gives a sample; a `_bucket` line takes its role from its `le` label.
fn suffix_role(suffix: &str) -> Option<SampleRole> {
    match suffix {
        "_count" => Some(SampleRole::Count),
        "_sum" => Some(SampleRole::Sum),
        _ => None,
    }
}

/// startLabelName / startLabelValue: the label set from `{` to `}` and the blanks after it.
/// Returns the bucket or quantile role when the family is a histogram or summary.
fn read_labels<'a>(
    cursor: &mut Cursor<'a>,
    number: u32,
    kind: MetricType,
    family_name: &str,
    utf8: bool,
    labels: &mut Vec<Label<'a>>,
) -> Result<Option<SampleRole>, ParseError> {
    let mut role = None;
    loop {
        match cursor.skip_blank_tab() {
            None => return Err(eof(number, cursor)),
            Some(b'}') => {
                if cursor.skip_blank_tab().is_none() {
                    return Err(eof(number, cursor));
                }
                return Ok(role);
            }
            Some(_) => {}
        }
        let invalid = || format!("invalid label name for metric {}", go_quote(family_name));
        let (start, name): (usize, &'a str) = if utf8 && cursor.current() == Some(b'"') {
            let start = cursor.pos;
            let name = quoted_name(cursor, number, &invalid())?;
            cursor.advance();
            (start, name)
        } else {
            let (start, end, at_eof) = cursor.name_token(false);
            if at_eof {
                return Err(eof(number, cursor));
            }
            if start == end {
                return Err(error(number, cursor, invalid()));
            }
            (start, cursor.text(start, end))
        };
        if name == "__name__" {
            cursor.pos = start;
            return Err(error(
                number,
                cursor,
                "label name \"__name__\" is reserved".to_owned(),
            ));
        }
        // Go keeps the histogram's `le` and the summary's `quantile` out of the label list
        // it checks for duplicates, so a repeated `le` is no error there.
        let special = (kind == MetricType::Summary && name == "quantile")
            || (kind == MetricType::Histogram && name == "le");
        if cursor.skip_if_blank().is_none() {
            return Err(eof(number, cursor));
        }
        if cursor.current() != Some(b'=') {
            return Err(error(
                number,
                cursor,
                format!(
                    "expected '=' after label name, found {}",
                    go_quote_byte(cursor.current())
                ),
            ));
        }
        if !special && labels.iter().any(|label| label.name == name) {
            return Err(error(
                number,
                cursor,
                format!("duplicate label names for metric {}", go_quote(family_name)),
            ));
        }
        let value = read_label_value(cursor, number)?;
        if special {
            let Some(bound) = parse_go_float(&value) else {
                let which = if name == "le" { "le" } else { "quantile" };
                return Err(error(
                    number,
                    cursor,
                    format!(
                        "expected float as value for '{which}' label, got {}",
                        go_quote(&value)
                    ),
                ));
            };
            role = Some(if name == "le" {
                SampleRole::Bucket(bound)
            } else {
                SampleRole::Quantile(bound)
            });
        }
        labels.push(Label { name, value });
        match cursor.skip_blank_tab() {
            None => return Err(eof(number, cursor)),
            Some(b',') => {}
            Some(b'}') => {
                if cursor.skip_blank_tab().is_none() {
                    return Err(eof(number, cursor));
                }
                return Ok(role);
            }
            Some(_) => {
                let value = labels
                    .last()
                    .map(|l| l.value.to_string())
                    .unwrap_or_default();
                return Err(error(
                    number,
                    cursor,
                    format!("unexpected end of label value {}", go_quote(&value)),
                ));
            }
        }
    }
}

/// A quoted name (Prometheus 3), the cursor on its opening quote; leaves the cursor on
/// the closing quote. `invalid` is the error for an empty name. Names with escapes are
/// not read (no client writes `"` or `\\` into a name).
fn quoted_name<'a>(
    cursor: &mut Cursor<'a>,
    number: u32,
    invalid: &str,
) -> Result<&'a str, ParseError> {
    let start = cursor.pos + 1;
    let bytes: &'a [u8] = cursor.bytes;
    let Some(offset) = bytes
        .get(start..)
        .and_then(|rest| memchr::memchr3(b'"', b'\\', b'\n', rest))
    else {
        cursor.pos = bytes.len();
        return Err(eof(number, cursor));
    };
    cursor.pos = start + offset;
    if bytes[cursor.pos] != b'"' {
        return Err(error(
            number,
            cursor,
            "escape sequences in quoted names are not supported".to_owned(),
        ));
    }
    match cursor.slice(start, cursor.pos) {
        Some("") | None => {
            cursor.pos = start - 1;
            Err(error(number, cursor, invalid.to_owned()))
        }
        Some(name) => Ok(name),
    }
}

/// readTokenAsLabelValue: from `"` to the closing `"`, escapes `\\`, `\"` and `\n`.
/// Leaves the cursor on the closing quote.
fn read_label_value<'a>(cursor: &mut Cursor<'a>, number: u32) -> Result<Cow<'a, str>, ParseError> {
    match cursor.skip_blank_tab() {
        None => return Err(eof(number, cursor)),
        Some(b'"') => {}
        Some(other) => {
            return Err(error(
                number,
                cursor,
                format!(
                    "expected '\"' at start of label value, found {}",
                    go_quote_byte(Some(other))
                ),
            ));
        }
    }
    let bytes: &'a [u8] = cursor.bytes;
    let start = cursor.pos + 1;
    // The common case: no escape before the closing quote.
    if let Some(offset) = bytes
        .get(start..)
        .and_then(|rest| memchr::memchr2(b'"', b'\\', rest))
        && bytes[start + offset] == b'"'
    {
        cursor.pos = start + offset;
        return cursor
            .slice(start, cursor.pos)
            .map(Cow::Borrowed)
            .ok_or_else(|| {
                error(
                    number,
                    cursor,
                    format!(
                        "invalid label value {}",
                        go_quote(&String::from_utf8_lossy(&bytes[start..cursor.pos]))
                    ),
                )
            });
    }
    let mut owned: Option<Vec<u8>> = None;
    let mut escaped = false;
    loop {
        cursor.advance();
        let Some(byte) = cursor.current() else {
            return Err(eof(number, cursor));
        };
        if escaped {
            let unescaped = match byte {
                b'"' | b'\\' => byte,
                b'n' => b'\n',
                other => {
                    return Err(error(
                        number,
                        cursor,
                        format!("invalid escape sequence '\\{}'", char::from(other)),
                    ));
                }
            };
            owned.get_or_insert_with(Vec::new).push(unescaped);
            escaped = false;
            continue;
        }
        match byte {
            b'"' => break,
            b'\n' => {
                let so_far = owned.map_or_else(
                    || String::from_utf8_lossy(&bytes[start..cursor.pos]).into_owned(),
                    |v| String::from_utf8_lossy(&v).into_owned(),
                );
                return Err(error(
                    number,
                    cursor,
                    format!(
                        "label value {} contains unescaped new-line",
                        go_quote(&so_far)
                    ),
                ));
            }
            b'\\' => {
                // From the first escape on, the value is built in `owned`.
                owned.get_or_insert_with(|| bytes[start..cursor.pos].to_vec());
                escaped = true;
            }
            other => {
                if let Some(v) = owned.as_mut() {
                    v.push(other);
                }
            }
        }
    }
    let value = match owned {
        None => std::str::from_utf8(&bytes[start..cursor.pos])
            .ok()
            .map(Cow::Borrowed),
        Some(v) => String::from_utf8(v).ok().map(Cow::Owned),
    };
    value.ok_or_else(|| {
        error(
            number,
            cursor,
            format!(
                "invalid label value {}",
                go_quote(&String::from_utf8_lossy(&bytes[start..cursor.pos]))
            ),
        )
    })
}

/// startTimestamp: an integer, then nothing but the newline.
fn read_timestamp(cursor: &mut Cursor<'_>, number: u32) -> Result<(), ParseError> {
    if cursor.skip_blank_tab().is_none() {
        return Err(eof(number, cursor));
    }
    let (start, end, at_eof) = cursor.token_until_whitespace();
    if at_eof {
        return Err(eof(number, cursor));
    }
    let token = String::from_utf8_lossy(&cursor.bytes[start..end]);
    if parse_go_int(&token).is_none() {
        cursor.pos = start;
        return Err(error(
            number,
            cursor,
            format!("expected integer as timestamp, got {}", go_quote(&token)),
        ));
    }
    let rest = cursor.pos;
    while cursor.current().is_some_and(|b| b != b'\n') {
        cursor.advance();
    }
    if cursor.current().is_none() {
        return Err(eof(number, cursor));
    }
    if cursor.pos > rest {
        let spurious = String::from_utf8_lossy(&cursor.bytes[rest..cursor.pos]);
        cursor.pos = rest;
        return Err(error(
            number,
            cursor,
            format!("spurious string after timestamp: {}", go_quote(&spurious)),
        ));
    }
    Ok(())
}

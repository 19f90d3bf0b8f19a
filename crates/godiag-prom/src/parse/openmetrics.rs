//! OpenMetrics 1.0 text, following the ABNF of the OpenMetrics specification.
//!
//! Stricter than the text format: single spaces between tokens, metadata (TYPE, UNIT,
//! HELP) before a family's samples and at most once, families never interleaved, sample
//! names limited to the suffixes their type allows, and `# EOF` as the last line. Families
//! are named as Prometheus stores them (a counter `foo` is `foo_total`, an info `foo` is
//! `foo_info`), so the same naming checks apply to both formats.

use std::borrow::Cow;

use super::{Families, ParseError, column, go_quote, parse_go_float};
use crate::model::{Family, Label, MetricType, Sample, SampleRole, Visitor};

/// Parser state across lines.
#[derive(Debug, Default)]
pub(crate) struct OmParser {
    pub(crate) families: Families,
    /// Family names as written in the exposition, parallel to `families.list`.
    om_names: Vec<Box<str>>,
    /// The family whose lines are being read.
    current: Option<usize>,
    /// Whether the current family has had samples (metadata must come first).
    current_has_samples: bool,
    /// The line of `# EOF`, once seen.
    eof_line: Option<u32>,
    /// Breaches of the specification that Prometheus's parser lets through (the first
    /// few), and how many there were.
    pub(crate) notes: Vec<ParseError>,
    pub(crate) notes_total: u64,
    /// Prometheus 3: names may be quoted UTF-8 strings.
    pub(crate) utf8_names: bool,
}

/// Tolerated breaches kept for the report; the rest are counted.
const NOTES_KEPT: usize = 10;

fn fail(number: u32, line: &[u8], at: usize, message: impl Into<String>) -> ParseError {
    ParseError {
        line: number,
        column: column(line, at),
        message: message.into(),
    }
}

impl OmParser {
    pub(crate) fn new(utf8_names: bool) -> Self {
        Self {
            utf8_names,
            ..Self::default()
        }
    }

    fn note(&mut self, number: u32, line: &[u8], at: usize, message: impl Into<String>) {
        self.notes_total += 1;
        if self.notes.len() < NOTES_KEPT {
            self.notes.push(fail(number, line, at, message));
        }
    }

    pub(crate) fn line<V: Visitor>(
        &mut self,
        bytes: &[u8],
        terminated: bool,
        number: u32,
        visitor: &mut V,
    ) -> Result<(), ParseError> {
        if let Some(eof_line) = self.eof_line {
            return Err(fail(
                number,
                bytes,
                0,
                format!("unexpected content after \"# EOF\" (line {eof_line})"),
            ));
        }
        if bytes == b"# EOF" {
            self.eof_line = Some(number);
            return Ok(());
        }
        if !terminated {
            return Err(fail(
                number,
                bytes,
                bytes.len(),
                "line does not end with a newline",
            ));
        }
        if bytes.is_empty() {
            return Err(fail(number, bytes, 0, "empty line"));
        }
        if bytes.contains(&b'\r') {
            let at = bytes.iter().position(|&b| b == b'\r').unwrap_or(0);
            return Err(fail(number, bytes, at, "carriage return in line"));
        }
        if bytes[0] == b'#' {
            self.metadata(bytes, number)
        } else {
            self.sample(bytes, number, visitor)
        }
    }

    pub(crate) fn finish(&self, last_line: u32) -> Result<(), ParseError> {
        if self.eof_line.is_none() {
            return Err(ParseError {
                line: last_line.max(1),
                column: 1,
                message: "expected \"# EOF\" as the last line".to_owned(),
            });
        }
        Ok(())
    }

    fn metadata(&mut self, bytes: &[u8], number: u32) -> Result<(), ParseError> {
        let text = std::str::from_utf8(bytes)
            .map_err(|e| fail(number, bytes, e.valid_up_to(), "invalid UTF-8"))?;
        // `# KEYWORD "quoted name" rest` (Prometheus 3) is split at its quotes.
        let quoted = self.utf8_names.then(|| quoted_metadata(text)).flatten();
        let mut parts = text.splitn(4, ' ');
        let (hash, keyword, mut name) = (parts.next(), parts.next(), parts.next());
        let mut rest = parts.next();
        if let Some((quoted_name, quoted_rest)) = quoted {
            name = Some(quoted_name);
            rest = quoted_rest;
        }
        if hash != Some("#") {
            return Err(fail(
                number,
                bytes,
                0,
                "expected \"# \" at start of comment",
            ));
        }
        let keyword = keyword.unwrap_or_default();
        if !matches!(keyword, "TYPE" | "HELP" | "UNIT") {
            return Err(fail(
                number,
                bytes,
                2,
                format!("unexpected comment keyword {}", go_quote(keyword)),
            ));
        }
        let name = name.unwrap_or_default();
        let name_at = 3 + keyword.len() + usize::from(quoted.is_some());
        if quoted.is_none() && !is_metric_name(name) {
            return Err(fail(
                number,
                bytes,
                name_at,
                "invalid metric name in comment",
            ));
        }
        let family = self.enter_family(name, number, bytes, name_at);
        if self.current_has_samples {
            self.note(
                number,
                bytes,
                0,
                format!("{keyword} for metric {} after its samples", go_quote(name)),
            );
        }
        let value = rest.unwrap_or_default();
        match keyword {
            "TYPE" => self.set_type(family, value, number, bytes),
            "HELP" => {
                let entry = &mut self.families.list[family];
                if entry.help.is_some() {
                    self.note(number, bytes, 0, "second HELP line for metric");
                    return Ok(());
                }
                let help = unescape(value).map_err(|at| {
                    fail(
                        number,
                        bytes,
                        name_at + name.len() + 1 + at,
                        "invalid escape sequence",
                    )
                })?;
                entry.help = Some(help.into());
                Ok(())
            }
            _ => {
                let entry = &mut self.families.list[family];
                if entry.unit.is_some() {
                    self.note(number, bytes, 0, "second UNIT line for metric");
                    return Ok(());
                }
                if !value.is_empty() && !name.ends_with(&format!("_{value}")) {
                    return Err(fail(
                        number,
                        bytes,
                        name_at + name.len() + 1,
                        format!(
                            "unit {} is not a suffix of the metric name",
                            go_quote(value)
                        ),
                    ));
                }
                entry.unit = Some(value.into());
                Ok(())
            }
        }
    }

    fn set_type(
        &mut self,
        family: usize,
        word: &str,
        number: u32,
        bytes: &[u8],
    ) -> Result<(), ParseError> {
        let metric_type = match word {
            "counter" => MetricType::Counter,
            "gauge" => MetricType::Gauge,
            "summary" => MetricType::Summary,
            "unknown" => MetricType::Untyped,
            "histogram" => MetricType::Histogram,
            "gaugehistogram" => MetricType::GaugeHistogram,
            "info" => MetricType::Info,
            "stateset" => MetricType::StateSet,
            _ => {
                return Err(fail(
                    number,
                    bytes,
                    bytes.len() - word.len(),
                    format!("unknown metric type {}", go_quote(word)),
                ));
            }
        };
        if self.families.list[family].metric_type.is_some() {
            self.note(number, bytes, 0, "second TYPE line for metric");
            return Ok(());
        }
        let entry = &mut self.families.list[family];
        entry.metric_type = Some(metric_type);
        // Prometheus stores a counter's samples as `<family>_total` and an info's as
        // `<family>_info`; naming checks look at those names.
        let suffix = match metric_type {
            MetricType::Counter => "_total",
            MetricType::Info => "_info",
            _ => "",
        };
        if !suffix.is_empty() && !self.om_names[family].ends_with(suffix) {
            entry.name = format!("{}{suffix}", self.om_names[family]).into();
        }
        Ok(())
    }

    /// Makes `name` the current family, creating it. A family that ended earlier and comes
    /// back breaks the specification; Prometheus accepts it, so it is noted and continued.
    fn enter_family(&mut self, name: &str, number: u32, bytes: &[u8], at: usize) -> usize {
        if let Some(current) = self.current
            && &*self.om_names[current] == name
        {
            return current;
        }
        if let Some(earlier) = self.om_names.iter().position(|known| &**known == name) {
            self.note(
                number,
                bytes,
                at,
                format!(
                    "metric family {} is interleaved with another",
                    go_quote(name)
                ),
            );
            self.current = Some(earlier);
            self.current_has_samples = self.families.list[earlier].samples > 0;
            return earlier;
        }
        let index = self.families.insert(Family::new(name, number));
        self.om_names.push(name.into());
        self.current = Some(index);
        self.current_has_samples = false;
        index
    }

    fn sample<V: Visitor>(
        &mut self,
        bytes: &[u8],
        number: u32,
        visitor: &mut V,
    ) -> Result<(), ParseError> {
        let text = std::str::from_utf8(bytes)
            .map_err(|e| fail(number, bytes, e.valid_up_to(), "invalid UTF-8"))?;
        let utf8 = self.utf8_names;
        let (name, mut at, labels_at) = if utf8 && text.starts_with("{\"") {
            // `{"name"` then `,` and labels, or `}`.
            let (name, after) =
                quoted(text, 1).map_err(|(pos, msg)| fail(number, bytes, pos, msg))?;
            match text.as_bytes().get(after) {
                Some(b',') => (name, after, Some(after + 1)),
                Some(b'}') => (name, after + 1, None),
                _ => {
                    return Err(fail(
                        number,
                        bytes,
                        after,
                        "expected ',' or '}' after the metric name",
                    ));
                }
            }
        } else {
            let name_end = text.find(['{', ' ']).unwrap_or(text.len());
            let name = &text[..name_end];
            if !is_metric_name(name) {
                return Err(fail(number, bytes, 0, "invalid metric name"));
            }
            let labels_at = text[name_end..].starts_with('{').then_some(name_end + 1);
            (name, name_end, labels_at)
        };
        let (family, role_from_suffix) = self.family_of_sample(name, number, bytes);
        let mut labels = Vec::new();
        if let Some(labels_at) = labels_at {
            at = parse_labels(text, labels_at, utf8, &mut labels)
                .map_err(|(pos, msg)| fail(number, bytes, pos, msg))?;
        }
        let rest = text[at..]
            .strip_prefix(' ')
            .ok_or_else(|| fail(number, bytes, at, "expected a space before the value"))?;
        at += 1;
        let (value_text, after) = rest
            .split_once(' ')
            .map_or((rest, None), |(v, a)| (v, Some(a)));
        let value = parse_go_float(value_text).ok_or_else(|| {
            fail(
                number,
                bytes,
                at,
                format!("expected float as value, got {}", go_quote(value_text)),
            )
        })?;
        if let Some(after) = after {
            check_after_value(after, at + value_text.len() + 1, utf8)
                .map_err(|(pos, msg)| fail(number, bytes, pos, msg))?;
        }
        let kind = self.families.list[family].kind();
        // What the specification requires of the sample's role, Prometheus does not.
        let role = sample_role(kind, role_from_suffix, &labels).unwrap_or_else(|message| {
            self.note(number, bytes, 0, message);
            SampleRole::Value
        });
        self.current_has_samples = true;
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
        Ok(())
    }

    /// The family a sample belongs to: the current family when the name is its name plus a
    /// suffix its type allows, otherwise a new untyped family.
    fn family_of_sample(&mut self, name: &str, number: u32, bytes: &[u8]) -> (usize, Suffix) {
        if let Some(current) = self.current {
            let base = &*self.om_names[current];
            let kind = self.families.list[current].kind();
            if let Some(suffix) = name
                .strip_prefix(base)
                .and_then(|rest| Suffix::of(kind, rest))
            {
                return (current, suffix);
            }
            if name == base {
                self.note(
                    number,
                    bytes,
                    0,
                    format!(
                        "sample {} needs a suffix for a {} family",
                        go_quote(name),
                        kind.as_str()
                    ),
                );
                return (current, Suffix::None);
            }
        }
        let family = self.enter_family(name, number, bytes, 0);
        self.families.list[family]
            .metric_type
            .get_or_insert(MetricType::Untyped);
        (family, Suffix::None)
    }
}

/// The suffixes OpenMetrics allows per type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Suffix {
    None,
    Total,
    Created,
    Bucket,
    Count,
    Sum,
    Info,
}

impl Suffix {
    fn of(kind: MetricType, rest: &str) -> Option<Self> {
        use MetricType as T;
        Some(match (kind, rest) {
            (T::Gauge | T::Untyped | T::StateSet | T::Summary, "") => Self::None,
            (T::Counter, "_total") => Self::Total,
            (T::Counter | T::Histogram | T::Summary, "_created") => Self::Created,
            (T::Histogram | T::GaugeHistogram, "_bucket") => Self::Bucket,
            (T::Histogram | T::Summary, "_count") | (T::GaugeHistogram, "_gcount") => Self::Count,
            (T::Histogram | T::Summary, "_sum") | (T::GaugeHistogram, "_gsum") => Self::Sum,
            (T::Info, "_info") => Self::Info,
            _ => return None,
        })
    }
}

fn sample_role(
    kind: MetricType,
    suffix: Suffix,
    labels: &[Label<'_>],
) -> Result<SampleRole, String> {
    // Prometheus stores `le` and `quantile` as label strings; a bad one breaks queries,
    // not the scrape.
    let bound = |label: &str| {
        labels.iter().find(|l| l.name == label).map(|l| {
            parse_go_float(&l.value).ok_or_else(|| {
                format!(
                    "expected float as value for '{label}' label, got {}",
                    go_quote(&l.value)
                )
            })
        })
    };
    Ok(match suffix {
        Suffix::Bucket => match bound("le") {
            Some(le) => SampleRole::Bucket(le?),
            None => {
                return Err("histogram bucket without an \"le\" label".to_owned());
            }
        },
        Suffix::Count => SampleRole::Count,
        Suffix::Sum => SampleRole::Sum,
        Suffix::Created => SampleRole::Created,
        Suffix::None if kind == MetricType::Summary => match bound("quantile") {
            Some(q) => SampleRole::Quantile(q?),
            None => {
                return Err("summary sample without a \"quantile\" label".to_owned());
            }
        },
        _ => SampleRole::Value,
    })
}

/// Parses `name="value",...}` from byte offset `at` (just after `{`); returns the offset
/// after `}`.
fn parse_labels<'a>(
    text: &'a str,
    mut at: usize,
    utf8: bool,
    labels: &mut Vec<Label<'a>>,
) -> Result<usize, (usize, String)> {
    let bytes = text.as_bytes();
    if bytes.get(at) == Some(&b'}') {
        return Ok(at + 1);
    }
    loop {
        let start = at;
        let name = if utf8 && bytes.get(at) == Some(&b'"') {
            let (name, after) = quoted(text, at)?;
            at = after;
            name
        } else {
            while bytes
                .get(at)
                .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_')
            {
                at += 1;
            }
            let name = &text[start..at];
            if name.is_empty() || name.as_bytes()[0].is_ascii_digit() {
                return Err((start, "invalid label name".to_owned()));
            }
            name
        };
        if labels.iter().any(|l| l.name == name) {
            return Err((start, format!("duplicate label name {}", go_quote(name))));
        }
        if bytes.get(at) != Some(&b'=') || bytes.get(at + 1) != Some(&b'"') {
            return Err((at, "expected '=\"' after label name".to_owned()));
        }
        at += 2;
        let value_start = at;
        let mut owned: Option<String> = None;
        loop {
            match bytes.get(at) {
                None => return Err((at, "unterminated label value".to_owned())),
                Some(b'"') => break,
                Some(b'\\') => {
                    let unescaped = match bytes.get(at + 1) {
                        Some(b'\\') => '\\',
                        Some(b'"') => '"',
                        Some(b'n') => '\n',
                        _ => return Err((at, "invalid escape sequence".to_owned())),
                    };
                    owned
                        .get_or_insert_with(|| text[value_start..at].to_owned())
                        .push(unescaped);
                    at += 2;
                }
                Some(_) => {
                    let len = text[at..].chars().next().map_or(1, char::len_utf8);
                    if let Some(value) = owned.as_mut() {
                        value.push_str(&text[at..at + len]);
                    }
                    at += len;
                }
            }
        }
        let value = owned.map_or(Cow::Borrowed(&text[value_start..at]), Cow::Owned);
        labels.push(Label { name, value });
        at += 1;
        match bytes.get(at) {
            Some(b'}') => return Ok(at + 1),
            Some(b',') if bytes.get(at + 1) != Some(&b'}') => at += 1,
            _ => return Err((at, "expected ',' or '}' after label value".to_owned())),
        }
    }
}

/// After the value: an optional timestamp (a float, in seconds) and an optional exemplar.
fn check_after_value(after: &str, at: usize, utf8: bool) -> Result<(), (usize, String)> {
    let (timestamp, exemplar) = match after.strip_prefix("# ") {
        Some(exemplar) => (None, Some((exemplar, at + 2))),
        None => match after.split_once(" # ") {
            Some((ts, ex)) => (Some(ts), Some((ex, at + ts.len() + 3))),
            None => (Some(after), None),
        },
    };
    if let Some(ts) = timestamp
        && parse_go_float(ts).is_none_or(f64::is_nan)
    {
        return Err((
            at,
            format!("expected float as timestamp, got {}", go_quote(ts)),
        ));
    }
    if let Some((exemplar, at)) = exemplar {
        let Some(inner) = exemplar.strip_prefix('{') else {
            return Err((at, "expected '{' at start of exemplar".to_owned()));
        };
        let mut labels = Vec::new();
        let end =
            parse_labels(inner, 0, utf8, &mut labels).map_err(|(pos, msg)| (at + 1 + pos, msg))?;
        let chars: usize = labels
            .iter()
            .map(|l| l.name.chars().count() + l.value.chars().count())
            .sum();
        if chars > 128 {
            return Err((
                at,
                "exemplar labels are longer than 128 characters".to_owned(),
            ));
        }
        let rest = inner[end..].strip_prefix(' ').ok_or_else(|| {
            (
                at + 1 + end,
                "expected a value after the exemplar labels".to_owned(),
            )
        })?;
        let mut parts = rest.split(' ');
        let value = parts.next().unwrap_or_default();
        if parse_go_float(value).is_none() {
            return Err((
                at,
                format!("expected float as exemplar value, got {}", go_quote(value)),
            ));
        }
        if let Some(ts) = parts.next()
            && parse_go_float(ts).is_none()
        {
            return Err((
                at,
                format!("expected float as exemplar timestamp, got {}", go_quote(ts)),
            ));
        }
        if parts.next().is_some() {
            return Err((at, "unexpected text after the exemplar".to_owned()));
        }
    }
    Ok(())
}

/// A quoted name (Prometheus 3) whose opening quote is at `at`: the name and the offset
/// after its closing quote. Names with escapes are not read (no client writes `"` or `\\`
/// into a name).
fn quoted(text: &str, at: usize) -> Result<(&str, usize), (usize, String)> {
    let start = at + 1;
    let rest = text.get(start..).unwrap_or_default();
    match rest.find(['"', '\\']) {
        Some(0) => Err((at, "empty quoted name".to_owned())),
        Some(end) if rest.as_bytes()[end] == b'"' => Ok((&rest[..end], start + end + 1)),
        Some(end) => Err((
            start + end,
            "escape sequences in quoted names are not supported".to_owned(),
        )),
        None => Err((text.len(), "unterminated quoted name".to_owned())),
    }
}

/// `# KEYWORD "name" rest`: the quoted name and the rest, when the name is quoted.
fn quoted_metadata(text: &str) -> Option<(&str, Option<&str>)> {
    let after_keyword = text.get(2..)?.find(' ')? + 3;
    if text.as_bytes().get(after_keyword) != Some(&b'"') {
        return None;
    }
    let (name, end) = quoted(text, after_keyword).ok()?;
    let rest = text.get(end..)?;
    Some((name, rest.strip_prefix(' ')))
}

fn is_metric_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_' || b == b':')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b':')
}

/// Unescapes HELP text (`\\`, `\"`, `\n`); the error is the byte offset of a bad escape.
fn unescape(text: &str) -> Result<String, usize> {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.char_indices();
    while let Some((at, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some((_, '\\')) => out.push('\\'),
            Some((_, '"')) => out.push('"'),
            Some((_, 'n')) => out.push('\n'),
            _ => return Err(at),
        }
    }
    Ok(out)
}

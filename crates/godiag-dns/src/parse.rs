//! Pure parsers for the files that decide name resolution. Each takes the file's bytes and
//! returns a model that keeps 1-based line and column positions, so every finding can point
//! at `path:line:column`. None of them fail: a file a program cannot read is described (with
//! the position of the problem), never rejected, because the programs themselves go on.
//!
//! Where glibc and Go both read a file they often disagree on details (comments, separators,
//! limits); those parsers return both readings side by side.

pub mod hosts;
pub mod link_state;
pub mod nsswitch;
pub mod resolv_conf;
pub mod resolved_conf;

use serde::Serialize;

/// A 1-based line and byte column in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Pos {
    /// 1-based line.
    pub line: u32,
    /// 1-based byte column.
    pub column: u32,
}

impl Pos {
    /// A position from a 1-based line and a 0-based byte offset within it.
    #[must_use]
    pub fn at(line: u32, offset: usize) -> Self {
        Self {
            line,
            column: u32::try_from(offset + 1).unwrap_or(u32::MAX),
        }
    }
}

/// Splits text into `(1-based line number, line without its '\n')`, as `getline` does: the
/// last line is returned even without a newline, and an empty file has no lines.
pub(crate) fn lines(bytes: &[u8]) -> impl Iterator<Item = (u32, &[u8])> {
    let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    let empty = bytes.is_empty();
    body.split(|&b| b == b'\n')
        .enumerate()
        .filter(move |_| !empty)
        .map(|(index, line)| (u32::try_from(index + 1).unwrap_or(u32::MAX), line))
}

/// Go's `net` package reads configuration files through a 64 KiB buffer (`net/parse.go`
/// `open`, `readLine`): a line that does not fit ends the file for Go. Returns the lines Go
/// sees and, when it stopped early, the line where it stopped.
pub(crate) fn go_lines(bytes: &[u8]) -> (Vec<(u32, &[u8])>, Option<u32>) {
    const GO_BUFFER: usize = 64 * 1024;
    let mut out = Vec::new();
    let mut rest = bytes;
    let mut number = 0u32;
    while !rest.is_empty() {
        number = number.saturating_add(1);
        match rest.iter().position(|&b| b == b'\n') {
            Some(at) if at < GO_BUFFER => {
                out.push((number, &rest[..at]));
                rest = &rest[at + 1..];
            }
            // The final line without a newline fits when it is shorter than the buffer (then
            // ReadFull reports EOF); a longer one, with or without newline, does not.
            None if rest.len() < GO_BUFFER => {
                out.push((number, rest));
                rest = &[];
            }
            _ => return (out, Some(number)),
        }
    }
    (out, None)
}

/// The bytes up to the first NUL: C string functions see nothing after it.
pub(crate) fn until_nul(line: &[u8]) -> &[u8] {
    line.iter()
        .position(|&b| b == 0)
        .map_or(line, |at| &line[..at])
}

/// Go's `isSpace` (`net/parse.go`): space, tab, CR, LF.
pub(crate) fn go_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r')
}

/// C `isspace` in the C locale: also vertical tab and form feed.
pub(crate) fn c_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// Text for display and comparison: invalid UTF-8 becomes U+FFFD, which never equals a
/// keyword, so comparisons stay exact.
pub(crate) fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Go's `getFields`: runs of bytes separated by space, CR, tab or LF, with their offsets.
pub(crate) fn go_fields(line: &[u8]) -> Vec<(usize, &[u8])> {
    fields_by(line, go_space)
}

/// Splits on any byte `sep` accepts, keeping each field's offset.
pub(crate) fn fields_by(line: &[u8], sep: impl Fn(u8) -> bool) -> Vec<(usize, &[u8])> {
    let mut out = Vec::new();
    let mut start = None;
    for (index, &byte) in line.iter().enumerate() {
        match (sep(byte), start) {
            (true, Some(from)) => {
                out.push((from, &line[from..index]));
                start = None;
            }
            (false, None) => start = Some(index),
            _ => {}
        }
    }
    if let Some(from) = start {
        out.push((from, &line[from..]));
    }
    out
}

/// Go's `dtoi`: the value of the leading decimal digits, saturating at 0xFFFFFF; 0 when
/// there are none.
pub(crate) fn go_dtoi(bytes: &[u8]) -> u32 {
    const BIG: u32 = 0x00FF_FFFF;
    let mut value = 0u32;
    for &byte in bytes.iter().take_while(|b| b.is_ascii_digit()) {
        value = value * 10 + u32::from(byte - b'0');
        if value >= BIG {
            return BIG;
        }
    }
    value
}

/// C `atoi`: optional leading whitespace and sign, then digits; 0 when there are none.
pub(crate) fn c_atoi(bytes: &[u8]) -> i64 {
    let mut rest = bytes;
    while let Some((&first, tail)) = rest.split_first() {
        if !c_space(first) {
            break;
        }
        rest = tail;
    }
    let negative = rest.first() == Some(&b'-');
    if matches!(rest.first(), Some(b'-' | b'+')) {
        rest = &rest[1..];
    }
    let mut value: i64 = 0;
    for &byte in rest.iter().take_while(|b| b.is_ascii_digit()) {
        value = value
            .saturating_mul(10)
            .saturating_add(i64::from(byte - b'0'));
    }
    if negative { -value } else { value }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_follow_getline() {
        let got: Vec<_> = lines(b"a\nb\n").collect();
        assert_eq!(got, vec![(1, &b"a"[..]), (2, &b"b"[..])]);
        let got: Vec<_> = lines(b"a\n\nc").collect();
        assert_eq!(got, vec![(1, &b"a"[..]), (2, &b""[..]), (3, &b"c"[..])]);
        assert_eq!(lines(b"").count(), 0);
        assert_eq!(lines(b"\n").count(), 1);
    }

    #[test]
    fn go_stops_at_a_line_longer_than_its_buffer() {
        let mut text = b"first\n".to_vec();
        text.extend(std::iter::repeat_n(b'x', 70_000));
        text.extend_from_slice(b"\nlast\n");
        let (seen, stopped) = go_lines(&text);
        assert_eq!(seen.len(), 1);
        assert_eq!(stopped, Some(2));
    }

    #[test]
    fn numbers_like_go_and_c() {
        assert_eq!(go_dtoi(b"12x"), 12);
        assert_eq!(go_dtoi(b"-1"), 0);
        assert_eq!(go_dtoi(b"99999999"), 0x00FF_FFFF);
        assert_eq!(c_atoi(b" -3"), -3);
        assert_eq!(c_atoi(b"abc"), 0);
    }

    #[test]
    fn fields_keep_offsets() {
        assert_eq!(
            go_fields(b" a\tbb  c"),
            vec![(1, &b"a"[..]), (3, &b"bb"[..]), (7, &b"c"[..])]
        );
    }
}

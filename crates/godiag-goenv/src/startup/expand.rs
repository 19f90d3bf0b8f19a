//! Expands one shell word the way the shell would for an assignment value: tilde expansion,
//! parameter expansion and quote removal (XCU 2.6). Field splitting and pathname expansion
//! do not apply to assignment values, so they are not done.
//!
//! Whatever godiag cannot know without running something — command substitution,
//! arithmetic, positional parameters, `~user`, pattern operators like `${A%x}` — makes the
//! whole value unknown (`None`) rather than wrong.

use super::lex::{find_byte, is_name, skip_braces};

/// Deeper `${A:-${B:-…}}` nesting makes the value unknown instead of recursing further.
const MAX_DEPTH: u32 = 32;

/// What a variable holds at the point of expansion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Lookup {
    /// Set to this value.
    Set(String),
    /// Not set: expands to the empty string, as in the shell.
    Unset,
    /// Set to something godiag cannot know (such as the output of a command).
    Unknown,
}

/// Expands `word`. With `assignment`, a `~` after an unquoted `:` is expanded too, as in
/// `PATH=~/go/bin:~/bin` (XCU 2.6.1).
pub(super) fn expand(
    word: &str,
    lookup: &dyn Fn(&str) -> Lookup,
    assignment: bool,
) -> Option<String> {
    let expander = Expander { lookup, assignment };
    let mut out = Vec::new();
    expander.unquoted(word.as_bytes(), &mut out, 0)?;
    // `$'\xff'` can produce bytes that are not UTF-8; such a value is not worth reporting.
    String::from_utf8(out).ok()
}

struct Expander<'a> {
    lookup: &'a dyn Fn(&str) -> Lookup,
    assignment: bool,
}

impl Expander<'_> {
    fn unquoted(&self, src: &[u8], out: &mut Vec<u8>, depth: u32) -> Option<()> {
        let mut at = 0;
        let mut tilde_allowed = true;
        while let Some(&byte) = src.get(at) {
            if tilde_allowed && byte == b'~' {
                at = self.tilde(src, at, out)?;
                tilde_allowed = false;
                continue;
            }
            tilde_allowed = false;
            at = match byte {
                b'\\' => {
                    match src.get(at + 1) {
                        Some(b'\n') => {}
                        Some(&next) => out.push(next),
                        None => out.push(b'\\'),
                    }
                    at + 2
                }
                b'\'' => {
                    let end = find_byte(src, at + 1, b'\'');
                    out.extend_from_slice(&src[at + 1..end]);
                    end + 1
                }
                b'"' => self.double(src, at + 1, out, depth)?,
                b'$' if src.get(at + 1) == Some(&b'\'') => ansi_c(src, at + 2, out),
                // bash's `$"…"` is a translatable string: without a message catalogue it is
                // an ordinary double-quoted string.
                b'$' if src.get(at + 1) == Some(&b'"') => self.double(src, at + 2, out, depth)?,
                b'$' => self.dollar(src, at, out, depth, false)?,
                b'`' => return None,
                // Process substitution names a pipe that exists only while the shell runs.
                b'<' | b'>' if src.get(at + 1) == Some(&b'(') => return None,
                b':' if self.assignment => {
                    out.push(b':');
                    tilde_allowed = true;
                    at + 1
                }
                _ => {
                    out.push(byte);
                    at + 1
                }
            };
        }
        Some(())
    }

    /// Expands a tilde prefix at `at`; returns the position after it.
    fn tilde(&self, src: &[u8], at: usize, out: &mut Vec<u8>) -> Option<usize> {
        let end = src[at + 1..]
            .iter()
            .position(|byte| *byte == b'/' || (self.assignment && *byte == b':'))
            .map_or(src.len(), |offset| at + 1 + offset);
        let prefix = &src[at + 1..end];
        if prefix
            .iter()
            .any(|byte| matches!(byte, b'\\' | b'\'' | b'"' | b'$' | b'`'))
        {
            // A quoted character means there is no tilde prefix: `~` is literal.
            out.push(b'~');
            return Some(at + 1);
        }
        if !prefix.is_empty() {
            // `~user`, `~+` and `~-` need the password database or the shell's state.
            return None;
        }
        match (self.lookup)("HOME") {
            Lookup::Set(home) => out.extend_from_slice(home.as_bytes()),
            // With HOME unset the shell asks the password database, which a parser cannot.
            Lookup::Unset | Lookup::Unknown => return None,
        }
        Some(end)
    }

    /// Expands the inside of `"…"` starting after the opening quote; returns the position
    /// after the closing quote.
    fn double(&self, src: &[u8], mut at: usize, out: &mut Vec<u8>, depth: u32) -> Option<usize> {
        while let Some(&byte) = src.get(at) {
            at = match byte {
                b'"' => return Some(at + 1),
                // Inside double quotes a backslash only escapes `$`, `` ` ``, `"`, `\` and
                // newline (XCU 2.2.3).
                b'\\' => {
                    match src.get(at + 1) {
                        Some(b'\n') => {}
                        Some(&next @ (b'$' | b'`' | b'"' | b'\\')) => out.push(next),
                        Some(&next) => out.extend_from_slice(&[b'\\', next]),
                        None => out.push(b'\\'),
                    }
                    at + 2
                }
                b'$' => self.dollar(src, at, out, depth, true)?,
                b'`' => return None,
                _ => {
                    out.push(byte);
                    at + 1
                }
            };
        }
        Some(src.len())
    }

    /// Expands the `$…` at `at`; returns the position after it.
    fn dollar(
        &self,
        src: &[u8],
        at: usize,
        out: &mut Vec<u8>,
        depth: u32,
        quoted: bool,
    ) -> Option<usize> {
        match src.get(at + 1) {
            // Command substitution and arithmetic expansion.
            Some(b'(') => None,
            Some(b'{') => {
                let end = skip_braces(src, at + 1, depth);
                if src.get(end - 1) != Some(&b'}') {
                    return None;
                }
                self.braced(&src[at + 2..end - 1], out, depth, quoted)?;
                Some(end)
            }
            Some(byte) if byte.is_ascii_alphabetic() || *byte == b'_' => {
                let len = src[at + 1..]
                    .iter()
                    .take_while(|byte| byte.is_ascii_alphanumeric() || **byte == b'_')
                    .count();
                let name = std::str::from_utf8(&src[at + 1..at + 1 + len]).ok()?;
                out.extend_from_slice(self.value(name)?.as_bytes());
                Some(at + 1 + len)
            }
            // Positional and special parameters: `$1`, `$@`, `$$`, `$?`, …
            Some(byte) if byte.is_ascii_digit() || b"@*#?$!-".contains(byte) => None,
            // A `$` that starts no expansion is literal.
            _ => {
                out.push(b'$');
                Some(at + 1)
            }
        }
    }

    /// Expands the inside of `${…}`.
    fn braced(&self, inner: &[u8], out: &mut Vec<u8>, depth: u32, quoted: bool) -> Option<()> {
        let len = inner
            .iter()
            .take_while(|byte| byte.is_ascii_alphanumeric() || **byte == b'_')
            .count();
        let (name, rest) = inner.split_at(len);
        if !is_name(name) || depth > MAX_DEPTH {
            // `${#A}`, `${!A}`, `${1}`, `${@}`…
            return None;
        }
        let name = std::str::from_utf8(name).ok()?;
        if rest.is_empty() {
            out.extend_from_slice(self.value(name)?.as_bytes());
            return Some(());
        }
        let colon = rest.first() == Some(&b':');
        let rest = if colon { &rest[1..] } else { rest };
        let (&operator, word) = rest.split_first()?;
        let value = match (self.lookup)(name) {
            Lookup::Unknown => return None,
            Lookup::Set(value) => Some(value),
            Lookup::Unset => None,
        };
        // With a colon, set-but-empty counts as unset (XCU 2.6.2).
        let present = value.as_ref().filter(|value| !(colon && value.is_empty()));
        match (operator, present) {
            (b'-' | b'=' | b'?', Some(value)) => out.extend_from_slice(value.as_bytes()),
            // `${A:=w}` also assigns A; godiag does not follow that side effect.
            (b'-' | b'=', None) | (b'+', Some(_)) => self.word(word, out, depth + 1, quoted)?,
            (b'+', None) => {}
            // `${A:?msg}` with A unset aborts the shell; `${A%x}`, `${A/x/y}`, `${A:1}`… are
            // not evaluated.
            _ => return None,
        }
        Some(())
    }

    /// Expands the word of `${A:-word}`, in the quoting context of the `${…}`.
    fn word(&self, word: &[u8], out: &mut Vec<u8>, depth: u32, quoted: bool) -> Option<()> {
        if quoted {
            let mut inner = Vec::with_capacity(word.len() + 1);
            inner.extend_from_slice(word);
            inner.push(b'"');
            let end = self.double(&inner, 0, out, depth)?;
            (end == inner.len()).then_some(())
        } else {
            let nested = Expander {
                lookup: self.lookup,
                assignment: false,
            };
            nested.unquoted(word, out, depth)
        }
    }

    fn value(&self, name: &str) -> Option<String> {
        match (self.lookup)(name) {
            Lookup::Set(value) => Some(value),
            Lookup::Unset => Some(String::new()),
            Lookup::Unknown => None,
        }
    }
}

/// Decodes bash's `$'…'` (ANSI-C quoting) starting after the opening quote; returns the
/// position after the closing quote.
fn ansi_c(src: &[u8], mut at: usize, out: &mut Vec<u8>) -> usize {
    while let Some(&byte) = src.get(at) {
        if byte == b'\'' {
            return at + 1;
        }
        if byte != b'\\' {
            out.push(byte);
            at += 1;
            continue;
        }
        let Some(&escape) = src.get(at + 1) else {
            out.push(b'\\');
            return src.len();
        };
        at += 2;
        match escape {
            b'a' => out.push(0x07),
            b'b' => out.push(0x08),
            b'e' | b'E' => out.push(0x1b),
            b'f' => out.push(0x0c),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'v' => out.push(0x0b),
            b'\\' | b'\'' | b'"' | b'?' => out.push(escape),
            b'0'..=b'7' => {
                let (value, used) = radix_digits(&src[at - 1..], 8, 3);
                out.push(u8::try_from(value & 0xff).unwrap_or(0));
                at += used - 1;
            }
            b'x' | b'u' | b'U' => {
                let max = match escape {
                    b'x' => 2,
                    b'u' => 4,
                    _ => 8,
                };
                let (value, used) = radix_digits(&src[at..], 16, max);
                at += used;
                if used == 0 {
                    out.extend_from_slice(&[b'\\', escape]);
                } else if escape == b'x' {
                    out.push(u8::try_from(value).unwrap_or(0));
                } else {
                    let ch = char::from_u32(value).unwrap_or(char::REPLACEMENT_CHARACTER);
                    out.extend_from_slice(ch.encode_utf8(&mut [0; 4]).as_bytes());
                }
            }
            _ => out.extend_from_slice(&[b'\\', escape]),
        }
    }
    src.len()
}

/// Reads up to `max` digits in `radix`; returns the value and how many bytes were used.
fn radix_digits(src: &[u8], radix: u32, max: usize) -> (u32, usize) {
    let mut value = 0_u32;
    let mut used = 0;
    for digit in src
        .iter()
        .take(max)
        .map_while(|byte| char::from(*byte).to_digit(radix))
    {
        value = value.saturating_mul(radix).saturating_add(digit);
        used += 1;
    }
    (value, used)
}

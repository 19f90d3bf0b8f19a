//! `environment.d/*.conf` as systemd-environment-d-generator(8) reads it: the state machine
//! of `parse_env_file_internal` (systemd src/basic/env-file.c) followed by `replace_env` with
//! braceless and extended expansion (src/basic/env-util.c), as `merge_env_file` does.
//!
//! environment.d(5) documents `KEY=VALUE` lines, `#` comments, `$VAR`, `${VAR}`,
//! `${VAR:-default}` and `${VAR:+alternate}`. The implementation also accepts `;` comments,
//! single and double quotes, backslash escapes and continuation lines, and those are followed
//! here too. Two of its quirks matter for diagnosis: a key with inner blanks (`export A=b`) is
//! rejected, and an empty value (`A=` or `A=""`) is ignored rather than assigned.

use std::collections::HashMap;

use super::Assignment;
use super::lex::LineIndex;

/// Nested defaults deeper than this are left unexpanded.
const MAX_DEPTH: u32 = 32;

/// Finds the assignments of one environment.d file; every one is exported.
///
/// `$VAR` and `${VAR}` look at earlier assignments in the same file, then `env`; a variable
/// neither defines expands to nothing, as systemd does. Values are therefore always known.
#[must_use]
pub fn parse_environment_d(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Vec<Assignment> {
    let index = LineIndex::new(text);
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut out = Vec::new();
    for entry in entries(text) {
        let Some(name) = valid_key(&entry.key) else {
            continue;
        };
        // systemd passes no value at all when none was written, and merge_env_file_push then
        // ignores the line.
        let Some(value) = entry.value else { continue };
        let lookup = |name: &str| seen.get(name).cloned().or_else(|| env(name));
        let value = String::from_utf8_lossy(&replace_env(&value, &lookup, 0)).into_owned();
        seen.insert(name.clone(), value.clone());
        let (line, column) = index.position(entry.key_at);
        let raw = text
            .get(entry.raw.0..entry.raw.1)
            .unwrap_or_default()
            .trim_end()
            .to_owned();
        out.push(Assignment {
            name,
            raw,
            value: Some(value),
            line,
            column,
            exported: true,
        });
    }
    out
}

/// One `KEY=VALUE` as the state machine delivers it, before expansion.
struct Entry {
    key: Vec<u8>,
    /// Byte offset of the key's first character.
    key_at: usize,
    /// `None` when no value character was seen.
    value: Option<Vec<u8>>,
    /// Byte range of the value as written.
    raw: (usize, usize),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    PreKey,
    Key,
    PreValue,
    Value,
    ValueEscape,
    SingleQuote,
    DoubleQuote,
    DoubleQuoteEscape,
    Comment,
    CommentEscape,
}

/// Runs systemd's env-file state machine over `text`.
fn entries(text: &str) -> Vec<Entry> {
    let src = text.as_bytes();
    let mut out = Vec::new();
    let mut state = State::PreKey;
    let mut entry = Entry {
        key: Vec::new(),
        key_at: 0,
        value: None,
        raw: (0, 0),
    };
    // Where trailing blanks of the key and of an unquoted value begin, as systemd tracks them.
    let mut key_blank: Option<usize> = None;
    let mut value_blank: Option<usize> = None;
    for (at, &byte) in src.iter().enumerate() {
        let newline = matches!(byte, b'\n' | b'\r');
        let blank = matches!(byte, b' ' | b'\t') || newline;
        state = match state {
            State::PreKey if matches!(byte, b'#' | b';') => State::Comment,
            State::PreKey if blank => State::PreKey,
            State::PreKey => {
                entry = Entry {
                    key: vec![byte],
                    key_at: at,
                    value: None,
                    raw: (at, at),
                };
                key_blank = None;
                State::Key
            }
            // Since systemd v254 a backslash does not continue a comment onto the next line.
            State::Key | State::CommentEscape if newline => State::PreKey,
            State::Key if byte == b'=' => {
                entry.raw = (at + 1, at + 1);
                value_blank = None;
                State::PreValue
            }
            State::Key => {
                if !blank {
                    key_blank = None;
                } else if key_blank.is_none() {
                    key_blank = Some(entry.key.len());
                }
                entry.key.push(byte);
                State::Key
            }
            State::PreValue | State::Value if newline => {
                finish(
                    &mut entry,
                    key_blank,
                    (state == State::Value).then_some(value_blank).flatten(),
                    at,
                );
                out.push(std::mem::replace(
                    &mut entry,
                    Entry {
                        key: Vec::new(),
                        key_at: 0,
                        value: None,
                        raw: (0, 0),
                    },
                ));
                State::PreKey
            }
            State::PreValue if blank => {
                if entry.value.is_none() {
                    entry.raw = (at + 1, at + 1);
                }
                State::PreValue
            }
            State::PreValue if byte == b'\'' => State::SingleQuote,
            State::PreValue if byte == b'"' => State::DoubleQuote,
            State::PreValue | State::Value if byte == b'\\' => {
                value_blank = None;
                State::ValueEscape
            }
            State::PreValue | State::Value => {
                let value = entry.value.get_or_insert_with(Vec::new);
                if !blank {
                    value_blank = None;
                } else if value_blank.is_none() {
                    value_blank = Some(value.len());
                }
                value.push(byte);
                State::Value
            }
            State::ValueEscape => {
                // An escaped newline is a continuation and vanishes.
                if !newline {
                    entry.value.get_or_insert_with(Vec::new).push(byte);
                }
                State::Value
            }
            State::SingleQuote if byte == b'\'' => State::PreValue,
            State::SingleQuote => {
                entry.value.get_or_insert_with(Vec::new).push(byte);
                State::SingleQuote
            }
            State::DoubleQuote if byte == b'"' => State::PreValue,
            State::DoubleQuote if byte == b'\\' => State::DoubleQuoteEscape,
            State::DoubleQuote => {
                entry.value.get_or_insert_with(Vec::new).push(byte);
                State::DoubleQuote
            }
            State::DoubleQuoteEscape => {
                let value = entry.value.get_or_insert_with(Vec::new);
                // Like the shell: `\"`, `\\`, `` \` `` and `\$` lose the backslash, other
                // escapes keep it, and an escaped newline vanishes.
                if b"\"\\`$".contains(&byte) {
                    value.push(byte);
                } else if byte != b'\n' {
                    value.extend_from_slice(&[b'\\', byte]);
                }
                State::DoubleQuote
            }
            State::Comment if byte == b'\\' => State::CommentEscape,
            State::Comment if newline => State::PreKey,
            State::Comment | State::CommentEscape => State::Comment,
        };
    }
    if !matches!(
        state,
        State::PreKey | State::Key | State::Comment | State::CommentEscape
    ) {
        finish(
            &mut entry,
            key_blank,
            (state == State::Value).then_some(value_blank).flatten(),
            src.len(),
        );
        out.push(entry);
    }
    out
}

/// Strips the trailing blanks systemd strips and records where the value text ends.
fn finish(entry: &mut Entry, key_blank: Option<usize>, value_blank: Option<usize>, end: usize) {
    if let Some(len) = key_blank {
        entry.key.truncate(len);
    }
    if let (Some(value), Some(len)) = (entry.value.as_mut(), value_blank) {
        value.truncate(len);
    }
    entry.raw.1 = end.max(entry.raw.0);
}

/// Returns the key as a name when systemd's `env_name_is_valid` accepts it.
fn valid_key(key: &[u8]) -> Option<String> {
    let valid = matches!(key.first(), Some(byte) if !byte.is_ascii_digit())
        && key
            .iter()
            .all(|byte| byte.is_ascii_alphanumeric() || *byte == b'_');
    valid.then(|| String::from_utf8_lossy(key).into_owned())
}

fn is_name_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// systemd's `replace_env` with `REPLACE_ENV_ALLOW_BRACELESS | REPLACE_ENV_ALLOW_EXTENDED`:
/// `$$` is a literal `$`, an unterminated `${` is literal, unset variables are empty.
fn replace_env(src: &[u8], lookup: &dyn Fn(&str) -> Option<String>, depth: u32) -> Vec<u8> {
    let get = |name: &[u8]| {
        std::str::from_utf8(name)
            .ok()
            .and_then(lookup)
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(&byte) = src.get(at) {
        if byte != b'$' {
            out.push(byte);
            at += 1;
            continue;
        }
        match src.get(at + 1) {
            Some(b'$') => {
                out.push(b'$');
                at += 2;
            }
            Some(b'{') => {
                let name_start = at + 2;
                let name_len = src[name_start..]
                    .iter()
                    .take_while(|b| !matches!(b, b'}' | b':'))
                    .count();
                let name_end = name_start + name_len;
                match (src.get(name_end), src.get(name_end + 1)) {
                    (Some(b'}'), _) => {
                        out.extend_from_slice(get(&src[name_start..name_end]).as_bytes());
                        at = name_end + 1;
                    }
                    (Some(b':'), Some(&operator @ (b'-' | b'+'))) => {
                        let word_start = name_end + 2;
                        let Some(word_end) = matching_brace(src, word_start) else {
                            out.extend_from_slice(&src[at..]);
                            break;
                        };
                        let value = get(&src[name_start..name_end]);
                        let word = &src[word_start..word_end];
                        let expand_word = |out: &mut Vec<u8>| {
                            if depth < MAX_DEPTH {
                                out.extend(replace_env(word, lookup, depth + 1));
                            } else {
                                out.extend_from_slice(word);
                            }
                        };
                        match (operator, value.is_empty()) {
                            (b'-', false) => out.extend_from_slice(value.as_bytes()),
                            (b'-', true) | (_, false) => expand_word(&mut out),
                            _ => {}
                        }
                        at = word_end + 1;
                    }
                    // `${FOO` without `}`, or `${FOO:x}`: literal text.
                    (Some(b':'), _) => {
                        out.extend_from_slice(&src[at..=name_end]);
                        at = name_end + 1;
                    }
                    _ => {
                        out.extend_from_slice(&src[at..]);
                        break;
                    }
                }
            }
            Some(&next) if is_name_byte(next) => {
                let len = src[at + 1..]
                    .iter()
                    .take_while(|byte| is_name_byte(**byte))
                    .count();
                out.extend_from_slice(get(&src[at + 1..at + 1 + len]).as_bytes());
                at += 1 + len;
            }
            _ => {
                out.push(b'$');
                at += 1;
            }
        }
    }
    out
}

/// Finds the `}` closing a `${A:-…}` word that starts at `at`, counting every `{` and `}`.
fn matching_brace(src: &[u8], at: usize) -> Option<usize> {
    let mut nest = 0_usize;
    for (offset, byte) in src.get(at..)?.iter().enumerate() {
        match byte {
            b'{' => nest += 1,
            b'}' if nest == 0 => return Some(at + offset),
            b'}' => nest -= 1,
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "HOME" => Some("/home/u".to_owned()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    fn parse(text: &str) -> Vec<(String, String)> {
        parse_environment_d(text, &env)
            .into_iter()
            .map(|a| (a.name, a.value.unwrap_or_default()))
            .collect()
    }

    #[test]
    fn systemd_rules() {
        let cases: &[(&str, &[(&str, &str)])] = &[
            ("GOPATH=$HOME/go", &[("GOPATH", "/home/u/go")]),
            ("GOPATH=${HOME}/go", &[("GOPATH", "/home/u/go")]),
            ("A=${UNSET:-/d}", &[("A", "/d")]),
            ("A=${EMPTY:-/d}", &[("A", "/d")]),
            ("A=${HOME:-/d}", &[("A", "/home/u")]),
            ("A=x${HOME:+:yes}", &[("A", "x:yes")]),
            ("A=x${UNSET:+:yes}", &[("A", "x")]),
            ("A=${UNSET:-${HOME}/x}", &[("A", "/home/u/x")]),
            ("A=$UNSET/x", &[("A", "/x")]),
            ("A=$$HOME", &[("A", "$HOME")]),
            ("A=${HOME", &[("A", "${HOME")]),
            ("A=1\nB=$A$A", &[("A", "1"), ("B", "11")]),
            ("A=1\nA=${A}2", &[("A", "1"), ("A", "12")]),
            // Quotes are removed before expansion, so single quotes do not stop it.
            ("A='$HOME'", &[("A", "/home/u")]),
            ("A=\"a b\"  ", &[("A", "a b")]),
            ("A=\"a\\\"b\\n\"", &[("A", "a\"b\\n")]),
            ("  A = 1  ", &[("A", "1")]),
            ("A=a # not a comment", &[("A", "a # not a comment")]),
            ("A=a\\\nb", &[("A", "ab")]),
            ("# c\n; c\nA=1", &[("A", "1")]),
            // Rejected keys and empty values, as systemd does.
            ("export A=1\n1A=2\nA-B=3", &[]),
            ("A=\nB=\"\"\nC", &[]),
        ];
        for (text, expected) in cases {
            let expected: Vec<(String, String)> = expected
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect();
            assert_eq!(parse(text), expected, "{text:?}");
        }
    }

    #[test]
    fn positions_and_raw() {
        let parsed = parse_environment_d("# go\n GOPATH = \"$HOME/go\"  \n", &env);
        assert_eq!(parsed.len(), 1);
        assert_eq!((parsed[0].line, parsed[0].column), (2, 2));
        assert_eq!(parsed[0].raw, "\"$HOME/go\"");
        assert!(parsed[0].exported);
    }
}

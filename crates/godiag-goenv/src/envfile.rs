//! Go's own env files: the user's `go env -w` file (GOENV) and `$GOROOT/go.env`.
//!
//! Parsed exactly as `readEnvFile` in cmd/go/internal/cfg/cfg.go does: split on `\n`; a line
//! counts only if it contains `=` and its first byte is `A`–`Z`; the key is everything before
//! the first `=`, the value everything after it, verbatim (no trimming, no quote removal, a
//! trailing `\r` kept); a later duplicate wins. Lines Go skips are kept as [`IgnoredLine`]s
//! so a check can say why a line the user wrote has no effect.

use std::collections::BTreeMap;
use std::path::PathBuf;

/// One `KEY=value` line Go uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The value, verbatim.
    pub value: String,
    /// 1-based line number.
    pub line: u32,
}

/// A line that looks like a setting but that Go skips.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoredLine {
    /// 1-based line number.
    pub line: u32,
    /// The line as written.
    pub text: String,
    /// Why Go skips it.
    pub reason: IgnoredReason,
}

/// Why a line of an env file has no effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IgnoredReason {
    /// It starts with a space or tab.
    Indented,
    /// Its first byte is not an uppercase ASCII letter (lowercase key, `export`, quotes...).
    NotUppercaseStart,
    /// A later line sets the same key.
    Overridden,
}

/// A parsed env file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvFile {
    /// Where it was read from.
    pub path: PathBuf,
    /// The effective entries by key.
    pub entries: BTreeMap<String, Entry>,
    /// Lines that look like settings but are skipped.
    pub ignored: Vec<IgnoredLine>,
}

impl EnvFile {
    /// Returns the entry for `key`.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.entries.get(key)
    }
}

/// Parses an env file's text.
#[must_use]
pub fn parse(text: &str, path: impl Into<PathBuf>) -> EnvFile {
    let mut file = EnvFile {
        path: path.into(),
        ..EnvFile::default()
    };
    for (index, line) in text.split('\n').enumerate() {
        let number = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let first = line.as_bytes()[0];
        if !first.is_ascii_uppercase() {
            let trimmed = line.trim_start();
            let is_comment = trimmed.starts_with('#') || trimmed.is_empty();
            if !is_comment {
                let reason = if first == b' ' || first == b'\t' {
                    IgnoredReason::Indented
                } else {
                    IgnoredReason::NotUppercaseStart
                };
                file.ignored.push(IgnoredLine {
                    line: number,
                    text: line.to_owned(),
                    reason,
                });
            }
            continue;
        }
        let entry = Entry {
            value: value.to_owned(),
            line: number,
        };
        if let Some(previous) = file.entries.insert(key.to_owned(), entry) {
            file.ignored.push(IgnoredLine {
                line: previous.line,
                text: format!("{key}={}", previous.value),
                reason: IgnoredReason::Overridden,
            });
        }
    }
    file.ignored.sort_by_key(|ignored| ignored.line);
    file
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn follows_read_env_file() {
        let file = parse(
            "# comment\nGOPROXY=https://a\n  GOFLAGS=-v\ngoprivate=x\nGOSUMDB=\"q\"\r\nGOPROXY=https://b\nNOEQUALS\n",
            "/env",
        );
        assert_eq!(
            file.get("GOPROXY"),
            Some(&Entry {
                value: "https://b".into(),
                line: 6
            })
        );
        assert_eq!(
            file.get("GOSUMDB").map(|e| e.value.as_str()),
            Some("\"q\"\r")
        );
        assert_eq!(file.get("GOFLAGS"), None);
        let reasons: Vec<_> = file.ignored.iter().map(|i| (i.line, i.reason)).collect();
        assert_eq!(
            reasons,
            [
                (2, IgnoredReason::Overridden),
                (3, IgnoredReason::Indented),
                (4, IgnoredReason::NotUppercaseStart)
            ]
        );
    }

    #[test]
    fn empty_values_are_entries() {
        assert_eq!(
            parse("GOPROXY=", "/e")
                .get("GOPROXY")
                .map(|e| e.value.as_str()),
            Some("")
        );
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(text in "\\PC*") {
            let _ = parse(&text, "/x");
        }
    }
}

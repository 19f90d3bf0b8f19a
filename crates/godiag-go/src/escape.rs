//! Module path and version checks and the proxy protocol's case escaping, as
//! golang.org/x/mod/module (`CheckPath`, `EscapePath`, `EscapeVersion`, `UnescapePath`,
//! `SplitPathVersion`) defines them.
//!
//! Error texts are the go command's, so a finding can quote what the user will see. Pure
//! functions; nothing here knows about proxies or URLs beyond the escaping itself.

use std::fmt;

/// Why a module path or version is not acceptable, with the go command's wording.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EscapeError {
    /// `malformed module path "P": REASON`.
    #[error("malformed module path {path:?}: {reason}")]
    Path {
        /// The path as given.
        path: String,
        /// The reason, e.g. `missing dot in first path element`.
        reason: String,
    },
    /// `version "V" invalid: disallowed version string`.
    #[error("version {version:?} invalid: disallowed version string")]
    Version {
        /// The version as given.
        version: String,
    },
    /// `invalid escaped module path "P"` (or version).
    #[error("invalid escaped {what} {escaped:?}")]
    Unescape {
        /// `module path` or `version`.
        what: &'static str,
        /// The escaped text.
        escaped: String,
    },
}

/// Which characters an element may hold (x/mod/module `pathKind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Module,
    File,
}

const BAD_WINDOWS_NAMES: &[&str] = &[
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// `module.CheckPath`: returns why `path` is not a valid module path.
pub fn check_path(path: &str) -> Result<(), EscapeError> {
    check_path_reason(path).map_err(|reason| EscapeError::Path {
        path: path.to_owned(),
        reason,
    })
}

fn check_path_reason(path: &str) -> Result<(), String> {
    check_general(path, Kind::Module)?;
    let first = path.split('/').next().unwrap_or_default();
    if first.is_empty() {
        return Err("leading slash".to_owned());
    }
    if !first.contains('.') {
        return Err("missing dot in first path element".to_owned());
    }
    if path.starts_with('-') {
        return Err("leading dash in first path element".to_owned());
    }
    if let Some(bad) = first
        .chars()
        .find(|c| !matches!(c, '-' | '.' | '0'..='9' | 'a'..='z'))
    {
        return Err(format!(
            "invalid char {} in first path element",
            go_quote_rune(bad)
        ));
    }
    if split_path_version(path).is_none() {
        return Err("invalid version".to_owned());
    }
    Ok(())
}

/// `checkPath`: the rules shared by module, import and file paths.
fn check_general(path: &str, kind: Kind) -> Result<(), String> {
    if path.is_empty() {
        return Err("empty string".to_owned());
    }
    if path.starts_with('-') && kind != Kind::File {
        return Err("leading dash".to_owned());
    }
    if path.contains("//") {
        return Err("double slash".to_owned());
    }
    if path.ends_with('/') {
        return Err("trailing slash".to_owned());
    }
    path.split('/').try_for_each(|elem| check_elem(elem, kind))
}

/// `checkElem`.
fn check_elem(elem: &str, kind: Kind) -> Result<(), String> {
    if elem.is_empty() {
        return Err("empty path element".to_owned());
    }
    if elem.bytes().all(|b| b == b'.') {
        return Err(format!("invalid path element {elem:?}"));
    }
    if elem.starts_with('.') && kind == Kind::Module {
        return Err("leading dot in path element".to_owned());
    }
    if elem.ends_with('.') {
        return Err("trailing dot in path element".to_owned());
    }
    if let Some(bad) = elem.chars().find(|&c| match kind {
        Kind::Module => !module_char_ok(c),
        Kind::File => !file_char_ok(c),
    }) {
        return Err(format!("invalid char {}", go_quote_rune(bad)));
    }
    let short = elem.split('.').next().unwrap_or_default();
    if BAD_WINDOWS_NAMES
        .iter()
        .any(|bad| bad.eq_ignore_ascii_case(short))
    {
        return Err(format!(
            "{short:?} disallowed as path element component on Windows"
        ));
    }
    if kind == Kind::File {
        return Ok(());
    }
    if let Some(tilde) = short.rfind('~')
        && tilde < short.len() - 1
        && short[tilde + 1..].bytes().all(|b| b.is_ascii_digit())
    {
        return Err("trailing tilde and digits in path element".to_owned());
    }
    Ok(())
}

fn module_char_ok(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~')
}

fn file_char_ok(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || "!#$%&()+,-.=@[]^_{}~ ".contains(c);
    }
    c.is_alphabetic()
}

/// Go's `%q` for a rune: `'E'`, `' '`, `'é'`.
fn go_quote_rune(c: char) -> String {
    match c {
        '\'' => "'\\''".to_owned(),
        '\\' => "'\\\\'".to_owned(),
        c if c.is_control() => format!("'\\u{:04x}'", u32::from(c)),
        c => format!("'{c}'"),
    }
}

/// `module.SplitPathVersion`: the path without its major-version suffix, and the suffix
/// (`/v2`, `.v1` for gopkg.in); `None` when the suffix is malformed (`/v1`, `/v02`).
#[must_use]
pub fn split_path_version(path: &str) -> Option<(&str, &str)> {
    if path.starts_with("gopkg.in/") {
        return split_gopkg_in(path);
    }
    let bytes = path.as_bytes();
    let mut i = bytes.len();
    let mut dot = false;
    while i > 0 && (bytes[i - 1].is_ascii_digit() || bytes[i - 1] == b'.') {
        dot |= bytes[i - 1] == b'.';
        i -= 1;
    }
    if i <= 1 || i == bytes.len() || bytes[i - 1] != b'v' || bytes[i - 2] != b'/' {
        return Some((path, ""));
    }
    let (prefix, major) = path.split_at(i - 2);
    if dot || major.len() <= 2 || major.as_bytes()[2] == b'0' || major == "/v1" {
        return None;
    }
    Some((prefix, major))
}

fn split_gopkg_in(path: &str) -> Option<(&str, &str)> {
    let mut i = path.len();
    if path.ends_with("-unstable") {
        i -= "-unstable".len();
    }
    let bytes = path.as_bytes();
    while i > 0 && bytes[i - 1].is_ascii_digit() {
        i -= 1;
    }
    if i <= 1 || bytes[i - 1] != b'v' || bytes[i - 2] != b'.' {
        return None;
    }
    let (prefix, major) = path.split_at(i - 2);
    if major.len() <= 2 || (major.as_bytes()[2] == b'0' && major != ".v0") {
        return None;
    }
    Some((prefix, major))
}

/// `module.EscapePath`: checks the path, then writes each upper-case letter as `!` and
/// its lower-case form.
pub fn escape_path(path: &str) -> Result<String, EscapeError> {
    check_path(path)?;
    Ok(escape_string(path))
}

/// `module.EscapeVersion`: a version must be a valid file name element without `!`.
pub fn escape_version(version: &str) -> Result<String, EscapeError> {
    if check_elem(version, Kind::File).is_err() || version.contains('!') {
        return Err(EscapeError::Version {
            version: version.to_owned(),
        });
    }
    Ok(escape_string(version))
}

fn escape_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    for c in text.chars() {
        if c.is_ascii_uppercase() {
            out.push('!');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `module.UnescapePath`.
pub fn unescape_path(escaped: &str) -> Result<String, EscapeError> {
    let bad = || EscapeError::Unescape {
        what: "module path",
        escaped: escaped.to_owned(),
    };
    let path = unescape_string(escaped).ok_or_else(bad)?;
    check_path(&path).map_err(|_| bad())?;
    Ok(path)
}

fn unescape_string(escaped: &str) -> Option<String> {
    let mut out = String::with_capacity(escaped.len());
    let mut bang = false;
    for c in escaped.chars() {
        if !c.is_ascii() {
            return None;
        }
        if bang {
            bang = false;
            if !c.is_ascii_lowercase() {
                return None;
            }
            out.push(c.to_ascii_uppercase());
        } else if c == '!' {
            bang = true;
        } else if c.is_ascii_uppercase() {
            return None;
        } else {
            out.push(c);
        }
    }
    (!bang).then_some(out)
}

/// A module path and version, printed as `path@version` like `module.Version`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModVersion<'a> {
    /// The module path.
    pub path: &'a str,
    /// The version or query.
    pub version: &'a str,
}

impl fmt::Display for ModVersion<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.path, self.version)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn escaping_vectors() {
        for (path, escaped) in [
            (
                "github.com/Azure/azure-sdk-for-go",
                "github.com/!azure/azure-sdk-for-go",
            ),
            ("github.com/BurntSushi/toml", "github.com/!burnt!sushi/toml"),
            ("example.com/M/v2", "example.com/!m/v2"),
            ("rsc.io/quote", "rsc.io/quote"),
            ("gopkg.in/yaml.v2", "gopkg.in/yaml.v2"),
            ("github.com/user/repo/v10", "github.com/user/repo/v10"),
            ("a..b.example/x", "a..b.example/x"),
        ] {
            assert_eq!(escape_path(path).as_deref(), Ok(escaped), "{path}");
            assert_eq!(unescape_path(escaped).as_deref(), Ok(path), "{escaped}");
        }
        for (version, escaped) in [
            ("v1.0.0-RC1", "v1.0.0-!r!c1"),
            ("v1.2.3+incompatible", "v1.2.3+incompatible"),
            (
                "v0.0.0-20191109021931-daa7c04131f5",
                "v0.0.0-20191109021931-daa7c04131f5",
            ),
            ("master", "master"),
            ("v1.0.0 x", "v1.0.0 x"),
        ] {
            assert_eq!(escape_version(version).as_deref(), Ok(escaped), "{version}");
        }
    }

    #[test]
    fn path_errors_match_the_go_command() {
        for (path, reason) in [
            ("Example.com/x", "invalid char 'E' in first path element"),
            ("example.com/x/", "trailing slash"),
            ("example.com//x", "double slash"),
            ("example.com/.x", "leading dot in path element"),
            ("example.com/x.", "trailing dot in path element"),
            (
                "example.com/x~1",
                "trailing tilde and digits in path element",
            ),
            (
                "example.com/con",
                "\"con\" disallowed as path element component on Windows",
            ),
            ("example.com/x/v1", "invalid version"),
            ("example.com/x/v02", "invalid version"),
            ("example.com/x/v2.1", "invalid version"),
            ("gopkg.in/yaml", "invalid version"),
            ("example_com/x", "missing dot in first path element"),
            ("localhost/x", "missing dot in first path element"),
            ("-example.com", "leading dash"),
            ("x y", "invalid char ' '"),
            ("x+y", "invalid char '+'"),
            ("é", "invalid char 'é'"),
            ("", "empty string"),
        ] {
            let error = check_path(path).unwrap_err();
            assert_eq!(
                error.to_string(),
                format!("malformed module path {path:?}: {reason}"),
                "{path}"
            );
        }
    }

    #[test]
    fn version_errors_match_the_go_command() {
        for version in ["v1.0.0!x", "a/b", "", ".."] {
            assert_eq!(
                escape_version(version).unwrap_err().to_string(),
                format!("version {version:?} invalid: disallowed version string")
            );
        }
        for bad in [
            "github.com/!Azure/x",
            "x.example/a!",
            "x.example/!!a",
            "x.example/A",
        ] {
            assert!(unescape_path(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn major_version_suffixes() {
        assert_eq!(
            split_path_version("example.com/m/v2"),
            Some(("example.com/m", "/v2"))
        );
        assert_eq!(
            split_path_version("gopkg.in/yaml.v3"),
            Some(("gopkg.in/yaml", ".v3"))
        );
        assert_eq!(
            split_path_version("example.com/m"),
            Some(("example.com/m", ""))
        );
        assert_eq!(split_path_version("example.com/m/v1"), None);
    }

    proptest! {
        #[test]
        fn escaping_round_trips(path in "[a-z]{1,5}\\.[a-z]{2,3}(/[A-Za-z0-9_~-]{1,8}){0,3}") {
            if let Ok(escaped) = escape_path(&path) {
                prop_assert!(!escaped.chars().any(|c| c.is_ascii_uppercase()));
                prop_assert_eq!(unescape_path(&escaped).unwrap(), path);
            }
        }

        #[test]
        fn arbitrary_text_never_panics(text in "\\PC*") {
            let _ = escape_path(&text);
            let _ = escape_version(&text);
            let _ = unescape_path(&text);
        }
    }
}

//! go.mod and go.work, parsed for what decides where a module comes from: `module`, `go`,
//! `require`, `replace` and `use` (golang.org/x/mod/modfile).
//!
//! Pure: [`parse`] takes the text and the file's name, and every entry keeps its line.
//! Malformed lines are errors with `file:line:column`, as modfile reports them; `retract`,
//! `exclude`, `tool`, `godebug`, `toolchain` and `ignore` are accepted and not interpreted.

use serde::Serialize;

/// A parsed go.mod or go.work.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ModFile {
    /// The file's name, as given.
    pub path: String,
    /// The `module` path (go.mod).
    pub module: Option<String>,
    /// The `go` version.
    pub go: Option<String>,
    /// `require` lines.
    pub requires: Vec<Require>,
    /// `replace` lines.
    pub replaces: Vec<Replace>,
    /// `use` lines (go.work): directories as written.
    pub uses: Vec<Use>,
}

/// One `require`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Require {
    /// The module path.
    pub path: String,
    /// The required version as written (a semver tag or a pseudo-version).
    pub version: String,
    /// The 1-based line of the requirement.
    pub line: u32,
}

/// One `replace`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Replace {
    /// The replaced module path.
    pub old_path: String,
    /// The replaced version, when the line names one (else every version).
    pub old_version: Option<String>,
    /// The replacement: a module path, or a directory (see [`Replace::is_dir`]).
    pub new_path: String,
    /// The replacement's version (absent for a directory).
    pub new_version: Option<String>,
    /// The 1-based line of the `replace`.
    pub line: u32,
}

impl Replace {
    /// True when the replacement is a directory (modfile `IsDirectoryPath`).
    #[must_use]
    pub fn is_dir(&self) -> bool {
        is_directory_path(&self.new_path)
    }
}

/// One `use` of a go.work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Use {
    /// The directory as written.
    pub dir: String,
    /// The 1-based line of the `use`.
    pub line: u32,
}

/// A malformed line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}:{line}:{column}: {message}")]
pub struct ModfileError {
    /// The file.
    pub path: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column (in characters).
    pub column: u32,
    /// What is wrong.
    pub message: String,
}

/// Which file is parsed (they accept different directives).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A go.mod: `module`, `require`, `exclude`, `replace`, `retract` and the rest.
    GoMod,
    /// A go.work: `use`, `replace`, `go` and `toolchain`, but no `module` or `require`.
    GoWork,
}

/// modfile `IsDirectoryPath`: every path syntax, Unix and Windows, since go.mod files move
/// between systems.
#[must_use]
pub fn is_directory_path(ns: &str) -> bool {
    let b = ns.as_bytes();
    ns == "."
        || ns.starts_with("./")
        || ns.starts_with(".\\")
        || ns == ".."
        || ns.starts_with("../")
        || ns.starts_with("..\\")
        || ns.starts_with('/')
        || ns.starts_with('\\')
        || (b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':')
}

/// A token and its 1-based column.
type Token = (String, u32);

/// Parses a go.mod or go.work text.
pub fn parse(text: &str, path: &str, kind: Kind) -> Result<ModFile, ModfileError> {
    let mut file = ModFile {
        path: path.to_owned(),
        ..ModFile::default()
    };
    let mut block: Option<String> = None;
    for (index, raw) in text.lines().enumerate() {
        let line = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let error = |column: u32, message: String| ModfileError {
            path: path.to_owned(),
            line,
            column,
            message,
        };
        let tokens = tokens(raw).map_err(|(column, message)| error(column, message))?;
        let Some(((first, column), rest)) = tokens.split_first() else {
            continue;
        };
        if let Some(verb) = block.clone() {
            if first == ")" {
                block = None;
                continue;
            }
            directive(&mut file, &verb, &tokens, line).map_err(|m| error(*column, m))?;
            continue;
        }
        if !known(first, kind) {
            return Err(error(*column, format!("unknown directive: {first}")));
        }
        if rest.len() == 1 && rest[0].0 == "(" {
            block = Some(first.clone());
            continue;
        }
        directive(&mut file, first, rest, line).map_err(|m| error(*column, m))?;
    }
    if block.is_some() {
        let line = u32::try_from(text.lines().count()).unwrap_or(u32::MAX);
        return Err(ModfileError {
            path: path.to_owned(),
            line,
            column: 1,
            message: "unexpected EOF: a ( block is not closed".to_owned(),
        });
    }
    Ok(file)
}

fn known(verb: &str, kind: Kind) -> bool {
    let common = ["go", "toolchain", "godebug", "replace"];
    let extra: &[&str] = match kind {
        Kind::GoMod => &["module", "require", "exclude", "retract", "tool", "ignore"],
        Kind::GoWork => &["use"],
    };
    common.contains(&verb) || extra.contains(&verb)
}

fn directive(file: &mut ModFile, verb: &str, args: &[Token], line: u32) -> Result<(), String> {
    let words: Vec<&str> = args.iter().map(|(word, _)| word.as_str()).collect();
    match verb {
        "module" => match words.as_slice() {
            [path] => file.module = Some((*path).to_owned()),
            _ => return Err("usage: module module/path".to_owned()),
        },
        "go" => match words.as_slice() {
            [version] => file.go = Some((*version).to_owned()),
            _ => return Err("go directive expects exactly one argument".to_owned()),
        },
        "require" => match words.as_slice() {
            [path, version] => file.requires.push(Require {
                path: (*path).to_owned(),
                version: (*version).to_owned(),
                line,
            }),
            _ => return Err("usage: require module/path v1.2.3".to_owned()),
        },
        "replace" => file.replaces.push(replace(&words, line)?),
        "use" => match words.as_slice() {
            [dir] => file.uses.push(Use {
                dir: (*dir).to_owned(),
                line,
            }),
            _ => return Err("usage: use local/dir".to_owned()),
        },
        _ => {}
    }
    Ok(())
}

/// modfile `parseReplace`.
fn replace(words: &[&str], line: u32) -> Result<Replace, String> {
    const USAGE: &str = "usage: replace module/path [v1.2.3] => other/module v1.4\n\t or replace module/path [v1.2.3] => ../local/directory";
    let arrow = if words.get(1) == Some(&"=>") { 1 } else { 2 };
    if words.len() < arrow + 2 || words.len() > arrow + 3 || words[arrow] != "=>" {
        return Err(USAGE.to_owned());
    }
    let new_path = words[arrow + 1].to_owned();
    let new_version = words.get(arrow + 2).map(|v| (*v).to_owned());
    if new_version.is_none() && !is_directory_path(&new_path) {
        return Err(if new_path.contains('@') {
            "replacement module must match format 'path version', not 'path@version'".to_owned()
        } else {
            "replacement module without version must be directory path (rooted or starting with . or ..)".to_owned()
        });
    }
    if new_version.is_some() && is_directory_path(&new_path) {
        return Err("replacement module directory path must not have version".to_owned());
    }
    Ok(Replace {
        old_path: words[0].to_owned(),
        old_version: (arrow == 2).then(|| words[1].to_owned()),
        new_path,
        new_version,
        line,
    })
}

/// Splits a line into tokens: words, `(`, `)`, `=>`, and quoted strings (Go's escapes in
/// `"..."`, none in backquotes); `//` starts a comment.
fn tokens(line: &str) -> Result<Vec<Token>, (u32, String)> {
    let chars: Vec<char> = line.chars().collect();
    let mut out = Vec::new();
    let mut at = 0;
    let column = |at: usize| u32::try_from(at + 1).unwrap_or(u32::MAX);
    while at < chars.len() {
        let c = chars[at];
        if c.is_whitespace() {
            at += 1;
        } else if c == '/' && chars.get(at + 1) == Some(&'/') {
            break;
        } else if c == '(' || c == ')' {
            out.push((c.to_string(), column(at)));
            at += 1;
        } else if c == '"' || c == '`' {
            let start = at;
            let mut word = String::new();
            at += 1;
            loop {
                let Some(&next) = chars.get(at) else {
                    return Err((column(start), "unterminated quoted string".to_owned()));
                };
                at += 1;
                if next == c {
                    break;
                }
                if next == '\\' && c == '"' {
                    let Some(&escaped) = chars.get(at) else {
                        return Err((column(start), "unterminated quoted string".to_owned()));
                    };
                    at += 1;
                    word.push(match escaped {
                        'n' => '\n',
                        't' => '\t',
                        other => other,
                    });
                } else {
                    word.push(next);
                }
            }
            out.push((word, column(start)));
        } else {
            let start = at;
            let ends_word = |at: usize| {
                let c = chars[at];
                c.is_whitespace()
                    || matches!(c, '(' | ')' | '"' | '`')
                    || (c == '/' && chars.get(at + 1) == Some(&'/'))
            };
            while at < chars.len() && !ends_word(at) {
                at += 1;
            }
            out.push((chars[start..at].iter().collect(), column(start)));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const GO_MOD: &str = r#"module example.com/app // the app

go 1.22

require (
	example.com/hello v1.0.0
	golang.org/x/text v0.3.0 // indirect
)

replace example.com/hello => ../local
replace (
	golang.org/x/text v0.3.0 => github.com/fork/text v0.3.1
	"example.com/quoted" => "./q dir"
)
retract [v0.1.0, v0.2.0]
"#;

    #[test]
    fn go_mod_directives_with_lines() {
        let file = parse(GO_MOD, "/p/go.mod", Kind::GoMod).unwrap();
        assert_eq!(file.module.as_deref(), Some("example.com/app"));
        assert_eq!(file.go.as_deref(), Some("1.22"));
        assert_eq!(file.requires.len(), 2);
        assert_eq!(file.requires[1].line, 7);
        let r = &file.replaces;
        assert_eq!(r.len(), 3);
        assert!(r[0].is_dir() && r[0].old_version.is_none() && r[0].line == 10);
        assert_eq!(r[1].old_version.as_deref(), Some("v0.3.0"));
        assert_eq!(r[1].new_version.as_deref(), Some("v0.3.1"));
        assert!(!r[1].is_dir());
        assert_eq!(r[2].new_path, "./q dir");
    }

    #[test]
    fn go_work_uses() {
        let file = parse(
            "go 1.22\n\nuse (\n\t.\n\t../lib\n)\nuse ./tools\nreplace x.example/m v1.0.0 => ../m\n",
            "/w/go.work",
            Kind::GoWork,
        )
        .unwrap();
        let dirs: Vec<&str> = file.uses.iter().map(|u| u.dir.as_str()).collect();
        assert_eq!(dirs, [".", "../lib", "./tools"]);
        assert_eq!(file.replaces[0].old_version.as_deref(), Some("v1.0.0"));
    }

    #[test]
    fn errors_name_file_line_and_column() {
        let error = parse("module m\n  frobnicate x\n", "/p/go.mod", Kind::GoMod).unwrap_err();
        assert_eq!(
            error.to_string(),
            "/p/go.mod:2:3: unknown directive: frobnicate"
        );
        let error = parse("replace a => b\n", "/p/go.mod", Kind::GoMod).unwrap_err();
        assert!(
            error
                .message
                .starts_with("replacement module without version")
        );
        assert!(parse("use x\n", "/p/go.mod", Kind::GoMod).is_err());
        assert!(parse("require (\n a v1\n", "/p/go.mod", Kind::GoMod).is_err());
        assert!(parse("module \"m\n", "/p/go.mod", Kind::GoMod).is_err());
    }

    #[test]
    fn directory_paths() {
        for dir in [".", "..", "./x", "../x", "/abs", "C:\\x", ".\\x"] {
            assert!(is_directory_path(dir), "{dir}");
        }
        for path in ["example.com/m", "x", ".hidden"] {
            assert!(!is_directory_path(path), "{path}");
        }
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
            let _ = parse(&text, "go.mod", Kind::GoMod);
            let _ = parse(&text, "go.work", Kind::GoWork);
        }
    }
}

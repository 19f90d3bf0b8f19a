//! Finds variable assignments, exports and `source`d files in sh, bash and zsh startup files.
//!
//! The file is read as a flat list of simple commands: control flow is not evaluated, so an
//! assignment inside `if`, `case`, a loop or a function body counts as if it always ran. That
//! is the useful answer for startup files, whose conditions (`[ -d "$HOME/go" ]`,
//! `$BASH_VERSION`) almost always hold on the machine they were written for. Subshells
//! `( … )` are not told apart either.
//!
//! A variable reaches the go command only if it is exported when the file ends: assigned by
//! `export`, `declare -x` or `typeset -x`, assigned while `set -a` (`setopt allexport`) is on,
//! or named by a later `export NAME`. `unset NAME` drops the assignments before it. Prefix
//! assignments (`GOFLAGS=-mod=mod go build`) only affect that one command and are not
//! recorded; `local` variables live only inside their function and are not recorded either.
//!
//! Not followed: `eval`, assignments inside `emulate sh -c '…'` (its `source`s are), the side
//! effect of `${A:=default}`, and files pulled in by `source` (they are reported to the
//! caller, which decides).

use std::collections::{HashMap, HashSet};

use super::Assignment;
use super::expand::{Lookup, expand};
use super::lex::{LineIndex, Token, is_name, tokens};

/// Variables every login session already has in its environment (set by login(1), sshd or
/// the display manager, and by PAM). Assigning one of them without `export` still changes
/// what child processes see, because a variable inherited from the environment is marked
/// for export (bash(1) ENVIRONMENT; XCU 2.5.3).
const ALWAYS_EXPORTED: &[&str] = &[
    "PATH", "HOME", "USER", "LOGNAME", "SHELL", "MAIL", "LANG", "TERM",
];

/// Reserved words after which the next word starts a command (XCU 2.4).
const PREFIX_KEYWORDS: &[&str] = &[
    "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "case", "esac", "!", "{",
    "}", "time",
];

/// Finds the assignments of a shell startup file.
///
/// Values are expanded with earlier assignments in the same file first, then `env` (a
/// variable neither defines is unset and expands to nothing, as in the shell). A value that
/// needs a command (`$(go env GOPATH)`, backticks) or an expansion godiag does not evaluate
/// is `None`. Control flow is not evaluated: assignments inside `if`, `case` and functions
/// count.
#[must_use]
pub fn parse_shell(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Vec<Assignment> {
    parse_shell_file(text, env).assignments
}

/// What a shell startup file does to the environment.
pub(super) struct ShellFile {
    /// Assignments left when the file ends, in file order.
    pub(super) assignments: Vec<Assignment>,
    /// Arguments of `.` and `source`, expanded, in file order.
    pub(super) sources: Vec<String>,
}

/// Parses a shell startup file into its assignments and the files it sources.
pub(super) fn parse_shell_file(text: &str, env: &dyn Fn(&str) -> Option<String>) -> ShellFile {
    let mut interpreter = Interpreter {
        text,
        lines: LineIndex::new(text),
        env,
        vars: HashMap::new(),
        exported: HashSet::new(),
        allexport: false,
        recorded: Vec::new(),
        live: HashMap::new(),
        sources: Vec::new(),
    };
    let mut words = Vec::new();
    for token in tokens(text) {
        match token {
            Token::Word { start, end } => words.push((start, end)),
            Token::Separator => interpreter.command(&std::mem::take(&mut words)),
        }
    }
    interpreter.command(&words);
    interpreter.finish()
}

/// A word as a byte range of the text.
type Span = (usize, usize);

/// What the file has done to a variable so far.
enum Local {
    Known(String),
    Unknown,
    Unset,
}

struct Interpreter<'a> {
    text: &'a str,
    lines: LineIndex<'a>,
    env: &'a dyn Fn(&str) -> Option<String>,
    vars: HashMap<String, Local>,
    /// Names with the export attribute.
    exported: HashSet<String>,
    /// `set -a` is on.
    allexport: bool,
    /// Every assignment seen; `None` once a later `unset` removed it.
    recorded: Vec<Option<Assignment>>,
    /// Indices into `recorded` of each name's assignments since its last `unset`.
    live: HashMap<String, Vec<usize>>,
    sources: Vec<String>,
}

impl Interpreter<'_> {
    fn finish(self) -> ShellFile {
        let exported = self.exported;
        let assignments = self
            .recorded
            .into_iter()
            .flatten()
            .map(|mut assignment| {
                // What a child process sees is decided by the export attribute when the file
                // ends, whichever line set it.
                assignment.exported = exported.contains(&assignment.name)
                    || ALWAYS_EXPORTED.contains(&assignment.name.as_str());
                assignment
            })
            .collect();
        ShellFile {
            assignments,
            sources: self.sources,
        }
    }

    fn word(&self, (start, end): Span) -> &str {
        &self.text[start..end]
    }

    /// The word after quote removal, when it needs no expansion.
    fn literal(&self, span: Span) -> Option<String> {
        expand(self.word(span), &|_| Lookup::Unknown, false)
    }

    fn lookup(&self, name: &str) -> Lookup {
        match self.vars.get(name) {
            Some(Local::Known(value)) => Lookup::Set(value.clone()),
            Some(Local::Unknown) => Lookup::Unknown,
            Some(Local::Unset) => Lookup::Unset,
            None => (self.env)(name).map_or(Lookup::Unset, Lookup::Set),
        }
    }

    fn command(&mut self, mut words: &[Span]) {
        loop {
            match words.first().map(|span| self.word(*span)) {
                Some(keyword) if PREFIX_KEYWORDS.contains(&keyword) => words = &words[1..],
                // `function name { …`: the body starts a new command.
                Some("function") => words = words.get(2..).unwrap_or_default(),
                _ => break,
            }
        }
        let prefix = words
            .iter()
            .take_while(|span| split_assignment(self.word(**span)).is_some())
            .count();
        let Some(&name) = words.get(prefix) else {
            for span in words {
                self.assign(*span, None);
            }
            return;
        };
        // Prefix assignments (`A=b cmd`) only reach that one command.
        self.builtin(name, &words[prefix + 1..]);
    }

    fn builtin(&mut self, name: Span, args: &[Span]) {
        let Some(name) = self.literal(name) else {
            return;
        };
        match name.as_str() {
            "export" => self.export(args),
            "declare" | "typeset" | "readonly" => self.declare(args),
            "unset" => self.unset(args),
            "set" => self.set(args),
            "setopt" => self.setopt(args, true),
            "unsetopt" => self.setopt(args, false),
            "." | "source" => self.source(args),
            "emulate" => self.emulate(args),
            // `builtin export A=b` and `command export A=b` run the builtin.
            "builtin" | "command" => {
                if let Some((&next, rest)) = args.split_first() {
                    self.builtin(next, rest);
                }
            }
            _ => {}
        }
    }

    /// Splits leading options (`-x`, `+x`, `-gx`) from arguments.
    fn options<'s>(&self, args: &'s [Span]) -> (Vec<String>, &'s [Span]) {
        let mut options = Vec::new();
        for (index, span) in args.iter().enumerate() {
            match self.literal(*span) {
                Some(option) if option == "--" => return (options, &args[index + 1..]),
                Some(option) if option.len() > 1 && option.starts_with(['-', '+']) => {
                    options.push(option);
                }
                _ => return (options, &args[index..]),
            }
        }
        (options, &[])
    }

    /// `export [-n] NAME[=value]…`; `-n` removes the export attribute (bash).
    fn export(&mut self, args: &[Span]) {
        let (options, args) = self.options(args);
        if options.iter().any(|option| option.contains('f')) {
            return; // exports functions, not variables
        }
        let export = !options
            .iter()
            .any(|option| option.starts_with('-') && option.contains('n'));
        self.declare_names(args, Some(export));
    }

    /// `declare`/`typeset`/`readonly [-x|+x] NAME[=value]…`.
    fn declare(&mut self, args: &[Span]) {
        let (options, args) = self.options(args);
        if options.iter().any(|option| option.contains(['f', 'F'])) {
            return; // functions, not variables
        }
        let export = options
            .iter()
            .rev()
            .find(|option| option.contains('x'))
            .map(|option| option.starts_with('-'));
        self.declare_names(args, export);
    }

    fn declare_names(&mut self, args: &[Span], export: Option<bool>) {
        for span in args {
            if split_assignment(self.word(*span)).is_some() {
                self.assign(*span, export);
            } else if let (Some(name), Some(export)) = (self.literal(*span), export) {
                self.set_export(&name, export);
            }
        }
    }

    fn set_export(&mut self, name: &str, export: bool) {
        if !is_name(name.as_bytes()) {
            return;
        }
        if export {
            self.exported.insert(name.to_owned());
        } else {
            self.exported.remove(name);
        }
    }

    fn unset(&mut self, args: &[Span]) {
        let (options, args) = self.options(args);
        if options.iter().any(|option| option.contains('f')) {
            return;
        }
        for span in args {
            let Some(name) = self.literal(*span) else {
                continue;
            };
            for index in self.live.remove(&name).unwrap_or_default() {
                self.recorded[index] = None;
            }
            self.exported.remove(&name);
            self.vars.insert(name, Local::Unset);
        }
    }

    /// `set -a`/`set +a`, also inside option clusters (`set -ea`) and as `set -o allexport`.
    fn set(&mut self, args: &[Span]) {
        let args: Vec<Option<String>> = args.iter().map(|span| self.literal(*span)).collect();
        let mut args = args.into_iter();
        while let Some(Some(arg)) = args.next() {
            let Some(on) = arg.strip_prefix(['-', '+']).map(|_| arg.starts_with('-')) else {
                break;
            };
            if arg == "-" || arg == "--" {
                break;
            }
            for flag in arg.chars().skip(1) {
                match flag {
                    'a' => self.allexport = on,
                    'o' => {
                        if let Some(Some(option)) = args.next() {
                            if option == "allexport" {
                                self.allexport = on;
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    /// zsh's `setopt allexport` (option names ignore case and underscores, and `no` negates).
    fn setopt(&mut self, args: &[Span], on: bool) {
        for span in args {
            let Some(option) = self.literal(*span) else {
                continue;
            };
            let option = option.to_ascii_lowercase().replace('_', "");
            match option.as_str() {
                "allexport" => self.allexport = on,
                "noallexport" => self.allexport = !on,
                _ => {}
            }
        }
    }

    fn source(&mut self, args: &[Span]) {
        let (_, args) = self.options(args);
        let Some(&file) = args.first() else { return };
        // `. "$f"` in a loop expands to nothing useful: skip it rather than guess.
        if let Some(path) = expand(self.word(file), &|name| self.lookup(name), false)
            .filter(|path| !path.is_empty())
        {
            self.sources.push(path);
        }
    }

    /// zsh's `emulate sh -c '. ~/.profile'`, the idiom zsh's own documentation gives for
    /// reading `~/.profile`: the files the script sources are followed, its assignments are not.
    fn emulate(&mut self, args: &[Span]) {
        let Some(at) = args.iter().position(|span| self.word(*span) == "-c") else {
            return;
        };
        let Some(script) = args
            .get(at + 1)
            .and_then(|span| expand(self.word(*span), &|name| self.lookup(name), false))
        else {
            return;
        };
        let env = |name: &str| match self.lookup(name) {
            Lookup::Set(value) => Some(value),
            Lookup::Unset | Lookup::Unknown => None,
        };
        let inner = parse_shell_file(&script, &env);
        self.sources.extend(inner.sources);
    }

    /// Records `NAME=value` or `NAME+=value`; `export` sets (`Some(true)`) or clears the export
    /// attribute.
    fn assign(&mut self, span: Span, export: Option<bool>) {
        let word = self.word(span);
        let Some((name, append, raw)) = split_assignment(word) else {
            return;
        };
        let (name, raw) = (name.to_owned(), raw.to_owned());
        // Arrays (`A=(a b)`) are not environment values.
        let mut value = if raw.starts_with('(') {
            None
        } else {
            expand(&raw, &|name| self.lookup(name), true)
        };
        if append {
            value = match (self.lookup(&name), value) {
                (Lookup::Set(old), Some(new)) => Some(old + &new),
                (Lookup::Unset, new) => new,
                _ => None,
            };
        }
        self.vars.insert(
            name.clone(),
            value.clone().map_or(Local::Unknown, Local::Known),
        );
        if let Some(export) = export {
            self.set_export(&name, export);
        }
        if self.allexport {
            self.set_export(&name, true);
        }
        let (line, column) = self.lines.position(span.0);
        self.live
            .entry(name.clone())
            .or_default()
            .push(self.recorded.len());
        self.recorded.push(Some(Assignment {
            name,
            raw,
            value,
            line,
            column,
            exported: false,
        }));
    }
}

/// Splits `NAME=value` or `NAME+=value` into the name, whether it appends, and the value as
/// written.
fn split_assignment(word: &str) -> Option<(&str, bool, &str)> {
    let equals = word.find('=')?;
    let (name, append) = match word[..equals].strip_suffix('+') {
        Some(name) => (name, true),
        None => (&word[..equals], false),
    };
    is_name(name.as_bytes()).then(|| (name, append, &word[equals + 1..]))
}

#[cfg(test)]
mod tests;

//! The Go environment as godiag computes it: every variable `go env` prints, its value, and
//! where that value came from.

use std::path::PathBuf;

use godiag_go::gocmd::GoBinary;
use serde::Serialize;

use crate::envfile::EnvFile;
use crate::startup::Seer;

/// Where a variable's effective value comes from, in the go command's precedence order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A non-empty OS environment variable (an empty one counts as unset).
    Environment,
    /// The user's `go env -w` file (GOENV).
    GoenvFile,
    /// `$GOROOT/go.env`, shipped with the toolchain.
    GorootGoEnv,
    /// The go command's built-in default or derivation.
    Default,
    /// godiag cannot know without the go command (the value, if any, is a best guess).
    Unknown,
}

/// A file and line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileLine {
    /// The file.
    pub path: PathBuf,
    /// 1-based line.
    pub line: u32,
}

/// A startup file that exports the variable, and who sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportedIn {
    /// The startup file.
    pub path: PathBuf,
    /// 1-based line of the assignment.
    pub line: u32,
    /// The value assigned there, when it is a literal.
    pub value: Option<String>,
    /// Kinds of process that see it.
    pub seen_by: Vec<Seer>,
}

/// One variable of `go env`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Var {
    /// The variable's name, e.g. `GOPROXY`.
    pub name: String,
    /// The value as `go env` prints it; `None` when unknown.
    pub value: Option<String>,
    /// Where the value came from.
    pub source: Source,
    /// The file line that set it, for file sources.
    pub location: Option<FileLine>,
    /// How the value was derived, when that is not obvious from the source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Startup files that export it.
    pub exported_in: Vec<ExportedIn>,
}

/// Something the go command itself will refuse, found while computing the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The variable at fault.
    pub name: String,
    /// The exact message the go command prints.
    pub go_error: String,
    /// True when the go command stops; false for a warning it prints and goes on.
    pub fatal: bool,
}

/// The computed Go environment.
#[derive(Debug, Clone, Default)]
pub struct GoEnv {
    /// The go command found, if any.
    pub go_binary: Option<GoBinary>,
    /// Every variable `go env -json` prints, sorted by name.
    pub vars: Vec<Var>,
    /// The user's go env file, when one was read.
    pub user_file: Option<EnvFile>,
    /// `$GOROOT/go.env`, when read.
    pub goroot_file: Option<EnvFile>,
    /// Values the go command refuses outright.
    pub refusals: Vec<Refusal>,
    /// The OS environment as seen by godiag (for checks that compare layers).
    pub os_env: std::collections::BTreeMap<String, String>,
}

impl GoEnv {
    /// Returns a variable by name.
    #[must_use]
    pub fn var(&self, name: &str) -> Option<&Var> {
        self.vars.iter().find(|var| var.name == name)
    }

    /// Returns a variable's value, or "" when unknown or absent.
    #[must_use]
    pub fn value(&self, name: &str) -> &str {
        self.var(name)
            .and_then(|var| var.value.as_deref())
            .unwrap_or_default()
    }
}

//! Where Go variables are set in shell and session startup files, and which kinds of process
//! see each one: the "works in my terminal, not in my IDE or CI" problem.
//!
//! [`scan`] reads the files below through [`Host`]; the parsers ([`parse_shell`],
//! [`parse_etc_environment`], [`parse_environment_d`]) are pure. This module does not judge
//! the values; checks do.
//!
//! Files, in the order results are sorted by: `~/.profile`, `~/.bash_profile`,
//! `~/.bash_login`, `~/.bashrc`, `~/.zshenv`, `~/.zprofile`, `~/.zshrc`, `/etc/environment`,
//! `/etc/profile`, `/etc/profile.d/*.sh`, and `~/.config/environment.d/*.conf`
//! (`$XDG_CONFIG_HOME/environment.d` when that is set and absolute).
//!
//! # Who sees what
//!
//! The user's shell is the basename of `$SHELL`: `zsh` gets the zsh rules, anything else
//! (including no `$SHELL`) the bash rules. "Terminal" below means [`Seer::InteractiveShell`]:
//! a terminal emulator in the desktop session, which inherits the session's environment and
//! then reads the interactive rc file.
//!
//! - `/etc/environment` → login shell, interactive shell, GUI session, systemd user
//!   services. `pam_env(8)` loads it into every PAM session (console, SSH, display manager);
//!   environment.d(5) also reads it, through the `99-environment.conf` symlink systemd
//!   installs.
//! - `/etc/profile`, `/etc/profile.d/*.sh` → bash: login shell (bash(1) INVOCATION), GUI
//!   session and terminal; zsh: GUI session and terminal only, since zsh never reads them
//!   (zsh(1) STARTUP/SHUTDOWN FILES) but display managers do.
//! - Display managers source `/etc/profile` and `~/.profile` under `/bin/sh` before starting
//!   an X11 session (GDM's `/etc/gdm3/Xsession`, Debian's `/etc/X11/Xsession` family), so
//!   `~/.profile` → GUI session and terminal for every user, even when bash skips it.
//! - A bash login shell reads only the first existing of `~/.bash_profile`, `~/.bash_login`,
//!   `~/.profile` (bash(1) INVOCATION); that one → login shell. The other two `.bash_*` files
//!   are dead (no one reads them).
//! - `~/.bashrc` → bash: interactive shell.
//! - zsh: `~/.zshenv` → login and interactive shells; `~/.zprofile` → login shell;
//!   `~/.zshrc` → interactive and login shells (an interactive login shell reads both).
//!   For bash users, zsh files are dead, and for zsh users, bash files are.
//! - `environment.d/*.conf` → systemd user services and the GUI session (GNOME and KDE start
//!   the session from the systemd user manager), and so the terminal too (environment.d(5)).
//! - A file read by a login (interactive) shell that sources another scanned file
//!   (`. ~/.bashrc`, `source "$HOME/.profile"`, zsh's `emulate sh -c '. ~/.profile'`, also
//!   inside `if`) passes login (interactive) shells on to it, transitively. This is how
//!   `~/.bashrc` reaches bash login shells when `~/.bash_profile` or `~/.profile` sources it.
//! - An assignment that is not exported when its file ends sees no one (`seen_by` is empty):
//!   the shell has the variable, but the go command, a child process, does not.
//!
//! These are the common cases, not guarantees: GNOME on Wayland starts the session through
//! the user's login shell (so `~/.bash_profile` or `~/.zprofile` can reach it too), `$ZDOTDIR`
//! moves zsh's files, and `/etc/bash.bashrc`, `/etc/zsh/*` and files the scanned ones source
//! are not read.

mod environment_d;
mod etc_environment;
mod expand;
mod lex;
mod seen;
mod shell;

use std::io;
use std::path::{Path, PathBuf};

use godiag_core::host::Host;
use serde::Serialize;

pub use environment_d::parse_environment_d;
pub use etc_environment::parse_etc_environment;
pub use shell::parse_shell;

use seen::{seen_by, shell_family};

/// A kind of process that may or may not see a startup file's variables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Seer {
    /// A login shell: a console or SSH login, `su -`, `bash -l`.
    LoginShell,
    /// An interactive non-login shell, such as a terminal tab in the desktop session.
    InteractiveShell,
    /// Programs started from the desktop (an IDE launched from the dock or menu).
    GuiSession,
    /// Services of the systemd user manager (`systemctl --user`), such as a CI runner.
    SystemdUser,
}

/// One assignment found in a file (pure parse result).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assignment {
    /// The variable name.
    pub name: String,
    /// The value text as written, quotes included.
    pub raw: String,
    /// The literal value after quote removal and `$VAR`/`${VAR}` expansion; `None` when it
    /// needs command substitution or an expansion godiag does not evaluate.
    pub value: Option<String>,
    /// 1-based line of the name.
    pub line: u32,
    /// 1-based column (in characters) of the name.
    pub column: u32,
    /// True when child processes of the reading program get the variable.
    pub exported: bool,
}

/// An assignment to a wanted variable in a startup file, and who sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Export {
    /// The variable name.
    pub name: String,
    /// The value, when it is known without running anything (see [`Assignment::value`]).
    pub value: Option<String>,
    /// The startup file, as a host path.
    pub path: PathBuf,
    /// 1-based line of the name.
    pub line: u32,
    /// 1-based column of the name.
    pub column: u32,
    /// True when the variable is exported to child processes.
    pub exported: bool,
    /// The kinds of process that see this assignment, sorted; empty for a dead file or an
    /// unexported variable.
    pub seen_by: Vec<Seer>,
}

/// A startup file that exists but could not be read or is not UTF-8 text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unreadable {
    /// The file, as a host path.
    pub path: PathBuf,
    /// Why it could not be read, for the report.
    pub reason: String,
}

/// What [`scan`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Scan {
    /// Assignments to wanted names, sorted by name, file order (see the module docs), line and
    /// column.
    pub exports: Vec<Export>,
    /// Files that exist but were skipped; missing files are not listed.
    pub unreadable: Vec<Unreadable>,
}

/// Scans every startup file for assignments to names accepted by `wanted`.
///
/// Missing files are skipped silently; files that exist but cannot be read or are not UTF-8
/// are listed in [`Scan::unreadable`].
#[must_use]
pub fn scan(host: &dyn Host, wanted: &dyn Fn(&str) -> bool) -> Scan {
    let shell = shell_family(host.env_var("SHELL").as_deref());
    let mut scan = Scan::default();
    let mut files = Vec::new();
    // Files bash would open: read, or readable but not UTF-8 (bash does not care).
    let mut present = Vec::new();
    for (path, role) in candidates(host, &mut scan.unreadable) {
        match load(host, path, role, &files) {
            Ok(file) => {
                present.push(role);
                files.push(file);
            }
            Err(Skipped::Missing) => {}
            Err(Skipped::Unreadable(unreadable, bytes_readable)) => {
                if bytes_readable {
                    present.push(role);
                }
                scan.unreadable.push(unreadable);
            }
        }
    }
    let seers = seen_by(&files, shell, &present);
    for (file, seers) in files.into_iter().zip(seers) {
        for assignment in file
            .assignments
            .into_iter()
            .filter(|assignment| wanted(&assignment.name))
        {
            scan.exports.push(Export {
                seen_by: if assignment.exported {
                    seers.clone()
                } else {
                    Vec::new()
                },
                name: assignment.name,
                value: assignment.value,
                path: file.path.clone(),
                line: assignment.line,
                column: assignment.column,
                exported: assignment.exported,
            });
        }
    }
    // Files were read in the documented order and assignments come in line order, so a
    // stable sort by name gives (name, file order, line).
    scan.exports.sort_by(|a, b| a.name.cmp(&b.name));
    scan
}

/// The role a file plays in session startup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Profile,
    BashProfile,
    BashLogin,
    Bashrc,
    Zshenv,
    Zprofile,
    Zshrc,
    EtcEnvironment,
    EtcProfile,
    EtcProfileD,
    EnvironmentD,
}

/// A startup file that was read.
struct Loaded {
    path: PathBuf,
    role: Role,
    assignments: Vec<Assignment>,
    /// Files it sources (shell files only), as absolute paths.
    sources: Vec<PathBuf>,
}

/// Returns `$HOME` when it is an absolute path.
fn home(host: &dyn Host) -> Option<PathBuf> {
    host.env_var("HOME")
        .map(PathBuf::from)
        .filter(|home| home.is_absolute())
}

/// Lists the files to read, in result order.
fn candidates(host: &dyn Host, unreadable: &mut Vec<Unreadable>) -> Vec<(PathBuf, Role)> {
    let mut files = Vec::new();
    let home = home(host);
    if let Some(home) = &home {
        for (name, role) in [
            (".profile", Role::Profile),
            (".bash_profile", Role::BashProfile),
            (".bash_login", Role::BashLogin),
            (".bashrc", Role::Bashrc),
            (".zshenv", Role::Zshenv),
            (".zprofile", Role::Zprofile),
            (".zshrc", Role::Zshrc),
        ] {
            files.push((home.join(name), role));
        }
    }
    files.push((PathBuf::from("/etc/environment"), Role::EtcEnvironment));
    files.push((PathBuf::from("/etc/profile"), Role::EtcProfile));
    // /etc/profile's loop is `for i in /etc/profile.d/*.sh`: hidden files do not match.
    for path in list_dir(host, Path::new("/etc/profile.d"), ".sh", unreadable) {
        files.push((path, Role::EtcProfileD));
    }
    // environment.d(5): `$XDG_CONFIG_HOME/environment.d`, falling back to `~/.config`; a
    // relative XDG_CONFIG_HOME is invalid (XDG Base Directory Specification) and ignored.
    let config = host
        .env_var("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|dir| dir.is_absolute())
        .or_else(|| home.map(|home| home.join(".config")));
    if let Some(config) = config {
        for path in list_dir(host, &config.join("environment.d"), ".conf", unreadable) {
            files.push((path, Role::EnvironmentD));
        }
    }
    files
}

/// Returns the regular files in `dir` whose names end in `suffix`, sorted, skipping hidden
/// ones.
fn list_dir(
    host: &dyn Host,
    dir: &Path,
    suffix: &str,
    unreadable: &mut Vec<Unreadable>,
) -> Vec<PathBuf> {
    let entries = match host.read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Vec::new(),
        Err(error) => {
            unreadable.push(Unreadable {
                path: dir.to_path_buf(),
                reason: error.to_string(),
            });
            return Vec::new();
        }
    };
    entries
        .into_iter()
        .filter(|path| {
            path.file_name()
                .and_then(|name| name.to_str())
                .is_some_and(|name| {
                    !name.starts_with('.') && name.len() > suffix.len() && name.ends_with(suffix)
                })
        })
        // Skips directories and environment.d's masking symlinks to /dev/null.
        .filter(|path| host.metadata(path).is_ok_and(|meta| meta.is_file))
        .collect()
}

/// Why a candidate file contributes nothing.
enum Skipped {
    Missing,
    /// The file exists but was not parsed; the flag says whether its bytes were readable
    /// (a non-UTF-8 file still counts for bash's choice of login file).
    Unreadable(Unreadable, bool),
}

/// Reads and parses one file.
fn load(host: &dyn Host, path: PathBuf, role: Role, earlier: &[Loaded]) -> Result<Loaded, Skipped> {
    let text = match host.read_to_string(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Err(Skipped::Missing),
        Err(error) => {
            let bytes_readable = error.kind() == io::ErrorKind::InvalidData;
            return Err(Skipped::Unreadable(
                Unreadable {
                    path,
                    reason: error.to_string(),
                },
                bytes_readable,
            ));
        }
    };
    let env = |name: &str| host.env_var(name);
    let (assignments, sources) = match role {
        Role::EtcEnvironment => (parse_etc_environment(&text), Vec::new()),
        Role::EnvironmentD => {
            // The generator reads every file into one environment, in file-name order, so a
            // later file sees what earlier ones set.
            let env = |name: &str| {
                earlier
                    .iter()
                    .rev()
                    .filter(|file| file.role == Role::EnvironmentD)
                    .find_map(|file| file.assignments.iter().rev().find(|a| a.name == name))
                    .and_then(|assignment| assignment.value.clone())
                    .or_else(|| host.env_var(name))
            };
            (parse_environment_d(&text, &env), Vec::new())
        }
        _ => {
            let parsed = shell::parse_shell_file(&text, &env);
            let home = home(host);
            // `. .bashrc` is looked up relative to the login shell's directory, which is HOME.
            let sources = parsed
                .sources
                .iter()
                .map(PathBuf::from)
                .filter_map(|source| {
                    if source.is_absolute() {
                        Some(source)
                    } else {
                        home.as_ref().map(|home| home.join(source))
                    }
                })
                .collect();
            (parsed.assignments, sources)
        }
    };
    Ok(Loaded {
        path,
        role,
        assignments,
        sources,
    })
}

#[cfg(test)]
mod tests;

//! The "who sees what" rules of the module documentation, applied to the files [`super::scan`]
//! loaded. Nothing here reads the machine.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use super::{Loaded, Role, Seer};

/// Which rules apply: the user's login shell family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ShellFamily {
    Bash,
    Zsh,
}

/// Picks the rules from `$SHELL`: zsh's for zsh, bash's for anything else or nothing.
pub(super) fn shell_family(shell: Option<&str>) -> ShellFamily {
    let name = shell
        .and_then(|shell| Path::new(shell).file_name())
        .and_then(|name| name.to_str());
    if name == Some("zsh") {
        ShellFamily::Zsh
    } else {
        ShellFamily::Bash
    }
}

/// Returns who sees each loaded file's exported variables, in the same order.
pub(super) fn seen_by(files: &[Loaded], shell: ShellFamily, present: &[Role]) -> Vec<Vec<Seer>> {
    // bash(1) INVOCATION: a login shell reads "the first one that exists and is readable".
    let chosen = [Role::BashProfile, Role::BashLogin, Role::Profile]
        .into_iter()
        .find(|role| present.contains(role));
    let (login, interactive): (Vec<Role>, Vec<Role>) = match shell {
        ShellFamily::Bash => {
            let mut login = vec![Role::EtcProfile, Role::EtcProfileD];
            login.extend(chosen);
            (login, vec![Role::Bashrc])
        }
        ShellFamily::Zsh => (
            vec![Role::Zshenv, Role::Zprofile, Role::Zshrc],
            vec![Role::Zshenv, Role::Zshrc],
        ),
    };
    let login = reached(files, &login);
    let interactive = reached(files, &interactive);
    files
        .iter()
        .enumerate()
        .map(|(index, file)| {
            let mut seers = inherited(file.role);
            if login.contains(&index) {
                seers.push(Seer::LoginShell);
            }
            if interactive.contains(&index) {
                seers.push(Seer::InteractiveShell);
            }
            seers.sort_unstable();
            seers.dedup();
            seers
        })
        .collect()
}

/// Who gets a file's variables from the session rather than from a shell reading it.
fn inherited(role: Role) -> Vec<Seer> {
    use Seer::{GuiSession, InteractiveShell, LoginShell, SystemdUser};
    match role {
        // pam_env runs for every PAM session, and systemd's environment.d reads the file too.
        Role::EtcEnvironment => vec![LoginShell, InteractiveShell, GuiSession, SystemdUser],
        // Display managers source these for the session, whatever the user's shell.
        Role::EtcProfile | Role::EtcProfileD | Role::Profile => vec![GuiSession, InteractiveShell],
        Role::EnvironmentD => vec![InteractiveShell, GuiSession, SystemdUser],
        _ => Vec::new(),
    }
}

/// Returns the indices of files with one of `roles` and of every file they source,
/// transitively.
fn reached(files: &[Loaded], roles: &[Role]) -> HashSet<usize> {
    let by_path: HashMap<&Path, usize> = files
        .iter()
        .enumerate()
        .map(|(index, file)| (file.path.as_path(), index))
        .collect();
    let mut seen: HashSet<usize> = HashSet::new();
    let mut queue: Vec<usize> = files
        .iter()
        .enumerate()
        .filter(|(_, file)| roles.contains(&file.role))
        .map(|(index, _)| index)
        .collect();
    while let Some(index) = queue.pop() {
        if !seen.insert(index) {
            continue;
        }
        queue.extend(
            files[index]
                .sources
                .iter()
                .filter_map(|source| by_path.get(source.as_path()).copied()),
        );
    }
    seen
}

//! The binary's own failures, typed so that the printer can add the hint that fits one.

/// A command that could not do what it was asked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum CommandError {
    /// `godiag explain` got a code or slug no check has.
    #[error("unknown check code `{0}`")]
    UnknownCode(String),
    /// `--fix` without `--yes`, and no terminal to ask on.
    #[error("--fix needs confirmation, and standard input is not a terminal")]
    NeedsConfirmation,
    /// The file to edit is a mount point, which rename(2) cannot replace (`EBUSY`).
    #[error(
        "`{0}` is a mount point (a bind mount), so no program can replace it; it belongs to \
         whoever mounted it, usually the container runtime"
    )]
    MountPoint(String),
}

impl CommandError {
    /// Returns what to do next.
    pub(crate) fn hint(&self) -> &'static str {
        match self {
            Self::MountPoint(path) if path == "/etc/resolv.conf" => {
                "the container runtime writes this file: give the servers when the container \
                 starts (`docker run --dns IP`, `podman run --dns IP`, `dns:` in Compose) or \
                 for every container (`\"dns\": [\"IP\"]` in /etc/docker/daemon.json), then \
                 recreate the container"
            }
            Self::MountPoint(_) => "edit the file it is mounted from, on the host",
            Self::UnknownCode(_) => "`godiag explain --list` lists every code",
            Self::NeedsConfirmation => {
                "pass `--yes` to apply edits without a terminal to confirm on"
            }
        }
    }
}

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
}

impl CommandError {
    /// Returns what to do next.
    pub(crate) fn hint(&self) -> &'static str {
        match self {
            Self::UnknownCode(_) => "`godiag explain --list` lists every code",
            Self::NeedsConfirmation => {
                "pass `--yes` to apply edits without a terminal to confirm on"
            }
        }
    }
}

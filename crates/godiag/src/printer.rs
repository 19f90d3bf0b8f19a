//! The one place that writes to the terminal, as uv's `Printer` is.
//!
//! Everything godiag writes goes through a [`Printer`]: what was asked for (the report, a
//! page, completions, the man page) to standard output, what godiag did about it (diffs,
//! edited files, fixes held back) to standard error, where `-q` silences it. Errors are
//! written whatever `-q` says ([`print_error`]). This module does not format reports; the
//! renderers of `godiag_core::render` do, into the writer it hands out.
#![allow(clippy::print_stderr)] // this module is where godiag's own errors are written

use std::io::{self, BufWriter, IsTerminal, Write};

use crate::cli::GlobalArgs;
use crate::error::CommandError;

/// How much godiag says besides what was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Printer {
    /// Messages about what godiag did appear on standard error.
    Default,
    /// `-q`: only what was asked for, and errors.
    Quiet,
}

impl Printer {
    /// The printer the options ask for.
    pub(crate) fn new(global: &GlobalArgs) -> Self {
        if global.quiet {
            Self::Quiet
        } else {
            Self::Default
        }
    }

    /// Standard output, for what the command was asked to produce; buffered, so flush it.
    #[allow(clippy::unused_self)] // -q shortens the report itself; the writer comes from here
    pub(crate) fn stdout(self) -> BufWriter<io::StdoutLock<'static>> {
        BufWriter::new(io::stdout().lock())
    }

    /// Standard error, for what godiag did (diffs, edits); discards everything under `-q`.
    pub(crate) fn stderr(self) -> Sink {
        match self {
            Self::Default => Sink(Some(io::stderr().lock())),
            Self::Quiet => Sink(None),
        }
    }

    /// Says how many unsafe fixes `--fix` left alone, and how to apply them.
    pub(crate) fn held_back(self, count: usize) -> io::Result<()> {
        let fixes = if count == 1 { "fix" } else { "fixes" };
        writeln!(
            self.stderr(),
            "{count} unsafe {fixes} not applied: they change how the whole machine behaves; \
             re-run with `--fix --unsafe-fixes` to apply them too"
        )
    }

    /// Asks a yes/no question on the terminal, whatever `-q` says: it is asked only when
    /// someone is there to answer.
    #[allow(clippy::unused_self)]
    pub(crate) fn confirm(self, question: &str) -> io::Result<bool> {
        let mut stderr = io::stderr().lock();
        write!(stderr, "{question} [y/N] ")?;
        stderr.flush()?;
        let mut answer = String::new();
        io::stdin().read_line(&mut answer)?;
        Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
    }
}

/// Standard error, or nowhere.
pub(crate) struct Sink(Option<io::StderrLock<'static>>);

impl Write for Sink {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        match &mut self.0 {
            Some(stderr) => stderr.write(bytes),
            None => Ok(bytes.len()),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.as_mut().map_or(Ok(()), Write::flush)
    }
}

/// Writes `error: …`, one `Caused by:` line per cause, and a hint when the error has one.
pub(crate) fn print_error(error: &anyhow::Error) {
    let mut stderr = io::stderr().lock();
    let _ = writeln!(stderr, "error: {error}");
    for cause in error.chain().skip(1) {
        let _ = writeln!(stderr, "  Caused by: {cause}");
    }
    let hint = error
        .chain()
        .find_map(|cause| cause.downcast_ref::<CommandError>())
        .map(CommandError::hint);
    if let Some(hint) = hint {
        let _ = writeln!(stderr, "\nhint: {hint}");
    }
}

/// Whether colour should be used on stdout: a terminal, no `NO_COLOR`, no `--no-color`.
pub(crate) fn use_color(no_color_flag: bool, no_color_env: bool) -> bool {
    !no_color_flag && !no_color_env && io::stdout().is_terminal()
}

/// The width of the terminal stdout writes to, or `None` for a pipe or a file.
pub(crate) fn stdout_width() -> Option<usize> {
    let stdout = io::stdout();
    if !stdout.is_terminal() {
        return None;
    }
    terminal_size::terminal_size_of(&stdout).map(|(width, _)| usize::from(width.0))
}

/// Whether stdin is a terminal (for confirming edits).
pub(crate) fn stdin_is_terminal() -> bool {
    io::stdin().is_terminal()
}

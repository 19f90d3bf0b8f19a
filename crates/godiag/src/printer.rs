//! The one place that writes to the terminal.
#![allow(clippy::print_stderr)] // this module is where godiag's own errors are written

use std::io::{self, IsTerminal, Write};

/// Writes `error: …`, one `Caused by:` line per cause, and a hint when one fits.
pub(crate) fn print_error(error: &anyhow::Error) {
    let mut stderr = io::stderr().lock();
    let _ = writeln!(stderr, "error: {error}");
    for cause in error.chain().skip(1) {
        let _ = writeln!(stderr, "  Caused by: {cause}");
    }
    if let Some(hint) = hint(error) {
        let _ = writeln!(stderr, "\nhint: {hint}");
    }
}

fn hint(error: &anyhow::Error) -> Option<&'static str> {
    let text = error.to_string();
    if text.contains("unknown check code") {
        Some("`godiag explain --list` lists every code")
    } else if text.contains("--fix") {
        Some("pass `--yes` to apply edits without a terminal to confirm on")
    } else {
        None
    }
}

/// Says how many unsafe fixes `--fix` left alone, and how to apply them.
pub(crate) fn held_back(count: usize) {
    let fixes = if count == 1 { "fix" } else { "fixes" };
    let _ = writeln!(
        io::stderr().lock(),
        "{count} unsafe {fixes} not applied: they change how the whole machine behaves; \
         re-run with `--fix --unsafe-fixes` to apply them too"
    );
}

/// Whether colour should be used on stdout: a terminal, no `NO_COLOR`, no `--no-color`.
pub(crate) fn use_color(no_color_flag: bool, no_color_env: bool) -> bool {
    !no_color_flag && !no_color_env && io::stdout().is_terminal()
}

/// Whether stdin is a terminal (for confirming edits).
pub(crate) fn stdin_is_terminal() -> bool {
    io::stdin().is_terminal()
}

/// Asks a yes/no question on the terminal.
pub(crate) fn confirm(question: &str) -> io::Result<bool> {
    let mut stderr = io::stderr().lock();
    write!(stderr, "{question} [y/N] ")?;
    stderr.flush()?;
    let mut answer = String::new();
    io::stdin().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}

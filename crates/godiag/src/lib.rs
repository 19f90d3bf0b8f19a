//! Wiring for the godiag binary: build a `Host`, call a domain, render the report.
//!
//! Kept as a library so the integration tests can call [`run`] in process where that is
//! simpler than spawning the binary.

pub mod cli;
mod commands;
mod error;
mod printer;
mod spinner;

use std::io;

use cli::Args;
pub use commands::run_command;

/// How godiag exits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum ExitStatus {
    /// No error-level finding (and no warning under `--strict`).
    Clean = 0,
    /// At least one error finding, or a warning under `--strict`.
    Findings = 1,
    /// Bad usage, or godiag itself failed.
    Failed = 2,
}

/// Whether `cause` is a write to a closed pipe: an `io::Error`, or one that `serde_json`
/// wrapped while writing a JSON document.
fn is_broken_pipe(cause: &(dyn std::error::Error + 'static)) -> bool {
    cause
        .downcast_ref::<io::Error>()
        .map(io::Error::kind)
        .or_else(|| {
            cause
                .downcast_ref::<serde_json::Error>()
                .and_then(serde_json::Error::io_error_kind)
        })
        == Some(io::ErrorKind::BrokenPipe)
}

/// Runs godiag and returns its exit status, printing errors the way uv does.
#[must_use]
pub fn run(args: &Args) -> ExitStatus {
    let term = godiag_core::host::Host::env_var(&godiag_core::RealHost, "TERM");
    spinner::install(args.output.quiet, term.as_deref());
    let outcome = run_command(args);
    godiag_core::progress::finished();
    match outcome {
        Ok(status) => status,
        Err(error) => {
            // A closed pipe (`godiag ... | head`) is not a failure, whichever writer met it.
            if error.chain().any(is_broken_pipe) {
                return ExitStatus::Clean;
            }
            printer::print_error(&error);
            ExitStatus::Failed
        }
    }
}

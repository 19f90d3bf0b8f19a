//! The godiag command line: parse arguments, run, exit 0/1/2.

use std::process::ExitCode;

use clap::Parser;

use godiag::cli::Args;

fn main() -> ExitCode {
    let args = Args::parse();
    let status = godiag::run(&args);
    ExitCode::from(status as u8)
}

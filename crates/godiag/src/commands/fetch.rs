//! `godiag go fetch MODULE[@VERSION]`.

use anyhow::anyhow;
use godiag_core::report::Report;
use godiag_goenv::fetch::{self, Target};
use serde_json::json;

use super::{build_host, build_network, emit};
use crate::ExitStatus;
use crate::cli::GlobalArgs;

/// Traces the download of `module` and renders the report.
pub(crate) fn run(module: &str, global: &GlobalArgs) -> anyhow::Result<ExitStatus> {
    // The argument parser has already refused a malformed path; `{error}` is the go command's
    // whole message, whose source would only repeat it.
    let target = Target::parse(module).map_err(|error| anyhow!("`{module}`: {error}"))?;
    let host = build_host(global)?;
    let network = build_network(global, &host);
    let outcome = fetch::run(host, network, &target, global.deadline);
    let report = Report::new("go", outcome.findings, json!({"fetch": outcome.result}));
    emit(&report, global)
}

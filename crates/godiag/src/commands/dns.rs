//! `godiag dns HOST`.

use godiag_core::report::Report;
use godiag_dns::domain::{self, Options};
use godiag_dns::model::program::ProgramChoice;
use serde_json::json;

use super::{apply_fixes, build_host, emit};
use crate::ExitStatus;
use crate::cli::{DnsArgs, ForArg, GlobalArgs, NetTag, OnOff};

/// Runs the name-resolution domain for one host and renders the report.
pub(crate) fn run(args: &DnsArgs, global: &GlobalArgs) -> anyhow::Result<ExitStatus> {
    let host = build_host(global)?;
    let options = Options {
        name: args.host.clone(),
        program: ProgramChoice {
            cgo: args.cgo.map(|cgo| cgo == OnOff::On),
            tags: args
                .tags
                .iter()
                .map(|tag| match tag {
                    NetTag::Netgo => "netgo".to_owned(),
                    NetTag::Netcgo => "netcgo".to_owned(),
                })
                .collect(),
            go_command: args.for_ == ForArg::GoCommand,
        },
        servers: args.servers.iter().map(ToString::to_string).collect(),
    };
    let outcome = domain::run(std::sync::Arc::clone(&host), &options, global.deadline);
    let mut report = Report::new("dns", outcome.findings, json!(outcome.result));
    // After edits, the report shows the machine as it now is.
    if args.fix && apply_fixes(host.as_ref(), &report, args.yes)? {
        let outcome = domain::run(host, &options, global.deadline);
        report = Report::new("dns", outcome.findings, json!(outcome.result));
    }
    emit(&report, global)
}

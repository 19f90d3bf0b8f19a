//! `godiag dns HOST`.

use std::sync::Arc;

use godiag_core::host::Host;
use godiag_core::net::Network;
use godiag_core::report::Report;
use godiag_dns::domain::{self, Options};
use godiag_dns::model::program::ProgramChoice;
use godiag_dns::probe::recorded::RecordedDns;
use godiag_go::gocmd;
use godiag_goenv::model::GoEnv;
use serde_json::json;

use super::{apply_fixes, build_host, build_network, emit};
use crate::ExitStatus;
use crate::cli::{DnsArgs, ForArg, GlobalArgs, NetTag, OnOff};
use crate::printer::Printer;

/// The network for the DNS probes: this machine's, or a recorded one's when it recorded DNS
/// answers (without them the probes are reported as not run rather than as timeouts).
pub(super) fn probe_network(
    global: &GlobalArgs,
    host: &dyn Host,
    network: &Arc<dyn Network>,
) -> Option<Arc<dyn Network>> {
    (global.root.is_none() || RecordedDns::recorded(host)).then(|| Arc::clone(network))
}

/// The Go environment as the go command computes it here (godiag-goenv owns that rule).
pub(crate) fn go_env(host: &dyn Host) -> GoEnv {
    godiag_goenv::resolve::resolve(host, gocmd::find(host), None)
}

/// Runs the name-resolution domain for one host and renders the report.
pub(crate) fn run(args: &DnsArgs, global: &GlobalArgs) -> anyhow::Result<ExitStatus> {
    let host = build_host(global)?;
    let go_command = args.for_ == ForArg::GoCommand;
    // Only a program built here without `--cgo` gets the go command's CGO_ENABLED.
    let cgo_enabled = (args.cgo.is_none() && !go_command)
        .then(|| go_env(host.as_ref()).var("CGO_ENABLED")?.value.clone())
        .flatten();
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
            go_command,
        },
        servers: args.servers.clone(),
        network: probe_network(global, host.as_ref(), &build_network(global, &host)),
        known_program: None,
        cgo_enabled,
    };
    let outcome = domain::run(Arc::clone(&host), &options, global.deadline);
    let mut report = Report::new("dns", outcome.findings, json!(outcome.result));
    // After edits, the report shows the machine as it now is.
    if apply_fixes(host.as_ref(), &report, args.fix, Printer::new(global))? {
        let outcome = domain::run(host, &options, global.deadline);
        report = Report::new("dns", outcome.findings, json!(outcome.result));
    }
    emit(&report, global)
}

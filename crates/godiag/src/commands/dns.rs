//! `godiag dns HOST`.

use std::path::Path;
use std::sync::Arc;

use godiag_core::host::Host;
use godiag_core::report::Report;
use godiag_dns::domain::{self, Options};
use godiag_dns::model::program::ProgramChoice;
use godiag_dns::probe;
use godiag_dns::probe::transport::{RealTransport, Transport};
use serde_json::json;

use super::{apply_fixes, build_host, emit};
use crate::ExitStatus;
use crate::cli::{DnsArgs, ForArg, GlobalArgs, NetTag, OnOff};
use crate::printer::Printer;

/// Real sockets on this machine; on a recorded one, its recorded answers if it has any.
fn transport(global: &GlobalArgs, host: &dyn Host) -> Option<Arc<dyn Transport>> {
    if global.root.is_none() {
        return Some(Arc::new(RealTransport));
    }
    host.metadata(Path::new("/.godiag/dns"))
        .is_ok()
        .then(|| Arc::new(probe::fixture_transport(host)) as Arc<dyn Transport>)
}

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
        servers: args.servers.clone(),
        transport: transport(global, host.as_ref()),
        known_program: None,
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

/// The name-resolution checks of `godiag doctor`, started on a thread: every module host of
/// the Go environment and of git's URL rewrites, as the go command resolves it.
pub(crate) fn doctor_in_background(
    host: &Arc<dyn Host>,
    global: &GlobalArgs,
) -> std::thread::JoinHandle<godiag_dns::domain::Outcome> {
    let host = Arc::clone(host);
    let transport = transport(global, host.as_ref());
    let deadline = global.deadline;
    std::thread::spawn(move || {
        let env = godiag_goenv::resolve::resolve(
            host.as_ref(),
            godiag_goenv::gocmd::find(host.as_ref()),
            None,
        );
        let hosts = godiag_dns::doctor::module_hosts(host.as_ref(), &env);
        godiag_dns::doctor::run(&host, &hosts, transport.as_ref(), deadline)
    })
}

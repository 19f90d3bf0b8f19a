//! `godiag port PORT`, and the port checks `godiag doctor` runs.

use std::sync::Arc;
use std::thread::{self, JoinHandle};

use godiag_core::finding::Finding;
use godiag_core::host::Host;
use godiag_core::report::Report;
use godiag_net::network::{LiveNetwork, Network, RecordedNetwork};
use serde_json::Value;

use super::{build_host, emit};
use crate::ExitStatus;
use crate::cli::GlobalArgs;

/// Runs `godiag port PORT`.
pub(crate) fn port(global: &GlobalArgs, port: u16) -> anyhow::Result<ExitStatus> {
    let host = build_host(global)?;
    let network = network(global, &host);
    let outcome = godiag_net::domain::run(host, &network, port, global.deadline);
    let report = Report::new("port", outcome.findings, outcome.result);
    emit(&report, global)
}

/// Starts the doctor's port checks on their own thread, beside the other domains.
pub(crate) fn spawn_doctor(
    global: &GlobalArgs,
    host: &Arc<dyn Host>,
    ports: &[u16],
) -> JoinHandle<godiag_net::domain::Outcome> {
    let network = network(global, host);
    let (host, ports, deadline) = (Arc::clone(host), ports.to_vec(), global.deadline);
    thread::spawn(move || godiag_net::doctor::run(&host, &network, &ports, deadline))
}

/// Waits for the doctor's port checks; returns their result and adds their findings.
pub(crate) fn join_doctor(
    handle: JoinHandle<godiag_net::domain::Outcome>,
    findings: &mut Vec<Finding>,
) -> Value {
    match handle.join() {
        Ok(outcome) => {
            findings.extend(outcome.findings);
            outcome.result
        }
        Err(_) => Value::Null,
    }
}

/// The live network, or a recorded one for `--root`.
fn network(global: &GlobalArgs, host: &Arc<dyn Host>) -> Arc<dyn Network> {
    if global.root.is_some() {
        Arc::new(RecordedNetwork::new(Arc::clone(host)))
    } else {
        Arc::new(LiveNetwork)
    }
}

//! `godiag port PORT`.

use std::sync::Arc;

use godiag_core::host::Host;
use godiag_core::report::Report;
use godiag_net::network::{LiveNetwork, Network, RecordedNetwork};

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

/// The live network, or a recorded one for `--root`.
pub(super) fn network(global: &GlobalArgs, host: &Arc<dyn Host>) -> Arc<dyn Network> {
    if global.root.is_some() {
        Arc::new(RecordedNetwork::new(Arc::clone(host)))
    } else {
        Arc::new(LiveNetwork)
    }
}

//! `godiag port PORT`.

use std::sync::Arc;

use godiag_core::host::Host;
use godiag_core::report::Report;
use godiag_net::kernel::{Kernel, LiveKernel, RecordedKernel};

use super::{build_host, build_network, emit};
use crate::ExitStatus;
use crate::cli::GlobalArgs;

/// Runs `godiag port PORT`.
pub(crate) fn port(global: &GlobalArgs, port: u16) -> anyhow::Result<ExitStatus> {
    let host = build_host(global)?;
    let (kernel, network) = (kernel(global, &host), build_network(global, &host));
    let outcome = godiag_net::domain::run(host, &kernel, &network, port, global.deadline);
    let report = Report::new("port", outcome.findings, outcome.result);
    emit(&report, global)
}

/// This machine's kernel, or a recorded one for `--root`.
pub(super) fn kernel(global: &GlobalArgs, host: &Arc<dyn Host>) -> Arc<dyn Kernel> {
    if global.root.is_some() {
        Arc::new(RecordedKernel::new(Arc::clone(host)))
    } else {
        Arc::new(LiveKernel)
    }
}

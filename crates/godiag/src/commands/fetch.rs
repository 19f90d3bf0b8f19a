//! `godiag go fetch MODULE[@VERSION]`.

use std::collections::BTreeMap;
use std::sync::Arc;

use anyhow::anyhow;
use godiag_core::host::Host;
use godiag_core::report::Report;
use godiag_goenv::fetch::netenv::{self, ProxyEnv};
use godiag_goenv::fetch::transport::{RealTransport, RecordedTransport, Transport};
use godiag_goenv::fetch::{self, Target};
use serde_json::json;

use super::{build_host, emit};
use crate::ExitStatus;
use crate::cli::GlobalArgs;

/// Traces the download of `module` and renders the report.
pub(crate) fn run(module: &str, global: &GlobalArgs) -> anyhow::Result<ExitStatus> {
    // The argument parser has already refused a malformed path; `{error}` is the go command's
    // whole message, whose source would only repeat it.
    let target = Target::parse(module).map_err(|error| anyhow!("`{module}`: {error}"))?;
    let host = build_host(global)?;
    let transport = transport(&host, global.root.is_some());
    let outcome = fetch::run(host, transport, &target, global.deadline);
    let report = Report::new("go", outcome.findings, json!({"fetch": outcome.result}));
    emit(&report, global)
}

/// The network for a live machine; recorded answers for `--root`.
fn transport(host: &Arc<dyn Host>, recorded: bool) -> Arc<dyn Transport> {
    if recorded {
        return Arc::new(RecordedTransport::new(Arc::clone(host)));
    }
    let env: BTreeMap<String, String> = host.env_vars().into_iter().collect();
    let proxies = ProxyEnv::from_env(&env);
    let host = Arc::clone(host);
    Arc::new(RealTransport::with_roots(proxies, move || {
        netenv::load_roots(host.as_ref(), &env)
    }))
}

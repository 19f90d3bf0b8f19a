//! The port checks `godiag doctor` runs: for the ports asked for and for every port a Go
//! program listens on (recognised by the build information in its executable).

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use godiag_core::host::Host;
use godiag_core::net::Network;
use godiag_core::runner::{self, Task, TaskOutput};
use serde_json::{Value, json};

use crate::domain::{self, Outcome};
use crate::kernel::Kernel;
use crate::listeners;

/// At most this many ports are checked by one doctor run.
pub const MAX_PORTS: usize = 16;

/// Time between the end of a port's checks and the end of the runner's wait for them.
const PORT_MARGIN: Duration = Duration::from_millis(10);

/// Checks `ports` and the ports of listening Go programs, concurrently, within `deadline`.
#[must_use]
pub fn run(
    host: &Arc<dyn Host>,
    kernel: &Arc<dyn Kernel>,
    network: &Arc<dyn Network>,
    ports: &[u16],
    deadline: Duration,
) -> Outcome {
    let started = Instant::now();
    let table = listeners::read(host.as_ref(), kernel.as_ref(), None);
    let mut go_listeners = Vec::new();
    let mut seen_pids = BTreeSet::new();
    for listener in &table.listeners {
        for process in &listener.processes {
            if !seen_pids.insert((process.pid, listener.port)) {
                continue;
            }
            if let Some(go) = listeners::go_build(host.as_ref(), process.pid) {
                go_listeners.push(json!({
                    "pid": process.pid, "process": process.name, "port": listener.port,
                    "address": listener.address, "go_version": go.version, "path": go.path,
                }));
            }
        }
    }
    let mut wanted: BTreeSet<u16> = ports.iter().copied().collect();
    wanted.extend(
        go_listeners
            .iter()
            .filter_map(|entry| entry["port"].as_u64())
            .filter_map(|port| u16::try_from(port).ok()),
    );
    let wanted: Vec<u16> = wanted.into_iter().take(MAX_PORTS).collect();
    let left = deadline.saturating_sub(started.elapsed());
    // A little less for each port, so a check that ends on time is collected before the
    // runner stops waiting; a port whose checks panic or overrun becomes CORE002/CORE001
    // about that port, and the others still report.
    let budget = left.saturating_sub(PORT_MARGIN);
    let tasks = wanted
        .iter()
        .map(|&port| {
            let (host, kernel, network) =
                (Arc::clone(host), Arc::clone(kernel), Arc::clone(network));
            Task::new(format!("port-{port}"), move || {
                let outcome = domain::run(host, &kernel, &network, port, budget);
                TaskOutput {
                    findings: outcome.findings,
                    result: Some(outcome.result),
                }
            })
        })
        .collect();
    let output = runner::run(tasks, left);
    let findings = output.findings;
    let results: Vec<Value> = output
        .results
        .into_iter()
        .map(|(_, result)| result)
        .collect();
    Outcome {
        findings,
        result: json!({"ports": results, "go_listeners": Value::from(go_listeners)}),
    }
}

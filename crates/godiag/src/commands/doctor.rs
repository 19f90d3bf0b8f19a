//! `godiag doctor`: every domain at once, each as one task of the runner, so that a domain
//! that panics or overruns becomes `CORE002`/`CORE001` like any check, and the report is
//! written within the deadline whatever the domains do.

use std::sync::Arc;
use std::time::{Duration, Instant};

use godiag_core::host::Host;
use godiag_core::net::Network;
use godiag_core::report::Report;
use godiag_core::runner::{self, Task, TaskOutput};
use godiag_dns::doctor::GoSettings;
use serde_json::{Value, json};

use super::{build_host, build_network, dns, emit, go_env_outcome, port};
use crate::ExitStatus;
use crate::cli::GlobalArgs;

/// The domains, by the key of their result in the report.
const GO: &str = "go";
const DNS: &str = "dns";
const PORT: &str = "port";

/// Time kept back at the end of the deadline: a twentieth, between 10 and 100 ms. Each
/// domain gets the deadline minus twice this, the runner waits the deadline minus this, and
/// the rest is for rendering.
fn margin(deadline: Duration) -> Duration {
    (deadline / 20).clamp(Duration::from_millis(10), Duration::from_millis(100))
}

/// Runs `godiag doctor`.
pub(crate) fn run(global: &GlobalArgs, ports: &[u16]) -> anyhow::Result<ExitStatus> {
    let host = build_host(global)?;
    let network = build_network(global, &host);
    let margin = margin(global.deadline);
    let budget = global.deadline.saturating_sub(2 * margin);
    let tasks = vec![
        go_task(&host, global, budget),
        dns_task(&host, global, &network, budget),
        port_task(&host, global, &network, ports, budget),
    ];
    let output = runner::run(tasks, global.deadline.saturating_sub(margin));
    let result = |key: &str| {
        output
            .results
            .iter()
            .find(|(name, _)| name == key)
            .map_or(Value::Null, |(_, value)| value.clone())
    };
    let structured = json!({"go": result(GO), "dns": result(DNS), "port": result(PORT)});
    let report = Report::new("doctor", output.findings, structured);
    emit(&report, global)
}

/// The Go environment: `{"env": ...}`.
fn go_task(host: &Arc<dyn Host>, global: &GlobalArgs, budget: Duration) -> Task {
    let host = Arc::clone(host);
    let global = global.clone();
    Task::new(GO, move || {
        runner::crash_if_asked(GO);
        let outcome = go_env_outcome(host, &global, budget);
        TaskOutput {
            findings: outcome.findings,
            result: Some(json!({"env": outcome.result})),
        }
    })
}

/// Name resolution of every module host of the Go environment and of git's URL rewrites,
/// as the go command resolves it.
fn dns_task(
    host: &Arc<dyn Host>,
    global: &GlobalArgs,
    network: &Arc<dyn Network>,
    budget: Duration,
) -> Task {
    let host = Arc::clone(host);
    let network = dns::probe_network(global, host.as_ref(), network);
    Task::new(DNS, move || {
        runner::crash_if_asked(DNS);
        let started = Instant::now();
        let env = dns::go_env(host.as_ref());
        let settings = GoSettings {
            goprivate: env.value("GOPRIVATE").to_owned(),
            gonoproxy: env.value("GONOPROXY").to_owned(),
            goproxy: env.value("GOPROXY").to_owned(),
        };
        let hosts = godiag_dns::doctor::module_hosts(host.as_ref(), &settings);
        let left = budget.saturating_sub(started.elapsed());
        let outcome = godiag_dns::doctor::run(&host, &hosts, network.as_ref(), left);
        TaskOutput {
            findings: outcome.findings,
            result: Some(outcome.result),
        }
    })
}

/// The ports asked for and those of listening Go programs.
fn port_task(
    host: &Arc<dyn Host>,
    global: &GlobalArgs,
    network: &Arc<dyn Network>,
    ports: &[u16],
    budget: Duration,
) -> Task {
    let (kernel, network) = (port::kernel(global, host), Arc::clone(network));
    let (host, ports) = (Arc::clone(host), ports.to_vec());
    Task::new(PORT, move || {
        runner::crash_if_asked(PORT);
        let outcome = godiag_net::doctor::run(&host, &kernel, &network, &ports, budget);
        TaskOutput {
            findings: outcome.findings,
            result: Some(outcome.result),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_margin_leaves_the_domains_most_of_the_deadline() {
        assert_eq!(margin(Duration::from_secs(3)), Duration::from_millis(100));
        assert_eq!(margin(Duration::from_secs(1)), Duration::from_millis(50));
        assert_eq!(margin(Duration::ZERO), Duration::from_millis(10));
    }
}

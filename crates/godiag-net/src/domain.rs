//! Runs `godiag port PORT`: read the socket table, probe, read the firewall and the
//! environment concurrently, then run the checks, all under one deadline.

use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use godiag_core::finding::Finding;
use godiag_core::host::Host;
use godiag_core::net::Network;
use godiag_core::runner::{self, Task, TaskOutput};
use serde_json::{Value, json};

use crate::bind;
use crate::checks::{self, Context};
use crate::environment::{self, Environment};
use crate::firewall::{self, FirewallState, Origin, SourceVerdict};
use crate::kernel::Kernel;
use crate::listeners::{self, SocketTable};
use crate::model::{InterfaceAddress, Probe};
use crate::probe;
use crate::sources;

/// What the domain produced.
#[derive(Debug)]
pub struct Outcome {
    /// Every finding, the runner's own included.
    pub findings: Vec<Finding>,
    /// The structured result (the `.port` object).
    pub result: Value,
}

/// A slot a task fills and the domain reads after the deadline.
type Slot<T> = Arc<Mutex<Option<T>>>;

fn slot<T>() -> Slot<T> {
    Arc::new(Mutex::new(None))
}

fn take<T>(slot: &Slot<T>) -> Option<T> {
    slot.lock().unwrap_or_else(PoisonError::into_inner).take()
}

fn put<T>(slot: &Slot<T>, value: T) {
    *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(value);
}

/// What `localhost` resolves to, and the interface addresses.
type Addresses = (Result<Vec<IpAddr>, String>, Vec<InterfaceAddress>);

/// What the probe task found out.
struct Probed {
    localhost: Result<Vec<IpAddr>, String>,
    interfaces: Vec<InterfaceAddress>,
    probes: Vec<Probe>,
}

/// Runs the domain for `port`, finishing within `deadline`.
#[must_use]
pub fn run(
    host: Arc<dyn Host>,
    kernel: &Arc<dyn Kernel>,
    network: &Arc<dyn Network>,
    port: u16,
    deadline: Duration,
) -> Outcome {
    let started = Instant::now();
    let left = || deadline.saturating_sub(started.elapsed());

    // Everything runs at once: the socket table (with the /proc walk and the Go build info),
    // the probes, the firewall commands and the environment.
    let table_slot: Slot<SocketTable> = slot();
    let probed_slot: Slot<Probed> = slot();
    let addresses_slot: Slot<Addresses> = slot();
    let firewall_slot: Slot<FirewallState> = slot();
    let environment_slot: Slot<Environment> = slot();
    let mut tasks = Vec::new();
    {
        let (host, kernel, out) = (
            Arc::clone(&host),
            Arc::clone(kernel),
            Arc::clone(&table_slot),
        );
        tasks.push(Task::new("socket-table", move || {
            let mut table = listeners::read(host.as_ref(), kernel.as_ref(), Some(port));
            let somaxconn = listeners::somaxconn(host.as_ref());
            for listener in table.listeners.iter_mut().filter(|l| l.port == port) {
                listeners::detect_go(host.as_ref(), listener);
                // /proc has no backlog column; Go always listens with net.core.somaxconn
                // (net/sock_linux.go `maxListenerBacklog`).
                if listener.backlog.is_none() && listener.go().is_some() {
                    listener.backlog = somaxconn;
                }
            }
            put(&out, table);
            TaskOutput::default()
        }));
    }
    {
        let (kernel, network, out, addresses) = (
            Arc::clone(kernel),
            Arc::clone(network),
            Arc::clone(&probed_slot),
            Arc::clone(&addresses_slot),
        );
        let budget = left();
        tasks.push(Task::new("probes", move || {
            let probe_started = Instant::now();
            let localhost = network
                .resolve("localhost", probe_started + budget)
                .map_err(|e| e.to_string());
            let interfaces = kernel.interfaces().unwrap_or_default();
            // The firewall sources need the addresses even if probing runs out of time.
            put(&addresses, (localhost.clone(), interfaces.clone()));
            let targets = probe::targets(localhost.as_deref().unwrap_or_default(), &interfaces);
            let probes = probe::run(
                &network,
                &targets,
                port,
                budget.saturating_sub(probe_started.elapsed()),
            );
            put(
                &out,
                Probed {
                    localhost,
                    interfaces,
                    probes,
                },
            );
            TaskOutput::default()
        }));
    }
    {
        let (host, kernel, out) = (
            Arc::clone(&host),
            Arc::clone(kernel),
            Arc::clone(&firewall_slot),
        );
        tasks.push(Task::new("firewall", move || {
            put(&out, firewall::read(host.as_ref(), kernel.as_ref()));
            TaskOutput::default()
        }));
    }
    {
        let (host, kernel, out) = (
            Arc::clone(&host),
            Arc::clone(kernel),
            Arc::clone(&environment_slot),
        );
        tasks.push(Task::new("environment", move || {
            let interfaces = kernel.interfaces().unwrap_or_default();
            let (v4, _) = sources::default_routes(host.as_ref());
            let gateway = v4.and_then(|route| route.gateway);
            put(
                &out,
                environment::detect(host.as_ref(), &interfaces, gateway),
            );
            TaskOutput::default()
        }));
    }
    let mut findings = runner::run(tasks, left()).findings;
    let table = take(&table_slot);
    let on_port: Vec<_> = table
        .as_ref()
        .map(|table| table.on_port(port).into_iter().cloned().collect())
        .unwrap_or_default();
    let bindv6only = table.as_ref().is_some_and(|table| table.bindv6only);
    let firewall = take(&firewall_slot);
    let detected = take(&environment_slot);
    let environment_detected = detected.is_some();
    let environment = detected.unwrap_or_default();
    let wsl_host = environment
        .wsl
        .as_ref()
        .filter(|wsl| wsl.version == 2 && wsl.networking_mode == "nat")
        .and_then(|wsl| wsl.windows_host);
    let (localhost, interfaces, mut probes) = if let Some(done) = take(&probed_slot) {
        (done.localhost, done.interfaces, done.probes)
    } else {
        let (localhost, interfaces) =
            take(&addresses_slot).unwrap_or_else(|| (Err("not finished".to_owned()), Vec::new()));
        (localhost, interfaces, Vec::new())
    };
    for probe in &mut probes {
        probe.expected_listener = bind::accepting(&on_port, probe.address, bindv6only)
            .map(|listener| listener.ss_address.clone());
    }
    let defaults = sources::default_routes(host.as_ref());
    let verdicts: Vec<SourceVerdict> = firewall
        .as_ref()
        .map(|state| {
            sources::build(&interfaces, &defaults, wsl_host, port)
                .iter()
                .map(|source| {
                    let listened =
                        bind::accepting(&on_port, source.packet.daddr, bindv6only).is_some();
                    firewall::judge(state, source, listened)
                })
                .collect()
        })
        .unwrap_or_default();
    let mut result = result_json(port, table.as_ref(), &on_port, &probes, &localhost);
    result["firewall"] = firewall_json(firewall.as_ref(), &verdicts);
    result["environment"] = serde_json::to_value(&environment).unwrap_or(Value::Null);
    let context = Arc::new(Context {
        environment,
        environment_detected,
        firewall,
        verdicts,
        uid: host.user().uid,
        host,
        port,
        table,
        listeners: on_port,
        probes,
        localhost,
        interfaces,
    });
    findings.extend(runner::run_checks(checks::ALL, &context, left()));
    Outcome { findings, result }
}

fn result_json(
    port: u16,
    table: Option<&SocketTable>,
    on_port: &[crate::model::Listener],
    probes: &[Probe],
    localhost: &Result<Vec<IpAddr>, String>,
) -> Value {
    let nearest = table
        .map(|table| checks::nearest(table, port, crate::listeners::NEAREST))
        .unwrap_or_default();
    json!({
        "port": port,
        "listeners": on_port,
        "probes": probes,
        "localhost": match localhost {
            Ok(addresses) => json!(addresses),
            Err(_) => Value::Null,
        },
        "nearest": nearest.iter().map(|l| json!({
            "address": l.address, "port": l.port, "pid": l.pid, "process": l.process,
        })).collect::<Vec<_>>(),
        "socket_table": table.map(|table| json!({
            "source": table.source,
            "listeners": table.listeners.len(),
            "fallback_reason": table.fallback_reason,
            "bindv6only": table.bindv6only,
            "problems": table.problems,
        })),
    })
}

/// `.port.firewall`: the backend, the LAN verdict (`inbound`) and every source's verdict.
fn firewall_json(state: Option<&FirewallState>, verdicts: &[SourceVerdict]) -> Value {
    let Some(state) = state else {
        return json!({"backend": "none", "inbound": "unknown", "rule": null, "sources": [],
                      "readable": false, "problems": ["not finished before the deadline"]});
    };
    let lan = verdicts
        .iter()
        .filter(|v| v.from == Origin::Lan)
        .min_by_key(|v| v.family);
    json!({
        "backend": state.backend,
        "inbound": lan.map_or("unknown", |v| v.verdict.as_str()),
        "rule": lan.and_then(|v| v.rule.clone()),
        "sources": verdicts,
        "readable": state.readable,
        "read_from": state.sources,
        "problems": state.problems,
    })
}

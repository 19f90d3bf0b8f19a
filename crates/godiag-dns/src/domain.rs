//! Runs the name-resolution domain for one host name: read the configuration and find out
//! which program is diagnosed, predict what it will do, probe the resolvers, run the checks —
//! every step under one deadline.
//!
//! The deadline is split, not shared: the probes get all of it but a reserved share
//! ([`reserve`]), and each probe its own timeout inside that budget; the checks then run on
//! whatever results exist. A probe still waiting when the budget ends is a result ("did not
//! answer within …"), never a reason for the checks not to run.

use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use godiag_core::finding::Finding;
use godiag_core::host::{CommandLine, Host};
use godiag_core::net::Network;
use godiag_core::runner::{self, Task, TaskOutput};
use godiag_go::buildinfo::BuildInfo;
use godiag_go::gocmd;
use serde_json::Value;

use crate::checks::{self, Context};
use crate::model::program::{self, Program, ProgramChoice};
use crate::model::{predict, routing};
use crate::probe::{self, PathResult};
use crate::read::{self, System};

/// The share of the deadline kept back from the probes for the checks and the report: a
/// tenth, between 100 and 500 ms, and never more than half.
///
/// The checks take microseconds, but on a loaded machine the threads that run them may wait
/// for a core; 100 ms covers that, and a report a few hundred milliseconds early costs
/// nothing.
#[must_use]
pub fn reserve(deadline: Duration) -> Duration {
    (deadline / 10)
        .clamp(Duration::from_millis(100), Duration::from_millis(500))
        .min(deadline / 2)
}

/// How long past the probe budget the runner waits for a probe before it stands for itself
/// as "did not answer": the probes end on their own by then, so this only covers scheduling.
const PROBE_GRACE: Duration = Duration::from_millis(15);

/// What to diagnose.
#[derive(Clone, Default)]
pub struct Options {
    /// The host name.
    pub name: String,
    /// The program whose lookups are predicted.
    pub program: ProgramChoice,
    /// Extra servers to ask directly (`--server IP`).
    pub servers: Vec<IpAddr>,
    /// How probes reach DNS servers; `None` on a recorded machine without recorded answers.
    pub network: Option<Arc<dyn Network>>,
    /// The program, when the caller already found it (doctor finds the go command once).
    pub known_program: Option<Program>,
    /// `go env CGO_ENABLED` on this machine: how a program built here is built when `--cgo`
    /// is not given. The caller computes it, since the Go environment is another domain's;
    /// `None` when it is unknown.
    pub cgo_enabled: Option<String>,
}

/// What the domain produced.
#[derive(Debug)]
pub struct Outcome {
    /// Every finding, the runner's own included.
    pub findings: Vec<Finding>,
    /// The structured result (the `.dns` object).
    pub result: Value,
}

/// Runs the domain against `host`, finishing within `deadline`.
#[must_use]
pub fn run(host: Arc<dyn Host>, options: &Options, deadline: Duration) -> Outcome {
    let started = Instant::now();
    let left = || deadline.saturating_sub(started.elapsed());
    let slot: Arc<Mutex<Option<(System, Program)>>> = Arc::new(Mutex::new(None));
    let task = {
        let (host, slot, choice, cgo_enabled, known) = (
            Arc::clone(&host),
            Arc::clone(&slot),
            options.program.clone(),
            options.cgo_enabled.clone(),
            options.known_program.clone(),
        );
        let budget = left();
        Task::new("read-resolver-configuration", move || {
            let system = read::read(host.as_ref(), budget / 4);
            // Finding the go command may run it (`go env GOROOT` behind a wrapper): at most
            // half the deadline, so the probes keep the other half.
            let program = known.unwrap_or_else(|| {
                find_program(host.as_ref(), &choice, cgo_enabled.as_deref(), budget / 2)
            });
            *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some((system, program));
            TaskOutput::default()
        })
    };
    let mut findings = runner::run(vec![task], left()).findings;
    let Some((system, program)) = slot.lock().unwrap_or_else(PoisonError::into_inner).take() else {
        return Outcome {
            findings,
            result: serde_json::json!({"host": options.name}),
        };
    };
    let runtime = program::runtime(|name| host.env_var(name));
    let prediction = predict::predict(&system, &program, &runtime, &options.name);
    let scopes = resolved_scopes(&system);
    let route = system
        .resolved
        .present()
        .then(|| routing::route(&scopes, &fallback_servers(&system), &options.name));
    let probe_deadline = started + deadline.saturating_sub(reserve(deadline));
    let resolved_servers: Vec<IpAddr> = scopes
        .iter()
        .flat_map(|scope| &scope.servers)
        .filter_map(|server| routing::server_address(server).parse().ok())
        .collect();
    let (paths, probe_findings) = probes(
        &host,
        &system,
        &prediction,
        options,
        &resolved_servers,
        probe_deadline,
    );
    findings.extend(probe_findings);
    let context = Arc::new(Context {
        host,
        name: options.name.clone(),
        system,
        program,
        runtime,
        prediction,
        paths,
        scopes,
        route,
    });
    findings.extend(runner::run_checks(checks::ALL, &context, left()));
    Outcome {
        findings,
        result: crate::domain::result::json(&context),
    }
}

/// Runs every probe at once; each has its own timeout and stops at `probe_deadline`, and a
/// probe still running then stands for itself as "did not answer within".
fn probes(
    host: &Arc<dyn Host>,
    system: &System,
    prediction: &predict::Prediction,
    options: &Options,
    resolved_servers: &[IpAddr],
    probe_deadline: Instant,
) -> (Vec<PathResult>, Vec<Finding>) {
    let name = options.name.clone();
    let hosts = match &system.hosts {
        crate::model::go_order::FileState::Read(hosts) => Some(hosts.clone()),
        _ => None,
    };
    if prediction.decision.is_none() {
        return (Vec::new(), Vec::new());
    }
    let started = Instant::now();
    let budget = probe_deadline.saturating_duration_since(started);
    let mut tasks = vec![{
        let (hosts, name) = (hosts.clone(), name.clone());
        probe_task("hosts_file", "probe-hosts-file", started, move || {
            probe::hosts_file(hosts.as_ref(), &name)
        })
    }];
    {
        let (host, name) = (Arc::clone(host), name.clone());
        let glibc = &prediction.glibc_dns;
        let glibc_wait =
            probe::glibc_worst_case(glibc.timeout_s, glibc.attempts, glibc.servers.len());
        tasks.push(probe_task(
            "getaddrinfo",
            "probe-getaddrinfo",
            started,
            move || {
                let cap = probe_deadline.saturating_duration_since(Instant::now());
                probe::getaddrinfo(host.as_ref(), &name, cap, glibc_wait)
            },
        ));
    }
    // The module answers only on the hosts line; asked alone it shows what it does with the
    // name, apart from the sources around it.
    let module_listed = crate::context::glibc_hosts(system).is_some_and(|hosts| {
        hosts
            .sources
            .iter()
            .any(|s| s.name == crate::nss_install::SOURCE)
    });
    if module_listed {
        let (host, name) = (Arc::clone(host), name.clone());
        tasks.push(probe_task(
            probe::NSS_GODIAG,
            "probe-nss-godiag",
            started,
            move || {
                let cap = probe_deadline
                    .saturating_duration_since(Instant::now())
                    .min(NSS_GODIAG_CAP);
                probe::nss_godiag(host.as_ref(), &name, cap)
            },
        ));
    }
    let mut servers = direct_servers(prediction, options);
    for server in resolved_servers {
        if !servers.contains(server) {
            servers.push(*server);
        }
    }
    if system.resolved.running {
        let (host, name) = (Arc::clone(host), name.clone());
        tasks.push(probe_task(
            "resolved",
            "probe-resolved",
            started,
            move || {
                let timeout = probe_deadline.saturating_duration_since(Instant::now());
                probe::resolved::resolve_hostname(host.as_ref(), &name, timeout)
            },
        ));
    }
    match &options.network {
        None => {
            tasks.push(probe_task("go_pure", "probe-go-pure", started, || {
                PathResult::skipped("go_pure", "not run: no network on a recorded machine")
            }));
            // Listed, so the report says which servers would have been asked.
            for server in servers {
                let path = format!("server:{server}");
                let skipped =
                    PathResult::skipped(&path, "not run: no network on a recorded machine");
                tasks.push(probe_task(
                    &path,
                    &format!("probe-server-{server}"),
                    started,
                    move || skipped,
                ));
            }
        }
        Some(network) => {
            let (go_network, go_name) = (Arc::clone(network), name.clone());
            let order = prediction
                .pure_order
                .unwrap_or(crate::model::go_order::Order::FilesDns);
            let names = prediction
                .go_names
                .clone()
                .map_err(|why| format!("{why:?}"));
            let dns = prediction.go_dns.clone();
            tasks.push(probe_task("go_pure", "probe-go-pure", started, move || {
                let request = probe::go_pure::GoLookup {
                    name: &go_name,
                    order,
                    names: names.as_deref().map_err(Clone::clone),
                    dns: &dns,
                    trust_ad: false,
                    hosts: hosts.as_ref(),
                };
                probe::go_pure::lookup(go_network.as_ref(), &request, probe_deadline)
            }));
            // One try each, as long as a resolver here waits for one (resolv.conf's
            // `timeout`), but inside the budget.
            let wait = Duration::from_secs(u64::from(prediction.go_dns.timeout_s.max(1)));
            for server in servers {
                let (network, name) = (Arc::clone(network), name.clone());
                tasks.push(probe_task(
                    &format!("server:{server}"),
                    &format!("probe-server-{server}"),
                    started,
                    move || probe::direct(network.as_ref(), server, &name, wait, probe_deadline),
                ));
            }
        }
    }
    let output = runner::run(tasks, budget + PROBE_GRACE);
    let paths = output
        .results
        .into_iter()
        .filter_map(|(_, value)| serde_json::from_value::<ProbeOutcome>(value).ok())
        .map(ProbeOutcome::into_path)
        .collect();
    (paths, output.findings)
}

/// The longest the godiag module alone is waited for: a `dns` rule's servers may be slow,
/// and its answer only explains DNS016, so it need not hold the others' budget.
const NSS_GODIAG_CAP: Duration = Duration::from_secs(3);

/// A probe as a runner task: its result, or, when it is still running at the deadline,
/// "did not answer within" the time it had.
fn probe_task(
    path: &str,
    task: &str,
    started: Instant,
    probe: impl FnOnce() -> PathResult + Send + 'static,
) -> Task {
    let path = path.to_owned();
    Task::new(task, move || result(probe()))
        .at_deadline(move |_| result(PathResult::no_answer_within(path, started.elapsed())))
}

/// resolved's scopes: the global one (D-Bus view when available, else resolved.conf) and
/// the links.
fn resolved_scopes(system: &System) -> Vec<routing::Scope> {
    let resolved = &system.resolved;
    let mut scopes = routing::scopes(&resolved.settings, &resolved.links);
    if let (Some(global), Some(first)) = (&resolved.bus_global, scopes.first_mut()) {
        first.servers.clone_from(&global.servers);
        first.domains.clone_from(&global.domains);
    }
    scopes
}

/// `FallbackDNS=` as configured (the compiled-in list is not known here).
fn fallback_servers(system: &System) -> Vec<String> {
    system
        .resolved
        .settings
        .fallback_dns
        .iter()
        .flatten()
        .map(|s| s.value.clone())
        .collect()
}

/// A probe's result as it crosses the runner (which carries JSON values).
#[derive(serde::Deserialize, serde::Serialize)]
struct ProbeOutcome {
    name: String,
    addresses: Vec<String>,
    rcode: Option<String>,
    error: Option<String>,
    duration_ms: u64,
    detail: Option<String>,
    no_reply: Option<probe::NoReply>,
    unfinished: bool,
    not_run: bool,
}

impl ProbeOutcome {
    fn into_path(self) -> PathResult {
        PathResult {
            name: self.name,
            addresses: self.addresses,
            rcode: self.rcode,
            error: self.error,
            duration_ms: self.duration_ms,
            detail: self.detail,
            no_reply: self.no_reply,
            unfinished: self.unfinished,
            not_run: self.not_run,
        }
    }
}

fn result(path: PathResult) -> TaskOutput {
    let outcome = ProbeOutcome {
        name: path.name,
        addresses: path.addresses,
        rcode: path.rcode,
        error: path.error,
        duration_ms: path.duration_ms,
        detail: path.detail,
        no_reply: path.no_reply,
        unfinished: path.unfinished,
        not_run: path.not_run,
    };
    TaskOutput {
        findings: Vec::new(),
        result: serde_json::to_value(outcome).ok(),
    }
}

/// Every server a resolver here would ask, plus `--server`, each once.
fn direct_servers(prediction: &predict::Prediction, options: &Options) -> Vec<IpAddr> {
    let configured = prediction
        .go_dns
        .servers
        .iter()
        .chain(&prediction.glibc_dns.servers)
        .filter_map(|server| {
            let host = server
                .rsplit_once(':')
                .map_or(server.as_str(), |(host, _)| host);
            host.trim_start_matches('[')
                .trim_end_matches(']')
                .split('%')
                .next()?
                .parse()
                .ok()
        });
    let mut servers: Vec<IpAddr> = Vec::new();
    for server in configured.chain(options.servers.iter().copied()) {
        if !servers.contains(&server) {
            servers.push(server);
        }
    }
    servers
}

/// The program the user asked about: the go command, or a program built here
/// (`cgo_enabled` is `go env CGO_ENABLED`, for when `--cgo` is not given).
#[must_use]
pub fn find_program(
    host: &dyn Host,
    choice: &ProgramChoice,
    cgo_enabled: Option<&str>,
    budget: Duration,
) -> Program {
    if choice.go_command {
        let binary = go_binary(host, budget);
        return program::go_command(
            choice,
            binary.as_ref().map(|(path, info)| (path.as_path(), info)),
        );
    }
    program::user_program(choice, cgo_enabled)
}

/// The real go binary: the one on PATH, or `$GOROOT/bin/go` behind a wrapper script.
fn go_binary(host: &dyn Host, budget: Duration) -> Option<(PathBuf, BuildInfo)> {
    let found = gocmd::find(host)?;
    if let Some(build) = found.build.clone() {
        return Some((found.real_path, build));
    }
    let goroot = host
        .env_var("GOROOT")
        .filter(|g| !g.is_empty())
        .or_else(|| {
            let command = CommandLine::new(found.path.clone(), &["env", "GOROOT"]);
            let output = host.run(&command, budget).ok()?;
            Some(String::from_utf8_lossy(&output.stdout).trim().to_owned())
                .filter(|g| !g.is_empty())
        })?;
    program::read_build(host, &PathBuf::from(goroot).join("bin/go"))
}

pub mod result;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checks_keep_a_tenth_of_the_deadline_within_bounds() {
        for (deadline_ms, reserved_ms) in [
            (3000, 300),
            (2000, 200),
            (20_000, 500),
            (500, 100),
            (100, 50),
            (0, 0),
        ] {
            assert_eq!(
                reserve(Duration::from_millis(deadline_ms)),
                Duration::from_millis(reserved_ms),
                "--deadline {deadline_ms}ms"
            );
        }
    }
}

//! The reachability checks, one file each, and the context they share.
//!
//! The registry ([`ALL`]) owns dispatch; `godiag explain` and SARIF read [`registry`].

mod accept_queue_full;
mod connection_fails_despite_listener;
mod container_loopback_listener;
mod firewall_blocks;
mod firewall_verdict_unknown;
mod firewalld_runtime_permanent_drift;
mod ipv4_clients_refused;
mod listener_owner_hidden;
mod localhost_misses_listener;
mod localhost_split_servers;
mod loopback_only_listener;
mod nothing_listening;
mod tls_on_port;
mod wsl;

use std::fmt::Write as _;
use std::net::IpAddr;
use std::sync::Arc;

use godiag_core::check::{Check, CheckMeta};
use godiag_core::finding::Evidence;
use godiag_core::host::Host;

use crate::bind;
use crate::environment::{Environment, Wsl};
use crate::firewall::{FirewallState, SourceVerdict};
use crate::listeners::SocketTable;
use crate::model::{ConnectOutcome, InterfaceAddress, Listener, Probe};

/// Everything the checks look at, computed once.
pub struct Context {
    /// The machine.
    pub host: Arc<dyn Host>,
    /// The port asked about.
    pub port: u16,
    /// The whole socket table (`None` when reading it did not finish).
    pub table: Option<SocketTable>,
    /// The listeners on the port.
    pub listeners: Vec<Listener>,
    /// The probes, in target order.
    pub probes: Vec<Probe>,
    /// What `localhost` resolves to here, in the order clients try it.
    pub localhost: Result<Vec<IpAddr>, String>,
    /// Interface addresses.
    pub interfaces: Vec<InterfaceAddress>,
    /// The user godiag runs as.
    pub uid: u32,
    /// The packet filter, when reading it finished.
    pub firewall: Option<FirewallState>,
    /// The filter's verdict for each source.
    pub verdicts: Vec<SourceVerdict>,
    /// WSL or container.
    pub environment: Environment,
    /// Whether detecting the environment finished (`environment` is the default otherwise).
    pub environment_detected: bool,
}

impl Context {
    /// Returns the listener a connection to `address` reaches, if any.
    #[must_use]
    pub fn accepting(&self, address: IpAddr) -> Option<&Listener> {
        bind::accepting(&self.listeners, address, self.bindv6only())
    }

    /// `net.ipv6.bindv6only`.
    #[must_use]
    pub fn bindv6only(&self) -> bool {
        self.table.as_ref().is_some_and(|table| table.bindv6only)
    }

    /// Returns the probe of `address`, if it was probed.
    #[must_use]
    pub fn probe(&self, address: IpAddr) -> Option<&Probe> {
        self.probes.iter().find(|probe| probe.address == address)
    }

    /// Why the socket table says nothing: it was not read in time, or reading it failed
    /// (an empty table read without a problem does say something: nothing listens).
    #[must_use]
    pub fn no_table(&self) -> Option<String> {
        match &self.table {
            None => Some("the socket table was not read before the deadline".to_owned()),
            Some(table) if table.listeners.is_empty() && !table.problems.is_empty() => {
                Some(format!(
                    "the socket table could not be read ({})",
                    table.problems.join("; ")
                ))
            }
            Some(_) => None,
        }
    }

    /// Why there is no listener to examine, or `None` when something listens on the port.
    #[must_use]
    pub fn no_listener(&self) -> Option<String> {
        self.no_table().or_else(|| {
            self.listeners
                .is_empty()
                .then(|| format!("nothing listens on port {}", self.port))
        })
    }

    /// Why no connection to the port was tried, or `None` when a probe ran.
    #[must_use]
    pub fn no_probe(&self) -> Option<String> {
        if self
            .probes
            .iter()
            .any(|probe| probe.outcome != ConnectOutcome::NotRun)
        {
            return None;
        }
        Some(
            match self.probes.iter().find_map(|probe| probe.error.as_deref()) {
                Some(why) => format!("no connection was tried ({why})"),
                None => "no connection was tried".to_owned(),
            },
        )
    }

    /// Why the packet filter's rules cannot be judged, or `None` when they were read.
    #[must_use]
    pub fn no_firewall(&self) -> Option<String> {
        match &self.firewall {
            None => Some("the firewall rules were not read before the deadline".to_owned()),
            Some(state) if !state.readable => {
                Some("the firewall rules could not be read (NET012 says why)".to_owned())
            }
            Some(_) => None,
        }
    }

    /// The WSL 2 distribution godiag runs in, or why there is none.
    pub fn wsl2(&self) -> Result<&Wsl, String> {
        if !self.environment_detected {
            return Err("the environment was not detected before the deadline".to_owned());
        }
        match &self.environment.wsl {
            None => Err("this is not WSL".to_owned()),
            Some(wsl) if wsl.version != 2 => Err(format!(
                "this is WSL {}, which shares Windows' network: nothing is relayed",
                wsl.version
            )),
            Some(wsl) => Ok(wsl),
        }
    }

    /// The WSL 2 distribution when it runs in `mode` (`nat`, `mirrored`), or why not.
    pub fn wsl_mode(&self, mode: &str) -> Result<&Wsl, String> {
        let wsl = self.wsl2()?;
        if wsl.networking_mode == mode {
            Ok(wsl)
        } else {
            Err(format!(
                "WSL runs in {} networking mode, not {mode}",
                wsl.networking_mode
            ))
        }
    }

    /// Why this is not a container, or `None` when it is one.
    #[must_use]
    pub fn not_container(&self) -> Option<String> {
        if !self.environment_detected {
            return Some("the environment was not detected before the deadline".to_owned());
        }
        self.environment
            .container
            .is_none()
            .then(|| "this is not a container".to_owned())
    }
}

/// Every check of the domain, in code order.
pub static ALL: &[&dyn Check<Context>] = &[
    &nothing_listening::NothingListening,
    &localhost_misses_listener::LocalhostMissesListener,
    &loopback_only_listener::LoopbackOnlyListener,
    &ipv4_clients_refused::Ipv4ClientsRefused,
    &localhost_split_servers::LocalhostSplitServers,
    &accept_queue_full::AcceptQueueFull,
    &listener_owner_hidden::ListenerOwnerHidden,
    &connection_fails_despite_listener::ConnectionFails,
    &tls_on_port::TlsOnPort,
    &firewall_blocks::FirewallBlocksLan,
    &firewall_blocks::FirewallBlocksLoopback,
    &firewall_verdict_unknown::FirewallUnknown,
    &firewalld_runtime_permanent_drift::FirewalldDrift,
    &wsl::WslIpv4RelayMissing,
    &wsl::WslListenerNotRelayed,
    &wsl::WslLanAccess,
    &wsl::WslMirroredIpv6Loopback,
    &wsl::WslPortproxyConflict,
    &container_loopback_listener::ContainerLoopbackListener,
];

/// The registry entries of every check, in code order.
#[must_use]
pub fn registry() -> Vec<CheckMeta> {
    ALL.iter().map(|check| *check.meta()).collect()
}

/// The listeners on the ports nearest to `port` (one per port, closest first).
#[must_use]
pub fn nearest(table: &SocketTable, port: u16, count: usize) -> Vec<&Listener> {
    let mut others: Vec<&Listener> = table
        .listeners
        .iter()
        .filter(|listener| listener.port != port)
        .collect();
    others.sort_by_key(|listener| (listener.port.abs_diff(port), listener.port));
    others.dedup_by_key(|listener| listener.port);
    others.truncate(count);
    others
}

/// Evidence line for a listener: what `ss -ltnp` would show and what the bind means.
fn listener_evidence(listener: &Listener) -> Evidence {
    let go = listener
        .go()
        .map(|go| format!(", a Go program built with {}", go.version))
        .unwrap_or_default();
    Evidence::command(format!(
        "ss -ltnp 'sport = :{}'  →  {} held by {}{go}: {} — {}",
        listener.port,
        listener.ss_address,
        listener.owner(),
        listener.go_listen,
        listener.meaning
    ))
}

/// Evidence line for a probe.
fn probe_evidence(probe: &Probe) -> Evidence {
    let mut text = format!(
        "connect {} ({}): {}",
        probe.target,
        probe.reached_as.join(", "),
        probe.outcome
    );
    if let Some(error) = &probe.error {
        let _ = write!(text, " — {error}");
    }
    if let Some(status) = probe.http_status {
        let _ = write!(text, ", HTTP {status}");
    }
    Evidence::probe(text, probe.duration_ms)
}

/// True when a probe ran and failed.
/// The addresses of the listeners when every one is loopback-only, joined for a message;
/// `None` when nothing listens or any listener is reachable from elsewhere.
fn loopback_only_binds(context: &Context) -> Option<String> {
    if context.listeners.is_empty() || !context.listeners.iter().all(bind::is_loopback_only) {
        return None;
    }
    Some(
        context
            .listeners
            .iter()
            .map(|l| l.ss_address.clone())
            .collect::<Vec<_>>()
            .join(" and "),
    )
}

fn failed(probe: &Probe) -> bool {
    !matches!(probe.outcome, ConnectOutcome::Open | ConnectOutcome::NotRun)
}

/// The Go change that makes a server reachable on every address, both families.
fn dual_stack_fix(port: u16) -> String {
    format!(
        "Listen on every address, IPv4 and IPv6: `http.ListenAndServe(\":{port}\", handler)` \
         (one dual-stack socket, `net.Listen(\"tcp\", \":{port}\")`)"
    )
}

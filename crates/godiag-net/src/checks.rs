//! The reachability checks, one file each, and the context they share.
//!
//! The registry ([`ALL`]) owns dispatch; `godiag explain` and SARIF read [`registry`].

mod accept_queue_full;
mod connection_fails_despite_listener;
mod container_loopback_listener;
mod firewall_blocks_lan;
mod firewall_blocks_loopback;
mod firewall_verdict_unknown;
mod firewalld_runtime_permanent_drift;
mod ipv4_clients_refused;
mod listener_owner_hidden;
mod localhost_misses_listener;
mod localhost_split_servers;
mod loopback_only_listener;
mod nothing_listening;
mod tls_on_port;
mod wsl_ipv4_relay_missing;
mod wsl_lan_needs_forwarding;
mod wsl_listener_not_relayed;
mod wsl_mirrored_ipv6_loopback;
mod wsl_portproxy_conflict;

use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use godiag_core::check::{Check, CheckMeta};
use godiag_core::finding::Evidence;
use godiag_core::host::Host;

use crate::bind;
use crate::environment::{Environment, Wsl};
use crate::firewall::eval::Verdict;
use crate::firewall::{FirewallState, Origin, SourceVerdict, fix};
use crate::listeners::SocketTable;
use crate::model::{ConnectOutcome, Family, InterfaceAddress, Listener, Probe};
use godiag_core::finding::{Finding, Fix, Severity};

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
    &firewall_blocks_lan::FirewallBlocksLan,
    &firewall_blocks_loopback::FirewallBlocksLoopback,
    &firewall_verdict_unknown::FirewallUnknown,
    &firewalld_runtime_permanent_drift::FirewalldDrift,
    &wsl_ipv4_relay_missing::WslIpv4RelayMissing,
    &wsl_listener_not_relayed::WslListenerNotRelayed,
    &wsl_lan_needs_forwarding::WslLanAccess,
    &wsl_mirrored_ipv6_loopback::WslMirroredIpv6Loopback,
    &wsl_portproxy_conflict::WslPortproxyConflict,
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

// Shared by the WSL checks (NET014–NET018): how WSL2 carries connections between Windows
// and the distribution.
//
// NAT mode: the `localhost` helper in the VM dumps LISTEN sockets every second and
// `wslrelay.exe` binds Windows `127.0.0.1:PORT` for `AF_INET` listeners on 0.0.0.0 or
// 127.0.0.1 and `[::1]:PORT` for `AF_INET6` listeners on `::` or `::1`; other addresses are
// never relayed (`microsoft/WSL` `src/windows/wslrelay/localhost.cpp`, issues 4851 and
// 10206). Mirrored mode shares 127.0.0.1 but not `::1` (issue 11034), and LAN traffic
// passes the Hyper-V firewall.
/// The Windows loopback family wslrelay gives a listener, if it relays it.
fn relayed_as(listener: &Listener) -> Option<Family> {
    match listener.address {
        IpAddr::V4(v4) if v4.is_unspecified() || v4 == Ipv4Addr::LOCALHOST => Some(Family::Ipv4),
        IpAddr::V6(v6) if v6.is_unspecified() || v6.is_loopback() => Some(Family::Ipv6),
        _ => None,
    }
}

/// How godiag learned the WSL networking mode, as evidence.
fn mode_evidence(wsl: &Wsl) -> Evidence {
    let text = match wsl.mode_source.as_str() {
        "wslinfo" => format!("wslinfo --networking-mode  →  {}", wsl.networking_mode),
        ".wslconfig" => format!(
            "{}: networkingMode={}",
            wsl.wslconfig
                .as_ref()
                .map_or_else(String::new, |p| p.display().to_string()),
            wsl.networking_mode
        ),
        source => format!("networking mode {} ({source})", wsl.networking_mode),
    };
    Evidence::command(text)
}

// Shared by NET010 and NET011: the packet filter drops or rejects connections the bind
// would take.

/// Why the filter's verdict for these clients says nothing: the rules were not read, no
/// source of theirs exists here, every verdict is unknown (NET012), or the server listens
/// on none of the addresses they connect to, so what the filter does to them changes nothing.
/// With nothing listening the verdict is still judged: it is what a server started here meets.
fn nothing_to_judge(context: &Context, origins: &[Origin]) -> Option<String> {
    if let Some(reason) = context.no_firewall() {
        return Some(reason);
    }
    let who = if origins.contains(&Origin::Loopback) {
        "loopback"
    } else {
        "LAN"
    };
    let verdicts: Vec<&SourceVerdict> = context
        .verdicts
        .iter()
        .filter(|v| origins.contains(&v.from))
        .collect();
    if verdicts.is_empty() {
        return Some(format!("this machine has no {who} address to judge"));
    }
    if verdicts.iter().all(|v| v.verdict == Verdict::Unknown) {
        return Some(format!(
            "the firewall's verdict for {who} clients is unknown (NET012 says why)"
        ));
    }
    let served = verdicts.iter().any(|v| {
        v.verdict != Verdict::Unknown && context.accepting(v.destination_address).is_some()
    });
    (!context.listeners.is_empty() && !served)
        .then(|| format!("the server listens on no address {who} clients connect to"))
}

fn blocked(context: &Context, meta: &CheckMeta, origins: &[Origin]) -> Vec<Finding> {
    let Some(state) = &context.firewall else {
        return Vec::new();
    };
    let hits: Vec<&SourceVerdict> = context
        .verdicts
        .iter()
        .filter(|v| origins.contains(&v.from))
        .filter(|v| matches!(v.verdict, Verdict::Drop | Verdict::Reject))
        .filter(|v| context.accepting(v.destination_address).is_some())
        .collect();
    if context.listeners.is_empty() {
        return latent(context, state, meta, origins);
    }
    let Some(first) = hits.first() else {
        return passed(context, meta, origins);
    };
    let port = context.port;
    let client_sees = |v: &SourceVerdict| match v.outcome {
        Some(outcome) => format!("{outcome}"),
        None => "an error".to_owned(),
    };
    let targets = hits
        .iter()
        .map(|v| {
            format!(
                "{} from {} ({})",
                std::net::SocketAddr::new(v.destination_address, port),
                v.source_address,
                client_sees(v)
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let mut finding = Finding::new(
        meta,
        blocked_title(first, port),
        format!(
            "{} cannot connect although the server listens: {targets}. A drop makes clients \
             hang until they time out; a reject makes them fail at once (\"connection refused\" \
             for a TCP reset, \"No route to host\" or \"Permission denied\" for ICMP \
             admin-prohibited). The {} backend manages these rules.",
            capitalised(clients(first.from)),
            serde_json::to_value(state.backend)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        ),
    )
    .subject(format!("port {port}"));
    for verdict in &hits {
        finding = finding.evidence(Evidence::command(format!(
            "{}  →  {} {} from {} on {}: {}{}",
            state.sources.join(", "),
            verdict.family.as_str(),
            std::net::SocketAddr::new(verdict.destination_address, port),
            verdict.source_address,
            verdict.interface,
            verdict.verdict.as_str(),
            verdict
                .rule
                .as_deref()
                .map(|rule| format!(" by {rule}"))
                .unwrap_or_default()
        )));
    }
    if let Some(listener) = context.accepting(first.destination_address) {
        finding = finding.evidence(listener_evidence(listener));
    }
    vec![with_open_port_fix(finding, state, &hits, port)]
}

/// The passing finding, with the verdicts that let the clients in, so `-v` says which rule
/// did.
fn passed(context: &Context, meta: &CheckMeta, origins: &[Origin]) -> Vec<Finding> {
    let mut ok = Finding::ok(meta).subject(format!("port {}", context.port));
    for verdict in context
        .verdicts
        .iter()
        .filter(|v| origins.contains(&v.from) && v.verdict == Verdict::Accept)
    {
        ok = ok.evidence(verdict_evidence(verdict, context.port));
    }
    vec![ok]
}

fn verdict_evidence(verdict: &SourceVerdict, port: u16) -> Evidence {
    Evidence::command(format!(
        "{} {} from {} on {}: {}{}",
        verdict.family.as_str(),
        std::net::SocketAddr::new(verdict.destination_address, port),
        verdict.source_address,
        verdict.interface,
        verdict.verdict.as_str(),
        verdict.rule.as_deref().map_or_else(
            || " (no rule filters it)".to_owned(),
            |rule| format!(" by {rule}")
        )
    ))
}

/// Nothing listens yet, but the rules already decide what a server started on the port
/// meets: a block is a warning (it will break once the server runs), an open path a pass.
fn latent(
    context: &Context,
    state: &FirewallState,
    meta: &CheckMeta,
    origins: &[Origin],
) -> Vec<Finding> {
    let blocks: Vec<&SourceVerdict> = context
        .verdicts
        .iter()
        .filter(|v| origins.contains(&v.from))
        .filter(|v| matches!(v.verdict, Verdict::Drop | Verdict::Reject))
        .collect();
    let Some(first) = blocks.first() else {
        return passed(context, meta, origins);
    };
    let port = context.port;
    let mut finding = Finding::new(
        meta,
        blocked_title(first, port),
        format!(
            "Nothing listens on port {port} yet, but once a server does, {} cannot reach it: \
             the rules {} these connections before any server sees them.",
            clients(first.from),
            first.verdict.as_str()
        ),
    )
    .severity(Severity::Warning)
    .subject(format!("port {port}"));
    for verdict in &blocks {
        finding = finding.evidence(verdict_evidence(verdict, port));
    }
    vec![with_open_port_fix(finding, state, &blocks, port)]
}

/// `The firewall drops TCP port 8080: RULE`.
fn blocked_title(first: &SourceVerdict, port: u16) -> String {
    format!(
        "The firewall {}s TCP port {port}: {}",
        first.verdict.as_str(),
        first.rule.as_deref().unwrap_or("a rule")
    )
}

/// Who the clients from `origin` are, in a sentence.
fn clients(origin: Origin) -> &'static str {
    match origin {
        Origin::Loopback => "programs on this machine",
        Origin::Lan => "other machines on the LAN",
        Origin::WslHost => "the Windows host",
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// Adds the commands that open the port for each blocked verdict, in the managing tool's
/// terms; a finding whose rules no tool here can change keeps no fix rather than an empty one.
fn with_open_port_fix(
    finding: Finding,
    state: &FirewallState,
    blocked: &[&SourceVerdict],
    port: u16,
) -> Finding {
    let mut commands: Vec<String> = blocked
        .iter()
        .map(|v| fix::open_port(state, &v.decision, port))
        .filter(|command| !command.is_empty())
        .collect();
    commands.dedup();
    if commands.is_empty() {
        finding
    } else {
        finding.fix(Fix::command(commands.join("\n")))
    }
}

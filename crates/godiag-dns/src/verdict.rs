//! Compares the resolution paths and names the first layer where they part, and why.

use serde::Serialize;

use crate::context::{Context, quoted_list};
use crate::model::go_order::Order;
use crate::model::system::STUB_ADDRESSES;
use crate::probe::{NoReply, PathResult};

/// Where the paths part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// `hosts_file`, `nsswitch`, `go_resolver`, `resolv_conf`, `resolved`, `server`,
    /// `network` (no route to any server: offline).
    pub layer: &'static str,
    /// The explanation.
    pub text: String,
    /// True when the diagnosed program's own path fails.
    pub program_fails: bool,
    /// Which paths resolved the name.
    pub resolved_by: Vec<String>,
}

/// The layer's name in prose.
#[must_use]
pub fn layer_title(layer: &str) -> &'static str {
    match layer {
        "hosts_file" => "/etc/hosts",
        "nsswitch" => "nsswitch.conf",
        "go_resolver" => "Go's resolver choice",
        "resolv_conf" => "resolv.conf",
        "resolved" => "systemd-resolved",
        "container" => "the container's DNS",
        "network" => "the network",
        _ => "the DNS servers",
    }
}

impl Context {
    /// A path's result by name, when it ran.
    #[must_use]
    pub fn path(&self, name: &str) -> Option<&PathResult> {
        self.paths.iter().find(|p| p.name == name && !p.not_run)
    }

    /// A path's result by name, when it ran to its own end: what a comparison may rely on.
    #[must_use]
    pub fn finished_path(&self, name: &str) -> Option<&PathResult> {
        self.path(name).filter(|p| !p.unfinished)
    }

    /// The direct server probes that ran.
    pub fn server_paths(&self) -> impl Iterator<Item = &PathResult> {
        self.paths
            .iter()
            .filter(|p| p.name.starts_with("server:") && !p.not_run)
    }

    /// True when the program hands this name to glibc.
    #[must_use]
    pub fn program_uses_glibc(&self) -> bool {
        self.prediction
            .decision
            .as_ref()
            .is_some_and(|d| d.order == Order::Cgo)
    }

    /// True when lookups here go through systemd-resolved (the stub in resolv.conf, or the
    /// `resolve` NSS module with resolved running).
    #[must_use]
    pub fn resolved_in_path(&self) -> bool {
        let module = self.system.resolved.running
            && self
                .glibc_hosts()
                .is_some_and(|h| h.sources.iter().any(|s| s.name == "resolve"))
            && self
                .system
                .nss_modules
                .iter()
                .any(|m| m.name == "resolve" && m.library.is_some());
        module || self.go_uses_stub()
    }

    /// True when resolv.conf sends Go to resolved's stub.
    #[must_use]
    pub fn go_uses_stub(&self) -> bool {
        self.prediction.go_dns.servers.iter().any(|server| {
            STUB_ADDRESSES
                .iter()
                .any(|stub| server.starts_with(&format!("{stub}:")))
        })
    }
}

fn describe(path: &PathResult) -> String {
    if path.resolved() {
        format!("{} gives {}", path.name, path.addresses.join(" "))
    } else {
        format!(
            "{} finds nothing ({})",
            path.name,
            path.error.as_deref().unwrap_or("no address")
        )
    }
}

/// The verdict, or `None` when the paths agree (or could not be compared).
#[must_use]
pub fn verdict(context: &Context) -> Option<Verdict> {
    let go = context.path("go_pure")?;
    // Without the NSS path (a recorded machine without getent's answer), or when godiag
    // stopped waiting for one of them, only the other is judged: a path cut short has not
    // said what the program ends up with.
    let glibc = context.finished_path("getaddrinfo").unwrap_or(go);
    let go = if go.unfinished { glibc } else { go };
    let resolved_by: Vec<String> = context
        .paths
        .iter()
        // The godiag module asked alone is a part of getaddrinfo's path, not one of its own.
        .filter(|p| !p.not_run && p.resolved() && p.name != crate::probe::NSS_GODIAG)
        .map(|p| p.name.clone())
        .collect();
    let glibc_program = context.program_uses_glibc();
    let (layer, text, program_fails) = match (glibc.resolved(), go.resolved()) {
        (true, true) => return None,
        (true, false) => {
            let (layer, why) = glibc_only(context, go);
            (layer, why, !glibc_program)
        }
        (false, true) => {
            let (layer, why) = go_only(context, glibc);
            (layer, why, glibc_program)
        }
        (false, false) => {
            let (layer, why) = neither(context);
            (layer, why, true)
        }
    };
    Some(Verdict {
        layer,
        text,
        program_fails,
        resolved_by,
    })
}

/// glibc resolves the name, Go's own resolver does not.
fn glibc_only(context: &Context, go: &PathResult) -> (&'static str, String) {
    let hosts = context.path("hosts_file");
    if hosts.is_some_and(PathResult::resolved) && context.prediction.pure_order == Some(Order::Dns)
    {
        return (
            "go_resolver",
            "glibc finds it in /etc/hosts; Go's hosts line reading gives order dns, which skips /etc/hosts".into(),
        );
    }
    let sources: Vec<String> = context
        .glibc_hosts()
        .map(|hosts| {
            hosts
                .sources
                .iter()
                .map(|s| s.name.clone())
                .filter(|s| !matches!(s.as_str(), "files" | "dns" | "systemd"))
                .filter(|s| {
                    context
                        .system
                        .nss_modules
                        .iter()
                        .any(|m| &m.name == s && m.library.is_some())
                })
                .collect()
        })
        .unwrap_or_default();
    let servers = context.prediction.go_dns.servers.join(", ");
    if !sources.is_empty() {
        return (
            "go_resolver",
            format!(
                "glibc resolves it through NSS, whose hosts line also runs {}; Go's own resolver \
                 skips NSS and asks resolv.conf's servers ({servers}) directly: {}",
                quoted_list(&sources),
                describe(go)
            ),
        );
    }
    (
        "resolv_conf",
        format!(
            "glibc and Go both use DNS, but not the same way: glibc asks {} and Go asks {servers}; {}",
            context.prediction.glibc_dns.servers.join(", "),
            describe(go)
        ),
    )
}

/// Go resolves the name, glibc does not.
fn go_only(context: &Context, glibc: &PathResult) -> (&'static str, String) {
    if let Some(hosts) = context.glibc_hosts()
        && let Some(source) = crate::fixes::stops_before_dns(&hosts.sources).first()
    {
        return (
            "nsswitch",
            format!(
                "Go's own resolver finds it in DNS, but glibc's walk of the hosts line ends at \
                 `{}` and its action items before DNS is asked ({})",
                source.name,
                glibc.error.as_deref().unwrap_or("not found")
            ),
        );
    }
    (
        "nsswitch",
        format!(
            "Go's own resolver finds it in DNS, but glibc's NSS path does not ({}): check the \
             hosts line's sources and their modules",
            glibc.error.as_deref().unwrap_or("not found")
        ),
    )
}

/// Neither resolves it.
fn neither(context: &Context) -> (&'static str, String) {
    if context.go_uses_stub() && !context.system.resolved.running {
        return (
            "resolved",
            "resolv.conf sends every query to systemd-resolved's stub 127.0.0.53, and \
             systemd-resolved is not running"
                .to_owned(),
        );
    }
    let answering: Vec<&PathResult> = context.server_paths().filter(|p| p.resolved()).collect();
    if let (Some(server), Some(route)) = (answering.first(), &context.route)
        && context.resolved_in_path()
    {
        let ip = server.name.trim_start_matches("server:");
        if !route.servers.iter().any(|s| s == ip) {
            return (
                "resolved",
                format!(
                    "systemd-resolved is on the path and sends the name to {} ({}); {ip} knows it \
                     ({}) but no routing domain sends the name there",
                    if route.servers.is_empty() {
                        "no server".to_owned()
                    } else {
                        route.servers.join(", ")
                    },
                    route.why,
                    server.addresses.join(" ")
                ),
            );
        }
    }
    if let Some(server) = answering.first() {
        let ip = server.name.trim_start_matches("server:");
        let listed = context
            .prediction
            .go_dns
            .servers
            .iter()
            .chain(&context.prediction.glibc_dns.servers)
            .any(|s| s.trim_start_matches('[').starts_with(ip));
        return (
            "resolv_conf",
            if listed {
                format!(
                    "{ip} knows the name ({}), but the resolvers ask another server first and \
                     stop at its NXDOMAIN",
                    server.addresses.join(" ")
                )
            } else {
                format!(
                    "{ip} knows the name ({}), but no resolver here asks it: resolv.conf lists {}",
                    server.addresses.join(" "),
                    context.prediction.glibc_dns.servers.join(", ")
                )
            },
        );
    }
    let servers: Vec<&PathResult> = context.server_paths().collect();
    let described = servers
        .iter()
        .map(|p| describe(p))
        .collect::<Vec<_>>()
        .join("; ");
    let silent = servers.iter().filter(|p| p.unreachable()).count();
    if !servers.is_empty()
        && servers
            .iter()
            .all(|p| p.unreachable() && p.no_reply.is_some_and(NoReply::no_route))
    {
        return (
            "network",
            format!(
                "no query can leave for any configured DNS server, so nothing was said about \
                 the name: this machine is offline, or the network that reaches the servers \
                 (a VPN) is down: {described}"
            ),
        );
    }
    if !servers.is_empty() && silent == servers.len() {
        return (
            "server",
            format!("no configured server answered: {described}"),
        );
    }
    if silent > 0 {
        return (
            "server",
            format!(
                "no server that answered knows the name, and {silent} of {} did not answer: \
                 {described}",
                servers.len()
            ),
        );
    }
    (
        "server",
        format!("every server asked says the name does not exist: {described}"),
    )
}

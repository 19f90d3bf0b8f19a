//! Puts the files, the program and the name together: which resolver Go picks, which names
//! and servers it will ask, and what glibc would ask instead.

use serde::Serialize;

use super::go_order::{self, Decision, FileState, GoConf, GoRuntime, GoSystem, Order};
use super::names::{self, NoQuery};
use super::program::Program;
use crate::model::system::System;
use crate::parse::resolv_conf::{GlibcResolv, GoResolv, glibc_options};

/// Go's defaults when resolv.conf lists no usable nameserver (`net/dnsconfig.go` `defaultNS`).
pub const GO_DEFAULT_SERVERS: [&str; 2] = ["127.0.0.1:53", "[::1]:53"];

/// What will happen to one name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prediction {
    /// The name as given.
    pub name: String,
    /// The process-wide decisions.
    pub conf: GoConf,
    /// `hostLookupOrder`; `None` for an IP literal or an empty name (no lookup happens).
    pub decision: Option<Decision>,
    /// The order Go's own resolver uses when it is forced (`netdns=go`, `PreferGo`, no cgo).
    pub pure_order: Option<Order>,
    /// Go's own DNS settings.
    pub go_dns: GoDns,
    /// The names Go's DNS client sends, or why it sends none.
    pub go_names: Result<Vec<String>, NoQuery>,
    /// glibc's settings after `LOCALDOMAIN` and `RES_OPTIONS`.
    pub glibc_dns: GlibcDns,
}

/// Go's DNS client settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GoDns {
    /// `host:port` of each server, in order.
    pub servers: Vec<String>,
    /// True when resolv.conf gave none and Go uses its loopback defaults.
    pub default_servers: bool,
    /// The search list.
    pub search: Vec<String>,
    /// `ndots` from resolv.conf as Go reads it (default 1, capped at 15).
    pub ndots: u32,
    /// Seconds per try.
    pub timeout_s: u32,
    /// Tries per server.
    pub attempts: u32,
    /// Round-robin.
    pub rotate: bool,
    /// A then AAAA in sequence.
    pub single_request: bool,
    /// TCP only.
    pub use_tcp: bool,
}

/// glibc's resolver settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GlibcDns {
    /// Servers used (at most 3).
    pub servers: Vec<String>,
    /// Search list.
    pub search: Vec<String>,
    /// `ndots` from resolv.conf as glibc reads it (default 1, capped at 15).
    pub ndots: i64,
    /// Seconds per try.
    pub timeout_s: i64,
    /// Tries.
    pub attempts: i64,
    /// Options in effect.
    pub options: Vec<String>,
    /// The names `res_nsearch` tries.
    pub names: Vec<String>,
}

impl Prediction {
    /// `go` or `cgo`; `none` when no lookup happens.
    #[must_use]
    pub fn mode(&self) -> &'static str {
        match &self.decision {
            Some(decision) if decision.order == Order::Cgo => "cgo",
            Some(_) => "go",
            None => "none",
        }
    }
}

/// Predicts the lookup of `name` by `program` with environment `runtime` on `system`.
#[must_use]
pub fn predict(system: &System, program: &Program, runtime: &GoRuntime, name: &str) -> Prediction {
    let conf = go_order::conf(program.build, runtime);
    let default_resolv = GoResolv::default();
    let go_resolv = match &system.resolv_conf {
        FileState::Read(resolv) => &resolv.go,
        _ => &default_resolv,
    };
    let go_system = GoSystem {
        resolv: map_state(&system.resolv_conf, |r| &r.go),
        nss: map_state(&system.nsswitch, |n| &n.go),
        hostname: system.hostname.clone(),
        mdns_allow: system.mdns_allow,
    };
    let literal = is_ip_literal(name);
    let decision = (!name.is_empty() && !literal)
        .then(|| go_order::host_lookup_order(&conf, runtime, &go_system, name));
    let forced = GoRuntime {
        prefer_go: true,
        ..runtime.clone()
    };
    let pure_order = (!name.is_empty() && !literal)
        .then(|| go_order::host_lookup_order(&conf, &forced, &go_system, name).order);
    let go_dns = go_dns(go_resolv, system.hostname.as_deref());
    let go_names = names::go_name_list(name, &go_dns.search, go_dns.ndots);
    let glibc_dns = glibc_dns(system, runtime, name);
    Prediction {
        name: name.to_owned(),
        conf,
        decision,
        pure_order,
        go_dns,
        go_names,
        glibc_dns,
    }
}

fn map_state<'a, T, U>(
    state: &'a FileState<T>,
    f: impl FnOnce(&'a T) -> &'a U,
) -> FileState<&'a U> {
    match state {
        FileState::Missing => FileState::Missing,
        FileState::Denied => FileState::Denied,
        FileState::Unreadable(why) => FileState::Unreadable(why.clone()),
        FileState::Read(value) => FileState::Read(f(value)),
    }
}

/// `netip.ParseAddr` succeeds: Go returns the literal without any lookup.
#[must_use]
pub fn is_ip_literal(name: &str) -> bool {
    crate::parse::resolv_conf::go_parse_addr(name).is_some()
}

fn go_dns(resolv: &GoResolv, hostname: Option<&str>) -> GoDns {
    let default_servers = resolv.servers.is_empty();
    let servers = if default_servers {
        GO_DEFAULT_SERVERS.iter().map(|s| (*s).to_owned()).collect()
    } else {
        resolv
            .servers
            .iter()
            .map(|server| join_host_port(&server.address, 53))
            .collect()
    };
    let search = if resolv.search.is_empty() {
        names::default_search(hostname)
    } else {
        resolv.search.clone()
    };
    GoDns {
        servers,
        default_servers,
        search,
        ndots: resolv.ndots,
        timeout_s: resolv.timeout,
        attempts: resolv.attempts,
        rotate: resolv.rotate,
        single_request: resolv.single_request,
        use_tcp: resolv.use_tcp,
    }
}

/// `net.JoinHostPort`.
#[must_use]
pub fn join_host_port(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

fn glibc_dns(system: &System, runtime: &GoRuntime, name: &str) -> GlibcDns {
    let mut resolv = match &system.resolv_conf {
        FileState::Read(resolv) => resolv.glibc.clone(),
        _ => GlibcResolv::default(),
    };
    if let Some(local) = &runtime.localdomain {
        resolv.search = local
            .split([' ', '\t'])
            .filter(|d| !d.is_empty())
            .map(str::to_owned)
            .collect();
    } else if resolv.search.is_empty() {
        resolv.search = names::default_search(system.hostname.as_deref())
            .into_iter()
            .map(|d| d.trim_end_matches('.').to_owned())
            .collect();
    }
    if let Some(options) = &runtime.res_options {
        glibc_options(&mut resolv, options.as_bytes());
    }
    let servers: Vec<String> = if resolv.servers.is_empty() {
        vec!["127.0.0.1:53".to_owned()]
    } else {
        resolv
            .servers
            .iter()
            .take(crate::parse::resolv_conf::MAX_SERVERS)
            .map(|s| join_host_port(s.address.split('%').next().unwrap_or_default(), 53))
            .collect()
    };
    let no_tld = resolv.options.iter().any(|o| o == "no-tld-query");
    GlibcDns {
        names: names::glibc_name_list(name, &resolv.search, resolv.ndots, no_tld),
        servers,
        search: resolv.search,
        ndots: resolv.ndots,
        timeout_s: resolv.timeout,
        attempts: resolv.attempts,
        options: resolv.options,
    }
}

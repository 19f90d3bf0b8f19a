//! Go's resolver choice: `hostLookupOrder` of Go 1.27's net package (`net/conf.go`
//! `initConfVal`, `lookupOrder`, `goDebugNetDNS`), computed from the program's build, its
//! environment and the parsed files. The result is exactly what a program prints after
//! `hostLookupOrder(HOST) = ` under `GODEBUG=netdns=2`, plus the reason in words.

use serde::Serialize;

use crate::parse::Pos;
use crate::parse::nsswitch::GoNss;
use crate::parse::resolv_conf::GoResolv;

/// The strategies of `hostLookupOrder` (`net/dnsclient_unix.go`), named as Go prints them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Order {
    /// Hand the lookup to the C library (getaddrinfo, so NSS).
    #[serde(rename = "cgo")]
    Cgo,
    /// /etc/hosts, then Go's own DNS client.
    #[serde(rename = "files,dns")]
    FilesDns,
    /// Go's DNS client, then /etc/hosts.
    #[serde(rename = "dns,files")]
    DnsFiles,
    /// /etc/hosts only.
    #[serde(rename = "files")]
    Files,
    /// Go's DNS client only.
    #[serde(rename = "dns")]
    Dns,
}

impl Order {
    /// The words Go prints (`hostLookupOrder.String`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cgo => "cgo",
            Self::FilesDns => "files,dns",
            Self::DnsFiles => "dns,files",
            Self::Files => "files",
            Self::Dns => "dns",
        }
    }

    /// Parses the words Go prints.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Cgo,
            Self::FilesDns,
            Self::DnsFiles,
            Self::Files,
            Self::Dns,
        ]
        .into_iter()
        .find(|order| order.as_str() == text)
    }

    /// True when /etc/hosts is consulted (by Go itself).
    #[must_use]
    pub fn uses_files(self) -> bool {
        matches!(self, Self::FilesDns | Self::DnsFiles | Self::Files)
    }

    /// True when Go's own DNS client is used.
    #[must_use]
    pub fn uses_dns(self) -> bool {
        matches!(self, Self::FilesDns | Self::DnsFiles | Self::Dns)
    }
}

/// How the program was built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct GoBuild {
    /// Built with cgo (`CGO_ENABLED=1`).
    pub cgo: bool,
    /// Built with `-tags netgo`.
    pub netgo: bool,
    /// Built with `-tags netcgo`.
    pub netcgo: bool,
}

/// The program's environment and resolver options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoRuntime {
    /// `runtime.GOOS`.
    pub goos: String,
    /// `$GODEBUG`, when set.
    pub godebug: Option<String>,
    /// `$LOCALDOMAIN`, when set (even empty).
    pub localdomain: Option<String>,
    /// `$RES_OPTIONS`, when set; a non-empty value makes Go hand lookups to cgo (net/conf.go).
    pub res_options: Option<String>,
    /// `$HOSTALIASES`, when set; a non-empty value makes Go hand lookups to cgo (net/conf.go).
    pub hostaliases: Option<String>,
    /// `$ASR_CONFIG` (OpenBSD).
    pub asr_config: Option<String>,
    /// The lookup goes through a `net.Resolver` with `PreferGo: true`.
    pub prefer_go: bool,
}

impl Default for GoRuntime {
    fn default() -> Self {
        Self {
            goos: "linux".into(),
            godebug: None,
            localdomain: None,
            res_options: None,
            hostaliases: None,
            asr_config: None,
            prefer_go: false,
        }
    }
}

/// How a configuration file looked to Go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileState<T> {
    /// It does not exist (`fs.ErrNotExist`).
    Missing,
    /// Permission denied (`fs.ErrPermission`).
    Denied,
    /// Any other error opening or reading it.
    Unreadable(String),
    /// It was read.
    Read(T),
}

/// Whether /etc/mdns.allow exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MdnsAllow {
    /// The file exists: Go then leaves lookups through an `mdns` source to cgo (net/conf.go).
    Exists,
    /// It does not.
    Missing,
    /// `os.Stat` failed otherwise.
    Error,
}

/// The machine as Go's lookupOrder sees it.
#[derive(Debug, Clone)]
pub struct GoSystem<'a> {
    /// /etc/resolv.conf.
    pub resolv: FileState<&'a GoResolv>,
    /// /etc/nsswitch.conf.
    pub nss: FileState<&'a GoNss>,
    /// `os.Hostname()`; `None` when it fails.
    pub hostname: Option<String>,
    /// /etc/mdns.allow.
    pub mdns_allow: MdnsAllow,
}

/// The `conf` Go computes once per process (`initConfVal`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GoConf {
    /// Go resolver preferred (netgo tag or `netdns=go`).
    pub net_go: bool,
    /// cgo resolver preferred (netcgo tag or `netdns=cgo`).
    pub net_cgo: bool,
    /// `netdns` debug level.
    pub debug_level: u32,
    /// The `netdns` mode text (`go`, `cgo`, or anything else, which Go ignores).
    pub dns_mode: String,
    /// The binary has a cgo resolver at all.
    pub cgo_available: bool,
    /// The OS or environment prefers the cgo resolver.
    pub prefer_cgo: bool,
    /// Why `prefer_cgo` is set.
    pub prefer_cgo_why: Option<String>,
}

/// The decision for one host name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// The order Go prints.
    pub order: Order,
    /// Why, in words.
    pub reason: String,
    /// The file and position that decided, when one did.
    pub decided_by: Option<(String, Pos)>,
}

/// The value GODEBUG gives `name` (the last `name=` wins; `#pattern` is dropped).
#[must_use]
pub fn godebug_value(godebug: &str, name: &str) -> Option<String> {
    godebug.split(',').rev().find_map(|setting| {
        let (key, value) = setting.split_once('=')?;
        (key == name).then(|| value.split('#').next().unwrap_or_default().to_owned())
    })
}

/// `goDebugNetDNS`: the mode and debug level of a `netdns` value.
#[must_use]
pub fn parse_netdns(value: &str) -> (String, u32) {
    let mut mode = String::new();
    let mut level = 0;
    let mut part = |text: &str| {
        if text.is_empty() {
            return;
        }
        if text.as_bytes()[0].is_ascii_digit() {
            level = crate::parse::go_dtoi(text.as_bytes());
        } else {
            text.clone_into(&mut mode);
        }
    };
    match value.split_once('+') {
        Some((first, second)) => {
            part(first);
            part(second);
        }
        None => part(value),
    }
    (mode, level)
}

/// `initConfVal`: what the process decides once.
#[must_use]
pub fn conf(build: GoBuild, runtime: &GoRuntime) -> GoConf {
    let netdns = runtime
        .godebug
        .as_deref()
        .and_then(|godebug| godebug_value(godebug, "netdns"))
        .unwrap_or_default();
    let (dns_mode, debug_level) = parse_netdns(&netdns);
    let goos = runtime.goos.as_str();
    // net/cgo_unix.go: `!netgo && ((cgo && unix) || darwin)`.
    let cgo_available = !build.netgo && (build.cgo || matches!(goos, "darwin" | "ios"));
    let mut conf = GoConf {
        net_go: build.netgo || dns_mode == "go",
        net_cgo: build.netcgo || dns_mode == "cgo",
        debug_level,
        dns_mode,
        cgo_available,
        prefer_cgo: false,
        prefer_cgo_why: None,
    };
    if !cgo_available {
        return conf;
    }
    let why = if matches!(goos, "windows" | "plan9" | "darwin" | "ios" | "android") {
        Some(format!("Go prefers the C library resolver on {goos}"))
    } else if matches!(goos, "js" | "wasip1") {
        None
    } else if let Some(value) = &runtime.localdomain {
        Some(format!(
            "LOCALDOMAIN is set (to `{value}`; being set at all is enough)"
        ))
    } else if let Some(value) = runtime.res_options.as_ref().filter(|v| !v.is_empty()) {
        Some(format!("RES_OPTIONS is set (`{value}`)"))
    } else if let Some(value) = runtime.hostaliases.as_ref().filter(|v| !v.is_empty()) {
        Some(format!("HOSTALIASES is set (`{value}`)"))
    } else if goos == "openbsd" && runtime.asr_config.as_ref().is_some_and(|v| !v.is_empty()) {
        Some("ASR_CONFIG is set".to_owned())
    } else {
        None
    };
    conf.prefer_cgo = why.is_some();
    conf.prefer_cgo_why = why;
    conf
}

/// What `hostLookupOrder(hostname)` returns.
#[must_use]
pub fn host_lookup_order(
    conf: &GoConf,
    runtime: &GoRuntime,
    system: &GoSystem<'_>,
    hostname: &str,
) -> Decision {
    Walk {
        conf,
        runtime,
        system,
    }
    .order(hostname)
}

struct Walk<'a> {
    conf: &'a GoConf,
    runtime: &'a GoRuntime,
    system: &'a GoSystem<'a>,
}

fn decided(order: Order, reason: impl Into<String>) -> Decision {
    Decision {
        order,
        reason: reason.into(),
        decided_by: None,
    }
}

fn at(order: Order, reason: impl Into<String>, file: &str, pos: Pos) -> Decision {
    Decision {
        order,
        reason: reason.into(),
        decided_by: Some((file.to_owned(), pos)),
    }
}

const NSSWITCH: &str = "/etc/nsswitch.conf";
const RESOLV: &str = "/etc/resolv.conf";

impl Walk<'_> {
    fn must_use_go(&self) -> Option<String> {
        let conf = self.conf;
        if !conf.cgo_available {
            return Some(
                "the program has no cgo resolver (built without cgo or with -tags netgo)".into(),
            );
        }
        if self.runtime.goos == "plan9" {
            return None;
        }
        if conf.net_go {
            return Some(if conf.dns_mode == "go" {
                "GODEBUG=netdns=go forces the Go resolver".into()
            } else {
                "the program was built with -tags netgo".into()
            });
        }
        self.runtime
            .prefer_go
            .then(|| "the net.Resolver has PreferGo set".into())
    }

    fn order(&self, hostname: &str) -> Decision {
        let forced = self.must_use_go();
        let (fallback, can_use_cgo) = if forced.is_some() {
            (Order::FilesDns, false)
        } else if self.conf.net_cgo {
            return decided(
                Order::Cgo,
                if self.conf.dns_mode == "cgo" {
                    "GODEBUG=netdns=cgo asks for the cgo resolver"
                } else {
                    "the program was built with -tags netcgo"
                },
            );
        } else if let Some(why) = &self.conf.prefer_cgo_why {
            return decided(
                Order::Cgo,
                format!("{why}, so Go hands lookups to the C library"),
            );
        } else if hostname.contains(['\\', '%']) {
            return decided(
                Order::Cgo,
                "the name contains `\\` or `%`, which only the C library handles",
            );
        } else {
            (Order::Cgo, true)
        };
        let with_reason = |mut decision: Decision| {
            if let Some(why) = &forced {
                decision.reason = format!("{why}; {}", decision.reason);
            }
            decision
        };
        if matches!(
            self.runtime.goos.as_str(),
            "windows" | "plan9" | "android" | "ios"
        ) {
            return with_reason(decided(
                fallback,
                format!("{} reads no resolver files", self.runtime.goos),
            ));
        }
        if let Some(decision) = self.resolv_decision(fallback, can_use_cgo) {
            return with_reason(decision);
        }
        with_reason(self.nss_decision(hostname, fallback, can_use_cgo))
    }

    fn resolv_decision(&self, fallback: Order, can_use_cgo: bool) -> Option<Decision> {
        let resolv = match &self.system.resolv {
            FileState::Unreadable(why) if can_use_cgo => {
                return Some(decided(
                    Order::Cgo,
                    format!("{RESOLV} cannot be read ({why}), so the C library decides"),
                ));
            }
            FileState::Read(resolv) => Some(*resolv),
            _ => None,
        };
        if can_use_cgo
            && let Some(resolv) = resolv
            && let Some((pos, what)) = resolv.unknown.first()
        {
            return Some(at(
                Order::Cgo,
                format!(
                    "{RESOLV} has an {what} that Go's resolver does not understand, so the C library decides"
                ),
                RESOLV,
                *pos,
            ));
        }
        if self.runtime.goos != "openbsd" {
            return None;
        }
        if matches!(self.system.resolv, FileState::Missing) {
            return Some(decided(
                Order::Files,
                "OpenBSD without resolv.conf looks in files only",
            ));
        }
        let lookup = resolv.and_then(|r| r.lookup.clone()).unwrap_or_default();
        let words: Vec<&str> = lookup.iter().map(String::as_str).collect();
        let order = match words.as_slice() {
            [] | ["bind", "file"] => Order::DnsFiles,
            ["bind"] => Order::Dns,
            ["file"] => Order::Files,
            ["file", "bind"] => Order::FilesDns,
            _ => fallback,
        };
        Some(decided(
            order,
            format!("OpenBSD resolv.conf `lookup {}`", words.join(" ")),
        ))
    }

    fn nss_decision(&self, hostname: &str, fallback: Order, can_use_cgo: bool) -> Decision {
        let hostname = hostname.strip_suffix('.').unwrap_or(hostname);
        let nss = match &self.system.nss {
            FileState::Missing => None,
            FileState::Read(nss) if nss.error.is_none() => Some(*nss),
            FileState::Read(nss) => {
                let (pos, why) = nss.error.clone().unwrap_or_default();
                return at(
                    fallback,
                    format!(
                        "Go cannot parse {NSSWITCH} ({why}) and falls back to {}",
                        fallback.as_str()
                    ),
                    NSSWITCH,
                    pos,
                );
            }
            FileState::Denied | FileState::Unreadable(_) => {
                return decided(
                    fallback,
                    format!(
                        "{NSSWITCH} cannot be read; Go falls back to {}",
                        fallback.as_str()
                    ),
                );
            }
        };
        let sources = nss.map(|nss| nss.hosts.as_slice()).unwrap_or_default();
        if sources.is_empty() {
            if can_use_cgo && self.runtime.goos == "solaris" {
                return decided(
                    Order::Cgo,
                    "illumos has no usable default hosts line for Go",
                );
            }
            let why = if nss.is_none() {
                format!("{NSSWITCH} does not exist")
            } else {
                format!("{NSSWITCH} has no hosts sources")
            };
            return decided(
                Order::FilesDns,
                format!("{why}, so Go assumes files then DNS"),
            );
        }
        self.walk_sources(hostname, sources, fallback, can_use_cgo)
    }

    fn walk_sources(
        &self,
        hostname: &str,
        sources: &[crate::parse::nsswitch::GoSource],
        fallback: Order,
        can_use_cgo: bool,
    ) -> Decision {
        let mut has_dns_source = false;
        let mut has_dns_checked = false;
        let (mut files, mut dns) = (false, false);
        let mut first: Option<&str> = None;
        let mut skipped = Vec::new();
        for (index, source) in sources.iter().enumerate() {
            let name = source.name.as_str();
            if name == "files" || name == "dns" {
                if can_use_cgo && !source.standard_criteria() {
                    return at(
                        Order::Cgo,
                        format!(
                            "the hosts line gives `{name}` non-default actions, which only the C library follows"
                        ),
                        NSSWITCH,
                        source.pos,
                    );
                }
                if name == "files" {
                    files = true;
                } else {
                    has_dns_source = true;
                    has_dns_checked = true;
                    dns = true;
                }
                first.get_or_insert(name);
                continue;
            }
            if can_use_cgo {
                if let Some(decision) = self.cgo_source(hostname, name, source.pos) {
                    return decision;
                }
                skipped.push(name);
                continue;
            }
            if !has_dns_checked {
                has_dns_checked = true;
                has_dns_source = sources[index + 1..].iter().any(|s| s.name == "dns");
            }
            if !has_dns_source {
                dns = true;
                first.get_or_insert("dns");
            }
        }
        let order = match (files, dns) {
            (true, true) if first == Some("files") => Order::FilesDns,
            (true, true) => Order::DnsFiles,
            (true, false) => Order::Files,
            (false, true) => Order::Dns,
            (false, false) => {
                return decided(fallback, "the hosts line names neither files nor dns");
            }
        };
        let mut reason = if can_use_cgo {
            "the hosts line has only sources Go handles itself".to_owned()
        } else {
            "Go follows the hosts line's files and dns sources".to_owned()
        };
        if !skipped.is_empty() {
            reason = format!(
                "the hosts line's {} do not apply to this name, and Go handles files and dns itself",
                skipped
                    .iter()
                    .map(|s| format!("`{s}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        let others: Vec<&str> = sources
            .iter()
            .map(|s| s.name.as_str())
            .filter(|s| *s != "files" && *s != "dns")
            .collect();
        if !can_use_cgo && !others.is_empty() {
            reason = format!(
                "{reason}; the other sources ({}) are skipped{}",
                others
                    .iter()
                    .map(|s| format!("`{s}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                if has_dns_source {
                    ""
                } else {
                    " and stand for dns, since the line has no dns"
                }
            );
        }
        let line = sources.first().map_or(1, |s| s.pos.line);
        at(order, reason, NSSWITCH, Pos { line, column: 1 })
    }

    /// A source other than files/dns while cgo is usable: cgo, or `None` to skip it.
    fn cgo_source(&self, hostname: &str, name: &str, pos: Pos) -> Option<Decision> {
        let cgo = |why: String| Some(at(Order::Cgo, why, NSSWITCH, pos));
        if !hostname.is_empty() && name == "myhostname" {
            if is_localhost(hostname)
                || hostname.eq_ignore_ascii_case("_gateway")
                || hostname.eq_ignore_ascii_case("_outbound")
            {
                return cgo(format!(
                    "`myhostname` answers `{hostname}`, and only the C library runs it"
                ));
            }
            return match &self.system.hostname {
                None => cgo("`myhostname` is listed and the host name cannot be read".into()),
                Some(local) if local.eq_ignore_ascii_case(hostname) => cgo(format!(
                    "`{hostname}` is this machine's name, which `myhostname` answers through the C library"
                )),
                Some(_) => None,
            };
        }
        if !hostname.is_empty() && name.starts_with("mdns") {
            let bytes = hostname.as_bytes();
            if bytes.len() >= 6 && bytes[bytes.len() - 6..].eq_ignore_ascii_case(b".local") {
                return cgo(format!(
                    "`{name}` resolves .local names, which only the C library can ask"
                ));
            }
            return match self.system.mdns_allow {
                MdnsAllow::Exists => cgo(format!(
                    "/etc/mdns.allow exists, so `{name}` may answer any name; the C library decides"
                )),
                MdnsAllow::Error => {
                    cgo("/etc/mdns.allow cannot be checked; the C library decides".into())
                }
                MdnsAllow::Missing => None,
            };
        }
        cgo(format!(
            "the hosts line names `{name}`, a source only the C library can run"
        ))
    }
}

/// `isLocalhost` (`net/conf.go`).
fn is_localhost(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower == "localhost"
        || lower == "localhost.localdomain"
        || lower.ends_with(".localhost")
        || lower.ends_with(".localhost.localdomain")
}

#[cfg(test)]
mod tests;

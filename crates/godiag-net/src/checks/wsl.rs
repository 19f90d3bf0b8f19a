//! NET014–NET018: how WSL2 carries connections between Windows and the distribution.
//!
//! NAT mode: the `localhost` helper in the VM dumps LISTEN sockets every second and
//! `wslrelay.exe` binds Windows `127.0.0.1:PORT` for `AF_INET` listeners on 0.0.0.0 or
//! 127.0.0.1 and `[::1]:PORT` for `AF_INET6` listeners on `::` or `::1`; other addresses are
//! never relayed (`microsoft/WSL` `src/windows/wslrelay/localhost.cpp`, issues 4851 and
//! 10206). Mirrored mode shares 127.0.0.1 but not `::1` (issue 11034), and LAN traffic
//! passes the Hyper-V firewall.

use std::net::{IpAddr, Ipv4Addr};

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Evidence, Finding, Fix, Location, Severity};

use super::{Context, listener_evidence};
use crate::bind;
use crate::environment::Wsl;
use crate::model::{Family, Listener};

/// The Hyper-V firewall's VM creator id for WSL.
const WSL_VM_CREATOR: &str = "{40E0AC32-46A5-438A-A0B2-2B479E8F2E90}";

/// NAT mode relays the dual-stack listener to Windows `[::1]` only.
pub(crate) struct WslIpv4RelayMissing;
/// NAT mode does not relay the listener at all.
pub(crate) struct WslListenerNotRelayed;
/// How other machines reach the server in WSL.
pub(crate) struct WslLanAccess;
/// Mirrored mode does not carry `::1`.
pub(crate) struct WslMirroredIpv6Loopback;
/// A `netsh interface portproxy` rule for the port is harmful or stale.
pub(crate) struct WslPortproxyConflict;

const RELAY: CheckMeta = CheckMeta {
    code: "NET014",
    slug: "wsl-ipv4-relay-missing",
    domain: Domain::Net,
    severity: Severity::Warning,
    status: CheckStatus::Stable,
    title: "WSL relays the server to Windows [::1] only: 127.0.0.1 fails from Windows",
    ok_title: "WSL relays the server to Windows 127.0.0.1",
    doc: include_str!("../../../../docs/checks/NET014.md"),
};

const NOT_RELAYED: CheckMeta = CheckMeta {
    code: "NET015",
    slug: "wsl-listener-not-relayed",
    domain: Domain::Net,
    severity: Severity::Error,
    status: CheckStatus::Stable,
    title: "WSL does not relay the server to Windows localhost",
    ok_title: "WSL relays the server to Windows localhost",
    doc: include_str!("../../../../docs/checks/NET015.md"),
};

const LAN: CheckMeta = CheckMeta {
    code: "NET016",
    slug: "wsl-lan-needs-forwarding",
    domain: Domain::Net,
    severity: Severity::Info,
    status: CheckStatus::Stable,
    title: "Other machines reach a WSL server only through Windows",
    ok_title: "No WSL forwarding is needed",
    doc: include_str!("../../../../docs/checks/NET016.md"),
};

const MIRRORED: CheckMeta = CheckMeta {
    code: "NET017",
    slug: "wsl-mirrored-ipv6-loopback",
    domain: Domain::Net,
    severity: Severity::Warning,
    status: CheckStatus::Stable,
    title: "Mirrored WSL does not carry ::1: Windows cannot reach this server",
    ok_title: "Windows reaches the server over 127.0.0.1 in mirrored mode",
    doc: include_str!("../../../../docs/checks/NET017.md"),
};

const PORTPROXY: CheckMeta = CheckMeta {
    code: "NET018",
    slug: "wsl-portproxy-conflict",
    domain: Domain::Net,
    severity: Severity::Warning,
    status: CheckStatus::Stable,
    title: "A Windows portproxy rule for the port is stale or in the way",
    ok_title: "No Windows portproxy rule gets in the way",
    doc: include_str!("../../../../docs/checks/NET018.md"),
};

/// The Windows loopback family wslrelay gives a listener, if it relays it.
fn relayed_as(listener: &Listener) -> Option<Family> {
    match listener.address {
        IpAddr::V4(v4) if v4.is_unspecified() || v4 == Ipv4Addr::LOCALHOST => Some(Family::Ipv4),
        IpAddr::V6(v6) if v6.is_unspecified() || v6.is_loopback() => Some(Family::Ipv6),
        _ => None,
    }
}

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

impl Check<Context> for WslIpv4RelayMissing {
    fn meta(&self) -> &'static CheckMeta {
        &RELAY
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        let wsl = match context.wsl_mode("nat") {
            Ok(wsl) => wsl,
            Err(reason) => return Some(reason),
        };
        if !wsl.localhost_forwarding {
            return Some("localhostForwarding is off, so nothing is relayed (NET015)".to_owned());
        }
        context.no_listener().or_else(|| {
            context
                .listeners
                .iter()
                .all(|l| relayed_as(l).is_none())
                .then(|| format!("WSL relays no listener on port {} (NET015)", context.port))
        })
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let Some(wsl) = context
            .wsl_mode("nat")
            .ok()
            .filter(|wsl| wsl.localhost_forwarding)
        else {
            return Vec::new();
        };
        let families: Vec<Family> = context.listeners.iter().filter_map(relayed_as).collect();
        if !families.contains(&Family::Ipv6) || families.contains(&Family::Ipv4) {
            return Vec::new();
        }
        let port = context.port;
        let listener = context
            .listeners
            .iter()
            .find(|l| relayed_as(l) == Some(Family::Ipv6))
            .unwrap_or(&context.listeners[0]);
        let dual = listener.address.is_unspecified() && listener.v6only != Some(true);
        let what = if dual {
            format!(
                "one dual-stack IPv6 socket {} (Go `net.Listen(\"tcp\", \":{port}\")`, also \
                 `\"0.0.0.0:{port}\"`)",
                listener.ss_address
            )
        } else {
            format!("an IPv6 socket {}", listener.ss_address)
        };
        let mut finding = Finding::new(
            &RELAY,
            format!("From Windows, localhost:{port} works but 127.0.0.1:{port} does not"),
            format!(
                "In WSL2's NAT mode Windows relays IPv4 listeners to its 127.0.0.1 and IPv6 \
                 listeners to its [::1] only. This server listens on {what}, so the relay binds \
                 only Windows [::1]:{port}: a Go `:{port}` server answers `localhost:{port}` but \
                 not `127.0.0.1:{port}` from Windows (Windows tools and configs that use \
                 127.0.0.1 get \"connection refused\"). WSL calls this expected \
                 (microsoft/WSL#4851)."
            ),
        )
        .subject(format!("port {port}"))
        .evidence(mode_evidence(wsl))
        .evidence(listener_evidence(listener));
        if let Some(path) = &wsl.wslconfig {
            finding = finding.evidence(Evidence::file(format!(
                "{}: localhostForwarding={}",
                path.display(),
                wsl.localhost_forwarding
            )));
        }
        vec![finding.fix(Fix::manual(format!(
            "Listen with `net.Listen(\"tcp4\", \":{port}\")`: a real 0.0.0.0 socket, which WSL \
             relays to Windows 127.0.0.1:{port} (in Go, `\"0.0.0.0:{port}\"` with network \"tcp\" \
             is still the dual-stack [::] socket). Or use `http://localhost:{port}` or \
             `http://[::1]:{port}` on Windows."
        )))]
    }
}

impl Check<Context> for WslListenerNotRelayed {
    fn meta(&self) -> &'static CheckMeta {
        &NOT_RELAYED
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context
            .wsl_mode("nat")
            .err()
            .or_else(|| context.no_listener())
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let Ok(wsl) = context.wsl_mode("nat") else {
            return Vec::new();
        };
        if context.listeners.is_empty() {
            return Vec::new();
        }
        let port = context.port;
        let direct = wsl.address.map_or_else(
            || "the WSL address (`hostname -I`)".to_owned(),
            |address| format!("http://{address}:{port}"),
        );
        let (title, message, fix) = if !wsl.localhost_forwarding {
            (
                format!("localhostForwarding is off: Windows localhost:{port} does not reach WSL"),
                format!(
                    "`localhostForwarding=false` in .wslconfig turns the NAT-mode localhost relay \
                     off, so nothing in WSL is reachable as localhost from Windows. Windows can \
                     still use {direct} when the server listens on every address."
                ),
                Fix::manual(format!(
                    "Remove `localhostForwarding=false` from the [wsl2] section of {} (or set it \
                     to true), then run `wsl --shutdown` in Windows and start the distribution \
                     again.",
                    wsl.wslconfig.as_ref().map_or_else(
                        || "%UserProfile%\\.wslconfig".to_owned(),
                        |p| p.display().to_string()
                    )
                )),
            )
        } else if context.listeners.iter().all(|l| relayed_as(l).is_none()) {
            let bound = context
                .listeners
                .iter()
                .map(|l| l.ss_address.clone())
                .collect::<Vec<_>>()
                .join(", ");
            (
                format!("WSL does not relay {bound} to Windows localhost"),
                format!(
                    "The NAT-mode relay forwards only listeners on 0.0.0.0, 127.0.0.1, :: and \
                     ::1 (microsoft/WSL#10206). This server listens on {bound}, so \
                     `http://localhost:{port}` on Windows is refused."
                ),
                Fix::manual(format!(
                    "Listen on every address (`http.ListenAndServe(\":{port}\", handler)`) or on \
                     127.0.0.1; or, from Windows, connect to {direct}."
                )),
            )
        } else {
            return Vec::new();
        };
        let mut finding = Finding::new(&NOT_RELAYED, title, message)
            .subject(format!("port {port}"))
            .evidence(mode_evidence(wsl));
        if let Some(path) = &wsl.wslconfig {
            finding = finding.location(Location::file(path));
        }
        for listener in &context.listeners {
            finding = finding.evidence(listener_evidence(listener));
        }
        vec![finding.fix(fix)]
    }
}

impl Check<Context> for WslLanAccess {
    fn meta(&self) -> &'static CheckMeta {
        &LAN
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        let wsl = match context.wsl2() {
            Ok(wsl) => wsl,
            Err(reason) => return Some(reason),
        };
        if !matches!(wsl.networking_mode.as_str(), "nat" | "mirrored") {
            return Some(format!(
                "godiag does not know how WSL's {} networking mode forwards",
                wsl.networking_mode
            ));
        }
        context.no_listener()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let Ok(wsl) = context.wsl2() else {
            return Vec::new();
        };
        if context.listeners.is_empty() {
            return Vec::new();
        }
        let port = context.port;
        let hyperv = format!(
            "New-NetFirewallHyperVRule -Name 'WSL-{port}' -DisplayName 'WSL {port}' -Direction Inbound -VMCreatorId '{WSL_VM_CREATOR}' -Protocol TCP -LocalPorts {port}"
        );
        let defender = format!(
            "New-NetFirewallRule -DisplayName 'WSL {port}' -Direction Inbound -Protocol TCP -LocalPort {port} -Action Allow"
        );
        let (title, message, commands) = match wsl.networking_mode.as_str() {
            "mirrored" => {
                if context.listeners.iter().all(bind::is_loopback_only) {
                    return Vec::new();
                }
                (
                    format!("LAN clients reach port {port} through the Hyper-V firewall"),
                    "Mirrored mode puts the Windows addresses on Linux: no portproxy is needed \
                     (one would take the Windows port and make the Linux bind fail). Inbound LAN \
                     traffic passes the Hyper-V firewall, whose default is Block, and the Windows \
                     Defender firewall. Run these in an administrator PowerShell."
                        .to_owned(),
                    format!("{hyperv}\n{defender}"),
                )
            }
            "nat" => {
                let target = portproxy_target(context, wsl);
                let mut commands = vec![
                    format!(
                        "netsh interface portproxy add {} listenport={port} listenaddress=0.0.0.0 connectport={port} connectaddress={}",
                        target.0, target.1
                    ),
                    defender,
                ];
                if wsl.hyperv_firewall {
                    commands.push(hyperv);
                }
                (
                    format!("LAN clients need a Windows portproxy to reach port {port}"),
                    format!(
                        "In NAT mode the distribution sits behind Windows at {}, a private \
                         address that changes at every start of the WSL VM; other machines \
                         reach it only through a Windows port forward plus a Windows firewall \
                         rule. Run these in an administrator PowerShell (re-run the portproxy \
                         line after the address changes), or switch to `networkingMode=mirrored` \
                         in .wslconfig.",
                        wsl.address.map_or_else(
                            || "an address shown by `hostname -I`".to_owned(),
                            |a| a.to_string()
                        )
                    ),
                    commands.join("\n"),
                )
            }
            _ => return Vec::new(),
        };
        vec![
            Finding::new(&LAN, title, message)
                .subject(format!("port {port}"))
                .evidence(mode_evidence(wsl))
                .fix(Fix::command(commands)),
        ]
    }
}

/// The portproxy kind and address that reach the listener from Windows.
fn portproxy_target(context: &Context, wsl: &Wsl) -> (&'static str, String) {
    let takes = |address: IpAddr| {
        bind::accepting(&context.listeners, address, context.bindv6only()).is_some()
    };
    match wsl.address {
        Some(address) if takes(address) => ("v4tov4", address.to_string()),
        // A loopback-only server: go through wslrelay's Windows listener.
        _ if context
            .listeners
            .iter()
            .any(|l| relayed_as(l) == Some(Family::Ipv4)) =>
        {
            ("v4tov4", "127.0.0.1".to_owned())
        }
        _ => ("v4tov6", "::1".to_owned()),
    }
}

impl Check<Context> for WslMirroredIpv6Loopback {
    fn meta(&self) -> &'static CheckMeta {
        &MIRRORED
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context
            .wsl_mode("mirrored")
            .err()
            .or_else(|| context.no_listener())
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let Ok(wsl) = context.wsl_mode("mirrored") else {
            return Vec::new();
        };
        if context.listeners.is_empty()
            || context.accepting(IpAddr::V4(Ipv4Addr::LOCALHOST)).is_some()
        {
            return Vec::new();
        }
        let port = context.port;
        let mut finding = Finding::new(
            &MIRRORED,
            format!("Windows cannot reach port {port}: mirrored mode shares 127.0.0.1, not ::1"),
            format!(
                "In mirrored mode Windows and Linux share 127.0.0.1 through the loopback0 \
                 interface, but ::1 is not carried between them (microsoft/WSL#11034). This \
                 server takes no IPv4 loopback connection, so neither `http://localhost:{port}` \
                 nor `http://127.0.0.1:{port}` on Windows reaches it."
            ),
        )
        .subject(format!("port {port}"))
        .evidence(mode_evidence(wsl));
        for listener in &context.listeners {
            finding = finding.evidence(listener_evidence(listener));
        }
        vec![finding.fix(Fix::manual(format!(
            "Listen on IPv4 loopback too: `http.ListenAndServe(\":{port}\", handler)` (dual \
             stack) or `net.Listen(\"tcp4\", \"127.0.0.1:{port}\")`; use `http://127.0.0.1:{port}` \
             on Windows (`localhost` tries ::1 first there and is slower)."
        )))]
    }
}

impl Check<Context> for WslPortproxyConflict {
    fn meta(&self) -> &'static CheckMeta {
        &PORTPROXY
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        // Stale rules matter with or without a listener, so only the rules' absence skips.
        match context.wsl2() {
            Err(reason) => Some(reason),
            Ok(wsl) if wsl.portproxy.is_none() => {
                Some("netsh.exe could not be run to list the portproxy rules".to_owned())
            }
            Ok(_) => None,
        }
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let Ok(wsl) = context.wsl2() else {
            return Vec::new();
        };
        let port = context.port;
        let rules: Vec<_> = wsl
            .portproxy
            .iter()
            .flatten()
            .filter(|rule| rule.listen_port == port)
            .collect();
        let mut findings = Vec::new();
        for rule in rules {
            let delete = format!(
                "netsh interface portproxy delete {} listenport={port} listenaddress={}",
                rule.kind, rule.listen_address
            );
            let current = wsl.address.map(|a| a.to_string());
            let (title, message, fix) = if wsl.networking_mode == "mirrored" {
                (
                    format!("A portproxy rule holds Windows port {port} in mirrored mode"),
                    format!(
                        "Mirrored mode needs no portproxy: Linux binds are reserved on Windows \
                         directly. This rule ({} {}:{port} → {}:{}) holds the Windows port, so \
                         the Linux server's bind fails with \"address already in use\" or \
                         clients reach the proxy instead of the server.",
                        rule.kind, rule.listen_address, rule.connect_address, rule.connect_port
                    ),
                    delete,
                )
            } else if !matches!(
                rule.connect_address.as_str(),
                "127.0.0.1" | "::1" | "localhost"
            ) && current.as_deref() != Some(rule.connect_address.as_str())
            {
                let add = format!(
                    "netsh interface portproxy add {} listenport={port} listenaddress={} connectport={} connectaddress={}",
                    rule.kind,
                    rule.listen_address,
                    rule.connect_port,
                    current.clone().unwrap_or_else(|| "WSL-ADDRESS".to_owned())
                );
                (
                    format!("The portproxy rule for port {port} points at an old WSL address"),
                    format!(
                        "Windows forwards {}:{port} to {}, but the distribution's address is now \
                         {}: the NAT address changes at every start of the WSL VM, and portproxy \
                         rules stay in the registry. Clients through this rule time out.",
                        rule.listen_address,
                        rule.connect_address,
                        current.as_deref().unwrap_or("different")
                    ),
                    format!("{delete}\n{add}"),
                )
            } else if rule.listen_address == "127.0.0.1" && wsl.localhost_forwarding {
                (
                    format!(
                        "A portproxy rule competes with WSL's localhost relay for 127.0.0.1:{port}"
                    ),
                    format!(
                        "In NAT mode wslrelay already binds Windows 127.0.0.1:{port} for this \
                         server; a portproxy on the same address takes the port first or \
                         loses it, depending on start order. It is not needed for localhost."
                    ),
                    delete,
                )
            } else {
                continue;
            };
            findings.push(
                Finding::new(&PORTPROXY, title, message)
                    .subject(format!("port {port}"))
                    .evidence(Evidence::command(format!(
                        "netsh.exe interface portproxy show all  →  {} {}:{} → {}:{}",
                        rule.kind,
                        rule.listen_address,
                        rule.listen_port,
                        rule.connect_address,
                        rule.connect_port
                    )))
                    .evidence(mode_evidence(wsl))
                    .fix(Fix::command(fix)),
            );
        }
        findings
    }
}

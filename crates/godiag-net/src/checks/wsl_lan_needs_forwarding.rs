//! NET016: how other machines reach the server in WSL.

use std::net::IpAddr;

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};

use super::{Context, mode_evidence, relayed_as};
use crate::bind;
use crate::environment::Wsl;
use crate::model::Family;

/// The Hyper-V firewall's VM creator id for WSL.
const WSL_VM_CREATOR: &str = "{40E0AC32-46A5-438A-A0B2-2B479E8F2E90}";

/// How other machines reach the server in WSL.
pub(crate) struct WslLanAccess;

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

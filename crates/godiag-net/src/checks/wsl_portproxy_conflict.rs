//! NET018: a `netsh interface portproxy` rule for the port is harmful or stale.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Evidence, Finding, Fix, Severity};

use super::{Context, mode_evidence};

/// A `netsh interface portproxy` rule for the port is harmful or stale.
pub(crate) struct WslPortproxyConflict;

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

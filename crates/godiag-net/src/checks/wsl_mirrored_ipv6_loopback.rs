//! NET017: mirrored mode does not carry `::1`.

use std::net::{IpAddr, Ipv4Addr};

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};

use super::{Context, listener_evidence, mode_evidence};

/// Mirrored mode does not carry `::1`.
pub(crate) struct WslMirroredIpv6Loopback;

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

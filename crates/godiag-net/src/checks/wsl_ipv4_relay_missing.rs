//! NET014: NAT mode relays the dual-stack listener to Windows `[::1]` only.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Evidence, Finding, Fix, Severity};

use super::{Context, listener_evidence, mode_evidence, relayed_as};
use crate::model::Family;

/// NAT mode relays the dual-stack listener to Windows `[::1]` only.
pub(crate) struct WslIpv4RelayMissing;

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

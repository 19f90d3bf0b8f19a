//! NET015: NAT mode does not relay the listener at all.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Location, Severity};

use super::{Context, listener_evidence, mode_evidence, relayed_as};

/// NAT mode does not relay the listener at all.
pub(crate) struct WslListenerNotRelayed;

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

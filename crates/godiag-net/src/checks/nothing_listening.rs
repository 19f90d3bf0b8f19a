//! NET001: nothing listens on the port.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Evidence, Finding, Fix, Severity};

use super::{Context, nearest, probe_evidence};

/// No TCP socket listens on the port in this network namespace.
pub(crate) struct NothingListening;

const META: CheckMeta = CheckMeta {
    code: "NET001",
    slug: "nothing-listening",
    domain: Domain::Net,
    severity: Severity::Error,
    status: CheckStatus::Stable,
    title: "Nothing listens on the port",
    ok_title: "A server listens on the port",
    doc: include_str!("../../../../docs/checks/NET001.md"),
};

impl Check<Context> for NothingListening {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.no_table()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let Some(table) = &context.table else {
            return Vec::new();
        };
        if !context.listeners.is_empty() {
            // Say what listens, so `-v` shows the bind and its meaning even when all is well.
            let bound = context
                .listeners
                .iter()
                .map(|l| format!("{} ({})", l.ss_address, l.owner()))
                .collect::<Vec<_>>()
                .join(", ");
            let mut ok = Finding::ok(&META)
                .subject(format!("port {}", context.port))
                .severity(Severity::Ok);
            ok.title = format!("Port {} is served by {bound}", context.port);
            for listener in &context.listeners {
                ok = ok.evidence(super::listener_evidence(listener));
            }
            for probe in &context.probes {
                ok = ok.evidence(probe_evidence(probe));
            }
            return vec![ok];
        }
        let port = context.port;
        let near = nearest(table, port, crate::listeners::NEAREST);
        let near_text = if near.is_empty() {
            "Nothing listens on any TCP port here.".to_owned()
        } else {
            format!(
                "The nearest listening ports: {}.",
                near.iter()
                    .map(|l| format!("{} ({})", l.ss_address, l.owner()))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let mut finding = Finding::new(
            &META,
            format!("Nothing listens on TCP port {port}"),
            format!(
                "No socket is in LISTEN on port {port} in this network namespace, so every client \
                 gets \"connection refused\" (curl: \"Failed to connect to localhost port {port}\"; \
                 Go: \"dial tcp 127.0.0.1:{port}: connect: connection refused\"). The server is not \
                 running, failed at startup (look for \"bind: address already in use\" or \
                 \"permission denied\" in its log), listens on another port, or runs in another \
                 network namespace (a container, a VM). {near_text}"
            ),
        )
        .subject(format!("port {port}"))
        .evidence(Evidence::command(format!(
            "ss -ltnp 'sport = :{port}'  →  no listener ({} listeners in the table, read from {})",
            table.listeners.len(),
            match table.source {
                crate::model::TableSource::SockDiag => "sock_diag",
                crate::model::TableSource::Proc => "/proc/net/tcp and tcp6",
            }
        )));
        for probe in context.probes.iter().take(2) {
            finding = finding.evidence(probe_evidence(probe));
        }
        for listener in &near {
            finding = finding.evidence(Evidence::command(format!(
                "nearby: {} held by {}",
                listener.ss_address,
                listener.owner()
            )));
        }
        vec![finding.fix(Fix::manual(format!(
            "Start the server and check its log for the address it listens on; `ss -ltnp` lists \
             every listener. If it should use port {port}, set that in its configuration (for a Go \
             server: `http.ListenAndServe(\":{port}\", handler)`)."
        )))]
    }
}

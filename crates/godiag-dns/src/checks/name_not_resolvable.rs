//! DNS010: no resolution path here resolves the name.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Evidence, Finding, Fix, Severity};

use super::{Context, fixes, verdict};

/// Neither glibc nor Go's resolver finds the name.
pub(crate) struct NameNotResolvable;

const META: CheckMeta = CheckMeta {
    code: "DNS010",
    slug: "name-not-resolvable",
    domain: Domain::Dns,
    severity: Severity::Error,
    status: CheckStatus::Stable,
    title: "No resolver on this machine finds the name",
    ok_title: "The name resolves",
    doc: include_str!("../../../../docs/checks/DNS010.md"),
};

impl Check<Context> for NameNotResolvable {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.no_path("go_pure", "Go's own resolver")
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let Some(go) = context.path("go_pure") else {
            return Vec::new();
        };
        if go.resolved()
            || context
                .path("getaddrinfo")
                .is_some_and(crate::probe::PathResult::resolved)
        {
            return Vec::new();
        }
        let Some(verdict) = verdict::verdict(context) else {
            return Vec::new();
        };
        let answering = context.server_paths().find(|p| p.resolved());
        let fix = match answering {
            None if verdict.layer == "resolved" => {
                Fix::command("sudo systemctl enable --now systemd-resolved   # see DNS012")
            }
            None if verdict.layer == "network" => Fix::manual(format!(
                "connect the network that reaches the DNS servers (VPN up, cable or Wi-Fi), then \
                 re-run `godiag dns {}`; see DNS011",
                context.name
            )),
            None if context.server_paths().next().is_some()
                && context
                    .server_paths()
                    .all(crate::probe::PathResult::unreachable) =>
            {
                Fix::manual(format!(
                    "make the DNS servers answer (VPN up, firewall) or point resolv.conf at one \
                     that does, then re-run `godiag dns {}`; see DNS011",
                    context.name
                ))
            }
            Some(server) => {
                let ip = server.name.trim_start_matches("server:");
                let domain = fixes::routing_domain(&context.name);
                if fixes::resolved_present(context) {
                    fixes::resolved_route_fix(context, ip, &domain, None)
                        .unwrap_or_else(|| fixes::resolv_conf_server_fix(context, ip))
                } else {
                    fixes::resolv_conf_server_fix(context, ip)
                }
            }
            None => Fix::manual(format!(
                "find the DNS server that knows `{}` (your VPN or the team that runs it) and \
                 pass it as `godiag dns {} --server IP`: godiag then says how to route the name to it",
                context.name, context.name
            )),
        };
        let mut finding = Finding::new(
            &META,
            format!("`{}` does not resolve here", context.name),
            format!(
                "Neither glibc (getent, git, curl, cgo programs) nor Go's own resolver (the go \
                 command, CGO_ENABLED=0 programs) finds it. The first layer at fault is {}: {}.",
                verdict::layer_title(verdict.layer),
                verdict.text
            ),
        )
        .subject(context.name.clone());
        for path in context.paths.iter().filter(|p| !p.not_run) {
            finding = finding.evidence(Evidence::probe(
                format!(
                    "{}: {}",
                    path.name,
                    if path.resolved() {
                        path.addresses.join(" ")
                    } else {
                        path.error.clone().unwrap_or_default()
                    }
                ),
                path.duration_ms,
            ));
        }
        vec![finding.fix(fix)]
    }
}

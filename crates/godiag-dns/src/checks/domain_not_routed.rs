//! DNS014: systemd-resolved sends the name to servers that do not know it.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Evidence, Finding, Fix, Severity};

use super::{Context, fixes};

/// The name's route ends at servers that answer NXDOMAIN (or at none), while another known
/// server answers it.
pub(crate) struct DomainNotRouted;

const META: CheckMeta = CheckMeta {
    code: "DNS014",
    slug: "domain-not-routed",
    domain: Domain::Dns,
    severity: Severity::Error,
    status: CheckStatus::Stable,
    title: "systemd-resolved routes the name to servers that do not know it",
    ok_title: "systemd-resolved routes the name to a server that answers it",
    doc: include_str!("../../../../docs/checks/DNS014.md"),
};

impl Check<Context> for DomainNotRouted {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context
            .route
            .is_none()
            .then(|| "systemd-resolved is neither running nor configured here".to_owned())
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let Some(route) = &context.route else {
            return Vec::new();
        };
        let server_path = |ip: &str| context.path(&format!("server:{ip}"));
        let route_answers = route
            .servers
            .iter()
            .any(|ip| server_path(ip).is_some_and(crate::probe::PathResult::resolved))
            || context
                .path("resolved")
                .is_some_and(crate::probe::PathResult::resolved);
        if route_answers {
            return Vec::new();
        }
        let Some(answering) = context.server_paths().find(|p| {
            p.resolved()
                && !route
                    .servers
                    .iter()
                    .any(|s| p.name == format!("server:{s}"))
        }) else {
            return Vec::new();
        };
        let ip = answering.name.trim_start_matches("server:").to_owned();
        let domain = fixes::routing_domain(&context.name);
        let link = context
            .scopes
            .iter()
            .find(|scope| {
                scope.ifindex != 0
                    && scope
                        .servers
                        .iter()
                        .any(|s| crate::model::routing::server_address(s) == ip)
            })
            .map(|scope| scope.name.clone());
        let fix = fixes::resolved_route_fix(context, &ip, &domain, link.as_deref()).unwrap_or_else(
            || {
                Fix::command(format!(
                    "sudo resolvectl domain {} '~{domain}'",
                    link.clone().unwrap_or_else(|| "LINK".into())
                ))
            },
        );
        let mut finding = Finding::new(
            &META,
            format!(
                "systemd-resolved sends `{}` to {}, not to {ip}, which knows it",
                context.name,
                if route.servers.is_empty() {
                    "no server".to_owned()
                } else {
                    route.servers.join(", ")
                }
            ),
            format!(
                "resolved routes `{}`: {}. {ip}{} answers it ({}), but no routing domain sends the \
                 name there. A `~{domain}` routing domain on {} makes resolved ask {ip} for \
                 `{domain}` and its subdomains only, leaving other names on their servers.",
                context.name,
                route.why,
                link.as_ref()
                    .map(|l| format!(" (on {l})"))
                    .unwrap_or_default(),
                answering.addresses.join(" "),
                link.as_deref().unwrap_or("the global settings")
            ),
        )
        .subject(context.name.clone())
        .evidence(Evidence::command(format!(
            "resolvectl query {}; resolvectl domain",
            context.name
        )))
        .evidence(Evidence::probe(
            format!("{}: {}", answering.name, answering.addresses.join(" ")),
            answering.duration_ms,
        ));
        for ip in &route.servers {
            if let Some(path) = server_path(ip) {
                finding = finding.evidence(Evidence::probe(
                    format!("{}: {}", path.name, path.error.clone().unwrap_or_default()),
                    path.duration_ms,
                ));
            }
        }
        if !context.system.resolved.running {
            finding = finding.severity(Severity::Warning);
        }
        vec![finding.fix(fix)]
    }
}

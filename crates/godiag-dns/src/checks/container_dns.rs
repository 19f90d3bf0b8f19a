//! DNS015: this is a container, whose DNS is not the host's.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Evidence, Finding, Fix, Severity};

use super::{Context, STUB_ADDRESSES};

/// Docker's embedded server, host-network inheritance, Podman's aardvark.
pub(crate) struct ContainerDns;

const META: CheckMeta = CheckMeta {
    code: "DNS015",
    slug: "container-dns",
    domain: Domain::Dns,
    severity: Severity::Info,
    status: CheckStatus::Stable,
    title: "Name resolution here is the container's, not the host's",
    ok_title: "Not inside a container",
    doc: include_str!("../../../../docs/checks/DNS015.md"),
};

/// Docker's embedded DNS server on user-defined networks.
const DOCKER_EMBEDDED: &str = "127.0.0.11";

impl Check<Context> for ContainerDns {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        (context.system.container.engine.is_none() && !context.container_signs_readable()).then(
            || {
                "no /.dockerenv, no /run/.containerenv, and /proc/self/mountinfo could not be read"
                    .to_owned()
            },
        )
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let Some(engine) = &context.system.container.engine else {
            return Vec::new();
        };
        let servers: Vec<String> = context
            .prediction
            .glibc_dns
            .servers
            .iter()
            .map(|s| crate::model::routing::server_address(s.trim_end_matches(":53")))
            .collect();
        let how = if servers.iter().any(|s| s == DOCKER_EMBEDDED) {
            format!(
                "resolv.conf names {DOCKER_EMBEDDED}, Docker's embedded DNS server of a user-defined \
                 network: it answers container names and aliases and forwards everything else to \
                 the daemon's upstream servers (the host's resolv.conf, or `--dns`). The host's \
                 systemd-resolved routing domains (a VPN's `~corp.example`) and its /etc/hosts do \
                 not apply here"
            )
        } else if servers.iter().any(|s| STUB_ADDRESSES.contains(&s.as_str())) {
            "resolv.conf names systemd-resolved's stub, which exists only in the host's network \
             namespace: this works when the container runs with `--network host` (it shares the \
             host's loopback) and fails otherwise"
                .to_owned()
        } else if servers.iter().any(|s| s.starts_with("127.") || s == "::1") {
            format!(
                "resolv.conf lists {}: a loopback server in a container is the container's own \
                 loopback, which answers only when something listens there in the container (or the \
                 container shares the host's network with `--network host`)",
                servers.join(", ")
            )
        } else {
            format!(
                "resolv.conf lists {}: on Docker's default bridge it is a copy of the host's without \
                 loopback servers (Google's 8.8.8.8 when none are left); Podman's netavark networks \
                 use aardvark-dns at the network's gateway",
                servers.join(", ")
            )
        };
        let fails = context.path("go_pure").is_some_and(|p| !p.resolved())
            && context.path("getaddrinfo").is_none_or(|p| !p.resolved());
        let mut finding = Finding::new(
            &META,
            format!("This is a {engine} container: its resolv.conf, not the host's, decides"),
            format!("{how}. The container's own nsswitch.conf comes from its image."),
        )
        .subject(context.name.clone());
        for evidence in &context.system.container.evidence {
            finding = finding.evidence(Evidence::file(evidence.clone()));
        }
        if fails {
            finding = finding.severity(Severity::Warning);
        }
        vec![finding.fix(Fix::manual(format!(
            "for private names give the container the server that knows them: `docker run --dns IP` \
             (or \"dns\" in /etc/docker/daemon.json), `--add-host {}:ADDRESS`, or `--network host`",
            context.name
        )))]
    }
}

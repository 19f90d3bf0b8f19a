//! DNS012: resolv.conf points at systemd-resolved's stub, and resolved is not running.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Evidence, Finding, Fix, Severity};

use super::{Context, STUB_ADDRESSES, at};
use crate::model::go_order::FileState;
use crate::read::{RESOLV_CONF, RESOLVED_UPLINK};

/// 127.0.0.53 with nothing listening behind it.
pub(crate) struct StubNotRunning;

const META: CheckMeta = CheckMeta {
    code: "DNS012",
    slug: "stub-resolver-not-running",
    domain: Domain::Dns,
    severity: Severity::Error,
    status: CheckStatus::Stable,
    title: "resolv.conf uses systemd-resolved's stub, but resolved is not running",
    ok_title: "resolv.conf does not rely on a stopped systemd-resolved",
    doc: include_str!("../../../../docs/checks/DNS012.md"),
};

impl Check<Context> for StubNotRunning {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.no_resolv_conf()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        if context.system.resolved.running {
            return Vec::new();
        }
        let FileState::Read(resolv) = &context.system.resolv_conf else {
            return Vec::new();
        };
        let Some(stub) = resolv
            .glibc
            .servers
            .iter()
            .chain(&resolv.go.servers)
            .find(|s| STUB_ADDRESSES.contains(&s.address.as_str()))
        else {
            return Vec::new();
        };
        let others: Vec<&str> = resolv
            .glibc
            .servers
            .iter()
            .map(|s| s.address.as_str())
            .filter(|a| !STUB_ADDRESSES.contains(a))
            .collect();
        let container = context.system.container.engine.as_deref().map_or_else(String::new, |engine| {
            format!(
                " This is a {engine} container: 127.0.0.53 is the host's stub, reachable only when \
                 the container shares the host's network (`--network host`); otherwise give the \
                 container a server it can reach (`--dns IP`)."
            )
        });
        let mut finding = Finding::new(
            &META,
            format!(
                "{} is systemd-resolved's stub, and resolved is not running",
                stub.address
            ),
            format!(
                "{} sends queries to {} on the loopback interface, where only systemd-resolved \
                 listens; no systemd-resolve process runs, so every query there is refused and \
                 lookups fail (`connection refused`, or `no such host` when it is the only \
                 server){}.{container}",
                RESOLV_CONF,
                stub.address,
                if others.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; the other servers ({}) are tried after it",
                        others.join(", ")
                    )
                }
            ),
        )
        .subject(context.name.clone())
        .location(at(RESOLV_CONF, stub.pos))
        .evidence(Evidence::file(format!(
            "{RESOLV_CONF}:{}: nameserver {}",
            stub.pos.line, stub.address
        )))
        .evidence(Evidence::command(
            "ps -C systemd-resolved; systemctl status systemd-resolved   # not running",
        ));
        if let Some(path) = context
            .paths
            .iter()
            .find(|p| p.name == format!("server:{}", stub.address))
        {
            finding = finding.evidence(Evidence::probe(
                format!(
                    "{}: {}",
                    path.name,
                    path.error.clone().unwrap_or_else(|| "answered".into())
                ),
                path.duration_ms,
            ));
        }
        let fix = if context.system.container.engine.is_some() {
            Fix::manual(
                "run the container with `--network host`, or with `--dns IP` for a server it can reach",
            )
        } else if context.system.resolved.uplink.is_some() {
            Fix::command(format!(
                "sudo systemctl enable --now systemd-resolved   # or: sudo ln -sf {RESOLVED_UPLINK} {RESOLV_CONF} (the upstream servers, without resolved)"
            ))
        } else {
            Fix::command(
                "sudo systemctl enable --now systemd-resolved   # or write real nameservers into /etc/resolv.conf",
            )
        };
        vec![finding.fix(fix)]
    }
}

//! NET005: 127.0.0.1 and `::1` reach two different servers.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};

use super::{Context, listener_evidence};

/// Two different processes serve the port on IPv4 and IPv6 loopback.
pub(crate) struct LocalhostSplitServers;

const META: CheckMeta = CheckMeta {
    code: "NET005",
    slug: "localhost-split-servers",
    domain: Domain::Net,
    severity: Severity::Warning,
    status: CheckStatus::Stable,
    title: "127.0.0.1 and ::1 reach different servers",
    ok_title: "127.0.0.1 and ::1 reach the same server",
    doc: include_str!("../../../../docs/checks/NET005.md"),
};

impl Check<Context> for LocalhostSplitServers {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.no_listener().or_else(|| {
            let v4 = context.accepting(IpAddr::V4(Ipv4Addr::LOCALHOST)).is_some();
            let v6 = context.accepting(IpAddr::V6(Ipv6Addr::LOCALHOST)).is_some();
            match (v4, v6) {
                (true, true) => None,
                (true, false) => Some("only 127.0.0.1 reaches a server, not ::1".to_owned()),
                (false, true) => Some("only ::1 reaches a server, not 127.0.0.1".to_owned()),
                (false, false) => Some("neither 127.0.0.1 nor ::1 reaches a server".to_owned()),
            }
        })
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let (Some(v4), Some(v6)) = (
            context.accepting(IpAddr::V4(Ipv4Addr::LOCALHOST)),
            context.accepting(IpAddr::V6(Ipv6Addr::LOCALHOST)),
        ) else {
            return Vec::new();
        };
        let same_owner = match (v4.pid, v6.pid) {
            (Some(a), Some(b)) => v4.processes.iter().any(|p| p.pid == b) || a == b,
            _ => v4.uid == v6.uid,
        };
        if v4.inode == v6.inode || same_owner {
            return Vec::new();
        }
        let port = context.port;
        let finding = Finding::new(
            &META,
            format!("127.0.0.1:{port} and [::1]:{port} are two different servers"),
            format!(
                "{} answers 127.0.0.1:{port} and {} answers [::1]:{port}. `localhost` tries ::1 \
                 first in browsers and curl, so `http://localhost:{port}` and \
                 `http://127.0.0.1:{port}` show different programs — often an old instance, a \
                 container's published port or another project still running. Binding both \
                 addresses is possible because 127.0.0.1 and ::1 never conflict.",
                v4.owner(),
                v6.owner()
            ),
        )
        .subject(format!("port {port}"))
        .evidence(listener_evidence(v4))
        .evidence(listener_evidence(v6));
        vec![finding.fix(Fix::command(format!(
            "ss -ltnp 'sport = :{port}'   # then stop the one you do not want (kill PID)"
        )))]
    }
}

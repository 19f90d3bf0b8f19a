//! DNS005: Go answers the name itself and skips hosts sources glibc programs use.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Evidence, Finding, Fix, Severity};

use super::{Context, STUB_ADDRESSES, at, quoted_list};
use crate::model::go_order::Order;
use crate::read::NSSWITCH_CONF;

/// The pure-Go resolver reads only /etc/hosts and resolv.conf.
pub(crate) struct GoSkipsNss;

const META: CheckMeta = CheckMeta {
    code: "DNS005",
    slug: "go-resolver-skips-nss",
    domain: Domain::Dns,
    severity: Severity::Warning,
    status: CheckStatus::Stable,
    title: "Go resolves this name without the NSS sources other programs use",
    ok_title: "Go and glibc programs consult the same sources for this name",
    doc: include_str!("../../../../docs/checks/DNS005.md"),
};

impl GoSkipsNss {
    /// Whether `source` could answer `name` for glibc while Go skips it.
    fn relevant(context: &Context, source: &str) -> bool {
        let name = context.name.trim_end_matches('.').to_ascii_lowercase();
        let installed = context
            .system
            .nss_modules
            .iter()
            .any(|m| m.name == source && m.library.is_some());
        if !installed || source.starts_with('#') {
            return false;
        }
        match source {
            "files" | "dns" | "systemd" => false,
            "resolve" => !context.prediction.go_dns.servers.iter().any(|server| {
                STUB_ADDRESSES
                    .iter()
                    .any(|stub| server.starts_with(&format!("{stub}:")))
            }),
            "myhostname" => {
                name == "localhost"
                    || name.ends_with(".localhost")
                    || name == "_gateway"
                    || name == "_outbound"
                    || context
                        .system
                        .hostname
                        .as_deref()
                        .is_some_and(|h| h.eq_ignore_ascii_case(&name))
            }
            "mymachines" => !name.contains('.'),
            other if other.starts_with("mdns") => std::path::Path::new(&name)
                .extension()
                .is_some_and(|ext| ext.eq_ignore_ascii_case("local")),
            _ => true,
        }
    }
}

impl Check<Context> for GoSkipsNss {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.no_prediction().or_else(|| {
            // Go reading nsswitch.conf is compared with glibc's hosts line; with none that
            // glibc can read there is no pair to compare.
            context
                .glibc_hosts()
                .is_none()
                .then(|| format!("glibc cannot read {NSSWITCH_CONF} (see DNS001)"))
        })
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let Some(decision) = &context.prediction.decision else {
            return Vec::new();
        };
        if decision.order == Order::Cgo {
            return Vec::new();
        }
        let Some(hosts) = context.glibc_hosts() else {
            return Vec::new();
        };
        let skipped: Vec<&str> = hosts
            .sources
            .iter()
            .map(|s| s.name.as_str())
            .filter(|s| Self::relevant(context, s))
            .collect();
        if skipped.is_empty() {
            return Vec::new();
        }
        let order = decision.order.as_str();
        let program = &context.program;
        let fix = if context.prediction.conf.cgo_available {
            Fix::command(
                "GODEBUG=netdns=cgo ./yourprogram   # or build with -tags netcgo: lookups then go through NSS like getent's",
            )
        } else if skipped.contains(&"resolve") {
            Fix::manual(format!(
                "{} has no cgo resolver, so it can only use DNS servers from resolv.conf: make \
                 /etc/resolv.conf point at systemd-resolved's stub (`sudo ln -sf \
                 /run/systemd/resolve/stub-resolv.conf /etc/resolv.conf`), or list a server that \
                 knows `{}`; rebuilding your own programs with CGO_ENABLED=1 also works",
                program.description, context.name
            ))
        } else {
            Fix::manual(format!(
                "{} has no cgo resolver: publish `{}` in DNS (or /etc/hosts) so the pure-Go \
                 resolver finds it, or rebuild your program with CGO_ENABLED=1",
                program.description, context.name
            ))
        };
        let line = hosts.line.unwrap_or(1);
        vec![
            Finding::new(
                &META,
                format!(
                    "Go resolves `{}` itself and skips {}",
                    context.name,
                    quoted_list(&skipped)
                ),
                format!(
                    "{} uses Go's own resolver for `{}` (hostLookupOrder = {order}: {}). It reads \
                 /etc/hosts and asks the servers in resolv.conf ({}) directly, without NSS, so the \
                 hosts line's {} never run for it. getent, curl, git and cgo programs do run them: \
                 if only those sources know the name, those programs resolve it and this one \
                 reports \"no such host\".",
                    program.description,
                    context.name,
                    decision.reason,
                    context.prediction.go_dns.servers.join(", "),
                    quoted_list(&skipped)
                ),
            )
            .subject(context.name.clone())
            .location(at(NSSWITCH_CONF, crate::parse::Pos { line, column: 1 }))
            .evidence(Evidence::command(format!(
                "GODEBUG=netdns=2 ./yourprogram   # prints hostLookupOrder({}) = {order}",
                context.name
            )))
            .evidence(Evidence::file(format!(
                "program: {} ({})",
                program.description, program.source
            )))
            .fix(fix),
        ]
    }
}

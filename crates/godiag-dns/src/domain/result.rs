//! The `.dns` object of the report.
//!
//! ```text
//! { "host": "git.corp.example",
//!   "program": {"description", "source", "cgo", "netgo", "netcgo"},
//!   "go_resolver": {"mode": "go"|"cgo"|"none", "order": "files,dns"|null, "names": [...],
//!                   "reason": "...", "servers": [...], "search": [...], "ndots", "timeout_s",
//!                   "attempts", "rotate", "single_request", "use_tcp", "no_query": null|"..."},
//!   "nsswitch": {"path", "state", "hosts": [{"source", "actions": ["!UNAVAIL=return"],
//!                "line", "column", "module": path|"builtin"|null}], "go_hosts": [...]},
//!   "resolv_conf": {"path", "state", "target", "glibc": {...}, "notes": [...],
//!                   "notes_omitted": N (only when there are more than 100 notes)},
//!   "hosts_file": {"go": [...], "glibc": [...]},
//!   "paths": [{"name", "addresses", "rcode", "error", "duration_ms", "detail",
//!              "no_reply": "timeout"|"refused"|"network_unreachable"|"host_unreachable",
//!              "unfinished": true}],
//!   "verdict": {"layer", "text", "program_fails", "resolved_by"} | null }
//! ```
//! `no_reply` is present only when no server replied at all; `unfinished` only when godiag
//! stopped waiting before the program would have given up (a probe still waiting when the
//! probe budget ended), so the path's result is not compared with the others.
//! `order` is exactly the text Go prints after `hostLookupOrder(HOST) = ` under
//! `GODEBUG=netdns=2`; it is `null` (mode `none`) for an IP literal, which Go returns without
//! a lookup.

use serde_json::{Value, json};

use crate::checks::Context;
use crate::model::go_order::{FileState, Order};
use crate::model::names::NoQuery;
use crate::read::{HOSTS, NSSWITCH_CONF, RESOLV_CONF};

/// Builds the `.dns` object.
#[must_use]
pub fn json(context: &Context) -> Value {
    json!({
        "host": context.name,
        "program": context.program,
        "go_resolver": go_resolver(context),
        "nsswitch": nsswitch(context),
        "resolv_conf": resolv_conf(context),
        "hosts_file": hosts_file(context),
        "resolved": resolved(context),
        "container": container(context),
        "paths": context.paths,
        "verdict": crate::verdict::verdict(context),
    })
}

fn state_name<T>(state: &FileState<T>) -> &'static str {
    match state {
        FileState::Missing => "missing",
        FileState::Denied => "permission denied",
        FileState::Unreadable(_) => "unreadable",
        FileState::Read(_) => "read",
    }
}

fn go_resolver(context: &Context) -> Value {
    let prediction = &context.prediction;
    let order = prediction.decision.as_ref().map(|d| d.order);
    let names: Vec<String> = match order {
        Some(Order::Cgo) => prediction.glibc_dns.names.clone(),
        Some(order) if order.uses_dns() => prediction.go_names.clone().unwrap_or_default(),
        _ => Vec::new(),
    };
    let no_query = match (&prediction.go_names, order) {
        (Err(why), Some(order)) if order != Order::Cgo && order.uses_dns() => Some(match why {
            NoQuery::NotADomainName(problem) => format!("not a valid domain name: {problem}"),
            NoQuery::TooLong => "too long for DNS".to_owned(),
            NoQuery::Onion => ".onion names are never sent to DNS".to_owned(),
        }),
        _ => None,
    };
    let reason = prediction.decision.as_ref().map_or_else(
        || "an IP literal or empty name: Go returns it without any lookup".to_owned(),
        |decision| {
            if decision.order == Order::Cgo {
                format!(
                    "{}; the C library (NSS) resolves it, so the names are glibc's",
                    decision.reason
                )
            } else {
                decision.reason.clone()
            }
        },
    );
    let dns = &prediction.go_dns;
    let glibc = &prediction.glibc_dns;
    // With `cgo` the C library does the asking, so its settings are the ones that apply.
    let cgo = order == Some(Order::Cgo);
    json!({
        "mode": prediction.mode(),
        "order": order.map(Order::as_str),
        "names": names,
        "reason": reason,
        "servers": if cgo { glibc.servers.clone() } else { dns.servers.clone() },
        "search": if cgo { glibc.search.clone() } else { dns.search.clone() },
        "ndots": if cgo { glibc.ndots } else { i64::from(dns.ndots) },
        "timeout_s": if cgo { glibc.timeout_s } else { i64::from(dns.timeout_s) },
        "attempts": if cgo { glibc.attempts } else { i64::from(dns.attempts) },
        "rotate": if cgo { glibc.options.iter().any(|o| o == "rotate") } else { dns.rotate },
        "single_request": if cgo { glibc.options.iter().any(|o| o.starts_with("single-request")) } else { dns.single_request },
        "use_tcp": if cgo { glibc.options.iter().any(|o| o == "use-vc") } else { dns.use_tcp },
        "default_servers": dns.default_servers,
        "no_query": no_query,
        "net_go": prediction.conf.net_go,
        "net_cgo": prediction.conf.net_cgo,
        "cgo_available": prediction.conf.cgo_available,
    })
}

fn nsswitch(context: &Context) -> Value {
    let state = state_name(&context.system.nsswitch);
    let FileState::Read(nss) = &context.system.nsswitch else {
        return json!({"path": NSSWITCH_CONF, "state": state, "hosts": null});
    };
    let hosts = nss.glibc.hosts_or_default();
    let sources: Vec<Value> = hosts
        .sources
        .iter()
        .map(|source| {
            let module = context.system.nss_modules.iter().find(|m| m.name == source.name);
            json!({
                "source": source.name,
                "actions": source.items.iter().map(crate::parse::nsswitch::ActionItem::display).collect::<Vec<_>>(),
                "line": hosts.line.map(|_| source.pos.line),
                "column": hosts.line.map(|_| source.pos.column),
                "module": module.map(|m| {
                    if m.builtin { Value::from("builtin") } else { m.library.as_ref().map_or(Value::Null, |p| Value::from(p.display().to_string())) }
                }),
            })
        })
        .collect();
    json!({
        "path": NSSWITCH_CONF,
        "state": state,
        "default": hosts.line.is_none(),
        "hosts": if nss.glibc.broken.is_some() { Value::Null } else { Value::from(sources) },
        "glibc_error": nss.glibc.broken.as_ref().map(|(pos, why)| json!({"line": pos.line, "column": pos.column, "error": why})),
        "go_hosts": nss.go.hosts.iter().map(|s| s.name.clone()).collect::<Vec<_>>(),
        "go_error": nss.go.error.as_ref().map(|(pos, why)| json!({"line": pos.line, "column": pos.column, "error": why})),
    })
}

/// How many resolv.conf notes the result lists: a file of 40,000 `nameserver` lines has a
/// note per line, and DNS007's folded finding already says where they are.
const NOTES_LISTED: usize = 100;

fn resolv_conf(context: &Context) -> Value {
    let state = state_name(&context.system.resolv_conf);
    let (notes, omitted) = match &context.system.resolv_conf {
        FileState::Read(resolv) => (
            serde_json::to_value(&resolv.notes[..resolv.notes.len().min(NOTES_LISTED)])
                .unwrap_or_default(),
            resolv.notes.len().saturating_sub(NOTES_LISTED),
        ),
        _ => (json!([]), 0),
    };
    let mut result = json!({
        "path": RESOLV_CONF,
        "state": state,
        "target": context.system.resolv_conf_target.as_ref().map(|t| t.display().to_string()),
        "glibc": context.prediction.glibc_dns,
        "notes": notes,
    });
    if omitted > 0 {
        result["notes_omitted"] = json!(omitted);
    }
    result
}

fn hosts_file(context: &Context) -> Value {
    let FileState::Read(hosts) = &context.system.hosts else {
        return json!({"path": HOSTS, "state": state_name(&context.system.hosts)});
    };
    json!({
        "path": HOSTS,
        "state": "read",
        "go": hosts.go_lookup(&context.name),
        "glibc": hosts.glibc_lookup(&context.name),
    })
}

fn resolved(context: &Context) -> Value {
    let resolved = &context.system.resolved;
    let stub = context
        .prediction
        .glibc_dns
        .servers
        .iter()
        .chain(&context.prediction.go_dns.servers)
        .any(|server| {
            crate::model::system::STUB_ADDRESSES
                .iter()
                .any(|stub| server.starts_with(&format!("{stub}:")))
        });
    json!({
        "running": resolved.running,
        "stub_in_resolv_conf": stub,
        "source": if resolved.bus_global.is_some() { "dbus" } else { "files" },
        "files": resolved.settings.files.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
        "scopes": context.scopes,
        "route": context.route,
        "ignored": resolved.ignored.iter().map(|(path, ignored)| json!({
            "path": path.display().to_string(), "line": ignored.pos.line, "column": ignored.pos.column,
            "name": ignored.name, "why": ignored.why,
        })).collect::<Vec<_>>(),
    })
}

fn container(context: &Context) -> Value {
    let container = &context.system.container;
    json!({
        "engine": container.engine,
        "evidence": container.evidence,
    })
}

//! DNS008: Go's resolver sends no query for this name.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Evidence, Finding, Fix, Severity};

use super::Context;
use crate::model::go_order::Order;
use crate::model::names::NoQuery;

/// An invalid name, a `.onion` name, a name too long for DNS.
pub(crate) struct NameNeverQueried;

const META: CheckMeta = CheckMeta {
    code: "DNS008",
    slug: "name-never-queried",
    domain: Domain::Dns,
    severity: Severity::Error,
    status: CheckStatus::Stable,
    title: "Go sends no DNS query for this name",
    ok_title: "The name is one Go's resolver will query",
    doc: include_str!("../../../../docs/checks/DNS008.md"),
};

impl Check<Context> for NameNeverQueried {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.no_prediction()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let Some(decision) = &context.prediction.decision else {
            return Vec::new();
        };
        if decision.order == Order::Cgo || !decision.order.uses_dns() {
            return Vec::new();
        }
        let Err(why) = &context.prediction.go_names else {
            return Vec::new();
        };
        let (title, message, fix) = match why {
            NoQuery::NotADomainName(problem) => (
                format!("`{}` is not a valid host name for Go", context.name),
                format!(
                    "Go checks every name with isDomainName before asking DNS: {problem}. Go then \
                     reports \"lookup {}: no such host\" without sending a query; only an \
                     /etc/hosts entry can still match.",
                    context.name
                ),
                Fix::manual(
                    "use the host's real DNS name (letters, digits, `-`, `_`, dots; labels of 1 to 63 bytes)",
                ),
            ),
            NoQuery::TooLong => (
                format!("`{}` is too long for DNS", context.name),
                "A DNS name has at most 253 bytes (254 with the trailing dot); Go sends no query."
                    .to_owned(),
                Fix::manual("use a shorter name"),
            ),
            NoQuery::Onion => (
                format!("Go never asks DNS for `{}`", context.name),
                "`.onion` names are special-use (RFC 7686): Go's resolver drops every candidate \
                 that ends in .onion and returns no addresses and no error."
                    .to_owned(),
                Fix::manual(
                    "reach .onion services through a Tor SOCKS proxy (for example with golang.org/x/net/proxy), not DNS",
                ),
            ),
        };
        vec![
            Finding::new(&META, title, message)
                .subject(context.name.clone())
                .evidence(Evidence::command(format!(
                    "GODEBUG=netdns=go+2 ./yourprogram   # hostLookupOrder({}) = {} and no query",
                    context.name,
                    decision.order.as_str()
                )))
                .fix(fix),
        ]
    }
}

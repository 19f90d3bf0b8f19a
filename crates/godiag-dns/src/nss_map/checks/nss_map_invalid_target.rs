//! NSS003: an address or a DNS server in a rule does not parse.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Severity};
use godiag_nssmap::ProblemKind;

use crate::nss_map::Context;

/// The module skips a rule with an address or server it cannot read.
pub(crate) struct NssMapInvalidTarget;

const META: CheckMeta = CheckMeta {
    code: "NSS003",
    slug: "nss-map-invalid-target",
    domain: Domain::Nss,
    severity: Severity::Error,
    status: CheckStatus::Stable,
    title: "An NSS map rule has an address or DNS server that does not parse",
    ok_title: "Every address and DNS server in the NSS map parses",
    doc: include_str!("../../../../../docs/checks/NSS003.md"),
};

impl Check<Context> for NssMapInvalidTarget {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.unreadable()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        context.findings(&META, |kind| match kind {
            ProblemKind::InvalidAddress { token } => Some((
                format!("`{token}` is not an IPv4 or IPv6 address: the rule is ignored"),
                "After the name come IPv4 or IPv6 addresses (`10.1.2.3`, `fd00::3`), or \
                 `dns` and servers. One word that is neither makes the module skip the whole \
                 line rather than answer with part of it."
                    .to_owned(),
                format!("correct or remove `{token}`"),
            )),
            ProblemKind::InvalidServer { token } => Some((
                format!("`{token}` is not a DNS server address: the rule is ignored"),
                "A server is `ADDRESS` (port 53), `IPV4:PORT` or `[IPV6]:PORT`, with a port \
                 from 1 to 65535; names are not allowed, since resolving the server would \
                 need the resolver being configured. The module skips the whole line."
                    .to_owned(),
                format!("write `{token}` as ADDRESS, IPV4:PORT or [IPV6]:PORT"),
            )),
            _ => None,
        })
    }
}

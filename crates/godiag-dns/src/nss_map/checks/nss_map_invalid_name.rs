//! NSS002: a line's first word is not a host name or wildcard.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Severity};
use godiag_nssmap::ProblemKind;

use crate::nss_map::Context;

/// The module skips a rule whose pattern is not a host name or `*.DOMAIN`.
pub(crate) struct NssMapInvalidName;

const META: CheckMeta = CheckMeta {
    code: "NSS002",
    slug: "nss-map-invalid-name",
    domain: Domain::Nss,
    severity: Severity::Error,
    status: CheckStatus::Stable,
    title: "An NSS map rule's name is not a host name or wildcard",
    ok_title: "Every NSS map rule names a host or a wildcard",
    doc: include_str!("../../../../../docs/checks/NSS002.md"),
};

impl Check<Context> for NssMapInvalidName {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.unreadable()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        context.findings(&META, |kind| match kind {
            ProblemKind::InvalidName { name } => Some((
                format!("`{name}` is not a host name or `*.DOMAIN`: the line is ignored"),
                "A rule starts with a host name (labels of letters, digits, `-` and `_`, \
                 1-63 bytes each, 253 in all) or `*.` and a domain; a `*` anywhere else is \
                 not a wildcard. The module skips the whole line, so the names it was meant \
                 for go on to the next source on the hosts line."
                    .to_owned(),
                format!("write `{name}` as a host name or `*.DOMAIN`"),
            )),
            _ => None,
        })
    }
}

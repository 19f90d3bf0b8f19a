//! NSS004: a rule has a name but nothing to resolve it to.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Severity};
use godiag_nssmap::ProblemKind;

use crate::nss_map::Context;

/// A name without addresses, or `dns` without servers.
pub(crate) struct NssMapMissingTarget;

const META: CheckMeta = CheckMeta {
    code: "NSS004",
    slug: "nss-map-missing-target",
    domain: Domain::Nss,
    severity: Severity::Error,
    status: CheckStatus::Stable,
    title: "An NSS map rule has no addresses or DNS servers",
    ok_title: "Every NSS map rule says what its names resolve to",
    doc: include_str!("../../../../../docs/checks/NSS004.md"),
};

impl Check<Context> for NssMapMissingTarget {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.unreadable()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        context.findings(&META, |kind| match kind {
            ProblemKind::MissingTarget { pattern } => Some((
                format!("`{pattern}` has nothing to resolve to: the line is ignored"),
                "A rule needs at least one address after the name, or `dns` and at least one \
                 server. The module skips this line, so the name goes on to the next source \
                 on the hosts line."
                    .to_owned(),
                format!("add addresses or `dns SERVER` after `{pattern}`, or remove the line"),
            )),
            _ => None,
        })
    }
}

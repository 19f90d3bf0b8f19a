//! NSS006: an `options` word is unknown or out of range.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Severity};
use godiag_nssmap::ProblemKind;

use crate::nss_map::Context;

/// `options` takes `timeout:1-30` and `attempts:1-5`; anything else is ignored.
pub(crate) struct NssMapInvalidOption;

const META: CheckMeta = CheckMeta {
    code: "NSS006",
    slug: "nss-map-invalid-option",
    domain: Domain::Nss,
    severity: Severity::Warning,
    status: CheckStatus::Stable,
    title: "An NSS map option is unknown or out of range",
    ok_title: "Every NSS map option is known and in range",
    doc: include_str!("../../../../../docs/checks/NSS006.md"),
};

impl Check<Context> for NssMapInvalidOption {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.unreadable()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        context.findings(&META, |kind| {
            let (option, why) = match kind {
                ProblemKind::UnknownOption { option } => (option, "is not an option"),
                ProblemKind::InvalidOptionValue { option } => (option, "is out of range"),
                _ => return None,
            };
            Some((
                format!("`{option}` {why}: the default stays in effect"),
                "The map knows `timeout:N` (seconds per server and attempt, 1-30) and \
                 `attempts:N` (rounds over the servers, 1-5), as resolv.conf(5) bounds them; \
                 the defaults are 1 s and 2. A `dns` rule's lookup of a name whose servers \
                 do not answer ends after timeout × attempts × servers."
                    .to_owned(),
                format!("correct or remove `{option}`"),
            ))
        })
    }
}

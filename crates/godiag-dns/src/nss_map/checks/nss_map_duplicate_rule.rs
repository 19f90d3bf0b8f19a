//! NSS005: a pattern appears on more than one line.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Severity};
use godiag_nssmap::ProblemKind;

use crate::nss_map::Context;

/// The first rule for a pattern wins; later ones are dead.
pub(crate) struct NssMapDuplicateRule;

const META: CheckMeta = CheckMeta {
    code: "NSS005",
    slug: "nss-map-duplicate-rule",
    domain: Domain::Nss,
    severity: Severity::Warning,
    status: CheckStatus::Stable,
    title: "An NSS map pattern has more than one rule; only the first is used",
    ok_title: "Every NSS map pattern has one rule",
    doc: include_str!("../../../../../docs/checks/NSS005.md"),
};

impl Check<Context> for NssMapDuplicateRule {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.unreadable()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        context.findings(&META, |kind| match kind {
            ProblemKind::DuplicateRule {
                pattern,
                first_line,
            } => Some((
                format!("`{pattern}` is already mapped on line {first_line}: this line is unused"),
                format!(
                    "Patterns compare without case and without a trailing dot, and the first \
                     line for a pattern wins, as in /etc/hosts. The addresses or servers on \
                     this line are never used; an edit here changes nothing until line \
                     {first_line} goes."
                ),
                format!("merge this line into line {first_line}, or remove one of them"),
            )),
            _ => None,
        })
    }
}

//! CORE001: a check did not finish before the deadline.

use crate::meta::{CheckMeta, CheckStatus, Domain, Severity};

/// A check did not finish before the deadline.
pub const CHECK_TIMED_OUT: CheckMeta = CheckMeta {
    code: "CORE001",
    slug: "check-timed-out",
    domain: Domain::Core,
    severity: Severity::Warning,
    status: CheckStatus::Stable,
    title: "A check did not finish before the deadline",
    ok_title: "Every check finished before the deadline",
    doc: include_str!("../../../../docs/checks/CORE001.md"),
};

//! CORE002: a check could not run.

use crate::meta::{CheckMeta, CheckStatus, Domain, Severity};

/// A check could not run (it panicked or could not read what it needs).
pub const CHECK_FAILED: CheckMeta = CheckMeta {
    code: "CORE002",
    slug: "check-failed",
    domain: Domain::Core,
    severity: Severity::Warning,
    status: CheckStatus::Stable,
    title: "A check could not run",
    ok_title: "Every check ran",
    doc: include_str!("../../../../docs/checks/CORE002.md"),
};

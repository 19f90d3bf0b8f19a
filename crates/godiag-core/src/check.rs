//! The registry model: what a check is called, where it belongs, how it is documented.
//!
//! Each domain keeps one `const` table of [`CheckMeta`]; the binary concatenates the tables
//! for `explain`, SARIF rules and the docs index. Dispatch belongs to the domains, not to a
//! match over codes.

use serde::{Deserialize, Serialize};

use crate::finding::Severity;

/// The area a check belongs to; also the grouping in human output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Domain {
    /// godiag itself: checks that could not run or timed out.
    Core,
    /// Name resolution.
    Dns,
    /// Go environment and modules.
    Go,
    /// Local reachability.
    Net,
    /// OpenTelemetry Collector configuration.
    Otel,
    /// Jaeger sampling strategies.
    Samp,
    /// Prometheus exposition.
    Prom,
    /// The map of the NSS module `libnss_godiag.so.2`.
    Nss,
}

impl Domain {
    /// Returns the lowercase name used in JSON and as the code's prefix family.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Core => "core",
            Self::Dns => "dns",
            Self::Go => "go",
            Self::Net => "net",
            Self::Otel => "otel",
            Self::Samp => "samp",
            Self::Prom => "prom",
            Self::Nss => "nss",
        }
    }

    /// Returns the heading human output uses for this domain.
    #[must_use]
    pub fn heading(self) -> &'static str {
        match self {
            Self::Core => "godiag",
            Self::Dns => "Name resolution",
            Self::Go => "Go environment",
            Self::Net => "Reachability",
            Self::Otel => "Collector config",
            Self::Samp => "Sampling strategies",
            Self::Prom => "Prometheus metrics",
            Self::Nss => "NSS map",
        }
    }

    /// Returns the prefix every code of this domain starts with.
    #[must_use]
    pub fn code_prefix(self) -> &'static str {
        match self {
            Self::Core => "CORE",
            Self::Dns => "DNS",
            Self::Go => "GO",
            Self::Net => "NET",
            Self::Otel => "OTEL",
            Self::Samp => "SAMP",
            Self::Prom => "PROM",
            Self::Nss => "NSS",
        }
    }
}

/// Whether a code is in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    /// Reported by default.
    Stable,
    /// New; may change.
    Preview,
    /// No longer reported; the code is kept so it is never reused.
    Retired,
}

/// The identity and documentation of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckMeta {
    /// Stable code, e.g. `GO004`. Never reused or renumbered.
    pub code: &'static str,
    /// Kebab-case name of the problem, e.g. `goenv-shadowed-by-environment`.
    pub slug: &'static str,
    /// The domain.
    pub domain: Domain,
    /// Default severity of a finding.
    pub severity: Severity,
    /// Stable, preview or retired.
    pub status: CheckStatus,
    /// One line naming the problem.
    pub title: &'static str,
    /// One line saying what was verified when nothing is wrong.
    pub ok_title: &'static str,
    /// The user page (`docs/checks/CODE.md`), embedded so `godiag explain` works anywhere.
    pub doc: &'static str,
}

/// godiag's own codes: checks that could not finish.
pub mod core_checks {
    use super::{CheckMeta, CheckStatus, Domain};
    use crate::finding::Severity;

    /// A check did not finish before the deadline.
    pub const CHECK_TIMED_OUT: CheckMeta = CheckMeta {
        code: "CORE001",
        slug: "check-timed-out",
        domain: Domain::Core,
        severity: Severity::Warning,
        status: CheckStatus::Stable,
        title: "A check did not finish before the deadline",
        ok_title: "Every check finished before the deadline",
        doc: include_str!("../../../docs/checks/CORE001.md"),
    };

    /// A check could not run (it panicked or could not read what it needs).
    pub const CHECK_FAILED: CheckMeta = CheckMeta {
        code: "CORE002",
        slug: "check-failed",
        domain: Domain::Core,
        severity: Severity::Warning,
        status: CheckStatus::Stable,
        title: "A check could not run",
        ok_title: "Every check ran",
        doc: include_str!("../../../docs/checks/CORE002.md"),
    };

    /// Every core check, in code order.
    pub const ALL: &[CheckMeta] = &[CHECK_TIMED_OUT, CHECK_FAILED];
}

/// A check: its identity and how it turns a domain's context into findings.
///
/// A check returns no findings when all is well; the runner then records an `ok` finding
/// with the check's `ok_title`. A check that has nothing to examine in this context says so
/// in [`Check::skip_reason`], and the runner records it as skipped instead of running it: a
/// ✔ means the check looked.
pub trait Check<C: ?Sized>: Send + Sync {
    /// The check's registry entry.
    fn meta(&self) -> &'static CheckMeta;
    /// Why there is nothing for this check to examine here ("nothing listens on port 8080",
    /// "this is not WSL"), or `None` when it can run.
    fn skip_reason(&self, _context: &C) -> Option<String> {
        None
    }
    /// Runs the check.
    fn run(&self, context: &C) -> Vec<crate::finding::Finding>;
}

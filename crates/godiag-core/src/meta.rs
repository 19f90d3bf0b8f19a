//! The registry model: what a check is called, where it belongs, how serious it is and how
//! it is documented.
//!
//! This is the bottom of the crate's module graph: [`crate::finding`] builds findings from a
//! [`CheckMeta`], and [`crate::check`] runs checks that return findings, so neither may be
//! below the other's vocabulary. `check` and `finding` re-export these types under their
//! historical paths.

use serde::{Deserialize, Serialize};

/// How serious a finding is. Ordered from least to most serious.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The check had nothing to examine (no listener, not WSL, a file that did not parse); the
    /// finding's `skip_reason` says why. Never counted as passed.
    Skipped,
    /// The check looked and found nothing wrong.
    Ok,
    /// Worth knowing; nothing is broken.
    Info,
    /// Likely to break something for some process or some day.
    Warning,
    /// Breaks something now.
    Error,
}

impl Severity {
    /// Returns the lowercase name used in every output format.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Skipped => "skipped",
            Self::Ok => "ok",
            Self::Info => "info",
            Self::Warning => "warning",
            Self::Error => "error",
        }
    }
}

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
    /// The domain whose command runs the check; the code carries its prefix (`DNS` for
    /// [`Domain::Dns`]).
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

//! The foundation every godiag domain plugs into.
//!
//! Findings and reports ([`finding`], [`report`]), the registry model ([`meta`]), the
//! [`check`] trait and godiag's own codes ([`checks`]), the one seam to the machine
//! ([`host`]) and its one network seam ([`net`]), the deadline-bounded runner ([`runner`]),
//! the renderers ([`render`]), credential redaction ([`redact`]), safe file edits ([`edit`])
//! and the progress reports behind the binary's spinner ([`progress`]).
//! Nothing here knows about a particular domain.

pub mod check;
pub mod checks;
pub mod edit;
pub mod finding;
pub mod fold;
pub mod host;
pub mod meta;
pub mod net;
pub mod progress;
pub mod redact;
pub mod render;
pub mod report;
pub mod runner;
pub mod text;

pub use edit::FixEdit;
pub use finding::{Evidence, EvidenceKind, Finding, Fix, FixKind, Location, Severity};
pub use host::{FixtureHost, Host, RealHost};
pub use meta::{CheckMeta, CheckStatus, Domain};
pub use report::Report;

//! The foundation every godiag domain plugs into.
//!
//! Findings and reports ([`finding`], [`report`]), the registry of checks ([`check`]), the one
//! seam to the machine ([`host`]), the deadline-bounded runner ([`runner`]), the renderers
//! ([`render`]), credential redaction ([`redact`]), safe file edits ([`edit`]) and the progress
//! reports behind the binary's spinner ([`progress`]).
//! Nothing here knows about a particular domain.

pub mod check;
pub mod edit;
pub mod finding;
pub mod fold;
pub mod host;
pub mod progress;
pub mod redact;
pub mod render;
pub mod report;
pub mod runner;
pub mod text;

pub use check::{CheckMeta, CheckStatus, Domain};
pub use finding::{Evidence, EvidenceKind, Finding, Fix, FixEdit, FixKind, Location, Severity};
pub use host::{FixtureHost, Host, RealHost};
pub use report::Report;

//! What a check does: the [`Check`] trait every domain's checks implement.
//!
//! Each domain keeps one `const` table of checks; the binary concatenates their [`CheckMeta`]
//! for `explain`, SARIF rules and the docs index. Dispatch belongs to the domains, not to a
//! match over codes. The registry entry itself lives in [`crate::meta`], below findings, so
//! that a finding can name its check without this module depending on findings both ways.

pub use crate::meta::{CheckMeta, CheckStatus, Domain};

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

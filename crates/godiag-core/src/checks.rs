//! godiag's own codes: a check that could not finish (CORE001) or could not run (CORE002).
//!
//! They are not [`Check`](crate::check::Check)s: the runner reports them for any domain's
//! check. They live in files named by their slugs like every domain's checks, so one registry
//! rule covers every code.

mod check_failed;
mod check_timed_out;

pub use check_failed::CHECK_FAILED;
pub use check_timed_out::CHECK_TIMED_OUT;

use crate::meta::CheckMeta;

/// Every core check, in code order.
pub const ALL: &[CheckMeta] = &[CHECK_TIMED_OUT, CHECK_FAILED];

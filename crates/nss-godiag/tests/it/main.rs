//! Real-system tests of `libnss_godiag.so.2`: the C harness (gcc, valgrind) calling the entry
//! points directly, and glibc's own getent in a mount namespace.
// These tests build machines and run real programs; the Host seam is godiag's rule, not theirs.
#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    clippy::print_stderr,
    clippy::missing_panics_doc,
    unreachable_pub
)]

mod dns_rule;
mod getent;
mod git_remote;
mod harness;
mod peers;

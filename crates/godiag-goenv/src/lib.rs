//! The Go environment domain: every `go env` value with its source, where Go variables are
//! exported in startup files, and the checks over them.
//!
//! Parsers ([`envfile`], [`quoted`], [`startup`]) are pure; [`resolve`] computes the
//! environment through `Host`; [`fetch`] replays the go command's download of one module;
//! [`checks`] turns all of it into findings. Nothing here prints.
//!
//! The go command's rules that other crates share (build info, running `go`, versions,
//! module path escaping, go.mod, GOPROXY lists, sumdb notes, dirhash, the module cache
//! layout) are in godiag-go; this crate owns the Go environment and the fetch walk.

pub mod checks;
pub mod domain;
pub mod envfile;
pub mod fetch;
pub mod known;
pub mod model;
pub mod mounts;
pub mod paths;
pub mod quoted;
pub mod resolve;
pub mod startup;

use godiag_core::check::CheckMeta;

/// The registry entries of every check of the domain, `go env`'s then `go fetch`'s, in code
/// order: what `godiag explain` and SARIF rules list.
#[must_use]
pub fn registry() -> Vec<CheckMeta> {
    let mut all = checks::registry();
    all.extend(fetch::checks::registry());
    all
}

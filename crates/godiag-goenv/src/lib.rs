//! The Go environment domain: every `go env` value with its source, where Go variables are
//! exported in startup files, and the checks over them.
//!
//! Parsers ([`envfile`], [`buildinfo`], [`quoted`], [`startup`]) are pure; [`resolve`] computes
//! the environment through `Host`; [`gocmd`] asks the real go command; [`checks`] turns all of
//! it into findings. Nothing here prints.

pub mod buildinfo;
pub mod checks;
pub mod dirhash;
pub mod domain;
pub mod envfile;
pub mod escape;
pub mod fetch;
pub mod gocmd;
pub mod goproxy;
pub mod gover;
pub mod known;
pub mod model;
pub mod modfile;
pub mod mounts;
pub mod note;
pub mod paths;
pub mod patterns;
pub mod quoted;
pub mod resolve;
pub mod semver;
pub mod startup;

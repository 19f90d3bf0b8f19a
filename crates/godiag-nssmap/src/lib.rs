//! The map behind `libnss_godiag.so.2`: which private names resolve to fixed addresses and
//! which are asked of a per-domain DNS server.
//!
//! [`parse()`] reads the map text (pure, with positions, for `godiag lint`); [`Map::rule_for`]
//! picks the most specific rule for a name; [`resolve()`] answers a lookup from a map, asking a
//! DNS server through [`forward`] for `dns` rules; [`cache`] keeps the map loaded and re-reads
//! it when its mtime changes. Nothing here is `unsafe`, prints, spawns threads or keeps
//! anything past a call except the cached map: the NSS shim (crate `nss-godiag`) only marshals
//! these answers into glibc's buffers.

pub mod answer;
pub mod cache;
pub mod forward;
pub mod map;
pub mod parse;
pub mod resolve;
mod wire;

pub use cache::{MapCache, Unavailable};
pub use map::{Map, Options, Pattern, Position, Rule, Target, normalise_name};
pub use parse::{Parsed, Problem, ProblemKind, parse};
pub use resolve::{Answer, Family, Lookup, Reverse, resolve, reverse};

/// The map glibc processes read unless `GODIAG_NSS_MAP` says otherwise.
pub const DEFAULT_MAP_PATH: &str = "/etc/godiag/nss.map";

/// The environment variable naming another map; the module reads it with `secure_getenv`, so
/// setuid and setgid programs always use [`DEFAULT_MAP_PATH`].
pub const MAP_PATH_ENV: &str = "GODIAG_NSS_MAP";

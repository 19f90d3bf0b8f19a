//! Local reachability: why a server on a port is or is not reachable.
//!
//! The socket table with owners and the meaning of each bind in Go's terms ([`listeners`],
//! [`bind`]), connection probes ([`probe`]) and the checks over them ([`checks`]).
//! Parsers ([`parse`]) are pure; the machine is reached through `Host` and, for sockets,
//! through [`kernel::Kernel`]; traffic goes through godiag-core's network seam. Nothing here
//! prints.

pub mod bind;
pub mod checks;
pub mod doctor;
pub mod domain;
pub mod environment;
pub mod firewall;
pub mod kernel;
pub mod listeners;
pub mod model;
pub mod parse;
pub mod probe;
pub mod sources;

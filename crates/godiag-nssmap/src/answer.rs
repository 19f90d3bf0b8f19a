//! What a lookup yields, shared by the map's own answers and forwarded ones, so that
//! [`resolve`](mod@crate::resolve) and [`forward`](mod@crate::forward) depend on it and never on
//! each other.

use std::net::IpAddr;

/// Which addresses a caller wants, as glibc's `af` argument says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// `AF_INET` only.
    V4,
    /// `AF_INET6` only.
    V6,
    /// `AF_UNSPEC` (`gethostbyname4_r`): both, in one answer.
    Any,
}

/// A name's addresses and the name to report as canonical.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The canonical name: the rule's own spelling for an exact rule, the queried name for a
    /// wildcard, the end of the CNAME chain for a `dns` rule.
    pub canonical: String,
    /// The addresses of the wanted family, in rule or answer order; never empty.
    pub addresses: Vec<IpAddr>,
    /// Seconds a caller may keep the answer (0 for fixed addresses, which change only with
    /// the map).
    pub ttl: u32,
}

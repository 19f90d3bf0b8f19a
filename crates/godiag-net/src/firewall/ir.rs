//! One model for every packet filter godiag reads: nftables JSON and `iptables-save` output
//! are both converted into base chains of rules with conditions and actions, and one
//! evaluator ([`super::eval`]) decides what happens to a packet.
//!
//! Conditions godiag cannot evaluate stay in the model as [`Cond::Unknown`] with their text,
//! so a verdict that depends on them is reported as unknown, never guessed.

use std::net::IpAddr;

use crate::model::Family;

/// A comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// Equal, or "one of" for a set.
    Eq,
    /// Not equal, or "none of".
    Ne,
    /// Less than.
    Lt,
    /// Greater than.
    Gt,
    /// At most.
    Le,
    /// At least.
    Ge,
}

/// A value a field is compared with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// A number (a port, a protocol number).
    Number(u64),
    /// A word (`lo`, `tcp`, `new`, an interface pattern `eth*`).
    Word(String),
    /// An address prefix (a single address has the full length).
    Prefix(IpAddr, u8),
    /// An inclusive range of numbers.
    Range(u64, u64),
    /// An inclusive range of addresses.
    AddrRange(IpAddr, IpAddr),
    /// Any of these values.
    Set(Vec<Self>),
    /// A value godiag cannot interpret.
    Opaque(String),
}

/// A packet field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// The input interface name (`iif`, `iifname`, `-i`).
    Iif,
    /// The layer-4 protocol (`meta l4proto`, `ip protocol`, `-p`).
    L4proto,
    /// The network family (`meta nfproto`).
    Nfproto,
    /// The TCP/UDP destination port.
    Dport,
    /// The `ICMPv6` type.
    Icmpv6Type,
    /// The TCP/UDP source port.
    Sport,
    /// The source address.
    Saddr,
    /// The destination address.
    Daddr,
    /// Conntrack state (`new`, `established`, ...).
    CtState,
    /// Conntrack status (`dnat`, ...).
    CtStatus,
    /// The destination address type (`local`, `broadcast`, ...).
    DaddrType,
    /// Whether a route back to the source exists (reverse-path check).
    RouteBackMissing,
}

/// A condition of a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cond {
    /// `FIELD OP VALUE`.
    Match(Field, Op, Value),
    /// True only for packets of this family (an `ip`/`ip6` header match in an `inet` table).
    Family(Family),
    /// A condition godiag does not evaluate; the text says what it was.
    Unknown(String),
}

/// What a rule does when its conditions hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Accept: leave this base chain.
    Accept,
    /// Drop: final.
    Drop,
    /// Reject with the given kind (`tcp reset`, `icmp port-unreachable`, ...): final.
    Reject(String),
    /// Evaluate a chain, then come back.
    Jump(String),
    /// Evaluate a chain instead of the rest of this one.
    Goto(String),
    /// Leave this chain.
    Return,
    /// Nothing that decides (counter, log, a mark).
    Continue,
    /// Rewrites the destination (DNAT, redirect): the packet may not be for this port anymore.
    Redirect(String),
    /// A verdict godiag cannot evaluate (`queue`, an unknown target).
    Unknown(String),
}

/// One rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// All must hold.
    pub conds: Vec<Cond>,
    /// What happens then.
    pub action: Action,
    /// The rule as its tool prints it, e.g. `tcp dport 8080 accept` or `-A INPUT -p tcp ...`.
    pub text: String,
    /// Where it is: `handle 4` or `line 7`.
    pub position: String,
}

/// The default of a base chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// Accept what no rule decided.
    Accept,
    /// Drop what no rule decided.
    Drop,
}

/// A chain of rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chain {
    /// The chain's name as its tool prints it, e.g. `INPUT` or `ufw-user-input`.
    pub name: String,
    /// The rules, in order.
    pub rules: Vec<Rule>,
}

/// Where a base chain hooks in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Hook {
    /// Before routing (raw, conntrack, mangle, DNAT).
    Prerouting,
    /// Local delivery (filter, security).
    Input,
}

/// What kind of base chain it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChainType {
    /// Filtering: its verdicts decide.
    Filter,
    /// Address translation: only its redirects matter here.
    Nat,
}

/// A base chain and the table it lives in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseChain {
    /// Which tool manages it: `nftables`, `iptables`, `iptables-legacy`.
    pub tool: String,
    /// The table as its tool names it: `inet filter`, `ip6 filter`, `filter`.
    pub table: String,
    /// The families it sees.
    pub families: Vec<Family>,
    /// The netfilter hook the chain is attached to (`input` for connections to this machine).
    pub hook: Hook,
    /// The priority (lower runs first).
    pub priority: i32,
    /// Filter or NAT.
    pub kind: ChainType,
    /// The chain itself.
    pub chain: Chain,
    /// Its default.
    pub policy: Policy,
    /// Every chain of the same table, for jumps.
    pub table_chains: std::sync::Arc<Vec<Chain>>,
}

/// Everything that filters inbound packets on this machine.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ruleset {
    /// Base chains on the prerouting and input hooks, in no particular order.
    pub base_chains: Vec<BaseChain>,
}

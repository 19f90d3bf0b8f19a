//! What the packet filter does to a new inbound TCP connection.
//!
//! Netfilter's model (nft(8) "VERDICT STATEMENT"; research notes 2.1): base chains on the
//! prerouting and input hooks run in ascending priority; `accept` ends only the current base
//! chain, `drop` and `reject` are final; `jump` returns, `goto` does not; `return` or the end
//! of a base chain applies its policy. A packet is delivered only if no base chain drops it.
//! Conditions godiag does not evaluate make both outcomes possible: when they differ, the
//! verdict is unknown and names the rule.

use std::net::IpAddr;

use serde::Serialize;

use super::ir::{
    Action, BaseChain, Chain, ChainType, Cond, Field, Op, Policy, Rule, Ruleset, Value,
};
use crate::model::Family;

/// A new inbound TCP connection (conntrack state `new`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet {
    /// The address family, which picks the IPv4 or IPv6 rules.
    pub family: Family,
    /// The interface it arrives on (`lo` for loopback).
    pub iif: String,
    /// Its source address.
    pub saddr: IpAddr,
    /// Its destination, an address of this machine.
    pub daddr: IpAddr,
    /// The destination port (TCP).
    pub dport: u16,
    /// `Some(type)` for an `ICMPv6` packet (neighbour discovery) instead of a TCP SYN.
    pub icmpv6_type: Option<u8>,
}

/// What happens to the packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Delivered to the socket (if one listens).
    Accept,
    /// Silently dropped: the client times out.
    Drop,
    /// Refused with an error the client sees.
    Reject,
    /// godiag cannot tell.
    Unknown,
}

impl Verdict {
    /// Returns the lowercase name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accept => "accept",
            Self::Drop => "drop",
            Self::Reject => "reject",
            Self::Unknown => "unknown",
        }
    }
}

/// The verdict and the rule behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// What happens.
    pub verdict: Verdict,
    /// The deciding rule, e.g. `nftables inet filter input handle 4: tcp dport 8080 accept`.
    pub rule: Option<String>,
    /// For a reject: how (`tcp reset`, `icmpx admin-prohibited`, ...).
    pub reject_with: Option<String>,
    /// For an unknown verdict: what godiag could not evaluate.
    pub unknown_because: Option<String>,
    /// Base chains that do not accept the packet, as `tool table chain` (for fixes).
    pub blocking_chains: Vec<BlockingChain>,
}

/// A base chain that drops or rejects the packet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BlockingChain {
    /// `nftables`, `iptables`, `iptables-legacy`.
    pub tool: String,
    /// The table as its tool names it.
    pub table: String,
    /// The base chain.
    pub chain: String,
    /// The family of the packet it blocked.
    pub family: Family,
}

/// How evaluating a chain ended.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Flow {
    Accept(String),
    Drop(String),
    Reject(String, String),
    Redirect(String),
    Return,
    Unknown(String),
}

impl Flow {
    fn same_outcome(&self, other: &Self) -> bool {
        matches!(
            (self, other),
            (Self::Accept(_), Self::Accept(_))
                | (Self::Drop(_), Self::Drop(_))
                | (Self::Reject(..), Self::Reject(..))
                | (Self::Redirect(_), Self::Redirect(_))
                | (Self::Return, Self::Return)
        )
    }
}

/// Three-valued truth.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tri {
    True,
    False,
    Unknown(String),
}

const MAX_DEPTH: usize = 32;
const MAX_STEPS: usize = 20_000;

struct Walker<'a> {
    base: &'a BaseChain,
    packet: &'a Packet,
    steps: usize,
}

/// Decides what the ruleset does to the packet.
#[must_use]
pub fn decide(ruleset: &Ruleset, packet: &Packet) -> Decision {
    let mut chains: Vec<&BaseChain> = ruleset
        .base_chains
        .iter()
        .filter(|base| base.families.contains(&packet.family))
        .collect();
    chains.sort_by_key(|base| (base.hook, base.priority));
    let mut unknown: Option<String> = None;
    let mut accepted_by: Option<String> = None;
    let mut final_flow: Option<(Flow, &BaseChain)> = None;
    for base in chains {
        let mut walker = Walker {
            base,
            packet,
            steps: 0,
        };
        let flow = walker.run(&base.chain, 0, 0);
        let label = format!("{} {} {}", base.tool, base.table, base.chain.name);
        match (base.kind, flow) {
            (ChainType::Nat, Flow::Redirect(hit)) => {
                unknown.get_or_insert(format!(
                    "{hit} rewrites the destination (DNAT or redirect), so the packet is not \
                     delivered to this port as sent"
                ));
            }
            (ChainType::Nat, _) => {}
            (ChainType::Filter, Flow::Accept(hit)) => {
                if base.policy == Policy::Drop || accepted_by.is_none() {
                    accepted_by = Some(hit);
                }
            }
            (ChainType::Filter, Flow::Return | Flow::Redirect(_)) => {
                if base.policy == Policy::Drop {
                    final_flow = Some((Flow::Drop(format!("{label}: policy drop")), base));
                    break;
                }
            }
            (ChainType::Filter, flow @ (Flow::Drop(_) | Flow::Reject(..))) => {
                final_flow = Some((flow, base));
                break;
            }
            (_, Flow::Unknown(why)) => {
                unknown.get_or_insert(why);
            }
        }
    }
    let blocking = |base: &BaseChain| {
        vec![BlockingChain {
            tool: base.tool.clone(),
            table: base.table.clone(),
            chain: base.chain.name.clone(),
            family: packet.family,
        }]
    };
    match final_flow {
        Some((Flow::Drop(hit), base)) => Decision {
            verdict: Verdict::Drop,
            rule: Some(hit),
            reject_with: None,
            unknown_because: unknown,
            blocking_chains: blocking(base),
        },
        Some((Flow::Reject(hit, kind), base)) => Decision {
            verdict: Verdict::Reject,
            rule: Some(hit),
            reject_with: Some(kind),
            unknown_because: unknown,
            blocking_chains: blocking(base),
        },
        _ if unknown.is_some() => Decision {
            verdict: Verdict::Unknown,
            rule: None,
            reject_with: None,
            unknown_because: unknown,
            blocking_chains: Vec::new(),
        },
        _ => Decision {
            verdict: Verdict::Accept,
            rule: accepted_by,
            reject_with: None,
            unknown_because: None,
            blocking_chains: Vec::new(),
        },
    }
}

impl Walker<'_> {
    /// Runs `chain` from rule `from`.
    fn run(&mut self, chain: &Chain, from: usize, depth: usize) -> Flow {
        if depth > MAX_DEPTH {
            return Flow::Unknown(format!("jumps nest deeper than {MAX_DEPTH} chains"));
        }
        for (index, rule) in chain.rules.iter().enumerate().skip(from) {
            self.steps += 1;
            if self.steps > MAX_STEPS {
                return Flow::Unknown("the ruleset is too large to evaluate".to_owned());
            }
            // A rule that only counts, logs or marks cannot change the outcome.
            if rule.action == Action::Continue {
                continue;
            }
            match self.matches(rule) {
                Tri::False => {}
                Tri::True => {
                    if let Some(flow) = self.apply(chain, rule, depth) {
                        return flow;
                    }
                }
                Tri::Unknown(why) => {
                    let skipped = self.run(chain, index + 1, depth);
                    let taken = self
                        .apply(chain, rule, depth)
                        .unwrap_or_else(|| skipped.clone());
                    // Both ways end alike: report the path that does not depend on the
                    // unevaluated condition.
                    if self
                        .settle(&taken, depth)
                        .same_outcome(&self.settle(&skipped, depth))
                    {
                        return skipped;
                    }
                    return Flow::Unknown(format!(
                        "{} may match ({why} is not evaluated by godiag)",
                        self.hit(chain, rule)
                    ));
                }
            }
        }
        Flow::Return
    }

    /// What a matching rule does; `None` means "go on with the next rule".
    fn apply(&mut self, chain: &Chain, rule: &Rule, depth: usize) -> Option<Flow> {
        let hit = || self.hit(chain, rule);
        match &rule.action {
            Action::Accept => Some(Flow::Accept(hit())),
            Action::Drop => Some(Flow::Drop(hit())),
            Action::Reject(kind) => Some(Flow::Reject(hit(), kind.clone())),
            Action::Redirect(_) => Some(Flow::Redirect(hit())),
            Action::Return => Some(Flow::Return),
            Action::Continue => None,
            Action::Unknown(what) => Some(Flow::Unknown(format!(
                "{} has a verdict godiag does not evaluate ({what})",
                hit()
            ))),
            Action::Jump(target) | Action::Goto(target) => {
                let Some(called) = self.base.table_chains.iter().find(|c| &c.name == target) else {
                    return Some(Flow::Unknown(format!("{} jumps to a missing chain", hit())));
                };
                let flow = self.run(called, 0, depth + 1);
                match (&rule.action, flow) {
                    // Back in this chain: the caller continues after this rule.
                    (Action::Jump(_), Flow::Return) => None,
                    (_, flow) => Some(flow),
                }
            }
        }
    }

    /// In a base chain, leaving it means its policy: compare outcomes that way.
    fn settle(&self, flow: &Flow, depth: usize) -> Flow {
        match (flow, depth, self.base.policy) {
            (Flow::Return, 0, Policy::Accept) => Flow::Accept(String::new()),
            (Flow::Return, 0, Policy::Drop) => Flow::Drop(String::new()),
            (other, ..) => other.clone(),
        }
    }

    fn hit(&self, chain: &Chain, rule: &Rule) -> String {
        format!(
            "{} {} {} {}: {}",
            self.base.tool, self.base.table, chain.name, rule.position, rule.text
        )
    }

    fn matches(&self, rule: &Rule) -> Tri {
        let mut unknown = None;
        for cond in &rule.conds {
            match self.cond(cond) {
                Tri::False => return Tri::False,
                Tri::Unknown(why) => {
                    unknown.get_or_insert(why);
                }
                Tri::True => {}
            }
        }
        unknown.map_or(Tri::True, Tri::Unknown)
    }

    fn cond(&self, cond: &Cond) -> Tri {
        let packet = self.packet;
        match cond {
            Cond::Family(family) => tri(*family == packet.family),
            Cond::Unknown(text) => Tri::Unknown(format!("`{text}`")),
            Cond::Match(field, op, value) => match field {
                Field::Iif => compare_word(*op, value, &packet.iif, true),
                Field::L4proto => compare_proto(*op, value, packet.icmpv6_type.is_some()),
                Field::Icmpv6Type => match packet.icmpv6_type {
                    Some(kind) => compare_icmpv6(*op, value, kind),
                    None => Tri::False,
                },
                Field::Nfproto => compare_word(
                    *op,
                    value,
                    match packet.family {
                        Family::Ipv4 => "ipv4",
                        Family::Ipv6 => "ipv6",
                    },
                    false,
                ),
                Field::Dport | Field::Sport if packet.icmpv6_type.is_some() => Tri::False,
                Field::Dport => compare_number(*op, value, u64::from(packet.dport)),
                Field::Sport => Tri::Unknown("the client's source port".to_owned()),
                Field::Saddr => compare_address(*op, value, packet.saddr),
                Field::Daddr => compare_address(*op, value, packet.daddr),
                // Conntrack leaves neighbour discovery untracked (`nf_conntrack_proto_icmpv6.c`
                // `noct_valid_new`).
                Field::CtState if packet.icmpv6_type.is_some() => {
                    compare_word(*op, value, "untracked", false)
                }
                Field::CtState => compare_word(*op, value, "new", false),
                Field::CtStatus => compare_word(*op, value, "", false),
                Field::DaddrType => compare_word(
                    *op,
                    value,
                    if packet.daddr.is_multicast() {
                        "multicast"
                    } else {
                        "local"
                    },
                    false,
                ),
                Field::RouteBackMissing => tri(matches!(*op, Op::Ne)),
            },
        }
    }
}

fn tri(value: bool) -> Tri {
    if value { Tri::True } else { Tri::False }
}

/// Applies `==`/`!=` over a value that may be a set.
fn any_of(op: Op, value: &Value, test: &dyn Fn(&Value) -> Option<bool>) -> Tri {
    let members: Vec<&Value> = match value {
        Value::Set(items) => items.iter().collect(),
        single => vec![single],
    };
    let mut unknown = false;
    let mut hit = false;
    for member in members {
        match test(member) {
            Some(true) => hit = true,
            Some(false) => {}
            None => unknown = true,
        }
    }
    if !hit && unknown {
        return Tri::Unknown(format!("the value {value:?}"));
    }
    match op {
        Op::Eq => tri(hit),
        Op::Ne => tri(!hit),
        _ => Tri::Unknown(format!("the comparison {op:?} on {value:?}")),
    }
}

fn compare_word(op: Op, value: &Value, actual: &str, wildcard: bool) -> Tri {
    any_of(op, value, &|member| match member {
        Value::Word(word) => Some(
            word == actual
                || (wildcard
                    && (word.ends_with('*') || word.ends_with('+'))
                    && actual.starts_with(&word[..word.len() - 1])),
        ),
        Value::Number(_) => Some(false),
        _ => None,
    })
}

fn compare_proto(op: Op, value: &Value, icmpv6: bool) -> Tri {
    any_of(op, value, &|member| match member {
        Value::Word(word) if icmpv6 => Some(matches!(
            word.as_str(),
            "ipv6-icmp" | "icmpv6" | "ipv6-icmpv6" | "icmp6"
        )),
        Value::Word(word) => Some(word == "tcp"),
        Value::Number(number) => Some(*number == if icmpv6 { 58 } else { 6 }),
        _ => None,
    })
}

/// `ICMPv6` type names as nft and ip6tables spell them.
fn compare_icmpv6(op: Op, value: &Value, kind: u8) -> Tri {
    const NAMES: &[(&str, u8)] = &[
        ("nd-router-solicit", 133),
        ("router-solicitation", 133),
        ("nd-router-advert", 134),
        ("router-advertisement", 134),
        ("nd-neighbor-solicit", 135),
        ("neighbour-solicitation", 135),
        ("neighbor-solicitation", 135),
        ("nd-neighbor-advert", 136),
        ("neighbour-advertisement", 136),
        ("neighbor-advertisement", 136),
        ("echo-request", 128),
        ("echo-reply", 129),
    ];
    any_of(op, value, &|member| match member {
        Value::Number(number) => Some(*number == u64::from(kind)),
        Value::Word(word) => NAMES
            .iter()
            .find(|(name, _)| name == word)
            .map(|(_, number)| *number == kind),
        _ => None,
    })
}

fn compare_number(op: Op, value: &Value, actual: u64) -> Tri {
    if let (Op::Lt | Op::Gt | Op::Le | Op::Ge, Value::Number(limit)) = (op, value) {
        return tri(match op {
            Op::Lt => actual < *limit,
            Op::Gt => actual > *limit,
            Op::Le => actual <= *limit,
            _ => actual >= *limit,
        });
    }
    any_of(op, value, &|member| match member {
        Value::Number(number) => Some(*number == actual),
        Value::Range(low, high) => Some((*low..=*high).contains(&actual)),
        _ => None,
    })
}

fn compare_address(op: Op, value: &Value, actual: IpAddr) -> Tri {
    any_of(op, value, &|member| match member {
        Value::Prefix(network, length) => Some(in_prefix(actual, *network, *length)),
        Value::AddrRange(low, high) => Some(match (actual, low, high) {
            (IpAddr::V4(a), IpAddr::V4(l), IpAddr::V4(h)) => (*l..=*h).contains(&a),
            (IpAddr::V6(a), IpAddr::V6(l), IpAddr::V6(h)) => (*l..=*h).contains(&a),
            _ => false,
        }),
        _ => None,
    })
}

/// True when `address` is inside `network/length` (different families never are).
#[must_use]
pub fn in_prefix(address: IpAddr, network: IpAddr, length: u8) -> bool {
    match (address, network) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = u32::MAX
                .checked_shl(32 - u32::from(length.min(32)))
                .unwrap_or(0);
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = u128::MAX
                .checked_shl(128 - u32::from(length.min(128)))
                .unwrap_or(0);
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

//! The packet filter: read every ruleset that sees inbound packets, and decide what it does
//! to a new TCP connection to the port from loopback, from the LAN and (on WSL) from the
//! Windows host.
//!
//! Read through `Host`: `nft -j list ruleset` (not run when the kernel, asked through
//! [`Kernel`], holds no nftables table); for tables iptables-nft manages (opaque `xt`
//! matches in JSON) `iptables-nft-save`/`ip6tables-nft-save`; legacy `x_tables`, invisible to
//! nft, with `iptables-legacy-save` when `/proc/net/ip_tables_names` lists tables. firewalld
//! and ufw are front-ends over those rules: [`firewalld`] and [`ufw`] explain a decision in
//! their terms (zone, runtime versus permanent, `ufw allow`). All of it needs root.

pub mod eval;
pub mod firewalld;
pub mod fix;
pub mod iptables;
pub mod ir;
pub mod nft;
pub mod ufw;

#[cfg(test)]
mod tests;

use std::io;
use std::net::IpAddr;
use std::path::Path;
use std::time::Duration;

use godiag_core::host::{CommandLine, Host};
use serde::Serialize;

use self::eval::{Decision, Packet, Verdict};
use self::ir::Ruleset;
use crate::kernel::Kernel;
use crate::model::{ConnectOutcome, Family};

/// Which tool manages the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    /// Plain nftables rules.
    Nftables,
    /// iptables rules (legacy, or iptables-nft).
    Iptables,
    /// firewalld manages the rules; [`firewalld`] explains a verdict by zone, runtime and
    /// permanent.
    Firewalld,
    /// ufw manages the rules; [`ufw`] explains a verdict as the `ufw allow` rule behind it.
    Ufw,
    /// No rules that filter inbound packets.
    None,
}

/// Everything read about the packet filter.
#[derive(Debug, Clone)]
pub struct FirewallState {
    /// The managing tool.
    pub backend: Backend,
    /// The rules, converted.
    pub ruleset: Ruleset,
    /// False when the rules could not be read (not root, no tool).
    pub readable: bool,
    /// Why something could not be read.
    pub problems: Vec<String>,
    /// The commands whose output was used, for evidence.
    pub sources: Vec<String>,
    /// firewalld's configuration, when it manages the rules.
    pub firewalld: Option<firewalld::Firewalld>,
    /// ufw's configuration, when enabled.
    pub ufw: Option<ufw::Ufw>,
}

const COMMAND_TIMEOUT: Duration = Duration::from_secs(2);

/// What `read_from` says when the kernel reported no nftables table, so `nft` did not run.
pub const NO_NFTABLES: &str = "netlink NFT_MSG_GETTABLE: no nftables tables";

/// Reads the rules through `host`; `kernel` first says whether there are nftables tables
/// at all.
#[must_use]
pub fn read(host: &dyn Host, kernel: &dyn Kernel) -> FirewallState {
    let mut state = FirewallState {
        backend: Backend::None,
        ruleset: Ruleset::default(),
        readable: false,
        problems: Vec::new(),
        sources: Vec::new(),
        firewalld: None,
        ufw: None,
    };
    let mut nft_tables = Vec::new();
    if kernel.nftables_tables().is_ok_and(|count| count == 0) {
        // Starting nft costs more than everything else godiag reads here, and it would
        // print an empty ruleset.
        state.readable = true;
        state.sources.push(NO_NFTABLES.to_owned());
    } else {
        match run(host, "nft", &["-j", "list", "ruleset"]) {
            Ok(text) => match nft::parse(&text, "nft -j list ruleset") {
                Ok(tables) => {
                    state.readable = true;
                    state.sources.push("nft -j list ruleset".to_owned());
                    nft_tables = tables;
                }
                Err(error) => state.problems.push(error.to_string()),
            },
            Err(error) => state.problems.push(error),
        }
    }
    let mut iptables_used = false;
    for table in nft_tables {
        if table.has_xt {
            // iptables-nft's own extensions are opaque in JSON; its save format is not.
            let (family, save, tool) = match table.family.as_str() {
                "ip6" => (
                    Family::Ipv6,
                    ["ip6tables-nft-save", "ip6tables-save"],
                    "ip6tables",
                ),
                _ => (
                    Family::Ipv4,
                    ["iptables-nft-save", "iptables-save"],
                    "iptables",
                ),
            };
            if let Some(bases) = read_save(host, &save, family, tool, &table.name, &mut state) {
                state.ruleset.base_chains.extend(bases);
                iptables_used = true;
                continue;
            }
        }
        if table.name == "filter" && table.family != "inet" && !table.base_chains.is_empty() {
            iptables_used = true;
        }
        state.ruleset.base_chains.extend(table.base_chains);
    }
    iptables_used |= read_legacy(host, &mut state);
    state.firewalld = firewalld::read(host, &state.ruleset);
    state.ufw = ufw::read(host);
    state.backend = if state.firewalld.is_some() {
        Backend::Firewalld
    } else if state.ufw.as_ref().is_some_and(|ufw| ufw.enabled) {
        Backend::Ufw
    } else if iptables_used {
        Backend::Iptables
    } else if state.ruleset.base_chains.is_empty() {
        Backend::None
    } else {
        Backend::Nftables
    };
    state
}

/// Runs a command and returns its stdout, or why it could not.
fn run(host: &dyn Host, program: &str, args: &[&str]) -> Result<String, String> {
    let command = CommandLine::new(program, args);
    match host.run(&command, COMMAND_TIMEOUT) {
        Ok(output) if output.status == Some(0) => {
            Ok(String::from_utf8_lossy(&output.stdout).into_owned())
        }
        Ok(output) => Err(format!(
            "`{}` failed: {}",
            command.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        )),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Err(format!(
            "`{}`: {program} is not installed",
            command.display()
        )),
        Err(error) if error.kind() == io::ErrorKind::Unsupported => Err(format!(
            "`{}`: no output recorded for this machine",
            command.display()
        )),
        Err(error) => Err(format!("`{}`: {error}", command.display())),
    }
}

/// Reads one table of a save dump, trying each program in turn.
fn read_save(
    host: &dyn Host,
    programs: &[&str],
    family: Family,
    tool: &str,
    table: &str,
    state: &mut FirewallState,
) -> Option<Vec<ir::BaseChain>> {
    for program in programs {
        let Ok(text) = run(host, program, &[]) else {
            continue;
        };
        match iptables::parse(&text, program, family, tool) {
            Ok(mut tables) => {
                state.sources.push((*program).to_owned());
                return Some(tables.remove(table).unwrap_or_default());
            }
            Err(error) => state.problems.push(error.to_string()),
        }
    }
    state.problems.push(format!(
        "the {table} table uses iptables extensions, and no {} could be run to read them",
        programs.join(" or ")
    ));
    None
}

/// Legacy `x_tables` rules apply beside nftables; `/proc/net/ip_tables_names` lists the loaded
/// tables (root-only).
fn read_legacy(host: &dyn Host, state: &mut FirewallState) -> bool {
    let mut used = false;
    for (names, program, fallback, family) in [
        (
            "/proc/net/ip_tables_names",
            "iptables-legacy-save",
            "iptables-save",
            Family::Ipv4,
        ),
        (
            "/proc/net/ip6_tables_names",
            "ip6tables-legacy-save",
            "ip6tables-save",
            Family::Ipv6,
        ),
    ] {
        let Ok(loaded) = host.read_to_string(Path::new(names)) else {
            continue;
        };
        if loaded.trim().is_empty() {
            continue;
        }
        // Without iptables-legacy-save, plain iptables-save is the legacy one unless its
        // header says nf_tables.
        let dump = run(host, program, &[]).or_else(|error| {
            run(host, fallback, &[])
                .ok()
                .filter(|text| !text.contains("(nf_tables)"))
                .ok_or(error)
        });
        match dump {
            Ok(text) => {
                match iptables::parse(&text, program, family, program.trim_end_matches("-save")) {
                    Ok(tables) => {
                        state.sources.push(program.to_owned());
                        used |= tables.values().any(|bases| {
                            bases
                                .iter()
                                .any(|b| !b.chain.rules.is_empty() || b.policy == ir::Policy::Drop)
                        });
                        state
                            .ruleset
                            .base_chains
                            .extend(tables.into_values().flatten());
                    }
                    Err(error) => state.problems.push(error.to_string()),
                }
            }
            Err(error) => state.problems.push(format!(
                "legacy iptables tables are loaded ({names}: {}) but cannot be read: {error}",
                loaded.split_whitespace().collect::<Vec<_>>().join(", ")
            )),
        }
    }
    used
}

/// Where a connection comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// This machine, over `lo`.
    Loopback,
    /// Another host on the LAN.
    Lan,
    /// The Windows host of a WSL2 NAT VM.
    WslHost,
}

/// One source's verdict, as `.port.firewall.sources[]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceVerdict {
    /// Where the connection comes from.
    pub from: Origin,
    /// The address family of the connection, which picks the IPv4 or IPv6 rules.
    pub family: Family,
    /// The interface it arrives on.
    pub interface: String,
    /// The source address godiag assumed.
    pub source_address: IpAddr,
    /// The address connected to.
    pub destination_address: IpAddr,
    /// What the filter does.
    pub verdict: Verdict,
    /// The deciding rule.
    pub rule: Option<String>,
    /// How a reject is sent.
    pub reject_with: Option<String>,
    /// What godiag could not evaluate.
    pub unknown_because: Option<String>,
    /// What the client would see, given the listeners: `open`, `refused`, `timeout`, ...
    /// (`null` when unknown).
    pub outcome: Option<ConnectOutcome>,
    /// The decision in full (for fixes).
    #[serde(skip)]
    pub decision: Decision,
}

/// A source to evaluate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// Which kind of client this is: loopback, the LAN or the WSL2 Windows host.
    pub from: Origin,
    /// The connection attempt that is run through the rules.
    pub packet: Packet,
}

/// Decides a source, and predicts the client's outcome from `listened` (whether a listener
/// takes the destination address).
#[must_use]
pub fn judge(state: &FirewallState, source: &Source, listened: bool) -> SourceVerdict {
    let decision = if state.readable {
        with_neighbour_discovery(
            state,
            &source.packet,
            eval::decide(&state.ruleset, &source.packet),
        )
    } else {
        Decision {
            verdict: Verdict::Unknown,
            rule: None,
            reject_with: None,
            unknown_because: Some(
                state
                    .problems
                    .first()
                    .cloned()
                    .unwrap_or_else(|| "the rules could not be read".to_owned()),
            ),
            blocking_chains: Vec::new(),
        }
    };
    let outcome = outcome(&decision, source.packet.family, listened);
    SourceVerdict {
        from: source.from,
        family: source.packet.family,
        interface: source.packet.iif.clone(),
        source_address: source.packet.saddr,
        destination_address: source.packet.daddr,
        verdict: decision.verdict,
        rule: decision.rule.clone(),
        reject_with: decision.reject_with.clone(),
        unknown_because: decision.unknown_because.clone(),
        outcome,
        decision,
    }
}

/// An IPv6 client must first resolve this host's link-layer address: its neighbour
/// solicitation (type 135, to the solicited-node multicast address) and this host's
/// advertisement answer (type 136) pass the input hook too. A filter that drops them makes
/// every IPv6 connection from the link time out, whatever the port rules say (RFC 4861).
fn with_neighbour_discovery(state: &FirewallState, tcp: &Packet, decision: Decision) -> Decision {
    let IpAddr::V6(own) = tcp.daddr else {
        return decision;
    };
    if tcp.iif == "lo" || matches!(decision.verdict, Verdict::Drop | Verdict::Reject) {
        return decision;
    }
    let low = own.octets();
    let solicited = std::net::Ipv6Addr::new(
        0xff02,
        0,
        0,
        0,
        0,
        1,
        0xff00 | u16::from(low[13]),
        u16::from_be_bytes([low[14], low[15]]),
    );
    for (kind, name, daddr) in [
        (135, "neighbour solicitation", IpAddr::V6(solicited)),
        (136, "neighbour advertisement", tcp.daddr),
    ] {
        let packet = Packet {
            icmpv6_type: Some(kind),
            daddr,
            ..tcp.clone()
        };
        let nd = eval::decide(&state.ruleset, &packet);
        match nd.verdict {
            Verdict::Drop | Verdict::Reject => {
                return Decision {
                    verdict: Verdict::Drop,
                    rule: nd.rule.map(|rule| {
                        format!(
                            "{rule} (ICMPv6 {name}: IPv6 neighbour discovery fails, so the TCP \
                         connection never arrives)"
                        )
                    }),
                    reject_with: None,
                    unknown_because: None,
                    blocking_chains: nd.blocking_chains,
                };
            }
            Verdict::Unknown if decision.verdict == Verdict::Accept => {
                return Decision {
                    verdict: Verdict::Unknown,
                    unknown_because: nd
                        .unknown_because
                        .map(|why| format!("for ICMPv6 {name}: {why}")),
                    ..decision
                };
            }
            _ => {}
        }
    }
    decision
}

/// What a client sees for a verdict (connect(2) errors for each ICMP code; research 0.6).
#[must_use]
pub fn outcome(decision: &Decision, family: Family, listened: bool) -> Option<ConnectOutcome> {
    match decision.verdict {
        Verdict::Accept if listened => Some(ConnectOutcome::Open),
        Verdict::Accept => Some(ConnectOutcome::Refused),
        Verdict::Drop => Some(ConnectOutcome::Timeout),
        Verdict::Unknown => None,
        Verdict::Reject => {
            let kind = decision.reject_with.as_deref().unwrap_or_default();
            if kind.contains("reset") || kind.contains("port-unreach") {
                Some(ConnectOutcome::Refused)
            } else if kind.contains("adm") {
                Some(match family {
                    Family::Ipv4 => ConnectOutcome::Unreachable,
                    Family::Ipv6 => ConnectOutcome::Denied,
                })
            } else if kind.contains("host-unreach")
                || kind.contains("net-unreach")
                || kind.contains("addr-unreach")
                || kind.contains("no-route")
                || kind.contains("noroute")
            {
                Some(ConnectOutcome::Unreachable)
            } else {
                None
            }
        }
    }
}

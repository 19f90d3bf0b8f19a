//! The command that opens a port, in the terms of the tool that manages the rules.

use super::eval::Decision;
use super::{Backend, FirewallState, firewalld};

/// Returns the commands that let new TCP connections to `port` through, one per blocking
/// base chain (or one front-end command for firewalld and ufw).
#[must_use]
pub fn open_port(state: &FirewallState, decision: &Decision, port: u16) -> String {
    let nd = decision
        .rule
        .as_deref()
        .is_some_and(|rule| rule.contains("neighbour discovery"));
    match state.backend {
        Backend::Firewalld => {
            let zone = decision
                .rule
                .as_deref()
                .and_then(firewalld::zone_of)
                .or_else(|| state.firewalld.as_ref().map(|f| f.default_zone.clone()))
                .unwrap_or_else(|| "public".to_owned());
            format!(
                "sudo firewall-cmd --zone={zone} --add-port={port}/tcp && sudo firewall-cmd --permanent --zone={zone} --add-port={port}/tcp"
            )
        }
        Backend::Ufw => {
            // ufw applies its rules in order: an earlier deny keeps winning over a new allow.
            let denies: Vec<String> = state
                .ufw
                .iter()
                .flat_map(|ufw| &ufw.tuples)
                .filter(|t| t.covers(port) && matches!(t.action.as_str(), "deny" | "reject"))
                .map(|t| {
                    format!(
                        "sudo ufw delete {} {}/{}",
                        t.action,
                        t.dport.replace(':', "-"),
                        t.proto
                    )
                })
                .collect();
            let mut commands: Vec<String> = denies;
            commands.dedup();
            commands.push(format!("sudo ufw allow {port}/tcp"));
            commands.join(" && ")
        }
        _ => decision
            .blocking_chains
            .iter()
            .map(|chain| {
                let rule = if nd {
                    "meta l4proto ipv6-icmp accept".to_owned()
                } else {
                    format!("tcp dport {port} accept")
                };
                match chain.tool.as_str() {
                    "nftables" => format!(
                        "sudo nft insert rule {} {} {rule}",
                        chain.table, chain.chain
                    ),
                    program => {
                        let matcher = if nd {
                            "-p ipv6-icmp".to_owned()
                        } else {
                            format!("-p tcp --dport {port}")
                        };
                        format!(
                            "sudo {program} -t {} -I {} {matcher} -j ACCEPT",
                            chain.table, chain.chain
                        )
                    }
                }
            })
            .collect::<Vec<_>>()
            .join(" && "),
    }
}

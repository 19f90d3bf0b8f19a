//! Evaluator tests over rulesets recorded from real tools (nft 1.0.6, iptables 1.8.9, ufw
//! 0.36.2, a firewalld-layout ruleset loaded with nft).

use std::net::IpAddr;

use proptest::prelude::*;

use super::eval::{Packet, Verdict, decide};
use super::ir::Ruleset;
use super::{iptables, nft};
use crate::model::Family;

const FIREWALLD: &str = include_str!("../../resources/test/fixtures/firewalld-closed.json");
const UFW_NFT: &str = include_str!("../../resources/test/fixtures/ufw-nft.json");
const UFW_SAVE: &str = include_str!("../../resources/test/fixtures/ufw-iptables-save.txt");

fn packet(iif: &str, saddr: &str, daddr: &str, dport: u16) -> Packet {
    let daddr: IpAddr = daddr.parse().unwrap();
    Packet {
        family: Family::of(daddr),
        iif: iif.to_owned(),
        saddr: saddr.parse().unwrap(),
        daddr,
        dport,
        icmpv6_type: None,
    }
}

fn nft_ruleset(text: &str) -> Ruleset {
    Ruleset {
        base_chains: nft::parse(text, "nft")
            .unwrap()
            .into_iter()
            .flat_map(|t| t.base_chains)
            .collect(),
    }
}

#[test]
fn firewalld_rejects_the_lan_and_accepts_ssh_and_loopback() {
    let rules = nft_ruleset(FIREWALLD);
    let lan = decide(&rules, &packet("eth0", "192.168.1.1", "192.168.1.20", 8080));
    assert_eq!(lan.verdict, Verdict::Reject);
    assert_eq!(lan.reject_with.as_deref(), Some("icmpx admin-prohibited"));
    assert!(
        lan.rule.unwrap().contains("filter_IN_public "),
        "the zone's final reject decides"
    );
    assert_eq!(
        decide(&rules, &packet("eth0", "192.168.1.1", "192.168.1.20", 22)).verdict,
        Verdict::Accept
    );
    assert_eq!(
        decide(&rules, &packet("lo", "127.0.0.1", "127.0.0.1", 8080)).verdict,
        Verdict::Accept
    );
}

#[test]
fn ufw_tables_with_xt_extensions_are_evaluated_from_iptables_save() {
    let tables = nft::parse(UFW_NFT, "nft").unwrap();
    assert!(
        tables
            .iter()
            .any(|t| t.family == "ip" && t.name == "filter" && t.has_xt)
    );
    let save = iptables::parse(UFW_SAVE, "iptables-save", Family::Ipv4, "iptables").unwrap();
    let rules = Ruleset {
        base_chains: save.into_values().flatten().collect(),
    };
    let denied = decide(&rules, &packet("eth0", "192.168.1.1", "192.168.1.20", 8080));
    assert_eq!(denied.verdict, Verdict::Drop);
    assert!(denied.rule.unwrap().contains("--dport 8080 -j DROP"));
    assert_eq!(
        decide(&rules, &packet("eth0", "192.168.1.1", "192.168.1.20", 22)).verdict,
        Verdict::Accept
    );
    // ufw's default input policy (DROP) for a port with no rule.
    let other = decide(&rules, &packet("eth0", "192.168.1.1", "192.168.1.20", 9999));
    assert_eq!(other.verdict, Verdict::Drop);
}

#[test]
fn an_unevaluated_condition_makes_the_verdict_unknown_only_when_it_matters() {
    let text = "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 8080 -m recent --rcheck -j DROP\n-A INPUT -p tcp --dport 9090 -m recent --rcheck -j ACCEPT\nCOMMIT\n";
    let rules = Ruleset {
        base_chains: iptables::parse(text, "t", Family::Ipv4, "iptables")
            .unwrap()
            .into_values()
            .flatten()
            .collect(),
    };
    let unknown = decide(&rules, &packet("eth0", "10.0.0.2", "10.0.0.1", 8080));
    assert_eq!(unknown.verdict, Verdict::Unknown);
    assert!(unknown.unknown_because.unwrap().contains("recent"));
    // Accepted either way: the policy is accept too.
    assert_eq!(
        decide(&rules, &packet("eth0", "10.0.0.2", "10.0.0.1", 9090)).verdict,
        Verdict::Accept
    );
}

/// Arbitrary JSON built from the words nft's schema uses.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let word = prop::sample::select(vec![
        "match", "op", "left", "right", "==", "!=", "in", "meta", "key", "iifname", "payload",
        "protocol", "field", "tcp", "dport", "ip", "saddr", "ct", "state", "set", "range",
        "prefix", "addr", "len", "fib", "result", "flags", "accept", "drop", "reject", "jump",
        "goto", "target", "vmap", "data", "xt", "elem", "val", "@s", "10.0.0.0", "lo", "new",
    ]);
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        (0u64..70_000).prop_map(serde_json::Value::from),
        word.clone().prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(4, 40, 4, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            prop::collection::vec((word.clone(), inner), 0..3).prop_map(|pairs| {
                serde_json::Value::Object(
                    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
                )
            }),
        ]
    })
}

proptest! {
    #[test]
    fn arbitrary_rule_expressions_never_panic(exprs in prop::collection::vec(json_value(), 0..5)) {
        let ruleset = serde_json::json!({"nftables": [
            {"table": {"family": "inet", "name": "t"}},
            {"chain": {"family": "inet", "table": "t", "name": "input", "type": "filter", "hook": "input", "prio": 0, "policy": "drop"}},
            {"set": {"family": "inet", "table": "t", "name": "s", "elem": exprs.first().cloned().unwrap_or_default()}},
            {"rule": {"family": "inet", "table": "t", "chain": "input", "expr": exprs}},
        ]});
        let rules = nft_ruleset(&ruleset.to_string());
        let _ = decide(&rules, &packet("eth0", "10.0.0.2", "10.0.0.1", 8080));
        let _ = decide(&rules, &packet("eth0", "fd00::2", "fd00::1", 8080));
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC*") {
        let _ = nft::parse(&text, "x");
        let _ = iptables::parse(&text, "x", Family::Ipv4, "iptables");
    }

    #[test]
    fn arbitrary_save_lines_never_panic(lines in proptest::collection::vec("(-A INPUT|:INPUT DROP|\\*filter|-i|-p tcp|--dport [0-9:,]{0,8}|-j [A-Z]{0,6}|!|-m [a-z]{0,8}| ){0,12}", 0..8)) {
        let text = format!("*filter\n:INPUT ACCEPT [0:0]\n{}\nCOMMIT\n", lines.join("\n"));
        if let Ok(tables) = iptables::parse(&text, "x", Family::Ipv4, "iptables") {
            let rules = Ruleset { base_chains: tables.into_values().flatten().collect() };
            let _ = decide(&rules, &packet("eth0", "10.0.0.2", "10.0.0.1", 8080));
        }
    }
}

//! `iptables-save` / `ip6tables-save` output (legacy and `nf_tables` backends) into the common
//! model.
//!
//! The format: `*TABLE`, chain headers `:NAME POLICY [packets:bytes]` (`-` for user chains),
//! rules `-A CHAIN OPTIONS... -j TARGET`, `COMMIT`. Evaluated: the built-in chains that
//! see inbound packets (raw/mangle/nat PREROUTING, mangle/filter/security INPUT) with
//! `-i`, `-s`, `-d`, `-p`, `--dport`/`--sport` (`-m tcp`/`udp`), `-m multiport`,
//! `-m conntrack --ctstate`, `-m state --state`, `-m addrtype --dst-type`, `-m comment`, and
//! the targets ACCEPT, DROP, REJECT, RETURN, user chains (`-j`, `-g`), DNAT/REDIRECT, and
//! LOG-like targets that do not decide. Other matches stay unknown.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::Arc;

use super::ir::{Action, BaseChain, Chain, ChainType, Cond, Field, Hook, Op, Policy, Rule, Value};
use crate::model::Family;
use crate::parse::ParseError;

/// Built-in chains that see inbound packets, with their hook and priority.
const INBOUND: &[(&str, &str, Hook, i32, ChainType)] = &[
    (
        "raw",
        "PREROUTING",
        Hook::Prerouting,
        -300,
        ChainType::Filter,
    ),
    (
        "mangle",
        "PREROUTING",
        Hook::Prerouting,
        -150,
        ChainType::Filter,
    ),
    ("nat", "PREROUTING", Hook::Prerouting, -100, ChainType::Nat),
    ("mangle", "INPUT", Hook::Input, -150, ChainType::Filter),
    ("filter", "INPUT", Hook::Input, 0, ChainType::Filter),
    ("security", "INPUT", Hook::Input, 50, ChainType::Filter),
];

/// Targets that record or mark and let the packet go on.
const NON_DECIDING: &[&str] = &[
    "LOG",
    "NFLOG",
    "ULOG",
    "MARK",
    "CONNMARK",
    "TRACE",
    "AUDIT",
    "CT",
    "NOTRACK",
    "TOS",
    "DSCP",
    "TCPMSS",
    "SNAT",
    "MASQUERADE",
    "CLASSIFY",
    "SET",
];

struct TableBuild {
    chains: Vec<Chain>,
    policies: BTreeMap<String, Policy>,
}

/// Parses a save dump for one family; `tool` names the command (`iptables`,
/// `ip6tables-legacy`...). Returns the inbound base chains per table name.
pub fn parse(
    text: &str,
    source: &str,
    family: Family,
    tool: &str,
) -> Result<BTreeMap<String, Vec<BaseChain>>, ParseError> {
    let mut tables: BTreeMap<String, TableBuild> = BTreeMap::new();
    let mut current: Option<String> = None;
    for (index, raw) in text.lines().enumerate() {
        let line_no = index + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line == "COMMIT" {
            continue;
        }
        if let Some(name) = line.strip_prefix('*') {
            current = Some(name.to_owned());
            tables.entry(name.to_owned()).or_insert_with(|| TableBuild {
                chains: Vec::new(),
                policies: BTreeMap::new(),
            });
            continue;
        }
        let Some(table) = current.as_ref().and_then(|name| tables.get_mut(name)) else {
            return Err(ParseError::new(
                source,
                line_no,
                1,
                "a rule or chain before any `*table` line",
            ));
        };
        if let Some(header) = line.strip_prefix(':') {
            let mut words = header.split_whitespace();
            let name = words.next().unwrap_or_default().to_owned();
            match words.next() {
                Some("DROP") => {
                    table.policies.insert(name.clone(), Policy::Drop);
                }
                Some("ACCEPT") => {
                    table.policies.insert(name.clone(), Policy::Accept);
                }
                _ => {}
            }
            table.chains.push(Chain {
                name,
                rules: Vec::new(),
            });
            continue;
        }
        let words = tokenize(line)
            .ok_or_else(|| ParseError::new(source, line_no, line.len(), "unterminated quote"))?;
        if words.first().map(String::as_str) != Some("-A") || words.len() < 2 {
            return Err(ParseError::new(
                source,
                line_no,
                1,
                "expected `-A CHAIN ...`, `:CHAIN`, `*table` or COMMIT",
            ));
        }
        let chain_name = words[1].clone();
        let known: Vec<String> = table.chains.iter().map(|c| c.name.clone()).collect();
        let rule = convert(&words[2..], line, line_no, &known);
        match table.chains.iter_mut().find(|c| c.name == chain_name) {
            Some(chain) => chain.rules.push(rule),
            None => {
                return Err(ParseError::new(
                    source,
                    line_no,
                    4,
                    format!("chain `{chain_name}` has no `:` header"),
                ));
            }
        }
    }
    let mut out = BTreeMap::new();
    for (name, build) in tables {
        let chains = Arc::new(build.chains);
        let bases: Vec<BaseChain> = INBOUND
            .iter()
            .filter(|(table, ..)| *table == name)
            .filter_map(|(_, chain_name, hook, priority, kind)| {
                let chain = chains.iter().find(|c| c.name == *chain_name)?.clone();
                Some(BaseChain {
                    tool: tool.to_owned(),
                    table: name.clone(),
                    families: vec![family],
                    hook: *hook,
                    priority: *priority,
                    kind: *kind,
                    policy: build
                        .policies
                        .get(*chain_name)
                        .copied()
                        .unwrap_or(Policy::Accept),
                    chain,
                    table_chains: Arc::clone(&chains),
                })
            })
            .collect();
        out.insert(name, bases);
    }
    Ok(out)
}

/// Splits a rule line into words, honouring double quotes (`--comment "a b"`).
fn tokenize(line: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    let mut chars = line.chars();
    let mut started = false;
    while let Some(ch) = chars.next() {
        match ch {
            '"' => {
                quoted = !quoted;
                started = true;
            }
            '\\' if quoted => word.extend(chars.next()),
            c if c.is_whitespace() && !quoted => {
                if started {
                    words.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            c => {
                word.push(c);
                started = true;
            }
        }
    }
    if quoted {
        return None;
    }
    if started {
        words.push(word);
    }
    Some(words)
}

fn convert(words: &[String], line: &str, line_no: usize, chains: &[String]) -> Rule {
    let mut conds = Vec::new();
    let mut action = Action::Continue;
    let mut negate = false;
    let mut index = 0;
    let mut module = String::new();
    while index < words.len() {
        let word = words[index].as_str();
        let next = words.get(index + 1).map(String::as_str).unwrap_or_default();
        let op = if negate { Op::Ne } else { Op::Eq };
        let mut used = 2;
        match word {
            "!" => {
                negate = true;
                index += 1;
                continue;
            }
            "-i" | "--in-interface" => {
                conds.push(Cond::Match(Field::Iif, op, Value::Word(next.to_owned())));
            }
            "-s" | "--source" => conds.push(Cond::Match(Field::Saddr, op, prefix(next))),
            "-d" | "--destination" => conds.push(Cond::Match(Field::Daddr, op, prefix(next))),
            "-p" | "--protocol" => conds.push(Cond::Match(Field::L4proto, op, protocol(next))),
            "-m" | "--match" => next.clone_into(&mut module),
            "--dport" | "--destination-port" | "--dports" | "--destination-ports" => {
                conds.push(Cond::Match(Field::Dport, op, ports(next)));
            }
            "--sport" | "--source-port" | "--sports" | "--source-ports" => {
                conds.push(Cond::Match(Field::Sport, op, ports(next)));
            }
            "--ctstate" | "--state" => conds.push(Cond::Match(Field::CtState, op, words_set(next))),
            "--ctstatus" => conds.push(Cond::Match(Field::CtStatus, op, words_set(next))),
            "--dst-type" => conds.push(Cond::Match(Field::DaddrType, op, words_set(next))),
            "--comment" => {}
            "--icmpv6-type" => conds.push(Cond::Match(Field::Icmpv6Type, op, icmpv6_type(next))),
            "-j" | "--jump" | "-g" | "--goto" => {
                action = target(
                    word,
                    next,
                    words.get(index + 2..).unwrap_or_default(),
                    chains,
                );
                break;
            }
            option if option.starts_with('-') => {
                // An option godiag does not evaluate, with its arguments.
                let mut end = index + 1;
                while end < words.len() && !words[end].starts_with('-') && words[end] != "!" {
                    end += 1;
                }
                let text = words[index..end].join(" ");
                conds.push(Cond::Unknown(
                    format!("-m {module} {text}").replace("-m  ", ""),
                ));
                used = end - index;
            }
            _ => used = 1,
        }
        negate = false;
        index += used;
    }
    Rule {
        conds,
        action,
        text: line.to_owned(),
        position: format!("line {line_no}"),
    }
}

fn target(flag: &str, name: &str, rest: &[String], chains: &[String]) -> Action {
    let goto = matches!(flag, "-g" | "--goto");
    match name {
        "ACCEPT" => Action::Accept,
        "DROP" => Action::Drop,
        "RETURN" => Action::Return,
        "REJECT" => {
            let with = rest
                .iter()
                .position(|w| w == "--reject-with")
                .and_then(|at| rest.get(at + 1))
                .map_or("icmp-port-unreachable", String::as_str);
            Action::Reject(with.to_owned())
        }
        "DNAT" | "REDIRECT" => Action::Redirect(name.to_owned()),
        non_deciding if NON_DECIDING.contains(&non_deciding) => Action::Continue,
        chain if chains.iter().any(|c| c == chain) => {
            if goto {
                Action::Goto(chain.to_owned())
            } else {
                Action::Jump(chain.to_owned())
            }
        }
        other => Action::Unknown(format!("target {other}")),
    }
}

fn prefix(text: &str) -> Value {
    let (address, length) = text.split_once('/').unwrap_or((text, ""));
    let Ok(address) = address.parse::<IpAddr>() else {
        return Value::Opaque(text.to_owned());
    };
    let full = if address.is_ipv4() { 32 } else { 128 };
    let length = if length.is_empty() {
        Some(full)
    } else if let Ok(bits) = length.parse::<u8>() {
        Some(bits)
    } else {
        // A dotted mask such as 255.255.255.0.
        length
            .parse::<std::net::Ipv4Addr>()
            .ok()
            .map(|mask| u8::try_from(u32::from(mask).count_ones()).unwrap_or(32))
    };
    length.map_or_else(
        || Value::Opaque(text.to_owned()),
        |len| Value::Prefix(address, len),
    )
}

fn protocol(text: &str) -> Value {
    match text.parse::<u64>() {
        Ok(number) => Value::Number(number),
        Err(_) if text == "all" => Value::Set(vec![Value::Word("tcp".to_owned())]),
        Err(_) => Value::Word(text.to_owned()),
    }
}

/// `8080`, `8000:8999`, `80,443,8000:8999`.
fn ports(text: &str) -> Value {
    let items: Vec<Value> = text
        .split(',')
        .map(|item| match item.split_once(':') {
            Some((low, high)) => match (low.parse(), high.parse()) {
                (Ok(low), Ok(high)) => Value::Range(low, high),
                _ => Value::Opaque(item.to_owned()),
            },
            None => item
                .parse()
                .map_or_else(|_| Value::Opaque(item.to_owned()), Value::Number),
        })
        .collect();
    Value::Set(items)
}

/// `neighbour-solicitation` or `135` (`135/0` with a code).
fn icmpv6_type(text: &str) -> Value {
    let kind = text.split('/').next().unwrap_or_default();
    kind.parse()
        .map_or_else(|_| Value::Word(kind.to_owned()), Value::Number)
}

/// `RELATED,ESTABLISHED` → lowercase words.
fn words_set(text: &str) -> Value {
    Value::Set(
        text.split(',')
            .map(|word| Value::Word(word.to_ascii_lowercase()))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_words_stay_together() {
        assert_eq!(
            tokenize(r#"-A INPUT -m comment --comment "web server" -j ACCEPT"#).unwrap(),
            [
                "-A",
                "INPUT",
                "-m",
                "comment",
                "--comment",
                "web server",
                "-j",
                "ACCEPT"
            ]
        );
        assert!(tokenize("-A INPUT --comment \"open").is_none());
    }

    #[test]
    fn errors_carry_the_line() {
        let error = parse(
            "*filter\n:INPUT DROP [0:0]\n-X INPUT\n",
            "iptables-save",
            Family::Ipv4,
            "iptables",
        )
        .unwrap_err();
        assert_eq!(error.line, 3);
        let error = parse(
            "-A INPUT -j ACCEPT\n",
            "iptables-save",
            Family::Ipv4,
            "iptables",
        )
        .unwrap_err();
        assert_eq!(error.line, 1);
    }
}

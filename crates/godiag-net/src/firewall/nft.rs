//! `nft -j list ruleset` (libnftables-json(5), schema version 1) into the common model.
//!
//! Understood: base chains on the prerouting and input hooks of `ip`, `ip6` and `inet`
//! tables; matches on `meta iif/iifname/l4proto/nfproto/protocol`, `payload` fields of
//! ip/ip6/tcp/udp/th (addresses, ports, protocol), `ct state/status`, `fib` local-type and
//! reverse-path checks, named and anonymous sets, ranges and prefixes; verdict maps;
//! `accept`, `drop`, `reject`, `jump`, `goto`, `return`, `dnat`, `redirect`. Anything
//! else, including iptables-nft's opaque `xt` matches, stays unknown.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::Arc;

use serde_json::Value as Json;

use super::ir::{Action, BaseChain, Chain, ChainType, Cond, Field, Hook, Op, Policy, Rule, Value};
use crate::model::Family;
use crate::parse::ParseError;

/// One nftables table converted to the model.
#[derive(Debug, Clone)]
pub struct Table {
    /// `ip`, `ip6`, `inet`.
    pub family: String,
    /// The table name.
    pub name: String,
    /// True when a rule uses an iptables-nft `xt` extension (opaque in JSON).
    pub has_xt: bool,
    /// Its base chains on the hooks godiag evaluates.
    pub base_chains: Vec<BaseChain>,
}

#[derive(Default)]
struct TableBuild {
    chains: Vec<Chain>,
    bases: Vec<(String, Hook, i32, ChainType, Policy)>,
    has_xt: bool,
}

type Sets = BTreeMap<(String, String, String), Value>;

/// Parses the JSON and converts every table.
pub fn parse(text: &str, source: &str) -> Result<Vec<Table>, ParseError> {
    let json: Json = serde_json::from_str(text)
        .map_err(|e| ParseError::new(source, e.line(), e.column(), e.to_string()))?;
    let Some(items) = json.get("nftables").and_then(Json::as_array) else {
        return Err(ParseError::new(
            source,
            1,
            1,
            "expected {\"nftables\": [...]}",
        ));
    };
    let sets = collect_sets(items);
    let mut tables: BTreeMap<(String, String), TableBuild> = BTreeMap::new();
    for item in items {
        if let Some(table) = item.get("table") {
            tables.entry(key(table)).or_default();
        }
        if let Some(chain) = item.get("chain") {
            let build = tables.entry(key(chain)).or_default();
            let name = str_of(chain, "name").to_owned();
            build.chains.push(Chain {
                name: name.clone(),
                rules: Vec::new(),
            });
            if let Some(hook) = chain.get("hook").and_then(Json::as_str) {
                let hook = match hook {
                    "prerouting" => Hook::Prerouting,
                    "input" => Hook::Input,
                    _ => continue,
                };
                let kind = if str_of(chain, "type") == "nat" {
                    ChainType::Nat
                } else {
                    ChainType::Filter
                };
                let priority = chain
                    .get("prio")
                    .and_then(Json::as_i64)
                    .and_then(|p| i32::try_from(p).ok())
                    .unwrap_or(0);
                let policy = if str_of(chain, "policy") == "drop" {
                    Policy::Drop
                } else {
                    Policy::Accept
                };
                build.bases.push((name, hook, priority, kind, policy));
            }
        }
        if let Some(rule) = item.get("rule") {
            let family = str_of(rule, "family").to_owned();
            let table = str_of(rule, "table").to_owned();
            let build = tables.entry(key(rule)).or_default();
            let chain_name = str_of(rule, "chain");
            let exprs = rule
                .get("expr")
                .and_then(Json::as_array)
                .cloned()
                .unwrap_or_default();
            build.has_xt |= exprs.iter().any(|expr| expr.get("xt").is_some());
            let position = rule
                .get("handle")
                .and_then(Json::as_u64)
                .map_or_else(String::new, |handle| format!("handle {handle}"));
            let converted = convert_rule(&exprs, &position, &|name| {
                sets.get(&(family.clone(), table.clone(), name.to_owned()))
                    .cloned()
            });
            if let Some(chain) = build.chains.iter_mut().find(|c| c.name == chain_name) {
                chain.rules.extend(converted);
            }
        }
    }
    Ok(tables
        .into_iter()
        .filter_map(|((family, name), build)| {
            let families = match family.as_str() {
                "ip" => vec![Family::Ipv4],
                "ip6" => vec![Family::Ipv6],
                "inet" => vec![Family::Ipv4, Family::Ipv6],
                _ => return None,
            };
            let chains = Arc::new(build.chains);
            let base_chains = build
                .bases
                .into_iter()
                .filter_map(|(chain_name, hook, priority, kind, policy)| {
                    let chain = chains.iter().find(|c| c.name == chain_name)?.clone();
                    Some(BaseChain {
                        tool: "nftables".to_owned(),
                        table: format!("{family} {name}"),
                        families: families.clone(),
                        hook,
                        priority,
                        kind,
                        chain,
                        policy,
                        table_chains: Arc::clone(&chains),
                    })
                })
                .collect();
            Some(Table {
                family,
                name,
                has_xt: build.has_xt,
                base_chains,
            })
        })
        .collect())
}

fn key(object: &Json) -> (String, String) {
    let table = object
        .get("table")
        .and_then(Json::as_str)
        .or_else(|| object.get("name").and_then(Json::as_str))
        .unwrap_or_default();
    (str_of(object, "family").to_owned(), table.to_owned())
}

fn str_of<'a>(object: &'a Json, field: &str) -> &'a str {
    object.get(field).and_then(Json::as_str).unwrap_or_default()
}

fn collect_sets(items: &[Json]) -> Sets {
    let mut sets = Sets::new();
    for item in items {
        let Some(set) = item.get("set").or_else(|| item.get("map")) else {
            continue;
        };
        let elements = set
            .get("elem")
            .and_then(Json::as_array)
            .map(|elems| elems.iter().map(|e| value_of(element(e), true)).collect())
            .unwrap_or_default();
        sets.insert(
            (
                str_of(set, "family").to_owned(),
                str_of(set, "table").to_owned(),
                str_of(set, "name").to_owned(),
            ),
            Value::Set(elements),
        );
    }
    sets
}

/// Set elements may be wrapped as `{"elem": {"val": ...}}`.
fn element(json: &Json) -> &Json {
    json.get("elem").and_then(|e| e.get("val")).unwrap_or(json)
}

/// Converts one rule (a verdict map becomes one rule per entry).
fn convert_rule(
    exprs: &[Json],
    position: &str,
    named: &dyn Fn(&str) -> Option<Value>,
) -> Vec<Rule> {
    let text = exprs.iter().map(render).collect::<Vec<_>>().join(" ");
    let mut conds = Vec::new();
    let mut action = Action::Continue;
    for expr in exprs {
        let Some((kind, body)) = expr.as_object().and_then(|o| o.iter().next()) else {
            continue;
        };
        match kind.as_str() {
            "match" => conds.extend(convert_match(body, named)),
            "accept" => action = Action::Accept,
            "drop" => action = Action::Drop,
            "reject" => action = Action::Reject(reject_kind(body)),
            "return" => action = Action::Return,
            "jump" => action = Action::Jump(str_of(body, "target").to_owned()),
            "goto" => action = Action::Goto(str_of(body, "target").to_owned()),
            "dnat" | "redirect" => action = Action::Redirect(kind.clone()),
            "queue" => action = Action::Unknown("queue to userspace".to_owned()),
            "vmap" => return verdict_map(body, &conds, &text, position, named),
            "xt" => {
                let name = str_of(body, "name");
                if str_of(body, "type") == "target" {
                    action = Action::Unknown(format!("iptables target {name}"));
                } else {
                    conds.push(Cond::Unknown(format!("iptables match -m {name}")));
                }
            }
            "counter" | "log" | "mangle" | "set" | "notrack" | "snat" | "masquerade" => {}
            other => conds.push(Cond::Unknown(format!("{other} statement"))),
        }
    }
    vec![Rule {
        conds,
        action,
        text,
        position: position.to_owned(),
    }]
}

fn verdict_map(
    body: &Json,
    before: &[Cond],
    text: &str,
    position: &str,
    named: &dyn Fn(&str) -> Option<Value>,
) -> Vec<Rule> {
    let key = body.get("key").unwrap_or(&Json::Null);
    let entries = body
        .get("data")
        .and_then(|d| d.get("set"))
        .and_then(Json::as_array)
        .cloned()
        .unwrap_or_default();
    entries
        .iter()
        .filter_map(|entry| {
            let pair = entry.as_array()?;
            let mut conds = before.to_vec();
            conds.extend(convert_match(
                &serde_json::json!({"op": "==", "left": key, "right": pair.first()?}),
                named,
            ));
            let verdict = pair.get(1)?;
            let action = match verdict.as_object()?.iter().next()? {
                (name, _) if name == "accept" => Action::Accept,
                (name, _) if name == "drop" => Action::Drop,
                (name, body) if name == "reject" => Action::Reject(reject_kind(body)),
                (name, _) if name == "return" => Action::Return,
                (name, target) if name == "jump" => {
                    Action::Jump(str_of(target, "target").to_owned())
                }
                (name, target) if name == "goto" => {
                    Action::Goto(str_of(target, "target").to_owned())
                }
                (name, _) => Action::Unknown(name.clone()),
            };
            Some(Rule {
                conds,
                action,
                text: text.to_owned(),
                position: position.to_owned(),
            })
        })
        .collect()
}

fn reject_kind(body: &Json) -> String {
    let kind = str_of(body, "type");
    let code = body.get("expr").and_then(Json::as_str).unwrap_or_default();
    match (kind, code) {
        ("", _) => "icmp port-unreachable".to_owned(),
        ("tcp reset", _) => "tcp reset".to_owned(),
        (kind, "") => format!("{kind} port-unreachable"),
        (kind, code) => format!("{kind} {code}"),
    }
}

fn convert_match(body: &Json, named: &dyn Fn(&str) -> Option<Value>) -> Vec<Cond> {
    let op = match str_of(body, "op") {
        "==" | "in" => Op::Eq,
        "!=" => Op::Ne,
        "<" => Op::Lt,
        ">" => Op::Gt,
        "<=" => Op::Le,
        ">=" => Op::Ge,
        _ => return vec![Cond::Unknown(render_match(body))],
    };
    let left = body.get("left").unwrap_or(&Json::Null);
    let right = body.get("right").unwrap_or(&Json::Null);
    let unknown = || vec![Cond::Unknown(render_match(body))];
    let resolve = |addresses: bool| -> Value {
        match right.as_str().and_then(|s| s.strip_prefix('@')) {
            Some(name) => named(name).unwrap_or_else(|| Value::Opaque(format!("@{name}"))),
            None => value_of(right, addresses),
        }
    };
    if let Some(meta) = left.get("meta") {
        let field = match str_of(meta, "key") {
            "iif" | "iifname" => Field::Iif,
            "l4proto" => Field::L4proto,
            "nfproto" => Field::Nfproto,
            "protocol" => {
                let value = match right.as_str() {
                    Some("ip") => Value::Word("ipv4".to_owned()),
                    Some("ip6") => Value::Word("ipv6".to_owned()),
                    _ => resolve(false),
                };
                return vec![Cond::Match(Field::Nfproto, op, value)];
            }
            _ => return unknown(),
        };
        return vec![Cond::Match(field, op, resolve(false))];
    }
    if let Some(payload) = left.get("payload") {
        let protocol = str_of(payload, "protocol");
        let field = str_of(payload, "field");
        let mut conds = Vec::new();
        match protocol {
            "ip" => conds.push(Cond::Family(Family::Ipv4)),
            "ip6" => conds.push(Cond::Family(Family::Ipv6)),
            "th" => {}
            "ether" | "vlan" | "arp" | "" => return unknown(),
            transport => conds.push(Cond::Match(
                Field::L4proto,
                Op::Eq,
                Value::Word(
                    if transport == "icmpv6" {
                        "ipv6-icmp"
                    } else {
                        transport
                    }
                    .to_owned(),
                ),
            )),
        }
        let field = match (protocol, field) {
            (_, "dport") => Field::Dport,
            (_, "sport") => Field::Sport,
            ("ip" | "ip6", "saddr") => Field::Saddr,
            ("ip" | "ip6", "daddr") => Field::Daddr,
            ("ip", "protocol") | ("ip6", "nexthdr") => Field::L4proto,
            ("icmpv6", "type") => Field::Icmpv6Type,
            _ => {
                conds.push(Cond::Unknown(render_match(body)));
                return conds;
            }
        };
        let addresses = matches!(field, Field::Saddr | Field::Daddr);
        conds.push(Cond::Match(field, op, resolve(addresses)));
        return conds;
    }
    if let Some(ct) = left.get("ct") {
        let field = match str_of(ct, "key") {
            "state" => Field::CtState,
            "status" => Field::CtStatus,
            _ => return unknown(),
        };
        return vec![Cond::Match(field, op, resolve(false))];
    }
    if let Some(fib) = left.get("fib") {
        let flags: Vec<&str> = fib
            .get("flags")
            .and_then(Json::as_array)
            .map(|f| f.iter().filter_map(Json::as_str).collect())
            .unwrap_or_default();
        return match (str_of(fib, "result"), flags.first().copied(), right) {
            ("type", Some("daddr"), _) => vec![Cond::Match(Field::DaddrType, op, resolve(false))],
            ("oif" | "oifname", Some("saddr"), Json::Bool(false)) => {
                vec![Cond::Match(
                    Field::RouteBackMissing,
                    op,
                    Value::Word(String::new()),
                )]
            }
            _ => unknown(),
        };
    }
    unknown()
}

/// Converts a JSON right-hand side; `addresses` parses strings as addresses.
fn value_of(json: &Json, addresses: bool) -> Value {
    match json {
        Json::Number(n) => n
            .as_u64()
            .map_or_else(|| Value::Opaque(n.to_string()), Value::Number),
        Json::String(s) => {
            if let Ok(address) = s.parse::<IpAddr>() {
                let full = if address.is_ipv4() { 32 } else { 128 };
                Value::Prefix(address, full)
            } else if let (false, Ok(number)) = (addresses, s.parse::<u64>()) {
                Value::Number(number)
            } else {
                Value::Word(s.clone())
            }
        }
        Json::Array(items) => Value::Set(
            items
                .iter()
                .map(|i| value_of(element(i), addresses))
                .collect(),
        ),
        Json::Object(object) => {
            if let Some(set) = object.get("set") {
                return match set {
                    Json::Array(items) => Value::Set(
                        items
                            .iter()
                            .map(|i| value_of(element(i), addresses))
                            .collect(),
                    ),
                    single => Value::Set(vec![value_of(single, addresses)]),
                };
            }
            if let Some(prefix) = object.get("prefix") {
                let address = prefix
                    .get("addr")
                    .and_then(Json::as_str)
                    .and_then(|a| a.parse().ok());
                let length = prefix
                    .get("len")
                    .and_then(Json::as_u64)
                    .and_then(|l| u8::try_from(l).ok());
                if let (Some(address), Some(length)) = (address, length) {
                    return Value::Prefix(address, length);
                }
            }
            if let Some(Json::Array(bounds)) = object.get("range") {
                match (
                    bounds.first().map(|b| value_of(b, addresses)),
                    bounds.get(1).map(|b| value_of(b, addresses)),
                ) {
                    (Some(Value::Number(low)), Some(Value::Number(high))) => {
                        return Value::Range(low, high);
                    }
                    (Some(Value::Prefix(low, _)), Some(Value::Prefix(high, _))) => {
                        return Value::AddrRange(low, high);
                    }
                    _ => {}
                }
            }
            if let Some(inner) = object.get("elem").and_then(|e| e.get("val")) {
                return value_of(inner, addresses);
            }
            Value::Opaque(json.to_string())
        }
        Json::Bool(b) => Value::Word(b.to_string()),
        Json::Null => Value::Opaque("null".to_owned()),
    }
}

/// Renders an expression roughly as `nft list ruleset` prints it.
fn render(expr: &Json) -> String {
    let Some((kind, body)) = expr.as_object().and_then(|o| o.iter().next()) else {
        return expr.to_string();
    };
    match kind.as_str() {
        "match" => render_match(body),
        "accept" | "drop" | "return" => kind.clone(),
        "reject" => {
            let how = reject_kind(body);
            if body.is_null() {
                "reject".to_owned()
            } else {
                format!("reject with {how}")
            }
        }
        "jump" | "goto" => format!("{kind} {}", str_of(body, "target")),
        "counter" => "counter".to_owned(),
        "xt" => format!("xt {} {}", str_of(body, "type"), str_of(body, "name")),
        "vmap" => format!(
            "{} vmap {}",
            render_operand(body.get("key").unwrap_or(&Json::Null)),
            render_operand(body.get("data").unwrap_or(&Json::Null))
        ),
        other => other.to_owned(),
    }
}

fn render_match(body: &Json) -> String {
    let left = render_operand(body.get("left").unwrap_or(&Json::Null));
    let right = render_operand(body.get("right").unwrap_or(&Json::Null));
    match str_of(body, "op") {
        "==" | "in" => format!("{left} {right}"),
        op => format!("{left} {op} {right}"),
    }
}

fn render_operand(json: &Json) -> String {
    match json {
        Json::String(s) if s.starts_with('@') => s.clone(),
        Json::String(s) if s.parse::<IpAddr>().is_ok() => s.clone(),
        Json::String(s) => format!("\"{s}\""),
        Json::Number(n) => n.to_string(),
        Json::Array(items) => format!(
            "{{ {} }}",
            items
                .iter()
                .map(render_operand)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Json::Object(object) => {
            let Some((kind, body)) = object.iter().next() else {
                return "{}".to_owned();
            };
            match kind.as_str() {
                "meta" => format!("meta {}", str_of(body, "key")),
                "payload" => format!("{} {}", str_of(body, "protocol"), str_of(body, "field")),
                "ct" => format!("ct {}", str_of(body, "key")),
                "fib" => format!("fib {}", str_of(body, "result")),
                "set" => render_operand(body),
                "prefix" => format!(
                    "{}/{}",
                    str_of(body, "addr"),
                    body.get("len").and_then(Json::as_u64).unwrap_or_default()
                ),
                "range" => match body.as_array() {
                    Some(bounds) if bounds.len() == 2 => {
                        format!(
                            "{}-{}",
                            render_operand(&bounds[0]),
                            render_operand(&bounds[1])
                        )
                    }
                    _ => body.to_string(),
                },
                _ => json.to_string(),
            }
        }
        other => other.to_string(),
    }
}

//! Go's own resolver, emulated: /etc/hosts and DNS in the order `hostLookupOrder` gives,
//! the candidate names of `nameList`, and for each name A and AAAA in parallel (in sequence
//! with `single-request`), each tried `attempts` times on every server with `timeout` per try
//! (`net/dnsclient_unix.go` `goLookupIPCNAMEOrder`, `tryOneName`). It stops at the first name
//! with an address; NXDOMAIN from one server ends that name without asking the others.
//!
//! Go's schedule is kept, its waits are not: when every try at `timeout` would not fit before
//! godiag's deadline, each try waits a fair share of what is left ([`try_wait`]), so a
//! silent first server still leaves time to hear the second, and the result says how long Go
//! itself would wait.

use std::fmt::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use godiag_core::net::Network;
use hickory_proto::rr::RecordType;

use super::wire::{self, Exchange, ExchangeOptions, Outcome};
use super::{NoReply, PathResult, wait_text};
use crate::model::go_order::Order;
use crate::model::predict::GoDns;
use crate::parse::hosts::Hosts;

/// What to resolve, and how Go would.
pub struct GoLookup<'a> {
    /// The name as given.
    pub name: &'a str,
    /// Go's order for it (never `cgo` here).
    pub order: Order,
    /// The candidate names, or why there are none.
    pub names: Result<&'a [String], String>,
    /// Go's DNS settings.
    pub dns: &'a GoDns,
    /// `options trust-ad`.
    pub trust_ad: bool,
    /// /etc/hosts, Go's reading.
    pub hosts: Option<&'a Hosts>,
}

/// The result of one name-and-type question.
struct TypeResult {
    addresses: Vec<IpAddr>,
    rcode: Option<String>,
    error: Option<String>,
    /// Stopped by godiag's deadline rather than by Go's own limits.
    cut_short: bool,
    /// Why no server replied, while none has.
    no_reply: Option<NoReply>,
}

/// The shortest wait a try gets, however little time is left: a server across a VPN may
/// take a few hundred milliseconds to answer.
pub const MIN_TRY: Duration = Duration::from_millis(250);

/// How long each try waits: Go's `timeout`, or, when every try of every candidate name at
/// that timeout would not fit before `deadline`, an equal share of the time left (at least
/// [`MIN_TRY`]).
#[must_use]
pub fn try_wait(dns: &GoDns, names: usize, servers: usize, deadline: Instant) -> Duration {
    let go = Duration::from_secs(u64::from(dns.timeout_s.max(1)));
    let tries = u32::try_from(names.max(1) * servers.max(1))
        .unwrap_or(u32::MAX)
        .saturating_mul(dns.attempts.max(1));
    let share = deadline.saturating_duration_since(Instant::now()) / tries;
    go.min(share.max(MIN_TRY))
}

/// Runs the emulation, giving up at `deadline`.
pub fn lookup(network: &dyn Network, request: &GoLookup<'_>, deadline: Instant) -> PathResult {
    let started = Instant::now();
    let mut result = PathResult::new("go_pure");
    let from_hosts = || {
        request
            .hosts
            .map(|hosts| hosts.go_lookup(request.name))
            .unwrap_or_default()
    };
    if matches!(request.order, Order::FilesDns | Order::Files) {
        let found = from_hosts();
        if !found.is_empty() {
            result.addresses = found.into_iter().map(|m| m.address).collect();
            result.detail = Some(format!(
                "from /etc/hosts (order {})",
                request.order.as_str()
            ));
            return result.took(started);
        }
        if request.order == Order::Files {
            result.error = Some(format!("lookup {}: no such host", request.name));
            result.detail = Some("order files: /etc/hosts only".into());
            return result.took(started);
        }
    }
    let names = match &request.names {
        Ok(names) => *names,
        Err(why) => {
            result.error = Some(format!("lookup {}: no such host ({why})", request.name));
            return result.took(started);
        }
    };
    let servers: Vec<SocketAddr> = request
        .dns
        .servers
        .iter()
        .filter_map(|server| parse_server(server))
        .collect();
    let mut last_error: Option<(String, Option<String>)> = None;
    let mut tried = Vec::new();
    let wait = try_wait(request.dns, names.len(), servers.len(), deadline);
    let schedule = Schedule { wait, deadline };
    let mut no_reply = None;
    let mut replied = false;
    for fqdn in names {
        let types = [RecordType::A, RecordType::AAAA];
        let results: Vec<TypeResult> = if request.dns.single_request {
            types
                .iter()
                .map(|&qtype| try_one_name(network, request, &servers, fqdn, qtype, schedule))
                .collect()
        } else {
            std::thread::scope(|scope| {
                let handles: Vec<_> = types
                    .iter()
                    .map(|&qtype| {
                        let servers = &servers;
                        scope.spawn(move || {
                            try_one_name(network, request, servers, fqdn, qtype, schedule)
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .filter_map(|handle| handle.join().ok())
                    .collect()
            })
        };
        tried.push(fqdn.clone());
        let original = format!("{}.", request.name);
        for typed in &results {
            match typed.no_reply {
                Some(why) => no_reply = no_reply.or(Some(why)),
                None => replied |= typed.rcode.is_some(),
            }
            if let Some(error) = &typed.error
                && (last_error.is_none() || *fqdn == original)
            {
                last_error = Some((error.clone(), typed.rcode.clone()));
            }
            result
                .addresses
                .extend(typed.addresses.iter().map(ToString::to_string));
            if typed.rcode.is_some() && result.rcode.is_none() {
                result.rcode.clone_from(&typed.rcode);
            }
        }
        if results.iter().any(|r| r.cut_short) && result.addresses.is_empty() {
            result.error = Some(format!(
                "godiag stopped waiting at its deadline; Go itself would keep trying up to {} s per name ({} attempts x {} servers x {} s)",
                worst_case(request.dns).as_secs(),
                request.dns.attempts,
                servers.len(),
                request.dns.timeout_s
            ));
            result.detail = Some(format!("names tried: {}", tried.join(" ")));
            result.no_reply = (!replied).then_some(no_reply.unwrap_or(NoReply::Timeout));
            result.unfinished = true;
            return result.took(started);
        }
        if !result.addresses.is_empty() {
            result.rcode = Some("NOERROR".into());
            break;
        }
    }
    if result.addresses.is_empty() && request.order == Order::DnsFiles {
        let found = from_hosts();
        if !found.is_empty() {
            result.addresses = found.into_iter().map(|m| m.address).collect();
            result.detail =
                Some("from /etc/hosts after DNS found nothing (order dns,files)".into());
            return result.took(started);
        }
    }
    if result.addresses.is_empty() {
        if let Some((error, rcode)) = last_error {
            result.error = Some(error);
            result.rcode = rcode;
        } else {
            result.error = Some(format!("lookup {}: no such host", request.name));
        }
        if !replied {
            result.no_reply = no_reply;
        }
    }
    let mut detail = format!(
        "order {}; names tried: {}; servers: {}",
        request.order.as_str(),
        tried.join(" "),
        request.dns.servers.join(" ")
    );
    if result.no_reply == Some(NoReply::Timeout)
        && wait.as_secs() < u64::from(request.dns.timeout_s)
    {
        let _ = write!(
            detail,
            "; godiag waited {} per try where Go waits {} s ({} s for all tries of one name)",
            wait_text(wait),
            request.dns.timeout_s,
            worst_case(request.dns).as_secs()
        );
    }
    result.detail = Some(detail);
    result.took(started)
}

/// How long each try waits, and when godiag stops.
#[derive(Clone, Copy)]
struct Schedule {
    wait: Duration,
    deadline: Instant,
}

/// Parses `host:port` or `[v6]:port` (zone dropped).
fn parse_server(server: &str) -> Option<SocketAddr> {
    if let Ok(address) = server.parse::<SocketAddr>() {
        return Some(address);
    }
    let (host, port) = server.rsplit_once(':')?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let host = host.split('%').next()?;
    Some(SocketAddr::new(host.parse().ok()?, port.parse().ok()?))
}

/// How long Go may spend on one name in the worst case.
#[must_use]
pub fn worst_case(dns: &GoDns) -> Duration {
    let tries = u64::from(dns.attempts) * u64::try_from(dns.servers.len()).unwrap_or(1);
    Duration::from_secs(tries * u64::from(dns.timeout_s))
}

/// `tryOneName`: every attempt on every server until an answer or NXDOMAIN.
fn try_one_name(
    network: &dyn Network,
    request: &GoLookup<'_>,
    servers: &[SocketAddr],
    fqdn: &str,
    qtype: RecordType,
    schedule: Schedule,
) -> TypeResult {
    let deadline = schedule.deadline;
    let mut outcome = TypeResult {
        addresses: Vec::new(),
        rcode: None,
        error: None,
        cut_short: false,
        no_reply: None,
    };
    for attempt in 0..request.dns.attempts {
        for (index, server) in servers.iter().enumerate() {
            // The deadline ending the last try of the schedule is Go's own end, not a cut.
            let last = attempt + 1 == request.dns.attempts && index + 1 == servers.len();
            let now = Instant::now();
            if now >= deadline {
                outcome.cut_short = true;
                return outcome;
            }
            let try_until = (now + schedule.wait).min(deadline);
            let options = ExchangeOptions {
                use_tcp: request.dns.use_tcp,
                trust_ad: request.trust_ad,
                deadline: try_until,
            };
            match wire::exchange(network, *server, fqdn, qtype, options) {
                Exchange::NoReply(why) => {
                    if outcome.rcode.is_none() {
                        outcome.no_reply = Some(why);
                    }
                    if !last && Instant::now() >= deadline && try_until == deadline {
                        outcome.cut_short = true;
                        return outcome;
                    }
                    outcome.error = Some(format!(
                        "lookup {} on {server}: {}",
                        request.name,
                        why.go_text()
                    ));
                }
                Exchange::Failed(error) => {
                    if !last && Instant::now() >= deadline && try_until == deadline {
                        outcome.cut_short = true;
                        return outcome;
                    }
                    outcome.error = Some(format!("lookup {} on {server}: {error}", request.name));
                }
                Exchange::Reply(judged) => {
                    outcome.no_reply = None;
                    outcome.rcode = Some(judged.rcode.clone());
                    match judged.outcome {
                        Outcome::Answer => {
                            outcome.addresses = judged.addresses;
                            outcome.error = None;
                            return outcome;
                        }
                        Outcome::NoSuchHost => {
                            outcome.error =
                                Some(format!("lookup {} on {server}: no such host", request.name));
                            return outcome;
                        }
                        other => {
                            outcome.error = Some(format!(
                                "lookup {} on {server}: {}",
                                request.name,
                                other.go_error().unwrap_or("server misbehaving")
                            ));
                        }
                    }
                }
            }
        }
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dns(servers: &[&str]) -> GoDns {
        GoDns {
            servers: servers.iter().map(|s| (*s).to_owned()).collect(),
            default_servers: false,
            search: vec!["corp.example.".into()],
            ndots: 1,
            timeout_s: 5,
            attempts: 2,
            rotate: false,
            single_request: false,
            use_tcp: false,
        }
    }

    fn run(table: &str, name: &str, names: &[String], dns: &GoDns, order: Order) -> PathResult {
        let network = super::super::recorded::network(table);
        let request = GoLookup {
            name,
            order,
            names: Ok(names),
            dns,
            trust_ad: false,
            hosts: None,
        };
        lookup(&network, &request, Instant::now() + Duration::from_secs(5))
    }

    #[test]
    fn nxdomain_from_the_first_server_ends_the_name() {
        let dns = dns(&["10.0.0.1:53", "10.0.0.2:53"]);
        let table = "10.0.0.1 * * NXDOMAIN\n10.0.0.2 git.corp.example A 10.8.1.5\n";
        let names = vec!["git.corp.example.".to_owned()];
        let result = run(table, "git.corp.example", &names, &dns, Order::FilesDns);
        assert!(result.addresses.is_empty());
        assert_eq!(result.rcode.as_deref(), Some("NXDOMAIN"));
        assert_eq!(
            result.error.as_deref(),
            Some("lookup git.corp.example on 10.0.0.1:53: no such host")
        );
    }

    #[test]
    fn servfail_moves_on_to_the_next_server_and_search_names_follow() {
        let dns = dns(&["10.0.0.1:53", "10.0.0.2:53"]);
        let table = "10.0.0.1 * * SERVFAIL\n10.0.0.2 git.corp.example.corp.example A 10.8.1.5\n10.0.0.2 * * NXDOMAIN\n";
        let names = vec![
            "git.".to_owned(),
            "git.corp.example.corp.example.".to_owned(),
        ];
        let result = run(table, "git", &names, &dns, Order::Dns);
        assert_eq!(result.addresses, ["10.8.1.5"]);
    }

    #[test]
    fn timeouts_report_every_server() {
        let dns = dns(&["10.0.0.1:53"]);
        let names = vec!["x.".to_owned()];
        let result = run("", "x", &names, &dns, Order::Dns);
        assert_eq!(
            result.error.as_deref(),
            Some("lookup x on 10.0.0.1:53: i/o timeout")
        );
        assert_eq!(worst_case(&dns), Duration::from_secs(10));
    }

    #[test]
    fn tries_wait_gos_timeout_or_a_fair_share_of_the_budget() {
        let dns = dns(&["10.0.0.1:53"]);
        let now = Instant::now();
        let wait = try_wait(&dns, 1, 1, now + Duration::from_millis(1800));
        assert!(
            wait <= Duration::from_millis(900) && wait > Duration::from_millis(850),
            "{wait:?}"
        );
        assert_eq!(
            try_wait(&dns, 1, 1, now + Duration::from_secs(30)),
            Duration::from_secs(5)
        );
        assert_eq!(
            try_wait(&dns, 4, 3, now + Duration::from_millis(100)),
            MIN_TRY
        );
    }

    #[test]
    fn no_route_to_every_server_is_recorded_as_such() {
        let dns = dns(&["10.99.0.53:53"]);
        let names = vec!["x.corp.example.".to_owned()];
        let result = run(
            "10.99.0.53 * * unreachable\n",
            "x.corp.example",
            &names,
            &dns,
            Order::Dns,
        );
        assert_eq!(result.no_reply, Some(NoReply::NetworkUnreachable));
        assert_eq!(
            result.error.as_deref(),
            Some("lookup x.corp.example on 10.99.0.53:53: connect: network is unreachable")
        );
    }

    #[test]
    fn a_reply_from_any_server_is_not_no_reply() {
        let dns = dns(&["10.0.0.9:53", "10.0.0.1:53"]);
        let names = vec!["x.corp.example.".to_owned()];
        let result = run(
            "10.0.0.9 * * timeout\n10.0.0.1 * * NXDOMAIN\n",
            "x.corp.example",
            &names,
            &dns,
            Order::Dns,
        );
        assert_eq!(result.no_reply, None);
        assert_eq!(result.rcode.as_deref(), Some("NXDOMAIN"));
    }
}

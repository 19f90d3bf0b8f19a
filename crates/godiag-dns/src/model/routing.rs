//! Which servers systemd-resolved sends a name to (systemd-resolved.service(8), "Protocols
//! and routing"; `src/resolve/resolved-dns-scope.c` `dns_scope_good_domain`,
//! `dns_scope_is_default_route`).
//!
//! Each link with DNS servers is a scope, and so are the global servers of resolved.conf. A
//! scope whose domains (search domains and `~` routing-only domains alike) end the name gets
//! it, and only the scopes with the longest such match do. When no domain matches, the name
//! goes to every default-route scope: the global one always, a link when `DefaultRoute=` says
//! so or, unset, when it has no routing-only domain. `FallbackDNS=` is used only when no scope
//! has a server at all.

use serde::Serialize;

use crate::model::system::Link;
use crate::parse::resolved_conf::ResolvedSettings;

/// One place resolved can send a query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scope {
    /// `global` or the interface name.
    pub name: String,
    /// Interface index; 0 for the global scope.
    pub ifindex: u32,
    /// Servers, as configured (`10.0.0.1`, `10.0.0.1:53`, `10.0.0.1#dns.example`).
    pub servers: Vec<String>,
    /// Domains; routing-only ones keep their `~`.
    pub domains: Vec<String>,
    /// Whether it takes names no domain matches.
    pub default_route: bool,
}

/// Where a name goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Route {
    /// The scopes that get the query, by name.
    pub scopes: Vec<String>,
    /// Their servers, as addresses.
    pub servers: Vec<String>,
    /// The domain that decided, when one did.
    pub domain: Option<String>,
    /// Why, in words.
    pub why: String,
}

/// Scopes from resolved.conf and the per-link state.
#[must_use]
pub fn scopes(settings: &ResolvedSettings, links: &[Link]) -> Vec<Scope> {
    let mut scopes = vec![Scope {
        name: "global".into(),
        ifindex: 0,
        servers: settings.dns.iter().map(|s| s.value.clone()).collect(),
        domains: settings.domains.iter().map(|s| s.value.clone()).collect(),
        default_route: true,
    }];
    for link in links {
        let route_only = link.dns.domains.iter().any(|d| d.starts_with('~'));
        scopes.push(Scope {
            name: link.name.clone(),
            ifindex: link.ifindex,
            servers: link.dns.servers.clone(),
            domains: link.dns.domains.clone(),
            default_route: link.dns.default_route.unwrap_or(!route_only),
        });
    }
    scopes
}

/// The IP address part of a server as resolved writes it (`ADDR[:PORT][%IFACE][#NAME]`,
/// `[V6]:PORT`).
#[must_use]
pub fn server_address(server: &str) -> String {
    let server = server.split('#').next().unwrap_or_default();
    if let Some(rest) = server.strip_prefix('[') {
        return rest.split(']').next().unwrap_or_default().to_owned();
    }
    let without_iface = server.split('%').next().unwrap_or_default();
    if without_iface.matches(':').count() == 1 {
        return without_iface
            .split(':')
            .next()
            .unwrap_or_default()
            .to_owned();
    }
    without_iface.to_owned()
}

/// Labels of a domain (`.` has none).
fn labels(domain: &str) -> usize {
    domain
        .trim_matches('.')
        .split('.')
        .filter(|l| !l.is_empty())
        .count()
}

/// True when `domain` is a suffix of `name` at a label boundary (or is the root).
fn ends_with_domain(name: &str, domain: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    let domain = domain.trim_matches('.').to_ascii_lowercase();
    domain.is_empty() || name == domain || name.ends_with(&format!(".{domain}"))
}

/// Where resolved sends `name`, and the fallback servers when no scope has any.
#[must_use]
pub fn route(scopes: &[Scope], fallback: &[String], name: &str) -> Route {
    let usable: Vec<&Scope> = scopes.iter().filter(|s| !s.servers.is_empty()).collect();
    if usable.is_empty() {
        return Route {
            scopes: Vec::new(),
            servers: fallback.iter().map(|s| server_address(s)).collect(),
            domain: None,
            why: if fallback.is_empty() {
                "no link and no global setting has a DNS server".into()
            } else {
                "no link and no global setting has a DNS server, so resolved uses FallbackDNS="
                    .into()
            },
        };
    }
    let mut best: Option<(usize, String)> = None;
    let mut chosen: Vec<&Scope> = Vec::new();
    for scope in &usable {
        let matched = scope
            .domains
            .iter()
            .map(|d| d.trim_start_matches('~'))
            .filter(|d| ends_with_domain(name, d))
            .max_by_key(|d| labels(d));
        let Some(domain) = matched else {
            continue;
        };
        let count = labels(domain);
        match &best {
            Some((top, _)) if count < *top => {}
            Some((top, _)) if count == *top => chosen.push(scope),
            _ => {
                best = Some((count, domain.to_owned()));
                chosen = vec![scope];
            }
        }
    }
    let scope_names = |scopes: &[&Scope]| {
        scopes
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (domain, why) = if let Some((_, domain)) = &best {
        let shown = if domain.is_empty() { "." } else { domain };
        (
            Some(domain.clone()),
            format!(
                "`{name}` ends in `{shown}`, the longest matching domain, configured on {}",
                scope_names(&chosen)
            ),
        )
    } else {
        chosen = usable.iter().copied().filter(|s| s.default_route).collect();
        let why = if chosen.is_empty() {
            "no domain matches and no scope with servers is a default route, so resolved has \
             nowhere to send it"
                .to_owned()
        } else {
            format!(
                "no domain matches, so it goes to the default-route scopes: {}",
                scope_names(&chosen)
            )
        };
        (None, why)
    };
    let mut servers: Vec<String> = Vec::new();
    for server in chosen.iter().flat_map(|s| &s.servers) {
        let address = server_address(server);
        if !servers.contains(&address) {
            servers.push(address);
        }
    }
    Route {
        scopes: chosen.iter().map(|s| s.name.clone()).collect(),
        servers,
        domain,
        why,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(name: &str, servers: &[&str], domains: &[&str], default_route: bool) -> Scope {
        Scope {
            name: name.into(),
            ifindex: 1,
            servers: servers.iter().map(|s| (*s).to_owned()).collect(),
            domains: domains.iter().map(|s| (*s).to_owned()).collect(),
            default_route,
        }
    }

    #[test]
    fn longest_domain_wins_and_only_it() {
        let scopes = [
            scope("global", &["1.1.1.1"], &[], true),
            scope("tun0", &["10.8.0.1"], &["~corp.example"], false),
            scope("tun1", &["10.9.0.1"], &["~git.corp.example"], false),
        ];
        let route = route(&scopes, &[], "x.git.corp.example");
        assert_eq!(route.scopes, ["tun1"]);
        assert_eq!(route.servers, ["10.9.0.1"]);
        let other = super::route(&scopes, &[], "wiki.corp.example");
        assert_eq!(other.scopes, ["tun0"]);
    }

    #[test]
    fn unmatched_names_go_to_default_routes() {
        let scopes = [
            scope("global", &[], &[], true),
            scope("eth0", &["192.168.1.1"], &["home.arpa"], true),
            scope("tun0", &["10.8.0.1"], &["~corp.example"], false),
        ];
        assert_eq!(route(&scopes, &[], "example.org").scopes, ["eth0"]);
        // Search domains route too.
        assert_eq!(route(&scopes, &[], "nas.home.arpa").scopes, ["eth0"]);
    }

    #[test]
    fn catch_all_and_fallback() {
        let scopes = [
            scope("tun0", &["10.8.0.1"], &["~."], false),
            scope("eth0", &["192.168.1.1"], &[], true),
        ];
        assert_eq!(route(&scopes, &[], "example.org").scopes, ["tun0"]);
        let none = route(
            &[scope("global", &[], &[], true)],
            &["9.9.9.9".into()],
            "x.example",
        );
        assert_eq!(none.servers, ["9.9.9.9"]);
    }

    #[test]
    fn server_addresses() {
        assert_eq!(server_address("10.0.0.1:5353#dns.example"), "10.0.0.1");
        assert_eq!(server_address("[fd00::1]:53%eth0"), "fd00::1");
        assert_eq!(server_address("fd00::1%eth0"), "fd00::1");
        assert_eq!(server_address("10.0.0.1"), "10.0.0.1");
    }
}

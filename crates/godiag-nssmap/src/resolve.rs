//! Answers one lookup from a map: the decision the NSS entry points marshal into glibc's
//! buffers, kept here so that it is safe code with tests of its own.

use std::net::IpAddr;

pub use crate::answer::{Answer, Family};
use crate::forward::{self, Forwarded};
use crate::map::{Map, Pattern, Rule, Target, normalise_name};

/// The outcome of a lookup, in the terms glibc's NSS statuses need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// The name resolves.
    Found(Answer),
    /// No rule covers the name, or its DNS server says it does not exist
    /// (`NSS_STATUS_NOTFOUND`, `HOST_NOT_FOUND`), so the next source on the hosts line is asked.
    NoSuchName,
    /// The name exists but has no address of the wanted family (`NSS_STATUS_NOTFOUND`,
    /// `NO_DATA`).
    NoData,
    /// The rule's DNS servers did not answer within timeout × attempts (`NSS_STATUS_TRYAGAIN`,
    /// `TRY_AGAIN`).
    TryAgain,
}

/// A reverse lookup's answer: the first exact rule with the address names it, later ones are
/// aliases (as `libnss_files` does with several lines for one address).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reverse {
    /// The host name.
    pub name: String,
    /// Further names with the same address.
    pub aliases: Vec<String>,
}

/// Resolves `name` (the raw bytes a caller passed) with `map`.
#[must_use]
pub fn resolve(map: &Map, name: &[u8], family: Family) -> Lookup {
    let Some(normalised) = normalise_name(name) else {
        return Lookup::NoSuchName;
    };
    let Some(rule) = map.rule_for(&normalised) else {
        return Lookup::NoSuchName;
    };
    match &rule.target {
        Target::Addresses(addresses) => {
            let addresses: Vec<IpAddr> = addresses
                .iter()
                .copied()
                .filter(|address| family.wants(*address))
                .collect();
            if addresses.is_empty() {
                return Lookup::NoData;
            }
            Lookup::Found(Answer {
                canonical: canonical_name(rule, name),
                addresses,
                ttl: 0,
            })
        }
        Target::Dns(servers) => match forward::query(servers, &normalised, family, map.options) {
            Forwarded::Answer(answer) => Lookup::Found(answer),
            Forwarded::NxDomain => Lookup::NoSuchName,
            Forwarded::NoData => Lookup::NoData,
            Forwarded::NoAnswer => Lookup::TryAgain,
        },
    }
}

/// Returns the names the map gives `address`, if any exact rule lists it.
#[must_use]
pub fn reverse(map: &Map, address: IpAddr) -> Option<Reverse> {
    let mut names = map.names_for(address).map(str::to_owned);
    let name = names.next()?;
    Some(Reverse {
        name,
        aliases: names.collect(),
    })
}

impl Family {
    fn wants(self, address: IpAddr) -> bool {
        matches!(
            (self, address),
            (Self::Any, _) | (Self::V4, IpAddr::V4(_)) | (Self::V6, IpAddr::V6(_))
        )
    }
}

/// An exact rule answers with its own spelling, as an /etc/hosts line does; a wildcard has no
/// spelling of the full name, so the caller's is kept.
fn canonical_name(rule: &Rule, queried: &[u8]) -> String {
    match &rule.pattern {
        Pattern::Exact(name) => name.clone(),
        Pattern::Wildcard(_) => {
            let queried = queried.strip_suffix(b".").unwrap_or(queried);
            String::from_utf8_lossy(queried).into_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse;

    fn addresses(lookup: &Lookup) -> Vec<String> {
        match lookup {
            Lookup::Found(answer) => answer.addresses.iter().map(ToString::to_string).collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn families_filter_fixed_addresses() {
        let map = parse("Git.Corp.Example 10.0.0.1 fd00::1 10.0.0.2\nv6.example fd00::6\n").map;
        let any = resolve(&map, b"git.corp.example", Family::Any);
        assert_eq!(addresses(&any), ["10.0.0.1", "fd00::1", "10.0.0.2"]);
        let v4 = resolve(&map, b"GIT.corp.example.", Family::V4);
        assert_eq!(addresses(&v4), ["10.0.0.1", "10.0.0.2"]);
        assert_eq!(
            addresses(&resolve(&map, b"git.corp.example", Family::V6)),
            ["fd00::1"]
        );
        assert_eq!(resolve(&map, b"v6.example", Family::V4), Lookup::NoData);
        assert_eq!(
            resolve(&map, b"other.example", Family::Any),
            Lookup::NoSuchName
        );
        assert_eq!(resolve(&map, b"\xff\xfe", Family::Any), Lookup::NoSuchName);
    }

    #[test]
    fn canonical_names_follow_the_rule_kind() {
        let map = parse("Git.Corp.Example 10.0.0.1\n*.corp.example 10.0.0.2\n").map;
        let Lookup::Found(exact) = resolve(&map, b"git.corp.example", Family::V4) else {
            panic!("exact rule did not answer");
        };
        assert_eq!(exact.canonical, "Git.Corp.Example");
        let Lookup::Found(wild) = resolve(&map, b"A.corp.example.", Family::V4) else {
            panic!("wildcard did not answer");
        };
        assert_eq!(wild.canonical, "A.corp.example");
    }

    #[test]
    fn reverse_lookups_name_the_first_rule_and_alias_the_rest() {
        let map = parse("a.example 10.0.0.1\nb.example 10.0.0.1\n*.c.example 10.0.0.1\n").map;
        let found = reverse(&map, "10.0.0.1".parse().unwrap()).unwrap();
        assert_eq!(found.name, "a.example");
        assert_eq!(found.aliases, ["b.example"]);
        assert_eq!(reverse(&map, "10.0.0.2".parse().unwrap()), None);
    }
}

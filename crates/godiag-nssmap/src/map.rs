//! The map's model and its matching rule: an exact name beats any wildcard, and of the
//! wildcards the one with the longest suffix wins, whatever order the lines come in.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

/// A parsed map: its rules in file order, its options and lookup tables over the rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Map {
    /// Every rule that parsed, in file order (a duplicate pattern keeps only its first rule).
    pub rules: Vec<Rule>,
    /// The `options` line's settings, or the defaults.
    pub options: Options,
    exact: HashMap<String, usize>,
    wildcard: HashMap<String, usize>,
}

/// One line of the map: a pattern and what names matching it resolve to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// The name or wildcard the rule is for.
    pub pattern: Pattern,
    /// Fixed addresses or the DNS servers to ask.
    pub target: Target,
    /// Where the rule's pattern is in the map.
    pub position: Position,
}

/// What a rule matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pattern {
    /// Exactly this name (as written, without a trailing dot); matched case-insensitively.
    Exact(String),
    /// `*.SUFFIX`: any name at any depth below SUFFIX, but not SUFFIX itself.
    Wildcard(String),
}

/// What a matching name resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// These addresses, in the order written.
    Addresses(Vec<IpAddr>),
    /// Ask these servers, in order (`dns SERVER[:PORT]...`).
    Dns(Vec<SocketAddr>),
}

/// How long `dns` rules wait for their servers, as in resolv.conf(5) `options`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// How long one query waits for one server.
    pub timeout: Duration,
    /// How many rounds over the servers a lookup makes.
    pub attempts: u32,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(1),
            attempts: 2,
        }
    }
}

impl Pattern {
    /// Returns the pattern as written in a map (`*.corp.example` or `git.corp.example`).
    #[must_use]
    pub fn text(&self) -> String {
        match self {
            Self::Exact(name) => name.clone(),
            Self::Wildcard(suffix) => format!("*.{suffix}"),
        }
    }

    fn key(&self) -> String {
        match self {
            Self::Exact(name) | Self::Wildcard(name) => name.to_ascii_lowercase(),
        }
    }
}

impl Map {
    /// Builds a map from rules and options; a later rule with an already-seen pattern is
    /// dropped (the parser reports it), so the first line for a pattern wins, as in /etc/hosts.
    #[must_use]
    pub fn new(rules: Vec<Rule>, options: Options) -> Self {
        let mut map = Self {
            options,
            ..Self::default()
        };
        for rule in rules {
            let index = map.rules.len();
            let table = match rule.pattern {
                Pattern::Exact(_) => &mut map.exact,
                Pattern::Wildcard(_) => &mut map.wildcard,
            };
            if let std::collections::hash_map::Entry::Vacant(slot) = table.entry(rule.pattern.key())
            {
                slot.insert(index);
                map.rules.push(rule);
            }
        }
        map
    }

    /// Returns the most specific rule for `name` (already normalised by
    /// [`normalise_name`]): the exact rule if there is one, else the wildcard with the longest
    /// suffix.
    #[must_use]
    pub fn rule_for(&self, name: &str) -> Option<&Rule> {
        if let Some(&index) = self.exact.get(name) {
            return self.rules.get(index);
        }
        // Strip one label at a time, so the first wildcard found is the longest suffix.
        let mut rest = name;
        while let Some((_, suffix)) = rest.split_once('.') {
            if let Some(&index) = self.wildcard.get(suffix) {
                return self.rules.get(index);
            }
            rest = suffix;
        }
        None
    }

    /// Returns the exact-name rules whose addresses include `address`, in file order; reverse
    /// lookups answer only for these (a wildcard names no single host).
    pub fn names_for(&self, address: IpAddr) -> impl Iterator<Item = &str> {
        self.rules
            .iter()
            .filter_map(move |rule| match (&rule.pattern, &rule.target) {
                (Pattern::Exact(name), Target::Addresses(addresses))
                    if addresses.contains(&address) =>
                {
                    Some(name.as_str())
                }
                _ => None,
            })
    }
}

/// Returns the lower-case form of a queried name without one trailing dot, or `None` when it
/// cannot be a host name at all (empty, longer than 253 bytes, not ASCII, an empty label).
#[must_use]
pub fn normalise_name(name: &[u8]) -> Option<String> {
    let name = name.strip_suffix(b".").unwrap_or(name);
    if name.is_empty() || name.len() > 253 || !name.is_ascii() {
        return None;
    }
    if name
        .split(|&b| b == b'.')
        .any(|label| label.is_empty() || label.len() > 63)
    {
        return None;
    }
    if name
        .iter()
        .any(|b| b.is_ascii_whitespace() || b.is_ascii_control())
    {
        return None;
    }
    Some(String::from_utf8_lossy(name).to_ascii_lowercase())
}

/// Where something is in the map: 1-based line and column, and its byte range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Position {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, counted in bytes.
    pub column: usize,
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse;

    fn pattern_for(map: &Map, name: &str) -> Option<String> {
        let name = normalise_name(name.as_bytes())?;
        map.rule_for(&name).map(|rule| rule.pattern.text())
    }

    #[test]
    fn most_specific_rule_wins_whatever_the_order() {
        let text = "*.example 10.0.0.1\n*.corp.example 10.0.0.2\ngit.corp.example 10.0.0.3\n\
                    *.b.corp.example 10.0.0.4\n";
        let map = parse(text).map;
        let cases = [
            ("git.corp.example", Some("git.corp.example")),
            ("GIT.Corp.Example.", Some("git.corp.example")),
            ("a.git.corp.example", Some("*.corp.example")),
            ("x.b.corp.example", Some("*.b.corp.example")),
            ("y.x.b.corp.example", Some("*.b.corp.example")),
            ("b.corp.example", Some("*.corp.example")),
            ("corp.example", Some("*.example")),
            ("example", None),
            ("other.test", None),
        ];
        for (name, want) in cases {
            assert_eq!(pattern_for(&map, name).as_deref(), want, "{name}");
        }
    }

    #[test]
    fn reverse_names_come_from_exact_rules_only() {
        let map = parse("*.corp.example 10.0.0.1\na.corp.example 10.0.0.1 fd00::1\n").map;
        let v4: Vec<_> = map.names_for("10.0.0.1".parse().unwrap()).collect();
        assert_eq!(v4, ["a.corp.example"]);
        assert_eq!(map.names_for("10.0.0.9".parse().unwrap()).count(), 0);
    }

    #[test]
    fn names_that_cannot_be_host_names_normalise_to_none() {
        for bad in [
            &b""[..],
            b".",
            b"a..b",
            b"a b",
            b"\xff.example",
            &[b'a'; 254],
            b"a\n",
        ] {
            assert_eq!(normalise_name(bad), None, "{bad:?}");
        }
        assert_eq!(normalise_name(b"A.B.").as_deref(), Some("a.b"));
    }
}

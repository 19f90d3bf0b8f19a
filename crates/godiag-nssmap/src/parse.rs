//! The map's text format, parsed without I/O and with a position for every problem.
//!
//! ```text
//! # name or wildcard     what it resolves to
//! git.corp.example       10.1.2.3 fd00::3
//! *.corp.example         dns 10.0.0.53 [fd00::53]:5353
//! options timeout:1 attempts:2
//! ```
//!
//! A line that does not parse is reported and skipped; the rest of the map still works, so one
//! typo does not take every private name away from every process on the machine.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use crate::map::{Map, Options, Pattern, Position, Rule, Target};

/// Something in the map that the module ignores, and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// What is wrong.
    pub kind: ProblemKind,
    /// The token it is about.
    pub position: Position,
}

/// What is wrong with a part of the map.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProblemKind {
    /// The first word is neither a host name, a `*.` wildcard nor `options`.
    InvalidName {
        /// The word as written.
        name: String,
    },
    /// A word after a name is not an IPv4 or IPv6 address.
    InvalidAddress {
        /// The word as written.
        token: String,
    },
    /// A word after `dns` is not `ADDRESS`, `IPV4:PORT` or `[IPV6]:PORT`.
    InvalidServer {
        /// The word as written.
        token: String,
    },
    /// A name with no addresses, or `dns` with no servers.
    MissingTarget {
        /// The pattern as written.
        pattern: String,
    },
    /// The same pattern on an earlier line; this line is ignored.
    DuplicateRule {
        /// The pattern as written.
        pattern: String,
        /// The line whose rule is used.
        first_line: usize,
    },
    /// An `options` word other than `timeout:N` or `attempts:N`.
    UnknownOption {
        /// The word as written.
        option: String,
    },
    /// `timeout:N` outside 1–30 seconds or `attempts:N` outside 1–5.
    InvalidOptionValue {
        /// The word as written.
        option: String,
    },
}

/// The map and the problems found while reading it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    /// The rules that parsed.
    pub map: Map,
    /// Everything skipped, in file order.
    pub problems: Vec<Problem>,
}

/// The longest `timeout:` resolv.conf(5) accepts, and so does the map.
const MAX_TIMEOUT_SECS: u64 = 30;
/// The most `attempts:` resolv.conf(5) accepts, and so does the map.
const MAX_ATTEMPTS: u32 = 5;

/// Parses a map's text.
#[must_use]
pub fn parse(text: &str) -> Parsed {
    let mut rules: Vec<Rule> = Vec::new();
    let mut options = Options::default();
    let mut problems = Vec::new();
    let mut line_start = 0;
    for (index, raw) in text.split('\n').enumerate() {
        let line = Line {
            number: index + 1,
            start: line_start,
            text: raw.split('#').next().unwrap_or_default(),
        };
        line_start += raw.len() + 1;
        let words = line.words();
        let Some((first, rest)) = words.split_first() else {
            continue;
        };
        if first.text == "options" {
            parse_options(rest, &mut options, &mut problems);
            continue;
        }
        let Some(pattern) = parse_pattern(first.text) else {
            problems.push(first.problem(ProblemKind::InvalidName {
                name: first.text.to_owned(),
            }));
            continue;
        };
        let Some(target) = parse_target(first, &pattern, rest, &mut problems) else {
            continue;
        };
        let key = pattern.text().to_ascii_lowercase();
        if let Some(earlier) = rules
            .iter()
            .find(|rule| rule.pattern.text().to_ascii_lowercase() == key)
        {
            problems.push(first.problem(ProblemKind::DuplicateRule {
                pattern: first.text.to_owned(),
                first_line: earlier.position.line,
            }));
            continue;
        }
        rules.push(Rule {
            pattern,
            target,
            position: first.position(),
        });
    }
    Parsed {
        map: Map::new(rules, options),
        problems,
    }
}

struct Line<'a> {
    number: usize,
    start: usize,
    text: &'a str,
}

struct Word<'a> {
    text: &'a str,
    line: usize,
    offset: usize,
    column: usize,
}

impl<'a> Line<'a> {
    fn words(&self) -> Vec<Word<'a>> {
        let mut words = Vec::new();
        let mut rest = self.text;
        let mut column = 0;
        while let Some(skip) = rest.find(|c: char| !c.is_ascii_whitespace()) {
            column += skip;
            rest = &rest[skip..];
            let len = rest
                .find(|c: char| c.is_ascii_whitespace())
                .unwrap_or(rest.len());
            words.push(Word {
                text: &rest[..len],
                line: self.number,
                offset: self.start + column,
                column: column + 1,
            });
            column += len;
            rest = &rest[len..];
        }
        words
    }
}

impl Word<'_> {
    fn position(&self) -> Position {
        Position {
            line: self.line,
            column: self.column,
            start: self.offset,
            end: self.offset + self.text.len(),
        }
    }

    fn problem(&self, kind: ProblemKind) -> Problem {
        Problem {
            kind,
            position: self.position(),
        }
    }
}

fn parse_target(
    first: &Word<'_>,
    pattern: &Pattern,
    rest: &[Word<'_>],
    problems: &mut Vec<Problem>,
) -> Option<Target> {
    let missing = || {
        first.problem(ProblemKind::MissingTarget {
            pattern: pattern.text(),
        })
    };
    let target = if let Some((dns, servers)) = rest.split_first().filter(|(w, _)| w.text == "dns") {
        if servers.is_empty() {
            problems.push(dns.problem(ProblemKind::MissingTarget {
                pattern: pattern.text(),
            }));
            return None;
        }
        let parsed = collect(servers, parse_server, problems, |token| {
            ProblemKind::InvalidServer { token }
        })?;
        Target::Dns(parsed)
    } else {
        if rest.is_empty() {
            problems.push(missing());
            return None;
        }
        let parsed = collect(
            rest,
            |t| t.parse().ok(),
            problems,
            |token| ProblemKind::InvalidAddress { token },
        )?;
        Target::Addresses(parsed)
    };
    Some(target)
}

/// Parses every word or reports each one that fails; a line with any bad word is skipped
/// whole, so a typo never leaves a rule half-applied.
fn collect<T>(
    words: &[Word<'_>],
    parse_one: impl Fn(&str) -> Option<T>,
    problems: &mut Vec<Problem>,
    kind: impl Fn(String) -> ProblemKind,
) -> Option<Vec<T>> {
    let before = problems.len();
    let mut parsed = Vec::with_capacity(words.len());
    for word in words {
        match parse_one(word.text) {
            Some(value) => parsed.push(value),
            None => problems.push(word.problem(kind(word.text.to_owned()))),
        }
    }
    (problems.len() == before).then_some(parsed)
}

fn parse_options(words: &[Word<'_>], options: &mut Options, problems: &mut Vec<Problem>) {
    for word in words {
        let (name, value) = word.text.split_once(':').unwrap_or((word.text, ""));
        let value: Option<u64> = value.parse().ok();
        let kind = match (name, value) {
            ("timeout", Some(secs @ 1..=MAX_TIMEOUT_SECS)) => {
                options.timeout = Duration::from_secs(secs);
                continue;
            }
            ("attempts", Some(n)) if (1..=u64::from(MAX_ATTEMPTS)).contains(&n) => {
                options.attempts = u32::try_from(n).unwrap_or(MAX_ATTEMPTS);
                continue;
            }
            ("timeout" | "attempts", _) => ProblemKind::InvalidOptionValue {
                option: word.text.to_owned(),
            },
            _ => ProblemKind::UnknownOption {
                option: word.text.to_owned(),
            },
        };
        problems.push(word.problem(kind));
    }
}

fn parse_pattern(word: &str) -> Option<Pattern> {
    let word = word.strip_suffix('.').unwrap_or(word);
    if let Some(suffix) = word.strip_prefix("*.") {
        return valid_host_name(suffix).then(|| Pattern::Wildcard(suffix.to_owned()));
    }
    valid_host_name(word).then(|| Pattern::Exact(word.to_owned()))
}

/// RFC 1123 host names, with `_` allowed as glibc's resolver allows it in queries.
fn valid_host_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

fn parse_server(word: &str) -> Option<SocketAddr> {
    if let Ok(address) = word.parse::<IpAddr>() {
        return Some(SocketAddr::new(address, 53));
    }
    if let Some(inner) = word.strip_prefix('[').and_then(|w| w.strip_suffix(']')) {
        return inner
            .parse::<Ipv6Addr>()
            .ok()
            .map(|address| SocketAddr::new(address.into(), 53));
    }
    word.parse::<SocketAddr>()
        .ok()
        .filter(|address| address.port() != 0)
}

#[cfg(test)]
mod tests;

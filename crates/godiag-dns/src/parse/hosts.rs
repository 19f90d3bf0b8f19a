//! /etc/hosts: address lines with their names, and the two ways of looking a name up.
//!
//! Go (`net/hosts.go` `readHosts`, `lookupStaticHost`): text from the first `#` is dropped,
//! fields split on whitespace, the address must parse as `netip.ParseAddr`; names are keyed
//! lower-cased with a trailing dot added to names that contain a dot, so `FOO.example.` finds
//! `foo.example` but `localhost.` does not find `localhost`.
//!
//! glibc (nss/nss_files/files-hosts.c): the same lines, names compared case-insensitively and
//! exactly, so a trailing dot in the query never matches.

use serde::Serialize;

use super::resolv_conf::go_parse_addr;
use super::{Pos, go_fields, lines, text};

/// One address line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HostsEntry {
    /// The address in canonical form.
    pub address: String,
    /// The names after it.
    pub names: Vec<String>,
    /// Where the line starts.
    pub pos: Pos,
}

/// The parsed file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Hosts {
    /// Lines with a valid address and at least one name.
    pub entries: Vec<HostsEntry>,
    /// Lines with text that is not a valid address line: `(pos, text)`.
    pub invalid: Vec<(Pos, String)>,
}

/// A match of a lookup: the address and the line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HostsMatch {
    /// The address as written in the file (not normalised).
    pub address: String,
    /// The line it came from.
    pub pos: Pos,
}

/// Parses /etc/hosts bytes.
#[must_use]
pub fn parse(bytes: &[u8]) -> Hosts {
    let mut hosts = Hosts::default();
    for (number, raw) in lines(bytes) {
        let line = raw
            .iter()
            .position(|&b| b == b'#')
            .map_or(raw, |at| &raw[..at]);
        let fields = go_fields(line);
        let Some(&(at, first)) = fields.first() else {
            continue;
        };
        let pos = Pos::at(number, at);
        match go_parse_addr(&text(first)) {
            Some(address) if fields.len() >= 2 => hosts.entries.push(HostsEntry {
                address,
                names: fields[1..].iter().map(|(_, name)| text(name)).collect(),
                pos,
            }),
            _ => hosts.invalid.push((pos, text(line).trim().to_owned())),
        }
    }
    hosts
}

impl Hosts {
    /// The addresses Go's `lookupStaticHost` returns for `name`, in file order.
    #[must_use]
    pub fn go_lookup(&self, name: &str) -> Vec<HostsMatch> {
        let key = abs_domain_name(&name.to_ascii_lowercase());
        self.lookup_by(|entry_name| abs_domain_name(&entry_name.to_ascii_lowercase()) == key)
    }

    /// The addresses glibc's files module returns for `name`, in file order.
    #[must_use]
    pub fn glibc_lookup(&self, name: &str) -> Vec<HostsMatch> {
        self.lookup_by(|entry_name| entry_name.eq_ignore_ascii_case(name))
    }

    fn lookup_by(&self, matches: impl Fn(&str) -> bool) -> Vec<HostsMatch> {
        let mut found: Vec<HostsMatch> = Vec::new();
        for entry in &self.entries {
            if entry.names.iter().any(|name| matches(name))
                && !found.iter().any(|m| m.address == entry.address)
            {
                found.push(HostsMatch {
                    address: entry.address.clone(),
                    pos: entry.pos,
                });
            }
        }
        found
    }
}

/// `absDomainName`: a trailing dot for names that contain a dot and lack one.
fn abs_domain_name(name: &str) -> String {
    if name.contains('.') && !name.ends_with('.') {
        format!("{name}.")
    } else {
        name.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const HOSTS: &[u8] = b"127.0.0.1 localhost\n10.1.1.1 Foo.Example.COM foo # x\n\
        10.1.1.2 foo.example.com\n01.2.3.4 bad\nnot-an-address x\n::1 localhost ip6-localhost\n";

    fn addresses(found: &[HostsMatch]) -> Vec<&str> {
        found.iter().map(|m| m.address.as_str()).collect()
    }

    #[test]
    fn go_lookup_adds_a_dot_only_to_dotted_names() {
        let hosts = parse(HOSTS);
        assert_eq!(
            addresses(&hosts.go_lookup("FOO.EXAMPLE.COM.")),
            ["10.1.1.1", "10.1.1.2"]
        );
        assert_eq!(
            addresses(&hosts.go_lookup("localhost")),
            ["127.0.0.1", "::1"]
        );
        assert!(hosts.go_lookup("localhost.").is_empty());
        assert_eq!(hosts.invalid.len(), 2);
    }

    #[test]
    fn glibc_lookup_never_matches_a_trailing_dot() {
        let hosts = parse(HOSTS);
        assert_eq!(
            addresses(&hosts.glibc_lookup("foo.example.com")),
            ["10.1.1.1", "10.1.1.2"]
        );
        assert!(hosts.glibc_lookup("foo.example.com.").is_empty());
        assert_eq!(hosts.glibc_lookup("FOO")[0].pos, Pos { line: 2, column: 1 });
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300), name in "[a-zA-Z.]{0,12}") {
            let hosts = parse(&bytes);
            let _ = hosts.go_lookup(&name);
            let _ = hosts.glibc_lookup(&name);
        }
    }
}

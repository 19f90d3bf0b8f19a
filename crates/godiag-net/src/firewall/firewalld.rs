//! firewalld: which zone decides, and whether the runtime rules match the permanent
//! configuration.
//!
//! firewalld (1.x, nftables backend) keeps its rules in `table inet firewalld`: base chain
//! `filter_INPUT` jumps to `filter_INPUT_ZONES`, which goes to `filter_IN_<zone>` per
//! interface or source, whose `filter_IN_<zone>_allow` holds the opened ports. Permanent
//! configuration is XML: `/etc/firewalld/zones/ZONE.xml` (an admin copy replaces the shipped
//! `/usr/lib/firewalld/zones/ZONE.xml` whole), services in `…/services/NAME.xml`.
//! Runtime changes (`firewall-cmd --add-port`) vanish on `--reload` unless made `--permanent`.

use std::path::{Path, PathBuf};

use godiag_core::host::Host;

use super::ir::Ruleset;

/// firewalld's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Firewalld {
    /// `DefaultZone=` of firewalld.conf (`public` when unset).
    pub default_zone: String,
}

/// What the permanent configuration says about a port in a zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permanent {
    /// The zone file read.
    pub file: PathBuf,
    /// True when the zone opens the port (a port, a service, or target ACCEPT).
    pub allows: bool,
    /// How: `port 8080/tcp`, `service http`, `target ACCEPT`.
    pub how: Option<String>,
}

/// Returns firewalld's configuration when its table is loaded.
#[must_use]
pub fn read(host: &dyn Host, ruleset: &Ruleset) -> Option<Firewalld> {
    if !ruleset
        .base_chains
        .iter()
        .any(|b| b.table == "inet firewalld")
    {
        return None;
    }
    let default_zone = host
        .read_to_string(Path::new("/etc/firewalld/firewalld.conf"))
        .ok()
        .and_then(|text| {
            text.lines()
                .filter_map(|line| line.trim().strip_prefix("DefaultZone="))
                .map(|zone| zone.trim().to_owned())
                .find(|zone| !zone.is_empty())
        })
        .unwrap_or_else(|| "public".to_owned());
    Some(Firewalld { default_zone })
}

/// Extracts the zone from a deciding rule such as
/// `nftables inet firewalld filter_IN_public_allow handle 9: tcp dport 8080 accept`.
#[must_use]
pub fn zone_of(rule: &str) -> Option<String> {
    let rest = &rule[rule.find("filter_IN_")? + "filter_IN_".len()..];
    let name: String = rest
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != ':')
        .collect();
    let zone = ["_allow", "_deny", "_pre", "_post", "_log"]
        .iter()
        .find_map(|suffix| name.strip_suffix(suffix))
        .unwrap_or(&name);
    (!zone.is_empty()).then(|| zone.to_owned())
}

/// Reads the permanent configuration of `zone` and says whether it opens `port`/tcp.
#[must_use]
pub fn permanent(host: &dyn Host, zone: &str, port: u16) -> Option<Permanent> {
    let (file, text) = first_readable(
        host,
        &[
            format!("/etc/firewalld/zones/{zone}.xml"),
            format!("/usr/lib/firewalld/zones/{zone}.xml"),
        ],
    )?;
    if tags(&text, "zone")
        .iter()
        .any(|attrs| attr(attrs, "target").is_some_and(|t| t.eq_ignore_ascii_case("ACCEPT")))
    {
        return Some(Permanent {
            file,
            allows: true,
            how: Some("target ACCEPT".to_owned()),
        });
    }
    if let Some(spec) = tags(&text, "port")
        .iter()
        .find_map(|attrs| port_matches(attrs, port))
    {
        return Some(Permanent {
            file,
            allows: true,
            how: Some(format!("port {spec}")),
        });
    }
    for service in tags(&text, "service")
        .iter()
        .filter_map(|attrs| attr(attrs, "name"))
    {
        let Some((_, definition)) = first_readable(
            host,
            &[
                format!("/etc/firewalld/services/{service}.xml"),
                format!("/usr/lib/firewalld/services/{service}.xml"),
            ],
        ) else {
            continue;
        };
        if tags(&definition, "port")
            .iter()
            .any(|attrs| port_matches(attrs, port).is_some())
        {
            return Some(Permanent {
                file,
                allows: true,
                how: Some(format!("service {service}")),
            });
        }
    }
    Some(Permanent {
        file,
        allows: false,
        how: None,
    })
}

fn first_readable(host: &dyn Host, paths: &[String]) -> Option<(PathBuf, String)> {
    paths.iter().find_map(|path| {
        let path = PathBuf::from(path);
        host.read_to_string(&path).ok().map(|text| (path, text))
    })
}

/// `<port port="8000-8999" protocol="tcp"/>` → `8000-8999/tcp` when it covers `port`.
fn port_matches(attrs: &str, port: u16) -> Option<String> {
    if attr(attrs, "protocol")? != "tcp" {
        return None;
    }
    let spec = attr(attrs, "port")?;
    let (low, high) = spec.split_once('-').unwrap_or((&spec, &spec));
    let (low, high): (u16, u16) = (low.trim().parse().ok()?, high.trim().parse().ok()?);
    (low..=high).contains(&port).then(|| format!("{spec}/tcp"))
}

/// The attribute text of every `<name ...>` tag.
fn tags<'a>(xml: &'a str, name: &str) -> Vec<&'a str> {
    let open = format!("<{name}");
    let mut found = Vec::new();
    let mut rest = xml;
    while let Some(at) = rest.find(&open) {
        let after = &rest[at + open.len()..];
        if after.starts_with(|c: char| c.is_whitespace() || c == '>' || c == '/') {
            let end = after.find('>').unwrap_or(after.len());
            found.push(&after[..end]);
        }
        rest = after;
    }
    found
}

/// The value of `key="value"` (or single quotes) in a tag's attribute text.
fn attr(attrs: &str, key: &str) -> Option<String> {
    let mut rest = attrs;
    while let Some(at) = rest.find(key) {
        let before_ok = at == 0 || rest[..at].ends_with(char::is_whitespace);
        let after = rest[at + key.len()..].trim_start();
        if before_ok {
            if let Some(value) = after.strip_prefix('=') {
                let value = value.trim_start();
                let quote = value.chars().next()?;
                if quote == '"' || quote == '\'' {
                    let body = &value[1..];
                    return body.find(quote).map(|end| body[..end].to_owned());
                }
            }
        }
        rest = &rest[at + key.len()..];
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_come_from_chain_names() {
        assert_eq!(
            zone_of("nftables inet firewalld filter_IN_public_allow handle 9: tcp dport 22 accept")
                .as_deref(),
            Some("public")
        );
        assert_eq!(
            zone_of("nftables inet firewalld filter_IN_work handle 3: reject").as_deref(),
            Some("work")
        );
        assert_eq!(zone_of("nftables inet filter input handle 3: drop"), None);
    }

    #[test]
    fn ports_and_attributes() {
        let xml = r#"<?xml version="1.0"?><zone><service name="ssh"/><port port="1025-65535" protocol="tcp"/><port protocol='udp' port="53"/></zone>"#;
        let ports = tags(xml, "port");
        assert_eq!(ports.len(), 2);
        assert_eq!(
            port_matches(ports[0], 8080).as_deref(),
            Some("1025-65535/tcp")
        );
        assert_eq!(port_matches(ports[1], 53), None);
        assert_eq!(
            attr(tags(xml, "service")[0], "name").as_deref(),
            Some("ssh")
        );
    }
}

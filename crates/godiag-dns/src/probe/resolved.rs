//! systemd-resolved over D-Bus, through `busctl` (so no D-Bus library is linked): the
//! per-link servers and domains it uses right now (`Manager.DNS`, `Manager.Domains`,
//! `Link.DefaultRoute`), and its own answer for a name (`Manager.ResolveHostname`).

use std::net::IpAddr;
use std::time::{Duration, Instant};

use godiag_core::host::{CommandLine, Host};
use serde_json::Value;

use super::PathResult;
use crate::model::system::Link;
use crate::parse::link_state::LinkDns;

const BUSCTL: &str = "busctl";
const SERVICE: &str = "org.freedesktop.resolve1";
const OBJECT: &str = "/org/freedesktop/resolve1";
const MANAGER: &str = "org.freedesktop.resolve1.Manager";

fn busctl(host: &dyn Host, args: &[&str], timeout: Duration) -> Result<Vec<Value>, String> {
    let mut all = vec!["--json=short"];
    all.extend_from_slice(args);
    let output = host
        .run(&CommandLine::new(BUSCTL, &all), timeout)
        .map_err(|error| error.to_string())?;
    if output.status != Some(0) {
        return Err(String::from_utf8_lossy(&output.stderr).trim().to_owned());
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| serde_json::from_str(line).map_err(|e| e.to_string()))
        .collect()
}

/// An address from D-Bus `(family, bytes)`.
fn address(family: &Value, bytes: &Value) -> Option<IpAddr> {
    let bytes: Vec<u8> = bytes
        .as_array()?
        .iter()
        .filter_map(|b| u8::try_from(b.as_u64()?).ok())
        .collect();
    match (family.as_i64()?, bytes.len()) {
        (2, 4) => Some(IpAddr::from(<[u8; 4]>::try_from(bytes).ok()?)),
        (10, 16) => Some(IpAddr::from(<[u8; 16]>::try_from(bytes).ok()?)),
        _ => None,
    }
}

/// Parses `Manager.DNS` (`a(iiay)`) and `Manager.Domains` (`a(isb)`) into global settings
/// (ifindex 0) and links.
#[must_use]
pub fn parse_state(dns: &Value, domains: &Value) -> (LinkDns, Vec<(u32, LinkDns)>) {
    let mut global = LinkDns::default();
    let mut links: Vec<(u32, LinkDns)> = Vec::new();
    for item in dns["data"].as_array().into_iter().flatten() {
        let Some(fields) = item.as_array() else {
            continue;
        };
        let (Some(ifindex), Some(addr)) = (
            fields
                .first()
                .and_then(Value::as_u64)
                .and_then(|i| u32::try_from(i).ok()),
            fields
                .get(1)
                .zip(fields.get(2))
                .and_then(|(f, b)| address(f, b)),
        ) else {
            continue;
        };
        entry(&mut global, &mut links, ifindex)
            .servers
            .push(addr.to_string());
    }
    for item in domains["data"].as_array().into_iter().flatten() {
        let Some(fields) = item.as_array() else {
            continue;
        };
        let (Some(ifindex), Some(domain), Some(route_only)) = (
            fields
                .first()
                .and_then(Value::as_u64)
                .and_then(|i| u32::try_from(i).ok()),
            fields.get(1).and_then(Value::as_str),
            fields.get(2).and_then(Value::as_bool),
        ) else {
            continue;
        };
        let domain = if route_only {
            format!("~{domain}")
        } else {
            domain.to_owned()
        };
        entry(&mut global, &mut links, ifindex).domains.push(domain);
    }
    (global, links)
}

/// The settings of `ifindex` (0: global), added when new.
fn entry<'a>(
    global: &'a mut LinkDns,
    links: &'a mut Vec<(u32, LinkDns)>,
    ifindex: u32,
) -> &'a mut LinkDns {
    if ifindex == 0 {
        return global;
    }
    let at = links
        .iter()
        .position(|(i, _)| *i == ifindex)
        .unwrap_or_else(|| {
            links.push((ifindex, LinkDns::default()));
            links.len() - 1
        });
    &mut links[at].1
}

/// Reads the live state over D-Bus: global settings and links, with each link's
/// `DefaultRoute`. `None` when busctl cannot ask resolved.
#[must_use]
pub fn read_state(
    host: &dyn Host,
    names: &[(u32, String)],
    timeout: Duration,
) -> Option<(LinkDns, Vec<Link>)> {
    let started = Instant::now();
    let values = busctl(
        host,
        &["get-property", SERVICE, OBJECT, MANAGER, "DNS", "Domains"],
        timeout,
    )
    .ok()?;
    let (dns, domains) = (values.first()?, values.get(1)?);
    let (global, links) = parse_state(dns, domains);
    let links = links
        .into_iter()
        .map(|(ifindex, mut state)| {
            let left = timeout.saturating_sub(started.elapsed());
            state.default_route = default_route(host, ifindex, left);
            Link {
                ifindex,
                name: names
                    .iter()
                    .find(|(i, _)| *i == ifindex)
                    .map_or_else(|| format!("#{ifindex}"), |(_, n)| n.clone()),
                dns: state,
                source: std::path::PathBuf::from("D-Bus org.freedesktop.resolve1"),
            }
        })
        .collect();
    Some((global, links))
}

fn default_route(host: &dyn Host, ifindex: u32, timeout: Duration) -> Option<bool> {
    let index = ifindex.to_string();
    let path = busctl(
        host,
        &["call", SERVICE, OBJECT, MANAGER, "GetLink", "i", &index],
        timeout,
    )
    .ok()?;
    let object = path.first()?["data"]
        .as_array()?
        .first()?
        .as_str()?
        .to_owned();
    let value = busctl(
        host,
        &[
            "get-property",
            SERVICE,
            &object,
            "org.freedesktop.resolve1.Link",
            "DefaultRoute",
        ],
        timeout,
    )
    .ok()?;
    value.first()?["data"].as_bool()
}

/// resolved's own answer (`ResolveHostname`), as `resolvectl query NAME` shows it.
pub fn resolve_hostname(host: &dyn Host, name: &str, timeout: Duration) -> PathResult {
    let started = Instant::now();
    let mut result = PathResult::new("resolved");
    result.detail = Some(format!("resolvectl query {name}"));
    match busctl(
        host,
        &[
            "call",
            SERVICE,
            OBJECT,
            MANAGER,
            "ResolveHostname",
            "isit",
            "0",
            name,
            "0",
            "0",
        ],
        timeout,
    ) {
        Ok(values) => {
            let data = values
                .first()
                .map(|v| v["data"].clone())
                .unwrap_or_default();
            let mut links = Vec::new();
            for item in data.get(0).and_then(Value::as_array).into_iter().flatten() {
                let Some(fields) = item.as_array() else {
                    continue;
                };
                if let Some(addr) = fields
                    .get(1)
                    .zip(fields.get(2))
                    .and_then(|(f, b)| address(f, b))
                {
                    result.addresses.push(addr.to_string());
                }
                if let Some(index) = fields.first().and_then(Value::as_u64) {
                    links.push(index.to_string());
                }
            }
            links.dedup();
            if result.addresses.is_empty() {
                result.error = Some("resolved returned no addresses".into());
            } else {
                result.rcode = Some("NOERROR".into());
                result.detail = Some(format!(
                    "resolvectl query {name}: via link(s) {}",
                    links.join(",")
                ));
            }
        }
        Err(error) if error.contains("fixture machine runs no commands") => {
            return PathResult::skipped(
                "resolved",
                "not run: a recorded machine has no recorded busctl answer",
            );
        }
        Err(error) => {
            if error.contains("not found") || error.contains("does not exist") {
                result.rcode = Some("NXDOMAIN".into());
            }
            result.error = Some(error);
        }
    }
    result.took(started)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_from_busctl_json() {
        let dns: Value = serde_json::from_str(
            r#"{"type":"a(iiay)","data":[[0,2,[1,1,1,1]],[3,2,[10,8,0,1]],[3,10,[253,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1]]]}"#,
        )
        .unwrap();
        let domains: Value = serde_json::from_str(
            r#"{"type":"a(isb)","data":[[0,"home.arpa",false],[3,"corp.example",true]]}"#,
        )
        .unwrap();
        let (global, links) = parse_state(&dns, &domains);
        assert_eq!(global.servers, ["1.1.1.1"]);
        assert_eq!(global.domains, ["home.arpa"]);
        assert_eq!(links.len(), 1);
        assert_eq!(links[0].0, 3);
        assert_eq!(links[0].1.servers, ["10.8.0.1", "fd00::1"]);
        assert_eq!(links[0].1.domains, ["~corp.example"]);
    }
}

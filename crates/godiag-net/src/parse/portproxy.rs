//! `netsh interface portproxy show all` (Windows, run through WSL interop).
//!
//! ```text
//! Listen on ipv4:             Connect to ipv4:
//!
//! Address         Port        Address         Port
//! --------------- ----------  --------------- ----------
//! 0.0.0.0         8080        172.28.16.5     8080
//! ```
//! Tables `ipv4`→`ipv4` (`v4tov4`), `v4tov6`, `v6tov4`, `v6tov6`; CRLF line ends.

use serde::Serialize;

/// One forwarding rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PortProxy {
    /// `v4tov4`, `v4tov6`, `v6tov4`, `v6tov6`.
    pub kind: String,
    /// The Windows address it listens on.
    pub listen_address: String,
    /// The Windows port.
    pub listen_port: u16,
    /// Where it connects.
    pub connect_address: String,
    /// The port it connects to.
    pub connect_port: u16,
}

/// Parses every table of the output.
#[must_use]
pub fn parse(text: &str) -> Vec<PortProxy> {
    let mut kind = String::new();
    let mut rules = Vec::new();
    for line in text.lines().map(|l| l.trim_end_matches('\r').trim()) {
        if let Some(rest) = line.strip_prefix("Listen on ipv") {
            let from = rest.chars().next().unwrap_or('4');
            let to = line
                .rsplit("Connect to ipv")
                .next()
                .and_then(|r| r.chars().next())
                .unwrap_or('4');
            kind = format!("v{from}tov{to}");
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.len() != 4 || kind.is_empty() {
            continue;
        }
        let (Ok(listen_port), Ok(connect_port)) = (fields[1].parse(), fields[3].parse()) else {
            continue;
        };
        rules.push(PortProxy {
            kind: kind.clone(),
            listen_address: fields[0].to_owned(),
            listen_port,
            connect_address: fields[2].to_owned(),
            connect_port,
        });
    }
    rules
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_table() {
        let text = "\r\nListen on ipv4:             Connect to ipv4:\r\n\r\nAddress         Port        Address         Port\r\n--------------- ----------  --------------- ----------\r\n0.0.0.0         8080        172.28.16.5     8080\r\n\r\nListen on ipv4:             Connect to ipv6:\r\n\r\nAddress         Port        Address         Port\r\n--------------- ----------  --------------- ----------\r\n127.0.0.1       9090        ::1             9090\r\n";
        let rules = parse(text);
        assert_eq!(rules.len(), 2);
        assert_eq!(rules[0].kind, "v4tov4");
        assert_eq!(rules[0].connect_address, "172.28.16.5");
        assert_eq!(rules[1].kind, "v4tov6");
        assert_eq!(rules[1].listen_port, 9090);
    }
}

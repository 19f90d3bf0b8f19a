//! ufw: whether it is enabled, its default, and the user rules for a port.
//!
//! `/etc/ufw/ufw.conf` `ENABLED=yes|no` and `/etc/default/ufw` `DEFAULT_INPUT_POLICY` are
//! world-readable; the rules themselves (`/etc/ufw/user.rules`, `user6.rules`, mode 0640)
//! carry one `### tuple ### ACTION PROTO DPORT DST SPORT SRC [DIRECTION]` comment per rule.
//! ufw's verdict comes from evaluating its iptables chains; this module only explains it in
//! ufw's words.

use std::path::{Path, PathBuf};

use godiag_core::host::Host;

/// ufw's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ufw {
    /// `ENABLED=yes`.
    pub enabled: bool,
    /// `DEFAULT_INPUT_POLICY` (`DROP`, `REJECT`, `ACCEPT`).
    pub default_input: Option<String>,
    /// The user rules, when readable.
    pub tuples: Vec<Tuple>,
}

/// One `ufw` rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tuple {
    /// `allow`, `deny`, `reject`, `limit`.
    pub action: String,
    /// `tcp`, `udp`, `any`.
    pub proto: String,
    /// Destination port(s): `8080`, `8000:8100`, `80,443`, `any`.
    pub dport: String,
    /// Source network.
    pub source: String,
    /// The rule file the rule was read from.
    pub file: PathBuf,
    /// The 1-based line of the rule in that file.
    pub line: usize,
}

impl Tuple {
    /// True when the rule covers TCP `port` inbound.
    #[must_use]
    pub fn covers(&self, port: u16) -> bool {
        if !matches!(self.proto.as_str(), "tcp" | "any") {
            return false;
        }
        self.dport == "any"
            || self
                .dport
                .split(',')
                .any(|item| match item.split_once(':') {
                    Some((low, high)) => match (low.parse::<u16>(), high.parse::<u16>()) {
                        (Ok(low), Ok(high)) => (low..=high).contains(&port),
                        _ => false,
                    },
                    None => item.parse() == Ok(port),
                })
    }
}

/// Reads ufw's configuration, when ufw is installed.
#[must_use]
pub fn read(host: &dyn Host) -> Option<Ufw> {
    let conf = host.read_to_string(Path::new("/etc/ufw/ufw.conf")).ok()?;
    let enabled = conf
        .lines()
        .filter_map(|line| line.trim().strip_prefix("ENABLED="))
        .any(|value| value.trim().trim_matches('"').eq_ignore_ascii_case("yes"));
    let default_input = host
        .read_to_string(Path::new("/etc/default/ufw"))
        .ok()
        .and_then(|text| {
            text.lines()
                .filter_map(|line| line.trim().strip_prefix("DEFAULT_INPUT_POLICY="))
                .map(|value| value.trim().trim_matches('"').to_owned())
                .next()
        });
    let mut tuples = Vec::new();
    for path in ["/etc/ufw/user.rules", "/etc/ufw/user6.rules"] {
        if let Ok(text) = host.read_to_string(Path::new(path)) {
            tuples.extend(parse_tuples(&text, Path::new(path)));
        }
    }
    Some(Ufw {
        enabled,
        default_input,
        tuples,
    })
}

/// Parses the `### tuple ###` comments of a user rules file.
#[must_use]
pub fn parse_tuples(text: &str, file: &Path) -> Vec<Tuple> {
    text.lines()
        .enumerate()
        .filter_map(|(index, line)| {
            let fields: Vec<&str> = line
                .strip_prefix("### tuple ###")?
                .split_whitespace()
                .collect();
            if fields.len() < 6 {
                return None;
            }
            Some(Tuple {
                action: fields[0].to_owned(),
                proto: fields[1].to_owned(),
                dport: fields[2].to_owned(),
                source: fields[5].to_owned(),
                file: file.to_path_buf(),
                line: index + 1,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tuples_cover_ports() {
        let text = "### tuple ### allow tcp 8080 0.0.0.0/0 any 0.0.0.0/0 in\n-A ufw-user-input -p tcp --dport 8080 -j ACCEPT\n### tuple ### deny tcp 8000:8100 0.0.0.0/0 any 0.0.0.0/0 in\n### tuple ### allow udp 53 0.0.0.0/0 any 0.0.0.0/0 in\n";
        let tuples = parse_tuples(text, Path::new("/etc/ufw/user.rules"));
        assert_eq!(tuples.len(), 3);
        assert!(tuples[0].covers(8080));
        assert_eq!(tuples[1].line, 3);
        assert!(tuples[1].covers(8050));
        assert!(!tuples[2].covers(53));
    }
}

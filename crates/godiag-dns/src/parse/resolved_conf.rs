//! systemd-resolved's resolved.conf and its drop-ins, read as systemd's `config_parse` does
//! (src/shared/conf-parser.c): whitespace-trimmed lines, `#`/`;` comments, `[Section]`
//! headers, `Key=Value` assignments, a trailing backslash continuing a line. Unknown
//! sections and keys are ignored by resolved with a log line, which is how a misspelt key
//! (`StubListener=` for `DNSStubListener=`) silently does nothing.
//!
//! [`merge`] applies files in systemd's order (the main file, then drop-ins sorted by file
//! name): list settings (`DNS=`, `FallbackDNS=`, `Domains=`) accumulate and an empty
//! assignment clears them; other settings take the last value.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{Pos, lines, text};

/// One `Key=Value` in a section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// The section without brackets.
    pub section: String,
    /// The key as written before `=` (case-sensitive, as resolved reads it).
    pub key: String,
    /// The value, trimmed.
    pub value: String,
    /// Where the key starts.
    pub pos: Pos,
}

/// Something resolved ignores, with the message it logs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ignored {
    /// Where the ignored key or section is, for the finding's location.
    pub pos: Pos,
    /// The key or section at fault.
    pub name: String,
    /// Why resolved ignores it.
    pub why: String,
}

/// One parsed file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResolvedConfFile {
    /// Assignments in known sections with known keys.
    pub assignments: Vec<Assignment>,
    /// What resolved ignores.
    pub ignored: Vec<Ignored>,
}

/// The keys resolved.conf(5) documents for `[Resolve]` (systemd 252 to 257).
pub const KNOWN_KEYS: &[&str] = &[
    "DNS",
    "FallbackDNS",
    "Domains",
    "LLMNR",
    "MulticastDNS",
    "DNSSEC",
    "DNSOverTLS",
    "Cache",
    "CacheFromLocalhost",
    "DNSStubListener",
    "DNSStubListenerExtra",
    "ReadEtcHosts",
    "ResolveUnicastSingleLabel",
    "StaleRetentionSec",
    "RefuseRecordTypes",
];

/// Keys people write that resolved does not know, and what they meant.
pub const MISSPELT_KEYS: &[(&str, &str)] = &[
    ("StubListener", "DNSStubListener"),
    ("DNSStub", "DNSStubListener"),
    ("FallbackDns", "FallbackDNS"),
    ("Dns", "DNS"),
    ("Domain", "Domains"),
    ("SearchDomains", "Domains"),
    ("MDNS", "MulticastDNS"),
    ("DNSOverTls", "DNSOverTLS"),
];

/// Parses one resolved.conf-style file.
#[must_use]
pub fn parse(bytes: &[u8]) -> ResolvedConfFile {
    let mut file = ResolvedConfFile::default();
    let mut section: Option<String> = None;
    let mut pending: Option<(Pos, String)> = None;
    for (number, raw) in lines(bytes) {
        let line = text(raw);
        let trimmed = line.trim_matches([' ', '\t', '\r', '\n']);
        let indent = line.len() - line.trim_start_matches([' ', '\t', '\r', '\n']).len();
        if pending.is_none() && (trimmed.starts_with('#') || trimmed.starts_with(';')) {
            continue;
        }
        let (pos, joined) = match pending.take() {
            Some((pos, so_far)) => {
                if trimmed.starts_with('#') || trimmed.starts_with(';') {
                    pending = Some((pos, so_far));
                    continue;
                }
                (pos, so_far + " " + trimmed)
            }
            None => (Pos::at(number, indent), trimmed.to_owned()),
        };
        if let Some(body) = joined.strip_suffix('\\') {
            // systemd turns the backslash into a space and appends the next line.
            pending = Some((pos, body.to_owned()));
            continue;
        }
        apply_line(&mut file, &mut section, pos, &joined);
    }
    if let Some((pos, joined)) = pending {
        apply_line(&mut file, &mut section, pos, &joined);
    }
    file
}

fn apply_line(file: &mut ResolvedConfFile, section: &mut Option<String>, pos: Pos, line: &str) {
    if line.is_empty() {
        return;
    }
    if let Some(header) = line.strip_prefix('[') {
        let Some(name) = header.strip_suffix(']') else {
            file.ignored.push(Ignored {
                pos,
                name: line.to_owned(),
                why: "invalid section header".into(),
            });
            *section = None;
            return;
        };
        if name != "Resolve" && !name.starts_with("X-") {
            file.ignored.push(Ignored {
                pos,
                name: format!("[{name}]"),
                why: format!("unknown section '{name}': resolved ignores everything in it"),
            });
        }
        *section = Some(name.to_owned());
        return;
    }
    let Some((key, value)) = line.split_once('=') else {
        file.ignored.push(Ignored {
            pos,
            name: line.to_owned(),
            why: "missing '=', resolved ignores the line".into(),
        });
        return;
    };
    let key = key.trim_end().to_owned();
    let value = value.trim_start().to_owned();
    match section.as_deref() {
        None => file.ignored.push(Ignored {
            pos,
            name: key,
            why: "assignment outside of a section".into(),
        }),
        Some("Resolve") if !KNOWN_KEYS.contains(&key.as_str()) => {
            let meant = MISSPELT_KEYS
                .iter()
                .find(|(wrong, _)| *wrong == key)
                .map_or_else(String::new, |(_, right)| {
                    format!(" (the key is `{right}=`)")
                });
            file.ignored.push(Ignored {
                pos,
                why: format!("unknown key '{key}' in section [Resolve], ignoring{meant}"),
                name: key,
            });
        }
        Some("Resolve") => file.assignments.push(Assignment {
            section: "Resolve".into(),
            key,
            value,
            pos,
        }),
        Some(_) => {}
    }
}

/// A list entry and where it was set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sourced {
    /// The value (one address or one domain).
    pub value: String,
    /// The file.
    pub path: PathBuf,
    /// Where in it.
    pub pos: Pos,
}

/// resolved's global settings after merging every file.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ResolvedSettings {
    /// Global DNS servers (`DNS=`).
    pub dns: Vec<Sourced>,
    /// Global search and routing domains (`Domains=`; `~` marks routing-only).
    pub domains: Vec<Sourced>,
    /// `FallbackDNS=`; `None` when never set (the compiled-in list applies).
    pub fallback_dns: Option<Vec<Sourced>>,
    /// Other single-value settings, last one wins: `(key, value, path, pos)`.
    pub other: Vec<(String, Sourced)>,
    /// Files read, in the order applied.
    pub files: Vec<PathBuf>,
}

impl ResolvedSettings {
    /// The value of a single-value setting.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&Sourced> {
        self.other
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }
}

/// Merges files in the order given (main file first, then drop-ins by file name).
#[must_use]
pub fn merge(files: &[(PathBuf, ResolvedConfFile)]) -> ResolvedSettings {
    let mut settings = ResolvedSettings::default();
    for (path, file) in files {
        settings.files.push(path.clone());
        for assignment in &file.assignments {
            apply(&mut settings, path, assignment);
        }
    }
    settings
}

fn apply(settings: &mut ResolvedSettings, path: &Path, assignment: &Assignment) {
    let entries = || {
        assignment
            .value
            .split_whitespace()
            .map(|value| Sourced {
                value: value.to_owned(),
                path: path.to_path_buf(),
                pos: assignment.pos,
            })
            .collect::<Vec<_>>()
    };
    let list = match assignment.key.as_str() {
        "DNS" => &mut settings.dns,
        "Domains" => &mut settings.domains,
        "FallbackDNS" => settings.fallback_dns.get_or_insert_with(Vec::new),
        key => {
            settings.other.push((
                key.to_owned(),
                Sourced {
                    value: assignment.value.clone(),
                    path: path.to_path_buf(),
                    pos: assignment.pos,
                },
            ));
            return;
        }
    };
    if assignment.value.is_empty() {
        list.clear();
    } else {
        list.extend(entries());
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn unknown_keys_and_sections_are_reported() {
        let file = parse(
            b"[Resolve]\nLLMNR=yes\nStubListener=yes\nDNS=10.1.2.3 \\\n  10.1.2.4\n# c\n\
              [Network]\nDNS=1.1.1.1\nnothing here\n",
        );
        let keys: Vec<&str> = file.assignments.iter().map(|a| a.key.as_str()).collect();
        assert_eq!(keys, ["LLMNR", "DNS"]);
        assert_eq!(file.assignments[1].value, "10.1.2.3  10.1.2.4");
        let ignored: Vec<&str> = file.ignored.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(ignored, ["StubListener", "[Network]", "nothing here"]);
        assert!(file.ignored[0].why.contains("DNSStubListener"));
        assert_eq!(file.ignored[0].pos, Pos { line: 3, column: 1 });
    }

    #[test]
    fn lists_accumulate_and_empty_assignment_resets() {
        let main = parse(b"[Resolve]\nDNS=10.0.0.1\nDomains=~corp.example\nLLMNR=no\n");
        let drop_in =
            parse(b"[Resolve]\nDNS=\nDNS=10.0.0.2 10.0.0.3\nDomains=~lab.example\nLLMNR=yes\n");
        let settings = merge(&[
            (PathBuf::from("/etc/systemd/resolved.conf"), main),
            (
                PathBuf::from("/etc/systemd/resolved.conf.d/10-x.conf"),
                drop_in,
            ),
        ]);
        let dns: Vec<&str> = settings.dns.iter().map(|s| s.value.as_str()).collect();
        assert_eq!(dns, ["10.0.0.2", "10.0.0.3"]);
        let domains: Vec<&str> = settings.domains.iter().map(|s| s.value.as_str()).collect();
        assert_eq!(domains, ["~corp.example", "~lab.example"]);
        assert_eq!(settings.get("LLMNR").unwrap().value, "yes");
        assert!(settings.fallback_dns.is_none());
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let file = parse(&bytes);
            let _ = merge(&[(PathBuf::from("/x"), file)]);
        }
    }
}

//! /etc/resolv.conf, read the way glibc reads it and the way Go reads it, with the lines
//! where the two readings part.
//!
//! glibc (`resolv/res_init.c` `res_vinit_1`, `res_setoptions`): a keyword must start the line
//! and be followed by a space or tab, so an indented line is ignored; `;` or `#` in column 0
//! starts a comment; unknown keywords are ignored; options are matched by prefix; `ndots` is
//! capped at 15, `timeout` at 30, `attempts` at 5; nameservers use `inet_aton` (which takes
//! `127.1` or `010.0.0.1`) or `inet_pton` for IPv6, and only the first three are used.
//!
//! Go (`net/dnsconfig_unix.go` `dnsReadConfig`): fields are split on any whitespace, so an
//! indented line counts; `;`/`#` comment only in column 0; any unknown keyword or option sets
//! `unknownOpt`, which makes a cgo-capable program hand every lookup to glibc; `ndots` is
//! clamped to 0..15 and `timeout`/`attempts` raised to at least 1 without an upper cap;
//! nameservers must parse as `netip.ParseAddr` and only the first three are kept.

use serde::Serialize;

use super::{Pos, c_atoi, fields_by, go_dtoi, go_fields, go_lines, lines, text, until_nul};

/// A nameserver line one of the readers uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Nameserver {
    /// The address as written (without port).
    pub address: String,
    /// Where the `nameserver` line is, for the finding's location.
    pub pos: Pos,
}

/// A line the two readers treat differently, or that neither treats as it reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    /// Where the line is, for the finding's location.
    pub pos: Pos,
    /// The line's text.
    pub line: String,
    /// What glibc does with it.
    pub glibc: String,
    /// What Go does with it.
    pub go: String,
}

/// Both readings of one resolv.conf.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResolvConf {
    /// glibc's reading.
    pub glibc: GlibcResolv,
    /// Go's reading.
    pub go: GoResolv,
    /// Where they part.
    pub notes: Vec<Note>,
}

/// Go's `dnsConfig`, before the defaults that need the host name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GoResolv {
    /// The first three nameservers that parse as IP addresses.
    pub servers: Vec<Nameserver>,
    /// The search list, rooted (trailing dot); empty means "derive from the host name".
    pub search: Vec<String>,
    /// The line of the `search`/`domain` line in effect.
    pub search_line: Option<u32>,
    /// `ndots`, 0..=15.
    pub ndots: u32,
    /// Seconds per attempt, at least 1.
    pub timeout: u32,
    /// Attempts per server, at least 1.
    pub attempts: u32,
    /// `options rotate`.
    pub rotate: bool,
    /// `options single-request[-reopen]`: A then AAAA, not in parallel.
    pub single_request: bool,
    /// `options use-vc`/`usevc`/`tcp`.
    pub use_tcp: bool,
    /// `options trust-ad`.
    pub trust_ad: bool,
    /// `options no-reload`.
    pub no_reload: bool,
    /// What set `unknownOpt` (which sends cgo-capable programs to glibc).
    pub unknown: Vec<(Pos, String)>,
    /// OpenBSD `lookup` words.
    pub lookup: Option<Vec<String>>,
    /// The line where Go stopped reading (a line longer than its 64 KiB buffer).
    pub truncated_at: Option<u32>,
}

impl Default for GoResolv {
    fn default() -> Self {
        Self {
            servers: Vec::new(),
            search: Vec::new(),
            search_line: None,
            ndots: 1,
            timeout: 5,
            attempts: 2,
            rotate: false,
            single_request: false,
            use_tcp: false,
            trust_ad: false,
            no_reload: false,
            unknown: Vec::new(),
            lookup: None,
            truncated_at: None,
        }
    }
}

/// glibc's resolver configuration from the file (before `LOCALDOMAIN`/`RES_OPTIONS`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GlibcResolv {
    /// Every nameserver glibc parsed; only the first three are used.
    pub servers: Vec<Nameserver>,
    /// The search list as written; empty means "derive from the host name".
    pub search: Vec<String>,
    /// `ndots` (0..=15).
    pub ndots: i64,
    /// Seconds per try (1..=30).
    pub timeout: i64,
    /// Tries (at most 5; 0 means no query is sent).
    pub attempts: i64,
    /// Options recognised, by their canonical name.
    pub options: Vec<String>,
}

impl Default for GlibcResolv {
    fn default() -> Self {
        Self {
            servers: Vec::new(),
            search: Vec::new(),
            ndots: 1,
            timeout: 5,
            attempts: 2,
            options: Vec::new(),
        }
    }
}

/// glibc uses at most this many nameservers (`MAXNS`); so does Go.
pub const MAX_SERVERS: usize = 3;

/// Parses resolv.conf bytes.
#[must_use]
pub fn parse(bytes: &[u8]) -> ResolvConf {
    let go = parse_go(bytes);
    let mut glibc = GlibcResolv::default();
    let mut notes = Vec::new();
    for (number, raw) in lines(bytes) {
        glibc_line(&mut glibc, number, until_nul(raw));
        if let Some(note) = compare_line(number, raw, &go) {
            notes.push(note);
        }
    }
    if let Some(line) = go.truncated_at {
        notes.push(Note {
            pos: Pos { line, column: 1 },
            line: String::new(),
            glibc: "reads on".into(),
            go: "stops reading here: the line does not fit Go's 64 KiB buffer".into(),
        });
    }
    for server in glibc.servers.iter().skip(MAX_SERVERS) {
        notes.push(Note {
            pos: server.pos,
            line: format!("nameserver {}", server.address),
            glibc: "ignored: only the first 3 nameservers are used".into(),
            go: "ignored: only the first 3 nameservers are used".into(),
        });
    }
    ResolvConf { glibc, go, notes }
}

// ---------------------------------------------------------------------------------------
// Go
// ---------------------------------------------------------------------------------------

fn parse_go(bytes: &[u8]) -> GoResolv {
    let mut conf = GoResolv::default();
    let (go_lines, truncated) = go_lines(bytes);
    conf.truncated_at = truncated;
    for (number, line) in go_lines {
        if matches!(line.first(), Some(b';' | b'#')) {
            continue;
        }
        let fields = go_fields(line);
        let Some(&(first_at, keyword)) = fields.first() else {
            continue;
        };
        let args = &fields[1..];
        match keyword {
            b"nameserver" => {
                if let Some(&(at, value)) = args.first()
                    && conf.servers.len() < MAX_SERVERS
                    && go_parse_addr(&text(value)).is_some()
                {
                    conf.servers.push(Nameserver {
                        address: text(value),
                        pos: Pos::at(number, at),
                    });
                }
            }
            b"domain" => {
                if let Some(&(_, value)) = args.first() {
                    conf.search = vec![rooted(&text(value))];
                    conf.search_line = Some(number);
                }
            }
            b"search" => {
                conf.search = args
                    .iter()
                    .map(|(_, value)| rooted(&text(value)))
                    .filter(|name| name != ".")
                    .collect();
                conf.search_line = Some(number);
            }
            b"options" => {
                for &(at, option) in args {
                    go_option(&mut conf, option, Pos::at(number, at));
                }
            }
            b"lookup" => conf.lookup = Some(args.iter().map(|(_, w)| text(w)).collect()),
            other => conf.unknown.push((
                Pos::at(number, first_at),
                format!("unknown keyword `{}`", text(other)),
            )),
        }
    }
    conf
}

fn go_option(conf: &mut GoResolv, option: &[u8], pos: Pos) {
    if let Some(value) = option.strip_prefix(b"ndots:") {
        conf.ndots = go_dtoi(value).min(15);
    } else if let Some(value) = option.strip_prefix(b"timeout:") {
        conf.timeout = go_dtoi(value).max(1);
    } else if let Some(value) = option.strip_prefix(b"attempts:") {
        conf.attempts = go_dtoi(value).max(1);
    } else {
        match option {
            b"rotate" => conf.rotate = true,
            b"single-request" | b"single-request-reopen" => conf.single_request = true,
            b"use-vc" | b"usevc" | b"tcp" => conf.use_tcp = true,
            b"trust-ad" => conf.trust_ad = true,
            b"edns0" => {}
            b"no-reload" => conf.no_reload = true,
            other => conf
                .unknown
                .push((pos, format!("unknown option `{}`", text(other)))),
        }
    }
}

fn rooted(name: &str) -> String {
    if name.ends_with('.') {
        name.to_owned()
    } else {
        format!("{name}.")
    }
}

/// `netip.ParseAddr`: dotted-quad IPv4 without leading zeros, or IPv6 with an optional
/// non-empty zone. Returns the canonical text.
#[must_use]
pub fn go_parse_addr(text: &str) -> Option<String> {
    if let Ok(v4) = text.parse::<std::net::Ipv4Addr>() {
        return Some(v4.to_string());
    }
    let (address, zone) = match text.split_once('%') {
        Some((address, zone)) if !zone.is_empty() && address.contains(':') => (address, Some(zone)),
        Some(_) => return None,
        None => (text, None),
    };
    let v6: std::net::Ipv6Addr = address.parse().ok()?;
    Some(match zone {
        Some(zone) => format!("{v6}%{zone}"),
        None => v6.to_string(),
    })
}

// ---------------------------------------------------------------------------------------
// glibc
// ---------------------------------------------------------------------------------------

/// `MATCH(line, name)`: the keyword at column 0 followed by a space or tab.
fn glibc_keyword<'a>(line: &'a [u8], keyword: &[u8]) -> Option<&'a [u8]> {
    let rest = line.strip_prefix(keyword)?;
    matches!(rest.first(), Some(b' ' | b'\t')).then_some(rest)
}

fn glibc_blank(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n')
}

fn glibc_line(conf: &mut GlibcResolv, number: u32, line: &[u8]) {
    if matches!(line.first(), Some(b';' | b'#')) {
        return;
    }
    let base = |rest: &[u8]| line.len() - rest.len();
    if let Some(rest) = glibc_keyword(line, b"domain") {
        if let Some(&(_, word)) = fields_by(rest, glibc_blank).first() {
            conf.search = vec![text(word)];
        }
    } else if let Some(rest) = glibc_keyword(line, b"search") {
        let words = fields_by(rest, |b| matches!(b, b' ' | b'\t'));
        if !words.is_empty() {
            conf.search = words.iter().map(|(_, word)| text(word)).collect();
        }
    } else if let Some(rest) = glibc_keyword(line, b"nameserver") {
        let words = fields_by(rest, glibc_blank);
        if let Some(&(at, word)) = words.first() {
            let address = text(word);
            if glibc_parse_nameserver(&address) {
                conf.servers.push(Nameserver {
                    address,
                    pos: Pos::at(number, base(rest) + at),
                });
            }
        }
    } else if let Some(rest) = glibc_keyword(line, b"options") {
        glibc_options(conf, rest);
    }
}

/// `res_setoptions`: options are matched by prefix and separated by spaces or tabs.
pub(crate) fn glibc_options(conf: &mut GlibcResolv, options: &[u8]) {
    const FLAGS: &[&str] = &[
        "rotate",
        "edns0",
        "single-request-reopen",
        "single-request",
        "no_tld_query",
        "no-tld-query",
        "no-reload",
        "use-vc",
        "trust-ad",
        "no-aaaa",
    ];
    for (_, option) in fields_by(options, |b| matches!(b, b' ' | b'\t')) {
        if let Some(value) = option.strip_prefix(b"ndots:") {
            // A negative ndots makes every name "have enough dots", like 0.
            conf.ndots = c_atoi(value).clamp(0, 15);
        } else if let Some(value) = option.strip_prefix(b"timeout:") {
            // send_dg waits at least one second whatever the setting.
            conf.timeout = c_atoi(value).clamp(1, 30);
        } else if let Some(value) = option.strip_prefix(b"attempts:") {
            conf.attempts = c_atoi(value).min(5);
        } else if let Some(flag) = FLAGS
            .iter()
            .find(|flag| option.starts_with(flag.as_bytes()))
        {
            let flag = (*flag).replace('_', "-");
            if !conf.options.contains(&flag) {
                conf.options.push(flag);
            }
        }
    }
}

/// `__inet_aton_exact` (1 to 4 parts, each decimal, octal with a leading 0 or hex with
/// 0x), else `inet_pton(AF_INET6)` on the text before `%`.
fn glibc_parse_nameserver(address: &str) -> bool {
    inet_aton(address).is_some()
        || address
            .split('%')
            .next()
            .is_some_and(|v6| v6.parse::<std::net::Ipv6Addr>().is_ok())
}

fn inet_aton(text: &str) -> Option<u32> {
    let parts: Vec<&str> = text.split('.').collect();
    if parts.is_empty() || parts.len() > 4 {
        return None;
    }
    let mut values = Vec::new();
    for part in &parts {
        let (digits, radix) =
            if let Some(hex) = part.strip_prefix("0x").or_else(|| part.strip_prefix("0X")) {
                (hex, 16)
            } else if part.len() > 1 && part.starts_with('0') {
                (&part[1..], 8)
            } else {
                (*part, 10)
            };
        if digits.is_empty() && radix != 8 {
            return None;
        }
        let value = if digits.is_empty() {
            0
        } else {
            u64::from_str_radix(digits, radix).ok()?
        };
        values.push(value);
    }
    let (last, head) = values.split_last()?;
    let last_bits = 8 * (4 - u32::try_from(head.len()).ok()?);
    if head.iter().any(|&v| v > 255) || *last >= 1u64 << last_bits {
        return None;
    }
    let mut result = 0u64;
    for (index, value) in head.iter().enumerate() {
        result |= value << (24 - 8 * index);
    }
    u32::try_from(result | last).ok()
}

// ---------------------------------------------------------------------------------------
// Where they part
// ---------------------------------------------------------------------------------------

/// Compares how glibc and Go read one line.
fn compare_line(number: u32, raw: &[u8], go: &GoResolv) -> Option<Note> {
    let fields = go_fields(raw);
    let &(first_at, keyword) = fields.first()?;
    let line_text = text(raw).trim_end().to_owned();
    let note = |glibc: String, go: String| Note {
        pos: Pos::at(number, first_at),
        line: line_text.clone(),
        glibc,
        go,
    };
    if matches!(raw.first(), Some(b';' | b'#')) {
        return None;
    }
    let go_unknown = |at: usize| {
        go.unknown
            .iter()
            .any(|(pos, _)| *pos == Pos::at(number, at))
    };
    if first_at > 0 {
        let go_reading = if go_unknown(first_at) {
            if keyword.starts_with(b"#") || keyword.starts_with(b";") {
                "reads an unknown keyword (an indented comment is not a comment for Go), which \
                 sends lookups of cgo-capable programs to glibc"
            } else {
                "reads an unknown keyword, which sends lookups of cgo-capable programs to glibc"
            }
            .to_owned()
        } else {
            "uses it: Go splits fields on any whitespace".to_owned()
        };
        return Some(note(
            "ignores it: a keyword must start the line".into(),
            go_reading,
        ));
    }
    match keyword {
        b"nameserver" => compare_nameserver(&fields, &note),
        b"search" | b"domain" => compare_search(keyword, &fields, &note),
        b"options" => compare_options(number, &fields, go, &note),
        b"sortlist" => Some(note(
            "sorts addresses by the listed networks".into(),
            "does not know `sortlist`: unknownOpt, lookups of cgo-capable programs go to glibc"
                .into(),
        )),
        b"lookup" => None,
        _ if go_unknown(first_at) => Some(note(
            "ignores the unknown keyword".into(),
            "sets unknownOpt: lookups of cgo-capable programs go to glibc".into(),
        )),
        _ => None,
    }
}

fn compare_nameserver(
    fields: &[(usize, &[u8])],
    note: &dyn Fn(String, String) -> Note,
) -> Option<Note> {
    let value = text(fields.get(1)?.1);
    let go_ok = go_parse_addr(&value).is_some();
    let glibc_ok = glibc_parse_nameserver(&value);
    match (glibc_ok, go_ok) {
        (true, false) => Some(note(
            format!("uses `{value}` (inet_aton accepts short and octal forms)"),
            format!("skips `{value}`: not an address netip.ParseAddr accepts"),
        )),
        (false, true) => Some(note(format!("skips `{value}`"), format!("uses `{value}`"))),
        (false, false) => Some(note(
            format!("skips `{value}`: a nameserver must be an IP address"),
            format!("skips `{value}`: a nameserver must be an IP address"),
        )),
        (true, true) => None,
    }
}

fn compare_search(
    keyword: &[u8],
    fields: &[(usize, &[u8])],
    note: &dyn Fn(String, String) -> Note,
) -> Option<Note> {
    if fields.len() == 1 && keyword == b"search" {
        return Some(note(
            "ignores an empty `search` line (an earlier list stays)".into(),
            "empties the search list, so Go derives it from the host name".into(),
        ));
    }
    let comment = fields[1..]
        .iter()
        .find(|(_, word)| word.starts_with(b"#") || word.starts_with(b";"));
    if let Some((_, word)) = comment {
        let both = format!(
            "takes `{}` as a search domain: resolv.conf has no comments after text",
            text(word)
        );
        return Some(note(both.clone(), both));
    }
    if keyword == b"domain" && fields.len() > 2 {
        return Some(note(
            "uses only the first name after `domain`".into(),
            "uses only the first name after `domain`".into(),
        ));
    }
    None
}

fn compare_options(
    number: u32,
    fields: &[(usize, &[u8])],
    go: &GoResolv,
    note: &dyn Fn(String, String) -> Note,
) -> Option<Note> {
    let mut glibc_said = Vec::new();
    let mut go_said = Vec::new();
    for &(at, option) in &fields[1..] {
        let name = text(option);
        if go
            .unknown
            .iter()
            .any(|(pos, _)| *pos == Pos::at(number, at))
        {
            let mut single = GlibcResolv::default();
            glibc_options(&mut single, option);
            let glibc_knows = !single.options.is_empty()
                || ["ndots:", "timeout:", "attempts:"]
                    .iter()
                    .any(|p| name.starts_with(p));
            glibc_said.push(if glibc_knows {
                format!("applies `{name}`")
            } else {
                format!("ignores `{name}`")
            });
            go_said.push(format!(
                "does not know `{name}`: unknownOpt, lookups of cgo-capable programs go to glibc"
            ));
            continue;
        }
        let mut glibc = GlibcResolv::default();
        glibc_options(&mut glibc, option);
        let mut go_one = GoResolv::default();
        go_option(&mut go_one, option, Pos::default());
        let pairs = [
            ("ndots", glibc.ndots, i64::from(go_one.ndots)),
            ("timeout", glibc.timeout, i64::from(go_one.timeout)),
            ("attempts", glibc.attempts, i64::from(go_one.attempts)),
        ];
        for (key, glibc_value, go_value) in pairs {
            if name.starts_with(&format!("{key}:")) && glibc_value != go_value {
                glibc_said.push(if key == "attempts" && glibc_value <= 0 {
                    "uses attempts 0: it sends no query at all".to_owned()
                } else {
                    format!("uses {key} {glibc_value}")
                });
                go_said.push(format!("uses {key} {go_value}"));
            }
        }
    }
    (!go_said.is_empty()).then(|| note(glibc_said.join("; "), go_said.join("; ")))
}

#[cfg(test)]
mod tests;

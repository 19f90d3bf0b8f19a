//! /etc/nsswitch.conf, read the way glibc reads it and the way Go reads it.
//!
//! glibc (`nss/nss_database.c` `process_line`, `nss/nss_action_parse.c`, 2.33 and later): a line
//! is `DATABASE[:] SOURCE [ [!]STATUS=ACTION ... ] ...`; whitespace is any `isspace` byte, the
//! colon is optional, there is no comment syntax inside a line (`dns#x` is a module named
//! `dns#x`; a whole-line comment works only because `#...` is no known database), a later line
//! for the same database replaces the earlier one, and a malformed `[...]` item stops the
//! reading, which makes every NSS lookup of the process fail.
//!
//! Go (`net/nss.go` `parseNSSConf`): everything from the first `#` is dropped, sources are
//! separated by the space character only (a tab glues two sources into one name), a line
//! without a colon or with a malformed criterion is an error for the whole file, and a
//! repeated database appends to the earlier sources.

use serde::Serialize;

use super::{Pos, c_space, go_lines, go_space, lines, text, until_nul};

/// Both readings of one nsswitch.conf.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Nsswitch {
    /// What glibc does with it.
    pub glibc: GlibcNss,
    /// What Go does with it.
    pub go: GoNss,
}

/// Parses nsswitch.conf bytes.
#[must_use]
pub fn parse(bytes: &[u8]) -> Nsswitch {
    Nsswitch {
        glibc: parse_glibc(bytes),
        go: parse_go(bytes),
    }
}

// ---------------------------------------------------------------------------------------
// glibc
// ---------------------------------------------------------------------------------------

/// An NSS status a source can return.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// An answer was found.
    Success,
    /// The source works but has no answer.
    Notfound,
    /// The source could not be used (module missing, service down, file missing).
    Unavail,
    /// A temporary failure.
    Tryagain,
}

impl Status {
    /// Every status, in glibc's order.
    pub const ALL: [Self; 4] = [Self::Success, Self::Notfound, Self::Unavail, Self::Tryagain];

    /// The upper-case name used in nsswitch.conf.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Success => "SUCCESS",
            Self::Notfound => "NOTFOUND",
            Self::Unavail => "UNAVAIL",
            Self::Tryagain => "TRYAGAIN",
        }
    }

    fn index(self) -> usize {
        match self {
            Self::Success => 0,
            Self::Notfound => 1,
            Self::Unavail => 2,
            Self::Tryagain => 3,
        }
    }
}

/// What glibc does after a status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Stop and report this status.
    Return,
    /// Try the next source.
    Continue,
    /// Merge results (group database only; treated like continue for hosts).
    Merge,
}

impl Action {
    /// The lower-case name used in nsswitch.conf.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Return => "return",
            Self::Continue => "continue",
            Self::Merge => "merge",
        }
    }
}

/// One `[!]STATUS=ACTION` item as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ActionItem {
    /// `!` before the status: the action applies to every *other* status.
    pub negate: bool,
    /// The lookup result the item tests (`SUCCESS`, `NOTFOUND`, `UNAVAIL`, `TRYAGAIN`).
    pub status: Status,
    /// What glibc does on that result: `return`, `continue` or `merge`.
    pub action: Action,
    /// Where the item starts.
    pub pos: Pos,
}

impl ActionItem {
    /// The item as nsswitch.conf(5) writes it, e.g. `!UNAVAIL=return`.
    #[must_use]
    pub fn display(&self) -> String {
        format!(
            "{}{}={}",
            if self.negate { "!" } else { "" },
            self.status.name(),
            self.action.name()
        )
    }
}

/// A source of the hosts line as glibc reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlibcSource {
    /// The module name (`files`, `dns`, `resolve`, ...).
    pub name: String,
    /// The action items as written.
    pub items: Vec<ActionItem>,
    /// Where the name starts.
    pub pos: Pos,
}

impl GlibcSource {
    /// The action glibc takes after `status` (defaults: SUCCESS=return, others continue).
    #[must_use]
    pub fn action(&self, status: Status) -> Action {
        effective_actions(&self.items)[status.index()]
    }
}

/// Applies items in order, as `nss_action_parse` does; `!S=A` sets every status to A and
/// keeps S as it was.
fn effective_actions(items: &[ActionItem]) -> [Action; 4] {
    let mut actions = [
        Action::Return,
        Action::Continue,
        Action::Continue,
        Action::Continue,
    ];
    for item in items {
        if item.negate {
            let saved = actions[item.status.index()];
            actions = [item.action; 4];
            actions[item.status.index()] = saved;
        } else {
            actions[item.status.index()] = item.action;
        }
    }
    actions
}

/// The hosts line glibc uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlibcHosts {
    /// The sources in the order glibc asks them, each with its `[...]` actions.
    pub sources: Vec<GlibcSource>,
    /// Its line; `None` for glibc's built-in default.
    pub line: Option<u32>,
    /// Earlier `hosts` lines this one replaced.
    pub replaced: Vec<u32>,
}

/// glibc's built-in hosts line when nsswitch.conf has none (`nss/nss_database.c`).
pub const GLIBC_DEFAULT_HOSTS: &str = "dns [!UNAVAIL=return] files";

/// What glibc makes of nsswitch.conf.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GlibcNss {
    /// The hosts line in effect (the last `hosts` line, or the default).
    pub hosts: Option<GlibcHosts>,
    /// A malformed action item: glibc stops reading and every NSS lookup fails.
    pub broken: Option<(Pos, String)>,
    /// Lines glibc skips (no database name, unknown database); `(line, why)`.
    pub skipped: Vec<(u32, String)>,
}

impl GlibcNss {
    /// The hosts line in effect, with glibc's default when none was given.
    #[must_use]
    pub fn hosts_or_default(&self) -> GlibcHosts {
        self.hosts.clone().unwrap_or_else(|| GlibcHosts {
            sources: parse_glibc_sources(GLIBC_DEFAULT_HOSTS.as_bytes(), 0, 0).unwrap_or_default(),
            line: None,
            replaced: Vec::new(),
        })
    }
}

/// The databases glibc knows (nss/databases.def); lines for others are skipped.
const GLIBC_DATABASES: &[&str] = &[
    "aliases",
    "ethers",
    "group",
    "group_compat",
    "gshadow",
    "hosts",
    "initgroups",
    "netgroup",
    "networks",
    "passwd",
    "passwd_compat",
    "protocols",
    "publickey",
    "rpc",
    "services",
    "shadow",
    "shadow_compat",
];

fn parse_glibc(bytes: &[u8]) -> GlibcNss {
    let mut nss = GlibcNss::default();
    let mut hosts_lines = Vec::new();
    let last = lines(bytes).last().map(|(number, _)| number);
    for (number, raw) in lines(bytes) {
        let line = until_nul(raw);
        // getline keeps the '\n', which counts as whitespace; the line "ends" (C '\0') right
        // after the name only at a NUL or on a last line without a newline.
        let ends_bare = line.len() < raw.len() || (Some(number) == last && !bytes.ends_with(b"\n"));
        let start = line.iter().position(|&b| !c_space(b)).unwrap_or(line.len());
        let name_end = line[start..]
            .iter()
            .position(|&b| c_space(b) || b == b':')
            .map_or(line.len(), |at| start + at);
        if name_end == start || (name_end == line.len() && ends_bare) {
            if start < line.len() {
                nss.skipped
                    .push((number, "no database name followed by sources".into()));
            }
            continue;
        }
        let database = &line[start..name_end];
        let rest_start = line[name_end..]
            .iter()
            .position(|&b| !(c_space(b) || b == b':'))
            .map_or(line.len(), |at| name_end + at);
        if !GLIBC_DATABASES.iter().any(|db| db.as_bytes() == database) {
            if !database.starts_with(b"#") {
                nss.skipped
                    .push((number, format!("unknown database `{}`", text(database))));
            }
            continue;
        }
        match parse_glibc_sources(&line[rest_start..], number, rest_start) {
            Ok(sources) => {
                if database == b"hosts" {
                    hosts_lines.push(number);
                    nss.hosts = Some(GlibcHosts {
                        sources,
                        line: Some(number),
                        replaced: hosts_lines[..hosts_lines.len() - 1].to_vec(),
                    });
                }
            }
            Err((offset, why)) => {
                nss.broken = Some((Pos::at(number, rest_start + offset), why));
                break;
            }
        }
    }
    nss
}

/// `nss_action_parse`: sources and their `[...]` items. `Err((offset, why))` on a malformed
/// item; a `[` where a source name should be ends the list without error.
fn parse_glibc_sources(
    line: &[u8],
    number: u32,
    base: usize,
) -> Result<Vec<GlibcSource>, (usize, String)> {
    let mut sources = Vec::new();
    let mut at = 0;
    let skip_ws = |at: &mut usize| {
        while *at < line.len() && c_space(line[*at]) {
            *at += 1;
        }
    };
    loop {
        skip_ws(&mut at);
        if at >= line.len() {
            return Ok(sources);
        }
        let name_start = at;
        while at < line.len() && !c_space(line[at]) && line[at] != b'[' {
            at += 1;
        }
        if name_start == at {
            return Ok(sources);
        }
        let mut source = GlibcSource {
            name: text(&line[name_start..at]),
            items: Vec::new(),
            pos: Pos::at(number, base + name_start),
        };
        skip_ws(&mut at);
        if at < line.len() && line[at] == b'[' {
            at += 1;
            skip_ws(&mut at);
            loop {
                source
                    .items
                    .push(parse_glibc_item(line, &mut at, number, base)?);
                skip_ws(&mut at);
                if at < line.len() && line[at] == b']' {
                    at += 1;
                    break;
                }
            }
        }
        sources.push(source);
    }
}

fn parse_glibc_item(
    line: &[u8],
    at: &mut usize,
    number: u32,
    base: usize,
) -> Result<ActionItem, (usize, String)> {
    let item_start = *at;
    let negate = line.get(*at) == Some(&b'!');
    if negate {
        *at += 1;
    }
    let word = |at: &mut usize| {
        let from = *at;
        while *at < line.len() && !c_space(line[*at]) && line[*at] != b'=' && line[*at] != b']' {
            *at += 1;
        }
        line[from..*at].to_ascii_uppercase()
    };
    let status_start = *at;
    let status = match word(at).as_slice() {
        b"SUCCESS" => Status::Success,
        b"UNAVAIL" => Status::Unavail,
        b"NOTFOUND" => Status::Notfound,
        b"TRYAGAIN" => Status::Tryagain,
        other => {
            return Err((
                status_start,
                format!(
                    "`{}` is not a status (SUCCESS, NOTFOUND, UNAVAIL, TRYAGAIN)",
                    text(other)
                ),
            ));
        }
    };
    while *at < line.len() && c_space(line[*at]) {
        *at += 1;
    }
    if line.get(*at) != Some(&b'=') {
        return Err((*at, "expected `=` after the status".into()));
    }
    *at += 1;
    while *at < line.len() && c_space(line[*at]) {
        *at += 1;
    }
    let action_start = *at;
    let action = match word(at).as_slice() {
        b"RETURN" => Action::Return,
        b"CONTINUE" => Action::Continue,
        b"MERGE" => Action::Merge,
        other => {
            return Err((
                action_start,
                format!(
                    "`{}` is not an action (return, continue, merge)",
                    text(other)
                ),
            ));
        }
    };
    Ok(ActionItem {
        negate,
        status,
        action,
        pos: Pos::at(number, base + item_start),
    })
}

// ---------------------------------------------------------------------------------------
// Go
// ---------------------------------------------------------------------------------------

/// One `[!]status=action` criterion as Go stores it (lower-cased, not validated).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GoCriterion {
    /// `!` before it.
    pub negate: bool,
    /// The text before `=`, lower-cased.
    pub status: String,
    /// The text after `=`, lower-cased.
    pub action: String,
}

impl GoCriterion {
    /// `nssCriterion.standardStatusAction`: equivalent to not writing it at all. The last
    /// criterion of a block also counts as standard with `return`.
    #[must_use]
    pub fn standard(&self, last: bool) -> bool {
        if self.negate {
            return false;
        }
        let default = match self.status.as_str() {
            "success" => "return",
            "notfound" | "unavail" | "tryagain" => "continue",
            _ => return false,
        };
        (last && self.action == "return") || self.action == default
    }
}

/// A source of the hosts line as Go reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoSource {
    /// The name (may contain a tab or other bytes glibc would split on).
    pub name: String,
    /// The `[...]` criteria after the name, as Go parses them (empty when none).
    pub criteria: Vec<GoCriterion>,
    /// Where the name starts.
    pub pos: Pos,
}

impl GoSource {
    /// `nssSource.standardCriteria`.
    #[must_use]
    pub fn standard_criteria(&self) -> bool {
        let count = self.criteria.len();
        self.criteria
            .iter()
            .enumerate()
            .all(|(index, criterion)| criterion.standard(index + 1 == count))
    }
}

/// What Go makes of nsswitch.conf.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GoNss {
    /// The hosts sources of every `hosts` line, appended in order.
    pub hosts: Vec<GoSource>,
    /// The lines that contributed to `hosts`.
    pub hosts_lines: Vec<u32>,
    /// Go's parse error (`no colon on line`, `unclosed criterion bracket`,
    /// `invalid criteria: ...`) and where; Go then ignores the file.
    pub error: Option<(Pos, String)>,
    /// The line where Go stopped reading because it did not fit its 64 KiB buffer.
    pub truncated_at: Option<u32>,
}

fn parse_go(bytes: &[u8]) -> GoNss {
    let mut nss = GoNss::default();
    let (go_lines, truncated) = go_lines(bytes);
    nss.truncated_at = truncated;
    for (number, raw) in go_lines {
        let line = raw
            .iter()
            .position(|&b| b == b'#')
            .map_or(raw, |at| &raw[..at]);
        let Some((start, end)) = go_trim(line, 0, line.len()) else {
            continue;
        };
        let Some(colon) = line[start..end].iter().position(|&b| b == b':') else {
            nss.error = Some((Pos::at(number, start), "no colon on line".into()));
            return nss;
        };
        let colon = start + colon;
        let database = go_trim(line, start, colon).map(|(a, b)| &line[a..b]);
        let mut sources = Vec::new();
        if let Err(error) = parse_go_sources(line, colon + 1, end, number, &mut sources) {
            nss.error = Some(error);
            return nss;
        }
        if database == Some(&b"hosts"[..]) {
            nss.hosts.extend(sources);
            nss.hosts_lines.push(number);
        }
    }
    nss
}

/// Trims Go spaces from `line[from..to]`; `None` when nothing is left.
fn go_trim(line: &[u8], mut from: usize, mut to: usize) -> Option<(usize, usize)> {
    while from < to && go_space(line[from]) {
        from += 1;
    }
    while to > from && go_space(line[to - 1]) {
        to -= 1;
    }
    (from < to).then_some((from, to))
}

fn parse_go_sources(
    line: &[u8],
    from: usize,
    end: usize,
    number: u32,
    sources: &mut Vec<GoSource>,
) -> Result<(), (Pos, String)> {
    let mut rest = (from, end);
    loop {
        let Some((start, stop)) = go_trim(line, rest.0, rest.1) else {
            return Ok(());
        };
        let (name_end, after) = match line[start..stop].iter().position(|&b| b == b' ') {
            Some(sp) => (start + sp, start + sp + 1),
            None => (stop, stop),
        };
        let name = text(&line[start..name_end]);
        let pos = Pos::at(number, start);
        let mut next = go_trim(line, after, stop).unwrap_or((stop, stop));
        let mut criteria = Vec::new();
        if next.0 < next.1 && line[next.0] == b'[' {
            let Some(close) = line[next.0..next.1].iter().position(|&b| b == b']') else {
                return Err((Pos::at(number, next.0), "unclosed criterion bracket".into()));
            };
            let inside = &line[next.0 + 1..next.0 + close];
            criteria = parse_go_criteria(inside).ok_or_else(|| {
                (
                    Pos::at(number, next.0),
                    format!("invalid criteria: {}", text(inside)),
                )
            })?;
            next = (next.0 + close + 1, next.1);
        }
        sources.push(GoSource {
            name,
            criteria,
            pos,
        });
        rest = next;
    }
}

/// `parseCriteria` over `foreachField` (fields split on the space character only).
fn parse_go_criteria(inside: &[u8]) -> Option<Vec<GoCriterion>> {
    let mut criteria = Vec::new();
    let mut rest = go_trim(inside, 0, inside.len()).map_or(&[][..], |(a, b)| &inside[a..b]);
    while !rest.is_empty() {
        let (field, tail) = match rest.iter().position(|&b| b == b' ') {
            Some(sp) => (&rest[..sp], &rest[sp + 1..]),
            None => (rest, &[][..]),
        };
        let field = go_trim(field, 0, field.len()).map_or(&[][..], |(a, b)| &field[a..b]);
        if !field.is_empty() {
            let (negate, body) = match field.split_first() {
                Some((b'!', body)) => (true, body),
                _ => (false, field),
            };
            if body.len() < 3 {
                return None;
            }
            let eq = body.iter().position(|&b| b == b'=')?;
            let lower = body.to_ascii_lowercase();
            criteria.push(GoCriterion {
                negate,
                status: text(&lower[..eq]),
                action: text(&lower[eq + 1..]),
            });
        }
        rest = go_trim(tail, 0, tail.len()).map_or(&[][..], |(a, b)| &tail[a..b]);
    }
    Some(criteria)
}

#[cfg(test)]
mod tests;

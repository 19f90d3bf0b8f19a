//! DNS006: glibc and Go read the hosts line of nsswitch.conf differently.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Evidence, Finding, Fix, Severity};

use super::{Context, at, fixes, nsswitch_line, quoted_list};
use crate::model::go_order::FileState;
use crate::read::NSSWITCH_CONF;

/// Tabs, inline comments, repeated lines, a missing colon, `files[...]`.
pub(crate) struct NsswitchReadDifferently;

const META: CheckMeta = CheckMeta {
    code: "DNS006",
    slug: "nsswitch-read-differently",
    domain: Domain::Dns,
    severity: Severity::Warning,
    status: CheckStatus::Stable,
    title: "glibc and Go read the hosts line differently",
    ok_title: "glibc and Go read the same hosts sources",
    doc: include_str!("../../../../docs/checks/DNS006.md"),
};

impl Check<Context> for NsswitchReadDifferently {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context
            .no_nsswitch()
            .or_else(|| match &context.system.nsswitch {
                FileState::Read(nss) if nss.glibc.broken.is_some() => {
                    Some(format!("glibc cannot read {NSSWITCH_CONF} (see DNS001)"))
                }
                _ => None,
            })
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let FileState::Read(nss) = &context.system.nsswitch else {
            return Vec::new();
        };
        if nss.glibc.broken.is_some() {
            return Vec::new();
        }
        let glibc_hosts = nss.glibc.hosts_or_default();
        let glibc: Vec<&str> = glibc_hosts
            .sources
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        let go: Vec<String> = nss
            .go
            .hosts
            .iter()
            .map(|s| s.name.escape_debug().to_string())
            .collect();
        let (pos, what) = if let Some((pos, why)) = &nss.go.error {
            (
                *pos,
                format!(
                    "Go cannot parse the file (`{why}`) and ignores it, falling back to files,dns (or to cgo in cgo programs); glibc reads the sources {}",
                    quoted_list(&glibc)
                ),
            )
        } else if glibc_hosts.line.is_some() && go != glibc {
            let line = glibc_hosts.line.unwrap_or(1);
            let mut why = Vec::new();
            if nss.go.hosts.iter().any(|s| s.name.contains('\t')) {
                why.push(
                    "Go separates sources only with spaces, so a tab glues two names into one",
                );
            }
            if glibc.iter().any(|s| s.contains('#')) {
                why.push(
                    "glibc has no comments after text on a line, so `#...` is a module name for it",
                );
            }
            if !glibc_hosts.replaced.is_empty() || nss.go.hosts_lines.len() > 1 {
                why.push("glibc uses only the last hosts line while Go appends every hosts line");
            }
            if nss.go.hosts.iter().any(|s| s.name.contains('[')) {
                why.push("Go needs a space before `[`");
            }
            if why.is_empty() {
                why.push("the two parsers split the line differently");
            }
            (
                crate::parse::Pos { line, column: 1 },
                format!(
                    "glibc reads the sources {}; Go reads {}. {}.",
                    quoted_list(&glibc),
                    if go.is_empty() {
                        "none".to_owned()
                    } else {
                        quoted_list(&go)
                    },
                    why.join("; ")
                ),
            )
        } else if glibc_hosts.line.is_some() && glibc.is_empty() {
            (
                crate::parse::Pos { line: glibc_hosts.line.unwrap_or(1), column: 1 },
                "the hosts line is empty: glibc then resolves nothing, while Go falls back to files,dns".to_owned(),
            )
        } else {
            return Vec::new();
        };
        let fix = fixes::hosts_line_fix(context, "write the hosts line so both read the same sources")
            .unwrap_or_else(|| Fix::manual("write one hosts line, sources separated by single spaces, comments on their own lines"));
        vec![
            Finding::new(&META, "glibc and Go read different hosts sources", what)
                .subject(context.name.clone())
                .location(at(NSSWITCH_CONF, pos))
                .evidence(nsswitch_line(context, pos.line))
                .evidence(Evidence::command(
                    "cat -A /etc/nsswitch.conf | grep hosts   # shows tabs as ^I",
                ))
                .fix(fix),
        ]
    }
}

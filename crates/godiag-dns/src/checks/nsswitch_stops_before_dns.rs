//! DNS002: the hosts line ends lookups before any DNS source for names /etc/hosts lacks.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Evidence, Finding, Fix, Severity};

use super::{Context, at, fixes, getent, nsswitch_line, quoted_list};
use crate::read::NSSWITCH_CONF;

/// `[NOTFOUND=return]`, `[!UNAVAIL=return]` and the like before `dns`/`resolve`, or no DNS
/// source at all.
pub(crate) struct NsswitchStopsBeforeDns;

const META: CheckMeta = CheckMeta {
    code: "DNS002",
    slug: "nsswitch-stops-before-dns",
    domain: Domain::Dns,
    severity: Severity::Error,
    status: CheckStatus::Stable,
    title: "The hosts line stops before DNS is asked",
    ok_title: "The hosts line reaches a DNS source for names not in /etc/hosts",
    doc: include_str!("../../../../docs/checks/DNS002.md"),
};

impl Check<Context> for NsswitchStopsBeforeDns {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.no_hosts_line()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let Some(hosts) = context.glibc_hosts() else {
            return Vec::new();
        };
        let Some(line) = hosts.line else {
            return Vec::new();
        };
        // A name /etc/hosts answers is unaffected, so this is a warning for it.
        let severity = if context.in_hosts_file() {
            Severity::Warning
        } else {
            Severity::Error
        };
        let stopping = fixes::stops_before_dns(&hosts.sources);
        let finding = if let Some(source) = stopping.first() {
            let items: Vec<String> = source
                .items
                .iter()
                .map(crate::parse::nsswitch::ActionItem::display)
                .collect();
            Finding::new(
                &META,
                format!("`{} [{}]` ends lookups before DNS", source.name, items.join(" ")),
                {
                    let negated = source.items.iter().any(|item| item.negate);
                    format!(
                        "glibc tries the hosts line's sources in order. After `{name}`, the action \
                         items [{items}] make NOTFOUND a `return`: a name `{name}` does not know \
                         ends there, and the DNS sources after it are never asked.{negation} \
                         Programs using Go's own resolver ignore action items, so they resolve the \
                         name while getent, curl, git and cgo programs do not.",
                        name = source.name,
                        items = quoted_list(&items),
                        negation = if negated {
                            " `!STATUS=return` means \"return on every status except STATUS\" \
                             (glibc manual, Actions in the NSS configuration): `!UNAVAIL=return` \
                             after `files` disables DNS for every name not in /etc/hosts unless \
                             /etc/hosts is missing. It belongs after `resolve`, where UNAVAIL means \
                             systemd-resolved is not running."
                        } else {
                            ""
                        }
                    )
                },
            )
            .location(at(NSSWITCH_CONF, source.items.first().map_or(source.pos, |item| item.pos)))
        } else if !hosts.sources.iter().any(|s| fixes::is_dns_capable(&s.name)) {
            Finding::new(
                &META,
                "The hosts line has no DNS source",
                format!(
                    "The hosts line names {}, but neither `dns` nor `resolve`: glibc programs resolve \
                     only what those sources know, and a Go program following this line (order \
                     `files`) never sends a DNS query.",
                    quoted_list(&hosts.sources.iter().map(|s| s.name.as_str()).collect::<Vec<_>>())
                ),
            )
            .location(at(NSSWITCH_CONF, crate::parse::Pos { line, column: 1 }))
        } else {
            return Vec::new();
        };
        let fix = fixes::hosts_line_fix(context, "let names not in /etc/hosts reach DNS")
            .unwrap_or_else(|| {
                Fix::manual(
                    "remove the `[...=return]` items before `dns`/`resolve` on the hosts line",
                )
            });
        vec![
            finding
                .severity(severity)
                .subject(context.name.clone())
                .evidence(nsswitch_line(context, line))
                .evidence(getent(&context.name))
                .evidence(Evidence::command(format!(
                    "getent -s dns hosts {}   # asks only the dns source",
                    context.name
                )))
                .fix(fix),
        ]
    }
}

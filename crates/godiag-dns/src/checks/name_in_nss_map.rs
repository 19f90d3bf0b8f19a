//! DNS016: `godiag` is on the hosts line; which rule of its map answers the name, if any.

use std::path::PathBuf;

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Evidence, Finding, Fix, Location, Severity};
use godiag_nssmap::{DEFAULT_MAP_PATH, MAP_PATH_ENV, Pattern, Target};

use super::{Context, at};
use crate::nss_install::SOURCE;
use crate::probe::NSS_GODIAG;
use crate::read::NSSWITCH_CONF;

/// Says what `libnss_godiag.so.2` does with the name: the rule that matched, or none.
pub(crate) struct NameInNssMap;

const META: CheckMeta = CheckMeta {
    code: "DNS016",
    slug: "name-in-nss-map",
    domain: Domain::Dns,
    severity: Severity::Info,
    status: CheckStatus::Stable,
    title: "The godiag NSS module answers the name from its map",
    ok_title: "The godiag NSS module's map was consulted",
    doc: include_str!("../../../../docs/checks/DNS016.md"),
};

/// Said with every answer: the module's reach ends where NSS does.
const SCOPE: &str = "Only programs that resolve through glibc's NSS see this answer (git, curl, \
                     ssh, Python, cgo programs): the go command and every CGO_ENABLED=0 program \
                     read /etc/hosts and resolv.conf themselves, so `go get` needs the name in \
                     /etc/hosts or on a DNS server in resolv.conf.";

impl Check<Context> for NameInNssMap {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        let listed = context
            .glibc_hosts()
            .is_some_and(|hosts| hosts.sources.iter().any(|s| s.name == SOURCE));
        (!listed).then(|| format!("`{SOURCE}` is not on the hosts line of {NSSWITCH_CONF}"))
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let path = map_path(context);
        let shown = path.display().to_string();
        let source = context
            .glibc_hosts()
            .and_then(|hosts| hosts.sources.into_iter().find(|s| s.name == SOURCE));
        let location = source.map_or_else(
            || Location::file(NSSWITCH_CONF),
            |source| at(NSSWITCH_CONF, source.pos),
        );
        let probe = probe(context);
        let Ok(bytes) = context.host.read(&path) else {
            return vec![
                Finding::new(
                    &META,
                    format!("`{SOURCE}` is on the hosts line but its map {shown} cannot be read"),
                    "Without its map the module is UNAVAIL for every name and glibc goes on \
                     to the next source; `godiag lint` of the map (NSS001) says why."
                        .to_owned(),
                )
                .severity(Severity::Warning)
                .subject(context.name.clone())
                .location(location)
                .evidence(probe)
                .fix(Fix::command(format!("godiag lint {shown}"))),
            ];
        };
        let text = String::from_utf8_lossy(&bytes);
        let map = godiag_nssmap::parse(&text).map;
        let rule = godiag_nssmap::normalise_name(context.name.as_bytes())
            .and_then(|name| map.rule_for(&name).cloned());
        let Some(rule) = rule else {
            return vec![
                Finding::new(
                    &META,
                    format!(
                        "no rule in {shown} covers {}: `{SOURCE}` passes it on",
                        context.name
                    ),
                    "The module returns NOTFOUND for names its map does not cover, so the \
                     next source on the hosts line answers, as if the module were not there."
                        .to_owned(),
                )
                .subject(context.name.clone())
                .location(location)
                .evidence(probe),
            ];
        };
        let (kind, answer) = match &rule.target {
            Target::Addresses(addresses) => (
                "fixed addresses",
                addresses
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            Target::Dns(servers) => (
                "asked of",
                servers
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
        };
        let how = match rule.pattern {
            Pattern::Exact(_) => "exact rule",
            Pattern::Wildcard(_) => "wildcard, the most specific that matches",
        };
        vec![
            Finding::new(
                &META,
                format!(
                    "`{SOURCE}` answers {} from {shown}:{}: `{}` ({kind} {answer})",
                    context.name,
                    rule.position.line,
                    rule.pattern.text()
                ),
                format!("The {how}. {SCOPE}"),
            )
            .subject(context.name.clone())
            .location(Location {
                path,
                line: u32::try_from(rule.position.line).ok(),
                column: u32::try_from(rule.position.column).ok(),
            })
            .evidence(Evidence::file(format!(
                "{shown}:{}: {}",
                rule.position.line,
                text.lines()
                    .nth(rule.position.line - 1)
                    .unwrap_or_default()
                    .trim_end()
            )))
            .evidence(probe),
        ]
    }
}

/// What the probe of the module alone (`getent -s godiag ahosts NAME`) gave; on a recorded
/// machine, or when nothing was probed, the command to run instead.
fn probe(context: &Context) -> Evidence {
    let command_text = format!("getent -s {SOURCE} ahosts {}", context.name);
    match context.path(NSS_GODIAG) {
        Some(path) => {
            let answer = if path.resolved() {
                path.addresses.join(" ")
            } else {
                path.error.clone().unwrap_or_else(|| "nothing".to_owned())
            };
            Evidence::probe(format!("{command_text}: {answer}"), path.duration_ms)
        }
        None => Evidence::command(command_text),
    }
}

/// The map the module reads in this environment: `GODIAG_NSS_MAP` (unless the program is
/// setuid, which godiag cannot know here) or the default.
fn map_path(context: &Context) -> PathBuf {
    context
        .host
        .env_var(MAP_PATH_ENV)
        .filter(|value| !value.is_empty())
        .map_or_else(|| PathBuf::from(DEFAULT_MAP_PATH), PathBuf::from)
}

//! DNS001: nsswitch.conf has a malformed `[...]` item (glibc) or cannot be parsed by Go.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Evidence, Finding, Fix, Severity};

use super::{Context, at, fixes, nsswitch_line};
use crate::model::go_order::FileState;
use crate::read::NSSWITCH_CONF;

/// A malformed action item stops glibc's reading of nsswitch.conf.
pub(crate) struct NsswitchUnparsable;

const META: CheckMeta = CheckMeta {
    code: "DNS001",
    slug: "nsswitch-unparsable",
    domain: Domain::Dns,
    severity: Severity::Error,
    status: CheckStatus::Stable,
    title: "nsswitch.conf has a malformed action item",
    ok_title: "glibc can read nsswitch.conf",
    doc: include_str!("../../../../docs/checks/DNS001.md"),
};

impl Check<Context> for NsswitchUnparsable {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        if matches!(context.system.nsswitch, FileState::Unreadable(_)) {
            return None;
        }
        context.no_nsswitch()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        if let FileState::Unreadable(why) = &context.system.nsswitch {
            return vec![not_read(why)];
        }
        let FileState::Read(nss) = &context.system.nsswitch else {
            return Vec::new();
        };
        let Some((pos, why)) = &nss.glibc.broken else {
            return Vec::new();
        };
        let mut finding = Finding::new(
            &META,
            format!("glibc cannot read {NSSWITCH_CONF}: every NSS lookup fails"),
            format!(
                "{why}. glibc stops reading nsswitch.conf at a malformed `[STATUS=ACTION]` item and \
                 then fails every lookup through NSS (host names, but also users and groups) until \
                 the file is fixed: `getent hosts` and every cgo program report the name as not \
                 found. Valid items are `[!]STATUS=ACTION` with STATUS one of SUCCESS, NOTFOUND, \
                 UNAVAIL, TRYAGAIN and ACTION one of return, continue, merge."
            ),
        )
        .subject(context.name.clone())
        .location(at(NSSWITCH_CONF, *pos))
        .evidence(nsswitch_line(context, pos.line))
        .evidence(Evidence::command(format!("getent ahosts localhost   # fails while {NSSWITCH_CONF} is unreadable")));
        if let Some((go_pos, go_why)) = &nss.go.error {
            finding = finding.evidence(Evidence::file(format!(
                "{NSSWITCH_CONF}:{}:{}: Go reads it as `{go_why}` and ignores the file",
                go_pos.line, go_pos.column
            )));
        }
        let fix = fixes::remove_bracket_fix(context, pos.line, pos.column).map_or_else(
            || {
                Fix::manual(format!(
                    "correct or remove the item at {NSSWITCH_CONF}:{}:{}",
                    pos.line, pos.column
                ))
            },
            // glibc then reads the hosts line it could not before: the machine's lookups change.
            |edit| Fix::edit("remove the malformed `[...]` item", vec![edit]).mark_unsafe(),
        );
        vec![finding.fix(fix)]
    }
}

/// An nsswitch.conf that is there but was not read (a device, a FIFO, past the size cap):
/// the hosts line glibc and Go follow is unknown.
fn not_read(why: &str) -> Finding {
    Finding::new(
        &META,
        format!("{NSSWITCH_CONF} was not read: {why}"),
        format!(
            "godiag reads {NSSWITCH_CONF} only as a regular file of at most 1 MiB \
             (docs/limits.md), so no hosts line was checked. glibc reads it line by line \
             whatever it is, and a device or a FIFO can hang every program that looks up a \
             name, user or group; a real nsswitch.conf is a few hundred bytes."
        ),
    )
    .evidence(Evidence::command(format!("ls -lL {NSSWITCH_CONF}")))
    .fix(Fix::manual(format!(
        "Make {NSSWITCH_CONF} a regular file (or a link to one) with one line per database, \
         such as `hosts: files dns`."
    )))
}

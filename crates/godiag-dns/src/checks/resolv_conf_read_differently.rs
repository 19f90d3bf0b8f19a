//! DNS007: lines of resolv.conf that glibc and Go read differently, or not as written.

use std::collections::{HashMap, HashSet};

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Evidence, Finding, Fix, Location, Severity};
use godiag_core::fold;

use super::{Context, at};
use crate::model::go_order::FileState;
use crate::read::RESOLV_CONF;

/// Indented lines, unknown options, inline comments, nameserver forms, caps.
pub(crate) struct ResolvConfReadDifferently;

const META: CheckMeta = CheckMeta {
    code: "DNS007",
    slug: "resolv-conf-read-differently",
    domain: Domain::Dns,
    severity: Severity::Warning,
    status: CheckStatus::Stable,
    title: "glibc and Go read a resolv.conf line differently",
    ok_title: "glibc and Go read resolv.conf the same way",
    doc: include_str!("../../../../docs/checks/DNS007.md"),
};

impl Check<Context> for ResolvConfReadDifferently {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        if matches!(context.system.resolv_conf, FileState::Unreadable(_)) {
            return None;
        }
        context.no_resolv_conf()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        if let FileState::Unreadable(why) = &context.system.resolv_conf {
            return vec![not_read(why)];
        }
        let FileState::Read(resolv) = &context.system.resolv_conf else {
            return Vec::new();
        };
        let managed = context
            .system
            .resolv_conf_target
            .as_ref()
            .map(|target| {
                format!(
                    " ({RESOLV_CONF} links to {}; change what generates it)",
                    target.display()
                )
            })
            .unwrap_or_default();
        // A flood of alike lines (40,000 `nameserver` lines) is folded before its findings are
        // built, so the check stays within its budget; the report would fold them anyway.
        let mut alike: HashMap<(&str, &str), (usize, Vec<Location>)> = HashMap::new();
        for note in &resolv.notes {
            let (count, locations) = alike
                .entry((note.glibc.as_str(), note.go.as_str()))
                .or_default();
            *count += 1;
            if locations.len() < fold::LOCATIONS_SHOWN {
                locations.push(at(RESOLV_CONF, note.pos));
            }
        }
        let mut shown = HashSet::new();
        resolv
            .notes
            .iter()
            .filter_map(|note| {
                let key = (note.glibc.as_str(), note.go.as_str());
                let (count, locations) = &alike[&key];
                let flood = *count > fold::MAX_ALIKE;
                if flood && !shown.insert(key) {
                    return None;
                }
                Some((note, flood.then_some((*count, locations))))
            })
            .map(|(note, folded)| {
                let title = if note.glibc == note.go {
                    format!("`{}` is not read as written", note.line.trim())
                } else {
                    format!("glibc and Go read `{}` differently", note.line.trim())
                };
                let message = if note.glibc == note.go {
                    format!("glibc and Go both {}.", note.glibc)
                } else {
                    format!("glibc {}; Go {}.", note.glibc, note.go)
                };
                let mut finding = Finding::new(&META, title, message)
                .subject(context.name.clone())
                .location(at(RESOLV_CONF, note.pos))
                .evidence(Evidence::file(format!(
                    "{RESOLV_CONF}:{}: {}",
                    note.pos.line,
                    note.line.escape_debug()
                )))
                .fix(Fix::manual(format!(
                    "rewrite line {} so both read it the same: keywords at the start of the line, \
                     comments on their own line starting with #, only the options both know \
                     (ndots:N timeout:N attempts:N rotate single-request use-vc trust-ad edns0 \
                     no-reload){managed}",
                    note.pos.line
                )));
                if let Some((count, locations)) = folded {
                    fold::mark_folded(&mut finding, count, locations);
                }
                finding
            })
            .collect()
    }
}

/// A resolv.conf that is there but was not read (a device, a FIFO, past the size cap): what
/// each resolver makes of it is unknown, and glibc reads such a file line by line for ever.
fn not_read(why: &str) -> Finding {
    Finding::new(
        &META,
        format!("{RESOLV_CONF} was not read: {why}"),
        format!(
            "godiag reads {RESOLV_CONF} only as a regular file of at most 1 MiB \
             (docs/limits.md), so nothing in it was checked. glibc reads it line by line \
             whatever it is, and Go reads it whole: a device or a FIFO can hang or exhaust \
             both, and a real resolv.conf is a few hundred bytes."
        ),
    )
    .evidence(Evidence::command(format!("ls -lL {RESOLV_CONF}")))
    .fix(Fix::manual(format!(
        "Make {RESOLV_CONF} a regular file (or a link to one) holding only the resolver \
         settings: `nameserver`, `search` and `options` lines."
    )))
}

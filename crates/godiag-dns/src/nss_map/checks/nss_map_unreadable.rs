//! NSS001: the map cannot be read.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Evidence, Finding, Fix, Location, Severity};

use crate::nss_map::Context;

/// The module cannot read its map, so it answers no name at all.
pub(crate) struct NssMapUnreadable;

const META: CheckMeta = CheckMeta {
    code: "NSS001",
    slug: "nss-map-unreadable",
    domain: Domain::Nss,
    severity: Severity::Error,
    status: CheckStatus::Stable,
    title: "The NSS map cannot be read",
    ok_title: "The NSS map can be read",
    doc: include_str!("../../../../../docs/checks/NSS001.md"),
};

impl Check<Context> for NssMapUnreadable {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let Err(error) = &context.read else {
            return Vec::new();
        };
        let path = context.path.display();
        vec![
            Finding::new(
                &META,
                format!("{path} cannot be read: libnss_godiag answers no name"),
                format!(
                    "{error}. Without its map the module returns NSS_STATUS_UNAVAIL for every \
                     lookup, as libnss_files does without /etc/hosts: glibc goes on to the next \
                     source on the hosts line, so private names fail with `Name or service not \
                     known` unless DNS knows them."
                ),
            )
            .subject(path.to_string())
            .location(Location::file(context.path.clone()))
            .evidence(Evidence::command(format!("ls -l {path}")))
            .fix(Fix::manual(format!(
                "create {path} (one `NAME ADDRESS...` or `*.DOMAIN dns SERVER` per line) or \
                 make it readable by every user"
            ))),
        ]
    }
}

//! DNS004: `systemd` on the hosts line, meant as "ask systemd-resolved".

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Evidence, Finding, Fix, Severity};

use super::{Context, at, fixes, nsswitch_line};
use crate::read::NSSWITCH_CONF;

/// The `systemd` NSS module answers users and groups, never host names.
pub(crate) struct NsswitchSystemd;

const META: CheckMeta = CheckMeta {
    code: "DNS004",
    slug: "nsswitch-systemd-for-hosts",
    domain: Domain::Dns,
    severity: Severity::Warning,
    status: CheckStatus::Stable,
    title: "`systemd` on the hosts line resolves nothing",
    ok_title: "The hosts line does not rely on the `systemd` module for names",
    doc: include_str!("../../../../docs/checks/DNS004.md"),
};

impl Check<Context> for NsswitchSystemd {
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
        let Some(source) = hosts.sources.iter().find(|s| s.name == "systemd") else {
            return Vec::new();
        };
        let has_resolve = hosts.sources.iter().any(|s| s.name == "resolve");
        let fix = fixes::hosts_line_fix(context, "drop `systemd` from the hosts line")
            .unwrap_or_else(|| Fix::manual(
                "replace `systemd` with `resolve [!UNAVAIL=return]` (package libnss-resolve) to ask systemd-resolved, or remove it",
            ));
        vec![Finding::new(
            &META,
            "`systemd` on the hosts line does not ask systemd-resolved",
            format!(
                "nss-systemd (libnss_systemd.so.2) provides users and groups only (nss-systemd(8)); it \
                 has no host functions, so glibc treats `systemd` on the hosts line as UNAVAIL and \
                 moves on. The module that sends names to systemd-resolved is `resolve` \
                 (nss-resolve(8), package libnss-resolve); container and VM names come from \
                 `mymachines`.{}",
                if has_resolve { " This line already has `resolve`." } else { "" }
            ),
        )
        .subject(context.name.clone())
        .location(at(NSSWITCH_CONF, source.pos))
        .evidence(nsswitch_line(context, source.pos.line))
        .evidence(Evidence::command("nm -D --defined-only $(ldconfig -p | awk '/libnss_systemd.so.2/{print $NF; exit}') | grep gethostbyname   # prints nothing"))
        .fix(fix)]
    }
}

//! DNS003: a hosts source names an NSS module whose library is not installed.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Evidence, Finding, Fix, Severity};

use super::{Context, at};
use crate::read::NSSWITCH_CONF;

/// `libnss_NAME.so.2` is missing for a source of the hosts line.
pub(crate) struct NssModuleMissing;

const META: CheckMeta = CheckMeta {
    code: "DNS003",
    slug: "nss-module-missing",
    domain: Domain::Dns,
    severity: Severity::Warning,
    status: CheckStatus::Stable,
    title: "A hosts source has no NSS module installed",
    ok_title: "Every hosts source has its NSS module installed",
    doc: include_str!("../../../../docs/checks/DNS003.md"),
};

/// Debian/Ubuntu packages that ship the usual modules.
fn package(module: &str) -> Option<&'static str> {
    Some(match module {
        "resolve" => "libnss-resolve",
        "myhostname" => "libnss-myhostname",
        "mymachines" => "libnss-mymachines",
        "systemd" => "libnss-systemd",
        "sss" => "libnss-sss",
        "ldap" => "libnss-ldapd",
        "winbind" | "wins" => "libnss-winbind",
        "mdns" | "mdns4" | "mdns6" | "mdns_minimal" | "mdns4_minimal" | "mdns6_minimal" => {
            "libnss-mdns"
        }
        _ => return None,
    })
}

/// The install command, or, for `resolve` in a container, what that install brings: on
/// Debian 12 and Ubuntu libnss-resolve depends on systemd-resolved, whose package links
/// /etc/resolv.conf to its stub 127.0.0.53, and no systemd runs in the container to answer
/// there, so the fix would break every lookup instead of mending one.
fn install_fix(context: &Context, module: &str, package: &str) -> Fix {
    match context.system.container.engine.as_deref() {
        Some(engine) if module == "resolve" => Fix::manual(format!(
            "remove `resolve` (and its action item) from the hosts line: this is a {engine} \
             container, where no systemd-resolved runs for it to ask. Installing \
             {package} here also installs systemd-resolved (a dependency on Debian 12 and \
             Ubuntu), which can replace /etc/resolv.conf with its stub 127.0.0.53 that \
             nothing answers in the container"
        )),
        _ => Fix::command(format!("sudo apt-get install {package}")),
    }
}

impl Check<Context> for NssModuleMissing {
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
        let mut findings = Vec::new();
        for module in context
            .system
            .nss_modules
            .iter()
            .filter(|m| !m.builtin && m.library.is_none())
        {
            if module.name.starts_with('#') {
                continue;
            }
            let Some(source) = hosts.sources.iter().find(|s| s.name == module.name) else {
                continue;
            };
            let fix = if module.name == crate::nss_install::SOURCE {
                Some(Fix::command("sudo godiag nss install --fix --unsafe-fixes"))
            } else {
                None
            };
            let fix = fix.unwrap_or_else(|| package(&module.name).map_or_else(
                || Fix::manual(format!(
                    "install the package that provides libnss_{}.so.2, or remove `{}` from the hosts line",
                    module.name, module.name
                )),
                |package| install_fix(context, &module.name, package),
            ));
            findings.push(
                Finding::new(
                    &META,
                    format!("`{}` is on the hosts line but libnss_{}.so.2 is not installed", module.name, module.name),
                    format!(
                        "glibc loads the module for each source from libnss_{name}.so.2; when the \
                         library is missing it treats the source as UNAVAIL and goes on with the \
                         next one (unless an action item says otherwise), so `{name}` silently does \
                         nothing. Only `files` and `dns` are built into the C library (glibc 2.34 \
                         and later).",
                        name = module.name
                    ),
                )
                .subject(context.name.clone())
                .location(at(NSSWITCH_CONF, source.pos))
                .evidence(Evidence::file(format!(
                    "no libnss_{}.so.2 in the library directories (/lib/<arch>, /usr/lib/<arch>, /lib64, /usr/lib64, /lib, /usr/lib, /etc/ld.so.conf.d)",
                    module.name
                )))
                .evidence(Evidence::command(format!("ldconfig -p | grep libnss_{}", module.name)))
                .fix(fix),
            );
        }
        findings
    }
}

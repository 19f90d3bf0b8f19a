//! The name-resolution checks, one file each, and the context they share.
//!
//! The registry ([`ALL`]) owns dispatch; `godiag explain` and SARIF read [`registry`].

mod container_dns;
mod domain_not_routed;
mod go_resolver_skips_nss;
mod name_never_queried;
mod name_not_resolvable;
mod nss_module_missing;
mod nsswitch_read_differently;
mod nsswitch_stops_before_dns;
mod nsswitch_systemd_for_hosts;
mod nsswitch_unparsable;
mod resolv_conf_read_differently;
mod resolved_conf_ignored;
mod resolvers_disagree;
mod server_not_answering;
mod stub_resolver_not_running;

pub use go_resolver_skips_nss::STUB_ADDRESSES;

use std::path::Path;
use std::sync::Arc;

use godiag_core::check::{Check, CheckMeta};
use godiag_core::finding::{Evidence, Location};
use godiag_core::host::Host;

// The fix builders and the verdict are shared by several checks, so they live beside this
// module rather than in checks/, which holds one file per check.
use crate::model::go_order::{FileState, GoRuntime};
use crate::model::predict::Prediction;
use crate::model::program::Program;
use crate::parse::Pos;
use crate::parse::nsswitch::GlibcHosts;
use crate::read::{NSSWITCH_CONF, System};
use crate::{fixes, verdict};

/// Everything the checks look at, computed once.
pub struct Context {
    /// The machine.
    pub host: Arc<dyn Host>,
    /// The name being diagnosed.
    pub name: String,
    /// The parsed configuration.
    pub system: System,
    /// The Go program whose lookups are predicted.
    pub program: Program,
    /// Its environment.
    pub runtime: GoRuntime,
    /// What will happen to the name.
    pub prediction: Prediction,
    /// What each resolution path gave.
    pub paths: Vec<crate::probe::PathResult>,
    /// systemd-resolved's scopes (global and links).
    pub scopes: Vec<crate::model::routing::Scope>,
    /// Where resolved sends the name, when resolved is here.
    pub route: Option<crate::model::routing::Route>,
}

/// Every check of the domain, in code order.
pub static ALL: &[&dyn Check<Context>] = &[
    &nsswitch_unparsable::NsswitchUnparsable,
    &nsswitch_stops_before_dns::NsswitchStopsBeforeDns,
    &nss_module_missing::NssModuleMissing,
    &nsswitch_systemd_for_hosts::NsswitchSystemd,
    &go_resolver_skips_nss::GoSkipsNss,
    &nsswitch_read_differently::NsswitchReadDifferently,
    &resolv_conf_read_differently::ResolvConfReadDifferently,
    &name_never_queried::NameNeverQueried,
    &resolvers_disagree::ResolversDisagree,
    &name_not_resolvable::NameNotResolvable,
    &server_not_answering::ServerNotAnswering,
    &stub_resolver_not_running::StubNotRunning,
    &resolved_conf_ignored::ResolvedConfIgnored,
    &domain_not_routed::DomainNotRouted,
    &container_dns::ContainerDns,
];

/// The registry entries of every check, in code order.
#[must_use]
pub fn registry() -> Vec<CheckMeta> {
    ALL.iter().map(|check| *check.meta()).collect()
}

impl Context {
    /// The hosts line glibc uses, when nsswitch.conf was read.
    #[must_use]
    pub fn glibc_hosts(&self) -> Option<GlibcHosts> {
        match &self.system.nsswitch {
            FileState::Read(nss) if nss.glibc.broken.is_none() => {
                Some(nss.glibc.hosts_or_default())
            }
            FileState::Missing => {
                Some(crate::parse::nsswitch::GlibcNss::default().hosts_or_default())
            }
            _ => None,
        }
    }

    /// True when /etc/hosts gives glibc an address for the name.
    #[must_use]
    pub fn in_hosts_file(&self) -> bool {
        match &self.system.hosts {
            FileState::Read(hosts) => !hosts.glibc_lookup(&self.name).is_empty(),
            _ => false,
        }
    }
}

/// A location in a file.
fn at(path: &str, pos: Pos) -> Location {
    Location {
        path: Path::new(path).to_path_buf(),
        line: Some(pos.line),
        column: Some(pos.column),
    }
}

/// Evidence quoting line `line` of nsswitch.conf.
fn nsswitch_line(context: &Context, line: u32) -> Evidence {
    let text = context
        .host
        .read(Path::new(NSSWITCH_CONF))
        .ok()
        .and_then(|bytes| {
            String::from_utf8_lossy(&bytes)
                .lines()
                .nth(line.saturating_sub(1) as usize)
                .map(str::to_owned)
        })
        .unwrap_or_default();
    Evidence::file(format!("{NSSWITCH_CONF}:{line}: {}", text.escape_debug()))
}

/// The command that shows what glibc programs get.
fn getent(name: &str) -> Evidence {
    Evidence::command(format!(
        "getent ahosts {name}   # the NSS path: what glibc programs get"
    ))
}

/// Backquotes each word and joins them with commas.
pub(crate) fn quoted_list<S: AsRef<str>>(items: &[S]) -> String {
    items
        .iter()
        .map(|item| format!("`{}`", item.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

//! The name-resolution checks, one file each, and the helpers they share ([`Context`] is
//! [`crate::context`]'s).
//!
//! The registry ([`ALL`]) owns dispatch; `godiag explain` and SARIF read [`registry`].

mod container_dns;
mod domain_not_routed;
mod go_resolver_skips_nss;
mod name_in_nss_map;
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

pub use crate::context::Context;
pub use crate::model::system::STUB_ADDRESSES;

use std::path::Path;

use godiag_core::check::{Check, CheckMeta};
use godiag_core::finding::{Evidence, Location};

// The context, the fix builders and the verdict are shared by several checks (and the
// verdict by the JSON result), so they live beside this module rather than in checks/,
// which holds one file per check, and depend on it never.
use crate::context::quoted_list;
use crate::parse::Pos;
use crate::read::NSSWITCH_CONF;
use crate::{fixes, verdict};

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
    &name_in_nss_map::NameInNssMap,
];

/// The registry entries of every check, in code order.
#[must_use]
pub fn registry() -> Vec<CheckMeta> {
    ALL.iter().map(|check| *check.meta()).collect()
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

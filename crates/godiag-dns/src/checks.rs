//! The name-resolution checks, one file each, and the context they share.
//!
//! The registry ([`ALL`]) owns dispatch; `godiag explain` and SARIF read [`registry`].

mod container_dns;
mod domain_not_routed;
mod go_skips_nss;
mod name_in_nss_map;
mod name_never_queried;
mod name_not_resolvable;
mod nss_module_missing;
mod nsswitch_read_differently;
mod nsswitch_stops_before_dns;
mod nsswitch_systemd;
mod nsswitch_unparsable;
mod resolv_conf_read_differently;
mod resolved_conf_ignored;
mod resolvers_disagree;
mod server_not_answering;
mod stub_not_running;
pub mod verdict;

pub mod fixes;

pub use go_skips_nss::STUB_ADDRESSES;

use std::path::Path;
use std::sync::Arc;

use godiag_core::check::{Check, CheckMeta};
use godiag_core::finding::{Evidence, Location};
use godiag_core::host::Host;

use crate::model::go_order::{FileState, GoRuntime};
use crate::model::predict::Prediction;
use crate::model::program::Program;
use crate::parse::Pos;
use crate::parse::nsswitch::{GLIBC_DEFAULT_HOSTS, GlibcHosts};
use crate::read::{NSSWITCH_CONF, RESOLV_CONF, System};

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
    &nsswitch_systemd::NsswitchSystemd,
    &go_skips_nss::GoSkipsNss,
    &nsswitch_read_differently::NsswitchReadDifferently,
    &resolv_conf_read_differently::ResolvConfReadDifferently,
    &name_never_queried::NameNeverQueried,
    &resolvers_disagree::ResolversDisagree,
    &name_not_resolvable::NameNotResolvable,
    &server_not_answering::ServerNotAnswering,
    &stub_not_running::StubNotRunning,
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

    /// Why nsswitch.conf gives nothing to examine: it is missing or unreadable.
    #[must_use]
    pub fn no_nsswitch(&self) -> Option<String> {
        file_absent(&self.system.nsswitch, NSSWITCH_CONF).map(|why| {
            if matches!(self.system.nsswitch, FileState::Missing) {
                format!("{why}: glibc uses its built-in hosts line `{GLIBC_DEFAULT_HOSTS}`")
            } else {
                why
            }
        })
    }

    /// Why there is no hosts line of the user's to examine: no readable nsswitch.conf, one
    /// glibc cannot parse (DNS001's finding), or one without a `hosts:` line.
    #[must_use]
    pub fn no_hosts_line(&self) -> Option<String> {
        if let Some(why) = self.no_nsswitch() {
            return Some(why);
        }
        match &self.system.nsswitch {
            FileState::Read(nss) if nss.glibc.broken.is_some() => Some(format!(
                "glibc cannot read {NSSWITCH_CONF} (see DNS001), so no hosts line applies"
            )),
            FileState::Read(nss) if nss.glibc.hosts.is_none() => Some(format!(
                "{NSSWITCH_CONF} has no `hosts:` line: glibc uses `{GLIBC_DEFAULT_HOSTS}`"
            )),
            _ => None,
        }
    }

    /// Why resolv.conf gives nothing to examine: it is missing or unreadable.
    #[must_use]
    pub fn no_resolv_conf(&self) -> Option<String> {
        file_absent(&self.system.resolv_conf, RESOLV_CONF)
    }

    /// Why Go's resolver choice for the name is unknown.
    #[must_use]
    pub fn no_prediction(&self) -> Option<String> {
        self.prediction
            .decision
            .is_none()
            .then(|| "Go's resolver choice for this name could not be predicted".to_owned())
    }

    /// Why the resolution path `name` gives no result to judge: it was not run (with the
    /// reason the probe gave) or is missing.
    #[must_use]
    pub fn no_path(&self, name: &str, what: &str) -> Option<String> {
        match self.paths.iter().find(|path| path.name == name) {
            Some(path) if !path.not_run => None,
            Some(path) => Some(format!("{what} was not asked: {}", not_run_reason(path))),
            None => Some(format!("{what} was not asked")),
        }
    }

    /// Why no DNS server was asked directly: none is configured, or the probes could not run.
    #[must_use]
    pub fn no_server_asked(&self) -> Option<String> {
        if self.server_paths().next().is_some() {
            return None;
        }
        Some(
            match self
                .paths
                .iter()
                .find(|path| path.name.starts_with("server:"))
            {
                Some(path) => format!("no DNS server was asked: {}", not_run_reason(path)),
                None => "no DNS server was asked: resolv.conf names none and none was given \
                         with --server"
                    .to_owned(),
            },
        )
    }

    /// True when the signs that would show a container without its marker files could be
    /// read: the mount table, whose root shows Docker's and Podman's storage layouts.
    #[must_use]
    pub fn container_signs_readable(&self) -> bool {
        self.host
            .metadata(Path::new("/proc/self/mountinfo"))
            .is_ok()
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
fn quoted_list<S: AsRef<str>>(items: &[S]) -> String {
    items
        .iter()
        .map(|item| format!("`{}`", item.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why a configuration file was not there to examine, or `None` when it was read.
fn file_absent<T>(state: &FileState<T>, path: &str) -> Option<String> {
    match state {
        FileState::Read(_) => None,
        FileState::Missing => Some(format!("there is no {path}")),
        FileState::Denied => Some(format!("{path} could not be read: permission denied")),
        FileState::Unreadable(why) => Some(format!("{path} could not be read: {why}")),
    }
}

/// The reason a probe gave for not running, without its `not run:` prefix.
fn not_run_reason(path: &crate::probe::PathResult) -> &str {
    let why = path.error.as_deref().unwrap_or("it could not run here");
    why.strip_prefix("not run: ").unwrap_or(why)
}

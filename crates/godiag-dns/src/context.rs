//! What the name-resolution checks look at, computed once per command: the [`Context`].
//!
//! It sits below [`crate::checks`], [`crate::fixes`] and [`crate::verdict`], which all read
//! it, so that none of them depends on another both ways.

use std::path::Path;
use std::sync::Arc;

use godiag_core::host::Host;

use crate::model::go_order::{FileState, GoRuntime};
use crate::model::predict::Prediction;
use crate::model::program::Program;
use crate::model::system::System;
use crate::parse::nsswitch::{GLIBC_DEFAULT_HOSTS, GlibcHosts};
use crate::read::{NSSWITCH_CONF, RESOLV_CONF};

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

impl Context {
    /// The hosts line glibc uses, when nsswitch.conf was read.
    #[must_use]
    pub fn glibc_hosts(&self) -> Option<GlibcHosts> {
        glibc_hosts(&self.system)
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

/// Backquotes each word and joins them with commas.
pub(crate) fn quoted_list<S: AsRef<str>>(items: &[S]) -> String {
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

/// The hosts line glibc uses, when nsswitch.conf was read: also what decides, before the
/// checks run, whether the godiag NSS module is probed.
#[must_use]
pub fn glibc_hosts(system: &System) -> Option<GlibcHosts> {
    match &system.nsswitch {
        FileState::Read(nss) if nss.glibc.broken.is_none() => Some(nss.glibc.hosts_or_default()),
        FileState::Missing => Some(crate::parse::nsswitch::GlibcNss::default().hosts_or_default()),
        _ => None,
    }
}

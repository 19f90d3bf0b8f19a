//! What the name-resolution checks look at, computed once per command: the [`Context`].
//!
//! It sits below [`crate::checks`], [`crate::fixes`] and [`crate::verdict`], which all read
//! it, so that none of them depends on another both ways.

use std::sync::Arc;

use godiag_core::host::Host;

use crate::model::go_order::{FileState, GoRuntime};
use crate::model::predict::Prediction;
use crate::model::program::Program;
use crate::model::system::System;
use crate::parse::nsswitch::GlibcHosts;

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

/// Backquotes each word and joins them with commas.
pub(crate) fn quoted_list<S: AsRef<str>>(items: &[S]) -> String {
    items
        .iter()
        .map(|item| format!("`{}`", item.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

//! The machine's name-resolution configuration as [`crate::read`] found it: every file
//! parsed, with what resolved and the container runtime say. Pure data: reading it is
//! `read`'s job, and what it means is decided in the rest of the model and in the checks.

use std::path::PathBuf;

use crate::model::go_order::{FileState, MdnsAllow};
use crate::parse::hosts::Hosts;
use crate::parse::link_state::LinkDns;
use crate::parse::nsswitch::Nsswitch;
use crate::parse::resolv_conf::ResolvConf;
use crate::parse::resolved_conf::{Ignored, ResolvedSettings};

/// Loopback addresses of resolved's stub listeners.
pub const STUB_ADDRESSES: [&str; 2] = ["127.0.0.53", "127.0.0.54"];

/// The machine's name-resolution configuration, parsed.
#[derive(Debug, Clone)]
pub struct System {
    /// /etc/nsswitch.conf.
    pub nsswitch: FileState<Nsswitch>,
    /// /etc/resolv.conf.
    pub resolv_conf: FileState<ResolvConf>,
    /// Where /etc/resolv.conf really is, when it is a symbolic link.
    pub resolv_conf_target: Option<PathBuf>,
    /// The first lines of /etc/resolv.conf that are comments (who generated it).
    pub resolv_conf_header: Vec<String>,
    /// /etc/hosts.
    pub hosts: FileState<Hosts>,
    /// The host name (`uname -n`).
    pub hostname: Option<String>,
    /// /etc/mdns.allow.
    pub mdns_allow: MdnsAllow,
    /// Where glibc would find each NSS module the hosts line names.
    pub nss_modules: Vec<NssModule>,
    /// systemd-resolved.
    pub resolved: Resolved,
    /// Container signs.
    pub container: Container,
}

/// An NSS module named on the hosts line and where its library is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NssModule {
    /// The source name.
    pub name: String,
    /// `libnss_NAME.so.2` as found, or `None`.
    pub library: Option<PathBuf>,
    /// True for sources built into the C library (`files`, `dns` since glibc 2.34).
    pub builtin: bool,
}

/// systemd-resolved as read from its files.
#[derive(Debug, Clone, Default)]
pub struct Resolved {
    /// A `systemd-resolve` process exists.
    pub running: bool,
    /// The merged configuration.
    pub settings: ResolvedSettings,
    /// What resolved ignores in each file.
    pub ignored: Vec<(PathBuf, Ignored)>,
    /// /run/systemd/resolve/resolv.conf, when present.
    pub uplink: Option<ResolvConf>,
    /// Per-link DNS state: from D-Bus when resolved answers there, else from /run.
    pub links: Vec<Link>,
    /// Global servers and domains resolved reported over D-Bus (these include settings made
    /// at run time), when it was asked.
    pub bus_global: Option<LinkDns>,
}

impl Resolved {
    /// True when resolved is running or configured here.
    #[must_use]
    pub fn present(&self) -> bool {
        self.running || !self.settings.files.is_empty() || !self.links.is_empty()
    }
}

/// One network link's DNS settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// Interface index.
    pub ifindex: u32,
    /// Interface name, when known.
    pub name: String,
    /// Its DNS settings.
    pub dns: LinkDns,
    /// The state file they came from.
    pub source: PathBuf,
}

/// Signs that this is a container.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Container {
    /// `docker`, `podman`, or another engine name; `None` outside a container.
    pub engine: Option<String>,
    /// What showed it.
    pub evidence: Vec<String>,
}

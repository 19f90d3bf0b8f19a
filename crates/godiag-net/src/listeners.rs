//! The socket table: every TCP listener with its owners and what its bind means.
//!
//! The kernel's `sock_diag` dump comes first (through [`Kernel`]); when it is unavailable (a
//! recorded machine, a kernel without `NETLINK_SOCK_DIAG`) `/proc/net/tcp` and `tcp6` are
//! read through [`Host`]. Owners come from `/proc/PID/fd/*` links `socket:[INODE]`, which
//! need root for other users' processes: an unmatched inode is reported with its uid.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use godiag_core::host::Host;
use godiag_go::buildinfo;

use crate::bind;
use crate::kernel::Kernel;
use crate::model::{Family, GoBuild, Listener, Process, RawListener, TableSource};
use crate::parse::proc_net;

/// Every TCP listener of this network namespace.
#[derive(Debug, Clone)]
pub struct SocketTable {
    /// Where the table came from.
    pub source: TableSource,
    /// The listeners, sorted by port, then family, then address.
    pub listeners: Vec<Listener>,
    /// `net.ipv6.bindv6only` (the default of `IPV6_V6ONLY` for sockets that do not set it).
    pub bindv6only: bool,
    /// Why the `sock_diag` dump was not used, when it was not.
    pub fallback_reason: Option<String>,
    /// Problems reading the table (unreadable `/proc` files), in words.
    pub problems: Vec<String>,
    /// True when some socket's owner could not be seen (other users' processes need root).
    pub owners_hidden: bool,
}

impl SocketTable {
    /// Returns the listeners on `port`.
    #[must_use]
    pub fn on_port(&self, port: u16) -> Vec<&Listener> {
        self.listeners.iter().filter(|l| l.port == port).collect()
    }
}

/// Reads the socket table and the owners of its listeners: with `focus`, only of the
/// listeners on that port (or, when none, on the nearest ports), since finding owners means
/// reading every `/proc/PID/fd` link and most of the cost is there.
#[must_use]
pub fn read(host: &dyn Host, kernel: &dyn Kernel, focus: Option<u16>) -> SocketTable {
    let bindv6only = host
        .read_to_string(Path::new("/proc/sys/net/ipv6/bindv6only"))
        .is_ok_and(|text| text.trim() == "1");
    let mut problems = Vec::new();
    let (source, raw, fallback_reason) = match kernel.tcp_listeners() {
        Ok(raw) => (TableSource::SockDiag, raw, None),
        Err(error) => {
            let mut raw = Vec::new();
            for (path, family) in [
                ("/proc/net/tcp", Family::Ipv4),
                ("/proc/net/tcp6", Family::Ipv6),
            ] {
                match host.read_to_string(Path::new(path)) {
                    Ok(text) => match proc_net::parse(&text, path, family) {
                        Ok(rows) => raw.extend(rows),
                        Err(parse) => problems.push(parse.to_string()),
                    },
                    // No tcp6 on a kernel booted with ipv6.disable=1.
                    Err(_) if family == Family::Ipv6 => {}
                    Err(read) => problems.push(format!("{path}: {read}")),
                }
            }
            (TableSource::Proc, raw, Some(error.to_string()))
        }
    };
    let inodes = wanted_inodes(&raw, focus);
    let owners = owners(host, &inodes);
    let mut listeners: Vec<Listener> = raw
        .iter()
        .map(|row| build(row, owners.get(&row.inode), bindv6only))
        .collect();
    listeners.sort_by_key(|l| (l.port, l.family, l.address));
    listeners.dedup_by(|a, b| a.inode == b.inode && a.inode != 0);
    let owners_hidden = listeners
        .iter()
        .any(|listener| listener.pid.is_none() && inodes.contains(&listener.inode));
    SocketTable {
        source,
        listeners,
        bindv6only,
        fallback_reason,
        problems,
        owners_hidden,
    }
}

/// The sockets whose owners are wanted.
fn wanted_inodes(raw: &[RawListener], focus: Option<u16>) -> BTreeSet<u64> {
    let Some(port) = focus else {
        return raw.iter().map(|row| row.inode).collect();
    };
    let on_port: BTreeSet<u64> = raw
        .iter()
        .filter(|r| r.port == port)
        .map(|r| r.inode)
        .collect();
    if !on_port.is_empty() {
        return on_port;
    }
    let mut ports: Vec<u16> = raw.iter().map(|r| r.port).collect();
    ports.sort_by_key(|p| (p.abs_diff(port), *p));
    ports.dedup();
    ports.truncate(NEAREST);
    raw.iter()
        .filter(|r| ports.contains(&r.port))
        .map(|r| r.inode)
        .collect()
}

/// How many nearby ports godiag names when nothing listens on the port asked about.
pub const NEAREST: usize = 5;

fn build(raw: &RawListener, owners: Option<&Vec<Process>>, bindv6only: bool) -> Listener {
    let meaning = bind::describe(raw, bindv6only);
    let processes = owners.cloned().unwrap_or_default();
    Listener {
        address: raw.address,
        port: raw.port,
        family: raw.family,
        v6only: raw.v6only,
        pid: processes.first().map(|p| p.pid),
        process: processes.first().map(|p| p.name.clone()),
        processes,
        uid: raw.uid,
        inode: raw.inode,
        accept_queue: raw.accept_queue,
        backlog: raw.backlog,
        ss_address: meaning.ss_address,
        go_listen: meaning.go_listen,
        meaning: meaning.meaning,
    }
}

/// Maps socket inodes to the processes holding them, stopping once every inode has an owner
/// (so of several processes sharing one socket, those found before the stop are listed).
fn owners(host: &dyn Host, wanted: &BTreeSet<u64>) -> BTreeMap<u64, Vec<Process>> {
    let mut found: BTreeMap<u64, Vec<Process>> = BTreeMap::new();
    if wanted.is_empty() {
        return found;
    }
    let Ok(entries) = host.read_dir(Path::new("/proc")) else {
        return found;
    };
    let mut pids: Vec<u32> = entries
        .iter()
        .filter_map(|path| path.file_name()?.to_str()?.parse().ok())
        .collect();
    pids.sort_unstable();
    for pid in pids {
        let fd_dir = PathBuf::from(format!("/proc/{pid}/fd"));
        let mut process = None;
        // A server's listening socket is usually one of its first descriptors, and the
        // kernel lists them in order: the thousands of connections after it are not read.
        let visited = host.visit_dir(&fd_dir, &mut |fd| {
            let Some(inode) = host.read_link(fd).ok().as_deref().and_then(socket_inode) else {
                return ControlFlow::Continue(());
            };
            if !wanted.contains(&inode) {
                return ControlFlow::Continue(());
            }
            let process = process.get_or_insert_with(|| describe_process(host, pid));
            let holders = found.entry(inode).or_default();
            if !holders.iter().any(|p: &Process| p.pid == pid) {
                holders.push(process.clone());
            }
            if found.len() == wanted.len() {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        });
        if visited.is_ok() && found.len() == wanted.len() {
            break;
        }
    }
    found
}

/// `socket:[12345]` → 12345.
fn socket_inode(link: &Path) -> Option<u64> {
    link.to_str()?
        .strip_prefix("socket:[")?
        .strip_suffix(']')?
        .parse()
        .ok()
}

fn describe_process(host: &dyn Host, pid: u32) -> Process {
    let read = |name: &str| {
        host.read(&PathBuf::from(format!("/proc/{pid}/{name}")))
            .ok()
    };
    let name = read("comm")
        .map(|bytes| String::from_utf8_lossy(&bytes).trim_end().to_owned())
        .unwrap_or_default();
    let cmdline = read("cmdline")
        .map(|bytes| {
            bytes
                .split(|byte| *byte == 0)
                .filter(|arg| !arg.is_empty())
                .map(String::from_utf8_lossy)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|line| !line.is_empty());
    let exe = host
        .read_link(&PathBuf::from(format!("/proc/{pid}/exe")))
        .ok()
        .map(|path| path.display().to_string());
    Process {
        pid,
        name,
        exe,
        cmdline,
        go: None,
    }
}

/// Reads the build information of each owner of `listener` that is a Go program.
pub fn detect_go(host: &dyn Host, listener: &mut Listener) {
    for process in &mut listener.processes {
        if process.go.is_none() {
            process.go = go_build(host, process.pid);
        }
    }
}

/// Returns `net.core.somaxconn`, the backlog every Go listener uses.
#[must_use]
pub fn somaxconn(host: &dyn Host) -> Option<u32> {
    host.read_to_string(Path::new("/proc/sys/net/core/somaxconn"))
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// Returns a process's Go build information, when its executable is a Go program.
#[must_use]
pub fn go_build(host: &dyn Host, pid: u32) -> Option<GoBuild> {
    // Reads the headers and one section, not the whole (often 10 MB+) executable.
    let info = buildinfo::read(host, &PathBuf::from(format!("/proc/{pid}/exe")))?;
    Some(GoBuild {
        version: info.go_version,
        path: info.path,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_links_give_inodes() {
        assert_eq!(socket_inode(Path::new("socket:[4242]")), Some(4242));
        assert_eq!(socket_inode(Path::new("pipe:[4242]")), None);
        assert_eq!(socket_inode(Path::new("/dev/null")), None);
    }
}

//! The kernel's view of this machine's sockets: what neither `Host` nor the network seam
//! covers.
//!
//! [`Kernel`] answers three questions that are facts about the machine, not traffic: the
//! socket table (netlink `sock_diag`), the interface addresses and whether nftables holds
//! any table (netlink). Traffic (connection probes, the name of `localhost`) goes through
//! godiag-core's [`godiag_core::net::Network`]. These stay here rather than on `Host`
//! because they need this crate's netlink stack, which no other domain does. [`LiveKernel`]
//! asks this machine's kernel; [`RecordedKernel`] answers for a fixture machine (`--root`)
//! through its `Host`: no socket table (so the `/proc/net/tcp` fallback runs), addresses from
//! a recorded `ip -j address show`, and no table count (so the recorded `nft -j list
//! ruleset` is read).

mod nf_tables;
mod sock_diag;

use std::io;
use std::sync::Arc;
use std::time::Duration;

use godiag_core::host::{CommandLine, Host};

use crate::model::{InterfaceAddress, RawListener};
use crate::parse::ip_address;

/// The socket table, the interface addresses and the nftables table count.
pub trait Kernel: Send + Sync {
    /// Returns every TCP socket in LISTEN from the kernel's socket table (`sock_diag`).
    ///
    /// # Errors
    /// When the table cannot be dumped (no netlink, or a recorded machine).
    fn tcp_listeners(&self) -> io::Result<Vec<RawListener>>;
    /// Returns every interface address.
    ///
    /// # Errors
    /// When the addresses cannot be listed.
    fn interfaces(&self) -> io::Result<Vec<InterfaceAddress>>;
    /// Returns how many nftables tables the kernel holds (with none, there is no rule to
    /// read and `nft` need not run).
    ///
    /// # Errors
    /// When the kernel cannot be asked.
    fn nftables_tables(&self) -> io::Result<usize>;
}

/// This machine's kernel.
#[derive(Debug, Default, Clone, Copy)]
pub struct LiveKernel;

impl Kernel for LiveKernel {
    fn tcp_listeners(&self) -> io::Result<Vec<RawListener>> {
        sock_diag::tcp_listeners()
    }

    fn interfaces(&self) -> io::Result<Vec<InterfaceAddress>> {
        Ok(if_addrs::get_if_addrs()?
            .into_iter()
            .map(|interface| InterfaceAddress {
                address: interface.ip(),
                prefix: match &interface.addr {
                    if_addrs::IfAddr::V4(v4) => v4.prefixlen,
                    if_addrs::IfAddr::V6(v6) => v6.prefixlen,
                },
                interface: interface.name,
            })
            .collect())
    }

    fn nftables_tables(&self) -> io::Result<usize> {
        nf_tables::table_count()
    }
}

/// A fixture machine's kernel, answered from its recorded files.
#[derive(Clone)]
pub struct RecordedKernel {
    host: Arc<dyn Host>,
}

impl RecordedKernel {
    /// A recorded kernel over a fixture host.
    #[must_use]
    pub fn new(host: Arc<dyn Host>) -> Self {
        Self { host }
    }
}

impl Kernel for RecordedKernel {
    fn tcp_listeners(&self) -> io::Result<Vec<RawListener>> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "a recorded machine has no kernel socket table",
        ))
    }

    fn interfaces(&self) -> io::Result<Vec<InterfaceAddress>> {
        let command = CommandLine::new("ip", &["-j", "address", "show"]);
        let output = self.host.run(&command, Duration::from_secs(1))?;
        let text = String::from_utf8_lossy(&output.stdout);
        ip_address::parse(&text, &command.display())
            .map_err(|error| io::Error::new(io::ErrorKind::InvalidData, error.to_string()))
    }

    fn nftables_tables(&self) -> io::Result<usize> {
        // The recorded `nft -j list ruleset` answers instead.
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "a recorded machine has no kernel to ask",
        ))
    }
}

#[cfg(test)]
mod tests {
    use std::net::{IpAddr, TcpListener};

    use super::*;

    #[test]
    fn live_socket_table_lists_a_listener_this_test_opens() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let table = LiveKernel.tcp_listeners().unwrap();
        assert!(
            table
                .iter()
                .any(|row| row.port == port && row.address == IpAddr::from([127, 0, 0, 1]))
        );
    }
}

//! The kernel's socket table through `NETLINK_SOCK_DIAG`, as `ss` reads it.
//!
//! One `SOCK_DIAG_BY_FAMILY` dump per family with `idiag_states = 1 << TCP_LISTEN`, so the
//! kernel filters and the cost does not grow with established connections. For `AF_INET6`
//! sockets in LISTEN the kernel always adds `INET_DIAG_SKV6ONLY` (include/uapi/linux/
//! `inet_diag.h`, attribute 11), which `/proc/net/tcp6` cannot show. No privilege is needed.

use std::io;
use std::net::IpAddr;

use netlink_packet_core::{
    NLM_F_DUMP, NLM_F_REQUEST, NetlinkHeader, NetlinkMessage, NetlinkPayload,
};
use netlink_packet_sock_diag::SockDiagMessage;
use netlink_packet_sock_diag::constants::{AF_INET, AF_INET6, IPPROTO_TCP};
use netlink_packet_sock_diag::inet::nlas::Nla;
use netlink_packet_sock_diag::inet::{ExtensionFlags, InetRequest, SocketId, StateFlags};
use netlink_sys::protocols::NETLINK_SOCK_DIAG;
use netlink_sys::{Socket, SocketAddr};

use crate::model::{Family, RawListener};

/// Dumps every TCP socket in LISTEN, both families.
pub(crate) fn tcp_listeners() -> io::Result<Vec<RawListener>> {
    let mut socket = Socket::new(NETLINK_SOCK_DIAG)?;
    socket.bind_auto()?;
    socket.connect(&SocketAddr::new(0, 0))?;
    let mut listeners = dump(&socket, Family::Ipv4)?;
    match dump(&socket, Family::Ipv6) {
        Ok(more) => listeners.extend(more),
        // A kernel booted with ipv6.disable=1 has no AF_INET6 handler.
        Err(error) if error.kind() == io::ErrorKind::NotFound => {}
        Err(error) => return Err(error),
    }
    Ok(listeners)
}

fn dump(socket: &Socket, family: Family) -> io::Result<Vec<RawListener>> {
    let (af, id) = match family {
        Family::Ipv4 => (AF_INET, SocketId::new_v4()),
        Family::Ipv6 => (AF_INET6, SocketId::new_v6()),
    };
    let mut header = NetlinkHeader::default();
    header.flags = NLM_F_REQUEST | NLM_F_DUMP;
    let mut request = NetlinkMessage::new(
        header,
        SockDiagMessage::InetRequest(InetRequest {
            family: af,
            protocol: IPPROTO_TCP,
            extensions: ExtensionFlags::empty(),
            states: StateFlags::LISTEN,
            socket_id: id,
        })
        .into(),
    );
    request.finalize();
    let mut bytes = vec![0; request.buffer_len()];
    request.serialize(&mut bytes);
    socket.send(&bytes, 0)?;

    let mut listeners = Vec::new();
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let size = socket.recv(&mut &mut buffer[..], 0)?;
        let mut offset = 0;
        while offset < size {
            let message = NetlinkMessage::<SockDiagMessage>::deserialize(&buffer[offset..size])
                .map_err(|error| io::Error::new(io::ErrorKind::InvalidData, error.to_string()))?;
            let length = message.header.length as usize;
            match message.payload {
                NetlinkPayload::Done(_) => return Ok(listeners),
                NetlinkPayload::Error(error) => {
                    return Err(error.to_io());
                }
                NetlinkPayload::InnerMessage(SockDiagMessage::InetResponse(response)) => {
                    listeners.push(convert(family, &response));
                }
                _ => {}
            }
            if length == 0 {
                break;
            }
            offset += length;
        }
    }
}

fn convert(family: Family, response: &netlink_packet_sock_diag::inet::InetResponse) -> RawListener {
    let header = &response.header;
    let v6only = response.nlas.iter().find_map(|nla| match nla {
        Nla::SkV6Only(value) => Some(*value),
        _ => None,
    });
    let address: IpAddr = header.socket_id.source_address;
    RawListener {
        family,
        address,
        port: header.socket_id.source_port,
        v6only: if family == Family::Ipv6 { v6only } else { None },
        uid: header.uid,
        inode: u64::from(header.inode),
        accept_queue: header.recv_queue,
        backlog: Some(header.send_queue),
    }
}

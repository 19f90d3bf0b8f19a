//! How many nftables tables this network namespace has, asked of the kernel directly.
//!
//! One `NFT_MSG_GETTABLE` dump over `NETLINK_NETFILTER` (include/uapi/linux/netfilter/
//! `nf_tables.h` and `nfnetlink.h`), which is the first thing `nft list ruleset` asks too. With
//! no table there is no rule, so the `nft` program need not run. The tables' contents are
//! not decoded here: `nft -j list ruleset` stays the one reader of rules. Like `nft`, this
//! needs `CAP_NET_ADMIN` (an unprivileged caller gets `EPERM`).

use std::io;

use netlink_sys::protocols::NETLINK_NETFILTER;
use netlink_sys::{Socket, SocketAddr};

/// `NFNL_SUBSYS_NFTABLES << 8`.
const SUBSYS_NFTABLES: u16 = 10 << 8;
/// `NFT_MSG_NEWTABLE`: one reply per table.
const MSG_NEWTABLE: u16 = SUBSYS_NFTABLES;
/// `NFT_MSG_GETTABLE`.
const MSG_GETTABLE: u16 = SUBSYS_NFTABLES | 1;
const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
const NLM_F_REQUEST: u16 = 0x1;
const NLM_F_DUMP: u16 = 0x300;
const HEADER_LEN: usize = 16;

/// Counts the nftables tables of every family in this network namespace.
pub(crate) fn table_count() -> io::Result<usize> {
    let mut socket = Socket::new(NETLINK_NETFILTER)?;
    socket.bind_auto()?;
    socket.connect(&SocketAddr::new(0, 0))?;
    socket.send(&request(), 0)?;
    let mut count = 0;
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let size = socket.recv(&mut &mut buffer[..], 0)?;
        match count_replies(&buffer[..size])? {
            Replies::More(tables) => count += tables,
            Replies::Done(tables) => return Ok(count + tables),
        }
    }
}

/// A dump request for every family's tables: a netlink header and an `nfgenmsg` with
/// `NFPROTO_UNSPEC` and `NFNETLINK_V0`.
fn request() -> [u8; HEADER_LEN + 4] {
    let mut bytes = [0u8; HEADER_LEN + 4];
    let length = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
    bytes[..4].copy_from_slice(&length.to_ne_bytes());
    bytes[4..6].copy_from_slice(&MSG_GETTABLE.to_ne_bytes());
    bytes[6..8].copy_from_slice(&(NLM_F_REQUEST | NLM_F_DUMP).to_ne_bytes());
    bytes
}

/// What one datagram of the dump held.
#[derive(Debug, PartialEq, Eq)]
enum Replies {
    /// Tables, and the dump goes on.
    More(usize),
    /// Tables, and the dump ended.
    Done(usize),
}

/// Counts the tables in one datagram of replies; a netlink error becomes that errno.
fn count_replies(mut bytes: &[u8]) -> io::Result<Replies> {
    let mut tables = 0;
    while bytes.len() >= HEADER_LEN {
        let length = usize::try_from(u32::from_ne_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
            .unwrap_or(usize::MAX);
        let kind = u16::from_ne_bytes([bytes[4], bytes[5]]);
        if length < HEADER_LEN || length > bytes.len() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "a truncated netlink message in the nftables dump",
            ));
        }
        match kind {
            NLMSG_DONE => return Ok(Replies::Done(tables)),
            NLMSG_ERROR => {
                let code = bytes.get(HEADER_LEN..HEADER_LEN + 4).map_or(0, |raw| {
                    i32::from_ne_bytes([raw[0], raw[1], raw[2], raw[3]])
                });
                if code != 0 {
                    return Err(io::Error::from_raw_os_error(-code));
                }
                return Ok(Replies::Done(tables));
            }
            MSG_NEWTABLE => tables += 1,
            _ => {}
        }
        // Messages are 4-byte aligned (NLMSG_ALIGN).
        let step = (length + 3) & !3;
        bytes = bytes.get(step..).unwrap_or_default();
    }
    Ok(Replies::More(tables))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(kind: u16, payload: &[u8]) -> Vec<u8> {
        let mut bytes = vec![0u8; HEADER_LEN];
        let length = u32::try_from(HEADER_LEN + payload.len()).unwrap();
        bytes[..4].copy_from_slice(&length.to_ne_bytes());
        bytes[4..6].copy_from_slice(&kind.to_ne_bytes());
        bytes.extend_from_slice(payload);
        bytes.resize((bytes.len() + 3) & !3, 0);
        bytes
    }

    #[test]
    fn tables_are_counted_until_done() {
        let mut datagram = message(MSG_NEWTABLE, b"\x02\0\0\0table");
        datagram.extend(message(MSG_NEWTABLE, b"\x0a\0\0\0"));
        assert_eq!(count_replies(&datagram).unwrap(), Replies::More(2));
        datagram.extend(message(NLMSG_DONE, &[0; 4]));
        assert_eq!(count_replies(&datagram).unwrap(), Replies::Done(2));
        assert_eq!(
            count_replies(&message(NLMSG_DONE, &[0; 4])).unwrap(),
            Replies::Done(0)
        );
    }

    #[test]
    fn netlink_errors_carry_their_errno() {
        let error = count_replies(&message(NLMSG_ERROR, &(-1i32).to_ne_bytes())).unwrap_err();
        assert_eq!(error.raw_os_error(), Some(1));
        assert!(count_replies(&[8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]).is_err());
    }

    #[test]
    fn the_request_asks_for_a_dump_of_every_family() {
        let bytes = request();
        assert_eq!(u32::from_ne_bytes(bytes[..4].try_into().unwrap()), 20);
        assert_eq!(u16::from_ne_bytes([bytes[4], bytes[5]]), 0x0a01);
        assert_eq!(u16::from_ne_bytes([bytes[6], bytes[7]]), 0x301);
        assert_eq!(&bytes[16..], &[0, 0, 0, 0]);
    }
}

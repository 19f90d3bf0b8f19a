//! `/proc/net/tcp` and `/proc/net/tcp6` (kernel `Documentation/networking/proc_net_tcp.rst`).
//!
//! Each line after the header is `sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...`.
//! Addresses are the raw network-order words printed with `%08X` as native integers, so on a
//! little-endian machine 127.0.0.1 reads `0100007F`; each 8-digit group is decoded with the
//! host's byte order. Only LISTEN rows (state `0A`) are kept. This module does no I/O.

use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::model::{Family, RawListener};
use crate::parse::ParseError;

/// The TCP LISTEN state in the `st` column.
const LISTEN: u8 = 0x0A;

/// Parses the LISTEN rows of a `/proc/net/tcp` or `tcp6` table.
pub fn parse(text: &str, source: &str, family: Family) -> Result<Vec<RawListener>, ParseError> {
    let mut listeners = Vec::new();
    for (index, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let at = |message: &str| ParseError::new(source, index + 1, 1, message);
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.len() < 10 {
            return Err(at("expected at least 10 columns"));
        }
        let state = u8::from_str_radix(fields[3], 16).map_err(|_| at("bad state column"))?;
        if state != LISTEN {
            continue;
        }
        let (address, port) = decode_endpoint(fields[1], family).ok_or_else(|| {
            ParseError::new(
                source,
                index + 1,
                column_of(line, 1),
                "bad local address (expected HEX:PORT)",
            )
        })?;
        let rx_queue = fields[4]
            .split_once(':')
            .and_then(|(_, rx)| u32::from_str_radix(rx, 16).ok())
            .ok_or_else(|| at("bad tx_queue:rx_queue column"))?;
        let uid = fields[7].parse().map_err(|_| at("bad uid column"))?;
        let inode = fields[9].parse().map_err(|_| at("bad inode column"))?;
        listeners.push(RawListener {
            family,
            address,
            port,
            v6only: None,
            uid,
            inode,
            accept_queue: rx_queue,
            backlog: None,
        });
    }
    Ok(listeners)
}

/// Returns the 1-based column where whitespace-separated field `index` starts.
fn column_of(line: &str, index: usize) -> usize {
    let mut in_field = false;
    let mut seen = 0;
    for (at, ch) in line.char_indices() {
        if ch.is_whitespace() {
            in_field = false;
        } else if !in_field {
            if seen == index {
                return at + 1;
            }
            seen += 1;
            in_field = true;
        }
    }
    1
}

/// Decodes `0100007F:1F90` (IPv4) or a 32-digit IPv6 address and port.
fn decode_endpoint(text: &str, family: Family) -> Option<(IpAddr, u16)> {
    let (address, port) = text.split_once(':')?;
    let port = u16::from_str_radix(port, 16).ok()?;
    let address = match family {
        Family::Ipv4 if address.len() == 8 => IpAddr::V4(Ipv4Addr::from(word(address)?)),
        Family::Ipv6 if address.len() == 32 => {
            let mut bytes = [0u8; 16];
            for (group, chunk) in bytes.chunks_exact_mut(4).enumerate() {
                chunk.copy_from_slice(&word(address.get(group * 8..group * 8 + 8)?)?);
            }
            IpAddr::V6(Ipv6Addr::from(bytes))
        }
        _ => return None,
    };
    Some((address, port))
}

/// One 8-digit group: a network-order word the kernel printed as a native integer.
fn word(hex: &str) -> Option<[u8; 4]> {
    u32::from_str_radix(hex, 16).ok().map(u32::to_ne_bytes)
}

/// Formats an address the way the kernel prints it (the inverse of decoding; for tests and
/// fixtures).
#[must_use]
pub fn encode_address(address: IpAddr) -> String {
    let words: Vec<u32> = match address {
        IpAddr::V4(v4) => vec![u32::from_ne_bytes(v4.octets())],
        IpAddr::V6(v6) => v6
            .octets()
            .chunks_exact(4)
            .map(|chunk| u32::from_ne_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]))
            .collect(),
    };
    words.iter().fold(String::new(), |mut text, word| {
        let _ = write!(text, "{word:08X}");
        text
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const TCP: &str = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000002 00:00000000 00000000  1000        0 4242 1 0000000000000000 100 0 0 10 0
   1: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000  1000        0 0 1 0000000000000000 20 4 30 10 -1
";

    #[test]
    fn keeps_listen_rows_with_queue_uid_and_inode() {
        let rows = parse(TCP, "/proc/net/tcp", Family::Ipv4).unwrap();
        assert_eq!(rows.len(), 1);
        let row = &rows[0];
        if cfg!(target_endian = "little") {
            assert_eq!(row.address, IpAddr::from([127, 0, 0, 1]));
        }
        assert_eq!(
            (row.port, row.uid, row.inode, row.accept_queue),
            (8080, 1000, 4242, 2)
        );
    }

    #[test]
    fn decodes_ipv6_words_in_host_order() {
        for text in ["::", "::1", "::ffff:127.0.0.1", "fd00::1:2"] {
            let address: IpAddr = text.parse().unwrap();
            let encoded = format!("{}:1F90", encode_address(address));
            assert_eq!(
                decode_endpoint(&encoded, Family::Ipv6),
                Some((address, 8080))
            );
        }
        if cfg!(target_endian = "little") {
            assert_eq!(
                encode_address("::1".parse().unwrap()),
                "00000000000000000000000001000000"
            );
        }
    }

    #[test]
    fn bad_rows_are_errors_with_a_position() {
        let text = "header\n   0: XYZ:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1 1\n";
        let error = parse(text, "/proc/net/tcp", Family::Ipv4).unwrap_err();
        assert_eq!((error.line, error.column), (2, 7));
        assert!(
            error
                .to_string()
                .starts_with("/proc/net/tcp:2:7: bad local address")
        );
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(text in "\\PC*") {
            let _ = parse(&text, "x", Family::Ipv4);
            let _ = parse(&text, "x", Family::Ipv6);
        }
    }
}

//! The two DNS messages the module needs, built and read by hand (RFC 1035 §4): a query for
//! one name and type, and the A, AAAA and CNAME records of its response. Anything else in a
//! response is skipped, never interpreted.

use std::net::{Ipv4Addr, Ipv6Addr};

/// Query types the module asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum QueryType {
    A,
    Aaaa,
}

/// What a response says, as far as the module cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Response {
    pub(crate) id: u16,
    pub(crate) truncated: bool,
    pub(crate) rcode: u8,
    pub(crate) question: Option<(String, u16)>,
    pub(crate) records: Vec<Record>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Record {
    pub(crate) owner: String,
    pub(crate) ttl: u32,
    pub(crate) data: Data,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Data {
    V4(Ipv4Addr),
    V6(Ipv6Addr),
    Cname(String),
}

pub(crate) const RCODE_NXDOMAIN: u8 = 3;
const TYPE_A: u16 = 1;
const TYPE_CNAME: u16 = 5;
const TYPE_AAAA: u16 = 28;
const CLASS_IN: u16 = 1;
/// Compression pointers a name may follow; more means a loop.
const MAX_JUMPS: usize = 64;

impl QueryType {
    pub(crate) fn code(self) -> u16 {
        match self {
            Self::A => TYPE_A,
            Self::Aaaa => TYPE_AAAA,
        }
    }
}

/// Builds a recursion-desired query for `name` (normalised, so each label is 1–63 bytes).
pub(crate) fn query(id: u16, name: &str, qtype: QueryType) -> Vec<u8> {
    let mut message = Vec::with_capacity(18 + name.len());
    message.extend_from_slice(&id.to_be_bytes());
    message.extend_from_slice(&[0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
    for label in name.split('.') {
        // normalise_name bounds labels to 63 bytes, so the length fits the 6 bits DNS allows.
        message.push(u8::try_from(label.len()).unwrap_or(63));
        message.extend_from_slice(label.as_bytes());
    }
    message.push(0);
    message.extend_from_slice(&qtype.code().to_be_bytes());
    message.extend_from_slice(&CLASS_IN.to_be_bytes());
    message
}

/// Reads a response, or `None` if it is not a well-formed response message.
pub(crate) fn response(message: &[u8]) -> Option<Response> {
    let header = message.get(..12)?;
    let id = u16::from_be_bytes([header[0], header[1]]);
    let flags = u16::from_be_bytes([header[2], header[3]]);
    if flags & 0x8000 == 0 {
        return None;
    }
    let count = |at: usize| u16::from_be_bytes([header[at], header[at + 1]]);
    let (questions, answers) = (count(4), count(6));
    let mut at = 12;
    let mut question = None;
    for _ in 0..questions {
        let name = read_name(message, &mut at)?;
        let qtype = u16::from_be_bytes([*message.get(at)?, *message.get(at + 1)?]);
        at += 4;
        question.get_or_insert((name, qtype));
    }
    let mut records = Vec::new();
    for _ in 0..answers {
        let owner = read_name(message, &mut at)?;
        let fixed = message.get(at..at + 10)?;
        let rtype = u16::from_be_bytes([fixed[0], fixed[1]]);
        let class = u16::from_be_bytes([fixed[2], fixed[3]]);
        let ttl = u32::from_be_bytes([fixed[4], fixed[5], fixed[6], fixed[7]]);
        let len = usize::from(u16::from_be_bytes([fixed[8], fixed[9]]));
        at += 10;
        let rdata = message.get(at..at + len)?;
        let data = match (class, rtype) {
            (CLASS_IN, TYPE_A) => <[u8; 4]>::try_from(rdata).ok().map(|b| Data::V4(b.into())),
            (CLASS_IN, TYPE_AAAA) => <[u8; 16]>::try_from(rdata).ok().map(|b| Data::V6(b.into())),
            (CLASS_IN, TYPE_CNAME) => read_name(message, &mut at.clone()).map(Data::Cname),
            _ => None,
        };
        at += len;
        if let Some(data) = data {
            records.push(Record { owner, ttl, data });
        }
    }
    Some(Response {
        id,
        truncated: flags & 0x0200 != 0,
        rcode: u8::try_from(flags & 0x000f).unwrap_or(0),
        question,
        records,
    })
}

/// Reads a possibly compressed name at `*at`, moving `*at` past it.
fn read_name(message: &[u8], at: &mut usize) -> Option<String> {
    let mut name = String::new();
    let mut cursor = *at;
    let mut jumped = false;
    for _ in 0..MAX_JUMPS {
        loop {
            let len = *message.get(cursor)?;
            match len {
                0 => {
                    if !jumped {
                        *at = cursor + 1;
                    }
                    return Some(name);
                }
                1..=63 => {
                    let label = message.get(cursor + 1..cursor + 1 + usize::from(len))?;
                    if !name.is_empty() {
                        name.push('.');
                    }
                    name.push_str(&String::from_utf8_lossy(label));
                    cursor += 1 + usize::from(len);
                    if name.len() > 255 {
                        return None;
                    }
                }
                0xc0..=0xff => {
                    let low = *message.get(cursor + 1)?;
                    if !jumped {
                        *at = cursor + 2;
                        jumped = true;
                    }
                    cursor = usize::from(u16::from_be_bytes([len & 0x3f, low]));
                    break;
                }
                _ => return None,
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// A response as a server would send it: the query's question, then `answers`, each owner
    /// written as a pointer to the question name (offset 12).
    fn respond(query: &[u8], rcode: u8, answers: &[(u16, Vec<u8>)]) -> Vec<u8> {
        let mut message = query.to_vec();
        message[2] = 0x81;
        message[3] = 0x80 | rcode;
        message[7] = u8::try_from(answers.len()).unwrap();
        for (rtype, rdata) in answers {
            message.extend_from_slice(&[0xc0, 12]);
            message.extend_from_slice(&rtype.to_be_bytes());
            message.extend_from_slice(&[0, 1, 0, 0, 0, 60]);
            message.extend_from_slice(&u16::try_from(rdata.len()).unwrap().to_be_bytes());
            message.extend_from_slice(rdata);
        }
        message
    }

    #[test]
    fn answers_and_compressed_names_are_read() {
        let query = query(0xbeef, "git.corp.example", QueryType::A);
        // CNAME to "x." + pointer back to "corp.example" (offset 16 in the question).
        let cname = vec![1, b'x', 0xc0, 16];
        let message = respond(
            &query,
            0,
            &[(TYPE_CNAME, cname), (TYPE_A, vec![10, 0, 0, 7])],
        );
        let parsed = response(&message).unwrap();
        assert_eq!(parsed.id, 0xbeef);
        assert_eq!(parsed.question, Some(("git.corp.example".into(), TYPE_A)));
        assert_eq!(parsed.records[0].data, Data::Cname("x.corp.example".into()));
        assert_eq!(parsed.records[1].data, Data::V4(Ipv4Addr::new(10, 0, 0, 7)));
        assert_eq!(parsed.records[1].ttl, 60);
        let nx = response(&respond(&query, RCODE_NXDOMAIN, &[])).unwrap();
        assert_eq!(nx.rcode, RCODE_NXDOMAIN);
        assert!(response(&query).is_none(), "a query is not a response");
    }

    #[test]
    fn pointer_loops_end() {
        let mut message = respond(&query(1, "a", QueryType::A), 0, &[]);
        // Point the question name at itself.
        message[12] = 0xc0;
        message[13] = 12;
        assert!(response(&message).is_none());
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = response(&bytes);
        }
    }
}

//! Reads the entries of a zip archive the way Go's archive/zip does for `dirhash.HashZip`:
//! the central directory (zip64 included), each entry's local header, stored or deflated
//! data, and the CRC-32 and size checks. Errors carry archive/zip's own messages.

use std::borrow::Cow;

/// One file of the archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The name as stored (`example.com/m@v1.0.0/go.mod`).
    pub name: String,
    /// The uncompressed content.
    pub data: Vec<u8>,
}

/// Why the archive cannot be read; the texts are Go's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ZipError {
    /// `zip.ErrFormat`.
    #[error("zip: not a valid zip file")]
    Format,
    /// `zip.ErrAlgorithm`.
    #[error("zip: unsupported compression algorithm")]
    Algorithm,
    /// `zip.ErrChecksum`.
    #[error("zip: checksum error")]
    Checksum,
    /// compress/flate's `CorruptInputError`.
    #[error("flate: corrupt input")]
    Flate,
    /// An entry shorter than its recorded size.
    #[error("unexpected EOF")]
    UnexpectedEof,
}

const END: u32 = 0x0605_4b50;
const END_LEN: usize = 22;
const LOCATOR64: u32 = 0x0706_4b50;
const END64: u32 = 0x0606_4b50;
const CENTRAL: u32 = 0x0201_4b50;
const CENTRAL_LEN: usize = 46;
const LOCAL: u32 = 0x0403_4b50;
const LOCAL_LEN: usize = 30;

fn u16_at(bytes: &[u8], at: usize) -> Option<u64> {
    let b = bytes.get(at..at.checked_add(2)?)?;
    Some(u64::from(u16::from_le_bytes([b[0], b[1]])))
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u64> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    Some(u64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]])))
}

fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    let b = bytes.get(at..at.checked_add(8)?)?;
    let mut word = [0u8; 8];
    word.copy_from_slice(b);
    Some(u64::from_le_bytes(word))
}

fn index(value: u64) -> Result<usize, ZipError> {
    usize::try_from(value).map_err(|_| ZipError::Format)
}

/// Reads every entry, in central-directory order.
pub fn entries(archive: &[u8]) -> Result<Vec<Entry>, ZipError> {
    let (count, offset) = directory(archive).ok_or(ZipError::Format)?;
    // archive/zip: a count that cannot fit the file is a bad archive, not an allocation.
    if count > archive.len() as u64 / CENTRAL_LEN as u64 {
        return Err(ZipError::Format);
    }
    let mut at = index(offset)?;
    let mut out = Vec::new();
    for _ in 0..count {
        let (entry, next) = central_entry(archive, at)?;
        out.push(entry);
        at = next;
    }
    Ok(out)
}

/// `readDirectoryEnd`: the entry count and the central directory's offset.
fn directory(archive: &[u8]) -> Option<(u64, u64)> {
    let lowest = archive.len().saturating_sub(END_LEN + 0xffff);
    let end = (lowest..=archive.len().checked_sub(END_LEN)?)
        .rev()
        .find(|&at| {
            u32_at(archive, at) == Some(u64::from(END))
                && u16_at(archive, at + 20)
                    .and_then(|len| usize::try_from(len).ok())
                    .is_some_and(|len| at + END_LEN + len <= archive.len())
        })?;
    let count = u16_at(archive, end + 10)?;
    let offset = u32_at(archive, end + 16)?;
    if count != 0xffff && offset != 0xffff_ffff {
        return Some((count, offset));
    }
    // Zip64: the locator sits just before the end record and points at the zip64 record.
    let locator = end.checked_sub(20)?;
    if u32_at(archive, locator) != Some(u64::from(LOCATOR64)) {
        return Some((count, offset));
    }
    let record = usize::try_from(u64_at(archive, locator + 8)?).ok()?;
    if u32_at(archive, record) != Some(u64::from(END64)) {
        return None;
    }
    Some((u64_at(archive, record + 32)?, u64_at(archive, record + 48)?))
}

/// One central-directory header and its data; returns the entry and the next header.
fn central_entry(archive: &[u8], at: usize) -> Result<(Entry, usize), ZipError> {
    let field = |offset: usize, len: usize| match len {
        2 => u16_at(archive, at + offset),
        _ => u32_at(archive, at + offset),
    };
    if field(0, 4) != Some(u64::from(CENTRAL)) {
        return Err(ZipError::Format);
    }
    let get = |offset, len| field(offset, len).ok_or(ZipError::Format);
    let method = get(10, 2)?;
    let crc = get(16, 4)?;
    let mut compressed = get(20, 4)?;
    let mut size = get(24, 4)?;
    let name_len = index(get(28, 2)?)?;
    let extra_len = index(get(30, 2)?)?;
    let comment_len = index(get(32, 2)?)?;
    let mut local = get(42, 4)?;
    let name_at = at + CENTRAL_LEN;
    let name = archive
        .get(name_at..name_at + name_len)
        .ok_or(ZipError::Format)?;
    let extra = archive
        .get(name_at + name_len..name_at + name_len + extra_len)
        .ok_or(ZipError::Format)?;
    zip64_sizes(extra, &mut size, &mut compressed, &mut local);
    let next = name_at + name_len + extra_len + comment_len;
    let data = open(archive, index(local)?, index(compressed)?, method)?;
    check(&data, size, crc)?;
    let name = match String::from_utf8_lossy(name) {
        Cow::Borrowed(name) => name.to_owned(),
        Cow::Owned(name) => name,
    };
    Ok((Entry { name, data }, next))
}

/// The zip64 extra field (id 1) replaces the 32-bit fields that are all ones, in order.
fn zip64_sizes(mut extra: &[u8], size: &mut u64, compressed: &mut u64, local: &mut u64) {
    while let (Some(id), Some(len)) = (u16_at(extra, 0), u16_at(extra, 2)) {
        let Ok(len) = usize::try_from(len) else {
            return;
        };
        let Some(body) = extra.get(4..4 + len) else {
            return;
        };
        if id == 1 {
            let mut at = 0;
            for value in [size, compressed, local] {
                if *value == 0xffff_ffff {
                    if let Some(wide) = u64_at(body, at) {
                        *value = wide;
                        at += 8;
                    }
                }
            }
            return;
        }
        extra = &extra[4 + len..];
    }
}

/// `File.Open`: the local header, then the stored or deflated data.
fn open(archive: &[u8], local: usize, compressed: usize, method: u64) -> Result<Vec<u8>, ZipError> {
    if u32_at(archive, local) != Some(u64::from(LOCAL)) {
        return Err(ZipError::Format);
    }
    let name_len = index(u16_at(archive, local + 26).ok_or(ZipError::Format)?)?;
    let extra_len = index(u16_at(archive, local + 28).ok_or(ZipError::Format)?)?;
    let start = local + LOCAL_LEN + name_len + extra_len;
    let raw = archive
        .get(start..start.checked_add(compressed).ok_or(ZipError::Format)?)
        .ok_or(ZipError::Format)?;
    match method {
        0 => Ok(raw.to_vec()),
        8 => miniz_oxide::inflate::decompress_to_vec(raw).map_err(|_| ZipError::Flate),
        _ => Err(ZipError::Algorithm),
    }
}

/// archive/zip's `checksumReader`: too much data is a format error, too little an
/// unexpected end, and a recorded CRC-32 must match.
fn check(data: &[u8], size: u64, crc: u64) -> Result<(), ZipError> {
    let len = data.len() as u64;
    if len > size {
        return Err(ZipError::Format);
    }
    if len < size {
        return Err(ZipError::UnexpectedEof);
    }
    if crc != 0 && u64::from(crc32(data)) != crc {
        return Err(ZipError::Checksum);
    }
    Ok(())
}

/// CRC-32 (IEEE), as zip records it.
#[must_use]
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// A stored (uncompressed) archive of these files, as a test builds one.
    pub(crate) fn stored(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut central = Vec::new();
        for (name, data) in files {
            let offset = u32::try_from(out.len()).unwrap();
            let len = u32::try_from(data.len()).unwrap();
            let name_len = u16::try_from(name.len()).unwrap();
            out.extend_from_slice(&LOCAL.to_le_bytes());
            out.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            out.extend_from_slice(&crc32(data).to_le_bytes());
            out.extend_from_slice(&len.to_le_bytes());
            out.extend_from_slice(&len.to_le_bytes());
            out.extend_from_slice(&name_len.to_le_bytes());
            out.extend_from_slice(&[0, 0]);
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(data);
            central.extend_from_slice(&CENTRAL.to_le_bytes());
            central.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            central.extend_from_slice(&crc32(data).to_le_bytes());
            central.extend_from_slice(&len.to_le_bytes());
            central.extend_from_slice(&len.to_le_bytes());
            central.extend_from_slice(&name_len.to_le_bytes());
            central.extend_from_slice(&[0; 12]);
            central.extend_from_slice(&offset.to_le_bytes());
            central.extend_from_slice(name.as_bytes());
        }
        let directory = u32::try_from(out.len()).unwrap();
        let count = u16::try_from(files.len()).unwrap();
        let central_len = u32::try_from(central.len()).unwrap();
        out.extend_from_slice(&central);
        out.extend_from_slice(&END.to_le_bytes());
        out.extend_from_slice(&[0, 0, 0, 0]);
        out.extend_from_slice(&count.to_le_bytes());
        out.extend_from_slice(&count.to_le_bytes());
        out.extend_from_slice(&central_len.to_le_bytes());
        out.extend_from_slice(&directory.to_le_bytes());
        out.extend_from_slice(&[0, 0]);
        out
    }

    #[test]
    fn crc_of_a_known_string() {
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
    }

    #[test]
    fn stored_entries_round_trip_and_damage_is_named() {
        let archive = stored(&[
            ("m@v1/go.mod", b"module m\n"),
            ("m@v1/a.go", b"package a\n"),
        ]);
        let read = entries(&archive).unwrap();
        assert_eq!(read.len(), 2);
        assert_eq!(read[0].name, "m@v1/go.mod");
        assert_eq!(read[1].data, b"package a\n");
        let mut flipped = archive.clone();
        let at = flipped.windows(8).position(|w| w == b"module m").unwrap();
        flipped[at] = b'M';
        assert_eq!(entries(&flipped), Err(ZipError::Checksum));
        assert_eq!(entries(b"garbage\n"), Err(ZipError::Format));
        assert_eq!(
            entries(&archive[..archive.len() - 30]),
            Err(ZipError::Format)
        );
    }

    #[test]
    fn deflated_entries_are_inflated() {
        let data = b"package hello\n".repeat(20);
        let deflated = miniz_oxide::deflate::compress_to_vec(&data, 6);
        let mut archive = stored(&[("m@v1/x.go", &data)]);
        // Turn the stored entry into a deflated one: method 8 and the compressed bytes.
        let local_data = LOCAL_LEN + "m@v1/x.go".len();
        let mut rebuilt = archive[..local_data].to_vec();
        rebuilt[8] = 8;
        let csize = u32::try_from(deflated.len()).unwrap().to_le_bytes();
        rebuilt[18..22].copy_from_slice(&csize);
        rebuilt.extend_from_slice(&deflated);
        let mut central = archive.split_off(local_data + data.len());
        central[10] = 8;
        central[20..24].copy_from_slice(&csize);
        let shift = u32::try_from(data.len() - deflated.len()).unwrap();
        let end = central.len() - END_LEN;
        let offset = u32::from_le_bytes(central[end + 16..end + 20].try_into().unwrap());
        central[end + 16..end + 20].copy_from_slice(&(offset - shift).to_le_bytes());
        rebuilt.extend_from_slice(&central);
        assert_eq!(entries(&rebuilt).unwrap()[0].data, data);
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = entries(&bytes);
        }

        #[test]
        fn damaged_archives_never_panic(at in 0usize..200, byte: u8) {
            let mut archive = stored(&[("m@v1/go.mod", b"module m\n")]);
            let at = at % archive.len();
            archive[at] = byte;
            let _ = entries(&archive);
        }
    }
}

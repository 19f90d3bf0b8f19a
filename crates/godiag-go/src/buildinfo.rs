//! What `go version -m BINARY` prints, read from the binary itself.
//!
//! Since Go 1.18 every Go executable carries a `.go.buildinfo` blob: a 32-byte header that
//! starts with the magic `\xff Go buildinf:`, then (flag bit 2 set) the runtime version and
//! the module info as varint-length-prefixed strings (debug/buildinfo/buildinfo.go). godiag
//! reads it to know a toolchain's version and how it was built (`CGO_ENABLED`, `GOOS`/`GOARCH`)
//! without running it. Pre-1.18 pointer-based layouts are not decoded.
//!
//! [`read`] finds the blob the way `debug/buildinfo` does for ELF: through the section
//! headers to the `.go.buildinfo` section, reading a few kilobytes of a ~15 MB binary;
//! other formats (and a wrapper script) are scanned whole by [`parse`].

use std::collections::BTreeMap;
use std::path::Path;

use godiag_core::host::{EXECUTABLE_LIMIT, Host};

const MAGIC: &[u8] = b"\xff Go buildinf:";
const HEADER_LEN: usize = 32;
const FLAG_INLINE_STRINGS: u8 = 0x2;

/// A Go binary's build information.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuildInfo {
    /// The Go version that built it, e.g. `go1.27.3`.
    pub go_version: String,
    /// The main package path (`path` line), e.g. `cmd/go`.
    pub path: Option<String>,
    /// `build` settings, e.g. `CGO_ENABLED` → `0`, `GOOS` → `linux`, `-tags` → `netgo`.
    pub settings: BTreeMap<String, String>,
}

impl BuildInfo {
    /// Returns a build setting.
    #[must_use]
    pub fn setting(&self, key: &str) -> Option<&str> {
        self.settings.get(key).map(String::as_str)
    }
}

/// Reads the build information of the executable at `path`: from the ELF `.go.buildinfo`
/// section when the file is ELF (`None` when it has no such section, as for
/// `debug/buildinfo`), else by scanning the whole file.
#[must_use]
pub fn read(host: &dyn Host, path: &Path) -> Option<BuildInfo> {
    let head = host.read_range(path, 0, ELF_HEADER_LEN).ok()?;
    // e_ident: the magic, a known class (32/64-bit) and byte order, and version 1. Anything
    // else, such as a recorded machine's stand-in `\x7fELF fixture` file, is scanned.
    let elf = head.starts_with(ELF_MAGIC) && matches!(head.get(4..7), Some([1 | 2, 1 | 2, 1]));
    if !elf {
        return parse(&host.read_capped(path, EXECUTABLE_LIMIT).ok()?);
    }
    let mut read_at = |offset: u64, len: usize| host.read_range(path, offset, len).ok();
    let section = elf_section(&head, &mut read_at, ".go.buildinfo")?;
    from_section(&section, &mut read_at)
}

const ELF_MAGIC: &[u8] = b"\x7fELF";
const ELF_HEADER_LEN: usize = 64;

/// Where a section's bytes are in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Section {
    offset: u64,
    size: u64,
}

/// An ELF file's field reader: 32 or 64 bits, either byte order.
struct Elf {
    wide: bool,
    big: bool,
}

impl Elf {
    fn number(&self, bytes: &[u8], at: usize, len: usize) -> Option<u64> {
        let field = bytes.get(at..at.checked_add(len)?)?;
        let fold = |acc: u64, b: &u8| (acc << 8) | u64::from(*b);
        Some(if self.big {
            field.iter().fold(0, fold)
        } else {
            field.iter().rev().fold(0, fold)
        })
    }

    /// A field that is 4 bytes in ELF32 and 8 in ELF64, at the given offsets.
    fn word(&self, bytes: &[u8], at32: usize, at64: usize) -> Option<u64> {
        if self.wide {
            self.number(bytes, at64, 8)
        } else {
            self.number(bytes, at32, 4)
        }
    }
}

/// Finds a named section through the section headers (`debug/elf` `NewFile`).
fn elf_section(
    head: &[u8],
    read_at: &mut impl FnMut(u64, usize) -> Option<Vec<u8>>,
    name: &str,
) -> Option<Section> {
    let elf = Elf {
        wide: *head.get(4)? == 2,
        big: *head.get(5)? == 2,
    };
    let shoff = elf.word(head, 0x20, 0x28)?;
    let (entsize, count, names) = if elf.wide {
        (0x3a, 0x3c, 0x3e)
    } else {
        (0x2e, 0x30, 0x32)
    };
    let entsize = usize::try_from(elf.number(head, entsize, 2)?).ok()?;
    let count = usize::try_from(elf.number(head, count, 2)?).ok()?;
    let names = usize::try_from(elf.number(head, names, 2)?).ok()?;
    if entsize < if elf.wide { 0x40 } else { 0x28 } || count == 0 || names >= count {
        return None;
    }
    let table = read_at(shoff, entsize.checked_mul(count)?)?;
    let header = |index: usize| table.get(index * entsize..(index + 1) * entsize);
    let place = |entry: &[u8]| {
        Some(Section {
            offset: elf.word(entry, 0x10, 0x18)?,
            size: elf.word(entry, 0x14, 0x20)?,
        })
    };
    let strings = place(header(names)?)?;
    let strings = read_at(
        strings.offset,
        usize::try_from(strings.size.min(1 << 20)).ok()?,
    )?;
    (0..count).find_map(|index| {
        let entry = header(index)?;
        let at = usize::try_from(elf.number(entry, 0, 4)?).ok()?;
        let rest = strings.get(at..)?;
        let end = rest.iter().position(|&b| b == 0)?;
        (&rest[..end] == name.as_bytes())
            .then(|| place(entry))
            .flatten()
    })
}

/// Decodes the blob at the start of the `.go.buildinfo` section; its strings may run past
/// the section's end (they are read from the segment, as `decodeString` does).
fn from_section(
    section: &Section,
    read_at: &mut impl FnMut(u64, usize) -> Option<Vec<u8>>,
) -> Option<BuildInfo> {
    let size = usize::try_from(section.size).ok()?;
    let bytes = read_at(section.offset, size.max(HEADER_LEN + 20))?;
    // `searchMagic`: the first 16-byte-aligned magic in the section.
    let at = (0..size.min(bytes.len()))
        .step_by(16)
        .find(|&at| bytes[at..].starts_with(MAGIC))?;
    let mut wanted = HEADER_LEN;
    for _ in 0..2 {
        let pos = at.checked_add(wanted)?;
        let (length, used) = bytes.get(pos..).and_then(read_uvarint).or_else(|| {
            let more = read_at(section.offset.checked_add(u64::try_from(pos).ok()?)?, 10)?;
            read_uvarint(&more)
        })?;
        wanted = wanted
            .checked_add(used)?
            .checked_add(usize::try_from(length).ok()?)?;
    }
    let blob = match bytes.get(at..at.checked_add(wanted)?) {
        Some(blob) => blob.to_vec(),
        None => read_at(section.offset.checked_add(u64::try_from(at).ok()?)?, wanted)?,
    };
    decode(&blob)
}

/// Finds and decodes the build information in an executable's bytes.
#[must_use]
pub fn parse(binary: &[u8]) -> Option<BuildInfo> {
    let mut start = 0;
    while let Some(offset) = find(&binary[start..], MAGIC) {
        let at = start + offset;
        if let Some(info) = decode(&binary[at..]) {
            return Some(info);
        }
        start = at + 1;
    }
    None
}

fn decode(blob: &[u8]) -> Option<BuildInfo> {
    let header = blob.get(..HEADER_LEN)?;
    let pointer_size = header[14];
    let flags = header[15];
    if !matches!(pointer_size, 4 | 8) || flags & FLAG_INLINE_STRINGS == 0 {
        return None;
    }
    let (version, rest) = read_string(&blob[HEADER_LEN..])?;
    let (modinfo, _) = read_string(rest)?;
    let go_version = std::str::from_utf8(version).ok()?.to_owned();
    if !(go_version.starts_with("go") || go_version.starts_with("devel")) {
        return None;
    }
    let mut info = BuildInfo {
        go_version,
        ..BuildInfo::default()
    };
    // The module info is framed by 16-byte sentinels (runtime/debug's modinfo markers).
    let modinfo = if modinfo.len() >= 33 && modinfo[modinfo.len() - 17] == b'\n' {
        &modinfo[16..modinfo.len() - 16]
    } else {
        modinfo
    };
    for line in String::from_utf8_lossy(modinfo).lines() {
        let mut fields = line.splitn(2, '\t');
        match (fields.next(), fields.next()) {
            (Some("path"), Some(path)) => info.path = Some(path.to_owned()),
            (Some("build"), Some(setting)) => {
                if let Some((key, value)) = setting.split_once('=') {
                    info.settings.insert(key.to_owned(), value.to_owned());
                }
            }
            _ => {}
        }
    }
    Some(info)
}

fn read_string(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let (length, used) = read_uvarint(bytes)?;
    let length = usize::try_from(length).ok()?;
    let body = bytes.get(used..used.checked_add(length)?)?;
    Some((body, &bytes[used + length..]))
}

fn read_uvarint(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut value = 0u64;
    for (index, byte) in bytes.iter().enumerate().take(10) {
        value |= u64::from(byte & 0x7f) << (7 * index);
        if byte & 0x80 == 0 {
            return Some((value, index + 1));
        }
    }
    None
}

/// Finds `needle` by jumping between occurrences of its first byte: a go binary is ~15 MB
/// and `0xff` is rare enough that this beats comparing every window.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let first = *needle.first()?;
    let mut from = 0;
    while let Some(offset) = haystack.get(from..)?.iter().position(|&byte| byte == first) {
        let at = from + offset;
        if haystack[at..].starts_with(needle) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn blob(version: &str, modinfo: &str) -> Vec<u8> {
        let mut bytes = b"junk\xff Go buildinf:junk".to_vec();
        bytes.extend_from_slice(&inline(version, modinfo));
        bytes
    }

    /// The blob itself: header, then varint-prefixed version and module info.
    fn inline(version: &str, modinfo: &str) -> Vec<u8> {
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&[8, FLAG_INLINE_STRINGS]);
        bytes.resize(HEADER_LEN, 0);
        for text in [version.as_bytes(), modinfo.as_bytes()] {
            let mut len = text.len();
            while len >= 0x80 {
                bytes.push(u8::try_from(len & 0x7f).unwrap() | 0x80);
                len >>= 7;
            }
            bytes.push(u8::try_from(len).unwrap());
            bytes.extend_from_slice(text);
        }
        bytes
    }

    #[test]
    fn decodes_version_and_settings_after_a_false_magic() {
        let modinfo = "0123456789abcdefpath\tcmd/go\nbuild\tCGO_ENABLED=0\nbuild\t-tags=netgo\n0123456789abcdef";
        let info = parse(&blob("go1.27.3", modinfo)).unwrap();
        assert_eq!(info.go_version, "go1.27.3");
        assert_eq!(info.path.as_deref(), Some("cmd/go"));
        assert_eq!(info.setting("CGO_ENABLED"), Some("0"));
        assert_eq!(info.setting("-tags"), Some("netgo"));
    }

    /// An ELF file holding `blob` in a `.go.buildinfo` section of `section_len` bytes (the
    /// strings may run past it), section headers last.
    fn elf(wide: bool, big: bool, blob: &[u8], section_len: usize) -> Vec<u8> {
        let put = |out: &mut Vec<u8>, at: usize, len: usize, value: u64| {
            let bytes = value.to_be_bytes();
            let mut field = bytes[8 - len..].to_vec();
            if !big {
                field.reverse();
            }
            out[at..at + len].copy_from_slice(&field);
        };
        let mut out = vec![0u8; 64];
        out[..4].copy_from_slice(ELF_MAGIC);
        out[4] = if wide { 2 } else { 1 };
        out[5] = if big { 2 } else { 1 };
        out[6] = 1;
        let names = b"\0.text\0.go.buildinfo\0.shstrtab\0";
        let names_at = out.len() as u64;
        out.extend_from_slice(names);
        out.resize(out.len().next_multiple_of(16), 0);
        // An aligned false magic first: only the aligned one counts.
        let data_at = out.len() as u64;
        out.extend_from_slice(blob);
        out.resize(out.len() + 64, 0);
        let shoff = out.len();
        let entsize = if wide { 0x40 } else { 0x28 };
        out.resize(shoff + 4 * entsize, 0);
        for (index, (name, offset, size)) in [
            (0u64, 0u64, 0u64),
            (1, 0, 0),
            (7, data_at, section_len as u64),
            (21, names_at, names.len() as u64),
        ]
        .into_iter()
        .enumerate()
        {
            let entry = shoff + index * entsize;
            put(&mut out, entry, 4, name);
            if wide {
                put(&mut out, entry + 0x18, 8, offset);
                put(&mut out, entry + 0x20, 8, size);
            } else {
                put(&mut out, entry + 0x10, 4, offset);
                put(&mut out, entry + 0x14, 4, size);
            }
        }
        if wide {
            put(&mut out, 0x28, 8, shoff as u64);
            put(&mut out, 0x3a, 2, entsize as u64);
            put(&mut out, 0x3c, 2, 4);
            put(&mut out, 0x3e, 2, 3);
        } else {
            put(&mut out, 0x20, 4, shoff as u64);
            put(&mut out, 0x2e, 2, entsize as u64);
            put(&mut out, 0x30, 2, 4);
            put(&mut out, 0x32, 2, 3);
        }
        out
    }

    // A fixture machine on disk for the Host to read.
    #[allow(clippy::disallowed_methods)]
    fn read_file(bytes: &[u8]) -> Option<BuildInfo> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("go"), bytes).unwrap();
        let host = godiag_core::host::FixtureHost::new(dir.path(), BTreeMap::new());
        read(&host, Path::new("/go"))
    }

    #[test]
    fn elf_section_is_found_in_every_layout() {
        let modinfo = format!(
            "0123456789abcdefpath\tcmd/go\nbuild\tGOOS=linux\n{}\n0123456789abcdef",
            "build\tx=y\n".repeat(40)
        );
        let mut section = vec![0u8; 16];
        section[..MAGIC.len()].copy_from_slice(MAGIC);
        section[1] = b'X'; // not the magic
        section.extend_from_slice(&inline("go1.27.3", &modinfo));
        for (wide, big) in [(true, false), (false, true), (true, true), (false, false)] {
            // The section is shorter than the strings, which the reader follows anyway.
            let info = read_file(&elf(wide, big, &section, 64)).unwrap();
            assert_eq!(info.go_version, "go1.27.3", "wide={wide} big={big}");
            assert_eq!(info.setting("GOOS"), Some("linux"));
        }
    }

    #[test]
    fn elf_without_the_section_is_not_a_go_program() {
        let mut file = elf(true, false, b"\xff Go buildinf:", 16);
        // Rename the section: `.go.buildinfo` → `.go.buildinfx`.
        let at = file
            .windows(13)
            .position(|w| w == b".go.buildinfo")
            .unwrap();
        file[at + 12] = b'x';
        assert_eq!(read_file(&file), None);
    }

    #[test]
    fn other_files_are_scanned() {
        let modinfo = "0123456789abcdefpath\tcmd/go\n0123456789abcdef";
        for prefix in [&b""[..], b"\x7fELF fixture\n"] {
            let mut file = prefix.to_vec();
            file.extend_from_slice(&blob("go1.22.0", modinfo));
            assert_eq!(
                read_file(&file).map(|info| info.go_version),
                Some("go1.22.0".to_owned())
            );
        }
    }

    #[test]
    fn nothing_in_a_non_go_file() {
        assert_eq!(parse(b"#!/bin/sh\nexec go \"$@\"\n"), None);
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(mut bytes in proptest::collection::vec(any::<u8>(), 0..200), at in 0usize..200) {
            let at = at.min(bytes.len());
            bytes.splice(at..at, MAGIC.iter().copied());
            let _ = parse(&bytes);
        }

        #[test]
        fn arbitrary_elf_headers_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..600), wide: bool, big: bool) {
            let mut bytes = elf(wide, big, MAGIC, 16);
            let keep = 7.min(bytes.len());
            bytes.truncate(keep);
            bytes.extend_from_slice(&tail);
            let head = bytes[..bytes.len().min(ELF_HEADER_LEN)].to_vec();
            let mut read_at = |offset: u64, len: usize| {
                let start = usize::try_from(offset).ok()?.min(bytes.len());
                Some(bytes[start..start.saturating_add(len).min(bytes.len())].to_vec())
            };
            if let Some(section) = elf_section(&head, &mut read_at, ".go.buildinfo") {
                let _ = from_section(&section, &mut read_at);
            }
        }
    }
}

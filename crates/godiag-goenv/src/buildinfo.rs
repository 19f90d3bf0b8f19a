//! What `go version -m BINARY` prints, read from the binary itself.
//!
//! Since Go 1.18 every Go executable carries a `.go.buildinfo` blob: a 32-byte header that
//! starts with the magic `\xff Go buildinf:`, then (flag bit 2 set) the runtime version and
//! the module info as varint-length-prefixed strings (debug/buildinfo/buildinfo.go). godiag
//! reads it to know a toolchain's version and how it was built (`CGO_ENABLED`, `GOOS`/`GOARCH`)
//! without running it. Pre-1.18 pointer-based layouts are not decoded.

mod elf;

use std::collections::BTreeMap;
use std::path::Path;

use godiag_core::host::Host;

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

/// The most godiag reads of one part of an executable (a section header table, a name table,
/// the build information): real ones are a few kilobytes.
const MAX_PART: u64 = 16 << 20;

/// Reads the build information of the executable at `path`. Of an ELF file only the headers
/// and the `.go.buildinfo` section are read, which is where `go version -m` looks too (an ELF
/// file without that section is not a Go program); anything else (no section table, another
/// format) is read whole and searched for the blob.
#[must_use]
pub fn read(host: &dyn Host, path: &Path) -> Option<BuildInfo> {
    let start = host.read_range(path, 0, elf::HEADER_LEN).ok()?;
    match elf::header(&start) {
        Some(header) => read_elf(host, path, header),
        None => parse(&host.read(path).ok()?),
    }
}

fn read_elf(host: &dyn Host, path: &Path, mut header: elf::Header) -> Option<BuildInfo> {
    let part = |offset: u64, len: u64| {
        host.read_range(path, offset, usize::try_from(len.min(MAX_PART)).ok()?)
            .ok()
    };
    if header.extended() {
        let zero = part(header.shoff, u64::try_from(header.shentsize).ok()?)?;
        header = header.with_section_zero(&elf::section(&zero, &header, 0)?)?;
    }
    let table = part(header.shoff, u64::try_from(header.table_len()?).ok()?)?;
    let names = elf::section(&table, &header, header.shstrndx)?;
    let names = part(names.offset, names.size)?;
    let section = (0..header.shnum)
        .filter_map(|index| elf::section(&table, &header, index))
        .find(|section| elf::name(&names, section.name) == Some(b".go.buildinfo"))?;
    if section.kind == elf::SHT_NOBITS {
        return None;
    }
    parse(&part(section.offset, section.size)?)
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
        bytes.extend(inline_blob(version, modinfo));
        bytes
    }

    /// The blob as the linker writes it (Go 1.18+ inline strings).
    fn inline_blob(version: &str, modinfo: &str) -> Vec<u8> {
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&[8, FLAG_INLINE_STRINGS]);
        bytes.resize(bytes.len() + 16, 0);
        for text in [version.as_bytes(), modinfo.as_bytes()] {
            bytes.push(u8::try_from(text.len()).unwrap());
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

    #[test]
    fn nothing_in_a_non_go_file() {
        assert_eq!(parse(b"#!/bin/sh\nexec go \"$@\"\n"), None);
    }

    /// A 64-bit little-endian ELF file: a decoy blob in its data, then a name table and a
    /// `.go.buildinfo` section (named `section_name`) holding the real one.
    fn elf_file(section_name: &str) -> Vec<u8> {
        let mut file = vec![0u8; 64];
        file[..6].copy_from_slice(b"\x7fELF\x02\x01");
        file.extend(blob("go1.0.decoy", ""));
        let names_at = file.len();
        let names = format!("\0.shstrtab\0{section_name}\0");
        file.extend_from_slice(names.as_bytes());
        let info_at = file.len();
        let info = inline_blob("go1.27.3", "path\tgolisten\n");
        file.extend_from_slice(&info);
        let table_at = file.len();
        file.extend_from_slice(&[0; 64]);
        for (name, offset, size) in [(1u32, names_at, names.len()), (11, info_at, info.len())] {
            let mut header = [0u8; 64];
            header[..4].copy_from_slice(&name.to_le_bytes());
            header[4] = 1;
            header[0x18..0x20].copy_from_slice(&(offset as u64).to_le_bytes());
            header[0x20..0x28].copy_from_slice(&(size as u64).to_le_bytes());
            file.extend_from_slice(&header);
        }
        file[0x28..0x30].copy_from_slice(&(table_at as u64).to_le_bytes());
        file[0x3a..0x40].copy_from_slice(&[64, 0, 3, 0, 1, 0]);
        file
    }

    #[allow(clippy::disallowed_methods)] // writes the fixture the Host then reads
    fn read_file(bytes: &[u8]) -> Option<BuildInfo> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("bin")).unwrap();
        std::fs::write(dir.path().join("bin/server"), bytes).unwrap();
        let host = godiag_core::host::FixtureHost::new(dir.path(), BTreeMap::new());
        read(&host, Path::new("/bin/server"))
    }

    #[test]
    fn elf_files_are_read_from_their_go_buildinfo_section() {
        let info = read_file(&elf_file(".go.buildinfo")).unwrap();
        assert_eq!(info.go_version, "go1.27.3");
        assert_eq!(info.path.as_deref(), Some("golisten"));
    }

    #[test]
    fn elf_files_without_the_section_are_not_go_programs() {
        // `go version -m` says "not a Go executable" here, whatever the data holds.
        assert_eq!(read_file(&elf_file(".data")), None);
    }

    #[test]
    fn other_files_are_searched_whole() {
        let info = read_file(&blob("go1.27.3", "path\tcmd/go\n")).unwrap();
        assert_eq!(info.go_version, "go1.27.3");
        let mut fixture = b"\x7fELF fixture\n".to_vec();
        fixture.extend(blob("go1.26.0", ""));
        assert_eq!(read_file(&fixture).unwrap().go_version, "go1.26.0");
    }

    proptest! {
        #[test]
        fn arbitrary_elf_files_never_panic(mut bytes in proptest::collection::vec(any::<u8>(), 64..400), table in any::<u16>(), count in any::<u8>(), names in any::<u8>()) {
            bytes[..6].copy_from_slice(b"\x7fELF\x02\x01");
            bytes[0x28..0x30].copy_from_slice(&u64::from(table).to_le_bytes());
            bytes[0x3a..0x40].copy_from_slice(&[64, 0, count, 0, names, 0]);
            let _ = read_file(&bytes);
        }

        #[test]
        fn arbitrary_bytes_never_panic(mut bytes in proptest::collection::vec(any::<u8>(), 0..200), at in 0usize..200) {
            let at = at.min(bytes.len());
            bytes.splice(at..at, MAGIC.iter().copied());
            let _ = parse(&bytes);
        }
    }
}

//! What `go version -m BINARY` prints, read from the binary itself.
//!
//! Since Go 1.18 every Go executable carries a `.go.buildinfo` blob: a 32-byte header that
//! starts with the magic `\xff Go buildinf:`, then (flag bit 2 set) the runtime version and
//! the module info as varint-length-prefixed strings (debug/buildinfo/buildinfo.go). godiag
//! reads it to know a toolchain's version and how it was built (`CGO_ENABLED`, `GOOS`/`GOARCH`)
//! without running it. Pre-1.18 pointer-based layouts are not decoded.

use std::collections::BTreeMap;

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
        bytes.extend_from_slice(MAGIC);
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

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(mut bytes in proptest::collection::vec(any::<u8>(), 0..200), at in 0usize..200) {
            let at = at.min(bytes.len());
            bytes.splice(at..at, MAGIC.iter().copied());
            let _ = parse(&bytes);
        }
    }
}

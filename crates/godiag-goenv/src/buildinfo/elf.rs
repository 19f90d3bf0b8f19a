//! Where an ELF executable keeps its `.go.buildinfo` section, read from the file header and
//! the section header table (the ELF gABI, "ELF Header" and "Sections"), so that only a few
//! kilobytes of a large binary are read. This is how `go version -m` finds the blob too
//! (debug/buildinfo's `elfExe.DataStart`, through debug/elf). Program headers, symbols and
//! everything else in the file are not read.

/// How many bytes [`header`] wants: the 64-bit file header is the larger of the two.
pub(crate) const HEADER_LEN: usize = 64;

/// `SHT_NOBITS`: a section that occupies no space in the file.
pub(crate) const SHT_NOBITS: u32 = 8;

/// `SHN_XINDEX`: the section name table's index is in section 0's `sh_link`.
const SHN_XINDEX: usize = 0xffff;

/// The parts of the ELF file header that locate the sections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Header {
    is64: bool,
    little: bool,
    /// Where the section header table starts.
    pub(crate) shoff: u64,
    /// The size of one section header.
    pub(crate) shentsize: usize,
    /// How many section headers there are (0: see section 0's `sh_size`).
    pub(crate) shnum: usize,
    /// Which section holds the section names (`SHN_XINDEX`: see section 0's `sh_link`).
    pub(crate) shstrndx: usize,
}

impl Header {
    /// True when the section count or the name table's index lives in section 0 (files with
    /// 65,280 sections or more).
    pub(crate) fn extended(&self) -> bool {
        self.shnum == 0 || self.shstrndx == SHN_XINDEX
    }

    /// Applies the count and index kept in section 0.
    pub(crate) fn with_section_zero(mut self, zero: &Section) -> Option<Self> {
        if self.shnum == 0 {
            self.shnum = usize::try_from(zero.size).ok()?;
        }
        if self.shstrndx == SHN_XINDEX {
            self.shstrndx = usize::try_from(zero.link).ok()?;
        }
        Some(self)
    }

    /// The length of the whole section header table.
    pub(crate) fn table_len(&self) -> Option<usize> {
        self.shnum.checked_mul(self.shentsize)
    }
}

/// One section header: where the section's bytes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Section {
    /// Offset of the name in the section name table.
    pub(crate) name: u32,
    /// `sh_type`.
    pub(crate) kind: u32,
    /// Where the bytes start in the file.
    pub(crate) offset: u64,
    /// How many bytes.
    pub(crate) size: u64,
    /// `sh_link`.
    pub(crate) link: u32,
}

/// Decodes the file header, or `None` when `bytes` is not a well-formed ELF header.
pub(crate) fn header(bytes: &[u8]) -> Option<Header> {
    if !bytes.starts_with(b"\x7fELF") {
        return None;
    }
    let is64 = match bytes.get(4)? {
        1 => false,
        2 => true,
        _ => return None,
    };
    let little = match bytes.get(5)? {
        1 => true,
        2 => false,
        _ => return None,
    };
    let reader = Reader { bytes, little };
    let (shoff, at) = if is64 {
        (reader.u64(0x28)?, 0x3a)
    } else {
        (u64::from(reader.u32(0x20)?), 0x2e)
    };
    let header = Header {
        is64,
        little,
        shoff,
        shentsize: usize::from(reader.u16(at)?),
        shnum: usize::from(reader.u16(at + 2)?),
        shstrndx: usize::from(reader.u16(at + 4)?),
    };
    // debug/elf rejects a table whose entries are smaller than a section header.
    let minimum = if is64 { 64 } else { 40 };
    (header.shoff != 0 && header.shentsize >= minimum).then_some(header)
}

/// Decodes section header `index` from the section header table `table`.
pub(crate) fn section(table: &[u8], header: &Header, index: usize) -> Option<Section> {
    let start = index.checked_mul(header.shentsize)?;
    let reader = Reader {
        bytes: table.get(start..start.checked_add(header.shentsize)?)?,
        little: header.little,
    };
    Some(if header.is64 {
        Section {
            name: reader.u32(0)?,
            kind: reader.u32(4)?,
            offset: reader.u64(0x18)?,
            size: reader.u64(0x20)?,
            link: reader.u32(0x28)?,
        }
    } else {
        Section {
            name: reader.u32(0)?,
            kind: reader.u32(4)?,
            offset: u64::from(reader.u32(0x10)?),
            size: u64::from(reader.u32(0x14)?),
            link: reader.u32(0x18)?,
        }
    })
}

/// The NUL-terminated name at `offset` in a string table.
pub(crate) fn name(strings: &[u8], offset: u32) -> Option<&[u8]> {
    let rest = strings.get(usize::try_from(offset).ok()?..)?;
    let end = rest.iter().position(|&byte| byte == 0)?;
    Some(&rest[..end])
}

/// Fixed-width integers in the file's byte order.
struct Reader<'a> {
    bytes: &'a [u8],
    little: bool,
}

impl Reader<'_> {
    fn array<const N: usize>(&self, at: usize) -> Option<[u8; N]> {
        self.bytes.get(at..at.checked_add(N)?)?.try_into().ok()
    }

    fn u16(&self, at: usize) -> Option<u16> {
        let raw = self.array(at)?;
        Some(if self.little {
            u16::from_le_bytes(raw)
        } else {
            u16::from_be_bytes(raw)
        })
    }

    fn u32(&self, at: usize) -> Option<u32> {
        let raw = self.array(at)?;
        Some(if self.little {
            u32::from_le_bytes(raw)
        } else {
            u32::from_be_bytes(raw)
        })
    }

    fn u64(&self, at: usize) -> Option<u64> {
        let raw = self.array(at)?;
        Some(if self.little {
            u64::from_le_bytes(raw)
        } else {
            u64::from_be_bytes(raw)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_of_both_classes_and_byte_orders() {
        let mut le64 = vec![0u8; 64];
        le64[..6].copy_from_slice(b"\x7fELF\x02\x01");
        le64[0x28..0x30].copy_from_slice(&0x1234u64.to_le_bytes());
        le64[0x3a..0x40].copy_from_slice(&[64, 0, 30, 0, 29, 0]);
        let parsed = header(&le64).unwrap();
        assert_eq!(
            (
                parsed.shoff,
                parsed.shentsize,
                parsed.shnum,
                parsed.shstrndx
            ),
            (0x1234, 64, 30, 29)
        );

        let mut be32 = vec![0u8; 52];
        be32[..6].copy_from_slice(b"\x7fELF\x01\x02");
        be32[0x20..0x24].copy_from_slice(&0x400u32.to_be_bytes());
        be32[0x2e..0x34].copy_from_slice(&[0, 40, 0, 5, 0, 4]);
        let parsed = header(&be32).unwrap();
        assert_eq!(
            (
                parsed.shoff,
                parsed.shentsize,
                parsed.shnum,
                parsed.shstrndx
            ),
            (0x400, 40, 5, 4)
        );
    }

    #[test]
    fn malformed_headers_are_not_elf() {
        // The recorded machines' stand-in executables: an ELF magic, then text.
        assert_eq!(header(b"\x7fELF fixture\n\xff Go buildinf:"), None);
        assert_eq!(header(b"\x7fELF\x02\x01"), None);
        assert_eq!(header(b"MZ"), None);
        let mut no_sections = vec![0u8; 64];
        no_sections[..6].copy_from_slice(b"\x7fELF\x02\x01");
        assert_eq!(header(&no_sections), None);
    }

    #[test]
    fn names_end_at_nul() {
        assert_eq!(
            name(b"\0.text\0.go.buildinfo\0", 7),
            Some(&b".go.buildinfo"[..])
        );
        assert_eq!(name(b"\0.text", 1), None);
        assert_eq!(name(b"\0", 9), None);
    }
}

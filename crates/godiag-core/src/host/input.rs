//! What godiag accepts as an input file, and how much of one it reads.
//!
//! An input is opened without blocking (`O_NONBLOCK`: opening a FIFO nobody writes to
//! would otherwise wait in open(2) forever), looked at with fstat(2), and read only if it
//! is a regular file; then at most a cap's worth of it is read. The caps are documented in
//! `docs/limits.md`. This module does not decide which cap a file gets: its callers do.
// Part of the Host seam: this is where files are opened.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

use std::fs::File;
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

/// The cap for configuration files and other inputs given by name (`lint FILE`, project
/// files, certificates): far above any real config, far below what would hurt to hold.
pub const CONFIG_LIMIT: u64 = 64 << 20;

/// The cap for the resolver's own files (`/etc/resolv.conf`, `/etc/nsswitch.conf`):
/// glibc keeps at most 3 name servers and 32 search domains of resolv.conf, and a real one
/// is a few hundred bytes, so 1 MiB is generous.
pub const SYSTEM_FILE_LIMIT: u64 = 1 << 20;

/// The cap for `/etc/hosts`, which blocklists grow to several megabytes (glibc reads it
/// line by line, whatever its size).
pub const HOSTS_LIMIT: u64 = 16 << 20;

/// The cap for `--env-file`: an environment is at most `ARG_MAX`-sized (2 MiB on Linux,
/// with the arguments), so 4 MiB holds any recorded one.
pub const ENV_FILE_LIMIT: u64 = 4 << 20;

/// The cap for executables read whole to find Go build information (a non-ELF file).
pub const EXECUTABLE_LIMIT: u64 = 1 << 30;

/// Why a file was not read as an input. Carried inside the [`io::Error`] the read returns
/// (find it with [`InputRefused::of`]), whose kind is `InvalidInput` or `FileTooLarge`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InputRefused {
    /// A FIFO, socket or device: reading it could block or never end.
    #[error("it is {what}, not a regular file")]
    NotRegular {
        /// "a FIFO", "a socket", "a character device", "a block device".
        what: &'static str,
    },
    /// Larger than the cap for this kind of file.
    #[error("it is larger than the {} godiag reads from such a file", size(*limit))]
    TooLarge {
        /// The cap, in bytes.
        limit: u64,
    },
}

impl InputRefused {
    /// Returns the refusal an I/O error carries, if it is one.
    #[must_use]
    pub fn of(error: &io::Error) -> Option<Self> {
        error.get_ref()?.downcast_ref::<Self>().copied()
    }

    fn into_error(self) -> io::Error {
        let kind = match self {
            Self::NotRegular { .. } => io::ErrorKind::InvalidInput,
            Self::TooLarge { .. } => io::ErrorKind::FileTooLarge,
        };
        io::Error::new(kind, self)
    }
}

/// Writes a cap the way the docs give it (`64 MiB`).
fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 && b % (1 << 30) == 0 => format!("{} GiB", b >> 30),
        b if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{} MiB", b >> 20),
        b => format!("{b} bytes"),
    }
}

/// Opens `path` on this machine's disk for reading without blocking in open(2).
pub(crate) fn open(path: &Path) -> io::Result<File> {
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

/// Refuses an opened file that is not regular; a directory keeps the `EISDIR` that reading
/// it would give, which callers already explain. Returns the file's size.
pub(crate) fn require_regular(file: &File) -> io::Result<u64> {
    let meta = file.metadata()?;
    let kind = meta.file_type();
    if meta.is_file() {
        return Ok(meta.len());
    }
    if meta.is_dir() {
        return Err(io::Error::from_raw_os_error(libc::EISDIR));
    }
    let what = if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_char_device() {
        "a character device"
    } else if kind.is_block_device() {
        "a block device"
    } else {
        "a special file"
    };
    Err(InputRefused::NotRegular { what }.into_error())
}

/// Reads an opened input whole, refusing it when it is not regular or holds more than
/// `limit` bytes. The size fstat(2) gives is checked first, and the read itself stops one
/// byte past the cap, for files (in /proc, or growing) whose size says nothing.
pub(crate) fn read_capped(file: File, limit: u64) -> io::Result<Vec<u8>> {
    let len = require_regular(&file)?;
    if len > limit {
        return Err(InputRefused::TooLarge { limit }.into_error());
    }
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > limit {
        return Err(InputRefused::TooLarge { limit }.into_error());
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_files_are_refused_and_sizes_capped() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let c_path = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path; mkfifo takes no other pointer.
        #[allow(unsafe_code)]
        let made = unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) };
        assert_eq!(made, 0);
        // No writer: a blocking open would never return.
        let error = read_capped(open(&fifo).unwrap(), CONFIG_LIMIT).unwrap_err();
        assert_eq!(
            InputRefused::of(&error),
            Some(InputRefused::NotRegular { what: "a FIFO" })
        );
        assert_eq!(error.to_string(), "it is a FIFO, not a regular file");
        let zero = read_capped(open(Path::new("/dev/zero")).unwrap(), 10).unwrap_err();
        assert_eq!(
            InputRefused::of(&zero),
            Some(InputRefused::NotRegular {
                what: "a character device"
            })
        );
        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'x'; 2 << 20]).unwrap();
        let error = read_capped(open(&big).unwrap(), SYSTEM_FILE_LIMIT).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::FileTooLarge);
        assert_eq!(
            error.to_string(),
            "it is larger than the 1 MiB godiag reads from such a file"
        );
        assert_eq!(
            read_capped(open(&big).unwrap(), 2 << 20).unwrap().len(),
            2 << 20
        );
        // /proc files say they are empty; the read itself is capped.
        let proc = read_capped(open(Path::new("/proc/self/maps")).unwrap(), 16).unwrap_err();
        assert_eq!(proc.kind(), io::ErrorKind::FileTooLarge);
        let dir_error = read_capped(open(dir.path()).unwrap(), 16).unwrap_err();
        assert_eq!(dir_error.kind(), io::ErrorKind::IsADirectory);
    }
}

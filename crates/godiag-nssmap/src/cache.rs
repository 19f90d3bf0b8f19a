//! Keeps the map loaded between lookups and re-reads it when the file changes.
//!
//! A lookup costs one `stat` of the map: `libnss_files` re-reads /etc/hosts on every call, the
//! module need not. The stamp holds mtime, size, inode and device, so an editor's
//! write-and-rename and a same-second rewrite of a different length both count as changes.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use crate::map::Map;
use crate::parse::parse;

/// A map file read at most once per change, shared by every thread of the process.
#[derive(Debug, Default)]
pub struct MapCache {
    state: Mutex<Option<Loaded>>,
}

/// The map could not be read (missing, unreadable): the module reports `NSS_STATUS_UNAVAIL`,
/// so glibc moves on to the next source as it does for a missing /etc/hosts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unavailable;

#[derive(Debug)]
struct Loaded {
    path: PathBuf,
    stamp: Stamp,
    map: Arc<Map>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
    inode: u64,
    device: u64,
}

/// Maps larger than this are refused rather than parsed inside someone else's process.
const MAX_MAP_BYTES: u64 = 4 << 20;

impl MapCache {
    /// Returns an empty cache; the first [`MapCache::get`] reads the map.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            state: Mutex::new(None),
        }
    }

    /// Returns the map at `path`, read again if the file changed since the last call.
    pub fn get(&self, path: &Path) -> Result<Arc<Map>, Unavailable> {
        let stamp = stamp(path)?;
        // A panic while holding the lock leaves at worst a stale map, which the stamp check
        // replaces; so a poisoned lock is still usable.
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(loaded) = state.as_ref()
            && loaded.path == path
            && loaded.stamp == stamp
        {
            return Ok(Arc::clone(&loaded.map));
        }
        let map = Arc::new(read(path, stamp)?);
        *state = Some(Loaded {
            path: path.to_owned(),
            stamp,
            map: Arc::clone(&map),
        });
        Ok(map)
    }
}

#[allow(
    clippy::disallowed_methods,
    reason = "the module runs inside other processes, which have no godiag Host"
)]
fn stamp(path: &Path) -> Result<Stamp, Unavailable> {
    let metadata = std::fs::metadata(path).map_err(|_| Unavailable)?;
    if !metadata.is_file() || metadata.len() > MAX_MAP_BYTES {
        return Err(Unavailable);
    }
    Ok(Stamp {
        modified: metadata.modified().ok(),
        len: metadata.len(),
        inode: metadata.ino(),
        device: metadata.dev(),
    })
}

#[allow(
    clippy::disallowed_methods,
    reason = "the module runs inside other processes, which have no godiag Host"
)]
fn read(path: &Path, stamp: Stamp) -> Result<Map, Unavailable> {
    let bytes = std::fs::read(path).map_err(|_| Unavailable)?;
    // Read past the size we checked: the file grew in between; the next call sees the new
    // stamp and reads it again.
    let bytes = &bytes[..bytes
        .len()
        .min(usize::try_from(stamp.len).unwrap_or(usize::MAX))];
    Ok(parse(&String::from_utf8_lossy(bytes)).map)
}

#[cfg(test)]
#[allow(
    clippy::disallowed_methods,
    reason = "the test writes the map it reads"
)]
mod tests {
    use std::fs;

    use super::*;

    #[test]
    fn the_map_is_re_read_when_it_changes_and_unavailable_when_missing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nss.map");
        let cache = MapCache::new();
        assert_eq!(cache.get(&path).unwrap_err(), Unavailable);
        fs::write(&path, "a.example 10.0.0.1\n").unwrap();
        let first = cache.get(&path).unwrap();
        assert!(
            Arc::ptr_eq(&first, &cache.get(&path).unwrap()),
            "unchanged map re-read"
        );
        // A same-second rewrite still changes the size.
        fs::write(&path, "a.example 10.0.0.22\n").unwrap();
        let second = cache.get(&path).unwrap();
        assert!(!Arc::ptr_eq(&first, &second));
        assert_eq!(
            second.rules[0].target,
            crate::Target::Addresses(vec!["10.0.0.22".parse().unwrap()])
        );
        fs::remove_file(&path).unwrap();
        assert_eq!(cache.get(&path).unwrap_err(), Unavailable);
    }
}

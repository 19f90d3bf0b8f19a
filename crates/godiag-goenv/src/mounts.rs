//! `/proc/self/mountinfo`: which filesystem holds a path.

use std::io;
use std::path::{Path, PathBuf};

use godiag_core::host::Host;

/// One mount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    /// Where it is mounted.
    pub mount_point: PathBuf,
    /// The filesystem type (`ext4`, `nfs4`, `9p`...).
    pub fs_type: String,
}

/// The mount table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mounts(pub Vec<Mount>);

impl Mounts {
    /// Returns the mount with the longest mount point containing `path`.
    #[must_use]
    pub fn containing(&self, path: &Path) -> Option<&Mount> {
        self.0
            .iter()
            .filter(|mount| path.starts_with(&mount.mount_point))
            .max_by_key(|mount| mount.mount_point.as_os_str().len())
    }
}

/// Reads the host's mount table.
pub fn read(host: &dyn Host) -> io::Result<Mounts> {
    Ok(parse(
        &host.read_to_string(Path::new("/proc/self/mountinfo"))?,
    ))
}

/// Parses mountinfo text (proc(5)): field 5 is the mount point, and the filesystem type
/// follows the ` - ` separator. Octal escapes (`\040`) are decoded.
#[must_use]
pub fn parse(text: &str) -> Mounts {
    Mounts(
        text.lines()
            .filter_map(|line| {
                let (before, after) = line.split_once(" - ")?;
                let mount_point = before.split(' ').nth(4)?;
                let fs_type = after.split(' ').next()?;
                Some(Mount {
                    mount_point: PathBuf::from(unescape(mount_point)),
                    fs_type: fs_type.to_owned(),
                })
            })
            .collect(),
    )
}

/// Filesystems shared over a network or with a VM host, where locking and small-file
/// performance are poor.
#[must_use]
pub fn is_shared(fs_type: &str) -> bool {
    matches!(
        fs_type,
        "nfs"
            | "nfs4"
            | "cifs"
            | "smb3"
            | "smbfs"
            | "9p"
            | "drvfs"
            | "afs"
            | "ceph"
            | "glusterfs"
            | "lustre"
            | "fuse.sshfs"
            | "fuse.rclone"
            | "fuse.s3fs"
            | "fuse.gcsfuse"
            | "vboxsf"
            | "fuse.vmhgfs-fuse"
    )
}

fn unescape(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'\\'
            && at + 3 < bytes.len()
            && bytes[at + 1..at + 4]
                .iter()
                .all(|b| (b'0'..=b'7').contains(b))
        {
            let code = bytes[at + 1..at + 4]
                .iter()
                .fold(0u32, |acc, b| acc * 8 + u32::from(b - b'0'));
            out.push(u8::try_from(code).unwrap_or(b'?'));
            at += 4;
        } else {
            out.push(bytes[at]);
            at += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_deepest_mount() {
        let table = parse(
            "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n\
             40 22 0:50 / /mnt/c rw,noatime - 9p drvfs rw\n\
             41 22 0:51 / /home/u/my\\040cache rw - nfs4 srv:/x rw\n",
        );
        assert_eq!(
            table
                .containing(Path::new("/mnt/c/Users/x"))
                .unwrap()
                .fs_type,
            "9p"
        );
        assert_eq!(
            table
                .containing(Path::new("/home/u/my cache/go-build"))
                .unwrap()
                .fs_type,
            "nfs4"
        );
        assert_eq!(
            table.containing(Path::new("/home/u")).unwrap().fs_type,
            "ext4"
        );
    }
}

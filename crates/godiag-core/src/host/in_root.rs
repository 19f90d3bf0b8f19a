//! Paths of a recorded machine, resolved inside its root as chroot(2) would resolve them.
//!
//! A copy of a machine's files keeps its symbolic links, and they mean what they meant on
//! that machine: `etc/resolv.conf -> /run/systemd/resolve/stub-resolv.conf` names the copy's
//! `run/…`, never this machine's. The kernel would follow such a link on this disk, out of the
//! root, so a lookup here walks the path one component at a time (`path_resolution(7)`):
//! an absolute link target starts again at the root, a relative one at the link's directory,
//! `..` at the root stays there, and the 41st link is `ELOOP`.
//!
//! Opening a file uses the kernel's own version of this walk where it has one
//! (openat2(2) with `RESOLVE_IN_ROOT`, Linux 5.6), which also leaves no moment between
//! resolving and opening in which a component could be swapped for a link. This module does
//! not guard the writes of `edit`, which go by path to what [`resolve`] returned.
// The fixture's files are this machine's files; this module is part of the Host seam.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

use std::collections::VecDeque;
use std::ffi::OsString;
use std::fs::{self, File};
use std::io;
use std::path::{Component, Path, PathBuf};

/// How many symbolic links one lookup follows before failing with `ELOOP`: Linux's
/// `MAXSYMLINKS` (include/linux/namei.h), the 40 that `path_resolution(7)` documents.
pub(crate) const MAX_SYMLINKS: usize = 40;

/// Whether a symbolic link in the last component of a path is followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Last {
    /// Follow it, as open(2) and stat(2) do.
    Follow,
    /// Keep it, as readlink(2) and lstat(2) do.
    Keep,
}

/// A component still to be looked up.
enum Part {
    Name(OsString),
    Parent,
}

/// Returns the path on this disk, under `root`, that `path` names on the recorded machine.
///
/// Every symbolic link on the way is resolved inside `root` (the last one only with
/// [`Last::Follow`]), so the result holds no link but perhaps the last component. Components
/// that do not exist are kept as written, so the result is also where a new file would be
/// created; `..` after a missing component is `NotFound`, as the kernel has it.
pub(crate) fn resolve(root: &Path, path: &Path, last: Last) -> io::Result<PathBuf> {
    let mut resolved: Vec<OsString> = Vec::new();
    let mut pending = VecDeque::new();
    push_front(&mut pending, path);
    let mut links = 0;
    let mut missing = false;
    while let Some(part) = pending.pop_front() {
        let name = match part {
            Part::Parent if missing => return Err(io::ErrorKind::NotFound.into()),
            Part::Parent => {
                resolved.pop();
                continue;
            }
            Part::Name(name) => name,
        };
        if missing {
            resolved.push(name);
            continue;
        }
        let disk = under(root, &resolved).join(&name);
        match fs::symlink_metadata(&disk) {
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                missing = true;
                resolved.push(name);
            }
            Err(error) => return Err(error),
            Ok(meta)
                if meta.file_type().is_symlink()
                    && (last == Last::Follow || !pending.is_empty()) =>
            {
                links += 1;
                if links > MAX_SYMLINKS {
                    return Err(io::Error::from_raw_os_error(libc::ELOOP));
                }
                let target = fs::read_link(&disk)?;
                if target.has_root() {
                    resolved.clear();
                }
                push_front(&mut pending, &target);
            }
            Ok(_) => resolved.push(name),
        }
    }
    Ok(under(root, &resolved))
}

/// Opens a file of the recorded machine for reading, without blocking in open(2) (a
/// recorded FIFO has no writer).
pub(crate) fn open(root: &Path, path: &Path) -> io::Result<File> {
    #[cfg(target_os = "linux")]
    if let Some(opened) = kernel_open(
        root,
        path,
        rustix::fs::OFlags::RDONLY | rustix::fs::OFlags::NONBLOCK,
    ) {
        return opened;
    }
    super::input::open(&resolve(root, path, Last::Follow)?)
}

/// Returns the metadata of a file of the recorded machine, following links.
pub(crate) fn metadata(root: &Path, path: &Path) -> io::Result<fs::Metadata> {
    // O_PATH opens without reading, so a recorded FIFO or device is looked at, not opened.
    #[cfg(target_os = "linux")]
    if let Some(opened) = kernel_open(root, path, rustix::fs::OFlags::PATH) {
        return opened?.metadata();
    }
    fs::metadata(resolve(root, path, Last::Follow)?)
}

/// Opens through openat2(2) with `RESOLVE_IN_ROOT`; `None` where the kernel cannot do that
/// (older than 5.6: `ENOSYS`; container runtimes whose seccomp profile predates openat2:
/// `EPERM` or `ENOSYS`; a rename during the lookup: `EAGAIN`), and the walk above applies.
#[cfg(target_os = "linux")]
fn kernel_open(root: &Path, path: &Path, flags: rustix::fs::OFlags) -> Option<io::Result<File>> {
    use rustix::fs::{Mode, OFlags, ResolveFlags};
    use rustix::io::Errno;

    let root = match rustix::fs::open(
        root,
        OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    ) {
        Ok(root) => root,
        Err(errno) => return Some(Err(errno.into())),
    };
    // An empty path would name the root itself only with AT_EMPTY_PATH; `.` always does.
    let relative = if path.as_os_str().is_empty() {
        Path::new(".")
    } else {
        path
    };
    match rustix::fs::openat2(
        &root,
        relative,
        flags | OFlags::CLOEXEC,
        Mode::empty(),
        ResolveFlags::IN_ROOT | ResolveFlags::NO_MAGICLINKS,
    ) {
        Ok(fd) => Some(Ok(File::from(fd))),
        Err(Errno::NOSYS | Errno::PERM | Errno::AGAIN) => None,
        Err(errno) => Some(Err(errno.into())),
    }
}

fn push_front(pending: &mut VecDeque<Part>, path: &Path) {
    for component in path.components().rev() {
        match component {
            Component::Normal(name) => pending.push_front(Part::Name(name.to_os_string())),
            Component::ParentDir => pending.push_front(Part::Parent),
            Component::RootDir | Component::CurDir | Component::Prefix(_) => {}
        }
    }
}

fn under(root: &Path, parts: &[OsString]) -> PathBuf {
    let mut path = root.to_path_buf();
    path.extend(parts);
    path
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::symlink;

    use super::*;

    /// A root holding `etc/real.conf` and a sentinel file outside it, beside the root.
    struct Machine {
        _outside: tempfile::TempDir,
        root: PathBuf,
        sentinel: PathBuf,
    }

    fn machine() -> Machine {
        let outside = tempfile::tempdir().unwrap();
        let root = outside.path().join("root");
        fs::create_dir_all(root.join("etc")).unwrap();
        fs::write(root.join("etc/real.conf"), "inside\n").unwrap();
        let sentinel = outside.path().join("sentinel.conf");
        fs::write(&sentinel, "outside\n").unwrap();
        Machine {
            _outside: outside,
            root,
            sentinel,
        }
    }

    fn link(machine: &Machine, name: &str, target: impl AsRef<Path>) {
        let path = machine.root.join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        symlink(target, path).unwrap();
    }

    /// Reads through the kernel's walk and through the portable one; they must agree.
    fn read_both(machine: &Machine, path: &str) -> (io::Result<String>, io::Result<String>) {
        let kernel = open(&machine.root, Path::new(path)).and_then(io::read_to_string);
        let walked =
            resolve(&machine.root, Path::new(path), Last::Follow).and_then(fs::read_to_string);
        (kernel, walked)
    }

    fn assert_reads(machine: &Machine, path: &str, want: &str) {
        let (kernel, walked) = read_both(machine, path);
        assert_eq!(kernel.unwrap(), want, "{path} (openat2)");
        assert_eq!(walked.unwrap(), want, "{path} (walk)");
    }

    fn assert_fails(machine: &Machine, path: &str, kind: io::ErrorKind) {
        let (kernel, walked) = read_both(machine, path);
        assert_eq!(kernel.unwrap_err().kind(), kind, "{path} (openat2)");
        assert_eq!(walked.unwrap_err().kind(), kind, "{path} (walk)");
    }

    #[test]
    fn an_absolute_link_is_rerooted() {
        let machine = machine();
        link(&machine, "etc/resolv.conf", "/etc/real.conf");
        assert_reads(&machine, "/etc/resolv.conf", "inside\n");
        // The same absolute name as the sentinel's, which must not be what is read.
        link(&machine, "etc/escape.conf", &machine.sentinel);
        assert_fails(&machine, "/etc/escape.conf", io::ErrorKind::NotFound);
        assert_eq!(
            resolve(&machine.root, Path::new("/etc/escape.conf"), Last::Follow).unwrap(),
            machine
                .root
                .join(machine.sentinel.strip_prefix("/").unwrap())
        );
    }

    #[test]
    fn a_relative_link_cannot_climb_out() {
        let machine = machine();
        link(&machine, "etc/up.conf", "../../../../../../sentinel.conf");
        assert_fails(&machine, "/etc/up.conf", io::ErrorKind::NotFound);
        fs::write(machine.root.join("sentinel.conf"), "root's own\n").unwrap();
        assert_reads(&machine, "/etc/up.conf", "root's own\n");
        link(&machine, "etc/sibling.conf", "./real.conf");
        assert_reads(&machine, "/etc/sibling.conf", "inside\n");
        assert_reads(&machine, "/../../etc/../../etc/real.conf", "inside\n");
    }

    #[test]
    fn a_chain_of_links_is_followed_to_its_end() {
        let machine = machine();
        link(&machine, "a", "/b");
        link(&machine, "b", "etc/c");
        link(&machine, "etc/c", "../etc/./real.conf");
        assert_reads(&machine, "/a", "inside\n");
        assert_eq!(
            resolve(&machine.root, Path::new("/a"), Last::Follow).unwrap(),
            machine.root.join("etc/real.conf")
        );
        assert_eq!(
            resolve(&machine.root, Path::new("/a"), Last::Keep).unwrap(),
            machine.root.join("a")
        );
    }

    #[test]
    fn a_loop_ends_in_eloop() {
        let machine = machine();
        link(&machine, "etc/ping", "pong");
        link(&machine, "etc/pong", "/etc/ping");
        let (kernel, walked) = read_both(&machine, "/etc/ping");
        assert_eq!(kernel.unwrap_err().raw_os_error(), Some(libc::ELOOP));
        assert_eq!(walked.unwrap_err().raw_os_error(), Some(libc::ELOOP));
        // 40 links are followed, as Linux does; the 41st is one too many.
        for index in 0..MAX_SYMLINKS {
            link(
                &machine,
                &format!("hop{index}"),
                format!("hop{}", index + 1),
            );
        }
        link(&machine, &format!("hop{MAX_SYMLINKS}"), "/etc/real.conf");
        assert_reads(&machine, "/hop1", "inside\n");
        let (kernel, walked) = read_both(&machine, "/hop0");
        assert_eq!(kernel.unwrap_err().raw_os_error(), Some(libc::ELOOP));
        assert_eq!(walked.unwrap_err().raw_os_error(), Some(libc::ELOOP));
    }

    #[test]
    fn a_dangling_link_names_a_missing_file_inside_the_root() {
        let machine = machine();
        link(&machine, "etc/nsswitch.conf", "/X");
        assert_fails(&machine, "/etc/nsswitch.conf", io::ErrorKind::NotFound);
        assert_eq!(
            resolve(&machine.root, Path::new("/etc/nsswitch.conf"), Last::Follow).unwrap(),
            machine.root.join("X")
        );
        assert_eq!(
            resolve(&machine.root, Path::new("/missing/dir/file"), Last::Follow).unwrap(),
            machine.root.join("missing/dir/file")
        );
        assert_eq!(
            resolve(&machine.root, Path::new("/missing/../etc"), Last::Follow)
                .unwrap_err()
                .kind(),
            io::ErrorKind::NotFound
        );
    }

    #[test]
    fn a_directory_link_in_the_middle_is_rerooted() {
        let machine = machine();
        fs::create_dir_all(machine.root.join("run/systemd/resolve")).unwrap();
        fs::write(
            machine.root.join("run/systemd/resolve/stub-resolv.conf"),
            "nameserver 127.0.0.53\n",
        )
        .unwrap();
        link(&machine, "var/run", "/run");
        assert_reads(
            &machine,
            "/var/run/systemd/resolve/stub-resolv.conf",
            "nameserver 127.0.0.53\n",
        );
        // A directory link pointing outside by its absolute name stays inside too.
        let outside_dir = machine.sentinel.parent().unwrap().to_path_buf();
        link(&machine, "etc/out", &outside_dir);
        assert_fails(&machine, "/etc/out/sentinel.conf", io::ErrorKind::NotFound);
        let meta = metadata(&machine.root, Path::new("/var/run/systemd")).unwrap();
        assert!(meta.is_dir());
    }
}

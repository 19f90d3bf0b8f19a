//! The only way godiag touches the machine.
//!
//! Every file read, environment variable, command, user id and clock reading goes through
//! [`Host`]. [`RealHost`] reads `/` and the process environment; [`FixtureHost`] reads a
//! directory (`--root DIR`) and an env file, so every check runs the same code on a live
//! machine and on a recorded one. This module does not interpret anything it reads.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)] // the one seam to the OS

mod in_root;
mod input;

pub use input::{
    CONFIG_LIMIT, ENV_FILE_LIMIT, EXECUTABLE_LIMIT, HOSTS_LIMIT, InputRefused, SYSTEM_FILE_LIMIT,
};

use std::collections::BTreeMap;
use std::io::{self, Read};
use std::ops::ControlFlow;
use std::path::{Component, Path, PathBuf};
use std::process::Stdio;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant, SystemTime};

/// What godiag needs to know about a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileMeta {
    /// A directory.
    pub is_dir: bool,
    /// A regular file.
    pub is_file: bool,
    /// Permission bits (`st_mode & 0o7777`).
    pub mode: u32,
    /// Owner.
    pub uid: u32,
    /// Group.
    pub gid: u32,
    /// Size in bytes.
    pub len: u64,
}

/// Who godiag runs as; used to decide whether a directory is writable for this user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserIds {
    /// Effective user id.
    pub uid: u32,
    /// Effective group id and supplementary groups.
    pub gids: Vec<u32>,
}

/// Space on the filesystem holding a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FsUsage {
    /// Total bytes.
    pub total: u64,
    /// Bytes available to an unprivileged user.
    pub available: u64,
    /// Mounted read-only.
    pub read_only: bool,
}

/// A command to run, with an optional replacement environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandLine {
    /// The program, a path or a name looked up on the host's PATH.
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<String>,
    /// When set, the command sees exactly these variables instead of the host's.
    pub env: Option<BTreeMap<String, String>>,
    /// Working directory; the host's current directory when unset.
    pub cwd: Option<PathBuf>,
}

impl CommandLine {
    /// A command with arguments, in the host's environment.
    #[must_use]
    pub fn new(program: impl Into<PathBuf>, args: &[&str]) -> Self {
        Self {
            program: program.into(),
            args: args.iter().map(|arg| (*arg).to_owned()).collect(),
            env: None,
            cwd: None,
        }
    }

    /// Returns the command as a person would type it.
    #[must_use]
    pub fn display(&self) -> String {
        let mut text = self.program.display().to_string();
        for arg in &self.args {
            text.push(' ');
            text.push_str(arg);
        }
        text
    }
}

/// What a finished command printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandOutput {
    /// Exit code; `None` when killed by a signal.
    pub status: Option<i32>,
    /// Standard output.
    pub stdout: Vec<u8>,
    /// Standard error.
    pub stderr: Vec<u8>,
    /// Wall time.
    pub duration: Duration,
}

/// The one seam between godiag and the machine it diagnoses.
pub trait Host: Send + Sync {
    /// Reads a whole regular file of at most `limit` bytes; anything else is refused with
    /// an [`InputRefused`] error (opening never blocks, so a FIFO is refused, not waited on).
    fn read_capped(&self, path: &Path, limit: u64) -> io::Result<Vec<u8>>;
    /// Returns metadata, following symbolic links.
    fn metadata(&self, path: &Path) -> io::Result<FileMeta>;
    /// Returns the entries of a directory as host paths, sorted.
    fn read_dir(&self, path: &Path) -> io::Result<Vec<PathBuf>>;
    /// Resolves symbolic links to a host path.
    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf>;
    /// Returns the target of a symbolic link as written (e.g. `socket:[12345]` for a
    /// `/proc/PID/fd/N` entry), without resolving it.
    fn read_link(&self, path: &Path) -> io::Result<PathBuf>;
    /// Returns an environment variable of the diagnosed process environment.
    fn env_var(&self, name: &str) -> Option<String>;
    /// Returns every environment variable, sorted by name.
    fn env_vars(&self) -> Vec<(String, String)>;
    /// Returns the current directory.
    fn current_dir(&self) -> PathBuf;
    /// Returns who godiag runs as.
    fn user(&self) -> UserIds;
    /// Returns space and read-only state of the filesystem holding `path`.
    fn fs_usage(&self, path: &Path) -> io::Result<FsUsage>;
    /// Runs a command, killing it when `timeout` passes (then `ErrorKind::TimedOut`).
    fn run(&self, command: &CommandLine, timeout: Duration) -> io::Result<CommandOutput>;
    /// Returns the file on this machine's disk that an edit of a host path writes: every
    /// symbolic link followed (inside the root, for a fixture), so the edit replaces the file
    /// and keeps the link. A missing file is returned where it would be created; a link that
    /// names nothing is `NotFound`, so no edit creates a file through a dangling link.
    fn disk_path(&self, path: &Path) -> io::Result<PathBuf>;
    /// Returns the wall clock.
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }

    /// Reads a whole regular file of at most [`CONFIG_LIMIT`] bytes.
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        self.read_capped(path, CONFIG_LIMIT)
    }

    /// Opens a regular file for streaming reads (inputs too large to hold in memory, so
    /// uncapped: the reader caps what it keeps); anything else is refused as by `read`.
    fn open(&self, path: &Path) -> io::Result<Box<dyn Read + Send>> {
        Ok(Box::new(io::Cursor::new(self.read(path)?)))
    }

    /// Reads up to `len` bytes of a file starting at byte `offset` (fewer at the end of the
    /// file, none past it), so a large file's header or one section is read without the rest.
    fn read_range(&self, path: &Path, offset: u64, len: usize) -> io::Result<Vec<u8>> {
        let bytes = self.read(path)?;
        let start = usize::try_from(offset).map_or(bytes.len(), |at| at.min(bytes.len()));
        let end = start.saturating_add(len).min(bytes.len());
        Ok(bytes[start..end].to_vec())
    }

    /// Calls `visit` with each entry of a directory (a host path) in the order the
    /// filesystem lists them, until `visit` breaks: a large directory is read only as far as
    /// needed. `/proc/PID/fd` lists descriptors in ascending order. The default lists the
    /// whole directory first, sorted.
    fn visit_dir(
        &self,
        path: &Path,
        visit: &mut dyn FnMut(&Path) -> ControlFlow<()>,
    ) -> io::Result<()> {
        for entry in self.read_dir(path)? {
            if visit(&entry).is_break() {
                break;
            }
        }
        Ok(())
    }

    /// Reads a whole file as UTF-8 text.
    fn read_to_string(&self, path: &Path) -> io::Result<String> {
        String::from_utf8(self.read(path)?)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "file is not UTF-8 text"))
    }

    /// Finds an executable on the host's PATH, as `exec.LookPath` and shells do.
    fn which(&self, name: &str) -> Option<PathBuf> {
        if name.contains('/') {
            return self
                .is_executable(Path::new(name))
                .then(|| PathBuf::from(name));
        }
        let path = self.env_var("PATH")?;
        path.split(':')
            // An empty PATH element means the current directory (exec.LookPath rejects it
            // since Go 1.19, so godiag does too).
            .filter(|dir| !dir.is_empty())
            .map(|dir| Path::new(dir).join(name))
            .find(|candidate| self.is_executable(candidate))
    }

    /// Returns true for a regular file with an execute bit.
    fn is_executable(&self, path: &Path) -> bool {
        self.metadata(path)
            .is_ok_and(|meta| meta.is_file && meta.mode & 0o111 != 0)
    }
}

/// The machine godiag runs on.
#[derive(Debug, Default, Clone, Copy)]
pub struct RealHost;

impl Host for RealHost {
    fn read_capped(&self, path: &Path, limit: u64) -> io::Result<Vec<u8>> {
        input::read_capped(input::open(path)?, limit)
    }

    fn open(&self, path: &Path) -> io::Result<Box<dyn Read + Send>> {
        let file = input::open(path)?;
        input::require_regular(&file)?;
        Ok(Box::new(file))
    }

    fn read_range(&self, path: &Path, offset: u64, len: usize) -> io::Result<Vec<u8>> {
        read_file_range(path, offset, len)
    }

    fn metadata(&self, path: &Path) -> io::Result<FileMeta> {
        std::fs::metadata(path).map(|meta| file_meta(&meta))
    }

    fn read_dir(&self, path: &Path) -> io::Result<Vec<PathBuf>> {
        let mut entries = std::fs::read_dir(path)?
            .map(|entry| entry.map(|entry| entry.path()))
            .collect::<io::Result<Vec<_>>>()?;
        entries.sort();
        Ok(entries)
    }

    fn visit_dir(
        &self,
        path: &Path,
        visit: &mut dyn FnMut(&Path) -> ControlFlow<()>,
    ) -> io::Result<()> {
        visit_entries(path, visit)
    }

    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        std::fs::canonicalize(path)
    }

    fn read_link(&self, path: &Path) -> io::Result<PathBuf> {
        std::fs::read_link(path)
    }

    fn env_var(&self, name: &str) -> Option<String> {
        std::env::var_os(name).map(|value| value.to_string_lossy().into_owned())
    }

    fn env_vars(&self) -> Vec<(String, String)> {
        let mut vars: Vec<_> = std::env::vars_os()
            .map(|(k, v)| {
                (
                    k.to_string_lossy().into_owned(),
                    v.to_string_lossy().into_owned(),
                )
            })
            .collect();
        vars.sort();
        vars
    }

    fn current_dir(&self) -> PathBuf {
        std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"))
    }

    fn user(&self) -> UserIds {
        // SAFETY: these libc calls take no pointers (getgroups gets a buffer of the size it
        // reported) and cannot fail for the calling process.
        #[allow(unsafe_code)]
        unsafe {
            let uid = libc::geteuid();
            let mut gids = vec![libc::getegid()];
            let count = libc::getgroups(0, std::ptr::null_mut());
            if let Ok(len) = usize::try_from(count) {
                let mut groups = vec![0; len];
                let got = libc::getgroups(count, groups.as_mut_ptr());
                groups.truncate(usize::try_from(got).unwrap_or(0));
                gids.extend(groups);
            }
            UserIds { uid, gids }
        }
    }

    fn fs_usage(&self, path: &Path) -> io::Result<FsUsage> {
        statvfs(path)
    }

    fn run(&self, command: &CommandLine, timeout: Duration) -> io::Result<CommandOutput> {
        run_with_timeout(command, timeout)
    }

    fn disk_path(&self, path: &Path) -> io::Result<PathBuf> {
        match std::fs::symlink_metadata(path) {
            Ok(meta) if meta.file_type().is_symlink() => std::fs::canonicalize(path),
            _ => Ok(path.to_path_buf()),
        }
    }
}

/// A recorded machine: files under a root directory and an environment from an env file.
///
/// Paths are host paths (`/etc/nsswitch.conf`) resolved under the root as chroot(2) would:
/// a symbolic link, absolute or relative, never leads out of it. Commands are not run: a
/// recorded machine has no processes, but a recorded answer in
/// `ROOT/.godiag/commands/NAME ARGS...` (the program's file name and its arguments joined by
/// spaces, `/` written as `_`) is returned as the command's standard output, with the exit status in
/// `NAME ARGS....exit` (0 when absent) and standard error in `NAME ARGS....stderr`. Free space comes
/// from `ROOT/.godiag/statvfs` (lines `MOUNTPOINT TOTAL AVAILABLE [ro]`), since a copy of a
/// machine's files cannot carry it.
#[derive(Debug, Clone)]
pub struct FixtureHost {
    root: PathBuf,
    env: BTreeMap<String, String>,
    uid: u32,
}

impl FixtureHost {
    /// The user id a fixture runs as unless its env file says `GODIAG_FIXTURE_UID`.
    pub const DEFAULT_UID: u32 = 1000;

    /// A fixture with the given root and environment. `GODIAG_FIXTURE_UID` in `env` sets the
    /// user id and is not itself part of the environment.
    #[must_use]
    pub fn new(root: impl Into<PathBuf>, mut env: BTreeMap<String, String>) -> Self {
        let uid = env
            .remove("GODIAG_FIXTURE_UID")
            .and_then(|uid| uid.parse().ok())
            .unwrap_or(Self::DEFAULT_UID);
        Self {
            root: root.into(),
            env,
            uid,
        }
    }

    /// Parses an env file: `NAME=value` lines, `#` comments, no quoting or expansion, so
    /// values (including empty ones) are exactly what the recorded process had.
    #[must_use]
    pub fn parse_env_file(text: &str) -> BTreeMap<String, String> {
        text.lines()
            .filter(|line| !line.trim_start().starts_with('#'))
            .filter_map(|line| line.split_once('='))
            .map(|(name, value)| (name.trim().to_owned(), value.to_owned()))
            .collect()
    }

    /// Returns the disk path a host path names, every symbolic link resolved inside the root.
    fn resolve(&self, path: &Path) -> io::Result<PathBuf> {
        in_root::resolve(&self.root, path, in_root::Last::Follow)
    }

    fn unmap(&self, disk: &Path) -> PathBuf {
        disk.strip_prefix(&self.root)
            .map_or_else(|_| disk.to_path_buf(), |rest| Path::new("/").join(rest))
    }

    /// Reads a recorded command's file, `/.godiag/commands/NAME`.
    fn recorded(&self, name: &str) -> io::Result<Vec<u8>> {
        self.read(&Path::new("/.godiag/commands").join(name))
    }
}

/// Returns `path` as an absolute host path with `.` and `..` applied to its text, the way
/// entries of a directory are named whatever links lead to it.
fn lexical(path: &Path) -> PathBuf {
    let mut normal = PathBuf::from("/");
    for component in path.components() {
        match component {
            Component::Normal(part) => normal.push(part),
            Component::ParentDir => {
                normal.pop();
            }
            Component::RootDir | Component::CurDir | Component::Prefix(_) => {}
        }
    }
    normal
}

impl Host for FixtureHost {
    fn read_capped(&self, path: &Path, limit: u64) -> io::Result<Vec<u8>> {
        input::read_capped(in_root::open(&self.root, path)?, limit)
    }

    fn open(&self, path: &Path) -> io::Result<Box<dyn Read + Send>> {
        let file = in_root::open(&self.root, path)?;
        input::require_regular(&file)?;
        Ok(Box::new(file))
    }

    fn read_range(&self, path: &Path, offset: u64, len: usize) -> io::Result<Vec<u8>> {
        let file = in_root::open(&self.root, path)?;
        input::require_regular(&file)?;
        read_range_of(file, offset, len)
    }

    fn metadata(&self, path: &Path) -> io::Result<FileMeta> {
        let mut meta = file_meta(&in_root::metadata(&self.root, path)?);
        // A checkout is owned by whoever cloned it; a fixture's files belong to its user.
        meta.uid = self.uid;
        meta.gid = self.uid;
        Ok(meta)
    }

    fn read_dir(&self, path: &Path) -> io::Result<Vec<PathBuf>> {
        let named = lexical(path);
        let mut entries = std::fs::read_dir(self.resolve(path)?)?
            .map(|entry| entry.map(|entry| named.join(entry.file_name())))
            .collect::<io::Result<Vec<_>>>()?;
        entries.sort();
        Ok(entries)
    }

    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        let disk = self.resolve(path)?;
        // As realpath(3): the file must exist.
        std::fs::symlink_metadata(&disk)?;
        Ok(self.unmap(&disk))
    }

    fn read_link(&self, path: &Path) -> io::Result<PathBuf> {
        // The recorded link text is the machine's own (`socket:[N]`, `/usr/bin/x`); it is
        // returned as is, never followed on this disk. Links before the last are resolved
        // inside the root.
        std::fs::read_link(in_root::resolve(&self.root, path, in_root::Last::Keep)?)
    }

    fn env_var(&self, name: &str) -> Option<String> {
        self.env.get(name).cloned()
    }

    fn env_vars(&self) -> Vec<(String, String)> {
        self.env
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    fn current_dir(&self) -> PathBuf {
        self.env
            .get("PWD")
            .map_or_else(|| PathBuf::from("/"), PathBuf::from)
    }

    fn user(&self) -> UserIds {
        UserIds {
            uid: self.uid,
            gids: vec![self.uid],
        }
    }

    fn fs_usage(&self, path: &Path) -> io::Result<FsUsage> {
        let table = self.read_to_string(Path::new("/.godiag/statvfs"))?;
        fixture_usage(&table, path).ok_or_else(|| {
            io::Error::new(io::ErrorKind::NotFound, "no statvfs entry in the fixture")
        })
    }

    fn run(&self, command: &CommandLine, _timeout: Duration) -> io::Result<CommandOutput> {
        let program = command
            .program
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let recorded = std::iter::once(program)
            .chain(command.args.iter().cloned())
            .collect::<Vec<_>>()
            .join(" ");
        // A file name cannot hold `/`: arguments with one (URLs, paths) are recorded with `_`.
        let flat = recorded.replace('/', "_");
        let recorded = if self
            .metadata(&Path::new("/.godiag/commands").join(&flat))
            .is_ok_and(|meta| meta.is_file)
        {
            flat
        } else {
            recorded
        };
        match self.recorded(&recorded) {
            Ok(stdout) => Ok(CommandOutput {
                status: Some(
                    self.recorded(&format!("{recorded}.exit"))
                        .ok()
                        .and_then(|code| String::from_utf8(code).ok())
                        .and_then(|code| code.trim().parse().ok())
                        .unwrap_or(0),
                ),
                stdout,
                stderr: self
                    .recorded(&format!("{recorded}.stderr"))
                    .unwrap_or_default(),
                duration: Duration::ZERO,
            }),
            Err(_) => Err(io::Error::new(
                io::ErrorKind::Unsupported,
                format!("a fixture machine runs no commands: {}", command.display()),
            )),
        }
    }

    fn disk_path(&self, path: &Path) -> io::Result<PathBuf> {
        let disk = self.resolve(path)?;
        let named = in_root::resolve(&self.root, path, in_root::Last::Keep)?;
        if disk != named && std::fs::symlink_metadata(&disk).is_err() {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                "the symbolic link names no file",
            ));
        }
        Ok(disk)
    }
}

/// Lists a directory a few entries at a time. std's `read_dir` asks `getdents64` for 32 KiB
/// at once, which for `/proc/PID/fd` makes the kernel build ~1,360 entries (a dentry lookup
/// each, `proc_readfd_common`) before the first can be looked at; 4 KiB holds ~170.
#[cfg(target_os = "linux")]
fn visit_entries(path: &Path, visit: &mut dyn FnMut(&Path) -> ControlFlow<()>) -> io::Result<()> {
    use std::ffi::OsStr;
    use std::mem::MaybeUninit;
    use std::os::unix::ffi::OsStrExt;

    use rustix::fs::{Mode, OFlags, RawDir};

    let dir = rustix::fs::open(
        path,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )?;
    let mut buffer = [MaybeUninit::<u8>::uninit(); 4096];
    let mut entries = RawDir::new(&dir, &mut buffer);
    while let Some(entry) = entries.next() {
        let entry = entry?;
        let name = entry.file_name().to_bytes();
        if name == b"." || name == b".." {
            continue;
        }
        if visit(&path.join(OsStr::from_bytes(name))).is_break() {
            break;
        }
    }
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn visit_entries(path: &Path, visit: &mut dyn FnMut(&Path) -> ControlFlow<()>) -> io::Result<()> {
    for entry in std::fs::read_dir(path)? {
        if visit(&entry?.path()).is_break() {
            break;
        }
    }
    Ok(())
}

/// Reads up to `len` bytes at `offset` of a file on this machine's disk.
fn read_file_range(path: &Path, offset: u64, len: usize) -> io::Result<Vec<u8>> {
    let file = input::open(path)?;
    input::require_regular(&file)?;
    read_range_of(file, offset, len)
}

/// Reads up to `len` bytes at `offset` of an open file.
fn read_range_of(mut file: std::fs::File, offset: u64, len: usize) -> io::Result<Vec<u8>> {
    use std::io::{Seek, SeekFrom};
    file.seek(SeekFrom::Start(offset))?;
    let mut bytes = Vec::with_capacity(len.min(1 << 20));
    file.take(u64::try_from(len).unwrap_or(u64::MAX))
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Picks the longest mount point that contains `path` from a fixture statvfs table.
fn fixture_usage(table: &str, path: &Path) -> Option<FsUsage> {
    table
        .lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let mount = Path::new(fields.next()?);
            let total = fields.next()?.parse().ok()?;
            let available = fields.next()?.parse().ok()?;
            let read_only = fields.next() == Some("ro");
            path.starts_with(mount).then_some((
                mount,
                FsUsage {
                    total,
                    available,
                    read_only,
                },
            ))
        })
        .max_by_key(|(mount, _)| mount.as_os_str().len())
        .map(|(_, usage)| usage)
}

fn file_meta(meta: &std::fs::Metadata) -> FileMeta {
    use std::os::unix::fs::MetadataExt;
    FileMeta {
        is_dir: meta.is_dir(),
        is_file: meta.is_file(),
        mode: meta.mode() & 0o7777,
        uid: meta.uid(),
        gid: meta.gid(),
        len: meta.len(),
    }
}

fn statvfs(path: &Path) -> io::Result<FsUsage> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c_path = CString::new(path.as_os_str().as_bytes())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "path contains NUL"))?;
    // SAFETY: `c_path` is a valid NUL-terminated string and `stat` is a properly sized,
    // zero-initialised out-parameter that statvfs fills.
    #[allow(unsafe_code)]
    let stat = unsafe {
        let mut stat: libc::statvfs = std::mem::zeroed();
        if libc::statvfs(c_path.as_ptr(), &raw mut stat) != 0 {
            return Err(io::Error::last_os_error());
        }
        stat
    };
    let fragment = stat.f_frsize;
    Ok(FsUsage {
        total: stat.f_blocks.saturating_mul(fragment),
        available: stat.f_bavail.saturating_mul(fragment),
        read_only: stat.f_flag & libc::ST_RDONLY != 0,
    })
}

/// Runs a command with its output drained on threads, killing it at the deadline.
fn run_with_timeout(command: &CommandLine, timeout: Duration) -> io::Result<CommandOutput> {
    let started = Instant::now();
    let mut process = std::process::Command::new(&command.program);
    process
        .args(&command.args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(env) = &command.env {
        process.env_clear().envs(env);
    }
    if let Some(cwd) = &command.cwd {
        process.current_dir(cwd);
    }
    let mut child = process.spawn()?;
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let timed_out = |child: &mut std::process::Child| {
        let _ = child.kill();
        let _ = child.wait();
        io::Error::new(
            io::ErrorKind::TimedOut,
            format!(
                "`{}` did not finish within {} ms",
                command.display(),
                timeout.as_millis()
            ),
        )
    };
    // The pipes close when the program exits: waiting for that wakes up at once, where
    // polling for the exit status would add up to a poll interval to every command.
    let left = || timeout.saturating_sub(started.elapsed());
    let Ok(stdout) = stdout.recv_timeout(left()) else {
        return Err(timed_out(&mut child));
    };
    let Ok(stderr) = stderr.recv_timeout(left()) else {
        return Err(timed_out(&mut child));
    };
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if started.elapsed() >= timeout {
            return Err(timed_out(&mut child));
        }
        // It closed its output and has not exited yet: rarely more than an instant.
        thread::sleep(Duration::from_micros(200));
    };
    Ok(CommandOutput {
        status: status.code(),
        stdout,
        stderr,
        duration: started.elapsed(),
    })
}

fn drain(pipe: Option<impl Read + Send + 'static>) -> mpsc::Receiver<Vec<u8>> {
    let (sender, receiver) = mpsc::channel();
    if let Some(mut pipe) = pipe {
        thread::spawn(move || {
            let mut buffer = Vec::new();
            let _ = pipe.read_to_end(&mut buffer);
            let _ = sender.send(buffer);
        });
    } else {
        let _ = sender.send(Vec::new());
    }
    receiver
}

#[cfg(test)]
mod tests {
    use super::*;

    fn missing<T: std::fmt::Debug>(result: io::Result<T>) {
        assert_eq!(result.unwrap_err().kind(), io::ErrorKind::NotFound);
    }

    /// Every method that touches the disk resolves links inside the root: an outside
    /// directory holds a sentinel of each kind under the same names as the root's files.
    #[test]
    fn every_fixture_method_stays_in_the_root() {
        use std::os::unix::fs::{PermissionsExt, symlink};
        let outer = tempfile::tempdir().unwrap();
        let (root, out) = (outer.path().join("root"), outer.path().join("out"));
        let out_name = Path::new("/").join(out.strip_prefix("/").unwrap());
        let write = |path: &Path, text: &str| {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        for (name, text) in [
            ("etc/x.conf", "outside"),
            ("bin/tool", "#!/bin/sh\n"),
            (".godiag/statvfs", "/ 9 9\n"),
            (".godiag/commands/tool", "outside"),
        ] {
            write(&out.join(name), text);
        }
        std::fs::set_permissions(out.join("bin/tool"), PermissionsExt::from_mode(0o755)).unwrap();
        write(&root.join("etc/x.conf"), "inside");
        std::fs::create_dir_all(root.join(".godiag")).unwrap();
        std::fs::create_dir_all(root.join("usr")).unwrap();
        // Absolute links naming the outside directory by its real name, a relative one
        // climbing out, and a directory link in the middle of paths.
        symlink(out_name.join("etc/x.conf"), root.join("etc/abs.conf")).unwrap();
        symlink("../../../../../../../etc/x.conf", root.join("etc/up.conf")).unwrap();
        symlink(out_name.join("etc"), root.join("usr/etc")).unwrap();
        symlink(
            out_name.join(".godiag/statvfs"),
            root.join(".godiag/statvfs"),
        )
        .unwrap();
        symlink(
            out_name.join(".godiag/commands"),
            root.join(".godiag/commands"),
        )
        .unwrap();
        symlink(out_name.join("bin"), root.join("bin")).unwrap();
        let host = FixtureHost::new(&root, BTreeMap::from([("PATH".into(), "/bin".into())]));

        let abs = Path::new("/etc/abs.conf");
        missing(host.read(abs));
        missing(host.open(abs).map(|_| ()));
        missing(host.read_range(abs, 0, 3));
        missing(host.metadata(abs));
        missing(host.canonicalize(abs));
        missing(host.read_dir(Path::new("/usr/etc")));
        missing(host.visit_dir(Path::new("/usr/etc"), &mut |_| ControlFlow::Continue(())));
        missing(host.fs_usage(Path::new("/")));
        assert_eq!(host.read_link(abs).unwrap(), out_name.join("etc/x.conf"));
        assert_eq!(host.read(Path::new("/etc/up.conf")).unwrap(), b"inside");
        assert_eq!(
            host.canonicalize(Path::new("/etc/up.conf")).unwrap(),
            Path::new("/etc/x.conf")
        );
        assert_eq!(
            host.disk_path(Path::new("/etc/up.conf")).unwrap(),
            root.join("etc/x.conf")
        );
        missing(host.disk_path(abs));
        assert!(
            host.disk_path(Path::new("/usr/etc/new.conf"))
                .unwrap()
                .starts_with(&root)
        );
        assert!(host.which("tool").is_none());
        assert!(!host.is_executable(Path::new("/bin/tool")));
        let run = host.run(&CommandLine::new("tool", &[]), Duration::from_secs(1));
        assert_eq!(run.unwrap_err().kind(), io::ErrorKind::Unsupported);

        // The same files put inside the root are found through the same links.
        std::fs::create_dir_all(root.join(out.strip_prefix("/").unwrap())).unwrap();
        let inner = root.join(out.strip_prefix("/").unwrap());
        write(&inner.join("etc/x.conf"), "rerooted");
        write(&inner.join(".godiag/commands/tool"), "recorded");
        assert_eq!(host.read(abs).unwrap(), b"rerooted");
        assert_eq!(
            host.read_dir(Path::new("/usr/etc")).unwrap(),
            [PathBuf::from("/usr/etc/x.conf")]
        );
        let mut visited = Vec::new();
        host.visit_dir(Path::new("/usr/etc"), &mut |entry| {
            visited.push(entry.to_path_buf());
            ControlFlow::Continue(())
        })
        .unwrap();
        assert_eq!(visited, [PathBuf::from("/usr/etc/x.conf")]);
        let output = host
            .run(&CommandLine::new("tool", &[]), Duration::from_secs(1))
            .unwrap();
        assert_eq!(output.stdout, b"recorded");
        assert_eq!(
            host.unmap(&root.join("etc/hosts")),
            PathBuf::from("/etc/hosts")
        );
    }

    #[test]
    fn ranged_reads_agree_with_whole_reads() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("f"), b"0123456789").unwrap();
        let fixture = FixtureHost::new(dir.path(), BTreeMap::new());
        let real_path = dir.path().join("f");
        for (offset, len, want) in [
            (0, 4, &b"0123"[..]),
            (8, 4, b"89"),
            (10, 1, b""),
            (99, 1, b""),
        ] {
            assert_eq!(
                fixture.read_range(Path::new("/f"), offset, len).unwrap(),
                want
            );
            assert_eq!(RealHost.read_range(&real_path, offset, len).unwrap(), want);
        }
        assert!(
            RealHost
                .read_range(&dir.path().join("missing"), 0, 1)
                .is_err()
        );
    }

    #[test]
    fn env_file_keeps_empty_values_and_skips_comments() {
        let env = FixtureHost::parse_env_file("# c\nA=\nB=x=y\n  # d\nC= spaced \n");
        assert_eq!(env.get("A").map(String::as_str), Some(""));
        assert_eq!(env.get("B").map(String::as_str), Some("x=y"));
        assert_eq!(env.get("C").map(String::as_str), Some(" spaced "));
        assert_eq!(env.len(), 3);
    }

    #[test]
    fn fixture_usage_picks_the_deepest_mount() {
        let table = "/ 100 50\n/home 1000 1 ro\n";
        let usage = fixture_usage(table, Path::new("/home/u/.cache")).unwrap();
        assert_eq!(
            (usage.total, usage.available, usage.read_only),
            (1000, 1, true)
        );
        assert_eq!(fixture_usage(table, Path::new("/tmp")).unwrap().total, 100);
    }

    #[test]
    fn ranges_stop_at_the_end_of_the_file() {
        let dir = std::env::temp_dir().join(format!("godiag-range-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("blob"), b"0123456789").unwrap();
        let fixture = FixtureHost::new(&dir, BTreeMap::new());
        let hosts: [(&dyn Host, PathBuf); 2] = [
            (&RealHost, dir.join("blob")),
            (&fixture, PathBuf::from("/blob")),
        ];
        for (host, path) in hosts {
            assert_eq!(host.read_range(&path, 2, 3).unwrap(), b"234");
            assert_eq!(host.read_range(&path, 8, 100).unwrap(), b"89");
            assert_eq!(host.read_range(&path, 20, 4).unwrap(), b"");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn directory_visits_stop_when_asked() {
        let fixture = FixtureHost::new(env!("CARGO_MANIFEST_DIR"), BTreeMap::new());
        let hosts: [(&dyn Host, PathBuf); 2] = [
            (&RealHost, PathBuf::from("/proc/self/fd")),
            (&fixture, PathBuf::from("/src")),
        ];
        for (host, dir) in hosts {
            let all = host.read_dir(&dir).unwrap();
            assert!(all.len() > 2, "{dir:?}: {all:?}");
            let mut seen = Vec::new();
            host.visit_dir(&dir, &mut |entry| {
                seen.push(entry.to_path_buf());
                if seen.len() == 2 {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            })
            .unwrap();
            assert_eq!(seen.len(), 2);
            assert!(seen.iter().all(|entry| all.contains(entry)), "{seen:?}");
        }
    }

    #[test]
    fn directory_visits_see_every_entry_of_a_large_directory() {
        // More entries than one 4 KiB getdents64 buffer holds.
        let dir = std::env::temp_dir().join(format!("godiag-visit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for index in 0..400 {
            std::fs::write(dir.join(format!("entry-with-a-longer-name-{index}")), b"").unwrap();
        }
        let mut seen = Vec::new();
        RealHost
            .visit_dir(&dir, &mut |entry| {
                seen.push(entry.to_path_buf());
                ControlFlow::Continue(())
            })
            .unwrap();
        seen.sort();
        assert_eq!(seen, RealHost.read_dir(&dir).unwrap());
        assert_eq!(seen.len(), 400);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn real_commands_are_killed_at_the_deadline() {
        let command = CommandLine::new("sleep", &["5"]);
        let started = Instant::now();
        let error = RealHost
            .run(&command, Duration::from_millis(100))
            .unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
        assert!(started.elapsed() < Duration::from_secs(2));
    }

    #[test]
    fn real_commands_report_output_and_status() {
        let command = CommandLine::new("sh", &["-c", "echo out; echo err >&2; exit 3"]);
        let output = RealHost.run(&command, Duration::from_secs(5)).unwrap();
        assert_eq!(output.status, Some(3));
        assert_eq!(output.stdout, b"out\n");
        assert_eq!(output.stderr, b"err\n");
    }
}

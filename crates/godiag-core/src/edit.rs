//! Safe file edits: shown as unified diffs, applied atomically with a backup.
//!
//! An edit is planned from what a file held when it was read ([`plan`]) and applied only if
//! the file still holds exactly that ([`apply`]). The new content is written to a temporary
//! file in the same directory, synced, and renamed over the original, so a reader (or a crash)
//! sees either the complete old or the complete new file. The old content is kept in a backup
//! beside it, `NAME.godiag.bak` (then `.1`, `.2`, …), which is never overwritten.
//!
//! This module decides nothing about *what* to change; checks supply the transform. It keeps
//! permission bits and owner, but not extended attributes, ACLs or `SELinux` labels, and like
//! any editor that saves by rename it replaces only this name of a file with several hard
//! links.
// Writing files is what this module is for; every other module reads through `Host`.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

use std::ffi::{OsStr, OsString};
use std::fs::{self, File, Permissions};
use std::io::{self, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};
use similar::TextDiff;
use tempfile::{Builder, NamedTempFile};

use crate::host::Host;

mod merge;

pub use merge::merge;

/// One file edit of a fix, as a unified diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixEdit {
    /// The file to change.
    pub path: PathBuf,
    /// A unified diff from the current content to the new one.
    pub diff: String,
    /// The planned edit behind the diff; not in the report, used by `--fix`.
    #[serde(skip)]
    pub planned: Option<PlannedEdit>,
}

/// Permission bits for a file the edit creates, as `install -m 644` would set them.
const NEW_FILE_MODE: u32 = 0o644;

/// An edit computed from what the file held when it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedEdit {
    /// The file as the user knows it (a host path, not the fixture root).
    pub path: PathBuf,
    /// The bytes the file held when it was read; `None` when it did not exist.
    pub original: Option<Vec<u8>>,
    /// The complete content the file should hold after the edit.
    pub new_content: String,
}

/// Reads `path` through `host` and computes its new content with `transform`.
///
/// `transform` gets the current text, or `None` when the file does not exist. A transform
/// should be idempotent: run again on its own output it returns that output unchanged, so
/// that applying a fix twice is a no-op.
pub fn plan(
    host: &dyn Host,
    path: &Path,
    transform: impl FnOnce(Option<&str>) -> String,
) -> Result<PlannedEdit, EditError> {
    let original = match host.read(path) {
        Ok(bytes) => Some(bytes),
        Err(error) if error.kind() == io::ErrorKind::NotFound => None,
        Err(source) => {
            return Err(EditError::Read {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    let text = match original.as_deref().map(std::str::from_utf8) {
        None => None,
        Some(Ok(text)) => Some(text),
        Some(Err(_)) => {
            return Err(EditError::NotUtf8 {
                path: path.to_path_buf(),
            });
        }
    };
    let new_content = transform(text);
    Ok(PlannedEdit {
        path: path.to_path_buf(),
        original,
        new_content,
    })
}

impl PlannedEdit {
    /// Returns true when the file already holds the new content, so applying writes nothing.
    ///
    /// Creating a missing file is never a no-op, even with empty content: the file's existence
    /// can matter to whoever reads it.
    #[must_use]
    pub fn is_noop(&self) -> bool {
        self.original.as_deref() == Some(self.new_content.as_bytes())
    }

    /// Returns the edit as a unified diff with 3 lines of context; empty for a no-op.
    ///
    /// Headers are `--- a/PATH` and `+++ b/PATH` with the path's leading `/` dropped, as git
    /// writes them, so `patch -p1 -d /` applies the diff; a new file's old side is `/dev/null`.
    #[must_use]
    pub fn diff(&self) -> String {
        let old = self.original.as_deref().map(String::from_utf8_lossy);
        let relative = relative_display(&self.path);
        let old_header = if old.is_some() {
            format!("a/{relative}")
        } else {
            "/dev/null".into()
        };
        let new_header = format!("b/{relative}");
        TextDiff::from_lines(old.as_deref().unwrap_or(""), self.new_content.as_str())
            .unified_diff()
            .context_radius(3)
            .header(&old_header, &new_header)
            .to_string()
    }

    /// Returns the edit as it appears in a finding's fix: the diff, the new content and the
    /// edit itself, which `--fix` applies so that a file changed since is refused.
    #[must_use]
    pub fn to_fix_edit(&self) -> FixEdit {
        FixEdit {
            path: self.path.clone(),
            diff: self.diff(),
            planned: Some(self.clone()),
        }
    }
}

/// What [`apply`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// The file already held the new content; nothing was written.
    Unchanged,
    /// The new content replaced the file.
    Written {
        /// Where the old content was saved on disk; `None` when the edit created the file.
        backup: Option<PathBuf>,
    },
}

/// Why an edit could not be planned or applied; the file is then as it was.
#[derive(thiserror::Error, Debug)]
#[non_exhaustive]
pub enum EditError {
    /// Reading the file failed.
    #[error("cannot read `{path}`")]
    Read {
        /// The file: its host path when planning, its path on disk when applying.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// The file is not UTF-8 text, so no text edit applies to it.
    #[error("`{path}` is not UTF-8 text")]
    NotUtf8 {
        /// The file, as a host path.
        path: PathBuf,
    },
    /// The path names no file (it is `/` or ends in `..`).
    #[error("`{path}` does not name a file")]
    NotAFile {
        /// The path, as a host path.
        path: PathBuf,
    },
    /// The file changed, appeared or disappeared since the edit was planned.
    #[error("`{path}` changed since godiag read it")]
    Changed {
        /// The file, as a host path.
        path: PathBuf,
    },
    /// Resolving the symbolic links of the path failed (the last may dangle, or they loop).
    #[error("cannot resolve the symbolic links of `{path}`")]
    Resolve {
        /// The file, as a host path.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// Writing the new content to a temporary file failed.
    #[error("cannot write a temporary file for `{path}`")]
    Write {
        /// The file being edited, on disk.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// Giving the new file the original's owner or permission bits failed.
    #[error("cannot give `{path}` the original's owner and mode")]
    Permissions {
        /// The file being written, on disk.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// Saving the old content beside the file failed.
    #[error("cannot back up `{path}`")]
    Backup {
        /// The file being edited, on disk.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// Renaming the new content over the file failed.
    #[error("cannot replace `{path}`")]
    Replace {
        /// The file being edited, on disk.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// Syncing the directory failed after the rename: the new content is in place and the
    /// backup written, but a crash now might lose the rename.
    #[error("cannot sync the directory `{path}`")]
    Sync {
        /// The directory, on disk.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
}

/// Replaces the file with the edit's new content, atomically and with a backup.
///
/// Refuses with [`EditError::Changed`] when the file no longer holds what the edit was
/// planned from. A symbolic link is followed, and the file it points to is edited, so the
/// link survives; for a fixture, links resolve inside its root ([`Host::disk_path`]), so the
/// edit and its backup stay there. On any error the file is left as it was.
pub fn apply(host: &dyn Host, edit: &PlannedEdit) -> Result<Applied, EditError> {
    apply_with(host, edit, &mut |_| {})
}

/// Puts `content` (a binary, such as a shared library) at `path`, atomically and with a
/// backup of a different file already there, as [`apply`] does for text: nothing is written
/// when the file already holds `content`. A new file gets mode 0644.
pub fn install_bytes(host: &dyn Host, path: &Path, content: &[u8]) -> Result<Applied, EditError> {
    let (target, dir, name) = split_target(host, path)?;
    let original = match fs::read(&target) {
        Ok(bytes) => Some(bytes),
        Err(error) if error.kind() == io::ErrorKind::NotFound => None,
        Err(source) => {
            return Err(EditError::Read {
                path: target,
                source,
            });
        }
    };
    if original.as_deref() == Some(content) {
        return Ok(Applied::Unchanged);
    }
    fs::create_dir_all(&dir).map_err(|source| write_error(target.clone(), source))?;
    let ownership = Ownership {
        mode: NEW_FILE_MODE,
        owner: None,
    };
    let temp = write_synced(&dir, &name, content, ownership, &target, write_error)?;
    let mut backup = BackupGuard(None);
    if let Some(original) = &original {
        backup.0 = Some(write_backup(&dir, &name, original, ownership, &target)?);
    }
    temp.persist(&target).map_err(|error| EditError::Replace {
        path: target.clone(),
        source: error.error,
    })?;
    let backup = backup.0.take();
    sync_dir(&dir).map_err(|source| EditError::Sync { path: dir, source })?;
    Ok(Applied::Written { backup })
}

/// Removes the file at `path`, keeping its content in a backup beside it first; a missing
/// file is [`Applied::Unchanged`].
pub fn remove_with_backup(host: &dyn Host, path: &Path) -> Result<Applied, EditError> {
    let (target, dir, name) = split_target(host, path)?;
    let original = match fs::read(&target) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Applied::Unchanged),
        Err(source) => {
            return Err(EditError::Read {
                path: target,
                source,
            });
        }
    };
    let ownership = Ownership {
        mode: NEW_FILE_MODE,
        owner: None,
    };
    let backup = write_backup(&dir, &name, &original, ownership, &target)?;
    fs::remove_file(&target).map_err(|source| write_error(target.clone(), source))?;
    sync_dir(&dir).map_err(|source| EditError::Sync { path: dir, source })?;
    Ok(Applied::Written {
        backup: Some(backup),
    })
}

/// The file on disk for `path`, its directory and its name.
fn split_target(host: &dyn Host, path: &Path) -> Result<(PathBuf, PathBuf, OsString), EditError> {
    let target = host.disk_path(path).map_err(|source| EditError::Resolve {
        path: path.to_path_buf(),
        source,
    })?;
    match (target.parent(), target.file_name()) {
        (Some(dir), Some(name)) => {
            let (dir, name) = (dir.to_path_buf(), name.to_os_string());
            Ok((target, dir, name))
        }
        _ => Err(EditError::NotAFile {
            path: path.to_path_buf(),
        }),
    }
}

/// A point in [`apply_with`] where a test can look, or make the process die.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// The new content is synced in a temporary file beside the original.
    TempWritten,
    /// The backup is synced beside the original (not reached when creating a file).
    BackupWritten,
    /// About to compare the file once more and rename.
    BeforeRename,
    /// The new content has replaced the original.
    Renamed,
}

/// Owner and permission bits the new file gets.
#[derive(Debug, Clone, Copy)]
struct Ownership {
    mode: u32,
    /// `None` for a new file, which belongs to whoever runs godiag.
    owner: Option<(u32, u32)>,
}

/// [`apply`], calling `hook` at each [`Stage`].
fn apply_with(
    host: &dyn Host,
    edit: &PlannedEdit,
    hook: &mut dyn FnMut(Stage),
) -> Result<Applied, EditError> {
    let target = host
        .disk_path(&edit.path)
        .map_err(|source| EditError::Resolve {
            path: edit.path.clone(),
            source,
        })?;
    let (Some(dir), Some(name)) = (target.parent(), target.file_name()) else {
        return Err(EditError::NotAFile {
            path: edit.path.clone(),
        });
    };
    // A bare name (`godiag lint c2.yaml`) has the empty path as its parent, which no
    // directory call accepts; it means the current directory.
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let (dir, name) = (dir.to_path_buf(), name.to_os_string());
    let ownership = ensure_unchanged(edit, &target)?;
    if edit.is_noop() {
        return Ok(Applied::Unchanged);
    }
    if edit.original.is_none() {
        fs::create_dir_all(&dir).map_err(|source| EditError::Write {
            path: target.clone(),
            source,
        })?;
    }
    let temp = write_synced(
        &dir,
        &name,
        edit.new_content.as_bytes(),
        ownership,
        &target,
        write_error,
    )?;
    hook(Stage::TempWritten);
    // Dropping the guard removes the backup: it is only worth keeping once the original is
    // replaced, and a left-over one would push the next backup to a higher number.
    let mut backup = BackupGuard(None);
    if let Some(original) = &edit.original {
        backup.0 = Some(write_backup(&dir, &name, original, ownership, &target)?);
        sync_dir(&dir).map_err(|source| EditError::Backup {
            path: target.clone(),
            source,
        })?;
        hook(Stage::BackupWritten);
    }
    hook(Stage::BeforeRename);
    // Another writer may have come between the first comparison and now; this narrows the
    // window to the rename itself, which POSIX gives no way to make conditional.
    ensure_unchanged(edit, &target)?;
    temp.persist(&target).map_err(|error| EditError::Replace {
        path: target.clone(),
        source: error.error,
    })?;
    let backup = backup.0.take();
    hook(Stage::Renamed);
    // rename(2) is atomic but not durable until the directory entry reaches the disk
    // (fsync(2), "Calling fsync() does not necessarily ensure that the entry in the directory
    // containing the file has also reached disk").
    sync_dir(&dir).map_err(|source| EditError::Sync {
        path: dir.clone(),
        source,
    })?;
    Ok(Applied::Written { backup })
}

/// Compares the file on disk with what the edit was planned from, and returns the owner and
/// mode the replacement should have.
fn ensure_unchanged(edit: &PlannedEdit, target: &Path) -> Result<Ownership, EditError> {
    let changed = || EditError::Changed {
        path: edit.path.clone(),
    };
    let read_error = |source| EditError::Read {
        path: target.to_path_buf(),
        source,
    };
    let Some(original) = &edit.original else {
        return match fs::symlink_metadata(target) {
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(Ownership {
                mode: NEW_FILE_MODE,
                owner: None,
            }),
            Err(source) => Err(read_error(source)),
            Ok(_) => Err(changed()),
        };
    };
    // Open once and take both the content and the metadata from the same file, so the mode
    // cannot come from a file that replaced the one compared.
    let mut file = match File::open(target) {
        Ok(file) => file,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Err(changed()),
        Err(source) => return Err(read_error(source)),
    };
    let meta = file.metadata().map_err(read_error)?;
    let mut current = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    io::Read::read_to_end(&mut file, &mut current).map_err(read_error)?;
    if current != *original {
        return Err(changed());
    }
    Ok(Ownership {
        mode: meta.mode() & 0o7777,
        owner: Some((meta.uid(), meta.gid())),
    })
}

/// Writes `content` to a new temporary file in `dir` with the given owner and mode, synced to
/// disk, naming `target` in errors: `failed` wraps an I/O error. The file is removed when the
/// handle drops unless it is persisted.
fn write_synced(
    dir: &Path,
    name: &OsStr,
    content: &[u8],
    ownership: Ownership,
    target: &Path,
    failed: fn(PathBuf, io::Error) -> EditError,
) -> Result<NamedTempFile, EditError> {
    let failed = |source| failed(target.to_path_buf(), source);
    // A leading dot and a recognisable suffix: if godiag dies here the stray file is hidden
    // and obviously godiag's.
    let mut prefix = OsString::from(".");
    prefix.push(name);
    prefix.push(".");
    let mut temp = Builder::new()
        .prefix(&prefix)
        .suffix(".godiag.tmp")
        .tempfile_in(dir)
        .map_err(failed)?;
    temp.write_all(content).map_err(failed)?;
    set_ownership(temp.as_file(), ownership).map_err(|source| EditError::Permissions {
        path: target.to_path_buf(),
        source,
    })?;
    temp.as_file().sync_all().map_err(failed)?;
    Ok(temp)
}

/// Gives `file` the owner, then the mode: chown(2) clears set-user-ID and set-group-ID bits,
/// so the mode must come second.
fn set_ownership(file: &File, ownership: Ownership) -> io::Result<()> {
    if let Some((uid, gid)) = ownership.owner {
        let meta = file.metadata()?;
        // Skipped when it already matches, the usual case: giving a file to another user
        // needs privilege (chown(2)).
        if (meta.uid(), meta.gid()) != (uid, gid) {
            std::os::unix::fs::fchown(file, Some(uid), Some(gid))?;
        }
    }
    file.set_permissions(Permissions::from_mode(ownership.mode))
}

/// Writes `original` to the first free name of `NAME.godiag.bak`, `NAME.godiag.bak.1`, … in
/// `dir`, and returns that name.
fn write_backup(
    dir: &Path,
    name: &OsStr,
    original: &[u8],
    ownership: Ownership,
    target: &Path,
) -> Result<PathBuf, EditError> {
    let mut temp = write_synced(dir, name, original, ownership, target, backup_error)?;
    for number in 0..=u32::MAX {
        let mut backup_name = name.to_os_string();
        backup_name.push(".godiag.bak");
        if number > 0 {
            backup_name.push(format!(".{number}"));
        }
        let backup = dir.join(backup_name);
        // persist_noclobber fails with AlreadyExists rather than replace a file (renameat2
        // RENAME_NOREPLACE, or link(2) where that is missing), so no earlier backup is lost,
        // even to a concurrent godiag.
        match temp.persist_noclobber(&backup) {
            Ok(_) => return Ok(backup),
            Err(error) if error.error.kind() == io::ErrorKind::AlreadyExists => temp = error.file,
            Err(error) => {
                return Err(EditError::Backup {
                    path: target.to_path_buf(),
                    source: error.error,
                });
            }
        }
    }
    Err(EditError::Backup {
        path: target.to_path_buf(),
        source: io::ErrorKind::AlreadyExists.into(),
    })
}

fn write_error(path: PathBuf, source: io::Error) -> EditError {
    EditError::Write { path, source }
}

fn backup_error(path: PathBuf, source: io::Error) -> EditError {
    EditError::Backup { path, source }
}

/// Removes a backup that was written for an edit that did not happen.
struct BackupGuard(Option<PathBuf>);

impl Drop for BackupGuard {
    fn drop(&mut self) {
        if let Some(backup) = self.0.take() {
            // Best effort: the edit already failed with a better error than this one.
            let _ = fs::remove_file(backup);
        }
    }
}

/// Flushes a directory's entries (a rename or a new name in it) to disk.
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Returns a host path without its leading `/`, for diff headers.
fn relative_display(path: &Path) -> String {
    let relative: PathBuf = path
        .components()
        .filter(|component| !matches!(component, Component::RootDir | Component::Prefix(_)))
        .collect();
    relative.display().to_string()
}

#[cfg(test)]
mod tests;

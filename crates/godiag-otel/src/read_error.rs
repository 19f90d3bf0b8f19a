//! Why a file given to `godiag lint` could not be read, and what fixes that: a read failure
//! is about the path or its permissions, never about the file's content.

use std::fmt;
use std::io;
use std::path::Path;

use godiag_core::host::InputRefused;

/// A failed read of a linted file. The kind is kept because it decides the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    /// What went wrong, in the OS's terms.
    pub kind: io::ErrorKind,
    /// The error as the OS reported it.
    pub message: String,
    /// Set when godiag itself refused the file: not regular, or too large.
    pub refused: Option<InputRefused>,
}

impl ReadError {
    /// Keeps what matters of an I/O error.
    #[must_use]
    pub fn new(error: &io::Error) -> Self {
        Self {
            kind: error.kind(),
            message: error.to_string(),
            refused: InputRefused::of(error),
        }
    }

    /// Says how to fix this failure for `path`: check the path, the permissions, or name a
    /// file instead of a directory.
    #[must_use]
    pub fn fix(&self, path: &Path) -> String {
        let shown = path.display();
        match self.refused {
            Some(InputRefused::NotRegular { .. }) => {
                return format!(
                    "Give godiag the config file itself: `{shown}` is not a regular file \
                     (`ls -l {shown}`), and reading it could block or never end. To lint \
                     what a pipe carries, save it to a file first."
                );
            }
            Some(InputRefused::TooLarge { .. }) => {
                return format!(
                    "Check that `{shown}` is the config (`ls -l {shown}`): no Collector or \
                     sampling config comes near this size (docs/limits.md)."
                );
            }
            _ => {}
        }
        match self.kind {
            io::ErrorKind::NotFound => {
                let parent = path
                    .parent()
                    .filter(|parent| !parent.as_os_str().is_empty())
                    .unwrap_or_else(|| Path::new("."));
                format!(
                    "Check the path: `{shown}` does not exist (`ls -l {}` lists what is there). \
                     Then run `godiag lint` on the file the process is really given.",
                    parent.display()
                )
            }
            io::ErrorKind::PermissionDenied => format!(
                "Check the permissions: this user may not read `{shown}` (`ls -l {shown}` shows \
                 its owner and mode). Run godiag as a user who can, e.g. `sudo godiag lint \
                 {shown}`."
            ),
            io::ErrorKind::IsADirectory => {
                format!("`{shown}` is a directory: name the file inside it.")
            }
            _ => format!("Check that `{shown}` is a readable file: `ls -l {shown}`."),
        }
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fix_for(kind: io::ErrorKind, path: &str) -> String {
        ReadError::new(&io::Error::from(kind)).fix(Path::new(path))
    }

    #[test]
    fn the_fix_follows_the_failure() {
        let missing = fix_for(io::ErrorKind::NotFound, "/etc/otelcol/config.yaml");
        assert!(missing.starts_with("Check the path"), "{missing}");
        assert!(missing.contains("`ls -l /etc/otelcol`"), "{missing}");
        let denied = fix_for(io::ErrorKind::PermissionDenied, "/etc/otelcol/config.yaml");
        assert!(denied.starts_with("Check the permissions"), "{denied}");
        assert!(
            fix_for(io::ErrorKind::IsADirectory, "/etc").contains("is a directory"),
            "a directory needs a file named"
        );
        for fix in [missing, denied] {
            assert!(
                !fix.contains("YAML"),
                "a read failure is not a YAML error: {fix}"
            );
        }
    }

    #[test]
    fn a_bare_file_name_lists_the_current_directory() {
        assert!(fix_for(io::ErrorKind::NotFound, "config.yaml").contains("`ls -l .`"));
    }
}

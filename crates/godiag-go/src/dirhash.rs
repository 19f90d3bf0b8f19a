//! The `h1:` hashes of go.sum and the module cache's `.ziphash` files.
//!
//! golang.org/x/mod/sumdb/dirhash `Hash1`: the names are sorted, each file contributes a
//! line `<hex sha256 of its content>  <name>\n`, and the hash is `h1:` plus the base64 of
//! the sha256 of those lines. `HashZip` hashes a module zip's entries under their full
//! names (`example.com/m@v1.0.0/go.mod`). Pure functions over bytes; [`zip`] reads the
//! archive.

pub mod zip;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use base64::Engine as _;
use sha2::{Digest, Sha256};

pub use zip::ZipError;

/// Why a set of files cannot be hashed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HashError {
    /// A name holds a newline (dirhash refuses them).
    #[error("dirhash: filenames with newlines are not supported")]
    Newline,
    /// The zip archive could not be read (archive/zip's message).
    #[error(transparent)]
    Zip(#[from] ZipError),
}

/// `Hash1` over `(name, content)` pairs; for equal names the last content counts, as a map
/// from name to file does in `HashZip`.
pub fn hash1<'a>(
    files: impl IntoIterator<Item = (&'a str, &'a [u8])>,
) -> Result<String, HashError> {
    let mut names: Vec<&str> = Vec::new();
    let mut contents: BTreeMap<&str, &[u8]> = BTreeMap::new();
    for (name, content) in files {
        names.push(name);
        contents.insert(name, content);
    }
    names.sort_unstable();
    let mut summary = String::new();
    for name in names {
        if name.contains('\n') {
            return Err(HashError::Newline);
        }
        let digest = Sha256::digest(contents.get(name).copied().unwrap_or_default());
        for byte in digest {
            let _ = write!(summary, "{byte:02x}");
        }
        let _ = writeln!(summary, "  {name}");
    }
    let digest = Sha256::digest(summary.as_bytes());
    Ok(format!(
        "h1:{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    ))
}

/// `HashZip`: the `h1:` hash of a module zip's entries.
pub fn hash_zip(archive: &[u8]) -> Result<String, HashError> {
    let entries = zip::entries(archive)?;
    hash1(
        entries
            .iter()
            .map(|entry| (entry.name.as_str(), entry.data.as_slice())),
    )
}

/// The go.sum hash of a go.mod file (`Hash1` over the one file `go.mod`).
#[must_use]
pub fn go_mod_hash(data: &[u8]) -> String {
    hash1([("go.mod", data)]).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_mod_hash_matches_the_go_command() {
        // `go mod download -json` reported this GoModSum for this go.mod text.
        assert_eq!(
            go_mod_hash(b"module example.com/hello\n"),
            "h1:fpu2YBs8Cn+uPELS7pdczZmF9hlK1PibTkwahffYMfo="
        );
    }

    #[test]
    fn names_are_sorted_and_newlines_refused() {
        let a = hash1([("b", &b"2"[..]), ("a", b"1")]).unwrap();
        let b = hash1([("a", &b"1"[..]), ("b", b"2")]).unwrap();
        assert_eq!(a, b);
        assert_eq!(hash1([("a\nb", &b""[..])]), Err(HashError::Newline));
    }
}

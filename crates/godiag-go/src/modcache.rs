//! What the module cache already holds for one module version, and what the go command
//! makes of it.
//!
//! cmd/go/internal/modfetch/fetch.go: `DownloadZip` makes no request when both
//! `cache/download/<path>/@v/<version>.zip` and `.ziphash` exist; a zip without its
//! `.ziphash` is hashed again (`hashZip`) without downloading, and fails if the zip cannot
//! be read; a `.ziphash` that is not a well-formed sum is recomputed (`checkMod`), while a
//! well-formed one is trusted as it is. `DownloadDir` treats an extracted directory with a
//! `.partial` file beside the zip as unfinished and extracts again. A `.lock` file is left
//! beside every downloaded version (lockedfile never removes it) and means nothing.
//!
//! The layout itself ([`download_dir`], [`version_stem`], [`extracted_dir`],
//! [`vcs_work_dir`]) is the go command's, so a fetch, a check and a proxy all name the same
//! files. Paths are GOMODCACHE-relative text, as `go env GOMODCACHE` prints it.

use std::fmt::Write as _;
use std::path::Path;

use godiag_core::host::Host;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::{dirhash, escape};

/// What is wrong with a cached version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum CacheProblem {
    /// The zip is there without its `.ziphash`: the go command hashes the zip again.
    ZiphashMissing,
    /// The `.ziphash` is not a well-formed `h1:` sum: the go command recomputes it.
    ZiphashMalformed {
        /// What the file holds.
        recorded: String,
    },
    /// The `.ziphash` is well formed but is not the zip's hash: the go command trusts the
    /// recorded hash and uses the zip anyway (or fails against go.sum or the database).
    HashMismatch {
        /// What `.ziphash` says.
        recorded: String,
        /// The zip's own `h1:` hash.
        actual: String,
    },
    /// The zip cannot be read.
    ZipUnreadable {
        /// archive/zip's error.
        error: String,
    },
    /// An extraction was interrupted (`.partial`): the go command extracts again.
    Partial,
}

impl CacheProblem {
    /// True when the go command repairs this itself on its next download.
    #[must_use]
    pub fn self_healing(&self) -> bool {
        matches!(
            self,
            Self::ZiphashMissing | Self::ZiphashMalformed { .. } | Self::Partial
        )
    }
}

/// The cache files of one version (`.go.fetch.module_cache`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CacheEntry {
    /// `$GOMODCACHE/cache/download/<escaped path>/@v/<escaped version>` (add `.zip`...).
    pub stem: String,
    /// `$GOMODCACHE/<escaped path>@<escaped version>`, the extracted tree.
    pub extracted_dir: String,
    /// Which files exist.
    pub info: bool,
    /// The `.mod` file exists.
    #[serde(rename = "mod")]
    pub go_mod: bool,
    /// The `.zip` file exists.
    pub zip: bool,
    /// The `.ziphash` file's content (trimmed), when it exists.
    pub ziphash: Option<String>,
    /// The zip's `h1:` hash, when the zip exists and could be read.
    pub zip_hash: Option<String>,
    /// A `.partial` file exists.
    pub partial: bool,
    /// The extracted directory exists.
    pub extracted: bool,
    /// What is wrong, if anything.
    pub problems: Vec<CacheProblem>,
}

impl CacheEntry {
    /// True when `DownloadZip` makes no request: the zip and its `.ziphash` are there.
    #[must_use]
    pub fn zip_cached(&self) -> bool {
        self.zip && self.ziphash.is_some()
    }

    /// The error the go command ends with when the cached zip is there but cannot be
    /// used (`module_version` is `MODULE@VERSION`), as it prints it after `go: `:
    /// `DownloadZip` hashing it again (`hashZip`), `checkMod` refusing or re-hashing the
    /// `.ziphash`, or `unzip` extracting it when no complete extracted tree exists.
    #[must_use]
    pub fn zip_error(&self, module_version: &str) -> Option<String> {
        if !self.zip {
            return None;
        }
        let unreadable = self.problems.iter().find_map(|problem| match problem {
            CacheProblem::ZipUnreadable { error } => Some(error.as_str()),
            _ => None,
        });
        let hashing = match &self.ziphash {
            None => unreadable.map(str::to_owned),
            Some(recorded) if !is_valid_sum(recorded) => {
                unreadable.map(|error| format!("verifying {module_version}: {error}"))
            }
            Some(recorded) if !recorded.starts_with("h1:") => Some(format!(
                "verifying {module_version}: unexpected ziphash: {recorded:?}"
            )),
            Some(_) => None,
        };
        hashing.or_else(|| {
            let extracts = !self.extracted || self.partial;
            unreadable
                .filter(|_| extracts)
                .map(|error| format!("unzip {}.zip: {error}", self.stem))
        })
    }
}

/// `$GOMODCACHE/cache/download`, where downloaded versions are kept (modfetch `cacheDir`
/// joined with `cache/download`).
#[must_use]
pub fn download_dir(gomodcache: &str) -> String {
    format!("{}/cache/download", gomodcache.trim_end_matches('/'))
}

/// `<download_dir>/<escaped path>/@v/<escaped version>`: the files of one version without
/// their extension (`.info`, `.mod`, `.zip`, `.ziphash`, `.partial`, `.lock`), as modfetch
/// `CachePath` names them; `None` when the path or version cannot be escaped.
#[must_use]
pub fn version_stem(download_dir: &str, module: &str, version: &str) -> Option<String> {
    let path = escape::escape_path(module).ok()?;
    let version = escape::escape_version(version).ok()?;
    Some(format!("{download_dir}/{path}/@v/{version}"))
}

/// `$GOMODCACHE/<escaped path>@<escaped version>`: the extracted tree (modfetch
/// `DownloadDir`); `None` when the path or version cannot be escaped.
#[must_use]
pub fn extracted_dir(gomodcache: &str, module: &str, version: &str) -> Option<String> {
    let path = escape::escape_path(module).ok()?;
    let version = escape::escape_version(version).ok()?;
    Some(format!(
        "{}/{path}@{version}",
        gomodcache.trim_end_matches('/')
    ))
}

/// `$GOMODCACHE/cache/vcs/<sha256 of "KIND:REMOTE" in hex>`: the work directory the go
/// command keeps for a repository (codehost `WorkDir`; `kind` is `git3` for git).
#[must_use]
pub fn vcs_work_dir(gomodcache: &str, kind: &str, remote: &str) -> String {
    let digest = Sha256::digest(format!("{kind}:{remote}").as_bytes());
    let hex = digest.iter().fold(String::new(), |mut hex, b| {
        let _ = write!(hex, "{b:02x}");
        hex
    });
    format!("{}/cache/vcs/{hex}", gomodcache.trim_end_matches('/'))
}

/// Looks at the cache files of `module@version` under `gomodcache`; `None` when the path
/// or version cannot be escaped.
#[must_use]
pub fn inspect(
    host: &dyn Host,
    gomodcache: &str,
    module: &str,
    version: &str,
) -> Option<CacheEntry> {
    let stem = version_stem(&download_dir(gomodcache), module, version)?;
    let extracted_dir = extracted_dir(gomodcache, module, version)?;
    let exists = |suffix: &str| {
        host.metadata(Path::new(&format!("{stem}.{suffix}")))
            .is_ok()
    };
    let ziphash = host
        .read(Path::new(&format!("{stem}.ziphash")))
        .ok()
        .map(|bytes| String::from_utf8_lossy(&bytes).trim().to_owned());
    // golang.org/x/mod/zip's MaxZipFile: the go command refuses larger module zips.
    let zip = host
        .read_capped(Path::new(&format!("{stem}.zip")), 500 << 20)
        .ok();
    let hashed = zip.as_deref().map(dirhash::hash_zip);
    let mut entry = CacheEntry {
        info: exists("info"),
        go_mod: exists("mod"),
        zip: zip.is_some(),
        zip_hash: hashed.clone().and_then(Result::ok),
        partial: exists("partial"),
        extracted: host
            .metadata(Path::new(&extracted_dir))
            .is_ok_and(|meta| meta.is_dir),
        ziphash,
        stem,
        extracted_dir,
        problems: Vec::new(),
    };
    entry.problems = problems(&entry, hashed.and_then(Result::err).map(|e| e.to_string()));
    Some(entry)
}

/// Decides what is wrong from what exists.
fn problems(entry: &CacheEntry, zip_error: Option<String>) -> Vec<CacheProblem> {
    let mut out = Vec::new();
    if let Some(error) = zip_error {
        out.push(CacheProblem::ZipUnreadable { error });
    }
    match (&entry.ziphash, entry.zip) {
        (None, true) => out.push(CacheProblem::ZiphashMissing),
        (Some(recorded), true) if !is_valid_sum(recorded) => {
            out.push(CacheProblem::ZiphashMalformed {
                recorded: recorded.clone(),
            });
        }
        (Some(recorded), true) => {
            if let Some(actual) = &entry.zip_hash
                && actual != recorded
            {
                out.push(CacheProblem::HashMismatch {
                    recorded: recorded.clone(),
                    actual: actual.clone(),
                });
            }
        }
        _ => {}
    }
    if entry.partial {
        out.push(CacheProblem::Partial);
    }
    out
}

/// fetch.go `isValidSum`: no NUL, and exactly the length of `h1:` plus a base64 sha256.
#[must_use]
pub fn is_valid_sum(text: &str) -> bool {
    !text.contains('\0') && text.len() == "h1:".len() + 44
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> CacheEntry {
        CacheEntry {
            stem: "/m/cache/download/x.example/@v/v1.0.0".into(),
            extracted_dir: "/m/x.example@v1.0.0".into(),
            info: true,
            go_mod: true,
            zip: true,
            ziphash: Some(format!("h1:{}", "A".repeat(43) + "=")),
            zip_hash: Some(format!("h1:{}", "A".repeat(43) + "=")),
            partial: false,
            extracted: true,
            problems: Vec::new(),
        }
    }

    #[test]
    fn layout_is_the_go_commands() {
        assert_eq!(download_dir("/m/"), "/m/cache/download");
        // Upper case is escaped as `!` + lower case in paths and versions alike.
        assert_eq!(
            version_stem(
                "/m/cache/download",
                "github.com/BurntSushi/toml",
                "v1.0.0-RC1"
            )
            .as_deref(),
            Some("/m/cache/download/github.com/!burnt!sushi/toml/@v/v1.0.0-!r!c1")
        );
        assert_eq!(
            extracted_dir("/m", "github.com/BurntSushi/toml", "v1.4.0").as_deref(),
            Some("/m/github.com/!burnt!sushi/toml@v1.4.0")
        );
        assert_eq!(
            version_stem("/m/cache/download", "x.example", "v1.0.0!"),
            None
        );
        // sha256("git3:https://github.com/user/repo")
        assert_eq!(
            vcs_work_dir("/m", "git3", "https://github.com/user/repo"),
            "/m/cache/vcs/2b0a70a25495f0424d232e0ced67b1afc70fdba88ac623e3f9661ef3e30cd566"
        );
    }

    #[test]
    fn states_and_what_the_go_command_does() {
        assert_eq!(problems(&entry(), None), []);
        let missing = CacheEntry {
            ziphash: None,
            ..entry()
        };
        assert_eq!(problems(&missing, None), [CacheProblem::ZiphashMissing]);
        let malformed = CacheEntry {
            ziphash: Some("nonsense".into()),
            ..entry()
        };
        assert!(matches!(
            problems(&malformed, None).as_slice(),
            [CacheProblem::ZiphashMalformed { .. }]
        ));
        let other = format!("h1:{}", "B".repeat(43) + "=");
        let mismatch = CacheEntry {
            zip_hash: Some(other),
            ..entry()
        };
        assert!(matches!(
            problems(&mismatch, None).as_slice(),
            [CacheProblem::HashMismatch { .. }]
        ));
        let partial = CacheEntry {
            partial: true,
            ..entry()
        };
        assert_eq!(problems(&partial, None), [CacheProblem::Partial]);
        // An unreadable zip stops the download unless a usable .ziphash and a complete
        // extracted tree mean it is never read.
        let mut unreadable = CacheEntry {
            ziphash: None,
            zip_hash: None,
            ..entry()
        };
        unreadable.problems = problems(&unreadable, Some("zip: not a valid zip file".into()));
        let mv = "x.example@v1.0.0";
        assert_eq!(
            unreadable.zip_error(mv).as_deref(),
            Some("zip: not a valid zip file")
        );
        unreadable.ziphash = Some("nonsense".into());
        assert_eq!(
            unreadable.zip_error(mv).as_deref(),
            Some("verifying x.example@v1.0.0: zip: not a valid zip file")
        );
        unreadable.ziphash = entry().ziphash;
        assert_eq!(unreadable.zip_error(mv), None);
        unreadable.extracted = false;
        assert_eq!(
            unreadable.zip_error(mv).as_deref(),
            Some("unzip /m/cache/download/x.example/@v/v1.0.0.zip: zip: not a valid zip file")
        );
        let unexpected = CacheEntry {
            ziphash: Some(format!("h2:{}", "A".repeat(43) + "=")),
            ..entry()
        };
        assert!(
            unexpected
                .zip_error(mv)
                .unwrap()
                .contains("unexpected ziphash: \"h2:")
        );
        assert!(unreadable.zip_cached());
    }
}

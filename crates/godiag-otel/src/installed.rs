//! The Collector installed here: found on PATH (or named by the user) and asked its
//! `--version`, so lint judges a config against the release that will run it. A rename
//! that only newer releases know (`otlphttp` → `otlp_http` in v0.144) would otherwise be
//! offered as a fix that an older Collector refuses to start with ("unknown type").
//!
//! This module only finds and asks; which release wins over a `--collector-version` is the
//! caller's choice.

use std::path::{Path, PathBuf};
use std::time::Duration;

use godiag_core::host::{CommandLine, Host};

use crate::registry::Version;

/// The names the Collector distributions install as (otelcol-releases).
pub const COLLECTOR_NAMES: &[&str] = &["otelcol-contrib", "otelcol", "otelcol-k8s", "otelcol-otlp"];

/// A Collector binary and the release it says it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstalledCollector {
    /// The binary.
    pub path: PathBuf,
    /// What `PATH --version` printed, parsed.
    pub version: Version,
}

/// Why a named Collector gave no release.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CollectorError {
    /// It could not be started.
    #[error("cannot run `{path} --version`: {source}")]
    Run {
        /// The binary.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// It ran but printed no `version X.Y.Z`.
    #[error("`{path} --version` printed no Collector version: `{printed}`")]
    NoVersion {
        /// The binary.
        path: String,
        /// Its first line of output.
        printed: String,
    },
}

/// Asks `path --version` which release it is.
///
/// # Errors
/// When it cannot run, or prints no version.
pub fn ask(
    host: &dyn Host,
    path: &Path,
    timeout: Duration,
) -> Result<InstalledCollector, CollectorError> {
    let output = host
        .run(&CommandLine::new(path, &["--version"]), timeout)
        .map_err(|source| CollectorError::Run {
            path: path.display().to_string(),
            source,
        })?;
    let printed = String::from_utf8_lossy(&output.stdout).into_owned();
    parse_version_output(&printed)
        .filter(|_| output.status == Some(0))
        .map(|version| InstalledCollector {
            path: path.to_path_buf(),
            version,
        })
        .ok_or_else(|| CollectorError::NoVersion {
            path: path.display().to_string(),
            printed: printed.lines().next().unwrap_or_default().to_owned(),
        })
}

/// The first Collector on PATH that says its release; `None` when there is none.
#[must_use]
pub fn find_on_path(host: &dyn Host, timeout: Duration) -> Option<InstalledCollector> {
    COLLECTOR_NAMES
        .iter()
        .filter_map(|name| host.which(name))
        .find_map(|path| ask(host, &path, timeout).ok())
}

/// Reads `otelcol-contrib version 0.135.0` (the builder's `--version` line, cobra's
/// "{name} version {version}").
#[must_use]
pub fn parse_version_output(text: &str) -> Option<Version> {
    text.lines().find_map(|line| {
        let (_, version) = line.trim().rsplit_once(" version ")?;
        version.trim().parse().ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_lines() {
        assert_eq!(
            parse_version_output("otelcol-contrib version 0.135.0\n"),
            Some(Version::new(135))
        );
        assert_eq!(
            parse_version_output("otelcol version v0.144.1").map(|v| v.patch),
            Some(1)
        );
        assert_eq!(parse_version_output("Usage: otelcol [flags]"), None);
    }
}

//! Finds the go command and asks it for its own view (`go env -json`), under a deadline.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use godiag_core::host::{CommandLine, Host};
use serde::Serialize;

use crate::buildinfo::{self, BuildInfo};

/// Finds `go` on the host's PATH and reads how it was built.
#[must_use]
pub fn find(host: &dyn Host) -> Option<GoBinary> {
    let path = host.which("go")?;
    let real_path = host.canonicalize(&path).unwrap_or_else(|_| path.clone());
    let build = buildinfo::read(host, &real_path);
    Some(GoBinary {
        version: build.as_ref().map(|info| info.go_version.clone()),
        wrapper: build.is_none(),
        path,
        real_path,
        build,
    })
}

/// The go command godiag found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GoBinary {
    /// The path found on PATH.
    pub path: PathBuf,
    /// The version (`go1.27.3`), when readable.
    pub version: Option<String>,
    /// The file it resolves to.
    pub real_path: PathBuf,
    /// True when it is a script or other non-Go program that runs the real go command.
    pub wrapper: bool,
    /// Build information of the Go binary.
    #[serde(skip)]
    pub build: Option<BuildInfo>,
}

/// What `go env -json` said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GoReport {
    /// The values, by name.
    Values(BTreeMap<String, String>),
    /// The command failed; its exit status and standard error.
    Failed {
        /// The exit status, if it exited.
        status: Option<i32>,
        /// What it printed on standard error.
        stderr: String,
    },
    /// It could not be run at all (not found, timed out).
    NotRun(String),
    /// The host runs no commands (a recorded machine without a recorded answer).
    Unavailable,
}

/// The command godiag runs, as a person would type it.
pub const GO_ENV_JSON: &str = "GOTOOLCHAIN=local go env -json";

/// Runs `go env -json` in the host's environment, in the host's current directory.
///
/// `GOTOOLCHAIN=local` keeps a go.mod `toolchain` line from making the go command download
/// and run another toolchain while godiag only asks questions; GOTOOLCHAIN itself is
/// therefore not compared.
#[must_use]
pub fn go_env_json(host: &dyn Host, go: &Path, timeout: Duration) -> (GoReport, Duration) {
    let mut env: BTreeMap<String, String> = host.env_vars().into_iter().collect();
    env.insert("GOTOOLCHAIN".into(), "local".into());
    let command = CommandLine {
        program: go.to_path_buf(),
        args: vec!["env".into(), "-json".into()],
        env: Some(env),
        cwd: Some(host.current_dir()),
    };
    match host.run(&command, timeout) {
        Ok(output) if output.status == Some(0) => {
            let report = serde_json::from_slice(&output.stdout).map_or_else(
                |error| {
                    GoReport::NotRun(format!(
                        "go env -json printed something that is not JSON: {error}"
                    ))
                },
                GoReport::Values,
            );
            (report, output.duration)
        }
        Ok(output) => (
            GoReport::Failed {
                status: output.status,
                stderr: String::from_utf8_lossy(&output.stderr)
                    .trim_end()
                    .to_owned(),
            },
            output.duration,
        ),
        Err(error) if error.kind() == std::io::ErrorKind::Unsupported => {
            (GoReport::Unavailable, Duration::ZERO)
        }
        Err(error) => (GoReport::NotRun(error.to_string()), timeout),
    }
}

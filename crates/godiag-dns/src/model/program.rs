//! Which Go program is being diagnosed and how it was built, since that decides whether it
//! can use the C library's resolver at all.

use std::path::{Path, PathBuf};

use serde::Serialize;

use godiag_go::buildinfo::{self, BuildInfo};

use super::go_order::{GoBuild, GoRuntime};

/// The program whose lookups are predicted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Program {
    /// How the binary was built (cgo, `netgo`/`netcgo` tags), which picks Go's resolver;
    /// flattened into the JSON.
    #[serde(flatten)]
    pub build: GoBuild,
    /// What it is, in words (`the go command (go1.27.3)`, `a program built with CGO_ENABLED=1`).
    pub description: String,
    /// Where the build facts came from.
    pub source: String,
}

/// What the user asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProgramChoice {
    /// `--cgo on|off`.
    pub cgo: Option<bool>,
    /// `--tags netgo|netcgo`.
    pub tags: Vec<String>,
    /// `--for go-command`: the go command itself.
    pub go_command: bool,
}

impl ProgramChoice {
    fn apply_tags(&self, build: &mut GoBuild) {
        for tag in &self.tags {
            match tag.as_str() {
                "netgo" => build.netgo = true,
                "netcgo" => build.netcgo = true,
                _ => {}
            }
        }
    }
}

/// A program the user builds: `--cgo`, else the `CGO_ENABLED` the go command would use.
#[must_use]
pub fn user_program(choice: &ProgramChoice, cgo_enabled: Option<&str>) -> Program {
    let (cgo, source) = match (choice.cgo, cgo_enabled) {
        (Some(cgo), _) => (cgo, format!("--cgo {}", if cgo { "on" } else { "off" })),
        (None, Some(value)) => (
            value == "1",
            format!("go env CGO_ENABLED={value} (the default for programs built here)"),
        ),
        (None, None) => (
            false,
            "CGO_ENABLED is unknown (no go command found); assumed 0".to_owned(),
        ),
    };
    let mut build = GoBuild {
        cgo,
        ..GoBuild::default()
    };
    choice.apply_tags(&mut build);
    let tags = if choice.tags.is_empty() {
        String::new()
    } else {
        format!(" -tags {}", choice.tags.join(","))
    };
    Program {
        build,
        description: format!(
            "a Go program built with CGO_ENABLED={}{tags}",
            u8::from(cgo)
        ),
        source,
    }
}

/// The go command, from its own build information (`go version -m`).
#[must_use]
pub fn go_command(choice: &ProgramChoice, binary: Option<(&Path, &BuildInfo)>) -> Program {
    let Some((path, info)) = binary else {
        let mut build = GoBuild::default();
        choice.apply_tags(&mut build);
        return Program {
            build,
            description: "the go command".into(),
            source: "its build information could not be read; official toolchains are built \
                     with CGO_ENABLED=0"
                .into(),
        };
    };
    let mut build = GoBuild {
        cgo: info.setting("CGO_ENABLED") == Some("1"),
        ..GoBuild::default()
    };
    for tag in info.setting("-tags").unwrap_or_default().split(',') {
        match tag {
            "netgo" => build.netgo = true,
            "netcgo" => build.netcgo = true,
            _ => {}
        }
    }
    if let Some(cgo) = choice.cgo {
        build.cgo = cgo;
    }
    choice.apply_tags(&mut build);
    Program {
        build,
        description: format!("the go command ({})", info.go_version),
        source: format!(
            "go version -m {}: CGO_ENABLED={}{}",
            path.display(),
            info.setting("CGO_ENABLED").unwrap_or("?"),
            info.setting("-tags")
                .map(|tags| format!(" -tags={tags}"))
                .unwrap_or_default()
        ),
    }
}

/// Reads a go binary's build information.
#[must_use]
pub fn read_build(host: &dyn godiag_core::host::Host, path: &Path) -> Option<(PathBuf, BuildInfo)> {
    let bytes = host
        .read_capped(path, godiag_core::host::EXECUTABLE_LIMIT)
        .ok()?;
    buildinfo::parse(&bytes).map(|info| (path.to_path_buf(), info))
}

/// The environment of the diagnosed process, as Go reads it.
#[must_use]
pub fn runtime(env: impl Fn(&str) -> Option<String>) -> GoRuntime {
    GoRuntime {
        goos: "linux".into(),
        godebug: env("GODEBUG"),
        localdomain: env("LOCALDOMAIN"),
        res_options: env("RES_OPTIONS"),
        hostaliases: env("HOSTALIASES"),
        asr_config: env("ASR_CONFIG"),
        prefer_go: false,
    }
}

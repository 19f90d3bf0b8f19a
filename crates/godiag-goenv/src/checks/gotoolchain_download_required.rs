//! GO015: GOTOOLCHAIN settings that make the go command fetch another toolchain, or that it
//! refuses (cmd/go/internal/toolchain/select.go).

use std::path::Path;

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Evidence, Finding, Fix, Severity};
use godiag_go::goproxy::{self, ProxyEntry};
use godiag_go::gover::Version;

use super::{Context, var_evidence, var_location};
use crate::paths::join;

/// The go command will switch to, and usually download, a toolchain it does not have.
pub(crate) struct GotoolchainDownload;

const META: CheckMeta = CheckMeta {
    code: "GO015",
    slug: "gotoolchain-download-required",
    domain: Domain::Go,
    severity: Severity::Warning,
    status: CheckStatus::Stable,
    title: "The go command will need to download a toolchain",
    ok_title: "The selected Go toolchain is available locally",
    doc: include_str!("../../../../docs/checks/GO015.md"),
};

/// How GOTOOLCHAIN lets the go command switch.
#[derive(Debug, PartialEq, Eq)]
enum Mode {
    Local,
    /// Switch when go.mod/go.work asks for more than `minimum`; `path` means look on PATH
    /// instead of downloading.
    Auto {
        minimum: Option<Version>,
        path: bool,
    },
    Pinned(Version),
}

/// Parses GOTOOLCHAIN; `Err` is the go command's exact message.
fn parse_mode(value: &str) -> Result<Mode, String> {
    let (name, suffix) = match value.split_once('+') {
        Some((name, suffix)) => (name, Some(suffix)),
        None => (value, None),
    };
    let minimum = |name: &str| -> Result<Option<Version>, String> {
        if name == "local" {
            return Ok(None);
        }
        name.strip_prefix("go")
            .and_then(Version::parse)
            .map(Some)
            .ok_or_else(|| {
                format!("go: invalid GOTOOLCHAIN {value:?}: invalid minimum toolchain {name:?}")
            })
    };
    match (name, suffix) {
        ("" | "local", None) => Ok(Mode::Local),
        ("auto", None) => Ok(Mode::Auto {
            minimum: None,
            path: false,
        }),
        ("path", None) => Ok(Mode::Auto {
            minimum: None,
            path: true,
        }),
        (name, None) => name
            .strip_prefix("go")
            .and_then(Version::parse)
            .map(Mode::Pinned)
            .ok_or_else(|| format!("go: invalid GOTOOLCHAIN {value:?}")),
        (name, Some("auto")) => Ok(Mode::Auto {
            minimum: minimum(name)?,
            path: false,
        }),
        (name, Some("path")) => Ok(Mode::Auto {
            minimum: minimum(name)?,
            path: true,
        }),
        (_, Some(_)) => Err(format!(
            "go: invalid GOTOOLCHAIN {value:?}: only version suffixes are +auto and +path"
        )),
    }
}

impl Check<Context> for GotoolchainDownload {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        if let Some(why) = context.unknown_value("GOTOOLCHAIN") {
            return Some(why);
        }
        // An invalid GOTOOLCHAIN stops every go command, whatever the local version is.
        if parse_mode(context.env.value("GOTOOLCHAIN")).is_err() {
            return None;
        }
        context.no_go_version()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let Some(var) = context.env.var("GOTOOLCHAIN") else {
            return Vec::new();
        };
        let value = var.value.as_deref().unwrap_or_default();
        let located = |finding: Finding| match var_location(var) {
            Some(location) => finding.location(location),
            None => finding,
        };
        let mode = match parse_mode(value) {
            Ok(mode) => mode,
            Err(go_error) => {
                return vec![located(
                    Finding::new(
                        &META,
                        "GOTOOLCHAIN is invalid",
                        format!("Every go command stops with:\n{go_error}"),
                    )
                    .severity(Severity::Error)
                    .subject("GOTOOLCHAIN")
                    .evidence(var_evidence(var))
                    .fix(Fix::command("go env -u GOTOOLCHAIN   # back to auto")),
                )];
            }
        };
        let Some(local) = Version::parse(context.env.value("GOVERSION")) else {
            return Vec::new();
        };
        let (wanted, reason, path_mode) = match mode {
            Mode::Local => return Vec::new(),
            Mode::Pinned(version) => (version, format!("GOTOOLCHAIN={value} pins it"), false),
            Mode::Auto { minimum, path } => {
                let (required, file) = required_by_module(context);
                let candidates = [
                    minimum.map(|m| (m, format!("GOTOOLCHAIN={value} sets the minimum"))),
                    required.map(|r| (r, file)),
                ];
                let Some((version, reason)) = candidates
                    .into_iter()
                    .flatten()
                    .max_by(|a, b| a.0.cmp(&b.0))
                else {
                    return Vec::new();
                };
                (version, reason, path)
            }
        };
        if wanted <= local {
            return Vec::new();
        }
        let name = wanted.toolchain_name();
        let goos = context.env.value("GOHOSTOS");
        let goarch = context.env.value("GOHOSTARCH");
        let cached = join(
            context.env.value("GOMODCACHE"),
            &format!("cache/download/golang.org/toolchain/@v/v0.0.1-{name}.{goos}-{goarch}.zip"),
        );
        if context.host.metadata(Path::new(&cached)).is_ok() {
            return Vec::new();
        }
        // toolchain.Exec looks on PATH before downloading, in auto mode too.
        if context.host.which(&name).is_some() {
            return Vec::new();
        }
        let local_name = local.toolchain_name();
        let goproxy = context.env.value("GOPROXY");
        // modfetch.useSumDB: toolchain zips are always checked against the checksum database,
        // unless GOPROXY is a single file:// URL.
        let single_file_proxy = goproxy.starts_with("file://") && !goproxy.contains([',', '|']);
        let sumdb_off = context.env.value("GOSUMDB") == "off" && !single_file_proxy;
        let (severity, message) = if path_mode {
            (
                Severity::Error,
                format!(
                    "{reason}; in path mode the go command looks for `{name}` on PATH and stops with:\ngo: cannot find \"{name}\" in PATH"
                ),
            )
        } else if sumdb_off {
            (
                Severity::Error,
                format!(
                    "{reason}, newer than the local {local_name}. Toolchain downloads are always \
                     verified against the checksum database, and GOSUMDB=off makes that lookup fail, \
                     so every go command here fails."
                ),
            )
        } else if goproxy::parse(goproxy)
            .is_ok_and(|entries| entries.first() == Some(&ProxyEntry::Off))
        {
            (
                Severity::Error,
                format!(
                    "{reason}, newer than the local {local_name}, and GOPROXY=off forbids the download, so every go command here fails."
                ),
            )
        } else {
            (
                Severity::Warning,
                format!(
                    "{reason}, newer than the local {local_name}. The first go command will print \
                     \"go: downloading {name} ({goos}/{goarch})\" and fetch golang.org/toolchain through \
                     GOPROXY, verified against the checksum database. On an \
                     offline machine, or behind a proxy that does not serve golang.org/toolchain, every \
                     go command fails instead."
                ),
            )
        };
        vec![located(
            Finding::new(
                &META,
                format!("the go command will switch to {name}"),
                message,
            )
            .severity(severity)
            .subject("GOTOOLCHAIN")
            .evidence(var_evidence(var))
            .evidence(Evidence::file(format!("not in the module cache: {cached}")))
            .fix(Fix::command(format!(
                "GOTOOLCHAIN={name} go version   # fetch it once while online\n\
                     or stay on {local_name}: go env -w GOTOOLCHAIN=local"
            ))),
        )]
    }
}

/// The toolchain go.work (or go.mod) asks for: the larger of its `go` and `toolchain` lines.
fn required_by_module(context: &Context) -> (Option<Version>, String) {
    let gowork = context.env.value("GOWORK");
    let file = if !gowork.is_empty() && gowork != "off" {
        gowork
    } else {
        context.env.value("GOMOD")
    };
    if file.is_empty() || file == "/dev/null" {
        return (None, String::new());
    }
    let Ok(text) = context.host.read_to_string(Path::new(file)) else {
        return (None, String::new());
    };
    let mut best: Option<(Version, String)> = None;
    for (index, line) in text.lines().enumerate() {
        let mut words = line.split_whitespace();
        let version = match (words.next(), words.next()) {
            (Some("go"), Some(version)) => Version::parse(version).map(Version::as_toolchain),
            (Some("toolchain"), Some(name)) => name.strip_prefix("go").and_then(Version::parse),
            _ => None,
        };
        if let Some(version) = version
            && best.as_ref().is_none_or(|(current, _)| version > *current)
        {
            best = Some((
                version,
                format!("{file}:{} asks for {}", index + 1, line.trim()),
            ));
        }
    }
    best.map_or((None, String::new()), |(version, why)| (Some(version), why))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gotoolchain_values_parse_like_select_go() {
        assert_eq!(
            parse_mode("auto"),
            Ok(Mode::Auto {
                minimum: None,
                path: false
            })
        );
        assert_eq!(parse_mode("local"), Ok(Mode::Local));
        assert_eq!(
            parse_mode("go1.30.1"),
            Ok(Mode::Pinned(Version::parse("1.30.1").unwrap()))
        );
        assert_eq!(
            parse_mode("go1.21.0+y"),
            Err(
                "go: invalid GOTOOLCHAIN \"go1.21.0+y\": only version suffixes are +auto and +path"
                    .into()
            )
        );
        assert_eq!(
            parse_mode("x+auto"),
            Err("go: invalid GOTOOLCHAIN \"x+auto\": invalid minimum toolchain \"x\"".into())
        );
        assert_eq!(
            parse_mode("bash"),
            Err("go: invalid GOTOOLCHAIN \"bash\"".into())
        );
    }
}

//! The Go environment checks (`godiag go env`), one file each, and the context they share.
//!
//! The registry ([`ALL`]) owns dispatch; `godiag explain` and SARIF read
//! [`crate::registry`], which adds the `go fetch` checks. Those live with the walk they judge,
//! in `crate::fetch::checks`; nothing here knows about fetching.

mod go_cache_nearly_full;
mod go_cache_on_network_filesystem;
mod go_command_not_found;
mod go_env_disagrees;
mod go_setting_invalid;
mod go_variable_conflicting_values;
mod go_variable_not_seen_everywhere;
mod gocache_unusable;
mod goenv_file_line_ignored;
mod goenv_shadowed_by_environment;
mod goflags_invalid;
mod goinsecure_too_broad;
mod gomodcache_unusable;
mod gopath_mode;
mod goproxy_unusable;
mod gosumdb_off_with_public_source;
mod gotoolchain_download_required;
mod private_patterns_inconsistent;
mod unknown_go_variable;

use std::path::Path;
use std::sync::Arc;

use godiag_core::check::{Check, CheckMeta};
use godiag_core::finding::{Evidence, Location};
use godiag_core::host::Host;
use godiag_go::gocmd::{GO_ENV_JSON, GoReport};
use godiag_go::gover::Version;

use crate::model::{GoEnv, Source, Var};
use crate::startup::Export;

/// Everything the checks look at, computed once.
pub struct Context {
    /// The machine.
    pub host: Arc<dyn Host>,
    /// The computed Go environment.
    pub env: GoEnv,
    /// What `go env -json` said, when a go command was found.
    pub go_report: Option<GoReport>,
    /// Assignments to Go variables in startup files.
    pub exports: Vec<Export>,
    /// False when looking for the go command did not finish before the deadline, so its
    /// absence is not known.
    pub go_search_finished: bool,
}

/// Every check of the domain, in code order.
pub static ALL: &[&dyn Check<Context>] = &[
    &goenv_shadowed_by_environment::GoenvShadowed,
    &go_variable_not_seen_everywhere::NotSeenEverywhere,
    &go_variable_conflicting_values::ConflictingValues,
    &goflags_invalid::GoflagsInvalid,
    &gopath_mode::GopathMode,
    &gocache_unusable::GocacheUnusable,
    &gomodcache_unusable::GomodcacheUnusable,
    &go_cache_on_network_filesystem::CacheOnNetworkFs,
    &go_cache_nearly_full::CacheNearlyFull,
    &goproxy_unusable::GoproxyUnusable,
    &gosumdb_off_with_public_source::GosumdbOff,
    &private_patterns_inconsistent::PrivatePatterns,
    &unknown_go_variable::UnknownVariable,
    &goinsecure_too_broad::GoinsecureTooBroad,
    &gotoolchain_download_required::GotoolchainDownload,
    &go_env_disagrees::GoEnvDisagrees,
    &go_command_not_found::GoCommandMissing,
    &go_setting_invalid::SettingInvalid,
    &goenv_file_line_ignored::GoenvFileLineIgnored,
];

/// The registry entries of every check, in code order.
#[must_use]
pub fn registry() -> Vec<CheckMeta> {
    ALL.iter().map(|check| *check.meta()).collect()
}

/// Preconditions the checks share: each returns why there is nothing to examine, in words a
/// user recognises, or `None` when there is something.
impl Context {
    /// Why there is no go env file (`go env -w` never wrote one, `GOENV=off`, no home).
    #[must_use]
    pub fn no_goenv_file(&self) -> Option<String> {
        if self.env.user_file.is_some() {
            return None;
        }
        let path = self.env.value("GOENV");
        if path.is_empty() {
            let why = self.env.var("GOENV").and_then(|var| var.note.clone());
            return Some(why.map_or_else(
                || "there is no go env file".to_owned(),
                |why| format!("there is no go env file ({why})"),
            ));
        }
        Some(if self.host.metadata(Path::new(path)).is_ok() {
            format!("the go env file {path} could not be read")
        } else {
            format!("there is no go env file at {path} (nothing was set with `go env -w`)")
        })
    }

    /// Why no startup file gives a Go variable to look at.
    #[must_use]
    pub fn no_go_exports(&self) -> Option<String> {
        self.exports
            .is_empty()
            .then(|| "no startup file sets a Go variable".to_owned())
    }

    /// Why the value of `name` is unknown: it would come from `$GOROOT/go.env` or the go
    /// command, and neither could be asked.
    #[must_use]
    pub fn unknown_value(&self, name: &str) -> Option<String> {
        let var = self.env.var(name)?;
        if var.source != Source::Unknown || self.reported_by_go(name) {
            return None;
        }
        Some(var.note.as_ref().map_or_else(
            || format!("{name} is not known without the go command"),
            |why| format!("{name} is not known: {why}"),
        ))
    }

    /// Why `name` has no value to look at: it is unknown, unset or empty.
    #[must_use]
    pub fn no_value(&self, name: &str) -> Option<String> {
        if let Some(why) = self.unknown_value(name) {
            return Some(why);
        }
        match self.env.var(name) {
            Some(var) if var.value.as_deref().is_some_and(|value| !value.is_empty()) => None,
            Some(Var {
                location: Some(at), ..
            }) => Some(format!(
                "{name} is set to the empty string ({}:{})",
                at.path.display(),
                at.line
            )),
            _ => Some(format!("{name} is not set")),
        }
    }

    /// Why the version of the local toolchain is unknown.
    #[must_use]
    pub fn no_go_version(&self) -> Option<String> {
        if Version::parse(self.env.value("GOVERSION")).is_some() {
            return None;
        }
        Some(match &self.env.go_binary {
            None => "no go command: the local toolchain's version is unknown".to_owned(),
            Some(go) => format!(
                "the version of the go command at {} could not be read",
                go.path.display()
            ),
        })
    }

    /// Why there is no go command to look at (none on PATH, or the search did not finish).
    #[must_use]
    pub fn no_go_command(&self) -> Option<String> {
        if self.env.go_binary.is_some() {
            return None;
        }
        self.go_search_unfinished()
            .or_else(|| Some("no go command".to_owned()))
    }

    /// Why it is not known whether there is a go command: looking for it ran out of time.
    #[must_use]
    pub fn go_search_unfinished(&self) -> Option<String> {
        (!self.go_search_finished)
            .then(|| "looking for the go command did not finish before the deadline".to_owned())
    }

    /// Why `go env -json` gave nothing to compare with; a failed `go env` is a finding, not
    /// a reason to skip.
    #[must_use]
    pub fn no_go_report(&self) -> Option<String> {
        if let Some(why) = self.no_go_command() {
            return Some(why);
        }
        match &self.go_report {
            None => Some(format!(
                "`{GO_ENV_JSON}` did not finish before the deadline"
            )),
            Some(GoReport::Unavailable) => Some(format!(
                "`{GO_ENV_JSON}` was not run: this is a recorded machine without its answer"
            )),
            Some(_) => None,
        }
    }

    /// Why neither cache names a directory to look at.
    #[must_use]
    pub fn no_cache_dir(&self) -> Option<String> {
        let absolute = ["GOCACHE", "GOMODCACHE"]
            .iter()
            .any(|name| self.env.value(name).starts_with('/'));
        (!absolute).then(|| "neither GOCACHE nor GOMODCACHE is an absolute directory".to_owned())
    }

    fn reported_by_go(&self, name: &str) -> bool {
        matches!(&self.go_report, Some(GoReport::Values(values)) if values.contains_key(name))
    }
}

/// Where a variable's value was set, as a finding location (`None` for the OS environment
/// and defaults, which have no file).
fn var_location(var: &Var) -> Option<Location> {
    var.location
        .as_ref()
        .map(|at| Location::line(&at.path, at.line))
}

/// Evidence saying where a variable's value came from.
fn var_evidence(var: &Var) -> Evidence {
    let value = var.value.as_deref().unwrap_or("(unknown)");
    match (&var.source, &var.location) {
        (Source::Environment, _) => Evidence::command(format!(
            "environment: {}={value}  (see: printenv {})",
            var.name, var.name
        )),
        (_, Some(at)) => Evidence::file(format!(
            "{}:{}: {}={value}",
            at.path.display(),
            at.line,
            var.name
        )),
        _ => Evidence::command(format!("go env {}  →  {value}", var.name)),
    }
}

/// Where each startup file exports `name`, as evidence lines.
fn export_evidence(context: &Context, name: &str) -> Vec<Evidence> {
    context
        .exports
        .iter()
        .filter(|export| export.name == name)
        .map(|export| {
            let value = export.value.as_deref().unwrap_or("(computed)");
            Evidence::file(format!(
                "{}:{}: {name}={value}",
                export.path.display(),
                export.line
            ))
        })
        .collect()
}

/// Shell-quotes a value for a command line.
pub(crate) fn shell_quote(value: &str) -> String {
    if !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:=,@+%".contains(&b))
    {
        value.to_owned()
    } else {
        format!("'{}'", value.replace('\'', "'\\''"))
    }
}

/// Returns true when `path` or its nearest existing ancestor is writable for the host's user,
/// and whether the path itself exists.
fn writable(host: &dyn Host, path: &Path) -> (bool, bool) {
    let user = host.user();
    let mut current = Some(path);
    let mut exists = true;
    while let Some(dir) = current {
        if let Ok(meta) = host.metadata(dir) {
            if !meta.is_dir {
                return (false, exists);
            }
            let ok = if user.uid == 0 {
                true
            } else if meta.uid == user.uid {
                meta.mode & 0o300 == 0o300
            } else if user.gids.contains(&meta.gid) {
                meta.mode & 0o030 == 0o030
            } else {
                meta.mode & 0o003 == 0o003
            };
            return (ok, exists);
        }
        exists = false;
        current = dir.parent();
    }
    (false, false)
}

// Shared by the cache checks (GO006–GO009), which ask whether GOCACHE and GOMODCACHE can
// be used: set, absolute, a writable directory, on a local filesystem, with room to grow.
//
// The build cache and the module cache are different things: an unusable GOCACHE breaks
// builds, tests and vet, but never changes how modules are downloaded (that is GOPROXY and
// GOMODCACHE). Checklists that say otherwise are wrong, and these findings say so.
/// GOCACHE and GOMODCACHE, where they are absolute directories.
fn cache_dirs(context: &Context) -> impl Iterator<Item = (&'static str, &Path)> {
    ["GOCACHE", "GOMODCACHE"]
        .into_iter()
        .map(|name| (name, context.env.value(name)))
        .filter(|(_, value)| value.starts_with('/'))
        .map(|(name, value)| (name, Path::new(value)))
}

/// Why an absolute cache path cannot be used, worded as the go command's mkdir error.
fn directory_problem(context: &Context, value: &str) -> Option<String> {
    let path = Path::new(value);
    if let Ok(meta) = context.host.metadata(path)
        && !meta.is_dir
    {
        return Some(format!("mkdir {value}: not a directory"));
    }
    let existing = path
        .ancestors()
        .find(|dir| context.host.metadata(dir).is_ok())?;
    let first_mkdir = if existing == path {
        format!("{value}/00")
    } else {
        value.to_owned()
    };
    if let Ok(usage) = context.host.fs_usage(existing)
        && usage.read_only
    {
        return Some(format!("mkdir {first_mkdir}: read-only file system"));
    }
    let (ok, exists) = writable(context.host.as_ref(), path);
    if ok {
        return None;
    }
    Some(if exists {
        format!("mkdir {value}/00: permission denied")
    } else {
        format!("mkdir {value}: permission denied")
    })
}

fn cache_fix(context: &Context, name: &str, value: &str) -> String {
    let default_rel = if name == "GOCACHE" {
        ".cache/go-build"
    } else {
        "go/pkg/mod"
    };
    match context
        .env
        .os_env
        .get("HOME")
        .filter(|home| !home.is_empty())
    {
        Some(home) if value.starts_with('/') => format!(
            "sudo chown -R \"$(id -u):$(id -g)\" {value}   # or use a directory you own:\n\
             go env -w {name}={home}/{default_rel}"
        ),
        Some(home) => {
            format!("go env -u {name} && unset {name}   # the default is {home}/{default_rel}")
        }
        // Without HOME there is no go env file to write, so only the OS environment can help.
        None => format!(
            "export HOME=/home/$(id -un)   # or give an absolute directory: export {name}=/var/cache/{}",
            if name == "GOCACHE" {
                "go-build"
            } else {
                "go-mod"
            }
        ),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use godiag_core::host::FixtureHost;
    use godiag_go::gocmd::GoBinary;

    use super::*;
    use crate::model::FileLine;

    fn var(name: &str, value: &str, source: Source) -> Var {
        Var {
            name: name.to_owned(),
            value: Some(value.to_owned()),
            source,
            location: None,
            note: None,
            exported_in: Vec::new(),
        }
    }

    fn context(vars: Vec<Var>, go: bool, go_report: Option<GoReport>) -> Context {
        let go_binary = go.then(|| GoBinary {
            path: "/usr/local/go/bin/go".into(),
            version: None,
            real_path: "/usr/local/go/bin/go".into(),
            wrapper: false,
            build: None,
        });
        Context {
            host: Arc::new(FixtureHost::new("/nonexistent", BTreeMap::new())),
            env: GoEnv {
                go_binary,
                vars,
                ..GoEnv::default()
            },
            go_report,
            exports: Vec::new(),
            go_search_finished: true,
        }
    }

    #[test]
    fn a_value_is_missing_when_unset_empty_or_unknown() {
        let in_file = Var {
            location: Some(FileLine {
                path: "/home/u/.config/go/env".into(),
                line: 3,
            }),
            ..var("GOFLAGS", "", Source::GoenvFile)
        };
        let unknown = Var {
            note: Some("GOROOT is unknown".to_owned()),
            ..var("GOFLAGS", "", Source::Unknown)
        };
        let reported = || {
            Some(GoReport::Values(BTreeMap::from([(
                "GOFLAGS".to_owned(),
                "-v".to_owned(),
            )])))
        };
        let cases = [
            (
                var("GOFLAGS", "", Source::Default),
                None,
                Some("GOFLAGS is not set"),
            ),
            (var("GOFLAGS", "-v", Source::Environment), None, None),
            (
                in_file,
                None,
                Some("GOFLAGS is set to the empty string (/home/u/.config/go/env:3)"),
            ),
            (
                unknown,
                None,
                Some("GOFLAGS is not known: GOROOT is unknown"),
            ),
            // The go command said what it is, so it can be examined after all.
            (var("GOFLAGS", "-v", Source::Unknown), reported(), None),
        ];
        for (variable, report, expected) in cases {
            let context = context(vec![variable.clone()], report.is_some(), report);
            assert_eq!(
                context.no_value("GOFLAGS").as_deref(),
                expected,
                "{variable:?}"
            );
        }
    }

    #[test]
    fn go_env_json_is_missing_without_go_or_its_answer() {
        let failed = GoReport::Failed {
            status: Some(1),
            stderr: "go: bad GOFLAGS".to_owned(),
        };
        let cases = [
            (false, None, Some("no go command".to_owned())),
            (
                true,
                None,
                Some(format!(
                    "`{GO_ENV_JSON}` did not finish before the deadline"
                )),
            ),
            (
                true,
                Some(GoReport::Unavailable),
                Some(format!(
                    "`{GO_ENV_JSON}` was not run: this is a recorded machine without its answer"
                )),
            ),
            // A failing `go env` is GO016's finding, not a reason to skip it.
            (true, Some(failed), None),
        ];
        for (go, report, expected) in cases {
            assert_eq!(
                context(Vec::new(), go, report.clone()).no_go_report(),
                expected,
                "{report:?}"
            );
        }
        let mut searching = context(Vec::new(), false, None);
        searching.go_search_finished = false;
        assert_eq!(
            searching.no_go_command().as_deref(),
            Some("looking for the go command did not finish before the deadline")
        );
    }

    #[test]
    fn shell_quoting() {
        assert_eq!(
            shell_quote("https://proxy.example,direct"),
            "https://proxy.example,direct"
        );
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!(shell_quote(""), "''");
    }
}

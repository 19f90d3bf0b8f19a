//! The Go environment checks (`godiag go env`), one file each, and the context they share.
//!
//! The registry ([`ALL`]) owns dispatch; `godiag explain` and SARIF read
//! [`crate::registry`], which adds the `go fetch` checks. Those live with the walk they judge,
//! in `crate::fetch::checks`; nothing here knows about fetching.

mod cache_dirs;
mod conflicting_values;
mod go_command_missing;
mod go_env_disagrees;
mod goenv_file_line_ignored;
mod goenv_shadowed;
mod goflags_invalid;
mod goinsecure_too_broad;
mod gopath_mode;
mod goproxy_unusable;
mod gosumdb_off;
mod gotoolchain_download;
mod not_seen_everywhere;
mod private_patterns;
mod setting_invalid;
mod unknown_variable;

use std::path::Path;
use std::sync::Arc;

use godiag_core::check::{Check, CheckMeta};
use godiag_core::finding::{Evidence, Location};
use godiag_core::host::Host;
use godiag_go::gocmd::GoReport;

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
    &goenv_shadowed::GoenvShadowed,
    &not_seen_everywhere::NotSeenEverywhere,
    &conflicting_values::ConflictingValues,
    &goflags_invalid::GoflagsInvalid,
    &gopath_mode::GopathMode,
    &cache_dirs::GocacheUnusable,
    &cache_dirs::GomodcacheUnusable,
    &cache_dirs::CacheOnNetworkFs,
    &cache_dirs::CacheNearlyFull,
    &goproxy_unusable::GoproxyUnusable,
    &gosumdb_off::GosumdbOff,
    &private_patterns::PrivatePatterns,
    &unknown_variable::UnknownVariable,
    &goinsecure_too_broad::GoinsecureTooBroad,
    &gotoolchain_download::GotoolchainDownload,
    &go_env_disagrees::GoEnvDisagrees,
    &go_command_missing::GoCommandMissing,
    &setting_invalid::SettingInvalid,
    &goenv_file_line_ignored::GoenvFileLineIgnored,
];

/// The registry entries of every check, in code order.
#[must_use]
pub fn registry() -> Vec<CheckMeta> {
    ALL.iter().map(|check| *check.meta()).collect()
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

#[cfg(test)]
mod tests {
    use super::*;

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

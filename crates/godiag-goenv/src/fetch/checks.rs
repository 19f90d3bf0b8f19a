//! The `godiag go fetch` checks, one file each, and the context they share.
//!
//! They judge one [`FetchReport`]: the walk, the project, the module cache, git and the
//! checksum database as the go command met them. The registry ([`ALL`]) owns dispatch;
//! [`crate::registry`] lists these codes beside the Go environment's. They do not compute
//! the environment or make requests: [`super::run`] does both, then runs them.

mod checksum_mismatch;
mod git_credentials_missing;
mod git_unusable;
mod git_url_rewritten;
mod goproxy_not_found_everywhere;
mod goproxy_separator_mismatch;
mod module_cache_entry_corrupt;
mod module_fetch_fails;
mod plain_http_needs_goinsecure;
mod private_module_checked_in_sumdb;
mod private_module_sent_to_public_proxy;
mod proxy_not_consulted;
mod tls_unknown_authority;

use std::sync::Arc;

use godiag_core::check::{Check, CheckMeta};
use godiag_core::host::Host;

use super::FetchReport;
use crate::checks::shell_quote;
use crate::model::GoEnv;

/// What the `go fetch` checks look at.
pub struct FetchContext {
    /// The machine.
    pub host: Arc<dyn Host>,
    /// The computed Go environment.
    pub env: GoEnv,
    /// Every step of the walk and how it ended.
    pub report: FetchReport,
}

/// Preconditions the checks share: each says why there is nothing to examine, or `None`.
impl FetchContext {
    /// Why no GOPROXY entry (nor direct mode) was asked anything: the project or the module
    /// cache provided the module, or the walk stopped before its first request.
    #[must_use]
    pub fn no_request_sent(&self) -> Option<String> {
        let report = &self.report;
        if report.attempts.iter().any(|attempt| attempt.sent) {
            return None;
        }
        Some(match (&report.outcome.served_by, &report.outcome.error) {
            (Some(served_by), _) => format!("no request was needed: served by {served_by}"),
            (None, Some(error)) => format!(
                "no request was sent: {}",
                error.lines().next().unwrap_or(error)
            ),
            (None, None) => "no request was sent".to_owned(),
        })
    }

    /// Why no request went over TLS.
    #[must_use]
    pub fn no_tls_request(&self) -> Option<String> {
        self.no_request_sent().or_else(|| {
            let any_tls = self
                .report
                .attempts
                .iter()
                .chain(&self.report.probes)
                .any(|attempt| attempt.sent && attempt.request.starts_with("https://"));
            (!any_tls).then(|| "no request went to an https:// server".to_owned())
        })
    }

    /// Why git had no part: direct mode never reached it.
    #[must_use]
    pub fn no_git(&self) -> Option<String> {
        self.report
            .git
            .is_none()
            .then(|| "direct mode did not reach git for this module".to_owned())
    }

    /// Why there is no project (go.mod, go.work) around the current directory.
    #[must_use]
    pub fn no_project(&self) -> Option<String> {
        self.report.project.is_none().then(|| {
            format!(
                "no go.mod or go.work governs {}",
                self.host.current_dir().display()
            )
        })
    }
}

/// The checks of `godiag go fetch`, in code order.
pub static ALL: &[&dyn Check<FetchContext>] = &[
    &module_fetch_fails::FetchFails,
    &private_module_sent_to_public_proxy::PrivateModuleToProxy,
    &private_module_checked_in_sumdb::PrivateModuleToSumdb,
    &goproxy_separator_mismatch::GoproxySeparator,
    &module_cache_entry_corrupt::ModuleCacheEntryCorrupt,
    &proxy_not_consulted::ProxyNotConsulted,
    &goproxy_not_found_everywhere::GoproxyNotFoundEverywhere,
    &checksum_mismatch::ChecksumMismatch,
    &tls_unknown_authority::TlsUnknownAuthority,
    &git_unusable::GitUnusable,
    &git_credentials_missing::GitCredentialsMissing,
    &git_url_rewritten::GitUrlRewritten,
    &plain_http_needs_goinsecure::PlainHttpNeedsGoinsecure,
];

/// The registry entries of every `go fetch` check, in code order.
#[must_use]
pub fn registry() -> Vec<CheckMeta> {
    ALL.iter().map(|check| *check.meta()).collect()
}

/// The GOPRIVATE pattern that would cover `module`: its host, or host/owner on the big
/// public hosting sites.
fn private_pattern(module: &str) -> String {
    let parts: Vec<&str> = module.split('/').collect();
    match parts.as_slice() {
        [
            host @ ("github.com" | "gitlab.com" | "bitbucket.org"),
            owner,
            ..,
        ] => format!("{host}/{owner}"),
        [host, ..] => (*host).to_owned(),
        [] => module.to_owned(),
    }
}

/// `go env -w NAME=...` that appends `pattern` to the current value.
fn append_pattern(env: &GoEnv, name: &str, pattern: &str) -> String {
    let current = env.value(name);
    let value = if current.is_empty() {
        pattern.to_owned()
    } else {
        format!("{current},{pattern}")
    };
    format!("go env -w {name}={}", shell_quote(&value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_pattern_keeps_the_owner_on_shared_hosts() {
        for (module, pattern) in [
            ("github.com/acme/tool/v2", "github.com/acme"),
            ("gitlab.com/group/project", "gitlab.com/group"),
            ("git.corp.example/team/lib", "git.corp.example"),
            ("github.com", "github.com"),
        ] {
            assert_eq!(private_pattern(module), pattern, "{module}");
        }
    }
}

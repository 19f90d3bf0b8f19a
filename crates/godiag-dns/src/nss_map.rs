//! `godiag lint` of the NSS module's map (`/etc/godiag/nss.map`): the parser is the module's
//! own (`godiag-nssmap`), so every problem reported here is one the module skips, at the
//! position the module's parser saw it.

/// One file per check, named by its slug.
mod checks {
    pub(super) mod nss_map_duplicate_rule;
    pub(super) mod nss_map_invalid_name;
    pub(super) mod nss_map_invalid_option;
    pub(super) mod nss_map_invalid_target;
    pub(super) mod nss_map_missing_target;
    pub(super) mod nss_map_unreadable;
}

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use godiag_core::check::{Check, CheckMeta};
use godiag_core::finding::{Evidence, Finding, Fix, Location};
use godiag_core::host::Host;
use godiag_nssmap::{Parsed, Problem, ProblemKind};
use serde_json::{Value, json};

/// The map checks, in code order.
static ALL: &[&'static dyn Check<Context>] = &[
    &checks::nss_map_unreadable::NssMapUnreadable,
    &checks::nss_map_invalid_name::NssMapInvalidName,
    &checks::nss_map_invalid_target::NssMapInvalidTarget,
    &checks::nss_map_missing_target::NssMapMissingTarget,
    &checks::nss_map_duplicate_rule::NssMapDuplicateRule,
    &checks::nss_map_invalid_option::NssMapInvalidOption,
];

/// Every map code, for `godiag explain` and SARIF.
#[must_use]
pub fn registry() -> Vec<CheckMeta> {
    ALL.iter().map(|check| *check.meta()).collect()
}

/// Returns true when `path` looks like an NSS map (`*.map`), for `godiag lint`'s detection.
#[must_use]
pub fn looks_like_map(path: &Path) -> bool {
    path.extension().is_some_and(|extension| extension == "map")
}

/// One map as the checks see it.
pub struct Context {
    path: PathBuf,
    read: Result<(String, Parsed), String>,
}

/// Lints the map at `path`: its findings and a summary for the report's `lint` result.
pub fn lint(host: &Arc<dyn Host>, path: &Path, deadline: Duration) -> (Vec<Finding>, Value) {
    let read = host
        .read(path)
        .map(|bytes| {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let parsed = godiag_nssmap::parse(&text);
            (text, parsed)
        })
        .map_err(|error| error.to_string());
    let summary = match &read {
        Ok((_, parsed)) => json!({
            "path": path, "rules": parsed.map.rules.len(), "problems": parsed.problems.len(),
            "timeout_s": parsed.map.options.timeout.as_secs(),
            "attempts": parsed.map.options.attempts,
        }),
        Err(error) => json!({"path": path, "error": error}),
    };
    let context = Arc::new(Context {
        path: path.to_owned(),
        read,
    });
    let findings = godiag_core::runner::run_checks(ALL, &context, deadline);
    (findings, summary)
}

impl Context {
    fn unreadable(&self) -> Option<String> {
        self.read
            .as_ref()
            .err()
            .map(|_| format!("{} could not be read", self.path.display()))
    }

    /// One finding per problem that `describe` recognises, located and quoted.
    fn findings(
        &self,
        meta: &CheckMeta,
        describe: impl Fn(&ProblemKind) -> Option<(String, String, String)>,
    ) -> Vec<Finding> {
        let Ok((text, parsed)) = &self.read else {
            return Vec::new();
        };
        parsed
            .problems
            .iter()
            .filter_map(|problem| {
                let (title, message, fix) = describe(&problem.kind)?;
                Some(self.finding(meta, text, problem, title, message, fix))
            })
            .collect()
    }

    fn finding(
        &self,
        meta: &CheckMeta,
        text: &str,
        problem: &Problem,
        title: String,
        message: String,
        fix: String,
    ) -> Finding {
        let position = problem.position;
        let line = text.lines().nth(position.line - 1).unwrap_or_default();
        let to_u32 = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Finding::new(meta, title, message)
            .subject(self.path.display().to_string())
            .location(Location {
                path: self.path.clone(),
                line: Some(to_u32(position.line)),
                column: Some(to_u32(position.column)),
            })
            .evidence(Evidence::file(format!(
                "{}:{}: {}",
                self.path.display(),
                position.line,
                line.trim_end()
            )))
            .fix(Fix::manual(fix))
    }
}

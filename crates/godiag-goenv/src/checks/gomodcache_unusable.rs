//! GO007: GOMODCACHE is unset, relative, not a directory or not writable.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};

use super::{Context, cache_fix, directory_problem, var_evidence, var_location};

/// GOMODCACHE is unset, relative, not a directory or not writable.
pub(crate) struct GomodcacheUnusable;

const GOMODCACHE_META: CheckMeta = CheckMeta {
    code: "GO007",
    slug: "gomodcache-unusable",
    domain: Domain::Go,
    severity: Severity::Error,
    status: CheckStatus::Stable,
    title: "The module cache (GOMODCACHE) cannot be used",
    ok_title: "The module cache (GOMODCACHE) is a writable directory",
    doc: include_str!("../../../../docs/checks/GO007.md"),
};

impl Check<Context> for GomodcacheUnusable {
    fn meta(&self) -> &'static CheckMeta {
        &GOMODCACHE_META
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let Some(var) = context.env.var("GOMODCACHE") else {
            return Vec::new();
        };
        let value = var.value.as_deref().unwrap_or_default();
        let go_error = if value.is_empty() {
            "go: module cache not found: neither GOMODCACHE nor GOPATH is set".to_owned()
        } else if !value.starts_with('/') {
            format!("go: GOMODCACHE entry is relative; must be absolute path: {value:?}.")
        } else {
            match directory_problem(context, value) {
                Some(problem) if problem.contains("not a directory") => {
                    format!("go: could not create module cache: {value:?} is not a directory")
                }
                // The module cache has no 00..ff layout: an existing directory this user cannot
                // write fails later, when a download writes into it.
                Some(problem) if problem.contains("/00:") => format!(
                    "a permission error when a download writes into {value} ({})",
                    problem.rsplit(": ").next().unwrap_or("permission denied")
                ),
                Some(problem) => format!("go: could not create module cache: {problem}"),
                None => return Vec::new(),
            }
        };
        let mut finding = Finding::new(
            &GOMODCACHE_META,
            "modules cannot be downloaded or read",
            format!("Every command that needs a module (build, test, get, mod download) stops with:\n{go_error}"),
        )
        .subject("GOMODCACHE")
        .evidence(var_evidence(var))
        .fix(Fix::command(cache_fix(context, "GOMODCACHE", value)));
        if let Some(location) = var_location(var) {
            finding = finding.location(location);
        }
        vec![finding]
    }
}

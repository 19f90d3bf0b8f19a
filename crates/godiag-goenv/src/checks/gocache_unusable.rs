//! GO006: GOCACHE is off, relative, undefined, not a directory or not writable.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};

use super::{Context, cache_fix, directory_problem, var_evidence, var_location};
use crate::quoted;

/// GOCACHE is off, relative, undefined, not a directory or not writable.
pub(crate) struct GocacheUnusable;

const GOCACHE_META: CheckMeta = CheckMeta {
    code: "GO006",
    slug: "gocache-unusable",
    domain: Domain::Go,
    severity: Severity::Error,
    status: CheckStatus::Stable,
    title: "The build cache (GOCACHE) cannot be used",
    ok_title: "The build cache (GOCACHE) is a writable directory",
    doc: include_str!("../../../../docs/checks/GO006.md"),
};

impl Check<Context> for GocacheUnusable {
    fn meta(&self) -> &'static CheckMeta {
        &GOCACHE_META
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        if let Some(finding) = missing_cache_program(context) {
            return vec![finding];
        }
        let Some(var) = context.env.var("GOCACHE") else {
            return Vec::new();
        };
        let value = var.value.as_deref().unwrap_or_default();
        let go_error = if value == "off" {
            match var.note.as_deref() {
                Some(why) => format!("build cache is required, but could not be located: {why}"),
                None => {
                    "build cache is disabled by GOCACHE=off, but required as of Go 1.12".to_owned()
                }
            }
        } else {
            match directory_problem(context, value) {
                Some(problem) => format!("failed to initialize build cache at {value}: {problem}"),
                None => return Vec::new(),
            }
        };
        let mut finding = Finding::new(
            &GOCACHE_META,
            "go build, go test and go vet will fail",
            format!(
                "They stop with:\n{go_error}\nModule downloads are not affected: they use GOMODCACHE and \
                 GOPROXY, whatever the state of the build cache."
            ),
        )
        .subject("GOCACHE")
        .evidence(var_evidence(var))
        .fix(Fix::command(cache_fix(context, "GOCACHE", value)));
        if let Some(location) = var_location(var) {
            finding = finding.location(location);
        }
        vec![finding]
    }
}

fn missing_cache_program(context: &Context) -> Option<Finding> {
    let var = context.env.var("GOCACHEPROG")?;
    let value = var.value.as_deref().filter(|value| !value.is_empty())?;
    let program = quoted::split(value).ok()?.into_iter().next()?;
    if context.host.which(&program).is_some() {
        return None;
    }
    let why = if program.contains('/') {
        format!("fork/exec {program}: no such file or directory")
    } else {
        format!("exec: {program:?}: executable file not found in $PATH")
    };
    let mut finding = Finding::new(
        &GOCACHE_META,
        format!("GOCACHEPROG program {program:?} cannot be started"),
        format!(
            "Every go command that uses the build cache stops with:\nerror starting GOCACHEPROG \
             program {program:?}: {why}"
        ),
    )
    .subject("GOCACHEPROG")
    .evidence(var_evidence(var))
    .fix(Fix::command(format!(
        "go env -u GOCACHEPROG && unset GOCACHEPROG   # or install {program} on PATH"
    )));
    if let Some(location) = var_location(var) {
        finding = finding.location(location);
    }
    Some(finding)
}

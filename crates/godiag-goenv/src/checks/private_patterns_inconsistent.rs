//! GO012: GOPRIVATE, GONOPROXY and GONOSUMDB that disagree or cannot match.

use std::path::Path;

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};
use godiag_go::patterns::matches_prefix;

use super::{Context, shell_quote, var_evidence, var_location};
use crate::model::Source;

/// Private-module patterns that leak modules or never match.
pub(crate) struct PrivatePatterns;

const META: CheckMeta = CheckMeta {
    code: "GO012",
    slug: "private-patterns-inconsistent",
    domain: Domain::Go,
    severity: Severity::Warning,
    status: CheckStatus::Stable,
    title: "Private module patterns are inconsistent or cannot match",
    ok_title: "GOPRIVATE, GONOPROXY and GONOSUMDB agree",
    doc: include_str!("../../../../docs/checks/GO012.md"),
};

/// The variables that hold module path patterns.
const PATTERN_VARIABLES: [&str; 4] = ["GOPRIVATE", "GONOPROXY", "GONOSUMDB", "GOINSECURE"];

impl Check<Context> for PrivatePatterns {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        PATTERN_VARIABLES
            .iter()
            .all(|name| context.no_value(name).is_some())
            .then(|| {
                "no private module pattern is set (GOPRIVATE, GONOPROXY, GONOSUMDB, GOINSECURE)"
                    .to_owned()
            })
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let mut findings = Vec::new();
        for name in PATTERN_VARIABLES {
            let Some(var) = context.env.var(name) else {
                continue;
            };
            if var.source == Source::Default && name != "GOPRIVATE" {
                continue;
            }
            for glob in var.value.as_deref().unwrap_or_default().split(',') {
                let Some(why) = malformed(glob) else { continue };
                findings.push(with_location(
                    Finding::new(&META, format!("{name} pattern {glob:?} never matches"), why)
                        .subject(name)
                        .evidence(var_evidence(var))
                        .fix(Fix::command(format!(
                            "go env -w {name}={}",
                            shell_quote(&cleaned(var.value.as_deref().unwrap_or_default()))
                        ))),
                    var,
                ));
            }
        }
        let private = context.env.value("GOPRIVATE");
        for (name, leak) in [
            (
                "GONOPROXY",
                "is sent to the GOPROXY proxies, which cannot fetch it (404/410) and learn its path",
            ),
            (
                "GONOSUMDB",
                "is looked up in the checksum database, which fails with \"verifying module: ... 410 Gone\" and discloses its path",
            ),
        ] {
            let Some(var) = context.env.var(name) else {
                continue;
            };
            if var.source == Source::Default || var.value.as_deref() == Some("none") {
                continue;
            }
            let value = var.value.as_deref().unwrap_or_default();
            let uncovered: Vec<&str> = private
                .split(',')
                .map(|glob| glob.strip_suffix('/').unwrap_or(glob))
                // Malformed globs are reported on their own and match nothing anyway.
                .filter(|glob| !glob.is_empty() && !glob.contains('*') && malformed(glob).is_none())
                .filter(|glob| !matches_prefix(value, glob))
                .collect();
            if uncovered.is_empty() {
                continue;
            }
            findings.push(with_location(
                Finding::new(
                    &META,
                    format!("{name} overrides GOPRIVATE and leaves out {}", uncovered.join(", ")),
                    format!(
                        "Setting {name} replaces its default (the GOPRIVATE list) instead of adding to it, \
                         so a module under {} {leak}.",
                        uncovered.join(", ")
                    ),
                )
                .subject(name)
                .evidence(var_evidence(var))
                .fix(Fix::command(format!("go env -w {name}={}", shell_quote(&format!("{value},{}", uncovered.join(",")))))),
                var,
            ));
        }
        findings
    }
}

fn with_location(finding: Finding, var: &crate::model::Var) -> Finding {
    match var_location(var) {
        Some(location) => finding.location(location),
        None => finding,
    }
}

/// Why a glob can never match a module path (module paths have no scheme, spaces or `@`).
fn malformed(glob: &str) -> Option<String> {
    if glob.contains("://") {
        return Some("Patterns are module path prefixes, not URLs: drop the scheme.".to_owned());
    }
    if glob != glob.trim() {
        return Some(
            "Go does not trim spaces around commas, so this pattern includes the space.".to_owned(),
        );
    }
    if glob.ends_with("//")
        || glob.contains('@')
        || Path::new(glob)
            .extension()
            .is_some_and(|ext| ext.eq_ignore_ascii_case("git"))
        || glob.contains(".git/")
    {
        return Some("Module paths have no `@`, `.git` suffix or empty elements.".to_owned());
    }
    None
}

fn cleaned(value: &str) -> String {
    value
        .split(',')
        .map(|glob| {
            let glob = glob.trim();
            let glob = glob.split_once("://").map_or(glob, |(_, rest)| rest);
            let glob = glob.rsplit_once('@').map_or(glob, |(_, rest)| rest);
            glob.trim_end_matches('/')
                .trim_end_matches(".git")
                .to_owned()
        })
        .filter(|glob| !glob.is_empty())
        .collect::<Vec<_>>()
        .join(",")
}

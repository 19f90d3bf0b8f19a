//! GO016: godiag's computed environment and `go env -json` disagree, or `go env` fails.
//!
//! godiag derives every value from the go command's rules; a disagreement means something
//! between this environment and the go command changes it (a wrapper script, an alias that
//! sets variables, a different go than expected) and is worth knowing either way.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Evidence, Finding, Fix, Severity};
use godiag_go::gocmd::{GO_ENV_JSON, GoReport};

use super::Context;
use crate::model::Source;

/// The go command reports values other than the ones its configuration implies.
pub(crate) struct GoEnvDisagrees;

const META: CheckMeta = CheckMeta {
    code: "GO016",
    slug: "go-env-disagrees",
    domain: Domain::Go,
    severity: Severity::Warning,
    status: CheckStatus::Stable,
    title: "`go env` reports values other than its configuration implies",
    ok_title: "`go env -json` agrees with the configuration godiag read",
    doc: include_str!("../../../../docs/checks/GO016.md"),
};

/// Not compared: GOTOOLCHAIN is forced to `local` for the query; GOGCCFLAGS embeds a fresh
/// temporary directory every run.
const NOT_COMPARED: &[&str] = &["GOTOOLCHAIN", "GOGCCFLAGS"];

impl Check<Context> for GoEnvDisagrees {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.no_go_report()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let Some(go) = &context.env.go_binary else {
            return Vec::new();
        };
        match &context.go_report {
            Some(GoReport::Values(reported)) => {
                let mut findings = Vec::new();
                for var in context.env.vars.iter().filter(|var| var.source != Source::Unknown) {
                    if NOT_COMPARED.contains(&var.name.as_str()) {
                        continue;
                    }
                    let ours = var.value.as_deref().unwrap_or_default();
                    let Some(theirs) = reported.get(&var.name) else { continue };
                    if ours == theirs {
                        continue;
                    }
                    let why = if go.wrapper {
                        format!("{} is a wrapper around the real go command and changes its environment.", go.path.display())
                    } else {
                        "Something between this environment and the go command changes it (an alias or function that sets variables, or a go that is not the one on PATH)."
                            .to_owned()
                    };
                    findings.push(
                        Finding::new(
                            &META,
                            format!("go env {} is {theirs:?}, expected {ours:?}", var.name),
                            format!("From the environment and files, {} should be {ours:?} ({:?}). {why}", var.name, var.source),
                        )
                        .subject(var.name.clone())
                        .evidence(Evidence::command(format!("{GO_ENV_JSON}  →  \"{}\": {theirs:?}", var.name)))
                        .fix(Fix::command(format!("type go; command -v go; go env {}", var.name))),
                    );
                }
                findings
            }
            Some(GoReport::Failed { status, stderr }) => vec![
                Finding::new(
                    &META,
                    "`go env` fails",
                    format!(
                        "{} exited with status {} and printed:\n{stderr}",
                        go.path.display(),
                        status.map_or_else(|| "(killed)".to_owned(), |code| code.to_string())
                    ),
                )
                .severity(Severity::Error)
                .subject("go")
                .evidence(Evidence::command(GO_ENV_JSON))
                .fix(Fix::manual("fix the setting the message names; `godiag explain GO018` lists the ones go refuses")),
            ],
            Some(GoReport::NotRun(why)) => vec![
                Finding::new(&META, "`go env` could not be run", why.clone())
                    .subject("go")
                    .evidence(Evidence::command(GO_ENV_JSON))
                    .fix(Fix::command(format!("{} env -json", go.path.display()))),
            ],
            Some(GoReport::Unavailable) | None => Vec::new(),
        }
    }
}

//! GO018: values the go command refuses before doing anything (GOPATH, GOWORK, GOROOT,
//! GO111MODULE), with its exact message.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};

use super::{Context, var_evidence, var_location};

/// A Go setting that makes every go command exit (or warn) at startup.
pub(crate) struct SettingInvalid;

const META: CheckMeta = CheckMeta {
    code: "GO018",
    slug: "go-setting-invalid",
    domain: Domain::Go,
    severity: Severity::Error,
    status: CheckStatus::Stable,
    title: "A Go setting is refused by the go command",
    ok_title: "The go command accepts GOPATH, GOROOT, GOWORK and GO111MODULE",
    doc: include_str!("../../../../docs/checks/GO018.md"),
};

impl Check<Context> for SettingInvalid {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        context
            .env
            .refusals
            .iter()
            .map(|refusal| {
                let name = refusal.name.as_str();
                let (title, severity) = if refusal.fatal {
                    // An invalid GO111MODULE only stops commands that load modules.
                    let which = if name == "GO111MODULE" { "module-aware go commands" } else { "every go command" };
                    (format!("{name} stops {which}"), Severity::Error)
                } else {
                    (format!("{name} makes every go command print a warning"), Severity::Warning)
                };
                let fix = match name {
                    "GOPATH" => "go env -u GOPATH && unset GOPATH   # defaults to $HOME/go; or give absolute directories",
                    "GOWORK" => "unset GOWORK   # or an absolute path to a go.work file, or off",
                    "GOROOT" => "unset GOROOT   # the go command finds its own GOROOT",
                    _ => "go env -u GO111MODULE && unset GO111MODULE",
                };
                let mut finding = Finding::new(&META, title, format!("The go command prints:\n{}", refusal.go_error))
                    .severity(severity)
                    .subject(name)
                    .fix(Fix::command(fix));
                if let Some(var) = context.env.var(name) {
                    finding = finding.evidence(var_evidence(var));
                    if let Some(location) = var_location(var) {
                        finding = finding.location(location);
                    }
                }
                finding
            })
            .collect()
    }
}

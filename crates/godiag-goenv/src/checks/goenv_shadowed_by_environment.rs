//! GO001: a `go env -w` value that the OS environment overrides.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Evidence, Finding, Fix, Location, Severity};

use super::{Context, export_evidence, shell_quote};

/// A value written with `go env -w` that a non-empty OS variable overrides.
pub(crate) struct GoenvShadowed;

const META: CheckMeta = CheckMeta {
    code: "GO001",
    slug: "goenv-shadowed-by-environment",
    domain: Domain::Go,
    severity: Severity::Warning,
    status: CheckStatus::Stable,
    title: "A `go env -w` value is overridden by the OS environment",
    ok_title: "No `go env -w` value is overridden by the OS environment",
    doc: include_str!("../../../../docs/checks/GO001.md"),
};

impl Check<Context> for GoenvShadowed {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.no_goenv_file()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let Some(file) = &context.env.user_file else {
            return Vec::new();
        };
        let mut findings = Vec::new();
        for (name, entry) in &file.entries {
            let Some(os_value) = context
                .env
                .os_env
                .get(name)
                .filter(|value| !value.is_empty())
            else {
                continue;
            };
            if *os_value == entry.value {
                continue;
            }
            let mut finding = Finding::new(
                &META,
                format!("`go env -w {name}` is overridden by the environment"),
                format!(
                    "{} sets {name}={}, but this environment has {name}={os_value}, and a non-empty OS \
                     variable wins for every go command started from here. `go env -w` printed \
                     \"does not override conflicting OS environment variable\" when it was written.",
                    file.path.display(),
                    entry.value
                ),
            )
            .subject(name.clone())
            .location(Location::line(&file.path, entry.line))
            .evidence(Evidence::file(format!("{}:{}: {name}={}", file.path.display(), entry.line, entry.value)))
            .evidence(Evidence::command(format!("environment: {name}={os_value}  (see: printenv {name})")));
            for evidence in export_evidence(context, name) {
                finding = finding.evidence(evidence);
            }
            let exported_at: Vec<String> = context
                .exports
                .iter()
                .filter(|export| export.name == *name)
                .map(|export| format!("{}:{}", export.path.display(), export.line))
                .collect();
            let fix = if exported_at.is_empty() {
                format!(
                    "unset {name}   # in the shell or service definition that sets it\n\
                     or keep the environment's value for every process: go env -w {name}={}",
                    shell_quote(os_value)
                )
            } else {
                format!(
                    "remove the export of {name} at {}, then start a new session\n\
                     or keep the environment's value: go env -w {name}={}",
                    exported_at.join(", "),
                    shell_quote(os_value)
                )
            };
            finding = finding.fix(Fix::manual(fix));
            findings.push(finding);
        }
        findings
    }
}

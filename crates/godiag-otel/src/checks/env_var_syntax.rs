//! OTEL019: `${...}` references the Collector rejects, and `$NAME` it leaves unexpanded.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};

use super::{Context, Replacement, strings};
use crate::envvar::{self, Reference, SCHEMES};

/// Environment-variable syntax in config values.
pub(crate) struct EnvVarSyntax;

const META: CheckMeta = CheckMeta {
    code: "OTEL019",
    slug: "env-var-syntax",
    domain: Domain::Otel,
    severity: Severity::Error,
    status: CheckStatus::Stable,
    title: "A variable reference uses syntax the Collector rejects or no longer expands",
    ok_title: "Every variable reference uses `${env:NAME}` syntax",
    doc: include_str!("../../../../docs/checks/OTEL019.md"),
};

impl Check<Context> for EnvVarSyntax {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.unusable()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let Some(root) = &context.collector.root else {
            return Vec::new();
        };
        let mut findings = Vec::new();
        for node in strings(root) {
            let Some(value) = node.as_str() else {
                continue;
            };
            for reference in envvar::scan(value) {
                if let Some(finding) = finding(context, node.pos, &reference) {
                    findings.push(finding);
                }
            }
        }
        findings
    }
}

fn finding(
    context: &Context,
    node_pos: crate::yaml::Pos,
    reference: &Reference,
) -> Option<Finding> {
    let (text, replacement, severity, title, message) = match reference {
        Reference::Naked { name, .. } => (
            format!("${name}"),
            Some(format!("${{env:{name}}}")),
            Severity::Warning,
            format!("`${name}` is not expanded"),
            format!(
                "Since v0.107.0 the Collector expands only `${{...}}`: `${name}` stays in the value \
                 literally (the exporter then dials a host named `${name}`). Write `${{env:{name}}}`."
            ),
        ),
        Reference::Braced {
            text,
            scheme: Some(scheme),
            name,
            ..
        } if scheme == "env" => {
            let name = name.clone().unwrap_or_default();
            if envvar::valid_name(&name) {
                return None;
            }
            (
                text.clone(),
                None,
                Severity::Error,
                format!("`{text}` names an invalid variable"),
                format!(
                    "The Collector stops: `environment variable \"{name}\" has invalid name: must match regex ^[a-zA-Z_][a-zA-Z0-9_]*$`."
                ),
            )
        }
        Reference::Braced {
            text,
            scheme: Some(scheme),
            ..
        } => {
            if SCHEMES.contains(&scheme.as_str()) {
                return None;
            }
            (
                text.clone(),
                None,
                Severity::Error,
                format!("`{text}` uses an unknown provider `{scheme}`"),
                format!(
                    "The Collector stops: `scheme \"{scheme}\" is not supported for uri ...`. Providers are env, file, yaml, http and https (contrib adds s3 and others)."
                ),
            )
        }
        Reference::Braced {
            text,
            scheme: None,
            name,
            ..
        } => {
            let name = name.clone().unwrap_or_default();
            if !envvar::valid_name(&name) {
                return None;
            }
            (
                text.clone(),
                Some(text.replacen("${", "${env:", 1)),
                Severity::Info,
                format!("`{text}` relies on the default `env` scheme"),
                format!(
                    "`{text}` means `${{env:{name}}}` since v0.104.0; spelling the scheme out keeps the \
                     config readable next to `${{file:...}}` references."
                ),
            )
        }
    };
    let (start, end) = context.find_in_line(node_pos, &text);
    let fix = match (replacement, end) {
        (Some(new), Some(end)) => {
            let describe = format!("Write `{new}`.");
            match context.edit(vec![Replacement {
                start,
                end,
                text: new,
            }]) {
                Some(edit) => Fix::edit(describe, vec![edit]),
                None => Fix::manual(describe),
            }
        }
        (Some(new), None) => Fix::manual(format!("Write `{new}`.")),
        (None, _) => Fix::manual("Use `${env:NAME}` with a name of letters, digits and `_`."),
    };
    Some(
        context
            .at(&META, start, title, message)
            .severity(severity)
            .subject(text)
            .fix(fix),
    )
}

//! SAMP017: operation names written as patterns; SDKs match span names exactly.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};

use super::Context;

/// An operation name that looks like a pattern.
pub(crate) struct OperationPattern;

const META: CheckMeta = CheckMeta {
    code: "SAMP017",
    slug: "operation-name-pattern",
    domain: Domain::Samp,
    severity: Severity::Warning,
    status: CheckStatus::Stable,
    title: "An operation name looks like a pattern, but only exact span names match",
    ok_title: "Operation names are plain span names",
    doc: include_str!("../../../../../docs/checks/SAMP017.md"),
};

impl Check<Context> for OperationPattern {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.no_operations()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        context
            .operations()
            .into_iter()
            .filter_map(|(label, op)| {
                let name = op.operation.as_ref()?;
                let why = problem(&name.value)?;
                Some(
                    context
                        .at(
                            &META,
                            name.pos,
                            format!("{label}, operation \"{}\": {why}", name.value),
                            "SDKs look the span name up in a map: the rule applies only to spans named exactly \
                             this, character for character."
                                .to_owned(),
                        )
                        .subject(format!("{label}, operation \"{}\"", name.value))
                        .fix(Fix::manual(
                            "List each span name as its own entry (span names of HTTP servers are route \
                             templates such as `GET /users/{id}`).",
                        )),
                )
            })
            .collect()
    }
}

fn problem(name: &str) -> Option<&'static str> {
    if name.trim() != name {
        Some("leading or trailing spaces")
    } else if name.contains('*') || name.contains('?') && !name.contains("?=") {
        Some("`*` and `?` are not wildcards")
    } else if name.starts_with('^')
        || name.ends_with('$')
        || name.contains(".*")
        || name.contains('|')
    {
        Some("regular expressions are not supported")
    } else {
        None
    }
}

//! SAMP002: a value of the wrong JSON type; Jaeger refuses the whole file.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};

use super::Context;
use crate::sampling::decode::TypeError;
use crate::sampling::response::go_float;

/// A setting has the wrong type.
pub(crate) struct WrongType;

const META: CheckMeta = CheckMeta {
    code: "SAMP002",
    slug: "strategy-value-wrong-type",
    domain: Domain::Samp,
    severity: Severity::Error,
    status: CheckStatus::Stable,
    title: "A strategy value has the wrong JSON type",
    ok_title: "Every strategy value has the type Jaeger expects",
    doc: include_str!("../../../../../docs/checks/SAMP002.md"),
};

impl Check<Context> for WrongType {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.unusable()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let errors: Vec<&TypeError> = context
            .decoded
            .type_errors
            .iter()
            .filter(|error| !error.in_struct.is_empty())
            .collect();
        errors
            .iter()
            .enumerate()
            .map(|(index, error)| {
                let key = error.field.rsplit('.').next().unwrap_or_default();
                let expected = match error.ty {
                    "float64" => "a number",
                    "string" => "a string",
                    ty if ty.starts_with("[]") => "an array",
                    _ => "an object",
                };
                let which = if index == 0 {
                    "Jaeger does not start (on a reload it keeps the strategies it had)"
                } else {
                    "Jaeger stops at the first such error; this one is next"
                };
                context
                    .at(
                        &META,
                        error.pos,
                        format!(
                            "`{key}` must be {expected}, not a JSON {}",
                            kind(&error.value)
                        ),
                        format!(
                            "{which}: `failed to unmarshal strategies: {}`.",
                            error.message()
                        ),
                    )
                    .fix(fix(context, error, key, expected))
            })
            .collect()
    }
}

fn kind(value: &str) -> &str {
    value.split(' ').next().unwrap_or(value)
}

fn fix(context: &Context, error: &TypeError, key: &str, expected: &str) -> Fix {
    let text = context.text(error.pos, error.end).unwrap_or_default();
    let unquoted = text.trim_matches('"');
    if error.ty == "float64" && text.starts_with('"') {
        if let Ok(number) = unquoted.trim().parse::<f64>() {
            if number.is_finite() {
                let message = format!("Write `{key}` as a JSON number: {}.", go_float(number));
                if let Some(edit) = context.replace(error.pos, error.end, go_float(number)) {
                    return Fix::edit(message, vec![edit]);
                }
                return Fix::manual(message);
            }
        }
    }
    if error.ty == "string"
        && matches!(key, "service" | "operation")
        && kind(&error.value) == "number"
    {
        let message = format!("Quote the {key} name: \"{text}\".");
        if let Some(edit) = context.replace(error.pos, error.end, format!("\"{text}\"")) {
            return Fix::edit(message, vec![edit]);
        }
        return Fix::manual(message);
    }
    Fix::manual(format!("Make `{key}` {expected}."))
}

//! SAMP010: keys Jaeger's decoder skips.

use std::fmt::Write as _;

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};

use super::Context;
use crate::sampling::decode::KeyNote;

/// A key Jaeger ignores.
pub(crate) struct KeyUnknown;

const META: CheckMeta = CheckMeta {
    code: "SAMP010",
    slug: "strategy-key-unknown",
    domain: Domain::Samp,
    severity: Severity::Warning,
    status: CheckStatus::Stable,
    title: "A key is silently ignored by Jaeger",
    ok_title: "Every key in the strategies file is one Jaeger reads",
    doc: include_str!("../../../../../docs/checks/SAMP010.md"),
};

/// Keys people write that only exist elsewhere: in the served response or in adaptive
/// sampling's configuration.
const ELSEWHERE: &[(&str, &str)] = &[
    (
        "default_lower_bound_traces_per_second",
        "exists only in the served response (always 0 from a file)",
    ),
    (
        "default_upper_bound_traces_per_second",
        "exists only in the served response (always 0 from a file)",
    ),
    (
        "default_operation_sampling",
        "does not exist; operation rules go in `operation_strategies`",
    ),
    (
        "per_operation_strategies",
        "exists only in the served response (`perOperationStrategies`); in the file it is `operation_strategies`",
    ),
    (
        "sampling_rate",
        "exists only in the served response; in the file it is `param`",
    ),
    (
        "max_traces_per_second",
        "exists only in the served response; in the file it is `param`",
    ),
    (
        "target_samples_per_second",
        "belongs to adaptive sampling's configuration, not to this file",
    ),
];

impl Check<Context> for KeyUnknown {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.no_keys()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        context
            .decoded
            .unknown_keys
            .iter()
            .map(|note| finding(context, note))
            .collect()
    }
}

fn finding(context: &Context, note: &KeyNote) -> Finding {
    let place = if note.path.is_empty() {
        "the top level".to_owned()
    } else {
        format!("`{}`", note.path)
    };
    let mut message = format!(
        "Jaeger decodes the file with Go's encoding/json, which skips keys it does not know, so this \
         setting has no effect. Keys here: {}.",
        note.fields.join(", ")
    );
    let normalized = normalize(&note.key);
    if let Some((_, why)) = ELSEWHERE
        .iter()
        .find(|(key, _)| normalize(key) == normalized)
    {
        let _ = write!(message, " `{}` {why}.", note.key);
    }
    let fix = if let Some(field) = closest(&note.key, note.fields) {
        let text = format!("Rename the key to `{field}`.");
        match context.replace(note.key_pos, note.key_end, format!("\"{field}\"")) {
            Some(edit) => Fix::edit(text, vec![edit]),
            None => Fix::manual(text),
        }
    } else {
        let text = "Remove the key; Jaeger ignores it.";
        match context.remove(&note.slot) {
            Some(edit) => Fix::edit(text, vec![edit]),
            None => Fix::manual(text),
        }
    };
    context
        .at(
            &META,
            note.key_pos,
            format!("`{}` is ignored in {place}", note.key),
            message,
        )
        .subject(if note.path.is_empty() {
            note.key.clone()
        } else {
            format!("{}.{}", note.path, note.key)
        })
        .fix(fix)
}

fn normalize(key: &str) -> String {
    key.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Returns the field a key was meant to be: the same letters (camelCase, dashes), or a
/// singular/plural slip.
fn closest(key: &str, fields: &[&'static str]) -> Option<&'static str> {
    let key = normalize(key);
    fields.iter().copied().find(|field| {
        let field = normalize(field);
        key == field
            || key.trim_end_matches('s') == field.trim_end_matches('s')
            || key.replace("strategy", "strategies") == field
    })
}

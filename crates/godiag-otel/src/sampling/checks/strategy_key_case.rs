//! SAMP011: keys that match only case-insensitively.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};

use super::Context;

/// A key in another case than Jaeger's.
pub(crate) struct KeyCaseVariant;

const META: CheckMeta = CheckMeta {
    code: "SAMP011",
    slug: "strategy-key-case",
    domain: Domain::Samp,
    severity: Severity::Info,
    status: CheckStatus::Stable,
    title: "A key matches only case-insensitively",
    ok_title: "Every key is spelled as Jaeger spells it",
    doc: include_str!("../../../../../docs/checks/SAMP011.md"),
};

impl Check<Context> for KeyCaseVariant {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.no_keys()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        context
            .decoded
            .case_variants
            .iter()
            .filter_map(|note| {
                let field = note.field?;
                let text = format!("Write `{field}`.");
                let fix = match context.replace(note.key_pos, note.key_end, format!("\"{field}\"")) {
                    Some(edit) => Fix::edit(text, vec![edit]),
                    None => Fix::manual(text),
                };
                Some(
                    context
                        .at(
                            &META,
                            note.key_pos,
                            format!("`{}` is read as `{field}`", note.key),
                            "Go's encoding/json matches keys case-insensitively, so Jaeger reads it; other \
                             readers of the file (scripts, jq, schema validators) do not."
                                .to_owned(),
                        )
                        .subject(field.to_owned())
                        .fix(fix),
                )
            })
            .collect()
    }
}

//! SAMP012: a field given twice in one object.

use std::sync::Arc;

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};

use super::Context;
use crate::sampling::decode::Slot;

/// A repeated key.
pub(crate) struct KeyRepeated;

const META: CheckMeta = CheckMeta {
    code: "SAMP012",
    slug: "strategy-key-repeated",
    domain: Domain::Samp,
    severity: Severity::Warning,
    status: CheckStatus::Stable,
    title: "A key is given twice in one object",
    ok_title: "No key is given twice in one object",
    doc: include_str!("../../../../../docs/checks/SAMP012.md"),
};

impl Check<Context> for KeyRepeated {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.no_keys()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        context
            .decoded
            .repeated
            .iter()
            .filter_map(|note| {
                let (first, scalar) = note.overrides?;
                let field = note.field?;
                let earlier = note
                    .slot
                    .spans
                    .iter()
                    .position(|(start, _)| *start == first)
                    .map(|index| Slot {
                        index,
                        spans: Arc::clone(&note.slot.spans),
                    });
                let (message, fix) = if scalar {
                    let text = format!("Remove the `{field}` at line {}; it has no effect.", first.line);
                    let fix = match earlier.and_then(|slot| context.remove(&slot)) {
                        Some(edit) => Fix::edit(text, vec![edit]),
                        None => Fix::manual(text),
                    };
                    (
                        format!(
                            "Go's encoding/json decodes both; the last value wins, so the `{field}` at line {} is ignored.",
                            first.line
                        ),
                        fix,
                    )
                } else {
                    (
                        format!(
                            "Go's encoding/json decodes this value into the one at line {}: objects merge key by \
                             key, and array elements merge by position with the earlier ones.",
                            first.line
                        ),
                        Fix::manual(format!("Merge the two `{field}` values into one by hand.")),
                    )
                };
                Some(
                    context
                        .at(
                            &META,
                            note.key_pos,
                            format!("`{field}` is given again (first at line {})", first.line),
                            message,
                        )
                        .subject(if note.path.is_empty() { field.to_owned() } else { format!("{}.{field}", note.path) })
                        .fix(fix),
                )
            })
            .collect()
    }
}

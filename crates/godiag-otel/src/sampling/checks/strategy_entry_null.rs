//! SAMP016: a `null` strategy entry, which crashes Jaeger.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};

use super::Context;
use crate::sampling::decode::Slot;

/// A `null` element in a strategy list.
pub(crate) struct NullEntry;

const META: CheckMeta = CheckMeta {
    code: "SAMP016",
    slug: "strategy-entry-null",
    domain: Domain::Samp,
    severity: Severity::Error,
    status: CheckStatus::Stable,
    title: "A strategy list holds null, which crashes Jaeger",
    ok_title: "No strategy list holds null",
    doc: include_str!("../../../../../docs/checks/SAMP016.md"),
};

impl Check<Context> for NullEntry {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.unusable().or_else(|| {
            let strategies = context.decoded.strategies.as_ref()?;
            let lists = strategies.services_key.is_some()
                || context
                    .entries()
                    .iter()
                    .any(|entry| entry.entry.operations_key.is_some());
            (!lists).then(|| "the file has no strategy list".to_owned())
        })
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let Some(strategies) = &context.decoded.strategies else {
            return Vec::new();
        };
        let mut nulls: Vec<(String, &Slot)> = Vec::new();
        let lists = strategies
            .default_strategy
            .iter()
            .map(|d| {
                (
                    "default_strategy.operation_strategies".to_owned(),
                    &d.operation_strategies,
                    &d.operation_slots,
                )
            })
            .chain(
                strategies
                    .service_strategies
                    .iter()
                    .enumerate()
                    .flat_map(|(i, s)| {
                        s.iter().map(move |s| {
                            (
                                format!("service_strategies[{i}].operation_strategies"),
                                &s.operation_strategies,
                                &s.operation_slots,
                            )
                        })
                    }),
            );
        for (path, items, slots) in lists {
            for (index, item) in items.iter().enumerate() {
                if item.is_none() {
                    if let Some(slot) = slots.get(index) {
                        nulls.push((format!("{path}[{index}]"), slot));
                    }
                }
            }
        }
        for (index, item) in strategies.service_strategies.iter().enumerate() {
            if item.is_none() {
                if let Some(slot) = strategies.service_slots.get(index) {
                    nulls.push((format!("service_strategies[{index}]"), slot));
                }
            }
        }
        nulls
            .into_iter()
            .map(|(path, slot)| {
                let text = "Remove the null.";
                let fix = match context.remove(slot) {
                    Some(edit) => Fix::edit(text, vec![edit]),
                    None => Fix::manual(text),
                };
                context
                    .at(
                        &META,
                        slot.pos(),
                        format!("`{path}` is null"),
                        "Jaeger decodes it as a nil pointer and dereferences it while loading: `panic: runtime \
                         error: invalid memory address or nil pointer dereference`; it does not start (on a \
                         reload, the process dies)."
                            .to_owned(),
                    )
                    .subject(path)
                    .fix(fix)
            })
            .collect()
    }
}

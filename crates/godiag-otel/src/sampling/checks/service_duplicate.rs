//! SAMP008: two entries for one service; the last one wins.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};

use super::Context;

/// A service listed twice.
pub(crate) struct DuplicateService;

const META: CheckMeta = CheckMeta {
    code: "SAMP008",
    slug: "service-duplicate",
    domain: Domain::Samp,
    severity: Severity::Error,
    status: CheckStatus::Stable,
    title: "A service has more than one strategy entry",
    ok_title: "Every service has one strategy entry",
    doc: include_str!("../../../../../docs/checks/SAMP008.md"),
};

impl Check<Context> for DuplicateService {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.unusable().or_else(|| {
            context
                .entries()
                .iter()
                .all(|entry| entry.is_default)
                .then(|| "the file has no service_strategies".to_owned())
        })
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let entries: Vec<_> = context
            .entries()
            .into_iter()
            .filter(|entry| !entry.is_default)
            .collect();
        let mut findings = Vec::new();
        for (index, entry) in entries.iter().enumerate() {
            let Some(name) = &entry.entry.service else {
                continue;
            };
            let Some(last) = entries[index + 1..].iter().rev().find(|later| {
                later
                    .entry
                    .service
                    .as_ref()
                    .is_some_and(|s| s.value == name.value)
            }) else {
                continue;
            };
            let text =
                "Remove this entry; it has no effect (or merge what it meant into the later one).";
            let fix = match context.remove(&entry.entry.slot) {
                Some(edit) => Fix::edit(text, vec![edit]),
                None => Fix::manual(text),
            };
            findings.push(
                context
                    .at(
                        &META,
                        name.pos,
                        format!("service \"{}\" is listed again at line {}", name.value, last.entry.pos.line),
                        format!(
                            "Jaeger stores the entries in a map by service name, so the entry at line {} \
                             replaces this one entirely.",
                            last.entry.pos.line
                        ),
                    )
                    .subject(format!("service \"{}\"", name.value))
                    .fix(fix),
            );
        }
        findings
    }
}

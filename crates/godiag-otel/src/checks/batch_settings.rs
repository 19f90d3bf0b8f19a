//! OTEL014: `batch` processor settings the Collector rejects, or that hurt.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};

use super::Context;
use crate::components::{self, anchor, duration};
use crate::registry::Kind;

/// `batch` settings.
pub(crate) struct BatchSettings;

const META: CheckMeta = CheckMeta {
    code: "OTEL014",
    slug: "batch-settings",
    domain: Domain::Otel,
    severity: Severity::Error,
    status: CheckStatus::Stable,
    title: "batch processor settings are invalid or add latency",
    ok_title: "batch processor settings are valid",
    doc: include_str!("../../../../docs/checks/OTEL014.md"),
};

impl Check<Context> for BatchSettings {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.unusable().or_else(|| {
            context
                .collector
                .of_kind(Kind::Processor)
                .all(|c| c.ty != "batch")
                .then(|| "the config defines no batch processor".to_owned())
        })
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let mut findings = Vec::new();
        for component in context
            .collector
            .of_kind(Kind::Processor)
            .filter(|c| c.ty == "batch")
        {
            if let Some(problem) = components::batch_rules(&component.config) {
                let mut one = [problem];
                anchor(&mut one, component.key_pos);
                let [problem] = one;
                findings.push(
                    context
                        .at(
                            &META,
                            problem.pos,
                            format!("{}: {}", component.id, problem.describe()),
                            format!(
                                "The Collector stops before starting: `processors::{}: ...`.",
                                component.id
                            ),
                        )
                        .subject(format!("processors::{}", component.id))
                        .fix(Fix::manual(
                            "Make `send_batch_max_size` ≥ `send_batch_size` (0 means no maximum).",
                        )),
                );
                continue;
            }
            if let Some(entry) = component.config.entry("timeout") {
                if duration(&component.config, "timeout").is_some_and(|ns| ns >= 10_000_000_000) {
                    findings.push(
                        context
                            .at(
                                &META,
                                entry.key_pos,
                                format!("{}: timeout of 10s or more", component.id),
                                "`timeout` is the longest a batch waits before it is sent (default 200ms): a long \
                                 timeout adds that much latency and holds that much data in memory; it does not \
                                 make the Collector lose fewer traces."
                                    .to_owned(),
                            )
                            .severity(Severity::Warning)
                            .subject(format!("processors::{}", component.id))
                            .fix(Fix::manual("Remove `timeout` (200ms) or keep it at a few seconds at most.")),
                    );
                }
            }
        }
        findings
    }
}

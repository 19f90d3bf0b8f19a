//! OTEL013: `memory_limiter` settings the Collector rejects, or that cannot protect it.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};

use super::Context;
use crate::collector::Component;
use crate::components::{self, anchor, duration, number};
use crate::registry::Kind;

/// `memory_limiter` settings.
pub(crate) struct MemoryLimiterSettings;

const META: CheckMeta = CheckMeta {
    code: "OTEL013",
    slug: "memory-limiter-settings",
    domain: Domain::Otel,
    severity: Severity::Error,
    status: CheckStatus::Stable,
    title: "memory_limiter settings are invalid or cannot work",
    ok_title: "memory_limiter settings are valid and leave room to react",
    doc: include_str!("../../../../docs/checks/OTEL013.md"),
};

/// 1 TiB in MiB: a larger `limit_mib` is almost certainly bytes or KiB.
const IMPLAUSIBLE_MIB: f64 = 1_048_576.0;

impl Check<Context> for MemoryLimiterSettings {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.unusable().or_else(|| {
            context
                .collector
                .of_kind(Kind::Processor)
                .all(|c| c.ty != "memory_limiter")
                .then(|| "the config defines no memory_limiter processor".to_owned())
        })
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let mut findings = Vec::new();
        for component in context
            .collector
            .of_kind(Kind::Processor)
            .filter(|c| c.ty == "memory_limiter")
        {
            if let Some(mut problem) = components::memory_limiter_rules(&component.config) {
                let mut one = [problem.clone()];
                anchor(&mut one, component.key_pos);
                problem = one[0].clone();
                let key = problem.path.clone();
                findings.push(
                    context
                        .at(
                            &META,
                            problem.pos,
                            format!("{}: {}", component.id, problem.describe()),
                            format!(
                                "The Collector stops before starting: `processors::{}: {}`.",
                                component.id,
                                problem.describe().trim_start_matches(&format!("`{key}`: "))
                            ),
                        )
                        .subject(format!("processors::{}", component.id))
                        .fix(Fix::manual(
                            "Start from `check_interval: 1s`, `limit_percentage: 80`, `spike_limit_percentage: 20` \
                             (or `limit_mib` with `spike_limit_mib` about 20% of it).",
                        )),
                );
                continue;
            }
            findings.extend(warnings(context, component));
        }
        findings
    }
}

fn warnings(context: &Context, component: &Component) -> Vec<Finding> {
    let config = &component.config;
    let mut findings = Vec::new();
    let warn = |key: &str, title: String, message: String, fix: String| {
        let pos = config.entry(key).map_or(component.key_pos, |e| e.key_pos);
        context
            .at(&META, pos, title, message)
            .severity(Severity::Warning)
            .subject(format!("processors::{}", component.id))
            .fix(Fix::manual(fix))
    };
    let limit = number(config, "limit_mib").unwrap_or(0.0);
    let spike = number(config, "spike_limit_mib").unwrap_or(limit * 0.2);
    let percent = number(config, "limit_percentage").unwrap_or(0.0);
    let spike_percent = number(config, "spike_limit_percentage").unwrap_or(percent * 0.2);
    if limit > IMPLAUSIBLE_MIB {
        findings.push(warn(
            "limit_mib",
            format!("{}: limit_mib {limit} MiB is more than 1 TiB", component.id),
            "`limit_mib` is in mebibytes; a value this large is usually bytes or KiB, so the limiter \
             never triggers and the process is OOM-killed instead."
                .into(),
            "Give the limit in MiB, e.g. `limit_mib: 1536` for a 2 GiB container.".into(),
        ));
    }
    if limit > 0.0 && percent > 0.0 {
        findings.push(warn(
            "limit_percentage",
            format!(
                "{}: both limit_mib and limit_percentage are set",
                component.id
            ),
            "`limit_mib` wins and `limit_percentage` is ignored.".into(),
            "Keep one of them.".into(),
        ));
    }
    let soft = |hard: f64, spike: f64| (hard - spike) / hard;
    let (hard, spike_used, unit) = if limit > 0.0 {
        (limit, spike, "MiB")
    } else {
        (percent, spike_percent, "%")
    };
    if hard > 0.0 && spike_used < hard && soft(hard, spike_used) < 0.5 {
        let key = if limit > 0.0 {
            "spike_limit_mib"
        } else {
            "spike_limit_percentage"
        };
        findings.push(warn(
            key,
            format!(
                "{}: the soft limit is only {:.0}{unit} of {hard}{unit}",
                component.id,
                hard - spike_used
            ),
            "Data is refused from the soft limit (limit − spike) on, so a large spike setting makes the \
             Collector refuse data while most of its memory is unused (collector#12063)."
                .into(),
            "Keep the spike at about 20% of the limit.".into(),
        ));
    }
    if duration(config, "check_interval").is_some_and(|ns| ns > 5_000_000_000) {
        findings.push(warn(
            "check_interval",
            format!("{}: check_interval is longer than 5s", component.id),
            "Memory is measured this rarely, so a burst can exceed the hard limit between two checks; \
             the README recommends 1s."
                .into(),
            "Set `check_interval: 1s`.".into(),
        ));
    }
    findings
}

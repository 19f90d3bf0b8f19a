//! PROM015: abbreviated units (`_ms`, `_s`, `_kb`).

use godiag_core::check::{Check, CheckMeta};
use godiag_core::finding::Finding;

use super::{Context, each_family, has_word, promlint_finding, rename_fix};

/// PROM015: abbreviated units (`_ms`, `_s`, `_kb`).
pub(crate) struct AbbreviatedUnit;

meta!(
    ABBREVIATED,
    "PROM015",
    "metric-name-abbreviated-unit",
    Warning,
    "A metric name contains an abbreviated unit",
    "Metric names spell out their units"
);

/// Abbreviations promlint discourages (promlint `unitAbbreviations`).
const ABBREVIATIONS: &[&str] = &[
    "s", "ms", "us", "ns", "sec", "b", "kb", "mb", "gb", "tb", "pb", "m", "h", "d",
];

impl Check<Context> for AbbreviatedUnit {
    fn meta(&self) -> &'static CheckMeta {
        &ABBREVIATED
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.nothing_to_lint()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        each_family(context, |family| {
            let lower = family.name.to_lowercase();
            let found: Vec<&str> = ABBREVIATIONS
                .iter()
                .copied()
                .filter(|abbreviation| has_word(&lower, abbreviation))
                .collect();
            if found.is_empty() {
                return None;
            }
            Some(promlint_finding(
                &ABBREVIATED,
                context,
                family,
                family.line,
                "metric names should not contain abbreviated units",
                format!(
                    "`{}` abbreviates a unit (`_{}`). Spell out base units: `_seconds` rather \
                     than `_ms` or `_s` (and convert milliseconds to seconds), `_bytes` rather \
                     than `_kb` or `_b`.",
                    family.name,
                    found.join("`, `_")
                ),
                rename_fix(&family.name, &spelled_out(&family.name)),
            ))
        })
    }
}

/// Replaces abbreviated unit words with base units (`_ms` → `_seconds`).
fn spelled_out(name: &str) -> String {
    name.split('_')
        .map(|part| match part.to_lowercase().as_str() {
            "s" | "ms" | "us" | "ns" | "sec" | "m" | "h" | "d" => "seconds",
            "b" | "kb" | "mb" | "gb" | "tb" | "pb" => "bytes",
            _ => part,
        })
        .collect::<Vec<_>>()
        .join("_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abbreviations_are_spelled_out() {
        assert_eq!(spelled_out("latency_ms"), "latency_seconds");
    }
}

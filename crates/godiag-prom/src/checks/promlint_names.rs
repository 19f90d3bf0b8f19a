//! PROM002–PROM008 and PROM011–PROM013, PROM015: promlint's rules about a family's name,
//! type and help, exactly as `client_golang` 1.14 `testutil/promlint` applies them (the
//! version promtool 2.42 is built with).

use godiag_core::check::{Check, CheckMeta};
use godiag_core::finding::{Finding, Fix};

use super::{Context, promlint_finding, rename_fix};
use crate::model::{Family, MetricType};

/// PROM002: no HELP line.
pub(crate) struct HelpMissing;
/// PROM003: a unit that is not the base unit (`milliseconds`, `kilobytes`, `minutes`).
pub(crate) struct UnitNotBase;
/// PROM004: a counter without `_total`.
pub(crate) struct CounterWithoutTotal;
/// PROM005: `_total` on a typed non-counter.
pub(crate) struct NonCounterWithTotal;
/// PROM006: `_bucket` on a non-histogram.
pub(crate) struct BucketSuffixReserved;
/// PROM007: `_count` on neither histogram nor summary.
pub(crate) struct CountSuffixReserved;
/// PROM008: `_sum` on neither histogram nor summary.
pub(crate) struct SumSuffixReserved;
/// PROM011: a type name inside the metric name.
pub(crate) struct TypeInName;
/// PROM012: `:` in the metric name.
pub(crate) struct ColonInName;
/// PROM013: camelCase metric name.
pub(crate) struct CamelCaseName;
/// PROM015: abbreviated units (`_ms`, `_s`, `_kb`).
pub(crate) struct AbbreviatedUnit;

meta!(
    HELP,
    "PROM002",
    "metric-help-missing",
    Warning,
    "A metric family has no HELP text",
    "Every metric family has HELP text"
);
meta!(
    UNIT,
    "PROM003",
    "metric-unit-not-base",
    Warning,
    "A metric name uses a unit that is not the base unit",
    "Metric names use base units"
);
meta!(
    COUNTER,
    "PROM004",
    "counter-total-suffix-missing",
    Warning,
    "A counter's name does not end in _total",
    "Counter names end in _total"
);
meta!(
    NON_COUNTER,
    "PROM005",
    "non-counter-total-suffix",
    Warning,
    "A metric that is not a counter ends in _total",
    "Only counters end in _total"
);
meta!(
    BUCKET,
    "PROM006",
    "bucket-suffix-reserved",
    Warning,
    "A metric that is not a histogram ends in _bucket",
    "Only histograms end in _bucket"
);
meta!(
    COUNT,
    "PROM007",
    "count-suffix-reserved",
    Warning,
    "A metric that is neither histogram nor summary ends in _count",
    "Only histograms and summaries end in _count"
);
meta!(
    SUM,
    "PROM008",
    "sum-suffix-reserved",
    Warning,
    "A metric that is neither histogram nor summary ends in _sum",
    "Only histograms and summaries end in _sum"
);
meta!(
    TYPE_NAME,
    "PROM011",
    "metric-name-has-type",
    Warning,
    "A metric name contains a metric type",
    "Metric names do not contain metric types"
);
meta!(
    COLON,
    "PROM012",
    "metric-name-has-colon",
    Warning,
    "A metric name contains ':'",
    "Metric names contain no ':'"
);
meta!(
    CAMEL,
    "PROM013",
    "metric-name-camel-case",
    Warning,
    "A metric name is written in camelCase",
    "Metric names are snake_case"
);
meta!(
    ABBREVIATED,
    "PROM015",
    "metric-name-abbreviated-unit",
    Warning,
    "A metric name contains an abbreviated unit",
    "Metric names spell out their units"
);

/// Base units and what each known unit should be expressed in (promlint `units`).
const UNITS: &[(&str, &str)] = &[
    ("amperes", "amperes"),
    ("bytes", "bytes"),
    ("celsius", "celsius"),
    ("grams", "grams"),
    ("joules", "joules"),
    ("kelvin", "kelvin"),
    ("meters", "meters"),
    ("metres", "metres"),
    ("seconds", "seconds"),
    ("volts", "volts"),
    ("minutes", "seconds"),
    ("hours", "seconds"),
    ("days", "seconds"),
    ("weeks", "seconds"),
    ("kelvins", "kelvin"),
    ("fahrenheit", "celsius"),
    ("rankine", "celsius"),
    ("inches", "meters"),
    ("yards", "meters"),
    ("miles", "meters"),
    ("bits", "bytes"),
    ("calories", "joules"),
    ("pounds", "grams"),
    ("ounces", "grams"),
];

/// SI and binary prefixes promlint recognises (promlint `unitPrefixes`, `mibi`/`pebi` sic).
const PREFIXES: &[&str] = &[
    "pico", "nano", "micro", "milli", "centi", "deci", "deca", "hecto", "kilo", "kibi", "mega",
    "mibi", "giga", "gibi", "tera", "tebi", "peta", "pebi",
];

/// Abbreviations promlint discourages (promlint `unitAbbreviations`).
const ABBREVIATIONS: &[&str] = &[
    "s", "ms", "us", "ns", "sec", "b", "kb", "mb", "gb", "tb", "pb", "m", "h", "d",
];

/// Type names promlint looks for (every type but untyped, whatever the family's own type).
const TYPE_NAMES: &[&str] = &[
    "counter",
    "gauge",
    "summary",
    "histogram",
    "gauge_histogram",
];

/// The unit words in a name: each `_`-separated part that is a known unit, with or without
/// a prefix, paired with its base unit.
#[must_use]
pub(crate) fn unit_words(name: &str) -> Vec<(&str, &'static str)> {
    name.split('_')
        .filter_map(|part| {
            UNITS.iter().find_map(|(unit, base)| {
                let rest = part.strip_suffix(unit)?;
                (rest.is_empty() || PREFIXES.contains(&rest)).then_some((part, *base))
            })
        })
        .collect()
}

/// True when `name` contains `_word_` or ends in `_word`.
fn has_word(name: &str, word: &str) -> bool {
    name.ends_with(&format!("_{word}")) || name.contains(&format!("_{word}_"))
}

fn is_camel(name: &str) -> bool {
    name.as_bytes()
        .windows(2)
        .any(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase())
}

fn each_family(
    context: &Context,
    mut rule: impl FnMut(&Family) -> Option<Finding>,
) -> Vec<Finding> {
    context
        .linted()
        .filter_map(|(family, _)| rule(family))
        .collect()
}

impl Check<Context> for HelpMissing {
    fn meta(&self) -> &'static CheckMeta {
        &HELP
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.nothing_to_lint()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        each_family(context, |family| {
            family.help.is_none().then(|| {
                promlint_finding(
                    &HELP,
                    context,
                    family,
                    family.line,
                    "no help text",
                    format!(
                        "`{}` has no `# HELP` line (or an empty one). Grafana's metric browser and \
                         the Prometheus UI show the help text; without it nobody can tell what \
                         the number means.",
                        family.name
                    ),
                    Fix::manual(format!(
                        "Give the metric a help string where it is defined (client_golang: the \
                         `Help` field of its Opts); the exposition then carries `# HELP {} ...`.",
                        family.name
                    )),
                )
            })
        })
    }
}

impl Check<Context> for UnitNotBase {
    fn meta(&self) -> &'static CheckMeta {
        &UNIT
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.nothing_to_lint()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        each_family(context, |family| {
            let words = unit_words(&family.name);
            let (unit, base) = *words.iter().find(|(unit, base)| unit != base)?;
            let ambiguous = words.iter().any(|(unit, base)| unit == base);
            let renamed = family.name.replacen(unit, base, 1);
            let mut message = format!(
                "`{}` is measured in {unit}. Prometheus names carry base units ({base}), so that \
                 every duration is in seconds and every size in bytes and queries can combine \
                 them without conversion factors.",
                family.name
            );
            if ambiguous {
                message.push_str(
                    " The name also holds a base unit; promtool 2.42 picks one unit word at random \
                     per run, so it reports this only on some runs.",
                );
            }
            Some(promlint_finding(
                &UNIT,
                context,
                family,
                family.line,
                &format!("use base unit \"{base}\" instead of \"{unit}\""),
                message,
                rename_fix(&family.name, &renamed),
            ))
        })
    }
}

impl Check<Context> for CounterWithoutTotal {
    fn meta(&self) -> &'static CheckMeta {
        &COUNTER
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.no_family_of(&[MetricType::Counter], "counter")
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        each_family(context, |family| {
            (family.kind() == MetricType::Counter && !family.name.ends_with("_total")).then(|| {
                promlint_finding(
                    &COUNTER,
                    context,
                    family,
                    family.line,
                    "counter metrics should have \"_total\" suffix",
                    format!(
                        "`{}` is a counter. Counters end in `_total` so that a reader knows to \
                         wrap them in rate() or increase(); OpenMetrics requires the suffix and \
                         Prometheus adds it when it translates OpenTelemetry counters, so dashboards \
                         written against the bare name break.",
                        family.name
                    ),
                    rename_fix(&family.name, &format!("{}_total", family.name)),
                )
            })
        })
    }
}

impl Check<Context> for NonCounterWithTotal {
    fn meta(&self) -> &'static CheckMeta {
        &NON_COUNTER
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.nothing_to_lint()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        each_family(context, |family| {
            let kind = family.kind();
            let applies = !matches!(kind, MetricType::Counter | MetricType::Untyped)
                && family.name.ends_with("_total")
                // An OpenMetrics info family is named `x_info`, never `_total`.
                && kind != MetricType::Info;
            applies.then(|| {
                promlint_finding(
                    &NON_COUNTER,
                    context,
                    family,
                    family.line,
                    "non-counter metrics should not have \"_total\" suffix",
                    format!(
                        "`{}` is a {} but ends in `_total`, which promises a counter: readers will \
                         apply rate() to a value that goes up and down.",
                        family.name,
                        kind.as_str()
                    ),
                    rename_fix(&family.name, family.name.trim_end_matches("_total")),
                )
            })
        })
    }
}

/// PROM006–PROM008 share one shape: a reserved suffix on the wrong type.
fn reserved_suffix(
    meta: &CheckMeta,
    context: &Context,
    suffix: &str,
    text: &str,
    allowed: &[MetricType],
) -> Vec<Finding> {
    each_family(context, |family| {
        let kind = family.kind();
        let applies = kind != MetricType::Untyped
            && !allowed.contains(&kind)
            && family.name.ends_with(suffix);
        applies.then(|| {
            promlint_finding(
                meta,
                context,
                family,
                family.line,
                text,
                format!(
                    "`{}` is a {} but ends in `{suffix}`, a suffix Prometheus reserves for the \
                     series of histograms and summaries. histogram_quantile() and readers that \
                     strip the suffix to find the family will misread it.",
                    family.name,
                    kind.as_str()
                ),
                rename_fix(
                    &family.name,
                    &format!("{}_{}", family.name.trim_end_matches(suffix), "value"),
                ),
            )
        })
    })
}

impl Check<Context> for BucketSuffixReserved {
    fn meta(&self) -> &'static CheckMeta {
        &BUCKET
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.nothing_to_lint()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        reserved_suffix(
            &BUCKET,
            context,
            "_bucket",
            "non-histogram metrics should not have \"_bucket\" suffix",
            &[MetricType::Histogram],
        )
    }
}

impl Check<Context> for CountSuffixReserved {
    fn meta(&self) -> &'static CheckMeta {
        &COUNT
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.nothing_to_lint()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        reserved_suffix(
            &COUNT,
            context,
            "_count",
            "non-histogram and non-summary metrics should not have \"_count\" suffix",
            &[MetricType::Histogram, MetricType::Summary],
        )
    }
}

impl Check<Context> for SumSuffixReserved {
    fn meta(&self) -> &'static CheckMeta {
        &SUM
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.nothing_to_lint()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        reserved_suffix(
            &SUM,
            context,
            "_sum",
            "non-histogram and non-summary metrics should not have \"_sum\" suffix",
            &[MetricType::Histogram, MetricType::Summary],
        )
    }
}

impl Check<Context> for TypeInName {
    fn meta(&self) -> &'static CheckMeta {
        &TYPE_NAME
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.nothing_to_lint()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let mut findings = Vec::new();
        for (family, _) in context.linted() {
            let lower = family.name.to_lowercase();
            for type_name in TYPE_NAMES.iter().filter(|t| has_word(&lower, t)) {
                let without = lower
                    .replace(&format!("_{type_name}_"), "_")
                    .trim_end_matches(&format!("_{type_name}"))
                    .to_owned();
                findings.push(promlint_finding(
                    &TYPE_NAME,
                    context,
                    family,
                    family.line,
                    &format!("metric name should not include type '{type_name}'"),
                    format!(
                        "`{}` names a metric type in its name. The type is already in the \
                         `# TYPE` line; in the name it only says something that stops being true \
                         when the metric changes type.",
                        family.name
                    ),
                    rename_fix(&family.name, &without),
                ));
            }
        }
        findings
    }
}

impl Check<Context> for ColonInName {
    fn meta(&self) -> &'static CheckMeta {
        &COLON
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.nothing_to_lint()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        each_family(context, |family| {
            family.name.contains(':').then(|| {
                promlint_finding(
                    &COLON,
                    context,
                    family,
                    family.line,
                    "metric names should not contain ':'",
                    format!(
                        "`{}` contains ':'. Colons are reserved for recording rules \
                         (`level:metric:operations`); an exporter using them collides with that \
                         convention.",
                        family.name
                    ),
                    rename_fix(&family.name, &family.name.replace(':', "_")),
                )
            })
        })
    }
}

impl Check<Context> for CamelCaseName {
    fn meta(&self) -> &'static CheckMeta {
        &CAMEL
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.nothing_to_lint()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        each_family(context, |family| {
            is_camel(&family.name).then(|| {
                promlint_finding(
                    &CAMEL,
                    context,
                    family,
                    family.line,
                    "metric names should be written in 'snake_case' not 'camelCase'",
                    format!(
                        "`{}` mixes lower and upper case. Prometheus names are snake_case; names \
                         differing only in case are different metrics, which invites typos in \
                         queries.",
                        family.name
                    ),
                    rename_fix(&family.name, &snake_case(&family.name)),
                )
            })
        })
    }
}

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

/// `fooBar` → `foo_bar`.
fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let mut previous_lower = false;
    for c in name.chars() {
        if c.is_ascii_uppercase() && previous_lower {
            out.push('_');
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        out.push(c.to_ascii_lowercase());
    }
    out
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
    fn unit_words_follow_promlint() {
        assert_eq!(
            unit_words("disk_kilobytes_total"),
            vec![("kilobytes", "bytes")]
        );
        assert_eq!(unit_words("thermometers_reading"), vec![]);
        assert_eq!(
            unit_words("x_milliseconds_seconds"),
            vec![("milliseconds", "seconds"), ("seconds", "seconds")]
        );
        assert_eq!(
            unit_words("temp_fahrenheit"),
            vec![("fahrenheit", "celsius")]
        );
    }

    #[test]
    fn words_and_case() {
        assert!(has_word("a_ms", "ms"));
        assert!(has_word("a_ms_total", "ms"));
        assert!(!has_word("ams", "ms"));
        assert!(is_camel("fooBar"));
        assert!(!is_camel("FOO_bar"));
        assert_eq!(snake_case("httpRequestsTotal"), "http_requests_total");
        assert_eq!(spelled_out("latency_ms"), "latency_seconds");
    }
}

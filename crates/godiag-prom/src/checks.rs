//! The metrics checks and the context they share.
//!
//! PROM001–PROM099 mirror `promtool check metrics` (promtool 2.42, `client_golang` promlint
//! 1.14): one code per problem text it prints, reported for the same families. PROM100 and
//! up are conventions promtool does not check. The tables ([`SYNTAX`], [`LINT`],
//! [`PREFIX`], [`SCRAPE`]) own dispatch.

/// Declares a check's registry entry; its page is `docs/checks/CODE.md`.
macro_rules! meta {
    ($name:ident, $code:literal, $slug:literal, $severity:ident, $title:literal, $ok:literal) => {
        const $name: godiag_core::check::CheckMeta = godiag_core::check::CheckMeta {
            code: $code,
            slug: $slug,
            domain: godiag_core::check::Domain::Prom,
            severity: godiag_core::finding::Severity::$severity,
            status: godiag_core::check::CheckStatus::Stable,
            title: $title,
            ok_title: $ok,
            doc: include_str!(concat!("../../../../docs/checks/", $code, ".md")),
        };
    };
}

mod bucket_suffix_reserved;
mod count_suffix_reserved;
mod counter_negative;
mod counter_total_suffix_missing;
mod exposition_unparsable;
mod family_series_too_many;
mod histogram_buckets_not_cumulative;
mod histogram_count_mismatch;
mod histogram_inf_bucket_missing;
mod label_name_camel_case;
mod label_name_reserved;
mod label_values_too_many;
mod le_label_reserved;
mod metric_help_missing;
mod metric_name_abbreviated_unit;
mod metric_name_camel_case;
mod metric_name_has_colon;
mod metric_name_has_type;
mod metric_prefix_missing;
mod metric_unit_not_base;
mod metric_unit_word_nonstandard;
mod non_counter_total_suffix;
mod openmetrics_spec_breach;
mod quantile_label_reserved;
mod scrape_content_type_unknown;
mod scrape_failed;
mod series_duplicate;
mod sum_suffix_reserved;
mod summary_inconsistent;

use godiag_core::check::{Check, CheckMeta};
use godiag_core::finding::{Evidence, Finding, Fix, Location};

use crate::analysis::{FamilyStats, Occurrences, SeriesProblem};
use crate::model::{Family, Format, MetricType};
use crate::model::{Options, ScrapeInfo};
use crate::parse::Error;

/// Everything the checks look at, computed once.
#[derive(Debug)]
pub struct Context {
    /// The input as the user named it: a path, a URL or `-`.
    pub source: String,
    /// The path findings point into (the source itself, or `<stdin>`).
    pub location_path: String,
    /// The format that was parsed.
    pub format: Format,
    /// Every family, in order of first appearance.
    pub families: Vec<Family>,
    /// Per family, parallel to `families`.
    pub stats: Vec<FamilyStats>,
    /// Why parsing stopped, if it did.
    pub error: Option<Error>,
    /// The command-line options.
    pub options: Options,
    /// The HTTP exchange, for URL inputs.
    pub scrape: Option<ScrapeInfo>,
    /// OpenMetrics breaches Prometheus accepts (the first few).
    pub notes: Vec<crate::parse::ParseError>,
    /// How many there were.
    pub notes_total: u64,
    /// Lines read.
    pub lines: u32,
    /// Bytes read.
    pub bytes: u64,
}

impl Context {
    /// Families that had samples: the ones promtool lints (it drops empty families).
    pub fn linted(&self) -> impl Iterator<Item = (&Family, &FamilyStats)> {
        self.families
            .iter()
            .zip(&self.stats)
            .filter(|(family, _)| family.samples > 0)
    }

    /// Why there is no exposition to look at: the scrape got no usable answer, or reading
    /// or parsing stopped.
    #[must_use]
    pub fn unreadable(&self) -> Option<String> {
        if let Some(scrape) = &self.scrape
            && (scrape.error.is_some()
                || !scrape.status.is_some_and(|code| (200..300).contains(&code)))
        {
            return Some("the scrape failed, so there is no exposition".to_owned());
        }
        match &self.error {
            Some(Error::Read { .. }) => Some("the exposition could not be read".to_owned()),
            Some(Error::Syntax(_)) => Some("the exposition could not be parsed".to_owned()),
            None => None,
        }
    }

    /// Why the lint checks have nothing to look at: no readable exposition, or one without
    /// a sample (promtool lints only families with samples).
    #[must_use]
    pub fn nothing_to_lint(&self) -> Option<String> {
        self.unreadable().or_else(|| {
            self.linted()
                .next()
                .is_none()
                .then(|| "the exposition holds no sample".to_owned())
        })
    }

    /// Why a check of one kind of family has nothing to look at: nothing to lint, or no
    /// family of `kinds` (`what` names them for the reason).
    #[must_use]
    pub fn no_family_of(&self, kinds: &[MetricType], what: &str) -> Option<String> {
        self.nothing_to_lint().or_else(|| {
            (!self
                .linted()
                .any(|(family, _)| kinds.contains(&family.kind())))
            .then(|| format!("the exposition has no {what}"))
        })
    }

    /// Why a label check has nothing to look at: nothing to lint, or no series with a label.
    #[must_use]
    pub fn no_label(&self) -> Option<String> {
        self.nothing_to_lint().or_else(|| {
            (!self.linted().any(|(_, stats)| !stats.labels.is_empty()))
                .then(|| "no series of the exposition has a label".to_owned())
        })
    }

    /// Why the scrape checks have nothing to look at: the input was not fetched from a URL.
    #[must_use]
    pub fn not_scraped(&self) -> Option<String> {
        self.scrape.is_none().then(|| {
            if self.source == "-" {
                "the input is standard input, not a URL".to_owned()
            } else {
                "the input is a file, not a URL".to_owned()
            }
        })
    }

    /// The command a person runs to see promtool's view of the same input.
    fn promtool_command(&self) -> String {
        if self.source.contains("://") {
            format!("curl -s {} | promtool check metrics", self.source)
        } else if self.source == "-" {
            "promtool check metrics < FILE".to_owned()
        } else {
            format!("promtool check metrics < {}", self.source)
        }
    }

    fn location(&self, line: u32) -> Location {
        Location::line(&self.location_path, line)
    }
}

/// The checks that need the parsed exposition, in code order (PROM100 and the scrape
/// checks are separate: they apply only with `--require-prefix` and for URLs, and say so
/// when skipped).
pub static LINT: &[&dyn Check<Context>] = &[
    &metric_help_missing::HelpMissing,
    &metric_unit_not_base::UnitNotBase,
    &counter_total_suffix_missing::CounterWithoutTotal,
    &non_counter_total_suffix::NonCounterWithTotal,
    &bucket_suffix_reserved::BucketSuffixReserved,
    &count_suffix_reserved::CountSuffixReserved,
    &sum_suffix_reserved::SumSuffixReserved,
    &le_label_reserved::LeLabelReserved,
    &quantile_label_reserved::QuantileLabelReserved,
    &metric_name_has_type::TypeInName,
    &metric_name_has_colon::ColonInName,
    &metric_name_camel_case::CamelCaseName,
    &label_name_camel_case::CamelCaseLabel,
    &metric_name_abbreviated_unit::AbbreviatedUnit,
    &metric_unit_word_nonstandard::UnitWord,
    &label_name_reserved::LabelNameReserved,
    &series_duplicate::DuplicateSeries,
    &histogram_buckets_not_cumulative::NotCumulative,
    &histogram_inf_bucket_missing::InfBucketMissing,
    &histogram_count_mismatch::CountMismatch,
    &summary_inconsistent::SummaryInconsistent,
    &family_series_too_many::TooManySeries,
    &label_values_too_many::TooManyLabelValues,
    &counter_negative::CounterNegative,
];

/// Whether the input parses (runs for every input).
pub static SYNTAX: &[&dyn Check<Context>] = &[
    &exposition_unparsable::ExpositionInvalid,
    &openmetrics_spec_breach::SpecBreach,
];

/// `--require-prefix`.
pub static PREFIX: &[&dyn Check<Context>] = &[&metric_prefix_missing::PrefixMissing];

/// The HTTP exchange of a URL input.
pub static SCRAPE: &[&dyn Check<Context>] = &[
    &scrape_failed::ScrapeFailed,
    &scrape_content_type_unknown::ContentTypeUnknown,
];

/// Every check, for the registry.
const GROUPS: &[&[&dyn Check<Context>]] = &[SYNTAX, LINT, PREFIX, SCRAPE];

/// The registry entries of every check, in code order.
#[must_use]
pub fn registry() -> Vec<CheckMeta> {
    let mut all: Vec<CheckMeta> = GROUPS
        .iter()
        .flat_map(|group| group.iter().map(|check| *check.meta()))
        .collect();
    all.sort_by_key(|meta| meta.code);
    all
}

/// A finding about one family: subject, location and the promtool command as evidence.
fn family_finding(
    meta: &CheckMeta,
    context: &Context,
    family: &Family,
    line: u32,
    title: impl Into<String>,
    message: impl Into<String>,
) -> Finding {
    Finding::new(meta, title, message)
        .subject(&*family.name)
        .location(context.location(line))
        .evidence(Evidence::file(format!(
            "{}:{line}: family {} ({}{})",
            context.location_path,
            family.name,
            family.kind().as_str(),
            if family.help.is_some() {
                ", with HELP"
            } else {
                ""
            }
        )))
}

/// A promlint problem: the title is promtool's own text, the evidence its command.
fn promlint_finding(
    meta: &CheckMeta,
    context: &Context,
    family: &Family,
    line: u32,
    text: &str,
    message: impl Into<String>,
    fix: Fix,
) -> Finding {
    family_finding(meta, context, family, line, text, message)
        .evidence(Evidence::command(format!(
            "{}  →  {} {text}",
            context.promtool_command(),
            family.name
        )))
        .fix(fix)
}

/// A rename fix: what to call the metric and where that is decided.
fn rename_fix(from: &str, to: &str) -> Fix {
    Fix::manual(format!(
        "Rename `{from}` to `{to}` where the metric is defined (client_golang: the `Name` in its \
         `prometheus.*Opts`), then update the dashboards, alerts and recording rules that use the \
         old name."
    ))
}

// Shared by the histogram and summary checks (PROM104–PROM107).
/// The kinds whose series have buckets.
const HISTOGRAMS: &[MetricType] = &[MetricType::Histogram, MetricType::GaugeHistogram];

/// One finding per family listing the (first few) series with the problem.
fn series_findings(
    meta: &CheckMeta,
    context: &Context,
    pick: impl Fn(&FamilyStats) -> &[SeriesProblem],
    say: impl Fn(&Family) -> (String, String),
    fix: &str,
) -> Vec<Finding> {
    context
        .linted()
        .filter(|(_, stats)| !pick(stats).is_empty())
        .map(|(family, stats)| {
            let problems = pick(stats);
            let (title, message) = say(family);
            let mut finding =
                family_finding(meta, context, family, problems[0].line, title, message);
            for problem in problems {
                finding = finding.evidence(Evidence::file(format!(
                    "{}:{}: {}",
                    context.location_path, problem.line, problem.detail
                )));
            }
            finding.fix(Fix::manual(fix))
        })
        .collect()
}

// Shared by promlint's label-name rules (PROM009, PROM010, PROM014).
fn each(
    context: &Context,
    pick: impl Fn(&FamilyStats) -> Occurrences,
    mut build: impl FnMut(&Family, &FamilyStats, Occurrences) -> Finding,
) -> Vec<Finding> {
    context
        .linted()
        .filter_map(|(family, stats)| {
            let seen = pick(stats);
            seen.seen().then(|| build(family, stats, seen))
        })
        .collect()
}

fn series_word(count: u64) -> String {
    if count == 1 {
        "1 series".to_owned()
    } else {
        format!("{count} series")
    }
}

// Shared by the scrape checks (PROM120, PROM121).
fn probe(scrape: &ScrapeInfo) -> Evidence {
    let status = scrape
        .status
        .map_or_else(|| "no response".to_owned(), |code| format!("HTTP {code}"));
    let content_type = scrape
        .content_type
        .as_deref()
        .map_or_else(String::new, |value| format!(", Content-Type: {value}"));
    Evidence::probe(
        format!("GET {} → {status}{content_type}", scrape.url),
        scrape.duration_ms,
    )
}

// Shared by promlint's rules about a family's name, type and help (PROM002–PROM008,
// PROM011–PROM013, PROM015), which follow `client_golang` 1.14 `testutil/promlint` exactly (the
// version promtool 2.42 is built with); the unit words also serve PROM101.
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

fn each_family(
    context: &Context,
    mut rule: impl FnMut(&Family) -> Option<Finding>,
) -> Vec<Finding> {
    context
        .linted()
        .filter_map(|(family, _)| rule(family))
        .collect()
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
    fn words_are_whole_underscore_parts() {
        assert!(has_word("a_ms", "ms"));
        assert!(has_word("a_ms_total", "ms"));
        assert!(!has_word("ams", "ms"));
    }
}

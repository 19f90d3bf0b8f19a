//! PROM104–PROM107: histogram and summary series whose samples do not add up. promtool
//! 2.42 checks none of this; `histogram_quantile()` silently returns wrong numbers for it.

use godiag_core::check::{Check, CheckMeta};
use godiag_core::finding::{Evidence, Finding, Fix};

use super::{Context, family_finding};
use crate::analysis::{FamilyStats, SeriesProblem};
use crate::model::{Family, MetricType};

/// PROM104: buckets not ascending by `le`, or counts decreasing.
/// The kinds whose series have buckets.
const HISTOGRAMS: &[MetricType] = &[MetricType::Histogram, MetricType::GaugeHistogram];

pub(crate) struct NotCumulative;
/// PROM105: no `le="+Inf"` bucket.
pub(crate) struct InfBucketMissing;
/// PROM106: `_count` differs from the `+Inf` bucket, or `_count`/`_sum` missing.
pub(crate) struct CountMismatch;
/// PROM107: a summary quantile outside 0..1, or `_count`/`_sum` missing.
pub(crate) struct SummaryInconsistent;

meta!(
    CUMULATIVE,
    "PROM104",
    "histogram-buckets-not-cumulative",
    Error,
    "Histogram buckets are not cumulative in ascending le order",
    "Histogram buckets are cumulative"
);
meta!(
    INF,
    "PROM105",
    "histogram-inf-bucket-missing",
    Error,
    "A histogram series has no +Inf bucket",
    "Every histogram series has a +Inf bucket"
);
meta!(
    COUNT,
    "PROM106",
    "histogram-count-mismatch",
    Error,
    "A histogram's _count does not match its +Inf bucket",
    "Histogram _count equals the +Inf bucket"
);
meta!(
    SUMMARY,
    "PROM107",
    "summary-inconsistent",
    Error,
    "A summary series is inconsistent",
    "Summaries have valid quantiles, _count and _sum"
);

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

impl Check<Context> for NotCumulative {
    fn meta(&self) -> &'static CheckMeta {
        &CUMULATIVE
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.no_family_of(HISTOGRAMS, "histogram")
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        series_findings(
            &CUMULATIVE,
            context,
            |stats| &stats.not_cumulative,
            |family| {
                (
                    format!("`{}` has buckets that are not cumulative", family.name),
                    format!(
                        "Each bucket of `{}` must count every observation up to its `le`, so \
                         buckets listed in ascending `le` order never decrease. Here a bucket \
                         counts less than a smaller one, or `le` goes down; histogram_quantile() \
                         then interpolates in the wrong bucket and returns wrong quantiles.",
                        family.name
                    ),
                )
            },
            "Expose cumulative buckets in ascending `le` order: a client library's histogram \
             does this; a hand-written exporter must add each bucket's count to the next.",
        )
    }
}

impl Check<Context> for InfBucketMissing {
    fn meta(&self) -> &'static CheckMeta {
        &INF
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.no_family_of(HISTOGRAMS, "histogram")
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        series_findings(
            &INF,
            context,
            |stats| &stats.missing_inf,
            |family| {
                (
                    format!("`{}` has a series without le=\"+Inf\"", family.name),
                    format!(
                        "Every histogram series needs a `le=\"+Inf\"` bucket holding the total \
                         count. Without it histogram_quantile() over `{}_bucket` returns NaN.",
                        family.name
                    ),
                )
            },
            "Add the `+Inf` bucket (equal to `_count`) to every series of the histogram.",
        )
    }
}

impl Check<Context> for CountMismatch {
    fn meta(&self) -> &'static CheckMeta {
        &COUNT
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.no_family_of(HISTOGRAMS, "histogram")
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        series_findings(
            &COUNT,
            context,
            |stats| &stats.count_mismatch,
            |family| {
                (
                    format!(
                        "`{}` has a series whose _count and buckets disagree",
                        family.name
                    ),
                    format!(
                        "The `_count` of a histogram series equals its `+Inf` bucket, and every \
                         series has `_count` and `_sum`. For `{}` they do not, so average latency \
                         (`_sum / _count`) and quantiles disagree about the same observations.",
                        family.name
                    ),
                )
            },
            "Export `_count` and `_sum` with every histogram series, with `_count` equal to the \
             `+Inf` bucket, from one consistent snapshot of the histogram.",
        )
    }
}

impl Check<Context> for SummaryInconsistent {
    fn meta(&self) -> &'static CheckMeta {
        &SUMMARY
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.no_family_of(&[MetricType::Summary], "summary")
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        series_findings(
            &SUMMARY,
            context,
            |stats| &stats.summary_problems,
            |family| {
                (
                    format!("`{}` has an inconsistent summary series", family.name),
                    format!(
                        "Summary quantiles are between 0 and 1 and every summary series has \
                         `_count` and `_sum`. `{}` breaks this, so its quantiles or its average \
                         cannot be read correctly.",
                        family.name
                    ),
                )
            },
            "Use quantile labels between 0 and 1 (0.5, 0.9, 0.99) and export `_count` and `_sum` \
             for every summary series.",
        )
    }
}

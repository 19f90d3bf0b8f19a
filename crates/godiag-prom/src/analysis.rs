//! What the checks need to know about each family, gathered while samples stream past.
//!
//! Two threads share the work. The parsing thread (`collect`) reads lines and, for each
//! sample, computes what needs the line's text: a 64-bit fingerprint of the series, one
//! hash per label value, the series' key without `le`/`quantile`, and the label-name rules.
//! It sends these in batches to the tally thread (`tally`), which owns the tables: one
//! small fingerprint table per family for duplicates, distinct-value sets per label, and
//! per histogram/summary series the last bucket, the `+Inf` bucket, `_count` and `_sum`.
//! Nothing per sample is kept beyond its fingerprint, so memory stays far below the
//! input's size.

mod collect;
mod pieces;
mod tally;

use std::io::BufRead;
use std::sync::mpsc;
use std::thread;

use serde::Serialize;

use crate::model::{Format, PrometheusVersion};
use crate::parse::{self, Parsed};

/// Distinct values counted per label before counting stops (the count is then a floor).
pub const DISTINCT_VALUES_CAP: usize = 1 << 16;

/// Where a problem was first seen and how many lines had it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Occurrences {
    /// The first line with the problem.
    pub first_line: u32,
    /// How many lines had it.
    pub count: u64,
}

impl Occurrences {
    pub(crate) fn add(&mut self, line: u32) {
        if self.count == 0 {
            self.first_line = line;
        }
        self.count += 1;
    }

    /// Returns true when the problem was seen.
    #[must_use]
    pub fn seen(&self) -> bool {
        self.count > 0
    }
}

/// Distinct values of one label within one family.
#[derive(Debug, Clone, Default)]
pub struct LabelStats {
    /// The label name.
    pub name: Box<str>,
    /// How many distinct values were seen (a floor when saturated).
    pub distinct: usize,
    /// True when more values were seen than are counted.
    pub saturated: bool,
    /// The first line with this label.
    pub first_line: u32,
}

impl LabelStats {
    /// Returns how many distinct values were seen (a floor when saturated).
    #[must_use]
    pub fn distinct(&self) -> usize {
        self.distinct
    }
}

/// A histogram or summary series whose samples do not add up.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeriesProblem {
    /// The line of the series' first sample.
    pub line: u32,
    /// What is wrong, in words.
    pub detail: String,
}

/// Everything gathered about one family.
#[derive(Debug, Clone, Default)]
pub struct FamilyStats {
    /// Distinct series (sample lines minus duplicates).
    pub series: u64,
    /// Series with an `le` label outside a histogram family (promlint's rule).
    pub le_label: Occurrences,
    /// Series with a `quantile` label outside a summary family.
    pub quantile_label: Occurrences,
    /// Label names in camelCase.
    pub camel_labels: Occurrences,
    /// The first camelCase label name.
    pub camel_label_name: Option<Box<str>>,
    /// Label names that are reserved (`__` prefix) or renamed on ingestion (`job`, `instance`).
    pub reserved_labels: Occurrences,
    /// The first such label name.
    pub reserved_label_name: Option<Box<str>>,
    /// Lines repeating an earlier series.
    pub duplicates: Occurrences,
    /// The line of the first series a duplicate repeats.
    pub duplicate_of: u32,
    /// Counter samples below zero or NaN.
    pub negative_counter: Occurrences,
    /// Per label: distinct values.
    pub labels: Vec<LabelStats>,
    /// Buckets not ascending by `le` or counts decreasing.
    pub not_cumulative: Vec<SeriesProblem>,
    /// Series without an `le="+Inf"` bucket.
    pub missing_inf: Vec<SeriesProblem>,
    /// Series whose `_count` differs from the `+Inf` bucket, or lacks `_count`/`_sum`.
    pub count_mismatch: Vec<SeriesProblem>,
    /// Summary series with a quantile outside [0, 1] or no `_count`/`_sum`.
    pub summary_problems: Vec<SeriesProblem>,
    /// promtool `--extended`'s cardinality: series × (buckets or quantiles of the first
    /// series + 2) for histograms and summaries, series otherwise.
    pub promtool_cardinality: u64,
}

/// Parses `reader` and gathers per-family facts; returns the parse and one
/// [`FamilyStats`] per family.
#[must_use]
pub fn analyze<R: BufRead>(
    reader: R,
    format: Format,
    version: PrometheusVersion,
) -> (Parsed, Vec<FamilyStats>) {
    if format == Format::Text {
        return pieces::analyze(reader, version);
    }
    analyze_in_one_pass(reader, format, version)
}

/// Parses in one thread and tallies in another: the way for OpenMetrics, whose parser
/// follows the current family from line to line.
fn analyze_in_one_pass<R: BufRead>(
    reader: R,
    format: Format,
    version: PrometheusVersion,
) -> (Parsed, Vec<FamilyStats>) {
    // A few batches in flight let the two threads overlap without holding much.
    let (sender, receiver) = mpsc::sync_channel::<collect::Batch>(4);
    let (recycle, recycled) = mpsc::channel::<collect::Batch>();
    thread::scope(|scope| {
        let tallying = scope.spawn(move || tally::run(&receiver, &recycle));
        let sink = collect::ToThread { sender, recycled };
        let mut collector = collect::Collector::new(sink, format == Format::OpenMetrics);
        let parsed = parse::parse(reader, format, version, &mut collector);
        let (names, sink) = collector.finish();
        // Hanging up lets the tally thread finish.
        drop(sink);
        // The tally thread cannot panic on its input; should it, the stats are empty.
        let tallied = tallying.join().unwrap_or_default();
        let stats = tally::finish(tallied, &parsed.families, &names);
        (parsed, stats)
    })
}

/// Whether a label name is camelCase, as promlint's `[a-z][A-Z]`.
fn is_camel(name: &str) -> bool {
    name.as_bytes()
        .windows(2)
        .any(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase())
}

/// Label names Prometheus reserves (`__` prefix) or overwrites from the target.
fn is_reserved(name: &str) -> bool {
    name.starts_with("__") || name == "job" || name == "instance"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(text: &str) -> Vec<FamilyStats> {
        let (parsed, stats) = analyze(text.as_bytes(), Format::Text, PrometheusVersion::V2);
        assert!(parsed.error.is_none(), "{:?}", parsed.error);
        stats
    }

    #[test]
    fn duplicates_ignore_label_order_and_distinct_values_are_counted() {
        let stats = stats("a{x=\"1\",y=\"2\"} 1\na{y=\"2\",x=\"1\"} 1\na{x=\"2\",y=\"2\"} 1\n");
        assert_eq!(stats[0].series, 2);
        assert_eq!(stats[0].duplicates.count, 1);
        assert_eq!(stats[0].duplicate_of, 1);
        let distinct: Vec<_> = stats[0]
            .labels
            .iter()
            .map(|l| (&*l.name, l.distinct))
            .collect();
        assert_eq!(distinct, [("x", 2), ("y", 1)]);
    }

    #[test]
    fn histogram_series_are_followed_per_label_set() {
        let stats = stats(
            "# TYPE h histogram\nh_bucket{a=\"1\",le=\"1\"} 5\nh_bucket{a=\"1\",le=\"2\"} 3\n\
             h_bucket{a=\"1\",le=\"+Inf\"} 6\nh_count{a=\"1\"} 7\nh_sum{a=\"1\"} 1\n\
             h_bucket{a=\"2\",le=\"1\"} 1\nh_count{a=\"2\"} 1\nh_sum{a=\"2\"} 1\n",
        );
        let h = &stats[0];
        assert_eq!(h.not_cumulative.len(), 1);
        assert_eq!(h.not_cumulative[0].line, 3);
        assert_eq!(h.missing_inf.len(), 1);
        assert_eq!(h.missing_inf[0].line, 7);
        assert_eq!(h.count_mismatch.len(), 1);
        assert!(h.count_mismatch[0].detail.contains("_count 7"));
        // promtool --extended: 2 series x (3 buckets of the first + 2).
        assert_eq!(h.promtool_cardinality, 10);
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_input_never_panics(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
            for format in [Format::Text, Format::OpenMetrics] {
                let (parsed, stats) = analyze(&bytes[..], format, PrometheusVersion::V3);
                proptest::prop_assert_eq!(parsed.families.len(), stats.len());
            }
        }
    }

    #[test]
    fn label_rules_follow_promlint() {
        let stats = stats(
            "# TYPE g gauge\ng{le=\"1\",fooBar=\"x\",job=\"j\"} 1\nu{le=\"1\"} 1\n# TYPE c counter\nc -1\n",
        );
        assert_eq!(stats[0].le_label.count, 1);
        assert_eq!(stats[0].camel_label_name.as_deref(), Some("fooBar"));
        assert_eq!(stats[0].reserved_label_name.as_deref(), Some("job"));
        assert!(
            !stats[1].le_label.seen(),
            "untyped families are not checked"
        );
        assert!(stats[2].negative_counter.seen());
    }
}

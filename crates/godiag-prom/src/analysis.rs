//! What the checks need to know about each family, gathered while samples stream past.
//!
//! Per sample this costs a few hash operations: one 128-bit fingerprint for duplicate
//! series, one per label for distinct-value counts, and for histograms and summaries one
//! per-series record (the series without `le`/`quantile`) holding the last bucket, the
//! `+Inf` bucket, `_count` and whether `_sum` was seen. Nothing per sample is kept beyond
//! its fingerprint, so memory stays far below the input's size.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, Hasher};

use foldhash::fast::FixedState;
use serde::Serialize;

use crate::model::{Family, MetricType, Sample, SampleRole, Visitor};

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
    fn add(&mut self, line: u32) {
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
#[derive(Debug, Clone)]
pub struct LabelStats {
    /// The label name.
    pub name: Box<str>,
    /// Fingerprints of the distinct values seen (up to [`DISTINCT_VALUES_CAP`]).
    values: HashSet<u64, FixedState>,
    /// True when more values were seen than are counted.
    pub saturated: bool,
    /// The first line with this label.
    pub first_line: u32,
    /// The last value's fingerprint: consecutive samples often repeat a value.
    last: u64,
}

impl LabelStats {
    /// Returns how many distinct values were seen (a floor when saturated).
    #[must_use]
    pub fn distinct(&self) -> usize {
        self.values.len()
    }
}

/// What was seen of one histogram or summary series (labels without `le`/`quantile`).
#[derive(Debug, Clone, Copy, Default)]
struct SeriesState {
    first_line: u32,
    last_bound: Option<f64>,
    last_count: f64,
    inf: Option<f64>,
    count: Option<f64>,
    sum: bool,
    buckets: u32,
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

/// Problems kept per family and kind; more are counted, not stored.
const PROBLEMS_KEPT: usize = 5;

/// The visitor that gathers [`FamilyStats`].
#[derive(Debug)]
pub struct Analyzer {
    /// Per family, parallel to the parser's family table.
    pub stats: Vec<FamilyStats>,
    /// Fingerprint of every series seen → its first line. 64 bits: over a million series
    /// the chance of one false duplicate is below 10^-7.
    series: HashMap<u64, u32, FixedState>,
    /// The last sample name and its hash.
    last_name: (String, u64),
    grouped: HashMap<(usize, u64), SeriesState, FixedState>,
    /// Per family: the buckets/quantiles of its first grouped series, for `--extended`.
    first_group: HashMap<usize, u64, FixedState>,
    check_duplicates: bool,
    openmetrics: bool,
}

impl Default for Analyzer {
    fn default() -> Self {
        Self {
            stats: Vec::new(),
            series: HashMap::with_hasher(FixedState::with_seed(1)),
            grouped: HashMap::with_hasher(FixedState::with_seed(2)),
            first_group: HashMap::with_hasher(FixedState::with_seed(3)),
            last_name: (String::new(), 0),
            check_duplicates: true,
            openmetrics: false,
        }
    }
}

fn hash_pair(seed: u64, name: &str, value: &str) -> u64 {
    let mut hasher = FixedState::with_seed(seed).build_hasher();
    hasher.write(name.as_bytes());
    hasher.write_u8(0xff);
    hasher.write(value.as_bytes());
    hasher.finish()
}

/// Spreads a 64-bit hash before it is summed into a fingerprint.
fn remix(h: u64) -> u64 {
    (h ^ (h >> 31))
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .rotate_left(23)
}

fn is_camel(name: &str) -> bool {
    name.as_bytes()
        .windows(2)
        .any(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase())
}

impl Visitor for Analyzer {
    fn sample(&mut self, families: &[Family], sample: &Sample<'_>) {
        if self.stats.len() < families.len() {
            self.stats.resize_with(families.len(), FamilyStats::default);
        }
        let family = &families[sample.family];
        let kind = family.kind();
        let stats = &mut self.stats[sample.family];
        // A text-format gauge_histogram is a plain family to expfmt; OpenMetrics groups it.
        let histogram = kind == MetricType::Histogram
            || (self.openmetrics && kind == MetricType::GaugeHistogram);
        let grouping = histogram || kind == MetricType::Summary;
        let special = if histogram {
            "le"
        } else if kind == MetricType::Summary {
            "quantile"
        } else {
            ""
        };
        if self.last_name.0 != sample.name {
            self.last_name = (sample.name.to_owned(), hash_pair(0, sample.name, ""));
        }
        let mut fingerprint = self.last_name.1;
        let mut group = 0u64;
        let (mut le_seen, mut quantile_seen) = (false, false);
        for label in sample.labels {
            let h = hash_pair(7, label.name, &label.value);
            // Summed, so the order of labels does not matter.
            fingerprint = fingerprint.wrapping_add(remix(h));
            le_seen |= label.name == "le";
            quantile_seen |= label.name == "quantile";
            if label.name == special {
                continue;
            }
            group = group.wrapping_add(h);
            if is_camel(label.name) {
                stats.camel_labels.add(sample.line);
                stats
                    .camel_label_name
                    .get_or_insert_with(|| label.name.into());
            }
            if label.name.starts_with("__") || label.name == "job" || label.name == "instance" {
                stats.reserved_labels.add(sample.line);
                stats
                    .reserved_label_name
                    .get_or_insert_with(|| label.name.into());
            }
            let at = stats
                .labels
                .iter()
                .position(|l| &*l.name == label.name)
                .unwrap_or_else(|| {
                    stats.labels.push(LabelStats {
                        name: label.name.into(),
                        values: HashSet::with_hasher(FixedState::with_seed(4)),
                        saturated: false,
                        first_line: sample.line,
                        last: !h,
                    });
                    stats.labels.len() - 1
                });
            let entry = &mut stats.labels[at];
            if entry.last != h {
                entry.last = h;
                if entry.values.len() < DISTINCT_VALUES_CAP {
                    entry.values.insert(h);
                } else if !entry.values.contains(&h) {
                    entry.saturated = true;
                }
            }
        }
        // promlint counts these per series (once per line is the same for lint purposes)
        // and skips untyped families.
        if le_seen && !histogram && kind != MetricType::Untyped {
            stats.le_label.add(sample.line);
        }
        if quantile_seen && kind != MetricType::Summary && kind != MetricType::Untyped {
            stats.quantile_label.add(sample.line);
        }
        if kind == MetricType::Counter
            && sample.role == SampleRole::Value
            && sample
                .value
                .partial_cmp(&0.0)
                .is_none_or(std::cmp::Ordering::is_lt)
        {
            stats.negative_counter.add(sample.line);
        }
        if self.check_duplicates {
            match self.series.entry(fingerprint) {
                std::collections::hash_map::Entry::Occupied(first) => {
                    if !stats.duplicates.seen() {
                        stats.duplicate_of = *first.get();
                    }
                    stats.duplicates.add(sample.line);
                }
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(sample.line);
                    stats.series += 1;
                }
            }
        } else {
            stats.series += 1;
        }
        if grouping {
            let series = self
                .grouped
                .entry((sample.family, group))
                .or_insert(SeriesState {
                    first_line: sample.line,
                    ..SeriesState::default()
                });
            track(series, kind, sample, stats);
            self.first_group.entry(sample.family).or_insert(group);
        }
    }
}

/// Follows one histogram or summary series through its samples.
fn track(series: &mut SeriesState, kind: MetricType, sample: &Sample<'_>, stats: &mut FamilyStats) {
    match sample.role {
        SampleRole::Bucket(le) if kind != MetricType::Summary => {
            series.buckets += 1;
            if let Some(last) = series.last_bound
                && (le <= last || sample.value < series.last_count)
                && stats.not_cumulative.len() < PROBLEMS_KEPT
            {
                let detail = if le <= last {
                    format!(
                        "bucket le=\"{le}\" comes after le=\"{last}\" (line {})",
                        sample.line
                    )
                } else {
                    format!(
                        "bucket le=\"{le}\" counts {} but the smaller bucket le=\"{last}\" counts {} (line {})",
                        sample.value, series.last_count, sample.line
                    )
                };
                stats.not_cumulative.push(SeriesProblem {
                    line: sample.line,
                    detail,
                });
            }
            series.last_bound = Some(le);
            series.last_count = sample.value;
            if le == f64::INFINITY {
                series.inf = Some(sample.value);
            }
        }
        SampleRole::Quantile(q) if kind == MetricType::Summary => {
            series.buckets += 1;
            if !(0.0..=1.0).contains(&q) && stats.summary_problems.len() < PROBLEMS_KEPT {
                stats.summary_problems.push(SeriesProblem {
                    line: sample.line,
                    detail: format!("quantile=\"{q}\" is outside 0..1 (line {})", sample.line),
                });
            }
        }
        SampleRole::Count => series.count = Some(sample.value),
        SampleRole::Sum => series.sum = true,
        _ => {}
    }
}

impl Analyzer {
    /// An analyzer; `check_duplicates` false saves the per-series fingerprints, and
    /// `openmetrics` groups gauge histograms' buckets as histograms'.
    #[must_use]
    pub fn new(check_duplicates: bool, openmetrics: bool) -> Self {
        Self {
            check_duplicates,
            openmetrics,
            ..Self::default()
        }
    }

    /// Finishes per-series checks once the input has been read.
    #[must_use]
    pub fn finish(mut self, families: &[Family]) -> Vec<FamilyStats> {
        self.stats.resize_with(families.len(), FamilyStats::default);
        let mut groups: Vec<((usize, u64), SeriesState)> = self.grouped.into_iter().collect();
        groups.sort_by_key(|(_, state)| state.first_line);
        let mut group_counts = vec![0u64; families.len()];
        for ((family, key), state) in groups {
            group_counts[family] += 1;
            let stats = &mut self.stats[family];
            if self.first_group.get(&family) == Some(&key) {
                stats.promtool_cardinality = u64::from(state.buckets) + 2;
            }
            match families[family].kind() {
                MetricType::Histogram | MetricType::GaugeHistogram => {
                    finish_histogram(&state, stats);
                }
                MetricType::Summary => finish_summary(&state, stats),
                _ => {}
            }
        }
        for (index, stats) in self.stats.iter_mut().enumerate() {
            stats.promtool_cardinality = if group_counts[index] > 0 {
                group_counts[index] * stats.promtool_cardinality
            } else {
                stats.series + stats.duplicates.count
            };
        }
        self.stats
    }
}

fn finish_histogram(series: &SeriesState, stats: &mut FamilyStats) {
    let line = series.first_line;
    if series.buckets > 0 && series.inf.is_none() && stats.missing_inf.len() < PROBLEMS_KEPT {
        stats.missing_inf.push(SeriesProblem {
            line,
            detail: format!("the series starting at line {line} has no le=\"+Inf\" bucket"),
        });
    }
    if stats.count_mismatch.len() >= PROBLEMS_KEPT {
        return;
    }
    let detail = match (series.inf, series.count) {
        (Some(inf), Some(count))
            if inf.total_cmp(&count).is_ne() && !(inf.is_nan() && count.is_nan()) =>
        {
            Some(format!(
                "the series starting at line {line} has _count {count} but its +Inf bucket counts {inf}"
            ))
        }
        (_, None) => Some(format!("the series starting at line {line} has no _count")),
        _ if !series.sum => Some(format!("the series starting at line {line} has no _sum")),
        _ => None,
    };
    if let Some(detail) = detail {
        stats.count_mismatch.push(SeriesProblem { line, detail });
    }
}

fn finish_summary(series: &SeriesState, stats: &mut FamilyStats) {
    let line = series.first_line;
    let detail = match series.count {
        None => Some(format!("the series starting at line {line} has no _count")),
        Some(count)
            if count
                .partial_cmp(&0.0)
                .is_none_or(std::cmp::Ordering::is_lt) =>
        {
            Some(format!(
                "the series starting at line {line} has _count {count}"
            ))
        }
        Some(_) if !series.sum => Some(format!("the series starting at line {line} has no _sum")),
        Some(_) => None,
    };
    if let Some(detail) = detail
        && stats.summary_problems.len() < PROBLEMS_KEPT
    {
        stats.summary_problems.push(SeriesProblem { line, detail });
    }
}

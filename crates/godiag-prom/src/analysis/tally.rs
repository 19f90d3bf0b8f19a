//! The tally thread's half: applies events to the per-family tables, then turns the
//! tables into [`FamilyStats`] once the input is read.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::sync::mpsc::{Receiver, Sender};

use foldhash::fast::FixedState;

use super::collect::{Batch, Event, LabelName, Sink};
use super::{DISTINCT_VALUES_CAP, FamilyStats, LabelStats, SeriesProblem};
use crate::model::{Family, MetricType, SampleRole};

/// Problems kept per family and kind; more are counted, not stored.
const PROBLEMS_KEPT: usize = 5;

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

/// Distinct values of one label.
#[derive(Debug, Default)]
struct LabelTally {
    values: HashSet<u64, FixedState>,
    saturated: bool,
    first_line: u32,
    /// The last value's hash: consecutive samples often repeat a value.
    last: Option<u64>,
}

/// One family's tables. One small table per family (rather than one big one) stays in
/// cache while a family's lines are read, which they usually are in one run.
#[derive(Debug, Default)]
struct FamilyTally {
    stats: FamilyStats,
    /// Series fingerprint → first line. 64 bits: over a million series the chance of one
    /// false duplicate is below 10^-7.
    series: SeriesTable,
    grouped: HashMap<u64, SeriesState, FixedState>,
    first_group: Option<u64>,
    labels: Vec<LabelTally>,
    camel_slot: Option<u16>,
    reserved_slot: Option<u16>,
}

/// Every family's tables.
#[derive(Debug, Default)]
pub(super) struct Tally {
    families: Vec<FamilyTally>,
}

/// Applies batches until the parsing thread hangs up.
pub(super) fn run(receiver: &Receiver<Batch>, recycle: &Sender<Batch>) -> Tally {
    let mut tally = Tally::default();
    for batch in receiver {
        // The parsing thread may be done; then the batch is simply freed.
        let _ = recycle.send(tally.deliver(batch));
    }
    tally
}

/// A tally fed in the parsing thread itself.
impl Sink for Tally {
    fn deliver(&mut self, mut batch: Batch) -> Batch {
        for event in &batch.events {
            let (start, end) = event.values;
            let values = batch
                .values
                .get(start as usize..end as usize)
                .unwrap_or_default();
            self.apply(event, values);
        }
        batch.events.clear();
        batch.values.clear();
        batch
    }
}

/// The fingerprints of a family's series. A family that is done (its piece was joined)
/// keeps them sorted in two flat arrays, 12 bytes a series instead of about 22 in a
/// hash table; should it come back (interleaved families), it becomes a table again.
#[derive(Debug)]
enum SeriesTable {
    Open(HashMap<u64, u32, FixedState>),
    Closed { keys: Box<[u64]>, lines: Box<[u32]> },
}

impl Default for SeriesTable {
    fn default() -> Self {
        Self::Open(HashMap::default())
    }
}

impl SeriesTable {
    /// The first line of the series `fingerprint`, or `None` after recording it as new at
    /// `line`.
    fn first_line(&mut self, fingerprint: u64, line: u32) -> Option<u32> {
        if let Self::Closed { keys, lines } = self {
            if let Ok(at) = keys.binary_search(&fingerprint) {
                return Some(lines[at]);
            }
            let open = keys.iter().copied().zip(lines.iter().copied()).collect();
            *self = Self::Open(open);
        }
        let Self::Open(table) = self else {
            return None;
        };
        match table.entry(fingerprint) {
            Entry::Occupied(first) => Some(*first.get()),
            Entry::Vacant(slot) => {
                slot.insert(line);
                None
            }
        }
    }

    fn close(&mut self) {
        let Self::Open(table) = self else {
            return;
        };
        let mut pairs: Vec<(u64, u32)> = table.drain().collect();
        pairs.sort_unstable_by_key(|&(key, _)| key);
        *self = Self::Closed {
            keys: pairs.iter().map(|&(key, _)| key).collect(),
            lines: pairs.iter().map(|&(_, line)| line).collect(),
        };
    }
}

impl Tally {
    /// Compacts the tables of families from `from` on, which are done unless a later
    /// piece comes back to them.
    pub(super) fn close_from(&mut self, from: usize) {
        for family in self.families.iter_mut().skip(from) {
            family.series.close();
        }
    }

    /// Appends the tables of a later piece's families, the first of which is family
    /// `offset` here.
    pub(super) fn append(&mut self, offset: usize, later: Self) {
        self.families.resize_with(offset, FamilyTally::default);
        self.families.extend(later.families);
    }

    fn apply(&mut self, event: &Event, values: &[(u16, u64)]) {
        let index = event.family as usize;
        if self.families.len() <= index {
            self.families.resize_with(index + 1, FamilyTally::default);
        }
        let family = &mut self.families[index];
        let stats = &mut family.stats;
        // promlint counts these per series (once per line is the same for lint purposes)
        // and skips untyped families.
        let typed = event.kind != MetricType::Untyped;
        if event.le_seen && !event.histogram && typed {
            stats.le_label.add(event.line);
        }
        if event.quantile_seen && event.kind != MetricType::Summary && typed {
            stats.quantile_label.add(event.line);
        }
        if let Some(slot) = event.camel {
            stats.camel_labels.add(event.line);
            family.camel_slot.get_or_insert(slot);
        }
        if let Some(slot) = event.reserved {
            stats.reserved_labels.add(event.line);
            family.reserved_slot.get_or_insert(slot);
        }
        if event.is_counter_value()
            && event
                .value
                .partial_cmp(&0.0)
                .is_none_or(std::cmp::Ordering::is_lt)
        {
            stats.negative_counter.add(event.line);
        }
        for &(slot, value) in values {
            let slot = usize::from(slot);
            if family.labels.len() <= slot {
                family.labels.resize_with(slot + 1, LabelTally::default);
            }
            let label = &mut family.labels[slot];
            if label.last == Some(value) {
                continue;
            }
            if label.last.is_none() && label.values.is_empty() {
                label.first_line = event.line;
            }
            label.last = Some(value);
            if label.values.len() < DISTINCT_VALUES_CAP {
                label.values.insert(value);
            } else if !label.values.contains(&value) {
                label.saturated = true;
            }
        }
        match family.series.first_line(event.fingerprint, event.line) {
            Some(first) => {
                if !stats.duplicates.seen() {
                    stats.duplicate_of = first;
                }
                stats.duplicates.add(event.line);
            }
            None => stats.series += 1,
        }
        if event.histogram || event.kind == MetricType::Summary {
            let series = family.grouped.entry(event.group).or_insert(SeriesState {
                first_line: event.line,
                ..SeriesState::default()
            });
            track(series, event, stats);
            family.first_group.get_or_insert(event.group);
        }
    }
}

/// Follows one histogram or summary series through its samples.
fn track(series: &mut SeriesState, event: &Event, stats: &mut FamilyStats) {
    match event.role {
        SampleRole::Bucket(le) if event.histogram => {
            series.buckets += 1;
            if let Some(last) = series.last_bound
                && (le <= last || event.value < series.last_count)
                && stats.not_cumulative.len() < PROBLEMS_KEPT
            {
                let detail = if le <= last {
                    format!(
                        "bucket le=\"{le}\" comes after le=\"{last}\" (line {})",
                        event.line
                    )
                } else {
                    format!(
                        "bucket le=\"{le}\" counts {} but the smaller bucket le=\"{last}\" counts {} (line {})",
                        event.value, series.last_count, event.line
                    )
                };
                stats.not_cumulative.push(SeriesProblem {
                    line: event.line,
                    detail,
                });
            }
            series.last_bound = Some(le);
            series.last_count = event.value;
            if le == f64::INFINITY {
                series.inf = Some(event.value);
            }
        }
        SampleRole::Quantile(q) if event.kind == MetricType::Summary => {
            series.buckets += 1;
            if !(0.0..=1.0).contains(&q) && stats.summary_problems.len() < PROBLEMS_KEPT {
                stats.summary_problems.push(SeriesProblem {
                    line: event.line,
                    detail: format!("quantile=\"{q}\" is outside 0..1 (line {})", event.line),
                });
            }
        }
        SampleRole::Count => series.count = Some(event.value),
        SampleRole::Sum => series.sum = true,
        _ => {}
    }
}

/// Turns the tables into per-family stats, naming labels from the parsing thread's table.
pub(super) fn finish(
    mut tally: Tally,
    families: &[Family],
    names: &[Vec<LabelName>],
) -> Vec<FamilyStats> {
    tally
        .families
        .resize_with(families.len(), FamilyTally::default);
    let no_names = Vec::new();
    let stats = families
        .iter()
        .zip(&mut tally.families)
        .enumerate()
        .map(|(index, (family, table))| {
            let names = names.get(index).unwrap_or(&no_names);
            let name_of = |slot: u16| -> Box<str> {
                names
                    .get(usize::from(slot))
                    .map_or_else(|| "".into(), |known| known.name.clone())
            };
            let mut stats = std::mem::take(&mut table.stats);
            stats.labels = table
                .labels
                .iter()
                .enumerate()
                .map(|(slot, label)| LabelStats {
                    name: names
                        .get(slot)
                        .map_or_else(|| "".into(), |known| known.name.clone()),
                    distinct: label.values.len(),
                    saturated: label.saturated,
                    first_line: label.first_line,
                })
                .filter(|label| label.distinct > 0)
                .collect();
            stats.camel_label_name = table.camel_slot.map(name_of);
            stats.reserved_label_name = table.reserved_slot.map(name_of);
            finish_groups(family, table, &mut stats);
            stats
        })
        .collect();
    // Freeing a million fingerprints takes a while and nobody waits for it: let it
    // happen beside the checks (or not at all, when the process exits first).
    std::thread::spawn(move || drop(tally));
    stats
}

fn finish_groups(family: &Family, table: &FamilyTally, stats: &mut FamilyStats) {
    let mut groups: Vec<(&u64, &SeriesState)> = table.grouped.iter().collect();
    groups.sort_by_key(|(_, series)| series.first_line);
    for (key, series) in &groups {
        if table.first_group == Some(**key) {
            stats.promtool_cardinality = u64::from(series.buckets) + 2;
        }
        match family.kind() {
            MetricType::Histogram | MetricType::GaugeHistogram => {
                finish_histogram(series, stats);
            }
            MetricType::Summary => finish_summary(series, stats),
            _ => {}
        }
    }
    stats.promtool_cardinality = if groups.is_empty() {
        stats.series + stats.duplicates.count
    } else {
        groups.len() as u64 * stats.promtool_cardinality
    };
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

//! The parsing thread's half: turns each sample into a compact [`Event`] and sends them in
//! batches. Everything that needs the sample's text is computed here.

use std::hash::{BuildHasher, Hasher};
use std::sync::mpsc::{Receiver, SyncSender};

use foldhash::fast::FixedState;

use super::{is_camel, is_reserved};
use crate::model::{Family, MetricType, Sample, SampleRole, Visitor};

/// Events per batch.
const BATCH: usize = 4096;

/// One sample, as the tally needs it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Event {
    pub(super) family: u32,
    pub(super) line: u32,
    pub(super) kind: MetricType,
    pub(super) role: SampleRole,
    pub(super) value: f64,
    /// The series: name and label set, independent of label order.
    pub(super) fingerprint: u64,
    /// The histogram/summary series: labels without `le`/`quantile`.
    pub(super) group: u64,
    /// This event's range in [`Batch::values`].
    pub(super) values: (u32, u32),
    /// Histogram, or an OpenMetrics gauge histogram: buckets are grouped by `le`.
    pub(super) histogram: bool,
    pub(super) le_seen: bool,
    pub(super) quantile_seen: bool,
    /// The slot of the first camelCase label of this sample.
    pub(super) camel: Option<u16>,
    /// The slot of the first reserved label of this sample.
    pub(super) reserved: Option<u16>,
}

/// Events and their label-value hashes (label slot, value hash).
#[derive(Debug, Default)]
pub(super) struct Batch {
    pub(super) events: Vec<Event>,
    pub(super) values: Vec<(u16, u64)>,
}

/// A label name seen in a family: its hash and which rules it breaks.
#[derive(Debug)]
pub(super) struct LabelName {
    pub(super) name: Box<str>,
    hash: u64,
    camel: bool,
    reserved: bool,
    le: bool,
    quantile: bool,
}

/// Where full batches go; gives back an empty batch to fill next.
pub(super) trait Sink {
    fn deliver(&mut self, full: Batch) -> Batch;
}

/// Sends batches to the tally thread.
pub(super) struct ToThread {
    pub(super) sender: SyncSender<Batch>,
    /// Batches the tally thread has emptied, to be filled again: allocating half a
    /// megabyte per batch cost more than parsing it.
    pub(super) recycled: Receiver<Batch>,
}

impl Sink for ToThread {
    fn deliver(&mut self, full: Batch) -> Batch {
        // A closed channel means the tally thread is gone; the stats will be empty.
        let _ = self.sender.send(full);
        self.recycled.try_recv().unwrap_or_else(|_| Batch::new())
    }
}

impl Batch {
    pub(super) fn new() -> Self {
        Self {
            events: Vec::with_capacity(BATCH),
            values: Vec::with_capacity(BATCH * 4),
        }
    }
}

/// The [`Visitor`] of a parsing thread.
pub(super) struct Collector<S> {
    pub(super) sink: S,
    batch: Batch,
    openmetrics: bool,
    /// Per family, label names in the order first seen; the index is the label's slot.
    names: Vec<Vec<LabelName>>,
    /// The last sample name and its hash.
    last_name: (String, u64),
}

fn hash(seed: u64, bytes: &[u8]) -> u64 {
    let mut hasher = FixedState::with_seed(seed).build_hasher();
    hasher.write(bytes);
    hasher.finish()
}

/// Spreads a 64-bit hash before it is summed into an order-independent fingerprint.
fn remix(h: u64) -> u64 {
    (h ^ (h >> 31))
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .rotate_left(23)
}

impl<S: Sink> Collector<S> {
    pub(super) fn new(sink: S, openmetrics: bool) -> Self {
        Self {
            sink,
            batch: Batch::default(),
            openmetrics,
            names: Vec::new(),
            last_name: (String::new(), 0),
        }
    }

    /// Sends what is left and returns the label names per family and the sink.
    pub(super) fn finish(mut self) -> (Vec<Vec<LabelName>>, S) {
        self.flush();
        (self.names, self.sink)
    }

    /// Delivers the samples collected so far.
    pub(super) fn flush(&mut self) {
        if self.batch.events.is_empty() {
            return;
        }
        let full = std::mem::take(&mut self.batch);
        self.batch = self.sink.deliver(full);
    }

    /// Appends the label names of a later piece's families, the first of which is
    /// family `offset` here.
    pub(super) fn append_names(&mut self, offset: usize, later: Vec<Vec<LabelName>>) {
        self.names.resize_with(offset, Vec::new);
        self.names.extend(later);
    }

    /// The slot of `name` in `family`, adding it when new (`None` past 65,535 names).
    /// `guess` is where it usually is: labels mostly come in the same order on every line.
    fn slot(&mut self, family: usize, name: &str, guess: usize) -> Option<u16> {
        let names = &mut self.names[family];
        if names.get(guess).is_some_and(|known| &*known.name == name) {
            return u16::try_from(guess).ok();
        }
        if let Some(at) = names.iter().position(|known| &*known.name == name) {
            return u16::try_from(at).ok();
        }
        let at = u16::try_from(names.len()).ok()?;
        names.push(LabelName {
            name: name.into(),
            hash: hash(11, name.as_bytes()),
            camel: is_camel(name),
            reserved: is_reserved(name),
            le: name == "le",
            quantile: name == "quantile",
        });
        Some(at)
    }
}

impl<S: Sink> Visitor for Collector<S> {
    fn sample(&mut self, families: &[Family], sample: &Sample<'_>) {
        if self.names.len() < families.len() {
            self.names.resize_with(families.len(), Vec::new);
        }
        let kind = families[sample.family].kind();
        // A text-format gauge_histogram is a plain family to expfmt; OpenMetrics groups it.
        let histogram = kind == MetricType::Histogram
            || (self.openmetrics && kind == MetricType::GaugeHistogram);
        let summary = kind == MetricType::Summary;
        if self.last_name.0 != sample.name {
            self.last_name.0.clear();
            self.last_name.0.push_str(sample.name);
            self.last_name.1 = hash(0, sample.name.as_bytes());
        }
        let start = u32::try_from(self.batch.values.len()).unwrap_or(u32::MAX);
        let mut event = Event {
            family: u32::try_from(sample.family).unwrap_or(u32::MAX),
            line: sample.line,
            kind,
            role: sample.role,
            value: sample.value,
            fingerprint: self.last_name.1,
            group: 0,
            values: (start, start),
            histogram,
            le_seen: false,
            quantile_seen: false,
            camel: None,
            reserved: None,
        };
        for (position, label) in sample.labels.iter().enumerate() {
            let Some(slot) = self.slot(sample.family, label.name, position) else {
                continue;
            };
            let known = &self.names[sample.family][usize::from(slot)];
            let value = hash(7, label.value.as_bytes());
            let pair = remix(value ^ known.hash);
            event.fingerprint = event.fingerprint.wrapping_add(pair);
            event.le_seen |= known.le;
            event.quantile_seen |= known.quantile;
            if (histogram && known.le) || (summary && known.quantile) {
                continue;
            }
            event.group = event.group.wrapping_add(pair);
            if known.camel && event.camel.is_none() {
                event.camel = Some(slot);
            }
            if known.reserved && event.reserved.is_none() {
                event.reserved = Some(slot);
            }
            self.batch.values.push((slot, value));
        }
        event.values.1 = u32::try_from(self.batch.values.len()).unwrap_or(u32::MAX);
        self.batch.events.push(event);
        if self.batch.events.len() >= BATCH {
            self.flush();
        }
    }
}

impl Event {
    /// Returns true for the samples promlint counts as counter values.
    pub(super) fn is_counter_value(&self) -> bool {
        self.kind == MetricType::Counter && self.role == SampleRole::Value
    }
}

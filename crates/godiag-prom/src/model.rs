//! What a parsed exposition is made of: metric families and the samples streamed through them.
//!
//! The parsers keep one [`Family`] per name (the table is small: one entry per family, not
//! per series) and hand each sample to a [`Visitor`] as it is read, so nothing holds the
//! whole exposition.
//!
//! The command's [`Options`] and the record of a scrape ([`ScrapeInfo`]) are here too: both
//! the domain runner and the checks read them.

use std::borrow::Cow;

use serde::Serialize;

/// A metric type as written in a `# TYPE` line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MetricType {
    /// `counter`: a value that only goes up (or resets to 0).
    Counter,
    /// `gauge`: a value that goes up and down.
    Gauge,
    /// `summary`: quantiles, `_sum` and `_count`.
    Summary,
    /// `untyped` (text format) or `unknown` (OpenMetrics), and families without a TYPE line.
    Untyped,
    /// `histogram`: cumulative `_bucket`s, `_sum` and `_count`.
    Histogram,
    /// `gauge_histogram` (text) or `gaugehistogram` (OpenMetrics).
    GaugeHistogram,
    /// OpenMetrics `info`.
    Info,
    /// OpenMetrics `stateset`.
    StateSet,
}

impl MetricType {
    /// Returns the name the text format 0.0.4 uses (lowercase, as promtool prints it).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Counter => "counter",
            Self::Gauge => "gauge",
            Self::Summary => "summary",
            Self::Untyped => "untyped",
            Self::Histogram => "histogram",
            Self::GaugeHistogram => "gauge_histogram",
            Self::Info => "info",
            Self::StateSet => "stateset",
        }
    }
}

/// The exposition format of an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Prometheus text format 0.0.4 (`text/plain; version=0.0.4`).
    Text,
    /// OpenMetrics 1.0 (`application/openmetrics-text; version=1.0.0`).
    OpenMetrics,
}

/// Which Prometheus's text parsers to follow.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub enum PrometheusVersion {
    /// Prometheus 2.x (promtool 2.42): names are `[a-zA-Z_:][a-zA-Z0-9_:]*`, a quoted name
    /// is an error.
    #[serde(rename = "2")]
    V2,
    /// Prometheus 3: names may also be quoted UTF-8 strings, in both formats
    /// (`{"http.server.duration", "service.name"="api"} 1`).
    #[default]
    #[serde(rename = "3")]
    V3,
}

impl PrometheusVersion {
    /// Whether quoted UTF-8 names are accepted.
    #[must_use]
    pub fn utf8_names(self) -> bool {
        self == Self::V3
    }
}

/// One metric family: its name, type, help and where it was first seen.
#[derive(Debug, Clone, PartialEq)]
pub struct Family {
    /// The family name as promtool names it (for OpenMetrics counters, with `_total`).
    pub name: Box<str>,
    /// The declared type; `None` until a TYPE line or the first sample sets it.
    pub metric_type: Option<MetricType>,
    /// The help text, unescaped, when a non-empty HELP line was read.
    pub help: Option<Box<str>>,
    /// The OpenMetrics unit, when a UNIT line was read.
    pub unit: Option<Box<str>>,
    /// The 1-based line where the family first appeared.
    pub line: u32,
    /// Sample lines read for the family.
    pub samples: u64,
}

impl Family {
    /// A family first seen at `line`.
    #[must_use]
    pub fn new(name: &str, line: u32) -> Self {
        Self {
            name: name.into(),
            metric_type: None,
            help: None,
            unit: None,
            line,
            samples: 0,
        }
    }

    /// Returns the type, `untyped` when none was declared.
    #[must_use]
    pub fn kind(&self) -> MetricType {
        self.metric_type.unwrap_or(MetricType::Untyped)
    }
}

/// One label pair of a sample, unescaped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label<'a> {
    /// The label name.
    pub name: &'a str,
    /// The value, unescaped (borrowed from the line when it had no escapes).
    pub value: Cow<'a, str>,
}

/// What role a sample plays in its family.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SampleRole {
    /// A plain value (counter, gauge, untyped, info, stateset, or an unrecognised suffix).
    Value,
    /// A histogram bucket with its `le` bound.
    Bucket(f64),
    /// A summary quantile with its `quantile` label.
    Quantile(f64),
    /// The `_count` of a histogram or summary (`_gcount` of a gauge histogram).
    Count,
    /// The `_sum` of a histogram or summary (`_gsum` of a gauge histogram).
    Sum,
    /// An OpenMetrics `_created` sample.
    Created,
}

/// One sample, borrowed from the line it was read from.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample<'a> {
    /// Index of the family in the parser's table.
    pub family: usize,
    /// The sample name as written (`foo_bucket`, `foo_total`, ...).
    pub name: &'a str,
    /// Every label as written, `le` and `quantile` included.
    pub labels: &'a [Label<'a>],
    /// The role of the sample in its family.
    pub role: SampleRole,
    /// The sample's value (`NaN` and `±Inf` included).
    pub value: f64,
    /// The 1-based line number.
    pub line: u32,
}

/// Receives samples as the parser reads them.
pub trait Visitor {
    /// Called once per sample line, after its family is known.
    fn sample(&mut self, families: &[Family], sample: &Sample<'_>);
}

/// Default `--max-series-per-family`.
pub const DEFAULT_MAX_SERIES_PER_FAMILY: u64 = 1000;
/// Default `--max-label-values`.
pub const DEFAULT_MAX_LABEL_VALUES: u64 = 100;

/// How to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Every family must start with this (`--require-prefix`).
    pub require_prefix: Option<String>,
    /// More series than this in one family is a finding (PROM108).
    pub max_series_per_family: u64,
    /// More distinct values than this for one label of one family is a finding (PROM109).
    pub max_label_values: u64,
    /// The format to parse; detected when `None`.
    pub input_format: Option<Format>,
    /// Whether to build the `.metrics` result: only the JSON report shows it, and for a
    /// large exposition it is the largest thing in memory (an object per family).
    pub structured_result: bool,
    /// Whose parser to follow (`--prometheus-version`): Prometheus 3 accepts quoted UTF-8
    /// names, Prometheus 2 (and promtool 2.x) rejects them.
    pub prometheus_version: PrometheusVersion,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            require_prefix: None,
            max_series_per_family: DEFAULT_MAX_SERIES_PER_FAMILY,
            max_label_values: DEFAULT_MAX_LABEL_VALUES,
            input_format: None,
            structured_result: true,
            prometheus_version: PrometheusVersion::default(),
        }
    }
}

/// The HTTP exchange of a URL input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScrapeInfo {
    /// The URL fetched, as given on the command line.
    pub url: String,
    /// The `Accept` header sent.
    pub accept: &'static str,
    /// HTTP status, when a response came.
    pub status: Option<u16>,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// The name escaping the target chose (`escaping=` of its `Content-Type`); `None` when
    /// it names none, as Prometheus 2 era clients do.
    pub escaping: Option<String>,
    /// Time to the response headers, or to the failure.
    pub duration_ms: u64,
    /// The time the whole exchange was allowed (the deadline).
    pub timeout_ms: u64,
    /// Why there was no usable response.
    pub error: Option<String>,
}

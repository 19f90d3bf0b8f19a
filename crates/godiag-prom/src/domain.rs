//! Runs the metrics domain: obtain the exposition (file, standard input or a scrape),
//! stream it through the parser and the analyzer, then run the checks — all under one
//! deadline. Builds the `.metrics` result of the JSON report.

use std::io::{BufRead, BufReader, Read};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use flate2::bufread::MultiGzDecoder;
use godiag_core::finding::Finding;
use godiag_core::net::Network;
use godiag_core::runner::{self, Task, TaskOutput, duration_ms};
use serde_json::{Value, json};

// The options and the scrape record are what the checks read too, so they live in the model
// (below both); their old paths stay valid.
pub use crate::model::{
    DEFAULT_MAX_LABEL_VALUES, DEFAULT_MAX_SERIES_PER_FAMILY, Options, ScrapeInfo,
};

use crate::analysis;
use crate::checks::{self, Context};
use crate::model::Format;
use crate::parse::{self, format_from_content_type, sniff_format};
use crate::scrape;

/// Where the exposition comes from.
pub enum Input {
    /// An opened file or standard input.
    Reader {
        /// The name the user gave (`-` for standard input).
        source: String,
        /// The path findings point into.
        location_path: String,
        /// The bytes.
        reader: Box<dyn Read + Send>,
    },
    /// A URL to scrape.
    Url {
        /// The URL.
        url: String,
        /// The network the scrape goes through.
        network: Arc<dyn Network>,
    },
}

/// What the domain produced.
#[derive(Debug)]
pub struct Outcome {
    /// Every finding, the runner's own included.
    pub findings: Vec<Finding>,
    /// The `.metrics` object of the JSON report.
    pub result: Value,
}

/// Reads, analyses and checks `input` within `deadline`.
#[must_use]
pub fn run(input: Input, options: Options, deadline: Duration) -> Outcome {
    let started = Instant::now();
    let url = match &input {
        Input::Url { url, .. } => Some(url.clone()),
        Input::Reader { .. } => None,
    };
    let fallback_options = options.clone();
    let slot: Arc<Mutex<Option<Context>>> = Arc::new(Mutex::new(None));
    let writer = Arc::clone(&slot);
    let mut findings = runner::run(
        vec![Task::new("read-exposition", move || {
            let context = read(input, options, deadline);
            *writer.lock().unwrap_or_else(PoisonError::into_inner) = Some(context);
            TaskOutput::default()
        })],
        deadline,
    )
    .findings;
    let taken = slot.lock().unwrap_or_else(PoisonError::into_inner).take();
    let context = match (taken, url) {
        (Some(context), _) => context,
        // A scrape still running at the deadline is a failed scrape, as it is for
        // Prometheus (`context deadline exceeded`), not merely a check that timed out.
        (None, Some(url)) => {
            findings.retain(|finding| finding.code != "CORE001");
            unfinished_scrape(url, fallback_options, deadline)
        }
        (None, None) => {
            return Outcome {
                findings,
                result: Value::Null,
            };
        }
    };
    // Every check runs for every input: one with nothing to look at (a file is not a scrape,
    // an exposition that did not parse has nothing to lint, as for promtool) says so.
    let groups = [checks::SYNTAX, checks::SCRAPE, checks::LINT, checks::PREFIX];
    let context = Arc::new(context);
    // The structured result is built beside the checks; both only read the context.
    let building = context.options.structured_result.then(|| {
        let context = Arc::clone(&context);
        std::thread::spawn(move || result(&context))
    });
    for group in groups {
        // The checks only read what is in memory; when reading used up the deadline they
        // still get a moment, so the report says what was found instead of timing out.
        let left = deadline
            .saturating_sub(started.elapsed())
            .max(CHECKS_MINIMUM);
        findings.extend(runner::run_checks(group, &context, left));
    }
    let result = building.map_or(Value::Null, |building| {
        building.join().unwrap_or(Value::Null)
    });
    // Per-family tables of a large input take a moment to free; nobody waits for that.
    std::thread::spawn(move || drop(context));
    Outcome { findings, result }
}

/// The context of a scrape that had not finished when the deadline passed.
fn unfinished_scrape(url: String, options: Options, deadline: Duration) -> Context {
    let scrape = ScrapeInfo {
        url: url.clone(),
        accept: scrape::accept(options.prometheus_version),
        status: None,
        content_type: None,
        escaping: None,
        duration_ms: duration_ms(deadline),
        timeout_ms: duration_ms(deadline),
        error: Some(format!(
            "no complete response within the deadline of {} ms (context deadline exceeded)",
            deadline.as_millis()
        )),
    };
    Context {
        source: url.clone(),
        location_path: url,
        format: Format::Text,
        families: Vec::new(),
        stats: Vec::new(),
        error: None,
        options,
        scrape: Some(scrape),
        notes: Vec::new(),
        notes_total: 0,
        lines: 0,
        bytes: 0,
    }
}

fn is_success(status: Option<u16>) -> bool {
    status.is_some_and(|code| (200..300).contains(&code))
}

/// Obtains the bytes, picks the format and streams them through the analyzer.
fn read(input: Input, options: Options, deadline: Duration) -> Context {
    let (source, location_path, reader, content_type, scrape) = match input {
        Input::Reader {
            source,
            location_path,
            reader,
        } => (source, location_path, Some(reader), None, None),
        // The HTTP exchange gets a little less than the deadline, so that a hanging server
        // is reported as a failed scrape (with its timing) rather than as a timed-out check.
        Input::Url { url, network } => match scrape::fetch(
            network.as_ref(),
            &url,
            scrape::accept(options.prometheus_version),
            deadline.saturating_sub(deadline / 10),
        ) {
            Ok(response) => {
                let info = ScrapeInfo {
                    url: url.clone(),
                    accept: scrape::accept(options.prometheus_version),
                    status: Some(response.status),
                    content_type: response.content_type.clone(),
                    escaping: response
                        .content_type
                        .as_deref()
                        .and_then(scrape::escaping_of),
                    duration_ms: duration_ms(response.elapsed),
                    timeout_ms: duration_ms(deadline),
                    error: None,
                };
                let body = is_success(Some(response.status)).then_some(response.body);
                (url.clone(), url, body, response.content_type, Some(info))
            }
            Err(error) => {
                let info = ScrapeInfo {
                    url: url.clone(),
                    accept: scrape::accept(options.prometheus_version),
                    status: None,
                    content_type: None,
                    escaping: None,
                    duration_ms: duration_ms(error.elapsed),
                    timeout_ms: duration_ms(deadline),
                    error: Some(error.reason),
                };
                (url.clone(), url, None, None, Some(info))
            }
        },
    };
    let mut context = Context {
        source,
        location_path,
        format: Format::Text,
        families: Vec::new(),
        stats: Vec::new(),
        error: None,
        options,
        scrape,
        notes: Vec::new(),
        notes_total: 0,
        lines: 0,
        bytes: 0,
    };
    let Some(reader) = reader else {
        return context;
    };
    let mut reader = gunzipped(BufReader::with_capacity(1 << 16, reader));
    let format = context
        .options
        .input_format
        .or_else(|| content_type.as_deref().and_then(format_from_content_type))
        .unwrap_or_else(|| sniff_format(reader.fill_buf().unwrap_or_default()));
    let (parsed, stats) = analysis::analyze(reader, format, context.options.prometheus_version);
    context.stats = stats;
    context.format = parsed.format;
    context.families = parsed.families;
    context.error = parsed.error;
    context.lines = parsed.lines;
    context.notes = parsed.notes;
    context.notes_total = parsed.notes_total;
    context.bytes = parsed.bytes;
    if let (Some(scrape), Some(parse::Error::Read { source, .. })) =
        (&mut context.scrape, &context.error)
    {
        scrape.error = Some(format!("reading the body failed: {source}"));
    }
    context
}

/// The input itself when it is not gzip-compressed, else its decompressed bytes, read as
/// they stream (a `.gz` file, compressed standard input, or a body sent gzip-compressed
/// without saying so; a `Content-Encoding: gzip` body is decompressed by the HTTP client).
/// An exposition never starts with gzip's magic bytes, so they decide.
fn gunzipped(mut reader: BufReader<Box<dyn Read + Send>>) -> BufReader<Box<dyn Read + Send>> {
    let compressed = reader
        .fill_buf()
        .is_ok_and(|head| head.starts_with(&GZIP_MAGIC));
    if !compressed {
        return reader;
    }
    // Concatenated members (`cat a.gz b.gz`) are one stream to gzip(1), and so here.
    BufReader::with_capacity(1 << 16, Box::new(MultiGzDecoder::new(reader)))
}

/// The first two bytes of every gzip member (RFC 1952, section 2.3.1).
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// The least time the checks get after the input was read.
const CHECKS_MINIMUM: Duration = Duration::from_millis(250);

/// How many entries the top lists hold.
const TOP: usize = 10;

/// The `.metrics` object: input, families, totals, and the largest families and labels.
fn result(context: &Context) -> Value {
    let linted: Vec<_> = context.linted().collect();
    let total: u64 = linted.iter().map(|(_, stats)| stats.series).sum();
    let families: Vec<Value> = linted
        .iter()
        .map(|(family, stats)| {
            json!({
                "name": family.name,
                "type": family.kind(),
                "help": family.help.is_some(),
                "line": family.line,
                "series": stats.series,
                "promtool_cardinality": stats.promtool_cardinality,
                "labels": stats.labels.iter().map(|label| json!({
                    "name": label.name,
                    "distinct_values": label.distinct(),
                    "saturated": label.saturated,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let mut by_series: Vec<_> = linted.iter().collect();
    by_series.sort_by(|a, b| b.1.series.cmp(&a.1.series).then(a.0.name.cmp(&b.0.name)));
    let cardinality_top: Vec<Value> = by_series
        .iter()
        .take(TOP)
        .map(|(family, stats)| {
            json!({
                "family": family.name,
                "series": stats.series,
                "percent": percent(stats.series, total),
                "promtool_cardinality": stats.promtool_cardinality,
            })
        })
        .collect();
    let mut labels: Vec<(&str, &str, usize)> = linted
        .iter()
        .flat_map(|(family, stats)| {
            stats
                .labels
                .iter()
                .map(move |label| (&*family.name, &*label.name, label.distinct()))
        })
        .collect();
    labels.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(b.0)).then(a.1.cmp(b.1)));
    let label_top: Vec<Value> = labels
        .iter()
        .take(TOP)
        .map(|(family, label, distinct)| {
            json!({"family": family, "label": label, "distinct_values": distinct})
        })
        .collect();
    json!({
        "source": context.source,
        "format": context.format,
        "scrape": context.scrape,
        "parsed": context.error.is_none(),
        "lines": context.lines,
        "bytes": context.bytes,
        "family_count": linted.len(),
        "series_total": total,
        "families": families,
        "cardinality_top": cardinality_top,
        "label_values_top": label_top,
        "thresholds": {
            "max_series_per_family": context.options.max_series_per_family,
            "max_label_values": context.options.max_label_values,
        },
    })
}

fn percent(part: u64, total: u64) -> f64 {
    if total == 0 {
        return 0.0;
    }
    #[allow(clippy::cast_precision_loss)] // series counts are far below 2^52
    let ratio = part as f64 / total as f64;
    (ratio * 10_000.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use flate2::Compression;
    use flate2::write::GzEncoder;

    use super::*;

    const EXPOSITION: &str = "# HELP app_jobs_total Jobs.\n# TYPE app_jobs_total counter\n\
                              app_jobs_total{kind=\"a\"} 3\napp_latency_ms 2\n";

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    fn outcome(bytes: Vec<u8>) -> Outcome {
        let input = Input::Reader {
            source: "m.prom.gz".to_owned(),
            location_path: "m.prom.gz".to_owned(),
            reader: Box::new(std::io::Cursor::new(bytes)),
        };
        run(input, Options::default(), Duration::from_secs(10))
    }

    fn codes(outcome: &Outcome) -> Vec<(String, String)> {
        outcome
            .findings
            .iter()
            .map(|f| (f.code.clone(), format!("{:?}", f.severity)))
            .collect()
    }

    #[test]
    fn gzip_input_reads_as_its_content() {
        let plain = outcome(EXPOSITION.as_bytes().to_vec());
        // Two members, as `cat a.gz b.gz` makes: one stream.
        let (head, tail) = EXPOSITION.split_at(40);
        let mut compressed = gzip(head.as_bytes());
        compressed.extend(gzip(tail.as_bytes()));
        let unpacked = outcome(compressed);
        assert_eq!(codes(&unpacked), codes(&plain));
        assert_eq!(unpacked.result["lines"], 4);
        assert_eq!(unpacked.result["bytes"], EXPOSITION.len());
        assert_eq!(unpacked.result["parsed"], true);
    }

    #[test]
    fn a_broken_gzip_stream_is_unreadable() {
        let mut compressed = gzip(EXPOSITION.as_bytes());
        compressed.truncate(compressed.len() / 2);
        let broken = outcome(compressed);
        assert_eq!(broken.result["parsed"], false);
        let syntax = broken
            .findings
            .iter()
            .find(|f| f.code == "PROM001")
            .unwrap();
        assert!(
            format!("{:?}", syntax.severity).contains("Error"),
            "{syntax:?}"
        );
    }
}

use proptest::prelude::*;

use super::*;
use crate::model::{MetricType, PrometheusVersion, Sample, SampleRole};

/// One streamed sample: family, name, role, value, line, labels.
type Seen = (String, String, SampleRole, f64, u32, Vec<(String, String)>);

/// Records what the parser streams.
#[derive(Default)]
struct Recorder {
    samples: Vec<Seen>,
}

impl Visitor for Recorder {
    fn sample(&mut self, families: &[Family], sample: &Sample<'_>) {
        self.samples.push((
            families[sample.family].name.to_string(),
            sample.name.to_owned(),
            sample.role,
            sample.value,
            sample.line,
            sample
                .labels
                .iter()
                .map(|l| (l.name.to_owned(), l.value.to_string()))
                .collect(),
        ));
    }
}

fn run(text: &str, format: Format) -> (Parsed, Recorder) {
    let mut recorder = Recorder::default();
    let parsed = parse(
        text.as_bytes(),
        format,
        PrometheusVersion::V2,
        &mut recorder,
    );
    (parsed, recorder)
}

fn syntax_error(parsed: &Parsed) -> &ParseError {
    match &parsed.error {
        Some(Error::Syntax(error)) => error,
        other => panic!("expected a syntax error, got {other:?}"),
    }
}

#[test]
fn text_samples_join_their_histogram_and_summary_families() {
    let (parsed, seen) = run(
        "# HELP h Latency.\n# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 3\n\
         h_sum 1.5\nh_count 3\n# TYPE s summary\ns{quantile=\"0.5\",a=\"x\\\"y\"} 1\ns_count 4\n",
        Format::Text,
    );
    assert!(parsed.error.is_none());
    assert_eq!(parsed.families.len(), 2);
    assert_eq!(parsed.families[0].help.as_deref(), Some("Latency."));
    assert_eq!(parsed.families[0].samples, 4);
    let roles: Vec<_> = seen.samples.iter().map(|s| s.2).collect();
    assert_eq!(
        roles,
        vec![
            SampleRole::Bucket(1.0),
            SampleRole::Bucket(f64::INFINITY),
            SampleRole::Sum,
            SampleRole::Count,
            SampleRole::Quantile(0.5),
            SampleRole::Count,
        ]
    );
    assert_eq!(seen.samples[4].5[1], ("a".to_owned(), "x\"y".to_owned()));
    assert_eq!(seen.samples[5].0, "s");
}

#[test]
fn text_errors_name_line_and_column() {
    let (parsed, _) = run("a 1\nb{c=\"d\" e} 2\n", Format::Text);
    let error = syntax_error(&parsed);
    assert_eq!((error.line, error.column), (2, 9));
    assert_eq!(error.message, "unexpected end of label value \"d\"");
    let (parsed, _) = run("a 1", Format::Text);
    assert_eq!(
        syntax_error(&parsed).message,
        "unexpected end of input stream"
    );
    let (parsed, _) = run("a 1 \n", Format::Text);
    assert_eq!(
        syntax_error(&parsed).message,
        "expected integer as timestamp, got \"\""
    );
}

#[test]
fn openmetrics_families_and_suffixes() {
    let (parsed, seen) = run(
        "# TYPE foo counter\n# HELP foo Foo.\nfoo_total{a=\"b\"} 1 # {t=\"1\"} 1 2\nfoo_created 1\n\
         # TYPE i info\ni_info{v=\"1\"} 1\n# TYPE g_seconds gauge\n# UNIT g_seconds seconds\ng_seconds 1 1.5\n# EOF\n",
        Format::OpenMetrics,
    );
    assert!(parsed.error.is_none(), "{:?}", parsed.error);
    let names: Vec<_> = parsed.families.iter().map(|f| &*f.name).collect();
    assert_eq!(names, ["foo_total", "i_info", "g_seconds"]);
    assert_eq!(parsed.families[0].metric_type, Some(MetricType::Counter));
    assert_eq!(seen.samples.len(), 4);
    assert_eq!(seen.samples[1].2, SampleRole::Created);
}

#[test]
fn openmetrics_errors() {
    for (text, line, message) in [
        ("a 1\n", 1, "expected \"# EOF\" as the last line"),
        (
            "a 1\n# EOF\nb 1\n",
            3,
            "unexpected content after \"# EOF\" (line 2)",
        ),
        (
            "# TYPE a_x gauge\n# UNIT a_x seconds\n# EOF\n",
            2,
            "unit \"seconds\" is not a suffix of the metric name",
        ),
        ("a  1\n# EOF\n", 1, "expected float as value, got \"\""),
        (
            "# comment\n# EOF\n",
            1,
            "unexpected comment keyword \"comment\"",
        ),
    ] {
        let (parsed, _) = run(text, Format::OpenMetrics);
        let error = syntax_error(&parsed);
        assert_eq!(
            (error.line, error.message.as_str()),
            (line, message),
            "{text:?}"
        );
    }
}

#[test]
fn openmetrics_breaches_prometheus_accepts_are_noted() {
    for (text, line, message) in [
        (
            "a 1\nb 1\na 2\n# EOF\n",
            3,
            "metric family \"a\" is interleaved with another",
        ),
        (
            "# TYPE a counter\na 1\n# EOF\n",
            2,
            "sample \"a\" needs a suffix for a counter family",
        ),
        (
            "# TYPE a histogram\na_bucket 1\n# EOF\n",
            2,
            "histogram bucket without an \"le\" label",
        ),
        (
            "a 1\n# HELP a late\n# EOF\n",
            2,
            "HELP for metric \"a\" after its samples",
        ),
        (
            "# TYPE a gauge\n# TYPE a gauge\n# EOF\n",
            2,
            "second TYPE line for metric",
        ),
    ] {
        let (parsed, _) = run(text, Format::OpenMetrics);
        assert!(parsed.error.is_none(), "{text:?}: {:?}", parsed.error);
        assert_eq!(parsed.notes_total, 1, "{text:?}");
        assert_eq!(
            (parsed.notes[0].line, parsed.notes[0].message.as_str()),
            (line, message)
        );
    }
    let (parsed, _) = run(
        "# TYPE a_total counter\na_total 1\n# EOF\n",
        Format::OpenMetrics,
    );
    assert_eq!(&*parsed.families[0].name, "a_total");
}

#[test]
fn format_detection() {
    assert_eq!(sniff_format(b"a 1\n# EOF\n"), Format::OpenMetrics);
    assert_eq!(
        sniff_format(b"# TYPE a counter\na_total 1\n"),
        Format::OpenMetrics
    );
    assert_eq!(
        sniff_format(b"# TYPE a_total counter\na_total 1\n"),
        Format::Text
    );
    assert_eq!(sniff_format(b"# TYPE a info\n"), Format::OpenMetrics);
    assert_eq!(sniff_format(b"a 1\n"), Format::Text);
    assert_eq!(
        format_from_content_type("application/openmetrics-text; version=1.0.0; charset=utf-8"),
        Some(Format::OpenMetrics)
    );
    assert_eq!(
        format_from_content_type("text/plain; version=0.0.4"),
        Some(Format::Text)
    );
    assert_eq!(format_from_content_type(""), None);
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        for format in [Format::Text, Format::OpenMetrics] {
            let mut recorder = Recorder::default();
            let parsed = parse(&bytes[..], format, PrometheusVersion::V3, &mut recorder);
            if let Some(Error::Syntax(error)) = &parsed.error {
                prop_assert!(error.line >= 1 && error.line <= parsed.lines.max(1));
                prop_assert!(error.column >= 1);
            }
        }
    }

    #[test]
    fn exposition_like_text_never_panics(
        lines in proptest::collection::vec("[a-z_:{}\"=, \\\\#\tA-Z0-9.+-]{0,40}", 0..20)
    ) {
        let text = lines.join("\n");
        for format in [Format::Text, Format::OpenMetrics] {
            let _ = run(&text, format);
        }
    }
}

/// A sample line the fast path reads, or one it hands to the state machine.
fn sample_line() -> impl Strategy<Value = String> {
    let name = prop::sample::select(vec!["a", "h_bucket", "h_count", "s", "s_sum", "x_total"]);
    let label = prop::sample::select(vec!["le", "quantile", "code", "__name__", "b", "1x"]);
    let value = prop::sample::select(vec!["1", "2.5", "+Inf", "x", "", "\\\"q", "é", "1e3"]);
    let labels = prop::collection::vec((label, value), 0..4);
    let tail = prop::sample::select(vec![" 1", " 0.25", " NaN", "  1", " 1 5", " x", "", " 1\r"]);
    (name, labels, any::<bool>(), tail).prop_map(|(name, labels, comma, tail)| {
        let mut line = name.to_owned();
        if !labels.is_empty() || comma {
            let pairs: Vec<String> = labels.iter().map(|(l, v)| format!("{l}=\"{v}\"")).collect();
            line.push('{');
            line.push_str(&pairs.join(","));
            if comma {
                line.push(',');
            }
            line.push('}');
        }
        line.push_str(tail);
        line
    })
}

proptest! {
    /// A leading blank sends every line through the state machine; what it streams and
    /// where it stops must be what the fast path streams and where it stops.
    #[test]
    fn the_fast_path_reads_lines_as_the_state_machine_does(
        lines in prop::collection::vec(sample_line(), 1..6)
    ) {
        let header = "# TYPE h histogram\n# TYPE s summary\n";
        let fast = format!("{header}{}\n", lines.join("\n"));
        let slow = format!("{header} {}\n", lines.join("\n "));
        let (fast_parsed, fast_seen) = run(&fast, Format::Text);
        let (slow_parsed, slow_seen) = run(&slow, Format::Text);
        prop_assert_eq!(
            format!("{:?}", fast_seen.samples),
            format!("{:?}", slow_seen.samples)
        );
        prop_assert_eq!(&fast_parsed.families, &slow_parsed.families);
        let line_of = |parsed: &Parsed| match &parsed.error {
            Some(Error::Syntax(error)) => Some((error.line, error.message.clone())),
            _ => None,
        };
        prop_assert_eq!(line_of(&fast_parsed), line_of(&slow_parsed));
    }
}

fn run_as(text: &str, format: Format, version: PrometheusVersion) -> (Parsed, Recorder) {
    let mut recorder = Recorder::default();
    let parsed = parse(text.as_bytes(), format, version, &mut recorder);
    (parsed, recorder)
}

/// The examples of Prometheus 3's UTF-8 names (prometheus/docs, `exposition_formats.md` and
/// the UTF-8 names proposal): a quoted name inside the braces, quoted label names, quoted
/// names in HELP and TYPE.
const UTF8_TEXT: &str = "# HELP \"http.server.duration\" Latency.\n\
    # TYPE \"http.server.duration\" histogram\n\
    {\"http.server.duration_bucket\", \"service.name\"=\"api\", le=\"1\"} 2\n\
    {\"http.server.duration_bucket\",\"service.name\"=\"api\",le=\"+Inf\"} 3\n\
    {\"http.server.duration_count\",\"service.name\"=\"api\"} 3\n\
    {\"http.server.duration_sum\",\"service.name\"=\"api\"} 1.5\n\
    # TYPE \"my.dotted.counter_total\" counter\n\
    {\"my.dotted.counter_total\"} 1\n\
    legacy_total{\"label.with.dots\"=\"x\",code=\"200\"} 7\n";

#[test]
fn prometheus_3_reads_quoted_names_in_text() {
    let (parsed, seen) = run_as(UTF8_TEXT, Format::Text, PrometheusVersion::V3);
    assert!(parsed.error.is_none(), "{:?}", parsed.error);
    let names: Vec<_> = parsed.families.iter().map(|f| &*f.name).collect();
    assert_eq!(
        names,
        [
            "http.server.duration",
            "my.dotted.counter_total",
            "legacy_total"
        ]
    );
    assert_eq!(parsed.families[0].kind(), MetricType::Histogram);
    assert_eq!(parsed.families[0].help.as_deref(), Some("Latency."));
    let roles: Vec<_> = seen.samples.iter().map(|s| s.2).collect();
    assert_eq!(
        &roles[..4],
        [
            SampleRole::Bucket(1.0),
            SampleRole::Bucket(f64::INFINITY),
            SampleRole::Count,
            SampleRole::Sum
        ]
    );
    assert_eq!(
        seen.samples[0].5,
        [
            ("service.name".to_owned(), "api".to_owned()),
            ("le".to_owned(), "1".to_owned())
        ]
    );
    assert_eq!(seen.samples[5].5[0].0, "label.with.dots");
}

#[test]
fn prometheus_2_rejects_quoted_names_as_promtool_does() {
    // promtool 2.42: `text format parsing error in line 1: invalid metric name in comment`.
    let (parsed, _) = run_as(UTF8_TEXT, Format::Text, PrometheusVersion::V2);
    let error = syntax_error(&parsed);
    assert_eq!(
        (error.line, &*error.message),
        (1, "invalid metric name in comment")
    );
    let (parsed, _) = run_as("{\"a.b\"} 1\n", Format::Text, PrometheusVersion::V2);
    assert_eq!(syntax_error(&parsed).message, "invalid metric name");
    let (parsed, _) = run_as("a{\"b.c\"=\"d\"} 1\n", Format::Text, PrometheusVersion::V2);
    assert_eq!(
        syntax_error(&parsed).message,
        "invalid label name for metric \"a\""
    );
}

#[test]
fn malformed_quoted_names_are_errors() {
    for (text, message) in [
        ("{\"\"} 1\n", "invalid metric name"),
        (
            "{\"a\" 1\n",
            "expected ',' or '}' after the metric name, found '1'",
        ),
        (
            "{\"a\\\"b\"} 1\n",
            "escape sequences in quoted names are not supported",
        ),
        ("{\"a} 1\n", "unexpected end of input stream"),
        ("a{\"\"=\"x\"} 1\n", "invalid label name for metric \"a\""),
        (
            "{\"a\",\"__name__\"=\"x\"} 1\n",
            "label name \"__name__\" is reserved",
        ),
    ] {
        let (parsed, _) = run_as(text, Format::Text, PrometheusVersion::V3);
        assert_eq!(syntax_error(&parsed).message, message, "{text}");
    }
}

#[test]
fn prometheus_3_reads_quoted_names_in_openmetrics() {
    let text = "# TYPE \"http.server.requests\" counter\n\
                # HELP \"http.server.requests\" Requests.\n\
                {\"http.server.requests_total\",\"service.name\"=\"api\"} 3.0\n\
                {\"http.server.requests_created\",\"service.name\"=\"api\"} 1.7e+09\n\
                app_queue{\"a.b\"=\"x\"} 1.0\n# EOF\n";
    let (parsed, seen) = run_as(text, Format::OpenMetrics, PrometheusVersion::V3);
    assert!(parsed.error.is_none(), "{:?}", parsed.error);
    assert_eq!(parsed.notes, []);
    assert_eq!(&*parsed.families[0].name, "http.server.requests_total");
    assert_eq!(parsed.families[0].help.as_deref(), Some("Requests."));
    assert_eq!(seen.samples[1].2, SampleRole::Created);
    assert_eq!(seen.samples[2].5[0].0, "a.b");
    let (parsed, _) = run_as(text, Format::OpenMetrics, PrometheusVersion::V2);
    assert_eq!(syntax_error(&parsed).line, 1);
}

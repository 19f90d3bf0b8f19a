//! `godiag metrics` end to end: exit status with and without `--strict`, standard input,
//! scrapes of servers started on 127.0.0.1 (OpenMetrics negotiation, a server that never
//! answers), and a missing file or a directory.

use std::io::{Read as _, Write as _};
use std::net::TcpListener;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::peers::godiag;

const WARNINGS_ONLY: &str = "# TYPE app_jobs counter\napp_jobs 3\n";

fn run_stdin(args: &[&str], input: &str) -> Output {
    let mut child = Command::new(godiag())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap()
}

fn problems(value: &Value) -> Vec<String> {
    value["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] != "ok" && f["severity"] != "skipped")
        .map(|f| f["code"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn warnings_fail_only_with_strict() {
    let lenient = run_stdin(&["metrics", "-"], WARNINGS_ONLY);
    assert_eq!(lenient.status.code(), Some(0));
    let strict = run_stdin(&["metrics", "-", "--strict"], WARNINGS_ONLY);
    assert_eq!(strict.status.code(), Some(1));
    let broken = run_stdin(&["metrics", "-"], "app_jobs 3");
    assert_eq!(broken.status.code(), Some(1));
}

#[test]
fn standard_input_is_read_and_located_as_stdin() {
    let output = run_stdin(&["metrics", "-", "--format", "json"], WARNINGS_ONLY);
    let report = json(&output);
    assert_eq!(problems(&report), ["PROM002", "PROM004"]);
    let finding = &report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "PROM004")
        .unwrap();
    assert_eq!(finding["subject"], "app_jobs");
    assert_eq!(finding["location"]["path"], "<stdin>");
    assert_eq!(finding["location"]["line"], 1);
    assert_eq!(report["metrics"]["series_total"], 1);
}

/// Answers every connection with `response` after reading the request; returns the URL
/// and a receiver of the request heads.
fn serve(response: Vec<u8>) -> (String, std::sync::mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/metrics", listener.local_addr().unwrap());
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                head.push(byte[0]);
            }
            let _ = sender.send(String::from_utf8_lossy(&head).into_owned());
            let _ = stream.write_all(&response);
        }
    });
    (url, receiver)
}

#[test]
fn a_scrape_negotiates_openmetrics_like_prometheus() {
    let body = "# TYPE app_jobs counter\n# HELP app_jobs Jobs.\napp_jobs_total 3\n# EOF\n";
    let response = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/openmetrics-text; version=1.0.0; charset=utf-8\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let (url, requests) = serve(response.into_bytes());
    let output = Command::new(godiag())
        .args(["metrics", &url, "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = json(&output);
    assert!(problems(&report).is_empty(), "{:?}", problems(&report));
    assert_eq!(report["metrics"]["format"], "open_metrics");
    assert_eq!(report["metrics"]["scrape"]["status"], 200);
    assert_eq!(report["metrics"]["families"][0]["name"], "app_jobs_total");
    // Header names are case-insensitive; this client sends them in lower case.
    let head = requests
        .recv_timeout(Duration::from_secs(5))
        .unwrap()
        .to_lowercase();
    // Prometheus 3's header (the default `--prometheus-version`), lower-cased.
    assert!(
        head.contains(
            "\r\naccept: application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,\
             application/openmetrics-text;version=0.0.1;q=0.5,\
             text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,"
        ),
        "{head}"
    );
    assert!(head.contains("\r\naccept-encoding: gzip"), "{head}");
    assert!(
        head.contains("\r\nx-prometheus-scrape-timeout-seconds: "),
        "{head}"
    );
}

/// Issue #15: the target's choice of name escaping is reported, and `--prometheus-version 2`
/// sends Prometheus 2's header, which knows no escaping.
#[test]
fn a_scrape_reports_the_escaping_the_target_chose() {
    let body = "# TYPE app_jobs counter\napp_jobs_total 3\n";
    let response = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=1.0.0; escaping=underscores\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let (url, requests) = serve(response.into_bytes());
    let output = Command::new(godiag())
        .args([
            "metrics",
            &url,
            "--format",
            "json",
            "--prometheus-version",
            "2",
        ])
        .output()
        .unwrap();
    let report = json(&output);
    assert_eq!(
        report["metrics"]["scrape"]["escaping"], "underscores",
        "{report}"
    );
    let head = requests
        .recv_timeout(Duration::from_secs(5))
        .unwrap()
        .to_lowercase();
    assert!(
        head.contains("\r\naccept: application/openmetrics-text;version=1.0.0;q=0.5,"),
        "{head}"
    );
    assert!(!head.contains("escaping"), "{head}");
}

#[test]
fn a_server_that_never_answers_is_a_failed_scrape_within_the_deadline() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/metrics", listener.local_addr().unwrap());
    // Accepts connections (the kernel does) but never reads or writes.
    let started = Instant::now();
    let output = Command::new(godiag())
        .args(["metrics", &url, "--format", "json", "--deadline", "1s"])
        .output()
        .unwrap();
    let took = started.elapsed();
    drop(listener);
    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert_eq!(output.status.code(), Some(1));
    let report = json(&output);
    assert_eq!(problems(&report), ["PROM120"]);
    let scrape = &report["metrics"]["scrape"];
    assert!(scrape["status"].is_null());
    assert!(scrape["duration_ms"].as_u64().unwrap() >= 800, "{scrape}");
}

#[test]
fn a_missing_file_is_a_usage_error() {
    let output = Command::new(godiag())
        .args(["metrics", "/nonexistent/metrics.prom"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("/nonexistent/metrics.prom"), "{stderr}");
}

#[test]
fn a_directory_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(godiag())
        .arg("metrics")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty(), "a usage error prints no report");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("is a directory"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one clear line: {stderr}");
}

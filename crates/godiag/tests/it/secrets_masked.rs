//! Issue #17 (secrets): a canary secret placed in every place a credential can sit — a
//! scraped URL's user information and query string, a GOPROXY with credentials that
//! `go env --fix` rewrites, Collector headers, tokens and passwords beside an edit that
//! `lint --fix` makes — appears in no output stream (stdout or stderr) of any format, and no
//! suggested command holds the mask where a credential was.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

use crate::peers::godiag;

const CANARY: &str = "c4n4ry-9f2e";
const FORMATS: [&str; 4] = ["human", "json", "sarif", "prometheus"];

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(godiag())
        .env_clear()
        .current_dir(dir)
        .args(["--deadline", "2s"])
        .args(args)
        .output()
        .unwrap()
}

fn assert_masked(what: &str, output: &Output) {
    for (stream, bytes) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
        let text = String::from_utf8_lossy(bytes);
        assert!(
            !text.contains(CANARY),
            "{what}: {stream} shows the secret:\n{text}"
        );
    }
}

/// Commands a person is told to run carry placeholders, never the mask.
fn assert_commands_have_placeholders(what: &str, report: &Value) {
    for finding in report["findings"].as_array().unwrap() {
        let commands = finding["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == "command")
            .map(|e| &e["text"])
            .chain(finding["fix"].get("text"));
        for command in commands {
            let command = command.as_str().unwrap();
            assert!(
                !command.contains("***"),
                "{what}: `{command}` holds the mask"
            );
        }
    }
}

/// Every format of one command, and its JSON report.
fn every_format(dir: &Path, what: &str, args: &[&str]) -> Value {
    let mut report = Value::Null;
    for format in FORMATS {
        let output = run(dir, &[&["--format", format, "-v"], args].concat());
        assert_masked(&format!("{what} --format {format}"), &output);
        if format == "json" {
            report = serde_json::from_slice(&output.stdout).unwrap();
        }
    }
    report
}

#[test]
fn a_scraped_urls_credentials_and_query_tokens_are_masked() {
    let dir = tempfile::tempdir().unwrap();
    // A port nothing listens on: the failed scrape names the URL in title, evidence and fix.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!(
        "http://scraper:{CANARY}@127.0.0.1:{port}/metrics?token={CANARY}&x=1&access_token={CANARY}\
         &apikey={CANARY}&sig={CANARY}"
    );
    let report = every_format(dir.path(), "metrics", &["metrics", &url]);
    assert_commands_have_placeholders("metrics", &report);
    let text = report.to_string();
    assert!(text.contains("USER:TOKEN@127.0.0.1"), "{text}");
    assert!(text.contains("http://***@127.0.0.1"), "{text}");
}

#[test]
fn go_env_fix_masks_the_diff_it_prints_before_writing() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    let env = root.join("home/u/.config/go/env");
    fs::create_dir_all(env.parent().unwrap()).unwrap();
    fs::write(
        &env,
        format!("GOPROXY=\"https://ci-bot:{CANARY}@goproxy.corp.example/api,direct\"\n"),
    )
    .unwrap();
    let env_file = dir.path().join("env");
    fs::write(&env_file, "HOME=/home/u\nPATH=/usr/bin\n").unwrap();
    let machine = ["--root", "root", "--env-file", "env"];
    let report = every_format(
        dir.path(),
        "go env",
        &[&machine[..], &["go", "env"]].concat(),
    );
    assert_commands_have_placeholders("go env", &report);
    let fixed = run(
        dir.path(),
        &[&machine[..], &["go", "env", "--fix", "--yes"]].concat(),
    );
    assert_masked("go env --fix", &fixed);
    assert!(
        String::from_utf8_lossy(&fixed.stderr).contains("+GOPROXY=https://***@goproxy"),
        "{}",
        String::from_utf8_lossy(&fixed.stderr)
    );
    // The file itself keeps the credentials: only the output is masked.
    assert!(fs::read_to_string(&env).unwrap().contains(CANARY));
}

#[test]
fn lint_fix_diffs_mask_collector_secrets_in_their_context() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.yaml");
    fs::write(
        &config,
        format!(
            "extensions:
  bearertokenauth:
    token: \"{CANARY}\"
  basicauth/client:
    client_auth:
      username: u
      password: {CANARY}
receivers:
  otlp:
    protocols:
      grpc:
exporters:
  otlphttp:
    endpoint: https://u:{CANARY}@otlp.example.com:4318/v1?access_token={CANARY}
    headers:
      authorization: \"Bearer {CANARY}\"
      x-api-key: {CANARY}
    timeout: 5
service:
  extensions: [bearertokenauth, basicauth/client]
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [otlphttp]
"
        ),
    )
    .unwrap();
    let path = config.to_str().unwrap();
    let report = every_format(dir.path(), "lint", &["lint", path]);
    assert_commands_have_placeholders("lint", &report);
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["fix"]["edits"].as_array().is_some_and(|e| !e.is_empty())),
        "the config needs an edit, so that a diff is printed: {report}"
    );
    let fixed = run(dir.path(), &["lint", "--fix", "--yes", path]);
    assert_masked("lint --fix", &fixed);
    let stderr = String::from_utf8_lossy(&fixed.stderr);
    assert!(stderr.contains("authorization: \"Bearer ***\""), "{stderr}");
    assert!(fs::read_to_string(&config).unwrap().contains(CANARY));
}

//! What "a ✔ means godiag looked" rules out, read from a report's own structured result:
//! a check may not pass when the report shows there was nothing for it to look at. Every
//! scenario's report goes through [`passes_without_evidence`].
//!
//! Each rule pairs a fact of the structured result (no listener, not WSL, a file that did
//! not parse, a resolution path that did not run) with the codes that need what is missing.

use serde_json::Value;

/// One rule: when `applies` holds for the report, none of `codes` may be `ok`.
struct Rule {
    why: &'static str,
    codes: &'static [&'static str],
    applies: fn(&Value) -> bool,
}

const RULES: &[Rule] = &[
    Rule {
        why: "nothing listens on the port",
        codes: &[
            "NET002", "NET003", "NET004", "NET005", "NET006", "NET007", "NET008", "NET009",
            "NET014", "NET015", "NET016", "NET017", "NET019",
        ],
        applies: |report| {
            report["port"]["listeners"]
                .as_array()
                .is_some_and(Vec::is_empty)
        },
    },
    Rule {
        why: "this is not WSL",
        codes: &["NET014", "NET015", "NET016", "NET017", "NET018"],
        applies: |report| {
            report["port"].is_object() && report["port"]["environment"]["wsl"].is_null()
        },
    },
    Rule {
        why: "this is not a container",
        codes: &["NET019"],
        applies: |report| {
            report["port"].is_object() && report["port"]["environment"]["container"].is_null()
        },
    },
    Rule {
        why: "the Collector config could not be read or parsed (OTEL001)",
        codes: &[
            "OTEL002", "OTEL003", "OTEL004", "OTEL005", "OTEL006", "OTEL007", "OTEL008", "OTEL009",
            "OTEL010", "OTEL011", "OTEL012", "OTEL013", "OTEL014", "OTEL015", "OTEL016", "OTEL017",
            "OTEL018", "OTEL019", "OTEL020",
        ],
        applies: |report| has_error(report, "OTEL001"),
    },
    Rule {
        why: "the sampling strategies file could not be read or parsed (SAMP001)",
        codes: &[
            "SAMP002", "SAMP003", "SAMP004", "SAMP005", "SAMP006", "SAMP007", "SAMP008", "SAMP009",
            "SAMP010", "SAMP011", "SAMP012", "SAMP013", "SAMP014", "SAMP015", "SAMP016", "SAMP017",
            "SAMP018",
        ],
        applies: |report| has_error(report, "SAMP001"),
    },
    Rule {
        why: "the exposition could not be parsed (PROM001)",
        codes: &[
            "PROM002", "PROM003", "PROM004", "PROM005", "PROM006", "PROM007", "PROM008", "PROM009",
            "PROM010", "PROM011", "PROM012", "PROM013", "PROM014", "PROM015", "PROM100", "PROM101",
            "PROM102", "PROM103", "PROM104", "PROM105", "PROM106", "PROM107", "PROM108", "PROM109",
            "PROM110", "PROM111",
        ],
        applies: |report| has_error(report, "PROM001"),
    },
    Rule {
        why: "Go's own resolver was not run",
        codes: &["DNS009", "DNS010"],
        applies: |report| !path_ran(report, |name| name == "go_pure"),
    },
    Rule {
        why: "glibc (getaddrinfo) was not run",
        codes: &["DNS009"],
        applies: |report| !path_ran(report, |name| name == "getaddrinfo"),
    },
    Rule {
        why: "no DNS server was asked",
        codes: &["DNS011"],
        applies: |report| !path_ran(report, |name| name.starts_with("server:")),
    },
    Rule {
        why: "there is no go command to compare with",
        codes: &["GO016"],
        applies: |report| {
            let env = &report["go"]["env"];
            env.is_object() && env["go_command"].is_null()
        },
    },
];

/// Every `ok` finding of `report` that its structured result shows had nothing to examine,
/// as `CODE: why`.
pub(crate) fn passes_without_evidence(report: &Value) -> Vec<String> {
    let Some(findings) = report["findings"].as_array() else {
        return Vec::new();
    };
    let mut claims = Vec::new();
    for rule in RULES.iter().filter(|rule| (rule.applies)(report)) {
        for finding in findings {
            let code = finding["code"].as_str().unwrap_or_default();
            if finding["severity"] == "ok" && rule.codes.contains(&code) {
                claims.push(format!("{code} passes, but {}", rule.why));
            }
        }
    }
    claims
}

fn has_error(report: &Value, code: &str) -> bool {
    report["findings"].as_array().is_some_and(|findings| {
        findings
            .iter()
            .any(|f| f["code"] == code && f["severity"] == "error")
    })
}

/// Whether the dns result holds a resolution path `is_path` picks that ran. Reports
/// without a dns result (other commands) count as having run, so the dns rules stay out.
fn path_ran(report: &Value, is_path: fn(&str) -> bool) -> bool {
    let Some(paths) = report["dns"]["paths"].as_array() else {
        return true;
    };
    paths.iter().any(|path| {
        is_path(path["name"].as_str().unwrap_or_default())
            && !path["error"]
                .as_str()
                .is_some_and(|error| error.starts_with("not run"))
    })
}

#[test]
fn a_report_that_passes_what_it_could_not_examine_is_caught() {
    let report = serde_json::json!({
        "findings": [
            {"code": "NET009", "severity": "ok"},
            {"code": "NET001", "severity": "error"},
            {"code": "NET010", "severity": "ok"},
        ],
        "port": {"listeners": [], "environment": {"wsl": null, "container": null}},
    });
    assert_eq!(
        passes_without_evidence(&report),
        vec!["NET009 passes, but nothing listens on the port".to_owned()]
    );
    let dns = serde_json::json!({
        "findings": [{"code": "DNS010", "severity": "ok"}],
        "dns": {"paths": [{"name": "go_pure", "error": "not run: no network on a recorded machine"}]},
    });
    assert_eq!(passes_without_evidence(&dns).len(), 1);
}

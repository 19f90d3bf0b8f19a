//! SARIF 2.1.0: one rule per check code, one result per problem finding.
//!
//! Passed and skipped checks are not results: code scanning would show them as alerts. Rules
//! carry the check's page as `help.markdown`, so a reviewer sees the fix in the UI.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::{self, Write};

use serde_json::{Value, json};

use super::Options;
use crate::finding::{Finding, Severity};
use crate::meta::CheckMeta;
use crate::report::Report;

/// The SARIF version written.
pub const VERSION: &str = "2.1.0";
const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Writes the report as a SARIF log.
pub fn render(report: &Report, options: &Options<'_>, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &to_value(report, options))?;
    writeln!(out)
}

/// Builds the SARIF log.
#[must_use]
pub fn to_value(report: &Report, options: &Options<'_>) -> Value {
    let problems: Vec<&Finding> = report.findings.iter().filter(|f| f.is_problem()).collect();
    let codes: BTreeSet<&str> = problems.iter().map(|f| f.code.as_str()).collect();
    let rules: Vec<&CheckMeta> = options
        .registry
        .iter()
        .filter(|meta| codes.contains(meta.code))
        .collect();
    let results: Vec<Value> = problems
        .iter()
        .map(|finding| {
            let rule_index = rules.iter().position(|meta| meta.code == finding.code);
            result(finding, rule_index)
        })
        .collect();
    json!({
        "$schema": SCHEMA_URI,
        "version": VERSION,
        "runs": [{
            "tool": {"driver": {
                "name": "godiag",
                "version": options.version,
                "rules": rules.iter().map(|meta| rule(meta)).collect::<Vec<_>>(),
            }},
            "results": results,
        }],
    })
}

fn rule(meta: &CheckMeta) -> Value {
    json!({
        "id": meta.code,
        "name": meta.slug,
        "shortDescription": {"text": meta.title},
        "fullDescription": {"text": first_paragraph(meta.doc)},
        "help": {"text": meta.doc, "markdown": meta.doc},
        "defaultConfiguration": {"level": level(meta.severity)},
        "properties": {"domain": meta.domain.as_str()},
    })
}

fn result(finding: &Finding, rule_index: Option<usize>) -> Value {
    let mut text = finding.title.clone();
    if !finding.message.is_empty() {
        text.push_str(". ");
        text.push_str(&finding.message);
    }
    if let Some(fix) = &finding.fix {
        text.push_str("\nFix: ");
        text.push_str(&fix.text);
    }
    let mut result = json!({
        "ruleId": finding.code,
        "level": level(finding.severity),
        "message": {"text": text},
    });
    if let Some(index) = rule_index {
        result["ruleIndex"] = json!(index);
    }
    if let Some(location) = &finding.location {
        let mut region = serde_json::Map::new();
        if let Some(line) = location.line {
            region.insert("startLine".into(), json!(line));
            if let Some(column) = location.column {
                region.insert("startColumn".into(), json!(column));
            }
        }
        let mut physical =
            json!({"artifactLocation": {"uri": file_uri(&location.path.display().to_string())}});
        if !region.is_empty() {
            physical["region"] = Value::Object(region);
        }
        result["locations"] = json!([{"physicalLocation": physical}]);
    }
    if let Some(subject) = &finding.subject {
        result["properties"] = json!({"subject": subject});
    }
    result
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
        Severity::Ok | Severity::Skipped => "none",
    }
}

/// An absolute path becomes a `file://` URI with unsafe bytes percent-encoded; a relative path
/// stays a relative reference, as SARIF allows.
fn file_uri(path: &str) -> String {
    let mut uri = String::new();
    if path.starts_with('/') {
        uri.push_str("file://");
    }
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~".contains(&byte) {
            uri.push(char::from(byte));
        } else {
            let _ = write!(uri, "%{byte:02X}");
        }
    }
    uri
}

fn first_paragraph(doc: &str) -> String {
    doc.split("\n\n")
        .map(str::trim)
        .find(|para| !para.is_empty() && !para.starts_with('#'))
        .unwrap_or_default()
        .replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::sample;

    fn log() -> Value {
        let options = Options {
            version: "1.2.3",
            registry: sample::REGISTRY,
            ..Options::default()
        };
        let mut report = sample::report();
        report.redact();
        to_value(&report, &options)
    }

    #[test]
    fn log_deserialises_into_the_sarif_2_1_0_types() {
        let value = log();
        let sarif: serde_sarif::sarif::Sarif = serde_json::from_value(value).unwrap();
        assert_eq!(
            serde_json::to_value(&sarif.version).unwrap(),
            json!("2.1.0")
        );
        let run = &sarif.runs[0];
        assert_eq!(run.tool.driver.rules.as_ref().unwrap().len(), 2);
        assert_eq!(
            run.results.as_ref().unwrap().len(),
            3,
            "ok findings are not results"
        );
    }

    #[test]
    fn results_point_at_their_rule_and_line() {
        let value = log();
        let first = &value["runs"][0]["results"][0];
        assert_eq!(first["ruleId"], "GO901");
        assert_eq!(first["ruleIndex"], 0);
        assert_eq!(
            first["locations"][0]["physicalLocation"]["region"]["startLine"],
            2
        );
        assert_eq!(
            first["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "file:///home/u/.config/go/env"
        );
        assert!(!value.to_string().contains("secret"));
    }

    #[test]
    fn uris_are_encoded() {
        assert_eq!(file_uri("/a b/c%"), "file:///a%20b/c%25");
        assert_eq!(file_uri("rel/x.yaml"), "rel/x.yaml");
    }
}

//! The JSON report, schema `godiag.report/v2` (documented in `docs/report-schema.md`).
//!
//! ```text
//! { "schema": "godiag.report/v2",
//!   "tool": {"name": "godiag", "version": "X.Y.Z"},
//!   "command": "go",
//!   "findings": [ { "code", "severity": "error|warning|info|ok|skipped", "domain",
//!                   "skip_reason": string|null, "title", "message",
//!                   "subject": string|null, "location": {"path","line","column"}|null,
//!                   "evidence": [{"kind": "file|command|probe", "text", "duration_ms"?}],
//!                   "fix": {"kind": "command|edit|manual", "applicability": "safe|unsafe",
//!                           "text", "edits"?: [{"path","diff"}]}|null } ],
//!   "summary": {"error", "warning", "info", "ok", "skipped"},
//!   "<command>": { the command's structured result } }
//! ```
//! Field names are `snake_case` and stable: adding a field is compatible; renaming or removing
//! one needs a new schema version. v1 had no `skipped` severity: a check with nothing to
//! examine reported `ok`.

use std::io::{self, Write};

use serde_json::{Map, Value, json};

use super::Options;
use crate::report::Report;

/// The schema identifier written into every report.
pub const SCHEMA: &str = "godiag.report/v2";

/// Builds the report's JSON value.
#[must_use]
pub fn to_value(report: &Report, options: &Options<'_>) -> Value {
    let mut object = Map::new();
    object.insert("schema".into(), json!(SCHEMA));
    object.insert(
        "tool".into(),
        json!({"name": "godiag", "version": options.version}),
    );
    object.insert("command".into(), json!(report.command));
    object.insert("findings".into(), json!(report.findings));
    object.insert("summary".into(), json!(report.summary()));
    object.insert(report.command.clone(), report.result.clone());
    Value::Object(object)
}

/// Writes the report as pretty-printed JSON and a newline.
pub fn render(report: &Report, options: &Options<'_>, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &to_value(report, options))?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::sample;

    #[test]
    fn json_report_follows_the_schema() {
        let options = Options {
            version: "1.2.3",
            registry: sample::REGISTRY,
            ..Options::default()
        };
        let mut report = sample::report();
        report.redact();
        let mut out = Vec::new();
        render(&report, &options, &mut out).unwrap();
        let value: Value = serde_json::from_slice(&out).unwrap();
        insta::assert_json_snapshot!(value);
    }
}

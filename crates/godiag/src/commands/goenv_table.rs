//! The table `godiag go env` prints before its findings: every variable with its value and
//! where the value came from, as the README promises. JSON has the same data under
//! `go.env.vars`; this is its human form.

use std::fmt::Write as _;

use godiag_core::report::Report;
use godiag_core::text::escape_controls;
use serde_json::Value;

/// Renders the variables of a `go env` report, redacted like the rest of the output.
///
/// A `*` marks a variable set by the OS environment or the go env file, the values that
/// differ from what the go command picks by itself ($GOROOT/go.env or its default).
pub(crate) fn render(report: &Report) -> String {
    let mut report = report.clone();
    report.redact();
    let Some(vars) = report.result["env"]["vars"].as_array() else {
        return String::new();
    };
    let rows: Vec<(bool, String, String, String)> = vars.iter().map(row).collect();
    if rows.is_empty() {
        return String::new();
    }
    let name_width = rows.iter().map(|row| row.1.len()).max().unwrap_or(0);
    let value_width = rows
        .iter()
        .map(|row| row.2.chars().count())
        .max()
        .unwrap_or(0)
        .min(60);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "  {:<name_width$}  {:<value_width$}  SOURCE   (* set here, not the go command's default)",
        "NAME", "VALUE"
    );
    for (set, name, value, source) in rows {
        let mark = if set { '*' } else { ' ' };
        let _ = writeln!(
            out,
            "{mark} {name:<name_width$}  {value:<value_width$}  {source}"
        );
    }
    out.push('\n');
    out
}

fn row(var: &Value) -> (bool, String, String, String) {
    let text = |key: &str| var[key].as_str().unwrap_or_default().to_owned();
    let source = text("source");
    let value = match var["value"].as_str() {
        Some("") => "(empty)".to_owned(),
        Some(value) => escape_controls(value).into_owned(),
        None => "(unknown)".to_owned(),
    };
    let at = var["location"]["path"].as_str().map(|path| {
        let line = var["location"]["line"].as_u64().unwrap_or(0);
        format!("{}:{line}", escape_controls(path))
    });
    let shown = match (source.as_str(), at) {
        ("environment", _) => "env".to_owned(),
        ("goenv_file" | "goroot_go_env", Some(at)) => at,
        ("goenv_file", None) => "go env file".to_owned(),
        ("goroot_go_env", None) => "GOROOT/go.env".to_owned(),
        ("default", _) => "default".to_owned(),
        _ => "unknown".to_owned(),
    };
    let set = matches!(source.as_str(), "environment" | "goenv_file");
    (set, text("name"), value, shown)
}

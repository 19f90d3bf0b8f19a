//! Turns a [`Report`] into bytes: one module per format, over the same data.
//!
//! [`render`] redacts credentials before any renderer sees the report.

pub mod human;
pub mod json;
pub mod prometheus;
pub mod sarif;

use std::io::{self, Write};

use crate::meta::CheckMeta;
use crate::report::Report;

/// An output format (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Grouped, marked, for people.
    #[default]
    Human,
    /// `godiag.report/v2`.
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// A `node_exporter` textfile-collector file.
    Prometheus,
}

/// How to render.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options<'a> {
    /// ANSI colour in human output.
    pub color: bool,
    /// List every check, passed and skipped ones too, with all their evidence.
    pub verbose: bool,
    /// Show only problems and the summary.
    pub quiet: bool,
    /// The terminal's width in columns, when human output goes to a terminal; long lines wrap
    /// to it. `None` (a pipe, a file) never wraps.
    pub width: Option<usize>,
    /// godiag's version, for the `tool` fields.
    pub version: &'a str,
    /// Every known check, for SARIF rules and help texts.
    pub registry: &'a [CheckMeta],
}

/// Writes `report` in `format`, after masking credentials.
pub fn render(
    report: &Report,
    format: Format,
    options: &Options<'_>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut report = report.clone();
    report.redact();
    match format {
        Format::Human => human::render(&report, options, out),
        Format::Json => json::render(&report, options, out),
        Format::Sarif => sarif::render(&report, options, out),
        Format::Prometheus => prometheus::render(&report, options, out),
    }
}

#[cfg(test)]
pub(crate) mod sample {
    //! A fixed report every renderer test uses.
    use std::path::PathBuf;

    use crate::finding::{Evidence, Finding, Fix, FixEdit, Location, Severity};
    use crate::meta::{CheckMeta, CheckStatus, Domain};
    use crate::report::Report;

    pub(crate) const PROXY_OFF: CheckMeta = CheckMeta {
        code: "GO901",
        slug: "goproxy-off",
        domain: Domain::Go,
        severity: Severity::Error,
        status: CheckStatus::Stable,
        title: "GOPROXY is off",
        ok_title: "GOPROXY names a module source",
        doc: "# GO901 goproxy-off\n\nWhat it checks: GOPROXY.\n",
    };
    pub(crate) const SHADOWED: CheckMeta = CheckMeta {
        code: "GO902",
        slug: "goenv-shadowed",
        domain: Domain::Go,
        severity: Severity::Warning,
        status: CheckStatus::Stable,
        title: "A go env -w value is shadowed",
        ok_title: "No go env -w value is shadowed",
        doc: "# GO902 goenv-shadowed\n\nWhat it checks: shadowing.\n",
    };
    pub(crate) const RESOLVES: CheckMeta = CheckMeta {
        code: "DNS901",
        slug: "name-unresolvable",
        domain: Domain::Dns,
        severity: Severity::Error,
        status: CheckStatus::Stable,
        title: "The name does not resolve",
        ok_title: "The name resolves",
        doc: "# DNS901 name-unresolvable\n\nWhat it checks: the name.\n",
    };
    pub(crate) const REGISTRY: &[CheckMeta] = &[PROXY_OFF, SHADOWED, RESOLVES];

    pub(crate) fn report() -> Report {
        let findings = vec![
            Finding::new(&PROXY_OFF, "GOPROXY is off", "No module can be downloaded.")
                .subject("GOPROXY")
                .location(Location {
                    path: PathBuf::from("/home/u/.config/go/env"),
                    line: Some(2),
                    column: Some(9),
                })
                .evidence(Evidence::file("GOPROXY=off"))
                .fix(Fix::command(
                    "go env -w GOPROXY=https://u:secret@proxy.example,direct",
                )),
            Finding::new(
                &SHADOWED,
                "GOFLAGS from go env -w is shadowed",
                "The OS value wins.",
            )
            .subject("GOFLAGS")
            .evidence(Evidence::probe("go env -json", 12))
            .fix(Fix::edit(
                "remove the line",
                vec![FixEdit {
                    path: PathBuf::from("/home/u/.profile"),
                    diff: "-x\n+y\n".into(),
                    planned: None,
                }],
            )),
            Finding::ok(&SHADOWED).subject("GOPATH"),
            Finding::new(&SHADOWED, "note", "informational").severity(Severity::Info),
            Finding::ok(&RESOLVES).subject("proxy.golang.org"),
            Finding::skipped(&RESOLVES, "GOPRIVATE names no host").subject("private hosts"),
        ];
        Report::new(
            "go",
            findings,
            serde_json::json!({"env": {"proxy": "https://u:secret@proxy.example"}}),
        )
    }
}

//! A `node_exporter` textfile-collector file, so a fleet's results land in its Prometheus.
//!
//! One gauge family, `godiag_findings`, with a sample per (code, domain, severity) that the
//! run produced, valued by how many findings it had; plus `godiag_check_codes` listing
//! the codes that ran. A skipped check measured nothing, so it gets no sample: a gauge would
//! read as a result. Written to pass `promtool check metrics`.

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::Options;
use crate::finding::Severity;
use crate::report::Report;

/// Writes the textfile.
pub fn render(report: &Report, options: &Options<'_>, out: &mut dyn Write) -> io::Result<()> {
    let mut counts: BTreeMap<(&str, &str, &str), u64> = BTreeMap::new();
    for finding in report
        .findings
        .iter()
        .filter(|finding| finding.severity != Severity::Skipped)
    {
        *counts
            .entry((
                &finding.code,
                finding.domain.as_str(),
                finding.severity.as_str(),
            ))
            .or_default() += 1;
    }
    writeln!(
        out,
        "# HELP godiag_findings Findings of the last godiag run, by check code and severity."
    )?;
    writeln!(out, "# TYPE godiag_findings gauge")?;
    for ((code, domain, severity), count) in &counts {
        writeln!(
            out,
            "godiag_findings{{code=\"{code}\",command=\"{}\",domain=\"{domain}\",severity=\"{severity}\"}} {count}",
            escape(&report.command)
        )?;
    }
    let summary = report.summary();
    writeln!(
        out,
        "# HELP godiag_findings_by_severity Findings of the last godiag run, by severity."
    )?;
    writeln!(out, "# TYPE godiag_findings_by_severity gauge")?;
    for (severity, count) in [
        ("error", summary.error),
        ("warning", summary.warning),
        ("info", summary.info),
        ("ok", summary.ok),
    ] {
        writeln!(
            out,
            "godiag_findings_by_severity{{command=\"{}\",severity=\"{severity}\"}} {count}",
            escape(&report.command)
        )?;
    }
    writeln!(
        out,
        "# HELP godiag_build_info The godiag version that wrote this file."
    )?;
    writeln!(out, "# TYPE godiag_build_info gauge")?;
    writeln!(
        out,
        "godiag_build_info{{version=\"{}\"}} 1",
        escape(options.version)
    )
}

/// Escapes a label value as the text exposition format requires.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::sample;

    #[test]
    fn textfile_has_one_sample_per_code_and_severity() {
        let options = Options {
            version: "1.2.3",
            registry: sample::REGISTRY,
            ..Options::default()
        };
        let mut out = Vec::new();
        render(&sample::report(), &options, &mut out).unwrap();
        insta::assert_snapshot!(String::from_utf8(out).unwrap());
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}

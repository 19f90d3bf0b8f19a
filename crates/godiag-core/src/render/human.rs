//! Output for people: grouped by domain, one mark per finding, fixes under each, a summary last.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::Options;
use crate::finding::{Finding, FixKind, Severity};
use crate::report::Report;

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";

/// Writes the human report.
pub fn render(report: &Report, options: &Options<'_>, out: &mut dyn Write) -> io::Result<()> {
    let paint = Paint {
        color: options.color,
    };
    let mut current_domain = None;
    for finding in &report.findings {
        let is_problem = finding.severity != Severity::Ok;
        if options.quiet && !is_problem {
            continue;
        }
        if current_domain != Some(finding.domain) {
            if current_domain.is_some() {
                writeln!(out)?;
            }
            writeln!(out, "{}", paint.wrap(BOLD, finding.domain.heading()))?;
            current_domain = Some(finding.domain);
        }
        write_finding(finding, options, paint, out)?;
    }
    if current_domain.is_some() {
        writeln!(out)?;
    }
    let summary = report.summary();
    writeln!(
        out,
        "{} {}, {}, {} info, {} ok",
        paint.wrap(BOLD, "Summary:"),
        plural(summary.error, "error"),
        plural(summary.warning, "warning"),
        summary.info,
        summary.ok
    )
}

fn write_finding(
    finding: &Finding,
    options: &Options<'_>,
    paint: Paint,
    out: &mut dyn Write,
) -> io::Result<()> {
    let (mark, color) = mark(finding.severity);
    let subject = finding
        .subject
        .as_deref()
        .map(|s| format!(" [{s}]"))
        .unwrap_or_default();
    writeln!(
        out,
        "  {} {} {}{}",
        paint.wrap(color, mark),
        paint.wrap(DIM, &finding.code),
        finding.title,
        paint.wrap(DIM, &subject)
    )?;
    if finding.severity == Severity::Ok && !options.verbose {
        return Ok(());
    }
    for line in finding.message.lines().filter(|line| !line.is_empty()) {
        writeln!(out, "      {line}")?;
    }
    if let Some(location) = &finding.location {
        let mut at = location.path.display().to_string();
        if let Some(line) = location.line {
            let _ = write!(at, ":{line}");
            if let Some(column) = location.column {
                let _ = write!(at, ":{column}");
            }
        }
        writeln!(out, "      {} {at}", paint.wrap(DIM, "at"))?;
    }
    let evidence_shown = if options.verbose {
        finding.evidence.len()
    } else {
        finding.evidence.len().min(2)
    };
    for evidence in &finding.evidence[..evidence_shown] {
        let timing = evidence
            .duration_ms
            .map(|ms| format!(" ({ms} ms)"))
            .unwrap_or_default();
        writeln!(
            out,
            "      {} {}{timing}",
            paint.wrap(DIM, "seen:"),
            evidence.text
        )?;
    }
    if let Some(fix) = &finding.fix {
        let label = match fix.kind {
            FixKind::Command => "fix: run",
            FixKind::Edit => "fix (godiag --fix):",
            FixKind::Manual => "fix:",
        };
        let mut lines = fix.text.lines();
        writeln!(
            out,
            "      {} {}",
            paint.wrap(BOLD, label),
            lines.next().unwrap_or_default()
        )?;
        for line in lines {
            writeln!(out, "           {line}")?;
        }
        for edit in &fix.edits {
            writeln!(
                out,
                "      {} {}",
                paint.wrap(DIM, "edit"),
                edit.path.display()
            )?;
            for line in edit.diff.lines() {
                writeln!(out, "        {line}")?;
            }
        }
    }
    Ok(())
}

fn mark(severity: Severity) -> (&'static str, &'static str) {
    match severity {
        Severity::Ok => ("✔", "\x1b[32m"),
        Severity::Info => ("·", "\x1b[36m"),
        Severity::Warning => ("!", "\x1b[33m"),
        Severity::Error => ("✖", "\x1b[31m"),
    }
}

fn plural(count: usize, word: &str) -> String {
    if count == 1 {
        format!("{count} {word}")
    } else {
        format!("{count} {word}s")
    }
}

#[derive(Clone, Copy)]
struct Paint {
    color: bool,
}

impl Paint {
    fn wrap(self, style: &str, text: &str) -> String {
        if self.color && !text.is_empty() {
            format!("{style}{text}{RESET}")
        } else {
            text.to_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::sample;

    fn rendered(options: &Options<'_>) -> String {
        let mut report = sample::report();
        report.redact();
        let mut out = Vec::new();
        render(&report, options, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn plain_output_is_grouped_and_marked() {
        insta::assert_snapshot!(rendered(&Options::default()));
    }

    #[test]
    fn quiet_output_omits_passed_checks() {
        let text = rendered(&Options {
            quiet: true,
            ..Options::default()
        });
        assert!(!text.contains('✔'));
        assert!(text.contains("✖ GO901"));
    }

    #[test]
    fn colour_only_when_asked() {
        assert!(!rendered(&Options::default()).contains('\x1b'));
        assert!(
            rendered(&Options {
                color: true,
                ..Options::default()
            })
            .contains("\x1b[31m")
        );
    }
}

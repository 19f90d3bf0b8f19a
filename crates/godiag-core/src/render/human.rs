//! Output for people, shaped like `flutter doctor`: one line per domain with its mark and
//! counts, then only the findings that need attention, each with its evidence and fix.
//!
//! `-v` also lists the checks that passed and those that were skipped (with the reason);
//! `-q` leaves out domains with nothing to report. Text quoted from inputs is escaped
//! ([`escape_controls`]) so a hostile file cannot drive the user's terminal, and lines wrap
//! to the terminal's width when there is one. Diffs never wrap: they must stay appliable.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::io::{self, Write};

use super::Options;
use crate::finding::{EvidenceKind, Finding, FixKind, Location, Severity};
use crate::meta::Domain;
use crate::report::{Report, Summary};
use crate::text::{escape_controls, wrap};

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";

/// The indentation of a finding's details under its title line.
const DETAIL: &str = "      ";

/// Writes the human report.
pub fn render(report: &Report, options: &Options<'_>, out: &mut dyn Write) -> io::Result<()> {
    let writer = Writer {
        paint: Paint {
            color: options.color,
        },
        options,
        shown_diffs: RefCell::new(Vec::new()),
    };
    let mut wrote_domain = false;
    for (domain, findings) in by_domain(&report.findings) {
        let counts = Summary::of(findings);
        if options.quiet && counts.problems() == 0 {
            continue;
        }
        writer.domain_line(domain, &counts, one_skip_reason(findings), out)?;
        for finding in findings {
            if finding.is_problem() || options.verbose {
                writer.finding(finding, out)?;
            }
        }
        wrote_domain = true;
    }
    if wrote_domain {
        writeln!(out)?;
    }
    let summary = report.summary();
    writeln!(
        out,
        "{} {}, {}, {} info, {} ok, {} skipped",
        writer.paint.wrap(BOLD, "Summary:"),
        plural(summary.error, "error"),
        plural(summary.warning, "warning"),
        summary.info,
        summary.ok,
        summary.skipped,
    )
}

/// Splits findings (already sorted by domain) into one run per domain.
fn by_domain(findings: &[Finding]) -> Vec<(Domain, &[Finding])> {
    let mut runs = Vec::new();
    let mut start = 0;
    for end in 1..=findings.len() {
        if end == findings.len() || findings[end].domain != findings[start].domain {
            runs.push((findings[start].domain, &findings[start..end]));
            start = end;
        }
    }
    runs
}

/// The reason every check of a domain was skipped for, when they share one: without it the
/// domain line would say "19 skipped" and leave the user to guess why nothing was examined.
fn one_skip_reason(findings: &[Finding]) -> Option<&str> {
    let first = findings.first()?.skip_reason.as_deref()?;
    findings
        .iter()
        .all(|finding| finding.skip_reason.as_deref() == Some(first))
        .then_some(first)
}

/// `✖ Reachability — 1 error, 16 passed, 2 skipped`.
fn domain_counts(counts: &Summary) -> String {
    let mut parts = Vec::new();
    if counts.error > 0 {
        parts.push(plural(counts.error, "error"));
    }
    if counts.warning > 0 {
        parts.push(plural(counts.warning, "warning"));
    }
    if counts.info > 0 {
        parts.push(format!("{} info", counts.info));
    }
    if counts.ok > 0 {
        if counts.problems() == 0 {
            parts.push(format!("{} passed", plural(counts.ok, "check")));
        } else {
            parts.push(format!("{} passed", counts.ok));
        }
    }
    if counts.skipped > 0 {
        parts.push(format!("{} skipped", counts.skipped));
    }
    parts.join(", ")
}

fn domain_severity(counts: &Summary) -> Severity {
    if counts.error > 0 {
        Severity::Error
    } else if counts.warning > 0 {
        Severity::Warning
    } else if counts.info > 0 {
        Severity::Info
    } else if counts.ok > 0 {
        Severity::Ok
    } else {
        Severity::Skipped
    }
}

struct Writer<'a> {
    paint: Paint,
    options: &'a Options<'a>,
    /// Diffs already printed, with the code whose fix showed them: two findings with one
    /// remedy (DNS002 and DNS009 both rewrite the hosts line) show it once.
    shown_diffs: RefCell<Vec<(String, String)>>,
}

impl Writer<'_> {
    fn domain_line(
        &self,
        domain: Domain,
        counts: &Summary,
        skipped_because: Option<&str>,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        let (mark, color) = mark(domain_severity(counts));
        let because = skipped_because.map_or_else(String::new, |reason| {
            format!(": {}", escape_controls(reason))
        });
        writeln!(
            out,
            "{} {} — {}{because}",
            self.paint.wrap(color, mark),
            self.paint.wrap(BOLD, domain.heading()),
            domain_counts(counts)
        )
    }

    fn finding(&self, finding: &Finding, out: &mut dyn Write) -> io::Result<()> {
        let paint = self.paint;
        let (mark, color) = mark(finding.severity);
        let subject = finding
            .subject
            .as_deref()
            .map(|s| format!(" [{}]", escape_controls(s)))
            .unwrap_or_default();
        writeln!(
            out,
            "  {} {} {}{}",
            paint.wrap(color, mark),
            paint.wrap(DIM, &finding.code),
            escape_controls(&finding.title),
            paint.wrap(DIM, &subject)
        )?;
        if let Some(reason) = &finding.skip_reason {
            return self.text(&format!("skipped: {reason}"), "", out);
        }
        if finding.severity == Severity::Ok && !self.options.verbose {
            return Ok(());
        }
        for line in finding.message.lines().filter(|line| !line.is_empty()) {
            self.text(line, "", out)?;
        }
        if let Some(location) = &finding.location {
            writeln!(
                out,
                "{DETAIL}{} {}",
                paint.wrap(DIM, "at"),
                escape_controls(&position(location))
            )?;
        }
        let shown = if self.options.verbose {
            finding.evidence.len()
        } else {
            finding.evidence.len().min(2)
        };
        for evidence in &finding.evidence[..shown] {
            let timing = evidence
                .duration_ms
                .map(|ms| format!(" ({ms} ms)"))
                .unwrap_or_default();
            // A command is for copying: it never wraps.
            let wraps = evidence.kind != EvidenceKind::Command;
            self.line(
                &format!("{}{timing}", evidence.text),
                &paint.wrap(DIM, "seen: "),
                wraps,
                out,
            )?;
        }
        if let Some(fix) = &finding.fix {
            self.fix(&finding.code, fix, out)?;
        }
        Ok(())
    }

    fn fix(&self, code: &str, fix: &crate::finding::Fix, out: &mut dyn Write) -> io::Result<()> {
        // An unsafe edit changes how the whole machine behaves, so `--fix` alone holds it
        // back: the label names the flag that applies it.
        let label = match fix.kind {
            FixKind::Command => "fix: run ",
            FixKind::Edit if fix.is_safe() => "fix (safe, godiag --fix): ",
            FixKind::Edit => "fix (unsafe, godiag --fix --unsafe-fixes): ",
            FixKind::Manual => "fix: ",
        };
        let label = self.paint.wrap(BOLD, label);
        let mut lines = fix.text.lines();
        let wraps = fix.kind != FixKind::Command;
        self.line(lines.next().unwrap_or_default(), &label, wraps, out)?;
        for line in lines {
            writeln!(out, "{DETAIL}     {}", escape_controls(line))?;
        }
        for edit in &fix.edits {
            let path = edit.path.display().to_string();
            let path = escape_controls(&path);
            let earlier = self
                .shown_diffs
                .borrow()
                .iter()
                .find(|(diff, _)| *diff == edit.diff)
                .map(|(_, code)| code.clone());
            if let Some(earlier) = earlier {
                writeln!(
                    out,
                    "{DETAIL}{} {path}: the same edit as {earlier} above",
                    self.paint.wrap(DIM, "edit"),
                )?;
                continue;
            }
            self.shown_diffs
                .borrow_mut()
                .push((edit.diff.clone(), code.to_owned()));
            writeln!(out, "{DETAIL}{} {path}", self.paint.wrap(DIM, "edit"))?;
            for line in edit.diff.lines() {
                writeln!(out, "        {}", escape_controls(line))?;
            }
        }
        Ok(())
    }

    /// One line of prose after `label`, escaped, wrapped to the terminal with the
    /// continuation lines aligned under the text.
    fn text(&self, line: &str, label: &str, out: &mut dyn Write) -> io::Result<()> {
        self.line(line, label, true, out)
    }

    /// One line after `label`, escaped; wrapped like [`Self::text`] only when `wraps`.
    fn line(&self, line: &str, label: &str, wraps: bool, out: &mut dyn Write) -> io::Result<()> {
        let line = escape_controls(line);
        let Some(width) = self.options.width.filter(|_| wraps) else {
            return writeln!(out, "{DETAIL}{label}{line}");
        };
        let label_width = visible_width(label);
        let room = width.saturating_sub(DETAIL.len() + label_width);
        let mut pieces = wrap(&line, room).into_iter();
        writeln!(out, "{DETAIL}{label}{}", pieces.next().unwrap_or_default())?;
        for piece in pieces {
            writeln!(out, "{DETAIL}{:label_width$}{piece}", "")?;
        }
        Ok(())
    }
}

fn position(location: &Location) -> String {
    let mut at = location.path.display().to_string();
    if let Some(line) = location.line {
        let _ = write!(at, ":{line}");
        if let Some(column) = location.column {
            let _ = write!(at, ":{column}");
        }
    }
    at
}

/// The width of `text` on screen: its characters, less any colour escapes.
fn visible_width(text: &str) -> usize {
    let mut width = 0;
    let mut in_escape = false;
    for c in text.chars() {
        match c {
            '\x1b' => in_escape = true,
            'm' if in_escape => in_escape = false,
            _ if in_escape => {}
            _ => width += 1,
        }
    }
    width
}

fn mark(severity: Severity) -> (&'static str, &'static str) {
    match severity {
        Severity::Skipped => ("–", DIM),
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
    fn plain_output_shows_domains_and_problems() {
        insta::assert_snapshot!(rendered(&Options::default()));
    }

    #[test]
    fn verbose_output_lists_passed_and_skipped_checks() {
        insta::assert_snapshot!(rendered(&Options {
            verbose: true,
            ..Options::default()
        }));
    }

    #[test]
    fn default_output_hides_passed_and_skipped_checks() {
        let text = rendered(&Options::default());
        assert!(!text.contains("  ✔"), "{text}");
        assert!(!text.contains("  –"), "{text}");
        assert!(text.contains("✖ GO901"));
    }

    #[test]
    fn quiet_output_leaves_out_clean_domains() {
        let text = rendered(&Options {
            quiet: true,
            ..Options::default()
        });
        assert!(text.contains("✖ GO901"));
        assert!(!text.contains("Name resolution"), "{text}");
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

    #[test]
    fn quoted_control_characters_cannot_reach_the_terminal() {
        let hostile = Finding::new(
            &sample::PROXY_OFF,
            "value \x1b[2J cleared",
            "line \x1b]0;title\x07",
        )
        .subject("\x1b[31mred");
        let report = Report::new("lint", vec![hostile], serde_json::Value::Null);
        let mut out = Vec::new();
        render(&report, &Options::default(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(!text.contains('\x1b') && !text.contains('\x07'), "{text:?}");
        assert!(text.contains("\\x1b[2J"));
    }

    #[test]
    fn long_lines_wrap_to_the_terminal() {
        let message = "word ".repeat(40);
        let finding = Finding::new(&sample::PROXY_OFF, "GOPROXY is off", message.trim());
        let report = Report::new("go", vec![finding], serde_json::Value::Null);
        let mut out = Vec::new();
        let options = Options {
            width: Some(60),
            ..Options::default()
        };
        render(&report, &options, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.lines().all(|line| line.chars().count() <= 60),
            "{text}"
        );
        assert!(text.lines().filter(|line| line.contains("word")).count() > 3);
    }

    #[test]
    fn edits_say_whether_fix_applies_them_alone() {
        let edit = |fix: crate::finding::Fix| {
            let finding = Finding::new(&sample::PROXY_OFF, "hosts line", "short").fix(fix);
            let report = Report::new("dns", vec![finding], serde_json::Value::Null);
            let mut out = Vec::new();
            render(&report, &Options::default(), &mut out).unwrap();
            String::from_utf8(out).unwrap()
        };
        let safe = edit(crate::finding::Fix::edit("drop the quotes", Vec::new()));
        assert!(
            safe.contains("fix (safe, godiag --fix): drop the quotes"),
            "{safe}"
        );
        let system_wide = edit(crate::finding::Fix::edit("rewrite", Vec::new()).mark_unsafe());
        assert!(
            system_wide.contains("fix (unsafe, godiag --fix --unsafe-fixes): rewrite"),
            "{system_wide}"
        );
    }

    #[test]
    fn commands_never_wrap() {
        let command = format!("curl -sv -H 'Accept: {}' http://127.0.0.1/", "x".repeat(80));
        let finding = Finding::new(&sample::PROXY_OFF, "scrape failed", "short")
            .evidence(crate::finding::Evidence::command(command.clone()))
            .fix(crate::finding::Fix::command(command.clone()));
        let report = Report::new("metrics", vec![finding], serde_json::Value::Null);
        let mut out = Vec::new();
        let options = Options {
            width: Some(60),
            ..Options::default()
        };
        render(&report, &options, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.matches(command.as_str()).count(), 2, "{text}");
    }
}

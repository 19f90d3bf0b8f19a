//! The report every command produces and every renderer reads.
//!
//! See [`crate::render::json`] for the JSON schema (`godiag.report/v2`).

use serde::Serialize;

use crate::finding::{Finding, Severity};

/// Counts of findings by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Error findings.
    pub error: usize,
    /// Warning findings.
    pub warning: usize,
    /// Info findings.
    pub info: usize,
    /// Checks that looked and found nothing wrong.
    pub ok: usize,
    /// Checks that had nothing to examine.
    pub skipped: usize,
}

impl Summary {
    /// Counts `findings` by severity.
    #[must_use]
    pub fn of(findings: &[Finding]) -> Self {
        let mut summary = Self::default();
        for finding in findings {
            match finding.severity {
                Severity::Error => summary.error += 1,
                Severity::Warning => summary.warning += 1,
                Severity::Info => summary.info += 1,
                Severity::Ok => summary.ok += 1,
                Severity::Skipped => summary.skipped += 1,
            }
        }
        summary
    }

    /// Error, warning and info findings together: what a person has to look at.
    #[must_use]
    pub fn problems(&self) -> usize {
        self.error + self.warning + self.info
    }
}

/// The outcome of one command: findings and the command's structured result.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The command that produced it (`go`, `dns`, `doctor`...); also the key of `result`.
    pub command: String,
    /// Everything the checks found, in a stable order.
    pub findings: Vec<Finding>,
    /// The command's structured result.
    pub result: serde_json::Value,
}

impl Report {
    /// A report; a flood of alike findings is folded into one ([`crate::fold`]), then
    /// findings are sorted by domain, then code, then subject, so output is stable however
    /// the concurrent checks finished.
    #[must_use]
    pub fn new(
        command: impl Into<String>,
        findings: Vec<Finding>,
        result: serde_json::Value,
    ) -> Self {
        let mut findings = crate::fold::fold(findings);
        findings.sort_by(|a, b| {
            (a.domain, &a.code, &a.subject, &a.title)
                .cmp(&(b.domain, &b.code, &b.subject, &b.title))
        });
        Self {
            command: command.into(),
            findings,
            result,
        }
    }

    /// Counts findings by severity.
    #[must_use]
    pub fn summary(&self) -> Summary {
        Summary::of(&self.findings)
    }

    /// Returns the most serious severity found (`Ok` for an empty report or one where every
    /// check was skipped: a skip is not a problem, and exit statuses follow problems).
    #[must_use]
    pub fn worst(&self) -> Severity {
        self.findings
            .iter()
            .map(|finding| finding.severity)
            .max()
            .unwrap_or(Severity::Ok)
            .max(Severity::Ok)
    }
}

impl Report {
    /// Masks credentials in every string of the report (see [`crate::redact`]). Commands a
    /// person is meant to run (fixes, command evidence) get placeholders instead of the mask.
    pub fn redact(&mut self) {
        use crate::finding::EvidenceKind;
        use crate::redact::{may_hold_secret, redact, redact_command, redact_json};
        let mask = |text: &mut String| {
            if may_hold_secret(text) {
                *text = redact(text);
            }
        };
        let mask_command = |text: &mut String| {
            if may_hold_secret(text) {
                *text = redact_command(text);
            }
        };
        for finding in &mut self.findings {
            mask(&mut finding.title);
            mask(&mut finding.message);
            finding.skip_reason.iter_mut().for_each(mask);
            finding.subject.iter_mut().for_each(mask);
            for evidence in &mut finding.evidence {
                if evidence.kind == EvidenceKind::Command {
                    mask_command(&mut evidence.text);
                } else {
                    mask(&mut evidence.text);
                }
            }
            if let Some(fix) = &mut finding.fix {
                mask_command(&mut fix.text);
                fix.edits.iter_mut().for_each(|edit| mask(&mut edit.diff));
            }
        }
        redact_json(&mut self.result);
    }
}

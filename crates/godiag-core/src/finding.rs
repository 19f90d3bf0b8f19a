//! What a check says about the machine: a [`Finding`] and its parts.
//!
//! Findings are data, not errors: a check that finds a broken setting returns findings, and
//! `Err` is kept for godiag itself failing. Field names are the JSON report's (`godiag.report/v2`).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub use crate::edit::FixEdit;
pub use crate::meta::Severity;
use crate::meta::{CheckMeta, Domain};

/// A position in a file; `line` and `column` are 1-based.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    /// The file as the user knows it (a path on the diagnosed machine, not the fixture root).
    pub path: PathBuf,
    /// 1-based line, when known.
    pub line: Option<u32>,
    /// 1-based column, when known.
    pub column: Option<u32>,
}

impl Location {
    /// Returns a location naming a whole file.
    #[must_use]
    pub fn file(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            line: None,
            column: None,
        }
    }

    /// Returns a location naming a line (column 1 unless set later).
    #[must_use]
    pub fn line(path: impl Into<PathBuf>, line: u32) -> Self {
        Self {
            path: path.into(),
            line: Some(line),
            column: Some(1),
        }
    }
}

/// Where a piece of evidence came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EvidenceKind {
    /// Read from a file.
    File,
    /// The output of a command godiag ran (or that a person can run to see the same).
    Command,
    /// A measurement: a connection, a query, a request.
    Probe,
}

/// One thing godiag read or measured that backs a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// What kind of evidence this is.
    pub kind: EvidenceKind,
    /// What was read or measured, in words a person can check.
    pub text: String,
    /// How long the probe or command took, when it was timed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
}

impl Evidence {
    /// Evidence read from a file.
    #[must_use]
    pub fn file(text: impl Into<String>) -> Self {
        Self {
            kind: EvidenceKind::File,
            text: text.into(),
            duration_ms: None,
        }
    }

    /// Evidence from a command (run by godiag, or to run by hand).
    #[must_use]
    pub fn command(text: impl Into<String>) -> Self {
        Self {
            kind: EvidenceKind::Command,
            text: text.into(),
            duration_ms: None,
        }
    }

    /// Evidence from a timed probe.
    #[must_use]
    pub fn probe(text: impl Into<String>, duration_ms: u64) -> Self {
        Self {
            kind: EvidenceKind::Probe,
            text: text.into(),
            duration_ms: Some(duration_ms),
        }
    }
}

/// What kind of fix a finding offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FixKind {
    /// A command to run.
    Command,
    /// File edits godiag can apply with `--fix`.
    Edit,
    /// Something only a person can do; the text says what.
    Manual,
}

/// Whether a fix's edits may be applied unattended, as in ruff's fix safety.
///
/// `--fix` applies only safe edits; unsafe ones also need `--unsafe-fixes`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Corrects what the file's own reader already means (a typo, a line it misreads) in a
    /// file of the user's: nothing else on the machine behaves differently.
    #[default]
    Safe,
    /// Changes how the whole machine behaves (how it resolves names, which servers it
    /// reaches), so a person should decide.
    Unsafe,
}

/// How to make a finding go away.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fix {
    /// Command, edit or manual.
    pub kind: FixKind,
    /// The command, or what to do, in one or a few lines.
    pub text: String,
    /// File edits, for [`FixKind::Edit`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub edits: Vec<FixEdit>,
    /// Whether `--fix` applies the edits without `--unsafe-fixes`.
    #[serde(default)]
    pub applicability: Applicability,
}

impl Fix {
    /// A fix that is a command to run.
    #[must_use]
    pub fn command(text: impl Into<String>) -> Self {
        Self {
            kind: FixKind::Command,
            text: text.into(),
            edits: Vec::new(),
            applicability: Applicability::Safe,
        }
    }

    /// A fix only a person can carry out.
    #[must_use]
    pub fn manual(text: impl Into<String>) -> Self {
        Self {
            kind: FixKind::Manual,
            text: text.into(),
            edits: Vec::new(),
            applicability: Applicability::Safe,
        }
    }

    /// A fix made of file edits.
    #[must_use]
    pub fn edit(text: impl Into<String>, edits: Vec<FixEdit>) -> Self {
        Self {
            kind: FixKind::Edit,
            text: text.into(),
            edits,
            applicability: Applicability::Safe,
        }
    }

    /// Marks the fix unsafe: `--fix` applies its edits only with `--unsafe-fixes`.
    #[must_use]
    pub fn mark_unsafe(mut self) -> Self {
        self.applicability = Applicability::Unsafe;
        self
    }

    /// Returns true when `--fix` applies the edits without `--unsafe-fixes`.
    #[must_use]
    pub fn is_safe(&self) -> bool {
        self.applicability == Applicability::Safe
    }
}

/// What a check found, with its evidence and fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The check's stable code, e.g. `GO004`.
    pub code: String,
    /// How serious it is.
    pub severity: Severity,
    /// The domain the check belongs to.
    pub domain: Domain,
    /// Why the check had nothing to examine; set exactly when `severity` is `skipped`.
    pub skip_reason: Option<String>,
    /// One line.
    pub title: String,
    /// A short explanation: what, why it matters here.
    pub message: String,
    /// The thing it is about: a variable, host, module, metric family, port.
    pub subject: Option<String>,
    /// Where in a file, when it is about a file.
    pub location: Option<Location>,
    /// What was read or measured.
    pub evidence: Vec<Evidence>,
    /// How to fix it, when something is to be fixed.
    pub fix: Option<Fix>,
}

impl Finding {
    /// Starts a finding for `meta` at its default severity.
    #[must_use]
    pub fn new(meta: &CheckMeta, title: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: meta.code.to_owned(),
            severity: meta.severity,
            domain: meta.domain,
            skip_reason: None,
            title: title.into(),
            message: message.into(),
            subject: None,
            location: None,
            evidence: Vec::new(),
            fix: None,
        }
    }

    /// The finding a check reports when it ran and found nothing wrong.
    #[must_use]
    pub fn ok(meta: &CheckMeta) -> Self {
        Self {
            severity: Severity::Ok,
            ..Self::new(meta, meta.ok_title, String::new())
        }
    }

    /// The finding a check reports when it had nothing to examine, with the reason in words a
    /// user recognises ("nothing listens on port 8080", "this is not WSL").
    #[must_use]
    pub fn skipped(meta: &CheckMeta, reason: impl Into<String>) -> Self {
        Self {
            severity: Severity::Skipped,
            skip_reason: Some(reason.into()),
            ..Self::new(meta, meta.ok_title, String::new())
        }
    }

    /// Whether the finding reports a problem (error, warning or info), not a pass or a skip.
    #[must_use]
    pub fn is_problem(&self) -> bool {
        self.severity > Severity::Ok
    }

    /// Sets the severity.
    #[must_use]
    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// Sets the subject.
    #[must_use]
    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }

    /// Sets the location.
    #[must_use]
    pub fn location(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }

    /// Adds a piece of evidence.
    #[must_use]
    pub fn evidence(mut self, evidence: Evidence) -> Self {
        self.evidence.push(evidence);
        self
    }

    /// Sets the fix.
    #[must_use]
    pub fn fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applicability_is_serialised_and_defaults_to_safe() {
        let edit = Fix::edit("rewrite the hosts line", Vec::new());
        assert!(edit.is_safe());
        let unsafe_edit = edit.mark_unsafe();
        assert!(!unsafe_edit.is_safe());
        let json = serde_json::to_value(&unsafe_edit).unwrap();
        assert_eq!(json["applicability"], "unsafe");
        assert_eq!(
            serde_json::to_value(Fix::manual("x")).unwrap()["applicability"],
            "safe"
        );
        // A report written before the field existed reads as safe.
        let old: Fix = serde_json::from_str(r#"{"kind": "edit", "text": "t"}"#).unwrap();
        assert_eq!(old.applicability, Applicability::Safe);
    }
}

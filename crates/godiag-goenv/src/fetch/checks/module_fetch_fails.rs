//! GO020: the go command would fail to download the module.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Evidence, Finding, Fix, Severity};

use super::FetchContext;
use crate::fetch::model::{Attempt, MODULE_CACHE, Op};

/// The download fails, and which GOPROXY entry's answer decides the error.
pub(crate) struct FetchFails;

const META: CheckMeta = CheckMeta {
    code: "GO020",
    slug: "module-fetch-fails",
    domain: Domain::Go,
    severity: Severity::Error,
    status: CheckStatus::Stable,
    title: "The go command would fail to download the module",
    ok_title: "The go command would download the module",
    doc: include_str!("../../../../../docs/checks/GO020.md"),
};

impl Check<FetchContext> for FetchFails {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, context: &FetchContext) -> Vec<Finding> {
        let report = &context.report;
        let Some(error) = &report.outcome.error else {
            return Vec::new();
        };
        let subject = format!("{}@{}", report.module, report.version);
        let mut finding = Finding::new(
            &META,
            format!("go: {}", first_line(error)),
            format!(
                "`{}` would print:\n\tgo: {error}\n{}",
                report.command,
                walk_summary(&report.attempts)
            ),
        )
        .subject(subject.clone());
        for attempt in report
            .attempts
            .iter()
            .filter(|a| a.sent || a.error.is_some())
        {
            finding = finding.evidence(attempt_evidence(attempt));
        }
        let fix = if report.command == "go build" {
            // The project's files stop the build before any request (see GO025).
            Fix::manual(
                "Correct the go.mod, go.work or vendor/ entry the error names (GO025 shows the \
                 line), then check with `go build ./...`",
            )
        } else {
            Fix::command(format!(
                "GOFLAGS=-mod=mod go mod download -x -json {subject}   # shows each request the go command makes"
            ))
        };
        finding = finding.fix(fix);
        vec![finding]
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}

/// One line per step: what was asked where and what came back.
pub(crate) fn attempt_evidence(attempt: &Attempt) -> Evidence {
    let answer = match (attempt.status, &attempt.error) {
        (Some(status), _) => crate::fetch::walk::status_line(status),
        (None, Some(error)) => first_line(error).to_owned(),
        (None, None) => "ok".to_owned(),
    };
    let next = if attempt.falls_through {
        " → next entry"
    } else {
        ""
    };
    if attempt.source == MODULE_CACHE {
        return Evidence::file(format!("[{MODULE_CACHE}] {}: {answer}", attempt.request));
    }
    let sent = if attempt.sent { "" } else { " (not sent)" };
    if attempt.op == Op::Vcs {
        return Evidence::probe(
            format!(
                "[{}] {}: {answer}{next}{sent}",
                attempt.source, attempt.request
            ),
            attempt.duration_ms,
        );
    }
    Evidence::probe(
        format!(
            "[{}] GET {}: {answer}{next}{sent}",
            attempt.source, attempt.request
        ),
        attempt.duration_ms,
    )
}

fn walk_summary(attempts: &[Attempt]) -> String {
    let stops = attempts.iter().rev().find(|a| a.error.is_some());
    match stops {
        Some(last) if !last.falls_through => format!(
            "The walk stops at {}: {}",
            last.source,
            first_line(last.error.as_deref().unwrap_or_default())
        ),
        _ => String::new(),
    }
}

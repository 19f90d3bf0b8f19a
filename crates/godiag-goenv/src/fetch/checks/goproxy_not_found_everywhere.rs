//! GO026: a GOPROXY entry answers 404 even for a module every mirror serves.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};

use super::FetchContext;
use super::module_fetch_fails::attempt_evidence;
use crate::fetch::probes::REFERENCE_MODULE;
use crate::fetch::walk::status_line;

/// The proxy's base URL is probably wrong: it does not know golang.org/x/mod either.
pub(crate) struct GoproxyNotFoundEverywhere;

const META: CheckMeta = CheckMeta {
    code: "GO026",
    slug: "goproxy-not-found-everywhere",
    domain: Domain::Go,
    severity: Severity::Warning,
    status: CheckStatus::Stable,
    title: "A GOPROXY entry answers 404 for every module",
    ok_title: "Every proxy asked knows the modules it was asked for",
    doc: include_str!("../../../../../docs/checks/GO026.md"),
};

impl Check<FetchContext> for GoproxyNotFoundEverywhere {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &FetchContext) -> Option<String> {
        context.no_request_sent().or_else(|| {
            let answered_missing = context
                .report
                .attempts
                .iter()
                .any(|attempt| attempt.sent && matches!(attempt.status, Some(404 | 410)));
            (!answered_missing).then(|| {
                "no proxy answered 404 or 410, so none was asked about a reference module"
                    .to_owned()
            })
        })
    }

    fn run(&self, context: &FetchContext) -> Vec<Finding> {
        let report = &context.report;
        let reference = format!("/{REFERENCE_MODULE}/@v/list");
        let mut findings = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for probe in report
            .probes
            .iter()
            .filter(|p| p.request.ends_with(&reference) && matches!(p.status, Some(404 | 410)))
            // A 4xx over https is asked twice (the GOAUTH retry): one finding per proxy.
            .filter(|p| seen.insert(p.source.clone()))
        {
            // The module's own list must be missing too: a proxy that lists the module
            // works, and only serves a private set of modules.
            let module = report.fetched_module();
            let escaped =
                godiag_go::escape::escape_path(module).unwrap_or_else(|_| module.to_owned());
            let list_suffix = format!("/{escaped}/@v/list");
            let module_listed = report
                .attempts
                .iter()
                .chain(&report.probes)
                .filter(|a| a.source == probe.source && a.request.ends_with(&list_suffix))
                .any(|a| !matches!(a.status, Some(404 | 410)));
            if module_listed {
                continue;
            }
            let base = probe.request.trim_end_matches(&reference);
            let status = status_line(probe.status.unwrap_or(404));
            let mut finding = Finding::new(
                &META,
                format!(
                    "{} answers {status} even for {REFERENCE_MODULE}",
                    probe.source
                ),
                format!(
                    "Every request to {} for {} was answered 404/410, and so was {}: \
                     {REFERENCE_MODULE} is on every mirror of the public module ecosystem, so \
                     this base URL most likely lacks a path (Artifactory, Nexus and GitLab \
                     serve Go modules under a prefix such as /api/go/REPO or /repository/REPO), \
                     or points at a server that is not a module proxy. After `,` the go command \
                     moves on to the next entry, so the misconfiguration stays hidden while \
                     another source serves everything.",
                    probe.source,
                    report.fetched_module(),
                    probe.request
                ),
            )
            .subject(probe.source.clone());
            for attempt in report
                .attempts
                .iter()
                .chain(&report.probes)
                .filter(|a| a.sent && a.source == probe.source)
            {
                finding = finding.evidence(attempt_evidence(attempt));
            }
            findings.push(finding.fix(Fix::manual(format!(
                "Find the proxy's Go endpoint (for example `curl -sS {base}/api/go/REPO/{REFERENCE_MODULE}/@v/list`), \
                 then set it: go env -w GOPROXY=<proxy base URL>,direct"
            ))));
        }
        findings
    }
}

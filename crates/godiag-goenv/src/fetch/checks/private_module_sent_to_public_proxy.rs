//! GO021: a module that public proxies do not have is sent to them anyway.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};
use godiag_go::goproxy::{PUBLIC_PROXIES, host_of};

use super::module_fetch_fails::attempt_evidence;
use super::{FetchContext, append_pattern, private_pattern};

/// A private module path that GOPRIVATE/GONOPROXY does not cover reaches a public proxy.
pub(crate) struct PrivateModuleToProxy;

const META: CheckMeta = CheckMeta {
    code: "GO021",
    slug: "private-module-sent-to-public-proxy",
    domain: Domain::Go,
    severity: Severity::Warning,
    status: CheckStatus::Stable,
    title: "A private module is sent to a public proxy",
    ok_title: "No private module path reaches a public proxy",
    doc: include_str!("../../../../../docs/checks/GO021.md"),
};

impl Check<FetchContext> for PrivateModuleToProxy {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &FetchContext) -> Option<String> {
        context.no_request_sent()
    }

    fn run(&self, context: &FetchContext) -> Vec<Finding> {
        let report = &context.report;
        let missing: Vec<_> = report
            .attempts
            .iter()
            .filter(|a| a.sent && matches!(a.status, Some(404 | 410)))
            .filter(|a| PUBLIC_PROXIES.contains(&host_of(&a.source)))
            .collect();
        let Some(first) = missing.first() else {
            return Vec::new();
        };
        let module = report.fetched_module();
        let pattern = private_pattern(module);
        let host = host_of(&first.source);
        let mut finding = Finding::new(
            &META,
            format!("{module} is sent to the public proxy {host}, which does not have it"),
            format!(
                "{host} answered {} for {}: public proxies only serve modules they can fetch \
                 from the internet. GOPRIVATE/GONOPROXY do not match the path, so the go command \
                 asks {host} first for every download, which discloses the module path and, if \
                 the next entry is `direct`, only then fetches it from its repository.",
                first.status.unwrap_or_default(),
                module
            ),
        )
        .subject(module.to_owned());
        for attempt in &missing {
            finding = finding.evidence(attempt_evidence(attempt));
        }
        vec![finding.fix(Fix::command(append_pattern(
            &context.env,
            "GOPRIVATE",
            &pattern,
        )))]
    }
}

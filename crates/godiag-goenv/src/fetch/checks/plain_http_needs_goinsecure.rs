//! GO032: the module's host answers go-get discovery only over plain HTTP, which the go
//! command uses only for paths GOINSECURE matches.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};

use super::module_fetch_fails::attempt_evidence;
use super::{FetchContext, append_pattern};
use crate::fetch::model::Op;

/// https fails, http answers, GOINSECURE does not match.
pub(crate) struct PlainHttpNeedsGoinsecure;

const META: CheckMeta = CheckMeta {
    code: "GO032",
    slug: "plain-http-needs-goinsecure",
    domain: Domain::Go,
    severity: Severity::Error,
    status: CheckStatus::Stable,
    title: "The module's host only answers plain HTTP, and GOINSECURE does not cover it",
    ok_title: "Direct-mode discovery works over HTTPS",
    doc: include_str!("../../../../../docs/checks/GO032.md"),
};

impl Check<FetchContext> for PlainHttpNeedsGoinsecure {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &FetchContext) -> Option<String> {
        let discovered = context
            .report
            .attempts
            .iter()
            .chain(&context.report.probes)
            .any(|attempt| attempt.sent && attempt.op == Op::GoGet);
        (!discovered).then(|| "direct mode's go-get discovery was not needed".to_owned())
    }

    fn run(&self, context: &FetchContext) -> Vec<Finding> {
        let report = &context.report;
        let Some(plain) = report.probes.iter().find(|p| {
            p.op == Op::GoGet && p.request.starts_with("http://") && p.status == Some(200)
        }) else {
            return Vec::new();
        };
        let https = format!("https://{}", &plain.request["http://".len()..]);
        let failed = report.attempts.iter().find(|a| a.request == https);
        let module = report.fetched_module();
        let host = module.split('/').next().unwrap_or(module);
        let mut finding = Finding::new(
            &META,
            format!("{host} answers go-get only over plain HTTP"),
            format!(
                "The go command asks {https} first and gives up when HTTPS fails; it falls back \
                 to http:// only for paths GOINSECURE matches. {} answered 200 over plain HTTP, so \
                 {module} can be found there. Plain HTTP can be read and changed on the way: \
                 prefer enabling HTTPS on {host}; if you accept the risk on a trusted network, \
                 list the host in GOINSECURE (and keep it out of the checksum database with \
                 GOPRIVATE/GONOSUMDB).",
                plain.request
            ),
        )
        .subject(host.to_owned());
        if let Some(failed) = failed {
            finding = finding.evidence(attempt_evidence(failed));
        }
        finding = finding.evidence(attempt_evidence(plain));
        vec![finding.fix(Fix::command(append_pattern(
            &context.env,
            "GOINSECURE",
            host,
        )))]
    }
}

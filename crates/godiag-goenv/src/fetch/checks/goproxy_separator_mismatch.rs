//! GO023: a `,` in GOPROXY where the answers call for `|`, or the reverse.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};
use godiag_go::goproxy::{self, ProxyEntry};

use super::FetchContext;
use super::module_fetch_fails::attempt_evidence;
use crate::checks::shell_quote;

/// The separator after a GOPROXY entry does not fit how that entry fails.
pub(crate) struct GoproxySeparator;

const META: CheckMeta = CheckMeta {
    code: "GO023",
    slug: "goproxy-separator-mismatch",
    domain: Domain::Go,
    severity: Severity::Warning,
    status: CheckStatus::Stable,
    title: "A GOPROXY separator does not fit the errors the proxy gives",
    ok_title: "GOPROXY separators fit the answers",
    doc: include_str!("../../../../../docs/checks/GO023.md"),
};

impl Check<FetchContext> for GoproxySeparator {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &FetchContext) -> Option<String> {
        context.no_request_sent()
    }

    fn run(&self, context: &FetchContext) -> Vec<Finding> {
        let goproxy = context.env.value("GOPROXY");
        let Ok(entries) = goproxy::parse(goproxy) else {
            return Vec::new();
        };
        let mut findings = Vec::new();
        for attempt in context.report.attempts.iter().filter(|a| a.sent) {
            let Some(entry) = entries.iter().find(|e| e.name() == attempt.source) else {
                continue;
            };
            let is_last = entries.last() == Some(entry);
            let soft = matches!(attempt.status, Some(404 | 410));
            let hard = attempt.error.is_some() && !soft && attempt.status != Some(200);
            let hang = attempt.failure == Some(godiag_core::net::NetErrorKind::Timeout);
            let auth = matches!(attempt.status, Some(401 | 403));
            let pipe = matches!(
                entry,
                ProxyEntry::Url {
                    fall_back_on_error: true,
                    ..
                }
            );
            if hard && !hang && !auth && !pipe && !is_last && !attempt.falls_through {
                let Some(fixed) = goproxy::with_separator(goproxy, entry.name(), '|') else {
                    continue;
                };
                findings.push(
                    Finding::new(
                        &META,
                        format!("`,` after {} stops the walk on its errors", attempt.source),
                        format!(
                            "{} failed with an error that is not 404/410, and the `,` after it means the \
                             go command gives up instead of trying the next entry. With `|` it would \
                             fall back on any error.",
                            attempt.source
                        ),
                    )
                    .subject("GOPROXY")
                    .evidence(attempt_evidence(attempt))
                    .fix(Fix::command(format!("go env -w GOPROXY={}", shell_quote(&fixed)))),
                );
                break;
            }
            if auth && pipe && attempt.falls_through {
                let Some(fixed) = goproxy::with_separator(goproxy, entry.name(), ',') else {
                    continue;
                };
                findings.push(
                    Finding::new(
                        &META,
                        format!("`|` after {} hides its {} answer", attempt.source, attempt.status.unwrap_or_default()),
                        format!(
                            "{} refused the request ({}), and the `|` after it sends the go command on to \
                             the next entry, which hides the credential problem and may send the module \
                             path somewhere it should not go. With `,` the go command stops and shows \
                             the {} error.",
                            attempt.source,
                            attempt.status.unwrap_or_default(),
                            attempt.status.unwrap_or_default()
                        ),
                    )
                    .subject("GOPROXY")
                    .evidence(attempt_evidence(attempt))
                    .fix(Fix::command(format!("go env -w GOPROXY={}", shell_quote(&fixed)))),
                );
                break;
            }
        }
        findings
    }
}

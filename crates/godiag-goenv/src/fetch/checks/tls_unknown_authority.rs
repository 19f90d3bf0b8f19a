//! GO028: a proxy or module host presents a certificate the go command's roots do not
//! trust.

use std::collections::BTreeMap;

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Evidence, Finding, Fix, Severity};

use super::FetchContext;
use super::module_fetch_fails::attempt_evidence;
use crate::fetch::netenv::{self, CERT_DIRS, CERT_FILES};
use godiag_core::net::NetErrorKind;

/// Certificate signed by an unknown authority, with where Go looked for roots.
pub(crate) struct TlsUnknownAuthority;

const META: CheckMeta = CheckMeta {
    code: "GO028",
    slug: "tls-unknown-authority",
    domain: Domain::Go,
    severity: Severity::Error,
    status: CheckStatus::Stable,
    title: "A server's certificate is signed by an authority Go does not trust",
    ok_title: "Every TLS server asked has a trusted certificate",
    doc: include_str!("../../../../../docs/checks/GO028.md"),
};

impl Check<FetchContext> for TlsUnknownAuthority {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &FetchContext) -> Option<String> {
        context.no_tls_request()
    }

    fn run(&self, context: &FetchContext) -> Vec<Finding> {
        let report = &context.report;
        let rejected: Vec<_> = report
            .attempts
            .iter()
            .filter(|a| a.failure == Some(NetErrorKind::UnknownAuthority))
            .collect();
        let Some(first) = rejected.first() else {
            return Vec::new();
        };
        let env: BTreeMap<String, String> = context.host.env_vars().into_iter().collect();
        let roots = netenv::load_roots(context.host.as_ref(), &env);
        let stopped = report.outcome.error.is_some() && !rejected.iter().all(|a| a.falls_through);
        let severity = if stopped {
            Severity::Error
        } else {
            Severity::Warning
        };
        let overrides: Vec<String> = roots
            .overrides
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect();
        let where_ = if overrides.is_empty() {
            format!(
                "the first readable of {} and every file in {}",
                CERT_FILES.join(", "),
                CERT_DIRS.join(", ")
            )
        } else {
            format!(
                "{} (they replace the system bundle and directories, not add to them)",
                overrides.join(" and ")
            )
        };
        let consequence = if stopped {
            "The download stops here."
        } else {
            "The go command moved on to the next GOPROXY entry, so this source is silently unused."
        };
        let mut finding = Finding::new(
            &META,
            format!(
                "{}: x509: certificate signed by unknown authority",
                first.source
            ),
            format!(
                "The go command verifies TLS with the roots crypto/x509 loads on Linux: {where_}. \
                 {} certificate(s) were loaded from {} file(s), and none signed the certificate \
                 {} presented — typically a company proxy or TLS inspection with its own CA. \
                 {consequence}",
                roots.pems.len(),
                roots.sources.len(),
                first.source
            ),
        )
        .severity(severity)
        .subject(first.source.clone());
        for attempt in &rejected {
            finding = finding.evidence(attempt_evidence(attempt));
        }
        for (name, value) in &roots.overrides {
            finding = finding.evidence(Evidence::command(format!("environment: {name}={value}")));
        }
        vec![finding.fix(Fix::manual(
            "Add the company CA to the system store (Debian/Ubuntu: copy it to \
             /usr/local/share/ca-certificates/corp-ca.crt and run `sudo update-ca-certificates`), \
             or point Go at a bundle that holds the system roots and the CA: \
             `cat /etc/ssl/certs/ca-certificates.crt corp-ca.pem > ~/ca-bundle.pem; export SSL_CERT_FILE=~/ca-bundle.pem` \
             (SSL_CERT_DIR=/etc/ssl/certs:/path/to/dir also works; both replace, not extend, the defaults). \
             GOINSECURE is not a fix for proxies: it only applies to direct fetches.",
        ))]
    }
}

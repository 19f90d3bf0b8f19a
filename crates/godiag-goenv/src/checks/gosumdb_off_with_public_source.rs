//! GO011: checksum verification off while modules come from the internet.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};
use godiag_go::goproxy::{self, PUBLIC_PROXIES, ProxyEntry};

use super::{Context, var_evidence, var_location};

/// GOSUMDB=off while GOPROXY reaches a public proxy or `direct`.
pub(crate) struct GosumdbOff;

const META: CheckMeta = CheckMeta {
    code: "GO011",
    slug: "gosumdb-off-with-public-source",
    domain: Domain::Go,
    severity: Severity::Warning,
    status: CheckStatus::Stable,
    title: "Checksum verification is off for modules from public sources",
    ok_title: "Public modules are verified against a checksum database",
    doc: include_str!("../../../../docs/checks/GO011.md"),
};

impl Check<Context> for GosumdbOff {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        // Which sources are public matters only when verification is off.
        context.unknown_value("GOSUMDB").or_else(|| {
            (context.env.value("GOSUMDB") == "off")
                .then(|| context.unknown_value("GOPROXY"))
                .flatten()
        })
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let Some(var) = context.env.var("GOSUMDB") else {
            return Vec::new();
        };
        if var.value.as_deref() != Some("off") {
            return Vec::new();
        }
        let Ok(entries) = goproxy::parse(context.env.value("GOPROXY")) else {
            return Vec::new();
        };
        let public: Vec<String> = entries
            .iter()
            .filter_map(|entry| match entry {
                ProxyEntry::Url { url, .. } if PUBLIC_PROXIES.contains(&goproxy::host_of(url)) => {
                    Some(url.clone())
                }
                ProxyEntry::Direct => Some("direct".to_owned()),
                _ => None,
            })
            .collect();
        if public.is_empty() {
            return Vec::new();
        }
        let mut finding = Finding::new(
            &META,
            "GOSUMDB=off: public modules are not verified",
            format!(
                "Modules fetched through {} are trusted as they arrive: a compromised proxy, mirror or \
                 repository is not detected on first download, and a changed tag is not noticed by a \
                 machine without that go.sum line. GOSUMDB=off is usually set to silence \"verifying \
                 module: ... 410 Gone\" for private modules; GOPRIVATE (or GONOSUMDB) exempts just those.",
                public.join(" and ")
            ),
        )
        .subject("GOSUMDB")
        .evidence(var_evidence(var))
        .fix(Fix::command("go env -u GOSUMDB && go env -w GOPRIVATE=git.corp.example   # your private module prefixes"));
        if let Some(location) = var_location(var) {
            finding = finding.location(location);
        }
        vec![finding]
    }
}

//! GO010: a GOPROXY with which no module can be downloaded.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};
use godiag_go::goproxy::{self, ProxyEntry};

use super::{Context, var_evidence, var_location};

/// GOPROXY is off, empty or malformed.
pub(crate) struct GoproxyUnusable;

const META: CheckMeta = CheckMeta {
    code: "GO010",
    slug: "goproxy-unusable",
    domain: Domain::Go,
    severity: Severity::Error,
    status: CheckStatus::Stable,
    title: "GOPROXY does not let the go command download modules",
    ok_title: "GOPROXY names a module source",
    doc: include_str!("../../../../docs/checks/GO010.md"),
};

impl Check<Context> for GoproxyUnusable {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.unknown_value("GOPROXY")
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let Some(var) = context.env.var("GOPROXY") else {
            return Vec::new();
        };
        let value = var.value.as_deref().unwrap_or_default();
        let (title, message, severity) = match goproxy::parse(value) {
            Ok(entries) if entries.first() == Some(&ProxyEntry::Off) => (
                "GOPROXY=off: no module can be downloaded".to_owned(),
                "Every module not already in GOMODCACHE (or vendor/) fails with \"module lookup disabled \
                 by GOPROXY=off\". That is right for a deliberately offline build; otherwise it is a \
                 leftover."
                    .to_owned(),
                Severity::Warning,
            ),
            Ok(_) => return Vec::new(),
            Err(go_error) => (
                format!("GOPROXY={value:?} is rejected by the go command"),
                format!(
                    "Every command that needs to download a module stops with:\n\
                     go: MODULE@VERSION: {go_error}\nAn empty GOPROXY comes from `GOPROXY=` in the go env \
                     file or a toolchain without $GOROOT/go.env; an empty OS variable is ignored instead. \
                     Quotes in the go env file are part of the value."
                ),
                Severity::Error,
            ),
        };
        let mut finding = Finding::new(&META, title, message)
            .severity(severity)
            .subject("GOPROXY")
            .evidence(var_evidence(var))
            .fix(Fix::command(
                "go env -w GOPROXY=https://proxy.golang.org,direct   # or your company proxy",
            ));
        if let Some(location) = var_location(var) {
            finding = finding.location(location);
        }
        vec![finding]
    }
}

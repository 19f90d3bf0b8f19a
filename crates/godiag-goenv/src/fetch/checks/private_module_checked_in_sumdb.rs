//! GO022: the checksum database is asked about a module it cannot know.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Evidence, Finding, Fix, Severity};

use super::{FetchContext, append_pattern, private_pattern};

/// The checksum database answers "not found" for the module: it is private and GONOSUMDB
/// (or GOPRIVATE) should cover it.
pub(crate) struct PrivateModuleToSumdb;

const META: CheckMeta = CheckMeta {
    code: "GO022",
    slug: "private-module-checked-in-sumdb",
    domain: Domain::Go,
    severity: Severity::Error,
    status: CheckStatus::Stable,
    title: "The checksum database is asked about a private module",
    ok_title: "The checksum database knows the module",
    doc: include_str!("../../../../../docs/checks/GO022.md"),
};

impl Check<FetchContext> for PrivateModuleToSumdb {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &FetchContext) -> Option<String> {
        let sumdb = &context.report.sumdb;
        if sumdb["used"] == true {
            return None;
        }
        Some(match (sumdb["reason"].as_str(), &context.report.outcome) {
            (Some(why), _) => format!("the checksum database was not asked: {why}"),
            (None, outcome) if outcome.error.is_some() => {
                "the checksum database was not asked: the download failed before that step"
                    .to_owned()
            }
            (None, outcome) => outcome.served_by.as_deref().map_or_else(
                || "the checksum database was not asked".to_owned(),
                |by| format!("the checksum database was not asked: served by {by}"),
            ),
        })
    }

    fn run(&self, context: &FetchContext) -> Vec<Finding> {
        let sumdb = &context.report.sumdb;
        let Some(error) = sumdb["error"].as_str() else {
            return Vec::new();
        };
        if !(error.contains("404 Not Found") || error.contains("410 Gone"))
            || !error.contains("/lookup/")
        {
            return Vec::new();
        }
        let module = context.report.fetched_module();
        let name = sumdb["name"].as_str().unwrap_or("the checksum database");
        vec![
            Finding::new(
                &META,
                format!("{name} does not know {module}; the go command stops with \"verifying go.mod\""),
                format!(
                    "GOSUMDB is on and GONOSUMDB/GOPRIVATE do not match {module}, so the go command \
                     looks up every new version in {name} before trusting it. {name} only knows \
                     public modules, so the download fails with:\n\tgo: {module}@...: {error}"
                ),
            )
            .subject(module.to_owned())
            .evidence(Evidence::probe(error.to_owned(), 0))
            .fix(Fix::command(append_pattern(
                &context.env,
                "GOPRIVATE",
                &private_pattern(module),
            ))),
        ]
    }
}

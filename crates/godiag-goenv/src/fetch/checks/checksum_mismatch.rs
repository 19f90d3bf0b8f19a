//! GO027: what the proxy serves (or the module cache holds) does not match go.sum.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Evidence, Finding, Fix, Severity};

use super::FetchContext;

/// go.sum records other hashes than the go.mod served or the zip cached.
pub(crate) struct ChecksumMismatch;

const META: CheckMeta = CheckMeta {
    code: "GO027",
    slug: "checksum-mismatch",
    domain: Domain::Go,
    severity: Severity::Error,
    status: CheckStatus::Stable,
    title: "The module's content does not match go.sum",
    ok_title: "go.sum agrees with what was served",
    doc: include_str!("../../../../../docs/checks/GO027.md"),
};

impl Check<FetchContext> for ChecksumMismatch {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &FetchContext) -> Option<String> {
        context.no_project()
    }

    fn run(&self, context: &FetchContext) -> Vec<Finding> {
        let report = &context.report;
        let module = report.fetched_module();
        let Some(project) = &report.project else {
            return Vec::new();
        };
        let version = report.outcome.version.as_deref().unwrap_or(&report.version);
        let mut problems: Vec<String> = Vec::new();
        if let Some(error) = report
            .outcome
            .error
            .as_deref()
            .filter(|e| e.contains("/go.mod: checksum mismatch"))
        {
            problems.push(format!(
                "The go.mod the proxy serves does not match go.sum; the go command stops with:\n\t{}",
                error
                    .lines()
                    .take(3)
                    .map(str::trim_start)
                    .collect::<Vec<_>>()
                    .join("\n\t")
            ));
        }
        if let Some(actual) = report
            .module_cache
            .as_ref()
            .and_then(|entry| entry.zip_hash.as_deref())
            && let Some(line) = project.sum_conflict(module, version, actual)
        {
            problems.push(format!(
                "The cached zip hashes to {actual}, but {}:{} records {}; the go command uses \
                 the cached zip without comparing (its .ziphash is trusted), and `go mod verify` fails.",
                line.file, line.line, line.hash
            ));
        }
        if problems.is_empty() {
            return Vec::new();
        }
        let gosumdb = context.env.value("GOSUMDB");
        let hidden = if gosumdb == "off" {
            "\nGOSUMDB=off: go.sum is the only check left. Where go.sum has no line yet (a fresh \
             `go get`, another module, a CI job without this go.sum), the changed content is \
             accepted and recorded without any error."
        } else {
            ""
        };
        let subject = format!("{module}@{version}");
        vec![
            Finding::new(
                &META,
                format!("{subject} does not match go.sum"),
                format!("{}{hidden}", problems.join("\n")),
            )
            .subject(subject.clone())
            .evidence(Evidence::command(format!("GOSUMDB={gosumdb}")))
            .fix(Fix::manual(format!(
                "Do not delete the go.sum line to make the error go away. Find out which side \
                 changed: compare with the checksum database (`GOSUMDB=sum.golang.org GOFLAGS=-mod=mod \
                 go mod download -json {subject}` in an empty GOMODCACHE) and with another proxy; \
                 if the proxy serves altered content, report it; if go.sum is wrong, \
                 `go mod tidy` with the database on rewrites it."
            ))),
        ]
    }
}

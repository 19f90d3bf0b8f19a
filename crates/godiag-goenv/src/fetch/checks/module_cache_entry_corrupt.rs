//! GO024: the module cache's files for the version are stale or corrupt.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Evidence, Finding, Fix, Severity};
use godiag_go::modcache::{CacheEntry, CacheProblem};

use super::FetchContext;
use crate::checks::shell_quote;
use crate::fetch::project::Resolution;

/// A cached version whose zip, `.ziphash` or extraction is not what the go command left.
pub(crate) struct ModuleCacheEntryCorrupt;

const META: CheckMeta = CheckMeta {
    code: "GO024",
    slug: "module-cache-entry-corrupt",
    domain: Domain::Go,
    severity: Severity::Error,
    status: CheckStatus::Stable,
    title: "The module cache holds a stale or corrupt copy of the version",
    ok_title: "The module cache's copy of the version is intact",
    doc: include_str!("../../../../../docs/checks/GO024.md"),
};

impl Check<FetchContext> for ModuleCacheEntryCorrupt {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &FetchContext) -> Option<String> {
        match &context.report.module_cache {
            None => Some(match &context.report.resolution {
                Resolution::Fetch if context.env.value("GOMODCACHE").is_empty() => {
                    "GOMODCACHE is not known, so the module cache was not read".to_owned()
                }
                Resolution::Fetch => "the version was not resolved, so the module cache was \
                                      not looked up"
                    .to_owned(),
                _ => "the project provides the module, so the module cache is not read".to_owned(),
            }),
            Some(entry) if !(entry.info || entry.go_mod || entry.zip || entry.extracted) => {
                Some("the module cache holds no copy of this version".to_owned())
            }
            Some(_) => None,
        }
    }

    fn run(&self, context: &FetchContext) -> Vec<Finding> {
        let report = &context.report;
        let Some(entry) = report.module_cache.as_ref() else {
            return Vec::new();
        };
        if entry.problems.is_empty() {
            return Vec::new();
        }
        let version = report.outcome.version.as_deref().unwrap_or(&report.version);
        let subject = format!("{}@{version}", report.fetched_module());
        let severity = if entry.problems.iter().all(CacheProblem::self_healing) {
            Severity::Warning
        } else {
            Severity::Error
        };
        let lines: Vec<String> = entry.problems.iter().map(|p| explain(p, entry)).collect();
        let mut finding = Finding::new(
            &META,
            format!("The module cache's copy of {subject} is {}", word(entry)),
            format!(
                "{}\n{}",
                lines.join("\n"),
                consequence(entry, &subject, report.outcome.error.as_deref())
            ),
        )
        .severity(severity)
        .subject(subject);
        for line in evidence(entry) {
            finding = finding.evidence(Evidence::file(line));
        }
        vec![finding.fix(Fix::command(remove_command(entry)))]
    }
}

/// What is on disk, file by file.
fn evidence(entry: &CacheEntry) -> Vec<String> {
    let zip = if !entry.zip {
        "missing".to_owned()
    } else if let Some(hash) = &entry.zip_hash {
        format!("present, hashes to {hash}")
    } else {
        "present, unreadable".to_owned()
    };
    let mut lines = vec![
        format!("{}.zip: {zip}", entry.stem),
        format!(
            "{}.ziphash: {}",
            entry.stem,
            entry.ziphash.as_deref().unwrap_or("missing")
        ),
    ];
    if entry.partial {
        lines.push(format!("{}.partial: present", entry.stem));
    }
    let extracted = if entry.extracted {
        "present"
    } else {
        "missing"
    };
    lines.push(format!("{}: {extracted}", entry.extracted_dir));
    lines
}

fn word(entry: &CacheEntry) -> &'static str {
    if entry.problems.iter().all(CacheProblem::self_healing) {
        "stale"
    } else {
        "corrupt"
    }
}

fn explain(problem: &CacheProblem, entry: &CacheEntry) -> String {
    match problem {
        CacheProblem::ZiphashMissing => format!(
            "{}.zip is there without its .ziphash: a download was cut short or the file was removed.",
            entry.stem
        ),
        CacheProblem::ZiphashMalformed { recorded } => format!(
            "{}.ziphash holds {recorded:?}, which is not an h1: hash.",
            entry.stem
        ),
        CacheProblem::HashMismatch { recorded, actual } => format!(
            "{}.ziphash records {recorded}, but the zip beside it hashes to {actual}: one of them changed after the download.",
            entry.stem
        ),
        CacheProblem::ZipUnreadable { error } => {
            format!("{}.zip cannot be read: {error}.", entry.stem)
        }
        CacheProblem::Partial => format!(
            "{}.partial exists: extracting {} was interrupted.",
            entry.stem, entry.extracted_dir
        ),
    }
}

fn consequence(entry: &CacheEntry, subject: &str, error: Option<&str>) -> String {
    if let Some(error) = error.filter(|_| entry.problems.iter().any(|p| !p.self_healing())) {
        return format!("The go command fails on it:\n\tgo: {error}");
    }
    if entry
        .problems
        .iter()
        .any(|p| matches!(p, CacheProblem::HashMismatch { .. }))
    {
        return format!(
            "The go command trusts the recorded hash and builds from this zip without noticing \
             (with GOSUMDB=off and no go.sum line), or stops with a checksum mismatch; \
             `go mod verify` reports {subject} as modified."
        );
    }
    "The go command repairs this on its next download (it hashes the zip again or \
     extracts it again), but the entry shows that an earlier run was interrupted or the \
     cache was edited."
        .to_owned()
}

/// Removes exactly this version's files (the extracted tree is read-only, as the go
/// command leaves it); `go clean -modcache` removes the whole cache instead.
fn remove_command(entry: &CacheEntry) -> String {
    let dir = shell_quote(&entry.extracted_dir);
    let stem = shell_quote(&entry.stem);
    format!(
        "chmod -R u+w {dir} 2>/dev/null; rm -rf {dir} {stem}.{{info,mod,zip,ziphash,partial,lock}}   # or: go clean -modcache"
    )
}

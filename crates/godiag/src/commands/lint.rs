//! `godiag lint FILE...`.

use std::sync::Arc;

use anyhow::{Context as _, bail};
use godiag_core::report::Report;
use godiag_otel::domain::{self, FileKind, LintOptions};
use godiag_otel::registry::{NEWEST_KNOWN, Version};

use super::{apply_fixes, build_host, emit};
use crate::ExitStatus;
use crate::cli::{GlobalArgs, LintArgs, LintKind};

/// Lints the files, applies fixes when asked, and renders the report.
pub(super) fn run(args: &LintArgs, global: &GlobalArgs) -> anyhow::Result<ExitStatus> {
    let host = build_host(global)?;
    let collector_version = match &args.collector_version {
        Some(text) => text
            .parse::<Version>()
            .context("reading --collector-version")?,
        None => NEWEST_KNOWN,
    };
    let options = LintOptions {
        files: args.files.clone(),
        kind: args.kind.map(|kind| match kind {
            LintKind::Collector => FileKind::Collector,
            LintKind::Sampling => FileKind::Sampling,
        }),
        collector_version,
    };
    let outcome = domain::lint(Arc::clone(&host), &options, global.deadline);
    let sampling = outcome.result["files"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|file| file["kind"] == "sampling");
    if let Some(file) = sampling {
        bail!(
            "`{}` is a Jaeger sampling strategies file; godiag does not lint those yet",
            file["path"].as_str().unwrap_or_default()
        );
    }
    let mut report = Report::new("lint", outcome.findings, outcome.result);
    if args.fix && apply_fixes(host.as_ref(), &report, args.yes)? {
        let outcome = domain::lint(host, &options, global.deadline);
        report = Report::new("lint", outcome.findings, outcome.result);
    }
    emit(&report, global)
}

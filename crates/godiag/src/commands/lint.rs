//! `godiag lint FILE...`.

use std::io::{self, Write as _};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context as _, bail};
use godiag_core::host::Host;
use godiag_core::report::Report;
use godiag_otel::domain::{self, FileKind, LintOptions};
use godiag_otel::installed;
use godiag_otel::registry::{NEWEST_KNOWN, Version};
use godiag_otel::sampling::Query;
use serde_json::{Value, json};

use super::{apply_fixes, build_host, emit};
use crate::ExitStatus;
use crate::cli::{FormatArg, GlobalArgs, LintArgs, LintKind};
use crate::printer::Printer;

/// Lints the files, applies fixes when asked, and renders the report.
pub(super) fn run(args: &LintArgs, global: &GlobalArgs) -> anyhow::Result<ExitStatus> {
    let host = build_host(global)?;
    for file in &args.files {
        // A missing or unreadable file is a finding (OTEL001, SAMP001); a directory is a
        // mistake in the command line.
        if host.metadata(file).is_ok_and(|meta| meta.is_dir) {
            bail!(
                "`{}` is a directory; `godiag lint` takes Collector configs, Jaeger sampling strategies \
                 files and NSS maps",
                file.display()
            );
        }
    }
    // Fixes are judged against the release that will run the config: a rename only newer
    // releases know would be a fix this Collector refuses to start with.
    let collector_version = match (&args.collector_version, &args.collector) {
        (Some(text), _) => text
            .parse::<Version>()
            .context("reading --collector-version")?,
        (None, Some(path)) => installed::ask(host.as_ref(), path, global.deadline)?.version,
        (None, None) => installed::find_on_path(host.as_ref(), global.deadline)
            .map_or(NEWEST_KNOWN, |found| found.version),
    };
    if !(0.0..=1.0).contains(&args.default_sampling_probability) {
        bail!("--default-sampling-probability must be between 0 and 1");
    }
    // NSS maps are godiag-dns's; every other file goes to the Collector/sampling linter.
    let (maps, others): (Vec<PathBuf>, Vec<PathBuf>) =
        args.files
            .iter()
            .cloned()
            .partition(|file| match args.kind {
                Some(kind) => kind == LintKind::NssMap,
                None => godiag_dns::nss_map::looks_like_map(file),
            });
    let options = LintOptions {
        files: others,
        kind: args.kind.and_then(|kind| match kind {
            LintKind::Collector => Some(FileKind::Collector),
            LintKind::Sampling => Some(FileKind::Sampling),
            LintKind::NssMap => None,
        }),
        collector_version,
        sampling: Query {
            service: args.service.clone(),
            operation: args.operation.clone(),
            default_probability: args.default_sampling_probability,
        },
    };
    let run = |host: &Arc<dyn Host>| {
        let mut findings = Vec::new();
        let mut result = json!({});
        if !options.files.is_empty() {
            let outcome = domain::lint(Arc::clone(host), &options, global.deadline);
            findings = outcome.findings;
            result = outcome.result;
        }
        if !maps.is_empty() {
            let mut summaries = Vec::new();
            for map in &maps {
                let (found, summary) = godiag_dns::nss_map::lint(host, map, global.deadline);
                findings.extend(found);
                summaries.push(summary);
            }
            result["nss_map"] = Value::Array(summaries);
        }
        (findings, result)
    };
    let (findings, result) = run(&host);
    if args.service.is_some() && result.get("sampling").is_none() {
        bail!(
            "--service applies to Jaeger sampling strategies files, and none of the files is one"
        );
    }
    let mut report = Report::new("lint", findings, result);
    if apply_fixes(host.as_ref(), &report, args.fix, Printer::new(global))? {
        let (findings, result) = run(&host);
        report = Report::new("lint", findings, result);
    }
    if global.format == FormatArg::Human {
        print_effective(&report.result, Printer::new(global))?;
    }
    emit(&report, global)
}

/// Prints, for `--service`, the body Jaeger serves (and the operation's sampler) before the
/// findings.
fn print_effective(result: &Value, printer: Printer) -> io::Result<()> {
    let mut out = printer.stdout();
    for file in result["sampling"].as_array().into_iter().flatten() {
        let effective = &file["effective"];
        if effective.is_null() {
            continue;
        }
        let path = file["path"].as_str().unwrap_or_default();
        let service = effective["service"].as_str().unwrap_or_default();
        let Some(body) = effective["body"].as_str() else {
            writeln!(
                out,
                "{path}: Jaeger serves nothing from this file: {}\n",
                file["refused"].as_str().unwrap_or_default()
            )?;
            continue;
        };
        writeln!(
            out,
            "{path}: GET /api/sampling?service={service} ({}):\n{body}",
            effective["from"].as_str().unwrap_or_default()
        )?;
        let operation = &effective["operation"];
        if !operation.is_null() {
            let name = operation["operation"].as_str().unwrap_or_default();
            let from = operation["from"].as_str().unwrap_or_default();
            if operation["sampler"] == "ratelimiting" {
                writeln!(
                    out,
                    "operation {name:?}: rate limited to {} traces per second ({from})",
                    operation["max_traces_per_second"]
                )?;
            } else {
                writeln!(
                    out,
                    "operation {name:?}: sampled with probability {} ({from})",
                    operation["sampling_rate"]
                )?;
            }
        }
        writeln!(out)?;
    }
    out.flush()
}

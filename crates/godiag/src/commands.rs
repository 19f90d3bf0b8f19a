//! One function per command: build the host, run the domain, render.

mod lint;
mod metrics;
mod nss;
mod port;

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::sync::Arc;

use anyhow::{Context as _, bail};
use clap::CommandFactory;
use godiag_core::check::CheckMeta;
use godiag_core::edit::{self, Applied};
use godiag_core::finding::{Fix, Severity};
use godiag_core::host::{FixtureHost, Host, RealHost};
use godiag_core::net::{LiveNetwork, Network, RecordedNetwork};
use godiag_core::render::{self, Format, Options};
use godiag_core::report::Report;
use serde_json::json;

use crate::ExitStatus;
use crate::cli::{Args, Command, FixArgs, FormatArg, GlobalArgs, GoCommand, NssCommand};
use crate::error::CommandError;
use crate::printer::{self, Printer};

mod dns;
mod doctor;
mod fetch;
mod goenv_table;

/// Runs the parsed command line.
pub fn run_command(args: &Args) -> anyhow::Result<ExitStatus> {
    let global = args.global()?;
    let global = &global;
    match &args.command {
        Command::Doctor { ports, .. } => doctor::run(global, ports),
        Command::Port { port, .. } => port::port(global, *port),
        Command::Go {
            command: GoCommand::Env { fix, .. },
        } => {
            let host = build_host(global)?;
            let outcome = go_env_outcome(Arc::clone(&host), global, global.deadline);
            let mut report = Report::new("go", outcome.findings, json!({"env": outcome.result}));
            // After edits, the report shows the machine as it now is.
            if apply_fixes(host.as_ref(), &report, *fix, Printer::new(global))? {
                let outcome = godiag_goenv::domain::run(host, global.deadline);
                report = Report::new("go", outcome.findings, json!({"env": outcome.result}));
            }
            if global.format == FormatArg::Human && !global.quiet {
                let mut out = Printer::new(global).stdout();
                write!(out, "{}", goenv_table::render(&report))?;
            }
            emit(&report, global)
        }
        Command::Lint(lint_args) => lint::run(lint_args, global),
        Command::Go {
            command: GoCommand::Fetch { module, .. },
        } => fetch::run(module, global),
        Command::Dns(dns) => dns::run(dns, global),
        Command::Nss {
            command: NssCommand::Install(install),
        } => nss::install(install, global),
        Command::Nss {
            command: NssCommand::Uninstall(uninstall),
        } => nss::uninstall(uninstall, global),
        Command::Metrics(metrics) => {
            let host = build_host(global)?;
            let network = build_network(global, &host);
            let report = metrics::run(host.as_ref(), network, metrics, global)?;
            emit(&report, global)
        }
        Command::Explain { code, list } => explain(code.as_deref(), *list, global),
        Command::Completions { shell } => {
            // clap_complete panics on a failed write, so it writes to memory and a closed
            // pipe meets our own write, which exits quietly.
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut Args::command(), "godiag", &mut script);
            let mut out = Printer::new(global).stdout();
            out.write_all(&script)?;
            out.flush()?;
            Ok(ExitStatus::Clean)
        }
        Command::Man => {
            let mut out = Printer::new(global).stdout();
            write_man_page(&mut out)?;
            out.flush()?;
            Ok(ExitStatus::Clean)
        }
    }
}

/// Every check code godiag knows, for `explain` and SARIF rules.
#[must_use]
pub(crate) fn registry() -> Vec<CheckMeta> {
    let mut all = godiag_core::checks::ALL.to_vec();
    all.extend(godiag_goenv::registry());
    all.extend(godiag_net::checks::registry());
    all.extend(godiag_otel::checks::registry());
    all.extend(godiag_dns::checks::registry());
    all.extend(godiag_dns::nss_map::registry());
    all.extend(godiag_prom::checks::registry());
    all.extend(godiag_otel::sampling::checks::registry());
    all
}

pub(crate) fn build_host(global: &GlobalArgs) -> anyhow::Result<Arc<dyn Host>> {
    let Some(root) = &global.root else {
        return Ok(Arc::new(RealHost));
    };
    if !root.is_dir() {
        bail!("--root `{}` is not a directory", root.display());
    }
    let env = match &global.env_file {
        Some(path) => {
            // Read as any input is: a FIFO or device is refused, not waited on.
            let bytes = RealHost
                .read_capped(path, godiag_core::host::ENV_FILE_LIMIT)
                .with_context(|| format!("reading the --env-file `{}`", path.display()))?;
            let text = String::from_utf8(bytes)
                .with_context(|| format!("reading the --env-file `{}`", path.display()))?;
            FixtureHost::parse_env_file(&text)
        }
        None => BTreeMap::new(),
    };
    Ok(Arc::new(FixtureHost::new(root, env)))
}

/// The network seam, picked once as the host is: this machine's network, or the answers
/// recorded under `--root`'s `.godiag/net/`, every domain's protocol included.
pub(crate) fn build_network(global: &GlobalArgs, host: &Arc<dyn Host>) -> Arc<dyn Network> {
    if global.root.is_none() {
        return Arc::new(LiveNetwork);
    }
    let dns = godiag_dns::probe::recorded::RecordedDns::read(host.as_ref());
    Arc::new(RecordedNetwork::new(Arc::clone(host)).with_service(53, Arc::new(dns)))
}

/// Why the Go environment of this machine is unknown: a `--root` copy came without
/// `--env-file`, so HOME, PATH and every Go variable are missing rather than empty.
pub(crate) const UNKNOWN_ENVIRONMENT: &str = "the environment of the machine under --root is \
     unknown (HOME, PATH, the Go variables); give it with --env-file FILE";

/// The Go environment domain, or every check skipped when the environment is unknown.
pub(crate) fn go_env_outcome(
    host: Arc<dyn Host>,
    global: &GlobalArgs,
    deadline: std::time::Duration,
) -> godiag_goenv::domain::Outcome {
    if global.root.is_some() && global.env_file.is_none() {
        return godiag_goenv::domain::skip_all(UNKNOWN_ENVIRONMENT);
    }
    godiag_goenv::domain::run(host, deadline)
}

/// Writes godiag(1) in roff, from the same definitions as `--help` and the completions.
pub(crate) fn write_man_page(out: &mut dyn Write) -> io::Result<()> {
    clap_mangen::Man::new(Args::command()).render(out)
}

fn options<'a>(global: &GlobalArgs, registry: &'a [CheckMeta]) -> Options<'a> {
    let no_color_env = RealHost
        .env_var("NO_COLOR")
        .is_some_and(|value| !value.is_empty());
    Options {
        color: global.format == FormatArg::Human
            && printer::use_color(global.no_color, no_color_env),
        verbose: global.verbose,
        quiet: global.quiet,
        width: (global.format == FormatArg::Human)
            .then(printer::stdout_width)
            .flatten(),
        version: env!("CARGO_PKG_VERSION"),
        registry,
    }
}

pub(crate) fn emit(report: &Report, global: &GlobalArgs) -> anyhow::Result<ExitStatus> {
    godiag_core::progress::finished();
    let registry = registry();
    let format = match global.format {
        FormatArg::Human => Format::Human,
        FormatArg::Json => Format::Json,
        FormatArg::Sarif => Format::Sarif,
        FormatArg::Prometheus => Format::Prometheus,
    };
    let mut out = Printer::new(global).stdout();
    render::render(report, format, &options(global, &registry), &mut out)?;
    out.flush()?;
    Ok(match report.worst() {
        Severity::Error => ExitStatus::Findings,
        Severity::Warning if global.strict => ExitStatus::Findings,
        _ => ExitStatus::Clean,
    })
}

/// Applies the planned edits of the report that `--fix` allows: safe ones, and unsafe ones
/// with `--unsafe-fixes`. Returns true when something was written.
pub(crate) fn apply_fixes(
    host: &dyn Host,
    report: &Report,
    fix: FixArgs,
    printer: Printer,
) -> anyhow::Result<bool> {
    let proposed = report
        .findings
        .iter()
        .filter_map(|finding| finding.fix.as_ref());
    apply_fix_list(host, proposed, fix, printer)
}

/// [`apply_fixes`] for fixes that come from a command rather than a report's findings
/// (`godiag nss install`).
pub(crate) fn apply_fix_list<'a>(
    host: &dyn Host,
    proposed: impl Iterator<Item = &'a Fix>,
    fix: FixArgs,
    printer: Printer,
) -> anyhow::Result<bool> {
    if !fix.fix {
        return Ok(false);
    }
    let (allowed, held_back): (Vec<&Fix>, Vec<&Fix>) = proposed
        .filter(|proposed| proposed.edits.iter().any(|edit| edit.planned.is_some()))
        .partition(|proposed| proposed.is_safe() || fix.unsafe_fixes);
    if !held_back.is_empty() {
        printer.held_back(held_back.len())?;
    }
    let proposed: Vec<&edit::PlannedEdit> = allowed
        .iter()
        .flat_map(|proposed| proposed.edits.iter())
        .filter_map(|edit| edit.planned.as_ref())
        .collect();
    // Every allowed fix of a file lands in one write: one diff, one backup.
    let planned = edit::merge(&proposed);
    if planned.is_empty() {
        return Ok(false);
    }
    godiag_core::progress::finished();
    let yes = fix.yes;
    if !yes && !printer::stdin_is_terminal() {
        return Err(CommandError::NeedsConfirmation.into());
    }
    // Under -q the diffs are still shown when a person is asked to confirm them.
    let shown = if yes { printer } else { Printer::Default };
    let mut stderr = shown.stderr();
    for edit in &planned {
        // The copy in the report is masked when rendered; this one is printed directly.
        write!(stderr, "{}", godiag_core::redact::redact(&edit.diff()))?;
    }
    if !yes && !printer.confirm("Apply these edits?")? {
        return Ok(false);
    }
    let mut stderr = printer.stderr();
    let mut wrote = false;
    for edit in &planned {
        let applied = edit::apply(host, edit).map_err(|error| match error {
            // rename(2) onto a mount point fails with EBUSY: a container's /etc/resolv.conf,
            // /etc/hosts and /etc/hostname are bind mounts its runtime owns.
            edit::EditError::Replace { source, .. }
                if source.kind() == std::io::ErrorKind::ResourceBusy =>
            {
                anyhow::Error::from(CommandError::MountPoint(edit.path.display().to_string()))
            }
            error => anyhow::Error::from(error).context(format!("editing {}", edit.path.display())),
        })?;
        match applied {
            Applied::Unchanged => {}
            Applied::Written { backup } => {
                wrote = true;
                let kept = backup
                    .map_or_else(String::new, |path| format!(" (backup: {})", path.display()));
                writeln!(stderr, "edited {}{kept}", edit.path.display())?;
            }
        }
    }
    Ok(wrote)
}

fn explain(code: Option<&str>, list: bool, global: &GlobalArgs) -> anyhow::Result<ExitStatus> {
    let registry = registry();
    let mut out = Printer::new(global).stdout();
    if list {
        if global.format == FormatArg::Json {
            let all: Vec<_> = registry
                .iter()
                .map(|meta| {
                    json!({"code": meta.code, "slug": meta.slug, "domain": meta.domain,
                           "severity": meta.severity, "status": meta.status, "title": meta.title})
                })
                .collect();
            serde_json::to_writer_pretty(&mut out, &all)?;
            writeln!(out)?;
        } else {
            // Widths come from the longest code and slug, so no column runs into the next.
            let code_width = registry
                .iter()
                .map(|meta| meta.code.len())
                .max()
                .unwrap_or(0);
            let slug_width = registry
                .iter()
                .map(|meta| meta.slug.len())
                .max()
                .unwrap_or(0);
            for meta in &registry {
                writeln!(
                    out,
                    "{:<code_width$}  {:<slug_width$}  {}",
                    meta.code, meta.slug, meta.title
                )?;
            }
        }
        out.flush()?;
        return Ok(ExitStatus::Clean);
    }
    let wanted = code.unwrap_or_default();
    let Some(meta) = registry
        .iter()
        .find(|meta| meta.code.eq_ignore_ascii_case(wanted) || meta.slug == wanted)
    else {
        return Err(CommandError::UnknownCode(wanted.to_owned()).into());
    };
    if global.format == FormatArg::Json {
        let value = json!({
            "code": meta.code, "slug": meta.slug, "domain": meta.domain, "severity": meta.severity,
            "status": meta.status, "title": meta.title, "doc": meta.doc,
            "source": format!("docs/checks/{}.md", meta.code),
        });
        serde_json::to_writer_pretty(&mut out, &value)?;
        writeln!(out)?;
    } else {
        write!(out, "{}", meta.doc)?;
    }
    out.flush()?;
    Ok(ExitStatus::Clean)
}

#[cfg(test)]
mod tests;

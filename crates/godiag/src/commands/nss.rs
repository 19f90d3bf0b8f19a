//! `godiag nss install` and `godiag nss uninstall`: the module file, the map and the hosts
//! line, each change shown first and applied only with `--fix` (the hosts line only with
//! `--unsafe-fixes` as well, since it changes how every program resolves names).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use godiag_core::edit::{self, Applied};
use godiag_core::finding::{Fix, Severity};
use godiag_core::host::Host;
use godiag_core::report::Report;
use godiag_dns::nss_install::{self, MODULE_FILE};
use serde_json::json;

use super::{apply_fix_list, build_host, emit};
use crate::ExitStatus;
use crate::cli::{FixArgs, FormatArg, GlobalArgs, NssInstallArgs, NssUninstallArgs};
use crate::error::CommandError;
use crate::printer::{self, Printer};

const NSSWITCH_CONF: &str = "/etc/nsswitch.conf";

/// What the module cannot do, said at every install: NSS runs only inside programs that
/// call glibc's resolver.
const SCOPE: &str = "note: git, curl, ssh, Python and cgo programs resolve through NSS and \
                     will use the map; the go command itself and every CGO_ENABLED=0 program \
                     never load NSS modules (they read /etc/hosts and resolv.conf), so `go get` \
                     needs the name in /etc/hosts or a DNS server in resolv.conf that knows it";

/// Plans (and with `--fix` applies) the module copy, the map and the hosts-line edit.
pub(super) fn install(args: &NssInstallArgs, global: &GlobalArgs) -> anyhow::Result<ExitStatus> {
    let host = build_host(global)?;
    let printer = Printer::new(global);
    let source = module_source(args.module.as_deref())?;
    let module = fs_err::read(&source).context("reading the module to install")?;
    let destination = nss_install::libdir(host.as_ref()).join(MODULE_FILE);
    let mut fixes = Vec::new();
    if let Some(map) = &args.map {
        fixes.extend(map_fix(&host, map)?);
    }
    let nsswitch = edit::plan(
        host.as_ref(),
        Path::new(NSSWITCH_CONF),
        nss_install::with_godiag,
    )
    .context("reading /etc/nsswitch.conf")?;
    if !nsswitch.is_noop() {
        fixes.push(
            Fix::edit(
                "put `godiag` on the hosts line",
                vec![nsswitch.to_fix_edit()],
            )
            .mark_unsafe(),
        );
    }
    let installed = host
        .read(&destination)
        .is_ok_and(|current| current == module);
    let as_json = global.format == FormatArg::Json;
    if !as_json {
        let mut out = printer.stdout();
        let state = if installed {
            "already installed"
        } else {
            "to install"
        };
        writeln!(
            out,
            "module {}: {} -> {}",
            state,
            source.display(),
            destination.display()
        )?;
        show_plan(&mut out, &fixes)?;
        writeln!(out, "{SCOPE}")?;
        out.flush()?;
    }
    let mut module_written = false;
    let mut edited = false;
    if args.fix.fix {
        if !installed {
            confirm(args.fix, printer, "Install the module?")?;
            let applied = edit::install_bytes(host.as_ref(), &destination, &module)
                .with_context(|| format!("installing {}", destination.display()))?;
            module_written = matches!(applied, Applied::Written { .. });
            report_written(printer, "wrote", &destination, &applied)?;
        }
        edited = apply_fix_list(host.as_ref(), fixes.iter(), args.fix, printer)?;
    } else {
        hint(printer, !fixes.is_empty() || !installed)?;
    }
    if !as_json {
        return Ok(ExitStatus::Clean);
    }
    let result = json!({
        "action": "install",
        "module": {
            "source": source,
            "path": destination,
            "installed": installed,
            "written": module_written,
        },
        "changes": fixes,
        "fix": args.fix.fix,
        "edited": edited,
        "note": SCOPE.strip_prefix("note: ").unwrap_or(SCOPE),
    });
    emit(&Report::new("nss", Vec::new(), result), global)
}

/// Plans (and with `--fix` applies) taking `godiag` off the hosts line and removing the module.
pub(super) fn uninstall(
    args: &NssUninstallArgs,
    global: &GlobalArgs,
) -> anyhow::Result<ExitStatus> {
    let host = build_host(global)?;
    let printer = Printer::new(global);
    let destination = nss_install::libdir(host.as_ref()).join(MODULE_FILE);
    let nsswitch = edit::plan(host.as_ref(), Path::new(NSSWITCH_CONF), |text| {
        nss_install::without_godiag(text.unwrap_or_default())
    })
    .context("reading /etc/nsswitch.conf")?;
    let mut fixes = Vec::new();
    if nsswitch.original.is_some() && !nsswitch.is_noop() {
        fixes.push(
            Fix::edit(
                "take `godiag` off the hosts line",
                vec![nsswitch.to_fix_edit()],
            )
            .mark_unsafe(),
        );
    }
    let present = host.metadata(&destination).is_ok();
    let as_json = global.format == FormatArg::Json;
    if !as_json {
        let mut out = printer.stdout();
        if present {
            writeln!(out, "module to remove: {}", destination.display())?;
        } else {
            writeln!(out, "module not installed: {}", destination.display())?;
        }
        show_plan(&mut out, &fixes)?;
        writeln!(out, "the map ({}) is kept", godiag_nssmap::DEFAULT_MAP_PATH)?;
        out.flush()?;
    }
    let mut removed = false;
    let mut edited = false;
    if args.fix.fix {
        // The hosts line first: a listed module that is missing is skipped (UNAVAIL), never
        // the other way round.
        edited = apply_fix_list(host.as_ref(), fixes.iter(), args.fix, printer)?;
        if present {
            confirm(args.fix, printer, "Remove the module?")?;
            let applied = edit::remove_with_backup(host.as_ref(), &destination)
                .with_context(|| format!("removing {}", destination.display()))?;
            removed = matches!(applied, Applied::Written { .. });
            report_written(printer, "removed", &destination, &applied)?;
        }
    } else {
        hint(printer, present || !fixes.is_empty())?;
    }
    if !as_json {
        return Ok(ExitStatus::Clean);
    }
    let result = json!({
        "action": "uninstall",
        "module": {
            "path": destination,
            "installed": present,
            "removed": removed,
        },
        "changes": fixes,
        "fix": args.fix.fix,
        "edited": edited,
        "map_kept": godiag_nssmap::DEFAULT_MAP_PATH,
    });
    emit(&Report::new("nss", Vec::new(), result), global)
}

/// `--module`, or the cdylib beside the running godiag (cargo puts both in target/PROFILE).
fn module_source(given: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(given) = given {
        return Ok(given.to_owned());
    }
    let exe = std::env::current_exe().context("finding the godiag binary")?;
    let dir = exe.parent().unwrap_or_else(|| Path::new("."));
    let candidates = [dir.join("libnss_godiag.so"), dir.join(MODULE_FILE)];
    match candidates.iter().find(|path| path.is_file()) {
        Some(found) => Ok(found.clone()),
        None => bail!(
            "no libnss_godiag.so beside {}; build it with `cargo build --release -p nss-godiag` \
             or pass --module FILE",
            exe.display()
        ),
    }
}

/// The edit installing `map` as the module's map (none when it is installed already),
/// refused when the map has errors.
fn map_fix(host: &std::sync::Arc<dyn Host>, map: &Path) -> anyhow::Result<Option<Fix>> {
    let (findings, _) = godiag_dns::nss_map::lint(host, map, std::time::Duration::from_secs(3));
    if let Some(error) = findings.iter().find(|f| f.severity == Severity::Error) {
        bail!(
            "{} has errors ({}: {}); `godiag lint {}` shows them all",
            map.display(),
            error.code,
            error.title,
            map.display()
        );
    }
    let text = String::from_utf8(host.read(map).context("reading the map")?)
        .context("the map is not UTF-8")?;
    let planned = edit::plan(
        host.as_ref(),
        Path::new(godiag_nssmap::DEFAULT_MAP_PATH),
        |_| text.clone(),
    )
    .context("reading /etc/godiag/nss.map")?;
    Ok((!planned.is_noop()).then(|| Fix::edit("install the map", vec![planned.to_fix_edit()])))
}

fn show_plan(out: &mut dyn std::io::Write, fixes: &[Fix]) -> std::io::Result<()> {
    for fix in fixes {
        let safety = if fix.is_safe() { "safe" } else { "unsafe" };
        writeln!(out, "{} ({safety}):", fix.text)?;
        for edit in &fix.edits {
            write!(out, "{}", edit.diff)?;
        }
    }
    Ok(())
}

fn hint(printer: Printer, anything: bool) -> std::io::Result<()> {
    let mut err = printer.stderr();
    if anything {
        writeln!(
            err,
            "hint: apply with `--fix --unsafe-fixes`: the nsswitch.conf edit changes how every \
             program on this machine resolves names"
        )?;
    } else {
        writeln!(err, "nothing to change")?;
    }
    Ok(())
}

fn confirm(fix: FixArgs, printer: Printer, question: &str) -> anyhow::Result<()> {
    if fix.yes {
        return Ok(());
    }
    if !printer::stdin_is_terminal() {
        return Err(CommandError::NeedsConfirmation.into());
    }
    if !printer.confirm(question)? {
        bail!("not confirmed");
    }
    Ok(())
}

fn report_written(
    printer: Printer,
    what: &str,
    path: &Path,
    applied: &Applied,
) -> std::io::Result<()> {
    let mut err = printer.stderr();
    match applied {
        Applied::Unchanged => Ok(()),
        Applied::Written { backup } => {
            let kept = backup
                .as_ref()
                .map_or_else(String::new, |b| format!(" (backup: {})", b.display()));
            writeln!(err, "{what} {}{kept}", path.display())
        }
    }
}

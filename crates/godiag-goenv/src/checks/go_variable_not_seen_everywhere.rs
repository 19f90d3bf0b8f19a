//! GO002: a Go variable set in startup files that some kinds of process never read.

use std::collections::{BTreeMap, BTreeSet};

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Evidence, Finding, Fix, Location, Severity};

use super::{Context, shell_quote};
use crate::startup::{Export, Seer};

/// A Go variable exported only where some processes (IDE, services, login shells) won't see it.
pub(crate) struct NotSeenEverywhere;

const META: CheckMeta = CheckMeta {
    code: "GO002",
    slug: "go-variable-not-seen-everywhere",
    domain: Domain::Go,
    severity: Severity::Warning,
    status: CheckStatus::Stable,
    title: "A Go variable is set where some processes will not see it",
    ok_title: "Go variables in startup files reach every kind of process",
    doc: include_str!("../../../../docs/checks/GO002.md"),
};

const ALL_SEERS: [Seer; 4] = [
    Seer::LoginShell,
    Seer::InteractiveShell,
    Seer::GuiSession,
    Seer::SystemdUser,
];

/// Variables `go env -w` refuses (envcmd `checkEnvWrite`): read-only ones, OS-only ones.
const NOT_WRITABLE: &[&str] = &[
    "GOEXE",
    "GOGCCFLAGS",
    "GOHOSTARCH",
    "GOHOSTOS",
    "GOMOD",
    "GOROOT",
    "GOTELEMETRY",
    "GOTELEMETRYDIR",
    "GOTOOLDIR",
    "GOVERSION",
    "GOWORK",
    "GOENV",
    "GODEBUG",
    "GOPACKAGESDRIVER",
];

/// `go env -w` accepts only the go command's own variables that it does not refuse.
fn go_env_writable(name: &str) -> bool {
    crate::known::KNOWN_ENV.contains(&name) && !NOT_WRITABLE.contains(&name)
}

impl Check<Context> for NotSeenEverywhere {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.no_go_exports()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let mut by_name: BTreeMap<&str, Vec<&Export>> = BTreeMap::new();
        for export in &context.exports {
            by_name
                .entry(export.name.as_str())
                .or_default()
                .push(export);
        }
        let in_goenv_file = |name: &str| {
            context
                .env
                .user_file
                .as_ref()
                .is_some_and(|file| file.get(name).is_some())
        };
        let mut findings = Vec::new();
        for (name, exports) in by_name {
            // A go env file value reaches every go command, whoever starts it.
            if in_goenv_file(name) {
                continue;
            }
            let seen: BTreeSet<Seer> = exports
                .iter()
                .flat_map(|export| export.seen_by.iter().copied())
                .collect();
            let missing: Vec<Seer> = ALL_SEERS
                .iter()
                .copied()
                .filter(|seer| !seen.contains(seer))
                .collect();
            if missing.is_empty() {
                continue;
            }
            let first = exports[0];
            let unexported = exports.iter().all(|export| !export.exported);
            let message = if unexported {
                format!(
                    "{name} is assigned but never exported, so the shell keeps it to itself and no \
                     go command (a child process) sees it."
                )
            } else {
                format!(
                    "{name} is set only for {}; {} will not see it, so `go` run from there uses a \
                     different {name} (\"works in my terminal, not in my IDE/CI\").",
                    names(&seen.iter().copied().collect::<Vec<_>>()),
                    names(&missing)
                )
            };
            let title = if unexported {
                format!("{name} is assigned but never exported")
            } else {
                format!("{name} is not seen by {}", names(&missing))
            };
            let mut finding =
                Finding::new(&META, title, message)
                    .subject(name)
                    .location(Location {
                        path: first.path.clone(),
                        line: Some(first.line),
                        column: Some(first.column),
                    });
            for export in &exports {
                let value = export.value.as_deref().unwrap_or("(computed)");
                let seers = if export.seen_by.is_empty() {
                    "nobody".to_owned()
                } else {
                    names(&export.seen_by)
                };
                finding = finding.evidence(Evidence::file(format!(
                    "{}:{}: {name}={value} (seen by {seers})",
                    export.path.display(),
                    export.line
                )));
            }
            let value = exports.iter().rev().find_map(|export| export.value.clone());
            finding = finding.fix(fix(name, value.as_deref(), unexported));
            findings.push(finding);
        }
        findings
    }
}

fn fix(name: &str, value: Option<&str>, unexported: bool) -> Fix {
    if unexported {
        let alternative = if go_env_writable(name) {
            format!(", or use `go env -w {name}=...`")
        } else {
            String::new()
        };
        return Fix::manual(format!(
            "write `export {name}` where it is assigned{alternative}"
        ));
    }
    match value {
        Some(value) if go_env_writable(name) => Fix::command(format!(
            "go env -w {name}={}   # read by every go command, whoever starts it\n\
             then remove the startup-file export so the two cannot drift apart",
            shell_quote(value)
        )),
        _ => Fix::manual(format!(
            "set {name} in ~/.config/environment.d/go.conf (systemd user services, GUI sessions) \
             and in ~/.profile (login shells)"
        )),
    }
}

fn names(seers: &[Seer]) -> String {
    let words: Vec<&str> = seers
        .iter()
        .map(|seer| match seer {
            Seer::LoginShell => "login shells",
            Seer::InteractiveShell => "terminal shells",
            Seer::GuiSession => "GUI apps and IDEs",
            Seer::SystemdUser => "systemd user services",
        })
        .collect();
    match words.as_slice() {
        [] => "no process".to_owned(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

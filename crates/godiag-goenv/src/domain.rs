//! Runs the Go environment domain: find the go command, compute the environment, ask the go
//! command, scan startup files, then run the checks — every step under one deadline.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use godiag_core::finding::Finding;
use godiag_core::host::Host;
use godiag_core::runner::{self, Task, TaskOutput, duration_ms};
use godiag_go::gocmd::{self, GO_ENV_JSON, GoReport};
use serde_json::{Value, json};

use crate::checks::{self, Context};
use crate::known::{KNOWN_ENV, OTHER_GO_VARIABLES};
use crate::model::{ExportedIn, GoEnv, Source};
use crate::resolve;
use crate::startup::{self, Export};

/// The computed environment and the startup-file assignments.
type Configuration = (GoEnv, Vec<Export>);

/// What the domain produced.
#[derive(Debug)]
pub struct Outcome {
    /// Every finding, the runner's own included.
    pub findings: Vec<Finding>,
    /// The structured result, `{"go_binary", "vars", "go_command"}` (the `.go.env` object).
    pub result: Value,
}

/// Runs the domain against `host`, finishing within `deadline`.
#[must_use]
pub fn run(host: Arc<dyn Host>, deadline: Duration) -> Outcome {
    let started = Instant::now();
    let left = || deadline.saturating_sub(started.elapsed());

    let go_binary = Arc::new(Mutex::new(None));
    let slot = Arc::clone(&go_binary);
    let finder = Arc::clone(&host);
    let mut findings = runner::run(
        vec![Task::new("find-go-command", move || {
            *slot.lock().unwrap_or_else(PoisonError::into_inner) =
                Some(gocmd::find(finder.as_ref()));
            TaskOutput::default()
        })],
        left(),
    )
    .findings;
    let searched = go_binary
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take();
    let go_search_finished = searched.is_some();
    let go_binary = searched.flatten();

    let env_slot: Arc<Mutex<Option<Configuration>>> = Arc::new(Mutex::new(None));
    let report_slot: Arc<Mutex<Option<(GoReport, Duration)>>> = Arc::new(Mutex::new(None));
    let mut tasks = Vec::new();
    {
        let (host, slot, go) = (Arc::clone(&host), Arc::clone(&env_slot), go_binary.clone());
        tasks.push(Task::new("read-go-configuration", move || {
            let env = resolve::resolve(host.as_ref(), go, None);
            let exports = startup::scan(host.as_ref(), &is_go_variable).exports;
            *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some((env, exports));
            TaskOutput::default()
        }));
    }
    if let Some(go) = &go_binary {
        let (host, slot, path) = (Arc::clone(&host), Arc::clone(&report_slot), go.path.clone());
        let budget = left();
        tasks.push(Task::new("go-env-json", move || {
            *slot.lock().unwrap_or_else(PoisonError::into_inner) =
                Some(gocmd::go_env_json(host.as_ref(), &path, budget));
            TaskOutput::default()
        }));
    }
    findings.extend(runner::run(tasks, left()).findings);

    let Some((mut env, exports)) = env_slot
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take()
    else {
        return Outcome {
            findings,
            result: json!({"go_binary": go_binary, "vars": [], "go_command": null}),
        };
    };
    let report = report_slot
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take();
    // A wrapper script hides the real go binary; once the go command has said which GOROOT it
    // uses, everything that follows from that GOROOT can be computed after all.
    if let (Some(go), Some((GoReport::Values(reported), _))) = (&go_binary, &report)
        && go.wrapper
        && let Some(goroot) = reported.get("GOROOT")
    {
        env = resolve::resolve(host.as_ref(), go_binary.clone(), Some(goroot));
    }
    complete_from_go(&mut env, report.as_ref().map(|(report, _)| report));
    attach_exports(&mut env, &exports);

    let go_command = report.as_ref().map(|(report, took)| {
        let error = match report {
            GoReport::Values(_) => None,
            GoReport::Failed { stderr, .. } => Some(stderr.clone()),
            GoReport::NotRun(why) => Some(why.clone()),
            GoReport::Unavailable => Some("not run: this is a recorded machine".to_owned()),
        };
        json!({"command": GO_ENV_JSON, "duration_ms": duration_ms(*took), "error": error})
    });
    let result = json!({"go_binary": env.go_binary, "vars": env.vars, "go_command": go_command});
    let context = Arc::new(Context {
        host,
        env,
        go_report: report.map(|(report, _)| report),
        exports,
        go_search_finished,
    });
    findings.extend(runner::run_checks(checks::ALL, &context, left()));
    Outcome { findings, result }
}

/// Skips every check for `reason`, for a machine whose environment godiag does not have (a
/// `--root` copy without its env file). Checks run on an empty environment would report
/// what an empty environment lacks (no HOME, so no GOCACHE; no PATH, so no go) as the
/// machine's errors.
#[must_use]
pub fn skip_all(reason: &str) -> Outcome {
    Outcome {
        findings: checks::ALL
            .iter()
            .map(|check| Finding::skipped(check.meta(), reason))
            .collect(),
        result: json!({"go_binary": null, "vars": [], "go_command": null}),
    }
}

/// Names worth finding in startup files: Go's own variables and look-alikes.
fn is_go_variable(name: &str) -> bool {
    KNOWN_ENV.contains(&name)
        || OTHER_GO_VARIABLES.contains(&name)
        || name.starts_with("GO")
        || name.starts_with("CGO_")
}

/// Fills values godiag could not derive (GOROOT behind a wrapper, GOGCCFLAGS) from the go
/// command's own report, keeping their source `unknown`.
fn complete_from_go(env: &mut GoEnv, report: Option<&GoReport>) {
    let Some(GoReport::Values(reported)) = report else {
        return;
    };
    for var in env
        .vars
        .iter_mut()
        .filter(|var| var.source == Source::Unknown)
    {
        if let Some(value) = reported.get(&var.name) {
            var.value = Some(value.clone());
            var.note = Some(format!("as reported by `{GO_ENV_JSON}`"));
        }
    }
}

fn attach_exports(env: &mut GoEnv, exports: &[Export]) {
    for var in &mut env.vars {
        var.exported_in = exports
            .iter()
            .filter(|export| export.name == var.name)
            .map(|export| ExportedIn {
                path: export.path.clone(),
                line: export.line,
                value: export.value.clone(),
                seen_by: export.seen_by.clone(),
            })
            .collect();
    }
}

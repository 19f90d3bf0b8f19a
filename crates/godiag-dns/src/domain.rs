//! Runs the name-resolution domain for one host name: read the configuration and find out
//! which program is diagnosed, predict what it will do, probe the resolvers, run the checks —
//! every step under one deadline.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use godiag_core::finding::Finding;
use godiag_core::host::{CommandLine, Host};
use godiag_core::runner::{self, Task, TaskOutput};
use serde_json::Value;

use crate::checks::{self, Context};
use crate::model::predict;
use crate::model::program::{self, Program, ProgramChoice};
use crate::read::{self, System};

/// What to diagnose.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The host name.
    pub name: String,
    /// The program whose lookups are predicted.
    pub program: ProgramChoice,
    /// Extra servers to ask directly (`--server IP`).
    pub servers: Vec<String>,
}

/// What the domain produced.
#[derive(Debug)]
pub struct Outcome {
    /// Every finding, the runner's own included.
    pub findings: Vec<Finding>,
    /// The structured result (the `.dns` object).
    pub result: Value,
}

/// Runs the domain against `host`, finishing within `deadline`.
#[must_use]
pub fn run(host: Arc<dyn Host>, options: &Options, deadline: Duration) -> Outcome {
    let started = Instant::now();
    let left = || deadline.saturating_sub(started.elapsed());
    let slot: Arc<Mutex<Option<(System, Program)>>> = Arc::new(Mutex::new(None));
    let task = {
        let (host, slot, choice) = (
            Arc::clone(&host),
            Arc::clone(&slot),
            options.program.clone(),
        );
        let budget = left();
        Task::new("read-resolver-configuration", move || {
            let system = read::read(host.as_ref());
            let program = find_program(host.as_ref(), &choice, budget);
            *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some((system, program));
            TaskOutput::default()
        })
    };
    let mut findings = runner::run(vec![task], left()).findings;
    let Some((system, program)) = slot.lock().unwrap_or_else(PoisonError::into_inner).take() else {
        return Outcome {
            findings,
            result: serde_json::json!({"host": options.name}),
        };
    };
    let runtime = program::runtime(|name| host.env_var(name));
    let prediction = predict::predict(&system, &program, &runtime, &options.name);
    let context = Arc::new(Context {
        host,
        name: options.name.clone(),
        system,
        program,
        runtime,
        prediction,
    });
    findings.extend(runner::run_checks(checks::ALL, &context, left()));
    Outcome {
        findings,
        result: crate::domain::result::json(&context),
    }
}

/// The program the user asked about: the go command, or a program built here.
fn find_program(host: &dyn Host, choice: &ProgramChoice, budget: Duration) -> Program {
    if choice.go_command {
        let binary = go_binary(host, budget);
        return program::go_command(
            choice,
            binary.as_ref().map(|(path, info)| (path.as_path(), info)),
        );
    }
    if choice.cgo.is_some() {
        return program::user_program(choice, None);
    }
    let env = godiag_goenv::resolve::resolve(host, godiag_goenv::gocmd::find(host), None);
    let cgo = env.var("CGO_ENABLED").and_then(|var| var.value.clone());
    program::user_program(choice, cgo.as_deref())
}

/// The real go binary: the one on PATH, or `$GOROOT/bin/go` behind a wrapper script.
fn go_binary(
    host: &dyn Host,
    budget: Duration,
) -> Option<(PathBuf, godiag_goenv::buildinfo::BuildInfo)> {
    let found = godiag_goenv::gocmd::find(host)?;
    if let Some(build) = found.build.clone() {
        return Some((found.real_path, build));
    }
    let goroot = host
        .env_var("GOROOT")
        .filter(|g| !g.is_empty())
        .or_else(|| {
            let command = CommandLine::new(found.path.clone(), &["env", "GOROOT"]);
            let output = host.run(&command, budget).ok()?;
            Some(String::from_utf8_lossy(&output.stdout).trim().to_owned())
                .filter(|g| !g.is_empty())
        })?;
    program::read_build(host, &PathBuf::from(goroot).join("bin/go"))
}

pub mod result;

//! Runs independent tasks concurrently under one deadline.
//!
//! Each task runs on its own thread. When the deadline passes, the runner stops waiting and
//! reports every unfinished task as a `CORE001` finding instead of hanging; a task that
//! panics becomes `CORE002`. Abandoned threads are left to finish or die with the process:
//! no probe may hold the report hostage.

use std::any::Any;
use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use crate::check::core_checks::{CHECK_FAILED, CHECK_TIMED_OUT};
use crate::finding::{Evidence, Finding};
use crate::host::Host as _;

/// What a task hands back: findings plus an optional structured result.
#[derive(Debug, Default)]
pub struct TaskOutput {
    /// The task's findings.
    pub findings: Vec<Finding>,
    /// The task's structured result, keyed by the task name in the runner's output.
    pub result: Option<serde_json::Value>,
}

impl From<Vec<Finding>> for TaskOutput {
    fn from(findings: Vec<Finding>) -> Self {
        Self {
            findings,
            result: None,
        }
    }
}

type TaskFn = Box<dyn FnOnce() -> TaskOutput + Send + 'static>;

/// A named unit of work.
pub struct Task {
    name: String,
    work: TaskFn,
}

impl Task {
    /// A task with a name (used in timeout findings and as its result key).
    pub fn new(
        name: impl Into<String>,
        work: impl FnOnce() -> TaskOutput + Send + 'static,
    ) -> Self {
        Self {
            name: name.into(),
            work: Box::new(work),
        }
    }
}

/// What the runner collected.
#[derive(Debug, Default)]
pub struct RunOutput {
    /// All findings, including the runner's own for late or failed tasks.
    pub findings: Vec<Finding>,
    /// Each finished task's result, by task name, in the order the tasks were given.
    pub results: Vec<(String, serde_json::Value)>,
}

/// Runs `tasks` concurrently and waits at most `deadline` for them.
#[must_use]
pub fn run(tasks: Vec<Task>, deadline: Duration) -> RunOutput {
    let started = Instant::now();
    let (sender, receiver) = mpsc::channel();
    let names: Vec<String> = tasks.iter().map(|task| task.name.clone()).collect();
    for (index, task) in tasks.into_iter().enumerate() {
        let task_sender = sender.clone();
        let work = task.work;
        let spawned = thread::Builder::new()
            .name(format!("godiag-{}", task.name))
            .spawn(move || {
                let outcome = panic::catch_unwind(AssertUnwindSafe(work));
                let _ = task_sender.send((index, outcome));
            });
        if let Err(error) = spawned {
            let _ = sender.send((
                index,
                Err(Box::new(error.to_string()) as Box<dyn Any + Send>),
            ));
        }
    }
    drop(sender);

    let mut outcomes: Vec<Option<thread::Result<TaskOutput>>> =
        names.iter().map(|_| None).collect();
    let mut pending = names.len();
    while pending > 0 {
        let left = deadline.saturating_sub(started.elapsed());
        match receiver.recv_timeout(left) {
            Ok((index, outcome)) => {
                outcomes[index] = Some(outcome);
                pending -= 1;
            }
            Err(_) => break,
        }
    }

    let mut output = RunOutput::default();
    for (name, outcome) in names.into_iter().zip(outcomes) {
        match outcome {
            Some(Ok(task)) => {
                output.findings.extend(task.findings);
                if let Some(result) = task.result {
                    output.results.push((name, result));
                }
            }
            Some(Err(panic)) => output.findings.push(failed(&name, &panic_text(&*panic))),
            None => output.findings.push(timed_out(&name, deadline)),
        }
    }
    output
}

fn timed_out(name: &str, deadline: Duration) -> Finding {
    Finding::new(
        &CHECK_TIMED_OUT,
        format!("`{name}` did not finish within {} ms", deadline.as_millis()),
        "The check was still waiting (on a command, a file or the network) when the deadline \
         passed, so its result is unknown. Re-run with a longer `--deadline` to let it finish.",
    )
    .subject(name)
    .evidence(Evidence::probe(
        format!("deadline {} ms", deadline.as_millis()),
        duration_ms(deadline),
    ))
}

fn failed(name: &str, why: &str) -> Finding {
    Finding::new(
        &CHECK_FAILED,
        format!("`{name}` could not run"),
        why.to_owned(),
    )
    .subject(name)
}

fn panic_text(panic: &(dyn Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|text| (*text).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "the check stopped unexpectedly".to_owned())
}

/// Milliseconds of a duration, saturating.
#[must_use]
pub fn duration_ms(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// Test switch: a check whose slug is this variable's value panics (godiag's own
/// environment, never the diagnosed one).
pub const PANIC_IN: &str = "GODIAG_INTERNAL__PANIC_IN";

/// Runs every check concurrently over a shared context, each as a task under `deadline`.
/// A check with nothing to report yields its `ok` finding.
#[must_use]
pub fn run_checks<C: Send + Sync + 'static>(
    checks: &'static [&'static dyn crate::check::Check<C>],
    context: &std::sync::Arc<C>,
    deadline: Duration,
) -> Vec<Finding> {
    let tasks = checks
        .iter()
        .map(|check| {
            let context = std::sync::Arc::clone(context);
            Task::new(check.meta().slug, move || {
                // A hidden switch for the scenario that proves a crashing check is reported.
                assert!(
                    crate::host::RealHost.env_var(PANIC_IN).as_deref() != Some(check.meta().slug),
                    "{PANIC_IN} asked this check to crash"
                );
                let mut findings = check.run(&context);
                if findings.is_empty() {
                    findings.push(Finding::ok(check.meta()));
                }
                TaskOutput::from(findings)
            })
        })
        .collect();
    run(tasks, deadline).findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;

    #[test]
    fn a_hanging_task_becomes_a_finding_and_the_rest_still_report() {
        let tasks = vec![
            Task::new("fast", || TaskOutput {
                findings: Vec::new(),
                result: Some(serde_json::json!(1)),
            }),
            Task::new("hangs", || {
                thread::sleep(Duration::from_secs(30));
                TaskOutput::default()
            }),
        ];
        let started = Instant::now();
        let output = run(tasks, Duration::from_millis(200));
        assert!(started.elapsed() < Duration::from_secs(2));
        assert_eq!(
            output.results,
            vec![("fast".to_owned(), serde_json::json!(1))]
        );
        assert_eq!(output.findings.len(), 1);
        assert_eq!(output.findings[0].code, "CORE001");
        assert_eq!(output.findings[0].subject.as_deref(), Some("hangs"));
        assert_eq!(output.findings[0].severity, Severity::Warning);
    }

    #[test]
    fn a_panicking_task_becomes_a_finding() {
        let output = run(
            vec![Task::new("boom", || panic!("no such thing"))],
            Duration::from_secs(5),
        );
        assert_eq!(output.findings.len(), 1);
        assert_eq!(output.findings[0].code, "CORE002");
        assert_eq!(output.findings[0].message, "no such thing");
    }

    #[test]
    fn tasks_run_concurrently() {
        let tasks = (0..4)
            .map(|i| {
                Task::new(format!("t{i}"), || {
                    thread::sleep(Duration::from_millis(300));
                    TaskOutput::default()
                })
            })
            .collect();
        let started = Instant::now();
        let output = run(tasks, Duration::from_secs(5));
        assert!(output.findings.is_empty());
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "{:?}",
            started.elapsed()
        );
    }
}

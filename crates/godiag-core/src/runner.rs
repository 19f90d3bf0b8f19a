//! Runs independent tasks concurrently under one deadline.
//!
//! Each task runs on its own thread. When the deadline passes, the runner stops waiting and
//! reports every unfinished task as a `CORE001` finding instead of hanging — unless the task
//! said what it stands for when it is late ([`Task::at_deadline`]: a probe that got no answer
//! is a result, not a failure of godiag); a task that panics becomes `CORE002`. Abandoned
//! threads are left to finish or die with the process: no probe may hold the report hostage.

use std::any::Any;
use std::collections::VecDeque;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, Mutex, PoisonError, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use crate::checks::{CHECK_FAILED, CHECK_TIMED_OUT};
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
type LateFn = Box<dyn FnOnce(Duration) -> TaskOutput + Send + 'static>;

/// A named unit of work.
pub struct Task {
    name: String,
    work: TaskFn,
    late: Option<LateFn>,
}

impl Task {
    /// A task with a name (used in timeout findings and as its result key).
    pub fn new(
        name: impl Into<String>,
        work: impl FnOnce() -> TaskOutput + Send + 'static,
    ) -> Self {
        let name = name.into();
        let reported = name.clone();
        Self {
            name,
            work: Box::new(move || {
                crate::progress::started(&reported);
                work()
            }),
            late: None,
        }
    }

    /// Gives the output that stands for the task when it is still running at the deadline
    /// (called with the deadline), in place of a `CORE001` finding: for a probe whose own
    /// timeout should have ended it, "no answer within the deadline" is the result.
    #[must_use]
    pub fn at_deadline(
        mut self,
        late: impl FnOnce(Duration) -> TaskOutput + Send + 'static,
    ) -> Self {
        self.late = Some(Box::new(late));
        self
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
    let mut late = Vec::with_capacity(tasks.len());
    for (index, task) in tasks.into_iter().enumerate() {
        let task_sender = sender.clone();
        let work = task.work;
        late.push(task.late);
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
    collect(names, outcomes, late, deadline)
}

/// Turns each task's outcome (`None`: still running at the deadline) into the output.
fn collect(
    names: Vec<String>,
    outcomes: Vec<Option<thread::Result<TaskOutput>>>,
    late: Vec<Option<LateFn>>,
    deadline: Duration,
) -> RunOutput {
    let mut output = RunOutput::default();
    for ((name, outcome), late) in names.into_iter().zip(outcomes).zip(late) {
        let outcome = match (outcome, late) {
            (None, Some(late)) => Some(Ok(late(deadline))),
            (outcome, _) => outcome,
        };
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

/// Test switch: a check whose slug is this variable's value panics, and so does a task
/// that calls [`crash_if_asked`] with its name (godiag's own environment, never the
/// diagnosed one).
pub const PANIC_IN: &str = "GODIAG_INTERNAL__PANIC_IN";

/// Panics when [`PANIC_IN`] names `name`: the hidden switch for the scenarios that prove a
/// crashing check or domain is reported.
///
/// # Panics
/// When asked to.
pub fn crash_if_asked(name: &str) {
    assert!(
        crate::host::RealHost.env_var(PANIC_IN).as_deref() != Some(name),
        "{PANIC_IN} asked `{name}` to crash"
    );
}

/// Runs every check concurrently over a shared context, each as a task under `deadline`.
/// A check with nothing to report yields its `ok` finding; one whose
/// [`skip_reason`](crate::check::Check::skip_reason) names a reason yields a skipped one.
///
/// Checks work on what the collection tasks already gathered and take microseconds, so a
/// thread each would cost more than the checks: a few workers (one per CPU) take them in
/// turn. A check that blocks holds up the others for at most [`STALL`]: whenever no check
/// has finished for that long, another worker starts. As with [`run`], a check still
/// running at the deadline becomes `CORE001` and one that panics `CORE002`.
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
                crash_if_asked(check.meta().slug);
                if let Some(reason) = check.skip_reason(&context) {
                    return TaskOutput::from(vec![Finding::skipped(check.meta(), reason)]);
                }
                let mut findings = check.run(&context);
                if findings.is_empty() {
                    findings.push(Finding::ok(check.meta()));
                }
                TaskOutput::from(findings)
            })
        })
        .collect();
    run_pooled(tasks, deadline).findings
}

/// How long pooled tasks may all make no progress before another worker starts.
pub const STALL: Duration = Duration::from_millis(20);

/// Tasks waiting for a worker, in order, with their index.
type Queue = Arc<Mutex<VecDeque<(usize, Task)>>>;

/// Runs short `tasks` on a few workers (see [`run_checks`]) and waits at most `deadline`.
fn run_pooled(tasks: Vec<Task>, deadline: Duration) -> RunOutput {
    let started = Instant::now();
    let names: Vec<String> = tasks.iter().map(|task| task.name.clone()).collect();
    let mut late = Vec::with_capacity(tasks.len());
    let queue: Queue = Arc::new(Mutex::new(
        tasks
            .into_iter()
            .map(|mut task| {
                late.push(task.late.take());
                task
            })
            .enumerate()
            .collect(),
    ));
    let (sender, receiver) = mpsc::channel();
    let workers = thread::available_parallelism()
        .map_or(2, std::num::NonZero::get)
        .min(names.len());
    let mut outcomes: Vec<Option<thread::Result<TaskOutput>>> =
        names.iter().map(|_| None).collect();
    let mut pending = names.len();
    for started in 0..workers {
        if let Err(error) = start_worker(&queue, &sender) {
            if started == 0 {
                // Not one worker: every task fails with the reason.
                for (index, _) in take_all(&queue) {
                    outcomes[index] = Some(Err(Box::new(error.to_string())));
                    pending -= 1;
                }
            }
            break;
        }
    }
    while pending > 0 {
        let left = deadline.saturating_sub(started.elapsed());
        if left.is_zero() {
            break;
        }
        match receiver.recv_timeout(left.min(STALL)) {
            Ok((index, outcome)) => {
                outcomes[index] = Some(outcome);
                pending -= 1;
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if !lock(&queue).is_empty() {
                    let _ = start_worker(&queue, &sender);
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    collect(names, outcomes, late, deadline)
}

type Outcome = (usize, thread::Result<TaskOutput>);

/// Starts a worker that runs queued tasks until none is left.
fn start_worker(queue: &Queue, sender: &mpsc::Sender<Outcome>) -> std::io::Result<()> {
    let (queue, sender) = (Arc::clone(queue), sender.clone());
    thread::Builder::new()
        .name("godiag-checks".to_owned())
        .spawn(move || {
            loop {
                let Some((index, task)) = lock(&queue).pop_front() else {
                    break;
                };
                let outcome = panic::catch_unwind(AssertUnwindSafe(task.work));
                if sender.send((index, outcome)).is_err() {
                    break;
                }
            }
        })
        .map(drop)
}

fn lock(queue: &Queue) -> std::sync::MutexGuard<'_, VecDeque<(usize, Task)>> {
    queue.lock().unwrap_or_else(PoisonError::into_inner)
}

fn take_all(queue: &Queue) -> Vec<(usize, Task)> {
    lock(queue).drain(..).collect()
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
    fn a_late_task_with_a_stand_in_is_its_stand_in_not_a_timeout() {
        let tasks = vec![
            Task::new("hangs", || {
                thread::sleep(Duration::from_secs(30));
                TaskOutput::default()
            })
            .at_deadline(|deadline| TaskOutput {
                findings: Vec::new(),
                result: Some(serde_json::json!(duration_ms(deadline))),
            }),
            Task::new("fast", || {
                TaskOutput::from(vec![Finding::ok(&CHECK_FAILED)])
            })
            .at_deadline(|_| unreachable!("the task finished")),
        ];
        let started = Instant::now();
        let output = run(tasks, Duration::from_millis(100));
        assert!(started.elapsed() < Duration::from_secs(2));
        assert_eq!(
            output.results,
            vec![("hangs".to_owned(), serde_json::json!(100))]
        );
        let codes: Vec<_> = output.findings.iter().map(|f| f.severity).collect();
        assert_eq!(codes, [Severity::Ok], "no CORE001 for the late task");
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

    /// A task that sleeps, then reports an `ok` finding about itself.
    fn sleeper(name: &str, millis: u64) -> Task {
        let subject = name.to_owned();
        Task::new(name, move || {
            thread::sleep(Duration::from_millis(millis));
            TaskOutput::from(vec![Finding::ok(&CHECK_FAILED).subject(subject)])
        })
    }

    #[test]
    fn pooled_tasks_report_in_order_with_panics_and_timeouts() {
        let tasks = vec![
            sleeper("first", 0),
            Task::new("boom", || panic!("no such thing")),
            sleeper("hangs", 30_000),
            sleeper("last", 0),
        ];
        let output = run_pooled(tasks, Duration::from_millis(300));
        let codes: Vec<_> = output
            .findings
            .iter()
            .map(|f| (f.code.as_str(), f.subject.as_deref(), f.severity))
            .collect();
        assert_eq!(
            codes,
            [
                ("CORE002", Some("first"), Severity::Ok),
                ("CORE002", Some("boom"), Severity::Warning),
                ("CORE001", Some("hangs"), Severity::Warning),
                ("CORE002", Some("last"), Severity::Ok),
            ]
        );
    }

    #[test]
    fn pooled_tasks_are_not_held_up_by_blocking_ones() {
        // More blocking tasks than workers, then quick ones: new workers start on stalls.
        let workers = thread::available_parallelism().map_or(2, std::num::NonZero::get);
        let mut tasks: Vec<Task> = (0..=workers)
            .map(|i| sleeper(&format!("blocks{i}"), 30_000))
            .collect();
        tasks.extend((0..5).map(|i| sleeper(&format!("quick{i}"), 1)));
        let started = Instant::now();
        let output = run_pooled(tasks, Duration::from_secs(2));
        assert!(started.elapsed() < Duration::from_secs(3));
        let timed_out: Vec<_> = output
            .findings
            .iter()
            .filter(|f| f.code == "CORE001")
            .filter_map(|f| f.subject.clone())
            .collect();
        assert_eq!(timed_out.len(), workers + 1, "{timed_out:?}");
        assert!(timed_out.iter().all(|name| name.starts_with("blocks")));
        assert_eq!(output.findings.len(), workers + 1 + 5);
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

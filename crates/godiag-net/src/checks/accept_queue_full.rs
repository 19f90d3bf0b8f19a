//! NET006: the listener's accept queue is full.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};

use super::{Context, listener_evidence};

/// A listener has as many connections waiting as its backlog allows.
pub(crate) struct AcceptQueueFull;

const META: CheckMeta = CheckMeta {
    code: "NET006",
    slug: "accept-queue-full",
    domain: Domain::Net,
    severity: Severity::Warning,
    status: CheckStatus::Stable,
    title: "The server's accept queue is full",
    ok_title: "The server accepts connections as they arrive",
    doc: include_str!("../../../../docs/checks/NET006.md"),
};

impl Check<Context> for AcceptQueueFull {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.no_listener().or_else(|| {
            // Without the queue's limit a full queue cannot be told from a busy one.
            if context.listeners.iter().any(|l| l.backlog.is_some()) {
                return None;
            }
            let from_proc = context
                .table
                .as_ref()
                .is_some_and(|table| table.source == crate::model::TableSource::Proc);
            Some(if from_proc {
                "the listener's backlog is not known (/proc/net/tcp does not show it)".to_owned()
            } else {
                "the listener's backlog is not known".to_owned()
            })
        })
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        context
            .listeners
            .iter()
            .filter(|l| l.backlog.is_some_and(|limit| l.accept_queue > limit))
            .map(|listener| {
                let limit = listener.backlog.unwrap_or_default();
                Finding::new(
                    &META,
                    format!(
                        "{} has {} connections waiting, more than its backlog",
                        listener.ss_address, listener.accept_queue
                    ),
                    format!(
                        "The kernel completed {} handshakes that {} has not accept()ed, and the \
                         queue holds at most {limit}. New clients are not refused: their SYNs \
                         are dropped, so they hang and time out (a Linux client gives up after \
                         about 127 s). The server is stuck (blocked in a handler before \
                         Accept, deadlocked) or overloaded.",
                        listener.accept_queue,
                        listener.owner()
                    ),
                )
                .subject(format!("port {}", context.port))
                .evidence(listener_evidence(listener))
                .fix(Fix::manual(format!(
                    "Find what blocks the server: `curl 'http://localhost:{port}/debug/pprof/goroutine?debug=2'` \
                     when net/http/pprof is mounted, or `kill -QUIT {pid}` (a Go program prints \
                     every goroutine's stack to stderr, then exits). `ss -ltn 'sport = :{port}'` \
                     shows the queue (Recv-Q) and its limit (Send-Q).",
                    port = context.port,
                    pid = listener.pid.map_or_else(|| "PID".to_owned(), |pid| pid.to_string()),
                )))
            })
            .collect()
    }
}

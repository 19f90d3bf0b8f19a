//! NET007: the process holding the port cannot be seen.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};

use super::{Context, listener_evidence};

/// A listener's owning process is not visible to godiag.
pub(crate) struct ListenerOwnerHidden;

const META: CheckMeta = CheckMeta {
    code: "NET007",
    slug: "listener-owner-hidden",
    domain: Domain::Net,
    severity: Severity::Info,
    status: CheckStatus::Stable,
    title: "The process that holds the port is not visible",
    ok_title: "Every listener's process is known",
    doc: include_str!("../../../../docs/checks/NET007.md"),
};

impl Check<Context> for ListenerOwnerHidden {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.no_listener()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        context
            .listeners
            .iter()
            .filter(|listener| listener.pid.is_none())
            .map(|listener| {
                let (why, fix) = if context.uid != 0 && listener.uid != context.uid {
                    (
                        format!(
                            "The socket belongs to uid {}, and another user's /proc/PID/fd \
                             cannot be read without root.",
                            listener.uid
                        ),
                        Fix::command(format!("sudo godiag port {}", context.port)),
                    )
                } else {
                    (
                        "No process in this PID namespace holds it: it belongs to a process in \
                         another PID namespace that shares this network namespace (another WSL \
                         distribution, a container started with --network host, a sandbox), or \
                         to the kernel."
                            .to_owned(),
                        Fix::command(format!(
                            "sudo ss -ltnpe 'sport = :{}'   # the uid and inode; in WSL run it in each distribution",
                            context.port
                        )),
                    )
                };
                Finding::new(
                    &META,
                    format!("{} is held by a process godiag cannot see", listener.ss_address),
                    why,
                )
                .subject(format!("port {}", context.port))
                .evidence(listener_evidence(listener))
                .fix(fix)
            })
            .collect()
    }
}

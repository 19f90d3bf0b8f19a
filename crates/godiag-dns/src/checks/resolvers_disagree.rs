//! DNS009: glibc's path and Go's own resolver give different answers for the name.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Evidence, Finding, Fix, Severity};

use super::{Context, fixes, verdict};

/// getaddrinfo resolves and Go's resolver does not, or the other way round.
pub(crate) struct ResolversDisagree;

const META: CheckMeta = CheckMeta {
    code: "DNS009",
    slug: "resolvers-disagree",
    domain: Domain::Dns,
    severity: Severity::Error,
    status: CheckStatus::Stable,
    title: "glibc and Go's resolver disagree about this name",
    ok_title: "glibc and Go's resolver give the same answer",
    doc: include_str!("../../../../docs/checks/DNS009.md"),
};

impl Check<Context> for ResolversDisagree {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context
            .no_path("getaddrinfo", "glibc (getaddrinfo)")
            .or_else(|| context.no_path("go_pure", "Go's own resolver"))
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let Some(verdict) = verdict::verdict(context) else {
            return Vec::new();
        };
        // A path godiag stopped waiting for has not disagreed yet.
        let (Some(glibc), Some(go)) = (
            context.finished_path("getaddrinfo"),
            context.finished_path("go_pure"),
        ) else {
            return Vec::new();
        };
        if glibc.resolved() == go.resolved() {
            return Vec::new();
        }
        let program = &context.program.description;
        let (title, severity) = if verdict.program_fails {
            (
                format!(
                    "{program} cannot resolve `{}`, while other programs can",
                    context.name
                ),
                Severity::Error,
            )
        } else if glibc.resolved() {
            (
                format!(
                    "`{}` resolves through glibc but not through Go's own resolver (the go command, CGO_ENABLED=0 programs)",
                    context.name
                ),
                Severity::Warning,
            )
        } else {
            (
                format!(
                    "`{}` resolves through Go's own resolver but not through glibc (getent, curl, git, cgo programs)",
                    context.name
                ),
                Severity::Warning,
            )
        };
        let fix = if go.resolved() {
            fixes::hosts_line_fix(context, "let glibc reach DNS too").unwrap_or_else(|| {
                Fix::manual("make the hosts line reach `dns` (or `resolve`) for this name")
            })
        } else if context.prediction.conf.cgo_available {
            Fix::command(
                "GODEBUG=netdns=cgo ./yourprogram   # or build with -tags netcgo: Go then asks glibc, like getent",
            )
        } else {
            Fix::manual(format!(
                "{program} has no cgo resolver: make the name resolvable from resolv.conf's servers \
                 (point /etc/resolv.conf at 127.0.0.53 when systemd-resolved knows it, or list the \
                 server that does), or rebuild your program with CGO_ENABLED=1"
            ))
        };
        let mut finding = Finding::new(
            &META,
            title,
            format!(
                "The paths part at {}: {}.",
                verdict::layer_title(verdict.layer),
                verdict.text
            ),
        )
        .severity(severity)
        .subject(context.name.clone());
        for path in [glibc, go] {
            finding = finding.evidence(Evidence::probe(
                format!(
                    "{}: {}{}",
                    path.name,
                    if path.resolved() {
                        path.addresses.join(" ")
                    } else {
                        path.error.clone().unwrap_or_default()
                    },
                    path.detail
                        .as_ref()
                        .map(|d| format!(" ({d})"))
                        .unwrap_or_default()
                ),
                path.duration_ms,
            ));
        }
        vec![
            finding
                .evidence(Evidence::command(format!(
                    "getent ahosts {0}; GODEBUG=netdns=go+2 ./yourprogram   # compare both paths",
                    context.name
                )))
                .fix(fix),
        ]
    }
}

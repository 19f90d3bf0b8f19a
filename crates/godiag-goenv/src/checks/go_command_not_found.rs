//! GO017: no go command on PATH.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Evidence, Finding, Fix, Severity};

use super::Context;
use crate::model::Source;
use crate::paths::join;

/// No `go` on PATH: godiag says which values it therefore cannot know.
pub(crate) struct GoCommandMissing;

const META: CheckMeta = CheckMeta {
    code: "GO017",
    slug: "go-command-not-found",
    domain: Domain::Go,
    severity: Severity::Warning,
    status: CheckStatus::Stable,
    title: "No go command on PATH",
    ok_title: "A go command is on PATH",
    doc: include_str!("../../../../docs/checks/GO017.md"),
};

impl Check<Context> for GoCommandMissing {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.go_search_unfinished()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        if context.env.go_binary.is_some() || !context.go_search_finished {
            return Vec::new();
        }
        let unknown: Vec<&str> = context
            .env
            .vars
            .iter()
            .filter(|var| var.source == Source::Unknown)
            .map(|var| var.name.as_str())
            .collect();
        let path = context.env.os_env.get("PATH").cloned().unwrap_or_default();
        let goroot = context.env.value("GOROOT");
        let fix = if !goroot.is_empty()
            && context
                .host
                .is_executable(std::path::Path::new(&join(goroot, "bin/go")))
        {
            Fix::command(format!(
                "export PATH=\"$PATH:{}\"   # and in ~/.profile",
                join(goroot, "bin")
            ))
        } else {
            Fix::manual(
                "install Go (https://go.dev/dl/ or your package manager) and put its bin directory on PATH",
            )
        };
        vec![
            Finding::new(
                &META,
                "go is not on PATH",
                format!(
                    "Everything else was computed from the environment and files, but without the go \
                     command godiag cannot know: {}.",
                    unknown.join(", ")
                ),
            )
            .subject("go")
            .evidence(Evidence::command(format!("command -v go  →  not found in PATH={path}")))
            .fix(fix),
        ]
    }
}

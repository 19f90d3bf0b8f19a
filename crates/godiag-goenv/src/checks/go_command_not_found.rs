//! GO017: no go command on PATH.

use std::path::{Path, PathBuf};

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Evidence, Finding, Fix, Severity};
use godiag_core::host::{FileMeta, UserIds};

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
        if !context.go_search_finished {
            return Vec::new();
        }
        if let Some(blocked) = not_executable(context) {
            return vec![blocked];
        }
        if context.env.go_binary.is_some() {
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

/// A `go` on PATH this user may not execute: the first one found, or the one godiag picked
/// when only another user could run it. The shell and `exec.LookPath` (Go's `lp_unix.go` uses
/// `eaccess(X_OK)`) skip it, so `go` fails as "not found" although it is installed; the fix
/// is its mode, not a new install.
fn not_executable(context: &Context) -> Option<Finding> {
    let user = context.host.user();
    let path = context.env.os_env.get("PATH")?;
    let (candidate, meta) = path
        .split(':')
        .filter(|dir| !dir.is_empty())
        .map(|dir| Path::new(dir).join("go"))
        .find_map(|candidate| {
            let meta = context.host.metadata(&candidate).ok()?;
            meta.is_file.then_some((candidate, meta))
        })?;
    if may_execute(&meta, &user) {
        return None;
    }
    Some(blocked_finding(&candidate, &meta, &user))
}

/// Whether `user` has the execute bit that applies to it (root needs any one).
fn may_execute(meta: &FileMeta, user: &UserIds) -> bool {
    let bit = if user.uid == 0 {
        0o111
    } else if user.uid == meta.uid {
        0o100
    } else if user.gids.contains(&meta.gid) {
        0o010
    } else {
        0o001
    };
    meta.mode & bit != 0
}

fn blocked_finding(path: &PathBuf, meta: &FileMeta, user: &UserIds) -> Finding {
    let shown = path.display();
    let fix = if user.uid == meta.uid {
        format!("chmod a+rx {shown}")
    } else {
        format!("sudo chmod a+rx {shown}   # it belongs to uid {}", meta.uid)
    };
    Finding::new(
        &META,
        format!("{shown} is on PATH but this user cannot execute it"),
        format!(
            "Go is installed at {shown}, but its mode {:04o} gives uid {} no execute permission, \
             so the shell and Go programs report `go` as not found. Installing Go again does \
             not help; the mode does.",
            meta.mode, user.uid
        ),
    )
    .subject("go")
    .location(godiag_core::finding::Location::file(path))
    .evidence(Evidence::file(format!(
        "{shown}: mode {:04o}, owner uid {} gid {}; this user is uid {}",
        meta.mode, meta.uid, meta.gid, user.uid
    )))
    .fix(Fix::command(fix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_execute_bit_that_applies_decides() {
        let meta = |mode, uid, gid| FileMeta {
            is_dir: false,
            is_file: true,
            mode,
            uid,
            gid,
            len: 1,
        };
        let user = |uid, gids: &[u32]| UserIds {
            uid,
            gids: gids.to_vec(),
        };
        assert!(may_execute(&meta(0o755, 0, 0), &user(1000, &[1000])));
        assert!(!may_execute(&meta(0o644, 0, 0), &user(0, &[0])));
        assert!(may_execute(&meta(0o700, 5, 5), &user(0, &[0])));
        assert!(!may_execute(&meta(0o700, 0, 0), &user(1000, &[1000])));
        assert!(may_execute(&meta(0o750, 0, 1000), &user(1000, &[1000])));
        assert!(!may_execute(&meta(0o075, 1000, 0), &user(1000, &[1000])));
    }
}

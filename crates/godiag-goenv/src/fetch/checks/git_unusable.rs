//! GO029: direct mode needs git, and git is missing, fails to run, or is too old.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Evidence, Finding, Fix, Severity};

use super::FetchContext;
use crate::fetch::git::{GitVersionError, MIN_GIT, parse_version};

/// git cannot serve direct mode.
pub(crate) struct GitUnusable;

const META: CheckMeta = CheckMeta {
    code: "GO029",
    slug: "git-unusable",
    domain: Domain::Go,
    severity: Severity::Error,
    status: CheckStatus::Stable,
    title: "Direct mode needs git, and git is missing or too old",
    ok_title: "git is available for direct mode",
    doc: include_str!("../../../../../docs/checks/GO029.md"),
};

impl Check<FetchContext> for GitUnusable {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &FetchContext) -> Option<String> {
        context.no_git()
    }

    fn run(&self, context: &FetchContext) -> Vec<Finding> {
        let Some(git) = &context.report.git else {
            return Vec::new();
        };
        let module = context.report.fetched_module();
        if let Some(error) = &git.version_error {
            let missing = matches!(error, GitVersionError::NotFound);
            let title = if missing {
                "git is not installed: direct mode cannot fetch the module".to_owned()
            } else {
                "git does not run: direct mode cannot fetch the module".to_owned()
            };
            return vec![
                Finding::new(
                    &META,
                    title,
                    format!(
                        "{module} is fetched directly from {} (GOPROXY has `direct`, or \
                         GOPRIVATE/GONOPROXY match it), which the go command does with git. It \
                         stops with:\n\tgo: {module}@...: unable to resolve git version: {error}",
                        git.url
                    ),
                )
                .subject(module.to_owned())
                .evidence(Evidence::command(format!("git version  →  {error}")))
                .fix(Fix::command(
                    "sudo apt-get install git   # or your system's package manager; then: git version",
                )),
            ];
        }
        let Some((text, major, minor)) = git
            .version
            .as_deref()
            .and_then(|v| parse_version(&format!("git version {v}")))
        else {
            return Vec::new();
        };
        if (major, minor) >= MIN_GIT {
            return Vec::new();
        }
        vec![
            Finding::new(
                &META,
                format!("git {text} is older than the go command supports"),
                format!(
                    "The go command runs `git ls-remote -q --end-of-options URL`; git before \
                     {}.{} does not know --end-of-options, so the direct fetch of {module} fails \
                     with a git usage error.",
                    MIN_GIT.0, MIN_GIT.1
                ),
            )
            .subject(module.to_owned())
            .evidence(Evidence::command(format!("git version  →  {text}")))
            .fix(Fix::command("sudo apt-get install git   # a current git")),
        ]
    }
}

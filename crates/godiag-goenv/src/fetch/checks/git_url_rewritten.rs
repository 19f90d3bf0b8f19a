//! GO031: git rewrites the repository URL (`url.<base>.insteadOf`), so it contacts another
//! address, often over SSH, than the one the go command names.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Evidence, Finding, Fix, Location, Severity};

use super::FetchContext;

/// A git config rule rewrites the URL.
pub(crate) struct GitUrlRewritten;

const META: CheckMeta = CheckMeta {
    code: "GO031",
    slug: "git-url-rewritten",
    domain: Domain::Go,
    severity: Severity::Info,
    status: CheckStatus::Stable,
    title: "git rewrites the repository URL",
    ok_title: "git contacts the repository URL the go command names",
    doc: include_str!("../../../../../docs/checks/GO031.md"),
};

impl Check<FetchContext> for GitUrlRewritten {
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
        let Some(rewrite) = &git.rewrite else {
            return Vec::new();
        };
        let failed = git.ls_remote_status.is_some();
        let ssh = rewrite.rewritten.starts_with("ssh://") || rewrite.rewritten.contains('@');
        let mut message = format!(
            "{}:{} says `[url \"{}\"] insteadOf = {}`, so git contacts {} when the go command \
             asks for {}.",
            rewrite.file,
            rewrite.line,
            rewrite.base,
            rewrite.instead_of,
            rewrite.rewritten,
            git.url
        );
        if failed {
            message.push_str(" git failed there:\n\t");
            message.push_str(
                &git.ls_remote_stderr
                    .as_deref()
                    .unwrap_or_default()
                    .replace('\n', "\n\t"),
            );
            if ssh {
                message.push_str(
                    "\nOver SSH, git needs a key the server accepts (`ssh -T` to test) and a known \
                     host entry; GIT_TERMINAL_PROMPT does not apply to SSH's own prompts.",
                );
            }
        }
        let severity = if failed {
            Severity::Warning
        } else {
            Severity::Info
        };
        let fix = if ssh {
            let host = rewrite
                .rewritten
                .trim_start_matches("ssh://")
                .split(['/', ':'])
                .next()
                .unwrap_or_default()
                .to_owned();
            Fix::command(format!("ssh -T {host}   # checks the key git will use"))
        } else {
            Fix::command(format!(
                "git ls-remote {}   # what git sees",
                rewrite.rewritten
            ))
        };
        vec![
            Finding::new(
                &META,
                format!("git fetches {} instead of {}", rewrite.rewritten, git.url),
                message,
            )
            .severity(severity)
            .subject(git.url.clone())
            .location(Location::line(&rewrite.file, rewrite.line))
            .evidence(Evidence::file(format!(
                "{}:{}: insteadOf = {}",
                rewrite.file, rewrite.line, rewrite.instead_of
            )))
            .fix(fix),
        ]
    }
}

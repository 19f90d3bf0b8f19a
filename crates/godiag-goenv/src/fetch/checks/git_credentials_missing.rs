//! GO030: git needs credentials for the repository and cannot ask for them, or is allowed
//! to ask and will wait for a person.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Evidence, Finding, Fix, Severity};

use super::{FetchContext, private_pattern};

/// git cannot authenticate to the repository without a prompt.
pub(crate) struct GitCredentialsMissing;

const META: CheckMeta = CheckMeta {
    code: "GO030",
    slug: "git-credentials-missing",
    domain: Domain::Go,
    severity: Severity::Error,
    status: CheckStatus::Stable,
    title: "git needs credentials for the repository and has none",
    ok_title: "git reaches the repository without prompting",
    doc: include_str!("../../../../../docs/checks/GO030.md"),
};

impl Check<FetchContext> for GitCredentialsMissing {
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
        let stderr = git.ls_remote_stderr.as_deref().unwrap_or_default();
        let host = git
            .url
            .split("://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap_or(&git.url)
            .to_owned();
        let fix = Fix::manual(format!(
            "Give git a credential it can use without asking: a token in ~/.netrc \
             (`machine {host} login USER password TOKEN`), a credential helper \
             (`git config --global credential.helper store`), or SSH: \
             `git config --global url.\"git@{host}:\".insteadOf \"https://{host}/\"` with a \
             loaded key. Keep the module out of public proxies and the checksum database: \
             go env -w GOPRIVATE={}",
            private_pattern(module)
        ));
        if stderr.contains("terminal prompts disabled")
            || stderr.contains("could not read Username")
        {
            return vec![
                Finding::new(
                    &META,
                    format!("git needs a username for {} and may not ask", git.url),
                    format!(
                        "The server wants credentials for {}. The go command runs git with \
                         GIT_TERMINAL_PROMPT=0 (unless you set it), so git cannot ask and the \
                         fetch of {module} fails:\n\t{}",
                        git.url,
                        stderr.replace('\n', "\n\t")
                    ),
                )
                .subject(module.to_owned())
                .evidence(Evidence::command(format!(
                    "git ls-remote -q {}  →  exit {}",
                    git.url,
                    git.ls_remote_status.unwrap_or(-1)
                )))
                .fix(fix),
            ];
        }
        if git.terminal_prompt.as_deref() == Some("1") {
            return vec![
                Finding::new(
                    &META,
                    "GIT_TERMINAL_PROMPT=1: git may stop and wait for a password".to_owned(),
                    format!(
                        "You set GIT_TERMINAL_PROMPT=1, so the go command leaves git's prompt \
                         on. When {} asks for credentials, `go` waits for typing: in CI, an \
                         IDE or `go mod download` in the background it hangs instead of failing.",
                        git.url
                    ),
                )
                .severity(Severity::Warning)
                .subject(module.to_owned())
                .evidence(Evidence::command("environment: GIT_TERMINAL_PROMPT=1"))
                .fix(fix),
            ];
        }
        Vec::new()
    }
}

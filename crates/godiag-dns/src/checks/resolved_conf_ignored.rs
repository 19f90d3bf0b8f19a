//! DNS013: resolved.conf (or a drop-in) has a key or section resolved ignores.

use std::path::Path;

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::edit;
use godiag_core::finding::{Evidence, Finding, Fix, Severity};

use super::Context;
use crate::parse::resolved_conf::MISSPELT_KEYS;

/// `StubListener=` and other keys resolved does not know.
pub(crate) struct ResolvedConfIgnored;

const META: CheckMeta = CheckMeta {
    code: "DNS013",
    slug: "resolved-conf-ignored",
    domain: Domain::Dns,
    severity: Severity::Warning,
    status: CheckStatus::Stable,
    title: "resolved.conf has settings systemd-resolved ignores",
    ok_title: "systemd-resolved understands every setting in its files",
    doc: include_str!("../../../../docs/checks/DNS013.md"),
};

impl Check<Context> for ResolvedConfIgnored {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.system.resolved.settings.files.is_empty().then(|| {
            "there is no resolved.conf: systemd-resolved is not configured here".to_owned()
        })
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        context
            .system
            .resolved
            .ignored
            .iter()
            .map(|(path, ignored)| {
                let meant = MISSPELT_KEYS.iter().find(|(wrong, _)| *wrong == ignored.name);
                let fix = meant
                    .and_then(|(wrong, right)| rename_fix(context, path, ignored.pos.line, wrong, right))
                    .unwrap_or_else(|| {
                        Fix::manual(format!(
                            "correct or remove line {} of {} (see resolved.conf(5) for the keys of [Resolve])",
                            ignored.pos.line,
                            path.display()
                        ))
                    });
                Finding::new(
                    &META,
                    format!("systemd-resolved ignores `{}` in {}", ignored.name, path.display()),
                    format!(
                        "{}: resolved logs this once at start and goes on without the setting, so \
                         it has no effect.",
                        ignored.why
                    ),
                )
                .subject(context.name.clone())
                .location(godiag_core::finding::Location {
                    path: path.clone(),
                    line: Some(ignored.pos.line),
                    column: Some(ignored.pos.column),
                })
                .evidence(Evidence::file(format!("{}:{}: {}", path.display(), ignored.pos.line, ignored.name)))
                .evidence(Evidence::command("journalctl -u systemd-resolved -b | grep -i 'unknown'"))
                .fix(fix)
            })
            .collect()
    }
}

/// Renames `wrong=` to `right=` on line `line`.
fn rename_fix(context: &Context, path: &Path, line: u32, wrong: &str, right: &str) -> Option<Fix> {
    let planned = edit::plan(context.host.as_ref(), path, |text| {
        let text = text.unwrap_or_default();
        text.split('\n')
            .enumerate()
            .map(|(index, current)| {
                let trimmed = current.trim_start();
                if index + 1 == line as usize
                    && trimmed.starts_with(wrong)
                    && trimmed[wrong.len()..].trim_start().starts_with('=')
                {
                    let indent = &current[..current.len() - trimmed.len()];
                    format!("{indent}{right}{}", &trimmed[wrong.len()..])
                } else {
                    current.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    })
    .ok()?;
    (!planned.is_noop()).then(|| {
        // A typo, but once systemd-resolved reads the setting every lookup may change.
        Fix::edit(
            format!(
                "rename `{wrong}=` to `{right}=`, then `sudo systemctl restart systemd-resolved`"
            ),
            vec![planned.to_fix_edit()],
        )
        .mark_unsafe()
    })
}

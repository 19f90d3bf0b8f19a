//! GO019: lines of the go env file that do not do what they look like.
//!
//! The go command reads its env file byte for byte (cfg.go readEnvFile): an indented line, a
//! lowercase key or `export` is skipped; quotes and a CR are part of the value. Files edited
//! by hand, or copied from a shell script, hit all of these. The fix is an edit, applied with
//! `godiag go env --fix`.

use std::path::Path;

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::edit;
use godiag_core::finding::{Evidence, Finding, Fix, Location, Severity};

use super::Context;
use crate::envfile::{EnvFile, IgnoredReason};

/// A go env file line that is skipped or whose value carries quotes or a CR.
pub(crate) struct GoenvFileLineIgnored;

const META: CheckMeta = CheckMeta {
    code: "GO019",
    slug: "goenv-file-line-ignored",
    domain: Domain::Go,
    severity: Severity::Warning,
    status: CheckStatus::Stable,
    title: "A go env file line does not do what it looks like",
    ok_title: "Every line of the go env file is read as written",
    doc: include_str!("../../../../docs/checks/GO019.md"),
};

impl Check<Context> for GoenvFileLineIgnored {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        if unreadable(context).is_some() {
            return None;
        }
        context.no_goenv_file()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let Some(file) = &context.env.user_file else {
            return unreadable(context).into_iter().collect();
        };
        let mut problems: Vec<(u32, String, String)> = Vec::new();
        for ignored in &file.ignored {
            let why = match ignored.reason {
                IgnoredReason::Indented => {
                    "it is indented, and Go only reads lines that start with a capital letter"
                }
                IgnoredReason::NotUppercaseStart => {
                    "it does not start with a capital letter (lowercase key, `export`, a quote), so Go skips it"
                }
                IgnoredReason::Overridden => "a later line sets the same variable",
            };
            problems.push((ignored.line, ignored.text.clone(), why.to_owned()));
        }
        for (name, entry) in &file.entries {
            let quoted = entry.value.len() >= 2
                && ((entry.value.starts_with('"') && entry.value.ends_with('"'))
                    || (entry.value.starts_with('\'') && entry.value.ends_with('\'')));
            if quoted {
                problems.push((
                    entry.line,
                    format!("{name}={}", entry.value),
                    "the quotes are part of the value: Go does no shell quoting here".into(),
                ));
            } else if entry.value.ends_with('\r') {
                problems.push((
                    entry.line,
                    format!("{name}={}", entry.value.trim_end_matches('\r')),
                    "the line ends in CR (a Windows line ending), which becomes part of the value"
                        .into(),
                ));
            }
        }
        problems.sort_by_key(|(line, _, _)| *line);
        let fix = planned_fix(context, file);
        problems
            .into_iter()
            .map(|(line, text, why)| {
                let mut finding = Finding::new(
                    &META,
                    format!("{}:{line} is not read as written", file.path.display()),
                    format!("`{text}`: {why}."),
                )
                .location(Location::line(&file.path, line))
                .evidence(Evidence::file(format!(
                    "{}:{line}: {text}",
                    file.path.display()
                )));
                if let Some(name) = text
                    .split('=')
                    .next()
                    .map(|key| key.trim().trim_start_matches("export ").trim())
                {
                    finding = finding.subject(name.to_uppercase());
                }
                if let Some(fix) = &fix {
                    finding = finding.fix(fix.clone());
                }
                finding
            })
            .collect()
    }
}

/// A go env file that exists but cannot be read: the go command skips it without a word
/// (cfg.go `readEnvFile` returns on any `os.ReadFile` error), so every setting in it is not
/// in effect, though `go env -w` wrote it and the user believes it is.
fn unreadable(context: &Context) -> Option<Finding> {
    if context.env.user_file.is_some() {
        return None;
    }
    let path = context.env.value("GOENV");
    if path.is_empty() {
        return None;
    }
    let meta = context.host.metadata(Path::new(path)).ok()?;
    let error = context.host.read_to_string(Path::new(path)).err()?;
    let fix = if meta.is_dir {
        Fix::manual(format!(
            "`{path}` is a directory; move it away, then set values again with `go env -w NAME=VALUE`"
        ))
    } else {
        Fix::command(format!("chmod u+rw {path}   # as the file's owner"))
    };
    Some(
        Finding::new(
            &META,
            format!("the go env file {path} cannot be read"),
            format!(
                "Reading it fails ({error}). The go command ignores an env file it cannot read, \
                 without a warning, so none of its settings (GOPROXY, GOPRIVATE, GOFLAGS, …) is \
                 in effect."
            ),
        )
        .subject("GOENV")
        .location(Location::file(path))
        .evidence(Evidence::file(format!(
            "{path}: mode {:04o}, owner uid {}: {error}",
            meta.mode, meta.uid
        )))
        .fix(fix),
    )
}

fn planned_fix(context: &Context, file: &EnvFile) -> Option<Fix> {
    let planned = edit::plan(context.host.as_ref(), &file.path, |text| {
        normalise(text.unwrap_or_default())
    })
    .ok()?;
    if planned.is_noop() {
        return None;
    }
    Some(Fix::edit(
        "rewrite the go env file the way `go env -w` writes it",
        vec![planned.to_fix_edit()],
    ))
}

/// Rewrites settings so Go reads them as intended: unindented, `export ` dropped, key
/// uppercased, one layer of matching quotes removed, CR removed. Comments and blank lines stay.
#[must_use]
pub(crate) fn normalise(text: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    for line in text.split('\n') {
        let trimmed = line.trim_start().trim_end_matches('\r');
        let body = trimmed
            .strip_prefix("export ")
            .map_or(trimmed, str::trim_start);
        let Some((key, value)) = body.split_once('=') else {
            out.push(line.trim_end_matches('\r').to_owned());
            continue;
        };
        if trimmed.starts_with('#')
            || key.is_empty()
            || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            out.push(line.trim_end_matches('\r').to_owned());
            continue;
        }
        let unquoted = ['"', '\'']
            .iter()
            .find_map(|quote| {
                value
                    .strip_prefix(*quote)
                    .and_then(|rest| rest.strip_suffix(*quote))
            })
            .unwrap_or(value);
        out.push(format!("{}={unquoted}", key.to_ascii_uppercase()));
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn normalises_and_is_idempotent() {
        let input =
            "# mine\n  GOPROXY=https://a\nexport GOFLAGS=\"-v\"\ngoprivate=x\r\nGOSUMDB=off\n";
        let once = normalise(input);
        assert_eq!(
            once,
            "# mine\nGOPROXY=https://a\nGOFLAGS=-v\nGOPRIVATE=x\nGOSUMDB=off\n"
        );
        assert_eq!(normalise(&once), once);
    }
}

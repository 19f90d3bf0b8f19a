//! Direct mode's git step, as cmd/go/internal/modfetch/codehost/git.go takes it: `git
//! ls-remote -q --end-of-options URL` (with `GIT_TERMINAL_PROMPT=0` and
//! `GCM_INTERACTIVE=never` unless set), then `git version` on first use of a repository
//! (`gitSupportsSHA256`), and the errors the go command words from them. Also what git
//! itself will do with the URL: `url.<base>.insteadOf` rewrites from the git config files.
//!
//! [`parse_config`] and [`rewrite`] are pure; the rest runs git or reads files through Host.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use godiag_core::host::{CommandLine, Host};
use godiag_core::redact::redact;
use serde::Serialize;

/// What godiag learnt about git for a direct-mode fetch (`.go.fetch.git`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct GitReport {
    /// The repository URL the go command passes to git (credentials redacted).
    pub url: String,
    /// The git found on PATH.
    pub path: Option<String>,
    /// `git version`'s version (`2.47.3`), when it ran.
    pub version: Option<String>,
    /// Why `git version` failed; in the JSON, the go command's words.
    #[serde(serialize_with = "as_message")]
    pub version_error: Option<GitVersionError>,
    /// The `url.<base>.insteadOf` rule git applies to the URL, if any.
    pub rewrite: Option<Rewrite>,
    /// `GIT_TERMINAL_PROMPT` as the user set it (the go command sets `0` when unset).
    pub terminal_prompt: Option<String>,
    /// `git ls-remote`'s exit status, when it ran and failed.
    pub ls_remote_status: Option<i32>,
    /// `git ls-remote`'s standard error, when it failed.
    pub ls_remote_stderr: Option<String>,
}

/// An `insteadOf` rule that applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rewrite {
    /// The URL git really contacts.
    pub rewritten: String,
    /// `url.<base>`.
    pub base: String,
    /// The `insteadOf` prefix that matched.
    pub instead_of: String,
    /// The config file.
    pub file: String,
    /// The 1-based line of the `insteadOf` key in that file.
    pub line: u32,
}

/// One `key = value` of a git config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigEntry {
    /// Section, lower-cased (`url`).
    pub section: String,
    /// Subsection as written (`git@github.com:`).
    pub subsection: Option<String>,
    /// Key, lower-cased (`insteadof`).
    pub key: String,
    /// Value, unquoted.
    pub value: String,
    /// 1-based line.
    pub line: u32,
}

/// The oldest git that understands what the go command passes: codehost/git.go runs
/// `git ls-remote -q --end-of-options URL` (and `fetch`, `log`, `tag` with
/// `--end-of-options`), an option git has had since 2.24.
pub const MIN_GIT: (u64, u64) = (2, 24);

/// Parses a git config file's sections and keys (`[section "sub"]`, `[section.sub]`,
/// `key = value`, quotes, `;`/`#` comments; includes are not followed).
#[must_use]
pub fn parse_config(text: &str) -> Vec<ConfigEntry> {
    let mut out = Vec::new();
    let mut section = String::new();
    let mut subsection: Option<String> = None;
    for (index, raw) in text.lines().enumerate() {
        let line = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let mut rest = raw.trim();
        if let Some(header) = rest.strip_prefix('[') {
            let Some(end) = header.find(']') else {
                continue;
            };
            let inside = &header[..end];
            if let Some((name, sub)) = inside.split_once(char::is_whitespace) {
                section = name.trim().to_ascii_lowercase();
                let sub = sub.trim();
                subsection = Some(
                    sub.strip_prefix('"')
                        .and_then(|s| s.strip_suffix('"'))
                        .unwrap_or(sub)
                        .replace("\\\"", "\"")
                        .replace("\\\\", "\\"),
                );
            } else if let Some((name, sub)) = inside.split_once('.') {
                section = name.to_ascii_lowercase();
                subsection = Some(sub.to_ascii_lowercase());
            } else {
                section = inside.trim().to_ascii_lowercase();
                subsection = None;
            }
            rest = header[end + 1..].trim();
            if rest.is_empty() {
                continue;
            }
        }
        if rest.is_empty() || rest.starts_with(';') || rest.starts_with('#') {
            continue;
        }
        let (key, value) = rest.split_once('=').unwrap_or((rest, "true"));
        out.push(ConfigEntry {
            section: section.clone(),
            subsection: subsection.clone(),
            key: key.trim().to_ascii_lowercase(),
            value: config_value(value),
            line,
        });
    }
    out
}

/// A value: quotes removed, escapes resolved, an unquoted comment cut off.
fn config_value(raw: &str) -> String {
    let mut out = String::new();
    let mut quoted = false;
    let mut chars = raw.trim().chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => quoted = !quoted,
            '\\' => match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => {}
            },
            ';' | '#' if !quoted => break,
            other => out.push(other),
        }
    }
    out.trim_end().to_owned()
}

/// The git config files git reads for a user, in order: system, global (XDG, then
/// `~/.gitconfig`), honouring `GIT_CONFIG_NOSYSTEM`, `GIT_CONFIG_SYSTEM` and
/// `GIT_CONFIG_GLOBAL`.
#[must_use]
pub fn config_files(env: &BTreeMap<String, String>) -> Vec<String> {
    let set = |name: &str| env.get(name).filter(|v| !v.is_empty()).cloned();
    let mut files = Vec::new();
    let nosystem = set("GIT_CONFIG_NOSYSTEM").is_some_and(|v| v != "0" && v != "false");
    if !nosystem {
        files.push(set("GIT_CONFIG_SYSTEM").unwrap_or_else(|| "/etc/gitconfig".to_owned()));
    }
    if let Some(global) = set("GIT_CONFIG_GLOBAL") {
        files.push(global);
    } else {
        let home = set("HOME");
        match set("XDG_CONFIG_HOME") {
            Some(xdg) => files.push(format!("{xdg}/git/config")),
            None => {
                if let Some(home) = &home {
                    files.push(format!("{home}/.config/git/config"));
                }
            }
        }
        if let Some(home) = home {
            files.push(format!("{home}/.gitconfig"));
        }
    }
    files
}

/// git's `url.<base>.insteadOf`: the longest matching prefix wins (later files win ties).
#[must_use]
pub fn rewrite(url: &str, rules: &[(String, ConfigEntry)]) -> Option<Rewrite> {
    rules
        .iter()
        .filter(|(_, entry)| entry.section == "url" && entry.key == "insteadof")
        .filter(|(_, entry)| url.starts_with(&entry.value) && !entry.value.is_empty())
        .fold(None::<&(String, ConfigEntry)>, |best, rule| match best {
            Some(best) if best.1.value.len() > rule.1.value.len() => Some(best),
            _ => Some(rule),
        })
        .and_then(|(file, entry)| {
            let base = entry.subsection.clone()?;
            Some(Rewrite {
                rewritten: format!("{base}{}", &url[entry.value.len()..]),
                base,
                instead_of: entry.value.clone(),
                file: file.clone(),
                line: entry.line,
            })
        })
}

/// Reads the config files and finds the rewrite for `url`.
#[must_use]
pub fn find_rewrite(host: &dyn Host, env: &BTreeMap<String, String>, url: &str) -> Option<Rewrite> {
    let rules: Vec<(String, ConfigEntry)> = config_files(env)
        .into_iter()
        .filter_map(|file| {
            let text = host.read_to_string(Path::new(&file)).ok()?;
            Some(
                parse_config(&text)
                    .into_iter()
                    .map(move |entry| (file.clone(), entry)),
            )
        })
        .flatten()
        .collect();
    rewrite(url, &rules)
}

/// Parses `git version 2.47.3` (codehost `gitVersLineExtract`) into (major, minor).
#[must_use]
pub fn parse_version(output: &str) -> Option<(String, u64, u64)> {
    let rest = output.split("git version").nth(1)?.trim_start();
    let number: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let mut parts = number.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((number.trim_end_matches('.').to_owned(), major, minor))
}

/// The environment the go command gives git.
#[must_use]
pub fn git_env(host: &dyn Host) -> BTreeMap<String, String> {
    let mut env: BTreeMap<String, String> = host.env_vars().into_iter().collect();
    // modload/init.go: prompts are turned off unless the user set GIT_TERMINAL_PROMPT.
    if env.get("GIT_TERMINAL_PROMPT").is_none_or(String::is_empty) {
        env.insert("GIT_TERMINAL_PROMPT".to_owned(), "0".to_owned());
    }
    if env.get("GCM_INTERACTIVE").is_none_or(String::is_empty) {
        env.insert("GCM_INTERACTIVE".to_owned(), "never".to_owned());
    }
    env
}

/// Why `git version` gave no version. The message is the go command's wording after
/// `unable to resolve git version: ` (codehost/git.go `gitSupportsSHA256`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GitVersionError {
    /// No `git` on PATH.
    #[error("failed to execute git version: exec: \"git\": executable file not found in $PATH")]
    NotFound,
    /// git ran and exited non-zero (`-1` when it was killed by a signal).
    #[error("failed to execute git version: exit status {status}")]
    Exit {
        /// The exit status.
        status: i32,
    },
    /// git could not be started; the I/O error's text (kept as text so reports stay
    /// comparable and cloneable).
    #[error("failed to execute git version: {message}")]
    Spawn {
        /// The operating system's message.
        message: String,
    },
    /// git printed something that is not `git version X.Y...`.
    #[error("git version extraction regexp did not match version line: {output:?}")]
    Unparsable {
        /// What git printed.
        output: String,
    },
}

/// Runs `git version` and returns the version it prints (`2.47.3`).
///
/// # Errors
///
/// [`GitVersionError`] when git is missing, does not run or prints no version.
pub fn run_version(host: &dyn Host, timeout: Duration) -> Result<String, GitVersionError> {
    if host.which("git").is_none() {
        return Err(GitVersionError::NotFound);
    }
    let mut command = CommandLine::new("git", &["version"]);
    command.env = Some(git_env(host));
    match host.run(&command, timeout) {
        Ok(output) if output.status == Some(0) => {
            let text = String::from_utf8_lossy(&output.stdout).into_owned();
            parse_version(&text)
                .map(|(v, ..)| v)
                .ok_or(GitVersionError::Unparsable { output: text })
        }
        Ok(output) => Err(GitVersionError::Exit {
            status: output.status.unwrap_or(-1),
        }),
        Err(error) => Err(GitVersionError::Spawn {
            message: error.to_string(),
        }),
    }
}

/// Serializes an optional error as its message, the report's stable string form.
#[allow(
    clippy::ref_option,
    reason = "serde's serialize_with passes the field by reference"
)]
fn as_message<S: serde::Serializer>(
    error: &Option<GitVersionError>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match error {
        Some(error) => serializer.collect_str(error),
        None => serializer.serialize_none(),
    }
}

/// What `git ls-remote` gave.
pub struct LsRemote {
    /// The refs, when it succeeded.
    pub refs: Result<Vec<String>, String>,
    /// Exit status and standard error of a failure.
    pub failure: Option<(Option<i32>, String)>,
    /// How long it took.
    pub duration: Duration,
    /// True when git ran at all.
    pub ran: bool,
}

/// `git ls-remote -q --end-of-options URL` as the go command runs it; the error is its
/// `RunError` text (`CMD in DIR: exit status N:\n\tSTDERR`, plus the help for a refused
/// username prompt).
#[must_use]
pub fn ls_remote(host: &dyn Host, url: &str, dir: &str, timeout: Duration) -> LsRemote {
    let started = Instant::now();
    let mut command = CommandLine::new("git", &["ls-remote", "-q", "--end-of-options", url]);
    command.env = Some(git_env(host));
    let display = format!("git ls-remote -q --end-of-options {} in {dir}", redact(url));
    if host.which("git").is_none() {
        return LsRemote {
            refs: Err(format!(
                "{display}: exec: \"git\": executable file not found in $PATH"
            )),
            failure: None,
            duration: started.elapsed(),
            ran: false,
        };
    }
    let result = host.run(&command, timeout);
    let duration = started.elapsed();
    match result {
        Ok(output) if output.status == Some(0) => LsRemote {
            refs: Ok(String::from_utf8_lossy(&output.stdout)
                .lines()
                .filter_map(|line| line.split_whitespace().nth(1).map(str::to_owned))
                .collect()),
            failure: None,
            duration,
            ran: true,
        },
        Ok(output) => {
            let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
            let trimmed = stderr.trim_end_matches('\n');
            let mut text = format!("{display}: exit status {}", output.status.unwrap_or(-1));
            if !trimmed.is_empty() {
                text = format!("{text}:\n\t{}", trimmed.replace('\n', "\n\t"));
            }
            if stderr.contains("fatal: could not read Username") {
                text.push_str("\nConfirm the import path was entered correctly.\nIf this is a private repository, see https://go.dev/doc/faq#git_https for additional information.");
            }
            LsRemote {
                refs: Err(redact(&text)),
                failure: Some((output.status, redact(trimmed))),
                duration,
                ran: true,
            }
        }
        Err(error) => LsRemote {
            refs: Err(format!("{display}: {error}")),
            failure: None,
            duration,
            ran: false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_git_is_told_apart_and_reported_in_the_go_commands_words() {
        let root = tempfile::tempdir().unwrap();
        let host = godiag_core::host::FixtureHost::new(root.path(), BTreeMap::new());
        let error = run_version(&host, Duration::from_secs(1)).unwrap_err();
        assert_eq!(error, GitVersionError::NotFound);
        let report = GitReport {
            version_error: Some(error),
            ..GitReport::default()
        };
        assert_eq!(
            serde_json::to_value(&report).unwrap()["version_error"],
            "failed to execute git version: exec: \"git\": executable file not found in $PATH"
        );
    }

    const CONFIG: &str = r#"[user]
	name = U
[url "git@github.com:"]
	insteadOf = https://github.com/
[url "ssh://git@github.com/corp/"]
	insteadOf = "https://github.com/corp/" ; the company
[core]
	editor = vi # comment
"#;

    #[test]
    fn config_sections_and_values() {
        let entries = parse_config(CONFIG);
        assert_eq!(entries[1].subsection.as_deref(), Some("git@github.com:"));
        assert_eq!(entries[2].value, "https://github.com/corp/");
        assert_eq!(entries[2].line, 6);
        assert_eq!(entries[3].value, "vi");
    }

    #[test]
    fn longest_insteadof_wins() {
        let rules: Vec<(String, ConfigEntry)> = parse_config(CONFIG)
            .into_iter()
            .map(|e| ("/home/u/.gitconfig".to_owned(), e))
            .collect();
        let corp = rewrite("https://github.com/corp/lib", &rules).unwrap();
        assert_eq!(corp.rewritten, "ssh://git@github.com/corp/lib");
        let other = rewrite("https://github.com/user/repo", &rules).unwrap();
        assert_eq!(other.rewritten, "git@github.com:user/repo");
        assert_eq!(other.line, 4);
        assert!(rewrite("https://gitlab.com/x", &rules).is_none());
    }

    #[test]
    fn config_file_order() {
        let env: BTreeMap<String, String> = [("HOME", "/h"), ("XDG_CONFIG_HOME", "/x")]
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        assert_eq!(
            config_files(&env),
            ["/etc/gitconfig", "/x/git/config", "/h/.gitconfig"]
        );
    }

    #[test]
    fn versions() {
        assert_eq!(
            parse_version("git version 2.47.3\n").map(|v| (v.1, v.2)),
            Some((2, 47))
        );
        assert_eq!(
            parse_version("git version 2.39.5 (Apple Git-154)").map(|v| v.0),
            Some("2.39.5".to_owned())
        );
        assert_eq!(parse_version("hub version 1"), None);
    }
}

//! The name-resolution part of `godiag doctor`: the hosts that matter to the go command on
//! this machine — those named by GOPRIVATE, GONOPROXY and GOPROXY, and the targets of git
//! `url.<base>.insteadOf` rewrites — each diagnosed as the go command resolves it.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use godiag_core::host::Host;
use godiag_core::net::Network;
use godiag_core::runner::{self, Task, TaskOutput};
use godiag_go::goproxy::{self, ProxyEntry};
use serde_json::{Value, json};

use crate::domain::{self, Options, Outcome};
use crate::model::program::ProgramChoice;

/// Why a host is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleHost {
    /// The host name.
    pub name: String,
    /// Where it was named, e.g. `GOPRIVATE` or `~/.gitconfig url.<base>.insteadOf`.
    pub from: String,
}

/// The host part of a module path pattern or URL; `None` for patterns with wildcards in the
/// host, local paths and IP literals.
fn host_of(text: &str) -> Option<String> {
    let rest = text.split_once("://").map_or(text, |(_, rest)| rest);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    let host = rest.split(['/', ':']).next()?.trim().to_ascii_lowercase();
    let plausible = host.contains('.')
        && !host.contains(['*', '?', '[', '\\'])
        && crate::model::names::domain_name_problem(&host).is_none();
    plausible.then_some(host)
}

/// The Go settings that name module hosts, as `go env` prints them on this machine.
///
/// The caller computes them: the Go environment (with its files and defaults) is another
/// domain's, and the name-resolution domain only needs these values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GoSettings {
    /// `GOPRIVATE` as the go command resolves it (environment, then go env file), or empty.
    pub goprivate: String,
    /// `GONOPROXY` as the go command resolves it (it defaults to `GOPRIVATE`).
    pub gonoproxy: String,
    /// `GOPROXY` as the go command resolves it (the list, `,`/`|` separators kept).
    pub goproxy: String,
}

/// The hosts named by the Go settings and git's URL rewrites, each once.
#[must_use]
pub fn module_hosts(host: &dyn Host, settings: &GoSettings) -> Vec<ModuleHost> {
    let mut hosts: Vec<ModuleHost> = Vec::new();
    let mut add = |name: Option<String>, from: &str| {
        if let Some(name) = name
            && !hosts.iter().any(|h| h.name == name)
        {
            hosts.push(ModuleHost {
                name,
                from: from.to_owned(),
            });
        }
    };
    for (variable, value) in [
        ("GOPRIVATE", &settings.goprivate),
        ("GONOPROXY", &settings.gonoproxy),
    ] {
        for pattern in value.split(',') {
            add(host_of(pattern), variable);
        }
    }
    if let Ok(entries) = goproxy::parse(&settings.goproxy) {
        for entry in entries {
            if let ProxyEntry::Url { url, .. } = entry
                && !url.starts_with("file:")
            {
                add(host_of(&url), "GOPROXY");
            }
        }
    }
    for (path, target) in git_rewrites(host) {
        add(host_of(&target), &format!("{path} url.<base>.insteadOf"));
    }
    hosts
}

/// `[url "BASE"]` sections of the git configuration files: BASE is what git fetches.
fn git_rewrites(host: &dyn Host) -> Vec<(String, String)> {
    let home = host.env_var("HOME").unwrap_or_default();
    let xdg = host
        .env_var("XDG_CONFIG_HOME")
        .filter(|x| !x.is_empty())
        .unwrap_or_else(|| format!("{home}/.config"));
    let files = [
        "/etc/gitconfig".to_owned(),
        format!("{xdg}/git/config"),
        format!("{home}/.gitconfig"),
    ];
    let mut found = Vec::new();
    for file in files {
        let Ok(text) = host.read_to_string(Path::new(&file)) else {
            continue;
        };
        for line in text.lines().map(str::trim) {
            if let Some(rest) = line.strip_prefix("[url")
                && let Some(base) = rest
                    .trim()
                    .strip_prefix('"')
                    .and_then(|r| r.split('"').next())
            {
                found.push((file.clone(), base.to_owned()));
            }
        }
    }
    found
}

/// Diagnoses every host as the go command resolves it, concurrently, within `deadline`: one
/// runner task per host, so a host whose diagnosis panics or overruns becomes
/// `CORE002`/`CORE001` about that host and the others still report.
#[must_use]
pub fn run(
    host: &Arc<dyn Host>,
    hosts: &[ModuleHost],
    network: Option<&Arc<dyn Network>>,
    deadline: Duration,
) -> Outcome {
    let started = Instant::now();
    let choice = ProgramChoice {
        go_command: true,
        ..ProgramChoice::default()
    };
    let program = (!hosts.is_empty())
        .then(|| domain::find_program(host.as_ref(), &choice, None, deadline / 2));
    let left = deadline.saturating_sub(started.elapsed());
    // The domain keeps its own reserve for its checks; a little more lets a diagnosis that
    // ends on time be collected before the runner stops waiting.
    let budget = left.saturating_sub(HOST_MARGIN);
    let tasks = hosts
        .iter()
        .map(|module_host| {
            let host = Arc::clone(host);
            let options = Options {
                name: module_host.name.clone(),
                program: choice.clone(),
                servers: Vec::new(),
                network: network.cloned(),
                known_program: program.clone(),
                cgo_enabled: None,
            };
            let from = module_host.from.clone();
            Task::new(module_host.name.clone(), move || {
                let outcome = domain::run(host, &options, budget);
                let mut result = outcome.result;
                result["named_by"] = json!(from);
                let findings = outcome
                    .findings
                    .into_iter()
                    .map(|mut finding| {
                        finding.subject.get_or_insert_with(|| options.name.clone());
                        finding
                    })
                    .collect();
                TaskOutput {
                    findings,
                    result: Some(result),
                }
            })
        })
        .collect();
    let output = runner::run(tasks, left);
    Outcome {
        findings: output.findings,
        result: Value::Array(
            output
                .results
                .into_iter()
                .map(|(_, result)| result)
                .collect(),
        ),
    }
}

/// Time between the end of a host's diagnosis and the end of the runner's wait for it.
const HOST_MARGIN: Duration = Duration::from_millis(10);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_from_patterns_and_urls() {
        assert_eq!(
            host_of("git.corp.example/team").as_deref(),
            Some("git.corp.example")
        );
        assert_eq!(
            host_of("https://user:pw@goproxy.corp.example:8443/mod").as_deref(),
            Some("goproxy.corp.example")
        );
        assert_eq!(
            host_of("ssh://git@git.corp.example/").as_deref(),
            Some("git.corp.example")
        );
        assert_eq!(
            host_of("git@git.corp.example:team/repo").as_deref(),
            Some("git.corp.example")
        );
        assert_eq!(host_of("*.corp.example"), None);
        assert_eq!(host_of("corp"), None);
        assert_eq!(host_of(""), None);
    }

    #[test]
    fn hosts_from_go_settings_each_once_with_the_first_variable_naming_it() {
        // A root with no git configuration: only the settings name hosts.
        let machine = godiag_core::host::FixtureHost::new(
            Path::new("/nonexistent/godiag-test-root"),
            std::collections::BTreeMap::new(),
        );
        let settings = GoSettings {
            goprivate: "git.corp.example/team,*.wild.example".into(),
            gonoproxy: "git.corp.example,mirror.corp.example".into(),
            goproxy: "https://goproxy.corp.example|file:///srv/mods,direct".into(),
        };
        let hosts: Vec<(String, String)> = module_hosts(&machine, &settings)
            .into_iter()
            .map(|h| (h.name, h.from))
            .collect();
        let expected = [
            ("git.corp.example", "GOPRIVATE"),
            ("mirror.corp.example", "GONOPROXY"),
            ("goproxy.corp.example", "GOPROXY"),
        ]
        .map(|(name, from)| (name.to_owned(), from.to_owned()));
        assert_eq!(hosts, expected);
        // A GOPROXY the go command rejects names no host.
        let rejected = GoSettings {
            goproxy: "ftp://goproxy.corp.example".into(),
            ..GoSettings::default()
        };
        assert_eq!(module_hosts(&machine, &rejected), []);
    }
}

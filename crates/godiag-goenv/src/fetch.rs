//! `godiag go fetch MODULE[@VERSION]`: every step the go command would take to download one
//! module, performed for real under the deadline, and what it means.
//!
//! The settings come from the computed Go environment ([`crate::resolve`]) with their
//! sources. [`walk`] replays cmd/go's GOPROXY walk (`TryProxies`) for `go mod download
//! -json MODULE@VERSION`: the query (`@v/list`, `@latest`, `.info`), then `.mod`, then
//! `.zip` (probed with a one-byte range request, never downloaded). [`direct`] covers
//! direct mode. Requests go through the go command's [`client::Client`] over godiag-core's
//! network seam, so a recorded machine
//! answers from files. The checks in [`checks`] turn the report into findings.

pub mod checks;
pub mod client;
pub mod direct;
pub mod git;
pub mod model;
pub mod netenv;
pub mod probes;
pub mod project;
pub mod sumdb;
pub mod walk;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use godiag_core::finding::Finding;
use godiag_core::host::Host;
use godiag_core::net::Network;
use godiag_core::redact::redact;
use godiag_core::runner::{self, Task, TaskOutput};
use godiag_go::gocmd::{self, GoReport};
use godiag_go::patterns::matches_prefix;
use godiag_go::{escape, goproxy, modcache, semver};
use serde::Serialize;
use serde_json::Value;

use crate::model::{GoEnv, Source};
use crate::resolve;
use checks::FetchContext;
use client::Client;
use model::{Attempt, Outcome};
use walk::Walker;

/// What the user asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The module path.
    pub module: String,
    /// The version or query (`latest` when none was given).
    pub query: String,
    /// True when the user named a version or query (`MODULE@...`); without one, a module
    /// the main module requires is looked up at its required version.
    pub versioned: bool,
}

/// Why `MODULE[@VERSION]` cannot be looked up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TargetError {
    /// The module path is not valid (the go command's own message).
    #[error("{0}")]
    Path(#[from] escape::EscapeError),
}

impl Target {
    /// Parses `MODULE[@VERSION]`; the path must be a valid module path.
    pub fn parse(text: &str) -> Result<Self, TargetError> {
        let (module, query) = text.split_once('@').unwrap_or((text, "latest"));
        escape::check_path(module)?;
        let versioned = text.contains('@') && !query.is_empty();
        let query = if query.is_empty() { "latest" } else { query };
        Ok(Self {
            module: module.to_owned(),
            query: query.to_owned(),
            versioned,
        })
    }
}

/// A setting that shaped the walk, with where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Setting {
    /// The variable.
    pub name: String,
    /// Its effective value.
    pub value: String,
    /// Where the value came from.
    pub source: Source,
}

/// The structured result (`.go.fetch`).
#[derive(Debug, Clone, Serialize)]
pub struct FetchReport {
    /// The module path.
    pub module: String,
    /// The version asked for (`latest` when none was given).
    pub version: String,
    /// True when GOPRIVATE, GONOPROXY or GONOSUMDB matches the path.
    pub private: bool,
    /// The settings that decide the walk, with their sources.
    pub settings: Vec<Setting>,
    /// The GOPROXY list the go command walks (credentials redacted), `noproxy` included.
    pub proxy_list: Vec<String>,
    /// Every step, in order.
    pub attempts: Vec<Attempt>,
    /// How it ends.
    pub outcome: Outcome,
    /// The checksum database step.
    pub sumdb: Value,
    /// What the module cache holds for the version, when GOMODCACHE is known.
    pub module_cache: Option<modcache::CacheEntry>,
    /// The module context of the current directory (go.mod, go.work, vendor), if any.
    pub project: Option<project::Project>,
    /// How the build gets the module; `fetch` unless the project provides it.
    pub resolution: project::Resolution,
    /// What the git step of direct mode found, when it was reached.
    pub git: Option<git::GitReport>,
    /// Requests godiag made beyond the go command's own, to explain a failure (a proxy
    /// that answers 404 to everything, a host that only speaks plain HTTP).
    pub probes: Vec<Attempt>,
    /// The go command whose steps are shown: `go mod download M@V`, or `go build`
    /// when the project decides where the module comes from.
    pub command: String,
}

impl FetchReport {
    /// The module whose requests the attempts show: the replacement when a `replace`
    /// points at another module, else the module asked for.
    #[must_use]
    pub fn fetched_module(&self) -> &str {
        match &self.resolution {
            project::Resolution::ReplaceModule { path, .. } => path,
            _ => &self.module,
        }
    }
}

/// What the command produced.
#[derive(Debug)]
pub struct FetchOutcome {
    /// Every finding.
    pub findings: Vec<Finding>,
    /// The `.go.fetch` object.
    pub result: Value,
}

/// The variables the walk reads.
const SETTINGS: &[&str] = &[
    "GOPROXY",
    "GOPRIVATE",
    "GONOPROXY",
    "GONOSUMDB",
    "GOINSECURE",
    "GOSUMDB",
    "GOFLAGS",
    "GOMODCACHE",
    "GOAUTH",
];

/// Runs `godiag go fetch` for `target` against `host`, making requests through
/// `network` as the go command's client would, finishing within `deadline`.
#[must_use]
pub fn run(
    host: Arc<dyn Host>,
    network: Arc<dyn Network>,
    target: &Target,
    deadline: Duration,
) -> FetchOutcome {
    let started = Instant::now();
    let slot: Arc<Mutex<Option<(GoEnv, FetchReport)>>> = Arc::new(Mutex::new(None));
    let task = {
        let (host, slot, target) = (Arc::clone(&host), Arc::clone(&slot), target.clone());
        let client = Client::for_host(network, Arc::clone(&host));
        // Requests stop early enough for the report to be built within the deadline.
        let margin = (deadline / 10).clamp(Duration::from_millis(30), Duration::from_millis(300));
        let end = started + deadline.saturating_sub(margin);
        Task::new("go-fetch", move || {
            let env = environment(host.as_ref(), end);
            let report = trace(host.as_ref(), &client, &env, &target, end);
            *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some((env, report));
            TaskOutput::default()
        })
    };
    let mut findings = runner::run(vec![task], deadline).findings;
    let Some((env, report)) = slot.lock().unwrap_or_else(PoisonError::into_inner).take() else {
        return FetchOutcome {
            findings,
            result: serde_json::json!({"module": target.module, "version": target.query}),
        };
    };
    let result = serde_json::to_value(&report).unwrap_or(Value::Null);
    let context = Arc::new(FetchContext { host, env, report });
    let left = deadline
        .saturating_sub(started.elapsed())
        .max(Duration::from_millis(50));
    findings.extend(runner::run_checks(checks::ALL, &context, left));
    FetchOutcome { findings, result }
}

/// Computes the Go environment; values godiag cannot derive (GOROOT behind a wrapper) are
/// asked of the go command.
fn environment(host: &dyn Host, end: Instant) -> GoEnv {
    let go = gocmd::find(host);
    let mut env = resolve::resolve(host, go.clone(), None);
    let unknown = SETTINGS.iter().any(|name| {
        env.var(name)
            .is_some_and(|var| var.source == Source::Unknown)
    });
    if let (true, Some(go)) = (unknown, go) {
        let left = end.saturating_duration_since(Instant::now());
        if let (GoReport::Values(values), _) = gocmd::go_env_json(host, &go.path, left) {
            if let Some(goroot) = values.get("GOROOT") {
                env = resolve::resolve(host, Some(go), Some(goroot));
            }
        }
    }
    env
}

/// Replays the go command's steps for `target`.
fn trace(
    host: &dyn Host,
    client: &Client,
    env: &GoEnv,
    target: &Target,
    end: Instant,
) -> FetchReport {
    let settings: Vec<Setting> = SETTINGS
        .iter()
        .filter_map(|name| env.var(name))
        .map(|var| Setting {
            name: var.name.clone(),
            value: redact(var.value.as_deref().unwrap_or_default()),
            source: var.source,
        })
        .collect();
    let private = ["GOPRIVATE", "GONOPROXY", "GONOSUMDB"]
        .iter()
        .any(|name| matches_prefix(env.value(name), &target.module));
    let mut report = FetchReport {
        module: target.module.clone(),
        version: target.query.clone(),
        private,
        settings,
        proxy_list: Vec::new(),
        attempts: Vec::new(),
        outcome: Outcome {
            served_by: None,
            version: None,
            error: None,
        },
        sumdb: Value::Null,
        module_cache: None,
        project: None,
        resolution: project::Resolution::Fetch,
        command: format!("go mod download {}@{}", target.module, target.query),
        git: None,
        probes: Vec::new(),
    };
    let Some(target) = resolve_in_project(host, env, target, &mut report) else {
        return report;
    };
    let target = &target;
    report.private = ["GOPRIVATE", "GONOPROXY", "GONOSUMDB"]
        .iter()
        .any(|name| matches_prefix(env.value(name), &target.module));
    let entries = match goproxy::list(env.value("GOPROXY"), env.value("GONOPROXY")) {
        Ok(entries) => entries,
        Err(error) => {
            report.outcome.error = Some(error);
            return report;
        }
    };
    report.proxy_list = entries.iter().map(|entry| redact(entry.name())).collect();
    let os: BTreeMap<String, String> = env.os_env.clone();
    let goauth = env.value("GOAUTH");
    let mut walker = Walker::new(entries, &target.module, client, host, end);
    env.value("GONOPROXY").clone_into(&mut walker.gonoproxy);
    env.value("GOINSECURE").clone_into(&mut walker.goinsecure);
    walker.auth_off = goauth.trim() == "off";
    if goauth.split(';').any(|method| method.trim() == "netrc") {
        walker.netrc = netenv::load_netrc(host, &os).1;
    }
    let cache = env.value("GOMODCACHE");
    if !cache.is_empty() {
        walker.gomodcache = Some(cache.to_owned());
    }
    let modcache = (!cache.is_empty()).then_some(cache);
    let project = report.project.clone();
    let (outcome, entry) = download(&mut walker, target, modcache, project.as_ref());
    report.outcome = outcome;
    report.module_cache = entry;
    let proxies = walker.entries.clone();
    let go_mod = report.outcome.version.clone().and_then(|version| {
        walker
            .go_mod(&version)
            .ok()
            .map(|(data, _)| (version, data))
    });
    report.git = walker.git.take();
    let (netrc, auth_off) = (walker.netrc.clone(), walker.auth_off);
    report.attempts = walker.attempts;
    let user_goproxy = env
        .var("GOPROXY")
        .is_some_and(|var| matches!(var.source, Source::Environment | Source::GoenvFile));
    let input = probes::ProbeInput {
        entries: &proxies,
        module: &target.module,
        attempts: &report.attempts,
        user_goproxy,
        goinsecure: env.value("GOINSECURE"),
        netrc,
        auth_off,
    };
    report.probes = probes::run(&input, client, host, end);
    if let (Some((version, data)), None) = (go_mod, &report.outcome.error) {
        let mut sums = Walker::new(proxies, &target.module, client, host, end);
        sums.netrc = netenv::load_netrc(host, &os).1;
        let checked = sumdb::check(
            &mut sums,
            env.value("GOSUMDB"),
            env.value("GONOSUMDB"),
            &version,
            Some(&data),
        );
        // A failed checksum-database step fails the download (fetch.go `checkModSum`).
        if let (true, Some(error)) = (checked.used, &checked.error) {
            report.outcome.error = Some(format!("{}@{version}: {error}", target.module));
        }
        report.sumdb = serde_json::to_value(checked).unwrap_or(Value::Null);
    }
    report
}

/// Applies the project around the current directory: returns what to fetch (the module at
/// its required version, or the replacement module), or `None` when the project provides
/// the module or the go command stops before fetching (the report then says why).
fn resolve_in_project(
    host: &dyn Host,
    env: &GoEnv,
    target: &Target,
    report: &mut FetchReport,
) -> Option<Target> {
    let project = match project::load(host, env) {
        Ok(Some(project)) => project,
        Ok(None) => return Some(target.clone()),
        Err(error) => {
            report.outcome.error = Some(error);
            return None;
        }
    };
    if let Some(error) = project.build_error.clone() {
        report.project = Some(project);
        report.outcome.error = Some(error);
        "go build".clone_into(&mut report.command);
        return None;
    }
    let explicit = target.versioned.then_some(target.query.as_str());
    let decision = project.decide(&target.module, explicit);
    report.project = Some(project);
    report.resolution = decision.resolution.clone();
    let version = explicit.map(str::to_owned).or(decision.required.clone());
    if let Some(version) = &version {
        report.version.clone_from(version);
    }
    let served_by = match &decision.resolution {
        project::Resolution::Fetch => {
            let mut target = target.clone();
            if let (None, Some(required)) = (explicit, decision.required) {
                report.command = format!("go mod download {}", target.module);
                target.query = required;
            }
            return Some(target);
        }
        project::Resolution::ReplaceModule { path, version, .. } => {
            return Some(Target {
                module: path.clone(),
                query: version.clone(),
                versioned: true,
            });
        }
        project::Resolution::MainModule { .. } => "main module",
        project::Resolution::Vendor { .. } => "vendor",
        project::Resolution::ReplaceDir { dir, abs, .. } => {
            report.outcome.error = version.as_deref().and_then(|version| {
                project::replace_dir_error(host, &target.module, version, dir, abs)
            });
            "replace"
        }
    };
    report.outcome.version = version;
    "go build".clone_into(&mut report.command);
    if let Some(error) = decision.error {
        report.outcome.error = Some(error);
    }
    if report.outcome.error.is_none() {
        report.outcome.served_by = Some(served_by.to_owned());
    }
    None
}

/// `go mod download -json M@Q`: query, then `.mod`, then `.zip` (the module cache first);
/// returns how it ends and what the module cache holds for the version.
fn download(
    walker: &mut Walker<'_>,
    target: &Target,
    gomodcache: Option<&str>,
    project: Option<&project::Project>,
) -> (Outcome, Option<modcache::CacheEntry>) {
    let fail = |version: &str, error: &model::GoError, query: bool| {
        let invalid = error.invalid_version
            || (query && error.proxy_side && semver::canonical_module_version(version) != version);
        let prefix = if invalid { "invalid version: " } else { "" };
        let text = if error.bare {
            error.text.clone()
        } else {
            format!("{}@{version}: {prefix}{}", target.module, error.text)
        };
        Outcome {
            served_by: None,
            version: None,
            error: Some(text),
        }
    };
    let version = match walker.query(&target.query) {
        Ok((version, _)) => version,
        Err(error) => return (fail(&target.query, &error, true), None),
    };
    let entry =
        gomodcache.and_then(|root| modcache::inspect(walker.host, root, &target.module, &version));
    let go_mod = match walker.go_mod(&version) {
        Ok((data, _)) => data,
        Err(error) => {
            let outcome = Outcome {
                version: Some(version.clone()),
                ..fail(&version, &error, false)
            };
            return (outcome, entry);
        }
    };
    // checkGoMod: go.sum's line for the go.mod must match what was served.
    if let Some(error) = project.and_then(|p| go_sum_mismatch(p, &target.module, &version, &go_mod))
    {
        let outcome = Outcome {
            served_by: None,
            version: Some(version),
            error: Some(error),
        };
        return (outcome, entry);
    }
    let outcome = match walker.zip(&version, entry.as_ref()) {
        Ok(index) => Outcome {
            served_by: Some(index.map_or_else(
                || model::MODULE_CACHE.to_owned(),
                |index| walker.source(index),
            )),
            version: Some(version),
            error: None,
        },
        Err(error) => Outcome {
            version: Some(version.clone()),
            ..fail(&version, &error, false)
        },
    };
    (outcome, entry)
}

/// The go command's text when go.sum contradicts a downloaded go.mod (`haveModSumLocked`).
fn go_sum_mismatch(
    project: &project::Project,
    module: &str,
    version: &str,
    go_mod: &[u8],
) -> Option<String> {
    let hash = godiag_go::dirhash::go_mod_hash(go_mod);
    let line = project.sum_conflict(module, &format!("{version}/go.mod"), &hash)?;
    let name = if line.file.ends_with("go.work.sum") {
        "go.work.sum"
    } else if project.go_work.is_none() {
        "go.sum"
    } else {
        line.file.as_str()
    };
    Some(format!(
        "verifying {module}@{version}/go.mod: checksum mismatch\n\tdownloaded: {hash}\n\t{name}:     {}{GO_SUM_MISMATCH}",
        line.hash
    ))
}

/// fetch.go `goSumMismatch`.
const GO_SUM_MISMATCH: &str = "\n\nSECURITY ERROR\nThis download does NOT match an earlier download recorded in go.sum.\nThe bits may have been replaced on the origin server, or an attacker may\nhave intercepted the download attempt.\n\nFor more information, see 'go help module-auth'.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        assert_eq!(
            Target::parse("example.com/m@v1.2.3").unwrap(),
            Target {
                module: "example.com/m".into(),
                query: "v1.2.3".into(),
                versioned: true,
            }
        );
        let bare = Target::parse("example.com/m").unwrap();
        assert_eq!((bare.query.as_str(), bare.versioned), ("latest", false));
        assert_eq!(
            Target::parse("Example.com/m").unwrap_err().to_string(),
            "malformed module path \"Example.com/m\": invalid char 'E' in first path element"
        );
    }
}

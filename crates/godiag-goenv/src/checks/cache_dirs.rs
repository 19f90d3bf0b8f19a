//! GO006–GO009: whether GOCACHE and GOMODCACHE can be used: set, absolute, a writable
//! directory, on a local filesystem, with room to grow.
//!
//! The build cache and the module cache are different things: an unusable GOCACHE breaks
//! builds, tests and vet, but never changes how modules are downloaded (that is GOPROXY and
//! GOMODCACHE). Checklists that say otherwise are wrong, and these findings say so.

use std::path::Path;

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Evidence, Finding, Fix, Severity};

use super::{Context, var_evidence, var_location, writable};
use crate::mounts;
use crate::quoted;

/// GOCACHE is off, relative, undefined, not a directory or not writable.
pub(crate) struct GocacheUnusable;
/// GOMODCACHE is unset, relative, not a directory or not writable.
pub(crate) struct GomodcacheUnusable;
/// GOCACHE or GOMODCACHE sits on a network or host-shared filesystem.
pub(crate) struct CacheOnNetworkFs;
/// The filesystem holding GOCACHE or GOMODCACHE is nearly full.
pub(crate) struct CacheNearlyFull;

const GOCACHE_META: CheckMeta = CheckMeta {
    code: "GO006",
    slug: "gocache-unusable",
    domain: Domain::Go,
    severity: Severity::Error,
    status: CheckStatus::Stable,
    title: "The build cache (GOCACHE) cannot be used",
    ok_title: "The build cache (GOCACHE) is a writable directory",
    doc: include_str!("../../../../docs/checks/GO006.md"),
};

const GOMODCACHE_META: CheckMeta = CheckMeta {
    code: "GO007",
    slug: "gomodcache-unusable",
    domain: Domain::Go,
    severity: Severity::Error,
    status: CheckStatus::Stable,
    title: "The module cache (GOMODCACHE) cannot be used",
    ok_title: "The module cache (GOMODCACHE) is a writable directory",
    doc: include_str!("../../../../docs/checks/GO007.md"),
};

const NETWORK_META: CheckMeta = CheckMeta {
    code: "GO008",
    slug: "go-cache-on-network-filesystem",
    domain: Domain::Go,
    severity: Severity::Warning,
    status: CheckStatus::Stable,
    title: "A Go cache is on a network or shared filesystem",
    ok_title: "Go caches are on local filesystems",
    doc: include_str!("../../../../docs/checks/GO008.md"),
};

const FULL_META: CheckMeta = CheckMeta {
    code: "GO009",
    slug: "go-cache-nearly-full",
    domain: Domain::Go,
    severity: Severity::Warning,
    status: CheckStatus::Stable,
    title: "The filesystem of a Go cache is nearly full",
    ok_title: "Go caches have room to grow",
    doc: include_str!("../../../../docs/checks/GO009.md"),
};

/// Below this much free space a build or a module download can fail halfway.
const MIN_FREE_BYTES: u64 = 1 << 30;

impl Check<Context> for GocacheUnusable {
    fn meta(&self) -> &'static CheckMeta {
        &GOCACHE_META
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        if let Some(finding) = missing_cache_program(context) {
            return vec![finding];
        }
        let Some(var) = context.env.var("GOCACHE") else {
            return Vec::new();
        };
        let value = var.value.as_deref().unwrap_or_default();
        let go_error = if value == "off" {
            match var.note.as_deref() {
                Some(why) => format!("build cache is required, but could not be located: {why}"),
                None => {
                    "build cache is disabled by GOCACHE=off, but required as of Go 1.12".to_owned()
                }
            }
        } else {
            match directory_problem(context, value) {
                Some(problem) => format!("failed to initialize build cache at {value}: {problem}"),
                None => return Vec::new(),
            }
        };
        let mut finding = Finding::new(
            &GOCACHE_META,
            "go build, go test and go vet will fail",
            format!(
                "They stop with:\n{go_error}\nModule downloads are not affected: they use GOMODCACHE and \
                 GOPROXY, whatever the state of the build cache."
            ),
        )
        .subject("GOCACHE")
        .evidence(var_evidence(var))
        .fix(Fix::command(cache_fix(context, "GOCACHE", value)));
        if let Some(location) = var_location(var) {
            finding = finding.location(location);
        }
        vec![finding]
    }
}

impl Check<Context> for GomodcacheUnusable {
    fn meta(&self) -> &'static CheckMeta {
        &GOMODCACHE_META
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let Some(var) = context.env.var("GOMODCACHE") else {
            return Vec::new();
        };
        let value = var.value.as_deref().unwrap_or_default();
        let go_error = if value.is_empty() {
            "go: module cache not found: neither GOMODCACHE nor GOPATH is set".to_owned()
        } else if !value.starts_with('/') {
            format!("go: GOMODCACHE entry is relative; must be absolute path: {value:?}.")
        } else {
            match directory_problem(context, value) {
                Some(problem) if problem.contains("not a directory") => {
                    format!("go: could not create module cache: {value:?} is not a directory")
                }
                // The module cache has no 00..ff layout: an existing directory this user cannot
                // write fails later, when a download writes into it.
                Some(problem) if problem.contains("/00:") => format!(
                    "a permission error when a download writes into {value} ({})",
                    problem.rsplit(": ").next().unwrap_or("permission denied")
                ),
                Some(problem) => format!("go: could not create module cache: {problem}"),
                None => return Vec::new(),
            }
        };
        let mut finding = Finding::new(
            &GOMODCACHE_META,
            "modules cannot be downloaded or read",
            format!("Every command that needs a module (build, test, get, mod download) stops with:\n{go_error}"),
        )
        .subject("GOMODCACHE")
        .evidence(var_evidence(var))
        .fix(Fix::command(cache_fix(context, "GOMODCACHE", value)));
        if let Some(location) = var_location(var) {
            finding = finding.location(location);
        }
        vec![finding]
    }
}

impl Check<Context> for CacheOnNetworkFs {
    fn meta(&self) -> &'static CheckMeta {
        &NETWORK_META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        if let Some(why) = context.no_cache_dir() {
            return Some(why);
        }
        let table = match mounts::read(context.host.as_ref()) {
            Ok(table) => table,
            Err(error) => {
                return Some(format!(
                    "the mount table (/proc/self/mountinfo) could not be read: {error}"
                ));
            }
        };
        let placed = cache_dirs(context).any(|(_, dir)| table.containing(dir).is_some());
        (!placed).then(|| "no mount in /proc/self/mountinfo holds GOCACHE or GOMODCACHE".to_owned())
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let Ok(table) = mounts::read(context.host.as_ref()) else {
            return Vec::new();
        };
        let mut findings = Vec::new();
        for name in ["GOCACHE", "GOMODCACHE"] {
            let value = context.env.value(name);
            if !value.starts_with('/') {
                continue;
            }
            let Some(mount) = table.containing(Path::new(value)) else {
                continue;
            };
            if !mounts::is_shared(&mount.fs_type) {
                continue;
            }
            findings.push(
                Finding::new(
                    &NETWORK_META,
                    format!("{name} is on a {} filesystem", mount.fs_type),
                    format!(
                        "{value} is on {} (mounted at {}). The go command takes file locks and writes \
                         many small files there; over a network or a host-shared mount (WSL's /mnt/c is \
                         one) that is slow, and locks may not work, so parallel builds can corrupt or \
                         stall the cache.",
                        mount.fs_type,
                        mount.mount_point.display()
                    ),
                )
                .subject(name)
                .evidence(Evidence::file(format!("/proc/self/mountinfo: {} type {}", mount.mount_point.display(), mount.fs_type)))
                .fix(Fix::command(format!(
                    "go env -w {name}=/var/tmp/$(id -un)/{}   # any directory on a local disk",
                    if name == "GOCACHE" { "go-build" } else { "go-mod" }
                ))),
            );
        }
        findings
    }
}

impl Check<Context> for CacheNearlyFull {
    fn meta(&self) -> &'static CheckMeta {
        &FULL_META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        if let Some(why) = context.no_cache_dir() {
            return Some(why);
        }
        let measured = cache_dirs(context).any(|(_, dir)| free_space(context, dir).is_some());
        (!measured).then(|| {
            "the free space of the filesystems holding GOCACHE and GOMODCACHE could not be read"
                .to_owned()
        })
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let mut findings = Vec::new();
        for (name, clean) in [
            ("GOCACHE", "go clean -cache"),
            ("GOMODCACHE", "go clean -modcache"),
        ] {
            let value = context.env.value(name);
            if !value.starts_with('/') {
                continue;
            }
            let Some(usage) = free_space(context, Path::new(value)) else {
                continue;
            };
            let low = usage.available < MIN_FREE_BYTES
                || usage.available.saturating_mul(20) < usage.total;
            if !low {
                continue;
            }
            findings.push(
                Finding::new(
                    &FULL_META,
                    format!("only {} free for {name}", human_bytes(usage.available)),
                    format!(
                        "The filesystem holding {value} has {} free of {}. Builds and module downloads \
                         fail with \"no space left on device\" when it runs out.",
                        human_bytes(usage.available),
                        human_bytes(usage.total)
                    ),
                )
                .subject(name)
                .evidence(Evidence::command(format!("df -h {value}")))
                .fix(Fix::command(format!("{clean}   # or move it: go env -w {name}=/path/with/room"))),
            );
        }
        findings
    }
}

/// GOCACHEPROG names a program the go command cannot start; every command that touches the
/// build cache (even `go env -json`) then fails (cache/prog.go).
/// GOCACHE and GOMODCACHE, where they are absolute directories.
fn cache_dirs(context: &Context) -> impl Iterator<Item = (&'static str, &Path)> {
    ["GOCACHE", "GOMODCACHE"]
        .into_iter()
        .map(|name| (name, context.env.value(name)))
        .filter(|(_, value)| value.starts_with('/'))
        .map(|(name, value)| (name, Path::new(value)))
}

/// The usage of the filesystem that holds `dir`, or would hold it once the go command
/// creates it (the filesystem of its nearest existing ancestor).
fn free_space(context: &Context, dir: &Path) -> Option<godiag_core::host::FsUsage> {
    let existing = dir
        .ancestors()
        .find(|dir| context.host.metadata(dir).is_ok())?;
    context.host.fs_usage(existing).ok()
}

fn missing_cache_program(context: &Context) -> Option<Finding> {
    let var = context.env.var("GOCACHEPROG")?;
    let value = var.value.as_deref().filter(|value| !value.is_empty())?;
    let program = quoted::split(value).ok()?.into_iter().next()?;
    if context.host.which(&program).is_some() {
        return None;
    }
    let why = if program.contains('/') {
        format!("fork/exec {program}: no such file or directory")
    } else {
        format!("exec: {program:?}: executable file not found in $PATH")
    };
    let mut finding = Finding::new(
        &GOCACHE_META,
        format!("GOCACHEPROG program {program:?} cannot be started"),
        format!(
            "Every go command that uses the build cache stops with:\nerror starting GOCACHEPROG \
             program {program:?}: {why}"
        ),
    )
    .subject("GOCACHEPROG")
    .evidence(var_evidence(var))
    .fix(Fix::command(format!(
        "go env -u GOCACHEPROG && unset GOCACHEPROG   # or install {program} on PATH"
    )));
    if let Some(location) = var_location(var) {
        finding = finding.location(location);
    }
    Some(finding)
}

/// Why an absolute cache path cannot be used, worded as the go command's mkdir error.
fn directory_problem(context: &Context, value: &str) -> Option<String> {
    let path = Path::new(value);
    if let Ok(meta) = context.host.metadata(path)
        && !meta.is_dir
    {
        return Some(format!("mkdir {value}: not a directory"));
    }
    let existing = path
        .ancestors()
        .find(|dir| context.host.metadata(dir).is_ok())?;
    let first_mkdir = if existing == path {
        format!("{value}/00")
    } else {
        value.to_owned()
    };
    if let Ok(usage) = context.host.fs_usage(existing)
        && usage.read_only
    {
        return Some(format!("mkdir {first_mkdir}: read-only file system"));
    }
    let (ok, exists) = writable(context.host.as_ref(), path);
    if ok {
        return None;
    }
    Some(if exists {
        format!("mkdir {value}/00: permission denied")
    } else {
        format!("mkdir {value}: permission denied")
    })
}

fn cache_fix(context: &Context, name: &str, value: &str) -> String {
    let default_rel = if name == "GOCACHE" {
        ".cache/go-build"
    } else {
        "go/pkg/mod"
    };
    match context
        .env
        .os_env
        .get("HOME")
        .filter(|home| !home.is_empty())
    {
        Some(home) if value.starts_with('/') => format!(
            "sudo chown -R \"$(id -u):$(id -g)\" {value}   # or use a directory you own:\n\
             go env -w {name}={home}/{default_rel}"
        ),
        Some(home) => {
            format!("go env -u {name} && unset {name}   # the default is {home}/{default_rel}")
        }
        // Without HOME there is no go env file to write, so only the OS environment can help.
        None => format!(
            "export HOME=/home/$(id -un)   # or give an absolute directory: export {name}=/var/cache/{}",
            if name == "GOCACHE" {
                "go-build"
            } else {
                "go-mod"
            }
        ),
    }
}

fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes;
    let mut unit = 0;
    while value >= 1024 * 10 && unit < UNITS.len() - 1 {
        value /= 1024;
        unit += 1;
    }
    format!("{value} {}", UNITS[unit])
}

//! GO009: the filesystem holding GOCACHE or GOMODCACHE is nearly full.

use std::path::Path;

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Evidence, Finding, Fix, Severity};

use super::{Context, cache_dirs};

/// The filesystem holding GOCACHE or GOMODCACHE is nearly full.
pub(crate) struct CacheNearlyFull;

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

/// The usage of the filesystem that holds `dir`, or would hold it once the go command
/// creates it (the filesystem of its nearest existing ancestor).
fn free_space(context: &Context, dir: &Path) -> Option<godiag_core::host::FsUsage> {
    let existing = dir
        .ancestors()
        .find(|dir| context.host.metadata(dir).is_ok())?;
    context.host.fs_usage(existing).ok()
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

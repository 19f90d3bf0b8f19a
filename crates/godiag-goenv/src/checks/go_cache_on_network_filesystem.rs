//! GO008: GOCACHE or GOMODCACHE sits on a network or host-shared filesystem.

use std::path::Path;

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Evidence, Finding, Fix, Severity};

use super::{Context, cache_dirs};
use crate::mounts;

/// GOCACHE or GOMODCACHE sits on a network or host-shared filesystem.
pub(crate) struct CacheOnNetworkFs;

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

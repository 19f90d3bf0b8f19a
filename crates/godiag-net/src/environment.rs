//! Where the server runs: inside WSL (which version, which networking mode) or a container.
//!
//! WSL: `/proc/sys/kernel/osrelease` says `Microsoft` (WSL1) or `microsoft` (WSL2), backed by
//! `/proc/sys/fs/binfmt_misc/WSLInterop`, `/run/WSL`, `WSL_DISTRO_NAME`/`WSL_INTEROP` (WSL's
//! `src/linux/init/util.cpp`). The live networking mode comes from `wslinfo
//! --networking-mode`; without it, from `.wslconfig` in the Windows profile (found through
//! `USERPROFILE` or under the drvfs mount root, `/mnt/c/Users/*`), else the default (NAT).
//! Containers: `/.dockerenv`, `/run/.containerenv`, `container=`, `KUBERNETES_SERVICE_HOST`,
//! `/proc/1/cgroup`.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use godiag_core::host::{CommandLine, Host};
use serde::Serialize;

use crate::model::InterfaceAddress;
use crate::parse::ini;
use crate::parse::portproxy::{self, PortProxy};

/// What `.port.environment` reports.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Environment {
    /// WSL, when this is a WSL distribution.
    pub wsl: Option<Wsl>,
    /// The container engine, when this runs in a container.
    pub container: Option<String>,
}

/// A WSL distribution's networking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Wsl {
    /// 1 or 2.
    pub version: u8,
    /// `nat`, `mirrored`, `bridged`, `consomme`, `none` (or `wsl1`).
    pub networking_mode: String,
    /// Where the mode came from: `wslinfo`, `.wslconfig`, `default`, `interfaces`.
    pub mode_source: String,
    /// The distribution's name, when known.
    pub distro: Option<String>,
    /// `wsl2.localhostForwarding` (NAT mode relays localhost listeners to Windows).
    pub localhost_forwarding: bool,
    /// `wsl2.firewall`: the Hyper-V firewall filters inbound traffic to the VM.
    pub hyperv_firewall: bool,
    /// `experimental.hostAddressLoopback` (mirrored mode).
    pub host_address_loopback: bool,
    /// The `.wslconfig` read, when one was found.
    pub wslconfig: Option<PathBuf>,
    /// The VM's IPv4 address on `eth0` (NAT mode: changes at every VM start).
    pub address: Option<IpAddr>,
    /// The Windows host as seen from the VM (the default gateway in NAT mode).
    pub windows_host: Option<IpAddr>,
    /// `netsh interface portproxy` rules, when interop could run netsh.exe.
    pub portproxy: Option<Vec<PortProxy>>,
}

const INTEROP_TIMEOUT: Duration = Duration::from_millis(1500);

/// Detects WSL and containers.
#[must_use]
pub fn detect(
    host: &dyn Host,
    interfaces: &[InterfaceAddress],
    gateway: Option<IpAddr>,
) -> Environment {
    let wsl = detect_wsl(host, interfaces, gateway);
    let container = if wsl.is_some() {
        None
    } else {
        detect_container(host)
    };
    Environment { wsl, container }
}

fn read(host: &dyn Host, path: &str) -> Option<String> {
    host.read_to_string(Path::new(path)).ok()
}

fn detect_wsl(
    host: &dyn Host,
    interfaces: &[InterfaceAddress],
    gateway: Option<IpAddr>,
) -> Option<Wsl> {
    let release = read(host, "/proc/sys/kernel/osrelease")
        .or_else(|| read(host, "/proc/version"))
        .unwrap_or_default();
    let signals = host
        .metadata(Path::new("/proc/sys/fs/binfmt_misc/WSLInterop"))
        .is_ok()
        || host.metadata(Path::new("/run/WSL")).is_ok()
        || host.env_var("WSL_DISTRO_NAME").is_some()
        || host.env_var("WSL_INTEROP").is_some();
    let version = if release.contains("Microsoft") {
        1
    } else if release.contains("microsoft") || release.contains("WSL2") || signals {
        2
    } else {
        return None;
    };
    let wslconfig = find_wslconfig(host);
    let entries = wslconfig
        .as_ref()
        .and_then(|path| host.read_to_string(path).ok())
        .map(|text| ini::parse(&text))
        .unwrap_or_default();
    let setting =
        |key: &str| ini::get(&entries, &["wsl2", "experimental"], key).map(|e| e.value.clone());
    let flag = |key: &str, default: bool| {
        setting(key)
            .and_then(|v| ini::boolean(&v))
            .unwrap_or(default)
    };
    let (networking_mode, mode_source) = if version == 1 {
        ("wsl1".to_owned(), "osrelease".to_owned())
    } else if let Some(mode) = wslinfo_mode(host) {
        (mode, "wslinfo".to_owned())
    } else if let Some(mode) = setting("networkingmode") {
        (mode.to_ascii_lowercase(), ".wslconfig".to_owned())
    } else if interfaces.iter().any(|a| a.interface == "loopback0") {
        ("mirrored".to_owned(), "interfaces".to_owned())
    } else {
        ("nat".to_owned(), "default".to_owned())
    };
    let mirrored = networking_mode == "mirrored";
    let address = interfaces
        .iter()
        .find(|a| a.interface == "eth0" && a.address.is_ipv4())
        .map(|a| a.address);
    let portproxy = host
        .run(
            &CommandLine::new("netsh.exe", &["interface", "portproxy", "show", "all"]),
            INTEROP_TIMEOUT,
        )
        .ok()
        .filter(|output| output.status == Some(0))
        .map(|output| portproxy::parse(&String::from_utf8_lossy(&output.stdout)));
    Some(Wsl {
        version,
        distro: host.env_var("WSL_DISTRO_NAME"),
        localhost_forwarding: flag("localhostforwarding", true),
        // Mirrored mode always runs the Hyper-V firewall.
        hyperv_firewall: mirrored || flag("firewall", true),
        host_address_loopback: flag("hostaddressloopback", false),
        networking_mode,
        mode_source,
        wslconfig,
        address,
        windows_host: if mirrored { None } else { gateway },
        portproxy,
    })
}

/// `wslinfo --networking-mode` (WSL 2.0+; absent on older inbox WSL).
fn wslinfo_mode(host: &dyn Host) -> Option<String> {
    let output = host
        .run(
            &CommandLine::new("wslinfo", &["--networking-mode"]),
            INTEROP_TIMEOUT,
        )
        .ok()?;
    let mode = String::from_utf8_lossy(&output.stdout)
        .trim()
        .to_ascii_lowercase();
    (output.status == Some(0) && !mode.is_empty()).then_some(mode)
}

/// The Windows user's `.wslconfig`: `USERPROFILE` shared through `WSLENV` as a Linux path,
/// else the single `Users/*/.wslconfig` under the drvfs root (`[automount] root`, `/mnt/`).
fn find_wslconfig(host: &dyn Host) -> Option<PathBuf> {
    if let Some(profile) = host.env_var("USERPROFILE").filter(|p| p.starts_with('/')) {
        let path = Path::new(&profile).join(".wslconfig");
        if host.metadata(&path).is_ok() {
            return Some(path);
        }
    }
    let root = read(host, "/etc/wsl.conf")
        .map(|text| ini::parse(&text))
        .and_then(|entries| ini::get(&entries, &["automount"], "root").map(|e| e.value.clone()))
        .unwrap_or_else(|| "/mnt/".to_owned());
    let users = Path::new(&root).join("c/Users");
    let found: Vec<PathBuf> = host
        .read_dir(&users)
        .ok()?
        .into_iter()
        .map(|dir| dir.join(".wslconfig"))
        .filter(|path| host.metadata(path).is_ok_and(|m| m.is_file))
        .collect();
    // Several profiles with a .wslconfig: which one WSL reads is not knowable from here.
    (found.len() == 1).then(|| found[0].clone())
}

fn detect_container(host: &dyn Host) -> Option<String> {
    if host.metadata(Path::new("/.dockerenv")).is_ok() {
        return Some("docker".to_owned());
    }
    if let Some(text) = read(host, "/run/.containerenv") {
        let engine = text
            .lines()
            .find_map(|line| line.strip_prefix("engine="))
            .map(|e| {
                e.trim_matches('"')
                    .split('-')
                    .next()
                    .unwrap_or("podman")
                    .to_owned()
            });
        return Some(engine.unwrap_or_else(|| "podman".to_owned()));
    }
    if host.env_var("KUBERNETES_SERVICE_HOST").is_some() {
        return Some("kubernetes".to_owned());
    }
    if let Some(kind) = host.env_var("container").filter(|k| !k.is_empty()) {
        return Some(kind);
    }
    let cgroup = read(host, "/proc/1/cgroup").unwrap_or_default();
    [
        ("kubepods", "kubernetes"),
        ("libpod", "podman"),
        ("docker", "docker"),
        ("containerd", "containerd"),
        ("lxc", "lxc"),
    ]
    .iter()
    .find(|(marker, _)| cgroup.contains(marker))
    .map(|(_, kind)| (*kind).to_owned())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use godiag_core::host::FixtureHost;

    use super::*;

    #[allow(clippy::disallowed_methods)]
    fn machine(files: &[(&str, &str)], env: &[(&str, &str)]) -> (tempfile::TempDir, FixtureHost) {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let full = dir.path().join(path.trim_start_matches('/'));
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, text).unwrap();
        }
        let env: BTreeMap<String, String> = env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let host = FixtureHost::new(dir.path(), env);
        (dir, host)
    }

    #[test]
    fn wsl_versions_come_from_the_kernel_release() {
        let (_dir, wsl2) = machine(
            &[(
                "/proc/sys/kernel/osrelease",
                "6.6.87.2-microsoft-standard-WSL2\n",
            )],
            &[],
        );
        let found = detect(&wsl2, &[], None).wsl.unwrap();
        assert_eq!(
            (
                found.version,
                found.networking_mode.as_str(),
                found.mode_source.as_str()
            ),
            (2, "nat", "default")
        );
        let (_dir, wsl1) = machine(
            &[("/proc/sys/kernel/osrelease", "4.4.0-19041-Microsoft\n")],
            &[],
        );
        assert_eq!(detect(&wsl1, &[], None).wsl.unwrap().version, 1);
        let (_dir, plain) = machine(&[("/proc/sys/kernel/osrelease", "6.1.0-18-amd64\n")], &[]);
        assert_eq!(detect(&plain, &[], None), Environment::default());
    }

    #[test]
    fn the_single_windows_profile_wslconfig_gives_the_mode() {
        let (_dir, host) = machine(
            &[
                (
                    "/proc/sys/kernel/osrelease",
                    "5.15.153.1-microsoft-standard-WSL2\n",
                ),
                (
                    "/mnt/c/Users/Ana/.wslconfig",
                    "[wsl2]\r\nnetworkingMode=mirrored\r\n",
                ),
                ("/mnt/c/Users/Public/desktop.ini", ""),
            ],
            &[],
        );
        let wsl = detect(&host, &[], None).wsl.unwrap();
        assert_eq!(wsl.networking_mode, "mirrored");
        assert_eq!(
            wsl.wslconfig.as_deref(),
            Some(Path::new("/mnt/c/Users/Ana/.wslconfig"))
        );
        assert!(wsl.hyperv_firewall);
    }

    #[test]
    fn containers_by_marker() {
        let (_dir, docker) = machine(&[("/.dockerenv", "")], &[]);
        assert_eq!(
            detect(&docker, &[], None).container.as_deref(),
            Some("docker")
        );
        let (_dir, podman) = machine(
            &[(
                "/run/.containerenv",
                "engine=\"podman-5.2.2\"\nname=\"web\"\n",
            )],
            &[],
        );
        assert_eq!(
            detect(&podman, &[], None).container.as_deref(),
            Some("podman")
        );
        let (_dir, k8s) = machine(&[], &[("KUBERNETES_SERVICE_HOST", "10.96.0.1")]);
        assert_eq!(
            detect(&k8s, &[], None).container.as_deref(),
            Some("kubernetes")
        );
    }
}

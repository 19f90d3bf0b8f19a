//! Reads everything name resolution depends on through `Host`, and parses it. This module
//! does I/O only; what the files mean is decided in [`crate::model`] and [`crate::checks`].

use std::io;
use std::path::{Path, PathBuf};

use godiag_core::host::{HOSTS_LIMIT, Host, SYSTEM_FILE_LIMIT};

// The types moved to the model; their old paths stay valid for the crates that name them.
pub use crate::model::system::{Container, Link, NssModule, Resolved, System};

use crate::model::go_order::{FileState, MdnsAllow};
use crate::parse::nsswitch::{self, Nsswitch};
use crate::parse::resolved_conf::{self, ResolvedConfFile};
use crate::parse::{hosts, link_state, resolv_conf};

/// Where the files are.
pub const NSSWITCH_CONF: &str = "/etc/nsswitch.conf";
/// The resolver configuration.
pub const RESOLV_CONF: &str = "/etc/resolv.conf";
/// The static host table.
pub const HOSTS: &str = "/etc/hosts";
/// resolved's upstream servers as it writes them for programs that bypass the stub.
pub const RESOLVED_UPLINK: &str = "/run/systemd/resolve/resolv.conf";

/// Reads and parses everything; resolved is asked over D-Bus (through `busctl`, within
/// `bus_timeout`) when it runs.
#[must_use]
pub fn read(host: &dyn Host, bus_timeout: std::time::Duration) -> System {
    let nsswitch = load(host, NSSWITCH_CONF, SYSTEM_FILE_LIMIT, nsswitch::parse);
    let resolv_bytes = read_config(host, RESOLV_CONF, SYSTEM_FILE_LIMIT);
    let resolv_conf_header = resolv_bytes
        .as_ref()
        .map(|bytes| {
            String::from_utf8_lossy(bytes)
                .lines()
                .take_while(|line| line.starts_with('#') || line.is_empty())
                .filter(|line| !line.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let resolv_conf = state(resolv_bytes, resolv_conf::parse);
    let resolv_conf_target = host
        .canonicalize(Path::new(RESOLV_CONF))
        .ok()
        .filter(|target| target != Path::new(RESOLV_CONF));
    let hosts = load(host, HOSTS, HOSTS_LIMIT, hosts::parse);
    let nss_modules = match &nsswitch {
        FileState::Read(nss) => find_modules(host, nss),
        _ => Vec::new(),
    };
    System {
        nsswitch,
        resolv_conf,
        resolv_conf_target,
        resolv_conf_header,
        hosts,
        hostname: hostname(host),
        mdns_allow: match host.metadata(Path::new("/etc/mdns.allow")) {
            Ok(_) => MdnsAllow::Exists,
            Err(error) if error.kind() == io::ErrorKind::NotFound => MdnsAllow::Missing,
            Err(_) => MdnsAllow::Error,
        },
        nss_modules,
        resolved: read_resolved(host, bus_timeout),
        container: container(host),
    }
}

fn load<T>(
    host: &dyn Host,
    path: &str,
    limit: u64,
    parse: impl FnOnce(&[u8]) -> T,
) -> FileState<T> {
    state(read_config(host, path, limit), parse)
}

/// Reads a configuration file; a directory reads as empty, as it does for Go (open and stat
/// succeed, the first read fails and ends the file without an error). A FIFO or device
/// is refused, and more than `limit` bytes is an error (docs/limits.md).
fn read_config(host: &dyn Host, path: &str, limit: u64) -> io::Result<Vec<u8>> {
    if host.metadata(Path::new(path)).is_ok_and(|meta| meta.is_dir) {
        return Ok(Vec::new());
    }
    host.read_capped(Path::new(path), limit)
}

fn state<T>(result: io::Result<Vec<u8>>, parse: impl FnOnce(&[u8]) -> T) -> FileState<T> {
    match result {
        Ok(bytes) => FileState::Read(parse(&bytes)),
        Err(error) if error.kind() == io::ErrorKind::NotFound => FileState::Missing,
        Err(error) if error.kind() == io::ErrorKind::PermissionDenied => FileState::Denied,
        Err(error) => FileState::Unreadable(error.to_string()),
    }
}

/// The host name as `uname -n` gives it (Go's `os.Hostname`).
fn hostname(host: &dyn Host) -> Option<String> {
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|path| host.read_to_string(Path::new(path)).ok())
        .map(|text| text.trim().to_owned())
        .filter(|name| !name.is_empty())
}

/// Directories the dynamic loader searches for NSS modules, for this machine's architecture,
/// plus those named in /etc/ld.so.conf.d.
fn library_dirs(host: &dyn Host) -> Vec<PathBuf> {
    let arch = host
        .read_to_string(Path::new("/proc/sys/kernel/arch"))
        .map_or_else(
            |_| std::env::consts::ARCH.to_owned(),
            |a| a.trim().to_owned(),
        );
    let triplet = match arch.as_str() {
        "aarch64" => "aarch64-linux-gnu",
        "armv7l" | "arm" => "arm-linux-gnueabihf",
        "i686" | "i386" | "x86" => "i386-linux-gnu",
        "riscv64" => "riscv64-linux-gnu",
        "ppc64le" => "powerpc64le-linux-gnu",
        "s390x" => "s390x-linux-gnu",
        _ => "x86_64-linux-gnu",
    };
    let mut dirs: Vec<PathBuf> = [
        format!("/lib/{triplet}"),
        format!("/usr/lib/{triplet}"),
        "/lib64".to_owned(),
        "/usr/lib64".to_owned(),
        "/lib".to_owned(),
        "/usr/lib".to_owned(),
    ]
    .into_iter()
    .map(PathBuf::from)
    .collect();
    for conf in host
        .read_dir(Path::new("/etc/ld.so.conf.d"))
        .unwrap_or_default()
    {
        let Ok(text) = host.read_to_string(&conf) else {
            continue;
        };
        for line in text.lines().map(str::trim) {
            if line.starts_with('/') && !dirs.iter().any(|d| d == Path::new(line)) {
                dirs.push(PathBuf::from(line));
            }
        }
    }
    dirs
}

fn find_modules(host: &dyn Host, nss: &Nsswitch) -> Vec<NssModule> {
    let dirs = library_dirs(host);
    let mut modules: Vec<NssModule> = Vec::new();
    for source in nss.glibc.hosts_or_default().sources {
        if modules.iter().any(|m| m.name == source.name) {
            continue;
        }
        let file = format!("libnss_{}.so.2", source.name);
        let library = if source.name.contains('/') {
            None
        } else {
            dirs.iter()
                .map(|dir| dir.join(&file))
                .find(|path| host.metadata(path).is_ok_and(|meta| meta.is_file))
        };
        modules.push(NssModule {
            builtin: matches!(source.name.as_str(), "files" | "dns"),
            name: source.name,
            library,
        });
    }
    modules
}

/// The main file's directories in systemd's order, first found wins (systemd 253 and later;
/// 252 reads only /etc), and the drop-in directories.
const RESOLVED_MAIN: &[&str] = &[
    "/etc/systemd/resolved.conf",
    "/run/systemd/resolved.conf",
    "/usr/local/lib/systemd/resolved.conf",
    "/usr/lib/systemd/resolved.conf",
];
const RESOLVED_DROP_IN_DIRS: &[&str] = &[
    "/etc/systemd/resolved.conf.d",
    "/run/systemd/resolved.conf.d",
    "/usr/local/lib/systemd/resolved.conf.d",
    "/usr/lib/systemd/resolved.conf.d",
];

/// The files resolved reads, in the order it applies them: the main file, then every
/// `*.conf` drop-in sorted by file name across all directories; for equal names the file in
/// the earlier directory (/etc before /run before /usr) wins, and a file that is empty or a
/// link to /dev/null masks the others.
#[must_use]
pub fn resolved_files(host: &dyn Host) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = RESOLVED_MAIN
        .iter()
        .map(PathBuf::from)
        .find(|path| host.metadata(path).is_ok_and(|meta| meta.is_file))
        .into_iter()
        .collect();
    let mut drop_ins: Vec<(String, PathBuf)> = Vec::new();
    for dir in RESOLVED_DROP_IN_DIRS {
        for path in host.read_dir(Path::new(dir)).unwrap_or_default() {
            let Some(name) = path.file_name().map(|n| n.to_string_lossy().into_owned()) else {
                continue;
            };
            let is_conf = Path::new(&name)
                .extension()
                .is_some_and(|ext| ext == "conf");
            if !is_conf || drop_ins.iter().any(|(seen, _)| *seen == name) {
                continue;
            }
            drop_ins.push((name, path));
        }
    }
    drop_ins.sort();
    files.extend(
        drop_ins
            .into_iter()
            .filter(|(_, path)| {
                host.canonicalize(path)
                    .map_or(true, |target| target != Path::new("/dev/null"))
            })
            .map(|(_, path)| path),
    );
    files
}

fn read_resolved(host: &dyn Host, bus_timeout: std::time::Duration) -> Resolved {
    let mut parsed: Vec<(PathBuf, ResolvedConfFile)> = Vec::new();
    for path in resolved_files(host) {
        if let Ok(bytes) = host.read(&path) {
            parsed.push((path, resolved_conf::parse(&bytes)));
        }
    }
    let ignored = parsed
        .iter()
        .flat_map(|(path, file)| file.ignored.iter().map(|i| (path.clone(), i.clone())))
        .collect();
    let running = process_running(host, "systemd-resolve");
    let bus = running
        .then(|| crate::probe::resolved::read_state(host, &interface_names(host), bus_timeout))
        .flatten();
    let (bus_global, links) = match bus {
        Some((global, links)) => (Some(global), links),
        None => (None, read_links(host)),
    };
    Resolved {
        running,
        settings: resolved_conf::merge(&parsed),
        ignored,
        uplink: host
            .read(Path::new(RESOLVED_UPLINK))
            .ok()
            .map(|bytes| resolv_conf::parse(&bytes)),
        links,
        bus_global,
    }
}

/// True when a process whose `comm` is `name` exists (comm is cut at 15 bytes).
fn process_running(host: &dyn Host, name: &str) -> bool {
    host.read_dir(Path::new("/proc"))
        .unwrap_or_default()
        .iter()
        .filter(|path| {
            path.file_name()
                .is_some_and(|n| n.to_string_lossy().bytes().all(|b| b.is_ascii_digit()))
        })
        .any(|path| {
            host.read_to_string(&path.join("comm"))
                .is_ok_and(|comm| comm.trim_end() == name)
        })
}

/// Links with DNS state: resolved's run-time settings, else networkd's.
fn read_links(host: &dyn Host) -> Vec<Link> {
    let names = interface_names(host);
    let mut links: Vec<Link> = Vec::new();
    for dir in ["/run/systemd/resolve/netif", "/run/systemd/netif/links"] {
        for path in host.read_dir(Path::new(dir)).unwrap_or_default() {
            let Some(ifindex) = path
                .file_name()
                .and_then(|n| n.to_string_lossy().parse::<u32>().ok())
            else {
                continue;
            };
            if links.iter().any(|link| link.ifindex == ifindex) {
                continue;
            }
            let Ok(bytes) = host.read(&path) else {
                continue;
            };
            let dns = link_state::parse(&bytes);
            if dns.servers.is_empty() && dns.domains.is_empty() {
                continue;
            }
            links.push(Link {
                ifindex,
                name: names
                    .iter()
                    .find(|(index, _)| *index == ifindex)
                    .map_or_else(|| format!("#{ifindex}"), |(_, name)| name.clone()),
                dns,
                source: path,
            });
        }
    }
    links.sort_by_key(|link| link.ifindex);
    links
}

fn interface_names(host: &dyn Host) -> Vec<(u32, String)> {
    host.read_dir(Path::new("/sys/class/net"))
        .unwrap_or_default()
        .iter()
        .filter_map(|path| {
            let index = host
                .read_to_string(&path.join("ifindex"))
                .ok()?
                .trim()
                .parse()
                .ok()?;
            Some((index, path.file_name()?.to_string_lossy().into_owned()))
        })
        .collect()
}

fn container(host: &dyn Host) -> Container {
    let mut found = Container::default();
    let mut note = |engine: &str, why: String| {
        found.engine.get_or_insert_with(|| engine.to_owned());
        found.evidence.push(why);
    };
    if host.metadata(Path::new("/.dockerenv")).is_ok() {
        note("docker", "/.dockerenv exists".into());
    }
    if let Ok(text) = host.read_to_string(Path::new("/run/.containerenv")) {
        let engine = text
            .lines()
            .find_map(|line| line.strip_prefix("engine=\""))
            .map_or("podman", |e| {
                if e.starts_with("podman") {
                    "podman"
                } else {
                    "container"
                }
            });
        note(engine, "/run/.containerenv exists".into());
    }
    if let Some(kind) = host.env_var("container").filter(|k| !k.is_empty()) {
        note(
            &kind.clone(),
            format!("environment variable container={kind}"),
        );
    }
    if let Ok(mountinfo) = host.read_to_string(Path::new("/proc/self/mountinfo")) {
        for line in mountinfo.lines() {
            let mut fields = line.split_whitespace();
            let root = fields.nth(3).unwrap_or_default();
            let mount_point = fields.next().unwrap_or_default();
            if mount_point != RESOLV_CONF {
                continue;
            }
            if root.contains("/docker/containers/") {
                note("docker", format!("{RESOLV_CONF} is mounted from {root}"));
            } else if root.contains("/containers/") && root.contains("/userdata/") {
                note("podman", format!("{RESOLV_CONF} is mounted from {root}"));
            }
        }
    }
    found
}

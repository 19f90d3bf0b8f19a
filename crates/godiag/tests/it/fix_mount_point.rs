//! Issue #16: in a container whose /etc/resolv.conf is a bind mount, `--fix` failed with
//! "Device or resource busy". It now says the file belongs to whoever mounted it and, for
//! resolv.conf, gives the container runtime's way. The mount is real: a private mount
//! namespace (`unshare -m`) bind-mounts a file over the machine's resolv.conf.

use std::fs;
use std::process::Command;

use crate::peers::godiag;
use crate::scenarios::{copy_tree, scenarios_dir};

#[test]
fn a_bind_mounted_resolv_conf_is_left_to_the_container_runtime() {
    if Command::new("unshare")
        .args(["-m", "true"])
        .status()
        .map_or(true, |s| !s.success())
    {
        eprintln!("skipping: cannot create a mount namespace (unshare -m)");
        return;
    }
    let root = tempfile::tempdir().unwrap();
    copy_tree(&scenarios_dir().join("_base/root"), root.path());
    copy_tree(
        &scenarios_dir().join("dns-private-server-not-asked/root"),
        root.path(),
    );
    fs::write(root.path().join(".dockerenv"), "").unwrap();
    let resolv = root.path().join("etc/resolv.conf");
    let mounted = root.path().join("runtime-resolv.conf");
    fs::copy(&resolv, &mounted).unwrap();
    let before = fs::read(&resolv).unwrap();
    let script = format!(
        "mount --bind {mounted} {resolv} && exec {godiag} --root {root} dns git.corp.example \
         --cgo on --server 10.88.0.2 --fix --unsafe-fixes --yes",
        mounted = mounted.display(),
        resolv = resolv.display(),
        godiag = godiag().display(),
        root = root.path().display(),
    );
    let output = Command::new("unshare")
        .args(["-m", "--propagation", "private", "sh", "-c", &script])
        .env_clear()
        .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(!stderr.contains("busy"), "{stderr}");
    assert!(
        stderr.contains("error: `/etc/resolv.conf` is a mount point"),
        "{stderr}"
    );
    assert!(
        stderr.contains("hint: the container runtime writes this file"),
        "{stderr}"
    );
    assert!(stderr.contains("docker run --dns IP"), "{stderr}");
    assert_eq!(fs::read(&resolv).unwrap(), before);
    let leftovers: Vec<_> = fs::read_dir(root.path().join("etc"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("godiag") || name.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

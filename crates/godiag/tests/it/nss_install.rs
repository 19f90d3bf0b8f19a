//! `godiag nss install --fix` and `uninstall --fix` on this machine's real paths, inside a
//! private mount namespace: /etc is a bind-mounted copy and the multiarch libdir a writable
//! overlay, so the edits land where glibc looks and vanish with the namespace. glibc's getent
//! then resolves a mapped name only while the module is installed.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::peers::{self, godiag};

/// The module from this checkout, built with the test binary's profile (cargo builds a
/// cdylib's dependants, not the cdylib, for `cargo test -p godiag`).
fn module() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(Path::parent).unwrap().to_owned();
    let profile = match profile_dir.file_name().and_then(|name| name.to_str()) {
        Some("debug") | None => "dev".to_owned(),
        Some(name) => name.to_owned(),
    };
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args([
            "build",
            "--quiet",
            "-p",
            "nss-godiag",
            "--profile",
            &profile,
        ])
        .status()
        .unwrap();
    assert!(status.success(), "cargo build -p nss-godiag");
    profile_dir.join("libnss_godiag.so")
}

#[test]
fn install_makes_getent_resolve_from_the_map_and_uninstall_undoes_it() {
    let (Some(getent), Some(unshare)) = (
        peers::peer("GODIAG_TEST_GETENT", "getent (libc-bin)"),
        peers::peer("GODIAG_TEST_UNSHARE", "unshare (util-linux)"),
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path();
    let etc = t.join("etc");
    fs::create_dir(&etc).unwrap();
    for file in ["passwd", "group", "ld.so.cache", "host.conf"] {
        if Path::new("/etc").join(file).exists() {
            fs::copy(Path::new("/etc").join(file), etc.join(file)).unwrap();
        }
    }
    fs::write(
        etc.join("nsswitch.conf"),
        "passwd: files\nhosts: files dns\n",
    )
    .unwrap();
    fs::write(etc.join("hosts"), "127.0.0.1 localhost\n").unwrap();
    fs::write(etc.join("resolv.conf"), "nameserver 127.0.0.1\n").unwrap();
    fs::write(t.join("private.map"), "git.corp.example 10.1.2.3 fd00::3\n").unwrap();
    for sub in ["upper", "work"] {
        fs::create_dir(t.join(sub)).unwrap();
    }
    let libdir = format!("/usr/lib/{}-linux-gnu", std::env::consts::ARCH);
    let godiag = godiag();
    // The JSON lines go through printf: dash's echo would turn the diffs' `\n` into newlines.
    let script = format!(
        "set -e\nmount --make-rprivate /\n\
         mount -t overlay overlay -o lowerdir={libdir},upperdir={t}/upper,workdir={t}/work {libdir}\n\
         mount --bind {t}/etc /etc\nset +e\n\
         echo \"BEFORE $({getent} hosts git.corp.example; echo rc=$?)\"\n\
         {godiag} nss install --map {t}/private.map --module {module} --fix --yes --unsafe-fixes \
           || echo INSTALL FAILED\n\
         echo \"HOSTS $(grep ^hosts: /etc/nsswitch.conf)\"\n\
         echo \"DURING $({getent} ahostsv4 git.corp.example | head -1)\"\n\
         echo \"DNS $({godiag} dns git.corp.example --format json | tr -d '\\n')\"\n\
         {godiag} nss install --map {t}/private.map --module {module}\n\
         printf 'INSTALLJSON %s\\n' \"$({godiag} nss install --map {t}/private.map \
           --module {module} --format json | tr -d '\\n')\"\n\
         printf 'UNINSTALLJSON %s\\n' \"$({godiag} nss uninstall --format json | tr -d '\\n')\"\n\
         {godiag} nss uninstall --fix --yes --unsafe-fixes || echo UNINSTALL FAILED\n\
         echo \"HOSTS $(grep ^hosts: /etc/nsswitch.conf)\"\n\
         echo \"AFTER $({getent} hosts git.corp.example; echo rc=$?)\"\n\
         ls {libdir}/libnss_godiag.so.2 2>/dev/null || echo MODULE GONE\n",
        t = t.display(),
        getent = getent.display(),
        godiag = godiag.display(),
        module = module().display(),
    );
    let output = Command::new(unshare)
        .args(["-m", "sh", "-c", &script])
        .env_remove("GODIAG_NSS_MAP")
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&output.stdout);
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{out}\n{err}");
    let wanted = [
        "BEFORE rc=2\n",
        "HOSTS hosts: files godiag dns\n",
        "DURING 10.1.2.3        STREAM git.corp.example\n",
        // Run again, nothing is left to change.
        "module already installed",
        "HOSTS hosts: files dns\n",
        "AFTER rc=2\n",
        "MODULE GONE\n",
    ];
    for want in wanted {
        assert!(out.contains(want), "missing {want:?} in\n{out}\n{err}");
    }
    assert!(!out.contains("FAILED"), "{out}\n{err}");
    // godiag dns names the rule and probes the installed module itself.
    let report = out
        .lines()
        .find_map(|line| line.strip_prefix("DNS "))
        .unwrap_or_else(|| panic!("{out}"));
    let report: serde_json::Value = serde_json::from_str(report).unwrap();
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|finding| finding["code"] == "DNS016")
        .unwrap_or_else(|| panic!("no DNS016 in {report}"));
    assert_eq!(finding["severity"], "info", "{finding}");
    let evidence = finding["evidence"].to_string();
    assert!(
        evidence.contains("getent -s godiag ahosts git.corp.example: fd00::3 10.1.2.3")
            || evidence.contains("getent -s godiag ahosts git.corp.example: 10.1.2.3 fd00::3"),
        "{evidence}"
    );
    // The module's answer is a probe path of its own, gathered before the checks ran.
    let path = report["dns"]["paths"]
        .as_array()
        .unwrap()
        .iter()
        .find(|path| path["name"] == "nss_godiag")
        .unwrap_or_else(|| panic!("no nss_godiag path in {report}"));
    let mut addresses: Vec<&str> = path["addresses"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(serde_json::Value::as_str)
        .collect();
    addresses.sort_unstable();
    assert_eq!(addresses, ["10.1.2.3", "fd00::3"], "{path}");
    assert_eq!(path["detail"], "getent -s godiag ahosts git.corp.example");
    // With --format json each is a report: what is in place and what would change.
    let json_line = |prefix: &str| -> serde_json::Value {
        let line = out
            .lines()
            .find_map(|line| line.strip_prefix(prefix))
            .unwrap_or_else(|| panic!("no {prefix} in {out}"));
        serde_json::from_str(line).unwrap_or_else(|error| panic!("{error}: {line}"))
    };
    let install = json_line("INSTALLJSON ");
    assert_eq!(install["schema"], "godiag.report/v2", "{install}");
    assert_eq!(install["command"], "nss", "{install}");
    assert_eq!(install["nss"]["action"], "install", "{install}");
    assert_eq!(install["nss"]["module"]["installed"], true, "{install}");
    assert_eq!(
        install["nss"]["changes"],
        serde_json::json!([]),
        "{install}"
    );
    assert_eq!(install["nss"]["fix"], false, "{install}");
    let uninstall = json_line("UNINSTALLJSON ");
    assert_eq!(uninstall["nss"]["action"], "uninstall", "{uninstall}");
    assert_eq!(uninstall["nss"]["module"]["installed"], true, "{uninstall}");
    assert_eq!(uninstall["nss"]["module"]["removed"], false, "{uninstall}");
    let changes = uninstall["nss"]["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{uninstall}");
    assert_eq!(changes[0]["text"], "take `godiag` off the hosts line");
    assert_eq!(changes[0]["applicability"], "unsafe", "{uninstall}");
    // The map stays, and each edited file kept a backup.
    assert_eq!(
        fs::read_to_string(t.join("etc/godiag/nss.map")).unwrap(),
        "git.corp.example 10.1.2.3 fd00::3\n"
    );
    assert!(t.join("etc/nsswitch.conf.godiag.bak").exists());
    // The host's libdir never saw the module.
    assert!(!Path::new(&libdir).join("libnss_godiag.so.2").exists());
}

//! `--root DIR` never reads or writes outside DIR: symbolic links in a recorded machine
//! resolve inside it, as in a chroot, for reads and for `--fix` (issue #9, "The seam holds").
//! Each test puts sentinel files outside the root under the absolute names the root's links
//! point to, and proves godiag neither reads them nor changes anything beside them.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use crate::peers::godiag;

/// A temporary directory holding `root/` (the machine) and `host/` (outside it).
struct Seam {
    dir: tempfile::TempDir,
}

impl Seam {
    fn new() -> Self {
        let seam = Self {
            dir: tempfile::tempdir().unwrap(),
        };
        fs::create_dir_all(seam.root().join("etc")).unwrap();
        fs::create_dir_all(seam.outside()).unwrap();
        seam
    }

    fn root(&self) -> PathBuf {
        self.dir.path().join("root")
    }

    /// The directory outside the root, by its absolute name on this machine.
    fn outside(&self) -> PathBuf {
        self.dir.path().join("host")
    }

    /// Where the outside directory's absolute name lands inside the root.
    fn rerooted(&self) -> PathBuf {
        self.root().join(self.outside().strip_prefix("/").unwrap())
    }

    /// `ROOT/name -> target`.
    fn link(&self, name: &str, target: &Path) {
        let path = self.root().join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        symlink(target, path).unwrap();
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(godiag())
            .env_clear()
            .arg("--root")
            .arg(self.root())
            .args(args)
            .output()
            .unwrap()
    }

    /// Every file outside the root, with its content.
    fn outside_files(&self) -> BTreeMap<PathBuf, String> {
        let mut files = BTreeMap::new();
        let mut dirs = vec![self.outside()];
        while let Some(dir) = dirs.pop() {
            for entry in fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else {
                    files.insert(path.clone(), fs::read_to_string(&path).unwrap());
                }
            }
        }
        files
    }
}

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn dns_reads_resolv_conf_through_links_inside_the_root() {
    let seam = Seam::new();
    write(&seam.root().join("etc/nsswitch.conf"), "hosts: files dns\n");
    write(&seam.outside().join("x.conf"), "nameserver 192.0.2.66\n");
    seam.link("etc/resolv.conf", &seam.outside().join("x.conf"));
    let before = seam.outside_files();

    let unrooted = seam.run(&["--format", "json", "dns", "example.test"]);
    assert!(unrooted.status.code().is_some_and(|code| code < 2));
    let text = stdout(&unrooted);
    assert!(
        !text.contains("192.0.2.66"),
        "read outside the root: {text}"
    );

    // The same link, with the file it names present inside the root, is followed there.
    write(&seam.rerooted().join("x.conf"), "nameserver 192.0.2.53\n");
    let rooted = seam.run(&["--format", "json", "dns", "example.test"]);
    let report: Value = serde_json::from_slice(&rooted.stdout).unwrap();
    assert!(report.to_string().contains("192.0.2.53"), "{report}");
    assert!(!report.to_string().contains("192.0.2.66"), "{report}");
    assert_eq!(seam.outside_files(), before);
}

#[test]
fn dns_fix_edits_the_file_inside_the_root() {
    let seam = Seam::new();
    let broken = "passwd: files\nhosts: files [FOO=return] dns\n";
    write(&seam.outside().join("X"), broken);
    write(&seam.rerooted().join("X"), broken);
    write(
        &seam.root().join("etc/resolv.conf"),
        "nameserver 10.0.0.1\n",
    );
    seam.link("etc/nsswitch.conf", &seam.outside().join("X"));
    let before = seam.outside_files();

    // Rewriting the hosts line is an unsafe fix: `--fix` alone leaves it.
    let held = seam.run(&["dns", "git.corp.example", "--cgo", "on", "--fix", "--yes"]);
    let stderr = String::from_utf8_lossy(&held.stderr);
    assert!(stderr.contains("1 unsafe fix not applied"), "{stderr}");
    assert_eq!(
        fs::read_to_string(seam.rerooted().join("X")).unwrap(),
        broken
    );
    let fixed = seam.run(&[
        "dns",
        "git.corp.example",
        "--cgo",
        "on",
        "--fix",
        "--yes",
        "--unsafe-fixes",
    ]);
    assert!(
        fixed.status.code().is_some_and(|code| code < 2),
        "{}",
        String::from_utf8_lossy(&fixed.stderr)
    );
    assert_eq!(seam.outside_files(), before, "wrote outside the root");
    let inside = fs::read_to_string(seam.rerooted().join("X")).unwrap();
    assert_eq!(inside, "passwd: files\nhosts: files dns\n");
    assert_eq!(
        fs::read_to_string(seam.rerooted().join("X.godiag.bak")).unwrap(),
        broken
    );
    assert!(
        fs::symlink_metadata(seam.root().join("etc/nsswitch.conf"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

#[test]
fn lint_fix_through_a_dangling_link_creates_nothing_outside() {
    let seam = Seam::new();
    let config = "receivers:\n  otlp:\n    protocols:\n      grpc:\n        endpoint: localhost:4317\n\
                  exporters:\n  otlphttp/backend:\n    endpoint: https://otlp.example.com\n\
                  service:\n  pipelines:\n    traces:\n      receivers: [otlp]\n      \
                  exporters: [otlphttp/backnd]\n";
    let outside = seam.outside().join("config.yaml");
    write(&outside, config);
    // The only copy of the file is outside: inside the root the link dangles.
    seam.link("etc/otelcol/config.yaml", &outside);
    let before = seam.outside_files();
    let args = [
        "--format",
        "json",
        "lint",
        "/etc/otelcol/config.yaml",
        "--fix",
        "--yes",
    ];
    let output = seam.run(&args);
    assert!(!stdout(&output).contains("backnd"), "{}", stdout(&output));
    assert_eq!(seam.outside_files(), before);
    assert!(!seam.rerooted().join("config.yaml").exists());

    // With the file inside the root, the fix lands there, with its backup beside it.
    write(&seam.rerooted().join("config.yaml"), config);
    let output = seam.run(&args);
    assert!(
        output.status.code().is_some_and(|code| code < 2),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(seam.outside_files(), before, "wrote outside the root");
    let fixed = fs::read_to_string(seam.rerooted().join("config.yaml")).unwrap();
    assert!(fixed.contains("exporters: [otlphttp/backend]"), "{fixed}");
    assert!(seam.rerooted().join("config.yaml.godiag.bak").exists());
}

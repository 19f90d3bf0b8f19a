//! Where the build gets a module from before any proxy is asked: the main module and the
//! workspace (go.work `use`), the vendor directory, and `replace` lines.
//!
//! cmd/go/internal/modload: workspace modules and the main module are never downloaded;
//! `setDefaultBuildMod` picks `-mod=vendor` when GOFLAGS does not set `-mod`, a `vendor`
//! directory exists and the go.mod (go.work) `go` version is at least 1.14, and
//! `checkVendorConsistency` refuses a required module that vendor/modules.txt does not
//! mark explicit; `Replacement` prefers a version-specific `replace` to a path-wide one,
//! and go.work's replacements shadow the modules' own. This models a build (`go build`,
//! `go mod download M`); `go mod download M@V` with a version always downloads.

use std::collections::BTreeMap;
use std::path::Path;

use godiag_core::host::Host;
use godiag_go::gover::Version;
use godiag_go::modfile::{self, Kind, ModFile, Replace};
use godiag_go::semver;
use serde::Serialize;

use crate::model::GoEnv;
use crate::paths::{clean, is_abs, join, short_path};

/// A module of the build that is not downloaded: the main module or a workspace module.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MainModule {
    /// Its module path.
    pub path: String,
    /// Its directory.
    pub dir: String,
}

/// The module context of the current directory (`.go.fetch.project`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Project {
    /// GOMOD.
    pub go_mod: Option<String>,
    /// GOWORK, in workspace mode.
    pub go_work: Option<String>,
    /// The main modules (the workspace's `use` directories, or the one module).
    pub main_modules: Vec<MainModule>,
    /// `-mod` for a build: `vendor`, `readonly` or `mod`.
    pub build_mod: String,
    /// Why (the go command's own `BuildModReason` wording where it has one).
    pub build_mod_reason: String,
    /// The vendor directory, in vendor mode.
    pub vendor_dir: Option<String>,
    /// The error every build stops with before looking at any module, if any.
    pub build_error: Option<String>,
    #[serde(skip)]
    files: Vec<ModFile>,
    #[serde(skip)]
    work: Option<ModFile>,
    #[serde(skip)]
    vendored: BTreeMap<String, Vendored>,
    /// go.sum lines by (module path, version or `version/go.mod`): hash, file, line.
    #[serde(skip)]
    sums: BTreeMap<(String, String), Vec<SumLine>>,
}

/// One go.sum (or go.work.sum) line's hash and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SumLine {
    /// `h1:...`.
    pub hash: String,
    /// The go.sum (or go.work.sum) path, as findings print it.
    pub file: String,
    /// 1-based line.
    pub line: u32,
}

/// A module listed in vendor/modules.txt.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Vendored {
    version: String,
    explicit: bool,
}

/// How the build gets the module (`.go.fetch.resolution`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Resolution {
    /// The proxies (or direct) are asked.
    Fetch,
    /// It is the main module or a workspace module: its directory is used.
    MainModule {
        /// The directory.
        dir: String,
        /// `go.work` or `go.mod` that makes it one.
        file: String,
    },
    /// The build reads it from the vendor directory.
    Vendor {
        /// vendor/modules.txt.
        modules_txt: String,
        /// The version modules.txt lists, if any.
        listed: Option<String>,
    },
    /// A `replace` points at a directory.
    ReplaceDir {
        /// The directory as written.
        dir: String,
        /// The directory, absolute.
        abs: String,
        /// The file holding the `replace`.
        file: String,
        /// The 1-based line of the `replace`.
        line: u32,
    },
    /// A `replace` points at another module version, which is fetched instead.
    ReplaceModule {
        /// The replacement module.
        path: String,
        /// The replacement version, fetched instead of the required one.
        version: String,
        /// The file holding the `replace`.
        file: String,
        /// The 1-based line of the `replace`.
        line: u32,
    },
}

/// What the project decides for one module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// How the module is obtained.
    pub resolution: Resolution,
    /// The version the main modules require, when they do.
    pub required: Option<String>,
    /// The error the go command stops with, if it does.
    pub error: Option<String>,
}

/// Reads the project the computed GOMOD, GOWORK and GOFLAGS describe; `Ok(None)` outside
/// a module (GOMOD empty or `/dev/null`, no workspace). `Err` holds what the go command
/// prints after `go: `.
pub fn load(host: &dyn Host, env: &GoEnv) -> Result<Option<Project>, String> {
    let cwd = host.current_dir().display().to_string();
    let settings = [
        env.value("GOMOD"),
        env.value("GOWORK"),
        env.value("GOFLAGS"),
    ];
    load_with(host, settings, &cwd)
}

/// [`load`] from GOMOD, GOWORK and GOFLAGS; errors name files relative to `cwd` when that
/// is shorter, as the go command does.
pub fn load_with(
    host: &dyn Host,
    [gomod, gowork, goflags]: [&str; 3],
    cwd: &str,
) -> Result<Option<Project>, String> {
    if gomod.is_empty() {
        return Ok(None);
    }
    let workspace = !gowork.is_empty() && gowork != "off";
    if !workspace && gomod == "/dev/null" {
        return Ok(None);
    }
    let mut project = Project {
        go_mod: (gomod != "/dev/null").then(|| gomod.to_owned()),
        go_work: workspace.then(|| gowork.to_owned()),
        main_modules: Vec::new(),
        build_mod: String::new(),
        build_mod_reason: String::new(),
        vendor_dir: None,
        build_error: None,
        files: Vec::new(),
        work: None,
        vendored: BTreeMap::new(),
        sums: BTreeMap::new(),
    };
    if workspace {
        let work = read(host, gowork, Kind::GoWork, cwd)?;
        let base = parent(gowork);
        for used in &work.uses {
            let dir = if is_abs(&used.dir) {
                clean(&used.dir)
            } else {
                join(&base, &used.dir)
            };
            let file = read(host, &join(&dir, "go.mod"), Kind::GoMod, cwd).map_err(|error| {
                format!(
                    "cannot load module {} listed in go.work file: {error}",
                    short_path(&dir, cwd)
                )
            })?;
            project.add_main(file, dir);
        }
        project.work = Some(work);
    } else {
        let file = read(host, gomod, Kind::GoMod, cwd)?;
        project.add_main(file, parent(gomod));
    }
    project.choose_build_mod(host, goflags);
    project.read_sums(host);
    Ok(Some(project))
}

fn read(host: &dyn Host, path: &str, kind: Kind, cwd: &str) -> Result<ModFile, String> {
    let short = short_path(path, cwd);
    let text = host
        .read_to_string(Path::new(path))
        .map_err(|e| format!("open {short}: {}", io_text(&e)))?;
    modfile::parse(&text, path, kind).map_err(|e| {
        let what = if kind == Kind::GoWork {
            "go.work"
        } else {
            "go.mod"
        };
        // modfile.Error: the column only when it is not the first.
        let at = if e.column > 1 {
            format!("{short}:{}:{}", e.line, e.column)
        } else {
            format!("{short}:{}", e.line)
        };
        format!("errors parsing {what}:\n{at}: {}", e.message)
    })
}

/// The text Go's `os` errors end with.
fn io_text(error: &std::io::Error) -> &'static str {
    match error.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory",
        std::io::ErrorKind::PermissionDenied => "permission denied",
        _ => "cannot read the file",
    }
}

fn parent(file: &str) -> String {
    Path::new(file)
        .parent()
        .map_or_else(|| ".".to_owned(), |dir| dir.display().to_string())
}

impl Project {
    fn add_main(&mut self, file: ModFile, dir: String) {
        if let Some(path) = &file.module {
            self.main_modules.push(MainModule {
                path: path.clone(),
                dir,
            });
        }
        self.files.push(file);
    }

    /// `setDefaultBuildMod` for a build command, and the workspace's `-mod` refusal.
    fn choose_build_mod(&mut self, host: &dyn Host, goflags: &str) {
        let explicit = goflags.split_whitespace().find_map(|flag| {
            let flag = flag.strip_prefix("--").or_else(|| flag.strip_prefix('-'))?;
            flag.strip_prefix("mod=").map(str::to_owned)
        });
        let (go, source, root) = match (&self.work, self.files.first()) {
            (Some(work), _) => (
                work.go.clone(),
                "go.work",
                self.go_work.as_deref().map(parent),
            ),
            (None, Some(file)) => (
                file.go.clone(),
                "go.mod",
                self.main_modules.first().map(|m| m.dir.clone()),
            ),
            (None, None) => (None, "go.mod", None),
        };
        let vendor = root.map(|root| join(&root, "vendor"));
        if let Some(mode) = explicit {
            if self.work.is_some() && mode != "readonly" && mode != "vendor" {
                // Builds refuse it; `go mod download`, which always uses -mod=mod, does not.
                self.build_error = Some(format!(
                    "-mod may only be set to readonly or vendor when in workspace mode, but it is set to {mode:?}\n\tRemove the -mod flag to use the default readonly value, \n\tor set GOWORK=off to disable workspace mode."
                ));
            }
            self.build_mod_reason = format!("GOFLAGS sets -mod={mode}");
            if mode == "vendor" {
                self.vendor_dir = vendor;
                self.read_modules_txt(host);
            }
            self.build_mod = mode;
            return;
        }
        "readonly".clone_into(&mut self.build_mod);
        let Some(vendor) =
            vendor.filter(|dir| host.metadata(Path::new(dir)).is_ok_and(|m| m.is_dir))
        else {
            "no vendor directory".clone_into(&mut self.build_mod_reason);
            return;
        };
        let Some(go) = go else {
            self.build_mod_reason =
                format!("Go version in {source} is unspecified, so vendor directory was not used.");
            return;
        };
        if Version::parse(&go).is_none_or(|v| v < Version::parse("1.14").unwrap_or(v)) {
            self.build_mod_reason =
                format!("Go version in {source} is {go}, so vendor directory was not used.");
            return;
        }
        self.vendor_dir = Some(vendor);
        let for_workspace = self.read_modules_txt(host);
        if for_workspace != self.work.is_some() {
            self.vendor_dir = None;
            self.vendored.clear();
            self.build_mod_reason = if for_workspace {
                "Outside workspace mode, but vendor directory is for a workspace.".to_owned()
            } else {
                "In workspace mode, but vendor directory is not for a workspace".to_owned()
            };
            return;
        }
        "vendor".clone_into(&mut self.build_mod);
        self.build_mod_reason =
            format!("Go version in {source} is at least 1.14 and vendor directory exists.");
    }

    /// Reads vendor/modules.txt; returns true when it was written for a workspace.
    fn read_modules_txt(&mut self, host: &dyn Host) -> bool {
        let Some(dir) = &self.vendor_dir else {
            return false;
        };
        let Ok(text) = host.read_to_string(Path::new(&join(dir, "modules.txt"))) else {
            return false;
        };
        let workspace = text.lines().next().is_some_and(|first| {
            first
                .strip_prefix("## ")
                .is_some_and(|notes| notes.split(';').any(|n| n.trim() == "workspace"))
        });
        let mut current: Option<String> = None;
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("# ") {
                let mut words = rest.split_whitespace();
                if let (Some(path), Some(version)) = (words.next(), words.next()) {
                    current = Some(path.to_owned());
                    self.vendored.insert(
                        path.to_owned(),
                        Vendored {
                            version: version.to_owned(),
                            explicit: false,
                        },
                    );
                }
            } else if let Some(notes) = line.strip_prefix("## ") {
                let explicit = notes.split(';').any(|n| n.trim() == "explicit");
                if let Some(entry) = current.as_ref().and_then(|p| self.vendored.get_mut(p)) {
                    entry.explicit |= explicit;
                }
            }
        }
        workspace
    }

    /// Reads go.sum of every main module, and go.work.sum in workspace mode (modfetch
    /// `initGoSum`).
    fn read_sums(&mut self, host: &dyn Host) {
        let mut files: Vec<String> = self
            .main_modules
            .iter()
            .map(|m| join(&m.dir, "go.sum"))
            .collect();
        if let Some(work) = &self.go_work {
            files.insert(0, format!("{work}.sum"));
        }
        for file in files {
            let Ok(text) = host.read_to_string(Path::new(&file)) else {
                continue;
            };
            for (index, line) in text.lines().enumerate() {
                let fields: Vec<&str> = line.split_whitespace().collect();
                if let [path, version, hash] = fields.as_slice() {
                    self.sums
                        .entry(((*path).to_owned(), (*version).to_owned()))
                        .or_default()
                        .push(SumLine {
                            hash: (*hash).to_owned(),
                            file: file.clone(),
                            line: u32::try_from(index + 1).unwrap_or(u32::MAX),
                        });
                }
            }
        }
    }

    /// `haveModSumLocked`: the go.sum line that contradicts `hash` for `module` at
    /// `version` (`v1.0.0` or `v1.0.0/go.mod`), as the go command meets them, unless an
    /// earlier line agrees.
    #[must_use]
    pub fn sum_conflict(&self, module: &str, version: &str, hash: &str) -> Option<&SumLine> {
        let lines = self.sums.get(&(module.to_owned(), version.to_owned()))?;
        for line in lines {
            if line.hash == hash {
                return None;
            }
            if line.hash.starts_with("h1:") {
                return Some(line);
            }
        }
        None
    }

    /// The highest version the main modules require for `module`.
    fn required(&self, module: &str) -> Option<String> {
        self.files
            .iter()
            .flat_map(|file| file.requires.iter())
            .filter(|r| r.path == module)
            .map(|r| r.version.clone())
            .max_by(|a, b| semver::compare(a, b))
    }

    /// modload `Replacement`: go.work's lines shadow the modules' for the same path; a
    /// version-specific line beats a path-wide one.
    fn replacement(&self, module: &str, version: &str) -> Option<(&Replace, &str)> {
        let from_work: Vec<(&Replace, &str)> = self
            .work
            .iter()
            .flat_map(|work| work.replaces.iter().map(move |r| (r, work.path.as_str())))
            .filter(|(r, _)| r.old_path == module)
            .collect();
        let candidates = if from_work.is_empty() {
            self.files
                .iter()
                .flat_map(|file| file.replaces.iter().map(move |r| (r, file.path.as_str())))
                .filter(|(r, _)| r.old_path == module)
                .collect()
        } else {
            from_work
        };
        candidates
            .iter()
            .find(|(r, _)| r.old_version.as_deref() == Some(version))
            .or_else(|| candidates.iter().find(|(r, _)| r.old_version.is_none()))
            .copied()
    }

    /// Decides how a build gets `module`, at `version` when the user named one.
    #[must_use]
    pub fn decide(&self, module: &str, version: Option<&str>) -> Decision {
        let required = self.required(module);
        let mut decision = Decision {
            resolution: Resolution::Fetch,
            required: required.clone(),
            error: None,
        };
        if let Some(main) = self.main_modules.iter().find(|m| m.path == module) {
            let file = self
                .go_work
                .clone()
                .or_else(|| self.go_mod.clone())
                .unwrap_or_default();
            decision.resolution = Resolution::MainModule {
                dir: main.dir.clone(),
                file,
            };
            return decision;
        }
        let version = version.map(str::to_owned).or(required);
        if let Some(vendor) = &self.vendor_dir {
            let listed = self.vendored.get(module);
            decision.resolution = Resolution::Vendor {
                modules_txt: join(vendor, "modules.txt"),
                listed: listed.map(|v| v.version.clone()),
            };
            decision.error = self.vendor_error(module, listed);
            return decision;
        }
        let Some(version) = version else {
            return decision;
        };
        if let Some((replace, file)) = self.replacement(module, &version) {
            decision.resolution = if replace.is_dir() {
                let base = parent(file);
                let abs = if is_abs(&replace.new_path) {
                    clean(&replace.new_path)
                } else {
                    join(&base, &replace.new_path)
                };
                Resolution::ReplaceDir {
                    dir: replace.new_path.clone(),
                    abs,
                    file: file.to_owned(),
                    line: replace.line,
                }
            } else {
                Resolution::ReplaceModule {
                    path: replace.new_path.clone(),
                    version: replace.new_version.clone().unwrap_or_default(),
                    file: file.to_owned(),
                    line: replace.line,
                }
            };
        }
        decision
    }

    /// `checkVendorConsistency` for one required module.
    fn vendor_error(&self, module: &str, listed: Option<&Vendored>) -> Option<String> {
        let required = self.required(module)?;
        if listed.is_some_and(|v| v.explicit) {
            return None;
        }
        let dir = self.vendor_dir.as_deref().map(parent).unwrap_or_default();
        let subcommand = if self.work.is_some() { "work" } else { "mod" };
        Some(format!(
            "inconsistent vendoring in {dir}:\n\t{module}@{required}: is explicitly required in go.mod, but not marked as explicit in vendor/modules.txt\n\n\tTo ignore the vendor directory, use -mod=readonly or -mod=mod.\n\tTo sync the vendor directory, run:\n\t\tgo {subcommand} vendor"
        ))
    }
}

/// For a `replace` to a directory: the error the build stops with, if any.
#[must_use]
pub fn replace_dir_error(
    host: &dyn Host,
    module: &str,
    version: &str,
    dir: &str,
    abs: &str,
) -> Option<String> {
    if !host.metadata(Path::new(abs)).is_ok_and(|m| m.is_dir) {
        return Some(format!(
            "{module}@{version}: replacement directory {dir} does not exist"
        ));
    }
    let go_mod = join(abs, "go.mod");
    // What `go build` prints (after the importing file's position); `go list -m all`
    // words it as `M@V (replaced by DIR): reading ...`.
    host.metadata(Path::new(&go_mod)).is_err().then(|| {
        format!(
            "module {dir}: reading {}: open {go_mod}: no such file or directory",
            join(dir, "go.mod")
        )
    })
}

#[cfg(test)]
mod tests;

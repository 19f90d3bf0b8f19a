//! GO025: the project (go.work, `replace`, vendor/) decides where the module comes from, so
//! the GOPROXY walk does not happen for it.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Evidence, Finding, Fix, Location, Severity};

use super::FetchContext;
use crate::checks::shell_quote;
use crate::fetch::project::{Project, Resolution};

/// The module is not fetched through GOPROXY for a build in this directory.
pub(crate) struct ProxyNotConsulted;

const META: CheckMeta = CheckMeta {
    code: "GO025",
    slug: "proxy-not-consulted",
    domain: Domain::Go,
    severity: Severity::Info,
    status: CheckStatus::Stable,
    title: "The project provides the module, so no proxy is asked for it",
    ok_title: "The module is fetched through GOPROXY",
    doc: include_str!("../../../../../docs/checks/GO025.md"),
};

impl Check<FetchContext> for ProxyNotConsulted {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &FetchContext) -> Option<String> {
        context.no_project()
    }

    fn run(&self, context: &FetchContext) -> Vec<Finding> {
        let report = &context.report;
        let Some(project) = &report.project else {
            return Vec::new();
        };
        let module = &report.module;
        let version = &report.version;
        let (title, message, location, fix) = match &report.resolution {
            Resolution::Fetch => return Vec::new(),
            Resolution::MainModule { dir, file } => (
                format!("{module} is a module of this workspace: it is never downloaded"),
                format!(
                    "{module} is the main module or a `use` of {file}, so the go command builds \
                     it from {dir}. GOPROXY, GOPRIVATE and the checksum database play no part."
                ),
                Location::file(file),
                Fix::manual(format!(
                    "To test the proxies anyway, ask from outside the workspace: \
                     cd \"$(mktemp -d)\" && GOWORK=off go mod download -json {module}@latest"
                )),
            ),
            Resolution::Vendor {
                modules_txt,
                listed,
            } => (
                format!("Builds take {module} from vendor/: nothing is downloaded"),
                format!(
                    "Builds run with -mod=vendor ({}), so they read {module} from the vendor \
                     directory ({modules_txt} lists {}). The proxies are not asked; \
                     `go mod download` still downloads, as it always uses -mod=mod.",
                    vendor_reason(project),
                    listed.as_deref().unwrap_or("no version of it")
                ),
                Location::file(modules_txt),
                Fix::command(
                    "GOFLAGS=-mod=mod go build ./...   # build from the module cache and proxies instead of vendor/",
                ),
            ),
            Resolution::ReplaceDir {
                dir,
                abs,
                file,
                line,
            } => (
                format!("A replace points {module} at {dir}: nothing is downloaded"),
                format!(
                    "{file}:{line} replaces {module} with the directory {abs}, so builds use that \
                     directory and no proxy is asked (only `go mod download {module}@{version}`, \
                     with an explicit version, still downloads it)."
                ),
                Location::line(file, *line),
                Fix::command(drop_replace(file, module)),
            ),
            Resolution::ReplaceModule {
                path,
                version: replacement,
                file,
                line,
            } => (
                format!("A replace fetches {path}@{replacement} instead of {module}"),
                format!(
                    "{file}:{line} replaces {module} with {path}@{replacement}: the requests \
                     below are for the replacement, and {module} itself is never asked for."
                ),
                Location::line(file, *line),
                Fix::command(drop_replace(file, module)),
            ),
        };
        vec![
            Finding::new(&META, title, message)
                .subject(format!("{module}@{version}"))
                .evidence(Evidence::file(format!(
                    "-mod={}: {}",
                    project.build_mod, project.build_mod_reason
                )))
                .location(location)
                .fix(fix),
        ]
    }
}

fn vendor_reason(project: &Project) -> &str {
    if project.build_mod_reason.is_empty() {
        "-mod=vendor"
    } else {
        project.build_mod_reason.trim_end_matches('.')
    }
}

/// `go mod edit -dropreplace` (or `go work edit` for go.work) for the file holding it.
fn drop_replace(file: &str, module: &str) -> String {
    let tool = if file.ends_with("go.work") {
        "go work edit"
    } else {
        "go mod edit"
    };
    format!(
        "{tool} -dropreplace={} {}",
        shell_quote(module),
        shell_quote(file)
    )
}

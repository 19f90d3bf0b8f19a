//! GO005: modules switched off (GO111MODULE=off, or =auto outside a module) next to a
//! legacy GOPATH/src tree.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Evidence, Finding, Fix, Severity};

use super::{Context, var_evidence, var_location};
use crate::paths::{join, split_list};

/// GOPATH mode in effect, usually by accident.
pub(crate) struct GopathMode;

const META: CheckMeta = CheckMeta {
    code: "GO005",
    slug: "gopath-mode",
    domain: Domain::Go,
    severity: Severity::Warning,
    status: CheckStatus::Stable,
    title: "The go command runs in GOPATH mode",
    ok_title: "The go command runs in module mode",
    doc: include_str!("../../../../docs/checks/GO005.md"),
};

impl Check<Context> for GopathMode {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.unknown_value("GO111MODULE")
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let Some(var) = context.env.var("GO111MODULE") else {
            return Vec::new();
        };
        let mode = var.value.as_deref().unwrap_or_default();
        let outside_module = context.env.value("GOMOD").is_empty();
        if !(mode == "off" || (mode == "auto" && outside_module)) {
            return Vec::new();
        }
        let legacy_trees: Vec<String> = split_list(context.env.value("GOPATH"))
            .iter()
            .filter(|entry| !entry.is_empty())
            .map(|entry| join(entry, "src"))
            .filter(|src| {
                context
                    .host
                    .read_dir(std::path::Path::new(src))
                    .is_ok_and(|entries| !entries.is_empty())
            })
            .collect();
        let why = if mode == "off" {
            "GO111MODULE=off turns modules off everywhere: go.mod files are ignored, imports are looked up in GOPATH/src"
        } else {
            "GO111MODULE=auto outside a module means GOPATH mode here: imports are looked up in GOPATH/src"
        };
        let mut finding = Finding::new(
            &META,
            format!("GO111MODULE={mode} puts the go command in GOPATH mode"),
            format!(
                "{why}. `go get`, `go mod ...` and `go install pkg@version` fail with \
                 \"go: modules disabled by GO111MODULE=off; see 'go help modules'\" (or, outside a \
                 module under auto, \"go: go.mod file not found in current directory or any parent \
                 directory\"). GOPATH mode is legacy; a GOPATH/src tree has no effect at all in module \
                 mode (it does not make downloads bypass GOPROXY)."
            ),
        )
        .subject("GO111MODULE")
        .evidence(var_evidence(var))
        .fix(Fix::command("go env -u GO111MODULE && unset GO111MODULE   # module mode, the default since Go 1.16"));
        for tree in &legacy_trees {
            finding =
                finding.evidence(Evidence::file(format!("{tree} holds a legacy GOPATH tree")));
        }
        if let Some(location) = var_location(var) {
            finding = finding.location(location);
        }
        vec![finding]
    }
}

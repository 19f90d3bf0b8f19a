//! GO003: one Go variable set to different values in different places.

use std::collections::BTreeMap;

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Evidence, Finding, Fix, Location, Severity};

use super::{Context, shell_quote};

/// The same Go variable given different values by different files.
pub(crate) struct ConflictingValues;

const META: CheckMeta = CheckMeta {
    code: "GO003",
    slug: "go-variable-conflicting-values",
    domain: Domain::Go,
    severity: Severity::Warning,
    status: CheckStatus::Stable,
    title: "A Go variable has different values in different files",
    ok_title: "No Go variable is given conflicting values",
    doc: include_str!("../../../../docs/checks/GO003.md"),
};

impl Check<Context> for ConflictingValues {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.no_go_exports()
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        // name → [(path, line, value)]
        let mut places: BTreeMap<&str, Vec<(String, u32, String)>> = BTreeMap::new();
        for export in context.exports.iter().filter(|export| export.exported) {
            if let Some(value) = &export.value {
                places.entry(&export.name).or_default().push((
                    export.path.display().to_string(),
                    export.line,
                    value.clone(),
                ));
            }
        }
        if let Some(file) = &context.env.user_file {
            for (name, entry) in &file.entries {
                if let Some(list) = places.get_mut(name.as_str()) {
                    list.push((
                        file.path.display().to_string(),
                        entry.line,
                        entry.value.clone(),
                    ));
                }
            }
        }
        let mut findings = Vec::new();
        for (name, list) in places {
            let mut values: Vec<&str> = list.iter().map(|(_, _, value)| value.as_str()).collect();
            values.sort_unstable();
            values.dedup();
            if values.len() < 2 {
                continue;
            }
            let effective = context.env.value(name);
            let (path, line, _) = &list[0];
            let mut finding = Finding::new(
                &META,
                format!("{name} is set to {} different values", values.len()),
                format!(
                    "Which value a go command gets depends on how it was started (terminal, IDE, \
                     service, CI), so the same command behaves differently. Here it is {name}={effective}."
                ),
            )
            .subject(name)
            .location(Location::line(path, *line));
            for (path, line, value) in &list {
                finding =
                    finding.evidence(Evidence::file(format!("{path}:{line}: {name}={value}")));
            }
            let keep = if effective.is_empty() {
                list[0].2.as_str()
            } else {
                effective
            };
            finding = finding.fix(Fix::manual(format!(
                "keep one: go env -w {name}={} and delete the other assignments",
                shell_quote(keep)
            )));
            findings.push(finding);
        }
        findings
    }
}

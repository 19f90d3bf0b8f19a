//! GO013: a GO-looking variable the go command does not read (`GONOSUMCHECK`).

use godiag_core::text::edit_distance;
use std::collections::BTreeMap;

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Evidence, Finding, Fix, Location, Severity};

use super::Context;
use crate::known::{KNOWN_ENV, OTHER_GO_VARIABLES};

/// A variable that looks like a Go setting but that no Go tool reads.
pub(crate) struct UnknownVariable;

const META: CheckMeta = CheckMeta {
    code: "GO013",
    slug: "unknown-go-variable",
    domain: Domain::Go,
    severity: Severity::Warning,
    status: CheckStatus::Stable,
    title: "A variable looks like a Go setting but Go ignores it",
    ok_title: "Every Go setting found is one Go reads",
    doc: include_str!("../../../../docs/checks/GO013.md"),
};

/// Words of real settings; a GO variable containing one is probably meant as that setting.
const SETTING_WORDS: &[&str] = &[
    "PROXY",
    "SUMDB",
    "NOSUM",
    "SUMCHECK",
    "PRIVATE",
    "INSECURE",
    "FLAGS",
    "TOOLCHAIN",
    "MODCACHE",
    "CACHE",
    "PATH",
    "ROOT",
    "AUTH",
];

impl Check<Context> for UnknownVariable {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        // name → places it is set
        let mut places: BTreeMap<String, Vec<(String, Option<Location>)>> = BTreeMap::new();
        for name in context.env.os_env.keys().filter(|name| suspicious(name)) {
            places
                .entry(name.clone())
                .or_default()
                .push((format!("environment: {name}"), None));
        }
        if let Some(file) = &context.env.user_file {
            for (name, entry) in file.entries.iter().filter(|(name, _)| !is_known(name)) {
                places.entry(name.clone()).or_default().push((
                    format!(
                        "{}:{}: {name}={}",
                        file.path.display(),
                        entry.line,
                        entry.value
                    ),
                    Some(Location::line(&file.path, entry.line)),
                ));
            }
        }
        for export in context
            .exports
            .iter()
            .filter(|export| suspicious(&export.name))
        {
            places.entry(export.name.clone()).or_default().push((
                format!("{}:{}: {}", export.path.display(), export.line, export.name),
                Some(Location::line(&export.path, export.line)),
            ));
        }
        places
            .into_iter()
            .map(|(name, places)| {
                let meant = closest(&name);
                let hint =
                    meant.map_or_else(String::new, |known| format!(" Did you mean {known}?"));
                let mut finding = Finding::new(
                    &META,
                    format!("{name} is not a Go setting"),
                    format!("No Go tool reads {name}, so setting it changes nothing.{hint}"),
                )
                .subject(name.clone());
                if let Some(location) = places.iter().find_map(|(_, location)| location.clone()) {
                    finding = finding.location(location);
                }
                for (text, _) in places {
                    finding = finding.evidence(Evidence::file(text));
                }
                let fix = match meant {
                    Some(known) => {
                        format!("use {known} instead (go env -w {known}=...) and remove {name}")
                    }
                    None => format!("remove {name}"),
                };
                finding.fix(Fix::manual(fix))
            })
            .collect()
    }
}

fn is_known(name: &str) -> bool {
    KNOWN_ENV.contains(&name) || OTHER_GO_VARIABLES.contains(&name)
}

/// A GO-prefixed name that is not Go's but contains the word of a real setting.
fn suspicious(name: &str) -> bool {
    (name.starts_with("GO") || name.starts_with("CGO_"))
        && !is_known(name)
        && SETTING_WORDS.iter().any(|word| name.contains(word))
}

/// The known variable with the smallest edit distance, when close enough to be a typo.
fn closest(name: &str) -> Option<&'static str> {
    KNOWN_ENV
        .iter()
        .map(|known| (edit_distance(name, known), *known))
        .min()
        .filter(|(distance, _)| *distance <= name.len() / 2)
        .map(|(_, known)| known)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_typos_but_not_other_tools() {
        assert!(suspicious("GONOSUMCHECK"));
        assert!(suspicious("GO_PROXY"));
        assert!(!suspicious("GOPROXY"));
        assert!(!suspicious("GOMAXPROCS"));
        assert!(!suspicious("GOOGLE_APPLICATION_CREDENTIALS"));
        assert_eq!(closest("GONOSUMCHECK"), Some("GONOSUMDB"));
        assert_eq!(closest("GO_PROXY"), Some("GOPROXY"));
    }
}

//! GO004: a GOFLAGS value that stops every go command.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};

use super::{Context, var_evidence, var_location};
use crate::known::is_go_flag;
use crate::quoted;

/// GOFLAGS that the go command refuses to parse.
pub(crate) struct GoflagsInvalid;

const META: CheckMeta = CheckMeta {
    code: "GO004",
    slug: "goflags-invalid",
    domain: Domain::Go,
    severity: Severity::Error,
    status: CheckStatus::Stable,
    title: "GOFLAGS cannot be parsed by the go command",
    ok_title: "GOFLAGS parses",
    doc: include_str!("../../../../docs/checks/GO004.md"),
};

/// Flags that need a value: `-mod` alone fails as "flag needs an argument" in every
/// command that defines it.
const NEEDS_VALUE: &[&str] = &[
    "mod",
    "modfile",
    "tags",
    "ldflags",
    "gcflags",
    "asmflags",
    "buildmode",
    "compiler",
    "gccgoflags",
    "installsuffix",
    "overlay",
    "pgo",
    "pkgdir",
    "toolexec",
    "p",
    "covermode",
    "coverpkg",
    "o",
    "C",
    "exec",
];

/// Returns the go command's error for a GOFLAGS value, if it has one
/// (`base.InitGOFLAGS` and `SetFromGOFLAGS` in cmd/go/internal/base/goflags.go).
#[must_use]
pub(crate) fn goflags_error(value: &str) -> Option<String> {
    let words = match quoted::split(value) {
        Ok(words) => words,
        Err(error) => return Some(format!("go: parsing $GOFLAGS: {error}")),
    };
    for word in &words {
        let malformed = !word.starts_with('-')
            || word == "-"
            || word == "--"
            || word.starts_with("---")
            || word.starts_with("-=")
            || word.starts_with("--=");
        if malformed {
            return Some(format!("go: parsing $GOFLAGS: non-flag {word:?}"));
        }
        let name = word.trim_start_matches('-');
        let (name, has_value) = name
            .split_once('=')
            .map_or((name, false), |(name, _)| (name, true));
        if !is_go_flag(name) {
            return Some(format!("go: parsing $GOFLAGS: unknown flag -{name}"));
        }
        if !has_value && NEEDS_VALUE.contains(&name) {
            return Some(format!(
                "go: flag needs an argument: -{name} (from $GOFLAGS)"
            ));
        }
    }
    None
}

impl Check<Context> for GoflagsInvalid {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.no_value("GOFLAGS")
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let Some(var) = context.env.var("GOFLAGS") else {
            return Vec::new();
        };
        let value = var.value.as_deref().unwrap_or_default();
        let Some(error) = goflags_error(value) else {
            return Vec::new();
        };
        let mut finding = Finding::new(
            &META,
            if error.contains("needs an argument") {
                "GOFLAGS stops the go commands that take that flag"
            } else {
                "GOFLAGS stops every go command"
            },
            format!(
                "{} exits with:\n{error}\nGOFLAGS is split on spaces, and only a quote at the start \
                 of a word groups it, so a flag value with spaces is written as one quoted word: \
                 go env -w GOFLAGS='\"-ldflags=-s -w\"'.",
                if error.contains("needs an argument") {
                    "Every go command that has this flag (build, test, run, list...)"
                } else {
                    "Every go command except `go env` and `go bug`"
                }
            ),
        )
        .subject("GOFLAGS")
        .evidence(var_evidence(var))
        .fix(Fix::command("go env -u GOFLAGS   # then set it again with one -flag=value word per flag"));
        if let Some(location) = var_location(var) {
            finding = finding.location(location);
        }
        vec![finding]
    }
}

#[cfg(test)]
mod tests {
    use super::goflags_error;

    #[test]
    fn errors_match_the_go_command() {
        let cases = [
            ("-mod=mod -v", None),
            ("", None),
            ("-test.run=X --count=1", None),
            (
                "mod=vendor",
                Some("go: parsing $GOFLAGS: non-flag \"mod=vendor\""),
            ),
            ("-bogus", Some("go: parsing $GOFLAGS: unknown flag -bogus")),
            (
                "-ldflags='-s -w'",
                Some("go: parsing $GOFLAGS: unknown flag -w'"),
            ),
            ("'-x", Some("go: parsing $GOFLAGS: unterminated ' string")),
            (
                "-mod",
                Some("go: flag needs an argument: -mod (from $GOFLAGS)"),
            ),
            ("-", Some("go: parsing $GOFLAGS: non-flag \"-\"")),
        ];
        for (value, expected) in cases {
            assert_eq!(goflags_error(value).as_deref(), expected, "{value}");
        }
    }
}

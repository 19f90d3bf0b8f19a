//! GO004: a GOFLAGS value that stops every go command.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};

use super::{Context, var_evidence, var_location};
use crate::known::is_go_flag;
use crate::quoted::{self, Unterminated};

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

/// Why the go command rejects a GOFLAGS value; the message is the go command's own.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum GoflagsError {
    /// A quote opens a word and never closes.
    #[error("go: parsing $GOFLAGS: {0}")]
    Quoting(#[from] Unterminated),
    /// A word that is not `-flag` or `-flag=value`.
    #[error("go: parsing $GOFLAGS: non-flag {word:?}")]
    NonFlag {
        /// The word as split.
        word: String,
    },
    /// A flag no go command defines: every command stops.
    #[error("go: parsing $GOFLAGS: unknown flag -{name}")]
    UnknownFlag {
        /// The flag without its dashes and value.
        name: String,
    },
    /// A flag that takes a value, given none: only the commands that have it stop.
    #[error("go: flag needs an argument: -{name} (from $GOFLAGS)")]
    NeedsArgument {
        /// The flag without its dashes.
        name: String,
    },
}

/// Returns the go command's error for a GOFLAGS value, if it has one
/// (`base.InitGOFLAGS` and `SetFromGOFLAGS` in cmd/go/internal/base/goflags.go).
#[must_use]
pub(crate) fn goflags_error(value: &str) -> Option<GoflagsError> {
    let words = match quoted::split(value) {
        Ok(words) => words,
        Err(error) => return Some(error.into()),
    };
    for word in &words {
        let malformed = !word.starts_with('-')
            || word == "-"
            || word == "--"
            || word.starts_with("---")
            || word.starts_with("-=")
            || word.starts_with("--=");
        if malformed {
            return Some(GoflagsError::NonFlag { word: word.clone() });
        }
        let name = word.trim_start_matches('-');
        let (name, has_value) = name
            .split_once('=')
            .map_or((name, false), |(name, _)| (name, true));
        if !is_go_flag(name) {
            return Some(GoflagsError::UnknownFlag {
                name: name.to_owned(),
            });
        }
        if !has_value && NEEDS_VALUE.contains(&name) {
            return Some(GoflagsError::NeedsArgument {
                name: name.to_owned(),
            });
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
        let only_commands_with_the_flag = matches!(error, GoflagsError::NeedsArgument { .. });
        let mut finding = Finding::new(
            &META,
            if only_commands_with_the_flag {
                "GOFLAGS stops the go commands that take that flag"
            } else {
                "GOFLAGS stops every go command"
            },
            format!(
                "{} exits with:\n{error}\nGOFLAGS is split on spaces, and only a quote at the start \
                 of a word groups it, so a flag value with spaces is written as one quoted word: \
                 go env -w GOFLAGS='\"-ldflags=-s -w\"'.",
                if only_commands_with_the_flag {
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
    use super::{GoflagsError, goflags_error};

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
        assert_eq!(
            goflags_error("-v -o"),
            Some(GoflagsError::NeedsArgument {
                name: "o".to_owned()
            })
        );
        for (value, expected) in cases {
            let message = goflags_error(value).map(|error| error.to_string());
            assert_eq!(message.as_deref(), expected, "{value}");
        }
    }
}

//! SAMP015: no `default_strategy`, so unlisted services get 0.001.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};

use super::Context;
use crate::sampling::response::go_float;
use crate::yaml::Pos;

/// No `default_strategy`.
pub(crate) struct MissingDefault;

const META: CheckMeta = CheckMeta {
    code: "SAMP015",
    slug: "default-strategy-missing",
    domain: Domain::Samp,
    severity: Severity::Warning,
    status: CheckStatus::Stable,
    title: "No default_strategy: unlisted services get the built-in default",
    ok_title: "The file has a default_strategy",
    doc: include_str!("../../../../../docs/checks/SAMP015.md"),
};

impl Check<Context> for MissingDefault {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.unusable().or_else(|| {
            // With a wrong type Jaeger loads nothing, so what a missing default does is moot.
            let missing = context
                .decoded
                .strategies
                .as_ref()
                .is_some_and(|s| s.default_strategy.is_none());
            (missing && !context.decoded.type_errors.is_empty())
                .then(|| "Jaeger does not load the file (SAMP002)".to_owned())
        })
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let Some(strategies) = &context.decoded.strategies else {
            return Vec::new();
        };
        if strategies.default_strategy.is_some() || !context.decoded.type_errors.is_empty() {
            return Vec::new();
        }
        let Some(open) = context.root_open() else {
            return Vec::new();
        };
        let probability = go_float(context.default_probability);
        let after = Pos {
            col: open.col + 1,
            index: open.index + 1,
            ..open
        };
        let rest = context.sources[0]
            .text
            .chars()
            .skip(after.index as usize)
            .find(|c| !c.is_whitespace());
        let comma = if rest == Some('}') { "" } else { "," };
        let text = format!(
            "Add a default_strategy that says what happens today: probabilistic {probability}."
        );
        let insert = format!(
            "\n  \"default_strategy\": {{\"type\": \"probabilistic\", \"param\": {probability}}}{comma}"
        );
        let fix = match context.replace(after, after, insert) {
            Some(edit) => Fix::edit(text, vec![edit]),
            None => Fix::manual(text),
        };
        vec![
            context
                .at(
                    &META,
                    open,
                    "no default_strategy".to_owned(),
                    format!(
                        "Every service without its own entry is served probabilistic sampling at \
                         default_sampling_probability ({probability}), one trace in {:.0}.",
                        1.0 / context.default_probability
                    ),
                )
                .fix(fix),
        ]
    }
}

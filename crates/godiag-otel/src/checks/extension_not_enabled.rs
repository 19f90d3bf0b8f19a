//! OTEL006: an extension is defined but not listed in `service.extensions`.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};

use super::{Context, Replacement};
use crate::registry::Kind;
use crate::yaml::Value;

/// Extensions that are never started.
pub(crate) struct ExtensionNotEnabled;

const META: CheckMeta = CheckMeta {
    code: "OTEL006",
    slug: "extension-not-enabled",
    domain: Domain::Otel,
    severity: Severity::Warning,
    status: CheckStatus::Stable,
    title: "An extension is defined but not enabled in service.extensions",
    ok_title: "Every defined extension is enabled",
    doc: include_str!("../../../../docs/checks/OTEL006.md"),
};

impl Check<Context> for ExtensionNotEnabled {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context
            .unusable()
            .or_else(|| context.without(Kind::Extension))
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let collector = &context.collector;
        collector
            .of_kind(Kind::Extension)
            .filter(|extension| {
                !collector
                    .service_extensions
                    .iter()
                    .any(|r| r.id == extension.id)
            })
            .map(|extension| {
                let text = format!("Add `{}` to `service.extensions`.", extension.id);
                let fix = enable_edit(context, &extension.id)
                    .map_or_else(|| Fix::manual(text.clone()), |edit| Fix::edit(text.clone(), vec![edit]));
                context
                    .at(
                        &META,
                        extension.key_pos,
                        format!("extension `{}` is defined but not enabled", extension.id),
                        "Only the extensions listed in `service.extensions` are started; this one is \
                         silently ignored (no health endpoint, no pprof, no storage...).",
                    )
                    .subject(format!("extensions::{}", extension.id))
                    .fix(fix)
            })
            .collect()
    }
}

/// Appends the ID to a flow list `extensions: [a, b]`.
fn enable_edit(context: &Context, id: &str) -> Option<godiag_core::finding::FixEdit> {
    let list = context
        .collector
        .root
        .as_ref()?
        .get("service")?
        .get("extensions")?;
    let Value::Seq(items) = &list.value else {
        return None;
    };
    let source = context.sources.get(usize::from(list.end.file))?;
    let closing = list.end.index.checked_sub(1)?;
    if source.text.chars().nth(closing as usize) != Some(']') {
        return None;
    }
    let at = crate::yaml::Pos {
        index: closing,
        ..list.end
    };
    let text = if items.is_empty() {
        id.to_owned()
    } else {
        format!(", {id}")
    };
    context.edit(vec![Replacement {
        start: at,
        end: at,
        text,
    }])
}

//! OTEL007: a component type the Collector does not know.

use std::fmt::Write as _;

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Finding, Fix, Severity};

use super::{Context, Replacement};
use crate::registry;
use crate::yaml::Pos;

/// Component types not in the core or contrib distribution.
pub(crate) struct ComponentTypeUnknown;

const META: CheckMeta = CheckMeta {
    code: "OTEL007",
    slug: "component-type-unknown",
    domain: Domain::Otel,
    severity: Severity::Error,
    status: CheckStatus::Stable,
    title: "A component type is not known to the Collector",
    ok_title: "Every component type is part of the core or contrib distribution",
    doc: include_str!("../../../../docs/checks/OTEL007.md"),
};

impl Check<Context> for ComponentTypeUnknown {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.unusable().or_else(|| context.no_components())
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        context
            .collector
            .components
            .iter()
            .filter(|component| crate::collector::id_problem(&component.id).is_none())
            .filter(|component| {
                registry::lookup_at(component.kind, &component.ty, context.version).is_none()
            })
            .map(|component| {
                let near = registry::closest(component.kind, &component.ty)
                    .filter(|near| registry::lookup_at(component.kind, near, context.version).is_some());
                let added_later = registry::lookup(component.kind, &component.ty).is_some();
                let mut message = format!(
                    "The Collector stops before starting: `'{}' unknown type: \"{}\" for id: \"{}\"`.",
                    component.kind.section(),
                    component.ty,
                    component.id
                );
                if added_later {
                    let _ = write!(
                        message,
                        " `{}` does not exist yet in v{}.",
                        component.ty, context.version
                    );
                } else {
                    message.push_str(
                        " It is in neither the core nor the contrib distribution godiag knows; a custom \
                         build (ocb) may include it.",
                    );
                }
                let fix = match near {
                    Some(near) => {
                        let text = format!("Did you mean `{near}`? Rename the type.");
                        rename_key(context, component.key_pos, &component.ty, near)
                            .map_or_else(|| Fix::manual(text.clone()), |edit| Fix::edit(text.clone(), vec![edit]))
                    }
                    None => Fix::manual(
                        "Use a component type of your Collector distribution (list them with `otelcol-contrib components`).",
                    ),
                };
                context
                    .at(
                        &META,
                        component.key_pos,
                        format!("unknown {} type `{}`", component.kind.singular(), component.ty),
                        message,
                    )
                    .subject(format!("{}::{}", component.kind.section(), component.id))
                    .fix(fix)
            })
            .collect()
    }
}

/// Renames the type part of a component key written plainly at `pos`.
pub(super) fn rename_key(
    context: &Context,
    pos: Pos,
    old: &str,
    new: &str,
) -> Option<godiag_core::finding::FixEdit> {
    let source = context.sources.get(usize::from(pos.file))?;
    let line = context.line_text(pos);
    let column = pos.col.checked_sub(1)? as usize;
    let at_key: String = line
        .chars()
        .skip(column)
        .take(old.chars().count())
        .collect();
    if at_key != old {
        return None;
    }
    let _ = source;
    let end = Pos {
        index: pos.index + u32::try_from(old.chars().count()).ok()?,
        col: pos.col + u32::try_from(old.chars().count()).ok()?,
        ..pos
    };
    context.edit(vec![Replacement {
        start: pos,
        end,
        text: new.to_owned(),
    }])
}

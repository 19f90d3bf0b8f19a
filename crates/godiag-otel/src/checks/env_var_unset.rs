//! OTEL020: `${env:NAME}` without a default, NAME unset in the environment godiag sees.

use godiag_core::check::{Check, CheckMeta, CheckStatus, Domain};
use godiag_core::finding::{Evidence, Finding, Fix, Severity};

use super::{Context, strings};
use crate::envvar::{self, Reference};

/// References to variables that are not set.
pub(crate) struct EnvVarUnset;

const META: CheckMeta = CheckMeta {
    code: "OTEL020",
    slug: "env-var-unset",
    domain: Domain::Otel,
    severity: Severity::Warning,
    status: CheckStatus::Stable,
    title: "A referenced environment variable is not set",
    ok_title: "Every referenced environment variable is set or has a default",
    doc: include_str!("../../../../docs/checks/OTEL020.md"),
};

impl Check<Context> for EnvVarUnset {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn skip_reason(&self, context: &Context) -> Option<String> {
        context.unusable().or_else(|| {
            let root = context.collector.root.as_ref()?;
            let referenced = strings(root).iter().any(|node| {
                node.as_str().is_some_and(|value| {
                    envvar::scan(value).iter().any(|reference| {
                        matches!(reference, Reference::Braced { scheme, name: Some(_), .. }
                            if scheme.as_deref().is_none_or(|scheme| scheme == "env"))
                    })
                })
            });
            (!referenced).then(|| "the config references no environment variable".to_owned())
        })
    }

    fn run(&self, context: &Context) -> Vec<Finding> {
        let Some(root) = &context.collector.root else {
            return Vec::new();
        };
        let mut findings = Vec::new();
        for node in strings(root) {
            let Some(value) = node.as_str() else {
                continue;
            };
            for reference in envvar::scan(value) {
                let Reference::Braced {
                    text,
                    scheme,
                    name: Some(name),
                    has_default: false,
                    ..
                } = reference
                else {
                    continue;
                };
                if scheme.as_deref().is_some_and(|scheme| scheme != "env")
                    || !envvar::valid_name(&name)
                    || context.host.env_var(&name).is_some()
                {
                    continue;
                }
                let (pos, _) = context.find_in_line(node.pos, &text);
                findings.push(
                    context
                        .at(
                            &META,
                            pos,
                            format!("`{name}` is not set"),
                            format!(
                                "The Collector replaces `{text}` with an empty value and logs only `Configuration \
                                 references unset environment variable`; an empty endpoint or key then fails \
                                 later, or silently sends nowhere."
                            ),
                        )
                        .subject(name.clone())
                        .evidence(Evidence::command(format!("printenv {name}  →  (not set)")))
                        .fix(Fix::manual(format!(
                            "Set `{name}` in the Collector's environment, or give a default: `${{env:{name}:-VALUE}}`."
                        ))),
                );
            }
        }
        findings
    }
}

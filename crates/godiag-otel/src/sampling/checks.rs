//! The sampling strategy checks (`SAMP0xx`), one file each, and the context they share.

mod default_operations_inherited;
mod default_strategy_missing;
mod operation_duplicate;
mod operation_name_pattern;
mod operation_ratelimiting_dropped;
mod probability_out_of_range;
mod rate_limit_overridden_by_operations;
mod rate_limit_truncated;
mod rate_limiting_client_support;
mod service_duplicate;
mod strategies_unreadable;
mod strategy_entry_null;
mod strategy_field_missing;
mod strategy_key_case;
mod strategy_key_repeated;
mod strategy_key_unknown;
mod strategy_type_unknown;
mod strategy_value_wrong_type;

use std::path::PathBuf;
use std::sync::Arc;

use godiag_core::check::{Check, CheckMeta};
use godiag_core::finding::{Finding, FixEdit};
use godiag_core::host::Host;

use crate::checks::{Replacement, Source};
use crate::json::{self, JsonError};
use crate::read_error::ReadError;
use crate::sampling::decode::{self, Decoded, OperationStrategy, ServiceStrategy, Slot};
use crate::sampling::provider::{self, Store};
use crate::yaml::Pos;

/// Every check of the domain, in code order.
pub static ALL: &[&dyn Check<Context>] = &[
    &strategies_unreadable::Unreadable,
    &strategy_value_wrong_type::WrongType,
    &strategy_type_unknown::StrategyTypeUnknown,
    &strategy_field_missing::RequiredField,
    &probability_out_of_range::ProbabilityRange,
    &rate_limit_truncated::RateLimitTruncated,
    &operation_ratelimiting_dropped::OperationRatelimiting,
    &service_duplicate::DuplicateService,
    &operation_duplicate::DuplicateOperation,
    &strategy_key_unknown::KeyUnknown,
    &strategy_key_case::KeyCaseVariant,
    &strategy_key_repeated::KeyRepeated,
    &rate_limit_overridden_by_operations::OperationsOverrideRateLimit,
    &default_operations_inherited::DefaultOperationsInherited,
    &default_strategy_missing::MissingDefault,
    &strategy_entry_null::NullEntry,
    &operation_name_pattern::OperationPattern,
    &rate_limiting_client_support::RateLimitingSupport,
];

/// The registry entries of every check, in code order.
#[must_use]
pub fn registry() -> Vec<CheckMeta> {
    ALL.iter().map(|check| *check.meta()).collect()
}

/// Why Jaeger serves nothing from the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// What Jaeger says (`failed to unmarshal strategies: ...` or the panic).
    pub message: String,
    /// Where the cause is.
    pub pos: Pos,
}

/// One sampling file, read, parsed, decoded and loaded.
pub struct Context {
    /// The machine (for edits).
    pub host: Arc<dyn Host>,
    /// The file (one source).
    pub sources: Vec<Source>,
    /// Why the file could not be read.
    pub read_error: Option<ReadError>,
    /// Why it is not JSON.
    pub syntax: Option<JsonError>,
    /// The decoded strategies.
    pub decoded: Decoded,
    /// What Jaeger serves, or why it refuses.
    pub loaded: Result<Store, Refusal>,
    /// Jaeger's `default_sampling_probability`.
    pub default_probability: f64,
    /// Where the top-level value starts.
    pub root: Option<Pos>,
}

/// A strategy entry: `default_strategy` or one of `service_strategies`.
pub struct Entry<'a> {
    /// How findings name it: `default_strategy` or `service "foo"`.
    pub label: String,
    /// The decoded entry, with the positions of its keys.
    pub entry: &'a ServiceStrategy,
    /// True for `default_strategy`.
    pub is_default: bool,
}

impl Context {
    /// Reads, parses, decodes and loads a file.
    #[must_use]
    pub fn load(
        host: Arc<dyn Host>,
        path: PathBuf,
        bytes: Result<Vec<u8>, ReadError>,
        default_probability: f64,
    ) -> Self {
        let (bytes, read_error) = match bytes {
            Ok(bytes) => (bytes, None),
            Err(error) => (Vec::new(), Some(error)),
        };
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let mut syntax = None;
        let mut root = None;
        let mut decoded = Decoded::default();
        if read_error.is_none() {
            match json::parse(&bytes, 0) {
                Ok(node) => {
                    root = Some(node.pos);
                    decoded = decode::decode(&node);
                }
                Err(error) => syntax = Some(error),
            }
        }
        let loaded = if let Some(error) = &read_error {
            Err(Refusal {
                message: format!("failed to read strategies file {}: {error}", path.display()),
                pos: Pos::default(),
            })
        } else if let Some(error) = &syntax {
            Err(Refusal {
                message: format!("failed to unmarshal strategies: {error}"),
                pos: error.pos,
            })
        } else if let Some(error) = decoded.type_errors.first() {
            Err(Refusal {
                message: format!("failed to unmarshal strategies: {}", error.message()),
                pos: error.pos,
            })
        } else {
            provider::load(decoded.strategies.as_ref(), default_probability).map_err(|crash| {
                Refusal {
                    message:
                        "panic: runtime error: invalid memory address or nil pointer dereference"
                            .to_owned(),
                    pos: crash.pos,
                }
            })
        };
        Self {
            host,
            sources: vec![Source::new(path, text)],
            read_error,
            syntax,
            decoded,
            loaded,
            default_probability,
            root,
        }
    }

    /// Why the checks of the decoded strategies have nothing to examine: the file could not
    /// be read or parsed, or it is not a JSON object. SAMP001 reports each of these.
    #[must_use]
    pub fn unusable(&self) -> Option<String> {
        if self.read_error.is_some() {
            Some("the file could not be read".to_owned())
        } else if self.syntax.is_some() {
            Some("the file could not be parsed".to_owned())
        } else if self.decoded.strategies.is_none() {
            Some("the file is not a JSON object".to_owned())
        } else {
            None
        }
    }

    /// Why a check of the file's keys has nothing to examine: besides [`Self::unusable`],
    /// an empty object `{}`.
    #[must_use]
    pub fn no_keys(&self) -> Option<String> {
        self.unusable().or_else(|| {
            let strategies = self.decoded.strategies.as_ref()?;
            let empty = strategies.default_key.is_none()
                && strategies.services_key.is_none()
                && self.decoded.unknown_keys.is_empty();
            empty.then(|| "the file is an empty object".to_owned())
        })
    }

    /// Why a check of strategy entries has nothing to examine, or `None` when the file has
    /// a `default_strategy` or a service strategy.
    #[must_use]
    pub fn no_strategy(&self) -> Option<String> {
        self.unusable().or_else(|| {
            self.entries()
                .is_empty()
                .then(|| "the file has no strategy".to_owned())
        })
    }

    /// Why a check of strategies of type `ty` (`probabilistic`, `ratelimiting`) has nothing
    /// to examine; `with_operations` counts operation strategies too.
    #[must_use]
    pub fn no_strategy_of(&self, ty: &str, with_operations: bool) -> Option<String> {
        self.no_strategy().or_else(|| {
            let is =
                |strategy: &decode::Strategy| strategy.ty.as_ref().is_some_and(|t| t.value == ty);
            let found = self.entries().iter().any(|e| is(&e.entry.strategy))
                || (with_operations && self.operations().iter().any(|(_, op)| is(&op.strategy)));
            (!found).then(|| format!("the file has no {ty} strategy"))
        })
    }

    /// Why a check of operation strategies has nothing to examine, or `None` when a strategy
    /// lists one.
    #[must_use]
    pub fn no_operations(&self) -> Option<String> {
        self.no_strategy().or_else(|| {
            self.operations()
                .is_empty()
                .then(|| "no strategy lists operation_strategies".to_owned())
        })
    }

    /// Why nothing is served to examine: Jaeger does not load the file (SAMP001, SAMP002 or
    /// SAMP016 says why).
    #[must_use]
    pub fn not_served(&self) -> Option<String> {
        self.unusable().or_else(|| {
            self.loaded
                .is_err()
                .then(|| "Jaeger does not load the file, so it serves nothing".to_owned())
        })
    }

    /// Returns where the top-level object's `{` is.
    #[must_use]
    pub fn root_open(&self) -> Option<Pos> {
        self.decoded.strategies.as_ref().and(self.root)
    }

    /// Returns what Jaeger serves, or why it serves nothing.
    pub fn store(&self) -> Result<&Store, String> {
        self.loaded
            .as_ref()
            .map_err(|refusal| refusal.message.clone())
    }

    /// Starts a finding located at `pos`, with the line as evidence.
    #[must_use]
    pub fn at(
        &self,
        meta: &CheckMeta,
        pos: Pos,
        title: impl Into<String>,
        message: impl Into<String>,
    ) -> Finding {
        crate::checks::at(&self.sources, meta, pos, title, message)
    }

    /// Returns the source text between two positions.
    #[must_use]
    pub fn text(&self, start: Pos, end: Pos) -> Option<String> {
        let text = &self.sources.first()?.text;
        let skip = start.index as usize;
        let take = end.index.checked_sub(start.index)? as usize;
        Some(text.chars().skip(skip).take(take).collect())
    }

    /// Plans an edit replacing `start..end` with `text`.
    #[must_use]
    pub fn replace(&self, start: Pos, end: Pos, text: impl Into<String>) -> Option<FixEdit> {
        crate::checks::plan_edit(
            self.host.as_ref(),
            &self.sources,
            vec![Replacement {
                start,
                end,
                text: text.into(),
            }],
        )
    }

    /// Plans an edit removing a member or element with the comma that separates it.
    #[must_use]
    pub fn remove(&self, slot: &Slot) -> Option<FixEdit> {
        let spans = &slot.spans;
        let index = slot.index;
        let (start, end) = if index > 0 {
            (spans.get(index - 1)?.1, spans.get(index)?.1)
        } else if spans.len() > 1 {
            (spans.first()?.0, spans.get(1)?.0)
        } else {
            *spans.first()?
        };
        self.replace(start, end, "")
    }

    /// Returns `default_strategy` and every service entry, in that order.
    #[must_use]
    pub fn entries(&self) -> Vec<Entry<'_>> {
        let Some(strategies) = &self.decoded.strategies else {
            return Vec::new();
        };
        let mut entries = Vec::new();
        if let Some(default) = &strategies.default_strategy {
            entries.push(Entry {
                label: "default_strategy".to_owned(),
                entry: default,
                is_default: true,
            });
        }
        for (index, service) in strategies.service_strategies.iter().enumerate() {
            if let Some(service) = service {
                let label = match &service.service {
                    Some(name) => format!("service \"{}\"", name.value),
                    None => format!("service_strategies[{index}]"),
                };
                entries.push(Entry {
                    label,
                    entry: service,
                    is_default: false,
                });
            }
        }
        entries
    }

    /// Returns the entries Jaeger serves: `default_strategy` and, of the service entries
    /// sharing a name, the last one (SAMP008 reports the others). A check whose fix edits an
    /// entry looks only at these, so the fix changes what Jaeger serves.
    #[must_use]
    pub fn served_entries(&self) -> Vec<Entry<'_>> {
        self.entries()
            .into_iter()
            .filter(|entry| entry.is_default || self.is_served(entry.entry))
            .collect()
    }

    /// Returns true when no later service entry has the same name (the entry Jaeger keeps).
    #[must_use]
    pub fn is_served(&self, entry: &ServiceStrategy) -> bool {
        let Some(strategies) = &self.decoded.strategies else {
            return false;
        };
        let name = entry
            .service
            .as_ref()
            .map(|s| s.value.as_str())
            .unwrap_or_default();
        strategies
            .service_strategies
            .iter()
            .flatten()
            .rev()
            .find(|s| {
                s.service
                    .as_ref()
                    .map(|s| s.value.as_str())
                    .unwrap_or_default()
                    == name
            })
            .is_some_and(|last| last.pos == entry.pos)
    }

    /// Returns every operation entry with the label of the strategy it belongs to.
    #[must_use]
    pub fn operations(&self) -> Vec<(String, &OperationStrategy)> {
        self.entries()
            .into_iter()
            .flat_map(|entry| {
                let label = entry.label;
                entry
                    .entry
                    .operation_strategies
                    .iter()
                    .flatten()
                    .map(move |op| (label.clone(), op))
            })
            .collect()
    }
}

/// Returns an operation entry's name as findings show it.
#[must_use]
pub fn operation_name(operation: &OperationStrategy) -> String {
    operation
        .operation
        .as_ref()
        .map_or_else(|| "(no operation)".to_owned(), |o| o.value.clone())
}

#[cfg(test)]
mod tests;

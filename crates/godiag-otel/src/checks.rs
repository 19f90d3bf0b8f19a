//! The Collector config checks (`OTEL0xx`), one file each, and the context they share.
//!
//! The registry ([`ALL`]) owns dispatch; `godiag explain` and SARIF read [`registry`].

mod batch_placement;
mod batch_settings;
mod collector_config_unreadable;
mod collector_structure_invalid;
mod component_removed;
mod component_setting_invalid;
mod component_type_unknown;
mod component_undefined;
mod component_unused;
mod duration_without_unit;
mod env_var_syntax;
mod env_var_unset;
mod extension_not_enabled;
mod memory_limiter_not_first;
mod memory_limiter_settings;
mod otlp_endpoint_mismatch;
mod pipeline_invalid;
mod receiver_exposed;
mod signal_unsupported;
mod tls_insecure_remote;

use std::path::PathBuf;
use std::sync::Arc;

use godiag_core::check::{Check, CheckMeta};
use godiag_core::edit;
use godiag_core::finding::{Evidence, Finding, FixEdit, Location};
use godiag_core::host::Host;

use crate::collector::Collector;
use crate::read_error::ReadError;
use crate::registry::Kind;
use crate::registry::Version;
use crate::yaml::Pos;

/// A file given to `godiag lint`, as read.
#[derive(Debug, Clone)]
pub struct Source {
    /// The path as given (a host path).
    pub path: PathBuf,
    /// Its text; empty when it could not be read.
    pub text: String,
    /// Byte offsets where lines start, so a finding's line is found without a scan.
    pub line_starts: Vec<usize>,
}

impl Source {
    /// A source with its line index.
    #[must_use]
    pub fn new(path: PathBuf, text: String) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(at, _)| at + 1))
            .collect();
        Self {
            path,
            text,
            line_starts,
        }
    }

    /// Returns line `line` (1-based) without its line ending.
    #[must_use]
    pub fn line(&self, line: u32) -> Option<&str> {
        let index = (line as usize).checked_sub(1)?;
        let start = *self.line_starts.get(index)?;
        let end = self
            .line_starts
            .get(index + 1)
            .map_or(self.text.len(), |next| next - 1);
        self.text
            .get(start..end)
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
    }
}

/// A file of the config that could not be used.
#[derive(Debug, Clone)]
pub struct Unreadable {
    /// Index of the file.
    pub file: u16,
    /// Why the file could not be used: it could not be read, or it is not YAML.
    pub problem: FileProblem,
}

/// Why a file of the config could not be used.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum FileProblem {
    /// Reading it failed: a path or permission problem.
    Read(ReadError),
    /// It is not valid YAML.
    Syntax {
        /// Where the parser stopped.
        pos: Pos,
        /// The parser's message.
        message: String,
    },
    /// It is YAML whose aliases expand past yaml.v3's limit (an alias bomb).
    ExcessiveAliasing {
        /// The alias at which the limit was passed.
        pos: Pos,
    },
}

/// Everything the checks look at, computed once.
pub struct Context {
    /// The machine (files for edits, the environment for `${env:...}`).
    pub host: Arc<dyn Host>,
    /// The files of the config, in `--config` order.
    pub sources: Vec<Source>,
    /// Files that could not be read or parsed.
    pub unreadable: Vec<Unreadable>,
    /// The merged configuration.
    pub collector: Collector,
    /// The Collector release the config is meant for.
    pub version: Version,
}

/// Every check of the domain, in code order.
pub static ALL: &[&dyn Check<Context>] = &[
    &collector_config_unreadable::ConfigUnreadable,
    &collector_structure_invalid::StructureInvalid,
    &component_setting_invalid::ComponentSettingInvalid,
    &component_undefined::ComponentUndefined,
    &component_unused::ComponentUnused,
    &extension_not_enabled::ExtensionNotEnabled,
    &component_type_unknown::ComponentTypeUnknown,
    &component_removed::ComponentRemoved,
    &pipeline_invalid::PipelineInvalid,
    &signal_unsupported::SignalUnsupported,
    &memory_limiter_not_first::MemoryLimiterOrder,
    &batch_placement::BatchPlacement,
    &memory_limiter_settings::MemoryLimiterSettings,
    &batch_settings::BatchSettings,
    &duration_without_unit::DurationUnit,
    &receiver_exposed::ReceiverExposed,
    &tls_insecure_remote::TlsInsecureRemote,
    &otlp_endpoint_mismatch::OtlpEndpointMismatch,
    &env_var_syntax::EnvVarSyntax,
    &env_var_unset::EnvVarUnset,
];

/// The registry entries of every check, in code order.
#[must_use]
pub fn registry() -> Vec<CheckMeta> {
    ALL.iter().map(|check| *check.meta()).collect()
}

/// A text replacement between two positions of one file.
#[derive(Debug, Clone)]
pub struct Replacement {
    /// Start (inclusive).
    pub start: Pos,
    /// End (exclusive).
    pub end: Pos,
    /// The new text.
    pub text: String,
}

impl Context {
    /// Why the checks of the parsed config have nothing to examine: a file could not be read
    /// or parsed (the Collector would not start, and what merged from the other files is not
    /// the config it would run), or the config is empty. OTEL001 reports each of these.
    #[must_use]
    pub fn unusable(&self) -> Option<String> {
        if let Some(first) = self.unreadable.first() {
            let what = match &first.problem {
                FileProblem::Read(_) => "could not be read",
                FileProblem::Syntax { .. } | FileProblem::ExcessiveAliasing { .. } => {
                    "could not be parsed"
                }
            };
            return Some(if self.sources.len() == 1 {
                format!("the file {what}")
            } else {
                let path = self
                    .sources
                    .get(usize::from(first.file))
                    .map(|source| source.path.display().to_string())
                    .unwrap_or_default();
                format!("{path} {what}")
            });
        }
        self.collector
            .root
            .is_none()
            .then(|| "the config is empty".to_owned())
    }

    /// Why a check of `kind` components has nothing to examine, or `None` when the config
    /// defines one.
    #[must_use]
    pub fn without(&self, kind: Kind) -> Option<String> {
        self.collector
            .of_kind(kind)
            .next()
            .is_none()
            .then(|| format!("the config defines no {}", kind.singular()))
    }

    /// Why a check of components has nothing to examine, or `None` when there is one.
    #[must_use]
    pub fn no_components(&self) -> Option<String> {
        self.collector
            .components
            .is_empty()
            .then(|| "the config defines no component".to_owned())
    }

    /// Why a check of pipelines has nothing to examine, or `None` when there is one.
    #[must_use]
    pub fn no_pipelines(&self) -> Option<String> {
        self.collector
            .pipelines
            .is_empty()
            .then(|| "the config has no pipeline".to_owned())
    }

    /// Returns the file location of a position.
    #[must_use]
    pub fn location(&self, pos: Pos) -> Location {
        location(&self.sources, pos)
    }

    /// Returns the text of the line at `pos`.
    #[must_use]
    pub fn line_text(&self, pos: Pos) -> &str {
        line_text(&self.sources, pos)
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
        at(&self.sources, meta, pos, title, message)
    }

    /// Plans an edit of one file made of replacements; `None` when the file changed since it
    /// was parsed or cannot be edited.
    #[must_use]
    pub fn edit(&self, replacements: Vec<Replacement>) -> Option<FixEdit> {
        plan_edit(self.host.as_ref(), &self.sources, replacements)
    }
}

/// Returns the file location of a position in one of `sources`.
#[must_use]
pub fn location(sources: &[Source], pos: Pos) -> Location {
    let path = sources
        .get(usize::from(pos.file))
        .map(|source| source.path.clone())
        .unwrap_or_default();
    Location {
        path,
        line: Some(pos.line),
        column: Some(pos.col),
    }
}

/// Returns the text of the line at `pos`.
#[must_use]
pub fn line_text(sources: &[Source], pos: Pos) -> &str {
    sources
        .get(usize::from(pos.file))
        .and_then(|source| source.line(pos.line))
        .unwrap_or_default()
}

/// Starts a finding located at `pos`, with the line as evidence.
#[must_use]
pub fn at(
    sources: &[Source],
    meta: &CheckMeta,
    pos: Pos,
    title: impl Into<String>,
    message: impl Into<String>,
) -> Finding {
    let location = location(sources, pos);
    let evidence = Evidence::file(format!(
        "{}:{}:{}: {}",
        location.path.display(),
        pos.line,
        pos.col,
        line_text(sources, pos).trim_end()
    ));
    Finding::new(meta, title, message)
        .location(location)
        .evidence(evidence)
}

/// Plans an edit of one of `sources` made of replacements; `None` when the file changed
/// since it was parsed or cannot be edited.
#[must_use]
pub fn plan_edit(
    host: &dyn Host,
    sources: &[Source],
    mut replacements: Vec<Replacement>,
) -> Option<FixEdit> {
    let file = replacements.first()?.start.file;
    let source = sources.get(usize::from(file))?;
    if replacements.iter().any(|r| r.start.file != file) {
        return None;
    }
    replacements.sort_by_key(|r| std::cmp::Reverse(r.start.index));
    let mut new_text = source.text.clone();
    for replacement in &replacements {
        let start = byte_offset(&source.text, replacement.start.index)?;
        let end = byte_offset(&source.text, replacement.end.index)?;
        if start > end {
            return None;
        }
        new_text.replace_range(start..end, &replacement.text);
    }
    let planned = edit::plan(host, &source.path, |current| {
        if current == Some(source.text.as_str()) {
            new_text
        } else {
            current.unwrap_or_default().to_owned()
        }
    })
    .ok()?;
    (!planned.is_noop()).then(|| planned.to_fix_edit())
}

/// Every string scalar under `node`, in document order.
#[must_use]
pub fn strings(node: &crate::yaml::Node) -> Vec<&crate::yaml::Node> {
    use crate::yaml::Value;
    let mut out = Vec::new();
    let mut stack = vec![node];
    while let Some(current) = stack.pop() {
        match &current.value {
            Value::Str(_) => out.push(current),
            Value::Seq(items) => stack.extend(items.iter().rev()),
            Value::Map(entries) => stack.extend(entries.iter().rev().map(|entry| &entry.value)),
            _ => {}
        }
    }
    out
}

impl Context {
    /// Returns the position of `needle` written in the source at or after `node`'s start on
    /// the same line, or the node's position when it is not found there.
    #[must_use]
    pub fn find_in_line(&self, node_pos: Pos, needle: &str) -> (Pos, Option<Pos>) {
        let line = self.line_text(node_pos);
        let start = node_pos.col.saturating_sub(1) as usize;
        let tail: String = line.chars().skip(start).collect();
        let Some(byte) = tail.find(needle) else {
            return (node_pos, None);
        };
        let chars = u32::try_from(tail[..byte].chars().count()).unwrap_or(0);
        let len = u32::try_from(needle.chars().count()).unwrap_or(0);
        let at = Pos {
            col: node_pos.col + chars,
            index: node_pos.index + chars,
            ..node_pos
        };
        let end = Pos {
            col: at.col + len,
            index: at.index + len,
            ..at
        };
        (at, Some(end))
    }
}

/// Returns the byte offset of a character index.
fn byte_offset(text: &str, index: u32) -> Option<usize> {
    let index = index as usize;
    if text.is_ascii() {
        return (index <= text.len()).then_some(index);
    }
    text.char_indices()
        .map(|(offset, _)| offset)
        .chain(std::iter::once(text.len()))
        .nth(index)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_offsets_count_characters() {
        assert_eq!(byte_offset("aé b", 3), Some(4));
        assert_eq!(byte_offset("abc", 3), Some(3));
        assert_eq!(byte_offset("abc", 4), None);
    }
}

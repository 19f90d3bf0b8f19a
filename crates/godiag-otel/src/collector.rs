//! The Collector configuration model: components, pipelines and service extensions, read
//! from the merged YAML tree with the position of every name.
//!
//! Several `--config` files are merged the way confmap merges them (koanf `maps.Merge`):
//! mappings merge key by key, recursively, and any other value (lists included) from a later
//! file replaces the earlier one. Reading the model is lenient: a section of the wrong shape
//! is skipped here and reported by the structure check.

use crate::registry::Kind;
use crate::yaml::{Entry, Node, Pos, Value};

/// A defined component.
#[derive(Debug, Clone)]
pub struct Component {
    /// Its kind (the section it is defined in).
    pub kind: Kind,
    /// The full ID, `type[/name]`, trimmed.
    pub id: String,
    /// The type part.
    pub ty: String,
    /// Where the ID key is.
    pub key_pos: Pos,
    /// Where the ID key ends.
    pub key_end: Pos,
    /// Its settings (`null` when empty).
    pub config: Node,
}

/// A reference to a component by ID.
#[derive(Debug, Clone)]
pub struct Ref {
    /// The ID as written, trimmed.
    pub id: String,
    /// Where it is written.
    pub pos: Pos,
    /// Where it ends.
    pub end: Pos,
}

/// A pipeline under `service.pipelines`.
#[derive(Debug, Clone)]
pub struct Pipeline {
    /// The ID, `signal[/name]`.
    pub id: String,
    /// The signal part.
    pub signal: String,
    /// Where the ID key is.
    pub key_pos: Pos,
    /// The pipeline's `receivers`, in order.
    pub receivers: Vec<Ref>,
    /// Its processors, in order.
    pub processors: Vec<Ref>,
    /// The pipeline's `exporters`, in order.
    pub exporters: Vec<Ref>,
}

impl Pipeline {
    /// Returns the references of one role.
    #[must_use]
    pub fn refs(&self, role: Role) -> &[Ref] {
        match role {
            Role::Receivers => &self.receivers,
            Role::Processors => &self.processors,
            Role::Exporters => &self.exporters,
        }
    }
}

/// The three lists of a pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The pipeline's `receivers` list.
    Receivers,
    /// The pipeline's `processors` list, whose order is the order data passes through.
    Processors,
    /// The pipeline's `exporters` list.
    Exporters,
}

impl Role {
    /// Every role, in pipeline order.
    pub const ALL: [Self; 3] = [Self::Receivers, Self::Processors, Self::Exporters];

    /// Returns the key of the list.
    #[must_use]
    pub fn key(self) -> &'static str {
        match self {
            Self::Receivers => "receivers",
            Self::Processors => "processors",
            Self::Exporters => "exporters",
        }
    }

    /// Returns the singular noun the Collector uses in its messages.
    #[must_use]
    pub fn noun(self) -> &'static str {
        match self {
            Self::Receivers => "receiver",
            Self::Processors => "processor",
            Self::Exporters => "exporter",
        }
    }
}

/// A whole Collector configuration.
#[derive(Debug, Clone, Default)]
pub struct Collector {
    /// The merged tree; `None` when no file held a document.
    pub root: Option<Node>,
    /// Every defined component, in section and document order.
    pub components: Vec<Component>,
    /// Every pipeline.
    pub pipelines: Vec<Pipeline>,
    /// The extensions `service.extensions` enables; a defined extension not listed there
    /// never runs.
    pub service_extensions: Vec<Ref>,
}

impl Collector {
    /// Builds the model from the documents of the files, in `--config` order.
    #[must_use]
    pub fn from_documents(documents: Vec<Node>) -> Self {
        let root = documents.into_iter().reduce(merge);
        let Some(root) = root else {
            return Self::default();
        };
        let mut model = Self {
            components: Vec::new(),
            pipelines: Vec::new(),
            service_extensions: Vec::new(),
            root: None,
        };
        for kind in Kind::ALL {
            for entry in root
                .get(kind.section())
                .and_then(Node::entries)
                .unwrap_or_default()
            {
                let id = entry.key.trim().to_owned();
                let ty = id.split('/').next().unwrap_or_default().trim().to_owned();
                model.components.push(Component {
                    kind,
                    id,
                    ty,
                    key_pos: entry.key_pos,
                    key_end: entry.key_end,
                    config: entry.value.clone(),
                });
            }
        }
        if let Some(service) = root.get("service") {
            model.service_extensions = service.get("extensions").map(refs).unwrap_or_default();
            for entry in service
                .get("pipelines")
                .and_then(Node::entries)
                .unwrap_or_default()
            {
                model.pipelines.push(pipeline(entry));
            }
        }
        model.root = Some(root);
        model
    }

    /// Returns the component defined with `id` as a `kind`.
    #[must_use]
    pub fn component(&self, kind: Kind, id: &str) -> Option<&Component> {
        self.components
            .iter()
            .find(|component| component.kind == kind && component.id == id)
    }

    /// Returns the components of a kind.
    pub fn of_kind(&self, kind: Kind) -> impl Iterator<Item = &Component> {
        self.components
            .iter()
            .filter(move |component| component.kind == kind)
    }

    /// Returns the kinds a pipeline list may name: receivers and exporters may name
    /// connectors too.
    #[must_use]
    pub fn kinds_for(role: Role) -> &'static [Kind] {
        match role {
            Role::Receivers => &[Kind::Receiver, Kind::Connector],
            Role::Processors => &[Kind::Processor],
            Role::Exporters => &[Kind::Exporter, Kind::Connector],
        }
    }

    /// Returns the component a pipeline reference of `role` resolves to.
    #[must_use]
    pub fn resolve(&self, role: Role, id: &str) -> Option<&Component> {
        Self::kinds_for(role)
            .iter()
            .find_map(|kind| self.component(*kind, id))
    }
}

fn pipeline(entry: &Entry) -> Pipeline {
    let id = entry.key.trim().to_owned();
    let signal = id.split('/').next().unwrap_or_default().trim().to_owned();
    let list = |key: &str| entry.value.get(key).map(refs).unwrap_or_default();
    Pipeline {
        signal,
        key_pos: entry.key_pos,
        receivers: list("receivers"),
        processors: list("processors"),
        exporters: list("exporters"),
        id,
    }
}

/// Reads a list of IDs; non-string items are skipped (the structure check reports them).
fn refs(node: &Node) -> Vec<Ref> {
    match &node.value {
        Value::Seq(items) => items
            .iter()
            .filter_map(|item| {
                item.as_str().map(|id| Ref {
                    id: id.trim().to_owned(),
                    pos: item.pos,
                    end: item.end,
                })
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Returns why a component ID is invalid, in the Collector's words (component.ID's
/// `UnmarshalText`), or `None` for a valid ID.
#[must_use]
pub fn id_problem(id: &str) -> Option<String> {
    let (ty, name) = match id.split_once('/') {
        Some((ty, name)) => (ty.trim(), Some(name.trim())),
        None => (id.trim(), None),
    };
    if ty.is_empty() {
        return Some(match name {
            None => "id must not be empty".to_owned(),
            Some(_) => format!("in \"{id}\" id: the part before / should not be empty"),
        });
    }
    if name == Some("") {
        return Some(format!(
            "in \"{id}\" id: the part after / should not be empty"
        ));
    }
    if !valid_type(ty) {
        return Some(format!("invalid character(s) in type \"{ty}\""));
    }
    if let Some(name) = name {
        if name.chars().count() > 1024 || !name.chars().all(valid_name_char) {
            return Some(format!("invalid character(s) in name \"{name}\""));
        }
    }
    None
}

/// `^[a-zA-Z][0-9a-zA-Z_]{0,62}$`.
fn valid_type(ty: &str) -> bool {
    let mut chars = ty.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && ty.len() <= 63
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `[^\pZ\pC\pS]`: no separator, control or symbol character (symbols checked for ASCII).
fn valid_name_char(c: char) -> bool {
    !(c.is_whitespace() || c.is_control() || "$+<=>^`|~".contains(c))
}

/// Merges `overlay` into `base`: mappings key by key, anything else replaced.
#[must_use]
pub fn merge(base: Node, overlay: Node) -> Node {
    match (base.value, overlay.value) {
        (Value::Map(mut entries), Value::Map(over)) => {
            for entry in over {
                match entries
                    .iter()
                    .position(|existing| existing.key == entry.key)
                {
                    Some(index) => {
                        let existing = entries.remove(index);
                        let value = merge(existing.value, entry.value);
                        entries.insert(index, Entry { value, ..existing });
                    }
                    None => entries.push(entry),
                }
            }
            Node {
                value: Value::Map(entries),
                ..base
            }
        }
        (_, value) => Node { value, ..overlay },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse;

    fn doc(text: &str, file: u16) -> Node {
        parse(text, file).unwrap().unwrap()
    }

    #[test]
    fn later_files_merge_maps_and_replace_lists() {
        let first = doc(
            "receivers:\n  otlp:\n    protocols: {grpc: {}}\nservice:\n  pipelines:\n    traces:\n      receivers: [otlp]\n      processors: [batch]\n",
            0,
        );
        let second = doc(
            "receivers:\n  otlp:\n    protocols: {http: {}}\nservice:\n  pipelines:\n    traces:\n      receivers: [jaeger]\n",
            1,
        );
        let model = Collector::from_documents(vec![first, second]);
        let root = model.root.as_ref().unwrap();
        let protocols = root
            .get("receivers")
            .unwrap()
            .get("otlp")
            .unwrap()
            .get("protocols")
            .unwrap();
        assert!(protocols.get("grpc").is_some() && protocols.get("http").is_some());
        let traces = &model.pipelines[0];
        assert_eq!(traces.receivers.len(), 1);
        assert_eq!(traces.receivers[0].id, "jaeger");
        assert_eq!(traces.receivers[0].pos.file, 1);
        assert_eq!(traces.processors[0].id, "batch");
        assert_eq!(traces.processors[0].pos.file, 0);
    }

    #[test]
    fn component_ids_split_at_the_first_slash() {
        let model = Collector::from_documents(vec![doc("exporters:\n  otlp/a/b:\n", 0)]);
        assert_eq!(model.components[0].ty, "otlp");
        assert_eq!(model.components[0].id, "otlp/a/b");
    }
}

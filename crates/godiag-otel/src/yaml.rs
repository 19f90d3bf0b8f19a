//! A YAML document as a tree in which every node keeps its position.
//!
//! Built from `saphyr-parser` events. Scalars are typed the way Go's `gopkg.in/yaml.v3`
//! types them when the Collector decodes a config into `map[string]any` (the core schema:
//! `true`/`false`, `null`/`~`/empty, integers with `0x`/`0o`/`0b` prefixes, floats with
//! `.inf`/`.nan`); anything else is a string. A key defined twice in one mapping is an
//! error, as in yaml.v3. Only the first document of a stream is read, as `yaml.Unmarshal`
//! does. This module knows nothing about the Collector.

mod scalar;

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

/// A position in one of the linted files; `line` and `col` are 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    /// Index of the file in the list of sources.
    pub file: u16,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub col: u32,
    /// 0-based character index from the start of the file.
    pub index: u32,
}

/// A node's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`, `~` or nothing.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// A string.
    Str(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in document order.
    Map(Vec<Entry>),
}

/// A value with where it starts and ends.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The decoded value; its children are nodes with their own positions.
    pub value: Value,
    /// Where the node starts.
    pub pos: Pos,
    /// Where the node ends (exclusive).
    pub end: Pos,
    /// True for a plain (unquoted, non-block) scalar.
    pub plain: bool,
}

/// One key and value of a mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The key as text.
    pub key: String,
    /// Where the key starts.
    pub key_pos: Pos,
    /// Where the key ends (exclusive).
    pub key_end: Pos,
    /// The entry's value, with its own position.
    pub value: Node,
}

/// Why a YAML text could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum YamlError {
    /// The text is not YAML.
    #[error("{message}")]
    Syntax {
        /// Where the parser stopped.
        pos: Pos,
        /// The parser's explanation.
        message: String,
    },
    /// A mapping defines the same key twice.
    #[error("mapping key \"{key}\" already defined at line {first_line}")]
    DuplicateKey {
        /// The key defined twice, as written.
        key: String,
        /// The second definition.
        pos: Pos,
        /// The line of the first definition.
        first_line: u32,
    },
}

impl YamlError {
    /// Returns where the error is.
    #[must_use]
    pub fn pos(&self) -> Pos {
        match self {
            Self::Syntax { pos, .. } | Self::DuplicateKey { pos, .. } => *pos,
        }
    }
}

impl Node {
    /// Returns the entries of a mapping.
    #[must_use]
    pub fn entries(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// Returns the value of `key` in a mapping.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&Self> {
        self.entry(key).map(|entry| &entry.value)
    }

    /// Returns the entry of `key` in a mapping.
    #[must_use]
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries()?.iter().find(|entry| entry.key == key)
    }

    /// Returns the string of a string scalar.
    #[must_use]
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(text) => Some(text),
            _ => None,
        }
    }

    /// Returns true for `null`.
    #[must_use]
    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// Returns the YAML type name, as the Collector's messages use it.
    #[must_use]
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float64",
            Value::Str(_) => "string",
            Value::Seq(_) => "slice",
            Value::Map(_) => "map",
        }
    }

    /// Returns the scalar as text the way it would print (`None` for collections).
    #[must_use]
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::Null => Some(String::new()),
            Value::Bool(value) => Some(value.to_string()),
            Value::Int(value) => Some(value.to_string()),
            Value::Float(value) => Some(value.to_string()),
            Value::Str(text) => Some(text.clone()),
            Value::Seq(_) | Value::Map(_) => None,
        }
    }
}

/// Parses the first document of `text`; `None` when the text holds no document.
pub fn parse(text: &str, file: u16) -> Result<Option<Node>, YamlError> {
    let mut builder = Builder {
        file,
        stack: Vec::new(),
        anchors: HashMap::new(),
        root: None,
    };
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|error| YamlError::Syntax {
            pos: pos_of(file, *error.marker()),
            message: error.info().to_owned(),
        })?;
        if builder.event(event, span)? {
            break;
        }
    }
    Ok(builder.root)
}

fn pos_of(file: u16, marker: saphyr_parser::Marker) -> Pos {
    Pos {
        file,
        line: u32::try_from(marker.line()).unwrap_or(u32::MAX),
        col: u32::try_from(marker.col() + 1).unwrap_or(u32::MAX),
        index: u32::try_from(marker.index()).unwrap_or(u32::MAX),
    }
}

enum Frame {
    Seq {
        start: Pos,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        start: Pos,
        anchor: usize,
        entries: Vec<Entry>,
        key: Option<(String, Pos, Pos, bool)>,
        merges: Vec<Node>,
    },
}

struct Builder {
    file: u16,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    root: Option<Node>,
}

impl Builder {
    /// Handles one event; returns true when the first document is complete.
    fn event(&mut self, event: Event<'_>, span: Span) -> Result<bool, YamlError> {
        let start = pos_of(self.file, span.start);
        let end = pos_of(self.file, span.end);
        match event {
            Event::DocumentEnd => return Ok(self.root.is_some() || self.stack.is_empty()),
            Event::Scalar(text, style, anchor, tag) => {
                let plain = style == ScalarStyle::Plain;
                let value = scalar::resolve(&text, plain, tag.as_deref());
                let node = Node {
                    value,
                    pos: start,
                    end,
                    plain,
                };
                self.complete(node, anchor)?;
            }
            Event::Alias(id) => {
                let mut node = self.anchors.get(&id).cloned().unwrap_or(Node {
                    value: Value::Null,
                    pos: start,
                    end,
                    plain: true,
                });
                node.pos = start;
                node.end = end;
                self.complete(node, 0)?;
            }
            Event::SequenceStart(anchor, _) => self.stack.push(Frame::Seq {
                start,
                anchor,
                items: Vec::new(),
            }),
            Event::MappingStart(anchor, _) => self.stack.push(Frame::Map {
                start,
                anchor,
                entries: Vec::new(),
                key: None,
                merges: Vec::new(),
            }),
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.stack.pop() else {
                    return Ok(false);
                };
                let (node, anchor) = match frame {
                    Frame::Seq {
                        start,
                        anchor,
                        items,
                    } => (
                        Node {
                            value: Value::Seq(items),
                            pos: start,
                            end,
                            plain: false,
                        },
                        anchor,
                    ),
                    Frame::Map {
                        start,
                        anchor,
                        mut entries,
                        merges,
                        ..
                    } => {
                        apply_merges(&mut entries, merges);
                        (
                            Node {
                                value: Value::Map(entries),
                                pos: start,
                                end,
                                plain: false,
                            },
                            anchor,
                        )
                    }
                };
                self.complete(node, anchor)?;
            }
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentStart(_) => {}
        }
        Ok(false)
    }

    fn complete(&mut self, node: Node, anchor: usize) -> Result<(), YamlError> {
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries,
                key,
                merges,
                ..
            }) => match key.take() {
                None => {
                    let text = node.scalar_text().unwrap_or_default();
                    let is_merge = node.plain && text == "<<";
                    if !is_merge {
                        if let Some(first) = entries.iter().find(|entry| entry.key == text) {
                            return Err(YamlError::DuplicateKey {
                                key: text,
                                pos: node.pos,
                                first_line: first.key_pos.line,
                            });
                        }
                    }
                    *key = Some((text, node.pos, node.end, is_merge));
                }
                Some((_, _, _, true)) => merges.push(node),
                Some((text, key_pos, key_end, false)) => entries.push(Entry {
                    key: text,
                    key_pos,
                    key_end,
                    value: node,
                }),
            },
        }
        Ok(())
    }
}

/// Applies `<<` merge keys: keys of the merged mappings that the mapping does not define
/// itself are added, earlier merged mappings winning over later ones (yaml.v3's rule).
fn apply_merges(entries: &mut Vec<Entry>, merges: Vec<Node>) {
    let sources = merges.into_iter().flat_map(|node| match node.value {
        Value::Map(entries) => entries,
        Value::Seq(items) => items
            .into_iter()
            .filter_map(|item| match item.value {
                Value::Map(entries) => Some(entries),
                _ => None,
            })
            .flatten()
            .collect(),
        _ => Vec::new(),
    });
    for entry in sources.collect::<Vec<_>>() {
        if !entries.iter().any(|existing| existing.key == entry.key) {
            entries.push(entry);
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn doc(text: &str) -> Node {
        parse(text, 0).unwrap().unwrap()
    }

    #[test]
    fn positions_of_keys_and_values() {
        let root = doc("receivers:\n  otlp:\n    protocols: {grpc: {}}\n");
        let receivers = root.entry("receivers").unwrap();
        assert_eq!((receivers.key_pos.line, receivers.key_pos.col), (1, 1));
        let otlp = receivers.value.entry("otlp").unwrap();
        assert_eq!((otlp.key_pos.line, otlp.key_pos.col), (2, 3));
        let protocols = otlp.value.get("protocols").unwrap();
        assert_eq!((protocols.pos.line, protocols.pos.col), (3, 16));
    }

    #[test]
    fn scalars_are_typed_like_yaml_v3() {
        let root = doc(
            "a: 1\nb: '1'\nc: true\nd: yes\ne: ~\nf:\ng: 1.5\nh: 0x10\ni: .inf\nj: 1_000\nk: !!str 5\n",
        );
        assert_eq!(root.get("a").unwrap().value, Value::Int(1));
        assert_eq!(root.get("b").unwrap().value, Value::Str("1".into()));
        assert_eq!(root.get("c").unwrap().value, Value::Bool(true));
        assert_eq!(root.get("d").unwrap().value, Value::Str("yes".into()));
        assert!(root.get("e").unwrap().is_null());
        assert!(root.get("f").unwrap().is_null());
        assert_eq!(root.get("g").unwrap().value, Value::Float(1.5));
        assert_eq!(root.get("h").unwrap().value, Value::Int(16));
        assert_eq!(root.get("i").unwrap().value, Value::Float(f64::INFINITY));
        assert_eq!(root.get("j").unwrap().value, Value::Int(1000));
        assert_eq!(root.get("k").unwrap().value, Value::Str("5".into()));
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let error = parse("a: 1\nb: 2\na: 3\n", 0).unwrap_err();
        assert_eq!(
            error.to_string(),
            "mapping key \"a\" already defined at line 1"
        );
        assert_eq!(error.pos().line, 3);
    }

    #[test]
    fn syntax_errors_have_positions() {
        let error = parse("a:\n  - b\n c: [\n", 0).unwrap_err();
        assert!(error.pos().line >= 2, "{error:?}");
    }

    #[test]
    fn anchors_and_merge_keys() {
        let root = doc("base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\n");
        let used = root.get("use").unwrap();
        assert_eq!(used.get("x").unwrap().value, Value::Int(1));
        assert_eq!(used.get("y").unwrap().value, Value::Int(3));
    }

    #[test]
    fn empty_text_has_no_document() {
        assert!(parse("", 0).unwrap().is_none());
        assert!(parse("# only a comment\n", 0).unwrap().is_none());
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(text in any::<String>()) {
            let _ = parse(&text, 0);
        }

        #[test]
        fn yaml_like_text_never_panics(text in "[a-z:{}\\[\\],'\"&*!|>#\\- \n]{0,80}") {
            let _ = parse(&text, 0);
        }
    }
}

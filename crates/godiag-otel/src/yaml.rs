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
    /// Aliases expand to too large a share of the document (yaml.v3's alias-bomb guard).
    #[error("yaml: document contains excessive aliasing")]
    ExcessiveAliasing {
        /// The alias at which the limit was passed.
        pos: Pos,
    },
}

impl YamlError {
    /// Returns where the error is.
    #[must_use]
    pub fn pos(&self) -> Pos {
        match self {
            Self::Syntax { pos, .. }
            | Self::DuplicateKey { pos, .. }
            | Self::ExcessiveAliasing { pos } => *pos,
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
        budget: AliasBudget::default(),
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

/// yaml.v3's guard against alias bombs (decode.go, `allowedAliasRatio` and
/// `decoder.unmarshal`): the decoder counts every node it decodes, an alias's target once
/// more for each alias, and fails once more than 100 of more than 1,000 decoded nodes came
/// from aliases and their share exceeds 99% (up to 400,000 nodes), falling linearly to 10%
/// (from 4,000,000 nodes). The builder counts the same walk as events arrive, knowing each
/// anchor's expanded size, and so refuses before cloning what the bomb would expand to.
/// Within an expansion both counts grow by one per node, so the share only rises there:
/// checking once after the whole expansion decides as yaml.v3's per-node check does.
#[derive(Debug, Clone, Copy)]
struct AliasBudget {
    decoded: u64,
    aliased: u64,
}

impl Default for AliasBudget {
    /// The document node itself is the first node yaml.v3 decodes.
    fn default() -> Self {
        Self {
            decoded: 1,
            aliased: 0,
        }
    }
}

impl AliasBudget {
    const RANGE_LOW: u64 = 400_000;
    const RANGE_HIGH: u64 = 4_000_000;

    /// Counts one node of the document and, for an alias, its target's `expanded` nodes;
    /// returns false when yaml.v3 would give up.
    fn decode(&mut self, expanded: u64) -> bool {
        self.decoded = self.decoded.saturating_add(1).saturating_add(expanded);
        self.aliased = self.aliased.saturating_add(expanded);
        !self.excessive()
    }

    #[allow(clippy::cast_precision_loss)] // counts far below 2^52; yaml.v3 uses float64 too
    fn excessive(&self) -> bool {
        self.aliased > 100
            && self.decoded > 1000
            && self.aliased as f64 / self.decoded as f64 > Self::allowed_ratio(self.decoded)
    }

    #[allow(clippy::cast_precision_loss)]
    fn allowed_ratio(decoded: u64) -> f64 {
        if decoded <= Self::RANGE_LOW {
            0.99
        } else if decoded >= Self::RANGE_HIGH {
            0.10
        } else {
            let range = (Self::RANGE_HIGH - Self::RANGE_LOW) as f64;
            0.99 - 0.89 * ((decoded - Self::RANGE_LOW) as f64 / range)
        }
    }
}

enum Frame {
    Seq {
        start: Pos,
        anchor: usize,
        weight: u64,
        items: Vec<Node>,
    },
    Map {
        start: Pos,
        anchor: usize,
        weight: u64,
        entries: Vec<Entry>,
        /// The line of each key defined so far, for duplicates in constant time.
        first_lines: HashMap<String, u32>,
        key: Option<(String, Pos, Pos, bool)>,
        merges: Vec<Node>,
    },
}

struct Builder {
    file: u16,
    stack: Vec<Frame>,
    /// Each anchored node with the number of nodes yaml.v3 decodes for it.
    anchors: HashMap<usize, (Node, u64)>,
    root: Option<Node>,
    budget: AliasBudget,
}

impl Builder {
    /// Handles one event; returns true when the first document is complete.
    fn event(&mut self, event: Event<'_>, span: Span) -> Result<bool, YamlError> {
        let start = pos_of(self.file, span.start);
        let end = pos_of(self.file, span.end);
        match event {
            Event::DocumentEnd => return Ok(self.root.is_some() || self.stack.is_empty()),
            Event::Scalar(text, style, anchor, tag) => {
                self.count(0, start)?;
                let plain = style == ScalarStyle::Plain;
                let value = scalar::resolve(&text, plain, tag.as_deref());
                let node = Node {
                    value,
                    pos: start,
                    end,
                    plain,
                };
                self.complete(node, anchor, 1)?;
            }
            Event::Alias(id) => {
                let expanded = self.anchors.get(&id).map_or(0, |(_, weight)| *weight);
                self.count(expanded, start)?;
                let mut node = self.anchors.get(&id).map_or(
                    Node {
                        value: Value::Null,
                        pos: start,
                        end,
                        plain: true,
                    },
                    |(node, _)| node.clone(),
                );
                node.pos = start;
                node.end = end;
                self.complete(node, 0, expanded.saturating_add(1))?;
            }
            Event::SequenceStart(anchor, _) => {
                self.count(0, start)?;
                self.stack.push(Frame::Seq {
                    start,
                    anchor,
                    weight: 1,
                    items: Vec::new(),
                });
            }
            Event::MappingStart(anchor, _) => {
                self.count(0, start)?;
                self.stack.push(Frame::Map {
                    start,
                    anchor,
                    weight: 1,
                    entries: Vec::new(),
                    first_lines: HashMap::new(),
                    key: None,
                    merges: Vec::new(),
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.stack.pop() else {
                    return Ok(false);
                };
                let (node, anchor, weight) = match frame {
                    Frame::Seq {
                        start,
                        anchor,
                        weight,
                        items,
                    } => (
                        Node {
                            value: Value::Seq(items),
                            pos: start,
                            end,
                            plain: false,
                        },
                        anchor,
                        weight,
                    ),
                    Frame::Map {
                        start,
                        anchor,
                        weight,
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
                            weight,
                        )
                    }
                };
                self.complete(node, anchor, weight)?;
            }
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentStart(_) => {}
        }
        Ok(false)
    }

    /// Counts a node as yaml.v3's decoder would, `expanded` being an alias target's size.
    fn count(&mut self, expanded: u64, pos: Pos) -> Result<(), YamlError> {
        if self.budget.decode(expanded) {
            Ok(())
        } else {
            Err(YamlError::ExcessiveAliasing { pos })
        }
    }

    /// Adds a finished node, which yaml.v3 decodes as `weight` nodes, to its parent.
    fn complete(&mut self, node: Node, anchor: usize, weight: u64) -> Result<(), YamlError> {
        if anchor != 0 {
            self.anchors.insert(anchor, (node.clone(), weight));
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq {
                items,
                weight: total,
                ..
            }) => {
                *total = total.saturating_add(weight);
                items.push(node);
            }
            Some(Frame::Map {
                entries,
                first_lines,
                key,
                merges,
                weight: total,
                ..
            }) => {
                *total = total.saturating_add(weight);
                match key.take() {
                    None => {
                        let text = node.scalar_text().unwrap_or_default();
                        let is_merge = node.plain && text == "<<";
                        if !is_merge {
                            if let Some(first_line) = first_lines.get(&text) {
                                return Err(YamlError::DuplicateKey {
                                    key: text,
                                    pos: node.pos,
                                    first_line: *first_line,
                                });
                            }
                            first_lines.insert(text.clone(), node.pos.line);
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
                }
            }
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
    // A set, not a scan per merged key: a mapping of 100,000 keys merging as many would
    // otherwise take 10^10 comparisons.
    let mut defined: std::collections::HashSet<String> =
        entries.iter().map(|entry| entry.key.clone()).collect();
    for entry in sources.collect::<Vec<_>>() {
        if defined.insert(entry.key.clone()) {
            entries.push(entry);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

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
    fn a_duplicate_among_many_keys_names_its_first_line() {
        // Duplicates are looked up in a map, not by scanning every earlier key.
        let mut text = String::new();
        for index in 0..20_000 {
            writeln!(text, "k{index}: {index}").unwrap();
        }
        text.push_str("k7: again\n");
        let error = parse(&text, 0).unwrap_err();
        assert_eq!(
            error.to_string(),
            "mapping key \"k7\" already defined at line 8"
        );
        assert_eq!(error.pos().line, 20_001);
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

    /// Nine levels of nine aliases of the level below: 9^9 strings once expanded.
    pub(crate) fn alias_bomb() -> String {
        let mut text = String::from(
            "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        for (below, level) in "abcdefgh".chars().zip("bcdefghi".chars()) {
            let aliases = vec![format!("*{below}"); 9].join(",");
            writeln!(text, "{level}: &{level} [{aliases}]").unwrap();
        }
        text
    }

    /// Eight levels of mappings that each merge the level below into nine keys.
    pub(crate) fn merge_key_bomb() -> String {
        let mut text =
            String::from("m0: &m0 {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8, i: 9}\n");
        for level in 1..=8 {
            let keys: Vec<String> = "abcdefghi"
                .chars()
                .map(|key| format!("{key}: {{<<: *m{}}}", level - 1))
                .collect();
            writeln!(text, "m{level}: &m{level} {{{}}}", keys.join(", ")).unwrap();
        }
        text.push_str("top: {<<: *m8}\n");
        text
    }

    #[test]
    fn alias_bomb_is_refused_before_expansion() {
        let text = alias_bomb();
        let error = parse(&text, 0).unwrap_err();
        let YamlError::ExcessiveAliasing { pos } = error else {
            panic!("{error:?}");
        };
        // yaml.v3's counts: after line 3, 990 of 1,025 decoded nodes came from aliases
        // (96.6%); each `*c` on line 4 adds 910 aliased nodes, and the fourth passes 99%.
        assert_eq!((pos.line, pos.col), (4, 17), "{pos:?}");
        assert_eq!(
            error.to_string(),
            "yaml: document contains excessive aliasing"
        );
    }

    #[test]
    fn merge_key_bomb_is_refused_before_expansion() {
        let text = merge_key_bomb();
        let error = parse(&text, 0).unwrap_err();
        assert!(
            matches!(error, YamlError::ExcessiveAliasing { .. }),
            "{error:?}"
        );
    }

    #[test]
    fn the_budget_follows_yaml_v3_thresholds() {
        let mut budget = AliasBudget::default();
        // Aliases alone do not fail a small document: yaml.v3 wants more than 1,000 nodes.
        assert!(budget.decode(998));
        assert!(!budget.decode(10), "{budget:?}");
        let mut budget = AliasBudget {
            decoded: 400_001,
            aliased: 0,
        };
        assert!(budget.decode(395_000), "{budget:?}");
        let mut budget = AliasBudget {
            decoded: 4_000_000,
            aliased: 0,
        };
        assert!(budget.decode(440_000), "{budget:?}");
        assert!(!budget.decode(10_000), "{budget:?}");
    }

    #[test]
    fn many_aliases_of_a_document_its_size_are_accepted() {
        // A config with a shared block aliased 50 times: expansion is half the document.
        let mut text = String::from("shared: &s {endpoint: a, timeout: 1s, retries: 3}\n");
        for index in 0..50 {
            writeln!(text, "k{index}: {{x: *s, y: 1, z: 2, w: 3, v: 4}}").unwrap();
        }
        let root = doc(&text);
        assert_eq!(
            root.get("k49")
                .unwrap()
                .get("x")
                .unwrap()
                .get("retries")
                .unwrap()
                .value,
            Value::Int(3)
        );
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

//! Decodes a parsed strategies file into Jaeger's structs the way Go's `encoding/json`
//! does (`json.Unmarshal` into `*strategies`, internal/sampling/samplingstrategy/file/
//! strategy.go), keeping the position of everything it sets.
//!
//! The rules, from Go's decode.go: keys match field names exactly or case-insensitively
//! (`PARAM`, and even `ſervice`, match); unknown keys are skipped; a key given twice is
//! decoded twice, so the last scalar wins while a repeated object or array is decoded *into*
//! the earlier value (objects merge; array elements below the earlier length are reused);
//! `null` leaves a string or number as it was and clears a pointer or slice; a value of
//! the wrong kind is a `json: cannot unmarshal ...` error, decoding goes on, and the first
//! error is the one Go returns. Not modelled: elements of a slice that a third repeated
//! key would resurrect from spare capacity.

use std::sync::Arc;

use crate::json::{Member, Node, Value};
use crate::yaml::Pos;

/// Where a member or element sits in its container, so it can be removed.
#[derive(Debug, Clone)]
pub struct Slot {
    /// The position of the member or element in its container, from 0.
    pub index: usize,
    /// The start and end of every member or element of the container.
    pub spans: Arc<[(Pos, Pos)]>,
}

impl Slot {
    /// Returns where the member or element starts.
    #[must_use]
    pub fn pos(&self) -> Pos {
        self.spans
            .get(self.index)
            .map(|span| span.0)
            .unwrap_or_default()
    }
}

/// A key and the value decoded from it.
#[derive(Debug, Clone)]
pub struct Setting<T> {
    /// The decoded value.
    pub value: T,
    /// The key as written.
    pub key: String,
    /// Where the key is.
    pub key_pos: Pos,
    /// Where the key ends.
    pub key_end: Pos,
    /// Where the value is.
    pub pos: Pos,
    /// Where the value ends.
    pub end: Pos,
    /// The number as written, for numbers.
    pub raw: String,
    /// The member in its object.
    pub slot: Slot,
}

/// Go's `strategy`: `type` and `param`.
#[derive(Debug, Clone, Default)]
pub struct Strategy {
    /// `type`: `probabilistic` or `ratelimiting`; `None` when the key is absent.
    pub ty: Option<Setting<String>>,
    /// `param`: the probability (0 to 1) or the traces per second; `None` when absent.
    pub param: Option<Setting<f64>>,
}

/// Go's `operationStrategy`.
#[derive(Debug, Clone)]
pub struct OperationStrategy {
    /// Where its object starts.
    pub pos: Pos,
    /// Where it ends.
    pub end: Pos,
    /// The element in its array.
    pub slot: Slot,
    /// `operation`: the span name the strategy applies to; `None` when absent.
    pub operation: Option<Setting<String>>,
    /// `type` and `param`.
    pub strategy: Strategy,
}

/// Go's `serviceStrategy` (also the shape of `default_strategy`).
#[derive(Debug, Clone)]
pub struct ServiceStrategy {
    /// Where its object starts.
    pub pos: Pos,
    /// Where it ends.
    pub end: Pos,
    /// The element in its array (or the member `default_strategy`).
    pub slot: Slot,
    /// `service`: the service name the strategy applies to; `None` when absent.
    pub service: Option<Setting<String>>,
    /// `operation_strategies`; `None` elements are JSON `null`s.
    pub operation_strategies: Vec<Option<OperationStrategy>>,
    /// Where the `operation_strategies` key is.
    pub operations_key: Option<Pos>,
    /// Where each element of `operation_strategies` is (nulls included).
    pub operation_slots: Vec<Slot>,
    /// `type` and `param`.
    pub strategy: Strategy,
}

/// Go's `strategies`: the whole file.
#[derive(Debug, Clone, Default)]
pub struct Strategies {
    /// `default_strategy`: what services without an entry get; `None` when absent.
    pub default_strategy: Option<ServiceStrategy>,
    /// Where the `default_strategy` key is.
    pub default_key: Option<Pos>,
    /// `service_strategies`; `None` elements are JSON `null`s.
    pub service_strategies: Vec<Option<ServiceStrategy>>,
    /// Where the `service_strategies` key is.
    pub services_key: Option<Pos>,
    /// Where each element of `service_strategies` is (nulls included).
    pub service_slots: Vec<Slot>,
}

/// A `json: cannot unmarshal ...` error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeError {
    /// Where the value is.
    pub pos: Pos,
    /// Where it ends.
    pub end: Pos,
    /// What the value is (`string`, `number 1e400`).
    pub value: String,
    /// The Go struct holding the field, empty at the top.
    pub in_struct: &'static str,
    /// The field path, as Go joins it (`service_strategies.strategy.param`).
    pub field: String,
    /// The Go type of the target.
    pub ty: &'static str,
}

impl TypeError {
    /// Returns Go's message.
    #[must_use]
    pub fn message(&self) -> String {
        if self.in_struct.is_empty() {
            format!(
                "json: cannot unmarshal {} into Go value of type {}",
                self.value, self.ty
            )
        } else {
            format!(
                "json: cannot unmarshal {} into Go struct field {}.{} of type {}",
                self.value, self.in_struct, self.field, self.ty
            )
        }
    }
}

/// A key the decoder noticed something about.
#[derive(Debug, Clone)]
pub struct KeyNote {
    /// The key as written.
    pub key: String,
    /// The field it matched, if any.
    pub field: Option<&'static str>,
    /// The fields of the object it is in.
    pub fields: &'static [&'static str],
    /// Where the object is, e.g. `service_strategies[2]`.
    pub path: String,
    /// Where the key is.
    pub key_pos: Pos,
    /// Where the key ends.
    pub key_end: Pos,
    /// The member in its object.
    pub slot: Slot,
    /// For a repeated field: where the key it overrides is, and whether the value is a
    /// scalar (so the earlier member has no effect at all).
    pub overrides: Option<(Pos, bool)>,
}

/// Everything decoding produced.
#[derive(Debug, Clone, Default)]
pub struct Decoded {
    /// The strategies; `None` when the file is JSON `null` (Jaeger then serves defaults).
    pub strategies: Option<Strategies>,
    /// Type errors, in document order; Go returns the first.
    pub type_errors: Vec<TypeError>,
    /// Keys that match no field (ignored).
    pub unknown_keys: Vec<KeyNote>,
    /// Keys that match a field only case-insensitively.
    pub case_variants: Vec<KeyNote>,
    /// Fields given more than once in one object.
    pub repeated: Vec<KeyNote>,
}

const STRATEGIES_FIELDS: &[&str] = &["default_strategy", "service_strategies"];
const SERVICE_FIELDS: &[&str] = &["service", "operation_strategies", "type", "param"];
const OPERATION_FIELDS: &[&str] = &["operation", "type", "param"];

/// Decodes the document.
#[must_use]
pub fn decode(root: &Node) -> Decoded {
    let mut decoder = Decoder {
        out: Decoded::default(),
        stack: Vec::new(),
    };
    match &root.value {
        Value::Null => {}
        Value::Object(members) => {
            let mut strategies = Strategies::default();
            decoder.strategies(members, &mut strategies);
            decoder.out.strategies = Some(strategies);
        }
        _ => decoder.out.type_errors.push(TypeError {
            pos: root.pos,
            end: root.end,
            value: root.kind().to_owned(),
            in_struct: "",
            field: String::new(),
            ty: "file.strategies",
        }),
    }
    decoder.out
}

/// Go's case-insensitive key folding (encoding/json fold.go), enough for ASCII field names:
/// ASCII letters fold to upper case, `ſ` to `S` and the Kelvin sign to `K`.
fn folds_to(key: &str, field: &str) -> bool {
    let folded: String = key
        .chars()
        .map(|c| match c {
            '\u{17f}' => 'S',
            '\u{212a}' => 'K',
            c => c.to_ascii_uppercase(),
        })
        .collect();
    folded == field.to_ascii_uppercase()
}

fn spans(members: &[Member]) -> Arc<[(Pos, Pos)]> {
    members.iter().map(|m| (m.key_pos, m.value.end)).collect()
}

struct Decoder {
    out: Decoded,
    /// Go's error context: the JSON field names from the top (and `strategy` for promoted
    /// fields).
    stack: Vec<&'static str>,
}

impl Decoder {
    fn type_error(&mut self, node: &Node, in_struct: &'static str, ty: &'static str) {
        self.out.type_errors.push(TypeError {
            pos: node.pos,
            end: node.end,
            value: node.kind().to_owned(),
            in_struct,
            field: self.stack.join("."),
            ty,
        });
    }

    /// Matches each member to a field of `fields`, noting unknown, case-variant and repeated
    /// keys; calls `field` for each match.
    fn members(
        &mut self,
        members: &[Member],
        fields: &'static [&'static str],
        path: &str,
        mut field: impl FnMut(&mut Self, &'static str, &Member, Slot),
    ) {
        let spans = spans(members);
        let mut seen: Vec<(&'static str, Pos)> = Vec::new();
        for (index, member) in members.iter().enumerate() {
            let slot = Slot {
                index,
                spans: Arc::clone(&spans),
            };
            let matched = fields
                .iter()
                .find(|name| **name == member.key)
                .or_else(|| fields.iter().find(|name| folds_to(&member.key, name)))
                .copied();
            let note = KeyNote {
                key: member.key.clone(),
                field: matched,
                fields,
                path: path.to_owned(),
                key_pos: member.key_pos,
                key_end: member.key_end,
                slot: slot.clone(),
                overrides: None,
            };
            let Some(name) = matched else {
                self.out.unknown_keys.push(note);
                continue;
            };
            if member.key != name {
                self.out.case_variants.push(note.clone());
            }
            if let Some((_, first)) = seen.iter().find(|(seen, _)| *seen == name) {
                let scalar = !matches!(member.value.value, Value::Object(_) | Value::Array(_));
                self.out.repeated.push(KeyNote {
                    overrides: Some((*first, scalar)),
                    ..note
                });
            }
            seen.push((name, member.key_pos));
            field(self, name, member, slot);
        }
    }

    fn strategies(&mut self, members: &[Member], into: &mut Strategies) {
        self.members(
            members,
            STRATEGIES_FIELDS,
            "",
            |this, name, member, slot| {
                this.stack.push(name);
                let value = &member.value;
                if name == "default_strategy" {
                    into.default_key = Some(member.key_pos);
                    match &value.value {
                        Value::Null => into.default_strategy = None,
                        Value::Object(inner) => {
                            let target = into
                                .default_strategy
                                .get_or_insert_with(|| new_service(value, slot.clone()));
                            target.place(value, slot);
                            this.service(inner, target, "default_strategy");
                        }
                        _ => this.type_error(value, "strategies", "file.serviceStrategy"),
                    }
                } else {
                    into.services_key = Some(member.key_pos);
                    this.array(
                        value,
                        (&mut into.service_strategies, &mut into.service_slots),
                        (
                            "strategies",
                            "[]*file.serviceStrategy",
                            "file.serviceStrategy",
                        ),
                        |this, element, target, index| {
                            this.service(element, target, &format!("service_strategies[{index}]"));
                        },
                        new_service,
                    );
                }
                this.stack.pop();
            },
        );
    }

    /// Decodes an array of pointers to structs into `into`, Go's way.
    fn array<T: Placed>(
        &mut self,
        value: &Node,
        (into, slots): (&mut Vec<Option<T>>, &mut Vec<Slot>),
        (in_struct, slice_ty, element_ty): (&'static str, &'static str, &'static str),
        mut decode: impl FnMut(&mut Self, &[Member], &mut T, usize),
        new: impl Fn(&Node, Slot) -> T,
    ) {
        let items = match &value.value {
            Value::Null => {
                into.clear();
                slots.clear();
                return;
            }
            Value::Array(items) => items,
            _ => {
                self.type_error(value, in_struct, slice_ty);
                return;
            }
        };
        let spans: Arc<[(Pos, Pos)]> = items.iter().map(|item| (item.pos, item.end)).collect();
        for (index, item) in items.iter().enumerate() {
            let slot = Slot {
                index,
                spans: Arc::clone(&spans),
            };
            if index >= into.len() {
                into.push(None);
                slots.push(slot.clone());
            }
            slots[index] = slot.clone();
            let target = &mut into[index];
            match &item.value {
                Value::Null => *target = None,
                Value::Object(members) => {
                    let element = target.get_or_insert_with(|| new(item, slot.clone()));
                    decode(self, members, element, index);
                    element.place(item, slot);
                }
                _ => {
                    // Go allocates the element before it fails to store into it.
                    if target.is_none() {
                        *target = Some(new(item, slot));
                    }
                    self.type_error(item, in_struct, element_ty);
                }
            }
        }
        into.truncate(items.len());
        slots.truncate(items.len());
    }

    fn service(&mut self, members: &[Member], into: &mut ServiceStrategy, path: &str) {
        self.members(members, SERVICE_FIELDS, path, |this, name, member, slot| {
            let value = &member.value;
            match name {
                "service" => {
                    this.stack.push(name);
                    this.string(member, slot, &mut into.service, "serviceStrategy");
                    this.stack.pop();
                }
                "operation_strategies" => {
                    this.stack.push(name);
                    into.operations_key = Some(member.key_pos);
                    this.array(
                        value,
                        (&mut into.operation_strategies, &mut into.operation_slots),
                        (
                            "serviceStrategy",
                            "[]*file.operationStrategy",
                            "file.operationStrategy",
                        ),
                        |this, element, target, index| {
                            this.operation(
                                element,
                                target,
                                &format!("{path}.operation_strategies[{index}]"),
                            );
                        },
                        new_operation,
                    );
                    this.stack.pop();
                }
                _ => this.strategy(name, member, slot, &mut into.strategy, "serviceStrategy"),
            }
        });
    }

    fn operation(&mut self, members: &[Member], into: &mut OperationStrategy, path: &str) {
        self.members(
            members,
            OPERATION_FIELDS,
            path,
            |this, name, member, slot| {
                if name == "operation" {
                    this.stack.push(name);
                    this.string(member, slot, &mut into.operation, "operationStrategy");
                    this.stack.pop();
                } else {
                    this.strategy(name, member, slot, &mut into.strategy, "operationStrategy");
                }
            },
        );
    }

    /// `type` or `param`, promoted from the embedded `strategy`.
    fn strategy(
        &mut self,
        name: &'static str,
        member: &Member,
        slot: Slot,
        into: &mut Strategy,
        in_struct: &'static str,
    ) {
        self.stack.push("strategy");
        self.stack.push(name);
        if name == "type" {
            self.string(member, slot, &mut into.ty, in_struct);
        } else {
            self.number(member, slot, &mut into.param, in_struct);
        }
        self.stack.pop();
        self.stack.pop();
    }

    fn string(
        &mut self,
        member: &Member,
        slot: Slot,
        into: &mut Option<Setting<String>>,
        in_struct: &'static str,
    ) {
        match &member.value.value {
            Value::Null => {}
            Value::String(text) => *into = Some(setting(member, slot, text.clone(), "")),
            _ => self.type_error(&member.value, in_struct, "string"),
        }
    }

    fn number(
        &mut self,
        member: &Member,
        slot: Slot,
        into: &mut Option<Setting<f64>>,
        in_struct: &'static str,
    ) {
        match &member.value.value {
            Value::Null => {}
            Value::Number(raw) => match raw.parse::<f64>() {
                // strconv.ParseFloat fails (ErrRange) when the number overflows float64.
                Ok(value) if value.is_finite() => {
                    *into = Some(setting(member, slot, value, raw));
                }
                _ => self.out.type_errors.push(TypeError {
                    pos: member.value.pos,
                    end: member.value.end,
                    value: format!("number {raw}"),
                    in_struct,
                    field: self.stack.join("."),
                    ty: "float64",
                }),
            },
            _ => self.type_error(&member.value, in_struct, "float64"),
        }
    }
}

fn setting<T>(member: &Member, slot: Slot, value: T, raw: &str) -> Setting<T> {
    Setting {
        value,
        key: member.key.clone(),
        key_pos: member.key_pos,
        key_end: member.key_end,
        pos: member.value.pos,
        end: member.value.end,
        raw: raw.to_owned(),
        slot,
    }
}

fn new_service(node: &Node, slot: Slot) -> ServiceStrategy {
    ServiceStrategy {
        pos: node.pos,
        end: node.end,
        slot,
        service: None,
        operation_strategies: Vec::new(),
        operations_key: None,
        operation_slots: Vec::new(),
        strategy: Strategy::default(),
    }
}

fn new_operation(node: &Node, slot: Slot) -> OperationStrategy {
    OperationStrategy {
        pos: node.pos,
        end: node.end,
        slot,
        operation: None,
        strategy: Strategy::default(),
    }
}

/// Records where an element was last decoded from.
trait Placed {
    fn place(&mut self, node: &Node, slot: Slot);
}

impl Placed for ServiceStrategy {
    fn place(&mut self, node: &Node, slot: Slot) {
        self.pos = node.pos;
        self.end = node.end;
        self.slot = slot;
    }
}

impl Placed for OperationStrategy {
    fn place(&mut self, node: &Node, slot: Slot) {
        self.pos = node.pos;
        self.end = node.end;
        self.slot = slot;
    }
}

#[cfg(test)]
mod tests;

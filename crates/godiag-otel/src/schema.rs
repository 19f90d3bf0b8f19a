//! Field schemas of Collector settings and a validator that decodes the way the Collector's
//! `confmap` does (mapstructure, not weakly typed, unknown keys rejected).
//!
//! Decoding rules, from confmap/internal/decoder.go and go-viper/mapstructure: a string field
//! takes only strings; a bool only `true`/`false`; an int takes ints and floats (truncated);
//! an unsigned int rejects negative numbers; a duration takes a Go duration string or a number
//! of nanoseconds; a `[]string` also takes one string (split on `,`); `null` leaves a field
//! at its zero value. A value holding `${...}` is only known once expanded, so its type is
//! not checked. Semantic rules (a component's `Validate()`) live in [`crate::components`].

mod duration;

pub use duration::parse_go_duration;

use crate::yaml::{Node, Pos, Value};

/// The type of a setting.
#[derive(Debug, Clone, Copy)]
pub enum Ty {
    /// A string.
    Str,
    /// A YAML boolean.
    Bool,
    /// A signed integer.
    Int,
    /// An unsigned integer.
    Uint,
    /// A floating-point number (`float64`).
    Float,
    /// A `time.Duration`.
    Duration,
    /// A `[]string`.
    StrList,
    /// A list of some type.
    List(&'static Self),
    /// A map from strings to some type.
    Map(&'static Self),
    /// A struct: only these keys.
    Struct(&'static [Field]),
    /// A string from a fixed set.
    Enum(&'static [&'static str]),
    /// Anything (not checked).
    Any,
}

/// One key of a struct.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// The key as written in the YAML (the `mapstructure` tag).
    pub name: &'static str,
    /// What the key accepts.
    pub ty: Ty,
}

/// Returns a field.
#[must_use]
pub const fn f(name: &'static str, ty: Ty) -> Field {
    Field { name, ty }
}

/// What is wrong with a setting.
#[derive(Debug, Clone, PartialEq)]
pub enum ProblemKind {
    /// A key the struct does not have.
    UnknownKey {
        /// The keys it has.
        valid: Vec<&'static str>,
    },
    /// A value of the wrong type.
    WrongType {
        /// What the field takes.
        expected: &'static str,
        /// What the value is.
        got: &'static str,
    },
    /// A value the field does not accept.
    BadValue {
        /// What is wrong with the value, worded for the finding.
        message: String,
    },
}

/// One problem, at the node it is about.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// Where the offending node starts.
    pub pos: Pos,
    /// The dotted path of the setting, e.g. `sending_queue.queue_size`.
    pub path: String,
    /// What is wrong there.
    pub kind: ProblemKind,
}

impl Problem {
    /// Returns the problem in words.
    #[must_use]
    pub fn describe(&self) -> String {
        match &self.kind {
            ProblemKind::UnknownKey { valid } => {
                let key = self.path.rsplit('.').next().unwrap_or(&self.path);
                let hint = closest_key(key, valid)
                    .map(|near| format!(" (did you mean `{near}`?)"))
                    .unwrap_or_default();
                format!("`{key}` is not a setting here{hint}")
            }
            ProblemKind::WrongType { expected, got } => {
                format!("`{}` takes {expected}, not {got}", self.path)
            }
            ProblemKind::BadValue { message } => {
                let key = self.path.rsplit('.').next().unwrap_or(&self.path);
                if key.is_empty() || message.contains(key) {
                    message.clone()
                } else {
                    format!("`{}`: {message}", self.path)
                }
            }
        }
    }
}

fn closest_key<'a>(key: &str, valid: &[&'a str]) -> Option<&'a str> {
    valid
        .iter()
        .filter(|candidate| {
            candidate.contains(key) || key.contains(*candidate) || {
                let same: usize = key
                    .chars()
                    .zip(candidate.chars())
                    .filter(|(a, b)| a == b)
                    .count();
                same + 2 >= key.len().max(candidate.len())
            }
        })
        .min_by_key(|candidate| candidate.len().abs_diff(key.len()))
        .copied()
}

/// Returns true when a scalar's value is only known after `${...}` expansion.
#[must_use]
pub fn is_expanded(node: &Node) -> bool {
    node.as_str().is_some_and(|text| text.contains("${"))
}

/// Validates `node` against `ty`, appending problems; `path` names the node.
pub fn validate(node: &Node, ty: &Ty, path: &str, out: &mut Vec<Problem>) {
    if node.is_null() || is_expanded(node) {
        return;
    }
    let wrong = |expected: &'static str, out: &mut Vec<Problem>| {
        out.push(Problem {
            pos: node.pos,
            path: path.to_owned(),
            kind: ProblemKind::WrongType {
                expected,
                got: node.type_name(),
            },
        });
    };
    match (ty, &node.value) {
        (Ty::Any, _)
        | (Ty::Str | Ty::StrList, Value::Str(_))
        | (Ty::Bool, Value::Bool(_))
        | (Ty::Int | Ty::Float | Ty::Duration, Value::Int(_) | Value::Float(_)) => {}
        (Ty::Uint, Value::Int(value)) if *value >= 0 => {}
        (Ty::Uint, Value::Float(value)) if *value >= 0.0 => {}
        (Ty::Uint, Value::Int(_) | Value::Float(_)) => bad(
            node,
            path,
            "must not be negative (an unsigned number)".into(),
            out,
        ),
        (Ty::Duration, Value::Str(text)) => {
            if let Err(message) = parse_go_duration(text) {
                bad(node, path, message, out);
            }
        }
        (Ty::Enum(allowed), Value::Str(text)) => {
            if !allowed.contains(&text.as_str()) {
                let listed: Vec<&str> = allowed.iter().copied().filter(|a| !a.is_empty()).collect();
                bad(
                    node,
                    path,
                    format!("`{text}` is not one of {}", listed.join(", ")),
                    out,
                );
            }
        }
        (Ty::StrList, Value::Seq(items)) => {
            for (index, item) in items.iter().enumerate() {
                validate(item, &Ty::Str, &format!("{path}[{index}]"), out);
            }
        }
        (Ty::List(item_ty), Value::Seq(items)) => {
            for (index, item) in items.iter().enumerate() {
                validate(item, item_ty, &format!("{path}[{index}]"), out);
            }
        }
        (Ty::Map(value_ty), Value::Map(entries)) => {
            for entry in entries {
                validate(&entry.value, value_ty, &join(path, &entry.key), out);
            }
        }
        (Ty::Struct(fields), Value::Map(entries)) => {
            for entry in entries {
                let here = join(path, &entry.key);
                match fields.iter().find(|field| field.name == entry.key) {
                    Some(field) => validate(&entry.value, &field.ty, &here, out),
                    None => out.push(Problem {
                        pos: entry.key_pos,
                        path: here,
                        kind: ProblemKind::UnknownKey {
                            valid: fields.iter().map(|field| field.name).collect(),
                        },
                    }),
                }
            }
        }
        (Ty::Str | Ty::Enum(_), _) => wrong("a string", out),
        (Ty::Bool, _) => wrong("true or false", out),
        (Ty::Int | Ty::Uint | Ty::Float, _) => wrong("a number", out),
        (Ty::Duration, _) => wrong("a duration like 5s", out),
        (Ty::StrList | Ty::List(_), _) => wrong("a list", out),
        (Ty::Map(_) | Ty::Struct(_), _) => wrong("a mapping", out),
    }
}

/// Collects the nodes under `node` whose setting is a `time.Duration`, with their dotted
/// paths.
pub fn durations<'a>(node: &'a Node, ty: &Ty, path: &str, out: &mut Vec<(String, &'a Node)>) {
    match (ty, &node.value) {
        (Ty::Duration, _) => out.push((path.to_owned(), node)),
        (Ty::List(item_ty), Value::Seq(items)) => {
            for (index, item) in items.iter().enumerate() {
                durations(item, item_ty, &format!("{path}[{index}]"), out);
            }
        }
        (Ty::Map(value_ty), Value::Map(entries)) => {
            for entry in entries {
                durations(&entry.value, value_ty, &join(path, &entry.key), out);
            }
        }
        (Ty::Struct(fields), Value::Map(entries)) => {
            for entry in entries {
                if let Some(field) = fields.iter().find(|field| field.name == entry.key) {
                    durations(&entry.value, &field.ty, &join(path, &entry.key), out);
                }
            }
        }
        _ => {}
    }
}

fn bad(node: &Node, path: &str, message: String, out: &mut Vec<Problem>) {
    out.push(Problem {
        pos: node.pos,
        path: path.to_owned(),
        kind: ProblemKind::BadValue { message },
    });
}

/// Joins a dotted path.
#[must_use]
pub fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse;

    const INNER: &[Field] = &[f("insecure", Ty::Bool)];
    const SCHEMA: Ty = Ty::Struct(&[
        f("endpoint", Ty::Str),
        f("timeout", Ty::Duration),
        f("size", Ty::Uint),
        f("tls", Ty::Struct(INNER)),
        f("keys", Ty::StrList),
    ]);

    fn problems(text: &str) -> Vec<String> {
        let node = parse(text, 0).unwrap().unwrap();
        let mut out = Vec::new();
        validate(&node, &SCHEMA, "", &mut out);
        out.iter()
            .map(|p| format!("{}:{} {}", p.pos.line, p.pos.col, p.describe()))
            .collect()
    }

    #[test]
    fn accepts_what_the_collector_accepts() {
        assert!(
            problems(
                "endpoint: http://x\ntimeout: 5\nsize: 3.5\ntls: {insecure: true}\nkeys: a,b\n"
            )
            .is_empty()
        );
        assert!(problems("endpoint: ${env:X}\nsize: ${env:N}\ntls:\n").is_empty());
    }

    #[test]
    fn rejects_what_the_collector_rejects() {
        assert_eq!(
            problems(
                "endpoint: 4318\ntimeout: 5x\ninsecure: true\ntls: {insecure: yes}\nsize: -1\n"
            ),
            vec![
                "1:11 `endpoint` takes a string, not int",
                "2:10 `timeout`: unknown unit \"x\" in duration \"5x\"",
                "3:1 `insecure` is not a setting here",
                "4:17 `tls.insecure` takes true or false, not string",
                "5:7 `size`: must not be negative (an unsigned number)",
            ]
        );
    }
}

//! Typing of scalars, following `resolve` in gopkg.in/yaml.v3 (resolve.go).

use saphyr_parser::Tag;

use super::Value;

/// Returns the value of a scalar: quoted and block scalars are strings, plain ones are
/// resolved, and a core-schema tag (`!!str`, `!!int`, ...) decides when present.
pub(super) fn resolve(text: &str, plain: bool, tag: Option<&Tag>) -> Value {
    if let Some(tag) = tag {
        if tag.handle == "tag:yaml.org,2002:" || tag.handle == "!!" {
            return match tag.suffix.as_str() {
                "null" => Value::Null,
                "bool" | "int" | "float" => {
                    resolve_plain(text).unwrap_or_else(|| Value::Str(text.to_owned()))
                }
                _ => Value::Str(text.to_owned()),
            };
        }
        return Value::Str(text.to_owned());
    }
    if !plain {
        return Value::Str(text.to_owned());
    }
    resolve_plain(text).unwrap_or_else(|| Value::Str(text.to_owned()))
}

/// Returns the typed value of a plain scalar, or `None` for a string.
fn resolve_plain(text: &str) -> Option<Value> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Some(Value::Null),
        "true" | "True" | "TRUE" => return Some(Value::Bool(true)),
        "false" | "False" | "FALSE" => return Some(Value::Bool(false)),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Some(Value::Float(f64::INFINITY));
        }
        "-.inf" | "-.Inf" | "-.INF" => return Some(Value::Float(f64::NEG_INFINITY)),
        ".nan" | ".NaN" | ".NAN" => return Some(Value::Float(f64::NAN)),
        _ => {}
    }
    let first = text.chars().next()?;
    if !(first.is_ascii_digit() || matches!(first, '+' | '-' | '.')) {
        return None;
    }
    let cleaned: String = text.chars().filter(|c| *c != '_').collect();
    if let Some(value) = parse_go_int(&cleaned) {
        return Some(Value::Int(value));
    }
    if is_yaml_float(&cleaned) {
        return cleaned.parse::<f64>().ok().map(Value::Float);
    }
    None
}

/// `strconv.ParseInt(text, 0, 64)`: sign, then `0x`, `0o`, `0b`, a leading `0` (octal) or
/// decimal digits.
fn parse_go_int(text: &str) -> Option<i64> {
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let lower = digits.to_ascii_lowercase();
    let (radix, body) = if let Some(rest) = lower.strip_prefix("0x") {
        (16, rest)
    } else if let Some(rest) = lower.strip_prefix("0o") {
        (8, rest)
    } else if let Some(rest) = lower.strip_prefix("0b") {
        (2, rest)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    if body.is_empty() || !body.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = i128::from_str_radix(body, radix).ok()?;
    let value = if negative { -magnitude } else { magnitude };
    i64::try_from(value).ok()
}

/// yaml.v3's `yamlStyleFloat`: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_float(text: &str) -> bool {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(at) => (&body[..at], Some(&body[at + 1..])),
        None => (body, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", fraction)) => {
            !fraction.is_empty() && fraction.bytes().all(|b| b.is_ascii_digit())
        }
        Some((whole, fraction)) => {
            !whole.is_empty()
                && whole.bytes().all(|b| b.is_ascii_digit())
                && fraction.bytes().all(|b| b.is_ascii_digit())
        }
        None => !mantissa.is_empty() && mantissa.bytes().all(|b| b.is_ascii_digit()),
    };
    let exponent_ok = exponent.is_none_or(|exp| {
        let digits = exp.strip_prefix(['-', '+']).unwrap_or(exp);
        !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
    });
    mantissa_ok && exponent_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_and_floats() {
        assert_eq!(resolve_plain("42"), Some(Value::Int(42)));
        assert_eq!(resolve_plain("-7"), Some(Value::Int(-7)));
        assert_eq!(resolve_plain("0o17"), Some(Value::Int(15)));
        assert_eq!(resolve_plain("017"), Some(Value::Int(15)));
        assert_eq!(resolve_plain("0b101"), Some(Value::Int(5)));
        assert_eq!(resolve_plain("1e3"), Some(Value::Float(1000.0)));
        assert_eq!(resolve_plain(".5"), Some(Value::Float(0.5)));
        assert_eq!(resolve_plain("5s"), None);
        assert_eq!(resolve_plain("1.2.3"), None);
        assert_eq!(resolve_plain("0.0.0.0:4317"), None);
        assert_eq!(
            resolve_plain("99999999999999999999"),
            Some(Value::Float(1e20))
        );
    }
}

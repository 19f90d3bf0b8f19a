//! The body Jaeger's remote sampling endpoint (`/api/sampling?service=S`, `/sampling`)
//! sends for a response, byte for byte.
//!
//! Jaeger (internal/uimodel/converter/v1/json/sampling.go, `SamplingStrategyResponseToJSON`)
//! marshals with gogo `jsonpb` and `EmitDefaults`: fields in proto order, the enum by name,
//! zero values written, absent messages as `null`, then removes the three `null` fields.
//! Scalars go through Go's `encoding/json`, so numbers and strings are written as Go writes
//! them: shortest round-trip digits, exponent form below 1e-6 and from 1e21 on
//! (`1e-7`, `1e+21`), and `<`, `>`, `&`, U+2028, U+2029 escaped.

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::sampling::provider::{OperationSampling, Response, StrategyType};

/// Returns the exact body Jaeger serves.
#[must_use]
pub fn body(response: &Response) -> String {
    let mut out = String::from("{\"strategyType\":\"");
    out.push_str(match response.strategy_type {
        StrategyType::Probabilistic => "PROBABILISTIC",
        StrategyType::RateLimiting => "RATE_LIMITING",
    });
    out.push('"');
    if let Some(rate) = response.probabilistic {
        let _ = write!(
            out,
            ",\"probabilisticSampling\":{{\"samplingRate\":{}}}",
            go_float(rate)
        );
    }
    if let Some(max) = response.rate_limiting {
        let _ = write!(
            out,
            ",\"rateLimitingSampling\":{{\"maxTracesPerSecond\":{max}}}"
        );
    }
    if let Some(sampling) = &response.operation_sampling {
        out.push_str(",\"operationSampling\":");
        operation_sampling(&mut out, sampling);
    }
    out.push('}');
    out
}

fn operation_sampling(out: &mut String, sampling: &OperationSampling) {
    let _ = write!(
        out,
        "{{\"defaultSamplingProbability\":{},\"defaultLowerBoundTracesPerSecond\":0,\"perOperationStrategies\":[",
        go_float(sampling.default_sampling_probability)
    );
    for (index, op) in sampling.per_operation.iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        out.push_str("{\"operation\":");
        go_string(out, &op.operation);
        let _ = write!(
            out,
            ",\"probabilisticSampling\":{{\"samplingRate\":{}}}}}",
            go_float(op.sampling_rate)
        );
    }
    out.push_str("],\"defaultUpperBoundTracesPerSecond\":0}");
}

/// Returns the response as a JSON value for the report (same names as the body).
#[must_use]
pub fn to_value(response: &Response) -> Value {
    let mut value = json!({
        "strategyType": match response.strategy_type {
            StrategyType::Probabilistic => "PROBABILISTIC",
            StrategyType::RateLimiting => "RATE_LIMITING",
        },
    });
    if let Some(rate) = response.probabilistic {
        value["probabilisticSampling"] = json!({"samplingRate": rate});
    }
    if let Some(max) = response.rate_limiting {
        value["rateLimitingSampling"] = json!({"maxTracesPerSecond": max});
    }
    if let Some(sampling) = &response.operation_sampling {
        value["operationSampling"] = json!({
            "defaultSamplingProbability": sampling.default_sampling_probability,
            "defaultLowerBoundTracesPerSecond": 0,
            "perOperationStrategies": sampling.per_operation.iter().map(|op| json!({
                "operation": op.operation,
                "probabilisticSampling": {"samplingRate": op.sampling_rate},
            })).collect::<Vec<_>>(),
            "defaultUpperBoundTracesPerSecond": 0,
        });
    }
    value
}

/// Formats a float as Go's `encoding/json` does (`floatEncoder`, 64 bits).
#[must_use]
pub fn go_float(value: f64) -> String {
    let abs = value.abs();
    if abs == 0.0 || (1e-6..1e21).contains(&abs) {
        // Rust's Display is the shortest round-trip decimal without an exponent, as Go's
        // 'f' format with precision -1.
        return format!("{value}");
    }
    let exponent_form = format!("{value:e}");
    let (mantissa, exponent) = exponent_form
        .split_once('e')
        .unwrap_or((exponent_form.as_str(), "0"));
    match exponent.strip_prefix('-') {
        // Go writes e-07 and then trims the zero: e-7.
        Some(negative) => format!("{mantissa}e-{negative}"),
        None => format!("{mantissa}e+{exponent:0>2}"),
    }
}

/// Appends a string as Go's `encoding/json` writes it (HTML-safe).
pub fn go_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sampling::provider::{PerOperation, default_response};
    use crate::yaml::Pos;

    #[test]
    fn floats_are_written_as_go_writes_them() {
        let table = [
            (0.5, "0.5"),
            (1.0, "1"),
            (0.0, "0"),
            (-0.0, "-0"),
            (0.001, "0.001"),
            (1e-7, "1e-7"),
            (1.5e-10, "1.5e-10"),
            (1e21, "1e+21"),
            (1.234_567_890_123_456_8e17, "123456789012345680"),
            (1e20, "100000000000000000000"),
            (0.000_001, "0.000001"),
            (1e300, "1e+300"),
        ];
        for (value, expected) in table {
            assert_eq!(go_float(value), expected, "{value}");
        }
    }

    #[test]
    fn strings_are_html_safe() {
        let mut out = String::new();
        go_string(&mut out, "a<b>&\u{2028}\"\\\u{1}é");
        assert_eq!(out, r#""a\u003cb\u003e\u0026\u2028\"\\\u0001é""#);
    }

    #[test]
    fn bodies_match_jaegers_handler_tests() {
        let rate_limiting = Response {
            strategy_type: StrategyType::RateLimiting,
            probabilistic: None,
            rate_limiting: Some(42),
            operation_sampling: None,
        };
        assert_eq!(
            body(&rate_limiting),
            r#"{"strategyType":"RATE_LIMITING","rateLimitingSampling":{"maxTracesPerSecond":42}}"#
        );
        let mut with_ops = default_response(0.8);
        with_ops.operation_sampling = Some(OperationSampling {
            default_sampling_probability: 0.8,
            per_operation: vec![PerOperation {
                operation: "op1".into(),
                sampling_rate: 0.2,
                pos: Pos::default(),
                inherited: false,
            }],
        });
        assert_eq!(
            body(&with_ops),
            r#"{"strategyType":"PROBABILISTIC","probabilisticSampling":{"samplingRate":0.8},"operationSampling":{"defaultSamplingProbability":0.8,"defaultLowerBoundTracesPerSecond":0,"perOperationStrategies":[{"operation":"op1","probabilisticSampling":{"samplingRate":0.2}}],"defaultUpperBoundTracesPerSecond":0}}"#
        );
    }
}

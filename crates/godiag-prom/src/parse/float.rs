//! Numbers as Go's `strconv` reads them, which is what Prometheus's parsers use.
//!
//! Rust's `f64::from_str` and Go's `strconv.ParseFloat` agree on decimal syntax but not on
//! the edges: Go rejects a sign before `NaN` and values that overflow to infinity
//! (`1e400`), and Prometheus additionally rejects `p`, `P` and `_` (expfmt `parseFloat`).

/// Parses a sample value or an `le`/`quantile` bound as expfmt's `parseFloat` does.
#[must_use]
pub fn parse_go_float(text: &str) -> Option<f64> {
    // Most values are small integers; parse those directly (exact below 2^53).
    if !text.is_empty() && text.len() <= 15 && text.bytes().all(|b| b.is_ascii_digit()) {
        let integer = text.bytes().fold(0u64, |n, b| n * 10 + u64::from(b - b'0'));
        #[allow(clippy::cast_precision_loss)] // at most 15 digits, below 2^53
        return Some(integer as f64);
    }
    if text.is_empty() || text.bytes().any(|b| matches!(b, b'p' | b'P' | b'_')) {
        return None;
    }
    let unsigned = text
        .strip_prefix('+')
        .or_else(|| text.strip_prefix('-'))
        .unwrap_or(text);
    let signed = unsigned.len() != text.len();
    if unsigned.eq_ignore_ascii_case("nan") {
        return (!signed).then_some(f64::NAN);
    }
    if unsigned.eq_ignore_ascii_case("inf") || unsigned.eq_ignore_ascii_case("infinity") {
        return Some(if text.starts_with('-') {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        });
    }
    // Only digits, one dot and an exponent from here on; Rust would also take "infinity"
    // spellings Go handles above, and hexadecimal is impossible without `p`.
    if !unsigned
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
    {
        return None;
    }
    let value: f64 = text.parse().ok()?;
    // Go reports overflow as a range error; Rust rounds to infinity.
    (!value.is_infinite()).then_some(value)
}

/// Parses `[-]digits[.digits]` with at most 15 digits in all, the common case, without
/// the general algorithm: the digits form an integer below 2^53 and the power of ten is
/// exact, so one IEEE division is correctly rounded (Clinger's fast path), as
/// `strconv.ParseFloat` would round. Returns `None` for anything else.
#[must_use]
pub(crate) fn parse_simple_decimal(token: &[u8]) -> Option<f64> {
    const POWERS: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    let (negative, digits) = match token.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, token),
    };
    let mut mantissa: u64 = 0;
    let mut count = 0usize;
    let mut fraction: Option<usize> = None;
    for &byte in digits {
        match byte {
            b'0'..=b'9' => {
                mantissa = mantissa * 10 + u64::from(byte - b'0');
                count += 1;
                if let Some(places) = fraction.as_mut() {
                    *places += 1;
                }
                if count > 15 {
                    return None;
                }
            }
            b'.' if fraction.is_none() => fraction = Some(0),
            _ => return None,
        }
    }
    if count == 0 {
        return None;
    }
    #[allow(clippy::cast_precision_loss)] // below 10^15 < 2^53: exact
    let value = mantissa as f64 / POWERS[fraction.unwrap_or(0)];
    Some(if negative { -value } else { value })
}

/// Parses a timestamp as `strconv.ParseInt(text, 10, 64)` does.
#[must_use]
pub fn parse_go_int(text: &str) -> Option<i64> {
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_what_go_accepts() {
        for (text, want) in [
            ("1", 1.0),
            ("-1.5", -1.5),
            ("1.", 1.0),
            (".5", 0.5),
            ("+.5e1", 5.0),
            ("1E3", 1000.0),
            ("1e-400", 0.0),
            ("+Inf", f64::INFINITY),
            ("-inf", f64::NEG_INFINITY),
            ("Infinity", f64::INFINITY),
        ] {
            assert_eq!(parse_go_float(text), Some(want), "{text}");
        }
        assert!(parse_go_float("NaN").is_some_and(f64::is_nan));
        assert!(parse_go_float("nan").is_some_and(f64::is_nan));
    }

    #[test]
    fn rejects_what_go_rejects() {
        for text in [
            "", "+", ".", "1e", "1e+", "0x1p-2", "0x10", "1_000", "+nan", "-NaN", "1e400", "infin",
            "1,5", " 1", "1 ", "--1", "1.2.3",
        ] {
            assert_eq!(parse_go_float(text), None, "{text}");
        }
    }

    #[test]
    fn the_fast_path_rounds_like_the_general_one() {
        for text in [
            "0",
            "-0",
            "1",
            "12.5",
            "0.1",
            "0.3",
            "-7.000",
            "123456789012345",
            "1.",
            ".5",
            "99999.99999",
            "0.00000000000001",
            "3.141592653589",
        ] {
            let general: f64 = text.parse().unwrap();
            let fast = parse_simple_decimal(text.as_bytes()).unwrap();
            assert_eq!(fast.to_bits(), general.to_bits(), "{text}");
        }
        for text in [
            "",
            "-",
            ".",
            "1e5",
            "+1",
            "1.2.3",
            "1234567890123456",
            "NaN",
        ] {
            assert_eq!(parse_simple_decimal(text.as_bytes()), None, "{text}");
        }
    }

    proptest::proptest! {
        #[test]
        fn the_fast_path_agrees_with_rust_on_random_decimals(
            whole in 0u64..10_000_000, frac in 0u64..10_000_000, places in 0usize..8
        ) {
            let text = format!("{whole}.{frac:0places$}");
            if let Some(fast) = parse_simple_decimal(text.as_bytes()) {
                let general: f64 = text.parse().unwrap();
                proptest::prop_assert_eq!(fast.to_bits(), general.to_bits(), "{}", text);
            }
        }
    }

    #[test]
    fn timestamps() {
        assert_eq!(parse_go_int("-5"), Some(-5));
        assert_eq!(parse_go_int("+5"), Some(5));
        assert_eq!(parse_go_int("1.5"), None);
        assert_eq!(parse_go_int("9223372036854775808"), None);
    }
}

//! Go's `cmd/internal/quoted`: how GOFLAGS, CC and CGO_*FLAGS values are split into words.
//!
//! Fields are separated by ASCII space, tab, CR or LF; a field that *starts* with `'` or `"`
//! runs to the next identical quote with no escapes. Quotes later in a field are literal.

/// Why a value could not be split.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unterminated {quote} string")]
pub struct Unterminated {
    /// The quote character left open.
    pub quote: char,
}

fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r')
}

/// Splits a value into words exactly as `quoted.Split` does.
pub fn split(value: &str) -> Result<Vec<String>, Unterminated> {
    let bytes = value.as_bytes();
    let mut words = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        while at < bytes.len() && is_space(bytes[at]) {
            at += 1;
        }
        if at == bytes.len() {
            break;
        }
        if matches!(bytes[at], b'"' | b'\'') {
            let quote = bytes[at];
            let start = at + 1;
            let end = bytes[start..]
                .iter()
                .position(|&byte| byte == quote)
                .map(|offset| start + offset)
                .ok_or(Unterminated {
                    quote: char::from(quote),
                })?;
            words.push(value[start..end].to_owned());
            at = end + 1;
            continue;
        }
        let start = at;
        while at < bytes.len() && !is_space(bytes[at]) {
            at += 1;
        }
        words.push(value[start..at].to_owned());
    }
    Ok(words)
}

/// Joins words so that [`split`] gives them back, quoting only where needed (`quoted.Join`).
/// A word with both quote kinds cannot be quoted; Go then falls back to a plain space join.
#[must_use]
pub fn join(words: &[String]) -> String {
    let mut quoted = Vec::with_capacity(words.len());
    for word in words {
        let space = word.bytes().any(is_space);
        let single = word.contains('\'');
        let double = word.contains('"');
        quoted.push(match (space || single || double, single, double) {
            (false, _, _) => word.clone(),
            (true, false, _) => format!("'{word}'"),
            (true, true, false) => format!("\"{word}\""),
            (true, true, true) => return words.join(" "),
        });
    }
    quoted.join(" ")
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn splits_like_go() {
        assert_eq!(
            split("  -a  'b c' \"d'e\" f\"g ").unwrap(),
            ["-a", "b c", "d'e", "f\"g"]
        );
        assert_eq!(split("-ldflags='-s -w'").unwrap(), ["-ldflags='-s", "-w'"]);
        assert_eq!(split("'-w").unwrap_err(), Unterminated { quote: '\'' });
        assert!(split("").unwrap().is_empty());
    }

    #[test]
    fn joins_like_go() {
        let words = |list: &[&str]| list.iter().map(|w| (*w).to_owned()).collect::<Vec<_>>();
        assert_eq!(join(&words(&["-O2", "-g"])), "-O2 -g");
        assert_eq!(join(&words(&["a b", "c'd"])), "'a b' \"c'd\"");
    }

    proptest! {
        #[test]
        fn split_join_split_is_stable(text in "[ -~\\t]{0,40}") {
            if let Ok(words) = split(&text) {
                // Go's Join writes an empty word as nothing, so it cannot round-trip; nor can a word
                // with both quote kinds.
                if words.iter().all(|w| !w.is_empty() && (!w.contains('\'') || !w.contains('"'))) {
                    prop_assert_eq!(split(&join(&words)).unwrap(), words);
                }
            }
        }
    }
}

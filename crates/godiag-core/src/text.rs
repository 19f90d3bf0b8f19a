//! Small text helpers shared by the domains and the renderers.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Returns the Levenshtein distance between `a` and `b`, in characters: how far a typed name
/// is from a known one, for "did you mean" suggestions.
#[must_use]
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            current.push(
                (previous[j] + cost)
                    .min(previous[j + 1] + 1)
                    .min(current[j] + 1),
            );
        }
        previous = current;
    }
    previous[b.len()]
}

/// Returns `text` with every control character but newline and tab written as an escape
/// (`\x1b`, `\r`, `\u{9b}`), so a value quoted from an input (a YAML string, a file name)
/// cannot move the cursor, clear the screen or retitle the user's terminal.
#[must_use]
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe_control) {
        return Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\r' => escaped.push_str("\\r"),
            c if is_unsafe_control(c) && u32::from(c) < 0x80 => {
                let _ = write!(escaped, "\\x{:02x}", u32::from(c));
            }
            c if is_unsafe_control(c) => {
                let _ = write!(escaped, "\\u{{{:x}}}", u32::from(c));
            }
            c => escaped.push(c),
        }
    }
    Cow::Owned(escaped)
}

/// C0 controls (but newline and tab), DEL and the C1 range: the characters terminals act on.
fn is_unsafe_control(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

/// Breaks `line` at spaces into pieces of at most `width` characters (a longer word stays
/// whole), for output that follows the terminal's width.
#[must_use]
pub fn wrap(line: &str, width: usize) -> Vec<&str> {
    let width = width.max(20);
    let mut pieces = Vec::new();
    let mut rest = line.trim_end();
    while rest.chars().count() > width {
        // `limit` is where the first character that does not fit starts.
        let limit = rest
            .char_indices()
            .nth(width)
            .map_or(rest.len(), |(at, _)| at);
        let split = if rest[limit..].starts_with(' ') {
            Some(limit)
        } else {
            rest[..limit]
                .rfind(' ')
                .filter(|&at| at > 0)
                .or_else(|| rest[limit..].find(' ').map(|at| at + limit))
        };
        let Some(split) = split else { break };
        pieces.push(rest[..split].trim_end());
        rest = rest[split..].trim_start();
    }
    pieces.push(rest);
    pieces
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::{edit_distance, escape_controls, wrap};

    #[test]
    fn controls_are_escaped() {
        assert_eq!(escape_controls("plain\ttext\n"), "plain\ttext\n");
        assert_eq!(escape_controls("a\x1b[2Jb"), "a\\x1b[2Jb");
        assert_eq!(escape_controls("x\ry"), "x\\ry");
        assert_eq!(escape_controls("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(escape_controls("\x7f"), "\\x7f");
        assert!(matches!(escape_controls("é ✔"), Cow::Borrowed(_)));
    }

    #[test]
    fn wrapping_breaks_at_spaces_within_the_width() {
        let text = "one two three four five six seven eight nine ten eleven twelve";
        let pieces = wrap(text, 20);
        assert!(
            pieces.iter().all(|piece| piece.chars().count() <= 20),
            "{pieces:?}"
        );
        assert_eq!(pieces.join(" "), text);
        assert_eq!(wrap("short", 80), vec!["short"]);
        let long = format!("{} tail", "x".repeat(30));
        assert_eq!(wrap(&long, 20), vec!["x".repeat(30).as_str(), "tail"]);
        assert_eq!(wrap("ééééé ééééé ééééé ééééé ééééé", 20).len(), 2);
    }

    #[test]
    fn distances() {
        assert_eq!(edit_distance("GONOSUMCHECK", "GONOSUMDB"), 5);
        assert_eq!(edit_distance("GO_PROXY", "GOPROXY"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("otlp", "otlp"), 0);
        assert_eq!(edit_distance("é", "e"), 1);
    }
}

//! Splits shell text into words and command separators, with byte spans.
//!
//! Only as much of the POSIX shell grammar (XCU 2.3 "Token Recognition") as finding
//! assignments needs: quoting, `#` comments, line continuations, here-documents,
//! redirections and the nesting of `$(…)`, `${…}`, `$'…'` and backticks. Nothing is
//! expanded here ([`super::expand`] does that) and commands are not interpreted
//! ([`super::shell`] does that).
//!
//! Every scan works on bytes: all syntax characters are ASCII, so word boundaries always fall
//! on UTF-8 character boundaries and spans can slice the original `&str`.

/// Nesting deeper than this is not followed (the rest of the input becomes one word), so that
/// hostile input cannot overflow the stack.
const MAX_DEPTH: u32 = 64;

/// One token of shell text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Token {
    /// A word, as the byte range it covers in the text (quotes included).
    Word { start: usize, end: usize },
    /// Something that ends a simple command: newline, `;`, `&`, `&&`, `||`, `|`, `(`, `)`,
    /// `;;` and friends.
    Separator,
}

/// Splits `text` into tokens. Redirections and their targets (including here-document
/// bodies) are dropped, since they never assign variables.
pub(super) fn tokens(text: &str) -> Vec<Token> {
    let mut lexer = Lexer {
        src: text.as_bytes(),
        pos: 0,
        tokens: Vec::new(),
        heredocs: Vec::new(),
    };
    lexer.run();
    lexer.tokens
}

/// A here-document whose body starts after the next newline.
struct Heredoc {
    delimiter: Vec<u8>,
    /// `<<-` strips leading tabs from body lines and from the delimiter line.
    strip_tabs: bool,
}

struct Lexer<'a> {
    src: &'a [u8],
    pos: usize,
    tokens: Vec<Token>,
    heredocs: Vec<Heredoc>,
}

impl Lexer<'_> {
    fn run(&mut self) {
        while let Some(&byte) = self.src.get(self.pos) {
            match byte {
                b' ' | b'\t' => self.pos += 1,
                b'\\' if self.src.get(self.pos + 1) == Some(&b'\n') => self.pos += 2,
                // A `#` where a word could start begins a comment (XCU 2.3 rule 9).
                b'#' => self.pos = find_byte(self.src, self.pos, b'\n'),
                b'\n' => {
                    self.tokens.push(Token::Separator);
                    self.pos += 1;
                    self.skip_heredoc_bodies();
                }
                b'&' if self.src.get(self.pos + 1) == Some(&b'>') => self.redirect(),
                b';' | b'&' | b'|' | b'(' | b')' => {
                    self.pos += 1;
                    self.tokens.push(Token::Separator);
                }
                // `<(cmd)` and `>(cmd)` are process substitutions: words, not redirections.
                b'<' | b'>' if self.src.get(self.pos + 1) != Some(&b'(') => self.redirect(),
                _ => self.word(),
            }
        }
    }

    fn word(&mut self) {
        let start = self.pos;
        let end = word_end(self.src, start, 0);
        self.pos = end.max(start + 1).min(self.src.len());
        // `2>file`: a number right before a redirection is its file descriptor.
        let io_number = self.src[start..self.pos].iter().all(u8::is_ascii_digit)
            && matches!(self.src.get(self.pos), Some(b'<' | b'>'));
        if !io_number {
            self.tokens.push(Token::Word {
                start,
                end: self.pos,
            });
        }
    }

    /// Consumes a redirection operator and its target word.
    fn redirect(&mut self) {
        let rest = &self.src[self.pos..];
        let heredoc = if rest.starts_with(b"<<<") {
            None
        } else if rest.starts_with(b"<<-") {
            Some(true)
        } else if rest.starts_with(b"<<") {
            Some(false)
        } else {
            None
        };
        let operator_len = [
            &b"&>>"[..],
            b"<<<",
            b"<<-",
            b"<<",
            b"<>",
            b"<&",
            b">>",
            b">&",
            b">|",
            b"&>",
        ]
        .iter()
        .find(|op| rest.starts_with(op))
        .map_or(1, |op| op.len());
        self.pos += operator_len;
        while matches!(self.src.get(self.pos), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
        let Some(&next) = self.src.get(self.pos) else {
            return;
        };
        if matches!(next, b'\n' | b';' | b'&' | b'|' | b'(' | b')' | b'<' | b'>') {
            return;
        }
        let start = self.pos;
        self.pos = word_end(self.src, start, 0)
            .max(start + 1)
            .min(self.src.len());
        if let Some(strip_tabs) = heredoc {
            let delimiter = self.src[start..self.pos]
                .iter()
                .copied()
                .filter(|byte| !matches!(byte, b'\'' | b'"' | b'\\'))
                .collect();
            self.heredocs.push(Heredoc {
                delimiter,
                strip_tabs,
            });
        }
    }

    /// Skips the bodies of here-documents opened on the line that just ended (XCU 2.7.4).
    fn skip_heredoc_bodies(&mut self) {
        for heredoc in std::mem::take(&mut self.heredocs) {
            while self.pos < self.src.len() {
                let end = find_byte(self.src, self.pos, b'\n');
                let mut line = &self.src[self.pos..end];
                if heredoc.strip_tabs {
                    while let [b'\t', rest @ ..] = line {
                        line = rest;
                    }
                }
                self.pos = (end + 1).min(self.src.len());
                if line == heredoc.delimiter.as_slice() {
                    break;
                }
            }
        }
    }
}

/// Returns the end of the word starting at `at`: the first unquoted blank or operator
/// character.
pub(super) fn word_end(src: &[u8], mut at: usize, depth: u32) -> usize {
    let start = at;
    while let Some(&byte) = src.get(at) {
        at = match byte {
            b'<' | b'>' if src.get(at + 1) == Some(&b'(') => skip_parens(src, at + 1, depth),
            // `NAME=(…)` is an array assignment (bash, zsh); anywhere else `(` ends the word.
            b'(' if is_array_assignment(&src[start..at]) => skip_parens(src, at, depth),
            b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' | b'(' | b')' | b'<' | b'>' => break,
            _ => skip_unit(src, at, depth),
        };
    }
    at.min(src.len())
}

/// Skips one quoting or expansion unit starting at `at` (or one plain byte); returns the
/// position after it.
pub(super) fn skip_unit(src: &[u8], at: usize, depth: u32) -> usize {
    match (src[at], src.get(at + 1)) {
        (b'\\', _) => at + 2,
        (b'\'', _) => find_byte(src, at + 1, b'\'') + 1,
        (b'"', _) => skip_double(src, at + 1, depth),
        (b'`', _) => skip_backtick(src, at + 1),
        (b'$', Some(b'\'')) => skip_ansi(src, at + 2),
        (b'$', Some(b'(')) => skip_parens(src, at + 1, depth),
        (b'$', Some(b'{')) => skip_braces(src, at + 1, depth),
        _ => at + 1,
    }
    .min(src.len())
}

fn is_array_assignment(word: &[u8]) -> bool {
    let word = word.strip_suffix(b"=").unwrap_or(b"");
    let name = word.strip_suffix(b"+").unwrap_or(word);
    is_name(name)
}

/// Returns true for a shell variable name (`[A-Za-z_][A-Za-z0-9_]*`).
pub(super) fn is_name(name: &[u8]) -> bool {
    matches!(name.first(), Some(b'A'..=b'Z' | b'a'..=b'z' | b'_'))
        && name
            .iter()
            .all(|byte| byte.is_ascii_alphanumeric() || *byte == b'_')
}

/// Returns the index of the next `byte` at or after `at`, or the end of `src`.
pub(super) fn find_byte(src: &[u8], at: usize, byte: u8) -> usize {
    src.get(at..)
        .and_then(|rest| rest.iter().position(|b| *b == byte))
        .map_or(src.len(), |offset| at + offset)
}

/// Skips the inside of `"…"` starting after the opening quote; returns the position after
/// the closing quote.
fn skip_double(src: &[u8], mut at: usize, depth: u32) -> usize {
    while let Some(&byte) = src.get(at) {
        at = match byte {
            b'"' => return at + 1,
            b'\\' | b'`' | b'$' => skip_unit(src, at, depth),
            _ => at + 1,
        };
    }
    src.len()
}

fn skip_backtick(src: &[u8], mut at: usize) -> usize {
    while let Some(&byte) = src.get(at) {
        at = match byte {
            b'`' => return at + 1,
            b'\\' => at + 2,
            _ => at + 1,
        };
    }
    src.len()
}

fn skip_ansi(src: &[u8], mut at: usize) -> usize {
    while let Some(&byte) = src.get(at) {
        at = match byte {
            b'\'' => return at + 1,
            b'\\' => at + 2,
            _ => at + 1,
        };
    }
    src.len()
}

/// Skips a balanced `(…)` starting at the `(`; returns the position after the `)`.
fn skip_parens(src: &[u8], at: usize, depth: u32) -> usize {
    skip_balanced(src, at, depth, b'(', b')')
}

/// Skips a balanced `{…}` starting at the `{`; returns the position after the `}`.
pub(super) fn skip_braces(src: &[u8], at: usize, depth: u32) -> usize {
    skip_balanced(src, at, depth, b'{', b'}')
}

fn skip_balanced(src: &[u8], mut at: usize, depth: u32, open: u8, close: u8) -> usize {
    if depth > MAX_DEPTH {
        return src.len();
    }
    let mut level = 0_usize;
    while let Some(&byte) = src.get(at) {
        if byte == open {
            level += 1;
            at += 1;
        } else if byte == close {
            level = level.saturating_sub(1);
            at += 1;
            if level == 0 {
                return at;
            }
        } else {
            at = skip_unit(src, at, depth + 1);
        }
    }
    src.len()
}

/// Maps byte offsets to 1-based line and column (in characters) numbers.
pub(super) struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(
                text.bytes()
                    .enumerate()
                    .filter(|(_, b)| *b == b'\n')
                    .map(|(i, _)| i + 1),
            )
            .collect();
        Self { text, starts }
    }

    /// Returns the 1-based line and column of the byte at `offset`.
    pub(super) fn position(&self, offset: usize) -> (u32, u32) {
        let line = self.starts.partition_point(|start| *start <= offset).max(1);
        let start = self.starts[line - 1];
        let column = self
            .text
            .get(start..offset)
            .map_or(0, |prefix| prefix.chars().count())
            + 1;
        (to_u32(line), to_u32(column))
    }
}

/// Converts a count to `u32`, saturating (no startup file has four billion lines).
fn to_u32(count: usize) -> u32 {
    u32::try_from(count).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<&str> {
        tokens(text)
            .into_iter()
            .map(|token| match token {
                Token::Word { start, end } => &text[start..end],
                Token::Separator => "|",
            })
            .collect()
    }

    #[test]
    fn splits_words_and_separators() {
        assert_eq!(
            words("a b;c&&d\ne"),
            ["a", "b", "|", "c", "|", "|", "d", "|", "e"]
        );
        assert_eq!(words("a=\"x y\" 'p q'"), ["a=\"x y\"", "'p q'"]);
        assert_eq!(
            words("a=$(echo \"$(b )\" ) c"),
            ["a=$(echo \"$(b )\" )", "c"]
        );
        assert_eq!(words("a=${b:-\"}\"} c"), ["a=${b:-\"}\"}", "c"]);
        assert_eq!(words("arr=(a b) c"), ["arr=(a b)", "c"]);
        assert_eq!(words("f() { x; }"), ["f", "|", "|", "{", "x", "|", "}"]);
    }

    #[test]
    fn drops_comments_redirections_and_heredocs() {
        assert_eq!(words("a # b c\nd"), ["a", "|", "d"]);
        assert_eq!(words("a#b"), ["a#b"]);
        assert_eq!(words("cmd 2>/dev/null >&2 <in x"), ["cmd", "x"]);
        assert_eq!(words("cat <<EOF\nA=1\nEOF\nB=2"), ["cat", "|", "B=2"]);
        assert_eq!(
            words("cat <<-'EOF' | x\n\tA=1\n\tEOF\nB=2"),
            ["cat", "|", "x", "|", "B=2"]
        );
        assert_eq!(
            words("source <(kubectl completion bash)"),
            ["source", "<(kubectl completion bash)"]
        );
    }

    #[test]
    fn continuation_joins_lines() {
        assert_eq!(words("a \\\n b"), ["a", "b"]);
        assert_eq!(words("a=x\\\ny"), ["a=x\\\ny"]);
    }

    #[test]
    fn positions_count_characters() {
        let index = LineIndex::new("ab\nçd=1\n");
        assert_eq!(index.position(0), (1, 1));
        assert_eq!(index.position(3), (2, 1));
        assert_eq!(index.position(5), (2, 2));
    }
}

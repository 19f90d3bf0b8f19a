//! `/etc/environment` as `pam_env(8)` reads it (`_parse_env_file` and `_assemble_line` in
//! Linux-PAM's `modules/pam_env/pam_env.c`).
//!
//! The format is not a shell: there is no expansion and no escaping. `pam_env` cuts each line
//! at the first `#` (even inside quotes), joins a line ending in `\` with the next non-blank,
//! non-comment line, skips leading blanks and an `export ` prefix, and requires the key to be
//! letters, digits and `_`. A value starting with a quote loses that quote and a quote that
//! ends the value; other quotes stay. A bare `KEY` line unsets KEY.

use super::Assignment;
use super::lex::LineIndex;

/// Finds the assignments of `/etc/environment`; every one is exported, since `pam_env` puts
/// them straight into the session's environment.
#[must_use]
pub fn parse_etc_environment(text: &str) -> Vec<Assignment> {
    let index = LineIndex::new(text);
    let lines = physical_lines(text);
    let mut out: Vec<Assignment> = Vec::new();
    let mut at = 0;
    while let Some(&(offset, first)) = lines.get(at) {
        at += 1;
        if is_blank_or_comment(first) {
            continue;
        }
        let logical = assemble(first, &lines, &mut at);
        let indent = logical.len() - logical.trim_start_matches([' ', '\t', '\n']).len();
        let mut key_at = indent;
        if logical[key_at..].starts_with("export ") {
            key_at += "export ".len();
        }
        let entry = &logical[key_at..];
        let key_len = entry.find('=').unwrap_or(entry.len());
        let key = &entry[..key_len];
        if key.is_empty()
            || !key
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || byte == b'_')
        {
            continue;
        }
        let Some(raw) = entry.get(key_len + 1..) else {
            // `KEY` alone asks pam_env to unset KEY.
            out.retain(|assignment| assignment.name != key);
            continue;
        };
        // The key is always on the first physical line; clamp in case it is not.
        let (line, column) = index.position(offset + key_at.min(first.len()));
        out.push(Assignment {
            name: key.to_owned(),
            raw: raw.to_owned(),
            value: Some(unquote(raw).to_owned()),
            line,
            column,
            exported: true,
        });
    }
    out
}

/// Splits text into lines with their byte offsets.
fn physical_lines(text: &str) -> Vec<(usize, &str)> {
    let mut offset = 0;
    text.split('\n')
        .map(|line| {
            let start = offset;
            offset += line.len() + 1;
            (start, line)
        })
        .collect()
}

fn is_blank_or_comment(line: &str) -> bool {
    let rest = line.trim_start_matches([' ', '\t']);
    rest.is_empty() || rest.starts_with('#')
}

/// Builds one logical line from `first` and its continuation lines, as `_assemble_line`
/// does; `at` moves past the lines used.
fn assemble(first: &str, lines: &[(usize, &str)], at: &mut usize) -> String {
    let mut logical = String::new();
    let mut current = first;
    loop {
        if let Some(hash) = current.find('#') {
            logical.push_str(&current[..hash]);
            return logical;
        }
        let trimmed = current.trim_end_matches([' ', '\t']);
        let Some(joined) = trimmed.strip_suffix('\\') else {
            logical.push_str(current);
            return logical;
        };
        logical.push_str(joined);
        // Blank and comment lines inside a continuation are skipped, not joined.
        while lines
            .get(*at)
            .is_some_and(|(_, line)| is_blank_or_comment(line))
        {
            *at += 1;
        }
        let Some(&(_, next)) = lines.get(*at) else {
            return logical;
        };
        *at += 1;
        current = next;
    }
}

/// `pam_env`'s "smart about quotes, but not too smart" rule.
fn unquote(raw: &str) -> &str {
    match raw.strip_prefix(['"', '\'']) {
        Some(inner) => inner.strip_suffix(['"', '\'']).unwrap_or(inner),
        None => raw,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Vec<(String, String)> {
        parse_etc_environment(text)
            .into_iter()
            .map(|a| (a.name, a.value.unwrap_or_default()))
            .collect()
    }

    #[test]
    fn pam_env_rules() {
        let cases: &[(&str, &[(&str, &str)])] = &[
            (
                "PATH=\"/usr/local/bin:/usr/bin\"",
                &[("PATH", "/usr/local/bin:/usr/bin")],
            ),
            ("GOPROXY='https://proxy'", &[("GOPROXY", "https://proxy")]),
            ("export GOPATH=/srv/go", &[("GOPATH", "/srv/go")]),
            ("  \tGOPATH=/srv/go", &[("GOPATH", "/srv/go")]),
            // No expansion, no escapes.
            ("GOPATH=$HOME/go", &[("GOPATH", "$HOME/go")]),
            ("A=a\\tb", &[("A", "a\\tb")]),
            // `#` ends the line even inside quotes; trailing blanks stay.
            ("A=b#c", &[("A", "b")]),
            ("A=\"b#c\"", &[("A", "b")]),
            ("A=b ", &[("A", "b ")]),
            // Only a leading quote and a quote ending the value are removed.
            ("A=\"x\" ", &[("A", "x\" ")]),
            ("A=\"a\"b\"", &[("A", "a\"b")]),
            ("A=a\"b\"", &[("A", "a\"b\"")]),
            // Continuations skip blank and comment lines.
            ("A=a\\\n# c\n\nb\nB=1", &[("A", "ab"), ("B", "1")]),
            ("# comment\n\n bad-key=1\nexport  A=1\n=x", &[]),
            ("A=1\nA\nB=2", &[("B", "2")]),
            ("A=", &[("A", "")]),
        ];
        for (text, expected) in cases {
            let expected: Vec<(String, String)> = expected
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect();
            assert_eq!(parse(text), expected, "{text:?}");
        }
    }

    #[test]
    fn positions_and_raw() {
        let parsed = parse_etc_environment("# x\n  export GOPATH=\"/srv/go\"\n");
        assert_eq!(parsed.len(), 1);
        assert_eq!((parsed[0].line, parsed[0].column), (2, 10));
        assert_eq!(parsed[0].raw, "\"/srv/go\"");
        assert!(parsed[0].exported);
    }
}

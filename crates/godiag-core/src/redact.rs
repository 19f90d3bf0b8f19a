//! Keeps credentials out of every output format.
//!
//! Proxies and module sources are often written as `https://user:token@host/...`; GOPROXY,
//! `HTTPS_PROXY` and friends end up in findings, evidence and structured results. Collector
//! configs hold `authorization: "Bearer ..."` headers, `x-api-key`s, bearertokenauth tokens
//! and basicauth passwords that fix diffs quote as context, and URLs carry tokens in their
//! query strings (`?access_token=...`, a signed URL's `sig`). Every string of a report passes
//! through [`redact`] before it is rendered, and every diff through it before it is printed,
//! so no output path can forget. A command godiag suggests goes through [`redact_command`]
//! instead: the mask would make it write a broken value, so it gets a placeholder
//! (`USER:TOKEN`) and says so.

/// What replaces a credential.
pub const MASK: &str = "***";

/// What replaces a URL's user information in a suggested command.
pub const USER_PLACEHOLDER: &str = "USER:TOKEN";

/// What replaces any other credential in a suggested command.
pub const TOKEN_PLACEHOLDER: &str = "TOKEN";

/// Said after a suggested command whose credentials were replaced by placeholders.
pub const PLACEHOLDER_NOTE: &str =
    "   # USER and TOKEN stand for credentials godiag does not print: fill them in";

/// Names whose values are credentials, compared without case: headers, config keys,
/// environment variables and query parameters. (Not `passwd`: nsswitch.conf's database.)
const SECRET_NAMES: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "x-api-key",
    "api-key",
    "api_key",
    "apikey",
    "x-auth-token",
    "token",
    "access_token",
    "refresh_token",
    "id_token",
    "bearer_token",
    "password",
    "client_secret",
    "secret",
    "secret_key",
    "private_key",
];

/// Query parameters that are credentials only in a query string (`key`, `sig` would mask
/// ordinary YAML keys elsewhere).
const QUERY_SECRET_NAMES: &[&str] = &[
    "sig",
    "signature",
    "key",
    "auth",
    "x-amz-signature",
    "x-amz-credential",
    "x-amz-security-token",
    "x-goog-signature",
    "x-goog-credential",
];

/// Masks every credential in `text` with [`MASK`], keeping everything else byte for byte:
/// the user information of URLs, secret query parameters, and the values of secret keys and
/// headers (`authorization: "Bearer ..."` keeps its scheme, `Bearer ***`).
#[must_use]
pub fn redact(text: &str) -> String {
    mask(text, MASK, MASK).0
}

/// Masks `text` as [`redact`] does, but with placeholders a person fills in (`USER:TOKEN`,
/// `TOKEN`), and says so after it when something was replaced: for commands godiag suggests,
/// which the mask would break (`go env -w GOPROXY=https://***@...` writes `***` as the user).
#[must_use]
pub fn redact_command(text: &str) -> String {
    let (masked, replaced) = mask(text, USER_PLACEHOLDER, TOKEN_PLACEHOLDER);
    if replaced && !masked.contains(PLACEHOLDER_NOTE) {
        format!("{masked}{PLACEHOLDER_NOTE}")
    } else {
        masked
    }
}

/// Returns true when `text` may hold something [`redact`] masks (a cheap test first).
#[must_use]
pub fn may_hold_secret(text: &str) -> bool {
    text.contains("://") || text.contains(':') || text.contains('=')
}

/// Masks `text` line by line; returns the result and whether anything was replaced.
fn mask(text: &str, user: &str, value: &str) -> (String, bool) {
    let mut out = String::with_capacity(text.len());
    let mut replaced = false;
    for line in text.split_inclusive('\n') {
        let (line, done) = mask_urls(line, user);
        let (line, values) = mask_values(&line, value);
        replaced |= done | values;
        out.push_str(&line);
    }
    (out, replaced)
}

/// Replaces the user information of every URL (`scheme://user:pass@host`).
fn mask_urls(text: &str, user: &str) -> (String, bool) {
    let mut out = String::with_capacity(text.len());
    let mut replaced = false;
    let mut rest = text;
    while let Some(pos) = rest.find("://") {
        let authority_start = pos + 3;
        out.push_str(&rest[..authority_start]);
        rest = &rest[authority_start..];
        let authority_end = rest
            .find(|c: char| {
                matches!(c, '/' | '?' | '#' | ',' | '|' | '\'' | '"') || c.is_whitespace()
            })
            .unwrap_or(rest.len());
        let authority = &rest[..authority_end];
        match authority.rfind('@') {
            Some(at) if authority[..at] != *user && authority[..at] != *MASK => {
                out.push_str(user);
                out.push_str(&authority[at..]);
                replaced = true;
            }
            _ => out.push_str(authority),
        }
        rest = &rest[authority_end..];
    }
    out.push_str(rest);
    (out, replaced)
}

/// Replaces the values of secret names in one line: `name: value` where the name starts
/// the line (after a diff marker, a list dash or indentation) or follows a quote, `{` or
/// `,`; `name=value` after a blank, `?`, `&`, `;` or a quote.
fn mask_values(line: &str, value: &str) -> (String, bool) {
    // Every secret's value follows a separator: look only at the word before each `:` or
    // `=`, so that a long report costs one pass over its text, not one search per name.
    let bytes = line.as_bytes();
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for (separator, _) in bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| matches!(b, b':' | b'='))
    {
        let mut end = separator;
        while end > 0 && matches!(bytes[end - 1], b' ' | b'\t') {
            end -= 1;
        }
        if end > 0 && matches!(bytes[end - 1], b'"' | b'\'') {
            end -= 1;
        }
        let mut start = end;
        while start > 0
            && (bytes[start - 1].is_ascii_alphanumeric() || matches!(bytes[start - 1], b'_' | b'-'))
        {
            start -= 1;
        }
        // A diff line's marker is not part of the name: `-token: x`.
        while start < end && matches!(bytes[start], b'-' | b'+') {
            start += 1;
        }
        let Some(query_only) = secret_name(&line[start..end]) else {
            continue;
        };
        if let Some(span) = value_span(line, line, start, end - start, query_only) {
            spans.push(span);
        }
    }
    if spans.is_empty() {
        return (line.to_owned(), false);
    }
    spans.sort_unstable();
    let mut out = String::with_capacity(line.len());
    let mut at = 0;
    let mut replaced = false;
    for (start, end) in spans {
        if start < at {
            continue;
        }
        out.push_str(&line[at..start]);
        out.push_str(value);
        at = end;
        replaced = true;
    }
    out.push_str(&line[at..]);
    (out, replaced)
}

/// Returns whether `word` names a secret, and if so whether only in a query string.
fn secret_name(word: &str) -> Option<bool> {
    if SECRET_NAMES
        .iter()
        .any(|name| word.eq_ignore_ascii_case(name))
    {
        Some(false)
    } else if QUERY_SECRET_NAMES
        .iter()
        .any(|name| word.eq_ignore_ascii_case(name))
    {
        Some(true)
    } else {
        None
    }
}

/// Where the value of the name at `start..start + len` is, if that is a secret's value.
fn value_span(
    line: &str,
    lower: &str,
    start: usize,
    len: usize,
    query_only: bool,
) -> Option<(usize, usize)> {
    let before = lower[..start].chars().next_back();
    let mut after = start + len;
    // A quoted name: `"authorization": ...`, `'x-api-key': ...`.
    if matches!(lower[after..].chars().next(), Some('"' | '\'')) {
        after += 1;
    }
    let rest = &lower[after..];
    let separator = rest.trim_start_matches([' ', '\t']).chars().next()?;
    let name_boundary = match separator {
        '=' if query_only => matches!(before, Some('?' | '&' | ';')),
        '=' => matches!(
            before,
            None | Some(' ' | '\t' | '?' | '&' | ';' | '"' | '\'')
        ),
        ':' if !query_only => {
            let lead = lower[..start].trim_end_matches([' ', '\t']);
            // `{a: 1, token: x}`, and `file:12: password: x` as evidence quotes a line.
            matches!(before, Some('"' | '\''))
                || lead.ends_with(['{', ',', ':'])
                || lead.trim_start_matches(['+', '-', ' ', '\t']).is_empty()
        }
        _ => false,
    };
    if !name_boundary {
        return None;
    }
    let value_start = after + (rest.len() - rest.trim_start_matches([' ', '\t']).len()) + 1;
    let value_start = value_start
        + (lower[value_start..].len() - lower[value_start..].trim_start_matches([' ', '\t']).len());
    let tail = &line[value_start..];
    let (quoted, body_start) = match tail.chars().next() {
        Some(quote @ ('"' | '\'')) if separator == ':' => (Some(quote), value_start + 1),
        _ => (None, value_start),
    };
    let body = &line[body_start..];
    // An environment reference (`${env:TOKEN}`, `${TOKEN}`) names a secret, it is not one.
    if body.starts_with("${") {
        return None;
    }
    let body_len = match (quoted, separator) {
        (Some(quote), _) => body.find(quote).unwrap_or(body.len()),
        (None, '=') => body
            .find(|c: char| matches!(c, '&' | '#' | ',' | ';' | '"' | '\'') || c.is_whitespace())
            .unwrap_or(body.len()),
        (None, _) => {
            let end = body
                .find(['"', '\'', ',', '}', '\n', '\r'])
                .unwrap_or(body.len());
            body[..end].find(" #").unwrap_or(end)
        }
    };
    let mut value_start = body_start;
    let value = &line[body_start..body_start + body_len];
    // Keep the scheme of an authorization value: `Bearer ***`, `Basic ***`.
    if let Some(space) = value.find(' ') {
        let scheme = &value[..space].to_ascii_lowercase();
        if matches!(scheme.as_str(), "bearer" | "basic" | "token" | "apikey") {
            value_start += space + 1;
        }
    }
    let end = body_start + body_len;
    let value = line[value_start..end].trim_end();
    // Nothing to hide: an empty value (a mapping follows), an environment reference, or a
    // value already masked.
    if value.is_empty()
        || (value.starts_with("${") && value.ends_with('}'))
        || value == MASK
        || value == TOKEN_PLACEHOLDER
    {
        return None;
    }
    Some((value_start, value_start + value.len()))
}

/// Redacts every string inside a JSON value, keys included.
pub fn redact_json(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(text) => {
            if may_hold_secret(text) {
                *text = redact(text);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(redact_json),
        serde_json::Value::Object(map) => {
            let entries = std::mem::take(map);
            for (key, mut item) in entries {
                redact_json(&mut item);
                map.insert(redact(&key), item);
            }
        }
        serde_json::Value::Null | serde_json::Value::Bool(_) | serde_json::Value::Number(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn masks_user_information_in_every_url() {
        let cases = [
            (
                "https://proxy.golang.org,direct",
                "https://proxy.golang.org,direct",
            ),
            (
                "https://u:tok@corp.example/go,direct",
                "https://***@corp.example/go,direct",
            ),
            (
                "https://tok@a.example|https://b:c@b.example",
                "https://***@a.example|https://***@b.example",
            ),
            (
                "HTTPS_PROXY=http://me:pw@10.0.0.1:3128 rest",
                "HTTPS_PROXY=http://***@10.0.0.1:3128 rest",
            ),
            ("mailto:a@b", "mailto:a@b"),
            ("file:///srv/goproxy", "file:///srv/goproxy"),
            ("http://host/path@notuser", "http://host/path@notuser"),
        ];
        for (input, expected) in cases {
            assert_eq!(redact(input), expected, "{input}");
        }
    }

    #[test]
    fn masks_secret_values_headers_and_query_parameters() {
        let cases = [
            (
                "       authorization: \"Bearer s3cr3t-tok\"\n",
                "       authorization: \"Bearer ***\"\n",
            ),
            (" -  x-api-key: abc123\n", " -  x-api-key: ***\n"),
            (
                "+    token: \"tk\" # rotated\n",
                "+    token: \"***\" # rotated\n",
            ),
            (
                "      password: hunter2 # old\n",
                "      password: *** # old\n",
            ),
            (
                "headers: {Authorization: Basic dTpw, x: 1}",
                "headers: {Authorization: Basic ***, x: 1}",
            ),
            (
                "\"authorization\": \"Bearer a.b.c\"",
                "\"authorization\": \"Bearer ***\"",
            ),
            (
                "curl -H 'X-Api-Key: k3y' http://h",
                "curl -H 'X-Api-Key: ***' http://h",
            ),
            (
                "GET http://h/metrics?token=T0K&x=1&access_token=A&sig=S#f",
                "GET http://h/metrics?token=***&x=1&access_token=***&sig=***#f",
            ),
            (
                "https://b.blob/c?sv=1&sig=abc%2F",
                "https://b.blob/c?sv=1&sig=***",
            ),
            (
                "config.yaml:12: password: pw",
                "config.yaml:12: password: ***",
            ),
            // Not secrets: an environment reference, a nested mapping, names in prose.
            ("      token: ${env:TOKEN}\n", "      token: ${env:TOKEN}\n"),
            (
                "  basicauth:\n    password:\n",
                "  basicauth:\n    password:\n",
            ),
            ("the token is empty", "the token is empty"),
            (
                "key_file: /etc/tls/key.pem\nkey: value",
                "key_file: /etc/tls/key.pem\nkey: value",
            ),
            ("tokens: 5", "tokens: 5"),
        ];
        for (input, expected) in cases {
            assert_eq!(redact(input), expected, "{input}");
        }
    }

    #[test]
    fn suggested_commands_get_placeholders_not_the_mask() {
        assert_eq!(
            redact_command("go env -w GOPROXY=https://u:tok@corp.example/go,direct"),
            format!(
                "go env -w GOPROXY=https://USER:TOKEN@corp.example/go,direct{PLACEHOLDER_NOTE}"
            )
        );
        assert_eq!(
            redact_command("curl -sv 'http://h/m?access_token=abc'"),
            format!("curl -sv 'http://h/m?access_token=TOKEN'{PLACEHOLDER_NOTE}")
        );
        assert_eq!(redact_command("go env GOPROXY"), "go env GOPROXY");
        // Masking twice changes nothing.
        let once = redact_command("curl http://u:p@h/");
        assert_eq!(redact_command(&once), once);
        assert_eq!(
            redact(&redact("https://u:p@h/?token=t")),
            "https://***@h/?token=***"
        );
    }

    #[test]
    fn json_strings_and_keys_are_masked() {
        let mut value = serde_json::json!({"a": ["https://x:y@h"], "https://k:v@h": 1});
        redact_json(&mut value);
        assert_eq!(
            value,
            serde_json::json!({"a": ["https://***@h"], "https://***@h": 1})
        );
    }

    proptest! {
        #[test]
        fn redaction_never_panics_and_removes_passwords(user in "[a-z]{1,8}", secret in "[A-Za-z0-9]{6,20}", tail in "[ -~]{0,30}") {
            let text = format!("x https://{user}:{secret}@host.example/p {tail}");
            let out = redact(&text);
            let needle = format!(":{secret}@");
            prop_assert!(!out.contains(&needle));
        }

        #[test]
        fn arbitrary_text_never_panics(text in "\\PC*") {
            let _ = redact(&text);
        }
    }
}

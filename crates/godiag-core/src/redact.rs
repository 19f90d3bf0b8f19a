//! Keeps credentials out of every output format.
//!
//! Proxies and module sources are often written as `https://user:token@host/...`; GOPROXY,
//! `HTTPS_PROXY` and friends end up in findings, evidence and structured results. Every string
//! of a report passes through [`redact`] before it is rendered, so no renderer can forget.

/// What replaces a URL's user information.
pub const MASK: &str = "***";

/// Replaces the user information of every URL in `text` (`scheme://user:pass@host`) with
/// [`MASK`], keeping everything else byte for byte.
#[must_use]
pub fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find("://") {
        let authority_start = pos + 3;
        out.push_str(&rest[..authority_start]);
        rest = &rest[authority_start..];
        let authority_end = rest
            .find(|c: char| matches!(c, '/' | '?' | '#' | ',' | '|') || c.is_whitespace())
            .unwrap_or(rest.len());
        let authority = &rest[..authority_end];
        if let Some(at) = authority.rfind('@') {
            out.push_str(MASK);
            out.push_str(&authority[at..]);
        } else {
            out.push_str(authority);
        }
        rest = &rest[authority_end..];
    }
    out.push_str(rest);
    out
}

/// Redacts every string inside a JSON value, keys included.
pub fn redact_json(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(text) => {
            if text.contains("://") {
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

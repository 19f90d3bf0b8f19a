//! `${...}` references in Collector config values, as confmap expands them.
//!
//! Grammar (confmap/internal/expand.go, docs/rfcs/env-vars.md): `$$` is a literal `$`;
//! `${scheme:opaque}` asks a provider (`env`, `file`, `yaml`, `http`, `https`); `${NAME}`
//! means `${env:NAME}`; `${env:NAME:-default}` has a default used when NAME is unset. A naked
//! `$NAME` is no longer expanded since v0.107.0 and stays in the value literally.

/// One reference found in a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reference {
    /// `${scheme:opaque}` or `${NAME}`.
    Braced {
        /// Character offset of the `$` within the value.
        offset: usize,
        /// The whole text, `${...}`.
        text: String,
        /// The scheme; `None` for `${NAME}`.
        scheme: Option<String>,
        /// For env references: the variable name.
        name: Option<String>,
        /// For env references: true when a `:-default` is given.
        has_default: bool,
    },
    /// `$NAME`, which is left as is.
    Naked {
        /// Character offset of the `$`.
        offset: usize,
        /// The variable name.
        name: String,
    },
}

/// Providers of the core and contrib distributions.
pub const SCHEMES: &[&str] = &[
    "env",
    "file",
    "yaml",
    "http",
    "https",
    "s3",
    "secretsmanager",
    "aes",
    "googlesecretmanager",
];

/// Finds the references in a value.
#[must_use]
pub fn scan(value: &str) -> Vec<Reference> {
    let chars: Vec<char> = value.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '$' {
            i += 1;
            continue;
        }
        match chars.get(i + 1) {
            Some('$') => i += 2,
            Some('{') => {
                let Some(close) = chars[i..].iter().position(|c| *c == '}') else {
                    break;
                };
                let inner: String = chars[i + 2..i + close].iter().collect();
                found.push(braced(i, &inner));
                i += close + 1;
            }
            Some(c) if c.is_ascii_alphabetic() || *c == '_' => {
                let len = chars[i + 1..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric() || **c == '_')
                    .count();
                found.push(Reference::Naked {
                    offset: i,
                    name: chars[i + 1..=i + len].iter().collect(),
                });
                i += len + 1;
            }
            _ => i += 1,
        }
    }
    found
}

fn braced(offset: usize, inner: &str) -> Reference {
    let text = format!("${{{inner}}}");
    // `scheme:` needs a scheme of at least two characters (a URI scheme).
    let split = inner.split_once(':').filter(|(scheme, _)| {
        scheme.len() >= 2
            && scheme
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-'))
    });
    match split {
        Some((scheme, rest)) if scheme == "env" => {
            let (name, default) = match rest.split_once(":-") {
                Some((name, _)) => (name, true),
                None => (rest, false),
            };
            Reference::Braced {
                offset,
                text,
                scheme: Some(scheme.to_owned()),
                name: Some(name.to_owned()),
                has_default: default,
            }
        }
        Some((scheme, _)) => Reference::Braced {
            offset,
            text,
            scheme: Some(scheme.to_owned()),
            name: None,
            has_default: false,
        },
        None => {
            let (name, default) = match inner.split_once(":-") {
                Some((name, _)) => (name, true),
                None => (inner, false),
            };
            Reference::Braced {
                offset,
                text,
                scheme: None,
                name: Some(name.to_owned()),
                has_default: default,
            }
        }
    }
}

/// `^[a-zA-Z_][a-zA-Z0-9_]*$`.
#[must_use]
pub fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_found() {
        let found = scan("http://${env:HOST:-localhost}:$PORT/$${env:X}/${TOKEN}");
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(
            matches!(&found[0], Reference::Braced { name: Some(n), has_default: true, .. } if n == "HOST")
        );
        assert!(matches!(&found[1], Reference::Naked { name, offset: 30 } if name == "PORT"));
        assert!(
            matches!(&found[2], Reference::Braced { scheme: None, name: Some(n), .. } if n == "TOKEN")
        );
    }

    #[test]
    fn schemes() {
        assert!(
            matches!(&scan("${foo:bar}")[0], Reference::Braced { scheme: Some(s), .. } if s == "foo")
        );
        assert!(
            matches!(&scan("${file:/etc/x}")[0], Reference::Braced { scheme: Some(s), name: None, .. } if s == "file")
        );
        assert!(!valid_name("1BAD"));
        assert!(valid_name("_OK1"));
    }
}

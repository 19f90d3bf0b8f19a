//! The INI dialect of `.wslconfig` and `/etc/wsl.conf` (WSL's `src/shared/configfile.cpp`):
//! `[section]`, `key = value`, `#` and `;` comments, case-insensitive keys, optional quotes,
//! CRLF line ends and a UTF-8 byte-order mark. Invalid lines are skipped, as WSL skips them.

/// One `key = value`, with where it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The section, lowercase.
    pub section: String,
    /// The key, lowercase.
    pub key: String,
    /// The value, unquoted.
    pub value: String,
    /// 1-based line.
    pub line: usize,
}

/// Parses every `key = value` line.
#[must_use]
pub fn parse(text: &str) -> Vec<Entry> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut section = String::new();
    let mut entries = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = raw.trim_end_matches('\r').trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name.trim().to_ascii_lowercase();
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let value = value
            .split(&['#', ';'][..])
            .next()
            .unwrap_or_default()
            .trim();
        let value = value.trim_matches('"');
        entries.push(Entry {
            section: section.clone(),
            key: key.trim().to_ascii_lowercase(),
            value: value.to_owned(),
            line: index + 1,
        });
    }
    entries
}

/// The last value of `key` in any of `sections` (later lines win, as in WSL).
#[must_use]
pub fn get<'a>(entries: &'a [Entry], sections: &[&str], key: &str) -> Option<&'a Entry> {
    entries.iter().rev().find(|entry| {
        entry.key == key.to_ascii_lowercase() && sections.contains(&entry.section.as_str())
    })
}

/// Parses a WSL boolean (`true`/`false`, case-insensitive; WSL also accepts 1/0).
#[must_use]
pub fn boolean(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Some(true),
        "false" | "0" | "no" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn reads_sections_keys_and_values() {
        let text = "\u{feff}[wsl2]\r\nmemory=4GB # comment\r\nnetworkingMode = \"mirrored\"\r\n\r\n[experimental]\r\nhostAddressLoopback=true\r\nnot a line\r\n";
        let entries = parse(text);
        let mode = get(&entries, &["wsl2", "experimental"], "networkingmode").unwrap();
        assert_eq!((mode.value.as_str(), mode.line), ("mirrored", 3));
        assert_eq!(
            get(&entries, &["experimental"], "hostAddressLoopback")
                .unwrap()
                .value,
            "true"
        );
        assert_eq!(get(&entries, &["wsl2"], "memory").unwrap().value, "4GB");
        assert_eq!(boolean("False"), Some(false));
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(text in "\\PC*") {
            let _ = parse(&text);
        }
    }
}

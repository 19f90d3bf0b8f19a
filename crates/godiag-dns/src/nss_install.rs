//! What `godiag nss install` and `godiag nss uninstall` change: the hosts line of
//! nsswitch.conf (pure text transforms, idempotent) and where glibc looks for the module.
//!
//! `godiag` goes before the first `resolve` or `dns` on the hosts line, as Debian's
//! libnss-resolve postinst places `resolve` before `dns`: /etc/hosts (`files`) still wins, and
//! private names are answered before a public DNS server is asked about them.

use std::path::PathBuf;

use godiag_core::host::Host;

/// The NSS source name; glibc loads it as `libnss_godiag.so.2`.
pub const SOURCE: &str = "godiag";

/// The file name glibc's `dlopen` looks for.
pub const MODULE_FILE: &str = "libnss_godiag.so.2";

/// Returns the directory glibc's dynamic loader searches without configuration: the
/// multiarch libdir (`/usr/lib/x86_64-linux-gnu` on Debian and Ubuntu) when it exists,
/// otherwise `/usr/lib64` or `/usr/lib`.
#[must_use]
pub fn libdir(host: &dyn Host) -> PathBuf {
    let multiarch = PathBuf::from(format!("/usr/lib/{}-linux-gnu", std::env::consts::ARCH));
    [multiarch, "/usr/lib64".into()]
        .into_iter()
        .find(|dir| host.metadata(dir).is_ok_and(|meta| meta.is_dir))
        .unwrap_or_else(|| "/usr/lib".into())
}

/// Returns nsswitch.conf with `godiag` on its hosts line (added if there is none).
#[must_use]
pub fn with_godiag(text: Option<&str>) -> String {
    let text = text.unwrap_or_default();
    let Some(index) = hosts_line(text) else {
        let mut out = text.to_owned();
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str("hosts:          files godiag dns\n");
        return out;
    };
    rewrite(text, index, |sources| {
        if sources.contains(&SOURCE) {
            return sources.iter().map(|w| (*w).to_owned()).collect();
        }
        let at = sources
            .iter()
            .position(|word| *word == "resolve" || *word == "dns")
            .unwrap_or(sources.len());
        let mut words: Vec<String> = sources.iter().map(|w| (*w).to_owned()).collect();
        words.insert(at, SOURCE.to_owned());
        words
    })
}

/// Returns nsswitch.conf without `godiag` (and any `[...]` action right after it).
#[must_use]
pub fn without_godiag(text: &str) -> String {
    let Some(index) = hosts_line(text) else {
        return text.to_owned();
    };
    rewrite(text, index, |sources| {
        let mut words = Vec::new();
        let mut skipping = false;
        for word in sources {
            if *word == SOURCE {
                skipping = true;
                continue;
            }
            if skipping && word.starts_with('[') {
                continue;
            }
            skipping = false;
            words.push((*word).to_owned());
        }
        words
    })
}

/// The index of the hosts line glibc reads (the first `hosts:` line outside comments).
fn hosts_line(text: &str) -> Option<usize> {
    text.lines().position(|line| {
        let line = line.split('#').next().unwrap_or_default().trim_start();
        line.strip_prefix("hosts")
            .is_some_and(|rest| rest.trim_start().starts_with(':'))
    })
}

/// Rewrites line `index`'s sources with `change`, keeping its `hosts:` prefix spacing and any
/// comment; a bracketed action with spaces inside (`[NOTFOUND = return]`) is one word.
fn rewrite(text: &str, index: usize, change: impl Fn(&[&str]) -> Vec<String>) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for (number, line) in text.split_inclusive('\n').enumerate() {
        if number != index {
            out.push_str(line);
            continue;
        }
        let (body, newline) = line
            .strip_suffix('\n')
            .map_or((line, ""), |body| (body, "\n"));
        let (content, comment) = body
            .split_once('#')
            .map_or((body, None), |(c, r)| (c, Some(r)));
        let colon = content.find(':').unwrap_or(0);
        let (prefix, sources) = content.split_at(colon + 1);
        let spacing: String = sources
            .chars()
            .take_while(char::is_ascii_whitespace)
            .collect();
        let words = words(sources);
        let changed = change(&words);
        out.push_str(prefix);
        out.push_str(if spacing.is_empty() { " " } else { &spacing });
        out.push_str(&changed.join(" "));
        if let Some(comment) = comment {
            out.push_str(" #");
            out.push_str(comment);
        }
        out.push_str(newline);
    }
    out
}

fn words(sources: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let mut rest = sources.trim_start();
    while !rest.is_empty() {
        let end = if rest.starts_with('[') {
            rest.find(']').map_or(rest.len(), |at| at + 1)
        } else {
            rest.find(|c: char| c.is_ascii_whitespace() || c == '[')
                .unwrap_or(rest.len())
        };
        words.push(&rest[..end]);
        rest = rest[end..].trim_start();
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn godiag_goes_before_resolve_or_dns_and_comes_out_again() {
        let cases = [
            (
                "hosts:          files dns\n",
                "hosts:          files godiag dns\n",
            ),
            (
                "passwd: files\nhosts: files mymachines resolve [!UNAVAIL=return] myhostname dns # x\n",
                "passwd: files\nhosts: files mymachines godiag resolve [!UNAVAIL=return] myhostname dns # x\n",
            ),
            ("hosts:\tfiles\n", "hosts:\tfiles godiag\n"),
            (
                "# hosts: dns\npasswd: files",
                "# hosts: dns\npasswd: files\nhosts:          files godiag dns\n",
            ),
        ];
        for (before, after) in cases {
            let installed = with_godiag(Some(before));
            assert_eq!(installed, after, "{before:?}");
            assert_eq!(with_godiag(Some(&installed)), installed, "not idempotent");
            if before.contains("\nhosts") || before.starts_with("hosts") {
                assert_eq!(without_godiag(&installed), before);
            }
        }
        assert_eq!(with_godiag(None), "hosts:          files godiag dns\n");
    }

    #[test]
    fn uninstall_drops_the_action_that_belonged_to_godiag() {
        let text = "hosts: files godiag [NOTFOUND=return] dns\n";
        assert_eq!(without_godiag(text), "hosts: files dns\n");
        assert_eq!(without_godiag("hosts: files dns\n"), "hosts: files dns\n");
    }
}

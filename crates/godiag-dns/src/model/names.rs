//! The names a resolver actually sends for a host name: Go's `nameList` (`net/dnsclient_unix.go`)
//! with `isDomainName` and `avoidDNS`, glibc's `res_nsearch` order, and the search list both
//! derive from the host name when resolv.conf gives none.

/// Why Go sends no DNS query at all for a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoQuery {
    /// `isDomainName` rejects it, so the lookup fails with "no such host" before any query.
    NotADomainName(String),
    /// Every candidate is a `.onion` name (RFC 7686); the lookup returns nothing, no error.
    Onion,
    /// The name is longer than a DNS name can be.
    TooLong,
}

/// `isDomainName`: total length 1..=253 (254 with a trailing dot), labels of 1..=63 bytes of
/// letters, digits, `_` and `-`, no label starting or ending with `-`, not all-numeric.
/// Returns why not.
#[must_use]
pub fn domain_name_problem(name: &str) -> Option<String> {
    if name == "." {
        return None;
    }
    let bytes = name.as_bytes();
    let len = bytes.len();
    if len == 0 {
        return Some("the name is empty".into());
    }
    if len > 254 || (len == 254 && bytes[len - 1] != b'.') {
        return Some(format!(
            "the name is {len} bytes long; at most 253 are allowed"
        ));
    }
    let mut last = b'.';
    let mut non_numeric = false;
    let mut part = 0usize;
    for &byte in bytes {
        match byte {
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                non_numeric = true;
                part += 1;
            }
            b'0'..=b'9' => part += 1,
            b'-' => {
                if last == b'.' {
                    return Some("a label starts with `-`".into());
                }
                part += 1;
                non_numeric = true;
            }
            b'.' => {
                if last == b'.' || last == b'-' {
                    return Some("the name has an empty label or a label ending in `-`".into());
                }
                if part > 63 || part == 0 {
                    return Some("a label is longer than 63 bytes".into());
                }
                part = 0;
            }
            other => {
                return Some(format!(
                    "`{}` is not allowed in a host name (letters, digits, `-` and `_` only)",
                    char::from(other).escape_default()
                ));
            }
        }
        last = byte;
    }
    if last == b'-' {
        return Some("the last label ends with `-`".into());
    }
    if part > 63 {
        return Some("a label is longer than 63 bytes".into());
    }
    (!non_numeric).then(|| "the name is all digits and dots".into())
}

/// `avoidDNS`: empty, or a `.onion` name.
fn avoid_dns(name: &str) -> bool {
    if name.is_empty() {
        return true;
    }
    let name = name.strip_suffix('.').unwrap_or(name);
    let bytes = name.as_bytes();
    bytes.len() >= 6 && bytes[bytes.len() - 6..].eq_ignore_ascii_case(b".onion")
}

/// `dnsDefaultSearch`: the host name's domain, when it has a dot that is not its last byte.
#[must_use]
pub fn default_search(hostname: Option<&str>) -> Vec<String> {
    match hostname.and_then(|name| name.find('.').map(|at| (name, at))) {
        Some((name, at)) if at + 1 < name.len() => vec![rooted(&name[at + 1..])],
        _ => Vec::new(),
    }
}

fn rooted(name: &str) -> String {
    if name.ends_with('.') {
        name.to_owned()
    } else {
        format!("{name}.")
    }
}

/// The fully-qualified names Go's DNS client tries for `name`, in order; `Err` when it sends
/// no query at all.
pub fn go_name_list(name: &str, search: &[String], ndots: u32) -> Result<Vec<String>, NoQuery> {
    if let Some(problem) = domain_name_problem(name) {
        return Err(NoQuery::NotADomainName(problem));
    }
    let rooted_name = name.ends_with('.');
    if name.len() > 254 || (name.len() == 254 && !rooted_name) {
        return Err(NoQuery::TooLong);
    }
    if rooted_name {
        return if avoid_dns(name) {
            Err(NoQuery::Onion)
        } else {
            Ok(vec![name.to_owned()])
        };
    }
    let has_ndots = u32::try_from(name.matches('.').count()).unwrap_or(u32::MAX) >= ndots;
    let name = format!("{name}.");
    let mut names = Vec::new();
    if has_ndots && !avoid_dns(&name) {
        names.push(name.clone());
    }
    for suffix in search {
        let fqdn = format!("{name}{suffix}");
        if !avoid_dns(&fqdn) && fqdn.len() <= 254 {
            names.push(fqdn);
        }
    }
    if !has_ndots && !avoid_dns(&name) {
        names.push(name);
    }
    if names.is_empty() {
        Err(NoQuery::Onion)
    } else {
        Ok(names)
    }
}

/// The names glibc's `res_nsearch` tries, in order (`no_tld_query` drops the bare name of a
/// dotless name once a search domain was tried).
#[must_use]
pub fn glibc_name_list(
    name: &str,
    search: &[String],
    ndots: i64,
    no_tld_query: bool,
) -> Vec<String> {
    let rooted_of = |n: &str| rooted(n.trim_end_matches('.'));
    if name.ends_with('.') {
        return vec![name.to_owned()];
    }
    let dots = i64::try_from(name.matches('.').count()).unwrap_or(i64::MAX);
    let mut names = Vec::new();
    let as_is = dots >= ndots;
    if as_is {
        names.push(rooted_of(name));
    }
    for domain in search {
        let candidate = rooted_of(&format!("{name}.{}", domain.trim_end_matches('.')));
        if !names.contains(&candidate) {
            names.push(candidate);
        }
    }
    if !as_is && (dots > 0 || search.is_empty() || !no_tld_query) {
        names.push(rooted_of(name));
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn search(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn name_list_follows_ndots_like_go() {
        let s = search(&["a.example.", "b.example."]);
        assert_eq!(
            go_name_list("onedot.x", &s, 2).unwrap(),
            ["onedot.x.a.example.", "onedot.x.b.example.", "onedot.x."]
        );
        assert_eq!(
            go_name_list("twodots.x.y", &s, 2).unwrap(),
            [
                "twodots.x.y.",
                "twodots.x.y.a.example.",
                "twodots.x.y.b.example."
            ]
        );
        assert_eq!(go_name_list("rooted.x.", &s, 2).unwrap(), ["rooted.x."]);
    }

    #[test]
    fn onion_names_are_suppressed_only_bare() {
        let s = search(&["a.example."]);
        assert_eq!(
            go_name_list("foo.onion", &s, 1).unwrap(),
            ["foo.onion.a.example."]
        );
        assert_eq!(go_name_list("foo.onion.", &s, 1), Err(NoQuery::Onion));
        assert_eq!(go_name_list("foo.onion", &[], 1), Err(NoQuery::Onion));
    }

    #[test]
    fn invalid_names_send_nothing() {
        assert!(matches!(
            go_name_list("a b", &[], 1),
            Err(NoQuery::NotADomainName(_))
        ));
        assert!(matches!(
            go_name_list("1.2.3.4.5", &[], 1),
            Err(NoQuery::NotADomainName(_))
        ));
        assert!(matches!(
            go_name_list("-x.example", &[], 1),
            Err(NoQuery::NotADomainName(_))
        ));
        assert!(domain_name_problem("_srv.example").is_none());
        assert!(domain_name_problem(&"a".repeat(64)).is_some());
        assert!(domain_name_problem(&format!("{}.", "a.".repeat(126) + "a")).is_none());
    }

    #[test]
    fn default_search_from_host_name() {
        assert_eq!(default_search(Some("box.corp.example")), ["corp.example."]);
        assert!(default_search(Some("box")).is_empty());
        assert!(default_search(Some("box.")).is_empty());
        assert!(default_search(None).is_empty());
    }

    #[test]
    fn glibc_search_order() {
        let s = search(&["corp.example"]);
        assert_eq!(
            glibc_name_list("git", &s, 1, false),
            ["git.corp.example.", "git."]
        );
        assert_eq!(glibc_name_list("git", &s, 1, true), ["git.corp.example."]);
        assert_eq!(
            glibc_name_list("git.x", &s, 1, false),
            ["git.x.", "git.x.corp.example."]
        );
    }
}

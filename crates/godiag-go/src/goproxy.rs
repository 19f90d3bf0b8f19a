//! The GOPROXY list as cmd/go/internal/modfetch/proxy.go (`proxyList`) reads it.
//!
//! [`parse`] reads GOPROXY alone; [`list`] is what `TryProxies` walks: the same entries with
//! the `noproxy` pseudo-entry in front when GONOPROXY is set.

/// One entry of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProxyEntry {
    /// A proxy URL (after `https://` was added to a bare host).
    Url {
        /// The proxy's base URL; module paths are appended to it escaped.
        url: String,
        /// True when followed by `|`: any error falls through to the next entry; with `,` only
        /// 404 and 410 do.
        fall_back_on_error: bool,
    },
    /// `direct`: fetch from the version control system.
    Direct,
    /// `off`: downloading is disallowed.
    Off,
    /// The pseudo-entry the go command puts first when GONOPROXY is set (and GOPROXY is not
    /// exactly `direct`): paths matching GONOPROXY are fetched directly, others skip it.
    NoProxy,
}

impl ProxyEntry {
    /// Returns how the entry is named in GOPROXY (`direct`, `off`, `noproxy` or the URL).
    #[must_use]
    pub fn name(&self) -> &str {
        match self {
            Self::Url { url, .. } => url,
            Self::Direct => "direct",
            Self::Off => "off",
            Self::NoProxy => "noproxy",
        }
    }

    /// Returns true when any error from this entry moves on to the next (`|` after it).
    #[must_use]
    pub fn falls_back_on_error(&self) -> bool {
        matches!(
            self,
            Self::Url {
                fall_back_on_error: true,
                ..
            }
        )
    }
}

/// Returns the list `TryProxies` walks: [`parse`]'s entries, after a `noproxy` pseudo-entry
/// when `gonoproxy` is non-empty and `goproxy` is not exactly `direct` (proxy.go `proxyList`).
pub fn list(goproxy: &str, gonoproxy: &str) -> Result<Vec<ProxyEntry>, String> {
    let mut entries = Vec::new();
    if !gonoproxy.is_empty() && goproxy != "direct" {
        entries.push(ProxyEntry::NoProxy);
    }
    entries.extend(parse(goproxy)?);
    Ok(entries)
}

/// Parses GOPROXY; `Err` holds the go command's exact message.
pub fn parse(goproxy: &str) -> Result<Vec<ProxyEntry>, String> {
    let mut entries = Vec::new();
    let mut rest = goproxy;
    while !rest.is_empty() {
        let (raw, separator, tail) = match rest.find([',', '|']) {
            Some(at) => (&rest[..at], Some(&rest[at..=at]), &rest[at + 1..]),
            None => (rest, None, ""),
        };
        rest = tail;
        let entry = raw.trim();
        if entry.is_empty() {
            continue;
        }
        match entry {
            "off" => {
                entries.push(ProxyEntry::Off);
                break;
            }
            "direct" => {
                entries.push(ProxyEntry::Direct);
                break;
            }
            _ => {}
        }
        let mut url = entry.to_owned();
        // A bare host or host:port gets https:// (proxy.go: contains . : or /, no :/, not a path).
        if url.contains(['.', ':', '/']) && !url.contains(":/") && !url.starts_with('/') {
            url = format!("https://{url}");
        }
        validate(&url)?;
        entries.push(ProxyEntry::Url {
            url,
            fall_back_on_error: separator == Some("|"),
        });
    }
    if entries.is_empty() {
        return Err("GOPROXY list is not the empty string, but contains no entries".to_owned());
    }
    Ok(entries)
}

/// `newProxyRepo`: `url.Parse`, then the scheme must be http, https or file (a file URL
/// only a path).
fn validate(url: &str) -> Result<(), String> {
    let scheme = url_scheme(url).map_err(|why| format!("parse {url:?}: {why}"))?;
    let Some((scheme, rest)) = scheme else {
        return Err(format!("invalid proxy URL missing scheme: {url}"));
    };
    match scheme.to_ascii_lowercase().as_str() {
        "http" | "https" => Ok(()),
        "file" if rest.starts_with("///") || (rest.starts_with('/') && !rest.starts_with("//")) => {
            Ok(())
        }
        "file" => Err(format!(
            "invalid file:// proxy URL with non-path elements: {url}"
        )),
        _ => Err(format!(
            "invalid proxy URL scheme (must be https, http, file): {url}"
        )),
    }
}

/// net/url's `getScheme` and the rule that a scheme-less URL may not have a colon in its
/// first path segment; returns the scheme and what follows its colon.
fn url_scheme(raw: &str) -> Result<Option<(&str, &str)>, &'static str> {
    for (at, c) in raw.char_indices() {
        if c.is_ascii_alphabetic() {
            continue;
        }
        if c.is_ascii_digit() || matches!(c, '+' | '-' | '.') {
            if at == 0 {
                break;
            }
            continue;
        }
        if c == ':' {
            if at == 0 {
                return Err("missing protocol scheme");
            }
            return Ok(Some((&raw[..at], &raw[at + 1..])));
        }
        break;
    }
    if !raw.starts_with('/')
        && raw
            .split('/')
            .next()
            .is_some_and(|segment| segment.contains(':'))
    {
        return Err("first path segment in URL cannot contain colon");
    }
    Ok(None)
}

/// Returns GOPROXY with the separator after the entry named `entry` (as [`ProxyEntry::name`]
/// gives it) replaced by `separator`; `None` when that entry has no separator after it.
#[must_use]
pub fn with_separator(goproxy: &str, entry: &str, separator: char) -> Option<String> {
    let mut offset = 0;
    let mut rest = goproxy;
    while let Some(at) = rest.find([',', '|']) {
        let raw = rest[..at].trim();
        let named = if raw.contains(['.', ':', '/']) && !raw.contains(":/") && !raw.starts_with('/')
        {
            format!("https://{raw}")
        } else {
            raw.to_owned()
        };
        if named == entry {
            let position = offset + at;
            let mut out = goproxy.to_owned();
            out.replace_range(position..=position, &separator.to_string());
            return Some(out);
        }
        offset += at + 1;
        rest = &rest[at + 1..];
    }
    None
}

/// Hosts of public module proxies: modules sent there are visible to their operators.
pub const PUBLIC_PROXIES: &[&str] = &[
    "proxy.golang.org",
    "goproxy.io",
    "goproxy.cn",
    "mirrors.aliyun.com",
    "goproxy.dev",
    "gocenter.io",
    "proxy.golang.com.cn",
    "mirrors.tencent.com",
];

/// Returns the host of a proxy URL.
#[must_use]
pub fn host_of(url: &str) -> &str {
    let after = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = after.split('/').next().unwrap_or_default();
    let host_port = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    host_port.split(':').next().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_proxy_list() {
        let entries =
            parse(" https://a.example | b.example:8080 , , direct,https://never").unwrap();
        assert_eq!(
            entries,
            [
                ProxyEntry::Url {
                    url: "https://a.example".into(),
                    fall_back_on_error: true
                },
                ProxyEntry::Url {
                    url: "https://b.example:8080".into(),
                    fall_back_on_error: false
                },
                ProxyEntry::Direct,
            ]
        );
        assert_eq!(parse("off,direct").unwrap(), [ProxyEntry::Off]);
    }

    #[test]
    fn noproxy_comes_first_unless_goproxy_is_exactly_direct() {
        assert_eq!(
            list("https://p.example,direct", "corp.example").unwrap(),
            [
                ProxyEntry::NoProxy,
                ProxyEntry::Url {
                    url: "https://p.example".into(),
                    fall_back_on_error: false
                },
                ProxyEntry::Direct
            ]
        );
        assert_eq!(
            list("direct", "corp.example").unwrap(),
            [ProxyEntry::Direct]
        );
        assert_eq!(
            list(" direct", "corp.example").unwrap(),
            [ProxyEntry::NoProxy, ProxyEntry::Direct]
        );
        assert_eq!(list("off", "").unwrap(), [ProxyEntry::Off]);
        assert!(list(",", "corp.example").is_err());
    }

    #[test]
    fn errors_match_the_go_command() {
        assert_eq!(
            parse("").unwrap_err(),
            "GOPROXY list is not the empty string, but contains no entries"
        );
        assert_eq!(
            parse(",").unwrap_err(),
            "GOPROXY list is not the empty string, but contains no entries"
        );
        assert_eq!(
            parse("foo").unwrap_err(),
            "invalid proxy URL missing scheme: foo"
        );
        assert_eq!(
            parse("/abs/path").unwrap_err(),
            "invalid proxy URL missing scheme: /abs/path"
        );
        assert_eq!(
            parse("ftp://x").unwrap_err(),
            "invalid proxy URL scheme (must be https, http, file): ftp://x"
        );
        assert_eq!(
            parse("file://host/p").unwrap_err(),
            "invalid file:// proxy URL with non-path elements: file://host/p"
        );
        assert!(parse("file:///srv/proxy").is_ok());
        assert_eq!(
            parse("\"https://goproxy.corp.example,direct").unwrap_err(),
            "parse \"\\\"https://goproxy.corp.example\": first path segment in URL cannot contain colon"
        );
        assert_eq!(
            parse("1http://x").unwrap_err(),
            "parse \"1http://x\": first path segment in URL cannot contain colon"
        );
        assert!(parse("HTTPS://x.example").is_ok());
    }

    #[test]
    fn separators_are_replaced_in_place() {
        assert_eq!(
            with_separator(
                "https://a.example,https://b.example,direct",
                "https://b.example",
                '|'
            )
            .as_deref(),
            Some("https://a.example,https://b.example|direct")
        );
        assert_eq!(
            with_separator("a.example|direct", "https://a.example", ',').as_deref(),
            Some("a.example,direct")
        );
        assert_eq!(
            with_separator("https://a.example", "https://a.example", '|'),
            None
        );
    }

    #[test]
    fn host_extraction() {
        assert_eq!(
            host_of("https://u:p@proxy.golang.org:443/x"),
            "proxy.golang.org"
        );
    }
}

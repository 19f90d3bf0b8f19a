//! Reading `host:port` endpoints and URLs out of component settings.

use crate::yaml::{Node, Value};

/// An `endpoint` value found in a component's settings.
pub(crate) struct Endpoint<'a> {
    /// The node holding it.
    pub node: &'a Node,
    /// The value as written, before the scheme, host and port are split off.
    pub text: &'a str,
    /// The URL scheme, when written.
    pub scheme: Option<&'a str>,
    /// The host (brackets of IPv6 removed); empty for `:4317`.
    pub host: String,
    /// The port, when written.
    pub port: Option<u16>,
    /// The path after the authority, when written.
    pub path: &'a str,
}

/// Every `endpoint` (or `*_endpoint`) string under `config`, except values only known at run
/// time.
pub(crate) fn endpoints(config: &Node) -> Vec<Endpoint<'_>> {
    let mut out = Vec::new();
    collect(config, &mut out);
    out
}

fn collect<'a>(node: &'a Node, out: &mut Vec<Endpoint<'a>>) {
    match &node.value {
        Value::Map(entries) => {
            for entry in entries {
                if entry.key == "endpoint" || entry.key.ends_with("_endpoint") {
                    if let Some(text) = entry.value.as_str() {
                        if !text.contains('$') {
                            out.push(parse(&entry.value, text));
                        }
                    }
                } else {
                    collect(&entry.value, out);
                }
            }
        }
        Value::Seq(items) => items.iter().for_each(|item| collect(item, out)),
        _ => {}
    }
}

fn parse<'a>(node: &'a Node, text: &'a str) -> Endpoint<'a> {
    let (scheme, rest) = match text.split_once("://") {
        Some((scheme, rest)) => (Some(scheme), rest),
        None => (None, text),
    };
    let (authority, path) = match rest.find('/') {
        Some(at) => (&rest[..at], &rest[at..]),
        None => (rest, ""),
    };
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    let (host, port) = if let Some(inner) = authority.strip_prefix('[') {
        match inner.split_once(']') {
            Some((host, tail)) => (
                host.to_owned(),
                tail.strip_prefix(':').and_then(|p| p.parse().ok()),
            ),
            None => (inner.to_owned(), None),
        }
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) if !host.contains(':') => (host.to_owned(), port.parse().ok()),
            _ => (authority.to_owned(), None),
        }
    };
    let port = port.or(match scheme {
        Some("https") => Some(443),
        Some("http") => Some(80),
        _ => None,
    });
    Endpoint {
        node,
        text,
        scheme,
        host,
        port,
        path,
    }
}

/// True for `localhost`, 127.0.0.0/8 and `::1`.
pub(crate) fn is_loopback(host: &str) -> bool {
    host == "localhost" || host == "::1" || host.starts_with("127.") || host.ends_with(".localhost")
}

/// True for a bind address that means every interface.
pub(crate) fn is_wildcard(host: &str) -> bool {
    matches!(host, "" | "0.0.0.0" | "::" | "0:0:0:0:0:0:0:0")
}

//! Requests godiag adds after the walk to explain a failure; the go command does not make
//! them, so they are reported apart (`.go.fetch.probes`) and never counted as its steps.
//!
//! - A GOPROXY entry the user configured that answered only 404/410: is the module
//!   missing there, or does the proxy answer 404 to everything (a wrong base path)? Its
//!   `@v/list` for the module and for `golang.org/x/mod`, which every mirror of the public
//!   module ecosystem serves, tell.
//! - Direct mode's `https://HOST/PATH?go-get=1` that failed at the connection: does the
//!   host answer plain `http://`? The go command only tries that under GOINSECURE.

use std::time::Instant;

use godiag_core::host::Host;
use godiag_core::net::NetErrorKind;
use godiag_core::redact::redact;
use godiag_go::escape;
use godiag_go::goproxy::ProxyEntry;
use godiag_go::patterns::matches_prefix;

use super::client::Client;
use super::model::{Attempt, Op};
use super::walk::Walker;

/// The module every public mirror serves, used as the reference.
pub const REFERENCE_MODULE: &str = "golang.org/x/mod";

/// What the probes need.
pub struct ProbeInput<'a> {
    /// The GOPROXY list.
    pub entries: &'a [ProxyEntry],
    /// The module path asked about, as given on the command line.
    pub module: &'a str,
    /// The walk's steps.
    pub attempts: &'a [Attempt],
    /// True when the user set GOPROXY (environment or go env file).
    pub user_goproxy: bool,
    /// GOINSECURE's patterns: hosts that may be fetched over plain HTTP.
    pub goinsecure: &'a str,
    /// The credentials the walk used, and whether GOAUTH is off.
    pub netrc: Vec<super::netenv::NetrcLine>,
    /// GOAUTH is `off`.
    pub auth_off: bool,
}

/// Runs the probes that the walk's answers call for.
#[must_use]
pub fn run(input: &ProbeInput<'_>, client: &Client, host: &dyn Host, end: Instant) -> Vec<Attempt> {
    let mut walker = Walker::new(input.entries.to_vec(), input.module, client, host, end);
    walker.netrc.clone_from(&input.netrc);
    walker.auth_off = input.auth_off;
    if input.user_goproxy {
        not_found_everywhere(&mut walker, input);
    }
    if !matches_prefix(input.goinsecure, input.module) {
        plain_http(&mut walker, input);
    }
    walker.attempts
}

fn not_found_everywhere(walker: &mut Walker<'_>, input: &ProbeInput<'_>) {
    for (index, entry) in input.entries.iter().enumerate() {
        let ProxyEntry::Url { url, .. } = entry else {
            continue;
        };
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            continue;
        }
        let source = redact(entry.name());
        let sent: Vec<&Attempt> = input
            .attempts
            .iter()
            .filter(|a| a.sent && a.source == source)
            .collect();
        if sent.is_empty() || !sent.iter().all(|a| matches!(a.status, Some(404 | 410))) {
            continue;
        }
        let base = url.trim_end_matches('/');
        for module in [input.module, REFERENCE_MODULE] {
            let Ok(escaped) = escape::escape_path(module) else {
                continue;
            };
            let list = format!("{base}/{escaped}/@v/list");
            if !sent.iter().any(|a| a.request == redact(&list)) {
                let _ = walker.get(index, Op::List, &list, false);
            }
        }
    }
}

fn plain_http(walker: &mut Walker<'_>, input: &ProbeInput<'_>) {
    let failed = input.attempts.iter().find(|a| {
        a.op == Op::GoGet
            && a.request.starts_with("https://")
            && matches!(
                a.failure,
                Some(
                    NetErrorKind::Refused
                        | NetErrorKind::Protocol
                        | NetErrorKind::Tls
                        | NetErrorKind::UnknownAuthority
                        | NetErrorKind::Reset
                )
            )
    });
    let Some(failed) = failed else { return };
    let index = input
        .entries
        .iter()
        .position(|e| redact(e.name()) == failed.source)
        .unwrap_or(0);
    let http = format!("http://{}", &failed.request["https://".len()..]);
    let _ = walker.get_page(index, &http, false);
}

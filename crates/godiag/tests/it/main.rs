//! Integration tests of the godiag binary: scenarios (fixture machines) and real peers.
// These tests build machines and run real programs; the Host seam is godiag's rule, not theirs.
#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    clippy::print_stderr,
    clippy::missing_panics_doc,
    unreachable_pub
)]

mod fetch_cache_differential;
mod fetch_differential;
mod fetch_project_differential;
mod fetch_proxy_differential;
mod fixture_go;
mod go_env_differential;
mod otelcol;
mod peers;
mod port_listeners;
mod promtool;
mod scenarios;
mod testproxy;

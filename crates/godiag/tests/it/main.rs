//! Integration tests of the godiag binary: scenarios (fixture machines) and real peers.
// These tests build machines and run real programs; the Host seam is godiag's rule, not theirs.
#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    clippy::print_stderr,
    clippy::missing_panics_doc,
    unreachable_pub
)]

mod crate_graph;
mod dns_go_differential;
mod dns_namespace;
pub mod dns_probes;
mod dns_program;
mod dns_silent_namespace;
mod docs_index;
mod examined;
mod fetch_cache_differential;
mod fetch_differential;
mod fetch_project_differential;
mod fetch_proxy_differential;
mod fix_mount_point;
mod fixture_go;
mod go_env_differential;
mod go_unreadable;
mod hostile_inputs;
mod man_page;
mod metrics_cli;
mod nothing_examined;
mod nothing_examined_go_prom;
mod nss_install;
mod otelcol;
mod peers;
mod port_listeners;
mod port_netns;
mod printer_output;
mod prom_differential;
mod promtool;
mod root_seam;
mod scenarios;
mod secrets_masked;
mod testproxy;
mod usage_errors;

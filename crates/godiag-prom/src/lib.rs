//! `godiag metrics`: Prometheus exposition parsing, promtool-compatible lint, conventions
//! and cardinality.
//!
//! [`parse`] streams the text format 0.0.4 and OpenMetrics line by line; [`analysis`]
//! gathers per-family facts while samples pass; [`checks`] turns them into findings
//! (PROM001–PROM099 are exactly the problems `promtool check metrics` reports, PROM100 on
//! are conventions beyond it); [`scrape`] fetches a `/metrics` URL the way Prometheus does;
//! [`domain`] runs it all under a deadline. Nothing here prints.

pub mod analysis;
pub mod checks;
pub mod domain;
pub mod model;
pub mod parse;
pub mod scrape;

pub use domain::{Input, Options, Outcome, run};
pub use model::{Format, PrometheusVersion};

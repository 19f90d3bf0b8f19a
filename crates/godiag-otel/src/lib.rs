//! `godiag lint`: OpenTelemetry Collector configs and Jaeger sampling strategies.
//!
//! Collector configs are parsed with positions ([`yaml`]), merged the way `--config` files
//! merge ([`collector`]), and checked against a registry of component types ([`registry`])
//! and the settings of the components godiag models ([`components`], [`schema`]). The
//! checks live in [`checks`] (`OTEL0xx`); [`domain`] runs them under the deadline. Nothing
//! here prints or touches the machine except through `godiag_core::host::Host`.

pub mod checks;
pub mod collector;
pub mod components;
pub mod domain;
mod endpoints;
pub mod envvar;
pub mod installed;
pub mod json;
pub mod read_error;
pub mod registry;
pub mod sampling;
pub mod schema;
pub mod yaml;

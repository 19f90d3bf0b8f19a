//! What programs will do with the parsed files: Go's resolver choice ([`go_order`]), the
//! names resolvers send ([`names`]), the program being diagnosed ([`program`]) and the
//! combined prediction for one name ([`predict`]), and systemd-resolved's routing
//! ([`routing`]).

pub mod go_order;
pub mod names;
pub mod predict;
pub mod program;
pub mod routing;
pub mod system;

//! The name-resolution domain: why does `git.corp.example` resolve for one program and not
//! for another?
//!
//! [`parse`] holds pure parsers that keep positions (nsswitch.conf, resolv.conf, /etc/hosts,
//! resolved.conf and resolved's runtime files), each reading a file the way glibc reads it and,
//! where Go reads it too, the way Go does. [`model`] predicts what programs will do from those
//! files: Go's resolver choice (`hostLookupOrder`), the names Go queries, glibc's walk of the
//! hosts line, and systemd-resolved's routing. [`read`] gathers the files through `Host`;
//! [`probe`] asks the real resolvers, each under a deadline; [`checks`] turns all of it into
//! findings and [`domain`] runs the lot. Nothing here prints.

pub mod checks;
pub mod context;
pub mod doctor;
pub mod domain;
pub mod fixes;
pub mod model;
pub mod nss_install;
pub mod nss_map;
pub mod parse;
pub mod probe;
pub mod read;
pub mod verdict;

//! The go command's own rules, ported once for every godiag crate that needs them: how a Go
//! binary records its build, how `go` is found and asked, Go toolchain versions and semver,
//! module path escaping, go.mod and go.work, GOPRIVATE-style patterns, the GOPROXY list, the
//! checksum database's signed notes, `h1:` hashes (dirhash) and the module cache layout.
//!
//! Each module follows one part of cmd/go or golang.org/x/mod and keeps its error texts, so a
//! finding can quote what the go command prints. Parsers are pure; [`buildinfo::read`],
//! [`gocmd`] and [`modcache::inspect`] reach the machine only through
//! [`godiag_core::host::Host`].
//!
//! This crate does not compute the Go environment (`go env` with provenance lives in
//! godiag-goenv), makes no network requests (no HTTP or TLS stack: fetching modules is
//! godiag-goenv's `fetch`), and produces no findings.

pub mod buildinfo;
pub mod dirhash;
pub mod escape;
pub mod gocmd;
pub mod goproxy;
pub mod gover;
pub mod modcache;
pub mod modfile;
pub mod note;
pub mod patterns;
pub mod semver;

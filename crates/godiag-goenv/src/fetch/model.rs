//! What `godiag go fetch` reports: each request the go command would make (an [`Attempt`]),
//! the errors it would print ([`GoError`]) and how the walk ends ([`Outcome`]).

use serde::Serialize;

/// Which protocol operation a request serves (the proxy protocol's endpoints, plus the
/// `?go-get=1` discovery of direct mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// `@v/list`.
    List,
    /// `@latest`: the newest version, asked when `@v/list` names no release.
    Latest,
    /// `@v/VERSION.info`.
    Info,
    /// `@v/VERSION.mod`.
    Mod,
    /// `@v/VERSION.zip`.
    Zip,
    /// `https://PATH?go-get=1`.
    GoGet,
    /// A version-control command (`git ls-remote`).
    Vcs,
}

/// One step of the walk: a request made (or skipped) for one GOPROXY entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attempt {
    /// The GOPROXY entry (credentials redacted), `direct`, `off` or `noproxy`.
    pub source: String,
    /// The operation.
    pub op: Op,
    /// The URL (credentials redacted) or VCS command.
    pub request: String,
    /// False when the go command would not send anything for this step (an `off` entry, a
    /// proxy skipped because GONOPROXY matches, a step past the deadline).
    pub sent: bool,
    /// The HTTP status, when an answer came.
    pub status: Option<u16>,
    /// The error the go command would see, when the step failed.
    pub error: Option<String>,
    /// True when the go command moves on to the next GOPROXY entry after this step.
    pub falls_through: bool,
    /// The proxy (`HTTPS_PROXY`...) the request went through.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    /// True for the go command's second request after a 4xx answer over https (it asks
    /// GOAUTH for credentials and retries once).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub auth_retry: bool,
    /// How the failure was classified (`timeout`, `refused`, `unknown_authority`...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<godiag_core::net::NetErrorKind>,
    /// How long the step took.
    pub duration_ms: u64,
}

/// Where an error ranks when `TryProxies` picks the one to print (proxy.go).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rank {
    /// A not-found error (404, 410, `off`, GONOPROXY skips).
    NotExist,
    /// Another proxy error.
    Proxy,
    /// An error from direct mode (or `noproxy` going direct).
    Direct,
}

/// An error as the go command would carry it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoError {
    /// The text after `MODULE@VERSION: `.
    pub text: String,
    /// True when `errors.Is(err, fs.ErrNotExist)` (404, 410, skips).
    pub not_exist: bool,
    /// True for `errUseProxy` (a `noproxy` entry for a path GONOPROXY does not match),
    /// which never becomes the printed error.
    pub use_proxy: bool,
    /// True when the go command would add `invalid version: ` for a non-canonical query.
    pub proxy_side: bool,
    /// True when no answer came before the deadline: the go command, which sets no
    /// timeout, would still be waiting, so the walk ends here whatever the separator.
    pub hang: bool,
    /// True when the go command prints the text alone, without `MODULE@VERSION: ` (errors
    /// from reading the module cache's zip, such as `zip: not a valid zip file`).
    pub bare: bool,
    /// True when the go command adds `invalid version: ` (a repository's error for a
    /// version, `codeRepo.Stat`).
    pub invalid_version: bool,
}

impl GoError {
    /// A not-found error.
    #[must_use]
    pub fn not_exist(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            not_exist: true,
            use_proxy: false,
            proxy_side: false,
            hang: false,
            bare: false,
            invalid_version: false,
        }
    }

    /// Any other error.
    #[must_use]
    pub fn other(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            not_exist: false,
            use_proxy: false,
            proxy_side: false,
            hang: false,
            bare: false,
            invalid_version: false,
        }
    }
}

/// The source of steps answered from the module cache (`$GOMODCACHE/cache/download`).
pub const MODULE_CACHE: &str = "module cache";

/// How the walk ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// The GOPROXY entry that served the module (for the last step), or `module cache`,
    /// `replace`, `vendor`.
    pub served_by: Option<String>,
    /// The version the query resolved to.
    pub version: Option<String>,
    /// What the go command would print after `go: ` (without the `go: ` prefix).
    pub error: Option<String>,
}

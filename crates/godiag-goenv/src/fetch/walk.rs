//! The go command's walk over the GOPROXY list for one module, request by request.
//!
//! Mirrors cmd/go/internal/modfetch: `TryProxies` (proxy.go) around each step, `lookup`
//! (repo.go) deciding what each entry does for this path, `proxyRepo` (proxy.go) for the
//! requests, the caches that stop repeated requests (cache.go `cachingRepo`, the module
//! cache on disk), and modload's `queryProxy` for turning `latest` or `v1.2` into a
//! version. `go mod download M@Q` runs: query (list/latest/info), then `.mod`, then `.zip`,
//! each step a fresh `TryProxies` walk from the first entry.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::{Duration, Instant};

use godiag_core::host::Host;
use godiag_core::net::NetErrorKind;
use godiag_core::redact::redact;
use godiag_go::escape;
use godiag_go::goproxy::ProxyEntry;
use godiag_go::modcache::{self, CacheEntry};
use godiag_go::patterns::matches_prefix;
use godiag_go::semver;

use super::client::{Client, HttpRequest};
use super::direct::{self, Discovery};
use super::model::{Attempt, GoError, MODULE_CACHE, Op, Rank};
use super::netenv::{NetrcLine, credential_for};

/// What the walk needs to know about the machine and settings.
pub struct Walker<'a> {
    /// The list `TryProxies` walks.
    pub entries: Vec<ProxyEntry>,
    /// The module path.
    pub module: String,
    /// GONOPROXY's patterns: modules fetched directly, never through a proxy.
    pub gonoproxy: String,
    /// GOINSECURE's patterns: modules that may be fetched over plain HTTP.
    pub goinsecure: String,
    /// Where requests go.
    pub client: &'a Client,
    /// Files (`file://` proxies, the module cache).
    pub host: &'a dyn Host,
    /// `.netrc` entries, when GOAUTH includes `netrc`.
    pub netrc: Vec<NetrcLine>,
    /// GOAUTH is `off`.
    pub auth_off: bool,
    /// GOMODCACHE, when known.
    pub gomodcache: Option<String>,
    /// When every request must be done.
    pub deadline: Instant,
    /// Every step so far.
    pub attempts: Vec<Attempt>,
    /// `.info` known (fetched or on disk), by version.
    infos: BTreeSet<String>,
    /// go.mod texts known, by version.
    mods: BTreeMap<String, Vec<u8>>,
    /// `@v/list` answers, by entry index and version prefix (`cachingRepo.versionsCache`).
    lists: BTreeMap<(usize, String), Result<Vec<String>, GoError>>,
    /// The retraction check (modload `CheckRetractions`) ran.
    retractions_checked: bool,
    /// Stat errors, by (entry index, revision) (`cachingRepo.statCache`).
    stat_errors: BTreeMap<(usize, String), GoError>,
    /// Direct-mode discovery for this path (`vcs` caches it for the whole run).
    discovery: Option<Result<Discovery, GoError>>,
    /// `git ls-remote` output, once run.
    pub(crate) remote_refs: Option<Result<Vec<String>, GoError>>,
    /// What the git step found, when direct mode reached a git repository.
    pub git: Option<super::git::GitReport>,
}

/// Where an entry's requests go once direct mode is resolved.
enum Target {
    /// The proxy protocol at this base URL.
    Proxy(String),
    /// A version-control repository.
    Vcs(direct::Repo),
}

/// What an entry does for this module path (`lookup` in repo.go).
enum Backend {
    /// The proxy protocol at this base URL (`mod` from direct discovery too).
    Proxy(String),
    /// Direct version-control access.
    Direct,
    /// No request: this error.
    Refuse(GoError),
}

impl<'a> Walker<'a> {
    /// A walker for `module` over `entries`.
    #[must_use]
    pub fn new(
        entries: Vec<ProxyEntry>,
        module: &str,
        client: &'a Client,
        host: &'a dyn Host,
        deadline: Instant,
    ) -> Self {
        Self {
            entries,
            module: module.to_owned(),
            gonoproxy: String::new(),
            goinsecure: String::new(),
            client,
            host,
            netrc: Vec::new(),
            auth_off: false,
            gomodcache: None,
            deadline,
            attempts: Vec::new(),
            infos: BTreeSet::new(),
            mods: BTreeMap::new(),
            lists: BTreeMap::new(),
            retractions_checked: false,
            stat_errors: BTreeMap::new(),
            discovery: None,
            remote_refs: None,
            git: None,
        }
    }

    /// `TryProxies`: runs `step` for each entry until one succeeds or one fails in a way
    /// that does not fall through; returns the value and the entry that gave it, or the
    /// error the go command would print.
    pub fn try_proxies<T>(
        &mut self,
        mut step: impl FnMut(&mut Self, usize) -> Result<T, GoError>,
    ) -> Result<(T, usize), GoError> {
        let mut best: Option<GoError> = None;
        let mut rank = Rank::NotExist;
        for index in 0..self.entries.len() {
            let first = self.attempts.len();
            let error = match step(self, index) {
                Ok(value) => return Ok((value, index)),
                Err(error) => error,
            };
            let entry = &self.entries[index];
            let is_direct = matches!(entry, ProxyEntry::Direct)
                || (matches!(entry, ProxyEntry::NoProxy) && !error.use_proxy);
            if is_direct {
                rank = Rank::Direct;
                best = Some(error.clone());
            } else if rank <= Rank::Proxy && !error.not_exist {
                rank = Rank::Proxy;
                best = Some(error.clone());
            } else if rank == Rank::NotExist {
                best = Some(error.clone());
            }
            let continues = !error.hang && (error.not_exist || entry.falls_back_on_error());
            if error.hang {
                best = Some(error.clone());
            }
            let more = index + 1 < self.entries.len();
            if let Some(last) = self.attempts[first..].last_mut() {
                last.falls_through = continues && more;
            }
            if !continues {
                break;
            }
        }
        Err(best.unwrap_or_else(|| GoError::other("GOPROXY list is empty")))
    }

    fn backend(&mut self, index: usize) -> Backend {
        let entry = self.entries[index].clone();
        if matches_prefix(&self.gonoproxy, &self.module) {
            return match entry {
                ProxyEntry::NoProxy | ProxyEntry::Direct => Backend::Direct,
                _ => Backend::Refuse(GoError::not_exist("disabled by GOPRIVATE/GONOPROXY")),
            };
        }
        match entry {
            ProxyEntry::Off => {
                Backend::Refuse(GoError::not_exist("module lookup disabled by GOPROXY=off"))
            }
            ProxyEntry::Direct => Backend::Direct,
            ProxyEntry::NoProxy => Backend::Refuse(GoError {
                use_proxy: true,
                ..GoError::not_exist("path does not match GOPRIVATE/GONOPROXY")
            }),
            ProxyEntry::Url { url, .. } => Backend::Proxy(url),
        }
    }

    /// Resolves what an entry does for this path, discovering direct mode's repository once.
    fn resolve(&mut self, index: usize, op: Op, what: &str) -> Result<Target, GoError> {
        match self.backend(index) {
            Backend::Proxy(base) => Ok(Target::Proxy(base)),
            Backend::Refuse(error) => {
                if !error.use_proxy {
                    let source = self.source(index);
                    let what = format!("{}/{what}", self.module);
                    self.skip(source, op, &what, &error.text);
                }
                Err(error)
            }
            Backend::Direct => {
                let fresh = self.discovery.is_none();
                if fresh {
                    let found = direct::discover(self, index);
                    self.discovery = Some(found);
                }
                match self.discovery.clone() {
                    Some(Ok(Discovery::ModProxy(base))) => Ok(Target::Proxy(base)),
                    Some(Ok(Discovery::Vcs(repo))) => Ok(Target::Vcs(repo)),
                    Some(Err(error)) => {
                        // The discovery error is cached: later steps make no request.
                        if !fresh {
                            let source = self.source(index);
                            self.skip(source, op, what, &error.text);
                        }
                        Err(error)
                    }
                    None => Err(GoError::other("internal: no discovery")),
                }
            }
        }
    }

    /// Fetches `suffix` (`@v/list`, `@v/V.info`...) for an entry: a GET from a proxy, or the
    /// version-control equivalent in direct mode.
    fn fetch(
        &mut self,
        index: usize,
        op: Op,
        suffix: &str,
        version: &str,
    ) -> Result<Vec<u8>, GoError> {
        match self.resolve(index, op, suffix)? {
            Target::Proxy(base) => {
                let url = self.url(&base, suffix)?;
                self.get(index, op, &url, false)
            }
            Target::Vcs(repo) => direct::vcs_op(self, index, &repo, op, version),
        }
    }

    /// The source name of an entry, credentials redacted.
    pub(crate) fn source(&self, index: usize) -> String {
        redact(self.entries[index].name())
    }

    /// Records a step the go command would not send.
    pub(crate) fn skip(&mut self, source: String, op: Op, request: &str, error: &str) {
        self.attempts.push(Attempt {
            source,
            op,
            request: redact(request),
            sent: false,
            status: None,
            error: Some(error.to_owned()),
            falls_through: false,
            via: None,
            auth_retry: false,
            failure: None,
            duration_ms: 0,
        });
    }

    /// The time left before the deadline.
    pub(crate) fn left(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }

    /// One GET as `web.Get` makes it, recorded as attempts (two after a 4xx over https).
    pub(crate) fn get(
        &mut self,
        index: usize,
        op: Op,
        url: &str,
        insecure: bool,
    ) -> Result<Vec<u8>, GoError> {
        if let Some(path) = url.strip_prefix("file://") {
            return self.get_file(index, op, url, path);
        }
        let mut response = self.send(index, op, url, insecure, false)?;
        // web/http.go: a 4xx over https is retried once after asking GOAUTH.
        if url.starts_with("https://") && (400..500).contains(&response.0) && !self.auth_off {
            response = self.send(index, op, url, insecure, true)?;
        }
        let (status, content_type, body) = response;
        if status == 200 || (op == Op::Zip && status == 206) {
            return Ok(body);
        }
        let mut text = format!("reading {}: {}", redact(url), status_line(status));
        if let Some(detail) = error_detail(content_type.as_deref(), &body) {
            let separator = if detail.contains('\n') { "\n\t" } else { " " };
            text = format!("{text}\n\tserver response:{separator}{detail}");
        }
        let error = if status == 404 || status == 410 {
            GoError::not_exist(text)
        } else {
            GoError::other(text)
        };
        if let Some(last) = self.attempts.last_mut() {
            last.error = Some(error.text.clone());
        }
        Err(error)
    }

    /// A direct-mode discovery GET: any status is an answer (meta tags may sit in a 404
    /// page); only a failed request is an error.
    pub(crate) fn get_page(
        &mut self,
        index: usize,
        url: &str,
        insecure: bool,
    ) -> Result<(u16, Vec<u8>), String> {
        let mut response = self
            .send(index, Op::GoGet, url, insecure, false)
            .map_err(|e| e.text)?;
        if url.starts_with("https://") && (400..500).contains(&response.0) && !self.auth_off {
            response = self
                .send(index, Op::GoGet, url, insecure, true)
                .map_err(|e| e.text)?;
        }
        Ok((response.0, response.2))
    }

    #[allow(clippy::type_complexity)]
    fn send(
        &mut self,
        index: usize,
        op: Op,
        url: &str,
        insecure: bool,
        auth_retry: bool,
    ) -> Result<(u16, Option<String>, Vec<u8>), GoError> {
        let source = self.source(index);
        let left = self.left();
        if left.is_zero() {
            self.skip(source, op, url, "not sent: the deadline passed");
            return Err(GoError {
                hang: true,
                ..GoError::other("not sent: the deadline passed")
            });
        }
        let authorization = if url.starts_with("https://") && !self.auth_off {
            credential_for(&self.netrc, url).map(|line| basic_auth(&line.login, &line.password))
        } else {
            None
        };
        let request = HttpRequest {
            url: url.to_owned(),
            authorization,
            probe_only: op == Op::Zip,
            insecure,
            timeout: left,
        };
        let result = self.client.get(&request);
        let (status, error, via, failure, duration) = match &result {
            Ok(response) => (
                Some(response.status),
                None,
                response.via.clone(),
                None,
                response.duration,
            ),
            Err(error) => {
                let text = net_error_text(url, error.kind, &error.message);
                (
                    None,
                    Some(text),
                    error.via.clone(),
                    Some(error.kind),
                    error.duration,
                )
            }
        };
        self.attempts.push(Attempt {
            source,
            op,
            request: redact(url),
            sent: !matches!(failure, Some(NetErrorKind::NotRecorded)),
            status,
            error: error.clone(),
            falls_through: false,
            via: via.map(|via| redact(&via)),
            auth_retry,
            failure,
            duration_ms: u64::try_from(duration.as_millis()).unwrap_or(u64::MAX),
        });
        match result {
            Ok(response) => Ok((response.status, response.content_type, response.body)),
            Err(failed) => Err(GoError {
                hang: failed.kind == NetErrorKind::Timeout,
                ..GoError::other(error.unwrap_or_default())
            }),
        }
    }

    /// A `file://` proxy: read through Host; missing is 404, unreadable 403 (web/http.go
    /// `getFile`).
    fn get_file(
        &mut self,
        index: usize,
        op: Op,
        url: &str,
        path: &str,
    ) -> Result<Vec<u8>, GoError> {
        let started = Instant::now();
        let read = self.host.read(Path::new(path));
        let (status, error) = match &read {
            Ok(_) => (200, None),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (
                404,
                Some(GoError::not_exist(format!(
                    "reading {url}: no such file or directory"
                ))),
            ),
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => (
                403,
                Some(GoError::other(format!("reading {url}: permission denied"))),
            ),
            Err(e) => (0, Some(GoError::other(format!("reading {url}: {e}")))),
        };
        let source = self.source(index);
        self.attempts.push(Attempt {
            source,
            op,
            request: url.to_owned(),
            sent: true,
            status: (status != 0).then_some(status),
            error: error.as_ref().map(|e| e.text.clone()),
            falls_through: false,
            via: None,
            auth_retry: false,
            failure: None,
            duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        });
        match (read, error) {
            (Ok(bytes), None) => Ok(bytes),
            (_, Some(error)) => Err(error),
            (Err(e), None) => Err(GoError::other(e.to_string())),
        }
    }

    /// The URL of `suffix` (`@v/list`, `@v/v1.0.0.info`) for this module at `base`.
    fn url(&self, base: &str, suffix: &str) -> Result<String, GoError> {
        let escaped =
            escape::escape_path(&self.module).map_err(|e| GoError::other(e.to_string()))?;
        Ok(format!("{}/{escaped}/{suffix}", base.trim_end_matches('/')))
    }

    /// `proxyRepo.Stat` through the caches: a known `.info` needs no request.
    fn stat(&mut self, index: usize, rev: &str) -> Result<String, GoError> {
        if self.infos.contains(rev) {
            return Ok(rev.to_owned());
        }
        if let Some(error) = self.stat_errors.get(&(index, rev.to_owned())) {
            return Err(error.clone());
        }
        if let Some(file) = self
            .cache_file(rev, "info")
            .filter(|_| self.on_disk(rev, "info"))
        {
            self.cache_hit(Op::Info, &file, None);
            self.infos.insert(rev.to_owned());
            return Ok(rev.to_owned());
        }
        let result = self.stat_uncached(index, rev);
        match &result {
            Ok(version) => {
                self.infos.insert(version.clone());
            }
            Err(error) => {
                self.stat_errors
                    .insert((index, rev.to_owned()), error.clone());
            }
        }
        result
    }

    fn stat_uncached(&mut self, index: usize, rev: &str) -> Result<String, GoError> {
        let escaped = escape::escape_version(rev).map_err(|e| GoError::other(e.to_string()))?;
        let suffix = format!("@v/{escaped}.info");
        let body = self
            .fetch(index, Op::Info, &suffix, rev)
            .map_err(proxy_side)?;
        let version = serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|info| info.get("Version").and_then(|v| v.as_str()).map(str::to_owned))
            .ok_or_else(|| {
                proxy_side(GoError::other(format!(
                    "invalid response from proxy {:?}: the .info answer is not {{\"Version\": ...}} JSON",
                    redact(self.entries[index].name())
                )))
            })?;
        if version != rev && rev == semver::canonical_module_version(rev) {
            return Err(proxy_side(GoError::other(format!(
                "proxy returned info for version {version} instead of requested version"
            ))));
        }
        Ok(version)
    }

    /// `cachingRepo.Versions`: the `@v/list` lines, asked once per entry and prefix (an
    /// error is remembered too).
    fn list(&mut self, index: usize, prefix: &str) -> Result<Vec<String>, GoError> {
        let key = (index, prefix.to_owned());
        if let Some(answer) = self.lists.get(&key) {
            return answer.clone();
        }
        let answer = self
            .fetch(index, Op::List, "@v/list", "")
            .map_err(proxy_side)
            .map(|body| {
                String::from_utf8_lossy(&body)
                    .lines()
                    .map(str::to_owned)
                    .collect()
            });
        self.lists.insert(key, answer.clone());
        answer
    }

    /// `proxyRepo.Latest`: `@latest`, falling back to the newest list entry by time.
    fn latest(&mut self, index: usize) -> Result<String, GoError> {
        match self.fetch(index, Op::Latest, "@latest", "latest") {
            Ok(body) => serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|info| {
                    info.get("Version")
                        .and_then(|v| v.as_str())
                        .map(str::to_owned)
                })
                .ok_or_else(|| {
                    GoError::other(format!(
                        "invalid response from proxy {:?}: the @latest answer is not JSON",
                        redact(self.entries[index].name())
                    ))
                }),
            Err(error) if error.not_exist => {
                let lines = self
                    .lists
                    .iter()
                    .find(|((at, _), _)| *at == index)
                    .and_then(|(_, answer)| answer.clone().ok())
                    .unwrap_or_default();
                newest_pseudo(&lines)
                    .ok_or_else(|| GoError::not_exist("no commits"))
                    .and_then(|version| self.stat(index, &version))
            }
            Err(error) => Err(error),
        }
    }

    /// `Fetcher.GoMod`: the go.mod text, from memory, disk, or a walk.
    pub fn go_mod(&mut self, version: &str) -> Result<(Vec<u8>, Option<usize>), GoError> {
        if let Some(data) = self.mods.get(version) {
            return Ok((data.clone(), None));
        }
        if let Some(data) = self.read_disk(version, "mod") {
            if let Some(file) = self.cache_file(version, "mod") {
                self.cache_hit(Op::Mod, &file, None);
            }
            self.mods.insert(version.to_owned(), data.clone());
            return Ok((data, None));
        }
        let (data, index) = self.try_proxies(|walker, index| {
            let escaped =
                escape::escape_version(version).map_err(|e| GoError::other(e.to_string()))?;
            let suffix = format!("@v/{escaped}.mod");
            walker.fetch(index, Op::Mod, &suffix, version)
        })?;
        self.mods.insert(version.to_owned(), data.clone());
        Ok((data, Some(index)))
    }

    /// `Fetcher.DownloadZip`: the module cache's zip when it is there (used as it is, or
    /// hashed again without a request), else the walk, where the zip is only probed (first byte).
    /// Returns the entry that served it, `None` for the module cache.
    pub fn zip(
        &mut self,
        version: &str,
        cache: Option<&CacheEntry>,
    ) -> Result<Option<usize>, GoError> {
        if let Some(entry) = cache.filter(|entry| entry.zip) {
            let file = format!("{}.zip", entry.stem);
            let error = entry.zip_error(&format!("{}@{version}", self.module));
            self.cache_hit(Op::Zip, &file, error.as_deref());
            return match error {
                Some(error) => Err(GoError {
                    bare: true,
                    ..GoError::other(error)
                }),
                None => Ok(None),
            };
        }
        let (_, index) = self.try_proxies(|walker, index| {
            let escaped =
                escape::escape_version(version).map_err(|e| GoError::other(e.to_string()))?;
            let suffix = format!("@v/{escaped}.zip");
            walker.fetch(index, Op::Zip, &suffix, version)
        })?;
        Ok(Some(index))
    }

    /// Records a step answered by a file of the module cache.
    fn cache_hit(&mut self, op: Op, file: &str, error: Option<&str>) {
        self.attempts.push(Attempt {
            source: MODULE_CACHE.to_owned(),
            op,
            request: file.to_owned(),
            sent: false,
            status: None,
            error: error.map(str::to_owned),
            falls_through: false,
            via: None,
            auth_retry: false,
            failure: None,
            duration_ms: 0,
        });
    }

    /// modload `Query`: resolves `query` to a version through the GOPROXY walk.
    pub fn query(&mut self, query: &str) -> Result<(String, usize), GoError> {
        let mut matcher = Matcher::new(&self.module, query)?;
        // modload/list.go: only a revision query skips the exclusion and retraction checks.
        matcher.check_retractions = !matcher.stat;
        self.try_proxies(|walker, index| walker.query_proxy(index, query, &matcher))
    }

    /// modload `CheckRetractions`, once per module: the newest version (a `latest` query
    /// that ignores retractions) and its go.mod, whose `retract` lines apply. Its errors
    /// do not stop the query.
    fn check_retractions(&mut self) {
        if self.retractions_checked {
            return;
        }
        self.retractions_checked = true;
        let Ok(matcher) = Matcher::new(&self.module, "latest") else {
            return;
        };
        let latest =
            self.try_proxies(|walker, index| walker.query_proxy(index, "latest", &matcher));
        if let Ok((version, _)) = latest {
            let _ = self.go_mod(&version);
        }
    }

    fn query_proxy(
        &mut self,
        index: usize,
        query: &str,
        matcher: &Matcher,
    ) -> Result<String, GoError> {
        if matcher.stat {
            return match self.stat(index, query) {
                Ok(version) => Ok(version),
                Err(error) => {
                    let canonical = semver::canonical_module_version(query);
                    if !canonical.is_empty() && canonical != query {
                        match self.stat(index, &canonical) {
                            Ok(version) => return Ok(version),
                            Err(second) if !second.not_exist => return Err(second),
                            Err(_) => {}
                        }
                    }
                    Err(error)
                }
            };
        }
        let lines = self.list(index, &matcher.prefix)?;
        let mut versions: Vec<String> = lines
            .iter()
            .filter_map(|line| line.split_whitespace().next())
            .filter(|v| {
                semver::is_valid(v)
                    && v.starts_with(&matcher.prefix)
                    && !semver::is_pseudo_version(v)
            })
            .map(str::to_owned)
            .collect();
        semver::sort(&mut versions);
        let (releases, prereleases) = self.filter_versions(matcher, &versions)?;
        let pick = if matcher.prefer_lower {
            releases.first().or(prereleases.first())
        } else {
            releases.last().or(prereleases.last())
        };
        if let Some(version) = pick.cloned() {
            return self.stat(index, &version);
        }
        if matcher.may_use_latest {
            match self.latest(index) {
                Ok(version) if matcher.allows(&version) => {
                    if matcher.check_retractions {
                        self.check_retractions();
                    }
                    return self.stat(index, &version);
                }
                Err(error) if !error.not_exist => return Err(error),
                Ok(_) | Err(_) => {}
            }
        }
        Err(GoError::not_exist(format!(
            "no matching versions for query {query:?}"
        )))
    }

    /// `filterVersions`: +incompatible versions count only when the newest compatible
    /// version has no go.mod (which takes a `.mod` walk of its own).
    fn filter_versions(
        &mut self,
        matcher: &Matcher,
        versions: &[String],
    ) -> Result<(Vec<String>, Vec<String>), GoError> {
        let mut releases = Vec::new();
        let mut prereleases = Vec::new();
        let mut need_incompatible = false;
        let mut last_compatible: Option<String> = None;
        for v in versions.iter().filter(|v| matcher.allows(v)) {
            if matcher.check_retractions {
                self.check_retractions();
            }
            if !need_incompatible {
                if !v.ends_with("+incompatible") {
                    last_compatible = Some(v.clone());
                } else if let Some(last) = last_compatible.clone() {
                    let (data, _) = self.go_mod(&last)?;
                    if data != legacy_go_mod(&self.module) {
                        break;
                    }
                    need_incompatible = true;
                }
            }
            if semver::prerelease(v).is_empty() {
                releases.push(v.clone());
            } else {
                prereleases.push(v.clone());
            }
        }
        Ok((releases, prereleases))
    }

    fn cache_file(&self, version: &str, ext: &str) -> Option<String> {
        let dir = modcache::download_dir(self.gomodcache.as_ref()?);
        modcache::version_stem(&dir, &self.module, version).map(|stem| format!("{stem}.{ext}"))
    }

    fn on_disk(&self, version: &str, ext: &str) -> bool {
        self.read_disk(version, ext).is_some()
    }

    fn read_disk(&self, version: &str, ext: &str) -> Option<Vec<u8>> {
        let file = self.cache_file(version, ext)?;
        self.host.read(Path::new(&file)).ok()
    }
}

/// What a query asks for (modload `newQueryMatcher`).
struct Matcher {
    stat: bool,
    prefix: String,
    prefer_lower: bool,
    may_use_latest: bool,
    filter: Filter,
    /// Versions must pass modload's `CheckAllowed` (retractions), which asks for the
    /// newest version's go.mod.
    check_retractions: bool,
}

enum Filter {
    All,
    AtLeast(String),
    Above(String),
    AtMost(String),
    Below(String),
}

impl Matcher {
    fn new(path: &str, query: &str) -> Result<Self, GoError> {
        let mut m = Self {
            stat: false,
            prefix: String::new(),
            prefer_lower: false,
            may_use_latest: false,
            filter: Filter::All,
            check_retractions: false,
        };
        let bad =
            |v: &str| GoError::other(format!("invalid semantic version {v:?} in range {query:?}"));
        if query == "latest" || query == "upgrade" {
            m.may_use_latest = true;
        } else if query == "patch" {
            return Err(GoError::other(format!(
                "can't query version \"patch\" of module {path}: no existing version is required"
            )));
        } else if let Some(v) = query.strip_prefix("<=") {
            if !semver::is_valid(v) {
                return Err(bad(v));
            }
            m.filter = Filter::AtMost(v.to_owned());
        } else if let Some(v) = query.strip_prefix('<') {
            if !semver::is_valid(v) {
                return Err(bad(v));
            }
            m.filter = Filter::Below(v.to_owned());
        } else if let Some(v) = query.strip_prefix(">=") {
            if !semver::is_valid(v) {
                return Err(bad(v));
            }
            m.filter = Filter::AtLeast(v.to_owned());
            m.prefer_lower = true;
        } else if let Some(v) = query.strip_prefix('>') {
            if !semver::is_valid(v) {
                return Err(bad(v));
            }
            m.filter = Filter::Above(v.to_owned());
            m.prefer_lower = true;
        } else if semver::is_valid(query) {
            if is_prefix(query) {
                m.prefix = format!("{query}.");
                m.filter = Filter::AtLeast(query.to_owned());
            } else {
                m.stat = true;
            }
        } else {
            // A branch, tag or commit: asked for directly.
            m.stat = true;
        }
        Ok(m)
    }

    fn allows(&self, v: &str) -> bool {
        use std::cmp::Ordering::{Greater, Less};
        if !self.prefix.is_empty() && !v.starts_with(&self.prefix) {
            return false;
        }
        match &self.filter {
            Filter::All => true,
            Filter::AtLeast(w) => semver::compare(v, w) != Less,
            Filter::Above(w) => semver::compare(v, w) == Greater,
            Filter::AtMost(w) => semver::compare(v, w) != Greater,
            Filter::Below(w) => semver::compare(v, w) == Less,
        }
    }
}

/// `gover.ModIsPrefix` for modules: `v1` or `v1.2` (no patch number).
fn is_prefix(v: &str) -> bool {
    let core = v.split(['-', '+']).next().unwrap_or(v);
    core.matches('.').count() < 2
}

/// `modfetch.LegacyGoMod`: what the go command synthesises for a version without go.mod.
fn legacy_go_mod(path: &str) -> Vec<u8> {
    format!("module {}\n", quote_module_path(path)).into_bytes()
}

fn quote_module_path(path: &str) -> String {
    // modfile.AutoQuote: quote when the path has characters that need it.
    if path
        .chars()
        .any(|c| c.is_whitespace() || c == '"' || c == '\'' || c == '`')
    {
        format!("{path:?}")
    } else {
        path.to_owned()
    }
}

/// `latestFromList`: the list entry with the newest time (field 2, or the pseudo-version's
/// own timestamp); tagged versions without a time are skipped.
fn newest_pseudo(lines: &[String]) -> Option<String> {
    lines
        .iter()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let version = fields.next()?;
            if !semver::is_valid(version) {
                return None;
            }
            let time = match fields.next() {
                Some(time) => time.to_owned(),
                None if semver::is_pseudo_version(version) => {
                    let stamp = version.split('-').rev().nth(1)?;
                    stamp.rsplit('.').next()?.to_owned()
                }
                None => return None,
            };
            Some((time, version.to_owned()))
        })
        .max()
        .map(|(_, version)| version)
}

fn proxy_side(mut error: GoError) -> GoError {
    error.proxy_side = true;
    error
}

/// `resp.Status` as Go prints it: `404 Not Found`.
#[must_use]
pub fn status_line(status: u16) -> String {
    let reason = match status {
        200 => "OK",
        206 => "Partial Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        407 => "Proxy Authentication Required",
        408 => "Request Timeout",
        410 => "Gone",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    };
    if reason.is_empty() {
        status.to_string()
    } else {
        format!("{status} {reason}")
    }
}

/// web/api.go `formatErrorDetail`: plain-text bodies of failed answers, up to 8 lines or
/// 648 bytes, stopping at the first blank line; nothing when not printable UTF-8.
#[must_use]
pub fn error_detail(content_type: Option<&str>, body: &[u8]) -> Option<String> {
    let media = content_type?;
    let mut parts = media.split(';');
    if !parts.next()?.trim().eq_ignore_ascii_case("text/plain") {
        return None;
    }
    let charset = parts
        .filter_map(|p| p.trim().split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("charset"))
        .map(|(_, v)| v.trim().trim_matches('"').to_ascii_lowercase())
        .unwrap_or_default();
    if !matches!(charset.as_str(), "" | "utf-8" | "us-ascii") {
        return None;
    }
    let text = std::str::from_utf8(body).ok()?;
    if text.chars().any(|c| c.is_control() && !c.is_whitespace()) {
        return None;
    }
    let mut detail = String::new();
    for (i, line) in text.split('\n').enumerate() {
        if line.trim().is_empty() {
            break;
        }
        if i > 0 {
            detail.push_str("\n\t");
        }
        if i >= 8 {
            detail.push_str("[Truncated: too many lines.]");
            break;
        }
        if detail.len() + line.len() > 648 {
            detail.push_str("[Truncated: too long.]");
            break;
        }
        detail.push_str(line);
    }
    (!detail.is_empty()).then_some(detail)
}

/// The text Go's net/http client gives for a failed request, as close as godiag can say it.
fn net_error_text(url: &str, kind: NetErrorKind, message: &str) -> String {
    let url = redact(url);
    let why = match kind {
        NetErrorKind::Timeout => format!(
            "no answer before godiag's deadline ({message}); the go command sets no timeout and would keep waiting"
        ),
        NetErrorKind::Refused => "connect: connection refused".to_owned(),
        NetErrorKind::Reset => "connection reset by peer (EOF)".to_owned(),
        NetErrorKind::UnknownAuthority => {
            "tls: failed to verify certificate: x509: certificate signed by unknown authority"
                .to_owned()
        }
        NetErrorKind::NotRecorded => return message.to_owned(),
        _ => message.to_owned(),
    };
    format!("Get {url:?}: {why}")
}

/// An `Authorization: Basic` value.
fn basic_auth(login: &str, password: &str) -> String {
    use base64::Engine as _;
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{login}:{password}"));
    format!("Basic {token}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_detail_follows_web_api() {
        assert_eq!(
            error_detail(
                Some("text/plain; charset=utf-8"),
                b"not found: x\n\nignored"
            )
            .as_deref(),
            Some("not found: x")
        );
        assert_eq!(error_detail(Some("text/html"), b"x"), None);
        assert_eq!(error_detail(Some("text/plain; charset=latin1"), b"x"), None);
        assert_eq!(
            error_detail(Some("text/plain"), b"a\nb").as_deref(),
            Some("a\n\tb")
        );
        assert_eq!(error_detail(Some("text/plain"), b"bad\x1b[31m"), None);
        let many = "l\n".repeat(10);
        assert!(
            error_detail(Some("text/plain"), many.as_bytes())
                .unwrap()
                .ends_with("[Truncated: too many lines.]")
        );
    }

    #[test]
    fn newest_list_entry_by_time() {
        let lines = vec![
            "v1.0.0".to_owned(),
            "v0.0.0-20200101000000-aaaaaaaaaaaa".to_owned(),
            "v0.0.0-20210101000000-bbbbbbbbbbbb".to_owned(),
        ];
        assert_eq!(
            newest_pseudo(&lines).as_deref(),
            Some("v0.0.0-20210101000000-bbbbbbbbbbbb")
        );
    }

    #[test]
    fn query_kinds() {
        assert!(Matcher::new("x.example/m", "v1.2.3").unwrap().stat);
        assert!(Matcher::new("x.example/m", "master").unwrap().stat);
        let prefix = Matcher::new("x.example/m", "v1.2").unwrap();
        assert!(
            !prefix.stat
                && prefix.allows("v1.2.5")
                && !prefix.allows("v1.20.0")
                && !prefix.allows("v1.2.0-rc.1")
        );
        assert!(
            Matcher::new("x.example/m", "latest")
                .unwrap()
                .may_use_latest
        );
        assert!(Matcher::new("x.example/m", ">=x").is_err());
    }
}

//! Direct mode: where the go command finds a module's source without a proxy.
//!
//! cmd/go/internal/vcs: a few hosting sites are known by pattern (`github.com/U/R` is git at
//! `https://github.com/U/R`, no request needed); other paths are asked with
//! `https://PATH?go-get=1` and the answer's `<meta name="go-import">` tags name the
//! repository (`git`, `hg`...) or a module proxy (`mod`). Under GOINSECURE the question may
//! fall back to plain `http://` and certificates are not checked. For git repositories
//! godiag runs what the go command runs first ([`super::git`]): `git ls-remote` with the
//! same environment (`GIT_TERMINAL_PROMPT=0` unless set), and `git version`.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use godiag_core::redact::redact;
use godiag_go::modcache;
use godiag_go::patterns::matches_prefix;
use godiag_go::semver;

use super::git;
use super::model::{Attempt, GoError, Op};
use super::walk::Walker;

/// A version-control repository found for a module path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repo {
    /// `git`, `hg`, `svn`, `bzr`, `fossil`.
    pub vcs: String,
    /// The repository URL.
    pub url: String,
    /// The import-path prefix the repository serves.
    pub root: String,
}

/// What direct mode found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Discovery {
    /// A `mod` meta tag: a module proxy serves this path.
    ModProxy(String),
    /// A version-control repository.
    Vcs(Repo),
}

/// `RepoRootForImportPath`: known hosting patterns, then `?go-get=1` discovery.
pub fn discover(walker: &mut Walker<'_>, index: usize) -> Result<Discovery, GoError> {
    let path = walker.module.clone();
    if let Some(repo) = known_site(&path) {
        return Ok(Discovery::Vcs(repo));
    }
    let insecure = matches_prefix(&walker.goinsecure, &path);
    let found = dynamic(walker, index, &path, insecure);
    found.map_err(|text| GoError::not_exist(format!("unrecognized import path {path:?}: {text}")))
}

/// The `vcsPaths` table entries that need no request.
fn known_site(path: &str) -> Option<Repo> {
    let parts: Vec<&str> = path.split('/').collect();
    let word = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '.' || c == '-')
    };
    match parts.as_slice() {
        [
            site @ ("github.com" | "bitbucket.org"),
            user,
            repo,
            rest @ ..,
        ] if word(user) && word(repo) && rest.iter().all(|p| word(p)) => {
            let root = format!("{site}/{user}/{repo}");
            Some(Repo {
                vcs: "git".to_owned(),
                url: format!("https://{root}"),
                root,
            })
        }
        _ => {
            // `host/path.git/...`: the repository is named in the path itself.
            let at = path.find(".git")?;
            let end = at + ".git".len();
            (path.len() == end || path[end..].starts_with('/')).then(|| Repo {
                vcs: "git".to_owned(),
                url: format!("https://{}", &path[..end]),
                root: path[..end].to_owned(),
            })
        }
    }
}

/// `repoRootForImportDynamic`: asks `PATH?go-get=1` and reads the meta tags.
fn dynamic(
    walker: &mut Walker<'_>,
    index: usize,
    path: &str,
    insecure: bool,
) -> Result<Discovery, String> {
    let (url, body, status) = meta_page(walker, index, path, insecure)?;
    let tags = meta_tags(&body);
    let Some(tag) = choose(&tags, path) else {
        if status != 200 {
            return Err(format!(
                "reading {url}: {}",
                super::walk::status_line(status)
            ));
        }
        return Err(format!("parse {url}: no go-import meta tags ()"));
    };
    if tag.prefix != path {
        // A tag for a prefix is confirmed by asking the prefix itself.
        let (prefix_url, prefix_body, _) = meta_page(walker, index, &tag.prefix, insecure)
            .map_err(|e| format!("fetching {}: {e}", tag.prefix))?;
        if choose(&meta_tags(&prefix_body), path) != Some(tag.clone()) {
            return Err(format!(
                "{url} and {prefix_url} disagree about go-import for {}",
                tag.prefix
            ));
        }
    }
    if tag.vcs == "mod" {
        return Ok(Discovery::ModProxy(tag.repo));
    }
    if !["git", "hg", "svn", "bzr", "fossil"].contains(&tag.vcs.as_str()) {
        return Err(format!("{url}: unknown vcs {:?}", tag.vcs));
    }
    Ok(Discovery::Vcs(Repo {
        vcs: tag.vcs,
        url: tag.repo,
        root: tag.prefix,
    }))
}

/// GETs the discovery page: https first; under GOINSECURE a failed https falls back to
/// http (web/http.go). Returns the URL that answered, its body and status.
fn meta_page(
    walker: &mut Walker<'_>,
    index: usize,
    path: &str,
    insecure: bool,
) -> Result<(String, Vec<u8>, u16), String> {
    let (host, rest) = path.split_once('/').map_or((path, ""), |(h, r)| (h, r));
    let https = format!("https://{host}/{rest}?go-get=1");
    match walker.get_page(index, &https, insecure) {
        Ok((status, body)) => Ok((https, body, status)),
        Err(_) if insecure => {
            let http = format!("http://{host}/{rest}?go-get=1");
            walker
                .get_page(index, &http, insecure)
                .map(|(status, body)| (http, body, status))
                .map_err(|e| format!("http/https fetch: {e}"))
        }
        Err(error) => Err(format!("https fetch: {error}")),
    }
}

/// One `go-import` meta tag.
#[derive(Debug, Clone, PartialEq, Eq)]
struct MetaTag {
    prefix: String,
    vcs: String,
    repo: String,
}

/// `parseMetaGoImports`: `<meta name="go-import" content="PREFIX VCS REPO">` tags before
/// `<body>`; a `mod` tag wins over another for the same prefix (module mode).
fn meta_tags(body: &[u8]) -> Vec<MetaTag> {
    let text = String::from_utf8_lossy(body);
    let lower = text.to_ascii_lowercase();
    let end = lower.find("<body").unwrap_or(lower.len());
    let mut tags = Vec::new();
    let mut at = 0;
    while let Some(start) = lower[at..end].find("<meta") {
        let start = at + start;
        let close = lower[start..].find('>').map_or(end, |c| start + c);
        let element = &text[start..close];
        at = close.max(start + 5);
        if attribute(element, "name").as_deref() != Some("go-import") {
            continue;
        }
        let Some(content) = attribute(element, "content") else {
            continue;
        };
        let fields: Vec<&str> = content.split_whitespace().collect();
        if let [prefix, vcs, repo, ..] = fields.as_slice() {
            tags.push(MetaTag {
                prefix: (*prefix).to_owned(),
                vcs: (*vcs).to_owned(),
                repo: (*repo).to_owned(),
            });
        }
    }
    tags
}

fn attribute(element: &str, name: &str) -> Option<String> {
    let lower = element.to_ascii_lowercase();
    let key = format!("{name}=");
    let at = lower.find(&key)? + key.len();
    let rest = &element[at..];
    let quote = rest.chars().next()?;
    if quote == '"' || quote == '\'' {
        let rest = &rest[1..];
        rest.find(quote).map(|end| rest[..end].to_owned())
    } else {
        Some(
            rest.split_whitespace()
                .next()?
                .trim_end_matches('/')
                .to_owned(),
        )
    }
}

/// `matchGoImport`: the tag whose prefix is a path prefix of `path` (a `mod` tag preferred).
fn choose(tags: &[MetaTag], path: &str) -> Option<MetaTag> {
    let fits = |tag: &&MetaTag| path == tag.prefix || path.starts_with(&format!("{}/", tag.prefix));
    tags.iter()
        .filter(fits)
        .find(|tag| tag.vcs == "mod")
        .or_else(|| tags.iter().find(fits))
        .cloned()
}

/// Runs the version-control step for an operation: `git ls-remote` once, then answers
/// list/info from its tags. `.mod` and `.zip` are built from a clone by the go command;
/// godiag stops at knowing the revision exists.
pub fn vcs_op(
    walker: &mut Walker<'_>,
    index: usize,
    repo: &Repo,
    op: Op,
    version: &str,
) -> Result<Vec<u8>, GoError> {
    if repo.vcs != "git" {
        return Err(GoError::other(format!(
            "godiag checks git repositories only; {} {} was not contacted",
            repo.vcs, repo.url
        )));
    }
    if walker.remote_refs.is_none() {
        let refs = ls_remote(walker, index, repo);
        walker.remote_refs = Some(refs);
    }
    let refs = match walker.remote_refs.clone() {
        Some(Ok(refs)) => refs,
        Some(Err(error)) => return Err(error),
        None => return Err(GoError::other("internal: git ls-remote not run")),
    };
    let tags: Vec<String> = refs
        .iter()
        .filter_map(|r| r.strip_prefix("refs/tags/"))
        .filter(|tag| semver::is_valid(tag))
        .map(str::to_owned)
        .collect();
    match op {
        Op::List => Ok(tags.join("\n").into_bytes()),
        Op::Latest => Err(GoError::not_exist("no @latest in direct mode")),
        Op::Info | Op::Mod | Op::Zip => {
            let known = tags.iter().any(|t| t == version)
                || refs.iter().any(|r| r.rsplit('/').next() == Some(version))
                || (version.len() >= 7 && version.bytes().all(|b| b.is_ascii_hexdigit()));
            if known {
                Ok(format!("{{\"Version\":{version:?}}}").into_bytes())
            } else {
                Err(GoError::not_exist(format!(
                    "{}: unknown revision {version}",
                    repo.root
                )))
            }
        }
        Op::GoGet | Op::Vcs => Ok(Vec::new()),
    }
}

/// Runs the go command's first git steps for a repository, once: `git ls-remote`, then
/// `git version` when the module cache holds no clone yet. Returns the refs or the error
/// the go command words (a `git version` failure stops the repository's lookup; an
/// `ls-remote` failure is the version's `invalid version:` error).
fn ls_remote(walker: &mut Walker<'_>, index: usize, repo: &Repo) -> Result<Vec<String>, GoError> {
    let gomodcache = walker.gomodcache.as_deref().unwrap_or_default();
    let work = modcache::vcs_work_dir(gomodcache, "git3", &repo.url);
    let timeout = walker.left().min(Duration::from_secs(30));
    let listed = git::ls_remote(walker.host, &repo.url, &work, timeout);
    let env: BTreeMap<String, String> = walker.host.env_vars().into_iter().collect();
    let mut report = git::GitReport {
        url: redact(&repo.url),
        path: walker.host.which("git").map(|p| p.display().to_string()),
        rewrite: git::find_rewrite(walker.host, &env, &repo.url),
        terminal_prompt: env
            .get("GIT_TERMINAL_PROMPT")
            .filter(|v| !v.is_empty())
            .cloned(),
        ..git::GitReport::default()
    };
    if let Some((status, stderr)) = &listed.failure {
        report.ls_remote_status = *status;
        report.ls_remote_stderr = Some(stderr.clone());
    }
    let source = walker.source(index);
    walker.attempts.push(Attempt {
        source,
        op: Op::Vcs,
        request: redact(&format!("git ls-remote -q --end-of-options {}", repo.url)),
        sent: listed.ran,
        status: None,
        error: listed.refs.as_ref().err().cloned(),
        falls_through: false,
        via: None,
        auth_retry: false,
        failure: None,
        duration_ms: u64::try_from(listed.duration.as_millis()).unwrap_or(u64::MAX),
    });
    // newGitRepo: a repository without a clone yet asks `git version` first.
    let cloned = walker
        .host
        .metadata(Path::new(&format!("{work}/objects")))
        .is_ok();
    if !cloned {
        match git::run_version(walker.host, walker.left().min(Duration::from_secs(10))) {
            Ok(version) => report.version = Some(version),
            Err(error) => {
                report.version_error = Some(error.clone());
                walker.git = Some(report);
                return Err(GoError::other(format!(
                    "unable to resolve git version: {error}"
                )));
            }
        }
    }
    walker.git = Some(report);
    listed.refs.map_err(|text| GoError {
        invalid_version: true,
        ..GoError::other(text)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_sites_need_no_request() {
        assert_eq!(
            known_site("github.com/user/repo/sub").map(|r| r.url),
            Some("https://github.com/user/repo".to_owned())
        );
        assert_eq!(
            known_site("git.corp.example/team/tool.git/v2").map(|r| r.root),
            Some("git.corp.example/team/tool.git".to_owned())
        );
        assert_eq!(known_site("git.corp.example/team/tool"), None);
    }

    #[test]
    fn meta_tags_are_read_from_the_head() {
        let page = br#"<html><head><meta name="go-import" content="corp.example/m git https://git.corp.example/m.git">
<META NAME='go-import' CONTENT='corp.example/m mod https://proxy.corp.example'></head>
<body><meta name="go-import" content="corp.example/x git https://late"></body>"#;
        let tags = meta_tags(page);
        assert_eq!(tags.len(), 2);
        let chosen = choose(&tags, "corp.example/m/sub").unwrap();
        assert_eq!(chosen.vcs, "mod");
        assert_eq!(choose(&tags, "corp.example/mx"), None);
    }
}

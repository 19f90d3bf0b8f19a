//! The checksum database step: whether the go command consults it for this module, where
//! it reaches it, and what it answers.
//!
//! cmd/go/internal/modfetch/sumdb.go: `useSumDB` (GOSUMDB not `off`, GONOSUMDB not
//! matching), `dbDial` (GOSUMDB forms: `off`, a known name, `name+hash+key`, either with a
//! URL), `initBase` (through the GOPROXY proxies: `<proxy>/sumdb/<name>/supported`; a 404
//! or 410 everywhere means the database itself at `https://<name>`), then
//! `<base>/lookup/<path>@<version>`, whose signed tree head is verified with the key.

use godiag_go::escape;
use godiag_go::goproxy::ProxyEntry;
use godiag_go::note::{self, SUM_GOLANG_ORG_KEY};
use godiag_go::patterns::matches_prefix;
use serde::Serialize;

use super::model::{Attempt, GoError, Op};
use super::walk::Walker;

/// GOSUMDB read the way `dbDial` reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SumdbSetting {
    /// The database name.
    pub name: String,
    /// The verifier key text.
    pub key: String,
    /// An explicit URL (it bypasses the proxies).
    pub url: Option<String>,
}

/// Parses GOSUMDB; `Ok(None)` for `off`; `Err` holds the go command's message.
pub fn parse_setting(gosumdb: &str) -> Result<Option<SumdbSetting>, String> {
    let value = if gosumdb == "sum.golang.google.cn" {
        "sum.golang.org https://sum.golang.google.cn"
    } else {
        gosumdb
    };
    if value == "off" {
        return Ok(None);
    }
    let fields: Vec<&str> = value.split_whitespace().collect();
    let (first, url) = match fields.as_slice() {
        [] => return Err("missing GOSUMDB".to_owned()),
        [first] => (*first, None),
        [first, url] => (*first, Some((*url).to_owned())),
        _ => return Err("invalid GOSUMDB: too many fields".to_owned()),
    };
    let key = if first == "sum.golang.org" {
        SUM_GOLANG_ORG_KEY.to_owned()
    } else {
        first.to_owned()
    };
    let verifier = note::parse_verifier(&key).map_err(|e| format!("invalid GOSUMDB: {e}"))?;
    Ok(Some(SumdbSetting {
        name: verifier.name,
        key,
        url,
    }))
}

/// The `.go.fetch.sumdb` object.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SumdbReport {
    /// True when the go command checks this module's hashes against the database.
    pub used: bool,
    /// Why (not), in words.
    pub reason: String,
    /// The database name.
    pub name: Option<String>,
    /// Where the database is reached (`<proxy>/sumdb/<name>` or `https://<name>`).
    pub base: Option<String>,
    /// The requests made.
    pub attempts: Vec<Attempt>,
    /// The go.sum lines the database holds for this version.
    pub lines: Vec<String>,
    /// The signed tree head verified with the key.
    pub verified: bool,
    /// The tree size of the verified head.
    pub tree_size: Option<u64>,
    /// The error the go command would print for this step.
    pub error: Option<String>,
    /// The database's go.mod hash matches the go.mod the proxy served (`None`: not known).
    pub go_mod_matches: Option<bool>,
}

/// Runs the checksum-database step for `version` of the walker's module.
pub fn check(
    walker: &mut Walker<'_>,
    gosumdb: &str,
    gonosumdb: &str,
    version: &str,
    go_mod: Option<&[u8]>,
) -> SumdbReport {
    let module = walker.module.clone();
    let mut report = SumdbReport::default();
    let setting = match parse_setting(gosumdb) {
        Ok(Some(setting)) => setting,
        Ok(None) => {
            "GOSUMDB=off: hashes are not checked against a checksum database"
                .clone_into(&mut report.reason);
            return report;
        }
        Err(error) => {
            "GOSUMDB is not valid".clone_into(&mut report.reason);
            report.error = Some(error);
            return report;
        }
    };
    report.name = Some(setting.name.clone());
    if matches_prefix(gonosumdb, &module) {
        report.reason = format!("GONOSUMDB ({gonosumdb}) matches {module}");
        return report;
    }
    report.used = true;
    report.reason = format!("{} checks new go.sum lines for {module}", setting.name);
    let first = walker.attempts.len();
    let base = match &setting.url {
        Some(url) => Ok(url.trim_end_matches('/').to_owned()),
        None => find_base(walker, &setting.name),
    };
    let base = match base {
        Ok(base) => base,
        Err(error) => {
            report.error = Some(format!("verifying module: {}", error.text));
            report.attempts = walker.attempts.split_off(first);
            return report;
        }
    };
    report.base = Some(base.clone());
    lookup(walker, &setting, &base, version, go_mod, &mut report);
    report.attempts = walker.attempts.split_off(first);
    report
}

/// `initBase`: the first proxy that says it supports the database, else the database itself.
fn find_base(walker: &mut Walker<'_>, name: &str) -> Result<String, GoError> {
    let found = walker.try_proxies(|walker, index| match walker.entries[index].clone() {
        ProxyEntry::Url { url, .. } => {
            let base = format!("{}/sumdb/{name}", url.trim_end_matches('/'));
            walker
                .get(index, Op::Info, &format!("{base}/supported"), false)
                .map(|_| base)
        }
        ProxyEntry::NoProxy => Err(GoError {
            use_proxy: true,
            ..GoError::not_exist("path does not match GOPRIVATE/GONOPROXY")
        }),
        ProxyEntry::Direct | ProxyEntry::Off => Err(GoError::not_exist("proxy off")),
    });
    match found {
        Ok((base, _)) => Ok(base),
        Err(error) if error.not_exist => Ok(format!("https://{name}")),
        Err(error) => Err(error),
    }
}

fn lookup(
    walker: &mut Walker<'_>,
    setting: &SumdbSetting,
    base: &str,
    version: &str,
    go_mod: Option<&[u8]>,
    report: &mut SumdbReport,
) {
    let module = walker.module.clone();
    let (Ok(path), Ok(escaped_version)) = (
        escape::escape_path(&module),
        escape::escape_version(version),
    ) else {
        return;
    };
    let url = format!("{base}/lookup/{path}@{escaped_version}");
    let index = walker.entries.len().saturating_sub(1);
    let body = match walker.get(index, Op::Info, &url, false) {
        Ok(body) => body,
        Err(error) => {
            report.error = Some(format!(
                "verifying go.mod: {module}@{version}/go.mod: {}",
                error.text
            ));
            return;
        }
    };
    let text = String::from_utf8_lossy(&body).into_owned();
    let Some((record, signed)) = text.split_once("\n\n") else {
        report.error = Some(format!("{url}: malformed lookup answer"));
        return;
    };
    let verifier = match note::parse_verifier(&setting.key) {
        Ok(verifier) => verifier,
        Err(error) => {
            report.error = Some(format!("invalid GOSUMDB: {error}"));
            return;
        }
    };
    match note::open(signed, &verifier) {
        Ok(tree_text) => {
            report.verified = true;
            report.tree_size = note::parse_tree(tree_text).map(|tree| tree.size);
        }
        Err(error) => {
            report.error = Some(format!("{url}: verifying tree note: {error}"));
        }
    }
    let prefix = format!("{module} {version} ");
    let prefix_mod = format!("{module} {version}/go.mod ");
    report.lines = record
        .lines()
        .skip(1)
        .filter(|line| line.starts_with(&prefix) || line.starts_with(&prefix_mod))
        .map(str::to_owned)
        .collect();
    if let Some(data) = go_mod {
        let ours = godiag_go::dirhash::go_mod_hash(data);
        report.go_mod_matches = report
            .lines
            .iter()
            .find_map(|line| line.strip_prefix(&prefix_mod))
            .map(|theirs| theirs == ours);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gosumdb_forms() {
        assert_eq!(parse_setting("off"), Ok(None));
        assert_eq!(parse_setting("").unwrap_err(), "missing GOSUMDB");
        assert_eq!(
            parse_setting("a b c").unwrap_err(),
            "invalid GOSUMDB: too many fields"
        );
        assert_eq!(
            parse_setting("bogus").unwrap_err(),
            "invalid GOSUMDB: malformed verifier id"
        );
        let cn = parse_setting("sum.golang.google.cn").unwrap().unwrap();
        assert_eq!(
            (cn.name.as_str(), cn.url.as_deref()),
            ("sum.golang.org", Some("https://sum.golang.google.cn"))
        );
        assert_eq!(
            parse_setting("sum.golang.org").unwrap().unwrap().key,
            SUM_GOLANG_ORG_KEY
        );
    }
}

//! Semantic versions as golang.org/x/mod/semver reads them (`v1.2.3-pre+build`, with the
//! `v1` and `v1.2` shorthands), plus the module-version helpers of x/mod/module
//! (`CanonicalVersion`, `IsPseudoVersion`).
//!
//! This is not general `SemVer`: the leading `v` is required and the shorthands are valid, as
//! in the go command. Nothing here does I/O.

use std::cmp::Ordering;

/// The parts of a valid version.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Parsed<'a> {
    major: &'a str,
    minor: &'a str,
    patch: &'a str,
    /// What the shorthand left out (`.0.0`, `.0` or empty).
    short: &'static str,
    prerelease: &'a str,
    build: &'a str,
}

/// Returns true when `v` is a valid semantic version (`semver.IsValid`).
#[must_use]
pub fn is_valid(v: &str) -> bool {
    parse(v).is_some()
}

/// Returns the canonical form (`v1` → `v1.0.0`, build suffix dropped), or "" when invalid.
#[must_use]
pub fn canonical(v: &str) -> String {
    let Some(p) = parse(v) else {
        return String::new();
    };
    if !p.build.is_empty() {
        return v[..v.len() - p.build.len()].to_owned();
    }
    format!("{v}{}", p.short)
}

/// Returns the major version prefix (`v2`), or "" when invalid.
#[must_use]
pub fn major(v: &str) -> &str {
    parse(v).map_or("", |p| &v[..=p.major.len()])
}

/// Returns the prerelease suffix including its `-`, or "".
#[must_use]
pub fn prerelease(v: &str) -> &str {
    parse(v).map_or("", |p| p.prerelease)
}

/// Returns the build suffix including its `+`, or "".
#[must_use]
pub fn build(v: &str) -> &str {
    parse(v).map_or("", |p| p.build)
}

/// Compares two versions; an invalid version is less than every valid one.
#[must_use]
pub fn compare(v: &str, w: &str) -> Ordering {
    match (parse(v), parse(w)) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(a), Some(b)) => compare_int(a.major, b.major)
            .then_with(|| compare_int(a.minor, b.minor))
            .then_with(|| compare_int(a.patch, b.patch))
            .then_with(|| compare_prerelease(a.prerelease, b.prerelease)),
    }
}

/// Sorts versions the way `semver.Sort` does (ties broken by string order).
pub fn sort(list: &mut [String]) {
    list.sort_by(|a, b| compare(a, b).then_with(|| a.cmp(b)));
}

/// `module.CanonicalVersion`: canonical, but `+incompatible` is kept.
#[must_use]
pub fn canonical_module_version(v: &str) -> String {
    let mut out = canonical(v);
    if build(v) == "+incompatible" {
        out.push_str("+incompatible");
    }
    out
}

/// `module.IsPseudoVersion`: `vX.0.0-yyyymmddhhmmss-abcdef123456` and its two other forms.
#[must_use]
pub fn is_pseudo_version(v: &str) -> bool {
    v.matches('-').count() >= 2 && is_valid(v) && pseudo_shape(v)
}

/// The pseudo-version regular expression of x/mod/module/pseudo.go, by hand:
/// `^v[0-9]+\.(0\.0-|\d+\.\d+-([^+]*\.)?0\.)\d{14}-[A-Za-z0-9]+(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$`.
fn pseudo_shape(v: &str) -> bool {
    let (body, build) = v
        .split_once('+')
        .map_or((v, None), |(b, rest)| (b, Some(rest)));
    if let Some(build) = build
        && (build.is_empty()
            || build.split('.').any(|part| {
                part.is_empty() || !part.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
            }))
    {
        return false;
    }
    // body ends with "<14 digits>-<alnum+>"
    let Some((head, revision)) = body.rsplit_once('-') else {
        return false;
    };
    if revision.is_empty() || !revision.bytes().all(|c| c.is_ascii_alphanumeric()) {
        return false;
    }
    if head.len() < 14 || !head.is_char_boundary(head.len() - 14) {
        return false;
    }
    let (prefix, stamp) = head.split_at(head.len() - 14);
    if !stamp.bytes().all(|c| c.is_ascii_digit()) {
        return false;
    }
    // prefix is "vN.0.0-" or "vN.M.P-<anything>0." / "vN.M.P-0."
    let Some(rest) = prefix.strip_prefix('v') else {
        return false;
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return false;
    }
    let rest = &rest[digits..];
    let Some(rest) = rest.strip_prefix('.') else {
        return false;
    };
    if rest == "0.0-" {
        return true;
    }
    let minor = rest.bytes().take_while(u8::is_ascii_digit).count();
    let rest = &rest[minor..];
    let Some(rest) = rest.strip_prefix('.').filter(|_| minor > 0) else {
        return false;
    };
    let patch = rest.bytes().take_while(u8::is_ascii_digit).count();
    let rest = &rest[patch..];
    let Some(rest) = rest.strip_prefix('-').filter(|_| patch > 0) else {
        return false;
    };
    rest == "0." || (rest.ends_with(".0.") && !rest.contains('+'))
}

fn parse(v: &str) -> Option<Parsed<'_>> {
    let rest = v.strip_prefix('v')?;
    let (major, rest) = parse_int(rest)?;
    if rest.is_empty() {
        return Some(Parsed {
            major,
            minor: "0",
            patch: "0",
            short: ".0.0",
            prerelease: "",
            build: "",
        });
    }
    let (minor, rest) = parse_int(rest.strip_prefix('.')?)?;
    if rest.is_empty() {
        return Some(Parsed {
            major,
            minor,
            patch: "0",
            short: ".0",
            prerelease: "",
            build: "",
        });
    }
    let (patch, mut rest) = parse_int(rest.strip_prefix('.')?)?;
    let mut prerelease = "";
    if rest.starts_with('-') {
        let end = rest.find('+').unwrap_or(rest.len());
        prerelease = &rest[..end];
        if !idents_ok(&prerelease[1..], true) {
            return None;
        }
        rest = &rest[end..];
    }
    let mut build = "";
    if rest.starts_with('+') {
        build = rest;
        if !idents_ok(&build[1..], false) {
            return None;
        }
        rest = "";
    }
    rest.is_empty().then_some(Parsed {
        major,
        minor,
        patch,
        short: "",
        prerelease,
        build,
    })
}

fn parse_int(v: &str) -> Option<(&str, &str)> {
    let digits = v.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || (v.starts_with('0') && digits != 1) {
        return None;
    }
    Some(v.split_at(digits))
}

/// Dot-separated identifiers of `[0-9A-Za-z-]`; prerelease numbers have no leading zero.
fn idents_ok(text: &str, no_leading_zero: bool) -> bool {
    text.split('.').all(|ident| {
        !ident.is_empty()
            && ident
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-')
            && !(no_leading_zero
                && ident.len() > 1
                && ident.starts_with('0')
                && ident.bytes().all(|c| c.is_ascii_digit()))
    })
}

fn compare_int(x: &str, y: &str) -> Ordering {
    x.len().cmp(&y.len()).then_with(|| x.cmp(y))
}

fn compare_prerelease(x: &str, y: &str) -> Ordering {
    match (x.is_empty(), y.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        (false, false) => {}
    }
    let mut a = x[1..].split('.');
    let mut b = y[1..].split('.');
    loop {
        match (a.next(), b.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(dx), Some(dy)) if dx == dy => {}
            (Some(dx), Some(dy)) => {
                let (nx, ny) = (is_num(dx), is_num(dy));
                return match (nx, ny) {
                    (true, false) => Ordering::Less,
                    (false, true) => Ordering::Greater,
                    (true, true) => compare_int(dx, dy),
                    (false, false) => dx.cmp(dy),
                };
            }
        }
    }
}

fn is_num(v: &str) -> bool {
    v.bytes().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validity_and_canonical_forms() {
        for (v, valid, canon) in [
            ("v1", true, "v1.0.0"),
            ("v1.2", true, "v1.2.0"),
            ("v1.2.3", true, "v1.2.3"),
            ("v1.2.3-pre.1+meta", true, "v1.2.3-pre.1"),
            ("v1.2.3+incompatible", true, "v1.2.3"),
            ("1.2.3", false, ""),
            ("v01.2.3", false, ""),
            ("v1.2.3-01", false, ""),
            ("v1.2.3-", false, ""),
            ("v1.2.3+", false, ""),
            ("v1.2-pre", false, ""),
        ] {
            assert_eq!(is_valid(v), valid, "{v}");
            assert_eq!(canonical(v), canon, "{v}");
        }
        assert_eq!(
            canonical_module_version("v2.0.0+incompatible"),
            "v2.0.0+incompatible"
        );
        assert_eq!(major("v2.3.4"), "v2");
    }

    #[test]
    fn ordering_follows_semver() {
        let mut list: Vec<String> = [
            "v1.10.0",
            "v1.2.0",
            "v1.2.0-rc.1",
            "v1.2.0-alpha",
            "v1.2.0-rc.10",
            "v1.2.0-rc.2",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        sort(&mut list);
        assert_eq!(
            list,
            [
                "v1.2.0-alpha",
                "v1.2.0-rc.1",
                "v1.2.0-rc.2",
                "v1.2.0-rc.10",
                "v1.2.0",
                "v1.10.0"
            ]
        );
        assert_eq!(compare("bad", "v0.0.1"), Ordering::Less);
    }

    #[test]
    fn pseudo_versions() {
        for (v, pseudo) in [
            ("v0.0.0-20191109021931-daa7c04131f5", true),
            ("v1.2.4-0.20191109021931-daa7c04131f5", true),
            ("v1.2.3-pre.0.20191109021931-daa7c04131f5", true),
            ("v2.0.0-20191109021931-daa7c04131f5+incompatible", true),
            ("v1.2.3", false),
            ("v1.2.3-rc.1", false),
            ("v0.0.0-2019110902193-daa7c04131f5", false),
            ("v1.2.4-20191109021931-daa7c04131f5", false),
        ] {
            assert_eq!(is_pseudo_version(v), pseudo, "{v}");
        }
    }
}

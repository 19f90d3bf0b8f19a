//! GOPRIVATE-style patterns: `module.MatchPrefixPatterns` (golang.org/x/mod/module).
//!
//! A comma-separated list of globs (path.Match syntax, no trimming of spaces); a glob matches
//! a module path when it matches that path's first N elements, N being the glob's element
//! count. Empty globs are skipped.

/// Returns true when any glob of `patterns` matches a prefix of `target`.
#[must_use]
pub fn matches_prefix(patterns: &str, target: &str) -> bool {
    patterns.split(',').any(|glob| {
        let glob = glob.strip_suffix('/').unwrap_or(glob);
        if glob.is_empty() {
            return false;
        }
        let want = glob.matches('/').count() + 1;
        let elements: Vec<&str> = target.split('/').collect();
        elements.len() >= want && glob_match(glob, &elements[..want].join("/"))
    })
}

/// `path.Match` for the subset module patterns use: `*` (not across `/`), `?`, and `[...]`
/// classes treated literally enough for diagnosis.
#[must_use]
pub fn glob_match(pattern: &str, name: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let name: Vec<char> = name.chars().collect();
    match_from(&pattern, &name)
}

fn match_from(pattern: &[char], name: &[char]) -> bool {
    match pattern.split_first() {
        None => name.is_empty(),
        Some(('*', rest)) => (0..=name.len())
            .take_while(|&skip| skip == 0 || name[skip - 1] != '/')
            .any(|skip| match_from(rest, &name[skip..])),
        Some(('?', rest)) => {
            name.first().is_some_and(|c| *c != '/') && match_from(rest, &name[1..])
        }
        Some((c, rest)) => name.first() == Some(c) && match_from(rest, &name[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_patterns() {
        assert!(matches_prefix(
            "git.corp.example",
            "git.corp.example/team/repo"
        ));
        assert!(matches_prefix(
            "*.corp.example",
            "git.corp.example/team/repo"
        ));
        assert!(matches_prefix(
            "github.com/org/*",
            "github.com/org/repo/sub"
        ));
        assert!(!matches_prefix("github.com/org/*", "github.com/other/repo"));
        assert!(!matches_prefix(" git.corp.example", "git.corp.example/x"));
        assert!(!matches_prefix(
            "https://git.corp.example",
            "git.corp.example/x"
        ));
        assert!(matches_prefix("a.example,,b.example", "b.example/x"));
    }
}

//! Go's `path/filepath` rules on Unix, for computing the paths `go env` prints.

/// `filepath.Clean`: the shortest equivalent path, lexically.
#[must_use]
pub fn clean(path: &str) -> String {
    if path.is_empty() {
        return ".".to_owned();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|last| *last != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let body = parts.join("/");
    match (rooted, body.is_empty()) {
        (true, _) => format!("/{body}"),
        (false, true) => ".".to_owned(),
        (false, false) => body,
    }
}

/// `filepath.Join(base, rel)`: joined and cleaned; empty elements are skipped.
#[must_use]
pub fn join(base: &str, rel: &str) -> String {
    match (base.is_empty(), rel.is_empty()) {
        (true, true) => String::new(),
        (true, false) => clean(rel),
        (false, true) => clean(base),
        (false, false) => clean(&format!("{base}/{rel}")),
    }
}

/// `filepath.SplitList` on Unix: `:`-separated, and an empty string is an empty list.
#[must_use]
pub fn split_list(list: &str) -> Vec<String> {
    if list.is_empty() {
        Vec::new()
    } else {
        list.split(':').map(str::to_owned).collect()
    }
}

/// `filepath.IsAbs` on Unix.
#[must_use]
pub fn is_abs(path: &str) -> bool {
    path.starts_with('/')
}

/// `filepath.Rel(base, target)` for two absolute paths, lexically.
#[must_use]
pub fn rel(base: &str, target: &str) -> String {
    let base = clean(base);
    let target = clean(target);
    let parts = |p: &str| -> Vec<String> {
        p.split('/')
            .filter(|part| !part.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let (from, to) = (parts(&base), parts(&target));
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut out: Vec<String> = vec!["..".to_owned(); from.len() - common];
    out.extend(to[common..].iter().cloned());
    if out.is_empty() {
        ".".to_owned()
    } else {
        out.join("/")
    }
}

/// cmd/go `base.ShortPath`: the path relative to `cwd` when that is shorter, as the go
/// command prints paths in its errors.
#[must_use]
pub fn short_path(path: &str, cwd: &str) -> String {
    if !is_abs(path) || !is_abs(cwd) {
        return path.to_owned();
    }
    let relative = rel(cwd, path);
    if relative.len() < path.len() {
        relative
    } else {
        path.to_owned()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn relative_and_short_paths() {
        use super::{rel, short_path};
        assert_eq!(rel("/w/app", "/w/missing"), "../missing");
        assert_eq!(rel("/p", "/p/go.mod"), "go.mod");
        assert_eq!(rel("/p", "/p"), ".");
        assert_eq!(short_path("/p/go.mod", "/p"), "go.mod");
        assert_eq!(short_path("/a/b/c/d/e", "/x/y/z/q"), "/a/b/c/d/e");
    }

    use super::*;

    #[test]
    fn clean_matches_go() {
        for (input, expected) in [
            ("", "."),
            ("/", "/"),
            ("/a/b/", "/a/b"),
            ("a//b/./c/..", "a/b"),
            ("/../x", "/x"),
            ("../../x", "../../x"),
            ("a/..", "."),
        ] {
            assert_eq!(clean(input), expected, "{input}");
        }
    }

    #[test]
    fn join_and_split_match_go() {
        assert_eq!(join("/home/u/", "go"), "/home/u/go");
        assert_eq!(join("", "x"), "x");
        assert_eq!(split_list(""), Vec::<String>::new());
        assert_eq!(split_list("/a::/b"), ["/a", "", "/b"]);
    }
}

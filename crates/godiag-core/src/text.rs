//! Small text helpers shared by the domains.

/// Returns the Levenshtein distance between `a` and `b`, in characters: how far a typed name
/// is from a known one, for "did you mean" suggestions.
#[must_use]
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            current.push(
                (previous[j] + cost)
                    .min(previous[j + 1] + 1)
                    .min(current[j] + 1),
            );
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::edit_distance;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("GONOSUMCHECK", "GONOSUMDB"), 5);
        assert_eq!(edit_distance("GO_PROXY", "GOPROXY"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("otlp", "otlp"), 0);
        assert_eq!(edit_distance("é", "e"), 1);
    }
}

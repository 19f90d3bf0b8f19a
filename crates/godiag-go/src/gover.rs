//! Go toolchain version order (cmd/go/internal/gover): `1.21` < `1.21rc1` < `1.21.0` < `1.21.1`.

use std::cmp::Ordering;

/// A parsed Go version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Version {
    major: u64,
    minor: u64,
    /// 0 language version, 1 beta, 2 rc, 3 release.
    kind: u8,
    number: u64,
}

impl Version {
    /// Parses `1.21`, `1.21rc1`, `1.21.3`, with or without a `go` prefix.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.strip_prefix("go").unwrap_or(text);
        let (major, rest) = text
            .split_once('.')
            .map_or((text, ""), |(major, rest)| (major, rest));
        let major = major.parse().ok()?;
        if rest.is_empty() {
            return Some(Self {
                major,
                minor: 0,
                kind: 0,
                number: 0,
            });
        }
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let minor = rest[..digits].parse().ok()?;
        let tail = &rest[digits..];
        let (kind, number) = if tail.is_empty() {
            (0, 0)
        } else if let Some(patch) = tail.strip_prefix('.') {
            (3, patch.parse().ok()?)
        } else if let Some(rc) = tail.strip_prefix("rc") {
            (2, rc.parse().ok()?)
        } else if let Some(beta) = tail.strip_prefix("beta") {
            (1, beta.parse().ok()?)
        } else {
            return None;
        };
        Some(Self {
            major,
            minor,
            kind,
            number,
        })
    }

    /// A language version (`1.22`) names no release; the toolchain it asks for is `1.22.0`.
    #[must_use]
    pub fn as_toolchain(self) -> Self {
        if self.kind == 0 {
            Self {
                kind: 3,
                number: 0,
                ..self
            }
        } else {
            self
        }
    }

    /// Formats as a toolchain name, `go1.22.0`.
    #[must_use]
    pub fn toolchain_name(self) -> String {
        match self.kind {
            0 => format!("go{}.{}", self.major, self.minor),
            1 => format!("go{}.{}beta{}", self.major, self.minor, self.number),
            2 => format!("go{}.{}rc{}", self.major, self.minor, self.number),
            _ => format!("go{}.{}.{}", self.major, self.minor, self.number),
        }
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.major, self.minor, self.kind, self.number).cmp(&(
            other.major,
            other.minor,
            other.kind,
            other.number,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_like_gover() {
        let order = [
            "1.20",
            "1.21",
            "1.21beta1",
            "1.21rc1",
            "1.21rc2",
            "1.21.0",
            "go1.21.3",
            "1.22",
        ];
        let parsed: Vec<Version> = order.iter().map(|v| Version::parse(v).unwrap()).collect();
        assert!(
            parsed.windows(2).all(|pair| pair[0] < pair[1]),
            "{parsed:?}"
        );
        assert_eq!(
            Version::parse("1.22")
                .unwrap()
                .as_toolchain()
                .toolchain_name(),
            "go1.22.0"
        );
        assert!(Version::parse("bash").is_none());
        assert!(Version::parse("1.x").is_none());
    }
}

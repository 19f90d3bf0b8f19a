//! Known Collector component types: kind, signals, stability, distribution, and the
//! releases in which types were deprecated, renamed or removed.
//!
//! The table covers the core distribution and the commonly used part of contrib. A type that
//! is not listed is reported as unknown (the Collector's own `unknown type` error), with the
//! closest known name as a hint. Versions are Collector release versions (`0.MINOR.PATCH`);
//! the sources are cited in `docs/checks/OTEL008.md`.

use godiag_core::text::edit_distance;
use std::fmt;
use std::str::FromStr;

/// The kinds of component a config defines, in the Collector's section order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A receiver, defined under `receivers:`.
    Receiver,
    /// A processor, defined under `processors:`.
    Processor,
    /// An exporter, defined under `exporters:`.
    Exporter,
    /// A connector, defined under `connectors:`: an exporter of one pipeline and a receiver
    /// of another.
    Connector,
    /// An extension, defined under `extensions:` and enabled in `service.extensions`.
    Extension,
}

impl Kind {
    /// Every kind, in section order.
    pub const ALL: [Self; 5] = [
        Self::Receiver,
        Self::Processor,
        Self::Exporter,
        Self::Connector,
        Self::Extension,
    ];

    /// Returns the top-level section name (`receivers`, ...).
    #[must_use]
    pub fn section(self) -> &'static str {
        match self {
            Self::Receiver => "receivers",
            Self::Processor => "processors",
            Self::Exporter => "exporters",
            Self::Connector => "connectors",
            Self::Extension => "extensions",
        }
    }

    /// Returns the singular name (`receiver`, ...).
    #[must_use]
    pub fn singular(self) -> &'static str {
        match self {
            Self::Receiver => "receiver",
            Self::Processor => "processor",
            Self::Exporter => "exporter",
            Self::Connector => "connector",
            Self::Extension => "extension",
        }
    }
}

/// A Collector release, `0.MINOR.PATCH`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    /// Major (0 for every Collector release so far).
    pub major: u32,
    /// The minor version: the number that changes with every Collector release.
    pub minor: u32,
    /// The patch version of a bug-fix release.
    pub patch: u32,
}

impl Version {
    /// A release version.
    #[must_use]
    pub const fn new(minor: u32) -> Self {
        Self {
            major: 0,
            minor,
            patch: 0,
        }
    }
}

/// The newest release this registry knows; the default `--collector-version`.
pub const NEWEST_KNOWN: Version = Version::new(159);

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// Why a version string could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a Collector version like 0.135.0")]
pub struct VersionError(pub String);

impl FromStr for Version {
    type Err = VersionError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let trimmed = text.trim().trim_start_matches('v');
        let core = trimmed.split(['-', '+']).next().unwrap_or_default();
        let parts: Vec<&str> = core.split('.').collect();
        let number = |index: usize| -> Result<u32, VersionError> {
            parts
                .get(index)
                .map_or(Ok(0), |part| part.parse())
                .map_err(|_| VersionError(text.to_owned()))
        };
        if parts.is_empty() || parts.len() > 3 {
            return Err(VersionError(text.to_owned()));
        }
        Ok(Self {
            major: number(0)?,
            minor: number(1)?,
            patch: number(2)?,
        })
    }
}

/// Telemetry signals a component handles.
pub mod signal {
    /// Traces.
    pub const T: u8 = 1;
    /// Metrics.
    pub const M: u8 = 2;
    /// Logs.
    pub const L: u8 = 4;
    /// Traces, metrics and logs.
    pub const TML: u8 = T | M | L;
    /// Not signal-bound (extensions, connectors).
    pub const NONE: u8 = 0;

    /// Returns the bit of a pipeline signal name.
    #[must_use]
    pub fn of(name: &str) -> Option<u8> {
        match name {
            "traces" => Some(T),
            "metrics" => Some(M),
            "logs" => Some(L),
            _ => None,
        }
    }
}

/// How mature a component is, per its `metadata.yaml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stability {
    /// `stable`: configuration and behaviour are covered by compatibility guarantees.
    Stable,
    /// `beta`: usable, but its configuration may still change between releases.
    Beta,
    /// `alpha`: may change or break without notice.
    Alpha,
    /// In development.
    Development,
    /// `deprecated`: still accepted, to be removed in a later release.
    Deprecated,
    /// `unmaintained`: no code owner; it may be removed.
    Unmaintained,
}

/// Which distribution ships a component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Distribution {
    /// otelcol (core) and otelcol-contrib.
    Core,
    /// otelcol-contrib only.
    Contrib,
}

/// What happened to a component type in some release.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    /// Deprecated in this release (still accepted).
    pub deprecated: Option<Version>,
    /// Removed in this release (`unknown type` from then on).
    pub removed: Option<Version>,
    /// True when the type was renamed and the old name stays as an alias.
    pub alias: bool,
    /// The replacement: a component type of the same kind, or of `replacement_kind`.
    pub replacement: &'static str,
    /// The kind of the replacement when it differs (a processor replaced by a connector).
    pub replacement_kind: Option<Kind>,
    /// What to change besides the type, in one sentence.
    pub note: &'static str,
    /// Where the change is recorded.
    pub reference: &'static str,
}

/// One known component type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ComponentType {
    /// The section that defines it (`receivers`, `processors`, ...).
    pub kind: Kind,
    /// The type name, e.g. `otlp`.
    pub name: &'static str,
    /// Signals it supports (see [`signal`]).
    pub signals: u8,
    /// How mature it is, from its `metadata.yaml`.
    pub stability: Stability,
    /// Whether otelcol itself ships it or only otelcol-contrib.
    pub distribution: Distribution,
    /// Deprecation, rename or removal.
    pub change: Option<Change>,
}

const fn c(kind: Kind, name: &'static str, signals: u8, stability: Stability) -> ComponentType {
    ComponentType {
        kind,
        name,
        signals,
        stability,
        distribution: Distribution::Contrib,
        change: None,
    }
}

const fn core(kind: Kind, name: &'static str, signals: u8, stability: Stability) -> ComponentType {
    ComponentType {
        kind,
        name,
        signals,
        stability,
        distribution: Distribution::Core,
        change: None,
    }
}

const fn changed(mut component: ComponentType, change: Change) -> ComponentType {
    component.change = Some(change);
    component
}

const NO_CHANGE: Change = Change {
    deprecated: None,
    removed: None,
    alias: false,
    replacement: "",
    replacement_kind: None,
    note: "",
    reference: "",
};

mod table;

pub use table::COMPONENTS;

/// Returns the registry entry of a type of a kind.
#[must_use]
pub fn lookup(kind: Kind, name: &str) -> Option<&'static ComponentType> {
    COMPONENTS
        .iter()
        .find(|component| component.kind == kind && component.name == name)
}

/// Types that are newer than some supported releases: (kind, name, first release).
const ADDED: &[(Kind, &str, Version)] = &[
    (Kind::Exporter, "otlp_grpc", Version::new(144)),
    (Kind::Exporter, "otlp_http", Version::new(144)),
    (Kind::Processor, "queuebatch", Version::new(158)),
];

/// Returns the registry entry of a type as it exists in release `version`: `None` when the
/// type is unknown or does not exist yet. Removed types are still returned (see
/// [`Change::removed`]).
#[must_use]
pub fn lookup_at(kind: Kind, name: &str, version: Version) -> Option<&'static ComponentType> {
    let too_new = ADDED
        .iter()
        .any(|(k, n, added)| *k == kind && *n == name && version < *added);
    if too_new {
        return None;
    }
    lookup(kind, name)
}

/// Returns the known type of `kind` closest to `name` (for "did you mean").
#[must_use]
pub fn closest(kind: Kind, name: &str) -> Option<&'static str> {
    let wanted = normalise(name);
    COMPONENTS
        .iter()
        .filter(|component| component.kind == kind)
        .map(|component| {
            (
                edit_distance(&wanted, &normalise(component.name)),
                edit_distance(name, component.name),
                component.name,
            )
        })
        .filter(|(distance, _, known)| *distance <= 2.max(known.len() / 4))
        .min()
        .map(|(_, _, known)| known)
}

fn normalise(name: &str) -> String {
    name.chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse() {
        assert_eq!("0.135.0".parse::<Version>(), Ok(Version::new(135)));
        assert_eq!("v0.85.1".parse::<Version>().unwrap().patch, 1);
        assert_eq!("0.135.0-dev".parse::<Version>(), Ok(Version::new(135)));
        assert!("latest".parse::<Version>().is_err());
    }

    #[test]
    fn names_are_unique_per_kind() {
        for (i, a) in COMPONENTS.iter().enumerate() {
            for b in &COMPONENTS[i + 1..] {
                assert!(
                    !(a.kind == b.kind && a.name == b.name),
                    "{} {} twice",
                    a.kind.singular(),
                    a.name
                );
            }
        }
    }

    #[test]
    fn typos_find_the_known_name() {
        assert_eq!(closest(Kind::Exporter, "otlphtp"), Some("otlphttp"));
        assert_eq!(
            closest(Kind::Processor, "memorylimiter"),
            Some("memory_limiter")
        );
        assert_eq!(closest(Kind::Receiver, "zzzzzzzz"), None);
    }
}

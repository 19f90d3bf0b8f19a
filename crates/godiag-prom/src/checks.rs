//! The metrics checks and the context they share.
//!
//! PROM001–PROM099 mirror `promtool check metrics` (promtool 2.42, `client_golang` promlint
//! 1.14): one code per problem text it prints, reported for the same families. PROM100 and
//! up are conventions promtool does not check. The tables ([`SYNTAX`], [`LINT`],
//! [`PREFIX`], [`SCRAPE`]) own dispatch.

/// Declares a check's registry entry; its page is `docs/checks/CODE.md`.
macro_rules! meta {
    ($name:ident, $code:literal, $slug:literal, $severity:ident, $title:literal, $ok:literal) => {
        const $name: godiag_core::check::CheckMeta = godiag_core::check::CheckMeta {
            code: $code,
            slug: $slug,
            domain: godiag_core::check::Domain::Prom,
            severity: godiag_core::finding::Severity::$severity,
            status: godiag_core::check::CheckStatus::Stable,
            title: $title,
            ok_title: $ok,
            doc: include_str!(concat!("../../../../docs/checks/", $code, ".md")),
        };
    };
}

mod cardinality;
mod conventions;
mod histograms;
mod promlint_labels;
mod promlint_names;
mod scrape;
mod series;
mod syntax;

use godiag_core::check::{Check, CheckMeta};
use godiag_core::finding::{Evidence, Finding, Fix, Location};

use crate::analysis::FamilyStats;
use crate::domain::{Options, ScrapeInfo};
use crate::model::{Family, Format, MetricType};
use crate::parse::Error;

/// Everything the checks look at, computed once.
#[derive(Debug)]
pub struct Context {
    /// The input as the user named it: a path, a URL or `-`.
    pub source: String,
    /// The path findings point into (the source itself, or `<stdin>`).
    pub location_path: String,
    /// The format that was parsed.
    pub format: Format,
    /// Every family, in order of first appearance.
    pub families: Vec<Family>,
    /// Per family, parallel to `families`.
    pub stats: Vec<FamilyStats>,
    /// Why parsing stopped, if it did.
    pub error: Option<Error>,
    /// The command-line options.
    pub options: Options,
    /// The HTTP exchange, for URL inputs.
    pub scrape: Option<ScrapeInfo>,
    /// OpenMetrics breaches Prometheus accepts (the first few).
    pub notes: Vec<crate::parse::ParseError>,
    /// How many there were.
    pub notes_total: u64,
    /// Lines read.
    pub lines: u32,
    /// Bytes read.
    pub bytes: u64,
}

impl Context {
    /// Families that had samples: the ones promtool lints (it drops empty families).
    pub fn linted(&self) -> impl Iterator<Item = (&Family, &FamilyStats)> {
        self.families
            .iter()
            .zip(&self.stats)
            .filter(|(family, _)| family.samples > 0)
    }

    /// Why there is no exposition to look at: the scrape got no usable answer, or reading
    /// or parsing stopped.
    #[must_use]
    pub fn unreadable(&self) -> Option<String> {
        if let Some(scrape) = &self.scrape
            && (scrape.error.is_some()
                || !scrape.status.is_some_and(|code| (200..300).contains(&code)))
        {
            return Some("the scrape failed, so there is no exposition".to_owned());
        }
        match &self.error {
            Some(Error::Read { .. }) => Some("the exposition could not be read".to_owned()),
            Some(Error::Syntax(_)) => Some("the exposition could not be parsed".to_owned()),
            None => None,
        }
    }

    /// Why the lint checks have nothing to look at: no readable exposition, or one without
    /// a sample (promtool lints only families with samples).
    #[must_use]
    pub fn nothing_to_lint(&self) -> Option<String> {
        self.unreadable().or_else(|| {
            self.linted()
                .next()
                .is_none()
                .then(|| "the exposition holds no sample".to_owned())
        })
    }

    /// Why a check of one kind of family has nothing to look at: nothing to lint, or no
    /// family of `kinds` (`what` names them for the reason).
    #[must_use]
    pub fn no_family_of(&self, kinds: &[MetricType], what: &str) -> Option<String> {
        self.nothing_to_lint().or_else(|| {
            (!self
                .linted()
                .any(|(family, _)| kinds.contains(&family.kind())))
            .then(|| format!("the exposition has no {what}"))
        })
    }

    /// Why a label check has nothing to look at: nothing to lint, or no series with a label.
    #[must_use]
    pub fn no_label(&self) -> Option<String> {
        self.nothing_to_lint().or_else(|| {
            (!self.linted().any(|(_, stats)| !stats.labels.is_empty()))
                .then(|| "no series of the exposition has a label".to_owned())
        })
    }

    /// Why the scrape checks have nothing to look at: the input was not fetched from a URL.
    #[must_use]
    pub fn not_scraped(&self) -> Option<String> {
        self.scrape.is_none().then(|| {
            if self.source == "-" {
                "the input is standard input, not a URL".to_owned()
            } else {
                "the input is a file, not a URL".to_owned()
            }
        })
    }

    /// The command a person runs to see promtool's view of the same input.
    fn promtool_command(&self) -> String {
        if self.source.contains("://") {
            format!("curl -s {} | promtool check metrics", self.source)
        } else if self.source == "-" {
            "promtool check metrics < FILE".to_owned()
        } else {
            format!("promtool check metrics < {}", self.source)
        }
    }

    fn location(&self, line: u32) -> Location {
        Location::line(&self.location_path, line)
    }
}

/// The checks that need the parsed exposition, in code order (PROM100 and the scrape
/// checks are separate: they apply only with `--require-prefix` and for URLs, and say so
/// when skipped).
pub static LINT: &[&dyn Check<Context>] = &[
    &promlint_names::HelpMissing,
    &promlint_names::UnitNotBase,
    &promlint_names::CounterWithoutTotal,
    &promlint_names::NonCounterWithTotal,
    &promlint_names::BucketSuffixReserved,
    &promlint_names::CountSuffixReserved,
    &promlint_names::SumSuffixReserved,
    &promlint_labels::LeLabelReserved,
    &promlint_labels::QuantileLabelReserved,
    &promlint_names::TypeInName,
    &promlint_names::ColonInName,
    &promlint_names::CamelCaseName,
    &promlint_labels::CamelCaseLabel,
    &promlint_names::AbbreviatedUnit,
    &conventions::UnitWord,
    &conventions::LabelNameReserved,
    &series::DuplicateSeries,
    &histograms::NotCumulative,
    &histograms::InfBucketMissing,
    &histograms::CountMismatch,
    &histograms::SummaryInconsistent,
    &cardinality::TooManySeries,
    &cardinality::TooManyLabelValues,
    &series::CounterNegative,
];

/// Whether the input parses (runs for every input).
pub static SYNTAX: &[&dyn Check<Context>] = &[&syntax::ExpositionInvalid, &syntax::SpecBreach];

/// `--require-prefix`.
pub static PREFIX: &[&dyn Check<Context>] = &[&conventions::PrefixMissing];

/// The HTTP exchange of a URL input.
pub static SCRAPE: &[&dyn Check<Context>] = &[&scrape::ScrapeFailed, &scrape::ContentTypeUnknown];

/// Every check, for the registry.
const GROUPS: &[&[&dyn Check<Context>]] = &[SYNTAX, LINT, PREFIX, SCRAPE];

/// The registry entries of every check, in code order.
#[must_use]
pub fn registry() -> Vec<CheckMeta> {
    let mut all: Vec<CheckMeta> = GROUPS
        .iter()
        .flat_map(|group| group.iter().map(|check| *check.meta()))
        .collect();
    all.sort_by_key(|meta| meta.code);
    all
}

/// A finding about one family: subject, location and the promtool command as evidence.
fn family_finding(
    meta: &CheckMeta,
    context: &Context,
    family: &Family,
    line: u32,
    title: impl Into<String>,
    message: impl Into<String>,
) -> Finding {
    Finding::new(meta, title, message)
        .subject(&*family.name)
        .location(context.location(line))
        .evidence(Evidence::file(format!(
            "{}:{line}: family {} ({}{})",
            context.location_path,
            family.name,
            family.kind().as_str(),
            if family.help.is_some() {
                ", with HELP"
            } else {
                ""
            }
        )))
}

/// A promlint problem: the title is promtool's own text, the evidence its command.
fn promlint_finding(
    meta: &CheckMeta,
    context: &Context,
    family: &Family,
    line: u32,
    text: &str,
    message: impl Into<String>,
    fix: Fix,
) -> Finding {
    family_finding(meta, context, family, line, text, message)
        .evidence(Evidence::command(format!(
            "{}  →  {} {text}",
            context.promtool_command(),
            family.name
        )))
        .fix(fix)
}

/// A rename fix: what to call the metric and where that is decided.
fn rename_fix(from: &str, to: &str) -> Fix {
    Fix::manual(format!(
        "Rename `{from}` to `{to}` where the metric is defined (client_golang: the `Name` in its \
         `prometheus.*Opts`), then update the dashboards, alerts and recording rules that use the \
         old name."
    ))
}

//! Folds a flood of alike findings into one.
//!
//! A check reports one finding per offending input line; a hostile input (100,000
//! `nameserver` lines) would give as many findings, and rendering them would take longer
//! than any deadline. Findings of one check with the same severity, the same subject and
//! the same title shape (the title with its quoted values and numbers blanked) are alike:
//! findings about different subjects (metric families, components, variables) are
//! different problems a reviewer and promtool's parity need one by one. Past
//! [`MAX_ALIKE`] of them, the first (in file order) stands for the rest and says how many it
//! stands for and where the first few are. This module does not decide what a check reports.

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::finding::{Finding, FixKind, Location};

/// How many alike findings are shown one by one before they are folded.
pub const MAX_ALIKE: usize = 10;

/// How many locations a folded finding lists.
pub const LOCATIONS_SHOWN: usize = 5;

/// Folds every group of more than [`MAX_ALIKE`] alike findings into its first. Findings
/// that carry file edits are never folded, so `--fix` still sees every edit.
#[must_use]
pub fn fold(findings: Vec<Finding>) -> Vec<Finding> {
    let mut groups: HashMap<(String, String, String, String), Vec<usize>> = HashMap::new();
    for (index, finding) in findings.iter().enumerate() {
        if has_edits(finding) {
            continue;
        }
        groups
            .entry((
                finding.code.clone(),
                finding.severity.as_str().to_owned(),
                finding.subject.clone().unwrap_or_default(),
                shape(&finding.title),
            ))
            .or_default()
            .push(index);
    }
    let mut folded_into: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut dropped = vec![false; findings.len()];
    for mut members in groups.into_values().filter(|m| m.len() > MAX_ALIKE) {
        members.sort_by(|a, b| order(&findings[*a]).cmp(&order(&findings[*b])));
        for member in &members[1..] {
            dropped[*member] = true;
        }
        folded_into.insert(members[0], members);
    }
    let mut slots: Vec<Option<Finding>> = findings.into_iter().map(Some).collect();
    let mut kept = Vec::new();
    for index in 0..slots.len() {
        if dropped[index] {
            continue;
        }
        let Some(mut finding) = slots[index].take() else {
            continue;
        };
        if let Some(members) = folded_into.get(&index) {
            let locations: Vec<Location> = members
                .iter()
                .take(LOCATIONS_SHOWN)
                .filter_map(|member| {
                    if *member == index {
                        finding.location.clone()
                    } else {
                        slots[*member].as_ref()?.location.clone()
                    }
                })
                .collect();
            mark_folded(&mut finding, members.len(), &locations);
        }
        kept.push(finding);
    }
    kept
}

fn has_edits(finding: &Finding) -> bool {
    finding
        .fix
        .as_ref()
        .is_some_and(|fix| fix.kind == FixKind::Edit || !fix.edits.is_empty())
}

/// File order: by location, then title; findings without a location last.
fn order(finding: &Finding) -> (bool, Option<(&std::path::Path, u32, u32)>, &str) {
    let at = finding.location.as_ref().map(|location| {
        (
            location.path.as_path(),
            location.line.unwrap_or(0),
            location.column.unwrap_or(0),
        )
    });
    (at.is_none(), at, &finding.title)
}

fn shown(location: &Location) -> String {
    match location.line {
        Some(line) => format!("{}:{line}", location.path.display()),
        None => location.path.display().to_string(),
    }
}

/// Makes `finding` stand for `count` alike findings (itself included), the first of them at
/// `locations` (at most [`LOCATIONS_SHOWN`] are listed). A check whose input can hold a flood
/// uses this to fold before building every finding, so the work stays within its budget.
pub fn mark_folded(finding: &mut Finding, count: usize, locations: &[Location]) {
    let more = count.saturating_sub(1);
    let locations: Vec<String> = locations.iter().take(LOCATIONS_SHOWN).map(shown).collect();
    finding.title = format!("{} (and {more} more like it)", finding.title);
    let mut note = format!(
        "{count} findings of {} alike; this one stands for all of them",
        finding.code
    );
    if !locations.is_empty() {
        let _ = write!(
            note,
            " (the first at {}{})",
            locations.join(", "),
            if count > locations.len() { ", ..." } else { "" }
        );
    }
    note.push('.');
    finding.message = if finding.message.is_empty() {
        note
    } else {
        format!("{} {note}", finding.message)
    };
}

/// The title with every backquoted span and every number blanked: `` `nameserver 10.0.0.9`
/// is not read as written `` and its 99,999 siblings have one shape.
fn shape(title: &str) -> String {
    let mut shape = String::with_capacity(title.len());
    let mut quoted = false;
    let mut in_number = false;
    for c in title.chars() {
        if c == '`' {
            if !quoted {
                shape.push_str("`…`");
            }
            quoted = !quoted;
            in_number = false;
            continue;
        }
        if quoted {
            continue;
        }
        if c.is_ascii_digit() {
            if !in_number {
                shape.push('#');
            }
            in_number = true;
            continue;
        }
        in_number = false;
        shape.push(c);
    }
    shape
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{CheckMeta, CheckStatus, Domain};
    use crate::finding::{Fix, Severity};

    const META: CheckMeta = CheckMeta {
        code: "DNS007",
        slug: "resolv-conf-read-differently",
        domain: Domain::Dns,
        severity: Severity::Warning,
        status: CheckStatus::Stable,
        title: "t",
        ok_title: "t",
        doc: "",
    };

    fn line(number: u32) -> Finding {
        Finding::new(
            &META,
            format!("`nameserver 10.0.0.{number}` is not read as written"),
            "only the first 3 nameservers are used.",
        )
        .location(Location::line("/etc/resolv.conf", number))
    }

    #[test]
    fn shapes_blank_values_and_numbers() {
        assert_eq!(
            shape("`nameserver 10.0.0.9` is not read as written"),
            "`…` is not read as written"
        );
        assert_eq!(shape("port 8080 and 9090"), "port # and #");
        assert_ne!(shape("`a` is unset"), shape("`a` is set twice"));
    }

    #[test]
    fn a_flood_folds_into_its_first_in_file_order() {
        let mut findings: Vec<Finding> = (4..100_004).rev().map(line).collect();
        findings.push(Finding::new(&META, "something else", "m"));
        let folded = fold(findings);
        assert_eq!(folded.len(), 2);
        let first = folded
            .iter()
            .find(|f| f.title.starts_with("`nameserver"))
            .unwrap();
        assert_eq!(
            first.title,
            "`nameserver 10.0.0.4` is not read as written (and 99999 more like it)"
        );
        assert!(
            first.message.ends_with(
                "100000 findings of DNS007 alike; this one stands for all of them (the first \
                 at /etc/resolv.conf:4, /etc/resolv.conf:5, /etc/resolv.conf:6, \
                 /etc/resolv.conf:7, /etc/resolv.conf:8, ...)."
            ),
            "{}",
            first.message
        );
    }

    #[test]
    fn a_few_alike_findings_and_edits_are_kept() {
        let few: Vec<Finding> = (1..=u32::try_from(MAX_ALIKE).unwrap()).map(line).collect();
        assert_eq!(fold(few.clone()), few);
        let mut with_edits: Vec<Finding> = (1..50).map(line).collect();
        for finding in &mut with_edits {
            finding.fix = Some(Fix {
                kind: FixKind::Edit,
                ..Fix::manual("edit")
            });
        }
        assert_eq!(fold(with_edits).len(), 49);
    }
}

//! Combines the edits several fixes planned for one file into one edit, so `--fix` writes
//! the file once, with one backup and one diff, instead of one fix per run.
//!
//! Each edit was planned from the same original; its line-level changes against that
//! original are replayed together. A change that overlaps one already taken is left out:
//! the re-run after writing plans it again against the new file.

use std::ops::Range;

use similar::{DiffOp, TextDiff};

use super::PlannedEdit;

/// Returns one edit per path, in the order paths first appear; edits of a path planned from
/// different contents keep only the first.
#[must_use]
pub fn merge(edits: &[&PlannedEdit]) -> Vec<PlannedEdit> {
    let mut merged: Vec<(PlannedEdit, Vec<Change>)> = Vec::new();
    for edit in edits {
        let changes = changes(edit);
        match merged.iter_mut().find(|(first, _)| first.path == edit.path) {
            Some((first, taken)) if first.original == edit.original => {
                for change in changes {
                    if !taken.iter().any(|other| other.clashes(&change)) {
                        taken.push(change);
                    }
                }
            }
            Some(_) => {}
            None => merged.push(((*edit).clone(), changes)),
        }
    }
    merged
        .into_iter()
        .map(|(mut edit, mut changes)| {
            if changes.len() > 1 {
                // A stable sort keeps insertions at one point in the order their fixes came.
                changes.sort_by_key(|change| (change.old.start, change.old.end));
                edit.new_content = replay(&original_lines(&edit), &changes);
            }
            edit
        })
        .collect()
}

/// Lines `old` of the original become `new`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Change {
    old: Range<usize>,
    new: String,
}

impl Change {
    /// Two changes clash when both touch a line, or insert different text at one point; the
    /// same change twice (two findings, one fix) is one change.
    fn clashes(&self, other: &Self) -> bool {
        if self == other {
            return true;
        }
        let overlap = self.old.start < other.old.end && other.old.start < self.old.end;
        let same_point =
            self.old.is_empty() && other.old.is_empty() && self.old.start == other.old.start;
        overlap || same_point
    }
}

fn original_lines(edit: &PlannedEdit) -> Vec<String> {
    let text = edit
        .original
        .as_deref()
        .map(String::from_utf8_lossy)
        .unwrap_or_default();
    text.split_inclusive('\n').map(str::to_owned).collect()
}

fn changes(edit: &PlannedEdit) -> Vec<Change> {
    let old = original_lines(edit);
    let old_text: String = old.concat();
    let diff = TextDiff::from_lines(old_text.as_str(), edit.new_content.as_str());
    let new: Vec<&str> = edit.new_content.split_inclusive('\n').collect();
    diff.ops()
        .iter()
        .filter(|op| !matches!(op, DiffOp::Equal { .. }))
        .map(|op| Change {
            old: op.old_range(),
            new: new[op.new_range()].concat(),
        })
        .collect()
}

fn replay(old: &[String], changes: &[Change]) -> String {
    let mut out = String::new();
    let mut at = 0;
    for change in changes {
        out.extend(old[at..change.old.start].iter().map(String::as_str));
        out.push_str(&change.new);
        at = at.max(change.old.end);
    }
    out.extend(old[at..].iter().map(String::as_str));
    out
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn edit(path: &str, original: &str, new: &str) -> PlannedEdit {
        PlannedEdit {
            path: PathBuf::from(path),
            original: Some(original.as_bytes().to_vec()),
            new_content: new.to_owned(),
        }
    }

    #[test]
    fn separate_changes_to_one_file_become_one_edit() {
        let original = "a: 1\nb: 2\nc: 3\nd: 4\n";
        let first = edit("/f", original, "a: 10\nb: 2\nc: 3\nd: 4\n");
        let second = edit("/f", original, "a: 1\nb: 2\nc: 3\nd: 40\ne: 5\n");
        let third = edit("/g", "x\n", "y\n");
        let merged = merge(&[&first, &second, &third, &first]);
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[0].new_content, "a: 10\nb: 2\nc: 3\nd: 40\ne: 5\n");
        assert_eq!(merged[1].new_content, "y\n");
    }

    #[test]
    fn an_overlapping_change_waits_for_the_next_run() {
        let original = "a\nb\nc\n";
        let first = edit("/f", original, "a\nB\nc\n");
        let second = edit("/f", original, "a\nbee\nc\nd\n");
        let merged = merge(&[&first, &second]);
        assert_eq!(merged[0].new_content, "a\nB\nc\nd\n");
    }

    #[test]
    fn inserts_and_deletions_keep_their_places() {
        let original = "one\ntwo\nthree";
        let first = edit("/f", original, "zero\none\ntwo\nthree");
        let second = edit("/f", original, "one\nthree");
        let third = edit("/f", original, "one\ntwo\nthree\nfour\n");
        let merged = merge(&[&first, &second, &third]);
        assert_eq!(merged[0].new_content, "zero\none\nthree\nfour\n");
    }
}

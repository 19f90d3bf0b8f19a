//! Rules every domain's registry and source layout follow.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use godiag_core::check::Domain;

use super::registry;

/// One rule for every domain's registry: unique codes with their domain's prefix,
/// kebab-case slugs, and a page with the fixed headings (STYLE.md, "Docs per check").
#[test]
fn every_code_is_unique_prefixed_and_documented() {
    let mut seen = BTreeSet::new();
    for meta in registry() {
        assert!(
            meta.code.starts_with(meta.domain.code_prefix()),
            "{} is not a {:?} code",
            meta.code,
            meta.domain
        );
        assert!(seen.insert(meta.code), "duplicate code {}", meta.code);
        assert!(
            meta.slug
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "slug {} is not kebab-case",
            meta.slug
        );
        assert!(
            meta.doc
                .starts_with(&format!("# {} {}", meta.code, meta.slug)),
            "the page of {} must start with `# {} {}`",
            meta.code,
            meta.code,
            meta.slug
        );
        for heading in [
            "## What it checks",
            "## Why it matters",
            "## How to verify by hand",
            "## Fix",
            "## Example",
            "## References",
        ] {
            assert!(
                meta.doc.contains(heading),
                "the page of {} lacks {heading}",
                meta.code
            );
        }
    }
}

/// The crate whose `checks/` directories hold a domain's check files.
fn crate_of(domain: Domain) -> Option<&'static str> {
    Some(match domain {
        Domain::Core => "godiag-core",
        Domain::Dns | Domain::Nss => "godiag-dns",
        Domain::Go => "godiag-goenv",
        Domain::Net => "godiag-net",
        Domain::Otel | Domain::Samp => "godiag-otel",
        Domain::Prom => "godiag-prom",
        // A new domain fails the test below until it is listed here.
        _ => return None,
    })
}

fn crates_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the binary crate sits in crates/")
        .to_path_buf()
}

/// Every `.rs` file under `dir`, recursively.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs_err::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
}

/// The codes a source file declares: `code: "X"` in a `CheckMeta` literal, or the second
/// argument of prom's `meta!(NAME, "X", ...)`.
fn declared_codes(text: &str) -> Vec<String> {
    let quoted = |rest: &str| {
        let rest = rest.trim_start().strip_prefix('"')?;
        Some(rest[..rest.find('"')?].to_owned())
    };
    let literal = text
        .match_indices("code: ")
        .filter_map(|(at, _)| quoted(&text[at + 6..]));
    let macro_call = text.match_indices("meta!(").filter_map(|(at, _)| {
        let rest = &text[at + 6..];
        quoted(&rest[rest.find(',')? + 1..])
    });
    literal.chain(macro_call).collect()
}

/// STYLE.md "One check, one file" (issue #9, item 7): every registered code is declared in
/// `checks/<slug with - as _>.rs` of its domain's crate, and every file directly in a
/// `checks/` directory (but `tests.rs`) declares exactly one code, so a code is found by its
/// slug and shared helpers live outside `checks/`.
#[test]
fn every_check_has_one_file_named_by_its_slug() {
    // crate → file stem → codes declared there.
    let mut files: BTreeMap<&str, BTreeMap<String, Vec<String>>> = BTreeMap::new();
    for krate in [
        "godiag-core",
        "godiag-dns",
        "godiag-goenv",
        "godiag-net",
        "godiag-otel",
        "godiag-prom",
    ] {
        let mut paths = Vec::new();
        rust_files(&crates_dir().join(krate).join("src"), &mut paths);
        for path in paths {
            if path.parent().and_then(Path::file_name) != Some("checks".as_ref()) {
                continue;
            }
            let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
            if stem == "tests" {
                continue;
            }
            let codes = declared_codes(&fs_err::read_to_string(&path).unwrap());
            assert_eq!(
                codes.len(),
                1,
                "{} declares {codes:?}: a file in checks/ holds exactly one check",
                path.display()
            );
            let previous = files.entry(krate).or_default().insert(stem, codes);
            assert!(
                previous.is_none(),
                "{}: two check files share its name",
                path.display()
            );
        }
    }
    for meta in registry() {
        let krate = crate_of(meta.domain)
            .unwrap_or_else(|| panic!("no crate is listed for the {:?} domain", meta.domain));
        let stem = meta.slug.replace('-', "_");
        let codes = files.get(krate).and_then(|stems| stems.get(&stem));
        assert_eq!(
            codes.map(Vec::as_slice),
            Some(&[meta.code.to_owned()][..]),
            "{} ({}) must be declared in crates/{krate}/src/**/checks/{stem}.rs",
            meta.code,
            meta.slug
        );
    }
}

/// The top-level modules `text` names through `crate::`, in `use crate::x` and
/// `use crate::{x, y::z}` lines and in paths such as `crate::x::f()`. Comment lines are
/// skipped (a doc link is no dependency), and so is a trailing `#[cfg(test)] mod tests`.
fn crate_paths(text: &str) -> BTreeSet<String> {
    let code = text
        .match_indices("#[cfg(test)]")
        .find(|(at, attr)| {
            text[at + attr.len()..]
                .trim_start()
                .starts_with("mod tests")
        })
        .map_or(text, |(at, _)| &text[..at]);
    let code: String = code
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let ident = |s: &str| -> String {
        s.trim_start()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut out = BTreeSet::new();
    for (at, prefix) in code.match_indices("crate::") {
        let rest = &code[at + prefix.len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // Only the names at the group's top level are modules of this crate.
            let mut depth = 0;
            let mut start = 0;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        out.insert(ident(&group[start..i]));
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        out.insert(ident(&group[start..i]));
                        start = i + 1;
                    }
                    _ => {}
                }
            }
        } else {
            out.insert(ident(rest));
        }
    }
    out.remove("");
    out
}

/// A dependency cycle among `graph`'s modules, as a path that ends where it starts.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        module: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        done: &mut BTreeSet<String>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|m| m == module) {
            let mut cycle = path[at..].to_vec();
            cycle.push(module.to_owned());
            return Some(cycle);
        }
        if done.contains(module) {
            return None;
        }
        path.push(module.to_owned());
        for next in graph.get(module).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, done, path) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(module.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|module| visit(module, graph, &mut done, &mut Vec::new()))
}

/// Issue #9, item 3: the top-level modules of every crate depend on each other one way
/// (core's check, finding and edit; dns's read, model and probe; prom's checks and domain
/// were cycles), so each can be read, tested and moved without the others.
#[test]
fn no_crate_has_a_module_cycle() {
    let mut crates: Vec<PathBuf> = fs_err::read_dir(crates_dir())
        .unwrap()
        .map(|entry| entry.unwrap().path().join("src"))
        .filter(|src| src.is_dir())
        .collect();
    crates.sort();
    assert!(crates.len() >= 8, "found only {crates:?}");
    for src in crates {
        let modules: BTreeSet<String> = fs_err::read_dir(&src)
            .unwrap()
            .filter_map(|entry| {
                let path = entry.unwrap().path();
                let stem = path.file_stem()?.to_str()?.to_owned();
                (path.extension().is_some_and(|ext| ext == "rs") && stem != "lib" && stem != "main")
                    .then_some(stem)
            })
            .collect();
        let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        for file in files {
            let relative = file.strip_prefix(&src).unwrap();
            let first = relative
                .components()
                .next()
                .unwrap()
                .as_os_str()
                .to_string_lossy();
            let top = first.strip_suffix(".rs").unwrap_or(&first).to_owned();
            if !modules.contains(&top) {
                continue;
            }
            let used = crate_paths(&fs_err::read_to_string(&file).unwrap());
            let edges = graph.entry(top.clone()).or_default();
            edges.extend(
                used.into_iter()
                    .filter(|m| *m != top && modules.contains(m)),
            );
        }
        assert_eq!(
            find_cycle(&graph),
            None,
            "{}: these modules depend on each other in a cycle",
            src.display()
        );
    }
}

#[test]
fn crate_paths_reads_use_lines_and_paths_but_not_comments() {
    let text = "use crate::a::B;\nuse crate::{c, d::{E, F}};\n/// See [`crate::g`].\n\
                fn f() { crate::h::i(); }\n#[cfg(test)]\nmod tests {\n    use crate::j;\n}\n";
    let found: Vec<String> = crate_paths(text).into_iter().collect();
    assert_eq!(found, ["a", "c", "d", "h"]);
    let graph = BTreeMap::from([
        ("a".to_owned(), BTreeSet::from(["b".to_owned()])),
        ("b".to_owned(), BTreeSet::from(["a".to_owned()])),
    ]);
    assert_eq!(
        find_cycle(&graph),
        Some(vec!["a".into(), "b".into(), "a".into()])
    );
}

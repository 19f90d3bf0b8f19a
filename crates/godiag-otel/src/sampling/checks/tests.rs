use std::path::Path;
use std::time::Duration;

use godiag_core::host::FixtureHost;

use super::*;

/// Lints what reading the file gave and returns every finding.
fn lint(bytes: Result<Vec<u8>, ReadError>) -> Vec<Finding> {
    let dir = std::env::temp_dir();
    let host: Arc<dyn Host> = Arc::new(FixtureHost::new(&dir, std::collections::BTreeMap::new()));
    let context = Arc::new(Context::load(
        host,
        Path::new("/sampling.json").to_path_buf(),
        bytes,
        provider::DEFAULT_SAMPLING_PROBABILITY,
    ));
    godiag_core::runner::run_checks(ALL, &context, Duration::from_secs(5))
}

/// Lints `text` and returns `CODE severity` for every finding that reports a problem.
fn codes(text: &str) -> Vec<String> {
    lint(Ok(text.as_bytes().to_vec()))
        .iter()
        .filter(|f| f.is_problem())
        .map(|f| format!("{} {}", f.code, f.severity.as_str()))
        .collect()
}

#[test]
fn a_file_that_cannot_be_read_is_fixed_by_its_path_and_skips_the_rest() {
    let missing = std::io::Error::from(std::io::ErrorKind::NotFound);
    let findings = lint(Err(ReadError::new(&missing)));
    let samp001 = findings.iter().find(|f| f.code == "SAMP001").unwrap();
    assert_eq!(samp001.severity, godiag_core::finding::Severity::Error);
    let fix = &samp001.fix.as_ref().unwrap().text;
    assert!(fix.starts_with("Check the path"), "{fix}");
    for finding in findings.iter().filter(|f| f.code != "SAMP001") {
        assert_eq!(
            finding.skip_reason.as_deref(),
            Some("the file could not be read"),
            "{}",
            finding.code
        );
    }
}

#[test]
fn checks_skip_what_the_file_does_not_have() {
    let only_default = r#"{"default_strategy": {"type": "probabilistic", "param": 0.1}}"#;
    let skipped: Vec<String> = lint(Ok(only_default.as_bytes().to_vec()))
        .into_iter()
        .filter(|f| f.skip_reason.is_some())
        .map(|f| f.code)
        .collect();
    // No rate limit, no operation strategies, no services, no lists: nothing to judge.
    for code in [
        "SAMP006", "SAMP007", "SAMP008", "SAMP009", "SAMP013", "SAMP014", "SAMP016", "SAMP017",
    ] {
        assert!(
            skipped.iter().any(|c| c == code),
            "{code} should skip: {skipped:?}"
        );
    }
    // The probability, the type, the keys and the default were there to examine.
    for code in [
        "SAMP002", "SAMP003", "SAMP005", "SAMP010", "SAMP015", "SAMP018",
    ] {
        assert!(
            !skipped.iter().any(|c| c == code),
            "{code} had something to examine"
        );
    }
}

#[test]
fn a_clean_file_has_no_findings() {
    let clean = r#"{"default_strategy": {"type": "probabilistic", "param": 0.1},
        "service_strategies": [{"service": "a", "type": "probabilistic", "param": 0.5,
          "operation_strategies": [{"operation": "GET /users/{id}", "type": "probabilistic", "param": 0.2}]}]}"#;
    assert!(codes(clean).is_empty(), "{:?}", codes(clean));
}

#[test]
fn each_check_fires_on_its_case() {
    let table: &[(&str, &str)] = &[
        ("{\"default_strategy\": }", "SAMP001 error"),
        (
            r#"{"default_strategy": {"type": "probabilistic", "param": "0.5"}}"#,
            "SAMP002 error",
        ),
        (
            r#"{"default_strategy": {"type": "Probabilistic", "param": 0.5}}"#,
            "SAMP003 error",
        ),
        (
            r#"{"default_strategy": {"type": "probabilistic"}}"#,
            "SAMP004 error",
        ),
        (
            r#"{"default_strategy": {"type": "probabilistic", "param": 5}}"#,
            "SAMP005 error",
        ),
        (
            r#"{"default_strategy": {"type": "ratelimiting", "param": 0.9}}"#,
            "SAMP006 error",
        ),
        (
            r#"{"default_strategy": {"type": "ratelimiting", "param": 2.5}}"#,
            "SAMP006 warning",
        ),
        (
            r#"{"default_strategy": {"type": "probabilistic", "param": 0.5, "operation_strategies": [{"operation": "a", "type": "ratelimiting", "param": 1}]}}"#,
            "SAMP007 error",
        ),
        (
            r#"{"default_strategy": {"type": "probabilistic", "param": 0.5}, "service_strategies": [{"service": "a", "type": "probabilistic", "param": 0.1}, {"service": "a", "type": "probabilistic", "param": 0.2}]}"#,
            "SAMP008 error",
        ),
        (
            r#"{"default_strategy": {"type": "probabilistic", "param": 0.5, "operation_strategies": [{"operation": "a", "type": "probabilistic", "param": 1}, {"operation": "a", "type": "probabilistic", "param": 0}]}}"#,
            "SAMP009 warning",
        ),
        (
            r#"{"default_strategy": {"type": "probabilistic", "param": 0.5, "operationStrategies": []}}"#,
            "SAMP010 warning",
        ),
        (
            r#"{"default_strategy": {"Type": "probabilistic", "param": 0.5}}"#,
            "SAMP011 info",
        ),
        (
            r#"{"default_strategy": {"type": "probabilistic", "param": 0.5, "param": 0.1}}"#,
            "SAMP012 warning",
        ),
        (
            r#"{"default_strategy": {"type": "ratelimiting", "param": 5, "operation_strategies": [{"operation": "a", "type": "probabilistic", "param": 1}]}}"#,
            "SAMP013 warning",
        ),
        (
            r#"{"default_strategy": {"type": "probabilistic", "param": 0.5, "operation_strategies": [{"operation": "a", "type": "probabilistic", "param": 1}]}, "service_strategies": [{"service": "s", "type": "probabilistic", "param": 0.1}]}"#,
            "SAMP014 info",
        ),
        (r#"{"service_strategies": []}"#, "SAMP015 warning"),
        (
            r#"{"default_strategy": {"type": "probabilistic", "param": 0.5}, "service_strategies": [null]}"#,
            "SAMP016 error",
        ),
        (
            r#"{"default_strategy": {"type": "probabilistic", "param": 0.5, "operation_strategies": [{"operation": "/api/*", "type": "probabilistic", "param": 1}]}}"#,
            "SAMP017 warning",
        ),
        (
            r#"{"default_strategy": {"type": "ratelimiting", "param": 1000}}"#,
            "SAMP018 info",
        ),
    ];
    for (text, expected) in table {
        let found = codes(text);
        assert!(
            found.iter().any(|c| c == expected),
            "{expected} not in {found:?} for {text}"
        );
    }
}

#[test]
fn removal_spans_take_the_separating_comma() {
    let text = "{\n  \"service_strategies\": [\n    {\"service\": \"a\"},\n    {\"service\": \"a\"}\n  ]\n}";
    let root = json::parse(text.as_bytes(), 0).unwrap();
    let decoded = decode::decode(&root);
    let first = decoded.strategies.unwrap().service_strategies[0]
        .clone()
        .unwrap();
    let (start, end) = (first.slot.spans[0].0, first.slot.spans[1].0);
    let kept: String = text
        .chars()
        .take(start.index as usize)
        .chain(text.chars().skip(end.index as usize))
        .collect();
    assert_eq!(
        kept,
        "{\n  \"service_strategies\": [\n    {\"service\": \"a\"}\n  ]\n}"
    );
}

mod never_panic {
    use proptest::prelude::*;

    use super::*;

    /// JSON-ish text built from the file's own vocabulary, so the decoder, the provider and
    /// every check see deep, odd, repeated and null-filled structures.
    fn strategies_text() -> impl Strategy<Value = String> {
        let atom = prop_oneof![
            Just("null".to_owned()),
            Just("true".to_owned()),
            Just("\"probabilistic\"".to_owned()),
            Just("\"ratelimiting\"".to_owned()),
            Just("\"x\"".to_owned()),
            (-1e12f64..1e12).prop_map(|n| n.to_string()),
            Just("1e400".to_owned()),
            Just("3e9".to_owned()),
        ];
        let key = prop_oneof![
            Just("default_strategy"),
            Just("service_strategies"),
            Just("operation_strategies"),
            Just("service"),
            Just("operation"),
            Just("type"),
            Just("PARAM"),
            Just("param"),
            Just("other"),
        ];
        atom.prop_recursive(5, 64, 6, move |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..5)
                    .prop_map(|items| format!("[{}]", items.join(","))),
                proptest::collection::vec((key.clone(), inner), 0..6).prop_map(|members| {
                    let members: Vec<String> = members
                        .iter()
                        .map(|(k, v)| format!("\"{k}\":{v}"))
                        .collect();
                    format!("{{{}}}", members.join(","))
                }),
            ]
        })
    }

    fn lint(bytes: Vec<u8>) {
        let dir = std::env::temp_dir();
        let host: Arc<dyn Host> =
            Arc::new(FixtureHost::new(&dir, std::collections::BTreeMap::new()));
        let context = Arc::new(Context::load(
            host,
            Path::new("/sampling.json").to_path_buf(),
            Ok(bytes),
            provider::DEFAULT_SAMPLING_PROBABILITY,
        ));
        let findings = godiag_core::runner::run_checks(ALL, &context, Duration::from_secs(5));
        assert!(
            findings.iter().all(|f| f.code != "CORE002"),
            "a check failed: {findings:?}"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn no_file_makes_a_check_fail(text in strategies_text()) {
            lint(text.into_bytes());
        }

        #[test]
        fn arbitrary_bytes_make_no_check_fail(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            lint(bytes);
        }
    }
}

/// Issue #16: with two "checkout" entries, SAMP005 and SAMP007 fixed the first, which Jaeger
/// replaces with the second (SAMP008). They now report and edit only the entry Jaeger
/// serves, and after their edits Jaeger's provider serves checkout a valid probability and
/// no dropped operation.
#[test]
fn fixes_edit_the_entry_jaeger_serves() {
    let text = r#"{"service_strategies": [
  {"service": "checkout", "type": "probabilistic", "param": 7,
   "operation_strategies": [{"operation": "pay", "type": "ratelimiting", "param": 2}]},
  {"service": "checkout", "type": "probabilistic", "param": 5,
   "operation_strategies": [{"operation": "pay", "type": "ratelimiting", "param": 3}]}
]}"#;
    let dir = tempfile::tempdir().unwrap();
    // The fixture's own file, written before any Host exists to read it.
    #[allow(clippy::disallowed_methods)]
    std::fs::write(dir.path().join("sampling.json"), text).unwrap();
    let host: Arc<dyn Host> = Arc::new(FixtureHost::new(
        dir.path(),
        std::collections::BTreeMap::new(),
    ));
    let context = Arc::new(Context::load(
        host,
        Path::new("/sampling.json").to_path_buf(),
        Ok(text.as_bytes().to_vec()),
        provider::DEFAULT_SAMPLING_PROBABILITY,
    ));
    let findings = godiag_core::runner::run_checks(ALL, &context, Duration::from_secs(5));
    let fixed: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.is_problem() && (f.code == "SAMP005" || f.code == "SAMP007"))
        .collect();
    assert_eq!(fixed.len(), 2, "{fixed:?}");
    for finding in &fixed {
        let line = finding.location.as_ref().unwrap().line.unwrap();
        assert!(
            line >= 4,
            "{} on the replaced entry (line {line})",
            finding.code
        );
    }
    let planned: Vec<&godiag_core::edit::PlannedEdit> = fixed
        .iter()
        .filter_map(|f| f.fix.as_ref())
        .flat_map(|fix| fix.edits.iter())
        .filter_map(|edit| edit.planned.as_ref())
        .collect();
    assert!(!planned.is_empty());
    let merged = godiag_core::edit::merge(&planned);
    assert_eq!(merged.len(), 1);
    let decoded = crate::sampling::decode::decode(
        &crate::json::parse(merged[0].new_content.as_bytes(), 0).unwrap(),
    );
    let store = provider::load(
        decoded.strategies.as_ref(),
        provider::DEFAULT_SAMPLING_PROBABILITY,
    )
    .unwrap();
    let served = crate::sampling::response::body(store.get("checkout"));
    assert!(served.contains(r#""samplingRate":1"#), "{served}");
}

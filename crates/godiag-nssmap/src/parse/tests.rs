use std::net::IpAddr;

use proptest::prelude::*;

use super::*;

fn kinds(text: &str) -> Vec<(usize, usize, ProblemKind)> {
    parse(text)
        .problems
        .into_iter()
        .map(|p| (p.position.line, p.position.column, p.kind))
        .collect()
}

#[test]
fn rules_keep_their_targets_and_positions() {
    let text = "# private names\ngit.corp.example  10.1.2.3 fd00::3\n\
                *.corp.example dns 10.0.0.53 [fd00::53]:5353 127.0.0.1:5300 # split\n";
    let parsed = parse(text);
    assert_eq!(parsed.problems, []);
    let rules = &parsed.map.rules;
    assert_eq!(rules.len(), 2);
    assert_eq!(rules[0].pattern, Pattern::Exact("git.corp.example".into()));
    let addresses: Vec<IpAddr> = vec!["10.1.2.3".parse().unwrap(), "fd00::3".parse().unwrap()];
    assert_eq!(rules[0].target, Target::Addresses(addresses));
    assert_eq!(
        rules[0].position,
        Position {
            line: 2,
            column: 1,
            start: 16,
            end: 32
        }
    );
    assert_eq!(rules[1].pattern, Pattern::Wildcard("corp.example".into()));
    let servers = vec![
        "10.0.0.53:53".parse().unwrap(),
        "[fd00::53]:5353".parse().unwrap(),
        "127.0.0.1:5300".parse().unwrap(),
    ];
    assert_eq!(rules[1].target, Target::Dns(servers));
}

#[test]
fn options_set_timeout_and_attempts() {
    let parsed = parse("options timeout:3 attempts:1\n");
    assert_eq!(parsed.map.options.timeout, Duration::from_secs(3));
    assert_eq!(parsed.map.options.attempts, 1);
    assert_eq!(parse("").map.options, Options::default());
}

#[test]
fn each_problem_is_reported_where_it_is() {
    let text = "bad_name-.x 10.0.0.1\n\
                a.example 10.0.0.300 ::1\n\
                b.example\n\
                c.example dns\n\
                d.example dns 10.0.0.1:0 [::1]\n\
                a.example 10.0.0.2\n\
                A.EXAMPLE. 10.0.0.3\n\
                options timeout:0 attempts:9 rotate\n\
                *.*.example 10.0.0.1\n";
    let name = |name: &str| ProblemKind::InvalidName { name: name.into() };
    assert_eq!(
        kinds(text),
        [
            (1, 1, name("bad_name-.x")),
            (
                2,
                11,
                ProblemKind::InvalidAddress {
                    token: "10.0.0.300".into()
                }
            ),
            (
                3,
                1,
                ProblemKind::MissingTarget {
                    pattern: "b.example".into()
                }
            ),
            (
                4,
                11,
                ProblemKind::MissingTarget {
                    pattern: "c.example".into()
                }
            ),
            (
                5,
                15,
                ProblemKind::InvalidServer {
                    token: "10.0.0.1:0".into()
                }
            ),
            (
                7,
                1,
                ProblemKind::DuplicateRule {
                    pattern: "A.EXAMPLE.".into(),
                    first_line: 6
                }
            ),
            (
                8,
                9,
                ProblemKind::InvalidOptionValue {
                    option: "timeout:0".into()
                }
            ),
            (
                8,
                19,
                ProblemKind::InvalidOptionValue {
                    option: "attempts:9".into()
                }
            ),
            (
                8,
                30,
                ProblemKind::UnknownOption {
                    option: "rotate".into()
                }
            ),
            (9, 1, name("*.*.example")),
        ]
    );
    // The bad lines are skipped whole; the good ones still work.
    let map = parse(text).map;
    let patterns: Vec<String> = map.rules.iter().map(|r| r.pattern.text()).collect();
    assert_eq!(patterns, ["a.example"]);
    assert_eq!(map.options, Options::default());
}

#[test]
fn byte_ranges_point_at_the_word() {
    let text = "a.example 10.0.0.1\n  x.example   nope\n";
    let problem = &parse(text).problems[0];
    assert_eq!(&text[problem.position.start..problem.position.end], "nope");
    assert_eq!(problem.position.line, 2);
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics_and_positions_are_in_range(text in "\\PC{0,200}") {
        let parsed = parse(&text);
        for problem in &parsed.problems {
            prop_assert!(problem.position.end <= text.len());
            prop_assert!(text.is_char_boundary(problem.position.start));
        }
    }

    #[test]
    fn generated_rules_parse_back(
        labels in proptest::collection::vec("[a-z][a-z0-9-]{0,10}[a-z0-9]", 1..6),
        last in any::<u8>(),
    ) {
        let name = labels.join(".");
        let text = format!("{name} 10.0.0.{last} fd00::{last:x}\n*.{name} dns 127.0.0.1:5353\n");
        let parsed = parse(&text);
        prop_assert_eq!(&parsed.problems, &Vec::<Problem>::new());
        prop_assert_eq!(parsed.map.rules.len(), 2);
        let below = format!("x.{name}");
        prop_assert_eq!(
            parsed.map.rule_for(&below).map(|r| r.pattern.text()),
            Some(format!("*.{name}"))
        );
        prop_assert_eq!(parsed.map.rule_for(&name).map(|r| r.pattern.text()), Some(name));
    }
}

use super::*;

fn env(name: &str) -> Option<String> {
    match name {
        "HOME" => Some("/home/u".to_owned()),
        "PATH" => Some("/usr/bin".to_owned()),
        "EMPTY" => Some(String::new()),
        _ => None,
    }
}

/// (name, value, exported) of every assignment.
fn parse(text: &str) -> Vec<(String, Option<String>, bool)> {
    parse_shell(text, &env)
        .into_iter()
        .map(|a| (a.name, a.value, a.exported))
        .collect()
}

fn one(name: &str, value: Option<&str>, exported: bool) -> Vec<(String, Option<String>, bool)> {
    vec![(name.to_owned(), value.map(str::to_owned), exported)]
}

#[test]
fn export_forms() {
    let cases: &[(&str, &str, Option<&str>, bool)] = &[
        ("export GOPATH=/a", "GOPATH", Some("/a"), true),
        ("GOPATH=/a; export GOPATH", "GOPATH", Some("/a"), true),
        ("GOPATH=/a\nexport GOPATH", "GOPATH", Some("/a"), true),
        ("export GOPATH\nGOPATH=/a", "GOPATH", Some("/a"), true),
        ("export X GOPATH=/a", "GOPATH", Some("/a"), true),
        ("declare -x GOPATH=/a", "GOPATH", Some("/a"), true),
        ("declare -gx GOPATH=/a", "GOPATH", Some("/a"), true),
        ("typeset -x GOPATH=/a", "GOPATH", Some("/a"), true),
        ("builtin export GOPATH=/a", "GOPATH", Some("/a"), true),
        ("export -- GOPATH=/a", "GOPATH", Some("/a"), true),
        ("declare GOPATH=/a", "GOPATH", Some("/a"), false),
        ("readonly GOPATH=/a", "GOPATH", Some("/a"), false),
        ("GOPATH=/a", "GOPATH", Some("/a"), false),
        (
            "export GOPATH=/a\nexport -n GOPATH",
            "GOPATH",
            Some("/a"),
            false,
        ),
        (
            "export GOPATH=/a\ndeclare +x GOPATH",
            "GOPATH",
            Some("/a"),
            false,
        ),
        // PATH is inherited from the session, so it stays exported without `export`.
        (
            "PATH=$PATH:/usr/local/go/bin",
            "PATH",
            Some("/usr/bin:/usr/local/go/bin"),
            true,
        ),
    ];
    for (text, name, value, exported) in cases {
        assert_eq!(parse(text), one(name, *value, *exported), "{text:?}");
    }
}

#[test]
fn set_a_regions() {
    let cases: &[(&str, &[(&str, bool)])] = &[
        ("set -a\nA=1\nset +a\nB=2", &[("A", true), ("B", false)]),
        ("set -ea\nA=1", &[("A", true)]),
        (
            "set -o allexport\nA=1\nset +o allexport\nB=2",
            &[("A", true), ("B", false)],
        ),
        ("set -euo pipefail\nA=1", &[("A", false)]),
        ("set -- -a\nA=1", &[("A", false)]),
        (
            "setopt ALL_EXPORT\nA=1\nunsetopt allexport\nB=2",
            &[("A", true), ("B", false)],
        ),
        // The attribute outlives the region: the later plain assignment is exported too.
        ("set -a\nA=1\nset +a\nA=2", &[("A", true), ("A", true)]),
    ];
    for (text, expected) in cases {
        let got: Vec<(String, bool)> = parse(text).into_iter().map(|(n, _, e)| (n, e)).collect();
        let expected: Vec<(String, bool)> = expected
            .iter()
            .map(|(n, e)| ((*n).to_owned(), *e))
            .collect();
        assert_eq!(got, expected, "{text:?}");
    }
}

#[test]
fn quotes_and_expansion() {
    let cases: &[(&str, Option<&str>)] = &[
        ("export A='x y'", Some("x y")),
        ("export A=\"x y\"", Some("x y")),
        ("export A=a\\ b", Some("a b")),
        ("export A=\"a\\\"b\\n\"", Some("a\"b\\n")),
        ("export A='$HOME'", Some("$HOME")),
        ("export A=$'a\\tb\\x41\\''", Some("a\tbA'")),
        ("export A=$\"x\"", Some("x")),
        ("export A=\"$HOME/go\"", Some("/home/u/go")),
        ("export A=${HOME}/go", Some("/home/u/go")),
        ("export A=~/go", Some("/home/u/go")),
        ("export A=~/go:~/x", Some("/home/u/go:/home/u/x")),
        ("export A='~'/go", Some("~/go")),
        ("export A=x~/go", Some("x~/go")),
        ("export A=$UNSET/go", Some("/go")),
        ("export A=${UNSET:-/d}", Some("/d")),
        ("export A=${UNSET-/d}", Some("/d")),
        ("export A=${EMPTY:-/d}", Some("/d")),
        ("export A=${EMPTY-/d}", Some("")),
        ("export A=${HOME:+set}", Some("set")),
        ("export A=${UNSET:+set}", Some("")),
        ("export A=\"${UNSET:-a b}\"", Some("a b")),
        ("export A=${UNSET:-${HOME}/x}", Some("/home/u/x")),
        ("export A=${UNSET:-~/x}", Some("/home/u/x")),
        ("export A=100$", Some("100$")),
        ("B=/x; export A=$B/y", Some("/x/y")),
        // Needs a command or an expansion godiag does not evaluate.
        ("export A=$(go env GOPATH)", None),
        ("export A=\"$(go env GOPATH)/bin\"", None),
        ("export A=`go env GOPATH`", None),
        ("export A=$((1+2))", None),
        ("export A=${HOME%/*}", None),
        ("export A=${#HOME}", None),
        ("export A=$1", None),
        ("export A=~root/go", None),
        ("export A=${UNSET:?missing}", None),
        ("B=$(cmd); export A=$B/y", None),
    ];
    for (text, value) in cases {
        let got = parse(text)
            .into_iter()
            .find(|(name, _, _)| name == "A")
            .map(|(_, value, _)| value);
        assert_eq!(got, Some(value.map(str::to_owned)), "{text:?}");
    }
}

#[test]
fn raw_line_and_column() {
    let parsed = parse_shell("# header\n  export GOPATH=\"$HOME/go\" # mine\n", &env);
    assert_eq!(parsed.len(), 1);
    assert_eq!(parsed[0].raw, "\"$HOME/go\"");
    assert_eq!((parsed[0].line, parsed[0].column), (2, 10));
}

/// Text and the (name, value) pairs it assigns.
type Case = (
    &'static str,
    &'static [(&'static str, Option<&'static str>)],
);

#[test]
fn continuation_comments_and_heredocs() {
    let cases: &[Case] = &[
        ("export A=/x\\\n/y", &[("A", Some("/x/y"))]),
        (
            "export \\\n  A=1 \\\n  B=2",
            &[("A", Some("1")), ("B", Some("2"))],
        ),
        ("# export A=1\nexport B=2 # export C=3", &[("B", Some("2"))]),
        ("export A=a#b", &[("A", Some("a#b"))]),
        (
            "cat <<EOF\nexport A=1\nEOF\nexport B=2",
            &[("B", Some("2"))],
        ),
        (
            "cat <<-'EOF' >x\n\texport A=1\n\tEOF\nexport B=2",
            &[("B", Some("2"))],
        ),
        ("export A=\"1\n2\"", &[("A", Some("1\n2"))]),
    ];
    for (text, expected) in cases {
        let got: Vec<(String, Option<String>)> =
            parse(text).into_iter().map(|(n, v, _)| (n, v)).collect();
        let expected: Vec<(String, Option<String>)> = expected
            .iter()
            .map(|(n, v)| ((*n).to_owned(), v.map(str::to_owned)))
            .collect();
        assert_eq!(got, expected, "{text:?}");
    }
}

#[test]
fn only_shell_assignments_are_recorded() {
    let cases: &[(&str, &[&str])] = &[
        ("GOFLAGS=-mod=mod go build", &[]),
        ("A=1 B=2 cmd arg", &[]),
        ("env GOPATH=/x go build", &[]),
        ("echo export GOPATH=/x", &[]),
        ("f() { local GOPATH=/x; }", &[]),
        ("export -f GOPATH", &[]),
        ("A=1 B=2", &["A", "B"]),
        ("A=1 >/dev/null", &["A"]),
        ("if [ -d ~/go ]; then export A=1; fi", &["A"]),
        ("if true\nthen\n  export A=1\nelse\n  B=2\nfi", &["A", "B"]),
        ("f() { export A=1; }", &["A"]),
        ("function f { export A=1; }", &["A"]),
        ("case $x in\n  *) export A=1;;\nesac", &["A"]),
        ("while read l; do export A=1; done < f", &["A"]),
        ("[ -n \"$X\" ] && export A=1 || export B=2", &["A", "B"]),
        ("arr=(a b) A=1", &["arr", "A"]),
    ];
    for (text, names) in cases {
        let got: Vec<String> = parse(text).into_iter().map(|(n, _, _)| n).collect();
        assert_eq!(got, *names, "{text:?}");
    }
}

#[test]
fn unset_drops_earlier_assignments() {
    assert_eq!(parse("export GOPATH=/a\nunset GOPATH"), vec![]);
    assert_eq!(
        parse("export GOPATH=/a\nunset -v GOPATH\nGOPATH=/b"),
        one("GOPATH", Some("/b"), false)
    );
    assert_eq!(
        parse("export GOPATH=/a\nunset -f GOPATH"),
        one("GOPATH", Some("/a"), true)
    );
    // After `unset`, expansion sees an unset variable, not the environment.
    assert_eq!(
        parse("unset HOME\nexport A=${HOME:-/none}"),
        one("A", Some("/none"), true)
    );
}

#[test]
fn append_assignments() {
    assert_eq!(
        parse("export A=1\nA+=2"),
        vec![
            ("A".into(), Some("1".into()), true),
            ("A".into(), Some("12".into()), true)
        ]
    );
    assert_eq!(
        parse("export PATH+=:/go/bin"),
        one("PATH", Some("/usr/bin:/go/bin"), true)
    );
    assert_eq!(parse("export A+=x"), one("A", Some("x"), true));
}

#[test]
fn sources_are_found_inside_conditions() {
    let cases = [
        ". ~/.bashrc",
        "source ~/.bashrc",
        ". \"$HOME/.bashrc\"",
        "[ -f ~/.bashrc ] && . ~/.bashrc",
        "if [ -n \"$BASH_VERSION\" ]; then\n    if [ -f \"$HOME/.bashrc\" ]; then\n\t. \"$HOME/.bashrc\"\n    fi\nfi",
        "test -r ~/.bashrc && source -- ~/.bashrc",
        "emulate sh -c '. ~/.bashrc'",
    ];
    for text in cases {
        assert_eq!(
            parse_shell_file(text, &env).sources,
            ["/home/u/.bashrc"],
            "{text:?}"
        );
    }
    let loop_text = "for f in ~/.bashrc.d/*; do . \"$f\"; done\nsource <(kubectl completion bash)";
    assert!(parse_shell_file(loop_text, &env).sources.is_empty());
}

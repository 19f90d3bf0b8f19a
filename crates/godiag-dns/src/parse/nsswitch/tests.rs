use proptest::prelude::*;

use super::*;

fn glibc_hosts(text: &str) -> Vec<(String, Vec<String>)> {
    parse(text.as_bytes())
        .glibc
        .hosts_or_default()
        .sources
        .iter()
        .map(|s| {
            (
                s.name.clone(),
                s.items.iter().map(ActionItem::display).collect(),
            )
        })
        .collect()
}

fn go_hosts(text: &str) -> Result<Vec<String>, String> {
    let nss = parse(text.as_bytes()).go;
    match nss.error {
        Some((_, why)) => Err(why),
        None => Ok(nss.hosts.iter().map(|s| s.name.clone()).collect()),
    }
}

fn names(list: &[(String, Vec<String>)]) -> Vec<&str> {
    list.iter().map(|(name, _)| name.as_str()).collect()
}

// Each case below was checked against glibc 2.36 with `getent ahosts` in a mount namespace.
#[test]
fn glibc_reads_sources_and_items() {
    let got = glibc_hosts("hosts: files [!UNAVAIL=return] dns myhostname\n");
    assert_eq!(names(&got), ["files", "dns", "myhostname"]);
    assert_eq!(got[0].1, ["!UNAVAIL=return"]);
    let got = glibc_hosts("hosts:\tfiles\t[ notfound = RETURN ]dns\n");
    assert_eq!(names(&got), ["files", "dns"]);
    assert_eq!(got[0].1, ["NOTFOUND=return"]);
    // The colon is optional; `files[...]` needs no space.
    assert_eq!(
        names(&glibc_hosts("hosts files[NOTFOUND=return] dns\n")),
        ["files", "dns"]
    );
}

#[test]
fn glibc_has_no_inline_comments() {
    assert_eq!(
        names(&glibc_hosts("hosts: files dns#x\n")),
        ["files", "dns#x"]
    );
    assert_eq!(
        names(&glibc_hosts("hosts: files # dns\n")),
        ["files", "#", "dns"]
    );
    // A whole-line comment is skipped only because `#hosts:` names no database.
    assert_eq!(names(&glibc_hosts("#hosts: files\nhosts: dns\n")), ["dns"]);
}

#[test]
fn glibc_last_hosts_line_wins_and_default_applies() {
    let nss = parse(b"hosts: files\nhosts: dns files\n").glibc;
    let hosts = nss.hosts.unwrap();
    assert_eq!(hosts.line, Some(2));
    assert_eq!(hosts.replaced, [1]);
    assert_eq!(
        names(&glibc_hosts("passwd: files\n")),
        ["dns", "files"],
        "glibc's default is `{GLIBC_DEFAULT_HOSTS}`"
    );
    assert_eq!(glibc_hosts("passwd: files\n")[0].1, ["!UNAVAIL=return"]);
    // `hosts:` with nothing after it is an empty list (nothing resolves), not the default.
    assert!(glibc_hosts("hosts:\n").is_empty());
    assert!(glibc_hosts("hosts\n").is_empty());
    // ...but a last line `hosts` without newline is skipped.
    assert_eq!(names(&glibc_hosts("hosts")), ["dns", "files"]);
}

#[test]
fn glibc_breaks_on_a_bad_item() {
    for bad in [
        "hosts: files [FOO=return] dns\n",
        "hosts: files [NOTFOUND=return\n",
        "hosts: files []\n",
        "hosts: files [NOTFOUND=stop]\n",
        "hosts: files [NOTFOUND]\n",
    ] {
        let nss = parse(bad.as_bytes()).glibc;
        assert!(nss.broken.is_some(), "{bad}");
    }
    let nss = parse(b"passwd: files\nhosts: files [FOO=return] dns\n").glibc;
    assert_eq!(
        nss.broken.unwrap().0,
        Pos {
            line: 2,
            column: 15
        }
    );
    // A second bracket where a source should be ends the list quietly.
    assert_eq!(
        names(&glibc_hosts(
            "hosts: files [NOTFOUND=return] [SUCCESS=return] dns\n"
        )),
        ["files"]
    );
}

#[test]
fn glibc_negation_sets_every_other_status() {
    let nss = parse(b"hosts: files [!UNAVAIL=return] dns\n").glibc;
    let files = &nss.hosts.unwrap().sources[0];
    assert_eq!(files.action(Status::Success), Action::Return);
    assert_eq!(files.action(Status::Notfound), Action::Return);
    assert_eq!(files.action(Status::Tryagain), Action::Return);
    assert_eq!(files.action(Status::Unavail), Action::Continue);
    let nss = parse(b"hosts: files [!NOTFOUND=continue] dns\n").glibc;
    let files = &nss.hosts.unwrap().sources[0];
    assert_eq!(files.action(Status::Success), Action::Continue);
}

#[test]
fn go_splits_on_space_only_and_strips_comments() {
    assert_eq!(go_hosts("hosts: files\tdns\n").unwrap(), ["files\tdns"]);
    assert_eq!(go_hosts("hosts: files dns#x\n").unwrap(), ["files", "dns"]);
    assert_eq!(
        go_hosts("hosts: files\nhosts: dns\n").unwrap(),
        ["files", "dns"]
    );
    assert_eq!(
        go_hosts("hosts: files[NOTFOUND=return] dns\n").unwrap(),
        ["files[NOTFOUND=return]", "dns"]
    );
    assert_eq!(go_hosts("hosts:\n").unwrap(), Vec::<String>::new());
}

#[test]
fn go_errors_like_nss_go() {
    assert_eq!(go_hosts("hosts files\n").unwrap_err(), "no colon on line");
    assert_eq!(
        go_hosts("hosts: files [NOTFOUND=return\n").unwrap_err(),
        "unclosed criterion bracket"
    );
    assert_eq!(
        go_hosts("hosts: files [NOTFOUND = return] dns\n").unwrap_err(),
        "invalid criteria: NOTFOUND = return"
    );
    assert_eq!(
        go_hosts("passwd: files\nfoo\nhosts: dns\n").unwrap_err(),
        "no colon on line"
    );
    // An empty bracket is no error for Go.
    assert_eq!(go_hosts("hosts: files [] dns\n").unwrap(), ["files", "dns"]);
}

#[test]
fn go_standard_criteria_matches_nss_go() {
    let standard = |line: &str| parse(line.as_bytes()).go.hosts[0].standard_criteria();
    assert!(standard(
        "hosts: dns [success=return notfound=continue unavail=continue tryagain=continue]"
    ));
    assert!(standard("hosts: files [notfound=return]"));
    assert!(standard("hosts: files [NOTFOUND=return] dns"));
    assert!(!standard("hosts: files [!success=return]"));
    assert!(!standard("hosts: files [notfound=return unavail=continue]"));
    assert!(!standard("hosts: files [!UNAVAIL=return] dns"));
    assert!(!standard("hosts: files [merge=return]"));
}

#[test]
fn positions_point_at_sources() {
    let nss = parse(b"# c\nhosts:  files   dns\n");
    assert_eq!(
        nss.go.hosts[1].pos,
        Pos {
            line: 2,
            column: 17
        }
    );
    assert_eq!(
        nss.glibc.hosts.unwrap().sources[1].pos,
        Pos {
            line: 2,
            column: 17
        }
    );
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let nss = parse(&bytes);
        let _ = nss.glibc.hosts_or_default();
    }

    #[test]
    fn nsswitch_like_text_never_panics(text in "(hosts|passwd|#)?[: \t]{0,2}([a-z!=#\\[\\] \t]{0,12}\n?){0,6}") {
        let _ = parse(text.as_bytes());
    }
}

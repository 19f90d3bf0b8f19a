use proptest::prelude::*;

use super::*;

fn servers(list: &[Nameserver]) -> Vec<&str> {
    list.iter().map(|s| s.address.as_str()).collect()
}

#[test]
fn go_reads_like_dns_read_config() {
    let conf = parse(
        b"; c\n# c\nnameserver 10.0.0.1\nnameserver 127.1\nnameserver fe80::1%eth0\n\
          nameserver ::1\nnameserver 10.0.0.9\nsearch a.example b.example. .\n\
          options ndots:abc timeout:0 attempts:99 rotate edns0 trust-ad\n",
    );
    let go = conf.go;
    assert_eq!(servers(&go.servers), ["10.0.0.1", "fe80::1%eth0", "::1"]);
    assert_eq!(go.search, ["a.example.", "b.example."]);
    assert_eq!((go.ndots, go.timeout, go.attempts), (0, 1, 99));
    assert!(go.rotate && go.trust_ad);
    assert!(go.unknown.is_empty());
}

#[test]
fn go_unknown_options_and_keywords() {
    let conf = parse(b"nameserver 1.1.1.1\n  # indented\noptions inet6 ndots\nsortlist 10.0.0.0\n");
    let unknown: Vec<&str> = conf.go.unknown.iter().map(|(_, w)| w.as_str()).collect();
    assert_eq!(
        unknown,
        [
            "unknown keyword `#`",
            "unknown option `inet6`",
            "unknown option `ndots`",
            "unknown keyword `sortlist`"
        ]
    );
    assert_eq!(conf.go.unknown[0].0, Pos { line: 2, column: 3 });
}

#[test]
fn glibc_reads_like_res_vinit() {
    let conf = parse(
        b"nameserver 127.1\n  nameserver 10.0.0.2\nnameserver\t10.0.0.3 # x\n\
          domain corp.example other\noptions ndots:20 timeout:60 attempts:9 rotatex\n",
    );
    let glibc = conf.glibc;
    assert_eq!(servers(&glibc.servers), ["127.1", "10.0.0.3"]);
    assert_eq!(glibc.search, ["corp.example"]);
    assert_eq!((glibc.ndots, glibc.timeout, glibc.attempts), (15, 30, 5));
    assert_eq!(glibc.options, ["rotate"]);
}

#[test]
fn glibc_keeps_search_on_an_empty_search_line() {
    let conf = parse(b"search a.example\nsearch\n");
    assert_eq!(conf.glibc.search, ["a.example"]);
    assert!(conf.go.search.is_empty());
    assert_eq!(conf.notes.len(), 1);
}

#[test]
fn notes_say_where_the_readers_part() {
    let conf = parse(
        b"nameserver 127.1\n  nameserver 10.0.0.2\n\t# note\nsearch corp.example #old\n\
          options timeout:60 no-aaaa\n",
    );
    let lines: Vec<u32> = conf.notes.iter().map(|n| n.pos.line).collect();
    assert_eq!(lines, [1, 2, 3, 4, 5]);
    assert!(conf.notes[1].glibc.contains("ignores"));
    assert!(conf.notes[2].go.contains("indented comment"));
    assert!(conf.notes[4].go.contains("no-aaaa"));
    assert!(conf.notes[4].glibc.contains("timeout 30"));
}

#[test]
fn fourth_nameserver_is_ignored_by_both() {
    let conf = parse(
        b"nameserver 10.0.0.1\nnameserver 10.0.0.2\nnameserver 10.0.0.3\nnameserver 10.0.0.4\n",
    );
    assert_eq!(conf.go.servers.len(), 3);
    assert_eq!(conf.notes.len(), 1);
    assert_eq!(conf.notes[0].pos.line, 4);
}

#[test]
fn addresses_like_netip_and_inet_aton() {
    assert_eq!(go_parse_addr("10.0.0.1").as_deref(), Some("10.0.0.1"));
    assert_eq!(go_parse_addr("010.0.0.1"), None);
    assert_eq!(
        go_parse_addr("fe80::1%eth0").as_deref(),
        Some("fe80::1%eth0")
    );
    assert_eq!(go_parse_addr("10.0.0.1%eth0"), None);
    assert_eq!(go_parse_addr("fe80::1%"), None);
    assert_eq!(inet_aton("127.1"), Some(0x7f00_0001));
    assert_eq!(inet_aton("0x7f.1"), Some(0x7f00_0001));
    assert_eq!(inet_aton("010.0.0.1"), Some(0x0800_0001));
    assert_eq!(inet_aton("256.0.0.1"), None);
    assert_eq!(inet_aton("host.example"), None);
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = parse(&bytes);
    }

    #[test]
    fn resolv_like_text_never_panics(text in "([ \t#;]?(nameserver|search|domain|options|x)[ \t]{0,2}[a-z0-9.:%-]{0,10}( [a-z0-9:.-]{0,8}){0,3}\n){0,6}") {
        let _ = parse(text.as_bytes());
    }
}

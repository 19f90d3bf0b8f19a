//! Go's own `TestConfHostLookupOrder` and `TestAddrLookupOrder` (`net/conf_test.go`, Go 1.27),
//! row by row.

use super::*;
use crate::parse::nsswitch;
use crate::parse::resolv_conf;

/// A conf as the Go test builds it: cgo available, no tags, fields set directly.
fn test_conf(go: bool, cgo: bool, prefer: bool) -> GoConf {
    GoConf {
        net_go: go,
        net_cgo: cgo,
        debug_level: 0,
        dns_mode: String::new(),
        cgo_available: true,
        prefer_cgo: prefer,
        prefer_cgo_why: prefer.then(|| "preferCgo".to_owned()),
    }
}

struct Row {
    name: &'static str,
    conf: GoConf,
    goos: &'static str,
    prefer_go: bool,
    /// `None`: nsswitch.conf does not exist.
    nss: Option<&'static str>,
    /// `None`: defaultResolvConf (does not exist); `Some(text)`: this file.
    resolv: Option<&'static str>,
    mdns: MdnsAllow,
    /// (host, local host name, want)
    hosts: &'static [(&'static str, &'static str, &'static str)],
}

fn row(
    name: &'static str,
    conf: GoConf,
    nss: Option<&'static str>,
    hosts: &'static [(&'static str, &'static str, &'static str)],
) -> Row {
    Row {
        name,
        conf,
        goos: "linux",
        prefer_go: false,
        nss,
        resolv: None,
        mdns: MdnsAllow::Missing,
        hosts,
    }
}

fn plain() -> GoConf {
    test_conf(false, false, false)
}

fn rows() -> Vec<Row> {
    vec![
        row(
            "force",
            test_conf(false, true, true),
            Some("foo: bar"),
            &[
                ("foo.local", "myhostname", "cgo"),
                ("google.com", "myhostname", "cgo"),
            ],
        ),
        row(
            "netgo_dns_before_files",
            test_conf(true, false, false),
            Some("hosts: dns files"),
            &[("x.com", "myhostname", "dns,files")],
        ),
        row(
            "netgo_fallback_on_cgo",
            test_conf(true, false, false),
            Some("hosts: dns files something_custom"),
            &[("x.com", "myhostname", "dns,files")],
        ),
        row(
            "ubuntu_trusty_avahi",
            plain(),
            Some("hosts: files mdns4_minimal [NOTFOUND=return] dns mdns4"),
            &[
                ("foo.local", "myhostname", "cgo"),
                ("foo.local.", "myhostname", "cgo"),
                ("foo.LOCAL", "myhostname", "cgo"),
                ("foo.LOCAL.", "myhostname", "cgo"),
                ("google.com", "myhostname", "files,dns"),
            ],
        ),
        Row {
            goos: "freebsd",
            ..row(
                "freebsdlinux_no_resolv_conf",
                plain(),
                Some("foo: bar"),
                &[("google.com", "myhostname", "files,dns")],
            )
        },
        Row {
            goos: "openbsd",
            ..row(
                "openbsd_no_resolv_conf",
                plain(),
                None,
                &[("google.com", "myhostname", "files")],
            )
        },
        Row {
            goos: "solaris",
            ..row(
                "solaris_no_nsswitch",
                plain(),
                None,
                &[("google.com", "myhostname", "cgo")],
            )
        },
        Row {
            goos: "openbsd",
            resolv: Some("lookup bind file\n"),
            ..row(
                "openbsd_lookup_bind_file",
                plain(),
                None,
                &[
                    ("google.com", "myhostname", "dns,files"),
                    ("foo.local", "myhostname", "dns,files"),
                ],
            )
        },
        Row {
            goos: "openbsd",
            resolv: Some("lookup file bind\n"),
            ..row(
                "openbsd_lookup_file_bind",
                plain(),
                None,
                &[("google.com", "myhostname", "files,dns")],
            )
        },
        Row {
            goos: "openbsd",
            resolv: Some("lookup bind\n"),
            ..row(
                "openbsd_lookup_bind",
                plain(),
                None,
                &[("google.com", "myhostname", "dns")],
            )
        },
        Row {
            goos: "openbsd",
            resolv: Some("lookup file\n"),
            ..row(
                "openbsd_lookup_file",
                plain(),
                None,
                &[("google.com", "myhostname", "files")],
            )
        },
        Row {
            goos: "openbsd",
            resolv: Some("lookup file bind yp\n"),
            ..row(
                "openbsd_lookup_yp",
                plain(),
                None,
                &[("google.com", "myhostname", "cgo")],
            )
        },
        Row {
            goos: "openbsd",
            resolv: Some("lookup file foo\n"),
            ..row(
                "openbsd_lookup_two",
                plain(),
                None,
                &[("google.com", "myhostname", "cgo")],
            )
        },
        Row {
            goos: "openbsd",
            resolv: Some("nameserver 127.0.0.1\n"),
            ..row(
                "openbsd_lookup_empty",
                plain(),
                None,
                &[("google.com", "myhostname", "dns,files")],
            )
        },
        row(
            "linux_no_nsswitch.conf",
            plain(),
            None,
            &[("google.com", "myhostname", "files,dns")],
        ),
        row(
            "linux_empty_nsswitch.conf",
            plain(),
            Some(""),
            &[("google.com", "myhostname", "files,dns")],
        ),
        row(
            "files_mdns_dns",
            plain(),
            Some("hosts: files mdns dns"),
            &[
                ("x.com", "myhostname", "files,dns"),
                ("x.local", "myhostname", "cgo"),
            ],
        ),
        row(
            "dns_special_hostnames",
            plain(),
            Some("hosts: dns"),
            &[
                ("x.com", "myhostname", "dns"),
                ("x\\.com", "myhostname", "cgo"),
                ("foo.com%en0", "myhostname", "cgo"),
            ],
        ),
        Row {
            mdns: MdnsAllow::Exists,
            ..row(
                "mdns_allow",
                plain(),
                Some("hosts: files mdns dns"),
                &[
                    ("x.com", "myhostname", "cgo"),
                    ("x.local", "myhostname", "cgo"),
                ],
            )
        },
        row(
            "files_dns",
            plain(),
            Some("hosts: files dns"),
            &[
                ("x.com", "myhostname", "files,dns"),
                ("x", "myhostname", "files,dns"),
                ("x.local", "myhostname", "files,dns"),
            ],
        ),
        row(
            "dns_files",
            plain(),
            Some("hosts: dns files"),
            &[
                ("x.com", "myhostname", "dns,files"),
                ("x", "myhostname", "dns,files"),
                ("x.local", "myhostname", "dns,files"),
            ],
        ),
        row(
            "something_custom",
            plain(),
            Some("hosts: dns files something_custom"),
            &[("x.com", "myhostname", "cgo")],
        ),
        row(
            "myhostname",
            plain(),
            Some("hosts: files dns myhostname"),
            &[
                ("x.com", "myhostname", "files,dns"),
                ("myhostname", "myhostname", "cgo"),
                ("myHostname", "myhostname", "cgo"),
                ("myhostname.dot", "myhostname.dot", "cgo"),
                ("myHostname.dot", "myhostname.dot", "cgo"),
                ("_gateway", "myhostname", "cgo"),
                ("_Gateway", "myhostname", "cgo"),
                ("_outbound", "myhostname", "cgo"),
                ("_Outbound", "myhostname", "cgo"),
                ("localhost", "myhostname", "cgo"),
                ("Localhost", "myhostname", "cgo"),
                ("anything.localhost", "myhostname", "cgo"),
                ("Anything.localhost", "myhostname", "cgo"),
                ("localhost.localdomain", "myhostname", "cgo"),
                ("Localhost.Localdomain", "myhostname", "cgo"),
                ("anything.localhost.localdomain", "myhostname", "cgo"),
                ("Anything.Localhost.Localdomain", "myhostname", "cgo"),
                ("somehostname", "myhostname", "files,dns"),
            ],
        ),
        row(
            "ubuntu14.04.02",
            plain(),
            Some("hosts: files myhostname mdns4_minimal [NOTFOUND=return] dns mdns4"),
            &[
                ("x.com", "myhostname", "files,dns"),
                ("somehostname", "myhostname", "files,dns"),
                ("myhostname", "myhostname", "cgo"),
            ],
        ),
        row(
            "debian_squeeze",
            plain(),
            Some(
                "hosts: dns [success=return notfound=continue unavail=continue tryagain=continue] files [notfound=return]",
            ),
            &[
                ("x.com", "myhostname", "dns,files"),
                ("somehostname", "myhostname", "dns,files"),
            ],
        ),
        Row {
            resolv: Some("options inet6\n"),
            ..row(
                "resolv.conf-unknown",
                plain(),
                Some("foo: bar"),
                &[("google.com", "myhostname", "cgo")],
            )
        },
        Row {
            prefer_go: true,
            ..row(
                "resolver-prefergo",
                test_conf(false, true, true),
                Some(""),
                &[("localhost", "myhostname", "files,dns")],
            )
        },
        Row {
            prefer_go: true,
            ..row(
                "unknown-source",
                plain(),
                Some("hosts: resolve files"),
                &[("x.com", "myhostname", "dns,files")],
            )
        },
        Row {
            prefer_go: true,
            ..row(
                "dns-among-unknown-sources",
                plain(),
                Some("hosts: mymachines files dns"),
                &[("x.com", "myhostname", "files,dns")],
            )
        },
        Row {
            prefer_go: true,
            ..row(
                "dns-among-unknown-sources-2",
                plain(),
                Some("hosts: dns mymachines files"),
                &[("x.com", "myhostname", "dns,files")],
            )
        },
    ]
}

fn order_for(row: &Row, host: &str, local: &str) -> Order {
    let nss = row.nss.map(|text| nsswitch::parse(text.as_bytes()).go);
    let resolv = row
        .resolv
        .map(|text| resolv_conf::parse(text.as_bytes()).go);
    let system = GoSystem {
        resolv: resolv.as_ref().map_or(FileState::Missing, FileState::Read),
        nss: nss.as_ref().map_or(FileState::Missing, FileState::Read),
        hostname: Some(local.to_owned()),
        mdns_allow: row.mdns,
    };
    let runtime = GoRuntime {
        goos: row.goos.to_owned(),
        prefer_go: row.prefer_go,
        ..GoRuntime::default()
    };
    host_lookup_order(&row.conf, &runtime, &system, host).order
}

#[test]
fn conf_host_lookup_order_table() {
    let rows = rows();
    assert_eq!(rows.len(), 30, "every row of TestConfHostLookupOrder");
    let mut failures = Vec::new();
    for row in &rows {
        for &(host, local, want) in row.hosts {
            let got = order_for(row, host, local);
            if got.as_str() != want {
                failures.push(format!(
                    "{}: hostLookupOrder({host:?}) = {}; want {want}",
                    row.name,
                    got.as_str()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn addr_lookup_order_sends_every_extra_source_to_cgo() {
    for nss in ["hosts: files myhostname dns", "hosts: files mdns4 dns"] {
        let row = row("addr", plain(), Some(nss), &[]);
        // addrLookupOrder passes an empty host name.
        assert_eq!(order_for(&row, "", "myhostname"), Order::Cgo, "{nss}");
    }
}

#[test]
fn conf_follows_build_godebug_and_environment() {
    let runtime = |godebug: Option<&str>, localdomain: Option<&str>| GoRuntime {
        godebug: godebug.map(str::to_owned),
        localdomain: localdomain.map(str::to_owned),
        ..GoRuntime::default()
    };
    let cgo = GoBuild {
        cgo: true,
        ..GoBuild::default()
    };
    let nocgo = GoBuild::default();
    let c = conf_of(cgo, &runtime(Some("netdns=cgo+2,netdns=go"), None));
    assert!(c.net_go && !c.net_cgo && c.debug_level == 0);
    let c = conf_of(cgo, &runtime(Some("netdns=go+cgo+2"), None));
    assert_eq!(
        (c.dns_mode.as_str(), c.net_go, c.net_cgo),
        ("cgo+2", false, false)
    );
    let c = conf_of(cgo, &runtime(Some("netdns=1+cgo"), None));
    assert!(c.net_cgo && c.debug_level == 1);
    let c = conf_of(cgo, &runtime(None, Some("")));
    assert!(c.prefer_cgo, "LOCALDOMAIN set but empty prefers cgo");
    let c = conf_of(nocgo, &runtime(Some("netdns=cgo"), Some("x")));
    assert!(!c.cgo_available && c.net_cgo && !c.prefer_cgo);
    let c = conf_of(
        GoBuild {
            cgo: true,
            netgo: true,
            netcgo: false,
        },
        &runtime(None, None),
    );
    assert!(!c.cgo_available && c.net_go);
    let c = conf_of(
        cgo,
        &GoRuntime {
            res_options: Some(String::new()),
            ..GoRuntime::default()
        },
    );
    assert!(!c.prefer_cgo, "an empty RES_OPTIONS does not count");
}

fn conf_of(build: GoBuild, runtime: &GoRuntime) -> GoConf {
    conf(build, runtime)
}

//! `godiag port` against the real socket table: listeners bound every way Go binds them,
//! compared with what `ss -ltnp` prints for the same port (address spelling, pid, process).

use std::collections::BTreeSet;
use std::process::Command;

use serde_json::Value;

use crate::peers::{self, Running};

/// The Go calls under test and what `ss` must print for them (`PORT` is replaced).
const BINDS: &[(&str, &str, &str)] = &[
    ("tcp", ":0", "*:PORT"),
    ("tcp", "0.0.0.0:0", "*:PORT"),
    ("tcp6", ":0", "[::]:PORT"),
    ("tcp4", ":0", "0.0.0.0:PORT"),
    ("tcp", "127.0.0.1:0", "127.0.0.1:PORT"),
    ("tcp", "[::1]:0", "[::1]:PORT"),
    ("tcp", "localhost:0", "127.0.0.1:PORT"),
];

fn godiag_port(port: u16) -> Value {
    let output = Command::new(peers::godiag())
        .args([
            "port",
            &port.to_string(),
            "--format",
            "json",
            "--deadline",
            "3s",
        ])
        .output()
        .unwrap();
    serde_json::from_slice(&output.stdout).unwrap()
}

/// `ss -ltnpH 'sport = :PORT'` as (local address, pid, process name).
fn ss_listeners(ss: &std::path::Path, port: u16) -> BTreeSet<(String, u32, String)> {
    let output = Command::new(ss)
        .args(["-ltnpH", &format!("sport = :{port}")])
        .output()
        .unwrap();
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let users = fields[5];
            let name = users.split('"').nth(1).unwrap().to_owned();
            let pid = users
                .split("pid=")
                .nth(1)
                .unwrap()
                .split(',')
                .next()
                .unwrap()
                .parse()
                .unwrap();
            (fields[3].to_owned(), pid, name)
        })
        .collect()
}

fn godiag_listeners(report: &Value) -> BTreeSet<(String, u32, String)> {
    report["port"]["listeners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["ss_address"].as_str().unwrap().to_owned(),
                u32::try_from(l["pid"].as_u64().unwrap()).unwrap(),
                l["process"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn listeners_match_ss_for_every_go_bind() {
    let (Some(ss), Some(golisten)) = (peers::ss(), peers::golisten()) else {
        return;
    };
    for (network, address, expected) in BINDS {
        let mut command = Command::new(&golisten);
        command.args([network, address]);
        let server = Running::start(command);
        let bound = server.ready.rsplit(':').next().unwrap();
        let port: u16 = bound.parse().unwrap();
        let report = godiag_port(port);
        let from_ss = ss_listeners(&ss, port);
        let from_godiag = godiag_listeners(&report);
        assert_eq!(from_godiag, from_ss, "net.Listen({network:?}, {address:?})");
        let expected = expected.replace("PORT", &port.to_string());
        assert!(
            from_ss
                .iter()
                .any(|(address, pid, _)| *address == expected && *pid == server.pid()),
            "net.Listen({network:?}, {address:?}): ss shows {from_ss:?}, expected {expected}"
        );
        let listener = &report["port"]["listeners"][0];
        assert_eq!(listener["processes"][0]["go"]["path"], "golisten");
        // The probe to 127.0.0.1 connects exactly when the bind takes IPv4 loopback.
        let takes_v4 = !expected.starts_with('[');
        let probe = report["port"]["probes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["target"] == format!("127.0.0.1:{port}"))
            .unwrap();
        assert_eq!(probe["connected"], takes_v4, "{expected}: {probe}");
        if takes_v4 {
            assert_eq!(probe["http_status"], 200);
        }
    }
}

#[test]
fn a_closed_port_reports_nothing_listening_with_the_nearest_listener() {
    let Some(golisten) = peers::golisten() else {
        return;
    };
    let mut command = Command::new(&golisten);
    command.args(["tcp", "127.0.0.1:0"]);
    let server = Running::start(command);
    let port: u16 = server.ready.rsplit(':').next().unwrap().parse().unwrap();
    // The port just above the server's is closed unless something else took it.
    let closed = port + 1;
    let report = godiag_port(closed);
    if !report["port"]["listeners"].as_array().unwrap().is_empty() {
        return;
    }
    let net001 = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "NET001")
        .unwrap();
    assert_eq!(net001["severity"], "error");
    assert!(
        net001["message"].as_str().unwrap().contains(&format!(
            "127.0.0.1:{port} (golisten (pid {}))",
            server.pid()
        )),
        "{net001}"
    );
}

#[test]
fn doctor_checks_the_ports_of_listening_go_programs() {
    let Some(golisten) = peers::golisten() else {
        return;
    };
    let mut command = Command::new(&golisten);
    command.args(["tcp", "[::1]:0"]);
    let server = Running::start(command);
    let port: u64 = server.ready.rsplit(':').next().unwrap().parse().unwrap();
    let output = Command::new(peers::godiag())
        .args([
            "doctor",
            "--format",
            "json",
            "--deadline",
            "5s",
            "--port",
            "9",
        ])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let doctor = &report["doctor"]["port"];
    assert!(
        doctor["go_listeners"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["port"] == port && l["pid"] == server.pid() && l["path"] == "golisten"),
        "{doctor}"
    );
    let checked: Vec<u64> = doctor["ports"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["port"].as_u64())
        .collect();
    assert!(
        checked.contains(&port) && checked.contains(&9),
        "{checked:?}"
    );
    // The [::1]-only Go server is refused on 127.0.0.1: NET004 names this port.
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "NET004" && f["subject"] == format!("port {port}")),
        "{}",
        report["findings"]
    );
}

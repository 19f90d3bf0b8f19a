use std::collections::BTreeMap;
use std::fs;

use godiag_core::host::FixtureHost;
use proptest::prelude::*;

use super::*;
use Seer::{GuiSession, InteractiveShell, LoginShell, SystemdUser};

/// A fixture machine with `files` (host path, contents) and the given environment.
// Writing the fixture's files to disk is what the test needs; the code under test reads them
// through `Host`.
#[allow(clippy::disallowed_methods)]
fn machine(files: &[(&str, &[u8])], env: &[(&str, &str)]) -> (tempfile::TempDir, FixtureHost) {
    let root = tempfile::tempdir().unwrap();
    for (path, contents) in files {
        let disk = root.path().join(path.trim_start_matches('/'));
        fs::create_dir_all(disk.parent().unwrap()).unwrap();
        fs::write(disk, contents).unwrap();
    }
    let env: BTreeMap<String, String> = env
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let host = FixtureHost::new(root.path(), env);
    (root, host)
}

const BASH: &[(&str, &str)] = &[("HOME", "/home/u"), ("SHELL", "/bin/bash")];
const ZSH: &[(&str, &str)] = &[("HOME", "/home/u"), ("SHELL", "/usr/bin/zsh")];

fn go_vars(name: &str) -> bool {
    name.starts_with("GO")
}

/// (file name, line, `seen_by`) of every export of `name`.
fn seen(scan: &Scan, name: &str) -> Vec<(String, u32, Vec<Seer>)> {
    scan.exports
        .iter()
        .filter(|export| export.name == name)
        .map(|export| {
            (
                export.path.display().to_string(),
                export.line,
                export.seen_by.clone(),
            )
        })
        .collect()
}

fn row(path: &str, line: u32, seers: &[Seer]) -> (String, u32, Vec<Seer>) {
    (path.to_owned(), line, seers.to_vec())
}

#[test]
fn bash_user_with_only_profile() {
    let (_root, host) = machine(&[("/home/u/.profile", b"export GOPATH=$HOME/go\n")], BASH);
    let scan = scan(&host, &go_vars);
    assert_eq!(
        scan.exports,
        [Export {
            name: "GOPATH".into(),
            value: Some("/home/u/go".into()),
            path: "/home/u/.profile".into(),
            line: 1,
            column: 8,
            exported: true,
            seen_by: vec![LoginShell, InteractiveShell, GuiSession],
        }]
    );
    assert!(scan.unreadable.is_empty());
}

#[test]
fn bash_profile_that_sources_bashrc_makes_profile_gui_only() {
    let (_root, host) = machine(
        &[
            ("/home/u/.profile", b"export GOPATH=/p\n"),
            (
                "/home/u/.bash_profile",
                b"export GOBIN=/b\nif [ -f ~/.bashrc ]; then\n  . ~/.bashrc\nfi\n",
            ),
            ("/home/u/.bash_login", b"export GOPATH=/dead\n"),
            ("/home/u/.bashrc", b"export GOPATH=/rc\n"),
            ("/home/u/.zshrc", b"export GOPATH=/zsh\n"),
        ],
        BASH,
    );
    let scan = scan(&host, &go_vars);
    assert_eq!(
        seen(&scan, "GOPATH"),
        [
            row("/home/u/.profile", 1, &[InteractiveShell, GuiSession]),
            row("/home/u/.bash_login", 1, &[]),
            row("/home/u/.bashrc", 1, &[LoginShell, InteractiveShell]),
            row("/home/u/.zshrc", 1, &[]),
        ]
    );
    assert_eq!(
        seen(&scan, "GOBIN"),
        [row("/home/u/.bash_profile", 1, &[LoginShell])]
    );
}

#[test]
fn sourcing_is_followed_transitively() {
    // ~/.bash_profile → ~/.profile → ~/.bashrc, the Debian skeleton plus a one-line profile.
    let (_root, host) = machine(
        &[
            (
                "/home/u/.bash_profile",
                b"[ -f ~/.profile ] && . ~/.profile\n",
            ),
            (
                "/home/u/.profile",
                b"if [ -n \"$BASH_VERSION\" ]; then\n . \"$HOME/.bashrc\"\nfi\nexport GOPATH=/p\n",
            ),
            ("/home/u/.bashrc", b"export GOFLAGS=-mod=mod\n"),
        ],
        BASH,
    );
    let scan = scan(&host, &go_vars);
    assert_eq!(
        seen(&scan, "GOPATH"),
        [row(
            "/home/u/.profile",
            4,
            &[LoginShell, InteractiveShell, GuiSession]
        )]
    );
    assert_eq!(
        seen(&scan, "GOFLAGS"),
        [row("/home/u/.bashrc", 1, &[LoginShell, InteractiveShell])]
    );
}

#[test]
fn zsh_user() {
    let (_root, host) = machine(
        &[
            ("/home/u/.profile", b"export GOPATH=/profile\n"),
            ("/home/u/.bash_profile", b"export GOPATH=/bash_profile\n"),
            ("/home/u/.bashrc", b"export GOPATH=/bashrc\n"),
            ("/home/u/.zshenv", b"export GOPATH=/zshenv\n"),
            ("/home/u/.zprofile", b"export GOPATH=/zprofile\n"),
            ("/home/u/.zshrc", b"typeset -x GOPATH=/zshrc\n"),
            ("/etc/profile", b"export GOPATH=/etc\n"),
            ("/etc/profile.d/go.sh", b"export GOPATH=/etc.d\n"),
        ],
        ZSH,
    );
    let scan = scan(&host, &go_vars);
    assert_eq!(
        seen(&scan, "GOPATH"),
        [
            row("/home/u/.profile", 1, &[InteractiveShell, GuiSession]),
            row("/home/u/.bash_profile", 1, &[]),
            row("/home/u/.bashrc", 1, &[]),
            row("/home/u/.zshenv", 1, &[LoginShell, InteractiveShell]),
            row("/home/u/.zprofile", 1, &[LoginShell]),
            row("/home/u/.zshrc", 1, &[LoginShell, InteractiveShell]),
            row("/etc/profile", 1, &[InteractiveShell, GuiSession]),
            row("/etc/profile.d/go.sh", 1, &[InteractiveShell, GuiSession]),
        ]
    );
}

#[test]
fn zsh_profile_that_emulates_sh_reads_profile() {
    let (_root, host) = machine(
        &[
            ("/home/u/.zprofile", b"emulate sh -c '. ~/.profile'\n"),
            ("/home/u/.profile", b"export GOPATH=/p\n"),
        ],
        ZSH,
    );
    assert_eq!(
        seen(&scan(&host, &go_vars), "GOPATH"),
        [row(
            "/home/u/.profile",
            1,
            &[LoginShell, InteractiveShell, GuiSession]
        )]
    );
}

#[test]
fn environment_d_expands_across_files() {
    let (_root, host) = machine(
        &[
            (
                "/home/u/.config/environment.d/10-go.conf",
                b"GOPATH=${HOME}/go\n",
            ),
            (
                "/home/u/.config/environment.d/20-bin.conf",
                b"GOBIN=$GOPATH/bin\nGOFLAGS=${GOFLAGS:--mod=mod}\n",
            ),
            (
                "/home/u/.config/environment.d/.hidden.conf",
                b"GOPATH=/hidden\n",
            ),
            ("/home/u/.config/environment.d/README", b"GOPATH=/readme\n"),
        ],
        BASH,
    );
    let scan = scan(&host, &go_vars);
    let values: Vec<(&str, Option<&str>)> = scan
        .exports
        .iter()
        .map(|export| (export.name.as_str(), export.value.as_deref()))
        .collect();
    assert_eq!(
        values,
        [
            ("GOBIN", Some("/home/u/go/bin")),
            ("GOFLAGS", Some("-mod=mod")),
            ("GOPATH", Some("/home/u/go"))
        ]
    );
    assert!(
        scan.exports
            .iter()
            .all(|export| export.seen_by == [InteractiveShell, GuiSession, SystemdUser])
    );
}

#[test]
fn environment_d_follows_absolute_xdg_config_home() {
    let files: &[(&str, &[u8])] = &[
        (
            "/home/u/.config/environment.d/go.conf",
            b"GOPATH=/default\n",
        ),
        ("/srv/cfg/environment.d/go.conf", b"GOPATH=/xdg\n"),
    ];
    let env = [("HOME", "/home/u"), ("XDG_CONFIG_HOME", "/srv/cfg")];
    let (_root, host) = machine(files, &env);
    assert_eq!(
        seen(&scan(&host, &go_vars), "GOPATH")[0].0,
        "/srv/cfg/environment.d/go.conf"
    );
    let env = [("HOME", "/home/u"), ("XDG_CONFIG_HOME", "relative")];
    let (_root, host) = machine(files, &env);
    assert_eq!(
        seen(&scan(&host, &go_vars), "GOPATH")[0].0,
        "/home/u/.config/environment.d/go.conf"
    );
}

#[test]
fn unexported_assignment_is_seen_by_no_one() {
    let (_root, host) = machine(
        &[("/home/u/.bashrc", b"GOPATH=/x\nexport GOBIN=/b\n")],
        BASH,
    );
    let scan = scan(&host, &go_vars);
    let gopath = &scan.exports[1];
    assert_eq!(
        (
            gopath.name.as_str(),
            gopath.exported,
            gopath.seen_by.as_slice()
        ),
        ("GOPATH", false, &[][..])
    );
    assert_eq!(
        seen(&scan, "GOBIN"),
        [row("/home/u/.bashrc", 2, &[InteractiveShell])]
    );
}

#[test]
fn system_files_order_and_filter() {
    let (_root, host) = machine(
        &[
            (
                "/etc/environment",
                b"GOPROXY=\"https://proxy.corp\"\nPATH=/usr/bin\n",
            ),
            ("/etc/profile", b"export GOPROXY=direct\n"),
            ("/etc/profile.d/b.sh", b"export GOPROXY=b\n"),
            ("/etc/profile.d/a.sh", b"export GOPROXY=a\n"),
            ("/etc/profile.d/c.csh", b"setenv GOPROXY c\n"),
            ("/home/u/.profile", b"export GOPROXY=home\n"),
        ],
        BASH,
    );
    let scan = scan(&host, &go_vars);
    let paths: Vec<String> = seen(&scan, "GOPROXY")
        .into_iter()
        .map(|(path, _, _)| path)
        .collect();
    assert_eq!(
        paths,
        [
            "/home/u/.profile",
            "/etc/environment",
            "/etc/profile",
            "/etc/profile.d/a.sh",
            "/etc/profile.d/b.sh"
        ]
    );
    assert_eq!(
        scan.exports[1].seen_by,
        [LoginShell, InteractiveShell, GuiSession, SystemdUser]
    );
    assert_eq!(
        scan.exports[2].seen_by,
        [LoginShell, InteractiveShell, GuiSession]
    );
    assert!(scan.exports.iter().all(|export| export.name == "GOPROXY"));
}

#[test]
fn non_utf8_login_file_is_unreadable_but_still_chosen_by_bash() {
    let (_root, host) = machine(
        &[
            ("/home/u/.bash_profile", b"export GOPATH=\xff\n"),
            ("/home/u/.profile", b"export GOPATH=/p\n"),
        ],
        BASH,
    );
    let scan = scan(&host, &go_vars);
    assert_eq!(scan.unreadable.len(), 1);
    assert_eq!(scan.unreadable[0].path, Path::new("/home/u/.bash_profile"));
    assert_eq!(
        seen(&scan, "GOPATH"),
        [row("/home/u/.profile", 1, &[InteractiveShell, GuiSession])]
    );
}

#[test]
fn missing_home_and_shell_default_to_system_files_and_bash() {
    let (_root, host) = machine(&[("/etc/profile", b"export GOPATH=/etc\n")], &[]);
    let scan = scan(&host, &go_vars);
    assert_eq!(
        seen(&scan, "GOPATH"),
        [row(
            "/etc/profile",
            1,
            &[LoginShell, InteractiveShell, GuiSession]
        )]
    );
}

#[test]
fn seers_serialize_in_snake_case() {
    let json =
        serde_json::to_string(&[LoginShell, InteractiveShell, GuiSession, SystemdUser]).unwrap();
    assert_eq!(
        json,
        r#"["login_shell","interactive_shell","gui_session","systemd_user"]"#
    );
}

/// Text rich in the characters the parsers treat specially.
fn shellish() -> impl Strategy<Value = String> {
    proptest::string::string_regex(
        r#"([A-Za-z_=$'"\\{}()\n\t #;:~`|&<>+-]|export |set -a|\$\{|\$\(|<<){0,80}"#,
    )
    .unwrap()
}

proptest! {
    #[test]
    fn parsers_never_panic_on_arbitrary_text(text in any::<String>()) {
        let env = |_: &str| Some("v".to_owned());
        let _ = parse_shell(&text, &env);
        let _ = parse_etc_environment(&text);
        let _ = parse_environment_d(&text, &env);
    }

    #[test]
    fn parsers_never_panic_on_shell_like_text(text in shellish()) {
        let env = |name: &str| (name == "HOME").then(|| "/h".to_owned());
        for assignment in parse_shell(&text, &env) {
            prop_assert!(assignment.line >= 1 && assignment.column >= 1);
        }
        let _ = parse_etc_environment(&text);
        let _ = parse_environment_d(&text, &env);
    }
}

//! `git ls-remote` reaching a local HTTP git server by a name only the map knows: git (through
//! libcurl) resolves with getaddrinfo, so the module is what makes the name work.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::getent::Machine;
use crate::peers::peer;

fn git(git: &Path, args: &[&str], dir: &Path) {
    let status = Command::new(git)
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .status()
        .unwrap();
    assert!(status.success(), "git {}", args.join(" "));
}

#[test]
fn git_ls_remote_reaches_a_server_by_a_mapped_name() {
    let (Some(git_bin), Some(unshare)) = (
        peer("GODIAG_TEST_GIT", "git"),
        peer("GODIAG_TEST_UNSHARE", "unshare (util-linux)"),
    ) else {
        return;
    };
    let machine = Machine::new();
    let t = machine.dir.path();
    fs::write(t.join("nss.map"), "repo.corp.example 127.0.0.1\n").unwrap();
    fs::create_dir(t.join("src")).unwrap();
    git(&git_bin, &["init", "-q"], &t.join("src"));
    git(
        &git_bin,
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.org",
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "first",
        ],
        &t.join("src"),
    );
    fs::create_dir(t.join("srv")).unwrap();
    git(
        &git_bin,
        &["clone", "-q", "--bare", "../src", "repo.git"],
        &t.join("srv"),
    );
    // The dumb HTTP protocol: static files, so any web server will do.
    git(&git_bin, &["update-server-info"], &t.join("srv/repo.git"));
    let commands = format!(
        "cd {t}\npython3 -u -m http.server --bind 127.0.0.1 --directory srv 0 > server.out 2>&1 &\n\
         server=$!\n\
         while ! grep -q 'port' server.out; do sleep 0.05; done\n\
         port=$(sed -n 's/.* port \\([0-9]*\\).*/\\1/p' server.out | head -1)\n\
         HOME={t} GIT_CONFIG_NOSYSTEM=1 {git} ls-remote http://repo.corp.example:$port/repo.git; \
         echo \"rc=$?\"\nkill $server\n",
        t = t.display(),
        git = git_bin.display(),
    );
    let with_module = machine.run(&unshare, "godiag", &commands);
    assert!(with_module.contains("\tHEAD\n"), "{with_module}");
    assert!(with_module.ends_with("rc=0\n"), "{with_module}");
    // Without the module the same name does not resolve at all.
    let without = machine.run(&unshare, "files", &commands);
    assert!(!without.contains("rc=0\n"), "{without}");
}

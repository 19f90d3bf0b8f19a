use std::collections::BTreeMap;
use std::os::unix::process::ExitStatusExt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use tempfile::TempDir;

use super::*;
use crate::host::{FixtureHost, RealHost};

const LINE: &str = "export GOFLAGS=-mod=mod\n";

/// An idempotent transform, like a check's fix: adds `LINE` unless the file has it.
fn add_line(text: Option<&str>) -> String {
    let mut out = text.unwrap_or_default().to_owned();
    if out.lines().any(|line| line == LINE.trim_end()) {
        return out;
    }
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(LINE);
    out
}

fn fixture() -> (TempDir, FixtureHost) {
    let dir = tempfile::tempdir().unwrap();
    let host = FixtureHost::new(dir.path(), BTreeMap::new());
    (dir, host)
}

fn put(host: &dyn Host, path: &str, content: &str, mode: u32) -> PathBuf {
    let disk = host.disk_path(Path::new(path)).unwrap();
    fs::create_dir_all(disk.parent().unwrap()).unwrap();
    fs::write(&disk, content).unwrap();
    fs::set_permissions(&disk, Permissions::from_mode(mode)).unwrap();
    disk
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap()
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().mode() & 0o7777
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn backup_of(applied: Applied) -> Option<PathBuf> {
    match applied {
        Applied::Written { backup } => backup,
        Applied::Unchanged => panic!("expected a write"),
    }
}

#[test]
fn diff_of_a_small_change_has_three_lines_of_context() {
    let edit = PlannedEdit {
        path: PathBuf::from("/etc/app.conf"),
        original: Some(b"1\n2\n3\n4\n5\n6\n7\n8\n9\n".to_vec()),
        new_content: "1\n2\n3\n4\nfive\n6\n7\n8\n9\n".to_owned(),
    };
    let expected = "--- a/etc/app.conf\n+++ b/etc/app.conf\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n";
    assert_eq!(edit.diff(), expected);
    let fix = edit.to_fix_edit();
    assert_eq!(fix.path, edit.path);
    assert_eq!(fix.diff, expected);
    assert_eq!(fix.planned, Some(edit));
}

#[test]
fn diff_of_a_new_file_starts_from_dev_null() {
    let (_dir, host) = fixture();
    let edit = plan(&host, Path::new("/home/u/.profile"), add_line).unwrap();
    assert_eq!(edit.original, None);
    assert!(!edit.is_noop());
    assert_eq!(
        edit.diff(),
        "--- /dev/null\n+++ b/home/u/.profile\n@@ -0,0 +1 @@\n+export GOFLAGS=-mod=mod\n"
    );
}

#[test]
fn plan_refuses_a_file_that_is_not_text() {
    let (_dir, host) = fixture();
    let disk = put(&host, "/etc/app.conf", "", 0o644);
    fs::write(&disk, b"\xff\xfe").unwrap();
    let error = plan(&host, Path::new("/etc/app.conf"), add_line).unwrap_err();
    assert!(matches!(error, EditError::NotUtf8 { path } if path == Path::new("/etc/app.conf")));
}

#[test]
fn apply_keeps_the_mode_backs_up_and_is_idempotent() {
    let (_dir, host) = fixture();
    let disk = put(&host, "/home/u/.profile", "PATH=/bin", 0o640);
    let path = Path::new("/home/u/.profile");
    let edit = plan(&host, path, add_line).unwrap();

    let backup = backup_of(apply(&host, &edit).unwrap()).unwrap();
    assert_eq!(backup, disk.with_file_name(".profile.godiag.bak"));
    assert_eq!(read(&disk), format!("PATH=/bin\n{LINE}"));
    assert_eq!(mode(&disk), 0o640);
    assert_eq!(read(&backup), "PATH=/bin");
    assert_eq!(mode(&backup), 0o640);

    let again = plan(&host, path, add_line).unwrap();
    assert!(again.is_noop());
    assert_eq!(again.diff(), "");
    assert_eq!(apply(&host, &again).unwrap(), Applied::Unchanged);
    assert_eq!(
        names(disk.parent().unwrap()),
        [".profile", ".profile.godiag.bak"]
    );
}

#[test]
fn apply_never_overwrites_an_existing_backup() {
    let (_dir, host) = fixture();
    let disk = put(&host, "/etc/app.conf", "old\n", 0o644);
    put(&host, "/etc/app.conf.godiag.bak", "first\n", 0o644);
    put(&host, "/etc/app.conf.godiag.bak.1", "second\n", 0o644);
    let edit = plan(&host, Path::new("/etc/app.conf"), add_line).unwrap();
    let backup = backup_of(apply(&host, &edit).unwrap()).unwrap();
    assert_eq!(backup, disk.with_file_name("app.conf.godiag.bak.2"));
    assert_eq!(read(&backup), "old\n");
    assert_eq!(read(&disk.with_file_name("app.conf.godiag.bak")), "first\n");
    assert_eq!(
        read(&disk.with_file_name("app.conf.godiag.bak.1")),
        "second\n"
    );
}

#[test]
fn apply_creates_a_new_file_and_its_directories() {
    let (dir, host) = fixture();
    let path = Path::new("/home/u/.config/go/env");
    let edit = plan(&host, path, add_line).unwrap();
    assert_eq!(backup_of(apply(&host, &edit).unwrap()), None);
    let disk = host.disk_path(path).unwrap();
    assert_eq!(read(&disk), LINE);
    assert_eq!(mode(&disk), 0o644);
    assert_eq!(names(disk.parent().unwrap()), ["env"]);
    assert_eq!(names(dir.path()), ["home"]);
}

#[test]
fn apply_refuses_a_file_changed_since_the_plan() {
    type Change = fn(&Path);
    let cases: [(&str, Option<&str>, Change, Option<&str>); 3] = [
        (
            "rewritten",
            Some("old\n"),
            |disk| fs::write(disk, "theirs\n").unwrap(),
            Some("theirs\n"),
        ),
        (
            "removed",
            Some("old\n"),
            |disk| fs::remove_file(disk).unwrap(),
            None,
        ),
        (
            "created",
            None,
            |disk| fs::write(disk, "theirs\n").unwrap(),
            Some("theirs\n"),
        ),
    ];
    for (name, before, change, after) in cases {
        let (_dir, host) = fixture();
        let path = Path::new("/etc/app.conf");
        let disk = host.disk_path(path).unwrap();
        fs::create_dir_all(disk.parent().unwrap()).unwrap();
        if let Some(before) = before {
            fs::write(&disk, before).unwrap();
        }
        let edit = plan(&host, path, add_line).unwrap();
        change(&disk);
        let error = apply(&host, &edit).unwrap_err();
        assert!(
            matches!(error, EditError::Changed { .. }),
            "{name}: {error:?}"
        );
        assert_eq!(fs::read_to_string(&disk).ok().as_deref(), after, "{name}");
        let expected: &[&str] = if after.is_some() { &["app.conf"] } else { &[] };
        assert_eq!(
            names(disk.parent().unwrap()),
            expected,
            "{name}: no backup, no temp file"
        );
    }
}

#[test]
fn a_writer_just_before_the_rename_wins_and_nothing_is_left_behind() {
    let (_dir, host) = fixture();
    let disk = put(&host, "/etc/app.conf", "old\n", 0o644);
    let edit = plan(&host, Path::new("/etc/app.conf"), add_line).unwrap();
    let mut stages = Vec::new();
    let result = apply_with(&host, &edit, &mut |stage| {
        stages.push(stage);
        if stage == Stage::BeforeRename {
            fs::write(&disk, "theirs\n").unwrap();
        }
    });
    assert!(
        matches!(result, Err(EditError::Changed { .. })),
        "{result:?}"
    );
    assert_eq!(
        stages,
        [
            Stage::TempWritten,
            Stage::BackupWritten,
            Stage::BeforeRename
        ]
    );
    assert_eq!(read(&disk), "theirs\n");
    assert_eq!(names(disk.parent().unwrap()), ["app.conf"]);
}

#[test]
fn stages_run_in_order() {
    let (_dir, host) = fixture();
    put(&host, "/etc/old.conf", "old\n", 0o644);
    for (path, expected) in [
        (
            "/etc/old.conf",
            &[
                Stage::TempWritten,
                Stage::BackupWritten,
                Stage::BeforeRename,
                Stage::Renamed,
            ][..],
        ),
        (
            "/etc/new.conf",
            &[Stage::TempWritten, Stage::BeforeRename, Stage::Renamed][..],
        ),
    ] {
        let edit = plan(&host, Path::new(path), add_line).unwrap();
        let mut stages = Vec::new();
        apply_with(&host, &edit, &mut |stage| stages.push(stage)).unwrap();
        assert_eq!(stages, expected, "{path}");
    }
}

/// Lines in a racer payload: large enough that writing one takes a while, so a reader is
/// likely to catch a write that is not atomic.
const PAYLOAD_LINES: usize = 1 << 12;

fn racer_payload(n: u64) -> String {
    format!("racer {n}\n").repeat(PAYLOAD_LINES)
}

fn is_racer_payload(text: &str) -> bool {
    let first = text.lines().next().unwrap_or_default();
    first
        .strip_prefix("racer ")
        .and_then(|n| n.parse().ok())
        .is_some_and(|n| text == racer_payload(n))
}

/// Returns true when `bytes` could be a whole racer payload with whole `edited N` lines after
/// it: cheap enough to run many times while `apply` writes (a test build is unoptimised).
fn looks_whole(bytes: &[u8]) -> bool {
    let Some(first) = bytes.split(|&byte| byte == b'\n').next() else {
        return false;
    };
    let payload = (first.len() + 1) * PAYLOAD_LINES;
    first.starts_with(b"racer ")
        && bytes.len() >= payload
        && bytes[payload - 1] == b'\n'
        && bytes.ends_with(b"\n")
        && (bytes.len() == payload || bytes[payload..].starts_with(b"edited "))
}

/// Runs `body` on a thread until `stop` is set.
fn spawn_loop(
    stop: &Arc<AtomicBool>,
    mut body: impl FnMut(u64) + Send + 'static,
) -> thread::JoinHandle<()> {
    let stop = Arc::clone(stop);
    thread::spawn(move || {
        let mut n = 1;
        while !stop.load(Ordering::Relaxed) {
            body(n);
            n += 1;
        }
    })
}

#[test]
fn a_concurrent_writer_never_sees_a_mix() {
    let dir = tempfile::tempdir().unwrap();
    let racer_dir = dir.path().join("racer");
    let edited_dir = dir.path().join("etc");
    fs::create_dir(&racer_dir).unwrap();
    fs::create_dir(&edited_dir).unwrap();
    let path = edited_dir.join("app.conf");
    fs::write(&path, racer_payload(0)).unwrap();

    let stop = Arc::new(AtomicBool::new(false));
    // The racer writes atomically too (its temp files live elsewhere), so a torn or empty
    // file could only come from `apply`.
    let racer = spawn_loop(&stop, {
        let path = path.clone();
        move |n| {
            let mut temp = NamedTempFile::new_in(&racer_dir).unwrap();
            temp.write_all(racer_payload(n).as_bytes()).unwrap();
            temp.persist(&path).unwrap();
            // Mostly short gaps, so many edits lose the race, and now and then a long one,
            // so some win it even where fsync is slow.
            let gap = if n % 16 == 0 { 10_000 } else { n % 8 * 200 };
            thread::sleep(Duration::from_micros(gap));
        }
    });
    // A reader sees the file while `apply` writes it, not only after.
    let reader = spawn_loop(&stop, {
        let path = path.clone();
        move |_| {
            let bytes = fs::read(&path).unwrap();
            assert!(
                looks_whole(&bytes),
                "reader saw a torn file: {} bytes",
                bytes.len()
            );
        }
    });

    let (mut written, mut changed) = (0, 0);
    for i in 0..300 {
        // A new line each time, so no attempt is a no-op.
        let edit = plan(&RealHost, &path, |text| {
            format!("{}edited {i}\n", text.unwrap_or_default())
        })
        .unwrap();
        let result = apply(&RealHost, &edit);
        let now = read(&path);
        match result {
            Ok(Applied::Written { backup }) => {
                written += 1;
                assert!(
                    now == edit.new_content || is_racer_payload(&now),
                    "torn: {now:.40}"
                );
                let backup = backup.unwrap();
                assert_eq!(fs::read(&backup).ok(), edit.original);
                fs::remove_file(backup).unwrap();
            }
            Err(EditError::Changed { .. }) => {
                changed += 1;
                assert!(
                    is_racer_payload(&now),
                    "a refused edit must leave the racer's file"
                );
            }
            other => panic!("unexpected outcome: {other:?}"),
        }
    }
    stop.store(true, Ordering::Relaxed);
    racer.join().unwrap();
    reader.join().unwrap();
    assert!(
        written > 0 && changed > 0,
        "both outcomes: {written} written, {changed} refused"
    );
    assert_eq!(
        names(&edited_dir),
        ["app.conf"],
        "no backup or temp file left behind"
    );
}

/// Set in the child process of the crash test: the [`Stage`] (its `Debug` name) to abort at.
const ABORT_AT: &str = "GODIAG_INTERNAL__EDIT_TEST_ABORT_AT";
/// Set in the child process of the crash test: the directory holding `app.conf`.
const ABORT_DIR: &str = "GODIAG_INTERNAL__EDIT_TEST_DIR";

#[test]
fn a_crash_at_any_stage_keeps_the_old_or_the_new_file() {
    const OLD: &str = "old 1\nold 2\n";
    if let (Some(stage), Some(dir)) = (std::env::var_os(ABORT_AT), std::env::var_os(ABORT_DIR)) {
        // The child: die at `stage` the way a killed process does, with no unwinding and
        // no destructors (so the temp file is not cleaned up either).
        let path = Path::new(&dir).join("app.conf");
        let edit = plan(&RealHost, &path, add_line).unwrap();
        let stage = stage.to_string_lossy().into_owned();
        let _ = apply_with(&RealHost, &edit, &mut |at| {
            if format!("{at:?}") == stage {
                std::process::abort();
            }
        });
        panic!("apply finished without reaching {stage}");
    }

    let new = add_line(Some(OLD));
    let (_, this_test) = module_path!().split_once("::").unwrap();
    let this_test = format!("{this_test}::a_crash_at_any_stage_keeps_the_old_or_the_new_file");
    for stage in [
        Stage::TempWritten,
        Stage::BackupWritten,
        Stage::BeforeRename,
        Stage::Renamed,
    ] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.conf");
        fs::write(&path, OLD).unwrap();
        let output = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", &this_test, "--nocapture"])
            .env(ABORT_AT, format!("{stage:?}"))
            .env(ABORT_DIR, dir.path())
            // A core dump, if the system writes one, lands in the temp dir.
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert_eq!(
            output.status.signal(),
            Some(libc::SIGABRT),
            "{stage:?}: child did not abort\n{}",
            String::from_utf8_lossy(&output.stderr)
        );

        let expected = if stage == Stage::Renamed {
            new.as_str()
        } else {
            OLD
        };
        assert_eq!(read(&path), expected, "{stage:?}");
        let backup = dir.path().join("app.conf.godiag.bak");
        if stage == Stage::TempWritten {
            assert!(!backup.exists(), "{stage:?}");
        } else {
            assert_eq!(read(&backup), OLD, "{stage:?}");
        }
        // What a crash leaves behind is a hidden temp file holding a complete version.
        for name in names(dir.path()) {
            if name.starts_with(".app.conf.") && name.ends_with(".godiag.tmp") {
                let stray = read(&dir.path().join(&name));
                assert!(stray == new || stray == OLD, "{stage:?}: {name} is torn");
            } else if !name.starts_with("core") {
                assert!(
                    ["app.conf", "app.conf.godiag.bak"].contains(&name.as_str()),
                    "{name}"
                );
            }
        }
    }
}

#[test]
fn a_symlink_survives_and_its_target_is_edited() {
    let (_dir, host) = fixture();
    let real = put(&host, "/etc/real.conf", "a\n", 0o600);
    let link = host.disk_path(Path::new("/etc/app.conf")).unwrap();
    std::os::unix::fs::symlink("real.conf", &link).unwrap();
    let edit = plan(&host, Path::new("/etc/app.conf"), add_line).unwrap();
    let backup = backup_of(apply(&host, &edit).unwrap()).unwrap();
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(fs::read_link(&link).unwrap(), Path::new("real.conf"));
    assert_eq!(read(&real), format!("a\n{LINE}"));
    assert_eq!(mode(&real), 0o600);
    assert_eq!(backup.file_name().unwrap(), "real.conf.godiag.bak");
    assert_eq!(read(&backup), "a\n");
}

#[test]
fn a_dangling_symlink_is_not_replaced() {
    let (_dir, host) = fixture();
    let link = host.disk_path(Path::new("/etc/app.conf")).unwrap();
    fs::create_dir_all(link.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink("missing.conf", &link).unwrap();
    let edit = plan(&host, Path::new("/etc/app.conf"), add_line).unwrap();
    let error = apply(&host, &edit).unwrap_err();
    assert!(matches!(error, EditError::Resolve { .. }), "{error:?}");
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

#[test]
fn binaries_install_atomically_with_a_backup_and_remove_keeping_one() {
    let (dir, host) = fixture();
    let path = Path::new("/usr/lib/libx.so.2");
    let disk = dir.path().join("usr/lib/libx.so.2");
    let first = [0u8, 159, 146, 150];
    assert!(matches!(
        install_bytes(&host, path, &first).unwrap(),
        Applied::Written { backup: None }
    ));
    assert_eq!(fs::read(&disk).unwrap(), first);
    assert_eq!(
        fs::metadata(&disk).unwrap().permissions().mode() & 0o777,
        0o644
    );
    assert_eq!(
        install_bytes(&host, path, &first).unwrap(),
        Applied::Unchanged
    );
    let Applied::Written {
        backup: Some(backup),
    } = install_bytes(&host, path, b"second").unwrap()
    else {
        panic!("replacing a different file keeps no backup");
    };
    assert_eq!(fs::read(&backup).unwrap(), first);
    assert_eq!(fs::read(&disk).unwrap(), b"second");
    let Applied::Written {
        backup: Some(removed),
    } = remove_with_backup(&host, path).unwrap()
    else {
        panic!("removal keeps no backup");
    };
    assert!(!disk.exists());
    assert_eq!(fs::read(&removed).unwrap(), b"second");
    assert_eq!(remove_with_backup(&host, path).unwrap(), Applied::Unchanged);
}

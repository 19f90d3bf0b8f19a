use std::collections::BTreeMap;

use godiag_core::host::FixtureHost;

use super::*;

/// A fixture machine with these files (host path, content); a path ending in `/` is a
/// directory.
#[allow(clippy::disallowed_methods)] // writes the fixture; the code under test reads via Host
fn machine(files: &[(&str, &str)]) -> (tempfile::TempDir, FixtureHost) {
    let root = tempfile::tempdir().unwrap();
    for (path, content) in files {
        let disk = root.path().join(path.trim_start_matches('/'));
        if path.ends_with('/') {
            std::fs::create_dir_all(&disk).unwrap();
        } else {
            std::fs::create_dir_all(disk.parent().unwrap()).unwrap();
            std::fs::write(&disk, content).unwrap();
        }
    }
    let host = FixtureHost::new(root.path(), BTreeMap::new());
    (root, host)
}

const APP: &str = "module example.com/app\n\ngo 1.22\n\nrequire example.com/hello v1.0.0\n";

#[test]
fn outside_a_module_there_is_no_project() {
    let (_root, host) = machine(&[]);
    assert_eq!(load_with(&host, ["", "", ""], "/"), Ok(None));
    assert_eq!(load_with(&host, ["/dev/null", "", ""], "/"), Ok(None));
}

#[test]
fn required_version_and_plain_fetch() {
    let (_root, host) = machine(&[("/p/go.mod", APP)]);
    let project = load_with(&host, ["/p/go.mod", "", ""], "/")
        .unwrap()
        .unwrap();
    assert_eq!(project.build_mod, "readonly");
    let decision = project.decide("example.com/hello", None);
    assert_eq!(decision.resolution, Resolution::Fetch);
    assert_eq!(decision.required.as_deref(), Some("v1.0.0"));
    assert!(matches!(
        project.decide("example.com/app", None).resolution,
        Resolution::MainModule { .. }
    ));
}

#[test]
fn replacements_version_specific_first() {
    let go_mod = format!(
        "{APP}\nreplace example.com/hello => ../local\nreplace example.com/hello v1.1.0 => example.com/fork v1.1.1\n"
    );
    let (_root, host) = machine(&[("/p/go.mod", &go_mod), ("/local/go.mod", "module x\n")]);
    let project = load_with(&host, ["/p/go.mod", "", ""], "/")
        .unwrap()
        .unwrap();
    let Resolution::ReplaceDir { abs, line, .. } =
        project.decide("example.com/hello", None).resolution
    else {
        panic!("a directory replacement")
    };
    assert_eq!((abs.as_str(), line), ("/local", 7));
    assert_eq!(
        replace_dir_error(&host, "example.com/hello", "v1.0.0", "../local", &abs),
        None
    );
    assert_eq!(
        replace_dir_error(&host, "example.com/hello", "v1.0.0", "../gone", "/gone").as_deref(),
        Some("example.com/hello@v1.0.0: replacement directory ../gone does not exist")
    );
    assert!(matches!(
        project.decide("example.com/hello", Some("v1.1.0")).resolution,
        Resolution::ReplaceModule { ref path, ref version, .. } if path == "example.com/fork" && version == "v1.1.1"
    ));
}

#[test]
fn vendor_mode_needs_a_vendor_dir_and_go_1_14() {
    let txt = "# example.com/hello v1.0.0\n## explicit\nexample.com/hello\n";
    let (_root, host) = machine(&[("/p/go.mod", APP), ("/p/vendor/modules.txt", txt)]);
    let project = load_with(&host, ["/p/go.mod", "", ""], "/")
        .unwrap()
        .unwrap();
    assert_eq!(project.build_mod, "vendor");
    let decision = project.decide("example.com/hello", None);
    assert!(
        matches!(decision.resolution, Resolution::Vendor { listed: Some(ref v), .. } if v == "v1.0.0")
    );
    assert_eq!(decision.error, None);
    // GOFLAGS wins, and an old go line keeps the vendor directory unused.
    let project = load_with(&host, ["/p/go.mod", "", "-mod=mod"], "/")
        .unwrap()
        .unwrap();
    assert_eq!(project.build_mod, "mod");
    let old = APP.replace("go 1.22", "go 1.13");
    let (_root, host) = machine(&[("/p/go.mod", &old), ("/p/vendor/modules.txt", txt)]);
    let project = load_with(&host, ["/p/go.mod", "", ""], "/")
        .unwrap()
        .unwrap();
    assert_eq!(project.build_mod, "readonly");
    assert!(project.build_mod_reason.contains("is 1.13"));
}

#[test]
fn vendor_without_the_module_is_inconsistent() {
    let (_root, host) = machine(&[("/p/go.mod", APP), ("/p/vendor/", "")]);
    let project = load_with(&host, ["/p/go.mod", "", ""], "/")
        .unwrap()
        .unwrap();
    let error = project.decide("example.com/hello", None).error.unwrap();
    assert!(error.starts_with("inconsistent vendoring in /p:\n\texample.com/hello@v1.0.0: is explicitly required in go.mod, but not marked as explicit"));
}

#[test]
fn workspace_modules_and_go_work_replacements() {
    let work = "go 1.22\n\nuse (\n\t./app\n\t./hello\n)\n\nreplace example.com/other => ../other\n";
    let (_root, host) = machine(&[
        ("/w/go.work", work),
        (
            "/w/app/go.mod",
            "module example.com/app\n\ngo 1.22\n\nrequire example.com/other v0.1.0\nreplace example.com/other => example.com/fork v0.2.0\n",
        ),
        ("/w/hello/go.mod", "module example.com/hello\n"),
    ]);
    let project = load_with(&host, ["/w/app/go.mod", "/w/go.work", ""], "/")
        .unwrap()
        .unwrap();
    assert_eq!(project.main_modules.len(), 2);
    assert!(matches!(
        project.decide("example.com/hello", Some("v1.0.0")).resolution,
        Resolution::MainModule { ref file, .. } if file == "/w/go.work"
    ));
    // go.work's replace shadows the module's own.
    assert!(matches!(
        project.decide("example.com/other", None).resolution,
        Resolution::ReplaceDir { ref abs, .. } if abs == "/other"
    ));
    let refused = load_with(&host, ["/w/app/go.mod", "/w/go.work", "-mod=mod"], "/")
        .unwrap()
        .unwrap();
    assert_eq!(
        refused.build_error.unwrap(),
        "-mod may only be set to readonly or vendor when in workspace mode, but it is set to \"mod\"\n\tRemove the -mod flag to use the default readonly value, \n\tor set GOWORK=off to disable workspace mode."
    );
}

#[test]
fn unreadable_files_are_the_go_commands_errors() {
    let (_root, host) = machine(&[
        ("/p/go.mod", "module m\nbogus\n"),
        ("/srv/space/go.work", "use ./missing\n"),
    ]);
    assert_eq!(
        load_with(&host, ["/p/go.mod", "", ""], "/").unwrap_err(),
        "errors parsing go.mod:\np/go.mod:2: unknown directive: bogus"
    );
    assert_eq!(
        load_with(
            &host,
            ["/dev/null", "/srv/space/go.work", ""],
            "/srv/space/app"
        )
        .unwrap_err(),
        "cannot load module ../missing listed in go.work file: open ../missing/go.mod: no such file or directory"
    );
}

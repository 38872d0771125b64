//! The output stage at its edges: nothing half-done, nothing clobbered, nothing read that is not
//! a plain file. Faults are injected through `output::apply_with`.

use std::io;
use std::path::Path;

use fleetc::output::{self, Io, RealIo};

use crate::common::{self, fleetc, scratch, snapshot, stderr};

/// Real file system operations, failing the `fail_at`-th one (counting from 0) with `error`;
/// with `crash`, every later operation fails too, as if the process had died there.
struct Faulty {
    ops: usize,
    fail_at: usize,
    error: io::ErrorKind,
    crash: bool,
}

impl Faulty {
    /// An `Io` that never fails, counting the operations.
    fn never() -> Faulty {
        Faulty {
            ops: 0,
            fail_at: usize::MAX,
            error: io::ErrorKind::Other,
            crash: false,
        }
    }

    fn step(&mut self) -> io::Result<()> {
        let n = self.ops;
        self.ops += 1;
        if n == self.fail_at || (self.crash && n > self.fail_at) {
            Err(io::Error::from(self.error))
        } else {
            Ok(())
        }
    }
}

impl Io for Faulty {
    fn create_new(&mut self, path: &Path, bytes: &[u8], mode: Option<u32>) -> io::Result<()> {
        self.step()?;
        RealIo.create_new(path, bytes, mode)
    }
    fn rename(&mut self, from: &Path, to: &Path) -> io::Result<()> {
        self.step()?;
        RealIo.rename(from, to)
    }
    fn remove_file(&mut self, path: &Path) -> io::Result<()> {
        self.step()?;
        RealIo.remove_file(path)
    }
    fn create_dir(&mut self, path: &Path) -> io::Result<()> {
        self.step()?;
        RealIo.create_dir(path)
    }
    fn sync(
        &mut self,
        paths: &[std::path::PathBuf],
        filesystems: &[std::path::PathBuf],
    ) -> io::Result<()> {
        self.step()?;
        RealIo.sync(paths, filesystems)
    }
}

/// Compiles the spec in `dir` and applies it through `io`.
fn build_with(dir: &Path, io: &mut dyn Io) -> Result<(), output::ApplyError> {
    let compiled = common::compile(dir).unwrap();
    let survey = output::survey(dir, &compiled.files);
    let plan = output::plan(&survey, &compiled.files, &compiled.fleet.spec_name).unwrap();
    output::apply_with(dir, &plan, io)
}

/// A tree with a previous build, and a spec change that rewrites, adds and removes files.
fn changed_tree() -> tempfile::TempDir {
    let tmp = scratch("first-match");
    fleetc(&["build"], tmp.path())
        .stderr_has("files written, 0 removed, 0 unchanged")
        .run();
    common::edit(
        &tmp.path().join("fleetc.yaml"),
        &[
            (
                "      - cluster: prod-eu-2\n        images: {postgres: \"16.5\"}\n",
                "",
            ),
            ("    replicas: 1\n", "    replicas: 2\n"),
        ],
    );
    tmp
}

#[test]
fn a_write_failure_midway_rolls_back_every_change() {
    // Count the operations of a successful build, then fail each one in turn.
    let total = {
        let tmp = changed_tree();
        let mut io = Faulty::never();
        build_with(tmp.path(), &mut io).unwrap();
        io.ops
    };
    assert!(total > 5, "a real build does several operations ({total})");
    for (fail_at, error) in (0..total).map(|n| {
        (
            n,
            if n % 2 == 0 {
                io::ErrorKind::StorageFull
            } else {
                io::ErrorKind::PermissionDenied
            },
        )
    }) {
        let tmp = changed_tree();
        let before = snapshot(tmp.path());
        let mut io = Faulty {
            ops: 0,
            fail_at,
            error,
            crash: false,
        };
        let err = build_with(tmp.path(), &mut io).expect_err("the injected fault fails the build");
        assert!(err.unrestored.is_empty(), "op {fail_at}: {err}");
        assert_eq!(
            snapshot(tmp.path()),
            before,
            "op {fail_at} ({error:?}) left the tree changed"
        );
        assert!(err.to_string().contains("rolled back"), "{err}");
    }
}

#[test]
fn a_crash_at_any_point_is_reported_by_check_and_finished_by_the_next_build() {
    let clean = {
        let tmp = changed_tree();
        fleetc(&["build"], tmp.path())
            .stderr_has("files written, 1 removed")
            .run();
        snapshot(tmp.path())
    };
    let total = {
        let tmp = changed_tree();
        let mut io = Faulty::never();
        build_with(tmp.path(), &mut io).unwrap();
        io.ops
    };
    let mut reported = 0;
    let mut finished = 0;
    for fail_at in 0..total {
        let tmp = changed_tree();
        let mut io = Faulty {
            ops: 0,
            fail_at,
            error: io::ErrorKind::Other,
            crash: true,
        };
        let _ = build_with(tmp.path(), &mut io);
        // A crashed build is never clean.
        fleetc(&["check"], tmp.path())
            .code(1)
            .stderr_has("fleetc::E027")
            // The manifest is written last: an interrupted build always leaves the old one.
            .stdout_has("--- a/.fleetc-manifest")
            .run();
        // Exactly the temporary files on disk are named as left over.
        let temps: Vec<String> = snapshot(tmp.path())
            .into_keys()
            .filter(|p| p.ends_with(".fleetc-tmp"))
            .collect();
        let json = fleetc(&["check", "--format", "json"], tmp.path())
            .code(1)
            .stdout_read("the leftovers are read from the JSON report")
            .stderr_read("the summary line is not what this checks")
            .run();
        let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
        let mut named: Vec<String> = report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|d| d["message"].as_str())
            .filter_map(|m| m.strip_suffix("` is left from an interrupted build"))
            .map(|m| m.trim_start_matches('`').to_owned())
            .collect();
        named.sort();
        assert_eq!(named, temps, "op {fail_at}");
        if !temps.is_empty() {
            reported += 1;
        }
        // The crashed build's manifest lists the temporary files it was writing (`~ ` lines)
        // once it got that far; the next build says it finished that build, and only then.
        let manifest = std::fs::read_to_string(tmp.path().join(".fleetc-manifest")).unwrap();
        let interrupted = manifest.lines().any(|l| l.starts_with("~ "));
        let o = fleetc(&["build"], tmp.path()).stderr_has("written, ").run();
        assert_eq!(
            stderr(&o).contains("; finished an interrupted build"),
            interrupted,
            "op {fail_at}: {}",
            stderr(&o)
        );
        finished += usize::from(interrupted);
        assert_eq!(
            snapshot(tmp.path()),
            clean,
            "op {fail_at}: the rerun did not finish the build"
        );
    }
    assert!(reported > 0, "check names the leftover temporary files");
    assert!(
        finished > 0,
        "some crash leaves an interrupted build to finish"
    );
}

#[test]
fn collisions_between_generated_files_are_diagnostics() {
    let tmp = scratch("minimal");
    common::edit(
        &tmp.path().join("fleetc.yaml"),
        &[(
            "namespace: podinfo\n",
            "namespace: podinfo\n    path: fleet/gitrepos/podinfo-dev.yaml\n",
        )],
    );
    let before = snapshot(tmp.path());
    fleetc(&["build"], tmp.path())
        .code(1)
        .stderr_has("fleetc::E021")
        .stderr_has("would be a file and a directory")
        .run();
    assert_eq!(snapshot(tmp.path()), before);
}

#[test]
fn generated_files_never_land_inside_a_bundle() {
    let tmp = tempfile::tempdir().unwrap();
    common::copy_dir(&common::repo().join("examples/fleet"), tmp.path());
    // The web app's bundle directory would hold the agents' Helm values.
    common::edit(
        &tmp.path().join("fleetc.yaml"),
        &[("path: apps/web\n", "path: gitlab-agents\n")],
    );
    std::fs::rename(
        tmp.path().join("apps/web/base"),
        tmp.path().join("gitlab-agents-base"),
    )
    .unwrap();
    std::fs::create_dir_all(tmp.path().join("gitlab-agents")).unwrap();
    std::fs::rename(
        tmp.path().join("gitlab-agents-base"),
        tmp.path().join("gitlab-agents/base"),
    )
    .unwrap();
    fleetc(&["build"], tmp.path())
        .code(1)
        .stderr_has("inside the bundle directory of app `web`")
        .run();
}

#[cfg(unix)]
#[test]
fn directories_fifos_and_links_anywhere_on_a_path_are_refused_before_writing() {
    use std::os::unix::fs::symlink;
    type Setup = fn(&Path);
    let cases: [(&str, Setup); 4] = [
        ("directory", |root| {
            std::fs::create_dir_all(root.join("bundles/podinfo/fleet.yaml")).unwrap()
        }),
        ("fifo", |root| {
            std::fs::create_dir_all(root.join("bundles/podinfo")).unwrap();
            let ok = std::process::Command::new("mkfifo")
                .arg(root.join("bundles/podinfo/fleet.yaml"))
                .status()
                .unwrap()
                .success();
            assert!(ok);
        }),
        ("file as directory", |root| {
            std::fs::write(root.join("bundles"), "x").unwrap()
        }),
        ("link in the middle", |root| {
            let outside = root.join("../outside");
            std::fs::create_dir_all(&outside).unwrap();
            std::fs::create_dir_all(root.join("fleet")).unwrap();
            symlink(&outside, root.join("fleet/gitrepos")).unwrap();
        }),
    ];
    for (name, setup) in cases {
        let parent = tempfile::tempdir().unwrap();
        let root = parent.path().join("repo");
        common::copy_dir(&common::repo().join("tests/fixtures/ok/minimal"), &root);
        setup(&root);
        let before = snapshot(parent.path());
        fleetc(&["build"], &root)
            .code(1)
            .stderr_has("fleetc::E021")
            .run();
        assert_eq!(
            snapshot(parent.path()),
            before,
            "{name}: something was written"
        );
        // check reads nothing through them either, and says so.
        fleetc(&["check"], &root)
            .code(1)
            .stderr_has("fleetc::E027")
            .run();
    }
}

#[cfg(unix)]
#[test]
fn check_never_reads_through_a_link_or_from_a_device() {
    use std::os::unix::fs::symlink;
    let tmp = scratch("minimal");
    fleetc(&["build"], tmp.path())
        .stderr_has("files written")
        .run();
    let gitrepo = tmp.path().join("fleet/gitrepos/podinfo-dev.yaml");
    let group = tmp.path().join("fleet/clustergroups/env-dev.yaml");
    std::fs::remove_file(&gitrepo).unwrap();
    std::fs::remove_file(&group).unwrap();
    symlink("/proc/self/environ", &gitrepo).unwrap();
    symlink("/dev/zero", &group).unwrap();
    let start = std::time::Instant::now();
    let o = fleetc(&["check"], tmp.path())
        .env("FLEETC_CANARY", "canary-b7c1e0")
        .code(1)
        .stdout_read("searched for the canary")
        .stderr_read("searched for the canary")
        .run();
    let all = format!("{}{}", String::from_utf8_lossy(&o.stdout), stderr(&o));
    assert!(
        !all.contains("canary-b7c1e0"),
        "check printed the environment:\n{all}"
    );
    assert!(all.contains("symbolic"), "{all}");
    assert!(
        start.elapsed() < std::time::Duration::from_secs(10),
        "check read /dev/zero"
    );
    // The manifest itself is read only as a plain file.
    std::fs::remove_file(tmp.path().join(".fleetc-manifest")).unwrap();
    symlink("/dev/zero", tmp.path().join(".fleetc-manifest")).unwrap();
    fleetc(&["build", "--format", "json"], tmp.path())
        .code(1)
        .stdout_has("`.fleetc-manifest` is a symbolic link")
        .run();
}

#[cfg(unix)]
#[test]
fn generated_files_get_usual_modes_and_keep_wider_ones() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = scratch("minimal");
    let o = std::process::Command::new("sh")
        .arg("-c")
        .arg("umask 022 && exec \"$0\" build")
        .arg(env!("CARGO_BIN_EXE_fleetc"))
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let file = tmp.path().join("bundles/podinfo/fleet.yaml");
    assert_eq!(mode(&file), 0o644);
    assert_eq!(mode(&tmp.path().join(".fleetc-manifest")), 0o644);
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o664)).unwrap();
    common::edit(&tmp.path().join("fleetc.yaml"), &[("6.7.1", "6.7.2")]);
    fleetc(&["build"], tmp.path())
        .stderr_has("1 file written, 0 removed")
        .run();
    assert!(std::fs::read_to_string(&file).unwrap().contains("6.7.2"));
    assert_eq!(mode(&file), 0o664, "a wider mode is kept");
}

#[test]
fn a_second_writer_waits_for_the_first() {
    let tmp = scratch("minimal");
    let dir = std::fs::File::open(tmp.path()).unwrap();
    dir.lock().unwrap();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_fleetc"))
        .arg("build")
        .current_dir(tmp.path())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert!(
        !tmp.path().join(".fleetc-manifest").exists(),
        "nothing is written while another writer holds the lock"
    );
    dir.unlock().unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("another fleetc is writing"),
        "{}",
        stderr(&o)
    );
    assert!(tmp.path().join(".fleetc-manifest").exists());
}

/// A `~` line of the manifest names a file a build removes: only ever fleetc's own temporary
/// file of a listed path, whoever edited the manifest.
#[test]
fn a_tampered_manifest_never_deletes_other_files() {
    let tmp = scratch("minimal");
    fleetc(&["build"], tmp.path())
        .stderr_has("files written")
        .run();
    std::fs::write(tmp.path().join("notes.txt"), "mine\n").unwrap();
    let manifest = tmp.path().join(".fleetc-manifest");
    let mut text = std::fs::read_to_string(&manifest).unwrap();
    text.push_str("~ fleetc.yaml\n~ notes.txt\n~ fleet/.x.fleetc-tmp\n");
    std::fs::write(&manifest, text).unwrap();
    common::edit(&tmp.path().join("fleetc.yaml"), &[("6.7.1", "6.7.2")]);
    fleetc(&["build"], tmp.path())
        .stderr_has("1 file written, 0 removed")
        .run();
    assert!(
        tmp.path().join("fleetc.yaml").is_file(),
        "the spec was deleted"
    );
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("notes.txt")).unwrap(),
        "mine\n"
    );
}

/// A manifest line names a file a build may remove, but only a file fleetc generated: one that
/// carries its header, inside the output root, reached without a link. A user file listed in an
/// edited manifest, a path leaving the root, and a generated-looking file behind a link all
/// stay.
#[test]
fn a_manifest_line_removes_only_a_headed_file_inside_the_root_without_links() {
    use std::os::unix::fs::symlink;
    let outer = tempfile::tempdir().unwrap();
    let root = outer.path().join("root");
    common::copy_dir(&common::repo().join("tests/fixtures/ok/minimal"), &root);
    fleetc(&["build"], &root).stderr_has("files written").run();
    let headed = "# Generated by fleetc from fleetc.yaml. Do not edit: change the spec and run `fleetc build`.\nx: 1\n";
    std::fs::write(root.join("notes.yaml"), "mine: 1\n").unwrap();
    std::fs::write(outer.path().join("outside.yaml"), headed).unwrap();
    let elsewhere = outer.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    std::fs::write(elsewhere.join("gen.yaml"), headed).unwrap();
    symlink(&elsewhere, root.join("linked")).unwrap();
    let manifest = root.join(".fleetc-manifest");
    let mut text = std::fs::read_to_string(&manifest).unwrap();
    text.push_str("notes.yaml\n../outside.yaml\nlinked/gen.yaml\n");
    std::fs::write(&manifest, text).unwrap();
    common::edit(&root.join("fleetc.yaml"), &[("6.7.1", "6.7.2")]);
    let o = fleetc(&["build"], &root)
        .stderr_has("1 file written, 0 removed")
        .run();
    assert_eq!(
        std::fs::read_to_string(root.join("notes.yaml")).unwrap(),
        "mine: 1\n"
    );
    assert!(
        outer.path().join("outside.yaml").is_file(),
        "{}",
        stderr(&o)
    );
    assert!(elsewhere.join("gen.yaml").is_file(), "{}", stderr(&o));
}

/// A build with nothing to do touches nothing: no file, not even the manifest, is replaced
/// (editors and file watchers would reload them), and the summary counts what it left alone.
#[cfg(unix)]
#[test]
fn a_build_with_nothing_to_do_touches_nothing() {
    use std::os::unix::fs::MetadataExt;
    let tmp = scratch("minimal");
    fleetc(&["build"], tmp.path())
        .stderr_has("4 files written, 0 removed, 0 unchanged")
        .run();
    let inodes = |root: &Path| -> Vec<(String, u64)> {
        snapshot(root)
            .keys()
            .map(|p| (p.clone(), std::fs::metadata(root.join(p)).unwrap().ino()))
            .collect()
    };
    let before = inodes(tmp.path());
    fleetc(&["build"], tmp.path())
        .stderr_has("0 files written, 0 removed, 4 unchanged")
        .run();
    assert_eq!(inodes(tmp.path()), before, "a file was replaced");
}

/// The manifest keeps the mode it was given, like every generated file.
#[cfg(unix)]
#[test]
fn the_manifest_keeps_its_mode() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = scratch("minimal");
    fleetc(&["build"], tmp.path())
        .stderr_has("files written")
        .run();
    let manifest = tmp.path().join(".fleetc-manifest");
    std::fs::set_permissions(&manifest, std::fs::Permissions::from_mode(0o664)).unwrap();
    common::edit(&tmp.path().join("fleetc.yaml"), &[("6.7.1", "6.7.2")]);
    fleetc(&["build"], tmp.path())
        .stderr_has("1 file written, 0 removed")
        .run();
    let mode = std::fs::metadata(&manifest).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o664);
}

/// A deleted manifest loses no ownership: a file carrying fleetc's header is fleetc's to
/// replace (and only such a file).
#[test]
fn a_lost_manifest_does_not_turn_generated_files_into_conflicts() {
    let tmp = scratch("minimal");
    fleetc(&["build"], tmp.path())
        .stderr_has("files written")
        .run();
    std::fs::remove_file(tmp.path().join(".fleetc-manifest")).unwrap();
    common::edit(&tmp.path().join("fleetc.yaml"), &[("6.7.1", "6.7.2")]);
    fleetc(&["build"], tmp.path())
        .stderr_has("1 file written, 0 removed")
        .run();
    let fleet_yaml =
        std::fs::read_to_string(tmp.path().join("bundles/podinfo/fleet.yaml")).unwrap();
    assert!(fleet_yaml.contains("6.7.2"));
}

/// The temporary file a write goes through must be free, or be one an interrupted build left:
/// a file of the user's there is never clobbered.
#[test]
fn a_foreign_file_where_fleetc_writes_first_is_a_conflict() {
    let tmp = scratch("minimal");
    std::fs::create_dir_all(tmp.path().join("bundles/podinfo")).unwrap();
    let taken = tmp.path().join("bundles/podinfo/.fleet.yaml.fleetc-tmp");
    std::fs::write(&taken, "mine\n").unwrap();
    let before = snapshot(tmp.path());
    fleetc(&["build"], tmp.path())
        .code(1)
        .stderr_has("fleetc::E021")
        .stderr_has("(where fleetc writes it first) is taken")
        .run();
    assert_eq!(snapshot(tmp.path()), before);
}

/// What is in the way is named for what it is.
#[test]
fn a_directory_in_the_way_is_called_one() {
    let tmp = scratch("minimal");
    std::fs::create_dir_all(tmp.path().join("bundles/podinfo/fleet.yaml")).unwrap();
    fleetc(&["build"], tmp.path())
        .code(1)
        .stderr_has("fleet.yaml`: a directory is in the way")
        .run();
    let tmp = scratch("minimal");
    std::fs::create_dir_all(tmp.path().join(".fleetc-manifest")).unwrap();
    fleetc(&["build"], tmp.path())
        .code(1)
        .stderr_has(".fleetc-manifest`: it is a directory")
        .run();
}

/// `check` names each file the spec no longer produces, not only that the manifest changed.
#[test]
fn check_names_the_files_a_build_would_remove() {
    let tmp = scratch("first-match");
    fleetc(&["build"], tmp.path())
        .stderr_has("files written")
        .run();
    common::edit(
        &tmp.path().join("fleetc.yaml"),
        &[(
            "      - cluster: prod-eu-2\n        images: {postgres: \"16.5\"}\n",
            "",
        )],
    );
    fleetc(&["check"], tmp.path())
        .code(1)
        .stdout_read("the diff of the changed files")
        .stderr_has(
            "`apps/shop/overlays/cluster/prod-eu-2/kustomization.yaml` is no longer produced by the spec",
        )
        .stderr_has("1 unexpected")
        .run();
}

/// A huge file where a generated file goes is not read into memory and not replaced.
#[test]
fn a_huge_file_in_the_way_is_refused_without_reading_it() {
    let tmp = scratch("minimal");
    std::fs::create_dir_all(tmp.path().join("bundles/podinfo")).unwrap();
    let huge = std::fs::File::create(tmp.path().join("bundles/podinfo/fleet.yaml")).unwrap();
    // Sparse: one byte over the limit on paper, nothing on disk.
    huge.set_len((64 << 20) + 1).unwrap();
    fleetc(&["build"], tmp.path())
        .code(1)
        .stderr_has("it is larger than 64 MiB")
        .run();
    assert_eq!(
        std::fs::metadata(tmp.path().join("bundles/podinfo/fleet.yaml"))
            .unwrap()
            .len(),
        (64 << 20) + 1
    );
}

/// A file where a directory of the output tree goes is named as such.
#[test]
fn a_file_where_a_directory_goes_is_named_as_such() {
    let tmp = scratch("minimal");
    std::fs::write(tmp.path().join("bundles"), "x").unwrap();
    fleetc(&["build"], tmp.path())
        .code(1)
        .stderr_has("`bundles` is a file where a directory")
        .run();
}

/// A spec of `clusters` × `apps` kustomize apps with an override per cluster per app: an overlay
/// per (cluster, app), so a few hundred files.
fn many_files(dir: &Path, clusters: usize, apps: usize, replicas: usize) {
    let mut spec = String::from(
        "version: 1\nfleet:\n  repo: https://gitlab.example.com/platform/fleet.git\n  branch: main\nenvironments:\n  - {name: dev, tier: development, promotion: automatic}\nclusters:\n",
    );
    for c in 0..clusters {
        spec.push_str(&format!(
            "  - {{name: c{c}, environment: dev, region: r1}}\n"
        ));
    }
    spec.push_str("apps:\n");
    for a in 0..apps {
        spec.push_str(&format!(
            "  - name: app{a}\n    namespace: app{a}\n    path: apps/app{a}\n    source:\n      kustomize: {{base: base}}\n    targets:\n      - environment: dev\n    overrides:\n"
        ));
        for c in 0..clusters {
            spec.push_str(&format!(
                "      - {{cluster: c{c}, replicas: {replicas}}}\n"
            ));
        }
        let base = dir.join(format!("apps/app{a}/base"));
        std::fs::create_dir_all(&base).unwrap();
        std::fs::write(base.join("kustomization.yaml"), "resources: []\n").unwrap();
    }
    std::fs::write(dir.join("fleetc.yaml"), spec).unwrap();
}

/// From 256 files on, the real file system writes and renames on every core, and from 64 on it
/// flushes the file system once (syncfs) rather than each file (src/output/apply.rs). Both give
/// the tree the one-at-a-time path gives, and a failure midway rolls back the writes of every
/// thread.
#[test]
fn many_files_are_written_in_parallel_and_rolled_back_together() {
    // One at a time (the fault injector is not concurrent) and in parallel: the same tree.
    let serial = tempfile::tempdir().unwrap();
    many_files(serial.path(), 30, 10, 2);
    let mut io = Faulty::never();
    build_with(serial.path(), &mut io).unwrap();
    let parallel = tempfile::tempdir().unwrap();
    many_files(parallel.path(), 30, 10, 2);
    let compiled = common::compile(parallel.path()).unwrap();
    assert!(compiled.files.len() > 300, "{}", compiled.files.len());
    let survey = output::survey(parallel.path(), &compiled.files);
    let plan = output::plan(&survey, &compiled.files, &compiled.fleet.spec_name).unwrap();
    // One file system, named by a directory on it that exists: where the batch is flushed.
    assert_eq!(plan.filesystems.len(), 1, "{:?}", plan.filesystems);
    assert!(parallel.path().join(&plan.filesystems[0]).is_dir());
    output::apply_with(parallel.path(), &plan, &mut RealIo).unwrap();
    assert_eq!(snapshot(parallel.path()), snapshot(serial.path()));

    // A rebuild that rewrites every overlay, failing on one file late in the batch: every
    // thread's temporary files go, and the tree is as it was.
    many_files(parallel.path(), 30, 10, 3);
    let before = snapshot(parallel.path());
    let compiled = common::compile(parallel.path()).unwrap();
    let survey = output::survey(parallel.path(), &compiled.files);
    let plan = output::plan(&survey, &compiled.files, &compiled.fleet.spec_name).unwrap();
    assert!(plan.writes.len() >= 300, "{}", plan.writes.len());
    let victim = &plan.writes[plan.writes.len() * 3 / 4].path;
    let blocker = parallel.path().join(output::temp_path(victim));
    std::fs::create_dir(&blocker).unwrap();
    let err = output::apply_with(parallel.path(), &plan, &mut RealIo)
        .expect_err("the temporary file cannot be created");
    assert_eq!(&err.path, victim);
    assert!(err.unrestored.is_empty(), "{err}");
    std::fs::remove_dir(&blocker).unwrap();
    assert_eq!(snapshot(parallel.path()), before);
}

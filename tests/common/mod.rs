//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};

use fleetc::diagnostic::{RenderOptions, Source, render_all};

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The published upstream schemas and CRDs used as test oracles: `$FLEETC_UPSTREAM` when set,
/// else the copies vendored in `third_party/` (see its README for sources and licences).
pub fn upstream() -> PathBuf {
    let dir = std::env::var_os("FLEETC_UPSTREAM")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("third_party"));
    assert!(
        dir.join("fleet/crds.yaml").is_file(),
        "upstream schemas not found under {} (unset FLEETC_UPSTREAM to use third_party/)",
        dir.display()
    );
    dir
}

/// The CRD named `name` (e.g. `gitrepos.fleet.cattle.io`) from Fleet's vendored `crds.yaml`.
pub fn fleet_crd(name: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(upstream().join("fleet/crds.yaml")).unwrap();
    let docs: Vec<serde_json::Value> = serde_saphyr::from_multiple(&text).unwrap();
    docs.into_iter()
        .find(|d| d["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no CRD {name} in fleet/crds.yaml"))
}

/// An external validator: on PATH, or where `scripts/test.sh` installs the pinned ones
/// (`$FLEETC_TOOLS_DIR/bin`, by default `target/tools/bin`). A missing oracle fails the test:
/// conformance that silently skips proves nothing. Only a run that says it is local and partial
/// (`FLEETC_TESTS_LOCAL=1`) skips it, printing what was not verified.
pub fn tool(name: &str, install: &str) -> Option<PathBuf> {
    let tools = std::env::var_os("FLEETC_TOOLS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("target/tools"))
        .join("bin");
    let found = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .chain(std::iter::once(tools))
        .map(|p| p.join(name))
        .find(|p| p.is_file());
    if found.is_none() {
        let msg = format!(
            "`{name}` is missing: this conformance oracle is not installed ({install}; `scripts/test.sh` installs every oracle)"
        );
        let local = std::env::var_os("FLEETC_TESTS_LOCAL").is_some_and(|v| v == "1");
        assert!(
            local && std::env::var_os("CI").is_none(),
            "{msg}; set FLEETC_TESTS_LOCAL=1 to skip it knowingly"
        );
        eprintln!("SKIPPED, not verified: {msg}");
    }
    found
}

/// The example and every ok fixture, built into scratch directories.
pub fn built_trees() -> Vec<Built> {
    let mut dirs = vec![repo().join("examples/fleet")];
    dirs.extend(ok_fixtures());
    dirs.into_iter()
        .map(|dir| {
            let tmp = tempfile::tempdir().unwrap();
            copy_dir(&dir, tmp.path());
            let compiled = compile(tmp.path()).unwrap_or_else(|e| panic!("{e}"));
            let survey = fleetc::output::survey(tmp.path(), &compiled.files);
            let plan =
                fleetc::output::plan(&survey, &compiled.files, &compiled.fleet.spec_name).unwrap();
            fleetc::output::apply(tmp.path(), &plan).unwrap();
            Built {
                name: dir.file_name().unwrap().to_string_lossy().into_owned(),
                root: tmp.path().to_path_buf(),
                compiled,
                _tmp: tmp,
            }
        })
        .collect()
}

/// A spec compiled and written into a scratch directory.
pub struct Built {
    /// Fixture name.
    pub name: String,
    /// Where it was written.
    pub root: PathBuf,
    /// The compilation.
    pub compiled: fleetc::Compiled,
    _tmp: tempfile::TempDir,
}

/// Replaces text in a file. Every `from` must occur, so a test never silently edits nothing.
pub fn edit(path: &Path, replacements: &[(&str, &str)]) {
    let mut text = std::fs::read_to_string(path).unwrap();
    for (from, to) in replacements {
        assert!(
            text.contains(from),
            "{} does not contain {from:?}",
            path.display()
        );
        text = text.replace(from, to);
    }
    std::fs::write(path, text).unwrap();
}

/// A run of the `fleetc` binary in `cwd`, without colours, whose exit status, stdout and stderr
/// are all checked by [`Run::run`]. By default it must exit 0 and print nothing on either
/// stream; a test states what else it expects (`code`, `stdout_has`, `stderr_has`), or says why
/// it reads a stream itself (`stdout_read`, `stderr_read`).
pub fn fleetc(args: &[&str], cwd: &Path) -> Run {
    Run {
        args: args.iter().map(|a| (*a).to_owned()).collect(),
        cwd: cwd.to_owned(),
        envs: Vec::new(),
        code: 0,
        stdout: Stream::Empty,
        stderr: Stream::Empty,
    }
}

/// What a run must print on one stream.
pub enum Stream {
    /// Nothing at all.
    Empty,
    /// Each of these pieces.
    Has(Vec<String>),
    /// The test reads the stream itself (parses JSON, snapshots it, compares runs), for the
    /// reason given.
    Read(&'static str),
}

/// See [`fleetc`].
#[must_use = "a command is only run and checked by `.run()`"]
pub struct Run {
    args: Vec<String>,
    cwd: PathBuf,
    envs: Vec<(String, String)>,
    code: i32,
    stdout: Stream,
    stderr: Stream,
}

impl Run {
    /// The exit status it must end with (default 0).
    pub fn code(mut self, code: i32) -> Self {
        self.code = code;
        self
    }

    /// An environment variable for the run.
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.envs.push((key.to_owned(), value.to_owned()));
        self
    }

    /// stdout must contain `piece` (and every other piece asked for).
    pub fn stdout_has(mut self, piece: &str) -> Self {
        Self::add(&mut self.stdout, piece);
        self
    }

    /// stderr must contain `piece` (and every other piece asked for).
    pub fn stderr_has(mut self, piece: &str) -> Self {
        Self::add(&mut self.stderr, piece);
        self
    }

    /// The test checks stdout itself, for the reason given.
    pub fn stdout_read(mut self, why: &'static str) -> Self {
        self.stdout = Stream::Read(why);
        self
    }

    /// The test checks stderr itself, for the reason given.
    pub fn stderr_read(mut self, why: &'static str) -> Self {
        self.stderr = Stream::Read(why);
        self
    }

    fn add(stream: &mut Stream, piece: &str) {
        match stream {
            Stream::Has(pieces) => pieces.push(piece.to_owned()),
            _ => *stream = Stream::Has(vec![piece.to_owned()]),
        }
    }

    /// Runs the command and checks its exit status, stdout and stderr.
    pub fn run(self) -> std::process::Output {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_fleetc"))
            .args(&self.args)
            .current_dir(&self.cwd)
            .env("NO_COLOR", "1")
            .envs(self.envs.iter().map(|(k, v)| (k, v)))
            .output()
            .unwrap();
        let (out, err) = (
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr),
        );
        let shown = format!(
            "`fleetc {}`\n--- stdout\n{out}\n--- stderr\n{err}",
            self.args.join(" ")
        );
        assert_eq!(o.status.code(), Some(self.code), "exit status of {shown}");
        for (name, stream, text) in [
            ("stdout", &self.stdout, &out),
            ("stderr", &self.stderr, &err),
        ] {
            match stream {
                Stream::Empty => assert!(text.is_empty(), "{name} should be empty: {shown}"),
                Stream::Has(pieces) => {
                    for p in pieces {
                        assert!(text.contains(p.as_str()), "{name} lacks `{p}`: {shown}");
                    }
                }
                Stream::Read(why) => {
                    assert!(
                        !why.trim().is_empty(),
                        "say why the test reads {name}: {shown}"
                    )
                }
            }
        }
        // Whatever the expectation, fleetc never panics.
        assert!(!err.contains("panicked at"), "{shown}");
        o
    }
}

/// Reads a spec the way the CLI names it: relative to its directory.
pub fn source(spec: &Path) -> Source {
    Source {
        name: spec.file_name().unwrap().to_string_lossy().into_owned(),
        text: std::fs::read_to_string(spec).unwrap(),
    }
}

/// Compiles the spec in `dir/fleetc.yaml`, with `dir` as output root.
pub fn compile(dir: &Path) -> Result<fleetc::Compiled, String> {
    let src = source(&dir.join("fleetc.yaml"));
    fleetc::compile(&src, dir).map_err(|d| render_all(&d, &src, RenderOptions::PLAIN))
}

/// Every generated file, concatenated in path order.
pub fn tree_text(files: &fleetc::output::Tree) -> String {
    let mut out = String::new();
    for (path, content) in files {
        out.push_str(&format!("=== {path}\n{content}"));
    }
    out
}

/// Copies a directory tree.
pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from).sort_by_file_name() {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// Directories holding an ok fixture.
pub fn ok_fixtures() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(repo().join("tests/fixtures/ok"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("fleetc.yaml").is_file())
        .collect();
    dirs.sort();
    dirs
}

/// insta settings: snapshots in the top-level `snapshots/` directory.
pub fn insta_settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path(repo().join("snapshots"));
    s.set_prepend_module_to_snapshot(false);
    s
}

/// A scratch copy of the ok fixture `name`.
pub fn scratch(fixture: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("tests/fixtures/ok").join(fixture), tmp.path());
    tmp
}

/// A command's stderr as text.
pub fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every file under `dir` (links and special files included, not followed) with its bytes.
pub fn snapshot(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| !e.file_type().is_dir())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let bytes = if e.file_type().is_file() {
                std::fs::read(e.path()).unwrap()
            } else {
                b"<not a file>".to_vec()
            };
            (rel, bytes)
        })
        .collect()
}

/// Runs git in `dir`, failing the test on an error; returns stdout.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let o = std::process::Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).trim().to_owned()
}

/// The example in a Git repository of its own, built and committed; returns the commit.
pub fn example_repo(dir: &Path) -> String {
    copy_dir(&repo().join("examples/fleet"), dir);
    std::fs::remove_file(dir.join("releases.yaml")).unwrap();
    fleetc(&["build"], dir)
        .stderr_has("files written, 0 removed")
        .run();
    first_commit(dir)
}

/// Makes `dir` a Git repository (branch `main`) with everything in it committed; returns the
/// commit.
pub fn first_commit(dir: &Path) -> String {
    git(dir, &["init", "--quiet", "--initial-branch", "main"]);
    git(dir, &["add", "--all"]);
    git(dir, &["commit", "--quiet", "--message", "one"]);
    git(dir, &["rev-parse", "HEAD"])
}

/// [`example_repo`] with production pinned to that first commit, built and committed; returns
/// the pinned commit.
pub fn pinned_example_repo(dir: &Path) -> String {
    let first = example_repo(dir);
    fleetc(
        &["pin", "--environment", "production", "--revision", &first],
        dir,
    )
    .stderr_has(&format!("pinned `production` to revision {first}"))
    .run();
    fleetc(&["build"], dir)
        .stderr_has("files written, 0 removed")
        .run();
    git(dir, &["add", "--all"]);
    git(dir, &["commit", "--quiet", "--message", "pin production"]);
    first
}

/// The example's spec at `spec` with its data-pipeline app replaced by `instead` (YAML of apps
/// list items, or nothing).
pub fn replace_data_pipeline(spec: &Path, instead: &str) {
    let text = std::fs::read_to_string(spec).unwrap();
    let start = text
        .find("  # Batch processing on the data cluster only")
        .unwrap();
    let end = text.find("\ngitlab:").unwrap() + 1;
    std::fs::write(spec, format!("{}{instead}{}", &text[..start], &text[end..])).unwrap();
}

/// `fleetc build --format json` on a copy of `dir` (relative to the repository) with `edits`
/// made to its spec: the exit code, the report's diagnostics and the copy, to read what was
/// written. For tests that look at several diagnostics of one run.
pub fn build_copy(
    dir: &str,
    edits: &[(&str, &str)],
) -> (i32, Vec<serde_json::Value>, tempfile::TempDir) {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&repo().join(dir), tmp.path());
    edit(&tmp.path().join("fleetc.yaml"), edits);
    let (code, diags) = build_json(tmp.path());
    (code, diags, tmp)
}

/// `fleetc build --format json` in `dir`: the exit code and the report's diagnostics.
pub fn build_json(dir: &Path) -> (i32, Vec<serde_json::Value>) {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_fleetc"))
        .args(["build", "--format", "json"])
        .current_dir(dir)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)));
    (
        o.status.code().unwrap(),
        report["diagnostics"].as_array().unwrap().clone(),
    )
}

/// A YAML file read as JSON values (a generated Fleet object, say).
pub fn yaml_file(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

//! Hostile input never hurts: every spec under `tests/fixtures/hostile/`, plus a few generated
//! giants, makes `fleetc build` exit 1 with a diagnostic, within a time and memory bound, without
//! a panic and without writing anything.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common;

/// Generous bounds: a well-behaved run takes milliseconds and a few MiB.
const TIME_LIMIT: Duration = Duration::from_secs(20);
const MEMORY_LIMIT_KIB: u64 = 1 << 20;

struct Outcome {
    code: Option<i32>,
    stderr: String,
    elapsed: Duration,
}

/// Runs `fleetc build` in `dir` under an address-space limit, killing it at the time limit.
fn build_bounded(dir: &Path) -> Outcome {
    let start = Instant::now();
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {MEMORY_LIMIT_KIB} && exec \"$0\" build --color never"
        ))
        .arg(env!("CARGO_BIN_EXE_fleetc"))
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = stderr.read_to_end(&mut s);
        String::from_utf8_lossy(&s).into_owned()
    });
    let code = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.code();
        }
        if start.elapsed() > TIME_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Outcome {
        code,
        stderr: reader.join().unwrap(),
        elapsed: start.elapsed(),
    }
}

fn assert_rejected(name: &str, spec: &[u8]) {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("fleetc.yaml"), spec).unwrap();
    let out = build_bounded(tmp.path());
    assert!(
        out.elapsed < TIME_LIMIT,
        "{name}: no answer within {TIME_LIMIT:?}"
    );
    assert!(
        !out.stderr.contains("panicked"),
        "{name}: panic\n{}",
        out.stderr
    );
    assert_eq!(
        out.code,
        Some(1),
        "{name}: expected exit 1 with a diagnostic\n{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("fleetc::E"),
        "{name}: no diagnostic code\n{}",
        out.stderr
    );
    let left: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["fleetc.yaml"], "{name}: something was written");
}

#[test]
fn hostile_corpus_is_rejected_cleanly() {
    let dir = common::repo().join("tests/fixtures/hostile");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 40, "the corpus keeps at least 40 cases");
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        assert_rejected(&name, &std::fs::read(&path).unwrap());
    }
}

#[test]
fn generated_giants_are_rejected_cleanly() {
    // 10,000 levels of block mappings and of flow sequences.
    let mut deep = String::from("version: 1\napps:\n");
    for depth in 0..10_000 {
        deep.push_str(&" ".repeat(depth + 2));
        deep.push_str("a:\n");
    }
    assert_rejected("deep-block", deep.as_bytes());
    let flow = format!(
        "version: 1\napps: {}{}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    assert_rejected("deep-flow", flow.as_bytes());
    // A 50 MB spec: over the 32 MiB cap, rejected before it is parsed.
    let mut big = String::from(
        "version: 1\nfleet: {repo: https://g.example/x.git, branch: main}\nclusters:\n",
    );
    let line = "  - {name: c, environment: e, region: r, labels: {padding: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx}}\n";
    while big.len() < 50_000_000 {
        big.push_str(line);
    }
    assert_rejected("50MB", big.as_bytes());
    // One 1 MB scalar as a key.
    let long_key = format!("version: 1\n{}: x\n", "k".repeat(1 << 20));
    assert_rejected("1MB-key", long_key.as_bytes());
}

/// The failure path scales too: tens of thousands of errors are found, counted and reported in
/// about linear time; people see the first 50, machine formats every one.
#[test]
fn giant_diagnostic_counts_are_reported_cleanly() {
    let head = "version: 1\nfleet: {repo: https://g.example/x.git, branch: main}\nenvironments: [{name: e, tier: staging}]\n";
    let mut dups = format!("{head}clusters:\n");
    for _ in 0..20_000 {
        dups.push_str("  - {name: c, environment: e, region: r}\n");
    }
    assert_rejected("20k-duplicate-names", dups.as_bytes());
    let mut unknown = format!("{head}clusters:\n  - name: c\n    environment: e\n    region: r\n");
    for i in 0..50_000 {
        unknown.push_str(&format!("    k{i}: x\n"));
    }
    assert_rejected("50k-unknown-keys", unknown.as_bytes());

    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("fleetc.yaml"), &unknown).unwrap();
    let human = common::fleetc(&["build"], tmp.path())
        .code(1)
        .stderr_read("the E003 shown are counted and the summary read")
        .run();
    let err = String::from_utf8_lossy(&human.stderr);
    assert_eq!(
        err.matches("fleetc::E003").count(),
        50,
        "the first 50 are shown"
    );
    assert!(
        err.contains("49950 more diagnostics not shown"),
        "{}",
        &err[err.len().saturating_sub(300)..]
    );
    assert!(err.contains("50000 errors"));
    let json = common::fleetc(&["build", "--format", "json"], tmp.path())
        .code(1)
        .stdout_read("every diagnostic of the JSON report is counted")
        .run();
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["diagnostics"].as_array().unwrap().len(), 50_000);
}

//! The daily loop: `fleetc diff` against a Git revision, and `fleetc explain cluster|app`.

use std::path::Path;
use std::process::{Command, Output};

use crate::common::{self, fleetc};

fn git(args: &[&str], cwd: &Path) {
    let out = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A Git repository holding the example below `gitops/`, built and committed.
fn repo_with_example() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    common::copy_dir(
        &common::repo().join("examples/fleet"),
        &tmp.path().join("gitops"),
    );
    git(&["init", "-q", "-b", "main"], tmp.path());
    git(&["add", "-A"], tmp.path());
    git(&["commit", "-q", "-m", "base"], tmp.path());
    tmp
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn diff_reports_the_blast_radius_of_a_spec_change() {
    let tmp = repo_with_example();
    let dir = tmp.path().join("gitops");
    let spec = dir.join("fleetc.yaml");
    common::edit(
        &spec,
        &[
            (
                "      - cluster: prod-eu-west-1\n        replicas: 6",
                "      - cluster: prod-eu-west-1\n        replicas: 8",
            ),
            (
                "      - environment: production\n        replicas: 3\n",
                "      - environment: production\n        replicas: 5\n",
            ),
        ],
    );
    let o = fleetc(&["build", "--spec", "gitops/fleetc.yaml"], tmp.path());
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );

    let o = fleetc(
        &["diff", "--spec", "gitops/fleetc.yaml", "--base", "main"],
        tmp.path(),
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    common::insta_settings().bind(|| insta::assert_snapshot!("diff_text", stdout(&o)));

    let o = fleetc(
        &[
            "diff",
            "--spec",
            "gitops/fleetc.yaml",
            "--base",
            "HEAD",
            "--format",
            "markdown",
        ],
        tmp.path(),
    );
    let md = stdout(&o);
    assert!(md.starts_with("### fleetc diff against `HEAD`"), "{md}");
    assert!(
        md.contains("| web | replicas 6 → 8 | prod-eu-west-1 |"),
        "{md}"
    );
    assert!(md.contains("| ingress-nginx | replicas 3 → 5 |"), "{md}");
    assert!(md.contains("```diff"), "{md}");

    // Nothing changed against the working tree's own commit once it is committed.
    git(&["commit", "-q", "-am", "scale"], tmp.path());
    let o = fleetc(
        &["diff", "--spec", "gitops/fleetc.yaml", "--base", "HEAD"],
        tmp.path(),
    );
    assert!(
        stdout(&o).starts_with("blast radius: no generated file changes"),
        "{}",
        stdout(&o)
    );
    // An unknown revision is a usage error.
    let o = fleetc(
        &["diff", "--spec", "gitops/fleetc.yaml", "--base", "nope"],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn diff_against_a_revision_without_the_spec_shows_everything_as_new() {
    let tmp = tempfile::tempdir().unwrap();
    git(&["init", "-q", "-b", "main"], tmp.path());
    std::fs::write(tmp.path().join("README"), "x\n").unwrap();
    git(&["add", "-A"], tmp.path());
    git(&["commit", "-q", "-m", "empty"], tmp.path());
    common::copy_dir(
        &common::repo().join("tests/fixtures/ok/minimal"),
        tmp.path(),
    );
    let o = fleetc(&["diff", "--base", "main"], tmp.path());
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let out = stdout(&o);
    assert!(out.contains("podinfo: deployed on dev-1"), "{out}");
}

#[test]
fn explain_cluster_and_app() {
    let spec = "examples/fleet/fleetc.yaml";
    let repo = common::repo();
    let o = fleetc(
        &["explain", "cluster", "prod-eu-west-1", "--spec", spec],
        &repo,
    );
    assert_eq!(o.status.code(), Some(0));
    let o2 = fleetc(&["explain", "app", "web", "--spec", spec], &repo);
    assert_eq!(o2.status.code(), Some(0));
    common::insta_settings().bind(|| {
        insta::assert_snapshot!("explain_cluster", stdout(&o));
        insta::assert_snapshot!("explain_app", stdout(&o2));
    });
    let o = fleetc(&["explain", "cluster", "nope", "--spec", spec], &repo);
    assert_eq!(o.status.code(), Some(2));
}

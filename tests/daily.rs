//! The daily loop: `fleetc diff` against a Git revision, and `fleetc explain cluster|app`.

use std::process::Output;

use crate::common::{self, fleetc, git};

/// A Git repository holding the example below `gitops/`, built and committed.
fn repo_with_example() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    common::copy_dir(
        &common::repo().join("examples/fleet"),
        &tmp.path().join("gitops"),
    );
    git(tmp.path(), &["init", "-q", "-b", "main"]);
    git(tmp.path(), &["add", "-A"]);
    git(tmp.path(), &["commit", "-q", "-m", "base"]);
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
    fleetc(&["build", "--spec", "gitops/fleetc.yaml"], tmp.path())
        .stderr_has("files written, 0 removed")
        .run();

    let o = fleetc(
        &["diff", "--spec", "gitops/fleetc.yaml", "--base", "main"],
        tmp.path(),
    )
    .stdout_read("snapshotted with insta")
    .run();
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
    )
    .stdout_read("must start with the heading")
    .run();
    let md = stdout(&o);
    assert!(md.starts_with("### fleetc diff against `HEAD`"), "{md}");
    assert!(
        md.contains("| web | replicas 6 → 8 | prod-eu-west-1 |"),
        "{md}"
    );
    assert!(md.contains("| ingress-nginx | replicas 3 → 5 |"), "{md}");
    assert!(md.contains("```diff"), "{md}");
    // Its two diagrams (promotion flow, what changes where), which Mermaid's parser accepts.
    common::insta_settings().bind(|| insta::assert_snapshot!("diff_markdown", md));
    crate::pictures::mermaid_parses(&md, "diff.md");

    // Nothing changed against the working tree's own commit once it is committed.
    git(tmp.path(), &["commit", "-q", "-am", "scale"]);
    let o = fleetc(
        &["diff", "--spec", "gitops/fleetc.yaml", "--base", "HEAD"],
        tmp.path(),
    )
    .stdout_read("must start with the empty blast radius")
    .run();
    assert!(
        stdout(&o).starts_with("blast radius: no generated file changes"),
        "{}",
        stdout(&o)
    );
    // An unknown revision is a usage error.
    fleetc(
        &["diff", "--spec", "gitops/fleetc.yaml", "--base", "nope"],
        tmp.path(),
    )
    .code(2)
    .stderr_has("`nope` is not a commit")
    .run();
}

#[test]
fn diff_against_a_revision_without_the_spec_shows_everything_as_new() {
    let tmp = tempfile::tempdir().unwrap();
    git(tmp.path(), &["init", "-q", "-b", "main"]);
    std::fs::write(tmp.path().join("README"), "x\n").unwrap();
    git(tmp.path(), &["add", "-A"]);
    git(tmp.path(), &["commit", "-q", "-m", "empty"]);
    common::copy_dir(
        &common::repo().join("tests/fixtures/ok/minimal"),
        tmp.path(),
    );
    fleetc(&["diff", "--base", "main"], tmp.path())
        .stdout_has("podinfo: deployed on dev-1")
        .run();
}

#[test]
fn explain_cluster_and_app() {
    let spec = "examples/fleet/fleetc.yaml";
    let repo = common::repo();
    let o = fleetc(
        &["explain", "cluster", "prod-eu-west-1", "--spec", spec],
        &repo,
    )
    .stdout_read("snapshotted with insta")
    .run();
    let o2 = fleetc(&["explain", "app", "web", "--spec", spec], &repo)
        .stdout_read("snapshotted with insta")
        .run();
    common::insta_settings().bind(|| {
        insta::assert_snapshot!("explain_cluster", stdout(&o));
        insta::assert_snapshot!("explain_app", stdout(&o2));
    });
    fleetc(&["explain", "cluster", "nope", "--spec", spec], &repo)
        .code(2)
        .stderr_has("the spec declares no cluster `nope`")
        .run();
}

/// A cluster of a pinned environment is explained as the spec at its revision says, with what
/// the branch changes there waiting for promotion; `diff` leaves it out of the blast radius and
/// lists the change as waiting.
#[test]
fn explain_and_diff_speak_of_what_a_pinned_environment_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let first = common::pinned_example_repo(dir);
    common::edit(
        &dir.join("fleetc.yaml"),
        &[(
            "      - environment: production\n        replicas: 4",
            "      - environment: production\n        replicas: 5",
        )],
    );
    fleetc(&["build"], dir)
        .stderr_has("1 file written, 0 removed")
        .run();
    let short = &first[..12];

    fleetc(&["explain", "cluster", "prod-us-east-1"], dir)
        .stdout_has(&format!("fleetc.yaml@{short}:"))
        .stdout_has("    replicas     4 ")
        .stdout_has(&format!("production runs {short} (releases.yaml)"))
        .stdout_has("waiting for promote:production\n    web: replicas 4 → 5\n")
        .run();
    // Staging follows the branch: explained from the working tree, nothing waits.
    let text = stdout(
        &fleetc(&["explain", "cluster", "staging-us-east-1"], dir)
            .stdout_read("must not mention a pin nor a waiting change")
            .run(),
    );
    assert!(!text.contains("waiting") && !text.contains('@'), "{text}");

    fleetc(&["explain", "app", "web"], dir)
        .stdout_has(&format!(
            "  production runs {short} (releases.yaml):\n    bundle       web-production-apps-web"
        ))
        .stdout_has("waiting for promote:production: replicas 4 → 5 on prod-us-east-1")
        .run();

    let o = fleetc(&["diff", "--base", "HEAD"], dir)
        .stdout_read("must start with the empty blast radius")
        .run();
    let text = stdout(&o);
    assert!(
        text.starts_with("blast radius: 0 clusters")
            && text.contains("waiting for promote:production (not deployed by this change):\n  web: replicas 4 → 5 on prod-us-east-1\n"),
        "{text}"
    );
    fleetc(&["diff", "--base", "HEAD", "--format", "markdown"], dir)
        .stdout_has("**Waiting for `promote:production`**")
        .stdout_has("| web | replicas 4 → 5 | prod-us-east-1 |")
        .run();
}

/// W014: a change of the cluster label keys since a pinned commit splits that environment at
/// merge (ClusterGroups follow the branch, its GitRepos the pin), so fleetc warns, naming the
/// change and the environment.
#[test]
fn a_label_key_change_since_a_pin_is_a_warning() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let first = common::pinned_example_repo(dir);
    common::edit(
        &dir.join("fleetc.yaml"),
        &[(
            "fleet:\n  namespace: fleet-default\n",
            "fleet:\n  namespace: fleet-default\n  clusterLabels: {environment: example.com/env, region: region, name: management.cattle.io/cluster-display-name}\n",
        )],
    );
    fleetc(&["build"], dir)
        .stderr_has("fleetc::W014")
        .stderr_has(&format!(
            "the cluster label keys changed since `production`'s pinned commit {}",
            &first[..12]
        ))
        .stderr_has("files written, 0 removed")
        .run();
}

/// A cluster declared after an environment's pin gets what the pinned GitRepos give its labels;
/// an app removed on the branch keeps running in the pinned environment until its promotion.
/// `explain` and `diff` say so.
#[test]
fn new_clusters_and_removed_apps_of_a_pinned_environment() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let first = common::pinned_example_repo(dir);
    let spec = dir.join("fleetc.yaml");
    common::replace_data_pipeline(&spec, "");
    common::edit(
        &spec,
        &[
            (
                "  - name: prod-eu-west-1\n    environment: production\n    region: eu-west-1\n",
                "  - name: prod-eu-west-1\n    environment: production\n    region: eu-west-1\n  - name: prod-eu-west-2\n    environment: production\n    region: eu-west-1\n",
            ),
            (
                "clusters: [prod-eu-west-1, prod-eu-central-1, prod-data-eu-west-1]",
                "clusters: [prod-eu-west-1, prod-eu-west-2, prod-eu-central-1, prod-data-eu-west-1]",
            ),
        ],
    );
    fleetc(&["build"], dir).stderr_has("files written").run();
    let short = &first[..12];

    fleetc(&["explain", "cluster", "prod-eu-west-2"], dir)
        .stdout_has(&format!(
            "production runs {short} (releases.yaml), which does not declare this cluster there"
        ))
        .stdout_has("that commit's GitRepos give it ingress-nginx, web")
        .run();
    let o = fleetc(&["explain", "app", "data-pipeline"], dir)
        .stdout_read("must start with the app removed from the branch")
        .run();
    let text = stdout(&o);
    assert!(
        text.starts_with("app data-pipeline (not in the branch's spec")
            && text.contains("    bundle       data-pipeline-production-apps-data-pipeline")
            && text.contains("waiting for promote:production: removed on prod-data-eu-west-1"),
        "{text}"
    );
    let text = stdout(
        &fleetc(&["diff", "--base", "HEAD"], dir)
            .stdout_read("split into the blast radius and what waits")
            .run(),
    );
    let (radius, waiting) = text.split_once("waiting for promote:production").unwrap();
    assert!(!radius.contains("data-pipeline"), "{text}");
    assert!(
        waiting.contains("data-pipeline: removed on prod-data-eu-west-1"),
        "{text}"
    );
}

/// A pinned commit whose spec this fleetc does not compile (an old format, a mistake committed
/// there) is E031 listing its problems with their lines at that commit, and the help names the
/// way out: pinning by hand to a commit that compiles.
#[test]
fn a_pinned_spec_that_does_not_compile_is_e031_with_its_problems() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    common::example_repo(dir);
    common::edit(
        &dir.join("fleetc.yaml"),
        &[(
            "  pollingInterval: 1m\n",
            "  pollingInterval: 1m\n  pollInterval: 1m\n",
        )],
    );
    git(dir, &["commit", "-q", "-am", "a typo"]);
    let broken = git(dir, &["rev-parse", "HEAD"]);
    common::edit(&dir.join("fleetc.yaml"), &[("  pollInterval: 1m\n", "")]);
    std::fs::write(
        dir.join("releases.yaml"),
        format!("revisions:\n  production: {broken}\n"),
    )
    .unwrap();
    let o = fleetc(&["build"], dir)
        .code(1)
        .stderr_read("compared word by word: the rendering wraps lines")
        .run();
    // The rendering wraps lines; compare words.
    let err = common::stderr(&o)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        err.contains("fleetc::E031")
            && err.contains(&format!("fleetc.yaml@{}:", &broken[..12]))
            && err.contains("pollInterval")
            && err.contains("fleetc pin --environment production --revision $(git rev-parse HEAD)"),
        "{err}"
    );
}

/// A changed Helm option is in the blast radius, per cluster, with old and new value.
#[test]
fn diff_lists_changed_helm_options() {
    let tmp = tempfile::tempdir().unwrap();
    common::copy_dir(
        &common::repo().join("tests/fixtures/ok/helm-options"),
        tmp.path(),
    );
    git(tmp.path(), &["init", "-q", "-b", "main"]);
    git(tmp.path(), &["add", "-A"]);
    git(tmp.path(), &["commit", "-q", "-m", "base"]);
    common::edit(
        &tmp.path().join("fleetc.yaml"),
        &[("timeoutSeconds: 1800", "timeoutSeconds: 2400")],
    );
    let o = fleetc(&["diff", "--base", "HEAD"], tmp.path())
        .stdout_has("helm timeoutSeconds=1800 → timeoutSeconds=2400")
        .stdout_has("edge-prod-1")
        .run();
    assert!(!stdout(&o).contains("edge-stg-1"), "{}", stdout(&o));
}

/// `diff`'s blast radius counts the live clusters the spec does not declare
/// (`clusterInventory`), as Fleet matches them by their labels: the shared-gitrepos fixture's
/// inventory has production clusters registered after the spec was written.
#[test]
fn diff_counts_live_clusters_the_spec_does_not_declare() {
    let tmp = tempfile::tempdir().unwrap();
    common::copy_dir(
        &common::repo().join("tests/fixtures/ok/shared-gitrepos"),
        tmp.path(),
    );
    git(tmp.path(), &["init", "-q", "-b", "main"]);
    git(tmp.path(), &["add", "-A"]);
    git(tmp.path(), &["commit", "-q", "-m", "one"]);
    common::edit(
        &tmp.path().join("fleetc.yaml"),
        &[(
            "values: {persistence: {defaultClassReplicaCount: 3}}",
            "values: {persistence: {defaultClassReplicaCount: 2}}",
        )],
    );
    // prod-edge-3 is live, labelled for production in eu-west-1 with longhorn, and undeclared.
    fleetc(&["diff", "--base", "main"], tmp.path())
        .stdout_has("prod-edge-3")
        .run();
}

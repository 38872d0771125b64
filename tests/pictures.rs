//! `fleetc graph` and the diagrams of `fleetc diff --format markdown`: drawn as snapshotted,
//! parsed by Mermaid's own grammar (the pinned `mermaid-check`, tests/tools/) and Graphviz's
//! `dot`, readable at a thousand clusters, and the example's graph is the README's.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use crate::common::{self, fleetc, repo, tool};

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// `fleetc graph [args] --format FORMAT` in `cwd`; `warns`: the spec has warnings (stderr), else
/// stderr must stay empty.
fn graph(cwd: &Path, args: &[&str], format: &str, warns: bool) -> String {
    let args: Vec<&str> = ["graph"]
        .into_iter()
        .chain(args.iter().copied())
        .chain(["--format", format])
        .collect();
    let mut run = fleetc(&args, cwd).stdout_read("drawn, then parsed");
    if warns {
        run = run.stderr_read("the spec's warnings");
    }
    stdout(&run.run())
}

/// Mermaid's parser accepts every ```mermaid block of `markdown` (or the whole text of a `.mmd`
/// file when `name` ends so).
pub(crate) fn mermaid_parses(text: &str, name: &str) {
    let Some(check) = tool(
        "mermaid-check",
        "npm: mermaid and jsdom, tests/tools/package.json",
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(name);
    std::fs::write(&file, text).unwrap();
    let o = Command::new(&check).arg(&file).output().unwrap();
    assert!(
        o.status.success(),
        "Mermaid refuses {name}:\n{}\n{text}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Graphviz lays `text` out without an error or a warning.
fn dot_renders(text: &str) {
    let Some(dot) = tool("dot", "Debian package graphviz") else {
        return;
    };
    let mut child = Command::new(dot)
        .arg("-Tsvg")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success() && err.is_empty(), "dot: {err}\n{text}");
    assert!(String::from_utf8_lossy(&o.stdout).contains("<svg"));
}

#[test]
fn the_example_s_graph_parses_in_both_languages_and_is_the_readme_s() {
    let graph = |format: &str| {
        graph(
            &repo(),
            &["--spec", "examples/fleet/fleetc.yaml"],
            format,
            false,
        )
    };
    let mermaid = graph("mermaid");
    let dot = graph("dot");
    common::insta_settings().bind(|| {
        insta::assert_snapshot!("graph_mermaid", mermaid);
        insta::assert_snapshot!("graph_dot", dot);
    });
    // Production's regions, its clusters, apps to where they run, dependsOn, agents.
    assert!(mermaid.contains("subgraph G3[\"production · manual gate\"]"));
    assert!(mermaid.contains("G0 ==>|\"promote\"| G3"));
    mermaid_parses(&mermaid, "example.mmd");
    dot_renders(&dot);
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    mermaid_parses(&readme, "README.md");
    assert!(
        readme.contains(&format!("```mermaid\n{mermaid}```")),
        "the README shows the example's graph: paste `fleetc graph --spec examples/fleet/fleetc.yaml` into its ```mermaid block"
    );
}

/// A spec of `per_region` production clusters in each of six regions, two staging clusters, and
/// twelve apps on staging and on one production region (every fourth on all of production).
fn large_spec(per_region: usize) -> String {
    let regions = [
        "us-east-1",
        "us-west-2",
        "eu-west-1",
        "eu-central-1",
        "ap-southeast-1",
        "ap-northeast-1",
    ];
    let mut s = String::from(
        "version: 1\nfleet:\n  namespace: fleet-default\n  repo: https://gitlab.example.com/p/m.git\n  branch: main\nenvironments:\n  - {name: staging, tier: staging}\n  - {name: production, tier: production, promotion: manual}\nclusters:\n  - {name: staging-a, environment: staging, region: us-east-1}\n  - {name: staging-b, environment: staging, region: eu-west-1}\n",
    );
    for r in regions {
        for i in 0..per_region {
            let _ = writeln!(
                s,
                "  - {{name: prod-{r}-{i:04}, environment: production, region: {r}}}"
            );
        }
    }
    s.push_str("agents:\n  - {name: staging, environments: [staging]}\n  - {name: production, environments: [production]}\napps:\n");
    for a in 0..12 {
        let production = if a % 4 == 0 {
            "{environment: production}".to_owned()
        } else {
            format!(
                "{{environment: production, region: {}}}",
                regions[a % regions.len()]
            )
        };
        let _ = writeln!(
            s,
            "  - name: app-{a:02}\n    namespace: app-{a:02}\n    source: {{helm: {{repo: https://charts.example.com, chart: app, version: 1.0.{a}}}}}\n    replicas: 2\n    targets:\n      - environment: staging\n      - {production}"
        );
    }
    s
}

#[test]
fn a_thousand_clusters_are_drawn_by_region_and_their_changes_summarised() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let spec = dir.join("fleetc.yaml");
    std::fs::write(&spec, large_spec(170)).unwrap();
    let graph = |format: &str| graph(dir, &[], format, false);
    let mermaid = graph("mermaid");
    // Production's 1,020 clusters are six region nodes; staging's two are drawn.
    assert!(
        mermaid.contains("[\"us-east-1<br/>170 clusters\"]"),
        "{mermaid}"
    );
    assert!(mermaid.contains("[\"staging-a\"]"));
    assert!(!mermaid.contains("prod-us-east-1-0001"));
    // Mermaid's defaults: at most 500 edges and 50,000 characters.
    assert!(mermaid.matches("-->").count() + mermaid.matches("-.->").count() < 500);
    assert!(mermaid.len() < 50_000, "{} characters", mermaid.len());
    mermaid_parses(&mermaid, "large.mmd");
    dot_renders(&graph("dot"));

    // A change on every cluster of one region and on every staging cluster.
    fleetc(&["build"], dir)
        .stderr_read("a large build's summary")
        .run();
    common::first_commit(dir);
    let text = std::fs::read_to_string(&spec).unwrap();
    let changed = text.replacen(
        "  - name: app-02\n    namespace: app-02\n    source: {helm: {repo: https://charts.example.com, chart: app, version: 1.0.2}}\n    replicas: 2\n",
        "  - name: app-02\n    namespace: app-02\n    source: {helm: {repo: https://charts.example.com, chart: app, version: 1.0.2}}\n    replicas: 3\n    overrides:\n      - {environment: production, region: eu-west-1, replicas: 5}\n",
        1,
    );
    assert_ne!(changed, text);
    std::fs::write(&spec, changed).unwrap();
    let md = stdout(
        &fleetc(&["diff", "--base", "main", "--format", "markdown"], dir)
            .stdout_read("parsed")
            .run(),
    );
    let flow = md
        .split("**Promotion flow**")
        .nth(1)
        .and_then(|s| s.split("**What changes where**").next())
        .unwrap_or_else(|| panic!("{md}"));
    assert!(
        flow.contains(
            "production<br/>manual gate<br/>170 of 1020 clusters change<br/>apps: app-02"
        ),
        "{flow}"
    );
    assert!(
        flow.contains("staging<br/>automatic<br/>2 of 2 clusters change"),
        "{flow}"
    );
    let matrix = md
        .split("**What changes where**")
        .nth(1)
        .and_then(|s| s.split("\n```\n").next())
        .unwrap();
    assert!(
        matrix.contains("N8(\"app-02<br/>replicas 2 → 3<br/>replicas 2 → 5\")"),
        "{matrix}"
    );
    // Whole regions: one edge each, no cluster listed.
    assert!(!matrix.contains("prod-eu-west-1-0001"));
    assert!(
        matrix.contains("[\"eu-west-1<br/>170 clusters\"]"),
        "{matrix}"
    );
    mermaid_parses(&md, "diff.md");
}

/// An environment without clusters is drawn (with a node saying so) and gets no app's edge; DOT
/// keeps the promotion arrow through it.
#[test]
fn an_environment_without_clusters_is_drawn_empty() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = "version: 1\nfleet: {repo: https://g.example.com/a/b.git, branch: main}\nenvironments:\n  - {name: dev, tier: development}\n  - {name: qa, tier: testing}\n  - {name: prod, tier: production, promotion: manual}\nclusters:\n  - {name: dev-1, environment: dev, region: local}\n  - {name: prod-1, environment: prod, region: local}\napps:\n  - name: web\n    namespace: web\n    source: {helm: {repo: https://charts.example.com, chart: web, version: 1.0.0}}\n    targets: [{environment: dev}, {environment: prod}]\n";
    std::fs::write(tmp.path().join("fleetc.yaml"), spec).unwrap();
    let graph = |format: &str| graph(tmp.path(), &[], format, true);
    let mermaid = graph("mermaid");
    assert!(
        mermaid.contains("subgraph G1[\"qa · automatic\"]\n    N1[\"no clusters\"]\n  end"),
        "{mermaid}"
    );
    assert!(!mermaid.contains("--> G1"), "{mermaid}");
    assert!(
        mermaid.contains("G0 ==>|\"promote\"| G1") && mermaid.contains("G1 ==>|\"promote\"| G2")
    );
    mermaid_parses(&mermaid, "empty.mmd");
    let dot = graph("dot");
    assert_eq!(dot.matches("penwidth=3").count(), 2, "{dot}");
    dot_renders(&dot);
}

/// Every ok fixture's fleet drawn in both languages parses: Mermaid's parser in one run over all
/// of them, Graphviz one by one.
#[test]
fn every_fixture_s_graph_parses() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for fixture in common::ok_fixtures() {
        let compiled = common::compile(&fixture).unwrap_or_else(|e| panic!("{e}"));
        let g = fleetc::graph::of_fleet(&compiled.fleet);
        let name = fixture.file_name().unwrap().to_string_lossy().into_owned();
        let file = dir.path().join(format!("{name}.mmd"));
        std::fs::write(&file, fleetc::graph::mermaid::render(&g)).unwrap();
        files.push(file);
        dot_renders(&fleetc::graph::dot::render(&g));
    }
    assert!(files.len() >= 10, "{} fixtures", files.len());
    let Some(check) = tool(
        "mermaid-check",
        "npm: mermaid and jsdom, tests/tools/package.json",
    ) else {
        return;
    };
    let o = Command::new(check).args(&files).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

//! Behaviour at the edges that mutation testing (cargo-mutants, README "Testing") found
//! unguarded: the size limit at its byte, the YAML errors each by its own words and span, the
//! type names of shape errors, agent assignment, the management registration's RBAC, paths,
//! charts without versions, cycles, rollouts and dependency selectors.

use serde_json::Value;

use crate::common;

fn code_of(d: &Value) -> &str {
    d["code"].as_str().unwrap().trim_start_matches("fleetc::")
}

fn with_code<'d>(diags: &'d [Value], c: &str) -> Vec<&'d Value> {
    diags.iter().filter(|d| code_of(d) == c).collect()
}

fn span(d: &Value) -> (u64, u64) {
    let l = &d["labels"][0];
    (l["start"].as_u64().unwrap(), l["end"].as_u64().unwrap())
}

/// `build --format json` on a spec given as text.
fn build_text(text: &str) -> (i32, Vec<Value>) {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("fleetc.yaml"), text).unwrap();
    common::build_json(tmp.path())
}

#[test]
fn a_spec_of_exactly_the_size_limit_is_read() {
    // load::MAX_SPEC_BYTES is 32 MiB: that many bytes are read, one more is refused (hostile::).
    let tmp = tempfile::tempdir().unwrap();
    common::copy_dir(
        &common::repo().join("tests/fixtures/ok/minimal"),
        tmp.path(),
    );
    let spec = tmp.path().join("fleetc.yaml");
    let mut text = std::fs::read_to_string(&spec).unwrap();
    let pad = (32 << 20) - text.len() - 3;
    text.push_str("# ");
    text.push_str(&"x".repeat(pad));
    text.push('\n');
    assert_eq!(text.len(), 32 << 20);
    std::fs::write(&spec, text).unwrap();
    let (code, diags) = common::build_json(tmp.path());
    assert_eq!((code, diags.len()), (0, 0), "{diags:?}");
}

/// The node budget grows with the text (load::yaml_options_for), one node per four bytes: 2.25
/// million nodes at a spec's densest (per-cluster overrides, seven bytes a node) are read, and
/// refused for what they say, not for their number; three million nodes packed two bytes each
/// are refused with E007, as are aliases beyond their budget
/// (`yaml_errors_are_told_apart_and_pointed_at`).
#[test]
fn the_node_budget_grows_with_the_text_but_not_with_dense_input() {
    let overrides = "  - {cluster: c123456, replicas: 4}\n".repeat(450_000);
    let (code, d) = build_text(&format!("version: 1\nnodes:\n{overrides}"));
    assert_eq!(code, 1);
    assert!(
        with_code(&d, "E007").is_empty(),
        "{:?}",
        &d[..d.len().min(3)]
    );
    assert!(
        d.iter()
            .any(|d| d["message"].as_str().unwrap_or_default().contains("nodes")),
        "the unknown key is what is reported"
    );
    let dense = format!("version: 1\nnodes: [{}]\n", vec!["1"; 3_000_000].join(","));
    let (code, d) = build_text(&dense);
    assert_eq!(code, 1);
    assert_eq!(with_code(&d, "E007").len(), 1, "{:?}", &d[..d.len().min(3)]);
}

#[test]
fn yaml_errors_are_told_apart_and_pointed_at() {
    // Too many aliases: the alias budget, not the node budget.
    let aliases = format!("version: 1\nx: &a 1\ny: [{}]\n", vec!["*a"; 101].join(", "));
    let (code, d) = build_text(&aliases);
    assert_eq!(code, 1);
    let e007 = with_code(&d, "E007");
    assert_eq!(e007.len(), 1, "{d:?}");
    assert!(
        e007[0]["message"]
            .as_str()
            .unwrap()
            .contains("more YAML aliases or anchors than fleetc expands"),
        "{d:?}"
    );
    // Ten thousand open brackets: the scanner's own recursion guard trips before the depth
    // budget, and it is the same limit to the user.
    let (code, d) = build_text(&format!("version: 1\nx: {}\n", "[".repeat(10_000)));
    assert_eq!(code, 1);
    let e007 = with_code(&d, "E007");
    assert_eq!(e007.len(), 1, "{d:?}");
    assert!(
        e007[0]["message"].as_str().unwrap().contains("nested"),
        "{d:?}"
    );
    // A malformed tag is a tag error, with the help to remove it.
    let (code, d) = build_text("version: 1\nfleet: !x!y 1\n");
    assert_eq!(code, 1);
    let e001 = with_code(&d, "E001");
    assert_eq!(e001.len(), 1, "{d:?}");
    assert_eq!(
        e001[0]["message"], "YAML tags are not supported in the spec",
        "{d:?}"
    );
    assert!(
        e001[0]["help"].as_str().unwrap().contains("remove the tag"),
        "{d:?}"
    );
    // A scalar at the root is labelled whole.
    let (_, d) = build_text(".inf\n");
    assert_eq!(span(with_code(&d, "E002")[0]), (0, 4), "{d:?}");
    // A character YAML reserves is labelled where it stands (line 2, column 8).
    let (_, d) = build_text("version: 1\nfleet: @x\n");
    assert_eq!(span(with_code(&d, "E001")[0]), (18, 19), "{d:?}");
}

#[test]
fn an_alias_inside_a_mapping_keeps_the_spans_of_what_follows() {
    let text = "version: 1\nfleet: {repo: https://g.example/x.git, branch: main}\nenvironments: [{name: dev, tier: development}]\nclusters:\n  - {name: dev-1, environment: &env dev, region: local}\n  - {name: dev-2, environment: *env, region: local, bogus: 1}\n";
    let (_, d) = build_text(text);
    let e003 = with_code(&d, "E003");
    assert_eq!(e003.len(), 1, "{d:?}");
    let (start, end) = span(e003[0]);
    assert_eq!(&text[start as usize..end as usize], "bogus");
}

#[test]
fn shape_errors_name_every_type() {
    let (_, d, _tmp) = common::build_copy(
        "tests/fixtures/ok/minimal",
        &[(
            "    targets:",
            "    resources: {requests: {cpu: [1]}}\n    keepResources: \"yes\"\n    targets:",
        )],
    );
    let messages: Vec<&str> = d.iter().map(|d| d["message"].as_str().unwrap()).collect();
    assert!(
        messages.contains(
            &"`apps[0].resources.requests.cpu` must be a string or a number, found a list"
        ),
        "{messages:?}"
    );
    assert!(
        messages.contains(
            &"`apps[0].keepResources` must be `true` or `false`, found the string \"yes\""
        ),
        "{messages:?}"
    );
}

#[test]
fn unknown_keys_get_the_help_of_where_they_stand() {
    let (_, d, _tmp) = common::build_copy(
        "tests/fixtures/ok/bundle-options",
        &[(
            "    overrides:\n",
            "    overrides:\n      - {cluster: store-001, paused: true}\n",
        )],
    );
    // (The fixture has two apps with overrides: each gets the line.)
    let e003 = with_code(&d, "E003");
    assert!(!e003.is_empty(), "{d:?}");
    for e in e003 {
        assert_eq!(
            e["help"],
            "an override cannot set `paused`: set it on the app itself"
        );
    }
    let (_, d, _tmp) = common::build_copy(
        "tests/fixtures/ok/minimal",
        &[(
            "    region: local",
            "    region: local\n    namespaceLabels: {a: b}",
        )],
    );
    let e003 = with_code(&d, "E003");
    assert_eq!(e003.len(), 1, "{d:?}");
    assert_eq!(
        e003[0]["help"],
        "known keys here: `name`, `environment`, `region`, `labels`, `agent`, `workspace`"
    );
}

#[test]
fn a_cluster_may_name_an_agent_that_serves_nothing_else() {
    let (code, d, _tmp) = common::build_copy(
        "tests/fixtures/ok/minimal",
        &[
            ("    region: local", "    region: local\n    agent: solo"),
            ("apps:", "agents:\n  - name: solo\napps:"),
        ],
    );
    assert_eq!((code, d.len()), (0, 0), "{d:?}");
    // ...but not one whose own list leaves it out.
    let (code, d, _tmp) = common::build_copy(
        "tests/fixtures/err/E022-agent-assignment",
        &[(
            "  - {name: stg-1, environment: staging, region: eu-west-1}",
            "  - {name: stg-1, environment: staging, region: eu-west-1, agent: prod-eu}",
        )],
    );
    assert_eq!(code, 1);
    assert!(
        d.iter()
            .any(|d| d["message"]
                == "cluster `stg-1` names agent `prod-eu`, which does not serve it"),
        "{d:?}"
    );
}

#[test]
fn the_management_registration_gets_only_what_its_jobs_use() {
    // Without the drift check nothing runs on the management cluster but the agent itself:
    // no read access to the Fleet workspace, no BundleDeployments.
    let (code, d, tmp) = common::build_copy(
        "examples/fleet",
        &[(
            "  driftCheck:\n    agent: fleet-management\n    schedule: \"*/30 * * * *\"\n",
            "",
        )],
    );
    assert_eq!(code, 0, "{d:?}");
    let rbac = std::fs::read_to_string(tmp.path().join("gitlab-agents/fleet-management/rbac.yaml"))
        .unwrap();
    assert!(!rbac.contains("namespace: fleet-default"), "{rbac}");
    assert!(!rbac.contains("bundledeployments"), "{rbac}");
}

#[test]
fn a_repo_path_of_dot_is_the_root() {
    let (code, d, tmp) = common::build_copy(
        "tests/fixtures/ok/minimal",
        &[("  branch: main", "  branch: main\n  repoPath: \".\"")],
    );
    assert_eq!(code, 0, "{d:?}");
    let gitrepo =
        std::fs::read_to_string(tmp.path().join("fleet/gitrepos/podinfo-dev.yaml")).unwrap();
    assert!(
        gitrepo.contains("  paths:\n  - bundles/podinfo\n"),
        "{gitrepo}"
    );
}

#[test]
fn an_app_of_two_sources_reports_only_that() {
    // Its Helm options are not checked as well: which source it has is not known.
    let (code, d, _tmp) = common::build_copy(
        "tests/fixtures/err/E015-source-kind",
        &[(
            "      helm: {repo: https://charts.example.com, chart: web, version: 1.0.0}",
            "      helm: {repo: https://charts.example.com, chart: web, version: 1.0.0, disablePreProcess: true, templateValues: {a: b}, valuesFiles: [missing.yaml]}",
        )],
    );
    assert_eq!(code, 1);
    let codes: Vec<&str> = d.iter().map(code_of).collect();
    assert_eq!(codes, ["E015", "E015"], "{d:?}");
}

#[test]
fn each_image_points_at_its_own_spec_line() {
    let build = "        build: {context: shop, dockerfile: build/Containerfile}\n";
    let sidecar =
        "      - name: registry.gitlab.example.org/retail/stores/sidecar\n        tag: \"1.0.0\"\n";
    let (code, d, dir) = common::build_copy(
        "tests/fixtures/ok/gitlab-policies",
        &[(build, &format!("{build}{sidecar}"))],
    );
    assert_eq!(code, 0, "{d:?}");
    let text = std::fs::read_to_string(dir.path().join("fleetc.yaml")).unwrap();
    let line_of = |needle: &str| text[..text.find(needle).unwrap()].lines().count() + 1;
    let shop_tag = line_of("        tag: \"2026.11.1\"");
    let sidecar_tag = line_of("        tag: \"1.0.0\"");
    let o = common::fleetc(&["explain", "cluster", "lab-1"], dir.path())
        .stdout_read("the lines of both images are compared")
        .run();
    let out = String::from_utf8(o.stdout).unwrap();
    let row = |image: &str| -> String {
        out.lines()
            .find(|l| l.contains(image))
            .unwrap_or_else(|| panic!("{image}: {out}"))
            .trim_end()
            .to_owned()
    };
    assert!(
        row("stores/shop").ends_with(&format!("fleetc.yaml:{shop_tag}")),
        "{out}"
    );
    assert!(
        row("stores/sidecar").ends_with(&format!("fleetc.yaml:{sidecar_tag}")),
        "{out}"
    );
}

#[test]
fn every_kind_of_unversioned_chart_is_told() {
    let (code, d, _tmp) = common::build_copy(
        "tests/fixtures/err/W015-unpinned-chart",
        &[(
            "  - name: api",
            "  - name: oci\n    namespace: oci\n    source:\n      helm: {chart: oci://registry.example.com/charts/oci}\n    targets: [{environment: dev}]\n  - name: url\n    namespace: url\n    source:\n      helm: {chart: https://charts.example.com/charts/url}\n    targets: [{environment: dev}]\n  - name: tgz\n    namespace: tgz\n    source:\n      helm: {repo: https://charts.example.com, chart: tgzrepo.tgz}\n    targets: [{environment: dev}]\n  - name: api",
        )],
    );
    assert_eq!(code, 0);
    let w015: Vec<&str> = with_code(&d, "W015")
        .iter()
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    // web (repo and name), oci, url, tgz; not api, an archive URL with its version in the name.
    assert_eq!(w015.len(), 4, "{w015:?}");
}

#[test]
fn a_cycle_is_labelled_at_the_edge_that_closes_it() {
    let text = "version: 1\nfleet: {repo: https://g.example/x.git, branch: main}\nenvironments: [{name: dev, tier: development}]\nclusters: [{name: dev-1, environment: dev, region: local}]\napps:\n  - name: a\n    namespace: a\n    source: {helm: {repo: https://charts.example.com, chart: a, version: 1.0.0}}\n    targets: [{environment: dev}]\n    dependsOn: [x, b]\n  - name: b\n    namespace: b\n    source: {helm: {repo: https://charts.example.com, chart: b, version: 1.0.0}}\n    targets: [{environment: dev}]\n    dependsOn: [a]\n  - name: x\n    namespace: x\n    source: {helm: {repo: https://charts.example.com, chart: x, version: 1.0.0}}\n    targets: [{environment: dev}]\n";
    let (_, d) = build_text(text);
    let e018 = with_code(&d, "E018");
    assert_eq!(e018.len(), 1, "{d:?}");
    let (start, end) = span(e018[0]);
    assert_eq!(&text[start as usize..end as usize], "b");
    assert_eq!(
        text[..start as usize].lines().count(),
        10,
        "on a's list (line 10)"
    );
}

#[test]
fn exactly_five_clusters_left_out_are_all_named() {
    let (_, d, _tmp) = common::build_copy(
        "tests/fixtures/err/E033-clusters-outside-rollout",
        &[(
            "  - {name: store-102, environment: stores, region: us-east}",
            "  - {name: store-102, environment: stores, region: us-east}\n  - {name: store-103, environment: stores, region: us-east}\n  - {name: store-104, environment: stores, region: us-east}\n  - {name: store-105, environment: stores, region: us-east}",
        )],
    );
    let e033 = with_code(&d, "E033");
    assert_eq!(e033.len(), 1, "{d:?}");
    let all: String = e033[0].to_string();
    assert!(
        all.contains("store-101, store-102, store-103, store-104, store-105"),
        "{all}"
    );
    assert!(!all.contains("more"), "{all}");
}

#[test]
fn a_dependency_by_selector_is_checked_for_where_it_runs() {
    let (_, d, _tmp) = common::build_copy(
        "tests/fixtures/err/W003-dependency-not-colocated",
        &[
            (
                "    dependsOn: [db]",
                "    dependsOn: [{selector: {matchLabels: {tier: data}}}]",
            ),
            (
                "      helm: {repo: https://charts.example.com, chart: db, version: 1.0.0}",
                "      helm: {repo: https://charts.example.com, chart: db, version: 1.0.0}\n    bundleLabels: {tier: data}",
            ),
        ],
    );
    let w003 = with_code(&d, "W003");
    assert_eq!(w003.len(), 1, "{d:?}");
    assert!(
        w003[0]["message"]
            .as_str()
            .unwrap()
            .contains("`web` depends on `db`, which is not deployed to 1 of its clusters"),
        "{d:?}"
    );
}

#[test]
fn a_bad_selector_key_is_reported_once() {
    let (_, d, _tmp) = common::build_copy(
        "tests/fixtures/ok/bundle-options",
        &[(
            "      - selector: {matchExpressions: [{key: tier, operator: In, values: [backend]}]}",
            "      - selector: {matchExpressions: [{key: \"bad key\", operator: DoesNotExist}]}",
        )],
    );
    let codes: Vec<&str> = d.iter().map(code_of).collect();
    assert_eq!(codes, ["E011"], "{d:?}");
}

#[test]
fn templates_in_lists_of_values_are_checked_too() {
    let (code, d, _tmp) = common::build_copy(
        "tests/fixtures/err/E025-template-label-missing",
        &[(
            "        env: ${ .ClusterLabels.env }\n",
            "        env: ${ .ClusterLabels.env }\n      args: [\"--zone=${ .ClusterLabels.zone }\", {name: \"${ .ClusterLabels.zone }\"}]\n",
        )],
    );
    assert_eq!(code, 1);
    // `topology.zone` (prod-2 has no `zone`), and each of the two list items.
    let at: Vec<String> = with_code(&d, "E025")
        .iter()
        .map(|d| d["message"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(at.len(), 3, "{at:?}");
}

#[test]
fn target_names_and_unknown_keys_are_reported_once_each() {
    // Names fleetc gives its customizations are not target names.
    for taken in ["env-eu", "cluster-eu", "sel-eu"] {
        let (code, d, _tmp) = common::build_copy(
            "tests/fixtures/ok/minimal",
            &[(
                "      - environment: dev",
                &format!("      - {{name: {taken}, environment: dev}}"),
            )],
        );
        assert_eq!(code, 1, "{taken}");
        assert_eq!(
            d.iter().map(code_of).collect::<Vec<_>>(),
            ["E011"],
            "{taken}: {d:?}"
        );
    }
    // An unknown key in a set-based requirement is that error alone, not also "matches no
    // cluster".
    let (code, d, _tmp) = common::build_copy(
        "tests/fixtures/ok/minimal",
        &[(
            "      - environment: dev",
            "      - {environment: dev, selector: {matchExpressions: [{key: tierr, operator: Exists}]}}",
        )],
    );
    assert_eq!(code, 1);
    assert_eq!(d.iter().map(code_of).collect::<Vec<_>>(), ["E012"], "{d:?}");
}

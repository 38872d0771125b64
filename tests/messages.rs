//! Messages as good inside blocks as at the top, and safe to print.

use std::path::Path;

use crate::common::{self, fleetc};

/// Diagnostics of the `minimal` fixture with `from` replaced by `to`, as JSON.
fn diagnostics_after(fixture: &str, edits: &[(&str, &str)]) -> (String, Vec<serde_json::Value>) {
    let tmp = tempfile::tempdir().unwrap();
    common::copy_dir(
        &common::repo().join("tests/fixtures/ok").join(fixture),
        tmp.path(),
    );
    common::edit(&tmp.path().join("fleetc.yaml"), edits);
    let o = fleetc(&["build", "--format", "json"], tmp.path())
        .code(1)
        .stdout_read("the diagnostics are parsed from the JSON report")
        .run();
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let text = std::fs::read_to_string(tmp.path().join("fleetc.yaml")).unwrap();
    (text, report["diagnostics"].as_array().unwrap().clone())
}

/// The source text under a diagnostic's primary label.
fn labelled<'a>(text: &'a str, d: &serde_json::Value) -> &'a str {
    let l = &d["labels"][0];
    &text[l["start"].as_u64().unwrap() as usize..l["end"].as_u64().unwrap() as usize]
}

#[test]
fn a_typo_inside_an_optional_block_is_one_unknown_key_with_a_suggestion() {
    let cases: &[(&str, &str, &str, &str, &str)] = &[
        // fixture, from, to, misspelled key, suggestion
        (
            "gitlab-policies",
            "  agentProject:",
            "  agentProjct:",
            "agentProjct",
            "agentProject",
        ),
        (
            "gitlab-policies",
            "  fleetcImage:",
            "  fleetcImag:",
            "fleetcImag",
            "fleetcImage",
        ),
        (
            "gitlab-policies",
            "  verifyTimeout:",
            "  verifyTimout:",
            "verifyTimout",
            "verifyTimeout",
        ),
        (
            "minimal",
            "        chart: podinfo",
            "        chrat: podinfo",
            "chrat",
            "chart",
        ),
        (
            "minimal",
            "        version: 6.7.1",
            "        versoin: 6.7.1",
            "versoin",
            "version",
        ),
        (
            "custom-labels",
            "kustomize: {}",
            "kustomize: {bsae: base}",
            "bsae",
            "base",
        ),
    ];
    for (fixture, from, to, key, suggestion) in cases {
        let (text, diags) = diagnostics_after(fixture, &[(from, to)]);
        assert_eq!(diags.len(), 1, "{key}: exactly one diagnostic: {diags:#?}");
        let d = &diags[0];
        assert_eq!(d["code"], "fleetc::E003", "{key}: {d:#}");
        assert_eq!(labelled(&text, d), *key, "{key}: the label is on the key");
        let help = d["help"].as_str().unwrap();
        assert!(
            help.contains(&format!("did you mean `{suggestion}`?")),
            "{key}: {help}"
        );
    }
}

#[test]
fn a_missing_key_inside_a_block_is_reported_at_the_block() {
    let (text, diags) = diagnostics_after("minimal", &[("        chart: podinfo\n", "")]);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(diags[0]["code"], "fleetc::E004");
    assert!(diags[0]["message"].as_str().unwrap().contains("`chart`"));
    assert!(
        labelled(&text, &diags[0]).starts_with("repo: https://stefanprodan"),
        "{}",
        labelled(&text, &diags[0])
    );
    // An empty block is a mistake too, reported as one.
    let (_, diags) = diagnostics_after(
        "minimal",
        &[("      helm:\n", "      helm:\n      kustomize:\n")],
    );
    assert!(
        diags.iter().any(|d| d["code"] == "fleetc::E002"),
        "{diags:#?}"
    );
    assert!(
        diags
            .iter()
            .all(|d| !d["message"].as_str().unwrap().contains("anyOf")),
        "no schema jargon: {diags:#?}"
    );
}

#[test]
fn terminal_control_characters_are_escaped_in_human_output() {
    let tmp = tempfile::tempdir().unwrap();
    common::copy_dir(
        &common::repo().join("tests/fixtures/ok/minimal"),
        tmp.path(),
    );
    common::edit(
        &tmp.path().join("fleetc.yaml"),
        &[(
            "  - name: dev-1\n",
            "  - name: \"dev\\e]0;pwned\\a\\e[2J\"\n  # \u{202e} reversed\n",
        )],
    );
    let o = fleetc(&["build"], tmp.path())
        .code(1)
        .stderr_read("searched for control characters")
        .run();
    let err = o.stderr;
    for (byte, name) in [(0x1bu8, "ESC"), (0x07, "BEL")] {
        assert!(!err.contains(&byte), "{name} reached the terminal");
    }
    let err = String::from_utf8(err).unwrap();
    assert!(
        !err.contains('\u{202e}'),
        "a bidi override reached the terminal"
    );
    assert!(err.contains("\\u{1b}"), "{err}");
}

#[test]
fn a_missing_spec_points_at_init_and_explain_suggests_names() {
    let tmp = tempfile::tempdir().unwrap();
    fleetc(&["build"], tmp.path())
        .code(2)
        .stderr_has("fleetc init")
        .run();

    let example = common::repo().join("examples/fleet/fleetc.yaml");
    let spec = example.to_str().unwrap();
    fleetc(
        &["explain", "cluster", "prod-eu-wset-1", "--spec", spec],
        Path::new("."),
    )
    .code(2)
    .stderr_has("did you mean `prod-eu-west-1`?")
    .run();
    fleetc(&["explain", "app", "wbe", "--spec", spec], Path::new("."))
        .code(2)
        .stderr_has("did you mean `web`?")
        .run();
}

#[test]
fn counts_are_in_plain_words() {
    let tmp = tempfile::tempdir().unwrap();
    common::copy_dir(
        &common::repo().join("tests/fixtures/ok/minimal"),
        tmp.path(),
    );
    fleetc(&["build"], tmp.path())
        .stderr_has("4 files written, 0 removed")
        .run();
    common::edit(&tmp.path().join("fleetc.yaml"), &[("6.7.1", "6.7.2")]);
    fleetc(&["build"], tmp.path())
        .stderr_has("1 file written, 0 removed")
        .run();
    fleetc(&["check"], tmp.path())
        .stderr_has("generated files are up to date")
        .run();
}

#[test]
fn explain_names_the_spec_line_of_every_effective_value() {
    let spec_path = common::repo().join("examples/fleet/fleetc.yaml");
    let text = std::fs::read_to_string(&spec_path).unwrap();
    let line_of = |needle: &str| {
        let at = text.find(needle).unwrap_or_else(|| panic!("{needle}"));
        format!("fleetc.yaml:{}", text[..at].matches('\n').count() + 1)
    };
    let o = fleetc(
        &[
            "explain",
            "cluster",
            "prod-us-east-1",
            "--spec",
            spec_path.to_str().unwrap(),
        ],
        Path::new("."),
    )
    .stdout_read("the replicas line of app web is looked up")
    .run();
    let out = String::from_utf8_lossy(&o.stdout);
    let web = &out[out.find("app web").unwrap()..];
    let replicas = web
        .lines()
        .find(|l| l.trim_start().starts_with("replicas"))
        .unwrap();
    assert!(
        replicas.contains(" 4 ") && replicas.ends_with(&line_of("        replicas: 4")),
        "{replicas}"
    );
    // The staging pin comes from the release pins file.
    let o = fleetc(
        &[
            "explain",
            "cluster",
            "staging-us-east-1",
            "--spec",
            spec_path.to_str().unwrap(),
        ],
        Path::new("."),
    )
    .stdout_read("the image line and every effective-value line are looked up")
    .run();
    let out = String::from_utf8_lossy(&o.stdout);
    let image = out
        .lines()
        .find(|l| l.contains("fleet-manifests/web:"))
        .unwrap();
    assert!(image.ends_with("releases.yaml"), "{image}");
    // Every effective-value line says where it comes from.
    let mut checked = 0;
    for l in out.lines().filter(|l| {
        let t = l.trim_start();
        ["replicas ", "image ", "resources ", "values ", "patch "]
            .iter()
            .any(|p| t.starts_with(p))
    }) {
        assert!(
            l.ends_with(".yaml") || l.contains("fleetc.yaml:"),
            "no origin: {l}"
        );
        checked += 1;
    }
    assert!(checked > 0, "no effective-value line in {out}");
}

/// YAML the parser refuses is classified by the parser's error variant (never its wording):
/// each kind gets its own code, message and help.
#[test]
fn yaml_failures_are_classified_by_the_parsers_error_kind() {
    let deep = format!(
        "version: 1\nfleet: {}{}\n",
        "[".repeat(100),
        "]".repeat(100)
    );
    let laughs = std::fs::read_to_string(
        common::repo().join("tests/fixtures/hostile/13-billion-laughs.yaml"),
    )
    .unwrap();
    let cases: [(&str, &str, &str, &str); 7] = [
        ("version: 1\nfleet:\n\trepo: x\n", "E001", "", "tabs"),
        (
            "version: 1\nversion: 1\n",
            "E005",
            "duplicate key `version`",
            "remove one",
        ),
        (&laughs, "E007", "aliases", "aliases"),
        (&deep, "E007", "nested more than 64 levels deep", "flatten"),
        (
            "version: 1\n---\nversion: 1\n",
            "E001",
            "more than one YAML document",
            "`---`",
        ),
        (
            "version: 1\nfleet: !vault x\n",
            "E001",
            "YAML tags are not supported",
            "Secret",
        ),
        (
            "version: .inf\n",
            "E002",
            "`.inf` and `.nan`",
            "whole number",
        ),
    ];
    for (text, code, message, help) in cases {
        let src = fleetc::diagnostic::Source {
            name: "fleetc.yaml".to_owned(),
            text: text.to_owned(),
        };
        let diags = fleetc::compile(&src, Path::new(".")).unwrap_err();
        let d = &diags[0];
        assert_eq!(diags.len(), 1, "{text:?}: {diags:#?}");
        assert_eq!(d.code.as_str(), code, "{text:?}: {d:#?}");
        assert!(d.message.contains(message), "{text:?}: {d:#?}");
        assert!(
            d.help.as_deref().unwrap_or("").contains(help),
            "{text:?}: {d:#?}"
        );
        assert!(!d.labels.is_empty(), "{text:?}");
    }
}

/// A cluster whose environment does not resolve is reported once: it is left out of the fleet
/// (no stand-in environment), and references to it (an agent, a target, an override), to the
/// region only it is in and to the label only it carries are not reported again.
#[test]
fn a_cluster_with_an_unknown_environment_is_reported_once() {
    let text = "version: 1
fleet: {repo: https://gitlab.example.com/ops/fleet.git, branch: main}
environments: [{name: dev, tier: development}]
clusters:
  - {name: dev-1, environment: dev, region: local}
  - {name: dev-2, environment: devv, region: eu, labels: {tier: gold}}
agents:
  - {name: a, clusters: [dev-2]}
apps:
  - name: web
    namespace: web
    source: {helm: {repo: https://charts.example.com, chart: web, version: 1.0.0}}
    targets:
      - {environment: dev}
      - {cluster: dev-2}
      - {region: eu}
      - selector: {matchLabels: {tier: gold}, matchExpressions: [{key: tier, operator: In, values: [gold]}]}
    overrides: [{cluster: dev-2, replicas: 2}, {region: eu, replicas: 3}]
";
    let src = fleetc::diagnostic::Source {
        name: "fleetc.yaml".to_owned(),
        text: text.to_owned(),
    };
    let diags = fleetc::compile(&src, Path::new(".")).unwrap_err();
    let messages: Vec<String> = diags
        .iter()
        .map(|d| format!("{} {}", d.code.as_str(), d.message))
        .collect();
    assert_eq!(messages, ["E012 unknown environment `devv`"], "{diags:#?}");
    assert_eq!(&text[diags[0].labels[0].span.clone()], "devv", "{diags:#?}");
}

/// Two GitRepo names that meet (`a` in `b-c`, `a-b` in `c`) are E021 with help about names,
/// not paths.
#[test]
fn gitrepo_names_that_meet_are_refused_with_help_about_names() {
    let text = "version: 1
fleet: {repo: https://gitlab.example.com/ops/fleet.git, branch: main}
environments: [{name: b-c, tier: development}, {name: c, tier: staging}]
clusters:
  - {name: x1, environment: b-c, region: r}
  - {name: x2, environment: c, region: r}
apps:
  - name: a
    namespace: a
    source: {helm: {repo: https://charts.example.com, chart: a, version: 1.0.0}}
    targets: [{environment: b-c}]
  - name: a-b
    namespace: ab
    source: {helm: {repo: https://charts.example.com, chart: a, version: 1.0.0}}
    targets: [{environment: c}]
";
    let src = fleetc::diagnostic::Source {
        name: "fleetc.yaml".to_owned(),
        text: text.to_owned(),
    };
    let diags = fleetc::compile(&src, Path::new(".")).unwrap_err();
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(diags[0].code.as_str(), "E021");
    assert!(
        diags[0]
            .help
            .as_deref()
            .unwrap()
            .contains("`<app>-<environment>`"),
        "{diags:#?}"
    );
}

/// Fleet templates in an override's values are checked against the clusters that override
/// reaches: `.ClusterLabels.zone` is fine for the EU override (both EU clusters have `zone`)
/// and E025 for the US one (prod-2 has none), labelled at the override's value.
#[test]
fn override_values_are_checked_as_templates_for_the_clusters_they_reach() {
    let path = common::repo().join("tests/fixtures/err/E025-template-label-missing/fleetc.yaml");
    let text = std::fs::read_to_string(path)
        .unwrap()
        .replace("        env: ${ .ClusterLabels.env }\n", "")
        .replace("        zone: ${ .ClusterLabels.zone }\n", "")
        + "      - region: us-east-1\n        values:\n          usZone: ${ .ClusterLabels.zone }\n";
    let src = fleetc::diagnostic::Source {
        name: "fleetc.yaml".to_owned(),
        text: text.clone(),
    };
    let diags = fleetc::compile(&src, Path::new(".")).unwrap_err();
    let e025: Vec<&fleetc::diagnostic::Diagnostic> =
        diags.iter().filter(|d| d.code.as_str() == "E025").collect();
    assert_eq!(e025.len(), 1, "{diags:#?}");
    let label = &text[e025[0].labels[0].span.clone()];
    assert!(label.contains(".ClusterLabels.zone"), "{label:?}");
    let line = text[..e025[0].labels[0].span.start].lines().count();
    assert!(
        text.lines().nth(line - 1).unwrap().contains("usZone"),
        "labelled on line {line}: {:?}",
        text.lines().nth(line - 1)
    );
}

/// Each value type (`fleetc::values`) has one parser and one message wherever it is written:
/// a Go duration in `fleet.pollingInterval`, in `pipeline.verifyTimeout` and on `fleetc verify
/// --timeout`; a tag in an app and in an override; label keys and values in every label map.
#[test]
fn one_message_per_value_type_wherever_it_is_written() {
    let (text, diags) = diagnostics_after(
        "gitlab-policies",
        &[
            (
                "  repoPath: fleet",
                "  repoPath: fleet\n  pollingInterval: 2d",
            ),
            ("  verifyTimeout: 1h30m", "  verifyTimeout: 1w"),
            ("        tag: \"2026.11.1\"", "        tag: \"-rc1\""),
            ("shop: \"2026.10.4\"}", "shop: \"2026:10\"}"),
            ("thresholds: {failed: 10m,", "thresholds: {failed: 1.5h,"),
            (
                "severities: {modified: critical}",
                "severities: {modified: \"very bad\"}",
            ),
            (
                "labels: {prometheus: main,",
                "labels: {\"-prometheus\": main, x: \"a b\",",
            ),
            ("region: ch}", "region: CH_}"),
        ],
    );
    let found: Vec<(String, String, &str)> = diags
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_owned(),
                d["message"].as_str().unwrap().to_owned(),
                labelled(&text, d),
            )
        })
        .collect();
    for (code, message, span) in [
        ("fleetc::E023", "`2d` is not a Go duration", "2d"),
        ("fleetc::E023", "`1w` is not a Go duration", "1w"),
        ("fleetc::E023", "invalid image tag `-rc1`", "\"-rc1\""),
        ("fleetc::E023", "invalid image tag `2026:10`", "\"2026:10\""),
        (
            "fleetc::E023",
            "`1.5h` is not a Prometheus duration",
            "1.5h",
        ),
        (
            "fleetc::E011",
            "invalid label value `very bad`",
            "\"very bad\"",
        ),
        (
            "fleetc::E011",
            "invalid label key `-prometheus`",
            "\"-prometheus\"",
        ),
        ("fleetc::E011", "invalid label value `a b`", "\"a b\""),
        ("fleetc::E011", "invalid label value `CH_`", "CH_"),
    ] {
        assert!(
            found
                .iter()
                .any(|(c, m, s)| c == code && m == message && *s == span),
            "no {code} `{message}` on `{span}` in {found:#?}"
        );
    }
    let help = |m: &str| {
        diags
            .iter()
            .find(|d| d["message"].as_str() == Some(m))
            .map(|d| d["help"].as_str().unwrap().to_owned())
    };
    assert_eq!(
        help("`2d` is not a Go duration"),
        help("`1w` is not a Go duration")
    );

    // The command line refuses a duration with the same words (a usage error).
    let tmp = common::scratch("gitlab-policies");
    fleetc(
        &["verify", "--environment", "lab", "--timeout", "2d"],
        tmp.path(),
    )
    .code(2)
    .stderr_has("`2d` is not a Go duration")
    .run();
}

/// Misused Helm options, each with its code on the exact node (the `helm-options` fixture
/// edited one way per case). The rules are Fleet's: what a customization may set and how it
/// merges, rancher/fleet v0.16.1 internal/cmd/controller/options/calculate.go:57-147; values
/// files read from the bundle directory, internal/bundlereader/resources.go:173-207; templates
/// rendered only without disablePreProcess, internal/cmd/controller/target/builder.go:304-328.
#[test]
fn misused_helm_options_are_reported_where_they_are_written() {
    let cases: &[(&str, &str, &str, &str)] = &[
        // from, to, code, text under the label
        (
            "valuesFiles: [values/common.yaml]",
            "valuesFiles: [values/common.yaml, values/missing.yaml]",
            "fleetc::E016",
            "values/missing.yaml",
        ),
        (
            "valuesFiles: [values/common.yaml]",
            "valuesFiles: [values/common.yaml, values/common.yaml]",
            "fleetc::E010",
            "values/common.yaml",
        ),
        (
            "valuesFiles: [values/common.yaml]",
            "valuesFiles: [../secrets.yaml]",
            "fleetc::E014",
            "../secrets.yaml",
        ),
        (
            "- configMapKeyRef: {name: storage-site, namespace: longhorn-system, key: site.yaml}",
            "- {}",
            "fleetc::E023",
            "{}",
        ),
        (
            "- configMapKeyRef: {name: storage-site, namespace: longhorn-system, key: site.yaml}",
            "- configMapKeyRef: {name: Storage_Site}",
            "fleetc::E011",
            "Storage_Site",
        ),
        (
            "helm: {force: true, disableDNS: true, version: 1.11.0}",
            "helm: {force: true, disableDNS: true, version: 1.11.0, disablePreProcess: true}",
            "fleetc::E032",
            "true",
        ),
        (
            "helm: {force: true, disableDNS: true, version: 1.11.0}",
            "helm: {force: true, skipSchemaValidation: true}",
            "fleetc::E032",
            "skipSchemaValidation",
        ),
        (
            "          takeOwnership: true\n",
            "          takeOwnership: true\n          waitForJobs: false\n",
            "fleetc::E032",
            "false",
        ),
        (
            "region: \"${ index .ClusterLabels \\\"region\\\" }\"",
            "region: \"${ .ClusterLabels.zone }\"",
            "fleetc::E025",
            ".ClusterLabels.zone",
        ),
    ];
    for (from, to, code, under) in cases {
        let (text, diags) = diagnostics_after("helm-options", &[(from, to)]);
        let hit = diags
            .iter()
            .find(|d| d["code"] == *code)
            .unwrap_or_else(|| panic!("{to}: no {code} in {diags:#?}"));
        assert_eq!(labelled(&text, hit), *under, "{to}: {hit:#}");
        assert!(
            hit["help"].as_str().is_some_and(|h| !h.is_empty()),
            "{hit:#}"
        );
    }
    // Helm options on a kustomize app's override.
    let (text, diags) = diagnostics_after(
        "first-match",
        &[(
            "        images: {postgres: \"16.5\"}\n",
            "        images: {postgres: \"16.5\"}\n        helm: {atomic: true}\n",
        )],
    );
    let hit = diags
        .iter()
        .find(|d| d["code"] == "fleetc::E020")
        .unwrap_or_else(|| panic!("no E020 in {diags:#?}"));
    assert_eq!(labelled(&text, hit), "helm");
}

/// Misused bundle options, each with its code on the exact node (the `bundle-options` fixture
/// edited one way per case). The rules are Fleet's (rancher/fleet v0.16.1): partitions,
/// internal/cmd/controller/target/rollout.go:40-73; counts as intstr, target/status.go:122-137;
/// dependencies, internal/cmd/agent/deployer/deployer.go:447-489; labels that reach
/// BundleDeployments, target/target.go:97-108; keepResources ORed per target,
/// options/calculate.go:137; the versions each key needs, pkg/apis/fleet.cattle.io/v1alpha1 at
/// v0.15.0, v0.16.0 and v0.16.1.
#[test]
fn misused_bundle_options_are_reported_where_they_are_written() {
    let cases: &[(&str, &str, &str, &str)] = &[
        // from, to, code, text under the label
        (
            "bundleLabels: {team: retail, tier: frontend}",
            "bundleLabels: {team: retail, fleetc.io/app: shop}",
            "fleetc::E023",
            "fleetc.io/app",
        ),
        (
            "bundleLabels: {team: retail, tier: frontend}",
            "bundleLabels: {team: Retail Team}",
            "fleetc::E011",
            "Retail Team",
        ),
        (
            "serviceAccount: fleet-shop-deployer",
            "serviceAccount: Fleet_Deployer",
            "fleetc::E011",
            "Fleet_Deployer",
        ),
        (
            "maxUnavailable: \"50%\"",
            "maxUnavailable: \"half\"",
            "fleetc::E023",
            "\"half\"",
        ),
        (
            "maxUnavailable: \"50%\"",
            "maxUnavailable: \"150%\"",
            "fleetc::E023",
            "\"150%\"",
        ),
        (
            "  version: \"0.16.1\"",
            "  version: \"0.14\"",
            "fleetc::E029",
            "maxNew",
        ),
        (
            "  version: \"0.16.1\"",
            "  version: \"0.16.0\"",
            "fleetc::E029",
            "createNamespace",
        ),
        (
            "        - name: canary\n          selector: {matchLabels: {ring: canary}}",
            "        - name: canary\n          selector: {matchLabels: {ring: gold}}",
            "fleetc::E017",
            "name: canary",
        ),
        (
            "        - name: canary\n          selector: {matchLabels: {ring: canary}}",
            "        - name: canary\n          region: mars",
            "fleetc::E012",
            "mars",
        ),
        (
            "- {bundle: platform-cert-manager}",
            "- {bundle: platform-cert-manager, app: operator}",
            "fleetc::E023",
            "{bundle: platform-cert-manager, app: operator}",
        ),
        (
            "- {app: operator, acceptedStates: [Ready, Modified]}",
            "- {app: opertor}",
            "fleetc::E012",
            "opertor",
        ),
        (
            "- selector: {matchExpressions: [{key: tier, operator: In, values: [backend]}]}",
            "- selector: {matchLabels: {team: retail}}",
            "fleetc::E018",
            "{matchLabels: {team: retail}}",
        ),
        (
            "- selector: {matchExpressions: [{key: tier, operator: In, values: [backend]}]}",
            "- selector: {}",
            "fleetc::E017",
            "{}",
        ),
        (
            "- {app: operator, acceptedStates: [Ready, Modified]}",
            "- {app: operator, acceptedState: [Ready]}",
            "fleetc::E003",
            "acceptedState",
        ),
        (
            "- {bundle: platform-cert-manager}",
            "- 42",
            "fleetc::E002",
            "42",
        ),
        (
            "- {app: operator, acceptedStates: [Ready, Modified]}",
            "- {app: operator, acceptedStates: [Ready, Drifted]}",
            "fleetc::E002",
            "Drifted",
        ),
        (
            "  version: \"0.16.1\"",
            "  version: \"0.14\"",
            "fleetc::E029",
            "acceptedStates",
        ),
        (
            "        keepResources: true\n        namespace: shop-operator-eu",
            "        keepResources: false\n        namespace: shop-operator-eu",
            "fleetc::E032",
            "false",
        ),
        (
            "        serviceAccount: fleet-shop-us",
            "        serviceAccount: Fleet Shop",
            "fleetc::E011",
            "Fleet Shop",
        ),
        (
            "        forceSyncGeneration: 3",
            "        forceSyncGeneration: 3\n        paused: true",
            "fleetc::E003",
            "paused",
        ),
        (
            "bundleLabels: {team: retail, tier: frontend}",
            "bundleLabels: {team: retail, example.cattle.io/tier: frontend}",
            "fleetc::E023",
            "example.cattle.io/tier",
        ),
        (
            "- {bundle: platform-cert-manager}",
            "- {bundle: shop-stores-apps-shop}",
            "fleetc::E018",
            "shop-stores-apps-shop",
        ),
        (
            "  version: \"0.16.1\"",
            "  version: \"0.15.6\"",
            "fleetc::E029",
            "maxNew",
        ),
        (
            "maxUnavailable: \"50%\"",
            "maxUnavailable: \"fifty\"",
            "fleetc::E023",
            "\"fifty\"",
        ),
    ];
    for (from, to, code, under) in cases {
        let (text, diags) = diagnostics_after("bundle-options", &[(from, to)]);
        let hit = diags
            .iter()
            .find(|d| d["code"] == *code && labelled(&text, d).starts_with(under))
            .unwrap_or_else(|| panic!("{to}: no {code} on `{under}` in {diags:#?}"));
        assert!(
            hit["help"].as_str().is_some_and(|h| !h.is_empty()),
            "{hit:#}"
        );
        if *under == "paused" {
            assert!(
                hit["help"].as_str().unwrap().contains("on the app itself"),
                "{hit:#}"
            );
        }
    }
}

/// `explain cluster` says which rollout partitions a cluster is in and the bundle's options.
#[test]
fn explain_names_a_clusters_rollout_partitions() {
    let tmp = common::scratch("bundle-options");
    fleetc(&["explain", "cluster", "store-001"], tmp.path())
        .stdout_has("rollout      partition `canary` (1 of 3)")
        .stdout_has("rollout      partition `eu-west` (2 of 3)")
        .stdout_has(
            "options      forceNamespace, serviceAccount=fleet-shop-deployer, keepResources",
        )
        .stdout_has("rollout      Fleet's automatic partitions")
        .run();
    let o = fleetc(&["explain", "cluster", "store-101"], tmp.path())
        .stdout_has("rollout      partition `rest` (3 of 3)")
        .run();
    assert!(
        !String::from_utf8_lossy(&o.stdout).contains("`canary`"),
        "store-101 is no canary"
    );
}

/// Repository credentials and change detection, checked against the targeted Fleet: which
/// charts get Helm credentials, rancher/fleet internal/bundlereader/resources.go
/// `shouldAddAuthToRequest` (v0.15.1 and v0.15.2, v0.16.1:269-287); polling,
/// internal/cmd/controller/gitops/reconciler/gitjob_controller.go:854.
#[test]
fn misused_repository_settings_are_reported_where_they_are_written() {
    // (edits, code, text under the label)
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);
    let cases: &[Case] = &[
        (
            &[("  helmSecretName: application-collection\n", "")],
            "fleetc::E032",
            "helmRepoURLRegex",
        ),
        (
            &[
                (
                    "  helmRepoURLRegex: \"oci://dp\\\\.apps\\\\.rancher\\\\.io/\"\n",
                    "",
                ),
                (
                    "  branch: main\n",
                    "  branch: main\n  version: \"0.16.1\"\n",
                ),
            ],
            "fleetc::E032",
            "helmSecretName",
        ),
        (
            &[(
                "  helmRepoURLRegex: \"oci://dp\\\\.apps\\\\.rancher\\\\.io/\"",
                "  helmRepoURLRegex: \"oci://dp(\"",
            )],
            "fleetc::E023",
            "\"oci://dp(\"",
        ),
        (
            &[(
                "  disablePolling: true\n",
                "  disablePolling: true\n  pollingInterval: 1m\n",
            )],
            "fleetc::E032",
            "pollingInterval",
        ),
        (
            &[
                (
                    "  helmRepoURLRegex: \"oci://dp\\\\.apps\\\\.rancher\\\\.io/\"\n",
                    "",
                ),
                (
                    "  branch: main\n",
                    "  branch: main\n  version: \"0.15.2\"\n",
                ),
            ],
            "fleetc::E032",
            "helmSecretName",
        ),
        (
            &[
                (
                    "  helmRepoURLRegex: \"oci://dp\\\\.apps\\\\.rancher\\\\.io/\"",
                    "  helmRepoURLRegex: \"\"",
                ),
                (
                    "  branch: main\n",
                    "  branch: main\n  version: \"0.16.1\"\n",
                ),
            ],
            "fleetc::E032",
            "helmSecretName",
        ),
        (
            &[(
                "  webhookSecret: gitlab-webhook",
                "  webhookSecret: GitLab_Webhook",
            )],
            "fleetc::E011",
            "GitLab_Webhook",
        ),
    ];
    for (edits, code, under) in cases {
        let (text, diags) = diagnostics_after("helm-options", edits);
        let hit = diags
            .iter()
            .find(|d| d["code"] == *code && labelled(&text, d) == *under)
            .unwrap_or_else(|| panic!("{edits:?}: no {code} on `{under}` in {diags:#?}"));
        assert!(
            hit["help"].as_str().is_some_and(|h| !h.is_empty()),
            "{hit:#}"
        );
    }
}

/// A bundle name longer than Fleet's limit is no error: Fleet shortens it with its own hash
/// (`names.HelmReleaseName`, reproduced in `fleet_names`), and `explain` shows that name.
#[test]
fn long_bundle_names_are_shortened_as_fleet_does() {
    let tmp = common::scratch("minimal");
    common::edit(
        &tmp.path().join("fleetc.yaml"),
        &[(
            "    namespace: podinfo\n",
            "    namespace: podinfo\n    path: platform/observability/podinfo-with-a-long-directory-name\n",
        )],
    );
    fleetc(&["build"], tmp.path())
        .stderr_has("files written")
        .run();
    let expected = fleetc::fleet_names::bundle_name(
        "podinfo-dev",
        "platform/observability/podinfo-with-a-long-directory-name",
    );
    assert_eq!(expected.len(), 53, "{expected}");
    fleetc(&["explain", "app", "podinfo"], tmp.path())
        .stdout_has(&format!("bundle       {expected}"))
        .run();
}

/// The loader's wording where the schema alone would say little: the forms a key takes, the
/// required key a typo hides, the type of an optional value, a UTF-16 file.
#[test]
fn shape_errors_say_what_the_key_takes() {
    let cases: &[(&str, &str, &str, &str)] = &[
        // fixture, from, to, message piece
        (
            "bundle-options",
            "- {bundle: platform-cert-manager}",
            "- 42",
            "`apps[0].dependsOn[1]` must be a string or a mapping, found the number 42",
        ),
        (
            "bundle-options",
            "      maxUnavailable: 1\n",
            "      maxUnavailable: [1]\n",
            "must be a whole number or a string, found a list",
        ),
        (
            "minimal",
            "    namespace: podinfo\n",
            "    namespace: podinfo\n    replicas: three\n",
            "`apps[0].replicas` must be a whole number, found the string \\\"three\\\"",
        ),
    ];
    for (fixture, from, to, piece) in cases {
        let tmp = common::scratch(fixture);
        common::edit(&tmp.path().join("fleetc.yaml"), &[(from, to)]);
        fleetc(&["build", "--format", "json"], tmp.path())
            .code(1)
            .stdout_has(piece)
            .run();
    }
    // A misspelled required key: the unknown key says the right one is required.
    let tmp = common::scratch("minimal");
    common::edit(
        &tmp.path().join("fleetc.yaml"),
        &[("    namespace: podinfo\n", "    namespce: podinfo\n")],
    );
    fleetc(&["build", "--format", "json"], tmp.path())
        .code(1)
        .stdout_has("did you mean `namespace`? It is required here")
        .run();
    // UTF-16, either byte order: the byte order mark is named.
    for bom in [[0xff, 0xfe], [0xfe, 0xff]] {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("fleetc.yaml"), [bom[0], bom[1], b'v', 0]).unwrap();
        fleetc(&["build", "--format", "json"], tmp.path())
            .code(1)
            .stdout_has("a UTF-16 byte order mark")
            .stdout_has("save it as UTF-8")
            .stdout_has("\"start\": 0,\n          \"end\": 1")
            .run();
    }
}

/// Counts Fleet accepts as text: a number, or a percentage with decimals.
#[test]
fn fractional_percentages_and_numbers_as_text_are_counts() {
    for count in ["\"12.5%\"", "\"5\""] {
        let tmp = common::scratch("bundle-options");
        common::edit(
            &tmp.path().join("fleetc.yaml"),
            &[(
                "maxUnavailable: \"50%\"",
                &format!("maxUnavailable: {count}"),
            )],
        );
        fleetc(&["build"], tmp.path())
            .stderr_has("files written")
            .run();
    }
}

/// Fleet 0.15.1 still sends Helm credentials to every repository without an expression.
#[test]
fn helm_credentials_without_a_regex_are_fine_where_fleet_sends_them_everywhere() {
    let tmp = common::scratch("helm-options");
    common::edit(
        &tmp.path().join("fleetc.yaml"),
        &[
            (
                "  helmRepoURLRegex: \"oci://dp\\\\.apps\\\\.rancher\\\\.io/\"\n",
                "",
            ),
            (
                "  branch: main\n",
                "  branch: main\n  version: \"0.15.1\"\n",
            ),
        ],
    );
    fleetc(&["build"], tmp.path())
        .stderr_has("files written")
        .run();
}

/// A branch name with spaces, or only spaces, is no branch Fleet can pull.
#[test]
fn a_branch_with_spaces_is_refused() {
    for branch in ["\"main dev\"", "\" \""] {
        let (text, diags) = diagnostics_after(
            "minimal",
            &[("  branch: main", &format!("  branch: {branch}"))],
        );
        let hit = diags
            .iter()
            .find(|d| d["message"] == "`fleet.branch` is not a branch name")
            .unwrap_or_else(|| panic!("{branch}: {diags:#?}"));
        assert_eq!(labelled(&text, hit), branch);
    }
}

/// GitLab reads at most 500 authorized projects (or groups) of an agent and drops the rest
/// without an error: 500 pass, 501 are refused on the list.
#[test]
fn more_than_500_authorized_projects_are_refused() {
    // The agent `lab` authorizes one project already.
    for (n, refused) in [(499, false), (500, true)] {
        let tmp = common::scratch("gitlab-policies");
        let projects: String = (0..n)
            .map(|k| {
                format!(
                    "        - {{id: retail/p{k}, accessAs: {{impersonate: {{username: fleetc-lab, groups: [lab-deployers]}}}}}}\n"
                )
            })
            .collect();
        common::edit(
            &tmp.path().join("fleetc.yaml"),
            &[(
                "    ciAccess:\n      projects:\n",
                &format!("    ciAccess:\n      projects:\n{projects}"),
            )],
        );
        let run = fleetc(&["build", "--format", "json"], tmp.path())
            .stdout_read("the report is searched for the limit");
        let o = if refused {
            run.code(1)
        } else {
            run.stderr_has("files written")
        }
        .run();
        let out = String::from_utf8_lossy(&o.stdout);
        assert_eq!(
            out.contains("entries, but GitLab reads only the first 500"),
            refused,
            "{n}: {out}"
        );
    }
}

/// Names at the limits Helm and Kubernetes set: a 53-character release name and a
/// 63-character GitRepo name pass, one more character is E013. Only warnings can be
/// acknowledged.
#[test]
fn names_at_their_limits_and_acknowledged_errors() {
    let release = "r".repeat(53);
    for (name, ok) in [(release.clone(), true), (format!("{release}x"), false)] {
        let tmp = common::scratch("minimal");
        common::edit(
            &tmp.path().join("fleetc.yaml"),
            &[(
                "        version: 6.7.1\n",
                &format!("        version: 6.7.1\n        releaseName: {name}\n"),
            )],
        );
        let run = fleetc(&["build"], tmp.path());
        if ok {
            run.stderr_has("files written").run();
        } else {
            run.code(1).stderr_has("fleetc::E013").run();
        }
    }
    // GitRepos are `<app>-<environment>`: app `a…a` (59) + `-dev` is 63 characters.
    for (app, ok) in [("a".repeat(59), true), ("a".repeat(60), false)] {
        let tmp = common::scratch("minimal");
        common::edit(
            &tmp.path().join("fleetc.yaml"),
            &[
                ("  - name: podinfo\n", &format!("  - name: {app}\n")),
                (
                    "        version: 6.7.1\n",
                    "        version: 6.7.1\n        releaseName: podinfo\n",
                ),
            ],
        );
        let run = fleetc(&["build"], tmp.path());
        if ok {
            run.stderr_has("files written").run();
        } else {
            run.code(1)
                .stderr_has("fleetc::E013")
                .stderr_has("-dev` has 64")
                .run();
        }
    }
    let (text, diags) = diagnostics_after(
        "minimal",
        &[(
            "    tier: development\n",
            "    tier: development\n    acknowledge: [E012]\n",
        )],
    );
    let hit = diags
        .iter()
        .find(|d| d["message"] == "`E012` is an error and cannot be acknowledged")
        .unwrap_or_else(|| panic!("{diags:#?}"));
    assert_eq!(labelled(&text, hit), "E012");
}

/// An invalid name's message says why at the boundaries too: 63 characters fit a DNS label (so
/// a 63-character name with a capital is refused for its characters, a 64-character one for its
/// length), and a quoted name is cut after 70 characters, never at exactly 70.
#[test]
fn name_messages_hold_at_their_limits() {
    let why = |name: &str| -> (String, String) {
        let (_, diags) = diagnostics_after(
            "minimal",
            &[("  - name: dev-1", &format!("  - name: {name}"))],
        );
        let d = diags
            .iter()
            .find(|d| d["code"] == "fleetc::E011")
            .unwrap_or_else(|| panic!("{name}: {diags:?}"));
        (
            d["message"].as_str().unwrap().to_owned(),
            d["labels"][0]["message"].as_str().unwrap().to_owned(),
        )
    };
    let capital_63 = format!("A{}", "b".repeat(62));
    assert_eq!(
        why(&capital_63).1,
        "only lowercase letters, digits and `-`, starting and ending with a letter or digit"
    );
    let long_64 = "b".repeat(64);
    assert_eq!(why(&long_64).1, "64 characters; at most 63 fit");
    let at_70 = "c".repeat(70);
    assert_eq!(why(&at_70).0, format!("invalid cluster name `{at_70}`"));
    let at_71 = "c".repeat(71);
    assert_eq!(
        why(&at_71).0,
        format!("invalid cluster name `{}…`", "c".repeat(70))
    );
}

/// Exit code and diagnostics (code, message, help) of `build` on a copy of `dir` (relative to
/// the repository) with `edits` made to its spec.
fn build_after(dir: &str, edits: &[(&str, &str)]) -> (i32, Vec<[String; 3]>) {
    let (code, diags, _tmp) = common::build_copy(dir, edits);
    let diags = diags
        .iter()
        .map(|d| {
            [
                d["code"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches("fleetc::")
                    .to_owned(),
                d["message"].as_str().unwrap().to_owned(),
                d["help"].as_str().unwrap_or_default().to_owned(),
            ]
        })
        .collect();
    (code, diags)
}

/// GitLab's side, at the edges of what it accepts: the oldest GitLab fleetc's output runs on,
/// registry hosts, project paths, and the drift check's agent.
#[test]
fn gitlab_settings_are_checked_at_their_edges() {
    const FIXTURE: &str = "tests/fixtures/ok/gitlab-policies";
    let versioned = |v: &str| {
        build_after(
            FIXTURE,
            &[(
                "  agentProject:",
                &format!("  version: \"{v}\"\n  agentProject:"),
            )],
        )
    };
    // versions::GITLAB_MINIMUM is 17.0: accepted; anything before it is E029.
    assert_eq!(versioned("17.0"), (0, Vec::new()));
    let (code, d) = versioned("16.11");
    assert_eq!(code, 1);
    assert_eq!(d[0][0], "E029", "{d:?}");

    let registry = |r: &str| {
        build_after(
            FIXTURE,
            &[(
                "  registry: registry.gitlab.example.org",
                &format!("  registry: \"{r}\""),
            )],
        )
    };
    // A port is part of the host (the images then have to name it too: E030, not E023).
    let (_, d) = registry("registry.gitlab.example.org:5050");
    assert!(!d.iter().any(|[c, ..]| c == "E023"), "{d:?}");
    for bad in [
        "registry.gitlab.example.org/retail",
        "https://registry.gitlab.example.org",
        "bot@registry.gitlab.example.org",
        "registry gitlab",
        "",
    ] {
        let (code, d) = registry(bad);
        assert_eq!(code, 1, "{bad}");
        assert!(
            d.iter()
                .any(|[c, m, _]| c == "E023" && m.contains("is not a registry host")),
            "{bad}: {d:?}"
        );
    }
    // A path after the host: the help names the host to keep, unless the part before the path
    // may not be a host (a colon and no dot: `user:password`, and so also `localhost:5000`).
    let help = |r: &str| {
        let (_, d) = registry(r);
        d.into_iter().find(|[c, ..]| c == "E023").unwrap()[2].clone()
    };
    assert!(
        help("registry.gitlab.example.org/retail")
            .starts_with("write the host only, `registry.gitlab.example.org`"),
        "{}",
        help("registry.gitlab.example.org/retail")
    );
    assert!(
        help("registry.local:5000/retail")
            .starts_with("write the host only, `registry.local:5000`"),
        "{}",
        help("registry.local:5000/retail")
    );
    assert_eq!(
        help("user:secret/retail"),
        "e.g. `registry.gitlab.example.com`"
    );

    let project = |p: &str| {
        build_after(
            FIXTURE,
            &[(
                "  agentProject: retail/agents",
                &format!("  agentProject: \"{p}\""),
            )],
        )
    };
    assert_eq!(project("retail/sub_group/agents.v2"), (0, Vec::new()));
    for bad in [
        "retail//agents",
        ".retail/agents",
        "retail/-agents",
        "retail/ag ents",
        "",
    ] {
        let (code, d) = project(bad);
        assert_eq!(code, 1, "{bad}");
        assert!(
            d.iter().any(|[c, m, _]| c == "E023" && m.contains("is not a GitLab project or group path")),
            "{bad}: {d:?}"
        );
    }

    // The drift check runs where the Fleet objects are: an agent serving downstream clusters is
    // refused even when another agent (the management cluster's) serves none.
    let (code, d) = build_after(
        "examples/fleet",
        &[("    agent: fleet-management", "    agent: prod-eu")],
    );
    assert_eq!(code, 1);
    assert!(
        d.iter().any(
            |[c, m, _]| c == "E022" && m.contains("agent `prod-eu` serves downstream clusters")
        ),
        "{d:?}"
    );
}

/// W010 comes once per agent however many of its clusters miss their context, and not at all
/// when the agent acknowledges it.
#[test]
fn ci_access_warnings_come_once_per_agent_and_can_be_acknowledged() {
    const FIXTURE: &str = "tests/fixtures/err/W010-ci-access-misses-jobs";
    let w010 = |d: &[[String; 3]]| d.iter().filter(|[c, ..]| c == "W010").count();
    let (code, d) = build_after(
        FIXTURE,
        &[(
            "  - {name: prod-1, environment: production, region: eu-west-1}",
            "  - {name: prod-1, environment: production, region: eu-west-1}\n  - {name: prod-2, environment: production, region: eu-west-1}",
        )],
    );
    assert_eq!((code, w010(&d)), (0, 1), "{d:?}");
    let (code, d) = build_after(
        FIXTURE,
        &[(
            "    environments: [production]",
            "    environments: [production]\n    acknowledge: [W010]",
        )],
    );
    assert_eq!((code, w010(&d)), (0, 0), "{d:?}");
    // A pattern for the clusters' own job environments misses the sharded verify jobs'
    // (`production/verify`): still W010.
    let (code, d) = build_after(FIXTURE, &[("[\"prod/*\"]", "[\"production/prod-*\"]")]);
    assert_eq!((code, w010(&d)), (0, 1), "{d:?}");
    let (code, d) = build_after(FIXTURE, &[("[\"prod/*\"]", "[\"production/*\"]")]);
    assert_eq!((code, w010(&d)), (0, 0), "{d:?}");
}

/// Registry credentials are named by CI/CD variable, never given as values.
#[test]
fn build_credentials_name_variables() {
    let with = |user: &str, password: &str| {
        build_after(
            "examples/fleet",
            &[(
                "        build:\n          context: src/web",
                &format!(
                    "        build:\n          context: src/web\n          credentials: {{username: \"{user}\", password: \"{password}\"}}"
                ),
            )],
        )
    };
    let (_, d) = with("REGISTRY_USER", "REGISTRY_PASSWORD");
    assert!(!d.iter().any(|[c, ..]| c == "E023"), "{d:?}");
    for (user, password) in [
        ("REGISTRY_USER", "hunter2!"),
        ("1USER", "REGISTRY_PASSWORD"),
        ("", "REGISTRY_PASSWORD"),
    ] {
        let (code, d) = with(user, password);
        assert_eq!(code, 1);
        assert!(
            d.iter()
                .any(|[c, m, _]| c == "E023" && m.ends_with("is not a CI/CD variable name")),
            "{user}/{password}: {d:?}"
        );
    }
}

/// W004 follows the merge order: environment < region < environment-and-region < selector
/// overrides (in spec order) < cluster. An override is shadowed when narrower ones replace all it
/// sets on every cluster it reaches, and only then.
#[test]
fn shadowed_overrides_follow_the_merge_order() {
    const FIXTURE: &str = "tests/fixtures/err/W004-shadowed-override";
    let w004_lines = |overrides: &str| -> Vec<String> {
        let (code, d) = build_after(
            FIXTURE,
            &[(
                "    overrides:\n      - environment: production\n        replicas: 3\n      - region: eu-west-1\n        replicas: 4\n      - region: us-east-1\n        replicas: 5",
                overrides,
            )],
        );
        assert_eq!(code, 0, "{d:?}");
        d.into_iter()
            .filter(|[c, ..]| c == "W004")
            .map(|[_, m, _]| m)
            .collect()
    };
    // staging's only cluster is in eu-west-1: its environment-and-region override replaces the
    // environment's replicas there.
    assert_eq!(
        w004_lines("    overrides:\n      - {environment: staging, replicas: 2}\n      - {environment: staging, region: eu-west-1, replicas: 3}").len(),
        1
    );
    // A selector override on every production cluster shadows production's own override.
    assert_eq!(
        w004_lines("    overrides:\n      - {environment: production, replicas: 2}\n      - {name: all-prod, selector: {matchLabels: {env: production}}, replicas: 3}").len(),
        1
    );
    // ...but not when it misses one of them.
    assert_eq!(
        w004_lines("    overrides:\n      - {environment: production, replicas: 2}\n      - {name: eu, selector: {matchLabels: {env: production, region: eu-west-1}}, replicas: 3}").len(),
        0
    );
    // Between selector overrides the later one wins: the earlier is shadowed, never the later.
    assert_eq!(
        w004_lines("    overrides:\n      - {name: first, selector: {matchLabels: {env: production}}, replicas: 2}\n      - {name: second, selector: {matchLabels: {env: production}}, replicas: 3}").len(),
        1
    );
}

/// W002 names an override none of whose clusters the app targets: by environment, by
/// environment and region together, and never one that fits.
#[test]
fn overrides_that_reach_no_target_are_found_by_each_key() {
    const FIXTURE: &str = "tests/fixtures/err/W002-override-never-applies";
    let w002 = |overrides: &str| -> usize {
        let (code, d) = build_after(
            FIXTURE,
            &[(
                "    overrides:\n      - region: us-east-1\n        replicas: 2",
                overrides,
            )],
        );
        assert_eq!(code, 0, "{d:?}");
        // The fixture's other app has a fitting override: only this app's can be reported.
        d.iter().filter(|[c, ..]| c == "W002").count()
    };
    // `canary` targets prod-1 (production, eu-west-1) and stg-1 (staging, eu-west-1).
    assert_eq!(
        w002("    overrides:\n      - {environment: staging, replicas: 2}"),
        0
    );
    assert_eq!(
        w002("    overrides:\n      - {environment: staging, region: eu-west-1, replicas: 2}"),
        0
    );
    assert_eq!(
        w002("    overrides:\n      - {environment: staging, region: us-east-1, replicas: 2}"),
        1
    );
    assert_eq!(
        w002(
            "    overrides:\n      - {name: us, selector: {matchLabels: {region: us-east-1}}, replicas: 2}"
        ),
        1
    );
    assert_eq!(
        w002(
            "    overrides:\n      - {name: eu, selector: {matchLabels: {region: eu-west-1}}, replicas: 2}"
        ),
        0
    );
    let (_, d) = build_after(
        FIXTURE,
        &[(
            "      - cluster: prod-1\n      - environment: staging\n    overrides:\n      - region: us-east-1",
            "      - environment: staging\n    overrides:\n      - environment: production",
        )],
    );
    assert_eq!(d.iter().filter(|[c, ..]| c == "W002").count(), 1, "{d:?}");
}

/// Shared GitRepos and the names an app keeps: each misuse with its own code and words.
#[test]
fn shared_gitrepos_refuse_what_fleet_would_not_do() {
    const FIXTURE: &str = "tests/fixtures/ok/shared-gitrepos";
    // A per-environment app has a bundle per environment: no one name fits.
    let d = refused(
        FIXTURE,
        &[(
            "    path: apps/web\n",
            "    path: apps/web\n    bundleName: web\n",
        )],
    );
    has_part(&d, "E023", "`bundleName` without `gitRepo`");
    // An unknown GitRepo, with the close one suggested.
    let d = refused(
        FIXTURE,
        &[("    gitRepo: tenant-shop\n", "    gitRepo: tenant-shpo\n")],
    );
    has_part(&d, "E012", "unknown GitRepo `tenant-shpo`");
    assert!(
        d.iter().any(|x| x[2] == "did you mean `tenant-shop`?"),
        "{d:?}"
    );
    // A GitRepo nobody joins would have no paths: Fleet would read every bundle.
    let d = refused(FIXTURE, &[("gitRepos:\n", "gitRepos:\n  - name: spare\n")]);
    has_part(&d, "E023", "GitRepo `spare` pulls no app");
    // Its name is one of an app's per-environment GitRepos.
    let d = refused(
        FIXTURE,
        &[
            ("  - name: edge-platform\n", "  - name: web-staging\n"),
            ("    gitRepo: edge-platform\n", "    gitRepo: web-staging\n"),
        ],
    );
    has_part(
        &d,
        "E010",
        "GitRepo `web-staging` is also the name of an app's GitRepo",
    );
    // In another workspace the same name is another object.
    let (code, d) = build_after(
        FIXTURE,
        &[
            ("  - name: management-tools\n", "  - name: web-staging\n"),
            (
                "    gitRepo: management-tools\n",
                "    gitRepo: web-staging\n",
            ),
        ],
    );
    assert_eq!(code, 0, "{d:?}");
    // Two apps, one bundle name.
    let d = refused(
        FIXTURE,
        &[(
            "    path: fleets/general/metallb\n",
            "    path: fleets/general/metallb\n    bundleName: longhorn\n",
        )],
    );
    has_part(&d, "E010", "two apps make the bundle `longhorn`");
    // What the GitRepo decides for its bundles, the app cannot (read.go:224-267).
    let d = refused(
        FIXTURE,
        &[(
            "    gitRepo: edge-platform\n    source:\n      kustomize:",
            "    gitRepo: edge-platform\n    forceSyncGeneration: 2\n    serviceAccount: metallb\n    source:\n      kustomize:",
        )],
    );
    has_part(
        &d,
        "E032",
        "an app's `forceSyncGeneration` in a shared GitRepo",
    );
    has_part(
        &d,
        "E032",
        "GitRepo `edge-platform` deploys its apps as `fleet-platform`",
    );
    let d = refused(
        FIXTURE,
        &[(
            "  - name: shop\n    namespace: shop\n",
            "  - name: shop\n    namespace: shop-a\n",
        )],
    );
    has_part(
        &d,
        "E032",
        "GitRepo `tenant-shop` puts every resource into `shop`",
    );
    // One GitRepo follows a branch or holds a revision.
    let d = refused(
        FIXTURE,
        &[(
            "    revision: v2.3.0\n",
            "    revision: v2.3.0\n    branch: main\n",
        )],
    );
    has_part(&d, "E023", "`branch` and `revision` together");
    // A revision is one word: a commit or a tag.
    for bad in ["\"v2 3\"", "\" \""] {
        let d = refused(
            FIXTURE,
            &[("    revision: v2.3.0\n", &format!("    revision: {bad}\n"))],
        );
        has(&d, "E023", "`revision` is not a commit or tag");
    }
    let d = refused(
        FIXTURE,
        &[("    -----BEGIN CERTIFICATE-----\n", "    BEGIN\n")],
    );
    has_part(&d, "E023", "`caBundle` holds no PEM certificate");
    // A kustomize bundle's release name is a Helm release name.
    let long = "m".repeat(54);
    let d = refused(
        FIXTURE,
        &[(
            "releaseName: metallb-suse-edge",
            &format!("releaseName: {long}"),
        )],
    );
    has_part(&d, "E013", "Helm release name");
    assert!(
        d.iter()
            .any(|x| x[2] == "set a shorter `source.kustomize.releaseName`"),
        "{d:?}"
    );
}

/// A bundle reaches the clusters of its own workspace only: a target matching clusters of
/// another workspace alone is E017, which names where they are.
#[test]
fn targets_reach_the_clusters_of_their_workspace_only() {
    let (code, d) = build_after(
        "tests/fixtures/ok/shared-gitrepos",
        &[(
            "    gitRepo: management-tools\n",
            "    gitRepo: edge-platform\n",
        )],
    );
    assert_eq!(code, 1, "{d:?}");
    assert!(
        d.iter().any(|x| x[0] == "E017"
            && x[1] == "this target matches no cluster of workspace `fleet-default`"
            && x[2].contains("`workspace: fleet-local`")),
        "{d:?}"
    );
}

/// With a second workspace, what reads Fleet's objects reads both: the drift check, the
/// alerts and the management agent's RBAC. (With one, the output is as before: the example's
/// snapshots.)
#[test]
fn a_second_workspace_reaches_the_drift_check_alerts_and_rbac() {
    let (code, d, tmp) = common::build_copy(
        "examples/fleet",
        &[(
            "clusters:\n",
            "clusters:\n  - {name: local, environment: staging, region: us-east-1, workspace: fleet-local}\n",
        )],
    );
    assert_eq!(code, 0, "{d:?}");
    let read = |p: &str| std::fs::read_to_string(tmp.path().join(p)).unwrap();
    let ci = read(".gitlab-ci.yml");
    assert!(
        ci.contains("--namespace 'fleet-default' -o custom-columns='BUNDLE:.metadata.name,READY:.status.display.readyClusters,STATE:.status.display.state' > fleet-bundles.txt"),
        "{ci}"
    );
    assert!(
        ci.contains("--namespace 'fleet-local' -o custom-columns='BUNDLE:.metadata.name,READY:.status.display.readyClusters,STATE:.status.display.state' --no-headers >> fleet-bundles.txt"),
        "{ci}"
    );
    let rules = read("monitoring/fleet-alerts.yaml");
    assert!(
        rules.contains(r#"{exported_namespace=~"fleet-default|fleet-local"}"#),
        "{rules}"
    );
    assert!(
        !rules.contains(r#"exported_namespace="fleet-default""#),
        "{rules}"
    );
    let rbac = read("gitlab-agents/fleet-management/rbac.yaml");
    assert!(rbac.contains("namespace: fleet-local"), "{rbac}");
    // The staging groups a bundle of fleet-local would match exist there too.
    assert!(
        tmp.path()
            .join("fleet/workspaces/fleet-local/clustergroups/env-staging.yaml")
            .is_file()
    );
}

/// A workspace's GitRepoRestriction refuses a GitRepo fleetc writes there, as Fleet would
/// (rancher/fleet v0.16.1 internal/cmd/controller/gitops/reconciler/restrictions.go:22-157),
/// and without its BundleNamespaceMapping a tenant's bundle reaches no cluster.
#[test]
fn restrictions_and_mappings_of_workspaces_hold() {
    const FIXTURE: &str = "tests/fixtures/ok/shared-gitrepos";
    // The repository: matched unanchored, or equal.
    let d = refused(
        FIXTURE,
        &[(
            r#"["^https://gitlab\\.example\\.com/edge/"]"#,
            r#"["^https://gitlab\\.example\\.com/other/"]"#,
        )],
    );
    has(
        &d,
        "E034",
        "GitRepo `management-tools` pulls `https://gitlab.example.com/edge/fleet.git`, which workspace `fleet-local` does not allow",
    );
    let (code, d) = build_after(
        FIXTURE,
        &[(
            r#"["^https://gitlab\\.example\\.com/edge/"]"#,
            r#"["https://gitlab.example.com/edge/fleet.git"]"#,
        )],
    );
    assert_eq!(code, 0, "a pattern equal to the URL allows it: {d:?}");
    // Target namespaces: required once any is listed, and from the list.
    let d = refused(
        FIXTURE,
        &[(
            "      allowedClientSecretNames: [gitlab-deploy-token]\n",
            "      allowedClientSecretNames: [gitlab-deploy-token]\n      allowedTargetNamespaces: [cattle-resources-system]\n",
        )],
    );
    has(
        &d,
        "E034",
        "GitRepo `management-tools` sets no `targetNamespace`, which workspace `fleet-local` requires",
    );
    let d = refused(
        FIXTURE,
        &[(
            "      allowedTargetNamespaces: [shop]\n",
            "      allowedTargetNamespaces: [shop-b]\n",
        )],
    );
    has(
        &d,
        "E034",
        "GitRepo `tenant-shop` deploys into `shop`, which workspace `tenant-shop` does not allow",
    );
    let d = refused(
        FIXTURE,
        &[(
            "      allowedServiceAccounts: [shop-deployer]\n",
            "      allowedServiceAccounts: [shop]\n",
        )],
    );
    has(
        &d,
        "E034",
        "GitRepo `tenant-shop` deploys as `shop-deployer`, which workspace `tenant-shop` does not allow",
    );
    let d = refused(
        FIXTURE,
        &[(
            "      allowedClientSecretNames: [shop-git]\n",
            "      allowedClientSecretNames: [shop-token]\n",
        )],
    );
    has(
        &d,
        "E034",
        "GitRepo `tenant-shop` reads Git with `shop-git`, which workspace `tenant-shop` does not allow",
    );
    // fleetc's own per-environment GitRepos set no target namespace.
    let d = refused(
        FIXTURE,
        &[(
            "workspaces:\n",
            "workspaces:\n  - name: fleet-default\n    gitRepoRestriction: {allowedTargetNamespaces: [web]}\n",
        )],
    );
    has(
        &d,
        "E034",
        "GitRepo `web-staging` (as every per-environment GitRepo) sets no `targetNamespace`, which workspace `fleet-default` requires",
    );
    // Without the mapping, the tenant's bundle reaches no cluster.
    let d = refused(FIXTURE, &[("    clusterWorkspaces: [fleet-default]\n", "")]);
    assert!(
        d.iter().any(|x| x[0] == "E017"
            && x[1] == "this target matches no cluster of workspace `tenant-shop`"),
        "{d:?}"
    );
    let d = refused(
        FIXTURE,
        &[(
            "    clusterWorkspaces: [fleet-default]\n",
            "    clusterWorkspaces: [tenant-shop]\n",
        )],
    );
    has(&d, "E023", "`tenant-shop` is this workspace");
}

/// Raw YAML apps: what Fleet's overlays cannot do is refused with its own words.
#[test]
fn raw_yaml_apps_refuse_what_overlays_cannot_do() {
    const FIXTURE: &str = "tests/fixtures/ok/raw-yaml";
    let d = refused(
        FIXTURE,
        &[(
            "file: frontend-deployment.yaml, name: frontend",
            "file: redis-master-deployment.yaml, name: frontend",
        )],
    );
    has(
        &d,
        "E016",
        "`redis-master-deployment.yaml` does not hold Deployment `frontend`",
    );
    let d = refused(FIXTURE, &[("container: php-redis", "container: php")]);
    has(&d, "E016", "Deployment `frontend` has no container `php`");
    let d = refused(
        FIXTURE,
        &[(
            "{name: gcr.io/google-samples/gb-frontend, tag: v6}",
            "{name: gcr.io/google-samples/gb-frontend, tag: v6}\n      - {name: redis, tag: 7.2.4}",
        )],
    );
    has(
        &d,
        "E016",
        "no container of Deployment `frontend` runs `redis`",
    );
    let d = refused(
        FIXTURE,
        &[("file: frontend-deployment.yaml,", "file: missing.yaml,")],
    );
    has(&d, "E016", "`bundles/guestbook/missing.yaml` not found");
    let d = refused(
        FIXTURE,
        &[(
            "          - file: redis-slave-service.yaml\n",
            "          - file: redis-slave-service\n",
        )],
    );
    has(
        &d,
        "E023",
        "`bundles/guestbook/redis-slave-service` has no extension",
    );
    let d = refused(
        FIXTURE,
        &[(
            "          - file: redis-slave-service.yaml\n",
            "          - target: {kind: Service}\n",
        )],
    );
    has(&d, "E023", "a patch of a raw YAML app names no `file`");
    let d = refused(
        FIXTURE,
        &[(
            "          - file: redis-slave-service.yaml\n",
            "          - file: redis-slave-service.yaml\n            target: {kind: Service}\n",
        )],
    );
    has(&d, "E020", "`target` does not apply to raw YAML apps");
    let d = refused(
        FIXTURE,
        &[(
            "              - op: replace\n                path: /spec/selector/role\n                value: master\n",
            "              master\n",
        )],
    );
    has(
        &d,
        "E023",
        "the patch is neither a patch list nor an object",
    );
    // A patch kept in a file: one of the two, present, and not where Fleet deploys it.
    let d = refused(
        FIXTURE,
        &[(
            "            patchFile: patches/frontend-lb.yaml",
            "            patchFile: patches/frontend-lb.yaml\n            patch: '{}'",
        )],
    );
    has(
        &d,
        "E023",
        "a patch needs exactly one of `patch` and `patchFile`",
    );
    let d = refused(
        FIXTURE,
        &[(
            "patchFile: patches/frontend-lb.yaml",
            "patchFile: patches/missing.yaml",
        )],
    );
    has(&d, "E016", "`patches/missing.yaml` not found");
    let d = refused(
        FIXTURE,
        &[(
            "patchFile: patches/frontend-lb.yaml",
            "patchFile: bundles/guestbook/frontend-service.yaml",
        )],
    );
    has(
        &d,
        "E023",
        "Fleet would deploy `bundles/guestbook/frontend-service.yaml` as a manifest",
    );
    let d = refused(
        FIXTURE,
        &[(
            "        workload: {file: frontend-deployment.yaml, name: frontend, container: php-redis}\n",
            "        releaseName: guestbook\n",
        )],
    );
    has(
        &d,
        "E023",
        "`replicas`, `resources` and `images` of a raw YAML app need its `workload`",
    );
    let d = refused(
        FIXTURE,
        &[(
            "      manifests:\n",
            "      kustomize: {}\n      manifests:\n",
        )],
    );
    has(
        &d,
        "E015",
        "an app's `source` has both `kustomize` and `manifests`",
    );
}

/// A raw YAML file of several documents cannot be patched (Fleet reads one), and a
/// kustomization in the bundle directory makes it a kustomize bundle.
#[test]
fn raw_yaml_files_are_one_document_and_no_kustomization() {
    let (code, diags, _tmp) = {
        let tmp = tempfile::tempdir().unwrap();
        common::copy_dir(
            &common::repo().join("tests/fixtures/ok/raw-yaml"),
            tmp.path(),
        );
        let f = tmp
            .path()
            .join("bundles/guestbook/frontend-deployment.yaml");
        let text = std::fs::read_to_string(&f).unwrap();
        std::fs::write(
            &f,
            format!("{text}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: x}}\n"),
        )
        .unwrap();
        std::fs::write(
            tmp.path().join("bundles/guestbook/kustomization.yaml"),
            "resources: [frontend-deployment.yaml]\n",
        )
        .unwrap();
        let (code, diags) = common::build_json(tmp.path());
        (code, diags, tmp)
    };
    assert_eq!(code, 1);
    let msgs: Vec<&str> = diags
        .iter()
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert!(
        msgs.contains(&"`bundles/guestbook/frontend-deployment.yaml` holds 2 YAML documents"),
        "{msgs:?}"
    );
    assert!(
        msgs.contains(&"`bundles/guestbook/kustomization.yaml` makes this a kustomize bundle"),
        "{msgs:?}"
    );
}

/// An override by ClusterGroup: a known group, on its own.
#[test]
fn overrides_by_cluster_group_name_a_group_alone() {
    const FIXTURE: &str = "tests/fixtures/ok/cluster-groups";
    let (code, d) = build_after(
        FIXTURE,
        &[(
            "      - clusterGroup: gpu\n        values",
            "      - clusterGroup: gpus\n        values",
        )],
    );
    assert_eq!(code, 1);
    assert!(
        d.iter().any(|x| x[0] == "E012"
            && x[1] == "unknown ClusterGroup `gpus`"
            && x[2] == "did you mean `gpu`?"),
        "{d:?}"
    );
    let (_, d) = build_after(
        FIXTURE,
        &[(
            "      - clusterGroup: gpu\n        values",
            "      - clusterGroup: gpu\n        environment: production\n        values",
        )],
    );
    assert!(
        d.iter()
            .any(|x| x[0] == "E019"
                && x[1] == "`clusterGroup` cannot be combined with `environment`"),
        "{d:?}"
    );
    let (_, d) = build_after(
        FIXTURE,
        &[(
            "      - clusterGroup: gpu\n        values",
            "      - clusterGroup: gpu\n        selector: {matchLabels: {accelerator: nvidia}}\n        values",
        )],
    );
    assert!(
        d.iter()
            .any(|x| x[0] == "E019" && x[1] == "`selector` cannot be combined with `clusterGroup`"),
        "{d:?}"
    );
}

/// `replaceFiles`: raw YAML apps only, a file of the bundle that nothing else changes first.
#[test]
fn replaced_files_are_files_nothing_else_changes() {
    const FIXTURE: &str = "tests/fixtures/ok/raw-yaml";
    const AT: &str = "replaceFiles: {redis-master-deployment.yaml: variants/redis-master-dev.yaml}";
    let d = refused(
        FIXTURE,
        &[(
            AT,
            "replaceFiles: {frontend-deployment.yaml: variants/redis-master-dev.yaml}",
        )],
    );
    has(
        &d,
        "E023",
        "`frontend-deployment.yaml` cannot be replaced: it holds the workload",
    );
    let d = refused(
        FIXTURE,
        &[(
            AT,
            "replaceFiles: {redis-slave.yaml: variants/redis-master-dev.yaml}",
        )],
    );
    has(&d, "E016", "`bundles/guestbook/redis-slave.yaml` not found");
    let d = refused(
        FIXTURE,
        &[(
            AT,
            "replaceFiles: {redis-master-deployment.yaml: variants/missing.yaml}",
        )],
    );
    has(&d, "E016", "`variants/missing.yaml` not found");
    let d = refused(
        FIXTURE,
        &[(
            AT,
            "replaceFiles: {redis-master-deployment.yaml: bundles/guestbook/frontend-service.yaml}",
        )],
    );
    has(
        &d,
        "E023",
        "Fleet would deploy `bundles/guestbook/frontend-service.yaml` as a manifest",
    );
    // The app's own patch of a file: a replacement would drop it.
    let d = refused(
        FIXTURE,
        &[(
            "    resources:\n      requests: {cpu: 100m}\n",
            "    resources:\n      requests: {cpu: 100m}\n    patches:\n      - {file: redis-master-deployment.yaml, patch: 'spec: {minReadySeconds: 5}'}\n",
        )],
    );
    has(
        &d,
        "E023",
        "`redis-master-deployment.yaml` cannot be replaced: the app's own patches change it",
    );
    // Not a raw YAML app.
    let (_, d) = build_after(
        "tests/fixtures/ok/minimal",
        &[(
            "    targets:",
            "    overrides:\n      - {environment: dev, replaceFiles: {a.yaml: b.yaml}}\n    targets:",
        )],
    );
    assert!(
        d.iter()
            .any(|x| x[0] == "E020" && x[1] == "`replaceFiles` only apply to raw YAML apps"),
        "{d:?}"
    );
}

/// The cluster inventory: declared clusters the live fleet lacks or labels otherwise, and
/// files that are not an inventory.
#[test]
fn the_cluster_inventory_shows_where_the_spec_and_the_live_fleet_differ() {
    const FIXTURE: &str = "tests/fixtures/ok/shared-gitrepos";
    let (_, d) = build_after(
        FIXTURE,
        &[(
            "  - {name: prod-edge-2, environment: production, region: us-east-1}\n",
            "  - {name: prod-edge-2, environment: production, region: us-east-1, labels: {longhorn: \"true\"}}\n  - {name: prod-edge-9, environment: production, region: us-east-1}\n",
        )],
    );
    assert!(
        d.iter()
            .any(|x| x[0] == "W019" && x[1] == "`prod-edge-9` is not in `inventory/clusters.yaml`"),
        "{d:?}"
    );
    assert!(
        d.iter().any(|x| x[0] == "W020"
            && x[1] == "`prod-edge-2` is labelled otherwise in the live fleet: longhorn: spec `true`, live none"
            && x[2] == "label it as the spec says (`kubectl label clusters.fleet.cattle.io -n fleet-default c-m-q9w3n5tb longhorn=true --overwrite`), or change the spec"),
        "{d:?}"
    );
    let (code, d) = build_after(
        FIXTURE,
        &[(
            "clusterInventory: inventory/clusters.yaml",
            "clusterInventory: inventory/missing.yaml",
        )],
    );
    assert_eq!(code, 1);
    assert!(
        d.iter()
            .any(|x| x[0] == "E016" && x[1] == "`inventory/missing.yaml` not found"),
        "{d:?}"
    );
    let (code, d) = build_after(
        FIXTURE,
        &[(
            "clusterInventory: inventory/clusters.yaml",
            "clusterInventory: fleets/general/metallb/base/controller.yaml",
        )],
    );
    assert_eq!(code, 1);
    assert!(
        d.iter().any(|x| x[0] == "E023" && x[1] == "`fleets/general/metallb/base/controller.yaml` holds an object without a name and namespace"),
        "{d:?}"
    );
}

/// Per-target chart settings: a repository URL, and release names Helm takes.
#[test]
fn per_target_charts_are_checked() {
    const FIXTURE: &str = "tests/fixtures/ok/helm-options";
    let (code, d) = build_after(
        FIXTURE,
        &[(
            "repo: \"https://charts.example.com/mirror\"",
            "repo: \"charts.example.com/mirror\"",
        )],
    );
    assert_eq!(code, 1);
    assert!(
        d.iter().any(|x| x[0] == "E023"
            && x[1] == "`charts.example.com/mirror` is not a Helm repository URL"),
        "{d:?}"
    );
    let (_, d) = build_after(
        FIXTURE,
        &[("releaseName: longhorn-us", "releaseName: Longhorn_US")],
    );
    assert!(
        d.iter()
            .any(|x| x[0] == "E011" && x[1] == "invalid Helm release name `Longhorn_US`"),
        "{d:?}"
    );
    let long = "l".repeat(54);
    let (_, d) = build_after(
        FIXTURE,
        &[("releaseName: longhorn-us", &format!("releaseName: {long}"))],
    );
    has_part(&d, "E013", "Helm release name");
    let (_, d) = build_after(FIXTURE, &[("version: 1.11.0}", "version: \"1.11 rc\"}")]);
    assert!(
        d.iter()
            .any(|x| x[0] == "E023" && x[1] == "`version` `1.11 rc` is not one word"),
        "{d:?}"
    );
}

/// W016 per GitRepo: a shared GitRepo's own `helmRepoURLRegex` against its own apps' charts.
#[test]
fn helm_credentials_are_matched_per_gitrepo() {
    let (code, d, tmp) = common::build_copy(
        "tests/fixtures/ok/shared-gitrepos",
        &[(
            r#"helmRepoURLRegex: "https://charts\\.longhorn\\.io""#,
            r#"helmRepoURLRegex: "https://charts\\.other\\.io""#,
        )],
    );
    assert_eq!(code, 0, "{d:?}");
    let w016: Vec<_> = d
        .iter()
        .filter(|x| x["code"].as_str().unwrap().ends_with("W016"))
        .collect();
    assert_eq!(w016.len(), 1, "{d:?}");
    let spec = std::fs::read_to_string(tmp.path().join("fleetc.yaml")).unwrap();
    let line = spec[..w016[0]["labels"][0]["start"].as_u64().unwrap() as usize]
        .lines()
        .count();
    assert!(
        spec.lines()
            .nth(line - 1)
            .unwrap()
            .contains(r"charts\\.other\\.io"),
        "labelled on the GitRepo's own expression: {}",
        spec.lines().nth(line - 1).unwrap()
    );
}

/// `downstreamResources` needs Fleet 0.14 (rancher/fleet v0.14.0
/// pkg/apis/fleet.cattle.io/v1alpha1/bundledeployment_types.go:119-121), and a kind Fleet's
/// agent copies.
#[test]
fn downstream_resources_need_a_fleet_that_copies_them() {
    const FIXTURE: &str = "tests/fixtures/ok/bundle-options";
    let (code, d) = build_after(FIXTURE, &[("  version: \"0.16.1\"", "  version: \"0.13\"")]);
    assert_eq!(code, 1);
    assert!(
        d.iter()
            .any(|x| x[0] == "E029" && x[1] == "`downstreamResources` needs Fleet 0.14.0"),
        "{d:?}"
    );
    // An override's are merged from Fleet 0.16.0 only (rancher/fleet#5177).
    let (code, d) = build_after(
        FIXTURE,
        &[("  version: \"0.16.1\"", "  version: \"0.15.6\"")],
    );
    assert_eq!(code, 1);
    assert!(
        d.iter()
            .any(|x| x[0] == "E029"
                && x[1] == "`downstreamResources in an override` needs Fleet 0.16.0"),
        "{d:?}"
    );
    let (code, d) = build_after(
        FIXTURE,
        &[(
            "{kind: Secret, name: store-registry-credentials}",
            "{kind: Deployment, name: x}",
        )],
    );
    assert_eq!(code, 1);
    assert!(d.iter().any(|x| x[0] == "E002"), "{d:?}");
}

/// What a GitRepo decides reaches the model: a shared GitRepo's options and a restricted
/// workspace's default service account (rancher/fleet v0.16.1 internal/bundlereader/read.go:224-279,
/// internal/cmd/controller/gitops/reconciler/restrictions.go:75-97).
#[test]
fn gitrepo_decisions_reach_explain_and_refuse_what_they_override() {
    const FIXTURE: &str = "tests/fixtures/ok/shared-gitrepos";
    let tmp = tempfile::tempdir().unwrap();
    common::copy_dir(&common::repo().join(FIXTURE), tmp.path());
    common::fleetc(&["explain", "cluster", "stg-edge-1"], tmp.path())
        .stdout_has("options      serviceAccount=fleet-platform, keepResources")
        .run();
    // The tenant's workspace gives GitRepos without one its default service account: an
    // app's own is then ignored.
    let (code, d) = build_after(
        FIXTURE,
        &[
            ("    serviceAccount: shop-deployer\n", ""),
            (
                "      allowedTargetNamespaces: [shop]\n",
                "      allowedTargetNamespaces: [shop]\n      defaultServiceAccount: shop-deployer\n",
            ),
            (
                "    gitRepo: tenant-shop\n",
                "    gitRepo: tenant-shop\n    serviceAccount: shop-admin\n",
            ),
        ],
    );
    assert_eq!(code, 1);
    assert!(
        d.iter().any(|x| x[0] == "E032"
            && x[1] == "workspace `tenant-shop` gives its GitRepos the service account `shop-deployer`"),
        "{d:?}"
    );
}

/// Per-target charts Fleet would fetch wrongly or not at all (read.go:294-313,
/// charturl.go:122-137, 346-351).
#[test]
fn per_target_charts_combine_with_the_apps_as_fleet_fetches_them() {
    const FIXTURE: &str = "tests/fixtures/ok/helm-options";
    // An OCI chart in a target of an app with a Helm repository: looked up in its index.
    let (code, d) = build_after(
        FIXTURE,
        &[(
            "helm: {repo: \"https://charts.example.com/mirror\", chart: ingress-nginx}",
            "helm: {chart: \"oci://registry.example.com/charts/ingress-nginx\"}",
        )],
    );
    assert_eq!(code, 1);
    assert!(
        d.iter().any(|x| x[0] == "E023"
            && x[1].starts_with(
                "`oci://registry.example.com/charts/ingress-nginx` with the repository"
            )),
        "{d:?}"
    );
    // A chart name beside the app's OCI repository is not used.
    let (_, d) = build_after(
        FIXTURE,
        &[(
            "helm: {force: true, disableDNS: true, version: 1.11.0}",
            "helm: {force: true, disableDNS: true, chart: other}",
        )],
    );
    assert!(
        d.iter()
            .any(|x| x[0] == "E032" && x[1] == "a chart name beside an `oci://` repository"),
        "{d:?}"
    );
    // A version for the bundle's own chart directory.
    let (_, d) = build_after(
        FIXTURE,
        &[(
            "    targets:\n      - environment: production\n",
            "    targets:\n      - environment: production\n    overrides:\n      - {environment: production, helm: {version: 2.0.0}}\n",
        )],
    );
    assert!(
        d.iter().any(|x| x[0] == "E032"
            && x[1] == "a version for a chart Fleet does not download by version"),
        "{d:?}"
    );
}

/// Two apps with one Helm release on a cluster.
#[test]
fn helm_releases_are_unique_per_cluster() {
    let (code, d) = build_after(
        "tests/fixtures/ok/shared-gitrepos",
        &[(
            "        releaseName: metallb-suse-edge",
            "        releaseName: web",
        )],
    );
    assert_eq!(code, 0, "other namespaces: no clash {d:?}");
    let (code, d) = build_after(
        "tests/fixtures/ok/shared-gitrepos",
        &[
            (
                "        releaseName: metallb-suse-edge",
                "        releaseName: web",
            ),
            ("    namespace: metallb-system\n", "    namespace: web\n"),
        ],
    );
    assert_eq!(code, 1);
    assert!(
        d.iter().any(|x| x[0] == "E010"
            && x[1]
                == "`metallb` and `web` both install the Helm release `web/web` on `stg-edge-1`"),
        "{d:?}"
    );
}

/// `build_after` that must fail: its diagnostics.
fn refused(dir: &str, edits: &[(&str, &str)]) -> Vec<[String; 3]> {
    let (code, diags) = build_after(dir, edits);
    assert_eq!(code, 1, "{diags:?}");
    diags
}

/// A diagnostic with this code and message is among `diags`.
fn has(diags: &[[String; 3]], code: &str, msg: &str) {
    assert!(
        diags.iter().any(|d| d[0] == code && d[1] == msg),
        "{code} `{msg}` in {diags:?}"
    );
}

/// A diagnostic with this code whose message holds `part` is among `diags`.
fn has_part(diags: &[[String; 3]], code: &str, part: &str) {
    assert!(
        diags.iter().any(|d| d[0] == code && d[1].contains(part)),
        "{code} `{part}` in {diags:?}"
    );
}

/// Fleet mounts the per-path Helm Secret and then no `helmSecretName`
/// (rancher/fleet v0.16.1 internal/cmd/controller/gitops/reconciler/gitjob.go:435-448).
#[test]
fn helm_secrets_per_path_replace_the_single_one() {
    let d = refused(
        "tests/fixtures/ok/shared-gitrepos",
        &[(
            "    helmSecretNameForPaths: management-charts-by-path\n",
            "    helmSecretNameForPaths: management-charts-by-path\n    helmSecretName: management-charts\n",
        )],
    );
    has(
        &d,
        "E032",
        "`helmSecretName` is ignored beside `helmSecretNameForPaths`",
    );
}

/// What Fleet's schedule controller refuses (rancher/fleet v0.16.1
/// internal/cmd/controller/reconciler/cronduration_job.go:38-150, go-quartz v0.15.2
/// quartz/cron.go), each reported, all in one run.
#[test]
fn schedules_fleet_refuses_are_errors() {
    let dir = "tests/fixtures/ok/maintenance-windows";
    // Both day fields set: go-quartz's "day field set twice".
    let d = refused(dir, &[("\"0 0 1 ? * MON-THU\"", "\"0 0 1 1 * MON-THU\"")]);
    has(
        &d,
        "E035",
        "the expression sets both the day of month and the day of week; one of them must be `?`",
    );
    // Five fields: a Unix cron pasted without seconds.
    let d = refused(dir, &[("\"0 0 1 ? * MON-THU\"", "\"0 1 * * 1-4\"")]);
    has_part(&d, "E035", "has 5 fields; Fleet's Quartz cron has 6 or 7");
    // Time zones are spelt exactly, as Go's time.LoadLocation reads them from files.
    let d = refused(
        dir,
        &[(
            "location: Europe/Berlin\n    targets:\n      - {environment",
            "location: europe/berlin\n    targets:\n      - {environment",
        )],
    );
    let tz = d.iter().find(|x| x[0] == "E035").unwrap();
    assert_eq!(tz[1], "unknown time zone `europe/berlin`");
    assert_eq!(tz[2], "did you mean `Europe/Berlin`?");
    // A window as long as the week between two Sunday openings.
    let d = refused(dir, &[("duration: 23h", "duration: 672h")]);
    has(&d, "E035", "a window of 672h reaches the next opening");
    // Daily at 01:00 in Berlin: the Sunday and Monday openings of the weekend the clocks go
    // forward are 23 hours apart, and Fleet measures real time.
    let d = refused(
        dir,
        &[
            ("\"0 0 1 ? * MON-THU\"", "\"0 0 1 * * ?\""),
            ("duration: 4h", "duration: 23h30m"),
        ],
    );
    has(&d, "E035", "a window of 23h30m reaches the next opening");
    let d = refused(dir, &[("duration: 4h", "duration: 0s")]);
    has(&d, "E035", "a window of no time never opens");
    // Fleet needs a next and a following opening; one in a past year has neither.
    let d = refused(dir, &[("\"0 0 1 ? * MON-THU\"", "\"0 0 1 1 1 ? 2020\"")]);
    has(
        &d,
        "E035",
        "this schedule opens fewer than two windows from now on",
    );
    let d = refused(dir, &[("duration: 4h", "duration: 4 hours")]);
    has_part(&d, "E023", "is not a Go duration");
    // Once for the whole list; from 0.14.0 on, none.
    let d = refused(dir, &[("\"0.16.1\"", "\"0.13.0\"")]);
    has(&d, "E029", "Schedules need Fleet 0.14.0");
    assert_eq!(
        d.iter()
            .filter(|x| x[1] == "Schedules need Fleet 0.14.0")
            .count(),
        1,
        "{d:?}"
    );
    // (The workspace's namespace selector still needs 0.15: the build ran through.)
    let d = refused(dir, &[("\"0.16.1\"", "\"0.14.0\"")]);
    has(
        &d,
        "E029",
        "`allowedTargetNamespaceSelector` needs Fleet 0.15.0",
    );
    assert!(
        !d.iter().any(|x| x[1].starts_with("Schedules need")),
        "{d:?}"
    );
    let d = refused(
        dir,
        &[(
            "- {environment: production, region: eu-central-1}",
            "- {environment: production, region: eu-centrl-1}",
        )],
    );
    has(&d, "E012", "unknown region `eu-centrl-1`");
}

/// Every Quartz day rule the retail windows need is accepted (go-quartz v0.15.2
/// quartz/cron_test.go): last day, nearest weekday, n-th weekday, names in any case, years.
#[test]
fn schedules_take_every_quartz_form() {
    for cron in [
        "0 0 23 L * ?",
        "0 0 23 L-2 * ?",
        "0 0 23 LW * ?",
        "0 0 23 15W * ?",
        "0 0 1 ? * 6L",
        "0 0 1 ? * sun#2",
        "0 0 1 ? JAN,jul MON",
        "0 0 1 ? * MON 2030-2040",
        "@weekly",
        "0   0 1  ? *   MON",
    ] {
        let (code, d) = build_after(
            "tests/fixtures/ok/maintenance-windows",
            &[("\"0 0 1 ? * MON-THU\"", &format!("\"{cron}\""))],
        );
        assert_eq!(code, 0, "{cron}: {d:?}");
    }
}

/// A driven GitRepo's misuses: an options file elsewhere, or that is no plain name, or two apps
/// of one directory with the same options file, or a raw YAML app sharing it.
#[test]
fn driven_gitrepo_misuse() {
    let dir = "tests/fixtures/ok/driven-bundles";
    let d = refused(dir, &[("    driven: true\n", "")]);
    has(&d, "E023", "`optionsFile` outside a driven GitRepo");
    let d = refused(
        dir,
        &[("optionsFile: dev.yaml", "optionsFile: envs/dev.yaml")],
    );
    has(
        &d,
        "E023",
        "options file `envs/dev.yaml` is not a plain YAML file name",
    );
    let d = refused(dir, &[("optionsFile: dev.yaml", "optionsFile: dev.json")]);
    has(
        &d,
        "E023",
        "options file `dev.json` is not a plain YAML file name",
    );
    // The same options file twice: one bundle's options would overwrite the other's.
    let d = refused(dir, &[("optionsFile: test.yaml", "optionsFile: dev.yaml")]);
    has(
        &d,
        "E014",
        "apps `guestbook-dev` and `guestbook-test` share bundle directory `driven/kustomize`",
    );
    // Named like a file fleetc writes below it: its .fleetignore line would hide them all.
    let d = refused(
        dir,
        &[("optionsFile: test.yaml", "optionsFile: kustomization.yaml")],
    );
    has(
        &d,
        "E023",
        "options file `kustomization.yaml` in a `.fleetignore`",
    );
}

/// Fleet's `.fleetignore` lines match base names in every directory below
/// (rancher/fleet v0.16.1 internal/bundlereader/loaddirectory.go:39-66): a manifest deeper down
/// with an options file's name would leave every bundle of the directory, without a word.
#[test]
fn driven_options_file_must_not_hide_a_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    common::copy_dir(
        &common::repo().join("tests/fixtures/ok/driven-bundles"),
        tmp.path(),
    );
    std::fs::write(
        tmp.path().join("driven/kustomize/base/test.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: test}\n",
    )
    .unwrap();
    let (code, d) = common::build_json(tmp.path());
    assert_eq!(code, 1);
    assert!(
        d.iter().any(|x| x["code"] == "fleetc::E014"
            && x["message"]
                == "`driven/kustomize/base/test.yaml` would be left out of every bundle in `driven/kustomize`"),
        "{d:?}"
    );
}

/// What a HelmOp cannot carry, and what Fleet's HelmOp controller refuses or ignores
/// (rancher/fleet v0.16.1 internal/cmd/controller/helmops/reconciler/helmop_controller.go:
/// `validate` 585-623, `usesPolling` 423-442).
#[test]
fn helm_op_misuse() {
    let dir = "tests/fixtures/ok/helm-ops";
    let ingress = "        repo: https://kubernetes.github.io/ingress-nginx\n        chart: ingress-nginx\n        version: \"~4.11.0\"";
    // Fleet never polls for an exact version.
    let d = refused(dir, &[("version: \"~4.11.0\"", "version: 4.11.3")]);
    has(&d, "E032", "Fleet never polls for this chart");
    let d = refused(dir, &[("pollingInterval: 1h", "pollingInterval: 1 hour")]);
    has_part(&d, "E023", "is not a Go duration");
    // A chart from Git.
    let d = refused(dir, &[(ingress, "        chart: ./charts/ingress")]);
    has(&d, "E020", "a HelmOp cannot read a chart from Git");
    // A tarball is one version; Fleet's HelmOp takes only `.tgz` as one.
    let d = refused(
        dir,
        &[(
            ingress,
            "        chart: https://charts.example.com/ingress-nginx-4.11.3.tgz\n        version: 4.11.3",
        )],
    );
    has(&d, "E020", "a HelmOp takes no version with a tarball URL");
    let d = refused(
        dir,
        &[(
            ingress,
            "        chart: https://charts.example.com/ingress-nginx-4.11.3.tar.gz",
        )],
    );
    has(
        &d,
        "E020",
        "a HelmOp takes a tarball URL only ending `.tgz`",
    );
    // Files from Git.
    let d = refused(
        dir,
        &[(
            "        version: \"~4.11.0\"\n",
            "        version: \"~4.11.0\"\n        valuesFiles: [values/common.yaml]\n",
        )],
    );
    has(&d, "E020", "`valuesFiles` are read from Git");
    let d = refused(
        dir,
        &[(
            "      - environment: production\n        values: {controller: {replicaCount: 3}}",
            "      - environment: production\n        values: {controller: {replicaCount: 3}}\n        patches: [{patch: \"apiVersion: apps/v1\\nkind: Deployment\\nmetadata:\\n  name: x\\n\"}]",
        )],
    );
    has(&d, "E020", "post-render `patches` need files from Git");
    // Git or HelmOp, not both; charts only.
    let d = refused(
        dir,
        &[
            (
                "    helmOp:\n      pollingInterval: 1h",
                "    gitRepo: platform\n    helmOp:\n      pollingInterval: 1h",
            ),
            ("apps:\n", "gitRepos:\n  - name: platform\napps:\n"),
        ],
    );
    has(&d, "E020", "an app delivered by HelmOps has no GitRepo");
}

/// A HelmOp's Bundle has no `targetRestrictions`: a customization written as in fleet.yaml
/// would deploy the app to every cluster it selects. The production customization of
/// `node-agent` must reach its two regions' clusters and not the third
/// (helmop_controller.go:219-269; the evaluator in fleet_semantics checks every cluster).
#[test]
fn helm_op_customizations_add_no_clusters() {
    let tmp = tempfile::tempdir().unwrap();
    common::copy_dir(
        &common::repo().join("tests/fixtures/ok/helm-ops"),
        tmp.path(),
    );
    let (code, d) = common::build_json(tmp.path());
    assert_eq!(code, 0, "{d:?}");
    let v = common::yaml_file(&tmp.path().join("fleet/helmops/node-agent-production.yaml"));
    for t in v["spec"]["targets"].as_array().unwrap() {
        let labels = &t["clusterSelector"]["matchLabels"];
        assert!(
            labels["region"] == "eu-west-1" || labels["region"] == "us-east-1",
            "every entry is one of the app's targets: {t}"
        );
    }
    // The OCI chart is the HelmOp's `repo`, with no `chart`.
    assert_eq!(
        v["spec"]["helm"]["repo"],
        "oci://registry.gitlab.example.com/platform/charts/node-agent"
    );
    assert!(v["spec"]["helm"].get("chart").is_none());
}

/// `.ClusterAnnotations` and `.ClusterValues` are the live Cluster's annotations and
/// `spec.templateValues` (rancher/fleet v0.16.1 internal/cmd/controller/target/builder.go:304-320),
/// rendered with `missingkey=error`: checked against the cluster inventory, where one is given.
#[test]
fn templates_read_live_annotations_and_values() {
    let tmp = tempfile::tempdir().unwrap();
    common::copy_dir(
        &common::repo().join("tests/fixtures/ok/shared-gitrepos"),
        tmp.path(),
    );
    let spec = tmp.path().join("fleetc.yaml");
    common::edit(
        &spec,
        &[(
            "values: {persistence: {defaultClassReplicaCount: 3}}",
            "values: {persistence: {defaultClassReplicaCount: 3}, defaultSettings: {backupTarget: \"s3://${ .ClusterValues.backup.bucket }@${ .ClusterAnnotations.region }/\"}}",
        )],
    );
    let (code, d) = common::build_json(tmp.path());
    assert_eq!(code, 1, "{d:?}");
    let msgs: Vec<&str> = d
        .iter()
        .filter(|x| x["code"] == "fleetc::E025")
        .map(|x| x["message"].as_str().unwrap())
        .collect();
    assert!(
        msgs.iter()
            .any(|m| m.starts_with("`.ClusterValues.backup.bucket` is missing on `prod-edge-1`")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.starts_with("`.ClusterAnnotations.region` is missing on `prod-edge-1`")),
        "{msgs:?}"
    );
    // Once every production cluster of the inventory carries both, the templates are sound.
    let inv = tmp.path().join("inventory/clusters.yaml");
    common::edit(
        &inv,
        &[
            (
                "      labels:\n        env: production",
                "      annotations: {region: eu}\n      labels:\n        env: production",
            ),
            (
                "    kind: Cluster\n    metadata:",
                "    kind: Cluster\n    spec: {templateValues: {backup: {bucket: edge-backups}}}\n    metadata:",
            ),
            ("    spec:\n      agentNamespace: cattle-fleet-system\n", ""),
        ],
    );
    let (code, d) = common::build_json(tmp.path());
    assert_eq!(code, 0, "{d:?}");
}

/// `deleteNamespace` deletes the GitRepo's `targetNamespace`, never with `keepResources`
/// (rancher/fleet v0.16.1 internal/cmd/controller/finalize/finalize.go:110-119); an
/// `allowedTargetNamespaceSelector` needs every GitRepo of the workspace to set
/// `targetNamespace` (gitops/reconciler/restrictions.go:63-68) and Fleet 0.15.
#[test]
fn namespace_deletion_and_namespace_selectors() {
    let dir = "tests/fixtures/ok/shared-gitrepos";
    let d = refused(dir, &[("    targetNamespace: shop\n", "")]);
    has(&d, "E032", "`deleteNamespace` deletes nothing here");
    let d = refused(
        dir,
        &[(
            "    deleteNamespace: true",
            "    deleteNamespace: true\n    keepResources: true",
        )],
    );
    has(&d, "E032", "`deleteNamespace` deletes nothing here");
    let d = refused(
        dir,
        &[(
            "ociRegistrySecret: shop-bundle-storage",
            "ociRegistrySecret: Shop_Storage",
        )],
    );
    assert!(d.iter().any(|x| x[1].contains("Shop_Storage")), "{d:?}");

    let dir = "tests/fixtures/ok/maintenance-windows";
    let d = refused(dir, &[("\"0.16.1\"", "\"0.14.2\"")]);
    has(
        &d,
        "E029",
        "`allowedTargetNamespaceSelector` needs Fleet 0.15.0",
    );
    let d = refused(
        dir,
        &[(
            "operator: NotIn, values: [payments]",
            "operator: Exists, values: [payments]",
        )],
    );
    has(&d, "E023", "`Exists` takes no values");
    // A shared GitRepo of fleetc in that workspace without a target namespace.
    let d = refused(
        dir,
        &[(
            "apps:\n  - name: pos\n",
            "gitRepos:\n  - {name: ops, workspace: store-operators}\napps:\n  - name: pos\n    gitRepo: ops\n",
        )],
    );
    has(
        &d,
        "E034",
        "GitRepo `ops` sets no `targetNamespace`, which workspace `store-operators` requires",
    );
}

/// A shared GitRepo's `targetNamespace` is every target's (rancher/fleet v0.16.1
/// internal/bundlereader/read.go:266-271): an override's `namespace` would be ignored.
#[test]
fn override_namespace_under_a_target_namespace_is_ignored() {
    let d = refused(
        "tests/fixtures/ok/shared-gitrepos",
        &[(
            "apps:\n",
            "apps:\n  - name: shop-extra\n    namespace: shop\n    gitRepo: tenant-shop\n    path: tenants/shop-extra\n    source:\n      helm: {chart: oci://registry.shop.example.com/charts/extra, version: 1.0.0}\n    targets: [{environment: production}]\n    overrides: [{region: eu-west-1, namespace: shop-eu}]\n",
        )],
    );
    has(
        &d,
        "E032",
        "GitRepo `tenant-shop` puts every resource into `shop`",
    );
}

/// A HelmOp copies its version, a range as written, into every target with Helm options of its
/// own, and resolves and polls only its root's (rancher/fleet v0.16.1
/// helmop_controller.go:383-403, 278-300; polling_job.go:159): the clusters of a narrower
/// override would stay on the first chart they got.
#[test]
fn helm_op_range_with_narrower_helm_overrides() {
    let d = refused(
        "tests/fixtures/ok/helm-ops",
        &[(
            "      - environment: production\n        values: {controller: {replicaCount: 3}}",
            "      - environment: production\n        values: {controller: {replicaCount: 3}}\n      - {environment: production, region: us-east-1, values: {controller: {replicaCount: 5}}}",
        )],
    );
    has(
        &d,
        "E032",
        "the clusters of customization `env-production-us-east-1` would never follow the chart version Fleet resolves",
    );
    // An exact version has nothing to resolve.
    let (code, d) = build_after(
        "tests/fixtures/ok/helm-ops",
        &[
            (
                "      - environment: production\n        values: {controller: {replicaCount: 3}}",
                "      - environment: production\n        values: {controller: {replicaCount: 3}}\n      - {environment: production, region: us-east-1, values: {controller: {replicaCount: 5}}}",
            ),
            ("version: \"~4.11.0\"", "version: 4.11.3"),
            ("      pollingInterval: 1h\n", ""),
        ],
    );
    assert_eq!(code, 0, "{d:?}");
}

/// An OCI registry as `repo` with a chart name: Fleet reads the repository as the whole
/// reference and never the name (rancher/fleet v0.16.1 internal/bundlereader/charturl.go:118-121,
/// 346-351), so the name is refused (E032); a HelmOp gets the reference alone as `repo`, which it
/// requires (helmop_controller.go:609-611).
#[test]
fn oci_repository_carries_no_chart_name() {
    let (code, d) = build_after(
        "tests/fixtures/ok/helm-ops",
        &[(
            "chart: oci://registry.gitlab.example.com/platform/charts/node-agent",
            "repo: oci://registry.gitlab.example.com/platform/charts/node-agent\n        chart: node-agent",
        )],
    );
    assert_eq!(code, 1, "{d:?}");
    has(&d, "E032", "a chart name beside an `oci://` repository");
    let (code, d, tmp) = common::build_copy("tests/fixtures/ok/helm-ops", &[]);
    assert_eq!(code, 0, "{d:?}");
    let v = common::yaml_file(&tmp.path().join("fleet/helmops/node-agent-staging.yaml"));
    assert!(v["spec"]["helm"].get("chart").is_none(), "{v}");
    assert_eq!(
        v["spec"]["helm"]["repo"],
        "oci://registry.gitlab.example.com/platform/charts/node-agent"
    );
}

/// Two Schedules on one cluster whose windows never meet add up: weeknights and Saturdays
/// (each Schedule opens and closes its clusters on its own, rancher/fleet v0.16.1
/// cronduration_job.go:206-263). Only windows that meet are W021.
#[test]
fn schedules_whose_windows_never_meet_combine() {
    let (code, d) = build_after(
        "tests/fixtures/err/W021-overlapping-schedules",
        &[
            ("\"0 0 1 * * ?\"", "\"0 0 1 ? * MON-FRI\""),
            ("\"0 0 0 ? * SUN\"", "\"0 0 10 ? * SAT\""),
            ("duration: 23h", "duration: 12h"),
        ],
    );
    assert!(!d.iter().any(|x| x[0] == "W021"), "{d:?}");
    assert_eq!(code, 0, "{d:?}");
}

/// An app alone in its directory with an options file of its own still gets a `.fleetignore`
/// naming it: Fleet before 0.13.4 loads the bundle's own options file as a manifest
/// (rancher/fleet v0.13.0 internal/bundlereader/resources.go:100). Nested directories are
/// reported even when another sorts between them (`a`, `a-b`, `a/c`).
#[test]
fn options_files_are_always_ignored_and_nesting_is_found() {
    let (code, d, tmp) = common::build_copy(
        "tests/fixtures/ok/driven-bundles",
        &[(
            "    path: driven/helm\n    gitRepo: driven\n",
            "    path: driven/helm\n    gitRepo: driven\n    optionsFile: podinfo.yaml\n",
        )],
    );
    assert_eq!(code, 0, "{d:?}");
    let ignore = std::fs::read_to_string(tmp.path().join("driven/helm/.fleetignore")).unwrap();
    // Only the options files of its own directory.
    let names: Vec<&str> = ignore.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(names, ["podinfo.yaml"], "{ignore}");
    assert!(tmp.path().join("driven/helm/podinfo.yaml").is_file());
    let d = refused(
        "tests/fixtures/ok/driven-bundles",
        &[
            (
                "    path: driven/helm\n",
                "    path: driven/kustomize/base/helm\n",
            ),
            (
                "  - name: guestbook-test\n    namespace: kustomize-test\n    path: driven/kustomize\n",
                "  - name: guestbook-test\n    namespace: kustomize-test\n    path: driven/kustomize-b\n",
            ),
        ],
    );
    has_part(&d, "E014", "overlap");
}

/// Scanning `paths`, Fleet makes every directory below with a fleet.yaml a bundle of its own
/// (rancher/fleet v0.16.1 internal/cmd/cli/apply/apply.go:805-826), which the app's GitRepo
/// then deploys to all of its targets: a vendored example's fleet.yaml is an error.
#[test]
fn a_fleet_yaml_below_an_app_is_a_bundle_of_its_own() {
    let tmp = tempfile::tempdir().unwrap();
    common::copy_dir(
        &common::repo().join("tests/fixtures/ok/shared-gitrepos"),
        tmp.path(),
    );
    let dir = tmp.path().join("apps/web/base/examples/demo");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("fleet.yaml"), "defaultNamespace: demo\n").unwrap();
    let (code, d) = common::build_json(tmp.path());
    assert_eq!(code, 1, "{d:?}");
    assert!(
        d.iter().any(|x| x["code"] == "fleetc::E014"
            && x["message"]
                == "Fleet would deploy `apps/web/base/examples/demo` as a bundle of its own"),
        "{d:?}"
    );
}

/// The edges of what a HelmOp may carry, each as Fleet's HelmOp controller has it
/// (rancher/fleet helmop_controller.go `validate`, `usesPolling`; v0.13.0 427-429 for OCI).
#[test]
fn helm_op_edges() {
    let dir = "tests/fixtures/ok/helm-ops";
    let ingress = "        repo: https://kubernetes.github.io/ingress-nginx\n        chart: ingress-nginx\n        version: \"~4.11.0\"";
    // A tarball without a version is one Fleet takes, kept as `chart` with no `repo`.
    let (code, d, tmp) = common::build_copy(
        dir,
        &[
            (
                ingress,
                "        chart: https://charts.example.com/ingress-nginx-4.11.3.tgz",
            ),
            ("      pollingInterval: 1h\n", ""),
        ],
    );
    assert_eq!(code, 0, "{d:?}");
    let v = common::yaml_file(&tmp.path().join("fleet/helmops/ingress-nginx-staging.yaml"));
    assert_eq!(
        v["spec"]["helm"]["chart"],
        "https://charts.example.com/ingress-nginx-4.11.3.tgz"
    );
    assert!(v["spec"]["helm"].get("repo").is_none(), "{v}");
    // Helm options in an override without values files are fine; `pollingInterval: "0"`
    // polls nothing, so an exact version beside it is no mistake.
    let (code, d) = build_after(
        dir,
        &[
            ("version: \"~4.11.0\"", "version: 4.11.3"),
            ("pollingInterval: 1h", "pollingInterval: \"0\""),
            (
                "        values: {controller: {replicaCount: 3}}",
                "        values: {controller: {replicaCount: 3}}\n        helm: {timeoutSeconds: 600}",
            ),
        ],
    );
    assert_eq!(code, 0, "{d:?}");
    // Fleet 0.13.0 polls no OCI chart; 0.13.1 does; before 0.13 there are no HelmOps.
    let oci_polled = [
        (
            "    helmOp: {insecureSkipTLSVerify: true}",
            "    helmOp: {insecureSkipTLSVerify: true, pollingInterval: 1h}",
        ),
        ("        version: 2.3.1", "        version: \"~2.3.1\""),
        (
            "      - {environment: production, region: us-east-1, values: {scrapeInterval: 15s}}\n",
            "",
        ),
        (
            "  branch: main\n",
            "  branch: main\n  version: \"0.13.0\"\n",
        ),
    ];
    let d = refused(dir, &oci_polled);
    has(&d, "E032", "Fleet 0.13.0 never polls an OCI chart");
    let mut later = oci_polled;
    later[3].1 = "  branch: main\n  version: \"0.13.1\"\n";
    let (code, d) = build_after(dir, &later);
    assert_eq!(code, 0, "{d:?}");
    let mut zero = oci_polled;
    zero[0].1 = "    helmOp: {insecureSkipTLSVerify: true, pollingInterval: \"0\"}";
    let (code, d) = build_after(dir, &zero);
    assert_eq!(code, 0, "{d:?}");
    let d = refused(
        dir,
        &[("  branch: main\n", "  branch: main\n  version: \"0.12\"\n")],
    );
    has(&d, "E029", "HelmOps need Fleet 0.13.0");
}

/// A HelmOp's customization entry keeps its own name where the environment has one target,
/// and keeps every requirement of the target it is ANDed with.
#[test]
fn helm_op_entries_keep_names_and_requirements() {
    let (code, d, tmp) = common::build_copy(
        "tests/fixtures/ok/helm-ops",
        &[
            ("version: \"~4.11.0\"", "version: 4.11.3"),
            ("      pollingInterval: 1h\n", ""),
            (
                "      - environment: production\n        values: {controller: {replicaCount: 3}}",
                "      - environment: production\n        values: {controller: {replicaCount: 3}}\n      - {environment: production, region: us-east-1, values: {controller: {replicaCount: 5}}}",
            ),
            (
                "      - {name: production-eu, environment: production, region: eu-west-1}",
                "      - name: production-eu\n        environment: production\n        selector: {matchExpressions: [{key: region, operator: In, values: [eu-west-1]}]}",
            ),
        ],
    );
    assert_eq!(code, 0, "{d:?}");
    let ingress = common::yaml_file(
        &tmp.path()
            .join("fleet/helmops/ingress-nginx-production.yaml"),
    );
    assert_eq!(
        ingress["spec"]["targets"][0]["name"],
        "env-production-us-east-1"
    );
    let agent = common::yaml_file(&tmp.path().join("fleet/helmops/node-agent-production.yaml"));
    let paired = agent["spec"]["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "env-production-us-east-1--production-eu");
    // us-east-1 and `region In [eu-west-1]` can both be written; Fleet then matches nothing
    // there, as fleet.yaml with the GitRepo's target would. Both requirements are in it.
    let t = paired.expect("the us-east-1 customization ANDed with production-eu");
    assert_eq!(
        t["clusterSelector"]["matchLabels"]["region"], "us-east-1",
        "{t}"
    );
    assert_eq!(
        t["clusterSelector"]["matchExpressions"][0],
        serde_json::json!({"key": "region", "operator": "In", "values": ["eu-west-1"]}),
        "{t}"
    );
    let eu = agent["spec"]["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "production-eu")
        .unwrap();
    assert_eq!(
        eu["clusterSelector"]["matchExpressions"][0]["values"][0],
        "eu-west-1"
    );
}

/// What counts as a Helm change of a narrower override under a version range: values,
/// replicas, resources and Helm options each do; a service account alone does not (then the
/// HelmOp target has no `helm` block for Fleet to copy the range into). The environment's
/// override is left out here: a narrower customization carries what the broader ones set
/// too, so beside it even a service account would carry its values.
#[test]
fn helm_op_range_counts_every_helm_change() {
    let dir = "tests/fixtures/ok/helm-ops";
    let base = "      - environment: production\n        values: {controller: {replicaCount: 3}}";
    for (extra, refused_here) in [
        (
            "{environment: production, region: us-east-1, replicas: 5}",
            true,
        ),
        (
            "{environment: production, region: us-east-1, helm: {timeoutSeconds: 900}}",
            true,
        ),
        (
            "{environment: production, region: us-east-1, resources: {requests: {cpu: 500m}}}",
            true,
        ),
        (
            "{environment: production, region: us-east-1, serviceAccount: ingress-us}",
            false,
        ),
    ] {
        let (code, d) = build_after(dir, &[(base, &format!("      - {extra}"))]);
        let hit = d
            .iter()
            .any(|x| x[0] == "E032" && x[1].contains("would never follow"));
        assert_eq!(hit, refused_here, "{extra}: {d:?}");
        if !refused_here {
            assert_eq!(code, 0, "{extra}: {d:?}");
        }
    }
}

/// Bundle labels dependencies cannot select by: `cattle.io/` keys Fleet drops when it copies
/// labels to BundleDeployments, and `fleet.cattle.io/` keys it copies but sets itself
/// (rancher/fleet v0.16.1 internal/cmd/controller/target/target.go:97-108).
#[test]
fn bundle_labels_of_fleets_domains_are_refused() {
    let (code, d) = build_after(
        "tests/fixtures/ok/bundle-options",
        &[(
            "bundleLabels: {tier: backend}",
            "bundleLabels: {tier: backend, fleet.cattle.io/team: a, management.cattle.io/x: b}",
        )],
    );
    assert_eq!(code, 1, "{d:?}");
    has(
        &d,
        "E023",
        "bundle label `fleet.cattle.io/team` is one of Fleet's own keys",
    );
    has(
        &d,
        "E023",
        "bundle label `management.cattle.io/x` does not reach the clusters",
    );
}

/// `verbatim.targetCustomizations` are Fleet's own shape, checked against Fleet's schema (a
/// misspelled key is E003 at its place), and a HelmOp app keeps none (E020): fleetc writes a
/// HelmOp's customizations per target, ANDed with it.
#[test]
fn verbatim_customizations_are_checked() {
    let (code, d) = build_after(
        "tests/fixtures/ok/raw-yaml",
        &[("          doNotDeploy: true", "          doNotDeplo: true")],
    );
    assert_eq!(code, 1, "{d:?}");
    has(&d, "E003", "unknown key `doNotDeplo`");
    let (code, d) = build_after(
        "tests/fixtures/ok/helm-ops",
        &[(
            "    helmOp:",
            "    verbatim: {targetCustomizations: [{name: x, clusterName: a}]}\n    helmOp:",
        )],
    );
    assert_eq!(code, 1, "{d:?}");
    has(
        &d,
        "E020",
        "an app delivered by HelmOps keeps no targetCustomizations verbatim",
    );
}

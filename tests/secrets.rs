//! Leak nothing: every place a credential can be pasted is refused with E024 (and nothing is
//! written); the key-name guess can be switched off per key with `notSecret`.

use std::path::Path;

use crate::common::{self, fleetc, scratch};

/// Builds `dir` with JSON diagnostics, expecting exit status `code` (a clean build also says
/// what it wrote); returns the E024 messages and the text under each E024's primary label.
fn e024(dir: &Path, code: i32) -> Vec<(String, String)> {
    let build = fleetc(&["build", "--format", "json"], dir)
        .code(code)
        .stdout_read("the E024 diagnostics are parsed from the JSON report");
    let build = if code == 0 {
        build.stderr_has("files written, 0 removed")
    } else {
        build
    };
    let o = build.run();
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let text = std::fs::read_to_string(dir.join("fleetc.yaml")).unwrap();
    report["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["code"] == "fleetc::E024")
        .map(|d| {
            let l = &d["labels"][0];
            let under = l["start"]
                .as_u64()
                .map(|s| text[s as usize..l["end"].as_u64().unwrap() as usize].to_owned())
                .unwrap_or_default();
            (d["message"].as_str().unwrap().to_owned(), under)
        })
        .collect()
}

#[test]
fn credentials_in_any_url_are_refused() {
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "minimal",
            "repo: https://stefanprodan.github.io/podinfo",
            "repo: https://u:hunter2@stefanprodan.github.io/podinfo",
            "u:hunter2@",
        ),
        (
            "minimal",
            "        repo: https://stefanprodan.github.io/podinfo\n        chart: podinfo",
            "        chart: oci://robot:pw123456@ghcr.io/stefanprodan/charts/podinfo",
            "robot:pw123456@",
        ),
        (
            "gitlab-policies",
            "url: https://gitlab.example.org",
            "url: https://root:toor1234@gitlab.example.org",
            "root:toor1234@",
        ),
        (
            "custom-labels",
            "kasAddress: wss://git.example.org/",
            "kasAddress: wss://agent:abcd1234@git.example.org/",
            "agent:abcd1234@",
        ),
    ];
    for (fixture, from, to, secret) in cases {
        let tmp = scratch(fixture);
        common::edit(&tmp.path().join("fleetc.yaml"), &[(from, to)]);
        let found = e024(tmp.path(), 1);
        assert!(
            found
                .iter()
                .any(|(m, under)| m.contains("URL with credentials") && under == secret),
            "{to}: {found:?}"
        );
        assert!(
            !tmp.path().join(".fleetc-manifest").exists(),
            "{to}: nothing written"
        );
    }
}

#[test]
fn webhook_urls_and_secret_named_literals_are_refused_unless_acknowledged() {
    let tmp = scratch("minimal");
    let spec = tmp.path().join("fleetc.yaml");
    common::edit(
        &spec,
        &[(
            "    targets:",
            "    values:\n      alerting:\n        slack: https://hooks.slack.com/services/T0AAA/B0BBB/abcdefgh12345678\n      auth:\n        adminPassword: correct-horse\n        tokenTTL: 24h-rolling\n        existingSecret: podinfo-auth\n      extraEnv:\n        - {name: DB_PASSWORD, value: s3cr3t-value}\n    targets:",
        )],
    );
    let found = e024(tmp.path(), 1);
    let unders: Vec<&str> = found.iter().map(|(_, u)| u.as_str()).collect();
    assert!(
        unders.contains(&"https://hooks.slack.com/services/T0AAA/B0BBB/abcdefgh12345678"),
        "{found:?}"
    );
    assert!(unders.contains(&"correct-horse"), "{found:?}");
    assert!(unders.contains(&"s3cr3t-value"), "{found:?}");
    assert!(
        !unders.contains(&"24h-rolling"),
        "a TTL is not a secret: {found:?}"
    );
    assert!(
        !unders.contains(&"podinfo-auth"),
        "a Secret's name is not a secret: {found:?}"
    );
    assert_eq!(found.len(), 3, "{found:?}");
    // Acknowledged per key, by dotted path or by name; each entry covers its key only.
    common::edit(
        &spec,
        &[(
            "    targets:",
            "    notSecret: [auth.adminPassword]\n    targets:",
        )],
    );
    let found = e024(tmp.path(), 1);
    let unders: Vec<&str> = found.iter().map(|(_, u)| u.as_str()).collect();
    assert!(!unders.contains(&"correct-horse"), "{found:?}");
    assert!(unders.contains(&"s3cr3t-value"), "{found:?}");
    assert_eq!(found.len(), 2, "{found:?}");
    common::edit(
        &spec,
        &[(
            "notSecret: [auth.adminPassword]",
            "notSecret: [auth.adminPassword, DB_PASSWORD]",
        )],
    );
    let found = e024(tmp.path(), 1);
    assert_eq!(found.len(), 1, "only the webhook is left: {found:?}");
}

#[test]
fn secrets_in_kustomize_patches_are_refused() {
    let tmp = scratch("custom-labels");
    common::edit(
        &tmp.path().join("fleetc.yaml"),
        &[(
            "      - cluster: store-0002\n",
            "      - cluster: store-0002\n        patches:\n          - patch: |\n              apiVersion: apps/v1\n              kind: Deployment\n              metadata: {name: api}\n              spec:\n                template:\n                  spec:\n                    containers:\n                      - name: api\n                        env:\n                          - name: API_TOKEN\n                            value: tok-1234567890\n",
        )],
    );
    let found = e024(tmp.path(), 1);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].1, "tok-1234567890");
}

#[test]
fn secrets_in_template_values_are_refused() {
    let tmp = scratch("helm-options");
    common::edit(
        &tmp.path().join("fleetc.yaml"),
        &[
            (
                "          clusterName: \"${ .ClusterName }\"",
                "          clusterName: \"${ .ClusterName }\"\n          adminPassword: \"correct-horse-battery\"",
            ),
            (
                "            region: \"${ index .ClusterLabels \\\"region\\\" }\"",
                "            region: \"${ index .ClusterLabels \\\"region\\\" }\"\n            apiToken: tok-0123456789abcdef",
            ),
        ],
    );
    let found = e024(tmp.path(), 1);
    let unders: Vec<&str> = found.iter().map(|(_, u)| u.as_str()).collect();
    assert_eq!(
        unders,
        ["correct-horse-battery", "tok-0123456789abcdef"],
        "{found:?}"
    );
}

#[test]
fn tokens_never_enter_release_pins() {
    let tmp = tempfile::tempdir().unwrap();
    common::copy_dir(&common::repo().join("examples/fleet"), tmp.path());
    let pins = tmp.path().join("releases.yaml");
    let before = std::fs::read(&pins).unwrap();
    let token = "glpat-Ab3dEf6hIj9kLm2nOp5qRs";
    let o = fleetc(&["pin", "--tag", token], tmp.path())
        .code(2)
        .stderr_read("must name the token kind without echoing the token")
        .run();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("GitLab personal access token") && !err.contains(token),
        "{err}"
    );
    assert_eq!(
        std::fs::read(&pins).unwrap(),
        before,
        "releases.yaml unchanged"
    );
    // A token written into the file by hand is refused at build, and not echoed.
    common::edit(
        &pins,
        &[("3f2a1b9c0d4e5f60718293a4b5c6d7e8f9012345", token)],
    );
    let o = fleetc(&["build"], tmp.path())
        .code(1)
        .stderr_read("must report E024 without echoing the token")
        .run();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("fleetc::E024") && err.contains("releases.yaml"),
        "{err}"
    );
    assert!(!err.contains(token), "{err}");
}

/// Values real charts carry that are not secrets: names of Secrets, switches, annotation
/// switches, variable references. None of them may be refused.
#[test]
fn common_chart_values_are_not_taken_for_secrets() {
    let tmp = scratch("minimal");
    common::edit(
        &tmp.path().join("fleetc.yaml"),
        &[(
            "    targets:",
            "    values:\n      runners: {secret: gitlab-runner-secret}\n      tls: {secret: web-tls}\n      auth: {credentials: aws-credentials, existingSecret: auth}\n      podAnnotations: {vault.hashicorp.com/agent-inject-token: \"true\"}\n      extraEnv:\n        - {name: DATABASE_URL, value: \"postgres://$(DB_USER):$(DB_PASSWORD)@db/app\"}\n        - {name: API_TOKEN_FILE, value: /var/run/secrets/token}\n      config: {apiKeyHeader: X-API-Key, tokenTTL: 24h}\n    targets:",
        )],
    );
    let found = e024(tmp.path(), 0);
    assert!(found.is_empty(), "{found:?}");
}

/// `notSecret` acknowledges a key whatever rule finds it (here a URL with credentials that is
/// a documented example, not a real one).
#[test]
fn not_secret_covers_every_rule_inside_values() {
    let tmp = scratch("minimal");
    let spec = tmp.path().join("fleetc.yaml");
    common::edit(
        &spec,
        &[(
            "    targets:",
            "    values:\n      docs: {exampleUrl: \"https://user:example-password@example.com\"}\n    targets:",
        )],
    );
    let found = e024(tmp.path(), 1);
    assert_eq!(found.len(), 1, "{found:?}");
    common::edit(
        &spec,
        &[(
            "    targets:",
            "    notSecret: [docs.exampleUrl]\n    targets:",
        )],
    );
    let found = e024(tmp.path(), 0);
    assert!(found.is_empty(), "{found:?}");
}

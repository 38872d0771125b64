//! The GitLab side and the alert rules, checked with the real tools: `check-jsonschema` (GitLab
//! CI schema), `kubernetes-validate --strict` (RBAC), `promtool check rules` (alert rules). And
//! no generated file ever carries anything token-shaped.

use std::process::Command;

use fleetc::emit::{Artifact, Kind};

use crate::common;

fn run_ok(cmd: &mut Command, what: &str) {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{what} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs the command `cmd` builds on every emitted artifact of `kind`, in every built fixture;
/// returns how many it checked.
fn check_each(kind: Kind, mut cmd: impl FnMut(&common::Built, &Artifact) -> Command) -> usize {
    let mut checked = 0;
    for b in common::built_trees() {
        for a in b.compiled.artifacts.iter().filter(|a| a.kind == kind) {
            let mut c = cmd(&b, a);
            let what = format!("{c:?} ({}/{})", b.name, a.path);
            run_ok(&mut c, &what);
            checked += 1;
        }
    }
    checked
}

#[test]
fn gitlab_ci_passes_check_jsonschema() {
    let Some(tool) = common::tool("check-jsonschema", "pip install check-jsonschema") else {
        return;
    };
    let checked = check_each(Kind::GitLabCi, |b, a| {
        let mut c = Command::new(&tool);
        c.args(["--builtin-schema", "vendor.gitlab-ci"])
            .arg(b.root.join(&a.path));
        c
    });
    assert!(checked >= 2, "the example and a fixture have pipelines");
}

#[test]
fn agent_rbac_passes_kubernetes_validate_strict() {
    let Some(tool) = common::tool("kubernetes-validate", "pip install kubernetes-validate") else {
        return;
    };
    let checked = check_each(Kind::AgentRbac, |b, a| {
        let mut c = Command::new(&tool);
        c.arg("--strict").arg(b.root.join(&a.path));
        c
    });
    assert!(checked >= 4);
}

#[test]
fn alert_rules_pass_promtool() {
    let Some(tool) = common::tool("promtool", "apt-get install prometheus") else {
        return;
    };
    let checked = check_each(Kind::PrometheusRules, |b, a| {
        let mut c = Command::new(&tool);
        c.args(["check", "rules"]).arg(b.root.join(&a.path));
        c
    });
    assert!(checked >= 2);
    // The rule file is exactly the PrometheusRule's groups.
    for b in common::built_trees() {
        let cr = b
            .compiled
            .artifacts
            .iter()
            .find(|a| a.kind == Kind::PrometheusRule);
        let plain = b
            .compiled
            .artifacts
            .iter()
            .find(|a| a.kind == Kind::PrometheusRules);
        if let (Some(cr), Some(plain)) = (cr, plain) {
            assert_eq!(
                cr.value()["spec"]["groups"],
                plain.value()["groups"],
                "{}",
                b.name
            );
        }
    }
}

/// Every alert fires (and not before its `for:`) on series shaped as the Prometheus operator
/// scrapes Fleet: the target's `namespace` and Fleet's own under `exported_namespace`, with
/// `commit` and `generation` changing halfway. The tests are emitted, so users' CI runs them too.
#[test]
fn every_alert_fires_under_promtool_test_rules() {
    let Some(tool) = common::tool("promtool", "apt-get install prometheus") else {
        return;
    };
    let mut alerts = 0;
    let checked = check_each(Kind::PrometheusTests, |b, a| {
        let rules = b
            .compiled
            .artifacts
            .iter()
            .find(|r| r.kind == Kind::PrometheusRules)
            .unwrap();
        let value = a.value();
        let tested: std::collections::BTreeSet<&str> = value["tests"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|t| t["alert_rule_test"].as_array().unwrap())
            .map(|t| t["alertname"].as_str().unwrap())
            .collect();
        for g in rules.value()["groups"].as_array().unwrap() {
            for r in g["rules"].as_array().unwrap() {
                let name = r["alert"].as_str().unwrap();
                assert!(
                    tested.contains(name),
                    "{}: no test makes {name} fire",
                    b.name
                );
                alerts += 1;
            }
        }
        let mut c = Command::new(&tool);
        c.args(["test", "rules"]).arg(b.root.join(&a.path));
        c
    });
    assert!(
        checked >= 2 && alerts >= 10,
        "{checked} files, {alerts} alerts"
    );
}

/// Fleet's own `namespace` label arrives as `exported_namespace` under rancher-monitoring; with
/// `honorLabels` it stays `namespace`. The rules follow `monitoring.namespaceLabel`, and Fleet
/// before 0.13 gets no alerts on git metrics it does not export.
#[test]
fn alert_rules_follow_the_namespace_label_and_the_fleet_version() {
    let tmp = tempfile::tempdir().unwrap();
    common::copy_dir(&common::repo().join("examples/fleet"), tmp.path());
    let spec = tmp.path().join("fleetc.yaml");
    let exprs = |dir: &std::path::Path| -> String {
        let c = common::compile(dir).unwrap();
        let a = c
            .artifacts
            .iter()
            .find(|a| a.kind == Kind::PrometheusRules)
            .unwrap();
        serde_json::to_string(&a.value()).unwrap()
    };
    let default = exprs(tmp.path());
    assert!(
        default.contains(r#"exported_namespace=\"fleet-default\""#),
        "{default}"
    );
    assert!(default.contains("FleetGitFetchFailing"));
    common::edit(
        &spec,
        &[
            (
                "  namespace: cattle-monitoring-system
",
                "  namespace: cattle-monitoring-system
  namespaceLabel: namespace
",
            ),
            (
                "  pollingInterval: 1m
",
                "  pollingInterval: 1m
  version: \"0.12\"
",
            ),
        ],
    );
    let honored = exprs(tmp.path());
    assert!(
        honored.contains(r#"{namespace=\"fleet-default\""#)
            && !honored.contains("exported_namespace"),
        "{honored}"
    );
    assert!(
        !honored.contains("FleetGitFetchFailing"),
        "no git metrics before Fleet 0.13"
    );
}

#[test]
fn agent_configs_are_what_the_agent_server_accepts() {
    for b in common::built_trees() {
        for a in b
            .compiled
            .artifacts
            .iter()
            .filter(|a| a.kind == Kind::AgentConfig)
        {
            let ci = &a.value()["ci_access"];
            // The tutorial mistake: default_namespace directly under ci_access.
            assert!(
                ci.get("default_namespace").is_none(),
                "{}/{}",
                b.name,
                a.path
            );
            for entry in ["projects", "groups"]
                .iter()
                .flat_map(|k| ci[k].as_array().into_iter().flatten())
            {
                let access_as = entry["access_as"].as_object().unwrap();
                assert_eq!(
                    access_as.len(),
                    1,
                    "exactly one access_as key in {}/{}",
                    b.name,
                    a.path
                );
            }
        }
        for a in b
            .compiled
            .artifacts
            .iter()
            .filter(|a| a.kind == Kind::AgentValues)
        {
            let config = &a.value()["config"];
            assert!(
                config.get("token").is_none(),
                "no token in values: {}/{}",
                b.name,
                a.path
            );
            assert!(config["secretName"].is_string());
            assert_eq!(
                a.value()["rbac"]["create"],
                false,
                "the chart's cluster-admin binding stays off"
            );
        }
    }
}

/// Token shapes that must never be written: GitLab tokens, private keys, cloud keys.
fn token_shaped(text: &str) -> Option<&'static str> {
    const PREFIXES: &[&str] = &[
        "glpat-", "glagent-", "glrt-", "glptt-", "gldt-", "glcbt-", "glft-", "gloas-",
    ];
    for p in PREFIXES {
        if text.match_indices(p).any(|(i, _)| {
            text[i + p.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                .count()
                >= 20
        }) {
            return Some(p);
        }
    }
    if text.contains("PRIVATE KEY-----") {
        return Some("private key");
    }
    if text.match_indices("AKIA").any(|(i, _)| {
        text[i + 4..]
            .chars()
            .take(16)
            .filter(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            .count()
            == 16
    }) {
        return Some("AWS key");
    }
    None
}

#[test]
fn no_generated_file_is_token_shaped() {
    for b in common::built_trees() {
        for (path, text) in &b.compiled.files {
            assert_eq!(token_shaped(text), None, "{}/{path}", b.name);
        }
    }
    assert_eq!(
        token_shaped("token: glpat-0123456789abcdefghij"),
        Some("glpat-"),
        "the scan itself works"
    );
}

#[test]
fn a_spec_that_inlines_a_token_is_rejected_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    common::copy_dir(
        &common::repo().join("tests/fixtures/ok/gitlab-policies"),
        tmp.path(),
    );
    let spec = tmp.path().join("fleetc.yaml");
    let token = "glagent-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefghijkl";
    common::edit(
        &spec,
        &[(
            "tokenSecret: stores-agent-token",
            &format!("tokenSecret: {token}"),
        )],
    );
    let out = Command::new(env!("CARGO_BIN_EXE_fleetc"))
        .args(["build", "--color", "never"])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("fleetc::E024") && err.contains("GitLab agent token"),
        "{err}"
    );
    assert!(
        !tmp.path().join(".fleetc-manifest").exists(),
        "nothing written"
    );
}

/// Every script of every job in every generated pipeline parses as POSIX sh (`sh -n`).
#[test]
fn every_generated_script_parses_as_sh() {
    let mut checked = 0;
    for b in common::built_trees() {
        for a in b
            .compiled
            .artifacts
            .iter()
            .filter(|a| a.kind == Kind::GitLabCi)
        {
            for (job, def) in a.value().as_object().unwrap() {
                for key in ["before_script", "script"] {
                    for line in def[key].as_array().into_iter().flatten() {
                        let script = line.as_str().unwrap();
                        let out = Command::new("sh")
                            .args(["-n", "-c", script])
                            .output()
                            .unwrap();
                        assert!(
                            out.status.success(),
                            "{}/{job}.{key} does not parse:\n{script}\n{}",
                            b.name,
                            String::from_utf8_lossy(&out.stderr)
                        );
                        checked += 1;
                    }
                }
            }
        }
    }
    assert!(checked > 20, "{checked}");
}

/// Spec strings with quotes, `$()`, backticks and spaces reach the commands of a job exactly as
/// written: no word splitting, no expansion, no way out of the quoting.
#[test]
fn spec_strings_never_break_out_of_their_shell_quoting() {
    let tmp = tempfile::tempdir().unwrap();
    common::copy_dir(&common::repo().join("examples/fleet"), tmp.path());
    let hostile = "src/we b'$(touch pwned)`touch pwned2`\"$HOME";
    std::fs::create_dir_all(tmp.path().join(hostile)).unwrap();
    common::edit(
        &tmp.path().join("fleetc.yaml"),
        &[(
            "          context: src/web\n",
            &format!(
                "          context: \"{}\"\n          dockerfile: \"it's.Dockerfile\"\n",
                hostile.replace('"', "\\\"")
            ),
        )],
    );
    let compiled = common::compile(tmp.path()).unwrap();
    let ci = compiled
        .artifacts
        .iter()
        .find(|a| a.kind == Kind::GitLabCi)
        .unwrap();
    let value = ci.value();
    let script = value["publish:web"]["script"][0].as_str().unwrap();
    // Run it with docker replaced by a function that prints its arguments, one per line.
    let stub = format!(
        "docker() {{ for a in \"$@\"; do printf '%s\\n' \"$a\"; done; }}\nCI_COMMIT_SHA=abc\n{script}"
    );
    let out = Command::new("sh")
        .arg("-c")
        .arg(&stub)
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let args = String::from_utf8(out.stdout).unwrap();
    assert!(
        args.contains(&format!("\n{hostile}/it's.Dockerfile\n")),
        "{args}"
    );
    assert!(
        args.ends_with(&format!(
            "\n{hostile}\npush\nregistry.gitlab.example.com/platform/fleet-manifests/web:abc\n"
        )),
        "{args}"
    );
    assert!(!tmp.path().join("pwned").exists() && !tmp.path().join("pwned2").exists());
    // The quoting helper itself, on the hard cases.
    for s in ["it's", "$(id)", "`id`", "a\nb", "''", "\\", " "] {
        let quoted = fleetc::emit::sh_quote(s);
        let out = Command::new("sh")
            .arg("-c")
            .arg(format!("printf %s {quoted}"))
            .output()
            .unwrap();
        assert_eq!(String::from_utf8(out.stdout).unwrap(), s);
    }
}

/// The job graph GitLab builds from the example's pipeline, as `gitlab-ci-local` (npm) evaluates
/// its rules: for a push to the default branch, a merge request and the drift-check schedule.
#[test]
fn the_job_graph_for_push_merge_request_and_schedule() {
    let Some(gcl) = common::tool("gitlab-ci-local", "npm: tests/tools/package.json") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    common::copy_dir(&common::repo().join("examples/fleet"), tmp.path());
    let git = |args: &[&str]| {
        let o = Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .current_dir(tmp.path())
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    };
    git(&["init", "--quiet", "--initial-branch", "main"]);
    git(&["add", "--all"]);
    git(&["commit", "--quiet", "--message", "x"]);
    git(&[
        "remote",
        "add",
        "origin",
        "https://gitlab.example.com/platform/fleet-manifests.git",
    ]);
    git(&["update-ref", "refs/remotes/origin/main", "HEAD"]);
    git(&[
        "symbolic-ref",
        "refs/remotes/origin/HEAD",
        "refs/remotes/origin/main",
    ]);
    // name -> (when, environment, needs)
    let jobs = |vars: &[&str]| -> std::collections::BTreeMap<String, (String, String, String)> {
        let mut cmd = Command::new(&gcl);
        cmd.args([
            "--list-csv",
            "--ignore-predefined-vars",
            "CI_PIPELINE_SOURCE,CI_COMMIT_BRANCH",
        ])
        .current_dir(tmp.path());
        for v in vars {
            cmd.args(["--variable", v]);
        }
        let o = cmd.output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .skip_while(|l| !l.starts_with("name;"))
            .skip(1)
            .map(|l| {
                let f: Vec<&str> = l.split(';').collect();
                (
                    f[0].to_owned(),
                    (f[2].to_owned(), f[4].to_owned(), f[5].to_owned()),
                )
            })
            .collect()
    };
    let push = jobs(&["CI_PIPELINE_SOURCE=push"]);
    for name in [
        "build",
        "test",
        "publish:web",
        "publish:data-pipeline",
        "validate",
        "alerts",
        "promote:staging",
        "promote:production",
    ] {
        assert!(push.contains_key(name), "push runs {name}: {push:?}");
    }
    assert!(!push.contains_key("drift-check"));
    // Production ships through its promote job: manual, in the production environment.
    assert_eq!(push["promote:production"].0, "manual");
    assert_eq!(push["promote:production"].1, "production");
    assert_eq!(push["promote:staging"].0, "on_success");
    assert_eq!(
        push["promote:staging"].2, "[validate,build,test,alerts,publish:web,publish:data-pipeline]",
        "nothing ships before the build, the tests and the alerts' tests passed"
    );
    let verify: Vec<&String> = push.keys().filter(|k| k.starts_with("verify:")).collect();
    assert_eq!(verify.len(), 7, "one verify job per cluster: {verify:?}");
    for v in verify {
        let cluster = v.trim_start_matches("verify:");
        assert!(
            push[v].1.ends_with(&format!("/{cluster}")),
            "{v}: {:?}",
            push[v]
        );
    }
    let mr = jobs(&[
        "CI_PIPELINE_SOURCE=merge_request_event",
        "CI_COMMIT_BRANCH=",
        "CI_MERGE_REQUEST_DIFF_BASE_SHA=abc",
    ]);
    assert_eq!(
        mr.keys().map(String::as_str).collect::<Vec<_>>(),
        ["alerts", "build", "test", "validate"],
        "a merge request builds and validates, and never promotes"
    );
    let schedule = jobs(&["CI_PIPELINE_SOURCE=schedule", "FLEETC_JOB=drift-check"]);
    assert_eq!(
        schedule.keys().map(String::as_str).collect::<Vec<_>>(),
        ["drift-check"]
    );
}

/// One registration is one cluster: every cluster an agent serves has its own configuration,
/// values, RBAC and KUBE_CONTEXT, and no two clusters share one (the agent server routes a
/// request to any agentk connected with a registration's token).
#[test]
fn every_cluster_has_its_own_agent_registration() {
    let mut checked = 0;
    for b in common::built_trees() {
        let Some(side) = &b.compiled.fleet.gitlab else {
            continue;
        };
        let mut contexts = std::collections::BTreeSet::new();
        for cl in b
            .compiled
            .fleet
            .clusters
            .iter()
            .filter(|c| c.agent.is_some())
        {
            let reg = &side.agents[cl.registration.unwrap()];
            assert_eq!(reg.name, cl.name, "{}", b.name);
            assert_eq!(
                reg.cluster.map(|c| &b.compiled.fleet.clusters[c].name),
                Some(&cl.name)
            );
            assert!(
                contexts.insert(side.kube_context(cl.registration.unwrap())),
                "{}: shared context",
                b.name
            );
            for f in [
                format!(".gitlab/agents/{}/config.yaml", cl.name),
                format!("gitlab-agents/{}/values.yaml", cl.name),
                format!("gitlab-agents/{}/rbac.yaml", cl.name),
            ] {
                assert!(b.compiled.files.contains_key(&f), "{}: {f}", b.name);
            }
            // Roles only in namespaces of apps on this cluster.
            let apps: std::collections::BTreeSet<&str> = b
                .compiled
                .fleet
                .apps
                .iter()
                .filter(|a| {
                    a.clusters
                        .iter()
                        .any(|c| b.compiled.fleet.clusters[*c].name == cl.name)
                })
                .map(|a| a.namespace.as_str())
                .collect();
            if b.compiled.fleet.agents[cl.agent.unwrap()].name != "stores" {
                let roles: std::collections::BTreeSet<&str> =
                    reg.rbac_namespaces.iter().map(String::as_str).collect();
                assert_eq!(roles, apps, "{}: {}", b.name, cl.name);
            }
            checked += 1;
        }
    }
    assert!(checked >= 10, "{checked}");
}

/// `ci_job` impersonates user extras too: the service account needs impersonate on
/// `authentication.k8s.io` `userextras/<key>` for every key gitlab-agent sets
/// (internal/module/kubernetes_api/server/proxy.go, impCiJobExtra), or every request is 403.
/// A fixed identity is granted by name only.
#[test]
fn impersonation_rbac_is_what_the_agent_sends_and_no_more() {
    let dir = common::repo().join("tests/fixtures/err/W009-unrestricted-impersonation");
    let compiled = common::compile(&dir).unwrap();
    let rbac = compiled
        .artifacts
        .iter()
        .find(|a| a.path == "gitlab-agents/prod-1/rbac.yaml")
        .unwrap();
    let docs = rbac.value();
    let cluster_role = docs
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "ClusterRole")
        .unwrap();
    let text = serde_json::to_string(&cluster_role["rules"]).unwrap();
    for key in fleetc::resolve::CI_JOB_EXTRAS {
        assert!(text.contains(&format!("userextras/{key}")), "{key}: {text}");
    }
    assert!(text.contains("authentication.k8s.io"), "{text}");
    // A fixed identity is granted by resourceNames, never everyone.
    for b in common::built_trees()
        .into_iter()
        .filter(|b| b.name == "gitlab-policies")
    {
        let rbac = &b.compiled.files["gitlab-agents/lab-1/rbac.yaml"];
        assert!(rbac.contains("resourceNames:\n  - fleetc-lab"), "{rbac}");
        assert!(!rbac.contains("userextras"), "{rbac}");
    }
}

/// Any impersonation grant beside `agent`-mode access lets an `agent`-mode job act as that
/// identity (agentk forwards its Impersonate-* headers); system identities are never granted.
#[test]
fn impersonation_beside_agent_mode_and_system_identities_are_refused() {
    for (to, expect) in [
        (
            "accessAs: {impersonate: {username: sre-deployer, groups: [sre]}}",
            "may impersonate a fixed identity and also serves jobs in `agent` mode",
        ),
        (
            "accessAs: {impersonate: {username: ops, groups: [system:masters]}}",
            "would impersonate `system:masters`",
        ),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        common::copy_dir(&common::repo().join("examples/fleet"), tmp.path());
        common::edit(
            &tmp.path().join("fleetc.yaml"),
            &[(
                "        - id: platform/sre\n          environments: [\"production/*\"]\n          protectedBranchesOnly: true\n",
                &format!(
                    "        - id: platform/sre\n          environments: [\"production/*\"]\n          protectedBranchesOnly: true\n          {to}\n"
                ),
            )],
        );
        let err = common::compile(tmp.path()).expect_err(to);
        assert!(
            err.contains("fleetc::E028") && err.contains(expect),
            "{err}"
        );
    }
}

/// What the targeted versions cannot take is not emitted; comparePatches never force a
/// namespace; images for another registry log in with the named variables.
#[test]
fn output_follows_versions_and_server_matching_rules() {
    let tmp = tempfile::tempdir().unwrap();
    common::copy_dir(&common::repo().join("examples/fleet"), tmp.path());
    let spec = tmp.path().join("fleetc.yaml");
    let c = common::compile(tmp.path()).unwrap();
    let ingress = &c.files["bundles/ingress-nginx/fleet.yaml"];
    let patches = &ingress[ingress.find("comparePatches").unwrap()..];
    assert!(
        !patches.contains("namespace:"),
        "no forced namespace: {patches}"
    );
    assert!(c.files[".gitlab-ci.yml"].contains("kubernetes:\n      agent:"));
    assert!(
        c.files[".gitlab/agents/prod-us-east-1/config.yaml"]
            .contains("protected_branches_only: true")
    );
    common::edit(
        &spec,
        &[
            (
                "  url: https://gitlab.example.com\n",
                "  url: https://gitlab.example.com\n  version: \"17.5\"\n",
            ),
            // Both entries (edit replaces every occurrence).
            ("          protectedBranchesOnly: true\n", ""),
        ],
    );
    let c = common::compile(tmp.path()).unwrap();
    assert!(
        !c.files[".gitlab-ci.yml"].contains("kubernetes:"),
        "environment:kubernetes needs 17.6"
    );
    for (path, text) in &c.files {
        assert!(
            !text.contains("protected_branches_only"),
            "{path}: needs 17.10"
        );
    }
    // Another registry: credentials from CI/CD variables, never the job token.
    common::edit(
        &spec,
        &[
            (
                "        build:\n          context: src/web\n",
                "        build:\n          context: src/web\n          credentials: {username: MIRROR_USER, password: MIRROR_TOKEN}\n",
            ),
            (
                "registry.gitlab.example.com/platform/fleet-manifests/web",
                "mirror.example.com/acme/web",
            ),
        ],
    );
    common::edit(
        &tmp.path().join("releases.yaml"),
        &[(
            "registry.gitlab.example.com/platform/fleet-manifests/web",
            "mirror.example.com/acme/web",
        )],
    );
    let c = common::compile(tmp.path()).unwrap_or_else(|e| panic!("{e}"));
    let v: serde_json::Value = serde_saphyr::from_str(&c.files[".gitlab-ci.yml"]).unwrap();
    let script = v["publish:web"]["script"][0].as_str().unwrap();
    assert!(script.contains(r#"printf '%s' "${MIRROR_TOKEN}" | docker login --username "${MIRROR_USER}" --password-stdin 'mirror.example.com'"#), "{script}");
}

//! `.gitlab-ci.yml`: build → test → publish images → validate → for each environment in
//! promotion order, pin the new images and let Fleet deploy, then verify every cluster through
//! its agent; plus a scheduled drift check of the Fleet bundles.
//!
//! CI never applies manifests: promotion is a commit of release pins (and the regenerated tree)
//! that Fleet pulls. Verification reaches each cluster through its GitLab agent, selecting the
//! context explicitly, because GitLab does not (gitlab#505451). Shell scripts are text, so they
//! are rendered from minijinja templates; the YAML around them is typed and serialized.

use crate::pointer::Ptr;
use minijinja::{Environment, UndefinedBehavior, value::Serde};
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::{Artifact, Kind};
use crate::model::{Fleet, GitLabSide};
use crate::spec::{Promotion, Verify};

/// Environments with more clusters than this get sharded verify jobs instead of one per cluster.
const PER_CLUSTER_JOBS: usize = 50;
/// Clusters one verify shard aims at.
const CLUSTERS_PER_SHARD: usize = 50;
/// At most this many shards per environment (GitLab allows `parallel` up to 200).
const MAX_SHARDS: usize = 50;

/// Where the pipeline is written, relative to the output root.
pub(super) const PATH: &str = ".gitlab-ci.yml";

#[derive(Serialize, Default)]
struct Job {
    #[serde(skip_serializing_if = "Option::is_none")]
    extends: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stage: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    services: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    needs: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Map::is_empty")]
    variables: Map<String, Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    environment: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resource_group: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    interruptible: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    timeout: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    parallel: Option<usize>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    before_script: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    script: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    artifacts: Option<Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    rules: Vec<Value>,
}

/// Rules: skip scheduled pipelines (they only run the drift check), and optionally only run on
/// the default branch, optionally waiting for a person.
fn rules(default_branch_only: bool, manual: bool) -> Vec<Value> {
    let mut r = vec![json!({"if": "$CI_PIPELINE_SOURCE == \"schedule\"", "when": "never"})];
    let when = if manual { "manual" } else { "on_success" };
    if default_branch_only {
        r.push(json!({"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH", "when": when}));
    } else {
        r.push(json!({"when": when}));
    }
    r
}

/// The shell of every job, one template each (`src/emit/scripts/`). Every value from the spec
/// goes through the `sh` filter, the one shell-quoting helper.
const SCRIPTS: &[(&str, &str)] = &[
    ("verify", include_str!("scripts/verify.sh")),
    ("promote", include_str!("scripts/promote.sh")),
    ("drift", include_str!("scripts/drift.sh")),
    ("publish", include_str!("scripts/publish.sh")),
    ("validate", include_str!("scripts/validate.sh")),
    ("alerts", include_str!("scripts/alerts.sh")),
];

/// Quotes a value for POSIX sh: single quotes, with embedded single quotes closed, escaped and
/// reopened. Nothing inside single quotes is special (`$()`, backticks, newlines included).
pub fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

fn templates() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_syntax(
        minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()
            .expect("the default delimiters are valid"),
    );
    env.add_filter("sh", |v: minijinja::Value| sh_quote(&v.to_string()));
    // Numbers go into arithmetic unquoted; only a whole number passes.
    env.add_filter("int", |v: u64| v.to_string());
    for (name, src) in SCRIPTS {
        env.add_template(name, src)
            .expect("built-in templates parse");
    }
    env
}

fn render(env: &Environment<'_>, name: &str, ctx: impl Serialize) -> String {
    let text = env
        .get_template(name)
        .and_then(|t| t.render(Serde(ctx)))
        .expect("built-in templates render with their context");
    // A one-line script stays a plain YAML string.
    match text.strip_suffix('\n') {
        Some(line) if !line.contains('\n') => line.to_owned(),
        _ => text,
    }
}

pub(super) fn emit(
    fleet: &Fleet,
    side: &GitLabSide,
    pipeline: &crate::model::Pipeline,
) -> Artifact {
    let p = &pipeline.settings;
    let tpl = templates();
    let mut jobs: Vec<(String, Job)> = Vec::new();
    let mut stages: Vec<String> = Vec::new();
    let stage = |name: String, stages: &mut Vec<String>| {
        if !stages.contains(&name) {
            stages.push(name.clone());
        }
        Some(name)
    };

    for (name, step) in [("build", &p.build), ("test", &p.test)] {
        if let Some(step) = step {
            jobs.push((
                name.to_owned(),
                Job {
                    stage: stage(name.to_owned(), &mut stages),
                    image: Some(Value::from(step.image.clone())),
                    script: step.script.clone(),
                    rules: rules(false, false),
                    ..Job::default()
                },
            ));
        }
    }

    // One publish job per image the pipeline builds.
    let built: Vec<(&str, &crate::model::ImageRef, &crate::spec::ImageBuild)> = fleet
        .apps
        .iter()
        .flat_map(|app| {
            app.images
                .iter()
                .filter_map(move |img| img.build.as_ref().map(|b| (app.name.as_str(), img, b)))
        })
        .collect();
    let mut publish_names = Vec::new();
    for (app, img, b) in &built {
        let short = img.name.rsplit('/').next().unwrap_or(&img.name);
        let name = if short == *app {
            format!("publish:{app}")
        } else {
            format!("publish:{app}:{short}")
        };
        let context = if fleet.repo_path.is_empty() {
            b.context.clone()
        } else {
            format!("{}/{}", fleet.repo_path, b.context)
        };
        jobs.push((
            name.clone(),
            Job {
                stage: stage("publish".to_owned(), &mut stages),
                image: Some(Value::from(p.docker_image.clone())),
                services: vec![format!("{}-dind", p.docker_image)],
                variables: Map::from_iter([("DOCKER_TLS_CERTDIR".to_owned(), Value::from("/certs"))]),
                script: vec![render(
                    &tpl,
                    "publish",
                    json!({
                        "dockerfile": format!("{context}/{}", b.dockerfile),
                        "image": img.name,
                        "context": context,
                        // Variable names (resolve checked them: letters, digits and `_`).
                        "credentials": b.credentials.as_ref().map(|c| json!({"username": c.username, "password": c.password})),
                        "host": img.name.split('/').next().unwrap_or_default(),
                    }),
                )],
                rules: rules(true, false),
                ..Job::default()
            },
        ));
        publish_names.push(name);
    }

    jobs.push((
        "validate".to_owned(),
        Job {
            stage: stage("validate".to_owned(), &mut stages),
            image: Some(Value::from(p.fleetc_image.clone())),
            needs: Some(Vec::new()),
            // Each pinned environment's GitRepos are built from the spec at its commit, which
            // a shallow clone lacks.
            variables: Map::from_iter([("GIT_DEPTH".to_owned(), Value::from("0"))]),
            script: vec![render(&tpl, "validate", json!({}))],
            artifacts: Some(json!({
                "when": "always",
                "expire_in": "1 week",
                "expose_as": "fleetc diff",
                "paths": ["fleetc-diff.md"],
                "reports": {"codequality": "gl-code-quality-report.json"}
            })),
            rules: rules(false, false),
            ..Job::default()
        },
    ));

    if let Some(m) = &fleet.monitoring {
        // The alerts' unit tests (emitted beside the rules) run in every pipeline.
        jobs.push((
            "alerts".to_owned(),
            Job {
                stage: stage("validate".to_owned(), &mut stages),
                image: Some(json!({"name": m.promtool_image, "entrypoint": [""]})),
                needs: Some(Vec::new()),
                script: vec![render(
                    &tpl,
                    "alerts",
                    json!({"tests": repo_path(fleet, super::prometheus_rule::TESTS_PATH)}),
                )],
                rules: rules(false, false),
                ..Job::default()
            },
        ));
    }

    let seconds = pipeline.verify_timeout.seconds();
    jobs.push((
        ".fleetc-verify".to_owned(),
        Job {
            image: Some(Value::from(p.fleetc_image.clone())),
            interruptible: Some(false),
            // `fleetc verify` waits within verifyTimeout; the job gets ten minutes more for
            // everything else.
            timeout: Some(format!("{} minutes", seconds.div_ceil(60) + 10)),
            ..Job::default()
        },
    ));

    for (e, env) in fleet.environments.iter().enumerate() {
        let promote = format!("promote:{}", env.name);
        let mut needs = vec!["validate".to_owned()];
        if e == 0 {
            // Nothing ships before the build, the tests and the alerts' tests passed.
            needs.extend(
                ["build", "test", "alerts"]
                    .into_iter()
                    .filter(|j| jobs.iter().any(|(name, _)| name == j))
                    .map(str::to_owned),
            );
            needs.extend(publish_names.iter().cloned());
        }
        let previous = e.checked_sub(1).map(|p| &fleet.environments[p].name);
        jobs.push((
            promote.clone(),
            Job {
                stage: stage(format!("promote-{}", env.name), &mut stages),
                image: Some(Value::from(p.fleetc_image.clone())),
                // Later environments wait for the earlier stages (a DAG would need every
                // verify job of the previous environment, beyond `needs` limits).
                needs: (e == 0).then_some(needs),
                // The ancestry checks of `fleetc pin` need the history.
                variables: Map::from_iter([("GIT_DEPTH".to_owned(), Value::from("0"))]),
                // The job that ships carries the environment, so protected environments and
                // deployment approvals gate it.
                environment: Some(json!({
                    "name": env.name,
                    "deployment_tier": env.tier.as_str(),
                    "action": "start",
                })),
                resource_group: Some("fleetc-promote".to_owned()),
                interruptible: Some(false),
                script: vec![render(
                    &tpl,
                    "promote",
                    json!({
                        "env": env.name,
                        "first": e == 0,
                        "previous": previous,
                        "previous_variable": previous.map(|p| revision_variable(p)),
                        "variable": revision_variable(&env.name),
                    }),
                )],
                // The revision goes on to the next environment's promote job.
                artifacts: Some(json!({"reports": {"dotenv": "fleetc-promote.env"}})),
                rules: rules(true, env.promotion == Promotion::Manual),
                ..Job::default()
            },
        ));
        let verify = p.verify.get(&env.name).copied().unwrap_or_default();
        if verify == Verify::Skip {
            continue;
        }
        let clusters = crate::verify::clusters_of(fleet, crate::model::EnvId::new(e));
        let stage_name = format!("verify-{}", env.name);
        if clusters.len() > PER_CLUSTER_JOBS {
            // Past a few dozen clusters, per-cluster jobs would outgrow GitLab's limits (2 MB of
            // parsed configuration, jobs per pipeline): shards of the environment instead, each
            // verifying its share of the clusters in parallel.
            let shards = clusters
                .len()
                .div_ceil(CLUSTERS_PER_SHARD)
                .clamp(2, MAX_SHARDS);
            jobs.push((
                format!("verify:{}", env.name),
                Job {
                    extends: Some(".fleetc-verify"),
                    stage: stage(stage_name, &mut stages),
                    needs: Some(vec![promote.clone()]),
                    parallel: Some(shards),
                    environment: Some(json!({
                        "name": format!("{}/verify", env.name),
                        "deployment_tier": "other",
                        "action": "verify",
                    })),
                    script: vec![render(
                        &tpl,
                        "verify",
                        json!({"environment": env.name, "cluster": null, "revision": revision_variable(&env.name)}),
                    )],
                    rules: rules(true, verify == Verify::Manual),
                    ..Job::default()
                },
            ));
            continue;
        }
        for c in clusters {
            let cl = &fleet.clusters[c];
            let Some(reg) = cl.registration else {
                continue;
            };
            let context = side.kube_context(reg);
            jobs.push((
                format!("verify:{}", cl.name),
                Job {
                    extends: Some(".fleetc-verify"),
                    stage: stage(stage_name.clone(), &mut stages),
                    needs: Some(vec![promote.clone()]),
                    environment: Some(verify_environment(
                        side,
                        &format!("{}/{}", env.name, cl.name),
                        env.tier.as_str(),
                        &context,
                    )),
                    resource_group: Some(format!("cluster-{}", cl.name)),
                    script: vec![render(
                        &tpl,
                        "verify",
                        json!({"environment": null, "cluster": cl.name, "revision": revision_variable(&env.name)}),
                    )],
                    rules: rules(true, verify == Verify::Manual),
                    ..Job::default()
                },
            ));
        }
    }

    if let (Some(_), Some(shard)) = (&p.drift_check, side.drift_agent) {
        jobs.push((
            "drift-check".to_owned(),
            Job {
                stage: stage("drift-check".to_owned(), &mut stages),
                image: Some(Value::from(p.fleetc_image.clone())),
                needs: Some(Vec::new()),
                variables: Map::from_iter([("KUBE_CONTEXT".to_owned(), Value::from(side.kube_context(shard)))]),
                script: vec![render(&tpl, "drift", json!({"workspaces": fleet.workspaces()}))],
                artifacts: Some(json!({
                    "when": "always",
                    "expire_in": "30 days",
                    "paths": ["fleet-bundles.txt", "drift-report.txt"]
                })),
                rules: vec![
                    json!({"if": "$CI_PIPELINE_SOURCE == \"schedule\" && $FLEETC_JOB == \"drift-check\""}),
                ],
                ..Job::default()
            },
        ));
    }

    let spec_path = if fleet.repo_path.is_empty() {
        fleet.spec_name.clone()
    } else {
        format!("{}/{}", fleet.repo_path, fleet.spec_name)
    };
    let mut doc = Map::new();
    doc.insert(
        "workflow".into(),
        json!({
            "auto_cancel": {"on_new_commit": "interruptible"},
            "rules": [
                {"if": "$CI_PIPELINE_SOURCE == \"merge_request_event\""},
                {"if": "$CI_COMMIT_BRANCH && $CI_OPEN_MERGE_REQUESTS", "when": "never"},
                {"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"},
                {"if": "$CI_PIPELINE_SOURCE == \"schedule\""}
            ]
        }),
    );
    doc.insert("stages".into(), json!(stages));
    doc.insert("variables".into(), json!({"FLEETC_SPEC": spec_path}));
    doc.insert(
        "default".into(),
        json!({
            "interruptible": true,
            "retry": {"max": 2, "when": ["runner_system_failure", "api_failure", "scheduler_failure"]}
        }),
    );
    for (name, job) in jobs {
        doc.insert(
            name,
            serde_json::to_value(job).expect("jobs are plain data"),
        );
    }
    Artifact::new(
        PATH.to_owned(),
        Kind::GitLabCi,
        Ptr::path(&["pipeline"]),
        &Value::Object(doc),
    )
}

/// The dotenv variable a promote job hands the revision on in: `FLEETC_REVISION_<ENV>`.
fn revision_variable(env: &str) -> String {
    format!(
        "FLEETC_REVISION_{}",
        env.to_ascii_uppercase().replace('-', "_")
    )
}

/// A path of the output root as the repository (and so the pipeline) sees it.
fn repo_path(fleet: &Fleet, path: &str) -> String {
    if fleet.repo_path.is_empty() {
        path.to_owned()
    } else {
        format!("{}/{path}", fleet.repo_path)
    }
}

/// A verify job's environment: `action: verify` records no deployment (the promote job did);
/// `kubernetes.agent` links the dashboard from GitLab 17.6 on.
fn verify_environment(side: &GitLabSide, name: &str, tier: &str, context: &str) -> Value {
    // Tier `other`: a verify job deploys nothing, and a protected `production` tier would drop or
    // hold it for approval (GitLab before 18.0, and for users who may not deploy).
    let _ = tier;
    let mut env = json!({"name": name, "deployment_tier": "other", "action": "verify"});
    if side.version >= crate::versions::GITLAB_ENVIRONMENT_KUBERNETES_AGENT {
        env["kubernetes"] = json!({"agent": context});
    }
    env
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_quoting_filter() {
        let tpl = templates();
        let out = tpl
            .render_str("{{ x|sh }}", Serde(json!({"x": "it's"})))
            .unwrap();
        assert_eq!(out, r"'it'\''s'");
    }
}

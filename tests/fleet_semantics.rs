//! A Fleet-semantics evaluator over the emitted files: for every declared cluster, which
//! GitRepo targets match (so which bundles it gets) and which targetCustomization Fleet picks,
//! computed from the generated GitRepos, ClusterGroups and fleet.yaml files by Fleet's own rules,
//! and compared with what fleetc's model (and so `explain` and `diff`) says, for every cluster of
//! every fixture.
//!
//! Fleet's rules followed (rancher/fleet v0.16.1):
//! - a target's criteria (clusterName, clusterGroup, clusterSelector, clusterGroupSelector) are
//!   ANDed, against each ClusterGroup the cluster is in; a target with none matches nothing;
//!   `clusterSelector: {}` matches every cluster
//!   (internal/cmd/controller/target/matcher/clustermatcher.go:69-78, bundlematch.go:169-185);
//! - a cluster gets a BundleDeployment when any GitRepo target matches it, and a
//!   targetCustomization never adds one (internal/cmd/controller/target/builder.go);
//! - in the default FirstMatch mode the first matching targetCustomization applies
//!   (internal/cmd/controller/target/target.go).

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::common;

fn yaml(path: &Path) -> Value {
    common::yaml_file(path)
}

/// `metav1.LabelSelector` matching.
pub(crate) fn selects(sel: &Value, labels: &BTreeMap<String, String>) -> bool {
    let exact = sel["matchLabels"]
        .as_object()
        .into_iter()
        .flatten()
        .all(|(k, v)| labels.get(k).map(String::as_str) == v.as_str());
    let exprs = sel["matchExpressions"]
        .as_array()
        .into_iter()
        .flatten()
        .all(|r| {
            let key = r["key"].as_str().unwrap();
            let values: Vec<&str> = r["values"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let have = labels.get(key).map(String::as_str);
            match r["operator"].as_str().unwrap() {
                "In" => have.is_some_and(|v| values.contains(&v)),
                "NotIn" => have.is_none_or(|v| !values.contains(&v)),
                "Exists" => have.is_some(),
                "DoesNotExist" => have.is_none(),
                op => panic!("operator {op}"),
            }
        });
    exact && exprs
}

/// A cluster's labels as Fleet sees them: plain strings.
fn plain(
    labels: &BTreeMap<fleetc::values::LabelKey, fleetc::values::LabelValue>,
) -> BTreeMap<String, String> {
    labels
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Fleet's matching of one target (or customization) against a cluster: once per ClusterGroup
/// the cluster is in, every criterion against that same group, or once with no group (name `""`,
/// no labels) when it is in none (internal/cmd/controller/target/matcher/bundlematch.go:169-185).
/// `groups` holds the ClusterGroup objects by name.
pub(crate) fn matches(
    target: &Value,
    cluster: &str,
    labels: &BTreeMap<String, String>,
    groups: &BTreeMap<String, Value>,
) -> bool {
    let member: Vec<(&str, BTreeMap<String, String>)> = groups
        .iter()
        // A group without a selector holds no cluster (rancher/fleet v0.16.1
        // internal/cmd/controller/target/query.go:103).
        .filter(|(_, g)| {
            g["spec"]["selector"].is_object() && selects(&g["spec"]["selector"], labels)
        })
        .map(|(name, g)| {
            let own = g["metadata"]["labels"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
                .collect();
            (name.as_str(), own)
        })
        .collect();
    if member.is_empty() {
        return criteria(target, cluster, labels, ("", &BTreeMap::new()));
    }
    member
        .iter()
        .any(|(name, own)| criteria(target, cluster, labels, (name, own)))
}

/// Fleet's `ClusterMatcher.Match` (clustermatcher.go:23-79) for one group of the cluster.
fn criteria(
    target: &Value,
    cluster: &str,
    labels: &BTreeMap<String, String>,
    group: (&str, &BTreeMap<String, String>),
) -> bool {
    let mut criteria: Vec<bool> = Vec::new();
    if let Some(name) = target.get("clusterName").and_then(Value::as_str) {
        // The object's name, or Rancher's display-name label (clustermatcher.go:26-37).
        let display = labels.get("management.cattle.io/cluster-display-name");
        criteria.push(name == cluster || display.is_some_and(|d| d == name));
    }
    if let Some(g) = target.get("clusterGroup").and_then(Value::as_str) {
        criteria.push(g == group.0);
    }
    if let Some(sel) = target.get("clusterGroupSelector").filter(|v| !v.is_null()) {
        criteria.push(selects(sel, group.1));
    }
    if let Some(sel) = target.get("clusterSelector").filter(|v| !v.is_null()) {
        criteria.push(selects(sel, labels));
    }
    !criteria.is_empty() && criteria.into_iter().all(|c| c)
}

#[test]
fn fleet_deploys_and_customizes_every_cluster_as_fleetc_says() {
    let mut pairs = 0;
    let mut live_pairs = 0;
    for b in common::built_trees() {
        let fleet = &b.compiled.fleet;
        // ClusterGroups by workspace: a cluster is matched against its own workspace's groups.
        let mut by_ws: BTreeMap<String, BTreeMap<String, Value>> = BTreeMap::new();
        let mut dirs = vec![b.root.join("fleet/clustergroups")];
        if let Ok(ws) = std::fs::read_dir(b.root.join("fleet/workspaces")) {
            dirs.extend(ws.map(|e| e.unwrap().path().join("clustergroups")));
        }
        for dir in dirs.iter().filter(|d| d.is_dir()) {
            for e in std::fs::read_dir(dir).unwrap() {
                let g = yaml(&e.unwrap().path());
                by_ws
                    .entry(g["metadata"]["namespace"].as_str().unwrap().to_owned())
                    .or_default()
                    .insert(g["metadata"]["name"].as_str().unwrap().to_owned(), g);
            }
        }
        let no_groups = BTreeMap::new();
        for app in &fleet.apps {
            if app.helm_op.is_some() {
                pairs += helm_op_deploys_as_fleetc_says(&b, fleet, app, &by_ws);
                continue;
            }
            // A driven GitRepo names the options file of each bundle; Fleet reads `fleet.yaml`
            // otherwise (rancher/fleet v0.16.1 internal/cmd/cli/apply/apply.go:333-344).
            let options = app
                .shared
                .as_ref()
                .and_then(|s| {
                    let g = &fleet.git_repos[s.repo];
                    let dir = if g.workspace == fleet.workspace {
                        "fleet".to_owned()
                    } else {
                        format!("fleet/workspaces/{}", g.workspace)
                    };
                    let repo = yaml(&b.root.join(format!("{dir}/gitrepos/{}.yaml", g.name)));
                    let entries = repo["spec"]["bundles"].as_array()?.clone();
                    let entry = entries
                        .iter()
                        .find(|e| {
                            e["base"] == app.repo_dir.as_str()
                                && e.get("options").and_then(Value::as_str) == s.options.as_deref()
                        })
                        .unwrap_or_else(|| {
                            panic!("{}: no `bundles` entry for {}", b.name, app.name)
                        });
                    Some(
                        entry
                            .get("options")
                            .and_then(Value::as_str)
                            .unwrap_or("fleet.yaml")
                            .to_owned(),
                    )
                })
                .unwrap_or_else(|| "fleet.yaml".to_owned());
            let fleet_yaml = yaml(&b.root.join(&app.bundle_dir).join(&options));
            let customizations = fleet_yaml["targetCustomizations"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            // Each GitRepo that pulls the app: its own per environment, or its shared one.
            let pulls: Vec<(&str, Option<fleetc::model::EnvId>)> = app
                .gitrepos
                .iter()
                .map(|r| (r.name.as_str(), Some(r.env)))
                .chain(
                    app.shared
                        .as_ref()
                        .map(|s| (fleet.git_repos[s.repo].name.as_str(), None)),
                )
                .collect();
            for (repo_name, env) in pulls {
                let dir = if app.workspace == fleet.workspace {
                    "fleet".to_owned()
                } else {
                    format!("fleet/workspaces/{}", app.workspace)
                };
                let gitrepo = yaml(&b.root.join(format!("{dir}/gitrepos/{repo_name}.yaml")));
                let repo_ws = gitrepo["metadata"]["namespace"].as_str().unwrap();
                // The namespaces whose clusters the bundle reaches: its own, and those a
                // BundleNamespaceMapping of its namespace selecting it adds
                // (internal/cmd/controller/target/builder.go:237-266, mapping.go).
                let bundle_labels: BTreeMap<String, String> = fleet_yaml["labels"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
                    .collect();
                let mappings: Vec<Value> =
                    std::fs::read_dir(b.root.join(&dir).join("bundlenamespacemappings"))
                        .into_iter()
                        .flatten()
                        .map(|e| yaml(&e.unwrap().path()))
                        .filter(|m| m["metadata"]["namespace"] == repo_ws)
                        .collect();
                let reaches = |ns: &str| {
                    ns == repo_ws
                        || mappings.iter().any(|m| {
                            selects(&m["bundleSelector"], &bundle_labels)
                                && selects(
                                    &m["namespaceSelector"],
                                    &BTreeMap::from([(
                                        "kubernetes.io/metadata.name".to_owned(),
                                        ns.to_owned(),
                                    )]),
                                )
                        })
                };
                let prefix = if fleet.repo_path.is_empty() {
                    String::new()
                } else {
                    format!("{}/", fleet.repo_path)
                };
                let path = format!("{prefix}{}", app.bundle_dir);
                let pulled = |key: &str, field: Option<&str>| {
                    gitrepo["spec"][key].as_array().is_some_and(|l| {
                        l.iter().any(|p| match field {
                            Some(f) => p[f] == path.as_str(),
                            None => p == path.as_str(),
                        })
                    })
                };
                assert!(
                    pulled("paths", None) || pulled("bundles", Some("base")),
                    "{}: {repo_name} pulls {path}",
                    b.name
                );
                // A bundle's `overrideTargets` replace its GitRepo's targets; a GitRepo
                // without targets has ClusterGroup `default`
                // (rancher/fleet v0.16.1 internal/bundlereader/read.go:236-252,
                // internal/cmd/controller/gitops/reconciler/targetsyaml.go:45-56).
                let default =
                    vec![serde_json::json!({"name": "default", "clusterGroup": "default"})];
                let targets = match fleet_yaml.get("overrideTargets") {
                    Some(t) => t.as_array().unwrap(),
                    None => gitrepo["spec"]["targets"].as_array().unwrap_or(&default),
                };
                for (c, cl) in fleet.cluster_ids() {
                    // A bundle is matched against the clusters of its own namespace (the
                    // GitRepo's workspace), with that workspace's ClusterGroups.
                    let groups = by_ws.get(&cl.workspace).unwrap_or(&no_groups);
                    // rancher/fleet v0.16.1 internal/cmd/controller/target/builder.go:91-140:
                    // a cluster the GitRepo targets gets a BundleDeployment unless the first
                    // targetCustomization it matches says `doNotDeploy` (the fix of
                    // rancher/fleet#4688 consulted any matching one; both must agree).
                    let first = customizations
                        .iter()
                        .find(|tc| matches(tc, &cl.name, &plain(&cl.labels), groups));
                    let skip_first = first.is_some_and(|tc| tc["doNotDeploy"] == true);
                    let skip_any = customizations.iter().any(|tc| {
                        tc["doNotDeploy"] == true
                            && matches(tc, &cl.name, &plain(&cl.labels), groups)
                    });
                    assert_eq!(skip_first, skip_any, "{}: {}", b.name, cl.name);
                    let deployed = !skip_first
                        && reaches(&cl.workspace)
                        && targets
                            .iter()
                            .any(|t| matches(t, &cl.name, &plain(&cl.labels), groups));
                    let expected = env.is_none_or(|e| cl.environment == e)
                        && app.clusters.binary_search(&c).is_ok();
                    assert_eq!(
                        deployed, expected,
                        "{}: GitRepo {repo_name} on {}: Fleet deploys {deployed}, fleetc says {expected}",
                        b.name, cl.name
                    );
                    if !deployed {
                        continue;
                    }
                    pairs += 1;
                    let picked = customizations
                        .iter()
                        .find(|tc| matches(tc, &cl.name, &plain(&cl.labels), groups))
                        .map(|tc| tc["name"].as_str().unwrap().to_owned());
                    let says = app
                        .customizations
                        .iter()
                        .find(|cu| cu.clusters.contains(&c))
                        .map(|cu| fleet.scope_name(&cu.scope));
                    assert_eq!(
                        picked, says,
                        "{}: app {} on {}: Fleet picks {picked:?}, fleetc (explain) says {says:?}",
                        b.name, app.name, cl.name
                    );
                }
                // The live clusters the spec does not declare (`clusterInventory`): what Fleet
                // gives them by their live labels is what `explain` says.
                let live = fleet.inventory.iter().flat_map(|inv| inv.clusters.iter());
                for l in live.filter(|l| !l.declared_in(fleet)) {
                    let groups = by_ws.get(&l.workspace).unwrap_or(&no_groups);
                    let labels = plain(&l.labels);
                    let first = customizations
                        .iter()
                        .find(|tc| matches(tc, &l.object, &labels, groups));
                    let deployed = first.is_none_or(|tc| tc["doNotDeploy"] != true)
                        && reaches(&l.workspace)
                        && targets
                            .iter()
                            .any(|t| matches(t, &l.object, &labels, groups));
                    let a = fleet.apps.iter().position(|x| x.name == app.name).unwrap();
                    let expected = fleet
                        .apps_reaching(&l.workspace, &l.labels)
                        .iter()
                        .any(|x| x.index() == a)
                        && env.is_none_or(|e| {
                            l.labels
                                .get(&fleet.label_keys.environment)
                                .map(|v| v.as_str())
                                == Some(fleet.environments[e].name.as_str())
                        });
                    assert_eq!(
                        deployed, expected,
                        "{}: GitRepo {repo_name} on live {}: Fleet deploys {deployed}, fleetc says {expected}",
                        b.name, l.name
                    );
                    if deployed {
                        live_pairs += 1;
                        let picked = first.map(|tc| tc["name"].as_str().unwrap().to_owned());
                        let says = app
                            .customizations
                            .iter()
                            .find(|cu| fleet.scope_selector(&cu.scope).matches(&l.labels))
                            .map(|cu| fleet.scope_name(&cu.scope));
                        assert_eq!(
                            picked, says,
                            "{}: app {} on live {}",
                            b.name, app.name, l.name
                        );
                    }
                }
            }
        }
    }
    assert!(pairs > 20, "{pairs} app-cluster pairs checked");
    assert!(
        live_pairs > 0,
        "no live cluster of an inventory was checked"
    );
}

/// An app of `helmOp`: each environment's HelmOp becomes a Bundle with its `targets` and no
/// `targetRestrictions` (rancher/fleet v0.16.1
/// internal/cmd/controller/helmops/reconciler/helmop_controller.go:219-269), so a cluster gets
/// the bundle with the first target it matches, unless that one says `doNotDeploy`
/// (internal/cmd/controller/target/builder.go:91-140). The clusters and the customization
/// must be what fleetc says. Returns the app-cluster pairs checked.
fn helm_op_deploys_as_fleetc_says(
    b: &common::Built,
    fleet: &fleetc::model::Fleet,
    app: &fleetc::model::App,
    by_ws: &BTreeMap<String, BTreeMap<String, Value>>,
) -> usize {
    let no_groups = BTreeMap::new();
    let mut pairs = 0;
    for repo in &app.gitrepos {
        let op = yaml(&b.root.join(format!("fleet/helmops/{}.yaml", repo.name)));
        assert_eq!(op["kind"], "HelmOp");
        let targets = op["spec"]["targets"].as_array().unwrap();
        for (c, cl) in fleet.cluster_ids() {
            let groups = by_ws.get(&cl.workspace).unwrap_or(&no_groups);
            let first = if cl.workspace == app.workspace {
                targets
                    .iter()
                    .find(|t| matches(t, &cl.name, &plain(&cl.labels), groups))
            } else {
                None
            };
            let deployed = first.is_some_and(|t| t["doNotDeploy"] != true);
            let expected = cl.environment == repo.env && app.clusters.binary_search(&c).is_ok();
            assert_eq!(
                deployed, expected,
                "{}: HelmOp {} on {}: Fleet deploys {deployed}, fleetc says {expected}",
                b.name, repo.name, cl.name
            );
            if !deployed {
                continue;
            }
            pairs += 1;
            // A customization is written once per target (`<customization>--<target>`); the
            // targets themselves carry no prefix fleetc's customizations have.
            let picked = first
                .and_then(|t| t["name"].as_str())
                .filter(|n| {
                    ["env-", "sel-", "cluster-"]
                        .iter()
                        .any(|p| n.starts_with(p))
                })
                .map(|n| n.split("--").next().unwrap().to_owned());
            // The environment's own customization is written at the HelmOp's root (when it
            // changes only Helm options): no target carries it.
            let written = |n: &str| {
                targets.iter().any(|t| {
                    t["name"]
                        .as_str()
                        .is_some_and(|x| x == n || x.starts_with(&format!("{n}--")))
                })
            };
            let says = app
                .customizations
                .iter()
                .find(|cu| cu.clusters.contains(&c))
                .filter(|cu| {
                    let n = fleet.scope_name(&cu.scope);
                    written(&n) || {
                        // Then it is the environment's, and its values are the root's.
                        assert!(
                            matches!(cu.scope, fleetc::model::Scope::Env(_)),
                            "{}: {n} missing from HelmOp {}",
                            b.name,
                            repo.name
                        );
                        let root = &op["spec"]["helm"]["values"];
                        for (k, v) in &cu.full(&app.base).values {
                            assert_eq!(&root[k], v, "{}: {n}'s `{k}` at the root", b.name);
                        }
                        false
                    }
                })
                .map(|cu| fleet.scope_name(&cu.scope));
            assert_eq!(
                picked, says,
                "{}: app {} on {}: Fleet picks {picked:?}, fleetc (explain) says {says:?}",
                b.name, app.name, cl.name
            );
        }
    }
    pairs
}

/// What Fleet deploys from the committed tree of the Git repository `dir`: for every declared
/// cluster, each bundle it gets (GitRepo, path), the targetCustomization Fleet picks there and
/// the fleet.yaml it reads. The GitRepo and ClusterGroup objects are read from the branch (what
/// the bootstrap GitRepo applies), each fleet.yaml at its GitRepo's `revision`, or at the branch
/// when the GitRepo follows one: as Fleet's gitjob clones it.
fn deployed(dir: &Path, fleet: &fleetc::model::Fleet) -> BTreeMap<String, Vec<[String; 4]>> {
    let show = |rev: &str, path: &str| -> Option<String> {
        let o = std::process::Command::new("git")
            .args(["show", &format!("{rev}:{path}")])
            .current_dir(dir)
            .output()
            .unwrap();
        o.status
            .success()
            .then(|| String::from_utf8(o.stdout).unwrap())
    };
    let list = |sub: &str| -> Vec<Value> {
        common::git(dir, &["ls-tree", "--name-only", &format!("HEAD:{sub}")])
            .lines()
            .map(|f| serde_saphyr::from_str(&show("HEAD", &format!("{sub}/{f}")).unwrap()).unwrap())
            .collect()
    };
    let groups: BTreeMap<String, Value> = list("fleet/clustergroups")
        .into_iter()
        .map(|g| (g["metadata"]["name"].as_str().unwrap().to_owned(), g))
        .collect();
    let mut out: BTreeMap<String, Vec<[String; 4]>> = BTreeMap::new();
    for repo in list("fleet/gitrepos") {
        let spec = &repo["spec"];
        let rev = match spec["revision"].as_str() {
            Some(r) => r.to_owned(),
            None => spec["branch"].as_str().unwrap().to_owned(),
        };
        // Each bundle's directory and options file: `paths` with their fleet.yaml, or a
        // driven GitRepo's `bundles`.
        let pulls: Vec<(String, String)> = match spec["paths"].as_array() {
            Some(paths) => paths
                .iter()
                .map(|p| (p.as_str().unwrap().to_owned(), "fleet.yaml".to_owned()))
                .collect(),
            None => spec["bundles"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| {
                    (
                        e["base"].as_str().unwrap().to_owned(),
                        e.get("options")
                            .and_then(Value::as_str)
                            .unwrap_or("fleet.yaml")
                            .to_owned(),
                    )
                })
                .collect(),
        };
        for (path, options) in &pulls {
            let text = show(&rev, &format!("{path}/{options}"))
                .unwrap_or_else(|| panic!("{path}/{options} at {rev}"));
            let bundle: Value = serde_saphyr::from_str(&text).unwrap();
            let default = vec![serde_json::json!({"name": "default", "clusterGroup": "default"})];
            let targets = match bundle.get("overrideTargets") {
                Some(t) => t.as_array().unwrap(),
                None => spec["targets"].as_array().unwrap_or(&default),
            };
            for cl in &fleet.clusters {
                let targeted = targets
                    .iter()
                    .any(|t| matches(t, &cl.name, &plain(&cl.labels), &groups));
                if !targeted {
                    continue;
                }
                let picked = bundle["targetCustomizations"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find(|tc| matches(tc, &cl.name, &plain(&cl.labels), &groups))
                    .map_or("-", |tc| tc["name"].as_str().unwrap());
                out.entry(cl.name.clone()).or_default().push([
                    repo["metadata"]["name"].as_str().unwrap().to_owned(),
                    path.to_owned(),
                    picked.to_owned(),
                    text.clone(),
                ]);
            }
        }
    }
    out
}

/// Builds and commits; returns the commit.
fn build_and_commit(dir: &Path, message: &str) -> String {
    common::fleetc(&["build"], dir)
        .stderr_has("written, ")
        .run();
    common::git(dir, &["add", "--all"]);
    common::git(
        dir,
        &["commit", "--quiet", "--allow-empty", "--message", message],
    );
    common::git(dir, &["rev-parse", "HEAD"])
}

/// Every kind of change waits for a pinned environment's promotion: a merge that adds an app,
/// removes one, moves one's path, widens and narrows targets and changes values leaves every
/// production cluster exactly as it was (evaluated with Fleet's rules from the committed tree,
/// each fleet.yaml read at its GitRepo's revision), reaches staging (not pinned) at once, and
/// reaches production with its promotion. Fleet reads a GitRepo's paths at its `revision`
/// (rancher/fleet v0.16.1 `internal/cmd/controller/gitops/reconciler/gitjob.go:597-604`: the
/// clone job gets `--branch` when one is set, else `--revision`; fleetc never sets both).
#[test]
fn every_change_reaches_a_pinned_environment_only_with_its_promotion() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    common::pinned_example_repo(dir);
    let fleet = common::compile(dir).unwrap().fleet;
    let prod: Vec<String> = fleet
        .clusters
        .iter()
        .filter(|c| fleet.environments[c.environment].name == "production")
        .map(|c| c.name.clone())
        .collect();
    let of = |d: &BTreeMap<String, Vec<[String; 4]>>, clusters: &[String]| {
        clusters
            .iter()
            .map(|c| (c.clone(), d.get(c).cloned().unwrap_or_default()))
            .collect::<BTreeMap<_, _>>()
    };
    let before = deployed(dir, &fleet);
    let gitrepos = |dir: &Path| -> BTreeMap<String, Vec<u8>> {
        common::snapshot(&dir.join("fleet/gitrepos"))
            .into_iter()
            .filter(|(p, _)| p.ends_with("-production.yaml"))
            .collect()
    };
    let prod_gitrepos = gitrepos(dir);
    assert!(
        !prod.is_empty() && !prod_gitrepos.is_empty(),
        "the example has production clusters and GitRepos"
    );

    let spec = dir.join("fleetc.yaml");
    common::replace_data_pipeline(
        &spec,
        "  - name: cache\n    namespace: cache\n    source:\n      helm: {repo: https://charts.example.com, chart: cache, version: 1.0.0}\n    targets: [{environment: staging}, {environment: production}]\n\n",
    );
    common::edit(
        &spec,
        &[
            // Narrowed (us-east-1) and widened (ap-southeast-1) at once.
            (
                "      - environment: production\n        region: us-east-1",
                "      - environment: production\n        region: ap-southeast-1",
            ),
            // A new path.
            (
                "  - name: ingress-nginx\n    namespace: ingress-nginx\n",
                "  - name: ingress-nginx\n    namespace: ingress-nginx\n    path: infra/ingress-nginx\n",
            ),
            // A value.
            (
                "      - environment: production\n        replicas: 3",
                "      - environment: production\n        replicas: 5",
            ),
        ],
    );
    let merged = build_and_commit(dir, "change everything");
    let after = deployed(dir, &fleet);
    assert_eq!(
        of(&after, &prod),
        of(&before, &prod),
        "a merge changes nothing on production"
    );
    assert_eq!(
        gitrepos(dir),
        prod_gitrepos,
        "production's GitRepos are untouched"
    );
    let staging = ["staging-us-east-1".to_owned()];
    assert_ne!(
        of(&after, &staging),
        of(&before, &staging),
        "staging follows the branch"
    );
    common::fleetc(&["check"], dir)
        .stderr_has("generated files are up to date")
        .run();

    // Promotion: production now runs exactly what an unpinned production would.
    common::fleetc(
        &["pin", "--environment", "production", "--revision", &merged],
        dir,
    )
    .stderr_has(&format!("pinned `production` to revision {merged}"))
    .run();
    build_and_commit(dir, "promote production");
    let promoted = deployed(dir, &fleet);
    let prod_apps = |d: &BTreeMap<String, Vec<[String; 4]>>, c: &str| -> Vec<String> {
        d.get(c)
            .into_iter()
            .flatten()
            .map(|e| format!("{} {}", e[0], e[1]))
            .collect()
    };
    assert_eq!(
        prod_apps(&promoted, "prod-us-east-1"),
        [
            "cache-production bundles/cache",
            "ingress-nginx-production infra/ingress-nginx"
        ]
    );
    assert_eq!(
        prod_apps(&promoted, "prod-ap-southeast-1"),
        [
            "cache-production bundles/cache",
            "ingress-nginx-production infra/ingress-nginx",
            "web-production apps/web"
        ]
    );
    assert!(
        !promoted
            .values()
            .flatten()
            .any(|e| e[0].starts_with("data-pipeline"))
    );
    std::fs::write(dir.join("releases.yaml"), "").unwrap();
    build_and_commit(dir, "unpinned");
    assert_eq!(of(&deployed(dir, &fleet), &prod), of(&promoted, &prod));
}

/// A target on an opt-in label no declared cluster carries (W017) reaches no declared cluster,
/// but Fleet must still have a GitRepo carrying it wherever a cluster may opt in: in every
/// environment when it names none, in its own environment when it does. Fleet only evaluates a
/// target its bundle holds, and a bundle is made from a GitRepo
/// (internal/cmd/controller/target/builder.go:67-95).
#[test]
fn a_target_waiting_for_opt_in_clusters_is_in_the_gitrepos_they_will_need() {
    let dir = common::repo().join("tests/fixtures/err/W017-awaits-opt-in");
    let compiled = common::compile(&dir).unwrap();
    assert!(
        compiled
            .warnings
            .iter()
            .all(|w| w.code == fleetc::codes::Code::AwaitsOptIn),
        "{:?}",
        compiled.warnings
    );
    let app = compiled
        .fleet
        .apps
        .iter()
        .find(|a| a.name == "gpu-exporter")
        .unwrap();
    assert!(app.clusters.is_empty(), "no declared cluster opted in");
    let targets = |env: &str| -> Vec<Value> {
        let text = &compiled.files[&format!("fleet/gitrepos/gpu-exporter-{env}.yaml")];
        let doc: Value = serde_saphyr::from_str(text).unwrap();
        doc["spec"]["targets"].as_array().unwrap().clone()
    };
    // staging: only the target that names no environment.
    let staging = targets("staging");
    assert_eq!(staging.len(), 1, "{staging:?}");
    assert_eq!(staging[0]["clusterGroup"], "env-staging");
    assert_eq!(
        staging[0]["clusterSelector"]["matchLabels"]["monitoring.example.com/gpu-exporter"],
        "enabled"
    );
    // production: both.
    let production = targets("production");
    assert_eq!(production.len(), 2, "{production:?}");
    assert!(
        production
            .iter()
            .all(|t| t["clusterGroup"] == "env-production"),
        "{production:?}"
    );
}

/// Clusters that opt in later get what the spec says for them: the GitRepos stay once a declared
/// cluster carries the label, a ClusterGroup on an opt-in label can be targeted, the
/// environment's overrides (`doNotDeploy` too) reach them, and a target's environment is read
/// from all its criteria. Found by review against Fleet's matcher (builder.go:93-141).
#[test]
fn clusters_that_opt_in_later_get_what_the_spec_says() {
    const FIXTURE: &str = "tests/fixtures/err/W017-awaits-opt-in";
    let read = |dir: &std::path::Path, path: &str| std::fs::read_to_string(dir.join(path)).ok();
    // A declared cluster carrying the label: the staging GitRepo stays (no W017 either).
    let (code, d, dir) = common::build_copy(
        FIXTURE,
        &[(
            "  - {name: prod-1, environment: production, region: eu-west-1}",
            "  - {name: prod-1, environment: production, region: eu-west-1, labels: {monitoring.example.com/gpu-exporter: enabled}}",
        )],
    );
    assert_eq!(code, 0, "{d:?}");
    assert!(read(dir.path(), "fleet/gitrepos/gpu-exporter-staging.yaml").is_some());
    // The environment's doNotDeploy reaches clusters fleetc does not know: no W002, an entry.
    let (code, d, dir) = common::build_copy(
        FIXTURE,
        &[(
            "values: [ml, vision]}\n",
            "values: [ml, vision]}\n    overrides:\n      - {environment: staging, doNotDeploy: true}\n",
        )],
    );
    assert_eq!(code, 0, "{d:?}");
    assert!(!d.iter().any(|d| d["code"] == "fleetc::W002"), "{d:?}");
    let fleet_yaml = read(dir.path(), "bundles/gpu-exporter/fleet.yaml").unwrap();
    assert!(
        fleet_yaml.contains("- name: env-staging\n") && fleet_yaml.contains("doNotDeploy: true"),
        "{fleet_yaml}"
    );
    // A group on an opt-in label, targeted by name and through fleetc's environment group.
    let (code, d, dir) = common::build_copy(
        FIXTURE,
        &[
            (
                "optInLabels:",
                "clusterGroups:\n  - {name: exporters, selector: {matchLabels: {monitoring.example.com/gpu-exporter: enabled}}}\noptInLabels:",
            ),
            (
                "      - selector: {matchLabels: {monitoring.example.com/gpu-exporter: enabled}}\n",
                "      - clusterGroup: exporters\n      - {name: prod-only, clusterGroup: env-production, selector: {matchLabels: {team.example.com/owner: ml}}}\n",
            ),
        ],
    );
    assert_eq!(code, 0, "{d:?}");
    let staging = read(dir.path(), "fleet/gitrepos/gpu-exporter-staging.yaml").unwrap();
    assert!(staging.contains("clusterGroup: exporters"), "{staging}");
    assert!(!staging.contains("prod-only"), "{staging}");
    // NotIn and DoesNotExist on an opt-in label wait for nothing: no W017.
    let (code, d, _dir) = common::build_copy(
        FIXTURE,
        &[(
            "      - selector: {matchLabels: {monitoring.example.com/gpu-exporter: enabled}}\n",
            "      - selector: {matchExpressions: [{key: monitoring.example.com/gpu-exporter, operator: DoesNotExist}]}\n",
        )],
    );
    assert_eq!(code, 0, "{d:?}");
    let w017 = d.iter().filter(|d| d["code"] == "fleetc::W017").count();
    assert_eq!(
        w017, 1,
        "only the other app's `In` on team.example.com/owner: {d:?}"
    );
}

/// fleetc's `managed-by` label is not on the live groups when Fleet applies `fleet/` (Helm
/// overwrites it), so no group selector may use it; `name` only names selector overrides, and
/// selector-override names never run together in a customization's name.
#[test]
fn group_selectors_and_override_names_hold_on_a_live_fleet() {
    let (code, d, _dir) = common::build_copy(
        "tests/fixtures/ok/cluster-groups",
        &[(
            "        clusterGroupSelector: {matchLabels: {team: ml}}\n",
            "        clusterGroupSelector: {matchLabels: {app.kubernetes.io/managed-by: fleetc}}\n",
        )],
    );
    assert_eq!(code, 1);
    assert!(
        d.iter().any(|d| d["code"] == "fleetc::E012"
            && d["message"] == "no ClusterGroup has label `app.kubernetes.io/managed-by`"),
        "{d:?}"
    );
    let (code, d, _dir) = common::build_copy(
        "tests/fixtures/ok/cluster-groups",
        &[(
            "      - environment: production\n        values: {operator: {upgradeCRD: true}}",
            "      - environment: production\n        name: prod\n        values: {operator: {upgradeCRD: true}}",
        )],
    );
    assert_eq!(code, 1);
    assert!(
        d.iter()
            .any(|d| d["message"] == "`name` only names selector overrides"),
        "{d:?}"
    );
    let fleet = common::compile(&common::repo().join("tests/fixtures/ok/cluster-groups"))
        .unwrap()
        .fleet;
    let scope = fleetc::model::Scope::Selected {
        env: fleetc::model::EnvId::new(0),
        region: None,
        names: vec!["a".into(), "b".into()],
        selector: Default::default(),
    };
    assert_eq!(fleet.scope_name(&scope), "sel-a+b-staging");
}

/// An app of a shared GitRepo follows the branch everywhere, pinned environments included:
/// Fleet reads its fleet.yaml at the branch, so a merge changes it on production at once, and
/// `diff` says so (not "waiting for promote"), with W018 naming the gate it passes.
#[test]
fn a_shared_gitrepo_reaches_a_pinned_environment_at_merge_and_diff_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    common::pinned_example_repo(dir);
    let spec = dir.join("fleetc.yaml");
    common::replace_data_pipeline(
        &spec,
        "  - name: cache\n    namespace: cache\n    gitRepo: platform\n    source:\n      helm: {repo: https://charts.example.com, chart: cache, version: 1.0.0}\n    targets: [{environment: staging}, {environment: production}]\n\n",
    );
    common::edit(
        &spec,
        &[("\ngitlab:", "\ngitRepos:\n  - name: platform\ngitlab:")],
    );
    // Production acknowledges W018: the team chose this for the cache.
    let text = std::fs::read_to_string(&spec).unwrap();
    let text = text.replacen(
        "    acknowledge: [W012]\n",
        "    acknowledge: [W012, W018]\n",
        1,
    );
    std::fs::write(&spec, text).unwrap();
    build_and_commit(dir, "cache from a shared GitRepo");
    let fleet = common::compile(dir).unwrap().fleet;
    let before = deployed(dir, &fleet);
    let cache_on = |d: &BTreeMap<String, Vec<[String; 4]>>, c: &str| -> Option<String> {
        d.get(c)?
            .iter()
            .find(|e| e[1] == "bundles/cache")
            .map(|e| e[3].clone())
    };
    assert!(cache_on(&before, "prod-us-east-1").is_some(), "{before:?}");
    common::edit(
        &spec,
        &[(
            "    gitRepo: platform\n",
            "    gitRepo: platform\n    values: {tier: fast}\n",
        )],
    );
    build_and_commit(dir, "tune the cache");
    let after = deployed(dir, &fleet);
    assert_ne!(
        cache_on(&after, "prod-us-east-1"),
        cache_on(&before, "prod-us-east-1"),
        "Fleet reads the shared bundle at the branch on production too"
    );
    let o = common::fleetc(&["diff", "--base", "HEAD~1"], dir)
        .stdout_read("the change's clusters")
        .run();
    let out = String::from_utf8(o.stdout).unwrap();
    let line = out
        .lines()
        .find(|l| l.trim_start().starts_with("cache:"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(line.contains("prod-us-east-1"), "{out}");
    // (The data pipeline's removal, from the first commit, still waits for production.)
    let waiting = out
        .split("waiting for promote:")
        .nth(1)
        .and_then(|w| w.split("\n\n").next())
        .unwrap_or_default();
    assert!(!waiting.contains("cache"), "{out}");
}

/// A HelmOp app keeps the promotion gate: a pinned environment's HelmOp is written from the
/// spec at its pin, as its GitRepo would be, so a new chart version reaches staging at merge
/// and production only with its promotion.
#[test]
fn a_pinned_environment_keeps_its_helm_op_until_promoted() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    common::copy_dir(&common::repo().join("tests/fixtures/ok/helm-ops"), dir);
    common::fleetc(&["build"], dir)
        .stderr_has(" written, 0 removed")
        .run();
    let first = common::first_commit(dir);
    common::fleetc(
        &["pin", "--environment", "production", "--revision", &first],
        dir,
    )
    .stderr_has("pinned `production`")
    .run();
    common::edit(
        &dir.join("fleetc.yaml"),
        &[("version: 2.3.1", "version: 2.4.0")],
    );
    common::fleetc(&["build"], dir)
        .stderr_has(" written, 0 removed")
        .run();
    let version = |env: &str| {
        let v = yaml(&dir.join(format!("fleet/helmops/node-agent-{env}.yaml")));
        v["spec"]["helm"]["version"].as_str().unwrap().to_owned()
    };
    assert_eq!(version("staging"), "2.4.0");
    assert_eq!(version("production"), "2.3.1");
}

/// A cluster a pinned environment's spec does not declare (declared later, or moved) gets what
/// Fleet gives its labels: not an app whose first matching customization says `doNotDeploy`
/// (rancher/fleet v0.16.1 internal/cmd/controller/target/builder.go:91-140).
#[test]
fn an_undeclared_cluster_is_kept_off_where_fleet_keeps_it_off() {
    let dir = common::repo().join("tests/fixtures/ok/cluster-groups");
    let compiled = common::compile(&dir).unwrap();
    let fleet = &compiled.fleet;
    let c = fleet.cluster_named("prod-gpu-2").unwrap();
    let labels = fleet.clusters[c].labels.clone();
    let running = fleetc::diff::pinned_on(fleet, "production", &[("prod-gpu-2-rebuilt", &labels)]);
    let apps: Vec<&str> = running
        .keys()
        .filter(|(_, cl)| cl == "prod-gpu-2-rebuilt")
        .map(|(a, _)| a.as_str())
        .collect();
    assert!(!apps.is_empty(), "the cluster runs something: {running:?}");
    assert!(!apps.contains(&"gpu-operator"), "{apps:?}");
}

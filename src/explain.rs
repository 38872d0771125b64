//! `fleetc explain cluster <name>` and `fleetc explain app <name>`: what reaches one cluster, or
//! where one app goes, with the customization Fleet picks under first-match, the effective
//! settings, the agent and its KUBE_CONTEXT, and the spec line each comes from.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::load::SpanIndex;
use crate::model::{App, AppSource, ClusterId, EnvId, Fleet, Settings};
use crate::pointer::Ptr;
use crate::promotion::Pinned;
use crate::report::line_col;
use crate::spec::{Promotion, Quantity};

/// Where things are: the spec's name, text and spans.
pub struct Spec<'a> {
    /// The spec's name, as headers show it.
    pub name: &'a str,
    /// Its text.
    pub text: &'a str,
    /// Its spans.
    pub index: &'a SpanIndex,
}

impl Spec<'_> {
    fn at(&self, ptr: &Ptr) -> String {
        let (line, _) = line_col(self.text, self.index.nearest(ptr).start);
        format!("{}:{line}", self.name)
    }
}

/// Everything that reaches cluster `name` as it runs now, or `None` if there is no such cluster.
/// A cluster of a pinned environment runs the spec at the environment's revision: that is what
/// is explained (its lines point into `<spec>@<commit>`), followed by what the branch changes
/// there with the next promotion. A cluster that spec does not declare in that environment
/// (declared or moved since) is explained from the branch, with the apps Fleet gives its labels
/// from the pinned GitRepos.
pub fn cluster_running(
    fleet: &Fleet,
    pinned: &Pinned,
    spec: &Spec<'_>,
    name: &str,
) -> Option<String> {
    let Some(c) = fleet.cluster_named(name) else {
        return live_cluster(fleet, name);
    };
    let cl = &fleet.clusters[c];
    let env = &fleet.environments[cl.environment].name;
    let Some(at) = pinned.env(env) else {
        return cluster(fleet, spec, name);
    };
    let short = crate::promotion::short(&at.revision);
    let declared = at
        .fleet
        .cluster_named(name)
        .is_some_and(|c| at.fleet.environments[at.fleet.clusters[c].environment].name == *env);
    let mut out = if declared {
        let at_spec = Spec {
            name: &at.source.name,
            text: &at.source.text,
            index: &at.index,
        };
        let mut out = cluster(&at.fleet, &at_spec, name)?;
        let _ = writeln!(
            out,
            "\n  {env} runs {short} (releases.yaml); the lines above are the spec at that commit"
        );
        out
    } else {
        let mut out = cluster(fleet, spec, name)?;
        let runs: Vec<String> =
            crate::diff::pinned_on(&at.fleet, env, &[(cl.name.as_str(), &cl.labels)])
                .into_keys()
                .map(|(app, _)| app)
                .collect();
        let _ = writeln!(
            out,
            "\n  {env} runs {short} (releases.yaml), which does not declare this cluster there: the lines above are the branch's; by its labels, that commit's GitRepos give it {}",
            if runs.is_empty() {
                "no app".to_owned()
            } else {
                runs.join(", ")
            }
        );
        out
    };
    let waiting: Vec<(String, String)> = crate::diff::waiting(fleet, pinned)
        .remove(env.as_str())
        .unwrap_or_default()
        .into_iter()
        .filter(|c| c.clusters.iter().any(|c| c == name))
        .map(|c| (c.app, c.what))
        .collect();
    if waiting.is_empty() {
        let _ = writeln!(out, "  the branch changes nothing here");
    } else {
        let _ = writeln!(out, "  waiting for promote:{env}");
        for (app, what) in waiting {
            let _ = writeln!(out, "    {app}: {what}");
        }
    }
    Some(out)
}

/// Everything that reaches cluster `name` as `fleet` describes it, or `None` if there is no such
/// cluster.
pub fn cluster(fleet: &Fleet, spec: &Spec<'_>, name: &str) -> Option<String> {
    let c = fleet.cluster_named(name)?;
    let cl = &fleet.clusters[c];
    let env = &fleet.environments[cl.environment];
    let mut out = String::new();
    row(
        &mut out,
        0,
        &format!("cluster {}", cl.name),
        &spec.at(&fleet.cluster_ptr(c).key("name")),
    );
    let promotion = match env.promotion {
        Promotion::Automatic => "automatic",
        Promotion::Manual => "manual",
    };
    row(
        &mut out,
        2,
        &format!(
            "environment  {} (tier {:?}, {promotion} promotion)",
            env.name, env.tier
        )
        .to_lowercase(),
        &spec.at(&fleet.env_ptr(cl.environment).key("name")),
    );
    row(
        &mut out,
        2,
        &format!("region       {}", cl.region),
        &spec.at(&fleet.cluster_ptr(c).key("region")),
    );
    let labels: Vec<String> = cl.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    row(
        &mut out,
        2,
        &format!("labels       {}", labels.join(", ")),
        "",
    );
    match (cl.agent, fleet.gitlab.as_ref().zip(cl.registration)) {
        (Some(a), Some((side, reg))) => row(
            &mut out,
            2,
            &format!(
                "agent        {} (policy {}), KUBE_CONTEXT {}",
                side.agents[reg].name,
                fleet.agents[a].name,
                side.kube_context(reg)
            ),
            &spec.at(&fleet.agent_ptr(a).key("name")),
        ),
        (Some(a), None) => row(
            &mut out,
            2,
            &format!("agent        {}", fleet.agents[a].name),
            &spec.at(&fleet.agent_ptr(a).key("name")),
        ),
        (None, _) => row(&mut out, 2, "agent        none", ""),
    }
    // Fleet holds every change for a scheduled cluster outside its windows
    // (rancher/fleet v0.16.1 internal/cmd/controller/target/target.go:71).
    for s in fleet.schedules.iter().filter(|s| s.clusters.contains(&c)) {
        let tz = s
            .location
            .as_deref()
            .unwrap_or("the controller's time zone");
        row(
            &mut out,
            2,
            &format!(
                "window       {} for {} ({tz}), Schedule {}: changes wait for it",
                s.cron, s.duration, s.name
            ),
            &spec.at(&Ptr::item("schedules", s.origin).key("name")),
        );
    }
    let apps: Vec<(usize, &App)> = fleet
        .apps
        .iter()
        .enumerate()
        .filter(|(_, a)| a.clusters.binary_search(&c).is_ok())
        .collect();
    if apps.is_empty() {
        out.push_str("\n  no app targets this cluster\n");
    }
    for (i, app) in apps {
        out.push('\n');
        app_on_cluster(&mut out, fleet, spec, i, app, c);
    }
    Some(out)
}

/// Where app `name` goes and what each group of clusters gets, or `None` if there is no such app.
/// A pinned environment gets the app as the spec at its revision says: its bundle line comes
/// from there, followed by what waits for the environment's promotion.
pub fn app(fleet: &Fleet, pinned: &Pinned, spec: &Spec<'_>, name: &str) -> Option<String> {
    let Some(i) = fleet.apps.iter().position(|a| a.name == name) else {
        // Removed on the branch, but still running where an environment is pinned.
        if !pinned
            .revisions
            .iter()
            .any(|at| at.fleet.apps.iter().any(|a| a.name == name))
        {
            return None;
        }
        let mut out =
            format!("app {name} (not in the branch's spec: removed with the next promotion)\n");
        pinned_lines(&mut out, fleet, pinned, name);
        return Some(out);
    };
    let app = &fleet.apps[i];
    let mut out = String::new();
    row(
        &mut out,
        0,
        &format!("app {}", app.name),
        &spec.at(&Ptr::item("apps", i).key("name")),
    );
    let unpinned = |e: EnvId| pinned.env(&fleet.environments[e].name).is_none();
    header_lines(&mut out, fleet, app, &unpinned, 2);
    pinned_lines(&mut out, fleet, pinned, &app.name);
    if !pinned.envs.is_empty() {
        let _ = writeln!(
            out,
            "  on the branch (what pinned environments get with their promotion):"
        );
    }
    for (j, t) in app.targets.iter().enumerate() {
        let n = fleet
            .clusters
            .iter()
            .filter(|c| t.matcher.matches(&c.labels))
            .count();
        let waits = if t.awaits_opt_in {
            ", and those that opt in"
        } else {
            ""
        };
        row(
            &mut out,
            2,
            &format!("target       {} ({n} clusters{waits})", t.name),
            &spec.at(&Ptr::item("apps", i).key("targets").index(j)),
        );
    }
    let _ = writeln!(out, "  reaches      {} clusters", app.clusters.len());
    if let Some(inv) = &fleet.inventory {
        let live: Vec<&str> = inv
            .clusters
            .iter()
            .filter(|l| !l.declared_in(fleet))
            .filter(|l| {
                fleet
                    .apps_reaching(&l.workspace, &l.labels)
                    .iter()
                    .any(|a| a.index() == i)
            })
            .map(|l| l.name.as_str())
            .collect();
        if !live.is_empty() {
            let _ = writeln!(
                out,
                "  and live     {} clusters the spec does not declare ({}): {}",
                live.len(),
                inv.path,
                crate::suggest::short_list(&live, 6)
            );
        }
    }
    let mut taken = vec![false; fleet.clusters.len()];
    for cu in &app.customizations {
        for &c in &cu.clusters {
            taken[c.index()] = true;
        }
        customization_header(&mut out, fleet, cu);
        if cu.excludes() {
            let _ = writeln!(out, "    doNotDeploy  these clusters do not get the app");
            continue;
        }
        settings_lines(&mut out, spec, app, &cu.full(&app.base), 4);
    }
    let rest: Vec<&str> = app
        .clusters
        .iter()
        .filter(|c| !taken[c.index()])
        .map(|c| fleet.clusters[*c].name.as_str())
        .collect();
    if !rest.is_empty() {
        let _ = writeln!(
            out,
            "\n  no customization (the app's own settings) → {}",
            crate::suggest::short_list(&rest, 6)
        );
        settings_lines(&mut out, spec, app, &app.base, 4);
    }
    Some(out)
}

/// Where override `o` of app `name` (`apps[a]` in the spec) takes effect: each customization
/// Fleet picks in which a setting still comes from it (a narrower override may replace it), with
/// those settings and the clusters; `None` when there is no such app.
pub fn override_effect(
    fleet: &Fleet,
    spec: &Spec<'_>,
    name: &str,
    a: usize,
    o: usize,
) -> Option<String> {
    let i = fleet.apps.iter().position(|x| x.name == name)?;
    let app = &fleet.apps[i];
    let prefix = format!(
        "{}/",
        Ptr::item("apps", a).key("overrides").index(o).as_str()
    );
    let mut out = String::new();
    row(
        &mut out,
        0,
        &format!("override #{} of app {}", o + 1, app.name),
        &spec.at(&Ptr::item("apps", a).key("overrides").index(o)),
    );
    let mut any = false;
    for cu in &app.customizations {
        let full = cu.full(&app.base);
        let mine: BTreeSet<String> = full
            .origins
            .iter()
            .filter(|(_, origin)| {
                matches!(origin, crate::model::Origin::Spec(p) if format!("{}/", p.as_str()).starts_with(&prefix))
            })
            .map(|(k, _)| crate::model::dotted(k))
            .collect();
        // Clusters kept off the app take nothing from an override but the `doNotDeploy` itself.
        if mine.is_empty() || (cu.excludes() && !mine.contains("deploy.doNotDeploy")) {
            continue;
        }
        any = true;
        customization_header(&mut out, fleet, cu);
        if cu.excludes() {
            let _ = writeln!(out, "    doNotDeploy  these clusters do not get the app");
            continue;
        }
        let _ = writeln!(
            out,
            "    from this override: {}",
            mine.into_iter().collect::<Vec<_>>().join(", ")
        );
        settings_lines(&mut out, spec, app, &full, 4);
    }
    if !any {
        let _ = writeln!(
            out,
            "\n  takes effect nowhere: no cluster is in its scope, or narrower overrides set everything it sets"
        );
    }
    Some(out)
}

/// `customization env-production → prod-us-east-1, …`: a customization and the clusters that get
/// it under first match.
fn customization_header(out: &mut String, fleet: &Fleet, cu: &crate::model::Customization) {
    let names: Vec<&str> = cu
        .clusters
        .iter()
        .map(|c| fleet.clusters[*c].name.as_str())
        .collect();
    let reaches = if names.is_empty() {
        "no declared cluster (for clusters that join or opt in later)".to_owned()
    } else {
        crate::suggest::short_list(&names, 6)
    };
    let _ = writeln!(
        out,
        "\n  customization {} → {reaches}",
        fleet.scope_name(&cu.scope)
    );
}

fn app_on_cluster(
    out: &mut String,
    fleet: &Fleet,
    spec: &Spec<'_>,
    i: usize,
    app: &App,
    c: ClusterId,
) {
    row(
        out,
        2,
        &format!("app {}", app.name),
        &spec.at(&Ptr::item("apps", i).key("name")),
    );
    let env = fleet.clusters[c].environment;
    header_lines(out, fleet, app, &|e| e == env, 4);
    let cl = &fleet.clusters[c];
    if let Some((j, t)) = app
        .targets
        .iter()
        .enumerate()
        .find(|(_, t)| t.matcher.matches(&cl.labels))
    {
        row(
            out,
            4,
            &format!("targeted by  {}", t.name),
            &spec.at(&Ptr::item("apps", i).key("targets").index(j)),
        );
    }
    let options = app.bundle.described();
    if !options.is_empty() {
        let _ = writeln!(out, "    options      {}", options.join(", "));
    }
    if let Some(rollout) = &app.bundle.rollout {
        let at = Ptr::item("apps", i).key("rolloutStrategy");
        let mine = app.bundle.partitions_of(c);
        if rollout.partitions.is_empty() {
            row(
                out,
                4,
                "rollout      Fleet's automatic partitions",
                &spec.at(&at),
            );
        }
        for (n, p) in mine {
            row(
                out,
                4,
                &format!(
                    "rollout      partition `{}` ({} of {})",
                    p.name,
                    n + 1,
                    rollout.partitions.len()
                ),
                &spec.at(&at.key("partitions").index(n)),
            );
        }
    }
    let picked = app.customization_on(c);
    let settings = app.settings_under(picked);
    match picked {
        Some(cu) => {
            let _ = writeln!(
                out,
                "    Fleet picks  targetCustomization `{}`",
                fleet.scope_name(&cu.scope)
            );
        }
        None => {
            let _ = writeln!(
                out,
                "    Fleet picks  no targetCustomization (the app's own settings)"
            );
        }
    }
    settings_lines(out, spec, app, &settings, 4);
}

/// For each pinned environment: the app's bundle there as the pinned commit has it, and what
/// the branch changes there with the next promotion.
fn pinned_lines(out: &mut String, fleet: &Fleet, pinned: &Pinned, name: &str) {
    let waiting = crate::diff::waiting(fleet, pinned);
    for (env, &r) in &pinned.envs {
        let at = &pinned.revisions[r];
        let _ = writeln!(
            out,
            "  {env} runs {} (releases.yaml):",
            crate::promotion::short(&at.revision)
        );
        let e = at.fleet.environment_named(env);
        match at.fleet.apps.iter().find(|a| a.name == name) {
            Some(old) if old.gitrepos.iter().any(|r| Some(r.env) == e) => {
                header_lines(out, &at.fleet, old, &|x| Some(x) == e, 4);
            }
            _ => {
                let _ = writeln!(out, "    not deployed there at that commit");
            }
        }
        let changes: Vec<&crate::diff::Change> = waiting
            .get(env.as_str())
            .into_iter()
            .flatten()
            .filter(|c| c.app == name)
            .collect();
        if changes.is_empty() {
            let _ = writeln!(out, "    the branch changes nothing there");
        }
        for c in changes {
            let _ = writeln!(
                out,
                "    waiting for promote:{env}: {} on {}",
                c.what,
                crate::suggest::short_list(&c.clusters, 6)
            );
        }
    }
}

/// A cluster of the live fleet (`clusterInventory`) the spec does not declare: the apps Fleet
/// gives it by its live labels.
fn live_cluster(fleet: &Fleet, name: &str) -> Option<String> {
    let inv = fleet.inventory.as_ref()?;
    let live = inv.clusters.iter().find(|l| l.name == name)?;
    let mut out = format!(
        "cluster {name} (not declared in the spec; live in {}, Fleet Cluster {}/{})\n",
        inv.path, live.workspace, live.object
    );
    let labels: Vec<String> = live
        .labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let _ = writeln!(out, "  labels       {}", labels.join(", "));
    let apps = fleet.apps_reaching(&live.workspace, &live.labels);
    if apps.is_empty() {
        let _ = writeln!(out, "  no app of the spec reaches it");
    }
    for a in apps {
        let app = &fleet.apps[a];
        let picked = fleet
            .customization_for(app, &live.labels)
            .map_or("none (the app's own settings)".to_owned(), |c| {
                format!("targetCustomization `{}`", fleet.scope_name(&c.scope))
            });
        let _ = writeln!(out, "\n  app {}\n    Fleet picks  {picked}", app.name);
    }
    Some(out)
}

/// The app's bundles (one per environment, or only that of `env`), what each GitRepo pulls, its
/// namespace and source.
fn header_lines(
    out: &mut String,
    fleet: &Fleet,
    app: &App,
    envs: &dyn Fn(EnvId) -> bool,
    indent: usize,
) {
    let pad = " ".repeat(indent);
    for repo in app.gitrepos.iter().filter(|r| envs(r.env)) {
        let pulls = match &fleet.environments[repo.env].revision {
            Some(rev) => format!("revision {} (releases.yaml)", crate::promotion::short(rev)),
            None => format!("branch {} (not promoted yet)", fleet.branch),
        };
        if app.helm_op.is_some() {
            // The HelmOp object holds the bundle, written from the spec at the pin.
            let _ = writeln!(
                out,
                "{pad}bundle       {} (HelmOp {}, the chart from its repository, options of the spec at {pulls})",
                repo.bundle, repo.name
            );
            continue;
        }
        let _ = writeln!(
            out,
            "{pad}bundle       {} (GitRepo {}, path {}, {pulls})",
            repo.bundle, repo.name, app.repo_dir
        );
    }
    if let Some(s) = &app.shared {
        let g = &fleet.git_repos[s.repo];
        let pulls = match (&g.revision, &g.branch) {
            (Some(rev), _) => format!("revision {rev}"),
            (None, Some(b)) => format!("branch {b}, every environment at once"),
            (None, None) => String::new(),
        };
        let _ = writeln!(
            out,
            "{pad}bundle       {} (shared GitRepo {}, {} {}{}, {pulls})",
            s.bundle,
            g.name,
            if g.driven { "bundle" } else { "path" },
            app.repo_dir,
            s.options
                .as_ref()
                .map(|o| format!(" with options {o}"))
                .unwrap_or_default()
        );
    }
    let _ = writeln!(out, "{pad}namespace    {}", app.namespace);
    match &app.source {
        AppSource::Kustomize {
            base, release_name, ..
        } => {
            let _ = writeln!(
                out,
                "{pad}source       kustomize base {}/{base}, release {release_name}",
                app.bundle_dir
            );
        }
        AppSource::Manifests {
            workload,
            release_name,
        } => {
            let w = workload
                .as_ref()
                .map(|w| format!(", workload {} in {}", w.workload.name, w.file))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "{pad}source       raw YAML in {}{w}, release {release_name}",
                app.bundle_dir
            );
        }
        AppSource::Helm(h) => {
            let version = h.version.as_deref().unwrap_or("local");
            let _ = writeln!(
                out,
                "{pad}source       Helm chart {} {version}, release {}",
                h.chart, h.release_name
            );
        }
    }
}

/// The effective settings, one per line, each with the spec line (or file) that set it.
fn settings_lines(out: &mut String, spec: &Spec<'_>, app: &App, s: &Settings, indent: usize) {
    let from = |key: &str| match s.origins.get(key) {
        Some(crate::model::Origin::Spec(p)) => spec.at(p),
        Some(crate::model::Origin::File(file)) => (*file).to_owned(),
        None => String::new(),
    };
    if let Some(r) = s.replicas {
        row(out, indent, &format!("replicas     {r}"), &from("replicas"));
    }
    for img in &app.images {
        if let Some(tag) = s.tags.get(&img.name) {
            let name = img.new_name.as_deref().unwrap_or(&img.name);
            row(
                out,
                indent,
                &format!("image        {name}:{tag}"),
                &from(&format!("images/{}", img.name)),
            );
        }
    }
    if let Some(r) = &s.resources {
        for (kind, map) in [("requests", &r.requests), ("limits", &r.limits)] {
            for (k, v) in map {
                let v = match v {
                    Quantity::Text(t) => t.clone(),
                    Quantity::Number(n) => n.to_string(),
                };
                row(
                    out,
                    indent,
                    &format!("resources    {kind}.{k}={v}"),
                    &from(&format!("resources/{kind}/{k}")),
                );
            }
        }
    }
    let mut leaves = Vec::new();
    crate::model::value_leaves(
        &serde_json::Value::Object(s.values.clone()),
        Ptr::root(),
        &mut leaves,
    );
    for leaf in leaves {
        let value = serde_json::Value::Object(s.values.clone())
            .pointer(&leaf)
            .cloned()
            .unwrap_or_default();
        let dotted = crate::model::dotted(&leaf);
        row(
            out,
            indent,
            &format!("values       {dotted}={value}"),
            &from(&format!("values{leaf}")),
        );
    }
    let deploy = s.deploy.described();
    if !deploy.is_empty() {
        let _ = writeln!(
            out,
            "{}deploy       {}",
            " ".repeat(indent),
            deploy.join(", ")
        );
    }
    for (key, _, text) in s.helm.described() {
        row(out, indent, &format!("helm         {text}"), &from(&key));
    }
    for (n, p) in s.patches.iter().enumerate() {
        let target = p
            .target
            .as_ref()
            .map(|t| {
                format!(
                    " on {}/{}",
                    t.kind.as_deref().unwrap_or("*"),
                    t.name.as_deref().unwrap_or("*")
                )
            })
            .unwrap_or_default();
        row(
            out,
            indent,
            &format!("patch        #{}{target}", n + 1),
            &from(&format!("patches/{n}")),
        );
    }
    for f in s.files.keys() {
        row(
            out,
            indent,
            &format!("file         {f} replaced"),
            &from(&format!("files/{f}")),
        );
    }
}

fn row(out: &mut String, indent: usize, text: &str, at: &str) {
    let line = format!("{}{text}", " ".repeat(indent));
    if at.is_empty() {
        let _ = writeln!(out, "{line}");
    } else {
        let _ = writeln!(out, "{line:<72} {at}");
    }
}

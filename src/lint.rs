//! Stage 3, lint: warnings about a valid fleet that probably does not do what was meant.
//! Runs only when resolution found no errors, so its findings are never echoes of one.

use crate::diagnostic::{Code, Diagnostic};
use crate::load::SpanIndex;
use crate::model::Fleet;
use crate::pointer::Ptr;
use crate::spec::{Promotion, Tier};

/// Every lint finding for `fleet`.
pub fn lint(fleet: &Fleet, ix: &SpanIndex) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    untargeted_clusters(fleet, ix, &mut out);
    dependencies_not_colocated(fleet, ix, &mut out);
    production_without_gate(fleet, ix, &mut out);
    drifting_dependencies(fleet, ix, &mut out);
    ungated_environments(fleet, ix, &mut out);
    shared_past_gate(fleet, ix, &mut out);
    inventory_drift(fleet, ix, &mut out);
    credentials_reach_no_chart(fleet, ix, &mut out);
    overlapping_schedules(fleet, ix, &mut out);
    polling_past_gate(fleet, ix, &mut out);
    yaml11_booleans(ix, &mut out);
    out
}

/// W026: `enabled: no` in Helm values, which the spec's YAML 1.2 keeps as the string "no" while
/// a values.yaml read by Helm (YAML 1.1, go-yaml) gives the chart `false`.
fn yaml11_booleans(ix: &SpanIndex, out: &mut Vec<Diagnostic>) {
    for (ptr, span) in ix.yaml11_booleans() {
        let segs: Vec<&str> = ptr.split('/').skip(1).collect();
        let in_values = matches!(
            segs.as_slice(),
            ["apps", _, "values", _, ..] | ["apps", _, "overrides", _, "values", _, ..]
        );
        if !in_values {
            continue;
        }
        let text = ix.source(span);
        let boolean = crate::load::yaml11_boolean(text).unwrap_or_default();
        out.push(
            Diagnostic::new(
                Code::Yaml11Boolean,
                format!(
                    "`{}` is the string \"{text}\" in Helm values, not `{boolean}`",
                    crate::load::display_ptr(ptr)
                ),
            )
            .label(
                span.clone(),
                format!("a string here; in a values.yaml Helm would read `{boolean}`"),
            )
            .help(format!(
                "write `{boolean}` for the boolean, or quote it (`\"{text}\"`) to keep the string"
            )),
        );
    }
}

/// W022: a HelmOp that Fleet polls for newer charts reaches a gated environment: the new chart
/// arrives without a promotion (polling_job.go:159 updates the Bundle's version).
fn polling_past_gate(fleet: &Fleet, ix: &SpanIndex, out: &mut Vec<Diagnostic>) {
    for (a, app) in fleet.apps.iter().enumerate() {
        if !app.helm_op.as_ref().is_some_and(|op| op.polls) {
            continue;
        }
        for repo in &app.gitrepos {
            let env = &fleet.environments[repo.env];
            let gated = env.promotion == Promotion::Manual || env.tier == Tier::Production;
            if !gated || env.acknowledged.contains(&Code::PollingPastGate) {
                continue;
            }
            out.push(
                Diagnostic::new(
                    Code::PollingPastGate,
                    format!(
                        "`{}` takes new chart releases in `{}` without a promotion",
                        app.name, env.name
                    ),
                )
                .label(
                    ix.nearest(&Ptr::item("apps", a).key("helmOp").key("pollingInterval")),
                    "Fleet polls the chart repository and updates the bundle itself",
                )
                .label(ix.nearest(&fleet.env_ptr(repo.env).key("name")), "promoted by hand")
                .help(format!(
                    "pin an exact `version` (promoted like any change), remove `pollingInterval`, or add `acknowledge: [W022]` to `{}`",
                    env.name
                )),
            );
        }
    }
}

/// W021: a cluster two Schedules hold whose windows can be open at once. Each Schedule opens
/// and closes its clusters on its own, so one closing ends the other's open window
/// (rancher/fleet v0.16.1 internal/cmd/controller/reconciler/cronduration_job.go:206-263);
/// windows that never meet simply add up (weeknights in one Schedule, Saturdays in another).
/// Openings are compared over the next 28 years; a schedule opening more often than a million
/// times in that time is taken to meet any other.
fn overlapping_schedules(fleet: &Fleet, ix: &SpanIndex, out: &mut Vec<Diagnostic>) {
    let today = jiff::tz::TimeZone::UTC
        .to_datetime(jiff::Timestamp::now())
        .date();
    let openings: Vec<Option<Vec<i64>>> = fleet
        .schedules
        .iter()
        .map(|s| s.parsed.openings(&s.tz, today, 28, 1_000_000))
        .collect();
    for (j, later) in fleet.schedules.iter().enumerate() {
        for (k, earlier) in fleet.schedules[..j].iter().enumerate() {
            if let (Some(a), Some(b)) = (&openings[k], &openings[j])
                && !crate::quartz::windows_overlap(
                    a,
                    earlier.duration.seconds() as i64,
                    b,
                    later.duration.seconds() as i64,
                )
            {
                continue;
            }
            let both: Vec<&str> = later
                .clusters
                .iter()
                .filter(|c| earlier.clusters.contains(c))
                .map(|&c| fleet.clusters[c].name.as_str())
                .collect();
            let Some(first) = both.first() else { continue };
            let more = match both.len() {
                1 => String::new(),
                n => format!(" and {} more", n - 1),
            };
            out.push(
                Diagnostic::new(
                    Code::OverlappingSchedules,
                    format!(
                        "`{first}`{more} is held by Schedules `{}` and `{}`, whose windows meet",
                        earlier.name, later.name
                    ),
                )
                .label(
                    ix.nearest(&Ptr::item("schedules", later.origin).key("targets")),
                    "these targets",
                )
                .label(
                    ix.nearest(&Ptr::item("schedules", earlier.origin).key("targets")),
                    "overlap these",
                )
                .help("the first window to close closes the other's too: give each cluster one Schedule"),
            );
        }
    }
}

/// W016: `helmRepoURLRegex` matches none of the spec's remote charts, so the Helm credentials
/// go nowhere. Fleet 0.16 (and 0.13.11, 0.14.6, 0.15.2) anchors the regex at the start of the
/// chart's repository URL (or of the chart URL without a repository); before, it matched anywhere (rancher/fleet v0.16.1
/// internal/bundlereader/resources.go:269-287, v0.15.0 resources.go:246-255).
fn credentials_reach_no_chart(fleet: &Fleet, ix: &SpanIndex, out: &mut Vec<Diagnostic>) {
    // Per GitRepo: the apps' own GitRepos carry the `fleet` block's settings, a shared one
    // its own (or, unchanged, the `fleet` block's: then its apps count with the others').
    let mut groups: Vec<(&crate::model::RepoSettings, Ptr, Vec<&crate::model::App>)> = vec![(
        &fleet.repository,
        Ptr::path(&["fleet", "helmRepoURLRegex"]),
        Vec::new(),
    )];
    for app in &fleet.apps {
        match &app.shared {
            Some(s) if fleet.git_repos[s.repo].repository != fleet.repository => {
                let g = &fleet.git_repos[s.repo];
                match groups.iter_mut().find(|(r, _, _)| **r == g.repository) {
                    Some(group) => group.2.push(app),
                    None => groups.push((
                        &g.repository,
                        Ptr::item("gitRepos", s.repo).key("helmRepoURLRegex"),
                        vec![app],
                    )),
                }
            }
            _ => groups[0].2.push(app),
        }
    }
    for (repository, at, apps) in groups {
        credentials_reach_no_chart_of(fleet, repository, &at, &apps, ix, out);
    }
}

fn credentials_reach_no_chart_of(
    fleet: &Fleet,
    repository: &crate::model::RepoSettings,
    at: &Ptr,
    apps: &[&crate::model::App],
    ix: &SpanIndex,
    out: &mut Vec<Diagnostic>,
) {
    let (Some(_), Some(re)) = (
        &repository.helm_secret_name,
        repository
            .helm_repo_url_regex
            .as_ref()
            .filter(|r| !r.is_empty()),
    ) else {
        return;
    };
    let anchored = crate::versions::fleet_strips_helm_credentials(fleet.fleet_version);
    let pattern = if anchored {
        format!("^(?:{re})")
    } else {
        re.clone()
    };
    let Ok(re) = regex::Regex::new(&pattern) else {
        return;
    };
    // Each chart's repository (or URL), the app's and those its overrides switch to.
    let mut urls: Vec<&str> = Vec::new();
    for a in apps {
        let crate::model::AppSource::Helm(h) = &a.source else {
            continue;
        };
        let mut charts = vec![(h.repo.as_deref(), h.chart.as_str())];
        for c in &a.customizations {
            let o = &c.delta.helm.chart;
            if o.repo.is_some() || o.chart.is_some() {
                charts.push((
                    o.repo.as_deref().or(h.repo.as_deref()),
                    o.chart.as_deref().unwrap_or(&h.chart),
                ));
            }
        }
        for (repo, chart) in charts {
            match repo {
                Some(r) => urls.push(r),
                None if chart.contains("://") => urls.push(chart),
                None => {}
            }
        }
    }
    if urls.is_empty() || urls.iter().any(|u| re.is_match(u)) {
        return;
    }
    let mut shown: Vec<&str> = urls.clone();
    shown.sort_unstable();
    shown.dedup();
    shown.truncate(4);
    out.push(
        Diagnostic::new(
            Code::CredentialsReachNoChart,
            "`helmRepoURLRegex` matches none of the spec's charts",
        )
        .label(
            ix.nearest(at),
            if anchored {
                "this Fleet matches it at the start of each chart's URL"
            } else {
                "matched against each chart's URL"
            },
        )
        .help(format!(
            "the charts come from {}; Fleet sends `helmSecretName`'s credentials to none of them",
            shown.join(", ")
        )),
    );
}

/// W012: with a pipeline, a manually promoted (or production) environment without a pinned
/// revision follows the branch, so merges reach it past its gate.
fn ungated_environments(fleet: &Fleet, ix: &SpanIndex, out: &mut Vec<Diagnostic>) {
    if fleet.gitlab.as_ref().is_none_or(|g| g.pipeline.is_none()) {
        return;
    }
    for (i, env) in fleet.environment_ids() {
        let gated = env.promotion == Promotion::Manual || env.tier == Tier::Production;
        let deployed = fleet
            .apps
            .iter()
            .any(|a| a.gitrepos.iter().any(|r| r.env == i));
        if gated
            && deployed
            && env.revision.is_none()
            && !env.acknowledged.contains(&Code::UngatedEnvironment)
        {
            out.push(
                Diagnostic::new(
                    Code::UngatedEnvironment,
                    format!("`{}` follows `{}` until its first promotion", env.name, fleet.branch),
                )
                .label(ix.nearest(&fleet.env_ptr(i).key("name")), "no revision pinned in releases.yaml")
                .help(format!(
                    "run `promote:{}` once, or pin what it runs now: `fleetc pin --environment {} --revision <commit>`",
                    env.name, env.name
                )),
            );
        }
    }
}

/// W019 and W020: declared clusters the live fleet (`clusterInventory`) lacks, or labels
/// otherwise than the spec says.
fn inventory_drift(fleet: &Fleet, ix: &SpanIndex, out: &mut Vec<Diagnostic>) {
    let Some(inv) = &fleet.inventory else {
        return;
    };
    for cl in &fleet.clusters {
        let at = ix.nearest(&Ptr::item("clusters", cl.origin).key("name"));
        let Some(live) = inv
            .clusters
            .iter()
            .find(|l| l.name == cl.name && l.workspace == cl.workspace)
        else {
            out.push(
                Diagnostic::new(
                    Code::NotInInventory,
                    format!("`{}` is not in `{}`", cl.name, inv.path),
                )
                .label(
                    at,
                    format!(
                        "no Fleet Cluster of this name in workspace `{}`",
                        cl.workspace
                    ),
                )
                .help(
                    "register the cluster, remove it from the spec, or export the inventory again",
                ),
            );
            continue;
        };
        let differ: Vec<String> = cl
            .labels
            .iter()
            .filter(|(k, v)| live.labels.get(*k) != Some(*v))
            .map(|(k, v)| match live.labels.get(k) {
                Some(l) => format!("{k}: spec `{v}`, live `{l}`"),
                None => format!("{k}: spec `{v}`, live none"),
            })
            .collect();
        if let Some(first) = differ.first() {
            let (k, v) = cl
                .labels
                .iter()
                .find(|(k, v)| live.labels.get(*k) != Some(*v))
                .expect("a difference");
            out.push(
                Diagnostic::new(
                    Code::LiveLabelsDiffer,
                    format!("`{}` is labelled otherwise in the live fleet: {}", cl.name, differ.join("; ")),
                )
                .label(at, first.clone())
                .help(format!(
                    "label it as the spec says (`kubectl label clusters.fleet.cattle.io -n {} {} {k}={v} --overwrite`), or change the spec",
                    live.workspace, live.object
                )),
            );
        }
    }
}

/// W018: with a pipeline, an app of a shared GitRepo that follows a branch reaches a gated
/// environment's clusters at merge, past the promote job. One finding per GitRepo and
/// environment.
fn shared_past_gate(fleet: &Fleet, ix: &SpanIndex, out: &mut Vec<Diagnostic>) {
    if fleet.gitlab.as_ref().is_none_or(|g| g.pipeline.is_none()) {
        return;
    }
    for g in &fleet.git_repos {
        if g.revision.is_some() {
            continue;
        }
        for (e, env) in fleet.environment_ids() {
            let gated = env.promotion == Promotion::Manual || env.tier == Tier::Production;
            if !gated || env.acknowledged.contains(&Code::SharedPastGate) {
                continue;
            }
            let Some(&id) = g.apps.iter().find(|a| {
                fleet.apps[**a]
                    .clusters
                    .iter()
                    .any(|c| fleet.clusters[*c].environment == e)
            }) else {
                continue;
            };
            let (app, app_at) = (&fleet.apps[id], id.index());
            out.push(
                Diagnostic::new(
                    Code::SharedPastGate,
                    format!(
                        "GitRepo `{}` deploys to `{}` at merge, past its promotion",
                        g.name, env.name
                    ),
                )
                .label(
                    ix.nearest(&Ptr::item("apps", app_at).key("gitRepo")),
                    format!("`{}` reaches `{}` from branch `{}`", app.name, env.name, g.branch.as_deref().unwrap_or_default()),
                )
                .label(ix.nearest(&fleet.env_ptr(e).key("name")), "promoted by hand")
                .help(format!(
                    "pull the app per environment (remove `gitRepo`), hold GitRepo `{}` at a `revision`, or add `acknowledge: [W018]` to `{}`",
                    g.name, env.name
                )),
            );
        }
    }
}

/// Charts whose admission webhooks get their `caBundle` injected at runtime, so that the live
/// object always differs from Git: (chart name, webhook kinds, name suffix after the chart's
/// full name). The full name is the release name when it contains the chart name, else
/// `<release>-<chart>` (the charts' `fullname` helpers).
const CA_INJECTED: &[(&str, &[&str], &str)] = &[
    (
        "ingress-nginx",
        &["ValidatingWebhookConfiguration"],
        "-admission",
    ),
    (
        "cert-manager",
        &[
            "ValidatingWebhookConfiguration",
            "MutatingWebhookConfiguration",
        ],
        "-webhook",
    ),
    (
        "kube-prometheus-stack",
        &[
            "ValidatingWebhookConfiguration",
            "MutatingWebhookConfiguration",
        ],
        "-admission",
    ),
];

/// W008: a dependency on a chart that stays Modified on the targeted Fleet, so the dependent
/// bundle waits forever (rancher/fleet#5368, fixed in v0.15.6 and v0.16.1).
fn drifting_dependencies(fleet: &Fleet, ix: &SpanIndex, out: &mut Vec<Diagnostic>) {
    if !crate::versions::fleet_ca_bundle_drift(fleet.fleet_version) {
        return;
    }
    for (i, app) in fleet.apps.iter().enumerate() {
        for (j, &d) in app.depends_on.iter().enumerate() {
            let dep = &fleet.apps[d];
            let crate::model::AppSource::Helm(h) = &dep.source else {
                continue;
            };
            let chart = h
                .chart
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or(&h.chart);
            let Some((_, kinds, suffix)) = CA_INJECTED.iter().find(|(c, ..)| *c == chart) else {
                continue;
            };
            // The chart's fullname: `fullnameOverride` when set, else the release name when it
            // contains the chart's name, else `<release>-<chart>`.
            let override_name = dep
                .base
                .values
                .get("fullnameOverride")
                .and_then(|v| v.as_str())
                .map(str::to_owned);
            let full = if let Some(o) = override_name {
                o
            } else if h.release_name.contains(chart) {
                h.release_name.clone()
            } else {
                format!("{}-{chart}", h.release_name)
            };
            let webhook = format!("{full}{suffix}");
            let patches = dep
                .drift
                .as_ref()
                .map(|dr| dr.compare_patches.as_slice())
                .unwrap_or(&[]);
            let missing: Vec<&str> = kinds
                .iter()
                .copied()
                .filter(|k| {
                    // A patch without a name matches every object of its kind (Fleet's diff
                    // normalizer, diff_normalizer.go:76-79).
                    !patches.iter().any(|p| {
                        p.kind == *k
                            && (p.name.is_empty() || p.name == webhook)
                            && p.json_pointers.iter().any(|ptr| ptr.ends_with("/caBundle"))
                    })
                })
                .collect();
            if missing.is_empty() {
                continue;
            }
            let entries: Vec<String> = missing
                .iter()
                .map(|k| format!("{{apiVersion: admissionregistration.k8s.io/v1, kind: {k}, name: {webhook}, jsonPointers: [/webhooks/0/clientConfig/caBundle]}}"))
                .collect();
            out.push(
                Diagnostic::new(
                    Code::DriftingDependency,
                    format!(
                        "`{}` depends on `{}`, which stays Modified on Fleet {}",
                        app.name, dep.name, fleet.fleet_version
                    ),
                )
                .label(
                    ix.nearest(&Ptr::item("apps", i).key("dependsOn").index(j)),
                    format!("`{webhook}` gets its caBundle injected, so `{}` is never Ready", dep.name),
                )
                .help(format!(
                    "add to `{}`'s `drift.comparePatches`: {} (or target Fleet 0.15.6 / 0.16.1 or later with `fleet.version`)",
                    dep.name,
                    entries.join(", ")
                )),
            );
        }
    }
}

fn production_without_gate(fleet: &Fleet, ix: &SpanIndex, out: &mut Vec<Diagnostic>) {
    for (i, env) in fleet.environments.iter().enumerate() {
        if env.tier == Tier::Production
            && env.promotion == Promotion::Automatic
            && !env.acknowledged.contains(&Code::ProductionAutoPromotion)
        {
            out.push(
                Diagnostic::new(
                    Code::ProductionAutoPromotion,
                    format!("production environment `{}` is promoted automatically", env.name),
                )
                .label(ix.nearest(&Ptr::item("environments", i).key("name")), "no person decides when changes reach it")
                .help("set `promotion: manual`, or add `acknowledge: [W005]` to the environment if this is deliberate"),
            );
        }
    }
}

fn untargeted_clusters(fleet: &Fleet, ix: &SpanIndex, out: &mut Vec<Diagnostic>) {
    if fleet.apps.is_empty() {
        return;
    }
    let mut targeted = vec![false; fleet.clusters.len()];
    for app in &fleet.apps {
        for &c in &app.clusters {
            targeted[c.index()] = true;
        }
    }
    for (i, c) in fleet.cluster_ids() {
        if !targeted[i.index()] {
            out.push(
                Diagnostic::new(
                    Code::UntargetedCluster,
                    format!("no app targets cluster `{}`", c.name),
                )
                .label(
                    ix.nearest(&fleet.cluster_ptr(i).key("name")),
                    "declared here, runs nothing",
                )
                .help("add a target for it to an app, or remove the cluster"),
            );
        }
    }
}

fn dependencies_not_colocated(fleet: &Fleet, ix: &SpanIndex, out: &mut Vec<Diagnostic>) {
    let apps = &fleet.apps;
    for (i, app) in apps.iter().enumerate() {
        for (j, &dep) in app.depends_on.iter().enumerate() {
            let missing: Vec<&str> = app
                .clusters
                .iter()
                .filter(|c| apps[dep].clusters.binary_search(c).is_err())
                .map(|c| fleet.clusters[*c].name.as_str())
                .collect();
            if let Some(first) = missing.first() {
                out.push(
                    Diagnostic::new(
                        Code::DependencyNotColocated,
                        format!(
                            "`{}` depends on `{}`, which is not deployed to {} of its clusters",
                            app.name,
                            apps[dep].name,
                            missing.len()
                        ),
                    )
                    .label(
                        ix.nearest(&Ptr::item("apps", i).key("dependsOn").index(j)),
                        format!("e.g. `{first}` would wait forever"),
                    )
                    .help(format!(
                        "target `{}` at those clusters too, or narrow `{}`'s targets",
                        apps[dep].name, app.name
                    )),
                );
            }
        }
    }
}

//! Overrides → Fleet targetCustomizations.
//!
//! Fleet applies only the first targetCustomization that matches a cluster. fleetc therefore
//! merges, for every group of clusters, all the overrides that concern it (environment, then
//! region, then environment-and-region, then selector overrides in spec order, then cluster) into
//! one entry, and orders the entries most specific first: clusters, then the clusters selector
//! overrides match (by environment, region where it matters, and the set of selector overrides),
//! then environment-and-region pairs, then environments.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::{Cx, Names, RefNames};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{ClusterId, Customization, EnvId, Fleet, LabelSelector, Scope, Settings};
use crate::pointer::Ptr;
use crate::spec;
use crate::values::{LabelValue, Parse};

/// Override layers of one app, keyed by what they apply to.
#[derive(Default)]
struct Layers {
    env: HashMap<EnvId, Settings>,
    region: HashMap<String, Settings>,
    env_region: HashMap<(EnvId, String), Settings>,
    /// Selector overrides, in spec order: name, selector, settings.
    selected: Vec<(String, LabelSelector, Settings)>,
    /// Those of `selected` whose selector waits for clusters to opt in (W017).
    selected_opt_in: BTreeSet<usize>,
    cluster: HashMap<ClusterId, Settings>,
}

impl Layers {
    /// Everything that applies to clusters in `env` (and `region`, when given) matching the
    /// selector overrides `selected`, broadest first: environment, region, environment and
    /// region, the selector overrides in spec order, the cluster.
    fn merged(
        &self,
        env: EnvId,
        region: Option<&str>,
        selected: &[usize],
        cluster: Option<ClusterId>,
    ) -> Settings {
        let mut s = Settings::default();
        if let Some(l) = self.env.get(&env) {
            s.merge(l);
        }
        if let Some(region) = region {
            if let Some(l) = self.region.get(region) {
                s.merge(l);
            }
            if let Some(l) = self.env_region.get(&(env, region.to_owned())) {
                s.merge(l);
            }
        }
        for &k in selected {
            s.merge(&self.selected[k].2);
        }
        if let Some(l) = cluster.and_then(|c| self.cluster.get(&c)) {
            s.merge(l);
        }
        s
    }

    /// The selector overrides that match cluster `c`.
    fn selected_for(&self, fleet: &Fleet, c: ClusterId) -> Vec<usize> {
        let labels = &fleet.clusters[c].labels;
        (0..self.selected.len())
            .filter(|&k| self.selected[k].1.matches(labels))
            .collect()
    }
}

impl Cx<'_> {
    pub(super) fn customizations(
        &mut self,
        input: &AppInput<'_>,
        fleet: &Fleet,
    ) -> (Vec<Customization>, BTreeSet<(ClusterId, String)>) {
        let targeted = input.targeted;
        let layers = self.layers(input, fleet);
        let tag_held = held_tags(&layers, fleet, targeted);
        let mut covered = vec![false; fleet.clusters.len()];
        let mut out = Vec::new();

        let mut by_name: Vec<ClusterId> = targeted
            .iter()
            .copied()
            .filter(|c| layers.cluster.contains_key(c))
            .collect();
        by_name.sort_by(|x, y| fleet.clusters[*x].name.cmp(&fleet.clusters[*y].name));
        for c in by_name {
            let cl = &fleet.clusters[c];
            covered[c.index()] = true;
            out.push(entry(
                Scope::Cluster(c),
                vec![c],
                layers.merged(
                    cl.environment,
                    Some(&cl.region),
                    &layers.selected_for(fleet, c),
                    Some(c),
                ),
            ));
        }

        // Remaining clusters grouped by environment (promotion order), region (sorted) and the
        // selector overrides that match them.
        type Group<'l> = (EnvId, &'l LabelValue, Vec<usize>);
        let mut groups: BTreeMap<Group<'_>, Vec<ClusterId>> = BTreeMap::new();
        for &c in targeted {
            if !covered[c.index()] {
                let cl = &fleet.clusters[c];
                groups
                    .entry((cl.environment, &cl.region, layers.selected_for(fleet, c)))
                    .or_default()
                    .push(c);
            }
        }
        // Clusters some selector override matches: one entry per environment (and region, where
        // a region's overrides concern them) and set of matching selector overrides. Entries
        // matching more selector overrides come first, regional before not: under first-match
        // a cluster then meets its own entry before any broader one that also matches it.
        type Selected<'l> = (EnvId, Option<&'l LabelValue>, Vec<usize>);
        let mut selected: BTreeMap<Selected<'_>, Vec<ClusterId>> = BTreeMap::new();
        let regional = |env: EnvId, region: &LabelValue| {
            layers.region.contains_key(region.as_str())
                || layers.env_region.contains_key(&(env, region.to_string()))
        };
        for ((env, region, ks), clusters) in &groups {
            if !ks.is_empty() {
                let r = regional(*env, region).then_some(*region);
                selected
                    .entry((*env, r, ks.clone()))
                    .or_default()
                    .extend(clusters);
            }
        }
        let mut selected: Vec<_> = selected.into_iter().collect();
        selected.sort_by_key(|((env, r, ks), _)| {
            (
                std::cmp::Reverse(ks.len()),
                r.is_none(),
                *env,
                r.cloned(),
                ks.clone(),
            )
        });
        for ((env, region, ks), mut clusters) in selected {
            clusters.sort_unstable();
            let mut sel = LabelSelector::default();
            for &k in &ks {
                let s = &layers.selected[k].1;
                sel.match_labels.extend(s.match_labels.clone());
                sel.match_expressions
                    .extend(s.match_expressions.iter().cloned());
            }
            let delta = layers.merged(env, region.map(LabelValue::as_str), &ks, None);
            out.push(entry(
                Scope::Selected {
                    env,
                    region: region.cloned(),
                    names: ks.iter().map(|&k| layers.selected[k].0.clone()).collect(),
                    selector: sel,
                },
                clusters,
                delta,
            ));
        }
        let mut env_rest: BTreeMap<EnvId, Vec<ClusterId>> = BTreeMap::new();
        for ((env, region, ks), clusters) in &groups {
            if !ks.is_empty() {
                continue;
            }
            if regional(*env, region) {
                let delta = layers.merged(*env, Some(region), &[], None);
                out.push(entry(
                    Scope::EnvRegion(*env, (*region).clone()),
                    clusters.clone(),
                    delta,
                ));
            } else {
                env_rest.entry(*env).or_default().extend(clusters);
            }
        }
        for (env, mut clusters) in env_rest {
            if let Some(delta) = layers.env.get(&env) {
                clusters.sort_unstable();
                out.push(entry(Scope::Env(env), clusters, delta.clone()));
            }
        }
        // Clusters fleetc does not know (that join or opt in later) get their environment's and
        // region's settings too: every environment the app has a GitRepo in keeps its entries
        // where the declared clusters all took more specific ones. They match no declared
        // cluster, so they go before the environments' own entries and change nothing else.
        let mut extra_regional = Vec::new();
        let mut extra_env = Vec::new();
        for &env in input.envs {
            // A selector override on an opt-in label: its entry for clusters that opt in later.
            for &k in &layers.selected_opt_in {
                let has = out.iter().any(|c| {
                    matches!(&c.scope, Scope::Selected { env: e, names, .. }
                        if *e == env && names.len() == 1 && names[0] == layers.selected[k].0)
                });
                if !has {
                    let delta = layers.merged(env, None, &[k], None);
                    extra_regional.push(entry(
                        Scope::Selected {
                            env,
                            region: None,
                            names: vec![layers.selected[k].0.clone()],
                            selector: layers.selected[k].1.clone(),
                        },
                        Vec::new(),
                        delta,
                    ));
                }
            }
            let mut regions: BTreeSet<&str> = layers.region.keys().map(String::as_str).collect();
            regions.extend(
                layers
                    .env_region
                    .keys()
                    .filter(|(e, _)| *e == env)
                    .map(|(_, r)| r.as_str()),
            );
            for r in regions {
                let Ok(region) = LabelValue::parse(r) else {
                    continue;
                };
                let scope = Scope::EnvRegion(env, region);
                if !out.iter().any(|c| c.scope == scope) {
                    let delta = layers.merged(env, Some(r), &[], None);
                    extra_regional.push(entry(scope, Vec::new(), delta));
                }
            }
            if let Some(delta) = layers.env.get(&env)
                && !out.iter().any(|c| c.scope == Scope::Env(env))
            {
                extra_env.push(entry(Scope::Env(env), Vec::new(), delta.clone()));
            }
        }
        if !extra_regional.is_empty() || !extra_env.is_empty() {
            let first_env = out
                .iter()
                .position(|c| matches!(c.scope, Scope::Env(_)))
                .unwrap_or(out.len());
            let tail = out.split_off(first_env);
            out.extend(extra_regional);
            out.extend(tail);
            out.extend(extra_env);
        }
        (out, tag_held)
    }

    fn layers(&mut self, input: &AppInput<'_>, fleet: &Fleet) -> Layers {
        let AppInput {
            i,
            spec: a,
            names,
            targeted,
            is_helm,
            images,
            bundle_dir,
            app_helm,
            ..
        } = *input;
        let mut layers = Layers::default();
        let mut seen: Vec<(usize, Key, Settings)> = Vec::new();
        // A cluster override is looked up, not searched for among the targets: an app with an
        // override per cluster would otherwise cost clusters² (benches: 10,000 clusters).
        let mut is_targeted = vec![false; fleet.clusters.len()];
        for &c in targeted {
            is_targeted[c.index()] = true;
        }
        let reaches = |key: &Key| match key {
            Key::Cluster(c) => is_targeted[c.index()],
            _ => targeted.iter().any(|&c| key.applies(fleet, c)),
        };
        for (j, o) in a.overrides.iter().enumerate() {
            let base = Ptr::item("apps", i).key("overrides").index(j);
            let mut settings = self.override_settings(&base, o, is_helm, images);
            self.patch_files(
                &mut settings.patches,
                &base.key("patches"),
                input.manifests,
                bundle_dir,
            );
            settings.files = self.replace_files(o, &base, input);
            self.downstream_resources(
                &o.downstream_resources,
                &base.key("downstreamResources"),
                fleet,
                true,
            );
            for f in settings.files.keys() {
                settings.origins.insert(
                    format!("files/{f}"),
                    crate::model::Origin::Spec(base.key("replaceFiles").key(f)),
                );
            }
            if let Some(h) = &o.helm {
                let at = base.key("helm");
                if is_helm {
                    settings.helm =
                        self.helm_override(h, &at, app_helm, a.source.helm.as_ref(), bundle_dir);
                    settings.set_helm_origins(&at);
                } else {
                    self.push(
                        Diagnostic::new(
                            Code::NotForSource,
                            "`helm` options only apply to Helm apps",
                        )
                        .label(self.ix.key(&at), "this app is built with kustomize")
                        .help("remove it, or switch the app's source to `helm`"),
                    );
                }
            }
            if o.selector.is_some() || o.cluster_group.is_some() {
                let Some(key) = self.selected_layer(&base, o, fleet, &mut layers) else {
                    continue;
                };
                if !reaches(&key) && !input.open {
                    self.never_applies(&a.name, &base);
                }
                seen.push((j, key, settings.clone()));
                if let Some(l) = layers.selected.last_mut() {
                    l.2 = settings;
                }
                continue;
            }
            if o.name.is_some() {
                self.push(
                    Diagnostic::new(Code::OverrideScope, "`name` only names selector overrides")
                        .label(self.ix.key(&base.key("name")), "this override has no `selector`")
                        .help("remove it: the customizations of environment, region and cluster overrides are named after what they apply to"),
                );
            }
            let scope = match (&o.environment, &o.region, &o.cluster) {
                (None, None, None) => {
                    self.push(
                        Diagnostic::new(Code::OverrideScope, "override applies to nothing")
                            .label(self.ix.head(&base, self.text), "no `environment`, `region`, `cluster` or `selector`")
                            .help("say which clusters it changes; settings for every cluster go on the app itself"),
                    );
                    continue;
                }
                (Some(_), _, Some(_)) | (_, Some(_), Some(_)) => {
                    self.push(
                        Diagnostic::new(
                            Code::OverrideScope,
                            "`cluster` cannot be combined with `environment` or `region`",
                        )
                        .label(
                            self.ix.key(&base.key("cluster")),
                            "a cluster already has one environment and region",
                        )
                        .help("keep only `cluster`"),
                    );
                    continue;
                }
                (None, None, Some(c)) => {
                    let Some(id) = self.cluster_ref(&names.clusters, c, &base.key("cluster"))
                    else {
                        continue;
                    };
                    Some(Key::Cluster(id))
                }
                (e, r, None) => {
                    let env = match e {
                        Some(e) => match self.reference(
                            &names.envs,
                            e,
                            &base.key("environment"),
                            "environment",
                        ) {
                            Some(id) => Some(EnvId::new(id)),
                            None => continue,
                        },
                        None => None,
                    };
                    if let Some(r) = r
                        && !self.region_declared(&fleet.label_keys.region, r)
                    {
                        self.unknown_region(r, &base.key("region"), fleet);
                        continue;
                    }
                    match (env, r) {
                        (Some(e), Some(r)) => Some(Key::EnvRegion(e, r.clone())),
                        (Some(e), None) => Some(Key::Env(e)),
                        (None, Some(r)) => Some(Key::Region(r.clone())),
                        (None, None) => None,
                    }
                }
            };
            let Some(key) = scope else { continue };
            if !reaches(&key) && !input.open {
                self.never_applies(&a.name, &base);
            }
            seen.push((j, key.clone(), settings.clone()));
            let slot = match key {
                Key::Cluster(c) => layers.cluster.entry(c).or_default(),
                Key::Env(e) => layers.env.entry(e).or_default(),
                Key::Region(r) => layers.region.entry(r).or_default(),
                Key::EnvRegion(e, r) => layers.env_region.entry((e, r)).or_default(),
                Key::Selected(..) => unreachable!("selector overrides are layered above"),
            };
            slot.merge(&settings);
        }
        self.shadowed(i, a, fleet, targeted, &seen, &layers);
        layers
    }

    fn never_applies(&mut self, app: &str, base: &Ptr) {
        self.push(
            Diagnostic::new(Code::OverrideNeverApplies, format!("override of `{app}` never applies"))
                .label(self.ix.head(base, self.text), "none of these clusters is among the app's targets")
                .help("a Fleet customization cannot add clusters; add a target for them, or remove the override"),
        );
    }

    /// A selector override: its name and selector checked, its layer added to `layers` (with
    /// empty settings, which the caller fills in).
    fn selected_layer(
        &mut self,
        base: &Ptr,
        o: &spec::Override,
        fleet: &Fleet,
        layers: &mut Layers,
    ) -> Option<Key> {
        let mut ok = true;
        // By ClusterGroup: the group's own selector, which is what makes a cluster a member
        // (in its workspace, where fleetc writes the group).
        let group = match (&o.selector, &o.cluster_group) {
            (Some(_), Some(_)) => {
                self.push(
                    Diagnostic::new(
                        Code::OverrideScope,
                        "`selector` cannot be combined with `clusterGroup`",
                    )
                    .label(
                        self.ix.key(&base.key("clusterGroup")),
                        "a selector override stands alone",
                    )
                    .help("select by the group, or by the labels, not both"),
                );
                return None;
            }
            (None, Some(g)) => {
                let groups = fleet.groups();
                match groups.iter().find(|v| &v.name == g) {
                    Some(v) => Some(v.clone()),
                    None => {
                        let names: Names = groups
                            .iter()
                            .enumerate()
                            .map(|(k, v)| (v.name.clone(), k))
                            .collect();
                        self.reference(&names, g, &base.key("clusterGroup"), "ClusterGroup");
                        return None;
                    }
                }
            }
            _ => None,
        };
        let key_name = if group.is_some() {
            "clusterGroup"
        } else {
            "selector"
        };
        if let Some(other) = [
            ("environment", o.environment.is_some()),
            ("region", o.region.is_some()),
            ("cluster", o.cluster.is_some()),
        ]
        .into_iter()
        .find_map(|(k, set)| set.then_some(k))
        {
            self.push(
                Diagnostic::new(
                    Code::OverrideScope,
                    format!("`{key_name}` cannot be combined with `{other}`"),
                )
                .label(self.ix.key(&base.key(other)), "a selector override stands alone")
                .help("say it in the selector (the environment and region are labels too), or split the override in two"),
            );
            ok = false;
        }
        let name = match o.name.as_ref().or(group.as_ref().map(|g| &g.name)) {
            Some(n) => {
                self.dns_label(n, &base.key("name"), "override name");
                if layers.selected.iter().any(|l| &l.0 == n) {
                    self.push(
                        Diagnostic::new(
                            Code::DuplicateName,
                            format!("two selector overrides are named `{n}`"),
                        )
                        .label(
                            self.at(&base.key("name")),
                            "names the app's customizations, so must be unique",
                        )
                        .help("give each selector override of the app its own name"),
                    );
                    ok = false;
                }
                n.clone()
            }
            None => {
                self.push(
                    Diagnostic::new(Code::OverrideScope, "a selector override needs a `name`")
                        .label(self.ix.key(&base.key("selector")), "its customizations are named after it")
                        .help("add `name:`, e.g. `name: gpu`: Fleet shows it as the targetCustomization `sel-gpu-<environment>`"),
                );
                ok = false;
                String::new()
            }
        };
        let mut sel = LabelSelector::default();
        let (fine, opt_in) = match (&o.selector, group) {
            (Some(s), _) => self.selector(s, &base.key("selector"), &mut sel),
            (None, Some(g)) => {
                sel = g.selector;
                (true, g.opt_in)
            }
            (None, None) => (false, false),
        };
        if !(ok && fine) {
            return None;
        }
        if opt_in {
            layers.selected_opt_in.insert(layers.selected.len());
        }
        layers
            .selected
            .push((name, sel.clone(), Settings::default()));
        Some(Key::Selected(layers.selected.len() - 1, sel))
    }

    /// Reports overrides whose every setting is replaced, on every cluster they reach, by a
    /// more specific override.
    fn shadowed(
        &mut self,
        i: usize,
        a: &spec::App,
        fleet: &Fleet,
        targeted: &[ClusterId],
        seen: &[(usize, Key, Settings)],
        layers: &Layers,
    ) {
        for (j, key, settings) in seen {
            if matches!(key, Key::Cluster(_)) {
                continue;
            }
            let own = fields(settings);
            if own.is_empty() {
                continue;
            }
            let receiving: Vec<ClusterId> = targeted
                .iter()
                .copied()
                .filter(|&c| key.applies(fleet, c))
                .collect();
            if receiving.is_empty() {
                continue;
            }
            let shadowed: Vec<&String> = own
                .iter()
                .filter(|f| {
                    receiving.iter().all(|&c| {
                        let cl = &fleet.clusters[c];
                        let mut narrower: Vec<Option<&Settings>> = vec![
                            (key.rank() < 2)
                                .then(|| layers.region.get(cl.region.as_str()))
                                .flatten(),
                            (key.rank() < 3)
                                .then(|| {
                                    layers
                                        .env_region
                                        .get(&(cl.environment, cl.region.to_string()))
                                })
                                .flatten(),
                            layers.cluster.get(&c),
                        ];
                        // Selector overrides merge after those of environments and regions,
                        // and after the selector overrides before them.
                        let after = match key {
                            Key::Selected(k, _) => k + 1,
                            _ => 0,
                        };
                        narrower.extend(
                            layers
                                .selected_for(fleet, c)
                                .into_iter()
                                .filter(|&k| k >= after)
                                .map(|k| Some(&layers.selected[k].2)),
                        );
                        narrower.iter().flatten().any(|s| fields(s).contains(f))
                    })
                })
                .collect();
            if shadowed.len() == own.len() {
                let list = shadowed
                    .iter()
                    .map(|f| format!("`{f}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                self.push(
                    Diagnostic::new(
                        Code::ShadowedOverride,
                        format!("override of `{}` never takes effect", a.name),
                    )
                    .label(
                        self.ix
                            .head(&Ptr::item("apps", i).key("overrides").index(*j), self.text),
                        format!(
                            "more specific overrides replace {list} on every cluster it reaches"
                        ),
                    )
                    .help("remove this override, or the more specific ones that replace it"),
                );
            }
        }
    }

    fn override_settings(
        &mut self,
        base: &Ptr,
        o: &spec::Override,
        is_helm: bool,
        images: &Names,
    ) -> Settings {
        self.source_fit(base, is_helm, o.values.is_some());
        let mut tags = BTreeMap::new();
        for (name, tag) in &o.images {
            let ptr = base.key("images").key(name);
            if !images.contains_key(name) {
                let mut d =
                    Diagnostic::new(Code::UnknownReference, format!("unknown image `{name}`"))
                        .label(self.ix.key(&ptr), "not among the app's `images`");
                d = match crate::suggest::closest(name, images.keys().map(String::as_str)) {
                    Some(s) => d.did_you_mean(s),
                    None => d.help("list the image under the app's `images` first"),
                };
                self.push(d);
            }
            if let Some(tag) = self.parse(tag, &ptr) {
                tags.insert(name.clone(), tag);
            }
        }
        let mut s = Settings {
            replicas: o.replicas,
            tags,
            resources: o.resources.clone(),
            values: if is_helm {
                o.values.clone().unwrap_or_default()
            } else {
                Default::default()
            },
            patches: o.patches.clone(),
            files: Default::default(),
            helm: Default::default(),
            deploy: self.deploy_options(o, base),
            origins: Default::default(),
        };
        s.set_origins(base, |name| base.key("images").key(name));
        s
    }

    /// An override's deployment options, checked where Fleet would ignore them.
    fn deploy_options(&mut self, o: &spec::Override, base: &Ptr) -> crate::model::DeployOptions {
        if o.do_not_deploy == Some(true) {
            let ignored: Vec<&str> = [
                ("replicas", o.replicas.is_some()),
                ("images", !o.images.is_empty()),
                ("resources", o.resources.is_some()),
                ("values", o.values.is_some()),
                ("patches", !o.patches.is_empty()),
                ("helm", o.helm.is_some()),
                ("keepResources", o.keep_resources.is_some()),
                ("serviceAccount", o.service_account.is_some()),
                ("namespace", o.namespace.is_some()),
                ("forceSyncGeneration", o.force_sync_generation.is_some()),
                ("drift", o.drift.is_some()),
                ("downstreamResources", !o.downstream_resources.is_empty()),
            ]
            .into_iter()
            .filter_map(|(k, set)| set.then_some(k))
            .collect();
            if let Some(first) = ignored.first() {
                self.push(
                    Diagnostic::new(
                        Code::IgnoredByFleet,
                        "an override that keeps the app off its clusters changes nothing else",
                    )
                    .label(self.ix.key(&base.key(first)), format!("ignored with `doNotDeploy: true`: {}", ignored.join(", ")))
                    .label(self.ix.key(&base.key("doNotDeploy")), "these clusters get no bundle")
                    .help("Fleet skips the bundle for them (rancher/fleet v0.16.1 internal/cmd/controller/target/builder.go:128-139): remove the other settings, or move them to an override of the clusters that do get the app"),
                );
            }
        }
        if o.keep_resources == Some(false) {
            self.push(
                Diagnostic::new(Code::IgnoredByFleet, "an override cannot switch `keepResources` off")
                    .label(self.at(&base.key("keepResources")), "Fleet ORs it with the app's")
                    .help("Fleet only switches keepResources on per target (rancher/fleet v0.16.1 internal/cmd/controller/options/calculate.go:137): set it on the app only where it holds everywhere, or remove this line"),
            );
        }
        if let Some(sa) = &o.service_account {
            self.dns_subdomain(sa, &base.key("serviceAccount"), "service account name");
        }
        if let Some(ns) = &o.namespace {
            self.dns_label(ns, &base.key("namespace"), "namespace");
        }
        let drift = o.drift.as_ref();
        crate::model::DeployOptions {
            keep_resources: o.keep_resources == Some(true),
            service_account: o.service_account.clone(),
            namespace: o.namespace.clone(),
            force_sync_generation: o.force_sync_generation,
            correct_drift: drift.and_then(|d| d.correct_drift.clone()),
            compare_patches: drift.map(|d| d.compare_patches.clone()).unwrap_or_default(),
            do_not_deploy: o.do_not_deploy,
            downstream_resources: o.downstream_resources.clone(),
        }
    }
}

/// One app, as the override stage needs it.
#[derive(Clone, Copy)]
pub(super) struct AppInput<'s> {
    /// Index of the app in the spec.
    pub(super) i: usize,
    /// The app as written.
    pub(super) spec: &'s spec::App,
    /// Name tables.
    pub(super) names: &'s RefNames,
    /// Clusters the app reaches.
    pub(super) targeted: &'s [ClusterId],
    /// Whether it is a Helm app.
    pub(super) is_helm: bool,
    /// Its images by name.
    pub(super) images: &'s Names,
    /// Its bundle directory, relative to the output root.
    pub(super) bundle_dir: &'s str,
    /// The app's own Helm options.
    pub(super) app_helm: &'s crate::model::HelmOptions,
    /// The environments it has GitRepos in (those of its clusters, and those where a target
    /// waits for clusters to opt in), sorted.
    pub(super) envs: &'s [EnvId],
    /// Whether a target waits for clusters to opt in: an override may then concern clusters
    /// fleetc does not know yet, so "never applies" (W002) cannot be said.
    pub(super) open: bool,
    /// Whether it is a raw YAML app (its patches name files).
    pub(super) manifests: bool,
    /// A raw YAML app's workload file (relative to the bundle directory).
    pub(super) workload_file: Option<&'s str>,
}

/// Cluster and image pairs whose tag an override sets, so that a release pin (the app's own
/// tag) does not reach them.
fn held_tags(
    layers: &Layers,
    fleet: &Fleet,
    targeted: &[ClusterId],
) -> BTreeSet<(ClusterId, String)> {
    let mut out = BTreeSet::new();
    for &c in targeted {
        let cl = &fleet.clusters[c];
        let mut narrower = vec![
            layers.env.get(&cl.environment),
            layers.region.get(cl.region.as_str()),
            layers
                .env_region
                .get(&(cl.environment, cl.region.to_string())),
            layers.cluster.get(&c),
        ];
        narrower.extend(
            layers
                .selected_for(fleet, c)
                .into_iter()
                .map(|k| Some(&layers.selected[k].2)),
        );
        for l in narrower.into_iter().flatten() {
            for image in l.tags.keys() {
                out.insert((c, image.clone()));
            }
        }
    }
    out
}

#[derive(Clone)]
enum Key {
    Cluster(ClusterId),
    Env(EnvId),
    Region(String),
    EnvRegion(EnvId, String),
    /// The `n`th selector override of the app, and its selector.
    Selected(usize, LabelSelector),
}

impl Key {
    /// How specific the scope is; a higher rank wins.
    fn rank(&self) -> u8 {
        match self {
            Key::Env(_) => 1,
            Key::Region(_) => 2,
            Key::EnvRegion(..) => 3,
            Key::Selected(..) => 4,
            Key::Cluster(_) => 5,
        }
    }

    fn applies(&self, fleet: &Fleet, c: ClusterId) -> bool {
        let cl = &fleet.clusters[c];
        match self {
            Key::Cluster(id) => *id == c,
            Key::Env(e) => cl.environment == *e,
            Key::Region(r) => cl.region.as_str() == r,
            Key::EnvRegion(e, r) => cl.environment == *e && cl.region.as_str() == r,
            Key::Selected(_, s) => s.matches(&cl.labels),
        }
    }
}

/// The settings an override replaces (values and patches merge rather than replace, so they
/// are never shadowed).
fn fields(s: &Settings) -> Vec<String> {
    let mut out = Vec::new();
    if s.replicas.is_some() {
        out.push("replicas".to_owned());
    }
    out.extend(s.tags.keys().map(|k| format!("images.{k}")));
    if let Some(r) = &s.resources {
        out.extend(r.requests.keys().map(|k| format!("resources.requests.{k}")));
        out.extend(r.limits.keys().map(|k| format!("resources.limits.{k}")));
    }
    if s.helm.timeout_seconds.is_some() {
        out.push("helm.timeoutSeconds".to_owned());
    }
    out
}

fn entry(scope: Scope, clusters: Vec<ClusterId>, delta: Settings) -> Customization {
    Customization {
        scope,
        clusters,
        delta,
    }
}

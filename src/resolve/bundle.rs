//! An app's bundle options: labels, a forced namespace, the deploying service account,
//! removal, and the rollout strategy with partitions named like targets.

use std::collections::BTreeMap;

use super::targets::Criteria;
use super::{Cx, RefNames};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{
    APP_LABEL, AppId, BundleOptions, ClusterId, Dependency, DependencyOn, Fleet, LabelSelector,
    Partition, Rollout,
};
use crate::pointer::Ptr;
use crate::spec::{self, IntOrPercent};
use crate::values::{LabelKey, LabelValue, Parse};
use crate::versions::Version;

/// `rolloutStrategy.autoPartitionThreshold` is a spec field from Fleet 0.15; `maxNew` only from
/// 0.16 (until then a fixed status value: rancher/fleet v0.15.0
/// pkg/apis/fleet.cattle.io/v1alpha1/bundle_types.go:386-388, v0.16.0 :215).
const FLEET_AUTO_PARTITION_THRESHOLD: Version = Version::new(0, 15, 0);
const FLEET_MAX_NEW: Version = Version::new(0, 16, 0);
/// `dependsOn[].acceptedStates` is in Fleet from v0.15 (bundle_types.go `BundleRef`).
const FLEET_ACCEPTED_STATES: Version = Version::new(0, 15, 0);
/// `createNamespace` is in Fleet from v0.16.1 (bundledeployment_types.go:89-98).
const FLEET_CREATE_NAMESPACE: Version = Version::new(0, 16, 1);
/// `downstreamResources` is in Fleet from v0.14 (bundledeployment_types.go:119-121 at v0.14.0);
/// a customization's are merged only from v0.16.0 (calculate.go:142-144, rancher/fleet#5177:
/// before, the bundle controller copies the bundle's own list alone, v0.14.0
/// internal/cmd/controller/reconciler/bundle_controller.go:763).
const FLEET_DOWNSTREAM_RESOURCES: Version = Version::new(0, 14, 0);
const FLEET_DOWNSTREAM_RESOURCES_PER_TARGET: Version = Version::new(0, 16, 0);

impl Cx<'_> {
    /// The bundle options of app `i`, whose clusters are `clusters`.
    pub(super) fn bundle_options(
        &mut self,
        i: usize,
        a: &spec::App,
        fleet: &Fleet,
        names: &RefNames,
        clusters: &[ClusterId],
    ) -> BundleOptions {
        let base = Ptr::item("apps", i);
        let labels = self.labels(&a.bundle_labels, &base.key("bundleLabels"));
        if a.bundle_labels.contains_key(APP_LABEL) {
            self.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    format!("bundle label `{APP_LABEL}` is set by fleetc"),
                )
                .label(
                    self.ix.key(&base.key("bundleLabels").key(APP_LABEL)),
                    "fleetc sets it to the app's name",
                )
                .help("remove it: dependencies select the app's bundles by it"),
            );
        }
        // Fleet copies a bundle's labels to its BundleDeployments without keys that contain
        // `cattle.io/` or `kubectl.kubernetes.io/` (rancher/fleet v0.16.1
        // internal/cmd/controller/target/target.go:97-108, wrangler CleanAnnotationsForExport),
        // so dependencies could never select by them. `fleet.cattle.io/` keys it does copy
        // (target.go:103-107), but they are Fleet's own, which it sets itself.
        for k in a.bundle_labels.keys() {
            if k.starts_with("fleet.cattle.io/") {
                self.push(
                    Diagnostic::new(
                        Code::InvalidValue,
                        format!("bundle label `{k}` is one of Fleet's own keys"),
                    )
                    .label(
                        self.ix.key(&base.key("bundleLabels").key(k)),
                        "Fleet sets `fleet.cattle.io/` labels on bundles itself",
                    )
                    .help("use a key of your own domain, such as `example.com/tier`"),
                );
            } else if k.contains("cattle.io/") || k.contains("kubectl.kubernetes.io/") {
                self.push(
                    Diagnostic::new(
                        Code::InvalidValue,
                        format!("bundle label `{k}` does not reach the clusters"),
                    )
                    .label(
                        self.ix.key(&base.key("bundleLabels").key(k)),
                        "Fleet drops `cattle.io/` and `kubectl.kubernetes.io/` keys when it copies bundle labels",
                    )
                    .help("use a key of your own domain, such as `example.com/tier`"),
                );
            }
        }
        if let Some(sa) = &a.service_account {
            self.dns_subdomain(sa, &base.key("serviceAccount"), "service account name");
        }
        if a.create_namespace.is_some() {
            self.needs_fleet(
                fleet,
                FLEET_CREATE_NAMESPACE,
                &base.key("createNamespace"),
                "createNamespace",
            );
        }
        self.downstream_resources(
            &a.downstream_resources,
            &base.key("downstreamResources"),
            fleet,
            false,
        );
        let rollout = a
            .rollout_strategy
            .as_ref()
            .map(|r| self.rollout(r, &base.key("rolloutStrategy"), fleet, names, clusters));
        BundleOptions {
            labels,
            force_namespace: a.force_namespace,
            service_account: a.service_account.clone(),
            keep_resources: a.keep_resources,
            delete_crd_resources: a.delete_crd_resources,
            create_namespace: a.create_namespace,
            paused: a.paused,
            force_sync_generation: a.force_sync_generation,
            ignore: a.ignore.clone(),
            rollout,
            downstream_resources: a.downstream_resources.clone(),
            verbatim_customizations: a
                .verbatim
                .iter()
                .flat_map(|v| &v.target_customizations)
                .map(|c| serde_json::Value::Object(c.clone()))
                .collect(),
        }
    }

    /// `downstreamResources` at `at`: names of objects, and a Fleet that copies them.
    pub(super) fn downstream_resources(
        &mut self,
        list: &[crate::spec::DownstreamResource],
        at: &Ptr,
        fleet: &Fleet,
        per_target: bool,
    ) {
        if list.is_empty() {
            return;
        }
        if per_target {
            self.needs_fleet(
                fleet,
                FLEET_DOWNSTREAM_RESOURCES_PER_TARGET,
                at,
                "downstreamResources in an override",
            );
        } else {
            self.needs_fleet(fleet, FLEET_DOWNSTREAM_RESOURCES, at, "downstreamResources");
        }
        for (k, r) in list.iter().enumerate() {
            self.dns_subdomain(&r.name, &at.index(k).key("name"), "object name");
        }
    }

    fn rollout(
        &mut self,
        r: &spec::RolloutStrategy,
        base: &Ptr,
        fleet: &Fleet,
        names: &RefNames,
        clusters: &[ClusterId],
    ) -> Rollout {
        for (key, v) in [
            ("maxUnavailable", &r.max_unavailable),
            ("maxUnavailablePartitions", &r.max_unavailable_partitions),
            ("autoPartitionSize", &r.auto_partition_size),
        ] {
            if let Some(v) = v {
                self.int_or_percent(v, &base.key(key));
            }
        }
        if r.max_new.is_some() {
            self.needs_fleet(
                fleet,
                FLEET_MAX_NEW,
                &base.key("maxNew"),
                "rolloutStrategy.maxNew",
            );
        }
        if r.auto_partition_threshold.is_some() {
            self.needs_fleet(
                fleet,
                FLEET_AUTO_PARTITION_THRESHOLD,
                &base.key("autoPartitionThreshold"),
                "rolloutStrategy.autoPartitionThreshold",
            );
        }
        let mut partitions: Vec<Partition> = Vec::new();
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        let mut placed: Vec<ClusterId> = Vec::new();
        for (n, p) in r.partitions.iter().enumerate() {
            let at = base.key("partitions").index(n);
            if let Some(v) = &p.max_unavailable {
                self.int_or_percent(v, &at.key("maxUnavailable"));
            }
            if p.environment.is_none()
                && p.region.is_none()
                && p.cluster.is_none()
                && p.selector.is_none()
                && p.cluster_group.is_none()
                && p.cluster_group_selector.is_none()
            {
                self.push(
                    Diagnostic::new(Code::InvalidValue, "empty partition")
                        .label(
                            self.ix.head(&at, self.text),
                            "this partition names no clusters",
                        )
                        .help(
                            "give `environment`, `region`, `cluster`, `selector`, `clusterGroup` or `clusterGroupSelector`, as in a target",
                        ),
                );
                continue;
            }
            let criteria = Criteria {
                environment: p.environment.as_deref(),
                region: p.region.as_deref(),
                cluster: p.cluster.as_deref(),
                selector: p.selector.as_ref(),
                cluster_group: p.cluster_group.as_deref(),
                cluster_group_selector: p.cluster_group_selector.as_ref(),
            };
            let Some(reach) = self.criteria(&criteria, &at, fleet, names) else {
                continue;
            };
            let matcher = reach.matcher();
            // Fleet's partitions name no group unless the spec does: the environment and
            // region stay in the cluster selector.
            let cluster_group = reach.group.filter(|_| reach.named_group);
            let (selector, parts) = (reach.labels, reach.parts);
            let name = p.name.clone().unwrap_or_else(|| parts.join("-"));
            if let Some(first) = seen.insert(name.clone(), n) {
                self.push(
                    Diagnostic::new(
                        Code::DuplicateName,
                        format!("two partitions are named `{name}`"),
                    )
                    .label(self.ix.head(&at, self.text), "this partition")
                    .label(
                        self.ix
                            .head(&base.key("partitions").index(first), self.text),
                        "and this one",
                    )
                    .help("give one of them a distinct `name`"),
                );
            }
            // A cluster is in every partition that matches it (rancher/fleet v0.16.1
            // internal/cmd/controller/target/rollout.go:40-73).
            let mine: Vec<ClusterId> = clusters
                .iter()
                .copied()
                .filter(|&c| matcher.matches(&fleet.clusters[c].labels))
                .collect();
            if mine.is_empty() && !self.clusters_incomplete {
                self.push(
                    Diagnostic::new(Code::EmptySelector, "this partition matches no cluster")
                        .label(self.ix.head(&at, self.text), "none of the app's clusters has all of these")
                        .help("partitions split the app's own clusters: fix its criteria or remove it"),
                );
            }
            placed.extend(&mine);
            partitions.push(Partition {
                name,
                max_unavailable: p.max_unavailable.clone(),
                selector,
                cluster_group,
                cluster_group_selector: reach.group_selector,
                clusters: mine,
            });
        }
        // With named partitions Fleet rolls out to their clusters only: the others never get
        // the app (rollout.go:12-19 and 40-73; "not included in the rollout", Fleet's docs).
        let left_out: Vec<&str> = clusters
            .iter()
            .filter(|c| !placed.contains(c))
            .map(|&c| fleet.clusters[c].name.as_str())
            .collect();
        if !r.partitions.is_empty() && !left_out.is_empty() && !self.clusters_incomplete {
            let shown = if left_out.len() > 5 {
                format!(
                    "{}, and {} more",
                    left_out[..5].join(", "),
                    left_out.len() - 5
                )
            } else {
                left_out.join(", ")
            };
            self.push(
                Diagnostic::new(
                    Code::ClustersOutsideRollout,
                    format!(
                        "{} the app targets {} in no partition: {shown}",
                        crate::diagnostic::plural(left_out.len(), "cluster"),
                        if left_out.len() == 1 { "is" } else { "are" }
                    ),
                )
                .label(self.ix.key(&base.key("partitions")), "Fleet rolls out to these partitions' clusters only")
                .help(format!(
                    "add a partition that takes the rest (for example `selector: {{matchExpressions: [{{key: {}, operator: Exists}}]}}`), or narrow the app's targets",
                    fleet.label_keys.environment
                )),
            );
        }
        Rollout {
            max_unavailable: r.max_unavailable.clone(),
            max_unavailable_partitions: r.max_unavailable_partitions.clone(),
            auto_partition_size: r.auto_partition_size.clone(),
            auto_partition_threshold: r.auto_partition_threshold,
            max_new: r.max_new,
            partitions,
        }
    }

    /// Fleet reads a string count only as a percentage (Kubernetes' `intstr` scaling).
    fn int_or_percent(&mut self, v: &IntOrPercent, at: &Ptr) {
        let IntOrPercent::Percent(text) = v else {
            return;
        };
        // Kubernetes' intstr scaling, as Fleet calls it (internal/cmd/controller/target/
        // status.go:122-137): a plain number, or a percentage that may have decimals.
        let ok = match text.strip_suffix('%') {
            Some(n) => n.parse::<f64>().is_ok_and(|n| (0.0..=100.0).contains(&n)),
            None => text.parse::<u32>().is_ok(),
        };
        if !ok {
            self.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    format!("`{text}` is neither a number nor a percentage"),
                )
                .label(
                    self.at(at),
                    "Fleet reads a text count as a number or a percentage",
                )
                .help("write a number of clusters (`2`) or a percentage from `0%` to `100%`"),
            );
        }
    }

    /// Reports a spec key the targeted Fleet version does not have.
    fn needs_fleet(&mut self, fleet: &Fleet, since: Version, at: &Ptr, what: &str) {
        if fleet.fleet_version < since {
            self.push(
                Diagnostic::new(Code::VersionTooOld, format!("`{what}` needs Fleet {since}"))
                .label(self.ix.key(at), format!("the targeted Fleet is {}", fleet.fleet_version))
                .help("Fleet before that drops the key without a word; set `fleet.version` to the Fleet you run, or remove it"),
            );
        }
    }
}

impl Cx<'_> {
    /// Every app's `dependsOn`: apps by name (the bundle of the cluster's own environment,
    /// selected by the app label), bundles by Fleet name, bundles by label selector. Selectors
    /// are matched against the spec's own apps' bundle labels so that cycles and placement
    /// cover them too: Fleet's agent waits for every BundleDeployment on the cluster that
    /// matches (rancher/fleet v0.16.1 internal/cmd/agent/deployer/deployer.go:447-489).
    pub(super) fn dependencies(
        &mut self,
        spec: &spec::Spec,
        app_names: &super::Names,
        fleet: &Fleet,
        apps: &mut [crate::model::App],
    ) {
        let labels_of = |app: &crate::model::App| -> BTreeMap<LabelKey, LabelValue> {
            let mut l = app.bundle.labels.clone();
            if let (Ok(k), Ok(v)) = (LabelKey::parse(APP_LABEL), LabelValue::parse(&app.name)) {
                l.insert(k, v);
            }
            l
        };
        let all_labels: Vec<BTreeMap<LabelKey, LabelValue>> = apps.iter().map(labels_of).collect();
        for (i, a) in spec.apps.iter().enumerate() {
            for (j, dep) in a.depends_on.iter().enumerate() {
                let ptr = Ptr::item("apps", i).key("dependsOn").index(j);
                let (entry_app, entry_bundle, entry_selector, states, name_ptr) = match dep {
                    spec::DependsOn::App(name) => (Some(name), None, None, &[][..], ptr.clone()),
                    spec::DependsOn::Entry(e) => (
                        e.app.as_ref(),
                        e.bundle.as_ref(),
                        e.selector.as_ref(),
                        &e.accepted_states[..],
                        ptr.key("app"),
                    ),
                };
                if !states.is_empty() {
                    self.needs_fleet(
                        fleet,
                        FLEET_ACCEPTED_STATES,
                        &ptr.key("acceptedStates"),
                        "dependsOn[].acceptedStates",
                    );
                }
                let given = [
                    entry_app.is_some(),
                    entry_bundle.is_some(),
                    entry_selector.is_some(),
                ];
                if given.iter().filter(|g| **g).count() != 1 {
                    self.push(
                        Diagnostic::new(
                            Code::InvalidValue,
                            "a `dependsOn` entry needs exactly one of `app`, `bundle` and `selector`",
                        )
                        .label(self.ix.head(&ptr, self.text), "one dependency per entry")
                        .help("write one entry for each app, bundle or selector"),
                    );
                    continue;
                }
                let on = if let Some(name) = entry_app {
                    let Some(d) = self.reference(app_names, name, &name_ptr, "app") else {
                        continue;
                    };
                    if d == i {
                        self.push(
                            Diagnostic::new(
                                Code::DependencyCycle,
                                format!("app `{name}` depends on itself"),
                            )
                            .label(self.at(&name_ptr), "here")
                            .help("remove this entry"),
                        );
                        continue;
                    }
                    let d = AppId::new(d);
                    apps[i].depends_on.push(d);
                    DependencyOn::App(d)
                } else if let Some(b) = entry_bundle {
                    // Fleet selects it by the label `fleet.cattle.io/bundle-name` (deployer.go:459-462):
                    // a label value, at most 63 characters.
                    self.parse_because::<LabelValue>(
                        b,
                        &ptr.key("bundle"),
                        "Fleet selects the bundle by its name as a label value",
                    );
                    // One of this spec's own bundles: a dependency on that app, so that cycles
                    // and placement see it.
                    let own = apps.iter().position(|x| x.bundle_names().any(|n| n == b));
                    match own {
                        Some(k) if k == i => {
                            self.push(
                                Diagnostic::new(
                                    Code::DependencyCycle,
                                    format!("`{b}` is this app's own bundle"),
                                )
                                .label(self.at(&ptr.key("bundle")), "the app would wait for itself")
                                .help("remove this entry"),
                            );
                            continue;
                        }
                        Some(k) if !apps[i].depends_on.contains(&AppId::new(k)) => {
                            apps[i].depends_on.push(AppId::new(k));
                        }
                        _ => {}
                    }
                    DependencyOn::Bundle(b.clone())
                } else if let Some(s) = entry_selector {
                    let Some(sel) = self.bundle_selector(s, &ptr.key("selector")) else {
                        continue;
                    };
                    for (k, l) in all_labels.iter().enumerate() {
                        if !sel.matches(l) {
                            continue;
                        }
                        if k == i {
                            self.push(
                                Diagnostic::new(
                                    Code::DependencyCycle,
                                    format!("this selector matches `{}` itself", a.name),
                                )
                                .label(self.at(&ptr.key("selector")), "the app's own bundle has these labels")
                                .help("Fleet would wait for the app before deploying it: narrow the selector"),
                            );
                        } else if !apps[i].depends_on.contains(&AppId::new(k)) {
                            apps[i].depends_on.push(AppId::new(k));
                        }
                    }
                    DependencyOn::Selector(sel)
                } else {
                    continue;
                };
                apps[i].dependencies.push(Dependency {
                    on,
                    accepted_states: states.to_vec(),
                });
            }
        }
    }

    /// A selector over bundle labels: keys and values checked as label syntax only (bundles
    /// outside the spec may carry any labels).
    fn bundle_selector(&mut self, s: &spec::Selector, at: &Ptr) -> Option<LabelSelector> {
        let mut ok = true;
        let mut sel = LabelSelector::default();
        for (k, v) in &s.match_labels {
            let ptr = at.key("matchLabels").key(k);
            ok &= self.parse_key::<LabelKey>(k, &ptr).is_some();
            ok &= self.parse::<LabelValue>(v, &ptr).is_some();
            sel.match_labels.insert(k.clone(), v.clone());
        }
        for (j, r) in s.match_expressions.iter().enumerate() {
            let ptr = at.key("matchExpressions").index(j);
            ok &= self.parse::<LabelKey>(&r.key, &ptr.key("key")).is_some();
            let needs_values = matches!(r.operator, spec::Operator::In | spec::Operator::NotIn);
            if needs_values == r.values.is_empty() {
                self.push(
                    Diagnostic::new(
                        Code::InvalidValue,
                        format!(
                            "`{:?}` takes {} `values`",
                            r.operator,
                            if needs_values { "some" } else { "no" }
                        ),
                    )
                    .label(
                        self.ix.head(&ptr, self.text),
                        "Kubernetes rejects this requirement",
                    )
                    .help("`In` and `NotIn` list values; `Exists` and `DoesNotExist` have none"),
                );
                ok = false;
            }
            sel.match_expressions.push(crate::model::Requirement {
                key: r.key.clone(),
                operator: r.operator,
                values: r.values.clone(),
            });
        }
        if sel == LabelSelector::default() {
            self.push(
                Diagnostic::new(
                    Code::EmptySelector,
                    "an empty selector matches every bundle",
                )
                .label(self.at(at), "no labels or expressions")
                .help("give `matchLabels` or `matchExpressions`"),
            );
            ok = false;
        }
        ok.then_some(sel)
    }
}

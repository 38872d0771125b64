//! Resolving an app's targets: each target's criteria, the label selector Fleet will match,
//! the clusters it reaches among the declared ones, and the checks on selectors.

use super::{Cx, RefNames};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{ClusterId, EnvId, Fleet, LabelSelector, Requirement, Target};
use crate::pointer::Ptr;
use crate::spec::{self, Operator};
use crate::suggest;
use crate::values::LabelValue;

/// What a target or a partition selects clusters by; all given criteria must hold.
pub(super) struct Criteria<'a> {
    pub(super) environment: Option<&'a str>,
    pub(super) region: Option<&'a str>,
    pub(super) cluster: Option<&'a str>,
    pub(super) selector: Option<&'a spec::Selector>,
}

impl Cx<'_> {
    /// The label selector of a target's (or a partition's) criteria, the ClusterGroup that
    /// carries its environment or region, and the parts of its default name; `None` (reported)
    /// when a criterion names nothing declared.
    pub(super) fn criteria(
        &mut self,
        t: &Criteria<'_>,
        base: &Ptr,
        fleet: &Fleet,
        names: &RefNames,
    ) -> Option<(LabelSelector, Option<String>, Vec<String>)> {
        let keys = &fleet.label_keys;
        let mut ok = true;
        let mut sel = LabelSelector::default();
        let mut group = None;
        let mut parts = Vec::new();
        if let Some(e) = t.environment {
            match self.reference(&names.envs, e, &base.key("environment"), "environment") {
                Some(env) => group = Some(fleet.env_group(EnvId::new(env))),
                None => ok = false,
            }
            sel.match_labels
                .insert(keys.environment.to_string(), e.to_owned());
            parts.push(e.to_owned());
        }
        if let Some(r) = t.region {
            if !self.region_declared(&keys.region, r) {
                self.unknown_region(r, &base.key("region"), fleet);
                ok = false;
            }
            sel.match_labels
                .insert(keys.region.to_string(), r.to_owned());
            if group.is_none() {
                group = Some(Fleet::region_group(r));
            }
            parts.push(r.to_owned());
        }
        if let Some(c) = t.cluster {
            if self
                .cluster_ref(&names.clusters, c, &base.key("cluster"))
                .is_none()
            {
                ok = false;
            }
            sel.match_labels.insert(keys.name.to_string(), c.to_owned());
            parts.push(c.to_owned());
        }
        if let Some(s) = t.selector {
            ok &= self.selector(s, &base.key("selector"), &mut sel);
            parts.push("selected".to_owned());
        }
        ok.then_some((sel, group, parts))
    }

    pub(super) fn targets(
        &mut self,
        i: usize,
        a: &spec::App,
        fleet: &Fleet,
        names: &RefNames,
    ) -> (Vec<Target>, Vec<ClusterId>) {
        let keys = &fleet.label_keys;
        let mut reached = vec![false; fleet.clusters.len()];
        let mut out = Vec::new();
        for (j, t) in a.targets.iter().enumerate() {
            let base = Ptr::item("apps", i).key("targets").index(j);
            if t.environment.is_none()
                && t.region.is_none()
                && t.cluster.is_none()
                && t.selector.is_none()
            {
                self.push(
                    Diagnostic::new(Code::InvalidValue, "empty target")
                        .label(self.ix.head(&base, self.text), "this target names no clusters")
                        .help("give `environment`, `region`, `cluster` or `selector`; Fleet matches nothing with an empty target"),
                );
                continue;
            }
            let criteria = Criteria {
                environment: t.environment.as_deref(),
                region: t.region.as_deref(),
                cluster: t.cluster.as_deref(),
                selector: t.selector.as_ref(),
            };
            let Some((sel, group, parts)) = self.criteria(&criteria, &base, fleet, names) else {
                continue;
            };
            let mut matched = 0usize;
            for (ci, c) in fleet.clusters.iter().enumerate() {
                if sel.matches(&c.labels) {
                    reached[ci] = true;
                    matched += 1;
                }
            }
            if matched == 0 && !self.clusters_incomplete {
                self.push(
                    Diagnostic::new(Code::EmptySelector, "this target matches no cluster")
                        .label(self.ix.head(&base, self.text), "no declared cluster has all of these")
                        .help("check the environment, region and labels it names; a target that matches nothing deploys nowhere"),
                );
            }
            // The GitRepo target: the ClusterGroup carries the environment (or region), the
            // selector only what the group does not already say.
            let mut rest = sel.clone();
            if t.environment.is_some() {
                rest.match_labels.remove(keys.environment.as_str());
            } else if t.region.is_some() {
                rest.match_labels.remove(keys.region.as_str());
            }
            let name = t.name.clone().unwrap_or_else(|| parts.join("-"));
            if let Some(first) = out.iter().position(|o: &Target| o.name == name) {
                self.push(
                    Diagnostic::new(
                        Code::DuplicateName,
                        format!("two targets of `{}` are named `{name}`", a.name),
                    )
                    .label(self.ix.head(&base, self.text), "this target")
                    .label(
                        self.ix
                            .head(&Ptr::item("apps", i).key("targets").index(first), self.text),
                        "and this one",
                    )
                    .help("give one of them a distinct `name`"),
                );
            } else if name.starts_with("env-") || name.starts_with("cluster-") {
                self.push(
                    Diagnostic::new(
                        Code::InvalidName,
                        format!("target name `{name}` is taken by customizations"),
                    )
                    .label(
                        self.at(&base.key("name")),
                        "`env-…` and `cluster-…` name fleetc's targetCustomizations",
                    )
                    .help("choose a name without these prefixes, e.g. `production-eu`"),
                );
            }
            // A target of only `selector: {}` selects every cluster: Fleet needs it spelled as
            // `clusterSelector: {}`, since a target with no criteria matches nothing
            // (rancher/fleet v0.16.1 internal/cmd/controller/target/matcher/clustermatcher.go:69-71).
            let keep_empty = group.is_none() && t.cluster.is_none() && t.selector.is_some();
            out.push(Target {
                name,
                cluster_group: group,
                selector: (rest != LabelSelector::default() || keep_empty).then_some(rest),
                matcher: sel,
            });
        }
        let clusters = reached
            .iter()
            .enumerate()
            .filter_map(|(c, r)| r.then_some(ClusterId::new(c)))
            .collect();
        (out, clusters)
    }

    pub(super) fn unknown_region(&mut self, r: &str, ptr: &Ptr, fleet: &Fleet) {
        let mut d = Diagnostic::new(Code::UnknownReference, format!("unknown region `{r}`"))
            .label(self.at(ptr), "no cluster is in this region");
        d = match suggest::closest(r, fleet.regions.iter().map(LabelValue::as_str)) {
            Some(s) => d.help(format!("did you mean `{s}`?")),
            None => d.help(format!(
                "regions of the declared clusters: {}",
                fleet.regions.join(", ")
            )),
        };
        self.push(d);
    }

    /// Adds a spec selector's requirements to `sel`; reports bad keys, values and operators.
    pub(super) fn selector(
        &mut self,
        s: &spec::Selector,
        base: &Ptr,
        sel: &mut LabelSelector,
    ) -> bool {
        let mut ok = true;
        for (k, v) in &s.match_labels {
            let ptr = base.key("matchLabels").key(k);
            ok &= self.selector_key(k, &ptr);
            if let Some(prev) = sel.match_labels.get(k)
                && prev != v
            {
                self.push(
                    Diagnostic::new(
                        Code::EmptySelector,
                        format!("label `{k}` must be both `{prev}` and `{v}`"),
                    )
                    .label(self.at(&ptr), "contradicts the target's other criteria")
                    .help("a cluster has one value per label; drop one of the two"),
                );
                ok = false;
            }
            sel.match_labels.insert(k.clone(), v.clone());
        }
        for (j, r) in s.match_expressions.iter().enumerate() {
            let ptr = base.key("matchExpressions").index(j);
            ok &= self.selector_key(&r.key, &ptr.key("key"));
            let needs_values = matches!(r.operator, Operator::In | Operator::NotIn);
            if needs_values == r.values.is_empty() {
                let msg = if needs_values {
                    format!("`{:?}` needs `values`", r.operator)
                } else {
                    format!("`{:?}` takes no `values`", r.operator)
                };
                self.push(
                    Diagnostic::new(Code::InvalidValue, msg)
                        .label(
                            self.ix.head(&ptr, self.text),
                            "Kubernetes rejects this requirement",
                        )
                        .help(
                            "`In` and `NotIn` list values; `Exists` and `DoesNotExist` have none",
                        ),
                );
                ok = false;
            }
            if r.operator == Operator::In {
                // A value no cluster has is almost always a typo; report it where it stands.
                // Known keys only: an unknown key was reported just above.
                let have: Vec<String> = match self.declared_labels.get(&r.key) {
                    Some(values) => values.iter().cloned().collect(),
                    None => Vec::new(),
                };
                for (k, v) in r.values.iter().enumerate() {
                    if !have.contains(v) && self.declared_labels.contains_key(&r.key) {
                        let mut d = Diagnostic::new(
                            Code::UnknownReference,
                            format!("no cluster has `{}: {v}`", r.key),
                        )
                        .label(
                            self.at(&ptr.key("values").index(k)),
                            "matches no declared cluster",
                        );
                        if let Some(s) = suggest::closest(v, have.iter().map(String::as_str)) {
                            d = d.help(format!("did you mean `{s}`?"));
                        } else {
                            d = d.help(format!("values of `{}`: {}", r.key, have.join(", ")));
                        }
                        self.push(d);
                    }
                }
            }
            sel.match_expressions.push(Requirement {
                key: r.key.clone(),
                operator: r.operator,
                values: r.values.clone(),
            });
        }
        ok
    }

    pub(super) fn selector_key(&mut self, k: &str, ptr: &Ptr) -> bool {
        if self.declared_labels.contains_key(k) {
            return true;
        }
        let mut d = Diagnostic::new(
            Code::UnknownReference,
            format!("no cluster has label `{k}`"),
        )
        .label(self.ix.key(ptr), "unknown label key");
        d = match suggest::closest(k, self.declared_labels.keys().map(String::as_str)) {
            Some(s) => d.help(format!("did you mean `{s}`?")),
            None => d.help("declare the label under a cluster's `labels`"),
        };
        self.push(d);
        false
    }
}

//! Resolving an app's targets: each target's criteria, the label selector Fleet will match,
//! the clusters it reaches among the declared ones, and the checks on selectors.

use super::{Cx, RefNames};
use crate::diagnostic::{Code, Diagnostic};
use std::collections::BTreeSet;

use crate::model::{
    ClusterId, EnvId, Fleet, GroupView, LabelSelector, Matcher, Requirement, Target,
};
use crate::pointer::Ptr;
use crate::spec::{self, Operator};
use crate::suggest;
use crate::values::LabelValue;

/// What a target or a partition selects clusters by; all given criteria must hold.
#[derive(Default)]
pub(super) struct Criteria<'a> {
    pub(super) environment: Option<&'a str>,
    pub(super) region: Option<&'a str>,
    pub(super) cluster: Option<&'a str>,
    pub(super) selector: Option<&'a spec::Selector>,
    pub(super) cluster_group: Option<&'a str>,
    pub(super) cluster_group_selector: Option<&'a spec::Selector>,
}

/// Criteria resolved: what Fleet is told and which declared clusters that reaches.
pub(super) struct Reach {
    /// Every requirement on the cluster's own labels.
    pub(super) labels: LabelSelector,
    /// The ClusterGroup the target names: the one of its environment or region, or one the
    /// spec wrote itself.
    pub(super) group: Option<String>,
    /// Whether `group` is one the spec names (so the environment and region stay in the
    /// cluster selector) rather than one fleetc picked for an environment or region.
    pub(super) named_group: bool,
    /// `clusterGroupSelector`, as Fleet gets it.
    pub(super) group_selector: Option<LabelSelector>,
    /// The groups a named group or group selector accepts (see [`Matcher::groups`]).
    pub(super) groups: Option<Vec<LabelSelector>>,
    /// The parts of its default name.
    pub(super) parts: Vec<String>,
    /// Whether it names an opt-in label no declared cluster carries yet (W017 said so), so
    /// reaching no declared cluster is expected.
    pub(super) awaits_opt_in: bool,
}

impl Reach {
    pub(super) fn matcher(&self) -> Matcher {
        Matcher {
            labels: self.labels.clone(),
            groups: self.groups.clone(),
        }
    }
}

/// `clusterGroup` and `clusterGroupSelector` resolved: whether they are sound, the group named,
/// the group selector, the selectors of the groups accepted, and whether one of those may hold
/// clusters that opt in later.
type GroupCriteria = (
    bool,
    Option<String>,
    Option<LabelSelector>,
    Vec<LabelSelector>,
    bool,
);

/// How a selector's label key is known.
#[derive(PartialEq)]
pub(super) enum KeyKnown {
    /// Some declared cluster carries it.
    Declared,
    /// Only `optInLabels` names it (W017 reported).
    OptIn,
    /// Neither (reported).
    Unknown,
}

impl Cx<'_> {
    /// The criteria of a target (or a partition): the label selector Fleet will match, the
    /// ClusterGroup that carries its environment or region, and the parts of its default name;
    /// `None` (reported) when a criterion names nothing declared.
    pub(super) fn criteria(
        &mut self,
        t: &Criteria<'_>,
        base: &Ptr,
        fleet: &Fleet,
        names: &RefNames,
    ) -> Option<Reach> {
        let keys = &fleet.label_keys;
        let mut ok = true;
        let mut awaits_opt_in = false;
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
            let (fine, opt_in) = self.selector(s, &base.key("selector"), &mut sel);
            ok &= fine;
            awaits_opt_in |= opt_in;
            parts.push("selected".to_owned());
        }
        let (named_group, group_selector, groups) =
            if t.cluster_group.is_some() || t.cluster_group_selector.is_some() {
                let (fine, chosen, group_selector, groups, opt_in) =
                    self.group_criteria(t, base, fleet);
                ok &= fine;
                awaits_opt_in |= opt_in;
                if let Some(g) = chosen {
                    // Prefixed: fleetc's own groups are `env-…`, which names customizations.
                    parts.push(format!("group-{g}"));
                    group = Some(g);
                } else {
                    // Fleet takes one `clusterGroup`; a group selector stands beside the
                    // environment's selector labels instead.
                    group = None;
                }
                if group_selector.is_some() {
                    parts.push("grouped".to_owned());
                }
                (true, group_selector, Some(groups))
            } else {
                (false, None, None)
            };
        ok.then_some(Reach {
            labels: sel,
            group,
            named_group,
            group_selector,
            groups,
            parts,
            awaits_opt_in,
        })
    }

    /// `clusterGroup` and `clusterGroupSelector` of a target: whether they resolve, the group
    /// named, the group selector, and the selectors of the groups accepted.
    fn group_criteria(&mut self, t: &Criteria<'_>, base: &Ptr, fleet: &Fleet) -> GroupCriteria {
        let all = fleet.groups();
        let mut ok = true;
        let mut accepted: Vec<&GroupView> = all.iter().collect();
        let mut chosen = None;
        if let Some(name) = t.cluster_group {
            let ptr = base.key("clusterGroup");
            match all.iter().find(|g| g.name == name) {
                Some(g) => {
                    accepted = vec![g];
                    chosen = Some(g.name.clone());
                }
                None => {
                    let mut d = Diagnostic::new(
                        Code::UnknownReference,
                        format!("unknown ClusterGroup `{name}`"),
                    )
                    .label(self.at(&ptr), "fleetc writes no ClusterGroup of this name");
                    d = match suggest::closest(name, all.iter().map(|g| g.name.as_str())) {
                        Some(s) => d.did_you_mean(s),
                        None => d.help(
                            "name one of `clusterGroups`, or an environment's (`env-<name>`) or region's (`region-<name>`) group",
                        ),
                    };
                    self.push(d);
                    ok = false;
                    accepted.clear();
                }
            }
        }
        let mut group_selector = None;
        if let Some(s) = t.cluster_group_selector {
            let ptr = base.key("clusterGroupSelector");
            let mut gs = LabelSelector::default();
            ok &= self.group_selector(s, &ptr, &all, &mut gs);
            let before = accepted.len();
            accepted.retain(|g| gs.matches_plain(&g.labels));
            if ok && accepted.is_empty() && before > 0 {
                let what = if t.cluster_group.is_some() {
                    "the named ClusterGroup does not have these labels"
                } else {
                    "no ClusterGroup has these labels"
                };
                self.push(
                    Diagnostic::new(Code::EmptySelector, "this group selector matches no ClusterGroup")
                        .label(self.ix.head(&ptr, self.text), what)
                        .help("give the group the labels under `clusterGroups[].labels`, or fix the selector; fleetc's own groups carry `fleetc.io/environment` or `fleetc.io/region`"),
                );
                ok = false;
            }
            group_selector = Some(gs);
        }
        let opt_in = accepted.iter().any(|g| g.opt_in);
        let groups = accepted.into_iter().map(|g| g.selector.clone()).collect();
        (ok, chosen, group_selector, groups, opt_in)
    }

    /// A `clusterGroupSelector`: its keys and values checked against the labels of the
    /// ClusterGroups fleetc writes.
    fn group_selector(
        &mut self,
        s: &spec::Selector,
        ptr: &Ptr,
        all: &[GroupView],
        out: &mut LabelSelector,
    ) -> bool {
        let mut ok = true;
        let keys: BTreeSet<&str> = all
            .iter()
            .flat_map(|g| g.labels.keys().map(String::as_str))
            .collect();
        let key_known = |cx: &mut Self, k: &str, at: &Ptr| {
            if keys.contains(k) {
                return true;
            }
            let mut d = Diagnostic::new(
                Code::UnknownReference,
                format!("no ClusterGroup has label `{k}`"),
            )
            .label(label_key_span(cx.ix, at), "unknown ClusterGroup label key");
            d = match suggest::closest(k, keys.iter().copied()) {
                Some(s) => d.did_you_mean(s),
                None => d.help("give ClusterGroups labels under `clusterGroups[].labels`"),
            };
            cx.push(d);
            false
        };
        for (k, v) in &s.match_labels {
            ok &= key_known(self, k, &ptr.key("matchLabels").key(k));
            out.match_labels.insert(k.clone(), v.clone());
        }
        for (j, r) in s.match_expressions.iter().enumerate() {
            let at = ptr.key("matchExpressions").index(j);
            ok &= key_known(self, &r.key, &at.key("key"));
            ok &= self.operator_values(r, &at);
            out.match_expressions.push(Requirement {
                key: r.key.clone(),
                operator: r.operator,
                values: r.values.clone(),
            });
        }
        ok
    }

    /// The targets at `at` (an app's, or a Schedule's) of `owner`, against the clusters of
    /// `workspaces`: what Fleet is told, and the declared clusters they reach.
    pub(super) fn targets(
        &mut self,
        at: &Ptr,
        owner: &str,
        list: &[spec::Target],
        fleet: &Fleet,
        names: &RefNames,
        workspaces: &[&str],
    ) -> (Vec<Target>, Vec<ClusterId>) {
        let workspace = workspaces[0];
        let keys = &fleet.label_keys;
        let mut reached = vec![false; fleet.clusters.len()];
        let mut out = Vec::new();
        for (j, t) in list.iter().enumerate() {
            let base = at.index(j);
            if t.environment.is_none()
                && t.region.is_none()
                && t.cluster.is_none()
                && t.selector.is_none()
                && t.cluster_group.is_none()
                && t.cluster_group_selector.is_none()
            {
                self.push(
                    Diagnostic::new(Code::InvalidValue, "empty target")
                        .label(self.ix.head(&base, self.text), "this target names no clusters")
                        .help("give `environment`, `region`, `cluster`, `selector`, `clusterGroup` or `clusterGroupSelector`; Fleet matches nothing with an empty target"),
                );
                continue;
            }
            let criteria = Criteria {
                environment: t.environment.as_deref(),
                region: t.region.as_deref(),
                cluster: t.cluster.as_deref(),
                selector: t.selector.as_ref(),
                cluster_group: t.cluster_group.as_deref(),
                cluster_group_selector: t.cluster_group_selector.as_ref(),
            };
            let Some(reach) = self.criteria(&criteria, &base, fleet, names) else {
                continue;
            };
            let matcher = reach.matcher();
            // A bundle reaches the clusters of its own workspace, and of those a
            // BundleNamespaceMapping adds (rancher/fleet v0.16.1
            // internal/cmd/controller/target/builder.go:76-95, 237-266).
            let mut matched = 0usize;
            let mut elsewhere: Option<&str> = None;
            for (ci, c) in fleet.clusters.iter().enumerate() {
                if matcher.matches(&c.labels) {
                    if workspaces.contains(&c.workspace.as_str()) {
                        reached[ci] = true;
                        matched += 1;
                    } else {
                        elsewhere.get_or_insert(&c.workspace);
                    }
                }
            }
            if matched == 0 && !self.clusters_incomplete && !reach.awaits_opt_in {
                let d = match elsewhere {
                    None => Diagnostic::new(Code::EmptySelector, "this target matches no cluster")
                        .label(self.ix.head(&base, self.text), "no declared cluster has all of these")
                        .help("check the environment, region and labels it names; a target that matches nothing deploys nowhere"),
                    Some(ws) => Diagnostic::new(
                        Code::EmptySelector,
                        format!("this target matches no cluster of workspace `{workspace}`"),
                    )
                    .label(
                        self.ix.head(&base, self.text),
                        format!("the clusters it matches are in workspace `{ws}`"),
                    )
                    .help(format!("Fleet matches a bundle against the clusters of its own workspace: put the app in a shared GitRepo with `workspace: {ws}`")),
                };
                self.push(d);
            }
            // The GitRepo target: fleetc's ClusterGroup carries the environment (or region),
            // the selector only what the group does not already say.
            let mut rest = reach.labels.clone();
            if !reach.named_group {
                if t.environment.is_some() {
                    rest.match_labels.remove(keys.environment.as_str());
                } else if t.region.is_some() {
                    rest.match_labels.remove(keys.region.as_str());
                }
            }
            let name = t.name.clone().unwrap_or_else(|| reach.parts.join("-"));
            if let Some(first) = out.iter().position(|o: &Target| o.name == name) {
                self.push(
                    Diagnostic::new(
                        Code::DuplicateName,
                        format!("two targets of `{owner}` are named `{name}`"),
                    )
                    .label(self.ix.head(&base, self.text), "this target")
                    .label(self.ix.head(&at.index(first), self.text), "and this one")
                    .help("give one of them a distinct `name`"),
                );
            } else if ["env-", "sel-", "cluster-"]
                .iter()
                .any(|p| name.starts_with(p))
            {
                self.push(
                    Diagnostic::new(
                        Code::InvalidName,
                        format!("target name `{name}` is taken by customizations"),
                    )
                    .label(
                        self.at(&base.key("name")),
                        "`env-…`, `sel-…` and `cluster-…` name fleetc's targetCustomizations",
                    )
                    .help("choose a name without these prefixes, e.g. `production-eu`"),
                );
            }
            // A target of only `selector: {}` selects every cluster: Fleet needs it spelled as
            // `clusterSelector: {}`, since a target with no criteria matches nothing
            // (rancher/fleet v0.16.1 internal/cmd/controller/target/matcher/clustermatcher.go:69-71).
            let keep_empty = reach.group.is_none()
                && reach.group_selector.is_none()
                && t.cluster.is_none()
                && t.selector.is_some();
            out.push(Target {
                name,
                cluster_group: reach.group,
                cluster_group_selector: reach.group_selector,
                selector: (rest != LabelSelector::default() || keep_empty).then_some(rest),
                matcher,
                awaits_opt_in: reach.awaits_opt_in,
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
            Some(s) => d.did_you_mean(s),
            None => d.help(format!(
                "regions of the declared clusters: {}",
                fleet.regions.join(", ")
            )),
        };
        self.push(d);
    }

    /// Adds a spec selector's requirements to `sel`; reports bad keys, values and operators.
    /// Returns whether it is sound, and whether it waits for an opt-in label (W017).
    pub(super) fn selector(
        &mut self,
        s: &spec::Selector,
        base: &Ptr,
        sel: &mut LabelSelector,
    ) -> (bool, bool) {
        let mut ok = true;
        let mut opt_in = false;
        for (k, v) in &s.match_labels {
            let ptr = base.key("matchLabels").key(k);
            match self.selector_key(k, &ptr, true) {
                KeyKnown::Declared => {}
                KeyKnown::OptIn => opt_in = true,
                KeyKnown::Unknown => ok = false,
            }
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
            ok &= self.opt_in_value(k, v, &ptr);
            sel.match_labels.insert(k.clone(), v.clone());
        }
        for (j, r) in s.match_expressions.iter().enumerate() {
            let ptr = base.key("matchExpressions").index(j);
            let gains = matches!(r.operator, Operator::In | Operator::Exists);
            match self.selector_key(&r.key, &ptr.key("key"), gains) {
                KeyKnown::Declared => {}
                KeyKnown::OptIn => opt_in = true,
                KeyKnown::Unknown => ok = false,
            }
            ok &= self.operator_values(r, &ptr);
            if r.operator == Operator::In {
                // A value no cluster has is almost always a typo; report it where it stands.
                // Known keys only: an unknown key was reported just above.
                if let Some(have) = self.known_values(&r.key) {
                    for (k, v) in r.values.iter().enumerate() {
                        if !have.contains(v) {
                            self.unknown_label_value(&r.key, v, &ptr.key("values").index(k), &have);
                            ok = false;
                        }
                    }
                }
            }
            sel.match_expressions.push(Requirement {
                key: r.key.clone(),
                operator: r.operator,
                values: r.values.clone(),
            });
        }
        (ok, opt_in)
    }

    /// `In` and `NotIn` list values, `Exists` and `DoesNotExist` none; reported otherwise.
    fn operator_values(&mut self, r: &spec::Requirement, ptr: &Ptr) -> bool {
        let needs_values = matches!(r.operator, Operator::In | Operator::NotIn);
        if needs_values != r.values.is_empty() {
            return true;
        }
        let msg = if needs_values {
            format!("`{:?}` needs `values`", r.operator)
        } else {
            format!("`{:?}` takes no `values`", r.operator)
        };
        self.push(
            Diagnostic::new(Code::InvalidValue, msg)
                .label(
                    self.ix.head(ptr, self.text),
                    "Kubernetes rejects this requirement",
                )
                .help("`In` and `NotIn` list values; `Exists` and `DoesNotExist` have none"),
        );
        false
    }

    /// The values a label key may take: those of the declared clusters and those
    /// `optInLabels` lists; `None` when any value goes (an opt-in label listing none) or the
    /// key is unknown.
    fn known_values(&self, k: &str) -> Option<Vec<String>> {
        let declared = self.declared_labels.get(k);
        let opt_in = self.opt_in.get(k);
        if declared.is_none() && opt_in.is_none() || opt_in.is_some_and(BTreeSet::is_empty) {
            return None;
        }
        let mut have: BTreeSet<String> = declared.cloned().unwrap_or_default();
        have.extend(opt_in.into_iter().flatten().cloned());
        Some(have.into_iter().collect())
    }

    /// A `matchLabels` value of a key only `optInLabels` knows, checked against the values it
    /// lists. (Declared keys are not: a value no cluster has makes the target match nothing,
    /// which E017 reports with the whole target.)
    fn opt_in_value(&mut self, k: &str, v: &str, ptr: &Ptr) -> bool {
        if self.declared_labels.contains_key(k) {
            return true;
        }
        match self.known_values(k) {
            Some(have) if !have.iter().any(|h| h == v) => {
                let mut d = Diagnostic::new(
                    Code::UnknownReference,
                    format!("opt-in label `{k}` does not take `{v}`"),
                )
                .label(self.at(ptr), "not among the values `optInLabels` lists");
                d = match suggest::closest(v, have.iter().map(String::as_str)) {
                    Some(s) => d.did_you_mean(s),
                    None => d.help(format!(
                        "values of `{k}`: {}; list the value under `optInLabels` if clusters use it",
                        have.join(", ")
                    )),
                };
                self.push(d);
                false
            }
            _ => true,
        }
    }

    fn unknown_label_value(&mut self, k: &str, v: &str, ptr: &Ptr, have: &[String]) {
        let mut d = Diagnostic::new(Code::UnknownReference, format!("no cluster has `{k}: {v}`"))
            .label(self.at(ptr), "matches no declared cluster");
        if let Some(s) = suggest::closest(v, have.iter().map(String::as_str)) {
            d = d.did_you_mean(s);
        } else {
            d = d.help(format!("values of `{k}`: {}", have.join(", ")));
        }
        self.push(d);
    }

    /// How the label key `k` of a selector is known; `gains` says whether the requirement is
    /// met by clusters that gain the label (`matchLabels`, `In`, `Exists`), so it may reach
    /// clusters that opt in later.
    pub(super) fn selector_key(&mut self, k: &str, ptr: &Ptr, gains: bool) -> KeyKnown {
        if self.opt_in.contains_key(k) && gains {
            if self.declared_labels.contains_key(k) {
                return KeyKnown::OptIn;
            }
            self.push(
                Diagnostic::new(
                    Code::AwaitsOptIn,
                    format!("no declared cluster carries opt-in label `{k}` yet"),
                )
                .label(self.ix.key(ptr), "declared in `optInLabels`")
                .help("clusters that get this label later are reached; give it to a declared cluster (its `labels`) to have fleetc check, explain and diff what they get"),
            );
            return KeyKnown::OptIn;
        }
        if self.declared_labels.contains_key(k) || self.opt_in.contains_key(k) {
            return KeyKnown::Declared;
        }
        let mut d = Diagnostic::new(
            Code::UnknownReference,
            format!("no cluster has label `{k}`"),
        )
        .label(label_key_span(self.ix, ptr), "unknown label key");
        d = match suggest::closest(
            k,
            self.declared_labels
                .keys()
                .chain(self.opt_in.keys())
                .map(String::as_str),
        ) {
            Some(s) => d.did_you_mean(s),
            None => d.help("declare the label under a cluster's `labels`, or under `optInLabels` for clusters that opt in later"),
        };
        self.push(d);
        KeyKnown::Unknown
    }
}

/// Where a label key is written: a `matchLabels` key itself, or the value of a
/// `matchExpressions` entry's `key:` (not the word `key`, which a did-you-mean fix would replace).
fn label_key_span(ix: &crate::load::SpanIndex, ptr: &Ptr) -> crate::diagnostic::Span {
    let p = ptr.as_str();
    if p.ends_with("/key") && p.contains("/matchExpressions/") {
        ix.nearest(ptr)
    } else {
        ix.key(ptr)
    }
}

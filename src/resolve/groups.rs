//! The spec's own ClusterGroups (`clusterGroups`) and opt-in labels (`optInLabels`): what
//! targets by `clusterGroup`, `clusterGroupSelector` and labels no declared cluster carries yet
//! may name.

use std::collections::HashSet;

use super::{Cx, Names};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{ClusterGroup, Fleet, LabelSelector, MANAGED_BY};
use crate::pointer::Ptr;
use crate::spec::Spec;
use crate::values::{LabelKey, LabelValue};

impl Cx<'_> {
    /// Reports fleetc's own `managed-by` label among the labels at `at` of an object fleetc
    /// writes; whether it was there.
    pub(super) fn managed_by_label(
        &mut self,
        labels: &std::collections::BTreeMap<String, String>,
        at: &Ptr,
    ) -> bool {
        let Some(k) = labels.keys().find(|k| k.as_str() == MANAGED_BY.0) else {
            return false;
        };
        self.push(
            Diagnostic::new(Code::InvalidValue, format!("label `{k}` is set by fleetc"))
                .label(self.ix.key(&at.key(k)), "every object fleetc writes carries it")
                .help("remove it: Helm (which applies `fleet/` when a bootstrap GitRepo does) overwrites it, so no selector can rely on it"),
        );
        true
    }

    /// Reads `optInLabels` into [`Cx::opt_in`]; keys and values must be label keys and values.
    pub(super) fn opt_in_labels(&mut self, spec: &Spec) {
        let base = Ptr::path(&["optInLabels"]);
        for (k, values) in &spec.opt_in_labels {
            let at = base.key(k);
            let key = self.parse_key::<LabelKey>(k, &at);
            for (j, v) in values.iter().enumerate() {
                let _: Option<LabelValue> = self.parse(v, &at.index(j));
            }
            if key.is_some() {
                self.opt_in
                    .insert(k.clone(), values.iter().cloned().collect());
            }
        }
    }

    /// `clusterGroups`, checked: names (unique, DNS labels, not one of fleetc's own groups),
    /// selectors as targets' are, labels. `fleet` holds the environments and clusters.
    pub(super) fn cluster_groups(&mut self, spec: &Spec, fleet: &Fleet) -> Vec<ClusterGroup> {
        let own: HashSet<String> = fleet.groups().into_iter().map(|g| g.name).collect();
        let mut names = Names::new();
        let mut out = Vec::new();
        for (i, g) in spec.cluster_groups.iter().enumerate() {
            let base = Ptr::item("clusterGroups", i);
            let name_at = base.key("name");
            self.dns_label(&g.name, &name_at, "ClusterGroup name");
            let mut ok = true;
            self.unique(
                &mut names,
                &g.name,
                &name_at,
                "ClusterGroup",
                &Ptr::path(&["clusterGroups"]),
                i,
            );
            if own.contains(&g.name) {
                self.push(
                    Diagnostic::new(
                        Code::DuplicateName,
                        format!("ClusterGroup `{}` is one fleetc writes itself", g.name),
                    )
                    .label(self.at(&name_at), "fleetc already writes a group of this name")
                    .help("every environment has a group `env-<name>` and every region one `region-<name>`: target that one, or choose another name"),
                );
                ok = false;
            }
            let mut selector = LabelSelector::default();
            let (fine, awaits_opt_in) =
                self.selector(&g.selector, &base.key("selector"), &mut selector);
            let labels = self.labels(&g.labels, &base.key("labels"));
            if self.managed_by_label(&g.labels, &base.key("labels")) {
                ok = false;
            }
            let holds = fleet.clusters.iter().any(|c| selector.matches(&c.labels));
            if fine && !holds && !awaits_opt_in && !self.clusters_incomplete {
                self.push(
                    Diagnostic::new(
                        Code::EmptySelector,
                        format!("ClusterGroup `{}` holds no cluster", g.name),
                    )
                    .label(
                        self.ix.head(&base.key("selector"), self.text),
                        "no declared cluster has all of these",
                    )
                    .help("fix the selector; for clusters that opt in later, list the label under `optInLabels`"),
                );
            }
            if ok && fine {
                out.push(ClusterGroup {
                    origin: i,
                    name: g.name.clone(),
                    selector,
                    labels,
                    opt_in: awaits_opt_in,
                });
            }
        }
        out
    }
}

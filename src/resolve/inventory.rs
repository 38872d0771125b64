//! The cluster inventory file (`clusterInventory`): Fleet Cluster objects as
//! `kubectl get clusters.fleet.cattle.io -A -o yaml` exports them (a `List` of them), or a
//! stream of Cluster documents.

use serde_json::Value;

use super::Cx;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{Fleet, Inventory, LiveCluster};
use crate::pointer::Ptr;
use crate::spec::Spec;
use crate::values::{LabelKey, LabelValue, Parse};

impl Cx<'_> {
    pub(super) fn inventory(&mut self, spec: &Spec, fleet: &Fleet) -> Option<Inventory> {
        let file = spec.cluster_inventory.as_ref()?;
        let at = Ptr::path(&["clusterInventory"]);
        if !self.safe_path(file, &at) {
            return None;
        }
        let path = super::apps::normalize(file);
        let Ok(Some(text)) = self.root.read(&path) else {
            self.push(
                Diagnostic::new(Code::MissingBase, format!("`{path}` not found"))
                    .label(self.at(&at), "relative to the output root")
                    .help("export it with `kubectl get clusters.fleet.cattle.io -A -o yaml > <file>` on the management cluster"),
            );
            return None;
        };
        let docs: Vec<Value> = match serde_saphyr::from_multiple_with_options(
            &text,
            crate::load::yaml_options(),
        ) {
            Ok(d) => d,
            Err(e) => {
                self.push(
                        Diagnostic::new(Code::InvalidValue, format!("`{path}` is not YAML"))
                            .label(self.at(&at), e.to_string().lines().next().unwrap_or_default().to_owned())
                            .help("export it again with `kubectl get clusters.fleet.cattle.io -A -o yaml`"),
                    );
                return None;
            }
        };
        let items: Vec<&Value> = docs
            .iter()
            .flat_map(|d| match d["items"].as_array() {
                Some(items) => items.iter().collect(),
                None if d.is_null() => Vec::new(),
                None => vec![d],
            })
            .collect();
        let mut clusters = Vec::new();
        let name_key = fleet.label_keys.name.as_str();
        for item in items {
            let api = item["apiVersion"].as_str().unwrap_or_default();
            let (Some(obj), Some(ns)) = (
                item["metadata"]["name"].as_str(),
                item["metadata"]["namespace"].as_str(),
            ) else {
                self.push(
                    Diagnostic::new(
                        Code::InvalidValue,
                        format!("`{path}` holds an object without a name and namespace"),
                    )
                    .label(self.at(&at), "every Fleet Cluster has both")
                    .help("export it with `-A -o yaml`, which keeps the objects' metadata"),
                );
                return None;
            };
            if item["kind"] != "Cluster" || !api.starts_with("fleet.cattle.io/") {
                self.push(
                    Diagnostic::new(Code::InvalidValue, format!("`{path}` holds `{obj}`, which is not a Fleet Cluster"))
                        .label(self.at(&at), "expected clusters.fleet.cattle.io objects")
                        .help("export `clusters.fleet.cattle.io` (Rancher's provisioning clusters are another kind)"),
                );
                return None;
            }
            let mut labels = std::collections::BTreeMap::new();
            for (k, v) in item["metadata"]["labels"].as_object().into_iter().flatten() {
                if let (Ok(k), Some(Ok(v))) =
                    (LabelKey::parse(k), v.as_str().map(LabelValue::parse))
                {
                    labels.insert(k, v);
                }
            }
            let name = labels
                .iter()
                .find(|(k, _)| k.as_str() == name_key)
                .map_or_else(|| obj.to_owned(), |(_, v)| v.to_string());
            let annotations = item["metadata"]["annotations"]
                .as_object()
                .into_iter()
                .flatten()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                .collect();
            let template_values = item["spec"]["templateValues"]
                .as_object()
                .cloned()
                .unwrap_or_default();
            clusters.push(LiveCluster {
                name,
                workspace: ns.to_owned(),
                object: obj.to_owned(),
                labels,
                annotations,
                template_values,
            });
        }
        Some(Inventory { path, clusters })
    }
}

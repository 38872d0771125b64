//! Kubernetes building blocks shared by the emitters.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::LabelSelector;
use crate::spec::Operator;

pub use crate::model::MANAGED_BY;

/// `metadata` of a generated object.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectMeta {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
}

impl ObjectMeta {
    /// Metadata of a cluster-scoped object fleetc manages, with extra labels.
    pub fn cluster_scoped(name: &str, extra: &[(&str, &str)]) -> ObjectMeta {
        let mut meta = ObjectMeta::managed(name, "", extra);
        meta.namespace = None;
        meta
    }

    /// Metadata of a namespaced object fleetc manages, with extra labels.
    pub fn managed(name: &str, namespace: &str, extra: &[(&str, &str)]) -> ObjectMeta {
        let mut labels: BTreeMap<String, String> = extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        labels.insert(MANAGED_BY.0.to_owned(), MANAGED_BY.1.to_owned());
        ObjectMeta {
            name: name.to_owned(),
            namespace: Some(namespace.to_owned()),
            labels,
        }
    }
}

/// A `metav1.LabelSelector`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Selector {
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub match_labels: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub match_expressions: Vec<Expression>,
}

/// A `metav1.LabelSelectorRequirement`.
#[derive(Debug, Clone, Serialize)]
pub struct Expression {
    pub key: String,
    pub operator: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
}

impl Selector {
    /// A selector as the spec writes it, over labels fleetc does not model (a namespace's).
    pub fn from_spec(s: &crate::spec::Selector) -> Selector {
        Selector::from(&LabelSelector {
            match_labels: s.match_labels.clone(),
            match_expressions: s
                .match_expressions
                .iter()
                .map(|r| crate::model::Requirement {
                    key: r.key.clone(),
                    operator: r.operator,
                    values: r.values.clone(),
                })
                .collect(),
        })
    }
}

impl From<&LabelSelector> for Selector {
    fn from(s: &LabelSelector) -> Self {
        Selector {
            match_labels: s.match_labels.clone(),
            match_expressions: s
                .match_expressions
                .iter()
                .map(|r| Expression {
                    key: r.key.clone(),
                    operator: match r.operator {
                        Operator::In => "In",
                        Operator::NotIn => "NotIn",
                        Operator::Exists => "Exists",
                        Operator::DoesNotExist => "DoesNotExist",
                    },
                    values: r.values.clone(),
                })
                .collect(),
        }
    }
}

//! Helm options of an app or a customization, merged the way Fleet merges a customization's
//! over the bundle's (rancher/fleet v0.16.1 internal/cmd/controller/options/calculate.go:57-147).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::spec::ValuesFrom;

/// The Helm options fleet.yaml's `helm` carries besides the chart, release name and values.
/// Serialized as Fleet names them, leaving out what is unset.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HelmOptions {
    /// Relative to the bundle directory, in merge order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub values_files: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub values_from: Vec<ValuesFrom>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub template_values: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_history: Option<u32>,
    #[serde(skip_serializing_if = "is_false")]
    pub take_ownership: bool,
    #[serde(skip_serializing_if = "is_false")]
    pub force: bool,
    #[serde(skip_serializing_if = "is_false")]
    pub atomic: bool,
    #[serde(skip_serializing_if = "is_false")]
    pub wait_for_jobs: bool,
    #[serde(rename = "disableDNS", skip_serializing_if = "is_false")]
    pub disable_dns: bool,
    #[serde(skip_serializing_if = "is_false")]
    pub skip_schema_validation: bool,
    #[serde(skip_serializing_if = "is_false")]
    pub disable_pre_process: bool,
    #[serde(skip_serializing_if = "is_false")]
    pub disable_dependency_update: bool,
    /// A customization's chart reference, version and release name (emitted beside the chart
    /// fields of fleet.yaml's `helm`, not flattened with the options).
    #[serde(skip)]
    pub chart: ChartOverride,
}

/// What a customization may change of the chart (calculate.go:96-107).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChartOverride {
    pub repo: Option<String>,
    pub chart: Option<String>,
    pub version: Option<String>,
    pub release_name: Option<String>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// The flags a customization may switch on, by their spec and fleet.yaml name.
pub const FLAGS: [&str; 6] = [
    "takeOwnership",
    "force",
    "atomic",
    "waitForJobs",
    "disableDNS",
    "disablePreProcess",
];

impl HelmOptions {
    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        *self == HelmOptions::default()
    }

    /// A flag by its name in `FLAGS`.
    pub fn flag(&self, name: &str) -> bool {
        match name {
            "takeOwnership" => self.take_ownership,
            "force" => self.force,
            "atomic" => self.atomic,
            "waitForJobs" => self.wait_for_jobs,
            "disableDNS" => self.disable_dns,
            "disablePreProcess" => self.disable_pre_process,
            _ => false,
        }
    }

    /// Each option set, as `explain` and `diff` show it: its origin key (`helm/timeoutSeconds`,
    /// `helm/valuesFiles/values/prod.yaml`), where under the spec's `helm` block it is written,
    /// and the text (`timeoutSeconds=900`).
    pub fn described(&self) -> Vec<(String, crate::pointer::Ptr, String)> {
        use crate::pointer::Ptr;
        let mut out = Vec::new();
        for (n, f) in self.values_files.iter().enumerate() {
            out.push((
                format!("helm/valuesFiles/{f}"),
                Ptr::root().key("valuesFiles").index(n),
                format!("valuesFiles {f}"),
            ));
        }
        for (n, v) in self.values_from.iter().enumerate() {
            let (kind, r) = match (&v.config_map_key_ref, &v.secret_key_ref) {
                (Some(r), _) => ("configmap", r),
                (None, Some(r)) => ("secret", r),
                (None, None) => continue,
            };
            let ns = r
                .namespace
                .as_deref()
                .map(|n| format!("{n}/"))
                .unwrap_or_default();
            let key = r.key.as_deref().unwrap_or("values.yaml");
            out.push((
                format!("helm/valuesFrom/{}", v.identity()),
                Ptr::root().key("valuesFrom").index(n),
                format!("valuesFrom {kind} {ns}{}, key {key}", r.name),
            ));
        }
        for (key, v) in [
            ("repo", &self.chart.repo),
            ("chart", &self.chart.chart),
            ("version", &self.chart.version),
            ("releaseName", &self.chart.release_name),
        ] {
            if let Some(v) = v {
                out.push((
                    format!("helm/{key}"),
                    Ptr::root().key(key),
                    format!("{key} {v}"),
                ));
            }
        }
        for (k, v) in &self.template_values {
            out.push((
                format!("helm/templateValues/{k}"),
                Ptr::root().key("templateValues").key(k),
                format!("templateValues {k}={v}"),
            ));
        }
        if let Some(t) = self.timeout_seconds {
            out.push((
                "helm/timeoutSeconds".to_owned(),
                Ptr::root().key("timeoutSeconds"),
                format!("timeoutSeconds={t}"),
            ));
        }
        if let Some(m) = self.max_history {
            out.push((
                "helm/maxHistory".to_owned(),
                Ptr::root().key("maxHistory"),
                format!("maxHistory={m}"),
            ));
        }
        for name in FLAGS
            .into_iter()
            .chain(["skipSchemaValidation", "disableDependencyUpdate"])
        {
            let set = match name {
                "skipSchemaValidation" => self.skip_schema_validation,
                "disableDependencyUpdate" => self.disable_dependency_update,
                _ => self.flag(name),
            };
            if set {
                out.push((
                    format!("helm/{name}"),
                    Ptr::root().key(name),
                    name.to_owned(),
                ));
            }
        }
        out
    }

    /// Lays a customization's options over these as Fleet does: a timeout replaces, flags are
    /// ORed (a customization cannot switch one off), `valuesFrom` entries replace the entry
    /// for the same object and key or are appended, template values merge key by key, values
    /// files come after the broader ones (Fleet merges a customization's files into its
    /// values, which it merges over the bundle's: calculate.go:83-95 and
    /// internal/bundlereader/resources.go:173-207). `maxHistory`, `skipSchemaValidation` and
    /// `disableDependencyUpdate` are not merged: Fleet ignores them in a customization.
    pub fn merge(&mut self, over: &HelmOptions) {
        let c = &over.chart;
        for (mine, theirs) in [
            (&mut self.chart.repo, &c.repo),
            (&mut self.chart.chart, &c.chart),
            (&mut self.chart.version, &c.version),
            (&mut self.chart.release_name, &c.release_name),
        ] {
            if theirs.is_some() {
                mine.clone_from(theirs);
            }
        }
        self.values_files.extend(over.values_files.iter().cloned());
        for v in &over.values_from {
            let id = v.identity();
            match self
                .values_from
                .iter_mut()
                .find(|mine| !id.is_empty() && mine.identity() == id)
            {
                Some(mine) => *mine = v.clone(),
                None => self.values_from.push(v.clone()),
            }
        }
        for (k, v) in &over.template_values {
            self.template_values.insert(k.clone(), v.clone());
        }
        if over.timeout_seconds.is_some() {
            self.timeout_seconds = over.timeout_seconds;
        }
        self.take_ownership |= over.take_ownership;
        self.force |= over.force;
        self.atomic |= over.atomic;
        self.wait_for_jobs |= over.wait_for_jobs;
        self.disable_dns |= over.disable_dns;
        self.disable_pre_process |= over.disable_pre_process;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::ValuesRef;

    fn cm(name: &str, key: &str) -> ValuesFrom {
        ValuesFrom {
            config_map_key_ref: Some(ValuesRef {
                name: name.to_owned(),
                namespace: None,
                key: Some(key.to_owned()),
            }),
            secret_key_ref: None,
        }
    }

    /// calculate.go:57-147: flags OR, timeouts replace, valuesFrom replaces by identity.
    #[test]
    fn merges_as_fleet_does() {
        let mut base = HelmOptions {
            atomic: true,
            timeout_seconds: Some(300),
            max_history: Some(3),
            values_from: vec![cm("a", "values.yaml"), cm("b", "values.yaml")],
            values_files: vec!["values/base.yaml".to_owned()],
            ..HelmOptions::default()
        };
        let mut b_replaced = cm("b", "values.yaml");
        b_replaced.config_map_key_ref.as_mut().unwrap().namespace = None;
        let over = HelmOptions {
            force: true,
            timeout_seconds: Some(900),
            max_history: Some(10),
            values_from: vec![cm("c", "values.yaml"), b_replaced.clone()],
            values_files: vec!["values/prod.yaml".to_owned()],
            ..HelmOptions::default()
        };
        base.merge(&over);
        assert!(base.atomic && base.force);
        assert_eq!(base.timeout_seconds, Some(900));
        assert_eq!(base.max_history, Some(3), "Fleet ignores it per target");
        assert_eq!(
            base.values_from,
            vec![cm("a", "values.yaml"), b_replaced, cm("c", "values.yaml")]
        );
        assert_eq!(base.values_files, ["values/base.yaml", "values/prod.yaml"]);
    }
}

/// How a HelmOp names its chart: Fleet accepts a tarball URL alone, an OCI reference in `repo`
/// alone, or a repository with a chart name (helmop_controller.go:585-623).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartForm {
    Repository,
    Oci,
    Tarball,
    /// A directory in Git, which a HelmOp cannot read.
    Local,
}

pub fn chart_form(chart: &str, repo: Option<&str>) -> ChartForm {
    if repo.is_some_and(|r| r.to_ascii_lowercase().starts_with("oci://"))
        || chart.to_ascii_lowercase().starts_with("oci://")
    {
        ChartForm::Oci
    } else if repo.is_some() {
        ChartForm::Repository
    } else if chart.to_ascii_lowercase().ends_with(".tgz") {
        ChartForm::Tarball
    } else if chart.contains("://") {
        // `https://…/chart.tar.gz`: Fleet's HelmOp takes only `.tgz` as a tarball and then
        // wants a repository.
        ChartForm::Repository
    } else {
        ChartForm::Local
    }
}

/// Masterminds semver `StrictNewVersion`: `MAJOR.MINOR.PATCH`, optional pre-release and build,
/// no `v`, no leading zeros.
pub fn strict_semver(v: &str) -> bool {
    let core = v.split(['-', '+']).next().unwrap_or_default();
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes().all(|c| c.is_ascii_digit())
                && (p.len() == 1 || !p.starts_with('0'))
        })
}
